//! The result letter (评价结果告知书) of a body, for an evaluation in public notice or final,
//! as HTML and PDF; one letter or every letter of an evaluation.
//!
//! A letter compares its body with the whole cohort (category averages, how many rank), so
//! those figures are computed once per evaluation and kept ([`cohort_figures`]): results never
//! change once written, and one letter then reads one result, not every result. A letter
//! names the body's risk warning only once it is issued: it is the document the body receives,
//! and a warning still in draft, or withdrawn, is not the body's to read (DESIGN.md §4).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use pubeval_reports::Typesetter;
use pubeval_reports::documents::{CohortFigures, LetterData, LetterStage, letter_html, letter_pdf};
use pubeval_scoring::{BodyResult, Scheme};

use super::{Document, parsed, rendering, results_of};
use crate::db::DbConn;
use crate::db::models::evaluation::{Evaluation, ResultFilter, ResultRow};
use crate::db::models::warning::WarningRow;
use crate::domain::states::EvaluationStatus;
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, evaluations, schemes};

/// The letters of some results of an evaluation (every result, or one body's) with what they
/// share.
pub struct LetterBatch {
    /// The evaluation.
    pub evaluation_id: String,
    /// The scheme.
    pub scheme: Scheme,
    /// The results whose letters the batch holds, in ranking order.
    pub cohort: Vec<BodyResult>,
    /// The whole evaluation's figures every letter compares with.
    pub figures: Arc<CohortFigures>,
    /// The bodies whose warning from this evaluation is issued (or later): only their letters
    /// name it.
    pub issued: HashSet<String>,
    /// The evaluation year.
    pub year: i32,
    /// Public notice or final.
    pub stage: LetterStage,
    /// The letters' date.
    pub dated: chrono::NaiveDate,
}

/// Cohort figures lately figured, by evaluation id. Bounded; dropped whole when full.
static FIGURES: LazyLock<Mutex<HashMap<String, Arc<CohortFigures>>>> =
    LazyLock::new(Mutex::default);

/// How many evaluations' figures are kept.
const FIGURES_KEPT: usize = 64;

/// The cohort figures of an evaluation: kept from an earlier letter, or figured from `all`
/// when given, or else from every result read now.
pub(crate) fn cohort_figures(
    conn: &mut DbConn,
    evaluation_id: &str,
    scheme: &Scheme,
    all: Option<&[BodyResult]>,
) -> Result<Arc<CohortFigures>> {
    let kept = FIGURES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(evaluation_id)
        .cloned();
    if let Some(figures) = kept {
        return Ok(figures);
    }
    let figures = Arc::new(match all {
        Some(all) => CohortFigures::of(scheme, all),
        None => CohortFigures::of(scheme, &results_of(conn, evaluation_id)?),
    });
    let mut kept = FIGURES.lock().unwrap_or_else(PoisonError::into_inner);
    if kept.len() >= FIGURES_KEPT {
        kept.clear();
    }
    kept.insert(evaluation_id.to_string(), figures.clone());
    Ok(figures)
}

/// The stage a letter of this evaluation speaks from (409 `not_published` before public
/// notice).
fn stage_of(ctx: &Ctx, evaluation: &Evaluation) -> Result<LetterStage> {
    match evaluations::status_of(evaluation)? {
        EvaluationStatus::Final => Ok(LetterStage::Final),
        EvaluationStatus::PublicNotice => {
            let deadline = evaluation.objection_deadline.unwrap_or_else(|| ctx.now());
            // The deadline is exclusive: the last day to object is the one before it ends.
            let last = (deadline - chrono::Duration::seconds(1))
                .and_utc()
                .with_timezone(&pubeval_scoring::incident::REGULATOR_TIMEZONE);
            Ok(LetterStage::PublicNotice {
                objection_deadline: last.date_naive(),
            })
        }
        _ => Err(Error::conflict(
            ErrorCode::NotPublished,
            "评价结果尚未公示，无告知书",
            "the evaluation is not in public notice or final",
        )),
    }
}

/// The bodies whose warning from the evaluation is issued (or later).
fn issued_of(conn: &mut DbConn, evaluation_id: &str) -> Result<HashSet<String>> {
    Ok(WarningRow::published_of_evaluation(conn, evaluation_id)?
        .into_iter()
        .map(|w| w.body_id)
        .collect())
}

impl LetterBatch {
    /// Every letter of an evaluation in public notice or final (409 `not_published`
    /// otherwise), dated today.
    pub fn load(conn: &mut DbConn, ctx: &Ctx, evaluation: &Evaluation) -> Result<LetterBatch> {
        let stage = stage_of(ctx, evaluation)?;
        let scheme = schemes::scheme_of(conn, &evaluation.scheme_id)?;
        let cohort = results_of(conn, &evaluation.id)?;
        let figures = cohort_figures(conn, &evaluation.id, &scheme, Some(&cohort))?;
        Ok(LetterBatch {
            evaluation_id: evaluation.id.clone(),
            issued: issued_of(conn, &evaluation.id)?,
            scheme,
            cohort,
            figures,
            year: evaluation.year,
            stage,
            dated: ctx.today(),
        })
    }

