//! A body's reports per year: the revision history (who, when, which state, the analyst's
//! comment) and a field-by-field diff of two revisions, labelled with the scheme's Chinese
//! field names.

use pubeval_scoring::Scheme;
use pubeval_scoring::scheme::{FieldDef, FieldType};
use serde_json::Value;

use super::BodyQuery;
use crate::console::cycles::{Choice, report_status_zh};
use crate::console::home::china_time;
use crate::db::DbConn;
use crate::db::models::cycle::Cycle;
use crate::db::models::submission::Revision;
use crate::domain::states::{SubmissionAction, SubmissionStatus};
use crate::domain::{Ctx, Result, StateMachine, TextEnum, schemes, submissions};

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

/// The body's report in each cycle, latest year first.
pub fn reports(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    cycles: &[Cycle],
    query: &BodyQuery,
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
        if asked && let (Some(f), Some(t)) = (from, to) {
            let old = revisions.iter().find(|r| r.revision == f.min(t));
            let new = revisions.iter().find(|r| r.revision == f.max(t));
            match (old, new) {
                (Some(old), Some(new)) => {
                    let scheme = schemes::scheme_of(conn, &cycle.scheme_id)?;
                    diff = Some(compare(&scheme, old, new)?);
                }
                _ => diff_error = Some("所选版本不存在，请重新选择。".to_string()),
            }
        }
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
