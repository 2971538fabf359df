//! Who is acting: a person, an external system, or the platform itself.

pub use super::states::{Role, Scope};

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A person.
    User {
        /// User id.
        id: String,
        /// Username.
        username: String,
        /// Role.
        role: Role,
        /// The body a body user belongs to.
        body_id: Option<String>,
    },
    /// An external system.
    Client {
        /// Row id.
        id: String,
        /// Public client id.
        client_id: String,
        /// Granted scopes.
        scopes: Vec<Scope>,
    },
    /// The platform itself (command line, demo, start-up), with an admin's rights.
    System {
        /// What the audit log records, e.g. `system:cli`.
        name: String,
    },
}

impl Principal {
    /// The actor written to the audit log: `user:<username>`, `client:<client_id>` or the
    /// system's name.
    pub fn actor(&self) -> String {
        match self {
            Principal::User { username, .. } => format!("user:{username}"),
            Principal::Client { client_id, .. } => format!("client:{client_id}"),
            Principal::System { name } => name.clone(),
        }
    }

    /// The role of a person (the system acts as an admin), `None` for a client.
    pub fn role(&self) -> Option<Role> {
        match self {
            Principal::User { role, .. } => Some(*role),
            Principal::System { .. } => Some(Role::Admin),
            Principal::Client { .. } => None,
        }
    }

    /// Whether this is a client holding the scope.
    pub fn has_scope(&self, scope: Scope) -> bool {
        matches!(self, Principal::Client { scopes, .. } if scopes.contains(&scope))
    }

    /// The body a body user is bound to.
    pub fn own_body(&self) -> Option<&str> {
        match self {
            Principal::User {
                role: Role::Body,
                body_id,
                ..
            } => body_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the caller is an admin or an analyst (or the system).
    pub fn is_staff(&self) -> bool {
        matches!(self.role(), Some(Role::Admin | Role::Analyst))
    }
}
