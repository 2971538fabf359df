//! The risk warning notice (风险警示通知书) of an issued warning, as HTML and PDF (GB/T
//! 9704-2012 layout).

use pubeval_reports::Typesetter;
use pubeval_reports::documents::{NoticeData, NoticeFinding, notice_html, notice_pdf};
use pubeval_scoring::warning::Finding;

use super::{Document, rendering};
use crate::db::DbConn;
use crate::db::models::body::Body;
use crate::db::models::evaluation::Evaluation;
use crate::db::models::warning::WarningRow;
use crate::domain::states::{TextEnum, WarningStatus};
use crate::domain::{Ctx, Error, Noun, Result, schemes};

/// Working days a body has to state its case (陈述、申辩).
pub const DEFENCE_DAYS: u32 = 5;

/// The notice of warning `id`: issued (drafts and withdrawn warnings have none), and seen by
/// the caller — staff, the body's own users, a client with `warnings:read`; 404 otherwise.
pub fn readable(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<NoticeData> {
    let viewer = ctx.viewer();
    let warning = match WarningRow::by_id(conn, id)? {
        Some(w) => w,
        None => return Err(Error::not_found(Noun::Warning)),
    };
    let status = WarningStatus::parse_stored(&warning.status)?;
    if !status.is_published() || !viewer.sees_warning(&warning.body_id, status) {
        return Err(Error::not_found(Noun::Warning));
    }
    data(conn, &warning)
}

/// The notices of every issued warning of an evaluation, in notice-number order, for staff
/// (the command line's bundle).
pub fn of_evaluation(conn: &mut DbConn, ctx: &Ctx, evaluation_id: &str) -> Result<Vec<NoticeData>> {
    if !ctx.viewer().is_staff() {
        return Err(Error::forbidden());
    }
    let evaluation = Evaluation::by_id(conn, evaluation_id)?
        .ok_or_else(|| Error::not_found(Noun::Evaluation))?;
    WarningRow::published_of_evaluation(conn, &evaluation.id)?
        .iter()
        .map(|w| data(conn, w))
        .collect()
}

/// What the notice says, from the stored warning, body, evaluation and scheme.
pub fn data(conn: &mut DbConn, warning: &WarningRow) -> Result<NoticeData> {
    let body = Body::by_id(conn, &warning.body_id)?
        .ok_or_else(|| Error::internal("warning names a missing body"))?;
    let evaluation = Evaluation::by_id(conn, &warning.evaluation_id)?
        .ok_or_else(|| Error::internal("warning names a missing evaluation"))?;
    let scheme = schemes::scheme_of(conn, &evaluation.scheme_id)?;
    let findings = worded(&scheme, warning)?;
    let (Some(notice_no), Some(issued_on), Some(deadline)) = (
        warning.notice_no.clone(),
        warning.issued_on,
        warning.deadline,
    ) else {
        return Err(Error::internal(
            "an issued warning lacks its notice number or dates",
        ));
    };
    let level = warning.level.clamp(1, 3) as u8;
    Ok(NoticeData {
        notice_no,
        body_name: body.name,
        approval_no: body.approval_no,
        year: evaluation.year,
        level,
        level_name: scheme.level_name(level).to_string(),
        findings,
        issued_on,
        deadline,
        defence_days: DEFENCE_DAYS,
    })
}

/// The findings of a warning in any state (a draft's too: the analyst reads them before
/// issuing it) as its notice words them, with the name of its level under the evaluation's
/// scheme. The caller has already been allowed to see the warning.
pub fn findings(conn: &mut DbConn, warning: &WarningRow) -> Result<(String, Vec<NoticeFinding>)> {
    let evaluation = Evaluation::by_id(conn, &warning.evaluation_id)?
        .ok_or_else(|| Error::internal("warning names a missing evaluation"))?;
    let scheme = schemes::scheme_of(conn, &evaluation.scheme_id)?;
    let level = warning.level.clamp(1, 3) as u8;
    Ok((
        scheme.level_name(level).to_string(),
        worded(&scheme, warning)?,
    ))
}

/// The stored findings as the notice words them.
fn worded(scheme: &pubeval_scoring::Scheme, warning: &WarningRow) -> Result<Vec<NoticeFinding>> {
    let findings: Vec<Finding> =
        serde_json::from_str(&warning.findings).map_err(Error::internal)?;
    Ok(findings
        .iter()
        .map(|f| NoticeFinding::from_finding(scheme, f))
        .collect())
}

/// The Chinese file name of a notice.
pub fn file_name(notice_no: &str, extension: &str) -> String {
    format!("风险警示通知书（{notice_no}）.{extension}")
}

/// The key a notice in a format is kept under once rendered: a notice is fixed when its
/// warning is issued, so its number, date and addressee name what it says.
pub fn key(data: &NoticeData, format: &str) -> String {
    format!(
        "notice:{}:{}:{}:{}:{format}",
        data.notice_no, data.issued_on, data.approval_no, data.body_name
    )
}

/// The notice as a printable HTML page.
pub fn html(data: &NoticeData) -> Result<Document> {
    Ok(Document {
        bytes: notice_html(data).map_err(rendering)?.into_bytes(),
        file_name: file_name(&data.notice_no, "html"),
        ascii_name: "notice.html".into(),
    })
}

/// The notice as PDF.
pub fn pdf(data: &NoticeData, typesetter: &Typesetter) -> Result<Document> {
    Ok(Document {
        bytes: notice_pdf(data, typesetter).map_err(rendering)?,
        file_name: file_name(&data.notice_no, "pdf"),
        ascii_name: "notice.pdf".into(),
    })
}
