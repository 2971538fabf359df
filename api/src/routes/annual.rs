//! The annual evaluation report (年度宣传工作评价报告) of an evaluation, as HTML and PDF, under
//! the access rules of the ranking it summarises.

use actix_web::{HttpResponse, get, web};
use pubeval_reports::RankingRow;
use pubeval_reports::documents::{AnnualData, IssuedWarning, annual_html, annual_pdf};
use pubeval_scoring::{BodyResult, Scheme};

use super::reports::{attachment, load, ranking_row};
use super::with_conn;
use crate::db::DbConn;
use crate::db::models::evaluation::{Evaluation, ResultFilter, ResultRow};
use crate::db::models::warning::WarningRow;
use crate::domain::policy::Anyone;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// What the annual report draws on, owned, so that it can be rendered away from the database.
pub struct AnnualInputs {
    scheme: Scheme,
    year: i32,
    draft_stage: Option<String>,
    rows: Vec<RankingRow>,
    results: Vec<BodyResult>,
    on_time: usize,
    warnings: Vec<IssuedWarning>,
    dated: chrono::NaiveDate,
}

impl AnnualInputs {
    /// Loads the report's material for an evaluation with results.
    pub fn load(
        conn: &mut DbConn,
        evaluation: &Evaluation,
        scheme: Scheme,
    ) -> Result<AnnualInputs, ApiError> {
        let (rows, _) =
            ResultRow::page(conn, &evaluation.id, &ResultFilter::default(), 0, i64::MAX)?;
        let results = rows
            .iter()
            .map(|r| serde_json::from_str(&r.result).map_err(ApiError::internal))
            .collect::<Result<Vec<BodyResult>, ApiError>>()?;
        let rows: Vec<RankingRow> = rows.iter().map(ranking_row).collect();
        // The stored summary counts the reports that came within the general window.
        let on_time = evaluation
            .summary
            .as_deref()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
            .and_then(|v| v.get("on_time").and_then(serde_json::Value::as_u64))
            .map_or_else(
                || rows.iter().filter(|r| r.submitted).count(),
                |n| n as usize,
            );
        let mut warnings = Vec::new();
        for w in WarningRow::published_of_evaluation(conn, &evaluation.id)? {
            // Every warned body has a row of this evaluation, with its name.
            let body_name = rows
                .iter()
                .find(|r| r.body_id == w.body_id)
                .map_or_else(|| w.body_id.clone(), |r| r.name.clone());
            warnings.push(IssuedWarning {
                notice_no: w.notice_no.clone().unwrap_or_default(),
                body_name,
                level: w.level.clamp(1, 3) as u8,
                status: super::warnings::status_zh(&w.status).to_string(),
                deadline: w.deadline,
            });
        }
        let draft_stage = match evaluation.status.as_str() {
            "final" => None,
            "public_notice" => Some("公示稿".to_string()),
            _ => Some("草稿".to_string()),
        };
        Ok(AnnualInputs {
            scheme,
            year: evaluation.year,
            draft_stage,
            rows,
            results,
            on_time,
            warnings,
            dated: crate::db::models::today(),
        })
    }

    /// The renderers' view of it.
    pub fn data(&self) -> AnnualData<'_> {
        AnnualData {
            scheme: &self.scheme,
            year: self.year,
            draft_stage: self.draft_stage.clone(),
            rows: &self.rows,
            results: &self.results,
            on_time: self.on_time,
            warnings: &self.warnings,
            dated: self.dated,
        }
    }

    /// The report's Chinese file name.
    pub fn file_name(&self, extension: &str) -> String {
        format!("{}年度认证机构宣传工作评价报告.{extension}", self.year)
    }
}

/// The annual evaluation report (年度宣传工作评价报告) as a printable HTML page with its charts.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/report.html", operation_id = "reports_annual_html", tag = "reports",
    params(("id" = String, Path, description = "Evaluation id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "text/html: the report, with a Chinese file name", content_type = "text/html"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Body users and clients without results:read", body = ErrorBody),
        (status = 404, description = "No such evaluation, or not final for a client", body = ErrorBody),
        (status = 409, description = "Still running, or failed", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/report.html")]
pub async fn annual_report_html(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let inputs = inputs(&state, &auth, id.into_inner()).await?;
    let (html, name) = web::block(move || {
        let html = annual_html(&inputs.data()).map_err(ApiError::internal)?;
        Ok::<_, ApiError>((html, inputs.file_name("html")))
    })
    .await??;
    Ok(attachment(
        html.into_bytes(),
        "text/html; charset=utf-8",
        "report.html",
        &name,
        true,
    ))
}

/// The annual evaluation report (年度宣传工作评价报告) as PDF: summary, charts, categories, both
/// ends of the ranking, warnings issued, borderline bodies, and the scheme as an appendix.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/report.pdf", operation_id = "reports_annual_pdf", tag = "reports",
    params(("id" = String, Path, description = "Evaluation id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "application/pdf: the report, with a Chinese file name", content_type = "application/pdf"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Body users and clients without results:read", body = ErrorBody),
        (status = 404, description = "No such evaluation, or not final for a client", body = ErrorBody),
        (status = 409, description = "Still running, or failed", body = ErrorBody),
        (status = 503, description = "No CJK font on the server: `font_unavailable`, saying how to install one", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/report.pdf")]
pub async fn annual_report_pdf(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let inputs = inputs(&state, &auth, id.into_inner()).await?;
    let documents = state.documents.clone();
    let (pdf, name) = web::block(move || {
        let typesetter = documents.typesetter_or_503()?;
        let pdf = annual_pdf(&inputs.data(), &typesetter).map_err(ApiError::internal)?;
        Ok::<_, ApiError>((pdf, inputs.file_name("pdf")))
    })
    .await??;
    Ok(attachment(
        pdf,
        "application/pdf",
        "report.pdf",
        &name,
        true,
    ))
}

async fn inputs(
    state: &web::Data<AppState>,
    auth: &Auth<Anyone>,
    id: String,
) -> Result<AnnualInputs, ApiError> {
    let principal = auth.principal.clone();
    with_conn(state, move |conn| {
        let (evaluation, scheme) = load(conn, &principal, &id)?;
        AnnualInputs::load(conn, &evaluation, scheme)
    })
    .await
}
