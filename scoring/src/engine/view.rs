//! The engine's table read back as plain columns, once, for the results, their explanations,
//! warnings and the uncertainty analysis.

use polars::prelude::*;

use super::columns as c;
use super::{Engine, ScoreTable};

/// The columns of the table, extracted once.
pub(crate) struct TableView {
    pub submitted: Vec<bool>,
    pub total: Vec<Option<f64>>,
    pub grade: Vec<Option<u8>>,
    pub rank: Vec<Option<u32>>,
    pub category_rank: Vec<Option<u32>>,
    pub vetoed: Vec<bool>,
    pub deduction_sum: Vec<f64>,
    pub values: Vec<Vec<Option<f64>>>,
    pub points: Vec<Vec<f64>>,
    pub dimensions: Vec<Vec<f64>>,
    pub deduction_counts: Vec<Vec<u32>>,
    pub deductions: Vec<Vec<f64>>,
    pub veto_counts: Vec<Vec<u32>>,
    pub warnings: Vec<Vec<bool>>,
    pub level: Vec<u8>,
}

fn floats(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(frame.column(name)?.f64()?.iter().collect())
}

/// A column without nulls (or whose nulls mean 0).
fn dense(frame: &DataFrame, name: &str) -> PolarsResult<Vec<f64>> {
    let column = frame.column(name)?.f64()?;
    Ok(match column.cont_slice() {
        Ok(slice) => slice.to_vec(),
        Err(_) => column.iter().map(|v| v.unwrap_or(0.0)).collect(),
    })
}

fn counts(frame: &DataFrame, name: &str) -> PolarsResult<Vec<u32>> {
    Ok(frame
        .column(name)?
        .u32()?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect())
}

fn flags(frame: &DataFrame, name: &str) -> PolarsResult<Vec<bool>> {
    Ok(frame
        .column(name)?
        .bool()?
        .iter()
        .map(|v| v.unwrap_or(false))
        .collect())
}

impl TableView {
    pub(crate) fn new(engine: &Engine, table: &ScoreTable) -> PolarsResult<TableView> {
        let f = &table.frame;
        let cols = engine.columns();
        Ok(TableView {
            submitted: flags(f, c::SUBMITTED)?,
            total: floats(f, c::TOTAL)?,
            grade: f.column(c::GRADE)?.u8()?.iter().collect(),
            rank: f.column(c::RANK)?.u32()?.iter().collect(),
            category_rank: f.column(c::CATEGORY_RANK)?.u32()?.iter().collect(),
            vetoed: flags(f, c::VETOED)?,
            deduction_sum: dense(f, c::DEDUCTION_SUM)?,
            values: cols
                .indicators
                .iter()
                .map(|(v, _)| floats(f, v))
                .collect::<PolarsResult<_>>()?,
            points: cols
                .indicators
                .iter()
                .map(|(_, p)| dense(f, p))
                .collect::<PolarsResult<_>>()?,
            dimensions: cols
                .dimensions
                .iter()
                .map(|d| dense(f, d))
                .collect::<PolarsResult<_>>()?,
            deduction_counts: cols
                .deductions
                .iter()
                .map(|(n, _)| counts(f, n))
                .collect::<PolarsResult<_>>()?,
            deductions: cols
                .deductions
                .iter()
                .map(|(_, x)| dense(f, x))
                .collect::<PolarsResult<_>>()?,
            veto_counts: cols
                .vetoes
                .iter()
                .map(|n| counts(f, n))
                .collect::<PolarsResult<_>>()?,
            warnings: cols
                .warnings
                .iter()
                .map(|n| flags(f, n))
                .collect::<PolarsResult<_>>()?,
            level: f
                .column(c::LEVEL)?
                .u8()?
                .iter()
                .map(|v| v.unwrap_or(0))
                .collect(),
        })
    }
}
