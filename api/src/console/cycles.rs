//! `/console/cycles/{year}`: every body the year expects with its report's status, filtered by
//! status (未报送 included), category and province, searched by name or approval number, 50 to
//! a page, exported as XLSX; and the year's evaluation, started here and watched until it is a
//! draft.

mod export;
mod run;

use actix_web::{HttpResponse, web};
use askama::Template;
use pubeval_scoring::Category;
use serde::Deserialize;

pub use self::export::export;
pub use self::run::{evaluate, progress};
use super::home::china_time;
use super::page::{ConsoleError, Nav, html};
use super::session::Session;
use crate::db::DbConn;
use crate::db::models::submission::StatusLine;
use crate::domain::submissions::{self, ListFilter, ListQuery};
use crate::domain::{Ctx, Error, Noun, Result, cycles, evaluations, flags};
use crate::state::AppState;
use crate::states::{EvaluationStatus, FlagStatus, SubmissionStatus, TextEnum};

/// Lines on one page of the list.
const PER_PAGE: i64 = 50;

/// The `flags` value that keeps bodies whose report needs review (需复核): open flags.
fn flags_open() -> &'static str {
    FlagStatus::Open.as_str()
}

/// The list's filters as the address carries them (every one optional; blank is none).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CycleQuery {
    /// `draft`, `submitted`, `returned`, `accepted` or `not_submitted`.
    #[serde(default)]
    pub status: Option<String>,
    /// A category code.
    #[serde(default)]
    pub category: Option<String>,
    /// A province.
    #[serde(default)]
    pub province: Option<String>,
    /// Text in the name or approval number.
    #[serde(default)]
    pub q: Option<String>,
    /// `open`: only bodies whose report has open plausibility flags (需复核).
    #[serde(default)]
    pub flags: Option<String>,
    /// The page, from 1.
    #[serde(default)]
    pub page: Option<String>,
}

