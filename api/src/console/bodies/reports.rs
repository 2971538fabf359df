//! A body's reports per year: the revision history (who, when, which state, the analyst's
//! comment), a field-by-field diff of two revisions, labelled with the scheme's Chinese field
//! names, and the current revision's content with each field the plausibility rules flagged
//! marked beside its value (the message, the figure compared against, the review's state).

use pubeval_scoring::Scheme;
use pubeval_scoring::scheme::{FieldDef, FieldType};
use serde_json::Value;

use super::BodyQuery;
use crate::console::cycles::{Choice, report_status_zh};
use crate::console::home::china_time;
use crate::db::DbConn;
use crate::db::models::cycle::Cycle;
use crate::db::models::flag::FlagRow;
use crate::db::models::submission::Revision;
use crate::domain::states::FlagStatus;
use crate::domain::states::{SubmissionAction, SubmissionStatus};
use crate::domain::{Ctx, Result, StateMachine, TextEnum, flags, schemes, submissions};

/// The most revisions of one year the page lists.
const MAX_REVISIONS: i64 = 500;

/// One revision in the history.
#[derive(Debug, Clone)]
pub struct RevisionLine {
    /// Its number.
    pub number: i32,
    /// Its state in Chinese.
    pub status_zh: &'static str,
    /// Who made it.
    pub actor: String,
    /// When, on the regulator's calendar.
    pub at: String,
    /// The analyst's comment ("" when none).
    pub comment: String,
}

/// One field that differs between two revisions.
#[derive(Debug, Clone)]
pub struct DiffRow {
    /// The field's Chinese label.
    pub label: String,
    /// Its value in the older revision.
    pub old: String,
    /// Its value in the newer one.
    pub new: String,
}

/// Two revisions compared.
#[derive(Debug, Clone)]
pub struct Diff {
    /// The older revision's number.
    pub from: i32,
    /// The newer one's.
    pub to: i32,
    /// The fields that differ, in the form's order.
    pub rows: Vec<DiffRow>,
    /// How many fields are the same.
    pub unchanged: usize,
}

/// One plausibility flag beside its field.
#[derive(Debug, Clone)]
pub struct FlagLine {
    /// The flag's id (its forms post to `/console/flags/{id}/…`).
    pub id: String,
    /// The rule's short name.
    pub rule: String,
    /// 提示 or 需复核.
    pub severity_zh: &'static str,
    /// The rule's message with the figures.
    pub message: String,
    /// The figure compared against, in words (上年填报 40, 同类机构中位数 35, 上限 5%, …).
    pub reference: String,
    /// Where the review stands, in Chinese.
    pub status_zh: &'static str,
    /// Open: the analyst can clear it or ask for evidence.
    pub open: bool,
    /// The clearing note ("" when none).
    pub note: String,
    /// The request for evidence ("" when none).
    pub comment: String,
    /// A refused action's message, beside its form.
    pub error: Option<String>,
    /// Which form was refused: `clear` or `evidence`.
    pub refused_form: &'static str,
    /// What was typed into the refused form.
    pub typed: String,
}

/// One field of the current revision, with the flags on it.
#[derive(Debug, Clone)]
pub struct ContentRow {
    /// The anchor of the row.
    pub anchor: String,
    /// The field's Chinese label.
    pub label: String,
    /// Its value as people read it.
    pub value: String,
    /// The flags on it (open, evidence requested or cleared).
    pub flags: Vec<FlagLine>,
}

/// A refused action on a flag, shown beside its form with what was typed.
#[derive(Debug, Clone)]
pub struct FlagRefused {
    /// The flag.
    pub flag_id: String,
    /// `clear` or `evidence`.
    pub form: &'static str,
    /// What was typed.
    pub typed: String,
    /// Why, in Chinese.
    pub message: String,
}

/// One year's report of the body.
#[derive(Debug, Clone)]
pub struct YearReport {
    /// The year.
    pub year: i32,
    /// The current state in Chinese (未报送 without any revision).
    pub status_zh: &'static str,
    /// The revisions, oldest first.
    pub revisions: Vec<RevisionLine>,
    /// Whether the current revision can be accepted or returned.
    pub reviewable: bool,
    /// The older revision to compare.
    pub from: Vec<Choice>,
    /// The newer revision to compare.
    pub to: Vec<Choice>,
    /// The comparison asked for.
    pub diff: Option<Diff>,
    /// Why the comparison asked for could not be made.
    pub diff_error: Option<String>,
    /// The review comment as typed, when a review was refused.
    pub comment: String,
    /// Why the review was refused, beside the comment.
    pub comment_error: Option<String>,
    /// The current revision's fields with their flags (empty without a revision).
    pub content: Vec<ContentRow>,
    /// Open flags on the report (需复核).
    pub open_flags: usize,
    /// Flags on the report still shown (open, evidence requested, cleared).
    pub shown_flags: usize,
}

