//! `/console/incidents` (analysts): every incident (要情), filtered by body, kind, year, source
//! and whether voided ones are shown, a page at a time; recording one (`record`), and one
//! incident's page with its corrections, where it is corrected or voided with a reason
//! (`detail`). The body's own report, `/console/incidents/new`, is elsewhere.

mod detail;
mod record;

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use pubeval_scoring::Scheme;
use pubeval_scoring::scheme::{Labelled, Reporting};
use serde::Deserialize;

pub use self::detail::{correct, page, void};
pub use self::record::{form, submit};
use super::home::china_time;
use super::page::{ConsoleError, Nav, html};
use super::session::Session;
use super::warnings_staff::kit::{Choice, PER_PAGE, Pager, given, number, page_of, require};
use crate::db::DbConn;
use crate::db::models::body::Body;
use crate::domain::bodies::{self, BodySearch};
use crate::domain::clock::REGULATOR_TIMEZONE;
use crate::domain::incidents::{self, Incident, IncidentSearch};
use crate::domain::policy::Staff;
use crate::domain::{Ctx, Error, Result, schemes};
use crate::state::AppState;
use crate::states::{IncidentSource, SchemeStatus, TextEnum};

/// The filters and page of the list, as the query string names them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IncidentQuery {
    /// A body's approval number (or id).
    pub body: Option<String>,
    /// An incident kind's code.
    pub kind: Option<String>,
    /// The evaluation year the incidents occurred in.
    pub year: Option<String>,
    /// An [`IncidentSource`] code.
    pub source: Option<String>,
    /// `true`: voided incidents too.
    pub voided: Option<String>,
    /// The page, from 1.
    pub page: Option<String>,
}

/// The options of a select: "全部" (when `any` is given) and then each labelled code.
fn options(any: Option<&str>, list: &[(String, String)], current: &str) -> Vec<Choice> {
    let mut out: Vec<Choice> = any
        .map(|a| Choice::new("", a, current))
        .into_iter()
        .collect();
    out.extend(
        list.iter()
            .map(|(code, label)| Choice::new(code.clone(), label.clone(), current)),
    );
    out
}

/// The codes and labels of a scheme's list.
fn pairs(list: &[Labelled]) -> Vec<(String, String)> {
    list.iter()
        .map(|l| (l.code.clone(), l.label.clone()))
        .collect()
}

/// The label of a code in a scheme's list (the code itself when the scheme does not know it).
fn label(list: &[Labelled], code: &str) -> String {
    list.iter()
        .find(|l| l.code == code)
        .map_or_else(|| code.to_string(), |l| l.label.clone())
}

/// The active scheme, whose kinds and severities incidents use (the default one when none is
/// active yet).
fn vocabulary(conn: &mut DbConn, ctx: &Ctx) -> Result<Scheme> {
    let active = schemes::list(conn, ctx)?
        .into_iter()
        .find(|row| SchemeStatus::parse(&row.status) == Some(SchemeStatus::Active));
    match active {
        Some(row) => row.parsed().map_err(Error::internal),
        None => Ok(Scheme::default_scheme()),
    }
}

/// The body an analyst names by its approval number or id, if there is one.
pub(super) fn find_body(conn: &mut DbConn, ctx: &Ctx, named: &str) -> Result<Option<Body>> {
    if named.trim().is_empty() {
        return Ok(None);
    }
    let search = BodySearch {
        text: Some(named.to_string()),
        ..BodySearch::default()
    };
    let (found, _) = bodies::page(conn, ctx, search, 0, 20)?;
    if let Some(b) = found.into_iter().find(|b| b.approval_no == named) {
        return Ok(Some(b));
    }
    match bodies::get(conn, ctx, named) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.code == crate::domain::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// How the body reported it, in Chinese.
fn reporting_zh(r: Reporting) -> &'static str {
    match r {
        Reporting::OnTime => "按时报告",
        Reporting::Late => "迟报",
        Reporting::Never => "未报告",
    }
}

/// A time typed into a `datetime-local` input, on the regulator's calendar (UTC+8).
fn local_time(field: &str, value: &Option<String>) -> Result<Option<DateTime<FixedOffset>>> {
    let Some(text) = given(value) else {
        return Ok(None);
    };
    let naive = NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            Error::invalid_field(
                field,
                "时间格式应为 年-月-日 时:分（北京时间）",
                "a time is YYYY-MM-DDTHH:MM (UTC+8)",
            )
        })?;
    REGULATOR_TIMEZONE
        .from_local_datetime(&naive)
        .single()
        .map(Some)
        .ok_or_else(|| Error::invalid_field(field, "时间无效", "invalid time"))
}

