//! `/console/evaluations/{id}/results/{body_id}`: one body's result — every indicator with its
//! value, rule, points, maximum and articles; the deductions and vetoes with their incidents;
//! the risk warning's findings; the robustness of the rank; the letter. Staff read any; a
//! body's user its own (the domain answers another body's with 404).

use actix_web::{HttpResponse, web};
use askama::Template;
use pubeval_scoring::{BodyResult, Scheme};

use super::view::{category_label, level_label, percent, status_zh, total_text};
use crate::console::home::china_time;
use crate::console::page::{ConsoleError, Nav, html};
use crate::console::session::Session;
use crate::db::DbConn;
use crate::domain::incidents::{self, Incident, IncidentSearch};
use crate::domain::states::EvaluationStatus;
use crate::domain::{Ctx, Error, Result, evaluations, schemes};
use crate::state::AppState;

/// One line of a table: its cells.
#[derive(Debug, Clone)]
pub struct Line {
    /// The cells, in the table's column order.
    pub cells: Vec<String>,
}

/// A deduction, veto or finding with the incidents behind it.
#[derive(Debug, Clone)]
pub struct Charge {
    /// What it is, e.g. `X1 未按时报告重大事项`.
    pub title: String,
    /// Its figures in one sentence.
    pub detail: String,
    /// The incidents behind it.
    pub incidents: Vec<Line>,
}

/// The robustness of the rank (SCHEME.md §6).
#[derive(Debug, Clone)]
pub struct Robustness {
    /// The nominal rank.
    pub rank: u32,
    /// The median rank over the draws.
    pub median: u32,
    /// The 5th and 95th percentiles.
    pub q05: u32,
    /// The 95th percentile.
    pub q95: u32,
    /// Each grade's share of the draws.
    pub shares: Vec<(String, String)>,
    /// Whether the grade is borderline.
    pub borderline: bool,
}

#[derive(Template)]
#[template(path = "console/result.html")]
struct ResultPage {
    nav: Option<Nav>,
    evaluation_id: String,
    body_id: String,
    year: i32,
    status_zh: &'static str,
    staff: bool,
    name: String,
    facts: Vec<(&'static str, String)>,
    dimensions: Vec<Line>,
    indicators: Vec<Line>,
    deductions: Vec<Charge>,
    vetoes: Vec<Charge>,
    warning: Option<(String, bool)>,
    findings: Vec<Charge>,
    robustness: Option<Robustness>,
    has_letter: bool,
}

/// `GET /console/evaluations/{id}/results/{body_id}`.
pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (id, body_id) = path.into_inner();
    let page = state
        .run(&session.principal, move |conn, ctx| {
            load(conn, ctx, &id, &body_id)
        })
        .await?;
    html(&ResultPage {
        nav: Some(Nav::of(&session)),
        ..page
    })
}

fn articles(list: &[u32]) -> String {
    list.iter()
        .map(|a| format!("第{a}条"))
        .collect::<Vec<_>>()
        .join("、")
}

fn points(p: f64) -> String {
    format!("{p:.2}")
}

fn label(list: &[pubeval_scoring::scheme::Labelled], code: &str) -> String {
    list.iter()
        .find(|l| l.code == code)
        .map_or_else(|| code.to_string(), |l| l.label.clone())
}

/// An incident of the body as a line: kind, severity, occurred, reported, state.
fn incident_line(scheme: &Scheme, i: &Incident) -> Line {
    let row = &i.row;
    Line {
        cells: vec![
            label(&scheme.incident_kinds, &row.kind),
            label(&scheme.severities, &row.severity),
            china_time(row.occurred_at),
            row.reported_at
                .map_or_else(|| "未报告".to_string(), china_time),
            if row.voided_at.is_some() {
                "已作废".to_string()
            } else {
                "有效".to_string()
            },
        ],
    }
}

