//! Evaluation schemes: the published evaluation system as data, versioned; an active scheme
//! never changes.

use pubeval_scoring::Scheme;

use crate::db::DbConn;
use crate::db::models::scheme::SchemeRow;
use crate::domain::{Error, Result};

/// The parsed scheme with this id. A cycle or evaluation names it, so its absence, or a
/// document that no longer parses, is a fault of the data (500), not of the request.
pub fn scheme_of(conn: &mut DbConn, scheme_id: &str) -> Result<Scheme> {
    SchemeRow::by_id(conn, scheme_id)?
        .ok_or_else(|| Error::internal(format!("missing scheme {scheme_id}")))?
        .parsed()
        .map_err(Error::internal)
}