    /// One body's letter of an evaluation in public notice or final: its result alone, with
    /// the figures of the whole evaluation (404 when the body has no result there).
    fn load_one(
        conn: &mut DbConn,
        ctx: &Ctx,
        evaluation: &Evaluation,
        body_id: &str,
    ) -> Result<LetterBatch> {
        let stage = stage_of(ctx, evaluation)?;
        let filter = ResultFilter {
            body_id: Some(body_id.to_string()),
            ..ResultFilter::default()
        };
        let (rows, _) = ResultRow::page(conn, &evaluation.id, &filter, 0, 1)?;
        if rows.is_empty() {
            return Err(Error::not_found(Noun::Result));
        }
        let scheme = schemes::scheme_of(conn, &evaluation.scheme_id)?;
        let figures = cohort_figures(conn, &evaluation.id, &scheme, None)?;
        Ok(LetterBatch {
            evaluation_id: evaluation.id.clone(),
            issued: issued_of(conn, &evaluation.id)?,
            cohort: parsed(&rows)?,
            scheme,
            figures,
            year: evaluation.year,
            stage,
            dated: ctx.today(),
        })
    }

    /// The position of a body's result.
    pub fn position(&self, body_id: &str) -> Option<usize> {
        self.cohort.iter().position(|r| r.body_id == body_id)
    }

    /// The result at `index` as its letter tells it: without a warning not yet issued.
    pub fn shown(&self, index: usize) -> std::borrow::Cow<'_, BodyResult> {
        let result = &self.cohort[index];
        if result.warning.is_some() && !self.issued.contains(&result.body_id) {
            let mut unissued = result.clone();
            unissued.warning = None;
            std::borrow::Cow::Owned(unissued)
        } else {
            std::borrow::Cow::Borrowed(result)
        }
    }

    /// The letter of a result as shown ([`LetterBatch::shown`]).
    pub fn letter<'a>(&'a self, result: &'a BodyResult) -> LetterData<'a> {
        LetterData {
            scheme: &self.scheme,
            result,
            cohort: &self.figures,
            year: self.year,
            stage: self.stage,
            dated: self.dated,
        }
    }

    /// The radar of the letter at `index` — the body's share of each dimension against its
    /// category's average, our own SVG — or `None` when the body had no report to draw.
    pub fn radar(&self, index: usize) -> Result<Option<String>> {
        let Some(own) = self.cohort.get(index) else {
            return Err(Error::not_found(Noun::Result));
        };
        let average = self.figures.category(own.category);
        match pubeval_reports::charts::body_radar_against(&self.scheme, own, average) {
            Ok(svg) => Ok(Some(svg)),
            Err(pubeval_reports::ReportError::NoData { .. }) => Ok(None),
            Err(other) => Err(rendering(other)),
        }
    }

    /// The average points of each dimension (scheme order) among the bodies with a report in
    /// the category of the result at `index`; `None` where the category has none.
    pub fn category_averages(&self, index: usize) -> Vec<Option<f64>> {
        match self.cohort.get(index) {
            Some(own) => self.figures.category_averages(&self.scheme, own.category),
            None => vec![None; self.scheme.dimensions.len()],
        }
    }

    /// The Chinese file name of the letter at `index`.
    pub fn file_name(&self, index: usize, extension: &str) -> String {
        format!(
            "{}年度宣传工作评价结果告知书（{}）.{extension}",
            self.year, self.cohort[index].name
        )
    }

    /// The letter at `index` as a printable HTML page.
    pub fn html(&self, index: usize) -> Result<Document> {
        let shown = self.shown(index);
        Ok(Document {
            bytes: letter_html(&self.letter(&shown))
                .map_err(rendering)?
                .into_bytes(),
            file_name: self.file_name(index, "html"),
            ascii_name: "letter.html".into(),
        })
    }

    /// The letter at `index` as PDF.
    pub fn pdf(&self, index: usize, typesetter: &Typesetter) -> Result<Document> {
        let shown = self.shown(index);
        Ok(Document {
            bytes: letter_pdf(&self.letter(&shown), typesetter).map_err(rendering)?,
            file_name: self.file_name(index, "pdf"),
            ascii_name: "letter.pdf".into(),
        })
    }

    /// The key the letter at `index` in a format is kept under once rendered: for a final
    /// evaluation only (its results never change), with what else the letter depends on — its
    /// date and whether it names a warning.
    pub fn key(&self, index: usize, format: &str) -> Option<String> {
        if self.stage != LetterStage::Final {
            return None;
        }
        let result = self.cohort.get(index)?;
        let warned = result.warning.is_some() && self.issued.contains(&result.body_id);
        Some(format!(
            "letter:{}:{}:{format}:{}:{warned}",
            self.evaluation_id, result.body_id, self.dated
        ))
    }
}

/// The evaluation with this id, as the caller may see it (404 otherwise).
fn visible(conn: &mut DbConn, ctx: &Ctx, evaluation_id: &str) -> Result<Evaluation> {
    let evaluation = Evaluation::by_id(conn, evaluation_id)?
        .ok_or_else(|| Error::not_found(Noun::Evaluation))?;
    if !ctx
        .viewer()
        .sees_evaluation(evaluations::status_of(&evaluation)?)
    {
        return Err(Error::not_found(Noun::Evaluation));
    }
    Ok(evaluation)
}

/// Every letter of an evaluation, as the caller may see the evaluation (404 otherwise).
pub fn batch(conn: &mut DbConn, ctx: &Ctx, evaluation_id: &str) -> Result<LetterBatch> {
    let evaluation = visible(conn, ctx, evaluation_id)?;
    LetterBatch::load(conn, ctx, &evaluation)
}

/// One body's letter: a batch holding that letter alone, and its index (0). Staff read any;
/// the body's own users theirs once the evaluation is in public notice or final; clients none
/// (403).
pub fn readable(
    conn: &mut DbConn,
    ctx: &Ctx,
    evaluation_id: &str,
    body_id: &str,
) -> Result<(LetterBatch, usize)> {
    ctx.viewer().letter(body_id)?;
    let evaluation = visible(conn, ctx, evaluation_id)?;
    let batch = LetterBatch::load_one(conn, ctx, &evaluation, body_id)?;
    Ok((batch, 0))
}
