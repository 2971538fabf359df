//! The annual report by Excel workbook: the year's template, generated from the cycle's scheme
//! (pre-filled with a body user's current report), and a filled-in template saved as a draft.
//!
//! An upload is read cell by cell into the payload a JSON client would have sent
//! ([`super::sheets`]) and saved by [`submissions::save`] — the same validation, the same
//! `If-Match` rules, the same revision. Every problem names its cell (`年度宣传工作报告!E8`)
//! beside its field. A workbook that is not this year's template is refused whole.

use std::collections::HashMap;

use pubeval_reports::workbook::layout::{Line, field_cells};
use pubeval_reports::workbook::{ReadError, TemplateInput, lines, read_report};
use pubeval_scoring::problem::Problems;
use pubeval_scoring::scheme::FieldType;
use pubeval_scoring::{Completeness, Problem, Scheme, validate_payload};
use serde_json::{Map, Value};

use super::documents::Document;
use super::sheets::{cell_problem, value, yes_no};
use super::submissions::{self, Precondition, Saved};
use crate::db::DbConn;
use crate::db::models::cycle::Cycle;
use crate::db::models::submission::Revision;
use crate::domain::{Ctx, Detail, Error, ErrorCode, Noun, Result, schemes};

/// The year's report template (staff and body users; a body user's is pre-filled with its
/// current report): 404 when the year has no cycle.
pub fn template(conn: &mut DbConn, ctx: &Ctx, year: i32) -> Result<Document> {
    let viewer = ctx.viewer();
    if !viewer.is_staff() && viewer.own_body().is_none() {
        return Err(Error::forbidden());
    }
    let cycle = Cycle::by_year(conn, year)?.ok_or_else(|| Error::not_found(Noun::Cycle))?;
    let scheme = schemes::scheme_of(conn, &cycle.scheme_id)?;
    let current: Option<Map<String, Value>> = match viewer.own_body() {
        Some(body) => Revision::current(conn, body, year)?
            .map(|r| serde_json::from_str(&r.payload).map_err(Error::internal))
            .transpose()?,
        None => None,
    };
    let bytes = pubeval_reports::workbook::template(TemplateInput {
        scheme: &scheme,
        year,
        values: current.as_ref(),
    })
    .map_err(Error::internal)?;
    Ok(Document {
        bytes,
        file_name: format!("{year}年度宣传工作报告.xlsx"),
        ascii_name: format!("report-template-{year}.xlsx"),
    })
}

/// Saves a filled-in template of `year` as a new draft revision of the body's report, exactly
/// as `PUT …/submissions/{year}` would save the payload it holds. 400 when it is no workbook,
/// 413 when it expands past the limit, 422 when it is not this year's template or any cell is
/// wrong (every problem with its cell), and otherwise what a save answers.
pub fn upload(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
    precondition: Precondition,
    bytes: &[u8],
) -> Result<Saved> {
    submissions::require_body(conn, ctx, body_id)?;
    let (_, scheme) = submissions::cycle_and_scheme(conn, year)?;
    let payload = read(&scheme, year, bytes)?;
    submissions::save(conn, ctx, body_id, year, precondition, &payload)
}

/// The payload a workbook holds, validated as a draft; every problem names its cell.
pub fn read(scheme: &Scheme, year: i32, bytes: &[u8]) -> Result<Value> {
    let cells = read_report(bytes, scheme, year).map_err(refused)?;
    let lines = lines(scheme);
    let mut problems = Problems::new();
    let mut cell_of: HashMap<String, String> = HashMap::new();
    let mut payload = Map::new();
    for (field_index, field) in scheme.fields.iter().enumerate() {
        let path = format!("{}.{}", pubeval_scoring::payload::PAYLOAD_PATH, field.name);
        let of_field: Vec<(&Line<'_>, &pubeval_reports::workbook::Cell)> = lines
            .iter()
            .zip(&cells.values)
            .filter(|(l, _)| l.field_index == field_index)
            .collect();
        if let Some(range) = field_cells(&lines, field_index) {
            cell_of.insert(path.clone(), range);
        }
        if field.field_type != FieldType::Set {
            let Some((line, cell)) = of_field.first() else {
                continue;
            };
            if let Some((zh, en)) = cell_problem(cell) {
                problems.push(Problem::new(path.clone(), "cell", zh, en));
                cell_of.insert(path, line.cell());
                continue;
            }
            if let Some(v) = value(field, cell) {
                payload.insert(field.name.clone(), v);
            }
            continue;
        }
        // A set: one 是/否 row per member; all blank leaves the field out, a blank row among
        // answered ones counts as 否 (as the 说明 sheet says).
        if of_field.iter().all(|(_, c)| c.is_blank()) {
            continue;
        }
        let mut items = Vec::new();
        for (line, cell) in &of_field {
            let Some((_, member)) = line.member else {
                continue;
            };
            let at = format!("{path}:{}", member.code);
            if let Some((zh, en)) = cell_problem(cell) {
                cell_of.insert(at.clone(), line.cell());
                problems.push(Problem::new(at, "cell", zh, en));
                continue;
            }
            match yes_no(cell) {
                Some(true) => {
                    cell_of.insert(format!("{path}[{}]", items.len()), line.cell());
                    items.push(Value::String(member.code.clone()));
                }
                Some(false) => {}
                None if cell.is_blank() => {}
                None => {
                    cell_of.insert(at.clone(), line.cell());
                    let text = pubeval_scoring::problem::shown(cell.text().trim());
                    problems.push(Problem::new(
                        at,
                        "yes_or_no",
                        format!(
                            "“{}：{}”应填“是”或“否”，实为“{text}”",
                            field.label, member.label
                        ),
                        format!("{}:{} must be 是 or 否, is {text}", field.name, member.code),
                    ));
                }
            }
        }
        payload.insert(field.name.clone(), Value::Array(items));
    }
    let payload = Value::Object(payload);
    if let Err(found) = validate_payload(scheme, &payload, Completeness::Draft) {
        problems.extend(found);
    }
    if problems.is_empty() {
        return Ok(payload);
    }
    let mut error = Error::validation(&problems.into_vec(pubeval_scoring::payload::PAYLOAD_PATH));
    for detail in &mut error.details {
        detail.cell = cell_of.get(&detail.field).cloned();
    }
    Err(error)
}

/// A workbook refused whole: unreadable (400), too large once expanded (413), or not this
/// year's template (422, naming the cell that gave it away).
fn refused(e: ReadError) -> Error {
    match e {
        ReadError::Unreadable(message) => Error::with_message(ErrorCode::BadRequest, message),
        ReadError::TooLarge(message) => Error::with_message(ErrorCode::PayloadTooLarge, message),
        ReadError::Foreign { zh, en, cell } => {
            let problem = format!("{zh} / {en}");
            Error::new(
                ErrorCode::ValidationFailed,
                format!("工作簿不是本年度的报告模板，未读取任何内容：{zh}"),
                format!("the workbook is not this year's report template; nothing was read: {en}"),
            )
            .with_details(vec![Detail {
                field: "workbook".into(),
                problem,
                cell,
            }])
        }
    }
}
