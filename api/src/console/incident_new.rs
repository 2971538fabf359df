//! `/console/incidents/new` — 要情报告: a body reports a major event of its own (its kind and
//! severity from the scheme, when it occurred in China time, what happened, the evidence). The
//! server's clock stamps the report, so the 48-hour limit of article 20 is never the body's
//! word; the page shows the clock ("距事发已 N 小时") of what it reported.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use pubeval_scoring::scheme::Reporting;
use serde::Deserialize;

use super::home::china_time;
use super::page::{ConsoleError, Nav, chinese_part, html_response, see_other};
use super::session::Session;
use crate::db::DbConn;
use crate::domain::clock::REGULATOR_TIMEZONE;
use crate::domain::incidents::{self, Incident, IncidentSearch, SelfReport};
use crate::domain::{Ctx, Detail, Error, ErrorCode, Noun, Result};
use crate::state::AppState;

/// One choice of a select.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The code sent.
    pub code: String,
    /// Its Chinese name.
    pub label: String,
    /// Chosen.
    pub selected: bool,
}

/// A reported incident, with its clock.
#[derive(Debug, Clone)]
pub struct Reported {
    /// Its kind in Chinese.
    pub kind: String,
    /// Occurred at (China time).
    pub occurred_at: String,
    /// Reported at, by the server's clock (China time).
    pub reported_at: String,
    /// 距事发已 N 小时 (at the report).
    pub clock: String,
    /// Within the limit, or late, in Chinese.
    pub verdict: String,
    /// Whether it was late.
    pub late: bool,
}

/// What was typed, kept when the report is refused.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportForm {
    /// The session's CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// A scheme incident kind.
    #[serde(default)]
    pub kind: String,
    /// A scheme severity.
    #[serde(default)]
    pub severity: String,
    /// `YYYY-MM-DDTHH:MM`, China time (a `datetime-local` input).
    #[serde(default)]
    pub occurred_at: String,
    /// What happened.
    #[serde(default)]
    pub description: String,
    /// Evidence.
    #[serde(default)]
    pub evidence: String,
}

#[derive(Template)]
#[template(path = "console/incident_new.html")]
struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    limit_hours: u32,
    now: String,
    max_at: String,
    kinds: Vec<Choice>,
    severities: Vec<Choice>,
    form: ReportForm,
    errors: Vec<(String, String)>,
    general_error: Option<String>,
    just_reported: Option<Reported>,
    recent: Vec<Reported>,
}

impl NewPage {
    /// The problems of one input.
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// `?done=` names the incident just reported.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn own_body(ctx: &Ctx) -> Result<String> {
    ctx.viewer()
        .own_body()
        .map(str::to_string)
        .ok_or_else(|| Error::not_found(Noun::Route))
}

/// `距事发已 N 小时` between two instants (whole hours, rounded down).
fn hours_between(from: NaiveDateTime, to: NaiveDateTime) -> i64 {
    (to - from).num_hours().max(0)
}

fn reported(i: &Incident, label: &str, limit: u32) -> Reported {
    let at = i.row.reported_at.unwrap_or(i.row.created_at);
    let late = i.reporting == Reporting::Late;
    Reported {
        kind: label.to_string(),
        occurred_at: china_time(i.row.occurred_at),
        reported_at: china_time(at),
        clock: format!("距事发已 {} 小时", hours_between(i.row.occurred_at, at)),
        verdict: if late {
            format!("已超过 {limit} 小时报告时限（迟报）")
        } else {
            format!("在 {limit} 小时报告时限内")
        },
        late,
    }
}

