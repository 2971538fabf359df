//! Plausible registry, reports and incidents written straight into a database: the demo's
//! history and the evaluation benchmark's input. Everything derives from a seed.

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone};
use pubeval_scoring::Scheme;
use pubeval_scoring::incident::REGULATOR_TIMEZONE;
use pubeval_scoring::synthetic::{Population, SyntheticYear};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::db::models::body::Body;
use crate::db::models::cycle::Cycle;
use crate::db::models::incident::IncidentRow;
use crate::db::models::submission::Revision;
use crate::db::models::{new_id, now};
use crate::db::{DbConn, write_transaction};
use crate::domain::TextEnum;
use crate::domain::states::{BodyStatus, IncidentSource, SubmissionStatus};

/// Midnight of a date in China Standard Time, as a UTC timestamp.
fn china_midnight(y: i32, m: u32, d: u32) -> NaiveDateTime {
    let date = NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    REGULATOR_TIMEZONE
        .from_local_datetime(&date)
        .single()
        .map_or(date, |t| t.naive_utc())
}

/// Registers the population's bodies; their database ids in population order.
pub fn insert_bodies(
    conn: &mut DbConn,
    population: &Population,
) -> diesel::QueryResult<Vec<String>> {
    write_transaction(conn, |conn| {
        let at = now();
        let mut ids = Vec::with_capacity(population.bodies.len());
        for b in &population.bodies {
            let body = Body {
                id: new_id(),
                approval_no: b.approval_no.clone(),
                name: b.name.clone(),
                category: b.category.code().to_string(),
                province: b.province.to_string(),
                approved_on: b.approved_on,
                status: BodyStatus::Active.as_str().to_string(),
                status_changed_on: None,
                created_at: at,
                updated_at: at,
            };
            body.insert(conn)?;
            ids.push(body.id);
        }
        Ok(ids)
    })
}

/// What one year wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct YearWritten {
    /// Reports submitted.
    pub reports: usize,
    /// Incidents recorded.
    pub incidents: usize,
}

/// Writes year `year`: its cycle (1 January to 31 March of the next year, China Standard
/// Time), each body's report as the revisions a real body would leave (drafts, a submission,
/// sometimes a return and a resubmission, mostly an acceptance) and the year's incidents.
pub fn insert_year(
    conn: &mut DbConn,
    scheme: &Scheme,
    scheme_id: &str,
    population: &Population,
    ids: &[String],
    year: i32,
    seed: u64,
) -> diesel::QueryResult<YearWritten> {
    let synthetic: SyntheticYear = population.year(scheme, year, seed);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED ^ year as u64);
    let opens = china_midnight(year + 1, 1, 1);
    let closes = china_midnight(year + 1, 4, 1);
    let window_minutes = (closes - opens).num_minutes();
    write_transaction(conn, |conn| {
        let at = now();
        Cycle {
            id: new_id(),
            year,
            scheme_id: scheme_id.to_string(),
            opens_at: opens,
            closes_at: closes,
            created_at: at,
            updated_at: at,
        }
        .insert(conn)?;
        let mut written = YearWritten::default();
        for ((body, id), report) in population.bodies.iter().zip(ids).zip(&synthetic.reports) {
            let Some(payload) = report else { continue };
            let payload = serde_json::Value::Object(payload.to_json(scheme)).to_string();
            let actor = format!("user:{}", body.body_id);
            let mut t =
                opens + Duration::minutes(rng.random_range(60..window_minutes - 3 * 24 * 60));
            let mut revision = 0;
            let mut push = |status: SubmissionStatus,
                            comment: Option<&str>,
                            actor: &str,
                            t: NaiveDateTime|
             -> diesel::QueryResult<()> {
                revision += 1;
                Revision {
                    id: new_id(),
                    body_id: id.clone(),
                    year,
                    revision,
                    status: status.as_str().to_string(),
                    payload: payload.clone(),
                    comment: comment.map(str::to_string),
                    actor: actor.to_string(),
                    created_at: t,
                }
                .insert(conn)
            };
            push(SubmissionStatus::Draft, None, &actor, t)?;
            t += Duration::hours(rng.random_range(2..72));
            push(SubmissionStatus::Submitted, None, &actor, t)?;
            let roll: f64 = rng.random();
            if roll < 0.06 {
                t += Duration::hours(rng.random_range(4..48));
                push(
                    SubmissionStatus::Returned,
                    Some("请补充公益宣传活动的证明材料"),
                    "user:analyst",
                    t,
                )?;
                t += Duration::hours(rng.random_range(4..24));
                push(SubmissionStatus::Draft, None, &actor, t)?;
                t += Duration::hours(1);
                push(SubmissionStatus::Submitted, None, &actor, t)?;
            }
            if roll < 0.85 {
                t += Duration::hours(rng.random_range(4..96));
                push(SubmissionStatus::Accepted, None, "user:analyst", t)?;
            }
            written.reports += 1;
        }
        let by_synthetic: std::collections::HashMap<&str, &String> = population
            .bodies
            .iter()
            .map(|b| b.body_id.as_str())
            .zip(ids)
            .collect();
        for incident in &synthetic.incidents {
            let Some(id) = by_synthetic.get(incident.body_id.as_str()) else {
                continue;
            };
            let self_reported = incident.reported_at.is_some() && rng.random::<f64>() < 0.8;
            let occurred = incident.occurred_at.naive_utc();
            IncidentRow {
                id: new_id(),
                body_id: (*id).clone(),
                kind: incident.kind.clone(),
                severity: incident.severity.clone(),
                occurred_at: occurred,
                reported_at: incident.reported_at.map(|t| t.naive_utc()),
                source: if self_reported {
                    IncidentSource::SelfReport
                } else {
                    IncidentSource::Analyst
                }
                .as_str()
                .to_string(),
                description: describe(&incident.kind).to_string(),
                evidence: None,
                recorded_by: if self_reported {
                    format!("user:{}", incident.body_id)
                } else {
                    "user:analyst".into()
                },
                created_at: incident
                    .reported_at
                    .map_or(occurred + Duration::days(20), |t| t.naive_utc()),
                voided_at: None,
                void_reason: None,
                voided_by: None,
            }
            .insert(conn)?;
            written.incidents += 1;
        }
        Ok(written)
    })
}