fn blank_to_none(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

impl CycleQuery {
    /// The same filters without blanks and without the page.
    fn tidy(&self) -> CycleQuery {
        CycleQuery {
            status: blank_to_none(&self.status),
            category: blank_to_none(&self.category),
            province: blank_to_none(&self.province),
            q: blank_to_none(&self.q),
            flags: blank_to_none(&self.flags),
            page: None,
        }
    }

    fn page_number(&self) -> i64 {
        self.page
            .as_deref()
            .and_then(|p| p.trim().parse::<i64>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    /// The report filter and the bodies' filters.
    fn filters(&self) -> Result<(ListFilter, ListQuery)> {
        let tidy = self.tidy();
        let flagged = match tidy.flags.as_deref() {
            None => false,
            Some(w) if w == flags_open() => true,
            Some(_) => {
                return Err(Error::invalid_field(
                    "flags",
                    "合理性核查筛选须为 open（需复核）或留空",
                    "flags must be open or empty",
                ));
            }
        };
        Ok((
            ListFilter::parse(tidy.status.as_deref())?,
            ListQuery {
                category: tidy.category,
                province: tidy.province,
                text: tidy.q,
                flagged,
            },
        ))
    }

    /// The filters as a query string (without `?`), with `page` when given.
    fn to_query(&self, page: Option<i64>) -> String {
        let tidy = self.tidy();
        let mut parts = Vec::new();
        for (key, value) in [
            ("status", &tidy.status),
            ("category", &tidy.category),
            ("province", &tidy.province),
            ("q", &tidy.q),
            ("flags", &tidy.flags),
        ] {
            if let Some(v) = value {
                parts.push(format!("{key}={}", encode(v)));
            }
        }
        if let Some(p) = page {
            parts.push(format!("page={p}"));
        }
        parts.join("&")
    }
}

/// Percent-encodes a query value (everything but the unreserved characters).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One option of a filter's `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The value sent.
    pub value: String,
    /// What people read.
    pub label: String,
    /// Whether it is the one chosen.
    pub selected: bool,
}

/// One body's line.
#[derive(Debug, Clone)]
pub struct Line {
    /// The body's page.
    pub href: String,
    /// Approval number.
    pub approval_no: String,
    /// Name.
    pub name: String,
    /// Category in Chinese.
    pub category_zh: String,
    /// Province.
    pub province: String,
    /// The report's status in Chinese (未报送 when nothing was saved).
    pub status_zh: &'static str,
    /// The current revision's number ("" when none).
    pub revision: String,
    /// When it was made, on the regulator's calendar ("" when none).
    pub updated: String,
    /// Open plausibility flags on the report (需复核).
    pub open_flags: i64,
    /// Where the report's review is, on the body's page.
    pub report_href: String,
}

/// The Chinese name of a category code (the code itself when unknown).
pub fn category_zh(code: &str) -> String {
    Category::from_code(code).map_or_else(|| code.to_string(), |c| c.label().to_string())
}

/// The Chinese name of a report's stored status (未报送 when there is none).
pub fn report_status_zh(status: Option<&str>) -> &'static str {
    match status {
        None => "未报送",
        Some(s) => SubmissionStatus::parse(s).map_or("未知", |s| s.label_zh()),
    }
}

impl Line {
    fn of(year: i32, line: StatusLine) -> Line {
        Line {
            href: format!("/console/bodies/{}", line.body_id),
            report_href: format!("/console/bodies/{}#report-{year}", line.body_id),
            open_flags: 0,
            category_zh: category_zh(&line.category),
            status_zh: report_status_zh(line.status.as_deref()),
            revision: line.revision.map(|r| r.to_string()).unwrap_or_default(),
            updated: line.updated_at.map(china_time).unwrap_or_default(),
            approval_no: line.approval_no,
            name: line.name,
            province: line.province,
        }
    }
}

/// One evaluation of the year.
#[derive(Debug, Clone)]
pub struct RunLine {
    /// Its progress page.
    pub href: String,
    /// Its state in Chinese.
    pub status_zh: &'static str,
    /// Started, on the regulator's calendar.
    pub started: String,
    /// Whether it is still running.
    pub running: bool,
}

#[derive(Template)]
#[template(path = "console/cycle.html")]
struct CyclePage {
    nav: Option<Nav>,
    year: i32,
    window: String,
    q: String,
    province: String,
    statuses: Vec<Choice>,
    categories: Vec<Choice>,
    flag_choices: Vec<Choice>,
    flagged_bodies: i64,
    flagged_href: String,
    lines: Vec<Line>,
    total: i64,
    page: i64,
    pages: i64,
    previous: Option<String>,
    next: Option<String>,
    export_href: String,
    runs: Vec<RunLine>,
    run_error: Option<String>,
}

/// The year of a path (a Chinese 404 when it is not one).
fn year_of(text: &str) -> Result<i32> {
    text.parse::<i32>()
        .ok()
        .filter(|y| (1900..=9999).contains(y))
        .ok_or_else(|| Error::not_found(Noun::Cycle))
}

fn choices(options: Vec<(String, String)>, chosen: Option<&str>) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: chosen == Some(value.as_str()),
            value,
            label,
        })
        .collect()
}

