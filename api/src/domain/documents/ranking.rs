//! The ranking of an evaluation (every body in rank order, optionally filtered) as JSON, CSV,
//! XLSX or HTML.

use pubeval_reports::{Ranking, RankingFormat, RankingRow};

use super::{Document, ranking_row, rendering, report_of};
use crate::db::DbConn;
use crate::db::models::evaluation::{ResultFilter, ResultRow};
use crate::domain::evaluations::WarningLens;
use crate::domain::{Ctx, Result};

/// The ranking of an evaluation in a format, for those who read its reports. Warnings are as
/// the caller may see them ([`WarningLens`]): staff every triggered level; a `warnings:read`
/// client the issued ones (0 otherwise); any other client none, not even the column. Only
/// staff filter by warning level (403 otherwise).
pub fn export(
    conn: &mut DbConn,
    ctx: &Ctx,
    evaluation_id: &str,
    filter: &ResultFilter,
    format: RankingFormat,
) -> Result<Document> {
    let (evaluation, scheme) = report_of(conn, ctx, evaluation_id)?;
    let viewer = ctx.viewer();
    if filter.warning_level.is_some() {
        viewer.filters_by_warning_level()?;
    }
    let (rows, _) = ResultRow::page(conn, &evaluation.id, filter, 0, i64::MAX)?;
    let lens = WarningLens::of(conn, &viewer, &evaluation.id)?;
    let rows: Vec<RankingRow> = rows
        .iter()
        .map(|r| RankingRow {
            warning_level: lens.level(r).unwrap_or(0).clamp(0, i32::from(u8::MAX)) as u8,
            ..ranking_row(r)
        })
        .collect();
    let year = evaluation.year;
    let title = format!("{year} 年度认证机构宣传工作评价排名");
    let mut ranking = Ranking::new(title, &scheme, &rows);
    if !lens.levels_shown() {
        ranking = ranking.without_warnings();
    }
    let bytes = ranking.render(format).map_err(rendering)?;
    let extension = format.as_str();
    Ok(Document {
        bytes,
        file_name: format!("{year}年度宣传工作评价排名.{extension}"),
        ascii_name: format!("ranking-{year}.{extension}"),
    })
}
