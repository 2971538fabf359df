//! Importing a year's incidents: approval number, kind, severity, occurred at, reported at
//! (empty when the body never reported it), description, and optionally evidence — each row
//! checked as an analyst's record is ([`crate::domain::incidents::analyst_row`]), and its
//! occurrence within the year on the regulator's calendar.
//!
//! One event is never recorded twice: a row naming an incident already recorded (same body,
//! kind and time of occurrence) is unchanged when it says the same, updated when only its
//! severity differs (a correction with its reason, as an analyst would make it), and an error
//! when it says another report time or description, which no correction may change.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use pubeval_reports::workbook::{Cell, Table, TableRow};
use pubeval_scoring::Scheme;
use pubeval_scoring::incident::{evaluation_year, year_bounds};
use pubeval_scoring::scheme::Labelled;

use super::columns::{self, Known};
use super::times::instant;
use super::{
    CHUNK, Errors, ImportFile, ImportSummary, Progress, file_sha256, read_table, record_import,
    require_staff,
};
use crate::db::models::body::Body;
use crate::db::models::cycle::Cycle;
use crate::db::models::incident::{IncidentCorrection, IncidentRow};
use crate::db::models::new_id;
use crate::db::{DbConn, write_transaction};
use crate::domain::incidents::{NewIncident, analyst_row, reporting_scheme};
use crate::domain::{Ctx, Result, schemes};

/// A column of an incidents import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Col {
    ApprovalNo,
    Kind,
    Severity,
    OccurredAt,
    ReportedAt,
    Description,
    Evidence,
}

