//! A body's `/console/results`: its result in every published evaluation (total with 2
//! decimals, grade, ranks), and for the year chosen each dimension against the category's
//! average with the radar, the result letter (HTML, PDF), and during 公示 the objection form,
//! how long objections stay open, and the answers.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::home::china_time;
use super::notice::disposition;
use super::page::{ConsoleError, Nav, chinese_part, html_response, see_other};
use super::session::Session;
use crate::db::DbConn;
use crate::db::models::evaluation::Evaluation;
use crate::domain::documents::{Document, letter};
use crate::domain::objections::{self, NewObjection};
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, TextEnum, evaluations};
use crate::state::AppState;
use crate::states::{EvaluationStatus, ObjectionStatus};

/// One published evaluation in the list of years.
#[derive(Debug, Clone)]
pub struct YearLine {
    /// This page for the year.
    pub href: String,
    /// The year.
    pub year: i32,
    /// 公示 or final, in Chinese.
    pub stage: &'static str,
    /// The total with 2 decimals, or 未报送.
    pub total: String,
    /// The grade, or —.
    pub grade: String,
    /// Rank overall.
    pub rank: String,
    /// Rank within the category.
    pub category_rank: String,
    /// The year shown below.
    pub selected: bool,
}

/// One dimension against the category's average.
#[derive(Debug, Clone)]
pub struct DimensionLine {
    /// Code and name.
    pub name: String,
    /// The body's points.
    pub points: String,
    /// The category's average.
    pub average: String,
    /// The dimension's maximum.
    pub max: String,
    /// Above, below or at the average, in Chinese.
    pub compared: &'static str,
}

/// One objection of the body and its answer.
#[derive(Debug, Clone)]
pub struct ObjectionLine {
    /// Filed at (China time).
    pub filed_at: String,
    /// What the body wrote.
    pub text: String,
    /// Its state in Chinese.
    pub status_zh: &'static str,
    /// The written answer, once answered.
    pub answer: String,
    /// Answered at (China time).
    pub answered_at: String,
}

/// The year shown in detail.
#[derive(Debug, Clone)]
pub struct Detail {
    /// The evaluation.
    pub evaluation_id: String,
    /// The year.
    pub year: i32,
    /// 公示 or final.
    pub stage: &'static str,
    /// The body's category in Chinese.
    pub category: &'static str,
    /// The total with 2 decimals, or 未报送.
    pub total: String,
    /// The grade and its name.
    pub grade: String,
    /// Rank overall, of how many.
    pub rank: String,
    /// Rank within the category, of how many.
    pub category_rank: String,
    /// Deductions and vetoes, in one line each.
    pub penalties: Vec<String>,
    /// The warning this result triggers, if any.
    pub warning: String,
    /// Each dimension.
    pub dimensions: Vec<DimensionLine>,
    /// Our own SVG drawing (rendered by `pubeval-reports`).
    pub radar: Option<String>,
    /// The objection period, when the evaluation is in 公示.
    pub objection_period: Option<String>,
    /// Whether an objection may be filed now.
    pub may_object: bool,
    /// The body's objections.
    pub objections: Vec<ObjectionLine>,
}

#[derive(Template)]
#[template(path = "console/results.html")]
struct ResultsPage {
    nav: Option<Nav>,
    csrf: String,
    years: Vec<YearLine>,
    detail: Option<Detail>,
    notice: Option<&'static str>,
    objection_text: String,
    objection_error: Option<String>,
}

/// `?year=` chooses the year shown in detail (default: the latest); `done=` says what the
/// last POST did.
#[derive(Debug, Default, Deserialize)]
pub struct ResultsQuery {
    year: Option<String>,
    done: Option<String>,
}

fn own_body(ctx: &Ctx) -> Result<String> {
    ctx.viewer()
        .own_body()
        .map(str::to_string)
        .ok_or_else(|| Error::not_found(Noun::Route))
}

fn stage_of(e: &Evaluation) -> Result<&'static str> {
    Ok(match evaluations::status_of(e)? {
        EvaluationStatus::PublicNotice => "公示中",
        EvaluationStatus::Final => "已定稿",
        other => other.label_zh(),
    })
}

fn total_text(total: Option<f64>) -> String {
    total.map_or_else(|| "未报送".to_string(), |t| format!("{t:.2}"))
}

fn rank_text(rank: Option<impl std::fmt::Display>) -> String {
    rank.map_or_else(|| "—".to_string(), |r| format!("第 {r} 名"))
}

/// The published evaluations the body may see, latest first (one per year: the newest run).
fn published(conn: &mut DbConn, ctx: &Ctx) -> Result<Vec<Evaluation>> {
    let (mut all, _) = evaluations::list(conn, ctx, None, 0, 100)?;
    all.sort_by(|a, b| b.year.cmp(&a.year).then(b.started_at.cmp(&a.started_at)));
    all.dedup_by_key(|e| e.year);
    Ok(all)
}

