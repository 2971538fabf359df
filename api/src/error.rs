//! The one error shape of the API (DESIGN.md §5):
//! `{"error": {"code", "message", "details": [{"field", "problem"}]}}`, for every failure,
//! including those actix itself produces (malformed JSON, unknown route, wrong method, body too
//! large, wrong content type).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use pubeval_scoring::Problem;
use serde::Serialize;
use utoipa::ToSchema;

/// One field-level problem.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ErrorDetail {
    /// The field, e.g. `payload.press_releases`.
    pub field: String,
    /// What is wrong with it (Chinese, then English).
    pub problem: String,
}

/// The body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorPayload,
}

/// An error: a stable code, a message for people and field-level details.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorPayload {
    /// Stable machine-readable code, e.g. `validation_failed`.
    pub code: String,
    /// What happened, in Chinese and English.
    pub message: String,
    /// Field-level problems (empty when none apply).
    pub details: Vec<ErrorDetail>,
    /// The request id, on internal errors, to find the log line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// An API error.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Vec<ErrorDetail>,
    retry_after: Option<u64>,
    request_id: Option<String>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
            request_id: None,
        }
    }

    /// Adds field-level details.
    pub fn with_details(mut self, details: Vec<ErrorDetail>) -> ApiError {
        self.details = details;
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// 400: the request could not be read.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 401: no valid credentials.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 403: authenticated, but not allowed.
    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "无权执行此操作 / not allowed for your role",
        )
    }

    /// 404: nothing there (or nothing this caller may know of).
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("未找到{what} / {what} not found"),
        )
    }

    /// 409: a conflict with the current state.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }

    /// 422: the content is invalid; every problem is listed.
    pub fn validation(problems: &[Problem]) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!(
                "内容有 {} 处问题 / {} problem(s) found",
                problems.len(),
                problems.len()
            ),
        )
        .with_details(
            problems
                .iter()
                .map(|p| ErrorDetail {
                    field: p.field.clone(),
                    problem: format!("{} / {}", p.message, p.message_en),
                })
                .collect(),
        )
    }

    /// 422 for a single field.
    pub fn invalid_field(field: &str, zh: &str, en: &str) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!("内容有 1 处问题 / 1 problem found: {field}"),
        )
        .with_details(vec![ErrorDetail {
            field: field.to_string(),
            problem: format!("{zh} / {en}"),
        }])
    }

    /// 429 with `Retry-After`.
    pub fn too_many_attempts(retry_after_seconds: u64) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!(
                "登录失败次数过多，请 {retry_after_seconds} 秒后再试 / too many failed attempts, retry after {retry_after_seconds} s"
            ),
        );
        e.retry_after = Some(retry_after_seconds);
        e
    }

    /// 500: logged with a request id; the response says nothing internal.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        let request_id = uuid::Uuid::new_v4().to_string();
        tracing::error!(request_id = %request_id, error = %cause, "internal error");
        let mut e = ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            format!(
                "服务器内部错误，请联系管理员并提供请求编号 {request_id} / internal error, request id {request_id}"
            ),
        );
        e.request_id = Some(request_id);
        e
    }

    /// 503: a dependency is missing.
    pub fn unavailable(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
    }

    fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorPayload {
                code: self.code.to_string(),
                message: self.message.clone(),
                details: self.details.clone(),
                request_id: self.request_id.clone(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"pubeval\""),
            ));
        }
        response.json(self.body())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> ApiError {
        match e {
            diesel::result::Error::NotFound => ApiError::not_found("记录"),
            other => ApiError::internal(other),
        }
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> ApiError {
        match e {
            crate::db::DbError::Query(q) => q.into(),
            crate::db::DbError::Pool(p) => ApiError::unavailable(
                "database_unavailable",
                format!("数据库不可用 / database unavailable: {p}"),
            ),
            other => ApiError::internal(other),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> ApiError {
        ApiError::internal(e)
    }
}

/// Turns actix's own extractor errors into the one shape.
pub mod handlers {
    use actix_web::HttpRequest;
    use actix_web::error::{PathError, QueryPayloadError};

    use super::{ApiError, ErrorDetail};

    /// A bad path parameter → 404 (the resource named does not exist).
    pub fn path(_err: PathError, _req: &HttpRequest) -> actix_web::Error {
        ApiError::not_found("资源").into()
    }

    /// A bad query string → 400 naming it.
    pub fn query(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
        let message = err.to_string();
        ApiError::bad_request(format!("查询参数有误 / invalid query: {message}"))
            .with_details(vec![ErrorDetail {
                field: field_of(&message),
                problem: message,
            }])
            .into()
    }

    /// serde names fields in its messages as `` `name` ``.
    fn field_of(message: &str) -> String {
        message
            .split('`')
            .nth(1)
            .map_or_else(|| "body".to_string(), str::to_string)
    }
}
