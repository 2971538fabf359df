//! The result letter (评价结果告知书) of a body, for an evaluation in public notice or final,
//! as HTML and PDF; one letter or every letter of an evaluation.

use pubeval_reports::Typesetter;
use pubeval_reports::documents::{LetterData, LetterStage, letter_html, letter_pdf};
use pubeval_scoring::{BodyResult, Scheme};

use super::{Document, rendering, results_of};
use crate::db::DbConn;
use crate::db::models::evaluation::Evaluation;
use crate::domain::states::EvaluationStatus;
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, evaluations, schemes};

/// Every result of an evaluation with what its letters share: the material of one letter or
/// of all of them.
pub struct LetterBatch {
    /// The scheme.
    pub scheme: Scheme,
    /// Every result, in ranking order.
    pub cohort: Vec<BodyResult>,
    /// The evaluation year.
    pub year: i32,
    /// Public notice or final.
    pub stage: LetterStage,
    /// The letters' date.
    pub dated: chrono::NaiveDate,
}

impl LetterBatch {
    /// The letters of an evaluation in public notice or final (409 `not_published` otherwise),
    /// dated today.
    pub fn load(conn: &mut DbConn, ctx: &Ctx, evaluation: &Evaluation) -> Result<LetterBatch> {
        let stage = match evaluations::status_of(evaluation)? {
            EvaluationStatus::Final => LetterStage::Final,
            EvaluationStatus::PublicNotice => {
                let deadline = evaluation.objection_deadline.unwrap_or_else(|| ctx.now());
                // The deadline is exclusive: the last day to object is the one before it ends.
                let last = (deadline - chrono::Duration::seconds(1))
                    .and_utc()
                    .with_timezone(&pubeval_scoring::incident::REGULATOR_TIMEZONE);
                LetterStage::PublicNotice {
                    objection_deadline: last.date_naive(),
                }
            }
            _ => {
                return Err(Error::conflict(
                    ErrorCode::NotPublished,
                    "评价结果尚未公示，无告知书",
                    "the evaluation is not in public notice or final",
                ));
            }
        };
        Ok(LetterBatch {
            scheme: schemes::scheme_of(conn, &evaluation.scheme_id)?,
            cohort: results_of(conn, &evaluation.id)?,
            year: evaluation.year,
            stage,
            dated: ctx.today(),
        })
    }

    /// The position of a body's result.
    pub fn position(&self, body_id: &str) -> Option<usize> {
        self.cohort.iter().position(|r| r.body_id == body_id)
    }

    /// The letter of the result at `index` (one of `cohort`'s).
    pub fn letter(&self, index: usize) -> LetterData<'_> {
        let result = &self.cohort[index];
        LetterData {
            scheme: &self.scheme,
            result,
            cohort: &self.cohort,
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
        match pubeval_reports::charts::body_radar(&self.scheme, own, &self.cohort) {
            Ok(svg) => Ok(Some(svg)),
            Err(pubeval_reports::ReportError::NoData { .. }) => Ok(None),
            Err(other) => Err(rendering(other)),
        }
    }

    /// The average points of each dimension (scheme order) among the bodies with a report in
    /// the category of the result at `index`; `None` where the category has none.
    pub fn category_averages(&self, index: usize) -> Vec<Option<f64>> {
        let dimensions = &self.scheme.dimensions;
        let Some(own) = self.cohort.get(index) else {
            return vec![None; dimensions.len()];
        };
        pubeval_reports::charts::dimension_shares(&self.scheme, &self.cohort)
            .into_iter()
            .find(|s| s.category == own.category)
            .map(|s| {
                s.shares
                    .iter()
                    .zip(dimensions)
                    .map(|(share, d)| Some(share / 100.0 * d.max))
                    .collect()
            })
            .unwrap_or_else(|| vec![None; dimensions.len()])
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
        Ok(Document {
            bytes: letter_html(&self.letter(index))
                .map_err(rendering)?
                .into_bytes(),
            file_name: self.file_name(index, "html"),
            ascii_name: "letter.html".into(),
        })
    }

    /// The letter at `index` as PDF.
    pub fn pdf(&self, index: usize, typesetter: &Typesetter) -> Result<Document> {
        Ok(Document {
            bytes: letter_pdf(&self.letter(index), typesetter).map_err(rendering)?,
            file_name: self.file_name(index, "pdf"),
            ascii_name: "letter.pdf".into(),
        })
    }
}

/// Every letter of an evaluation, as the caller may see the evaluation (404 otherwise).
pub fn batch(conn: &mut DbConn, ctx: &Ctx, evaluation_id: &str) -> Result<LetterBatch> {
    let evaluation = Evaluation::by_id(conn, evaluation_id)?
        .ok_or_else(|| Error::not_found(Noun::Evaluation))?;
    if !ctx
        .viewer()
        .sees_evaluation(evaluations::status_of(&evaluation)?)
    {
        return Err(Error::not_found(Noun::Evaluation));
    }
    LetterBatch::load(conn, ctx, &evaluation)
}

/// One body's letter: the batch and the letter's index in it. Staff read any; the body's own
/// users theirs once the evaluation is in public notice or final; clients none (403).
pub fn readable(
    conn: &mut DbConn,
    ctx: &Ctx,
    evaluation_id: &str,
    body_id: &str,
) -> Result<(LetterBatch, usize)> {
    ctx.viewer().letter(body_id)?;
    let batch = batch(conn, ctx, evaluation_id)?;
    let index = batch
        .position(body_id)
        .ok_or_else(|| Error::not_found(Noun::Result))?;
    Ok((batch, index))
}
