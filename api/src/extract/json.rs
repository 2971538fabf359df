//! A JSON body extractor that names the field that is wrong: `payload.press_releases`, not
//! "invalid type at line 1 column 40".

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, web};
use pubeval_scoring::problem::shown_message;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorDetail};

/// A JSON request body of type `T`: 415 unless the content type is JSON, 413 when too large,
/// 400 when it is not JSON, 422 naming the field when it is JSON of the wrong shape.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let is_json = is_json(req);
        let limit = limit(req);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(not_json());
            }
            let bytes = bytes.await.map_err(|_| too_large())?;
            if bytes.len() > limit {
                return Err(too_large());
            }
            parse(&bytes).map(Json)
        })
    }
}

/// An optional JSON request body: `None` when the request has no body at all; otherwise read
/// exactly as [`Json`] reads it, so a body that is present but wrong (a misspelt field, 5.0 for
/// an integer) is refused naming the field instead of being ignored.
pub struct OptionalJson<T>(pub Option<T>);

impl<T> OptionalJson<T> {
    /// The value, if a body was sent.
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let is_json = is_json(req);
        let limit = limit(req);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|_| too_large())?;
            if bytes.len() > limit {
                return Err(too_large());
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJson(None));
            }
            if !is_json {
                return Err(not_json());
            }
            parse(&bytes).map(|v| OptionalJson(Some(v)))
        })
    }
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
}

fn limit(req: &HttpRequest) -> usize {
    req.app_data::<web::Data<crate::state::AppState>>()
        .map_or(1 << 20, |s| s.config.max_body_bytes)
}

fn not_json() -> ApiError {
    ApiError::coded(
        crate::domain::ErrorCode::UnsupportedMediaType,
        "请求体须为 application/json / the body must be application/json",
    )
}

fn too_large() -> ApiError {
    ApiError::coded(
        crate::domain::ErrorCode::PayloadTooLarge,
        "请求体过大 / request body too large",
    )
}

/// Parses JSON, naming the path of the first field that does not fit `T`.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(deserializer) {
        Ok(value) => Ok(value),
        Err(e) => {
            let inner = e.inner();
            // serde quotes what it refused (an unknown field, a string of the wrong type) and a
            // path may hold a key that was sent: both are cut short, so that a megabyte sent is
            // not a megabyte answered.
            let message = shown_message(&inner.to_string());
            if inner.is_syntax() || inner.is_eof() || inner.is_io() {
                return Err(ApiError::bad_request(format!(
                    "请求体不是有效的 JSON / malformed JSON: {message}"
                )));
            }
            let path = shown_message(&e.path().to_string());
            let field = if path == "." {
                message
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split('`').next())
                    .unwrap_or("body")
                    .to_string()
            } else {
                path
            };
            Err(ApiError::coded(
                crate::domain::ErrorCode::ValidationFailed,
                format!("字段 {field} 有误 / invalid field {field}: {message}"),
            )
            .with_details(vec![ErrorDetail::new(field, message)]))
        }
    }
}
