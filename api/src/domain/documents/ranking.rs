//! The ranking of an evaluation (every body in rank order, optionally filtered) as JSON, CSV,
//! XLSX or HTML.

use pubeval_reports::{Ranking, RankingFormat, RankingRow};

use super::{Document, ranking_row, rendering, report_of};
use crate::db::DbConn;
use crate::db::models::evaluation::{ResultFilter, ResultRow};
use crate::domain::{Ctx, Result};

/// The ranking of an evaluation in a format, for those who read its reports.
pub fn export(
    conn: &mut DbConn,
    ctx: &Ctx,
    evaluation_id: &str,
    filter: &ResultFilter,
    format: RankingFormat,
) -> Result<Document> {
    let (evaluation, scheme) = report_of(conn, ctx, evaluation_id)?;
    let (rows, _) = ResultRow::page(conn, &evaluation.id, filter, 0, i64::MAX)?;
    let rows: Vec<RankingRow> = rows.iter().map(ranking_row).collect();
    let year = evaluation.year;
    let title = format!("{year} 年度认证机构宣传工作评价排名");
    let bytes = Ranking::new(title, &scheme, &rows)
        .render(format)
        .map_err(rendering)?;
    let extension = format.as_str();
    Ok(Document {
        bytes,
        file_name: format!("{year}年度宣传工作评价排名.{extension}"),
        ascii_name: format!("ranking-{year}.{extension}"),
    })
}
