//! `/metrics`: the server's counters in Prometheus' text format, for the operator's scraper.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use sha2::{Digest, Sha256};

use crate::domain::ErrorCode;
use crate::error::{ApiError, ErrorBody};
use crate::observe::Snapshot;
use crate::state::AppState;

/// Whether the request carries the configured scrape token as its bearer token. Compared as
/// digests, so that the comparison's time says nothing about the token.
fn scraper(req: &HttpRequest, token: &str) -> bool {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    Sha256::digest(presented.as_bytes()) == Sha256::digest(token.as_bytes())
}

/// The server's metrics, in Prometheus' text format.
///
/// Requests by route template and status, their durations, evaluation runs by state, failed
/// logins and lock-outs, database pool use. Readable only with the configured scrape token (`metrics_token`, env
/// `PUBEVAL_METRICS_TOKEN`) as the bearer token; absent when none is configured.
#[utoipa::path(operation_id = "metrics", get, path = "/metrics", tag = "health",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The metrics in Prometheus' text exposition format", content_type = "text/plain; version=0.0.4", body = String),
        (status = 401, description = "Not the scrape token", body = ErrorBody),
        (status = 404, description = "No scrape token is configured", body = ErrorBody),
        (status = 503, description = "The database is not reachable", body = ErrorBody),
    ))]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Some(token) = state
        .config
        .metrics_token
        .as_deref()
        .filter(|t| !t.is_empty())
    else {
        return Err(ApiError::coded(
            ErrorCode::NotFound,
            "没有这个地址 / no such route",
        ));
    };
    if !scraper(&req, token) {
        return Err(ApiError::unauthorized(
            "需要抓取令牌 / the metrics need the scrape token",
        ));
    }
    let runs = super::with_conn(&state, |conn| {
        Ok(crate::domain::metrics::evaluation_counts(conn)?)
    })
    .await?;
    let pool = state.pool.state();
    let text = state
        .metrics
        .render_with(&Snapshot {
            evaluation_runs: runs,
            pool_connections: i64::from(pool.connections),
            pool_idle: i64::from(pool.idle_connections),
            pool_size: i64::from(state.pool.max_size()),
            login_failures: state.throttle.failures_total(),
            login_lockouts: state.throttle.lockouts_total(),
        })
        .map_err(|e| ApiError::from(crate::domain::Error::internal(e)))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
