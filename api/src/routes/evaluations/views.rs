//! The evaluation routes' answers, as the API shows them.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::models::evaluation::{Evaluation, Objection, ResultRow};
use crate::domain::clock::utc;

/// An evaluation as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationView {
    /// Id.
    pub id: String,
    /// Evaluation year.
    pub year: i32,
    /// running, draft, public_notice, final, failed or superseded.
    pub status: String,
    /// The scheme used.
    pub scheme_id: String,
    /// SHA-256 of the inputs (null while running).
    pub input_digest: Option<String>,
    /// Draws of the uncertainty analysis.
    pub draws: i32,
    /// Its seed.
    pub seed: i64,
    /// Bodies evaluated.
    pub bodies: i32,
    /// Counts per grade and warning level, submission and on-time rates.
    #[schema(value_type = Object)]
    pub summary: Option<serde_json::Value>,
    /// Why it failed.
    pub failure: Option<String>,
    /// Who started it.
    pub created_by: String,
    /// Started (UTC).
    pub started_at: String,
    /// Finished (UTC).
    pub finished_at: Option<String>,
    /// Put to public notice (UTC).
    pub published_at: Option<String>,
    /// Objections accepted until (UTC).
    pub objection_deadline: Option<String>,
    /// Made final (UTC).
    pub finalized_at: Option<String>,
    /// The evaluation that replaced it.
    pub superseded_by: Option<String>,
    /// Why a final evaluation was superseded.
    pub superseded_reason: Option<String>,
}

impl From<Evaluation> for EvaluationView {
    fn from(e: Evaluation) -> EvaluationView {
        let t = |x: Option<NaiveDateTime>| x.map(utc);
        EvaluationView {
            summary: e
                .summary
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok()),
            finished_at: t(e.finished_at),
            published_at: t(e.published_at),
            objection_deadline: t(e.objection_deadline),
            finalized_at: t(e.finalized_at),
            started_at: utc(e.started_at),
            id: e.id,
            year: e.year,
            status: e.status,
            scheme_id: e.scheme_id,
            input_digest: e.input_digest,
            draws: e.draws,
            seed: e.seed,
            bodies: e.bodies,
            failure: e.failure,
            created_by: e.created_by,
            superseded_by: e.superseded_by,
            superseded_reason: e.superseded_reason,
        }
    }
}

/// One row of a ranking.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultItem {
    /// The body.
    pub body_id: String,
    /// Approval number.
    pub approval_no: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category: String,
    /// Province.
    pub province: String,
    /// Whether a report counted.
    pub submitted: bool,
    /// Total, full precision (null without a report).
    pub total: Option<f64>,
    /// Grade.
    pub grade: Option<String>,
    /// Overall rank.
    pub rank: Option<i32>,
    /// Rank within the category.
    pub category_rank: Option<i32>,
    /// Warning level, 0 when none: for staff the level the rules triggered; for the body and
    /// `warnings:read` clients that of an issued warning; left out for other clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning_level: Option<i32>,
    /// Whether the grade is borderline (SCHEME.md §6).
    pub borderline: bool,
}

impl ResultItem {
    /// The row's item, its warning level left out unless `levels_shown`.
    pub fn shown(r: &ResultRow, levels_shown: bool) -> ResultItem {
        let mut item = ResultItem::from(r);
        if !levels_shown {
            item.warning_level = None;
        }
        item
    }
}

impl From<&ResultRow> for ResultItem {
    fn from(r: &ResultRow) -> ResultItem {
        ResultItem {
            body_id: r.body_id.clone(),
            approval_no: r.approval_no.clone(),
            name: r.name.clone(),
            category: r.category.clone(),
            province: r.province.clone(),
            submitted: r.submitted != 0,
            total: r.total,
            grade: r.grade.clone(),
            rank: r.rank,
            category_rank: r.category_rank,
            warning_level: Some(r.warning_level),
            borderline: r.borderline != 0,
        }
    }
}

