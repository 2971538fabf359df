//! `/console/evaluations/{id}`: one evaluation for analysts — its summary (per grade, per
//! warning level, submission and on-time rates), the ranking with filters and pages, the
//! charts as inline SVG, 公示 and 定稿 each behind a confirmation, and the downloads. A body's
//! user is sent to its own result instead.

mod decide;
mod result;
mod view;

use actix_web::{HttpResponse, web};
use askama::Template;
use pubeval_scoring::Category;
use serde::Deserialize;

pub use self::decide::{confirm_finalize, confirm_publish, finalize, publish};
pub use self::result::page as result_page;
use self::view::{ChartView, RankLine, SummaryView, level_label, status_zh};
use super::home::china_time;
use super::page::{ConsoleError, Nav, html, see_other};
use super::session::Session;
use super::warnings_staff::kit::{PER_PAGE, Pager, given, number, page_of, query_string};
use crate::db::DbConn;
use crate::db::models::evaluation::{Evaluation, ResultFilter};
use crate::domain::documents::charts;
use crate::domain::states::{EvaluationAction, EvaluationStatus, ObjectionStatus};
use crate::domain::{Ctx, Result, StateMachine, TextEnum, evaluations, objections, schemes};
use crate::state::AppState;

/// The ranking's filters as the address carries them (every one optional; blank is none).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RankingQuery {
    /// A category code.
    #[serde(default)]
    pub category: Option<String>,
    /// A province.
    #[serde(default)]
    pub province: Option<String>,
    /// A grade.
    #[serde(default)]
    pub grade: Option<String>,
    /// A warning level, 0 to 3.
    #[serde(default)]
    pub warning_level: Option<String>,
    /// `true` or `false`.
    #[serde(default)]
    pub borderline: Option<String>,
    /// The page, from 1.
    #[serde(default)]
    pub page: Option<String>,
}

impl RankingQuery {
    /// The model's filter of these parameters (422 naming a malformed one).
    pub fn filter(&self) -> Result<ResultFilter> {
        let borderline = match given(&self.borderline).as_deref() {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => {
                return Err(crate::domain::Error::invalid_field(
                    "borderline",
                    "须为 true 或 false",
                    "must be true or false",
                ));
            }
        };
        Ok(ResultFilter {
            category: given(&self.category),
            province: given(&self.province),
            grade: given(&self.grade),
            warning_level: number("warning_level", &self.warning_level)?,
            borderline,
            body_id: None,
        })
    }

    /// The filters as query parameters (without the page).
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let text = |v: &Option<String>| given(v).unwrap_or_default();
        vec![
            ("category", text(&self.category)),
            ("province", text(&self.province)),
            ("grade", text(&self.grade)),
            ("warning_level", text(&self.warning_level)),
            ("borderline", text(&self.borderline)),
        ]
    }
}

/// A choice of a filter's `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The value sent.
    pub value: String,
    /// What the person reads.
    pub label: String,
    /// Whether it is the one chosen.
    pub selected: bool,
}

fn choices(options: Vec<(String, String)>, chosen: &Option<String>) -> Vec<Choice> {
    let chosen = given(chosen).unwrap_or_default();
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == chosen,
            value,
            label,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "console/evaluation.html")]
struct EvaluationPage {
    nav: Option<Nav>,
    id: String,
    year: i32,
    status_zh: &'static str,
    times: Vec<(&'static str, String)>,
    unavailable: Option<String>,
    summary: Option<SummaryView>,
    categories: Vec<Choice>,
    grades: Vec<Choice>,
    levels: Vec<Choice>,
    borderlines: Vec<Choice>,
    province: String,
    rows: Vec<RankLine>,
    pager: Option<Pager>,
    charts: Vec<ChartView>,
    can_publish: bool,
    can_finalize: bool,
    open_objections: usize,
    filter_query: String,
    has_letters: bool,
    objection_days: u32,
}

/// `GET /console/evaluations/{id}`.
pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    query: web::Query<RankingQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    let query = query.into_inner();
    let pages = state.ranking_pages.clone();
    let loaded = state
        .run(&session.principal, move |conn, ctx| {
            load(conn, ctx, &pages, &id, &query)
        })
        .await?;
    match loaded {
        Loaded::Elsewhere(to) => Ok(see_other(&to)),
        Loaded::Page(page) => html(&EvaluationPage {
            nav: Some(Nav::of(&session)),
            ..*page
        }),
    }
}

