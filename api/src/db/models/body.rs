//! Certification bodies (认证机构): the registry.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::states::TextEnum;

use crate::db::DbConn;
use crate::db::schema::bodies;

/// A body row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = bodies)]
pub struct Body {
    /// Id.
    pub id: String,
    /// Approval number (批准号), unique.
    pub approval_no: String,
    /// Name.
    pub name: String,
    /// Category code.
    pub category: String,
    /// Province.
    pub province: String,
    /// Approved on.
    pub approved_on: NaiveDate,
    /// `active`, `suspended` or `revoked`.
    pub status: String,
    /// When the status last changed.
    pub status_changed_on: Option<NaiveDate>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// Filters of the body list.
#[derive(Debug, Clone, Default)]
pub struct BodyFilter {
    /// Only this category.
    pub category: Option<String>,
    /// Only this province.
    pub province: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Name or approval number containing this text.
    pub text: Option<String>,
    /// Only this body (a body user's view).
    pub only: Option<String>,
}

impl Body {
    /// Whether the year-`year` evaluation expects a body: approved by 31 December of the year and
    /// not revoked before 1 January of it (DESIGN.md §3).
    pub fn expected_in(&self, year: i32) -> bool {
        let (Some(end), Some(start)) = (
            NaiveDate::from_ymd_opt(year, 12, 31),
            NaiveDate::from_ymd_opt(year, 1, 1),
        ) else {
            return false;
        };
        let revoked_before = self.status == crate::states::BodyStatus::Revoked.as_str()
            && self.status_changed_on.is_some_and(|d| d < start);
        self.approved_on <= end && !revoked_before
    }

    /// The body with this id.
    pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<Body>> {
        bodies::table
            .filter(bodies::id.eq(id))
            .select(Body::as_select())
            .first(conn)
            .optional()
    }

    /// Every body's category and province by id: the peer groups of plausibility checks.
    pub fn groups(
        conn: &mut DbConn,
    ) -> QueryResult<std::collections::HashMap<String, (String, String)>> {
        let rows: Vec<(String, String, String)> = bodies::table
            .select((bodies::id, bodies::category, bodies::province))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(id, category, province)| (id, (category, province)))
            .collect())
    }

    /// The body with this approval number.
    pub fn by_approval_no(conn: &mut DbConn, approval_no: &str) -> QueryResult<Option<Body>> {
        bodies::table
            .filter(bodies::approval_no.eq(approval_no))
            .select(Body::as_select())
            .first(conn)
            .optional()
    }

    /// Every body of the registry (an import looks rows up by approval number).
    pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Body>> {
        bodies::table.select(Body::as_select()).load(conn)
    }

    /// Inserts a body.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(bodies::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// Writes every column of the row back.
    pub fn save(&self, conn: &mut DbConn) -> QueryResult<usize> {
        diesel::update(bodies::table.filter(bodies::id.eq(&self.id)))
            .set(self)
            .execute(conn)
    }

    /// A page of bodies in approval-number order, with the total count.
    pub fn page(
        conn: &mut DbConn,
        filter: &BodyFilter,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<Body>, i64)> {
        let query = || {
            let mut q = bodies::table.into_boxed();
            if let Some(c) = &filter.category {
                q = q.filter(bodies::category.eq(c.clone()));
            }
            if let Some(p) = &filter.province {
                q = q.filter(bodies::province.eq(p.clone()));
            }
            if let Some(s) = &filter.status {
                q = q.filter(bodies::status.eq(s.clone()));
            }
            if let Some(id) = &filter.only {
                q = q.filter(bodies::id.eq(id.clone()));
            }
            if let Some(t) = &filter.text {
                let pattern = format!(
                    "%{}%",
                    t.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                );
                q = q.filter(
                    bodies::name
                        .like(pattern.clone())
                        .escape('\\')
                        .or(bodies::approval_no.like(pattern).escape('\\')),
                );
            }
            q
        };
        let total = query().count().get_result(conn)?;
        let items = query()
            .order(bodies::approval_no.asc())
            .offset(offset)
            .limit(limit)
            .select(Body::as_select())
            .load(conn)?;
        Ok((items, total))
    }
}