/// Who made a revision, as people read it.
fn who(actor: &str) -> String {
    actor.strip_prefix("user:").unwrap_or(actor).to_string()
}

fn numbered(revisions: &[Revision], chosen: Option<i32>) -> Vec<Choice> {
    revisions
        .iter()
        .map(|r| Choice {
            value: r.revision.to_string(),
            label: format!("第 {} 版", r.revision),
            selected: chosen == Some(r.revision),
        })
        .collect()
}

/// The figure a flag was compared against, in words.
fn reference_text(scheme: &Scheme, flag: &FlagRow) -> String {
    use pubeval_scoring::plausibility::show_number as n;
    use pubeval_scoring::scheme::plausibility::Check;
    let Some(check) = scheme.plausibility_rule(&flag.rule).and_then(|r| r.check()) else {
        return format!("参照值 {}", n(flag.reference));
    };
    let share = |v: f64| {
        if v < 1.0 {
            format!("{}%", n(v * 100.0))
        } else {
            n(v)
        }
    };
    match check {
        Check::YoyRatio { .. } => format!("上年填报 {}", n(flag.reference)),
        Check::PeerOutlier { .. } => format!("同类机构中位数 {}", n(flag.reference)),
        Check::Ratio { upper: true, .. } => format!("比值上限 {}", share(flag.reference)),
        Check::Ratio { upper: false, .. } => format!("比值下限 {}", share(flag.reference)),
        Check::Requires { then_field, .. } => {
            let label = scheme
                .field(then_field)
                .map_or(then_field, |f| f.label.as_str());
            let value = match scheme.field(then_field).map(|f| f.field_type) {
                Some(FieldType::Bool) => {
                    if flag.reference != 0.0 {
                        "是".to_string()
                    } else {
                        "否".to_string()
                    }
                }
                _ => n(flag.reference),
            };
            format!("{label}：{value}")
        }
    }
}

fn flag_line(scheme: &Scheme, flag: &FlagRow, refused: Option<&FlagRefused>) -> FlagLine {
    let status = FlagStatus::parse(&flag.status);
    let rule = scheme.plausibility_rule(&flag.rule);
    let refused = refused.filter(|r| r.flag_id == flag.id);
    FlagLine {
        id: flag.id.clone(),
        rule: rule.map_or_else(|| flag.rule.clone(), |r| r.display_name().to_string()),
        severity_zh: pubeval_scoring::scheme::Severity::from_code(&flag.severity)
            .map_or("", |s| s.label()),
        message: flag.message.clone(),
        reference: reference_text(scheme, flag),
        status_zh: status.map_or("", |s| s.label_zh()),
        open: status == Some(FlagStatus::Open),
        note: flag.note.clone().unwrap_or_default(),
        comment: flag.comment.clone().unwrap_or_default(),
        error: refused.map(|r| r.message.clone()),
        refused_form: refused.map_or("", |r| r.form),
        typed: refused.map(|r| r.typed.clone()).unwrap_or_default(),
    }
}

/// The current revision's fields in the form's order, each with its flags (a resolved flag
/// no longer fires and is not shown).
fn content(
    scheme: &Scheme,
    year: i32,
    current: &Revision,
    flags: &[FlagRow],
    refused: Option<&FlagRefused>,
) -> Result<Vec<ContentRow>> {
    let values = payload(current)?;
    Ok(scheme
        .fields
        .iter()
        .map(|field| ContentRow {
            anchor: format!("field-{year}-{}", field.name),
            label: field.label.clone(),
            value: shown(field, values.get(&field.name)),
            flags: flags
                .iter()
                .filter(|f| f.field == field.name && f.status != FlagStatus::Resolved.as_str())
                .map(|f| flag_line(scheme, f, refused))
                .collect(),
        })
        .collect())
}

