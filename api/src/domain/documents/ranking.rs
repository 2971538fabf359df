//! The ranking of an evaluation (every body in rank order, optionally filtered) as JSON, CSV,
//! XLSX or HTML: its rows read on a connection ([`load`]), rendered without one
//! ([`RankingRows::render`]).

use pubeval_reports::{Ranking, RankingFormat, RankingRow};
use pubeval_scoring::Scheme;

use super::{Document, ranking_row, rendering, report_of};
use crate::db::DbConn;
use crate::db::models::evaluation::{ResultFilter, ResultRow};
use crate::domain::evaluations::{self, WarningLens};
use crate::domain::states::EvaluationStatus;
use crate::domain::{Ctx, Result};

/// The rows of a ranking as one reader may see them, ready to render.
pub struct RankingRows {
    scheme: Scheme,
    year: i32,
    rows: Vec<RankingRow>,
    levels_shown: bool,
    /// For a final evaluation, what the rendered bytes depend on besides the format.
    key: Option<String>,
}

/// The ranking of an evaluation for those who read its reports. Warnings are as the caller
/// may see them ([`WarningLens`]): staff every triggered level; a `warnings:read` client the
/// issued ones (0 otherwise); any other client none, not even the column. Only staff filter
/// by warning level (403 otherwise).
pub fn load(
    conn: &mut DbConn,
    ctx: &Ctx,
    evaluation_id: &str,
    filter: &ResultFilter,
) -> Result<RankingRows> {
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
    let key = (evaluations::status_of(&evaluation)? == EvaluationStatus::Final).then(|| {
        format!(
            "ranking:{}:{filter:?}:{}",
            evaluation.id,
            lens.fingerprint()
        )
    });
    Ok(RankingRows {
        scheme,
        year: evaluation.year,
        rows,
        levels_shown: lens.levels_shown(),
        key,
    })
}

impl RankingRows {
    /// The key its rendering in `format` is kept under (final evaluations only: their
    /// results never change).
    pub fn key(&self, format: RankingFormat) -> Option<String> {
        self.key
            .as_ref()
            .map(|k| format!("{k}:{}", format.as_str()))
    }

    /// The ranking in a format.
    pub fn render(&self, format: RankingFormat) -> Result<Document> {
        let year = self.year;
        let title = format!("{year} 年度认证机构宣传工作评价排名");
        let mut ranking = Ranking::new(title, &self.scheme, &self.rows);
        if !self.levels_shown {
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
}

/// The ranking of an evaluation in a format, read and rendered in one go (the command line).
pub fn export(
    conn: &mut DbConn,
    ctx: &Ctx,
    evaluation_id: &str,
    filter: &ResultFilter,
    format: RankingFormat,
) -> Result<Document> {
    load(conn, ctx, evaluation_id, filter)?.render(format)
}
