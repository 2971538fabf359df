//! Importing a year's reports: one row per body, `approval_no` (or 批准号) then every field of
//! the year's scheme by its API name or Chinese label. Each row is a complete report, checked
//! by the scheme's payload validation as a submission is; it is saved as an accepted revision
//! by the importing analyst, outside the window (it is history). A row equal to the body's
//! accepted report is left unchanged.

use std::collections::{HashMap, HashSet};

use pubeval_reports::workbook::Table;
use pubeval_scoring::{Completeness, Scheme, validate_payload};
use serde_json::{Map, Value};

use super::columns::{self, Known};
use super::{
    CHUNK, Errors, ImportFile, ImportSummary, Progress, file_sha256, read_table, record_import,
    require_staff,
};
use crate::db::models::body::Body;
use crate::db::models::new_id;
use crate::db::models::submission::Revision;
use crate::db::{DbConn, write_transaction};
use crate::domain::sheets::{cell_problem, value};
use crate::domain::states::SubmissionStatus;
use crate::domain::{Ctx, Result, TextEnum, submissions};

/// The comment an imported revision carries.
pub const IMPORT_COMMENT: &str = "批量导入";

/// A column of a reports import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Col {
    /// The body's approval number.
    ApprovalNo,
    /// The scheme's field at this index.
    Field(usize),
}

fn known(scheme: &Scheme) -> Vec<Known<Col>> {
    let mut known = vec![Known {
        key: Col::ApprovalNo,
        name: "approval_no".into(),
        label: "批准号".into(),
        aliases: vec!["机构批准号".into()],
        required: true,
    }];
    known.extend(scheme.fields.iter().enumerate().map(|(i, f)| Known {
        key: Col::Field(i),
        name: f.name.clone(),
        label: f.label.clone(),
        aliases: Vec::new(),
        required: true,
    }));
    known
}

/// What an import would write, and what it found wrong.
#[derive(Debug, Default)]
struct Plan {
    revisions: Vec<Revision>,
    created: usize,
    updated: usize,
    unchanged: usize,
    errors: Errors,
}

/// Imports (or with `dry_run` checks) a year's reports from a file (staff only; 409 when the
/// year has no cycle). The summary lists every error; a real run writes only when there is
/// none, all rows in one transaction with one audit entry.
pub fn import_reports(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: i32,
    file: ImportFile<'_>,
    dry_run: bool,
    progress: &dyn Fn(Progress),
) -> Result<ImportSummary> {
    require_staff(ctx)?;
    let (cycle, scheme) = submissions::cycle_and_scheme(conn, year)?;
    progress(Progress::Reading);
    let table = read_table(file)?;
    let rows = table.rows.len();
    let run = |conn: &mut DbConn| -> Result<ImportSummary> {
        let plan = plan(conn, ctx, year, &scheme, &table, progress)?;
        let failed = !plan.errors.is_empty();
        let summary = ImportSummary {
            dry_run,
            rows,
            created: plan.created,
            updated: plan.updated,
            unchanged: plan.unchanged,
            errors: plan.errors.into_vec(),
        };
        if dry_run || failed {
            return Ok(summary);
        }
        let total = plan.revisions.len();
        Revision::insert_all(conn, &plan.revisions, CHUNK, &mut |done| {
            progress(Progress::Writing { done, total })
        })?;
        record_import(
            conn,
            ctx,
            "import.reports",
            ("cycle", &cycle.id),
            year,
            (&file_sha256(file.bytes), table.encoding),
            &summary,
        )?;
        Ok(summary)
    };
    if dry_run {
        run(conn)
    } else {
        // Planned inside the transaction, so that no save slips in between reading the
        // current reports and writing the next revisions.
        write_transaction(conn, run)
    }
}

