//! Who did something, as a viewer is told it. Records keep the actor as the audit log writes
//! it (`user:<username>`, `client:<id>`, `system:…`); staff see that, bodies and external
//! systems see a role instead of a staff member's username (国家认监委), since a username is
//! an internal detail of the regulator and a name to target (the decision is
//! [`Viewer::actor_name`]).

use std::collections::HashMap;

use crate::db::DbConn;
use crate::db::models::user::User;
use crate::domain::policy::{ActorKind, Viewer};
use crate::domain::{Result, Role};

/// Names the actors of one answer for one viewer, looking each username up once.
#[derive(Debug)]
pub struct ActorNames {
    viewer: Viewer,
    known: HashMap<String, String>,
}

impl ActorNames {
    /// Names for this viewer.
    pub fn new(viewer: Viewer) -> ActorNames {
        ActorNames {
            viewer,
            known: HashMap::new(),
        }
    }

    /// The name of `actor` as the viewer is told it (staff: as recorded, with no lookup).
    pub fn name(&mut self, conn: &mut DbConn, actor: &str) -> Result<String> {
        if self.viewer.is_staff() {
            return Ok(actor.to_string());
        }
        if let Some(name) = self.known.get(actor) {
            return Ok(name.clone());
        }
        let kind = kind_of(conn, actor)?;
        let name = self.viewer.actor_name(actor, &kind);
        self.known.insert(actor.to_string(), name.clone());
        Ok(name)
    }

    /// [`ActorNames::name`] of an optional actor.
    pub fn name_opt(&mut self, conn: &mut DbConn, actor: Option<&str>) -> Result<Option<String>> {
        actor.map(|a| self.name(conn, a)).transpose()
    }
}

/// What kind of actor a recorded actor is: a body user by their user row; an external system
/// by its prefix; anyone else (staff, the platform, a user since removed) counts as staff, so
/// that a name never leaks for want of a row.
fn kind_of(conn: &mut DbConn, actor: &str) -> Result<ActorKind> {
    if actor.starts_with("client:") {
        return Ok(ActorKind::Client);
    }
    let Some(username) = actor.strip_prefix("user:") else {
        return Ok(ActorKind::Staff);
    };
    Ok(match User::by_username(conn, username)? {
        // A body user bound to no body is still not staff: named as some body's user.
        Some(u) if Role::from_code(&u.role) == Some(Role::Body) => {
            ActorKind::BodyUser(u.body_id.unwrap_or_default())
        }
        _ => ActorKind::Staff,
    })
}
