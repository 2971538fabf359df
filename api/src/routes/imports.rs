//! Bulk import of a past year for analysts: reports and incidents from a CSV (UTF-8 with or
//! without BOM, or GB18030) or an XLSX sheet, answered with DHIS2's import summary.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{BinaryFile, FileForm, call};
use crate::domain::imports::{self, FileKind, ImportFile, ImportSummary};
use crate::domain::policy::Staff;
use crate::domain::{Detail, ErrorCode};
use crate::error::{ApiError, ErrorBody, ErrorPayload};
use crate::extract::{Accept, Auth, FileType, Upload};
use crate::state::AppState;

/// Whether to check only.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: check every row and answer what would be written, writing nothing; `false` (the
    /// default): write every row, or none when any row fails.
    pub dry_run: Option<bool>,
}

/// The answer of an import: the summary, and on a refused real run (422) the one error shape
/// beside it, its details naming each error's row and column.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReply {
    /// The import summary.
    #[serde(flatten)]
    pub summary: ImportSummary,
    /// On 422 only: the error, as every refusal has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorPayload>,
}

/// A refused import (422): the summary of a real run that had errors, with the error beside
/// it; or, when no file could be read as rows at all (a form without one, a workbook that is
/// not a table), the one error shape alone. Documentation only.
///
/// Its schema is `anyOf`, not `oneOf`: a summary carries the error beside it, so it is both
/// an [`ImportReply`] and an [`ErrorBody`] at once.
#[derive(Debug)]
pub struct ImportRefusal;

impl utoipa::PartialSchema for ImportRefusal {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::AnyOfBuilder;
        use utoipa::openapi::{Ref, RefOr};
        RefOr::T(
            AnyOfBuilder::new()
                .item(Ref::from_schema_name("ImportReply"))
                .item(Ref::from_schema_name("ErrorBody"))
                .description(Some(
                    "A refused import: a real run's summary with the error beside it (nothing written), or the error alone when nothing could be read.",
                ))
                .into(),
        )
    }
}

impl ToSchema for ImportRefusal {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        schemas.push(("ImportReply".into(), ImportReply::schema()));
        ImportReply::schemas(schemas);
    }
}

/// What is being imported.
#[derive(Debug, Clone, Copy)]
enum What {
    Reports,
    Incidents,
}

async fn import(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    req: HttpRequest,
    year: i32,
    query: ImportQuery,
    payload: web::Payload,
    what: What,
) -> Result<HttpResponse, ApiError> {
    let upload = Upload::read(&req, payload, Accept::Table).await?;
    let dry_run = query.dry_run.unwrap_or(false);
    let kind = match upload.file_type {
        FileType::Xlsx => FileKind::Xlsx,
        FileType::Csv => FileKind::Csv,
    };
    let summary = call(&state, &auth, move |conn, ctx| {
        let file = ImportFile {
            bytes: &upload.bytes,
            kind,
        };
        match what {
            What::Reports => imports::import_reports(conn, ctx, year, file, dry_run, &|_| {}),
            What::Incidents => imports::import_incidents(conn, ctx, year, file, dry_run, &|_| {}),
        }
    })
    .await?;
    if dry_run || summary.errors.is_empty() {
        return Ok(HttpResponse::Ok().json(ImportReply {
            summary,
            error: None,
        }));
    }
    let n = summary.error_count();
    let details = summary
        .errors
        .iter()
        .map(|e| Detail {
            field: e
                .field
                .clone()
                .unwrap_or_else(|| e.row.map_or_else(|| ".".into(), |r| format!("row {r}"))),
            problem: match e.row {
                Some(r) => format!("第 {r} 行：{}", e.problem),
                None => e.problem.clone(),
            },
            cell: match (&e.column, e.row) {
                (Some(c), Some(r)) => Some(format!("{c}{r}")),
                _ => None,
            },
        })
        .collect();
    let error = ErrorPayload {
        code: ErrorCode::ValidationFailed.as_str().to_string(),
        message: format!(
            "导入文件有 {n} 处问题，未写入任何数据 / {n} problem(s) found; nothing was imported"
        ),
        details,
        request_id: None,
    };
    Ok(
        HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY).json(ImportReply {
            summary,
            error: Some(error),
        }),
    )
}

