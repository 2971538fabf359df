//! Liveness and readiness.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// A health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// Liveness: the process answers.
#[utoipa::path(operation_id = "health_healthz", get, path = "/healthz", tag = "health",
    responses((status = 200, description = "The process is alive", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// How long readiness waits for a connection: a probe must be answered long before the
/// pool's own wait for a database that does not answer is over.
const READY_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Readiness: the database answers.
#[utoipa::path(operation_id = "health_readyz", get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "The database is reachable", body = Health),
        (status = 503, description = "The database is not reachable (`database_unavailable`; the cause is logged with the request id, never sent)", body = ErrorBody),
    ))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool
            .get_timeout(READY_WAIT)
            .map_err(|e| crate::domain::Error::from(crate::db::DbError::from(e)))?;
        crate::domain::health::ready(&mut conn)
    })
    .await
    .map_err(crate::domain::Error::internal)??;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
    }))
}