/// An objection as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectionView {
    /// Id.
    pub id: String,
    /// The evaluation.
    pub evaluation_id: String,
    /// The body.
    pub body_id: String,
    /// The objection.
    pub text: String,
    /// Who filed it.
    pub filed_by: String,
    /// When (UTC).
    pub filed_at: String,
    /// open, upheld or rejected.
    pub status: String,
    /// The written answer.
    pub answer: Option<String>,
    /// Who answered.
    pub answered_by: Option<String>,
    /// When (UTC).
    pub answered_at: Option<String>,
}

impl From<Objection> for ObjectionView {
    fn from(o: Objection) -> ObjectionView {
        ObjectionView {
            filed_at: utc(o.filed_at),
            answered_at: o.answered_at.map(utc),
            id: o.id,
            evaluation_id: o.evaluation_id,
            body_id: o.body_id,
            text: o.text,
            filed_by: o.filed_by,
            status: o.status,
            answer: o.answer,
            answered_by: o.answered_by,
        }
    }
}

/// One year of a body's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryItem {
    /// Year.
    pub year: i32,
    /// The evaluation.
    pub evaluation_id: String,
    /// Its status (final, or public_notice for the year under way).
    pub status: String,
    /// The body's result.
    #[serde(flatten)]
    pub result: ResultItem,
}

/// One body's result as `GET …/results/{body_id}` answers it: the stored result (as
/// `pubeval score` prints it) with its evaluation, province, warning level and borderline flag.
/// Documentation only: the answer is built by `domain::evaluations`; parts that only some
/// viewers see are optional.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultDocument {
    /// The evaluation.
    pub evaluation_id: String,
    /// The body.
    pub body_id: String,
    /// The body's name.
    pub name: String,
    /// Its approval number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_no: Option<String>,
    /// management_system, product or service.
    pub category: String,
    /// Its province.
    pub province: String,
    /// Whether a report counted.
    pub submitted: bool,
    /// Total points, unrounded (null without a report).
    pub total: Option<f64>,
    /// Grade A–D (null without a report).
    pub grade: Option<String>,
    /// Competition rank overall (null without a report).
    pub rank: Option<u32>,
    /// Competition rank within the category (null without a report).
    pub category_rank: Option<u32>,
    /// Points per dimension code (null without a report).
    pub dimensions: Option<std::collections::BTreeMap<String, f64>>,
    /// Points per indicator code (null without a report).
    pub indicators: Option<std::collections::BTreeMap<String, f64>>,
    /// The deductions that apply, as negative points by code.
    pub deductions: std::collections::BTreeMap<String, f64>,
    /// The vetoes that apply.
    pub vetoes: Vec<String>,
    /// The total in the previous year's final evaluation.
    pub previous_total: Option<f64>,
    /// Whether the grade moves in 10% or more of the uncertainty draws.
    pub borderline: bool,
    /// The highest warning level (0 none): staff as triggered; the body and `warnings:read`
    /// clients once issued; absent for other clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning_level: Option<u8>,
    /// The warning with its findings (null when none), under the same rule as its level.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub warning: Option<serde_json::Value>,
    /// The uncertainty analysis: rank_median, rank_q05, rank_q95, grade_shares, borderline.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub uncertainty: Option<serde_json::Value>,
    /// Every point explained: indicators, deductions, vetoes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub explanation: Option<serde_json::Value>,
}

/// The ranking as JSON (`format=json`): every body in ranking order.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankingExport {
    /// The rows, in ranking order.
    pub items: Vec<RankingEntry>,
}

/// One row of a ranking export.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankingEntry {
    /// The body.
    pub body_id: String,
    /// Its approval number.
    pub approval_no: String,
    /// Its name.
    pub name: String,
    /// management_system, product or service.
    pub category: String,
    /// Its province.
    pub province: String,
    /// Total points, unrounded (null without a report).
    pub total: Option<f64>,
    /// Grade A–D (null without a report).
    pub grade: Option<String>,
    /// Rank overall (null without a report).
    pub rank: Option<u32>,
    /// Rank within the category (null without a report).
    pub category_rank: Option<u32>,
    /// The warning level as the caller may see it; absent for clients without
    /// `warnings:read`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning_level: Option<u8>,
    /// Whether a report counted.
    pub submitted: bool,
    /// Whether the grade is borderline under the uncertainty analysis.
    pub borderline: bool,
}
