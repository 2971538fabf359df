//! The documents of the process, rendered by `pubeval-reports` from what the database holds:
//! the ranking, the charts, a warning's notice (风险警示通知书), a body's result letter
//! (评价结果告知书) and the annual report. Each kind loads its material here under the access
//! rules of the data it shows, and renders it to bytes with a file name; the API, the command
//! line and the console only deliver them.

pub mod annual;
pub mod bundle;
pub mod charts;
pub mod file_name;
pub mod impact;
pub mod letter;
pub mod notice;
pub mod ranking;

use pubeval_reports::RankingRow;
use pubeval_scoring::{BodyResult, Category, Scheme};

use crate::db::DbConn;
use crate::db::models::evaluation::{Evaluation, ResultFilter, ResultRow};
use crate::domain::{Ctx, Error, Noun, Result, evaluations, schemes};

/// A rendered document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The content.
    pub bytes: Vec<u8>,
    /// Its Chinese file name, e.g. `2025年度宣传工作评价排名.xlsx`.
    pub file_name: String,
    /// An ASCII file name for clients that cannot read the Chinese one, e.g. `ranking-2025.xlsx`.
    pub ascii_name: String,
}

/// A failure of a renderer: a fault of the platform, not of the request.
fn rendering(e: impl std::fmt::Display) -> Error {
    Error::internal(e)
}

/// The evaluation whose rankings, charts and annual report the caller reads, with its scheme:
/// staff any; a `results:read` client a final one (404 before); body users and other clients
/// are refused (403); a running or failed evaluation has none (409).
pub(crate) fn report_of(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<(Evaluation, Scheme)> {
    let evaluation =
        Evaluation::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Evaluation))?;
    ctx.viewer().reports(evaluations::status_of(&evaluation)?)?;
    evaluations::with_results(&evaluation)?;
    let scheme = schemes::scheme_of(conn, &evaluation.scheme_id)?;
    Ok((evaluation, scheme))
}

/// The ranking row of a stored result.
pub(crate) fn ranking_row(r: &ResultRow) -> RankingRow {
    RankingRow {
        body_id: r.body_id.clone(),
        approval_no: r.approval_no.clone(),
        name: r.name.clone(),
        category: Category::from_code(&r.category).unwrap_or(Category::ManagementSystem),
        province: r.province.clone(),
        total: r.total,
        grade: r.grade.clone(),
        rank: r.rank.map(|x| x as u32),
        category_rank: r.category_rank.map(|x| x as u32),
        warning_level: r.warning_level.clamp(0, u8::MAX as i32) as u8,
        submitted: r.submitted != 0,
        borderline: r.borderline != 0,
    }
}

/// Every stored result row of an evaluation, in ranking order.
pub(crate) fn result_rows(conn: &mut DbConn, evaluation_id: &str) -> Result<Vec<ResultRow>> {
    let (rows, _) = ResultRow::page(conn, evaluation_id, &ResultFilter::default(), 0, i64::MAX)?;
    Ok(rows)
}

/// Every result of an evaluation, in ranking order.
pub(crate) fn results_of(conn: &mut DbConn, evaluation_id: &str) -> Result<Vec<BodyResult>> {
    parsed(&result_rows(conn, evaluation_id)?)
}

/// The results stored in the rows.
fn parsed(rows: &[ResultRow]) -> Result<Vec<BodyResult>> {
    rows.iter()
        .map(|r| serde_json::from_str(&r.result).map_err(Error::internal))
        .collect()
}
