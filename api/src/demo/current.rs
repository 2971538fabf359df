//! The current year's cycle, open now: its window opened early for the demo (a month ago, for
//! two months), and its reports in every state a month into a window shows — not started,
//! drafts, submitted, returned with an analyst's comment, accepted. The demo body's own report
//! is a partly filled draft for a newcomer to finish and submit.
//!
//! Every report is written through the domain's use cases, by the body's user (saves and
//! submissions) and the demo analyst (returns and acceptances), so that each step is in the
//! audit log as the console would leave it; afterwards the revisions are spread over the weeks
//! since the window opened (the audit log keeps the true times of the demo's own actions, as
//! for the earlier years).

use anyhow::anyhow;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use pubeval_scoring::Scheme;
use pubeval_scoring::incident::REGULATOR_TIMEZONE;
use pubeval_scoring::synthetic::{Population, SyntheticBody};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

use crate::db::models::cycle::Cycle;
use crate::db::{DbConn, write_transaction};
use crate::domain::cycles::NewCycle;
use crate::domain::states::SubmissionStatus;
use crate::domain::submissions::{self, Precondition};
use crate::domain::{Ctx, Principal, Role, TextEnum};

/// How far into its window the demo's current cycle is.
const OPENED_DAYS_AGO: i64 = 30;
/// How long its window still runs after today.
const CLOSES_IN_DAYS: i64 = 30;
/// The fields of the demo body's draft that are filled in (the scheme's first ones: its
/// organisation, press and channels); the rest are left for the newcomer.
const SHOWCASE_FILLED: usize = 13;
/// Why the demo analyst returns a report.
const RETURN_COMMENTS: [&str; 3] = [
    "请补充公益宣传活动的证明材料（活动通知、照片或媒体报道）",
    "投诉处理数与投诉受理数不一致，请核对后重新提交",
    "宣传经费与营业收入口径不一致，请按财务报表数据填写",
];

/// The last year the demo's history covers; the current cycle is always a later one.
const LAST_HISTORY_YEAR: i32 = 2025;

/// What the current cycle holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Current {
    /// The year.
    pub year: i32,
    /// When its window opened (UTC).
    pub opens_at: NaiveDateTime,
    /// When it closes (UTC, exclusive).
    pub closes_at: NaiveDateTime,
}

/// The year whose cycle is open now: the current year on the regulator's calendar (never one
/// of the demo's past years, should the clock be set back).
pub fn current_year(ctx: &Ctx) -> i32 {
    ctx.today().year().max(LAST_HISTORY_YEAR + 1)
}

/// The state a body's report is left in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Left {
    NotStarted,
    Draft,
    Submitted,
    Returned,
    Accepted,
}

/// Where a body's report stands a month into the window: most bodies report late in the
/// window, so a third have not started and a fifth are accepted.
fn left(rng: &mut ChaCha8Rng) -> Left {
    match rng.random_range(0..100) {
        0..32 => Left::NotStarted,
        32..52 => Left::Draft,
        52..76 => Left::Submitted,
        76..82 => Left::Returned,
        _ => Left::Accepted,
    }
}

/// The principal of a body's user, as its saves and submissions record it (`user:<id>`, as
/// the earlier years' reports name it).
fn body_user(body: &SyntheticBody, body_id: &str) -> Principal {
    Principal::User {
        id: format!("demo-{}", body.body_id),
        username: body.body_id.clone(),
        role: Role::Body,
        body_id: Some(body_id.to_string()),
    }
}

/// The first `keep` fields of a report (in the scheme's order); the rest left empty.
fn partial(full: &Map<String, Value>, scheme: &Scheme, keep: usize) -> Value {
    Value::Object(
        scheme
            .fields
            .iter()
            .take(keep)
            .filter_map(|f| full.get(&f.name).map(|v| (f.name.clone(), v.clone())))
            .collect(),
    )
}

/// The start of a day on the regulator's calendar: windows open and close at midnight.
fn china_midnight(day: NaiveDate) -> anyhow::Result<DateTime<FixedOffset>> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| REGULATOR_TIMEZONE.from_local_datetime(&t).single())
        .ok_or_else(|| anyhow!("no midnight on {day}"))
}

fn failed(body: &str, e: crate::domain::Error) -> anyhow::Error {
    anyhow!("{body}: {e}")
}

