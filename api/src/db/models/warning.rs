//! Risk warnings (风险警示) and their history: drafts are created when an evaluation is
//! finalized; analysts issue (with a notice number 认宣警〔YYYY〕N号), withdraw, send back, close
//! and escalate; the body acknowledges and submits its rectification. Every transition is a row
//! of `warning_events` (DESIGN.md §3, SCHEME.md §5).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{bodies, evaluations, warning_events, warnings};
use crate::db::{DbConn, MultiBackend};
use crate::states::{TextEnum, WarningStatus};

/// The PostgreSQL advisory lock that serialises the numbering of notices (SQLite's immediate
/// transactions already are serial).
const NOTICE_LOCK: i64 = 3_232_035;

/// A warning row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = warnings)]
pub struct WarningRow {
    /// Id.
    pub id: String,
    /// The evaluation it comes from.
    pub evaluation_id: String,
    /// The body warned.
    pub body_id: String,
    /// Level 1 (提示), 2 (警示) or 3 (严重警示).
    pub level: i32,
    /// The rule codes triggered, as a JSON array of strings (SCHEME.md §5 order).
    pub reasons: String,
    /// The findings with evidence and articles, as a JSON array.
    pub findings: String,
    /// A [`WarningStatus`] code.
    pub status: String,
    /// 1 when every rule depends on grade or total and the body is borderline (SCHEME.md §6):
    /// issuing needs a written confirmation.
    pub review_required: i32,
    /// 认宣警〔YYYY〕N号, once issued.
    pub notice_no: Option<String>,
    /// The year of the notice number.
    pub notice_year: Option<i32>,
    /// The sequence of the notice number within its year.
    pub notice_seq: Option<i32>,
    /// Issued on (China Standard Time).
    pub issued_on: Option<NaiveDate>,
    /// Rectification deadline.
    pub deadline: Option<NaiveDate>,
    /// Staff-only note (the confirmation of a warning issued after review).
    pub internal_note: Option<String>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// One transition of a warning.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = warning_events)]
pub struct WarningEvent {
    /// Id.
    pub id: String,
    /// The warning.
    pub warning_id: String,
    /// Status before.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Who (the audit actor).
    pub actor: String,
    /// The reason, comment, confirmation or rectification report.
    pub text: Option<String>,
    /// When.
    pub at: NaiveDateTime,
}

/// A warning with what lists show beside it: its evaluation's year and its body.
#[derive(Debug, Clone)]
pub struct WarningListing {
    /// The warning.
    pub warning: WarningRow,
    /// The evaluation year.
    pub year: i32,
    /// The body's approval number.
    pub approval_no: String,
    /// The body's name.
    pub name: String,
}

/// Filters of the warning list.
#[derive(Debug, Clone, Default)]
pub struct WarningFilter {
    /// Only this evaluation.
    pub evaluation_id: Option<String>,
    /// Only this body.
    pub body_id: Option<String>,
    /// Only this status.
    pub status: Option<WarningStatus>,
    /// Only this level.
    pub level: Option<i32>,
    /// Only warnings of evaluations of this year.
    pub year: Option<i32>,
    /// Only these statuses (what the caller may see); `None` for all.
    pub visible: Option<Vec<WarningStatus>>,
    /// Only overdue warnings (`Some(true)`) or only those not overdue (`Some(false)`), as of
    /// the date given (China Standard Time).
    pub overdue: Option<(bool, NaiveDate)>,
}

/// What issuing a warning sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issuance {
    /// The year of issue (China Standard Time), the year of the notice number.
    pub year: i32,
    /// The sequence of the notice number within `year`, from 1.
    pub seq: i32,
    /// Issued on (China Standard Time).
    pub issued_on: NaiveDate,
    /// Rectification deadline.
    pub deadline: NaiveDate,
}

/// The notice number 认宣警〔YYYY〕N号 (NOTICE.md).
pub fn notice_no(year: i32, seq: i32) -> String {
    format!("认宣警〔{year}〕{seq}号")
}

