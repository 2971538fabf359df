//! The annual evaluation report (年度宣传工作评价报告) of an evaluation, as HTML and PDF, under
//! the access rules of the ranking it summarises.

use pubeval_reports::documents::{AnnualData, IssuedWarning, annual_html, annual_pdf};
use pubeval_reports::{RankingRow, Typesetter};
use pubeval_scoring::{BodyResult, Scheme};

use super::{Document, parsed, ranking_row, rendering, report_of, result_rows};
use crate::db::DbConn;
use crate::db::models::evaluation::Evaluation;
use crate::db::models::warning::WarningRow;
use crate::domain::evaluations::WarningLens;
use crate::domain::states::{EvaluationStatus, WarningStatus};
use crate::domain::warnings::status_zh;
use crate::domain::{Ctx, Result, TextEnum, evaluations};

/// What the annual report draws on, owned, so that it can be rendered away from the database.
pub struct AnnualInputs {
    scheme: Scheme,
    year: i32,
    draft_stage: Option<String>,
    rows: Vec<RankingRow>,
    results: Vec<BodyResult>,
    on_time: usize,
    warnings: Vec<IssuedWarning>,
    show_warnings: bool,
    dated: chrono::NaiveDate,
    /// For a final evaluation, what the report depends on besides its results.
    key: Option<String>,
}

/// The report's material for an evaluation, for those who read its reports.
pub fn load(conn: &mut DbConn, ctx: &Ctx, evaluation_id: &str) -> Result<AnnualInputs> {
    let (evaluation, scheme) = report_of(conn, ctx, evaluation_id)?;
    AnnualInputs::load(conn, ctx, &evaluation, scheme)
}

impl AnnualInputs {
    /// Loads the report's material for an evaluation with results, dated today.
    fn load(
        conn: &mut DbConn,
        ctx: &Ctx,
        evaluation: &Evaluation,
        scheme: Scheme,
    ) -> Result<AnnualInputs> {
        // Warnings as the reader may see them: staff every triggered one, `warnings:read`
        // clients the issued ones, other clients none (DESIGN.md §4).
        let lens = WarningLens::of(conn, &ctx.viewer(), &evaluation.id)?;
        let rows = result_rows(conn, &evaluation.id)?
            .into_iter()
            .map(|r| lens.apply(r))
            .collect::<Result<Vec<_>>>()?;
        let show_warnings = lens.levels_shown();
        let key = (evaluations::status_of(evaluation)? == EvaluationStatus::Final).then(|| {
            format!(
                "annual:{}:{}:{}",
                evaluation.id,
                lens.fingerprint(),
                ctx.today()
            )
        });
        let results = parsed(&rows)?;
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
        let published = if show_warnings {
            WarningRow::published_of_evaluation(conn, &evaluation.id)?
        } else {
            Vec::new()
        };
        for w in published {
            // Every warned body has a row of this evaluation, with its name.
            let body_name = rows
                .iter()
                .find(|r| r.body_id == w.body_id)
                .map_or_else(|| w.body_id.clone(), |r| r.name.clone());
            warnings.push(IssuedWarning {
                notice_no: w.notice_no.clone().unwrap_or_default(),
                body_name,
                level: w.level.clamp(1, 3) as u8,
                status: status_zh(WarningStatus::parse_stored(&w.status)?).to_string(),
                deadline: w.deadline,
            });
        }
        let draft_stage = match evaluations::status_of(evaluation)? {
            EvaluationStatus::Final => None,
            EvaluationStatus::PublicNotice => Some("公示稿".to_string()),
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
            show_warnings,
            dated: ctx.today(),
            key,
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
            show_warnings: self.show_warnings,
            dated: self.dated,
        }
    }

    /// The key the report in a format is kept under once rendered (final evaluations only:
    /// their results never change; the reader's warnings and the day are in the key).
    pub fn key(&self, format: &str) -> Option<String> {
        self.key.as_ref().map(|k| format!("{k}:{format}"))
    }

    /// The report's Chinese file name.
    pub fn file_name(&self, extension: &str) -> String {
        format!("{}年度认证机构宣传工作评价报告.{extension}", self.year)
    }

    /// The report as a printable HTML page with its charts.
    pub fn html(&self) -> Result<Document> {
        Ok(Document {
            bytes: annual_html(&self.data()).map_err(rendering)?.into_bytes(),
            file_name: self.file_name("html"),
            ascii_name: "report.html".into(),
        })
    }

    /// The report as PDF.
    pub fn pdf(&self, typesetter: &Typesetter) -> Result<Document> {
        Ok(Document {
            bytes: annual_pdf(&self.data(), typesetter).map_err(rendering)?,
            file_name: self.file_name("pdf"),
            ascii_name: "report.pdf".into(),
        })
    }
}
