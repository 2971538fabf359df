//! The impact analysis of a scheme as a workbook and as a brief (方案调整影响分析), for staff:
//! the same analysis as `POST /api/v1/schemes/{id}/impact`, recomputed (the inputs are proven
//! by the final evaluation's digest, so it is the same), rendered, and stored nowhere.

use pubeval_reports::Typesetter;
use pubeval_reports::impact::{ImpactData, impact_pdf, impact_xlsx};

use super::{Document, rendering};
use crate::db::DbConn;
use crate::domain::schemes::impact::{Analysed, ImpactRequest, analyse_stored};
use crate::domain::{Ctx, Result};

/// An analysis ready to render away from the database.
pub struct ImpactDocuments {
    analysed: Analysed,
    dated: chrono::NaiveDate,
}

/// Analyses the stored scheme on a year for staff, dated today.
pub fn load(
    conn: &mut DbConn,
    ctx: &Ctx,
    scheme_id: &str,
    request: &ImpactRequest,
) -> Result<ImpactDocuments> {
    Ok(ImpactDocuments {
        analysed: analyse_stored(conn, ctx, scheme_id, request)?,
        dated: ctx.today(),
    })
}

impl ImpactDocuments {
    fn data(&self) -> ImpactData<'_> {
        let a = &self.analysed;
        ImpactData {
            year: a.report.year,
            scheme: &a.scheme,
            baseline: &a.baseline,
            impact: &a.report.impact,
            evaluation_id: &a.report.evaluation_id,
            input_digest: &a.report.input_digest,
            dated: self.dated,
        }
    }

    fn file_name(&self, extension: &str) -> String {
        let s = &self.analysed.scheme;
        format!(
            "{}（第{}版）调整影响分析（{}年度数据）.{extension}",
            s.name, s.version, self.analysed.report.year
        )
    }

    fn ascii_name(&self, extension: &str) -> String {
        format!("scheme-impact-{}.{extension}", self.analysed.report.year)
    }

    /// The workbook: a summary sheet, every body, the transitions, the indicators.
    pub fn xlsx(&self) -> Result<Document> {
        Ok(Document {
            bytes: impact_xlsx(&self.data()).map_err(rendering)?,
            file_name: self.file_name("xlsx"),
            ascii_name: self.ascii_name("xlsx"),
        })
    }

    /// The brief as PDF.
    pub fn pdf(&self, typesetter: &Typesetter) -> Result<Document> {
        Ok(Document {
            bytes: impact_pdf(&self.data(), typesetter).map_err(rendering)?,
            file_name: self.file_name("pdf"),
            ascii_name: self.ascii_name("pdf"),
        })
    }
}