fn plan(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: i32,
    scheme: &Scheme,
    table: &Table,
    progress: &dyn Fn(Progress),
) -> Result<Plan> {
    let mut plan = Plan::default();
    let columns = columns::map(table, &known(scheme), &mut plan.errors);
    let Some(approval_column) = columns.of(Col::ApprovalNo).filter(|_| columns.complete) else {
        // Without every column no row can be a complete report: the header's errors say why.
        return Ok(plan);
    };
    let field_columns: Vec<(usize, usize)> = columns
        .iter()
        .filter_map(|(c, k)| match k {
            Col::Field(i) => Some((c, i)),
            Col::ApprovalNo => None,
        })
        .collect();
    let column_of: HashMap<&str, usize> = field_columns
        .iter()
        .map(|(c, i)| (scheme.fields[*i].name.as_str(), *c))
        .collect();
    let bodies: HashMap<String, Body> = Body::all(conn)?
        .into_iter()
        .map(|b| (b.approval_no.clone(), b))
        .collect();
    let current: HashMap<String, Revision> = Revision::currents_of_year(conn, year)?
        .into_iter()
        .map(|r| (r.body_id.clone(), r))
        .collect();
    let accepted = SubmissionStatus::Accepted.as_str();
    let now = ctx.now();
    let actor = ctx.actor();
    let mut seen: HashMap<String, u32> = HashMap::new();
    let total = table.rows.len();
    for (n, row) in table.rows.iter().enumerate() {
        if n % 1000 == 0 {
            progress(Progress::Checking { done: n, total });
        }
        let errors = &mut plan.errors;
        let r = row.row;
        let approval = row.cell(approval_column).text().trim().to_string();
        let field = Some("approval_no");
        let body = if approval.is_empty() {
            errors.add(
                r,
                Some(approval_column),
                field,
                "批准号不能为空",
                "approval_no is empty",
            );
            None
        } else if let Some(first) = seen.insert(approval.clone(), r) {
            let a = pubeval_scoring::problem::shown(&approval);
            errors.add(
                r,
                Some(approval_column),
                field,
                &format!("批准号 {a} 已在第 {first} 行出现，同一机构只能有一行"),
                &format!("approval_no {a} repeats row {first}; one row per body"),
            );
            None
        } else {
            match bodies.get(&approval) {
                None => {
                    let a = pubeval_scoring::problem::shown(&approval);
                    errors.add(
                        r,
                        Some(approval_column),
                        field,
                        &format!("未找到批准号为 {a} 的机构"),
                        &format!("no body has the approval number {a}"),
                    );
                    None
                }
                Some(b) if !b.expected_in(year) => {
                    errors.add(
                        r,
                        Some(approval_column),
                        field,
                        &format!(
                            "机构 {} 不在 {year} 年度评价范围内（批准日期或撤销日期）",
                            b.approval_no
                        ),
                        &format!(
                            "body {} is not expected in {year} (approved later or revoked before)",
                            b.approval_no
                        ),
                    );
                    None
                }
                Some(b) => Some(b),
            }
        };
        let mut payload = Map::new();
        let mut bad_cells: HashSet<&str> = HashSet::new();
        for (c, i) in &field_columns {
            let f = &scheme.fields[*i];
            let cell = row.cell(*c);
            if let Some((zh, en)) = cell_problem(cell) {
                errors.add(r, Some(*c), Some(&f.name), &zh, &en);
                bad_cells.insert(f.name.as_str());
                continue;
            }
            if let Some(v) = value(f, cell) {
                payload.insert(f.name.clone(), v);
            }
        }
        let payload = Value::Object(payload);
        let validated = match validate_payload(scheme, &payload, Completeness::Submitted) {
            Ok(p) => Some(p),
            Err(problems) => {
                for p in problems {
                    let path = p
                        .field
                        .strip_prefix("payload.")
                        .unwrap_or(&p.field)
                        .to_string();
                    let name = path.split('[').next().unwrap_or(&path);
                    // A cell already refused is missing from the payload, not missing twice.
                    if p.code == "required" && bad_cells.contains(name) {
                        continue;
                    }
                    let column = column_of.get(name).copied();
                    errors.add(r, column, Some(&path), &p.message, &p.message_en);
                }
                None
            }
        };
        let (Some(body), Some(_)) = (body, validated) else {
            continue;
        };
        if !bad_cells.is_empty() {
            continue;
        }
        let text = payload.to_string();
        let next = match current.get(&body.id) {
            Some(cur) => {
                if cur.status == accepted && same_report(scheme, &cur.payload, &text) {
                    plan.unchanged += 1;
                    continue;
                }
                plan.updated += 1;
                cur.revision + 1
            }
            None => {
                plan.created += 1;
                1
            }
        };
        plan.revisions.push(Revision {
            id: new_id(),
            body_id: body.id.clone(),
            year,
            revision: next,
            status: accepted.to_string(),
            payload: text,
            comment: Some(IMPORT_COMMENT.to_string()),
            actor: actor.clone(),
            created_at: now,
        });
    }
    progress(Progress::Checking { done: total, total });
    Ok(plan)
}

/// Whether a stored report says what a row says. Both are read from their JSON text, as the
/// evaluation reads a stored report: serde_json reads a decimal to within one unit in the last
/// place, so the row's values (parsed from its cells) are compared as they would read back.
fn same_report(scheme: &Scheme, stored: &str, text: &str) -> bool {
    if stored == text {
        return true;
    }
    let read = |t: &str| {
        serde_json::from_str::<Value>(t)
            .ok()
            .and_then(|v| validate_payload(scheme, &v, Completeness::Submitted).ok())
    };
    match (read(stored), read(text)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}