fn load(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: Option<i32>,
) -> Result<(Vec<YearLine>, Option<Detail>)> {
    let body = own_body(ctx)?;
    let evaluations_seen = published(conn, ctx)?;
    let chosen = match year {
        Some(y) => Some(
            evaluations_seen
                .iter()
                .find(|e| e.year == y)
                .ok_or_else(|| Error::not_found(Noun::Result))?,
        ),
        None => evaluations_seen.first(),
    };
    let mut years = Vec::new();
    for e in &evaluations_seen {
        let Ok(row) = evaluations::result(conn, ctx, &e.id, &body) else {
            continue;
        };
        years.push(YearLine {
            href: format!("/console/results?year={}", e.year),
            year: e.year,
            stage: stage_of(e)?,
            total: total_text(row.total),
            grade: row.grade.clone().unwrap_or_else(|| "—".into()),
            rank: rank_text(row.rank),
            category_rank: rank_text(row.category_rank),
            selected: chosen.is_some_and(|c| c.id == e.id),
        });
    }
    let detail = match chosen {
        Some(e) => Some(detail(conn, ctx, e, &body)?),
        None => None,
    };
    Ok((years, detail))
}

fn detail(conn: &mut DbConn, ctx: &Ctx, e: &Evaluation, body: &str) -> Result<Detail> {
    let (batch, index) = letter::readable(conn, ctx, &e.id, body)?;
    // As the letter tells it: a warning only once issued.
    let shown = batch.shown(index);
    let r: &pubeval_scoring::BodyResult = &shown;
    let scheme = &batch.scheme;
    let averages = batch.category_averages(index);
    // The drawing is named by its caption, for screen readers.
    let radar = batch.radar(index)?.map(|svg| {
        svg.replacen(
            "<svg",
            r#"<svg role="img" aria-labelledby="radar-caption""#,
            1,
        )
    });
    let ranked = batch.figures.ranked;
    let in_category = batch.figures.ranked_in(r.category);
    let dimensions = scheme
        .dimensions
        .iter()
        .zip(averages)
        .map(|(d, average)| {
            let points = r.dimensions.as_ref().and_then(|p| p.get(&d.code));
            let compared = match (points, average) {
                (Some(p), Some(a)) if p - a > 0.005 => "高于平均",
                (Some(p), Some(a)) if a - p > 0.005 => "低于平均",
                (Some(_), Some(_)) => "持平",
                _ => "—",
            };
            DimensionLine {
                name: format!("{} {}", d.code, d.name),
                points: points.map_or("—".into(), |p| format!("{p:.2}")),
                average: average.map_or("—".into(), |a| format!("{a:.2}")),
                max: format!("{:.2}", d.max),
                compared,
            }
        })
        .collect();
    let mut penalties: Vec<String> = r
        .deductions
        .iter()
        .map(|(code, points)| {
            let name = scheme
                .deduction(code)
                .map_or(code.as_str(), |d| d.name.as_str());
            format!("{code} {name}：{points:.2} 分")
        })
        .collect();
    penalties.extend(r.vetoes.iter().map(|v| {
        let name = scheme
            .vetoes
            .iter()
            .find(|x| &x.code == v)
            .map_or(v.as_str(), |x| x.name.as_str());
        format!("{v} {name}（否决项）")
    }));
    let in_notice = evaluations::status_of(e)? == EvaluationStatus::PublicNotice;
    let open = in_notice && e.objection_deadline.is_none_or(|d| ctx.now() < d);
    let objection_period = in_notice.then(|| match e.objection_deadline {
        Some(d) if open => format!(
            "公示期内可对本机构的评价结果提出异议，截止时间 {}（北京时间），尚余 {}。",
            china_time(d),
            remaining(d - ctx.now())
        ),
        Some(d) => format!("异议期已于 {} 截止。", china_time(d)),
        None => "公示期内可对本机构的评价结果提出异议。".to_string(),
    });
    let objections = objections::list(conn, ctx, &e.id)?
        .into_iter()
        .filter(|o| o.body_id == body)
        .map(|o| ObjectionLine {
            filed_at: china_time(o.filed_at),
            text: o.text,
            status_zh: ObjectionStatus::parse(&o.status).map_or("", |s| s.label_zh()),
            answer: o.answer.unwrap_or_default(),
            answered_at: o.answered_at.map(china_time).unwrap_or_default(),
        })
        .collect();
    let grade = match &r.grade {
        Some(g) => {
            let name = scheme
                .grades
                .iter()
                .find(|b| &b.grade == g)
                .map_or("", |b| b.name.as_str());
            format!("{g}（{name}）")
        }
        None => "—".into(),
    };
    Ok(Detail {
        evaluation_id: e.id.clone(),
        year: e.year,
        stage: stage_of(e)?,
        category: r.category.label(),
        total: total_text(r.total),
        grade,
        rank: r
            .rank
            .map_or("—".into(), |x| format!("第 {x} 名（共 {ranked} 家）")),
        category_rank: r.category_rank.map_or("—".into(), |x| {
            format!("第 {x} 名（本类别共 {in_category} 家）")
        }),
        penalties,
        warning: r
            .warning
            .as_ref()
            .map(|w| format!("{} 级（{}）", w.level, scheme.level_name(w.level)))
            .unwrap_or_default(),
        dimensions,
        radar,
        objection_period,
        may_object: open,
        objections,
    })
}