/// Writes year `year`'s cycle (as [`insert_year`] does) and one submitted revision per given
/// report, by the body at the same position in `ids`: the plausibility tests' and benchmark's
/// set-up, where the reports are made to order (perturbed from another year, inflated).
pub fn insert_reports(
    conn: &mut DbConn,
    scheme: &Scheme,
    scheme_id: &str,
    ids: &[String],
    year: i32,
    reports: &[Option<pubeval_scoring::Payload>],
) -> diesel::QueryResult<usize> {
    let opens = china_midnight(year + 1, 1, 1);
    let closes = china_midnight(year + 1, 4, 1);
    write_transaction(conn, |conn| {
        let at = now();
        Cycle {
            id: new_id(),
            year,
            scheme_id: scheme_id.to_string(),
            opens_at: opens,
            closes_at: closes,
            created_at: at,
            updated_at: at,
        }
        .insert(conn)?;
        let mut written = 0;
        for (id, report) in ids.iter().zip(reports) {
            let Some(payload) = report else { continue };
            Revision {
                id: new_id(),
                body_id: id.clone(),
                year,
                revision: 1,
                status: SubmissionStatus::Submitted.as_str().to_string(),
                payload: serde_json::Value::Object(payload.to_json(scheme)).to_string(),
                comment: None,
                actor: "user:generated".to_string(),
                created_at: opens + Duration::days(1),
            }
            .insert(conn)?;
            written += 1;
        }
        Ok(written)
    })
}

fn describe(kind: &str) -> &'static str {
    match kind {
        "major_event" => "认证活动相关突发事件，引发媒体关注",
        "negative_opinion" => "网络出现涉及本机构认证结果的负面舆情",
        "unauthorized_release" => "未经审核对外发布涉及认证结果的信息",
        "administrative_penalty" => "因认证活动不规范受到行政处罚",
        "secret_leak" => "宣传材料泄露客户商业秘密",
        "false_publicity" => "宣传中使用未获认证的标志",
        "paid_deletion" => "委托第三方有偿删除负面帖文",
        _ => "事件",
    }
}

/// Moves a finished year's process back to when it would really have happened: evaluated in
/// April of the next year, final in May, notices issued then (numbered in that year, in the
/// order they were issued), deadlines 30 days later — so that the warnings still open are
/// overdue, as they would be. The audit log keeps the true times of the demo's own actions.
pub fn backdate_year(conn: &mut DbConn, evaluation_id: &str, year: i32) -> diesel::QueryResult<()> {
    use diesel::prelude::*;

    use crate::db::models::warning::notice_no;
    use crate::db::schema::{evaluations, warning_events, warnings};

    let at = |m: u32, d: u32| china_midnight(year + 1, m, d) + Duration::hours(10);
    write_transaction(conn, |conn| {
        diesel::update(evaluations::table.filter(evaluations::id.eq(evaluation_id)))
            .set((
                evaluations::started_at.eq(at(4, 10)),
                evaluations::finished_at.eq(at(4, 10) + Duration::minutes(2)),
                evaluations::published_at.eq(at(4, 15)),
                evaluations::objection_deadline.eq(at(4, 22)),
                evaluations::finalized_at.eq(at(5, 6)),
            ))
            .execute(conn)?;
        let issued_on = NaiveDate::from_ymd_opt(year + 1, 5, 20).unwrap_or_default();
        let issued: Vec<(String, i32)> = warnings::table
            .filter(warnings::evaluation_id.eq(evaluation_id))
            .filter(warnings::notice_seq.is_not_null())
            .order(warnings::notice_seq.asc())
            .select((warnings::id, warnings::notice_seq.assume_not_null()))
            .load(conn)?;
        // Free this year's numbers first, so renumbering never collides with itself.
        for (id, _) in &issued {
            diesel::update(warnings::table.filter(warnings::id.eq(id)))
                .set((
                    warnings::notice_no.eq(None::<String>),
                    warnings::notice_year.eq(None::<i32>),
                    warnings::notice_seq.eq(None::<i32>),
                ))
                .execute(conn)?;
        }
        for (seq, (id, _)) in issued.iter().enumerate() {
            let seq = seq as i32 + 1;
            diesel::update(warnings::table.filter(warnings::id.eq(id)))
                .set((
                    warnings::notice_no.eq(notice_no(year + 1, seq)),
                    warnings::notice_year.eq(year + 1),
                    warnings::notice_seq.eq(seq),
                    warnings::issued_on.eq(issued_on),
                    warnings::deadline.eq(issued_on + Duration::days(30)),
                ))
                .execute(conn)?;
        }
        let ids: Vec<String> = warnings::table
            .filter(warnings::evaluation_id.eq(evaluation_id))
            .select(warnings::id)
            .load(conn)?;
        for id in ids {
            let events: Vec<String> = warning_events::table
                .filter(warning_events::warning_id.eq(&id))
                .order(warning_events::at.asc())
                .select(warning_events::id)
                .load(conn)?;
            for (k, event) in events.iter().enumerate() {
                diesel::update(warning_events::table.filter(warning_events::id.eq(event)))
                    .set(warning_events::at.eq(at(5, 20) + Duration::days(10 * k as i64)))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}