enum Loaded {
    /// A body's user reads its own result, not the ranking.
    Elsewhere(String),
    Page(Box<EvaluationPage>),
}

/// The times an evaluation went through, on the regulator's calendar.
fn times_of(e: &Evaluation) -> Vec<(&'static str, String)> {
    let mut times = vec![("开始运行", china_time(e.started_at))];
    for (label, at) in [
        ("运行完成", e.finished_at),
        ("公示", e.published_at),
        ("异议截止", e.objection_deadline),
        ("定稿", e.finalized_at),
    ] {
        if let Some(at) = at {
            times.push((label, china_time(at)));
        }
    }
    times
}

fn load(
    conn: &mut DbConn,
    ctx: &Ctx,
    pages: &evaluations::RankingPages,
    id: &str,
    query: &RankingQuery,
) -> Result<Loaded> {
    let e = evaluations::get(conn, ctx, id)?;
    if let Some(own) = ctx.viewer().own_body() {
        return Ok(Loaded::Elsewhere(format!(
            "/console/evaluations/{}/results/{own}",
            e.id
        )));
    }
    let status = evaluations::status_of(&e)?;
    let scheme = schemes::scheme_of(conn, &e.scheme_id)?;
    let mut page = EvaluationPage {
        nav: None,
        id: e.id.clone(),
        year: e.year,
        status_zh: status_zh(status),
        times: times_of(&e),
        unavailable: None,
        summary: e
            .summary
            .as_deref()
            .and_then(|s| SummaryView::parse(s, &scheme)),
        categories: choices(
            Category::ALL
                .iter()
                .map(|c| (c.code().to_string(), c.label().to_string()))
                .collect(),
            &query.category,
        ),
        grades: choices(
            scheme
                .grades
                .iter()
                .map(|g| (g.grade.clone(), format!("{}（{}）", g.grade, g.name)))
                .collect(),
            &query.grade,
        ),
        levels: choices(
            (0..=3u8)
                .map(|l| (l.to_string(), level_label(&scheme, l)))
                .collect(),
            &query.warning_level,
        ),
        borderlines: choices(
            vec![("true".into(), "是".into()), ("false".into(), "否".into())],
            &query.borderline,
        ),
        province: given(&query.province).unwrap_or_default(),
        rows: Vec::new(),
        pager: None,
        charts: Vec::new(),
        can_publish: status.next(EvaluationAction::Publish).is_some(),
        can_finalize: status.next(EvaluationAction::Finalize).is_some(),
        open_objections: 0,
        filter_query: query_string(&query.params()),
        has_letters: matches!(
            status,
            EvaluationStatus::PublicNotice | EvaluationStatus::Final
        ),
        objection_days: evaluations::DEFAULT_OBJECTION_DAYS,
    };
    if let Err(why) = evaluations::with_results(&e) {
        page.unavailable = Some(super::page::chinese_part(&why.message).to_string());
        page.can_publish = false;
        page.can_finalize = false;
        return Ok(Loaded::Page(Box::new(page)));
    }
    let (number, offset) = page_of(&query.page)?;
    let (rows, total) =
        evaluations::results(conn, ctx, pages, &e.id, query.filter()?, offset, PER_PAGE)?;
    page.rows = rows
        .iter()
        .map(|r| RankLine::of(r, &scheme, &e.id))
        .collect();
    page.pager = Some(Pager::new(
        &format!("/console/evaluations/{}", e.id),
        &query.params(),
        number,
        total,
    ));
    page.charts = charts::overview(conn, ctx, &e.id)?
        .iter()
        .map(ChartView::of)
        .collect();
    page.open_objections = objections::list(conn, ctx, &e.id)?
        .iter()
        .filter(|o| ObjectionStatus::parse(&o.status) == Some(ObjectionStatus::Open))
        .count();
    Ok(Loaded::Page(Box::new(page)))
}