/// The body's report in each cycle, latest year first (a refused action on a flag shown
/// beside it).
pub fn reports(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    cycles: &[Cycle],
    query: &BodyQuery,
    refused: Option<&FlagRefused>,
) -> Result<Vec<YearReport>> {
    let mut years = Vec::new();
    for cycle in cycles {
        let (revisions, _) =
            submissions::revisions(conn, ctx, body_id, cycle.year, 0, MAX_REVISIONS)?;
        let current = revisions
            .last()
            .map(|r| SubmissionStatus::parse_stored(&r.status))
            .transpose()?;
        let asked = query.year() == Some(cycle.year);
        let n = revisions.len();
        let (from, to) = match (asked, query.from(), query.to()) {
            (true, Some(f), Some(t)) => (Some(f), Some(t)),
            _ if n >= 2 => (
                Some(revisions[n - 2].revision),
                Some(revisions[n - 1].revision),
            ),
            _ => (None, None),
        };
        let (mut diff, mut diff_error) = (None, None);
        let scheme = match revisions.last() {
            Some(_) => Some(schemes::scheme_of(conn, &cycle.scheme_id)?),
            None => None,
        };
        if asked && let (Some(f), Some(t), Some(scheme)) = (from, to, &scheme) {
            let old = revisions.iter().find(|r| r.revision == f.min(t));
            let new = revisions.iter().find(|r| r.revision == f.max(t));
            match (old, new) {
                (Some(old), Some(new)) => diff = Some(compare(scheme, old, new)?),
                _ => diff_error = Some("所选版本不存在，请重新选择。".to_string()),
            }
        }
        let year_flags = match revisions.last() {
            Some(_) => flags::of_report(conn, ctx, body_id, cycle.year)?,
            None => Vec::new(),
        };
        let content = match (revisions.last(), &scheme) {
            (Some(current), Some(scheme)) => {
                content(scheme, cycle.year, current, &year_flags, refused)?
            }
            _ => Vec::new(),
        };
        years.push(YearReport {
            year: cycle.year,
            status_zh: report_status_zh(current.map(|s| s.as_str())),
            reviewable: current.is_some_and(|s| s.next(SubmissionAction::Accept).is_some()),
            from: numbered(&revisions, from),
            to: numbered(&revisions, to),
            revisions: revisions
                .iter()
                .map(|r| RevisionLine {
                    number: r.revision,
                    status_zh: report_status_zh(Some(&r.status)),
                    actor: who(&r.actor),
                    at: china_time(r.created_at),
                    comment: r.comment.clone().unwrap_or_default(),
                })
                .collect(),
            diff,
            diff_error,
            comment: String::new(),
            comment_error: None,
            open_flags: year_flags
                .iter()
                .filter(|f| f.status == FlagStatus::Open.as_str())
                .count(),
            shown_flags: year_flags
                .iter()
                .filter(|f| f.status != FlagStatus::Resolved.as_str())
                .count(),
            content,
        });
    }
    Ok(years)
}

fn payload(r: &Revision) -> Result<serde_json::Map<String, Value>> {
    match serde_json::from_str::<Value>(&r.payload).map_err(crate::domain::Error::internal)? {
        Value::Object(m) => Ok(m),
        _ => Ok(serde_json::Map::new()),
    }
}

/// The fields whose values differ between `old` and `new`, in the scheme's order.
fn compare(scheme: &Scheme, old: &Revision, new: &Revision) -> Result<Diff> {
    let (before, after) = (payload(old)?, payload(new)?);
    let mut rows = Vec::new();
    let mut unchanged = 0;
    for field in &scheme.fields {
        let (a, b) = (
            shown(field, before.get(&field.name)),
            shown(field, after.get(&field.name)),
        );
        if a == b {
            unchanged += 1;
        } else {
            rows.push(DiffRow {
                label: field.label.clone(),
                old: a,
                new: b,
            });
        }
    }
    Ok(Diff {
        from: old.revision,
        to: new.revision,
        rows,
        unchanged,
    })
}

/// A field's value as people read it: 是/否, a number with its unit, a set's members by their
/// Chinese labels (in the scheme's order, so that order alone is no change).
pub fn shown(field: &FieldDef, value: Option<&Value>) -> String {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return "（未填）".to_string();
    };
    match (field.field_type, value) {
        (FieldType::Bool, Value::Bool(b)) => if *b { "是" } else { "否" }.to_string(),
        (FieldType::Integer | FieldType::Decimal, Value::Number(n)) => match &field.unit {
            Some(unit) => format!("{n} {unit}"),
            None => n.to_string(),
        },
        (FieldType::Set, Value::Array(items)) => {
            let chosen: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            let labels: Vec<&str> = field
                .members
                .iter()
                .filter(|m| chosen.contains(&m.code.as_str()))
                .map(|m| m.label.as_str())
                .chain(
                    chosen
                        .iter()
                        .copied()
                        .filter(|c| !field.members.iter().any(|m| m.code == *c)),
                )
                .collect();
            if labels.is_empty() {
                "（无）".to_string()
            } else {
                labels.join("、")
            }
        }
        (_, other) => other.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(name: &str) -> FieldDef {
        Scheme::default_scheme()
            .fields
            .into_iter()
            .find(|f| f.name == name)
            .unwrap()
    }

    #[test]
    fn values_read_in_chinese() {
        assert_eq!(shown(&field("policy_approved"), Some(&json!(true))), "是");
        assert_eq!(shown(&field("policy_approved"), None), "（未填）");
        assert_eq!(
            shown(
                &field("media_channels"),
                Some(&json!(["wechat", "website"]))
            ),
            "门户网站、微信公众号"
        );
        assert_eq!(shown(&field("press_releases"), Some(&json!(12))), "12");
    }
}
