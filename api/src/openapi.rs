//! The OpenAPI 3.1 document, generated from the routes (`pubeval openapi` prints it).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

/// The API's document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "pubeval",
        description = "认证机构宣传工作评价平台 API (《认证机构宣传工作指引》第三十二条): certification bodies submit their annual publicity-work reports; CNCA analysts score, rank and issue risk warnings; external systems read published results. Errors share one shape: {\"error\": {\"code\", \"message\", \"details\": [{\"field\", \"problem\"}]}}.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        routes::health::healthz,
        routes::health::readyz,
        routes::auth::token,
        routes::auth::revoke,
        routes::users::create,
        routes::users::list,
        routes::users::disable,
        routes::users::reset_password,
        routes::clients::create,
        routes::clients::list,
        routes::clients::disable,
        routes::clients::rotate,
        routes::bodies::create,
        routes::bodies::list,
        routes::bodies::get,
        routes::bodies::update,
        routes::incidents::self_report,
        routes::incidents::record,
        routes::incidents::list,
        routes::incidents::list_of_body,
        routes::incidents::get,
        routes::incidents::correct,
        routes::incidents::void,
        routes::schemes::list,
        routes::schemes::get,
        routes::schemes::create,
        routes::schemes::activate,
        routes::cycles::create,
        routes::cycles::update,
        routes::cycles::list,
        routes::cycles::get,
        routes::cycles::grant_exception,
        routes::cycles::list_exceptions,
        routes::submissions::list,
        routes::submissions::save,
        routes::submissions::submit,
        routes::submissions::return_report,
        routes::submissions::accept,
        routes::submissions::current_report,
        routes::submissions::list_revisions,
        routes::submissions::one_revision,
        routes::evaluations::run,
        routes::evaluations::list,
        routes::evaluations::get,
        routes::evaluations::results,
        routes::evaluations::one_result,
        routes::evaluations::publish,
        routes::evaluations::finalize,
        routes::evaluations::supersede,
        routes::evaluations::file_objection,
        routes::evaluations::list_objections,
        routes::evaluations::answer_objection,
        routes::evaluations::body_history,
        routes::warnings::list,
        routes::warnings::get,
        routes::warnings::issue,
        routes::warnings::withdraw,
        routes::warnings::acknowledge,
        routes::warnings::rectification,
        routes::warnings::send_back,
        routes::warnings::close,
        routes::warnings::escalate,
        routes::notices::notice,
        routes::notices::notice_as_pdf,
        routes::notices::letter,
        routes::notices::letter_as_pdf,
        routes::reports::ranking,
        routes::reports::chart_svg,
        routes::reports::chart_png,
        routes::annual::annual_report_html,
        routes::annual::annual_report_pdf,
        routes::audit::list,
        routes::audit::verify,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorPayload, crate::error::ErrorDetail)),
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

/// The document as pretty JSON, as committed in `openapi/openapi.json`.
pub fn document_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default() + "\n"
}
