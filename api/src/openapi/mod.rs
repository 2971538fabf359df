//! The OpenAPI 3.1 document, generated from the routes (`pubeval openapi` prints it).

mod complete;

pub use complete::complete;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API's description, tags and security scheme; the paths come from the routes as they are
/// registered (`routes::configure`), so the document cannot drift from what is served.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "pubeval",
        description = "认证机构宣传工作评价平台 API (《认证机构宣传工作指引》第三十二条): certification bodies submit their annual publicity-work reports; CNCA analysts score, rank and issue risk warnings; external systems read published results. Errors share one shape: {\"error\": {\"code\", \"message\", \"details\": [{\"field\", \"problem\"}]}}. Every answer carries an X-Request-Id header, the id of its line in the server's log.",
        license(name = "MIT OR Apache-2.0"),
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorPayload, crate::error::ErrorDetail, crate::domain::ErrorCode)),
    modifiers(&BearerScheme),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "Tokens"),
        (name = "users", description = "People who log in (admin)"),
        (name = "clients", description = "External systems (admin)"),
        (name = "bodies", description = "The body registry"),
        (name = "incidents", description = "要情报告 / incidents"),
        (name = "schemes", description = "评价指标体系 / evaluation schemes"),
        (name = "cycles", description = "评价周期与报送期 / cycles and submission windows"),
        (name = "submissions", description = "年度宣传工作报告 / annual reports"),
        (name = "imports", description = "往年数据批量导入 / bulk import of past years"),
        (name = "flags", description = "合理性核查 / plausibility flags on self-declared reports"),
        (name = "evaluations", description = "评价、公示、异议与定稿 / evaluations, public notice, objections"),
        (name = "warnings", description = "风险警示 / risk warnings"),
        (name = "reports", description = "排名导出与图表 / ranking exports and charts"),
        (name = "audit", description = "The tamper-evident audit log"),
    )
)]
pub struct ApiDoc;

/// Adds the bearer scheme every protected route names.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "POST /api/v1/auth/token 取得的令牌 / a token from POST /api/v1/auth/token",
                    ))
                    .build(),
            ),
        );
    }
}

/// The whole document: the description with every registered route's path and schemas.
pub fn document() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    complete(doc)
}

/// The document as pretty JSON, as committed in `openapi/openapi.json`.
pub fn document_json() -> String {
    document().to_pretty_json().unwrap_or_default() + "\n"
}