fn known() -> Vec<Known<Col>> {
    let k = |key, name: &str, label: &str, aliases: &[&str], required| Known {
        key,
        name: name.to_string(),
        label: label.to_string(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        required,
    };
    vec![
        k(
            Col::ApprovalNo,
            "approval_no",
            "批准号",
            &["机构批准号"],
            true,
        ),
        k(Col::Kind, "kind", "事件类型", &["类型"], true),
        k(Col::Severity, "severity", "严重程度", &[], true),
        k(Col::OccurredAt, "occurred_at", "发生时间", &[], true),
        k(
            Col::ReportedAt,
            "reported_at",
            "报告时间",
            &["报送时间"],
            true,
        ),
        k(Col::Description, "description", "事件描述", &["描述"], true),
        k(Col::Evidence, "evidence", "证据", &["证据材料"], false),
    ]
}

/// An incident already recorded, and the severity a row corrects it to.
#[derive(Debug)]
struct Correction {
    row: IncidentRow,
    severity: String,
}

#[derive(Debug, Default)]
struct Plan {
    rows: Vec<IncidentRow>,
    corrections: Vec<Correction>,
    unchanged: usize,
    errors: Errors,
}

/// Imports (or with `dry_run` checks) a year's incidents from a file (staff only), checked
/// against the year's scheme (the active one when the year has no cycle).
pub fn import_incidents(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: i32,
    file: ImportFile<'_>,
    dry_run: bool,
    progress: &dyn Fn(Progress),
) -> Result<ImportSummary> {
    require_staff(ctx)?;
    let scheme = match Cycle::by_year(conn, year)? {
        Some(cycle) => schemes::scheme_of(conn, &cycle.scheme_id)?,
        None => reporting_scheme(conn)?,
    };
    progress(Progress::Reading);
    let table = read_table(file)?;
    let rows = table.rows.len();
    let run = |conn: &mut DbConn| -> Result<ImportSummary> {
        let plan = plan(conn, ctx, year, &scheme, &table, progress)?;
        let failed = !plan.errors.is_empty();
        let summary = ImportSummary {
            dry_run,
            rows,
            created: plan.rows.len(),
            updated: plan.corrections.len(),
            unchanged: plan.unchanged,
            errors: plan.errors.into_vec(),
        };
        if dry_run || failed {
            return Ok(summary);
        }
        let sha256 = file_sha256(file.bytes);
        let total = plan.rows.len() + plan.corrections.len();
        IncidentRow::insert_all(conn, &plan.rows, CHUNK, &mut |done| {
            progress(Progress::Writing { done, total })
        })?;
        let reason = format!("批量导入更正（文件 SHA-256 {}）", &sha256[..12]);
        for (i, c) in plan.corrections.iter().enumerate() {
            IncidentCorrection {
                id: new_id(),
                incident_id: c.row.id.clone(),
                old_kind: c.row.kind.clone(),
                new_kind: c.row.kind.clone(),
                old_severity: c.row.severity.clone(),
                new_severity: c.severity.clone(),
                reason: reason.clone(),
                actor: ctx.actor(),
                created_at: ctx.now(),
            }
            .insert(conn)?;
            IncidentRow::set_classification(conn, &c.row.id, &c.row.kind, &c.severity)?;
            progress(Progress::Writing {
                done: plan.rows.len() + i + 1,
                total,
            });
        }
        record_import(
            conn,
            ctx,
            "import.incidents",
            ("incidents", &year.to_string()),
            year,
            (&sha256, table.encoding),
            &summary,
        )?;
        Ok(summary)
    };
    if dry_run {
        run(conn)
    } else {
        write_transaction(conn, run)
    }
}

/// The code a cell names, by code or Chinese label (the cell's text as it is otherwise, for
/// the scheme's check to name).
fn code_of(list: &[Labelled], text: &str) -> String {
    let t = text.trim();
    list.iter()
        .find(|l| l.code == t || l.label == t)
        .map_or_else(|| t.to_string(), |l| l.code.clone())
}

/// An incident's identity: one event is one body's, of one kind, at one time.
type Key = (String, String, NaiveDateTime);

fn plan(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: i32,
    scheme: &Scheme,
    table: &Table,
    progress: &dyn Fn(Progress),
) -> Result<Plan> {
    let mut plan = Plan::default();
    let columns = columns::map(table, &known(), &mut plan.errors);
    if !columns.complete {
        return Ok(plan);
    }
    let col = |k: Col| columns.of(k);
    let bodies: HashMap<String, Body> = Body::all(conn)?
        .into_iter()
        .map(|b| (b.approval_no.clone(), b))
        .collect();
    let Some((start, end)) = year_bounds(year) else {
        return Ok(plan);
    };
    let stored: HashMap<Key, IncidentRow> =
        IncidentRow::occurred_within(conn, start.naive_utc(), end.naive_utc())?
            .into_iter()
            .map(|r| ((r.body_id.clone(), r.kind.clone(), r.occurred_at), r))
            .collect();
    let mut seen: HashMap<Key, u32> = HashMap::new();
    let total = table.rows.len();
    for (n, row) in table.rows.iter().enumerate() {
        if n % 1000 == 0 {
            progress(Progress::Checking { done: n, total });
        }
        let before = plan.errors.count();
        let Some(checked) = check_row(ctx, year, scheme, &bodies, row, &col, &mut plan.errors)
        else {
            continue;
        };
        if plan.errors.count() > before {
            continue;
        }
        let r = row.row;
        let key: Key = (
            checked.body_id.clone(),
            checked.kind.clone(),
            checked.occurred_at,
        );
        if let Some(first) = seen.insert(key.clone(), r) {
            plan.errors.add(
                r,
                col(Col::OccurredAt),
                Some("occurred_at"),
                &format!("与第 {first} 行是同一事件（同一机构、类型和发生时间）"),
                &format!("the same incident as row {first} (body, kind and time of occurrence)"),
            );
            continue;
        }
        match stored.get(&key) {
            None => plan.rows.push(checked),
            Some(old) => {
                let (column, field) = if old.reported_at != checked.reported_at {
                    (col(Col::ReportedAt), "reported_at")
                } else if old.description != checked.description {
                    (col(Col::Description), "description")
                } else if old.severity == checked.severity {
                    plan.unchanged += 1;
                    continue;
                } else {
                    plan.corrections.push(Correction {
                        row: old.clone(),
                        severity: checked.severity,
                    });
                    continue;
                };
                plan.errors.add(
                    r,
                    column,
                    Some(field),
                    "已登记同一事件（同一机构、类型和发生时间），但报告时间或描述不同；导入不能更改已登记事件的报告时间和描述，如确有误，请先作废原记录",
                    "this incident is recorded already with another report time or description, which an import cannot change; void the recorded one first if it is wrong",
                );
            }
        }
    }
    progress(Progress::Checking { done: total, total });
    Ok(plan)
}

/// A row as the incident it records, checked; `None` when it names no body or time to check
/// it with (the errors say why).
fn check_row(
    ctx: &Ctx,
    year: i32,
    scheme: &Scheme,
    bodies: &HashMap<String, Body>,
    row: &TableRow,
    col: &dyn Fn(Col) -> Option<usize>,
    errors: &mut Errors,
) -> Option<IncidentRow> {
    let r = row.row;
    let text = |k: Col| col(k).map(|c| row.cell(c).text()).unwrap_or_default();
    let approval = text(Col::ApprovalNo).trim().to_string();
    let body = if approval.is_empty() {
        errors.add(
            r,
            col(Col::ApprovalNo),
            Some("approval_no"),
            "批准号不能为空",
            "approval_no is empty",
        );
        None
    } else {
        let found = bodies.get(&approval);
        if found.is_none() {
            let a = pubeval_scoring::problem::shown(&approval);
            errors.add(
                r,
                col(Col::ApprovalNo),
                Some("approval_no"),
                &format!("未找到批准号为 {a} 的机构"),
                &format!("no body has the approval number {a}"),
            );
        }
        found
    };
    let time = |k: Col, name: &str, errors: &mut Errors| {
        let cell = col(k).map_or(Cell::Empty, |c| row.cell(c).clone());
        match instant(&cell) {
            Ok(t) => Some(t),
            Err(()) => {
                let shown = pubeval_scoring::problem::shown(cell.text().trim());
                errors.add(
                    r,
                    col(k),
                    Some(name),
                    &format!("“{shown}”不是有效的时间，应写作 2025-03-01 09:30（北京时间）或带时区的 RFC 3339 时间"),
                    &format!("{shown} is not a time; write 2025-03-01 09:30 (UTC+8) or RFC 3339"),
                );
                None
            }
        }
    };
    let occurred = time(Col::OccurredAt, "occurred_at", errors);
    let reported = time(Col::ReportedAt, "reported_at", errors);
    let occurred = match occurred {
        Some(Some(t)) => Some(t),
        Some(None) => {
            errors.add(
                r,
                col(Col::OccurredAt),
                Some("occurred_at"),
                "发生时间不能为空",
                "occurred_at is empty",
            );
            None
        }
        None => None,
    };
    let (body, occurred_at, reported_at) = (body?, occurred?, reported?);
    let new = NewIncident {
        body_id: body.id.clone(),
        kind: code_of(&scheme.incident_kinds, &text(Col::Kind)),
        severity: code_of(&scheme.severities, &text(Col::Severity)),
        occurred_at,
        reported_at,
        description: text(Col::Description),
        evidence: Some(text(Col::Evidence)),
    };
    let (checked, problems) = analyst_row(ctx, scheme, new, true);
    for p in problems {
        let column = match p.field.as_str() {
            "kind" => col(Col::Kind),
            "severity" => col(Col::Severity),
            "occurred_at" => col(Col::OccurredAt),
            "reported_at" => col(Col::ReportedAt),
            "description" => col(Col::Description),
            "evidence" => col(Col::Evidence),
            _ => None,
        };
        errors.add(r, column, Some(&p.field), &p.message, &p.message_en);
    }
    let in_year = evaluation_year(checked.occurred_at.and_utc());
    if in_year != year {
        errors.add(
            r,
            col(Col::OccurredAt),
            Some("occurred_at"),
            &format!("事件发生于 {in_year} 年度（北京时间），不属于 {year} 年度"),
            &format!("the incident occurred in {in_year} (UTC+8), not in {year}"),
        );
    }
    Some(checked)
}