impl WarningRow {
    /// The warning with this id.
    pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<WarningRow>> {
        warnings::table
            .filter(warnings::id.eq(id))
            .select(WarningRow::as_select())
            .first(conn)
            .optional()
    }

    /// Inserts a warning.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(warnings::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// The rule codes.
    pub fn reason_codes(&self) -> Vec<String> {
        serde_json::from_str(&self.reasons).unwrap_or_default()
    }

    /// Whether it is overdue on `today` (China Standard Time): issued or acknowledged, and
    /// `today` after the deadline.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        WarningStatus::parse(&self.status)
            .is_some_and(|s| WarningStatus::AWAITING_BODY.contains(&s))
            && self.deadline.is_some_and(|d| today > d)
    }

    /// The issued (or later) warnings of an evaluation, in notice-number order.
    pub fn published_of_evaluation(
        conn: &mut DbConn,
        evaluation_id: &str,
    ) -> QueryResult<Vec<WarningRow>> {
        warnings::table
            .filter(warnings::evaluation_id.eq(evaluation_id))
            .filter(warnings::status.eq_any(codes(&WarningStatus::PUBLISHED)))
            .order((warnings::notice_year.asc(), warnings::notice_seq.asc()))
            .select(WarningRow::as_select())
            .load(conn)
    }

    /// The body and status of each issued (or later) warning of an evaluation: what a reader's
    /// view of the results needs ([`crate::domain::evaluations::WarningLens`]), without the
    /// findings and notice text of each.
    pub fn published_bodies_of_evaluation(
        conn: &mut DbConn,
        evaluation_id: &str,
    ) -> QueryResult<Vec<(String, String)>> {
        warnings::table
            .filter(warnings::evaluation_id.eq(evaluation_id))
            .filter(warnings::status.eq_any(codes(&WarningStatus::PUBLISHED)))
            .select((warnings::body_id, warnings::status))
            .load(conn)
    }

    /// The warning with this id, with its evaluation's year and its body.
    pub fn listing_by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<WarningListing>> {
        let filter = WarningFilter::default();
        let row = listing_query(&filter)
            .filter(warnings::id.eq(id.to_string()))
            .select((
                WarningRow::as_select(),
                evaluations::year,
                bodies::approval_no,
                bodies::name,
            ))
            .first::<(WarningRow, i32, String, String)>(conn)
            .optional()?;
        Ok(row.map(listing))
    }

    /// A page of warnings (latest evaluation year first, then highest level, then approval
    /// number), with the total count.
    pub fn page(
        conn: &mut DbConn,
        filter: &WarningFilter,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<WarningListing>, i64)> {
        let total = listing_query(filter).count().get_result(conn)?;
        let rows = listing_query(filter)
            .order((
                evaluations::year.desc(),
                warnings::level.desc(),
                bodies::approval_no.asc(),
                warnings::id.asc(),
            ))
            .offset(offset)
            .limit(limit)
            .select((
                WarningRow::as_select(),
                evaluations::year,
                bodies::approval_no,
                bodies::name,
            ))
            .load::<(WarningRow, i32, String, String)>(conn)?;
        Ok((rows.into_iter().map(listing).collect(), total))
    }

    /// The next sequence of a notice number in `year`: one more than the highest ever given
    /// (numbers are never reused). Call it inside the write transaction that issues; on
    /// PostgreSQL it first takes an advisory lock held until that transaction ends.
    pub fn next_notice_seq(conn: &mut DbConn, year: i32) -> QueryResult<i32> {
        if let DbConn::Postgres(_) = conn {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({NOTICE_LOCK})"))
                .execute(conn)?;
        }
        let max: Option<i32> = warnings::table
            .filter(warnings::notice_year.eq(year))
            .select(diesel::dsl::max(warnings::notice_seq))
            .first(conn)?;
        Ok(max.unwrap_or(0) + 1)
    }

    /// Issues a draft with its notice number, dates and optional staff-only note; the rows
    /// changed (0 when it is no longer a draft).
    pub fn issue(
        conn: &mut DbConn,
        id: &str,
        issuance: &Issuance,
        internal_note: Option<&str>,
        at: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            warnings::table
                .filter(warnings::id.eq(id))
                .filter(warnings::status.eq(WarningStatus::Draft.as_str())),
        )
        .set((
            warnings::status.eq(WarningStatus::Issued.as_str()),
            warnings::notice_no.eq(Some(notice_no(issuance.year, issuance.seq))),
            warnings::notice_year.eq(Some(issuance.year)),
            warnings::notice_seq.eq(Some(issuance.seq)),
            warnings::issued_on.eq(Some(issuance.issued_on)),
            warnings::deadline.eq(Some(issuance.deadline)),
            warnings::internal_note.eq(internal_note),
            warnings::updated_at.eq(at),
        ))
        .execute(conn)
    }

    /// Moves a warning from status `from` to `to`; the rows changed (0 when its status is no
    /// longer `from`).
    pub fn set_status(
        conn: &mut DbConn,
        id: &str,
        from: WarningStatus,
        to: WarningStatus,
        at: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            warnings::table
                .filter(warnings::id.eq(id))
                .filter(warnings::status.eq(from.as_str())),
        )
        .set((
            warnings::status.eq(to.as_str()),
            warnings::updated_at.eq(at),
        ))
        .execute(conn)
    }
}

