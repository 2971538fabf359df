//! `/console/`: for analysts, the current cycle at a glance (reports by status, evaluations,
//! overdue warnings), each count a link to its list; for a body, its tasks.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::page::{ConsoleError, Nav, html};
use super::session::Session;
use crate::db::DbConn;
use crate::domain::clock::REGULATOR_TIMEZONE;
use crate::domain::submissions::{self, ListFilter};
use crate::domain::warnings::{self, WarningQuery};
use crate::domain::{Ctx, Result, cycles, evaluations};
use crate::state::AppState;
use crate::states::{EvaluationStatus, SubmissionStatus, TextEnum, WarningStatus};

/// One count on the dashboard, with the list it links to.
#[derive(Debug, Clone)]
pub struct Tile {
    /// What is counted.
    pub label: &'static str,
    /// How many.
    pub count: i64,
    /// The filtered list.
    pub href: String,
}

/// One evaluation on the dashboard.
#[derive(Debug, Clone)]
pub struct EvaluationLine {
    /// Its page.
    pub href: String,
    /// The year.
    pub year: i32,
    /// Its state in Chinese.
    pub status_zh: &'static str,
    /// Started, on the regulator's calendar.
    pub started: String,
}

#[derive(Template)]
#[template(path = "console/home.html")]
struct HomePage {
    nav: Option<Nav>,
    year: Option<i32>,
    window: String,
    tiles: Vec<Tile>,
    rates: String,
    evaluations: Vec<EvaluationLine>,
    body_tasks: Vec<String>,
}

/// A time on the regulator's calendar, to the minute.
pub fn china_time(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .with_timezone(&REGULATOR_TIMEZONE)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `GET /console/`.
pub async fn home(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ConsoleError> {
    let staff = session.is_staff();
    let page = state
        .run(&session.principal, move |conn, ctx| {
            if staff {
                staff_home(conn, ctx)
            } else {
                body_home(conn, ctx)
            }
        })
        .await?;
    html(&HomePage {
        nav: Some(Nav::of(&session)),
        ..page
    })
}

/// The open cycle, else the latest.
fn current_cycle(conn: &mut DbConn, ctx: &Ctx) -> Result<Option<crate::db::models::cycle::Cycle>> {
    let (cycles, _) = cycles::page(conn, 0, 100)?;
    let now = ctx.now();
    let open = cycles
        .iter()
        .find(|c| c.opens_at <= now && now < c.closes_at)
        .cloned();
    Ok(open.or_else(|| cycles.into_iter().max_by_key(|c| c.year)))
}

fn staff_home(conn: &mut DbConn, ctx: &Ctx) -> Result<HomePage> {
    let cycle = current_cycle(conn, ctx)?;
    let mut tiles = Vec::new();
    let mut rates = String::new();
    if let Some(c) = &cycle {
        let counts = submissions::status_counts(conn, ctx, c.year)?;
        let (expected, submitted, accepted, draft, returned, none) = (
            counts.expected,
            counts.submitted,
            counts.accepted,
            counts.draft,
            counts.returned,
            counts.not_started,
        );
        let link = |status: &str| format!("/console/cycles/{}?status={status}", c.year);
        tiles.push(Tile {
            label: "应报机构",
            count: expected,
            href: format!("/console/cycles/{}", c.year),
        });
        tiles.push(Tile {
            label: "已提交",
            count: submitted,
            href: link(SubmissionStatus::Submitted.as_str()),
        });
        tiles.push(Tile {
            label: "已接收",
            count: accepted,
            href: link(SubmissionStatus::Accepted.as_str()),
        });
        tiles.push(Tile {
            label: "草稿",
            count: draft,
            href: link(SubmissionStatus::Draft.as_str()),
        });
        tiles.push(Tile {
            label: "已退回",
            count: returned,
            href: link(SubmissionStatus::Returned.as_str()),
        });
        tiles.push(Tile {
            label: "未报送",
            count: none,
            href: link(ListFilter::NOT_SUBMITTED),
        });
        if expected > 0 {
            let counted = submitted + accepted;
            rates = format!(
                "报送完整率 {:.2}%（{counted}/{expected}）",
                counted as f64 * 100.0 / expected as f64
            );
        }
    }
    let overdue = warnings::list(
        conn,
        ctx,
        WarningQuery {
            evaluation: None,
            status: None,
            body_id: None,
            level: None,
            overdue: Some(true),
        },
        0,
        1,
    )?
    .1;
    tiles.push(Tile {
        label: "逾期未整改的风险警示",
        count: overdue,
        href: "/console/warnings?overdue=true".into(),
    });
    let (recent, _) = evaluations::list(conn, ctx, None, 0, 5)?;
    Ok(HomePage {
        nav: None,
        year: cycle.as_ref().map(|c| c.year),
        window: cycle
            .as_ref()
            .map(|c| {
                format!(
                    "报送期 {} 至 {}",
                    china_time(c.opens_at),
                    china_time(c.closes_at)
                )
            })
            .unwrap_or_default(),
        tiles,
        rates,
        evaluations: recent
            .iter()
            .map(|e| EvaluationLine {
                href: format!("/console/evaluations/{}", e.id),
                year: e.year,
                status_zh: EvaluationStatus::parse(&e.status).map_or("", |s| s.label_zh()),
                started: china_time(e.started_at),
            })
            .collect(),
        body_tasks: Vec::new(),
    })
}

fn body_home(conn: &mut DbConn, ctx: &Ctx) -> Result<HomePage> {
    let cycle = current_cycle(conn, ctx)?;
    let mut tasks = Vec::new();
    let body = ctx.viewer().own_body().map(str::to_string);
    if let (Some(c), Some(body)) = (&cycle, &body) {
        let status = match submissions::current(conn, ctx, body, c.year) {
            Ok(r) => SubmissionStatus::parse(&r.status).map_or("", |s| s.label_zh()),
            Err(_) => "未开始",
        };
        tasks.push(format!(
            "{} 年度宣传工作报告：{status}，报送截止 {}",
            c.year,
            china_time(c.closes_at)
        ));
    }
    let (published, _) = evaluations::list(conn, ctx, None, 0, 10)?;
    for e in published
        .iter()
        .filter(|e| EvaluationStatus::parse(&e.status) == Some(EvaluationStatus::PublicNotice))
    {
        let deadline = e.objection_deadline.map(china_time).unwrap_or_default();
        tasks.push(format!(
            "{} 年度评价结果公示中，如有异议请于 {deadline} 前在“评价结果”页提出",
            e.year
        ));
    }
    let (open, _) = warnings::list(
        conn,
        ctx,
        WarningQuery {
            evaluation: None,
            status: None,
            body_id: body.clone(),
            level: None,
            overdue: None,
        },
        0,
        100,
    )?;
    for w in open {
        let status = WarningStatus::parse(&w.listing.warning.status);
        if matches!(
            status,
            Some(WarningStatus::Issued | WarningStatus::Acknowledged)
        ) {
            tasks.push(format!(
                "风险警示 {}：{}，整改期限 {}",
                w.listing.warning.notice_no.clone().unwrap_or_default(),
                status.map_or("", |s| s.label_zh()),
                w.listing
                    .warning
                    .deadline
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            ));
        }
    }
    Ok(HomePage {
        nav: None,
        year: cycle.as_ref().map(|c| c.year),
        window: String::new(),
        tiles: Vec::new(),
        rates: String::new(),
        evaluations: Vec::new(),
        body_tasks: tasks,
    })
}