/// One incident in the list.
#[derive(Debug, Clone)]
pub struct Line {
    /// Its page.
    pub href: String,
    /// When it occurred, on the regulator's calendar.
    pub occurred: String,
    /// The body's name.
    pub body: String,
    /// The body's approval number.
    pub approval_no: String,
    /// Its kind in Chinese.
    pub kind: String,
    /// Its severity in Chinese.
    pub severity: String,
    /// Who recorded it, in Chinese.
    pub source: &'static str,
    /// How the body reported it.
    pub reporting: &'static str,
    /// Voided.
    pub voided: bool,
}

#[derive(Template)]
#[template(path = "console/incident_list.html")]
struct ListPage {
    nav: Option<Nav>,
    lines: Vec<Line>,
    body: String,
    kinds: Vec<Choice>,
    sources: Vec<Choice>,
    year: String,
    voided: bool,
    note: String,
    pager: Pager,
}

/// `GET /console/incidents`.
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<IncidentQuery>,
) -> Result<HttpResponse, ConsoleError> {
    require::<Staff>(&session)?;
    let q = query.into_inner();
    let year = number("year", &q.year)?;
    let source = given(&q.source)
        .map(|s| {
            IncidentSource::parse(&s)
                .ok_or_else(|| Error::invalid_field("source", "未知的来源", "unknown source"))
        })
        .transpose()?;
    let voided = matches!(given(&q.voided).as_deref(), Some("true" | "on"));
    let (page, offset) = page_of(&q.page)?;
    let body = given(&q.body);
    let kind = given(&q.kind);
    let search = IncidentSearch {
        kind: kind.clone(),
        year,
        source,
        include_voided: voided,
    };
    let named = body.clone();
    let (scheme, found, lines, total) = state
        .run(&session.principal, move |conn, ctx| {
            let scheme = vocabulary(conn, ctx)?;
            let found = match &named {
                Some(n) => Some(find_body(conn, ctx, n)?),
                None => None,
            };
            if let Some(None) = found {
                return Ok((scheme, false, Vec::new(), 0));
            }
            let body_id = found.flatten().map(|b| b.id);
            let (items, total) = incidents::page(conn, body_id, search, offset, PER_PAGE)?;
            let lines = lines_of(conn, ctx, &scheme, &items)?;
            Ok((scheme, true, lines, total))
        })
        .await?;
    let sources: Vec<(String, String)> = <IncidentSource as TextEnum>::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label_zh().to_string()))
        .collect();
    let current = |v: &Option<String>| given(v).unwrap_or_default();
    let params = [
        ("body", current(&q.body)),
        ("kind", current(&q.kind)),
        ("year", current(&q.year)),
        ("source", current(&q.source)),
        ("voided", if voided { "true".into() } else { String::new() }),
    ];
    html(&ListPage {
        nav: Some(Nav::of(&session)),
        lines,
        note: if found {
            String::new()
        } else {
            format!("未找到批准号为“{}”的机构。", current(&q.body))
        },
        body: current(&q.body),
        kinds: options(
            Some("全部"),
            &pairs(&scheme.incident_kinds),
            &current(&q.kind),
        ),
        sources: options(Some("全部"), &sources, &current(&q.source)),
        year: current(&q.year),
        voided,
        pager: Pager::new("/console/incidents", &params, page, total),
    })
}

/// The list's lines, with each body's name.
fn lines_of(
    conn: &mut DbConn,
    ctx: &Ctx,
    scheme: &Scheme,
    items: &[Incident],
) -> Result<Vec<Line>> {
    let mut names: std::collections::HashMap<String, (String, String)> = Default::default();
    let mut lines = Vec::with_capacity(items.len());
    for i in items {
        let row = &i.row;
        if !names.contains_key(&row.body_id) {
            let b = bodies::get(conn, ctx, &row.body_id)?;
            names.insert(row.body_id.clone(), (b.name, b.approval_no));
        }
        let (name, approval_no) = names.get(&row.body_id).cloned().unwrap_or_default();
        lines.push(Line {
            href: format!("/console/incidents/{}", row.id),
            occurred: china_time(row.occurred_at),
            body: name,
            approval_no,
            kind: label(&scheme.incident_kinds, &row.kind),
            severity: label(&scheme.severities, &row.severity),
            source: i.source.label_zh(),
            reporting: reporting_zh(i.reporting),
            voided: row.voided_at.is_some(),
        });
    }
    Ok(lines)
}