impl WarningEvent {
    /// Inserts an event.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(warning_events::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// The history of a warning, oldest first.
    pub fn of_warning(conn: &mut DbConn, warning_id: &str) -> QueryResult<Vec<WarningEvent>> {
        warning_events::table
            .filter(warning_events::warning_id.eq(warning_id))
            .order((warning_events::at.asc(), warning_events::id.asc()))
            .select(WarningEvent::as_select())
            .load(conn)
    }
}

fn listing(
    (warning, year, approval_no, name): (WarningRow, i32, String, String),
) -> WarningListing {
    WarningListing {
        warning,
        year,
        approval_no,
        name,
    }
}

/// Warnings joined with their evaluation and body.
type Joined = diesel::dsl::InnerJoinOn<
    diesel::dsl::InnerJoinOn<
        warnings::table,
        evaluations::table,
        diesel::dsl::Eq<evaluations::id, warnings::evaluation_id>,
    >,
    bodies::table,
    diesel::dsl::Eq<bodies::id, warnings::body_id>,
>;

/// Warnings joined with their evaluation and body, filtered.
fn listing_query(filter: &WarningFilter) -> diesel::dsl::IntoBoxed<'static, Joined, MultiBackend> {
    let mut q = warnings::table
        .inner_join(evaluations::table.on(evaluations::id.eq(warnings::evaluation_id)))
        .inner_join(bodies::table.on(bodies::id.eq(warnings::body_id)))
        .into_boxed();
    if let Some(e) = &filter.evaluation_id {
        q = q.filter(warnings::evaluation_id.eq(e.clone()));
    }
    if let Some(b) = &filter.body_id {
        q = q.filter(warnings::body_id.eq(b.clone()));
    }
    if let Some(s) = filter.status {
        q = q.filter(warnings::status.eq(s.as_str()));
    }
    if let Some(l) = filter.level {
        q = q.filter(warnings::level.eq(l));
    }
    if let Some(y) = filter.year {
        q = q.filter(evaluations::year.eq(y));
    }
    if let Some(visible) = &filter.visible {
        q = q.filter(warnings::status.eq_any(codes(visible)));
    }
    if let Some((overdue, today)) = filter.overdue {
        let awaiting = warnings::status
            .eq_any(codes(&WarningStatus::AWAITING_BODY))
            .and(warnings::deadline.lt(today));
        q = if overdue {
            q.filter(awaiting)
        } else {
            q.filter(diesel::dsl::not(awaiting.assume_not_null()))
        };
    }
    q
}

/// The stored codes of some statuses.
fn codes(statuses: &[WarningStatus]) -> Vec<&'static str> {
    statuses.iter().map(|s| s.as_str()).collect()
}