/// Opens the current year's cycle and writes its reports. `showcase` is the body of the demo's
/// body login (`body_login` its principal); `analyst` the demo analyst's.
#[allow(clippy::too_many_arguments)] // the demo's pieces, each needed once
pub fn build(
    conn: &mut DbConn,
    scheme: &Scheme,
    population: &Population,
    ids: &[String],
    seed: u64,
    showcase: &str,
    body_login: &Principal,
    analyst: &Principal,
) -> anyhow::Result<Current> {
    let system = Ctx::system("system:demo");
    let year = current_year(&system);
    let today = system.today();
    let cycle = crate::domain::cycles::create(
        conn,
        &system,
        NewCycle {
            year,
            opens_at: china_midnight(today - Duration::days(OPENED_DAYS_AGO))?,
            closes_at: china_midnight(today + Duration::days(CLOSES_IN_DAYS + 1))?,
            scheme_id: None,
        },
    )
    .map_err(|e| anyhow!("{e}"))?;
    let reports = this_years_reports(scheme, population, year, seed);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC0DE ^ year as u64);
    let reviewer = Ctx::new(analyst.clone(), system.clock.clone());
    // The demo body drafts a report even when the generated year leaves it without one.
    let any_report = reports.iter().flatten().next();
    for ((body, id), report) in population.bodies.iter().zip(ids).zip(&reports) {
        let report = match report {
            Some(r) => r,
            None if id == showcase => match any_report {
                Some(r) => r,
                None => continue,
            },
            None => continue,
        };
        let full = report.to_json(scheme);
        if id == showcase {
            let ctx = Ctx::new(body_login.clone(), system.clock.clone());
            let keep = SHOWCASE_FILLED
                .min(scheme.fields.len().saturating_sub(1))
                .max(1);
            let draft = partial(&full, scheme, keep);
            submissions::save(conn, &ctx, id, year, Precondition::Absent, &draft)
                .map_err(|e| failed(&body.name, e))?;
            continue;
        }
        let state = left(&mut rng);
        if state == Left::NotStarted {
            continue;
        }
        let ctx = Ctx::new(body_user(body, id), system.clock.clone());
        let fields = scheme.fields.len();
        // A draft is often half done.
        let first = if state == Left::Draft && rng.random::<f64>() < 0.6 {
            partial(&full, scheme, rng.random_range(1..fields.max(2)))
        } else {
            Value::Object(full.clone())
        };
        let saved = submissions::save(conn, &ctx, id, year, Precondition::Absent, &first)
            .map_err(|e| failed(&body.name, e))?;
        if state == Left::Draft {
            continue;
        }
        // The year's plausibility flags are computed once, after every report is in.
        submissions::submit_only(
            conn,
            &ctx,
            id,
            year,
            Precondition::Revision(saved.revision.revision),
        )
        .map_err(|e| failed(&body.name, e))?;
        match state {
            Left::Returned => {
                let comment = RETURN_COMMENTS[rng.random_range(0..RETURN_COMMENTS.len())];
                submissions::return_report(conn, &reviewer, id, year, Some(comment.into()))
                    .map_err(|e| failed(&body.name, e))?;
            }
            Left::Accepted => {
                submissions::accept(conn, &reviewer, id, year, None)
                    .map_err(|e| failed(&body.name, e))?;
            }
            _ => {}
        }
    }
    backdate(conn, &cycle, system.now(), seed).map_err(|e| anyhow!(e))?;
    crate::domain::flags::refresh(conn, &system, year).map_err(|e| anyhow!("{e}"))?;
    Ok(Current {
        year,
        opens_at: cycle.opens_at,
        closes_at: cycle.closes_at,
    })
}

/// This year's reports: a body that reported last year reports much the same again (last
/// year's report moved by a few percent, as the demo's history holds it); one in sixty of
/// those inflates a figure — ×20, the budget at a fifth of revenue, or posts far beyond what
/// its staff could write — for the plausibility checks to find; a body without last year's
/// report reports as generated.
fn this_years_reports(
    scheme: &Scheme,
    population: &Population,
    year: i32,
    seed: u64,
) -> Vec<Option<pubeval_scoring::Payload>> {
    use pubeval_scoring::synthetic::perturb::{Inflation, inflate, perturbed};
    const WAYS: [Inflation; 4] = [
        Inflation::Times20("press_releases"),
        Inflation::BudgetShare,
        Inflation::Times20("original_posts"),
        Inflation::PostsPerStaff,
    ];
    let generated = population.year(scheme, year, seed);
    let last = population.year(scheme, year - 1, seed);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x9E27 ^ year as u64);
    generated
        .reports
        .into_iter()
        .zip(last.reports)
        .enumerate()
        .map(|(i, (now, before))| {
            let report = match before {
                Some(before) if now.is_some() => Some(perturbed(scheme, &before, &mut rng)),
                _ => now,
            }?;
            let how = WAYS[(i / 60) % WAYS.len()];
            Some(
                (i % 60 == 30)
                    .then(|| inflate(scheme, &report, how))
                    .flatten()
                    .unwrap_or(report),
            )
        })
        .collect()
}

/// Spreads each body's revisions over the weeks since the window opened, in their order, a
/// few hours to days apart, all before `now`: written in one go, they would all read "just now".
fn backdate(
    conn: &mut DbConn,
    cycle: &Cycle,
    now: NaiveDateTime,
    seed: u64,
) -> diesel::QueryResult<()> {
    use diesel::prelude::*;

    use crate::db::schema::submissions;

    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xDA7E ^ cycle.year as u64);
    write_transaction(conn, |conn| {
        let rows: Vec<(String, String, String)> = submissions::table
            .filter(submissions::year.eq(cycle.year))
            .order((submissions::body_id.asc(), submissions::revision.asc()))
            .select((submissions::id, submissions::body_id, submissions::status))
            .load(conn)?;
        let span = (now - cycle.opens_at).num_minutes().max(60 * 24);
        let mut body = String::new();
        let mut t = cycle.opens_at;
        for (id, body_id, status) in rows {
            if body_id != body {
                body = body_id;
                // The first save leaves room for the steps after it (at most a week).
                t = cycle.opens_at
                    + Duration::minutes(rng.random_range(60..(span - 8 * 24 * 60).max(61)));
            } else {
                let reviewing = SubmissionStatus::parse(&status).is_some_and(|s| {
                    matches!(s, SubmissionStatus::Returned | SubmissionStatus::Accepted)
                });
                let hours = if reviewing { 4..48 } else { 1..24 };
                t += Duration::hours(rng.random_range(hours));
            }
            let at = t.min(now - Duration::minutes(1));
            diesel::update(submissions::table.filter(submissions::id.eq(&id)))
                .set(submissions::created_at.eq(at))
                .execute(conn)?;
        }
        Ok(())
    })
}
