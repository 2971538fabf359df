//! `build_app`: the one place routes and middleware are wired; `pubeval serve` and the tests
//! both use it.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{App, Error, HttpResponse, web};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::openapi::ApiDoc;
use crate::routes;
use crate::state::AppState;

/// Builds the application over its state.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let max_body = state.config.max_body_bytes;
    let metrics = web::Data::new(state.metrics.clone());
    App::new()
        .app_data(web::Data::new(state))
        .app_data(metrics)
        .app_data(web::PayloadConfig::default().limit(max_body))
        .app_data(web::PathConfig::default().error_handler(crate::error::handlers::path))
        .app_data(web::QueryConfig::default().error_handler(crate::error::handlers::query))
        .wrap(ErrorHandlers::new().default_handler(json_error_body))
        .wrap(actix_web::middleware::Logger::new(
            "%a \"%r\" %s %b %Dms request_id=%{x-request-id}i",
        ))
        // Outside the error handlers, so that every answer — actix's own errors included —
        // carries the security headers (`crate::headers`).
        .wrap(actix_web::middleware::from_fn(crate::headers::secure))
        // Outside everything else: the request id is in every log line and every answer.
        .wrap(actix_web::middleware::from_fn(crate::observe::observe))
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .openapi_service(|doc| {
            SwaggerUi::new("/docs/{_:.*}")
                .url("/api-docs/openapi.json", crate::openapi::complete(doc))
        })
        .into_app()
        .configure(crate::console::configure)
        .service(web::redirect("/docs", "/docs/"))
        .default_service(web::to(not_found))
}

/// An unmatched request: 405 with `Allow` when the path is a route of the API under another
/// method (read from the OpenAPI document, so it never drifts from the routes), else 404.
async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    let allowed = allowed_methods(req.path());
    if allowed.is_empty() {
        return Err(no_such_route());
    }
    let error = ApiError::coded(
        crate::domain::ErrorCode::MethodNotAllowed,
        format!(
            "该地址只支持 {0} / method not allowed; use {0}",
            allowed.join(", ")
        ),
    );
    let mut response = actix_web::ResponseError::error_response(&error);
    if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    Ok(response)
}

fn no_such_route() -> ApiError {
    ApiError::coded(
        crate::domain::ErrorCode::NotFound,
        "没有这个地址 / no such route",
    )
}

/// The methods the API serves at a path.
fn allowed_methods(path: &str) -> Vec<String> {
    use std::sync::OnceLock;
    static ROUTES: OnceLock<Vec<(actix_web::dev::ResourceDef, Vec<String>)>> = OnceLock::new();
    let routes = ROUTES.get_or_init(|| {
        let doc = crate::openapi::document();
        doc.paths
            .paths
            .iter()
            .map(|(template, item)| {
                let methods = serde_json::to_value(item)
                    .ok()
                    .and_then(|v| v.as_object().cloned())
                    .map(|o| {
                        o.keys()
                            .filter(|k| {
                                matches!(k.as_str(), "get" | "post" | "put" | "patch" | "delete")
                            })
                            .map(|k| k.to_uppercase())
                            .collect()
                    })
                    .unwrap_or_default();
                (actix_web::dev::ResourceDef::new(template.as_str()), methods)
            })
            .collect()
    });
    routes
        .iter()
        .find(|(def, _)| def.is_match(path))
        .map(|(_, methods)| methods.clone())
        .unwrap_or_default()
}

/// Any error response that is not already JSON (actix's own 404, 405, 413, …) gets the one
/// error shape, so that no client ever sees an HTML or empty error page.
fn json_error_body<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // JSON errors are already in the shape; the console's HTML error pages are meant for people.
    let is_shaped = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.to_str()
            .is_ok_and(|s| s.starts_with("application/json") || s.starts_with("text/html"))
    });
    if is_shaped || res.status().as_u16() < 400 {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let error = match status {
        StatusCode::NOT_FOUND => no_such_route(),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::coded(
            crate::domain::ErrorCode::MethodNotAllowed,
            "该地址不支持此请求方法 / method not allowed",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::coded(
            crate::domain::ErrorCode::PayloadTooLarge,
            "请求体过大 / request body too large",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::coded(
            crate::domain::ErrorCode::UnsupportedMediaType,
            "请求体须为 application/json / the body must be application/json",
        ),
        s if s.is_server_error() => ApiError::internal(format!("unhandled {s}")),
        s => ApiError::coded(
            crate::domain::ErrorCode::BadRequest,
            "请求有误 / bad request",
        )
        .with_status(s),
    };
    let (req, res) = res.into_parts();
    let mut response = actix_web::ResponseError::error_response(&error);
    if let Some(allow) = res.headers().get(header::ALLOW) {
        response.headers_mut().insert(header::ALLOW, allow.clone());
    }
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}
