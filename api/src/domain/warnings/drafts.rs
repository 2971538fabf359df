//! Draft warnings: one per result that triggers a warning, created when an evaluation is made
//! final, each with its audit entry by the platform.

use crate::db::DbConn;
use crate::db::models::evaluation::{ResultFilter, ResultRow};
use crate::db::models::new_id;
use crate::db::models::warning::WarningRow;
use crate::domain::audit;
use crate::domain::states::{TextEnum, WarningStatus};
use crate::domain::{Ctx, Error, Result};

/// A draft warning to create when an evaluation is finalized.
#[derive(Debug, Clone)]
pub struct NewDraft {
    /// The body warned.
    pub body_id: String,
    /// Level 1–3.
    pub level: i32,
    /// The rule codes triggered, in SCHEME.md §5 order.
    pub reasons: Vec<String>,
    /// The findings (a JSON array) with evidence and articles.
    pub findings: serde_json::Value,
    /// Whether issuing needs a written confirmation (SCHEME.md §6).
    pub review_required: bool,
}

/// Creates one draft warning per entry for an evaluation, each with an audit entry by
/// `system`; call it inside the caller's write transaction (the finalisation's), so that the
/// drafts commit with it. The number of drafts created.
pub fn create_drafts(
    conn: &mut DbConn,
    ctx: &Ctx,
    evaluation_id: &str,
    drafts: &[NewDraft],
) -> Result<usize> {
    for draft in drafts {
        let at = ctx.now();
        let row = WarningRow {
            id: new_id(),
            evaluation_id: evaluation_id.to_string(),
            body_id: draft.body_id.clone(),
            level: draft.level,
            reasons: serde_json::Value::from(draft.reasons.clone()).to_string(),
            findings: draft.findings.to_string(),
            status: WarningStatus::Draft.as_str().to_string(),
            review_required: i32::from(draft.review_required),
            notice_no: None,
            notice_year: None,
            notice_seq: None,
            issued_on: None,
            deadline: None,
            internal_note: None,
            created_at: at,
            updated_at: at,
        };
        row.insert(conn)?;
        audit::record_system(
            conn,
            ctx,
            "warning.draft",
            "warning",
            &row.id,
            serde_json::json!({
                "evaluation_id": evaluation_id,
                "body_id": draft.body_id,
                "level": draft.level,
                "reasons": draft.reasons,
                "review_required": draft.review_required,
            }),
        )?;
    }
    Ok(drafts.len())
}

/// Creates a draft warning for every result of the evaluation that triggers one (warning
/// level above 0), inside the caller's write transaction (the finalisation's); how many.
pub fn draft_for_evaluation(conn: &mut DbConn, ctx: &Ctx, evaluation_id: &str) -> Result<usize> {
    let (rows, _) = ResultRow::page(conn, evaluation_id, &ResultFilter::default(), 0, i64::MAX)?;
    let mut drafts = Vec::new();
    for row in rows.iter().filter(|r| r.warning_level > 0) {
        let result: pubeval_scoring::BodyResult =
            serde_json::from_str(&row.result).map_err(Error::internal)?;
        if let Some(w) = result.warning {
            drafts.push(NewDraft {
                body_id: row.body_id.clone(),
                level: i32::from(w.level),
                reasons: w.reasons.clone(),
                findings: serde_json::to_value(&w.findings).map_err(Error::internal)?,
                review_required: w.review_required,
            });
        }
    }
    create_drafts(conn, ctx, evaluation_id, &drafts)
}