/// A duration as days and hours, e.g. 3 天 4 小时.
fn remaining(d: chrono::Duration) -> String {
    let hours = d.num_hours().max(0);
    match (hours / 24, hours % 24) {
        (0, 0) => "不足 1 小时".to_string(),
        (0, h) => format!("{h} 小时"),
        (days, 0) => format!("{days} 天"),
        (days, h) => format!("{days} 天 {h} 小时"),
    }
}

async fn render(
    state: &web::Data<AppState>,
    session: &Session,
    year: Option<i32>,
    status: StatusCode,
    notice: Option<&'static str>,
    objection: (String, Option<String>),
) -> std::result::Result<HttpResponse, ConsoleError> {
    let (years, detail) = state
        .run(&session.principal, move |conn, ctx| load(conn, ctx, year))
        .await?;
    let page = ResultsPage {
        nav: Some(Nav::of(session)),
        csrf: session.csrf.clone(),
        years,
        detail,
        notice,
        objection_text: objection.0,
        objection_error: objection.1,
    };
    Ok(html_response(status, page.render()?))
}

/// `GET /console/results`.
pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<ResultsQuery>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let year = match query
        .year
        .as_deref()
        .map(str::trim)
        .filter(|y| !y.is_empty())
    {
        Some(y) => Some(y.parse().map_err(|_| Error::not_found(Noun::Result))?),
        None => None,
    };
    let notice = (query.done.as_deref() == Some("objected"))
        .then_some("异议已提交，评价人员答复后将在此显示。");
    render(
        &state,
        &session,
        year,
        StatusCode::OK,
        notice,
        (String::new(), None),
    )
    .await
}

/// The objection form.
#[derive(Debug, Deserialize)]
pub struct ObjectionForm {
    csrf: String,
    #[serde(default)]
    text: String,
}

/// `POST /console/results/{evaluation_id}/objections`: files an objection.
pub async fn object(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ObjectionForm>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let id = id.into_inner();
    let text = form.into_inner().text;
    let typed = text.clone();
    let (year, outcome) = state
        .run(&session.principal, move |conn, ctx| {
            let year = evaluations::get(conn, ctx, &id)?.year;
            let outcome = objections::file(
                conn,
                ctx,
                &id,
                NewObjection {
                    text,
                    body_id: None,
                },
            );
            Ok((year, outcome))
        })
        .await?;
    match outcome {
        Ok(_) => Ok(see_other(&format!(
            "/console/results?year={year}&done=objected"
        ))),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::ValidationFailed | ErrorCode::ObjectionPeriodClosed
            ) =>
        {
            let message = e.details.iter().find(|d| d.field == "text").map_or_else(
                || chinese_part(&e.message).to_string(),
                |d| chinese_part(&d.problem).to_string(),
            );
            let status =
                StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            render(
                &state,
                &session,
                Some(year),
                status,
                None,
                (typed, Some(message)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Delivers a letter: HTML in the browser, PDF downloaded.
fn deliver(document: Document, media_type: &str, inline: bool) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(media_type)
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
        ))
        .insert_header(disposition(&document, inline))
        .body(document.bytes)
}

/// `GET /console/results/{evaluation_id}/letter.html`: the body's own result letter.
pub async fn letter_html(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    let document = state
        .run(&session.principal, move |conn, ctx| {
            let body = own_body(ctx)?;
            let (batch, index) = letter::readable(conn, ctx, &id, &body)?;
            batch.html(index)
        })
        .await?;
    Ok(deliver(document, "text/html; charset=utf-8", true))
}

/// `GET /console/results/{evaluation_id}/letter.pdf`: the body's own result letter as PDF; a
/// Chinese error page (503) when the server has no CJK font.
pub async fn letter_pdf(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    let (batch, index) = state
        .run(&session.principal, move |conn, ctx| {
            let body = own_body(ctx)?;
            letter::readable(conn, ctx, &id, &body)
        })
        .await?;
    let documents = state.documents.clone();
    let document = web::block(move || {
        let typesetter = documents.typesetter_or_503()?;
        batch.pdf(index, &typesetter)
    })
    .await
    .map_err(Error::internal)??;
    Ok(deliver(document, "application/pdf", false))
}