fn load(
    conn: &mut DbConn,
    ctx: &Ctx,
    nav: Nav,
    form: ReportForm,
    errors: Vec<(String, String)>,
    general_error: Option<String>,
    done: Option<String>,
) -> Result<NewPage> {
    let body = own_body(ctx)?;
    let scheme = incidents::reporting_scheme(conn)?;
    let label_of = |code: &str| {
        scheme
            .incident_kinds
            .iter()
            .find(|k| k.code == code)
            .map_or(code.to_string(), |k| k.label.clone())
    };
    let limit = scheme.report_limit_hours;
    let just_reported = match done {
        Some(id) => {
            let i = incidents::get(conn, ctx, &id)?;
            Some(reported(&i, &label_of(&i.row.kind), limit))
        }
        None => None,
    };
    let (recent, _) = incidents::page_of_body(conn, ctx, &body, IncidentSearch::default(), 0, 10)?;
    let recent = recent
        .iter()
        .map(|i| reported(i, &label_of(&i.row.kind), limit))
        .collect();
    let kind = if form.kind.is_empty() {
        scheme
            .incident_kinds
            .first()
            .map(|k| k.code.clone())
            .unwrap_or_default()
    } else {
        form.kind.clone()
    };
    let severity = if form.severity.is_empty() {
        scheme
            .severities
            .first()
            .map(|k| k.code.clone())
            .unwrap_or_default()
    } else {
        form.severity.clone()
    };
    let choices = |items: &[pubeval_scoring::scheme::Labelled], chosen: &str| {
        items
            .iter()
            .map(|k| Choice {
                code: k.code.clone(),
                label: k.label.clone(),
                selected: k.code == chosen,
            })
            .collect()
    };
    Ok(NewPage {
        csrf: nav.csrf.clone(),
        nav: Some(nav),
        limit_hours: limit,
        now: china_time(ctx.now()),
        max_at: ctx
            .now()
            .and_utc()
            .with_timezone(&REGULATOR_TIMEZONE)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        kinds: choices(&scheme.incident_kinds, &kind),
        severities: choices(&scheme.severities, &severity),
        form,
        errors,
        general_error,
        just_reported,
        recent,
    })
}

/// `GET /console/incidents/new`.
pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    done: web::Query<Done>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let nav = Nav::of(&session);
    let done = done.into_inner().done.filter(|d| !d.is_empty());
    let page = state
        .run(&session.principal, move |conn, ctx| {
            load(
                conn,
                ctx,
                nav,
                ReportForm::default(),
                Vec::new(),
                None,
                done,
            )
        })
        .await?;
    Ok(html_response(StatusCode::OK, page.render()?))
}

/// The `datetime-local` value as an instant in China time.
fn occurred_at(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    REGULATOR_TIMEZONE.from_local_datetime(&naive).single()
}

/// The problems by input (the domain names `description`, `kind`, … and `occurred_at`).
fn field_errors(details: &[Detail]) -> Vec<(String, String)> {
    details
        .iter()
        .map(|d| {
            let field = d.field.split(['.', '[']).next().unwrap_or(&d.field);
            (field.to_string(), chinese_part(&d.problem).to_string())
        })
        .collect()
}

/// `POST /console/incidents/new`: reports the incident, stamped with the server's clock.
pub async fn post(
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<ReportForm>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let form = form.into_inner();
    let nav = Nav::of(&session);
    let answer = state
        .run(&session.principal, move |conn, ctx| {
            let body = own_body(ctx)?;
            let Some(at) = occurred_at(&form.occurred_at) else {
                let errors = vec![(
                    "occurred_at".to_string(),
                    "请按“年-月-日 时:分”填写事发时间（北京时间）".to_string(),
                )];
                return Ok(Err(load(conn, ctx, nav, form, errors, None, None)?));
            };
            let report = SelfReport {
                kind: form.kind.clone(),
                severity: form.severity.clone(),
                occurred_at: at,
                description: form.description.clone(),
                evidence: Some(form.evidence.clone()).filter(|e| !e.trim().is_empty()),
            };
            match incidents::self_report(conn, ctx, &body, report) {
                Ok(i) => Ok(Ok(i.row.id)),
                Err(e) if e.code == ErrorCode::ValidationFailed => {
                    let errors = field_errors(&e.details);
                    Ok(Err(load(conn, ctx, nav, form, errors, None, None)?))
                }
                Err(e) if e.code == ErrorCode::NoActiveScheme => Err(e),
                Err(e) if e.code.status() == 409 => {
                    let message = chinese_part(&e.message).to_string();
                    Ok(Err(load(
                        conn,
                        ctx,
                        nav,
                        form,
                        Vec::new(),
                        Some(message),
                        None,
                    )?))
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    match answer {
        Ok(id) => Ok(see_other(&format!("/console/incidents/new?done={id}"))),
        Err(page) => Ok(html_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            page.render()?,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_occurrence_is_read_in_china_time() {
        let at = occurred_at("2026-03-01T09:30").map(|t| t.to_rfc3339());
        assert_eq!(at.as_deref(), Some("2026-03-01T09:30:00+08:00"));
        assert!(occurred_at("2026-03-01T09:30:15").is_some());
        assert!(occurred_at("").is_none());
        assert!(occurred_at("昨天").is_none());
    }

    #[test]
    fn the_clock_counts_whole_hours() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap_or_default();
        assert_eq!(
            hours_between(t("2026-03-01 09:30"), t("2026-03-03 10:29")),
            48
        );
        assert_eq!(
            hours_between(t("2026-03-01 09:30"), t("2026-03-01 09:00")),
            0
        );
    }
}
