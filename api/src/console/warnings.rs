//! `/console/warnings` and `/console/warnings/{id}`: one handler per path, for analysts and
//! bodies alike. Staff get the analysts' pages (`warnings_staff`: every warning, with filters and
//! the actions of their state); a body's user gets its own issued warnings (`warnings_body`:
//! the notice, 确认收到, the rectification report).

use actix_web::{HttpRequest, HttpResponse, web};

use super::page::ConsoleError;
use super::session::Session;
use super::{warnings_body, warnings_staff};
use crate::domain;
use crate::state::AppState;

/// The query string in the shape the page that answers reads (each side has its own filters).
fn query_of<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
) -> Result<web::Query<T>, ConsoleError> {
    web::Query::from_query(req.query_string()).map_err(|_| {
        ConsoleError::Domain(domain::Error::bad_request(
            "筛选条件有误，请重新选择",
            "malformed filter",
        ))
    })
}

/// `GET /console/warnings`.
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
) -> Result<HttpResponse, ConsoleError> {
    if session.is_staff() {
        warnings_staff::list(state, session, query_of(&req)?).await
    } else {
        warnings_body::list(state, session, query_of(&req)?).await
    }
}

/// `GET /console/warnings/{id}`.
pub async fn detail(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ConsoleError> {
    if session.is_staff() {
        warnings_staff::detail(state, session, id).await
    } else {
        warnings_body::detail(state, session, id, query_of(&req)?).await
    }
}