fn load(conn: &mut DbConn, ctx: &Ctx, id: &str, body_id: &str) -> Result<ResultPage> {
    let row = evaluations::result(conn, ctx, id, body_id)?;
    let e = evaluations::get(conn, ctx, id)?;
    let status = evaluations::status_of(&e)?;
    let scheme = schemes::scheme_of(conn, &e.scheme_id)?;
    let result: BodyResult = serde_json::from_str(&row.result).map_err(Error::internal)?;
    let search = IncidentSearch {
        year: Some(e.year),
        include_voided: true,
        ..IncidentSearch::default()
    };
    let (known, _) = incidents::page_of_body(conn, ctx, body_id, search, 0, 500)?;
    let of_ids = |ids: &[String]| -> Vec<Line> {
        ids.iter()
            .map(|id| match known.iter().find(|i| &i.row.id == id) {
                Some(i) => incident_line(&scheme, i),
                None => Line {
                    cells: vec![
                        id.clone(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ],
                },
            })
            .collect()
    };
    let counted: Vec<Line> = known
        .iter()
        .filter(|i| i.row.voided_at.is_none())
        .map(|i| incident_line(&scheme, i))
        .collect();

    let mut facts = vec![
        ("批准号", row.approval_no.clone()),
        ("类别", category_label(&row.category)),
        ("省份", row.province.clone()),
        (
            "总分",
            if result.submitted {
                total_text(result.total)
            } else {
                "未报送".to_string()
            },
        ),
        ("等级", result.grade.clone().unwrap_or_else(|| "—".into())),
        (
            "总排名",
            result.rank.map_or_else(|| "—".into(), |r| r.to_string()),
        ),
        (
            "类别内排名",
            result
                .category_rank
                .map_or_else(|| "—".into(), |r| r.to_string()),
        ),
        ("风险警示", level_label(&scheme, result.warning_level())),
    ];
    if let Some(previous) = result.previous_total {
        facts.push(("上年总分", points(previous)));
    }

    let dimensions = scheme
        .dimensions
        .iter()
        .map(|d| Line {
            cells: vec![
                d.code.clone(),
                d.name.clone(),
                result
                    .dimensions
                    .as_ref()
                    .and_then(|p| p.get(&d.code))
                    .map_or_else(|| "—".into(), points),
                points(d.max),
            ],
        })
        .collect();
    let explanation = result.explanation.as_ref();
    let indicators = explanation
        .map(|x| {
            x.indicators
                .iter()
                .map(|i| Line {
                    cells: vec![
                        i.code.clone(),
                        i.name.clone(),
                        i.value_text.clone(),
                        i.rule.clone(),
                        points(i.points),
                        points(i.max),
                        i.articles_text.clone(),
                    ],
                })
                .collect()
        })
        .unwrap_or_default();
    let deductions = match explanation {
        Some(x) => x
            .deductions
            .iter()
            .map(|d| Charge {
                title: format!("{} {}", d.code, d.name),
                detail: format!(
                    "计入 {} 件，每件 {} 分，上限 {} 分，共扣 {} 分；依据{}",
                    d.incidents,
                    points(d.points_each),
                    points(d.cap),
                    points(d.points),
                    articles(&d.articles)
                ),
                incidents: of_ids(&d.incident_ids),
            })
            .collect(),
        None => result
            .deductions
            .iter()
            .map(|(code, p)| Charge {
                title: code.clone(),
                detail: format!("共扣 {} 分", points(*p)),
                incidents: Vec::new(),
            })
            .collect(),
    };
    let vetoes = match explanation {
        Some(x) => x
            .vetoes
            .iter()
            .map(|v| Charge {
                title: format!("{} {}", v.code, v.name),
                detail: format!(
                    "涉及 {} 件事件；依据{}；评价等级为 {}",
                    v.incidents,
                    articles(&v.articles),
                    scheme.veto_grade
                ),
                incidents: counted.clone(),
            })
            .collect(),
        None => result
            .vetoes
            .iter()
            .map(|code| Charge {
                title: code.clone(),
                detail: String::new(),
                incidents: counted.clone(),
            })
            .collect(),
    };
    let findings = result
        .warning
        .as_ref()
        .map(|w| {
            w.findings
                .iter()
                .map(|f| Charge {
                    title: f.name.clone(),
                    detail: format!("{}（依据{}）", f.summary, f.articles_text),
                    incidents: f
                        .incidents
                        .iter()
                        .map(|i| Line {
                            cells: vec![
                                label(&scheme.incident_kinds, &i.kind),
                                label(&scheme.severities, &i.severity),
                                china_time(i.occurred_at.naive_utc()),
                                i.reported_at.map_or_else(
                                    || "未报告".to_string(),
                                    |t| china_time(t.naive_utc()),
                                ),
                                i.hours_to_report
                                    .map_or_else(String::new, |h| format!("{h:.1} 小时后报告")),
                            ],
                        })
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    let robustness = result.uncertainty.as_ref().map(|u| Robustness {
        rank: u.rank,
        median: u.rank_median,
        q05: u.rank_q05,
        q95: u.rank_q95,
        shares: u
            .grade_shares
            .iter()
            .map(|(g, s)| (g.clone(), percent(*s)))
            .collect(),
        borderline: u.borderline,
    });
    Ok(ResultPage {
        nav: None,
        evaluation_id: e.id.clone(),
        body_id: body_id.to_string(),
        year: e.year,
        status_zh: status_zh(status),
        staff: ctx.viewer().is_staff(),
        name: row.name.clone(),
        facts,
        dimensions,
        indicators,
        deductions,
        vetoes,
        warning: result
            .warning
            .as_ref()
            .map(|w| (w.level_name.clone(), w.review_required)),
        findings,
        robustness,
        has_letter: matches!(
            status,
            EvaluationStatus::PublicNotice | EvaluationStatus::Final
        ),
    })
}
