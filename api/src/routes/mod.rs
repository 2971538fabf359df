//! HTTP routes, one file per resource.

pub mod annual;
pub mod audit;
pub mod auth;
pub mod bodies;
pub mod clients;
pub mod cycles;
pub mod evaluations;
pub mod flags;
pub mod health;
pub mod imports;
pub mod incidents;
pub mod metrics;
pub mod notices;
pub mod reports;
pub mod scheme_impact;
pub mod schemes;
pub mod submissions;
pub mod users;
pub mod warnings;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

/// Registers every route of the API with its OpenAPI path, in one list: a route cannot be
/// served without being documented, nor documented without being served.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(metrics::metrics)
        .service(auth::token)
        .service(auth::revoke)
        .service(users::create)
        .service(users::list)
        .service(users::disable)
        .service(users::reset_password)
        .service(clients::create)
        .service(clients::list)
        .service(clients::disable)
        .service(clients::rotate)
        .service(bodies::create)
        .service(bodies::list)
        .service(bodies::get)
        .service(bodies::update)
        .service(incidents::self_report)
        .service(incidents::record)
        .service(incidents::list)
        .service(incidents::list_of_body)
        .service(incidents::get)
        .service(incidents::correct)
        .service(incidents::void)
        .service(schemes::list)
        .service(schemes::get)
        .service(schemes::create)
        .service(schemes::activate)
        .service(scheme_impact::impact_json)
        .service(scheme_impact::impact_xlsx)
        .service(scheme_impact::impact_pdf)
        .service(cycles::create)
        .service(cycles::update)
        .service(cycles::list)
        .service(cycles::get)
        .service(cycles::template)
        .service(cycles::grant_exception)
        .service(cycles::list_exceptions)
        .service(submissions::list)
        .service(submissions::save)
        .service(submissions::upload_xlsx)
        .service(submissions::submit)
        .service(submissions::return_report)
        .service(submissions::accept)
        .service(submissions::current_report)
        .service(submissions::list_revisions)
        .service(submissions::one_revision)
        .service(flags::list)
        .service(flags::recompute)
        .service(flags::clear)
        .service(flags::request_evidence)
        .service(evaluations::run)
        .service(evaluations::list)
        .service(evaluations::get)
        .service(evaluations::results)
        .service(evaluations::one_result)
        .service(evaluations::publish)
        .service(evaluations::finalize)
        .service(evaluations::supersede)
        .service(evaluations::file_objection)
        .service(evaluations::list_objections)
        .service(evaluations::answer_objection)
        .service(evaluations::body_history)
        .service(warnings::list)
        .service(warnings::get)
        .service(warnings::issue)
        .service(warnings::withdraw)
        .service(warnings::acknowledge)
        .service(warnings::rectification)
        .service(warnings::send_back)
        .service(warnings::close)
        .service(warnings::escalate)
        .service(notices::notice)
        .service(notices::notice_as_pdf)
        .service(notices::letter)
        .service(notices::letter_as_pdf)
        .service(reports::ranking)
        .service(reports::chart_svg)
        .service(reports::chart_png)
        .service(annual::annual_report_html)
        .service(annual::annual_report_pdf)
        .service(imports::reports)
        .service(imports::incidents)
        .service(audit::list)
        .service(audit::verify);
}

/// A file as the request or response body (an XLSX workbook, a CSV), as OpenAPI describes
/// binary content: `type: string, format: binary`.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct BinaryFile(pub Vec<u8>);

/// A browser's form holding a file (`multipart/form-data`).
#[derive(Debug, ToSchema)]
pub struct FileForm {
    /// The file.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Rows per page by default.
pub const DEFAULT_PER_PAGE: u32 = 50;
/// The most rows a page may hold.
pub const MAX_PER_PAGE: u32 = 500;

/// Which page of a list to return.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1.
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

impl PageQuery {
    /// (page, per_page, offset), checked.
    pub fn resolve(&self) -> Result<(u32, u32, i64), ApiError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page == 0 {
            return Err(ApiError::invalid_field(
                "page",
                "页码从 1 开始",
                "page starts at 1",
            ));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::invalid_field(
                "per_page",
                "每页 1 至 500 条",
                "per_page must be within 1..=500",
            ));
        }
        Ok((page, per_page, i64::from(page - 1) * i64::from(per_page)))
    }
}

/// A page of a list (DESIGN.md §5).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Rows in the whole list.
    pub total_items: i64,
    /// This page's number, from 1.
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
}

impl<T> Page<T> {
    /// One page of a list held whole in memory (lists short by nature, or built in memory).
    pub fn of(all: Vec<T>, page: u32, per_page: u32) -> Page<T> {
        let total_items = all.len() as i64;
        let offset = (page.saturating_sub(1) as usize).saturating_mul(per_page as usize);
        Page {
            items: all
                .into_iter()
                .skip(offset)
                .take(per_page as usize)
                .collect(),
            total_items,
            page,
            per_page,
        }
    }
}

/// The parsed scheme with this id (see `domain::schemes::scheme_of`).
pub fn scheme_of(
    conn: &mut crate::db::DbConn,
    scheme_id: &str,
) -> Result<pubeval_scoring::Scheme, ApiError> {
    Ok(crate::domain::schemes::scheme_of(conn, scheme_id)?)
}

/// Runs a use case off the async runtime, with a pooled connection, in the caller's context.
pub async fn call<T, F>(
    state: &crate::state::AppState,
    principal: &crate::domain::Principal,
    f: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::db::DbConn, &crate::domain::Ctx) -> crate::domain::Result<T>
        + Send
        + 'static,
{
    Ok(state.run(principal, f).await?)
}

/// Runs blocking database work off the async runtime, with a pooled connection.
pub async fn with_conn<T, F>(state: &crate::state::AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::db::DbConn) -> Result<T, ApiError> + Send + 'static,
{
    let pool = state.pool.clone();
    let _turn = state.db_turn().await;
    actix_web::web::block(move || {
        let mut conn = pool.get().map_err(crate::db::DbError::from)?;
        f(&mut conn)
    })
    .await?
}