/// Imports a year's reports from CSV or XLSX (analysts).
///
/// One row per body, `approval_no` then every field of
/// the scheme by its API name (Chinese labels accepted as headers); bools as 是/否, true/false
/// or 1/0; a set as its members separated by `;` or `、`. Each row must be a complete report;
/// they are saved as accepted revisions by the importing analyst, outside the window (it is
/// history), with one audit entry carrying the file's SHA-256 and the counts.
#[utoipa::path(post, path = "/api/v1/cycles/{year}/import", operation_id = "imports_reports", tag = "imports",
    params(("year" = i32, Path, description = "Evaluation year"), ImportQuery),
    request_body(description = "CSV (UTF-8 with or without BOM, or GB18030) or an XLSX workbook (its first sheet), or a form with the file as its file part; at most 20 MB",
        content(
            (BinaryFile = "text/csv"),
            (BinaryFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (FileForm = "multipart/form-data"),
        )),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A dry run's summary (errors or not), or every row written: {dry_run, rows, created, updated, unchanged, errors: [{row, column, field, problem}]}", body = ImportReply),
        (status = 400, description = "Not CSV in UTF-8 or GB18030, not a workbook, or a bad dry_run", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 409, description = "No cycle for the year", body = ErrorBody),
        (status = 413, description = "Larger than 20 MB, or a workbook expanding past 200 MB", body = ErrorBody),
        (status = 415, description = "Neither CSV, an XLSX workbook nor a multipart form", body = ErrorBody),
        (status = 422, description = "A real run with any error: nothing written; the same summary, with `error` in the one error shape beside it (or that error alone when no row could be read)", body = ImportRefusal),
    ))]
#[post("/api/v1/cycles/{year}/import")]
pub async fn reports(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    req: HttpRequest,
    year: web::Path<i32>,
    query: crate::extract::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    import(
        state,
        auth,
        req,
        year.into_inner(),
        query.into_inner(),
        payload,
        What::Reports,
    )
    .await
}

/// Imports a year's incidents from CSV or XLSX (analysts).
///
/// Columns: approval_no, kind, severity, occurred_at,
/// reported_at (empty when never reported), description, and optionally evidence; kinds and
/// severities by code or Chinese label; times in RFC 3339 or as `2025-03-01 09:30` (China
/// Standard Time). Each row is checked as an analyst's record is; an incident already recorded
/// is left unchanged, or its severity corrected.
#[utoipa::path(post, path = "/api/v1/cycles/{year}/import/incidents", operation_id = "imports_incidents", tag = "imports",
    params(("year" = i32, Path, description = "Evaluation year"), ImportQuery),
    request_body(description = "CSV (UTF-8 with or without BOM, or GB18030) or an XLSX workbook (its first sheet), or a form with the file as its file part; at most 20 MB",
        content(
            (BinaryFile = "text/csv"),
            (BinaryFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (FileForm = "multipart/form-data"),
        )),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A dry run's summary (errors or not), or every row written", body = ImportReply),
        (status = 400, description = "Not CSV in UTF-8 or GB18030, not a workbook, or a bad dry_run", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 409, description = "No cycle for the year and no active scheme", body = ErrorBody),
        (status = 413, description = "Larger than 20 MB, or a workbook expanding past 200 MB", body = ErrorBody),
        (status = 415, description = "Neither CSV, an XLSX workbook nor a multipart form", body = ErrorBody),
        (status = 422, description = "A real run with any error: nothing written; the same summary, with `error` beside it (or that error alone when no row could be read)", body = ImportRefusal),
    ))]
#[post("/api/v1/cycles/{year}/import/incidents")]
pub async fn incidents(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    req: HttpRequest,
    year: web::Path<i32>,
    query: crate::extract::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    import(
        state,
        auth,
        req,
        year.into_inner(),
        query.into_inner(),
        payload,
        What::Incidents,
    )
    .await
}