/// The page's data (no navigation), with `run_error` when starting a run was refused.
fn load(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: i32,
    query: &CycleQuery,
    run_error: Option<String>,
) -> Result<CyclePage> {
    ctx.viewer().staff_page()?;
    let cycle = cycles::get(conn, year)?;
    let (filter, bodies) = query.filters()?;
    let wanted = query.page_number();
    let offset = (wanted - 1).saturating_mul(PER_PAGE);
    let (lines, total) = submissions::search(conn, ctx, year, filter, &bodies, offset, PER_PAGE)?;
    let ids: Vec<String> = lines.iter().map(|l| l.body_id.clone()).collect();
    let counts = flags::open_counts(conn, ctx, year, &ids)?;
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| {
            let open_flags = counts.get(&l.body_id).copied().unwrap_or(0);
            Line {
                open_flags,
                ..Line::of(year, l)
            }
        })
        .collect();
    let flagged_bodies = flags::flagged_reports(conn, ctx, year)?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let link = |p: i64| format!("/console/cycles/{year}?{}", query.to_query(Some(p)));
    let tidy = query.tidy();
    let mut statuses = vec![
        (String::new(), "全部".to_string()),
        (ListFilter::NOT_SUBMITTED.to_string(), "未报送".to_string()),
    ];
    statuses.extend(
        SubmissionStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), s.label_zh().to_string())),
    );
    let mut categories = vec![(String::new(), "全部".to_string())];
    categories.extend(
        Category::ALL
            .iter()
            .map(|c| (c.code().to_string(), c.label().to_string())),
    );
    let (runs, _) = evaluations::list(conn, ctx, Some(year), 0, 5)?;
    Ok(CyclePage {
        nav: None,
        year,
        window: format!(
            "报送期 {} 至 {}（北京时间）",
            china_time(cycle.opens_at),
            china_time(cycle.closes_at)
        ),
        q: tidy.q.clone().unwrap_or_default(),
        province: tidy.province.clone().unwrap_or_default(),
        statuses: choices(statuses, tidy.status.as_deref()),
        categories: choices(categories, tidy.category.as_deref()),
        flag_choices: choices(
            vec![
                (String::new(), "全部".to_string()),
                (flags_open().to_string(), "需复核".to_string()),
            ],
            tidy.flags.as_deref(),
        ),
        flagged_bodies,
        flagged_href: format!("/console/cycles/{year}?flags={}", flags_open()),
        lines,
        total,
        page: wanted,
        pages,
        previous: (wanted > 1).then(|| link((wanted - 1).min(pages))),
        next: (wanted < pages).then(|| link(wanted + 1)),
        export_href: format!("/console/cycles/{year}/export?{}", query.to_query(None)),
        runs: runs
            .iter()
            .map(|e| {
                let status = EvaluationStatus::parse(&e.status);
                RunLine {
                    href: format!("/console/cycles/{year}/evaluations/{}", e.id),
                    status_zh: status.map_or("", |s| s.label_zh()),
                    started: china_time(e.started_at),
                    running: status == Some(EvaluationStatus::Running),
                }
            })
            .collect(),
        run_error,
    })
}

/// Renders the page, with `status` (a refused run's) and its message.
async fn render(
    state: &AppState,
    session: &Session,
    year: i32,
    query: CycleQuery,
    refused: Option<Error>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let status = refused.as_ref().map(|e| e.code.status());
    let message = refused
        .as_ref()
        .map(|e| super::page::chinese_part(&e.message).to_string());
    let page = state
        .run(&session.principal, move |conn, ctx| {
            load(conn, ctx, year, &query, message)
        })
        .await?;
    let page = CyclePage {
        nav: Some(Nav::of(session)),
        ..page
    };
    match status.and_then(|s| actix_web::http::StatusCode::from_u16(s).ok()) {
        Some(s) => Ok(super::page::html_response(s, page.render()?)),
        None => html(&page),
    }
}

/// `GET /console/cycles/{year}`.
pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<CycleQuery>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let year = year_of(&path)?;
    render(&state, &session, year, query.into_inner(), None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filters_travel_encoded_and_blanks_are_dropped() {
        let q = CycleQuery {
            status: Some("not_submitted".into()),
            category: Some(" ".into()),
            province: Some("北京".into()),
            q: Some("A&B".into()),
            flags: Some(flags_open().into()),
            page: Some("3".into()),
        };
        assert_eq!(
            q.to_query(Some(2)),
            "status=not_submitted&province=%E5%8C%97%E4%BA%AC&q=A%26B&flags=open&page=2"
        );
        assert_eq!(q.page_number(), 3);
        assert_eq!(CycleQuery::default().page_number(), 1);
    }
}
