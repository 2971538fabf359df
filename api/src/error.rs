//! The one error shape of the API (DESIGN.md §5):
//! `{"error": {"code", "message", "details": [{"field", "problem"}]}}`, for every failure,
//! including those actix itself produces (malformed JSON, unknown route, wrong method, body too
//! large, wrong content type).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::domain::error::Detail as ErrorDetail;
use crate::domain::{self, ErrorCode};

/// The body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorPayload,
}

/// An error: a stable code, a message for people and field-level details.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorPayload {
    /// Stable machine-readable code; it decides the status.
    #[schema(value_type = ErrorCode)]
    pub code: String,
    /// What happened, in Chinese and English.
    pub message: String,
    /// Field-level problems (empty when none apply).
    pub details: Vec<ErrorDetail>,
    /// The request id, on internal errors, to find the log line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// An error as an HTTP response: a domain error, whose code decides the status.
#[derive(Debug, Clone)]
pub struct ApiError {
    error: domain::Error,
    /// actix's own errors of statuses the codes do not name (408, 411, …) keep their status.
    status_override: Option<StatusCode>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status().as_u16(), self.error)
    }
}

impl From<domain::Error> for ApiError {
    fn from(error: domain::Error) -> ApiError {
        ApiError {
            error,
            status_override: None,
        }
    }
}

impl ApiError {
    /// An error with this code and a message already in both languages.
    pub fn coded(code: ErrorCode, message: impl Into<String>) -> ApiError {
        domain::Error::with_message(code, message).into()
    }

    /// Adds field-level details.
    pub fn with_details(mut self, details: Vec<ErrorDetail>) -> ApiError {
        self.error.details = details;
        self
    }

    /// Keeps a status the codes do not name.
    pub fn with_status(mut self, status: StatusCode) -> ApiError {
        self.status_override = Some(status);
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status_override.unwrap_or_else(|| {
            StatusCode::from_u16(self.error.code.status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        })
    }

    /// The field-level details.
    pub fn details(&self) -> &[ErrorDetail] {
        &self.error.details
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.error.code.as_str()
    }

    /// 400: the request could not be read.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::coded(ErrorCode::BadRequest, message)
    }

    /// 401: no valid credentials.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::coded(ErrorCode::Unauthorized, message)
    }

    /// 403: authenticated, but not allowed.
    pub fn forbidden() -> ApiError {
        domain::Error::forbidden().into()
    }

    /// 422 for a single field.
    pub fn invalid_field(field: &str, zh: &str, en: &str) -> ApiError {
        domain::Error::invalid_field(field, zh, en).into()
    }

    /// 500: logged with a request id; the response says nothing internal.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        domain::Error::internal(cause).into()
    }

    fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorPayload {
                code: self.error.code.as_str().to_string(),
                message: self.error.message.clone(),
                details: self.error.details.clone(),
                request_id: self.error.request_id.clone(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status());
        if let Some(seconds) = self.error.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if self.status() == StatusCode::UNAUTHORIZED {
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
        domain::Error::from(e).into()
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> ApiError {
        domain::Error::from(e).into()
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
        ApiError::from(crate::domain::Error::not_found(crate::domain::Noun::Record)).into()
    }

    /// A bad query string → 400 naming it.
    pub fn query(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
        let message = err.to_string();
        ApiError::bad_request(format!("查询参数有误 / invalid query: {message}"))
            .with_details(vec![ErrorDetail::new(field_of(&message), message)])
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
