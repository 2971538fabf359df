//! The access policy (DESIGN.md §4), in one place. Route-level rules are the marker types a
//! route names in its signature (`Auth<Staff>`); the decisions that depend on data — a body
//! user's own body, a client's final-only view, the fields only staff see — are
//! [`Viewer`]'s methods, used by every use case.

use super::error::{Error, Noun, Result};
use super::principal::{Principal, Role, Scope};
use super::states::{EvaluationStatus, WarningStatus};

/// A rule about who may call a route at all.
pub trait Policy {
    /// Whether the principal passes.
    fn allows(principal: &Principal) -> bool;
}

/// Admins only.
pub struct AdminOnly;
/// Admins and analysts.
pub struct Staff;
/// Any person (admin, analyst, body user).
pub struct AnyUser;
/// Anyone with a valid token, person or client.
pub struct Anyone;
/// Staff, body users (their own body, decided by [`Viewer`]) and clients with `bodies:read`.
pub struct BodiesReader;
/// Admins and body users, a body user only for its own body (decided by [`Viewer`]): who
/// writes a body's own report and self-reports its incidents.
pub struct BodyOrAdmin;
/// Staff, body users and clients with `results:read`: who reads evaluations and results.
pub struct ResultsReader;
/// Staff, body users and clients with `warnings:read`: who reads warnings and notices.
pub struct WarningsReader;
/// Staff and clients with `results:read`: who reads rankings, charts and the annual report.
pub struct ReportsReader;

impl Policy for AdminOnly {
    fn allows(p: &Principal) -> bool {
        p.role() == Some(Role::Admin)
    }
}
impl Policy for Staff {
    fn allows(p: &Principal) -> bool {
        p.is_staff()
    }
}
impl Policy for AnyUser {
    fn allows(p: &Principal) -> bool {
        p.role().is_some()
    }
}
impl Policy for Anyone {
    fn allows(_: &Principal) -> bool {
        true
    }
}
impl Policy for BodyOrAdmin {
    fn allows(p: &Principal) -> bool {
        matches!(p.role(), Some(Role::Admin | Role::Body))
    }
}
impl Policy for BodiesReader {
    fn allows(p: &Principal) -> bool {
        p.role().is_some() || p.has_scope(Scope::BodiesRead)
    }
}
impl Policy for ResultsReader {
    fn allows(p: &Principal) -> bool {
        p.role().is_some() || p.has_scope(Scope::ResultsRead)
    }
}
impl Policy for WarningsReader {
    fn allows(p: &Principal) -> bool {
        p.role().is_some() || p.has_scope(Scope::WarningsRead)
    }
}
impl Policy for ReportsReader {
    fn allows(p: &Principal) -> bool {
        p.is_staff() || p.has_scope(Scope::ResultsRead)
    }
}

/// How every action of staff (or of the platform itself) is named to bodies and external
/// clients: the regulator, never a person's username.
pub const STAFF_ACTOR: &str = "国家认监委";

/// How an action of another body's user is named to whoever may not know that body's users.
pub const BODY_ACTOR: &str = "认证机构";

/// How an action of an external system is named to anyone but staff.
pub const CLIENT_ACTOR: &str = "外部系统";

/// Who did something, as far as naming them to a viewer goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorKind {
    /// An admin, an analyst or the platform itself.
    Staff,
    /// A user of this body.
    BodyUser(String),
    /// An external system.
    Client,
}

/// Which risk warnings a viewer reading results sees beside them (a result's `warning` and
/// its level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultWarnings {
    /// Every warning the scheme's rules triggered, whatever became of it: staff.
    All,
    /// Only those of warnings issued (or later) that the viewer may read as warnings: body
    /// users (their own) and `warnings:read` clients; a draft or withdrawn warning reads as
    /// none.
    Issued,
    /// None, not even the level: clients without `warnings:read`.
    None,
}

/// The caller as the data-dependent decisions see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// Admins and analysts (and the system): everything.
    Staff,
    /// A body user: its own body only (`None` when bound to no body: nothing).
    Body(Option<String>),
    /// An external system with its scopes.
    Client(Vec<Scope>),
}

impl Viewer {
    /// The viewer a principal is.
    pub fn of(principal: &Principal) -> Viewer {
        match principal {
            Principal::Client { scopes, .. } => Viewer::Client(scopes.clone()),
            p if p.is_staff() => Viewer::Staff,
            p => Viewer::Body(p.own_body().map(str::to_string)),
        }
    }

    /// Whether this is staff.
    pub fn is_staff(&self) -> bool {
        *self == Viewer::Staff
    }

    /// A page only staff work on (the console's cycle and body pages): anyone else is told it
    /// does not exist (404), as another body's data is.
    pub fn staff_page(&self) -> Result<()> {
        if self.is_staff() {
            Ok(())
        } else {
            Err(Error::not_found(Noun::Route))
        }
    }

    /// The body a body user may see, `None` for staff and clients.
    pub fn own_body(&self) -> Option<&str> {
        match self {
            Viewer::Body(b) => b.as_deref(),
            _ => None,
        }
    }

    /// Whether a client holds the scope.
    pub fn has_scope(&self, scope: Scope) -> bool {
        matches!(self, Viewer::Client(scopes) if scopes.contains(&scope))
    }

    /// A body's own data (reports, incidents, results, warnings): staff, or the body's own
    /// users; anyone else is told it does not exist (404).
    pub fn body_data(&self, body_id: &str) -> Result<()> {
        match self {
            Viewer::Staff => Ok(()),
            Viewer::Body(Some(own)) if own == body_id => Ok(()),
            _ => Err(Error::not_found(Noun::Body)),
        }
    }

    /// A body's registry entry: staff, its own users and clients with `bodies:read`.
    pub fn body_entry(&self, body_id: &str) -> Result<()> {
        match self {
            Viewer::Client(_) if self.has_scope(Scope::BodiesRead) => Ok(()),
            Viewer::Client(_) => Err(Error::forbidden()),
            _ => self.body_data(body_id),
        }
    }

    /// Who reads evaluations at all: a client needs `results:read` (403 otherwise).
    pub fn results_reader(&self) -> Result<()> {
        match self {
            Viewer::Client(_) if !self.has_scope(Scope::ResultsRead) => Err(Error::forbidden()),
            _ => Ok(()),
        }
    }

    /// Whether an evaluation in this state is visible: staff always; a body user once in
    /// public notice or final; a `results:read` client once final.
    pub fn sees_evaluation(&self, status: EvaluationStatus) -> bool {
        match self {
            Viewer::Staff => true,
            Viewer::Body(_) => matches!(
                status,
                EvaluationStatus::PublicNotice | EvaluationStatus::Final
            ),
            Viewer::Client(_) => {
                self.has_scope(Scope::ResultsRead) && status == EvaluationStatus::Final
            }
        }
    }

    /// The evaluation states this viewer may list (`None`: all).
    pub fn visible_evaluation_states(&self) -> Option<Vec<EvaluationStatus>> {
        match self {
            Viewer::Staff => None,
            _ => Some(
                <EvaluationStatus as super::states::TextEnum>::ALL
                    .iter()
                    .copied()
                    .filter(|s| self.sees_evaluation(*s))
                    .collect(),
            ),
        }
    }

    /// Rankings, charts and the annual report: staff; a `results:read` client once final (404
    /// before); body users and other clients are refused (403).
    pub fn reports(&self, status: EvaluationStatus) -> Result<()> {
        match self {
            Viewer::Staff => Ok(()),
            Viewer::Client(_) if self.has_scope(Scope::ResultsRead) => {
                if status == EvaluationStatus::Final {
                    Ok(())
                } else {
                    Err(Error::not_found(Noun::Evaluation))
                }
            }
            _ => Err(Error::forbidden()),
        }
    }

    /// Who reads warnings at all: a client needs `warnings:read` (403 otherwise).
    pub fn warnings_reader(&self) -> Result<()> {
        match self {
            Viewer::Client(_) if !self.has_scope(Scope::WarningsRead) => Err(Error::forbidden()),
            _ => Ok(()),
        }
    }

    /// Whether a warning of this body in this state is visible: staff always; the body's own
    /// users and `warnings:read` clients once issued.
    pub fn sees_warning(&self, body_id: &str, status: WarningStatus) -> bool {
        match self {
            Viewer::Staff => true,
            Viewer::Body(own) => status.is_published() && own.as_deref() == Some(body_id),
            Viewer::Client(_) => self.has_scope(Scope::WarningsRead) && status.is_published(),
        }
    }

    /// Whether internal fields (analysts' notes, staff usernames) are shown.
    pub fn sees_internal(&self) -> bool {
        self.is_staff()
    }

    /// Which warnings appear beside the results this viewer reads (results, rankings, a
    /// body's history): warnings are for staff, the body and `warnings:read` clients, and to
    /// anyone but staff only once issued (DESIGN.md §4).
    pub fn result_warnings(&self) -> ResultWarnings {
        match self {
            Viewer::Staff => ResultWarnings::All,
            Viewer::Body(_) => ResultWarnings::Issued,
            Viewer::Client(_) if self.has_scope(Scope::WarningsRead) => ResultWarnings::Issued,
            Viewer::Client(_) => ResultWarnings::None,
        }
    }

    /// Whether this viewer may narrow results by warning level: staff only, since the filter
    /// works on the levels the rules triggered, and whether a body is among them would tell
    /// anyone else of a draft or withdrawn warning (403 otherwise; issued warnings are listed
    /// by level under `/api/v1/warnings`).
    pub fn filters_by_warning_level(&self) -> Result<()> {
        if self.is_staff() {
            Ok(())
        } else {
            Err(Error::new(
                super::ErrorCode::Forbidden,
                "仅工作人员可按风险警示级别筛选结果；已签发的风险警示请按级别查阅风险警示列表",
                "only staff filter results by warning level; list issued warnings by level instead",
            ))
        }
    }

    /// The name of who did something (`actor` as recorded, e.g. `user:analyst1`), as this
    /// viewer is told it: staff see it as recorded; a body user sees its own body's users as
    /// recorded (they are its colleagues) and staff as 国家认监委; anyone else sees 国家认监委,
    /// 认证机构 or 外部系统, never a username.
    pub fn actor_name(&self, actor: &str, kind: &ActorKind) -> String {
        match (self, kind) {
            (Viewer::Staff, _) => actor.to_string(),
            (_, ActorKind::Staff) => STAFF_ACTOR.to_string(),
            (Viewer::Body(Some(own)), ActorKind::BodyUser(body)) if own == body => {
                actor.to_string()
            }
            (_, ActorKind::BodyUser(_)) => BODY_ACTOR.to_string(),
            (_, ActorKind::Client) => CLIENT_ACTOR.to_string(),
        }
    }

    /// Whether a warning's history is shown: to staff and the body, not to external clients.
    pub fn sees_history(&self) -> bool {
        !matches!(self, Viewer::Client(_))
    }

    /// A body's result letter: staff any; the body's own users theirs (404 for another body's);
    /// external clients never (403: letters go to their bodies).
    pub fn letter(&self, body_id: &str) -> Result<()> {
        match self {
            Viewer::Client(_) => Err(Error::forbidden()),
            Viewer::Body(Some(own)) if own == body_id => Ok(()),
            Viewer::Body(_) => Err(Error::not_found(Noun::Result)),
            Viewer::Staff => Ok(()),
        }
    }

    /// The one body a list of bodies is narrowed to: a body user's own (an empty id, matching
    /// nothing, when bound to none); `None` (every body) for staff and clients.
    pub fn restricted_to_body(&self) -> Option<&str> {
        match self {
            Viewer::Body(own) => Some(own.as_deref().unwrap_or_default()),
            _ => None,
        }
    }

    /// Whether a scheme version in this state is visible: staff see every version; anyone
    /// else only the active one.
    pub fn sees_scheme(&self, status: super::states::SchemeStatus) -> bool {
        self.is_staff() || status == super::states::SchemeStatus::Active
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn body_user(body: &str) -> Viewer {
        Viewer::Body(Some(body.into()))
    }

    #[test]
    fn a_body_sees_only_its_own_data_and_is_told_nothing_else_exists() {
        assert!(body_user("b1").body_data("b1").is_ok());
        let e = body_user("b1").body_data("b2").unwrap_err();
        assert_eq!(e.code, super::super::ErrorCode::NotFound);
        assert!(Viewer::Body(None).body_data("b1").is_err());
        assert!(Viewer::Staff.body_data("b2").is_ok());
    }

    #[test]
    fn clients_see_final_evaluations_with_results_read_only() {
        let reader = Viewer::Client(vec![Scope::ResultsRead]);
        assert!(reader.sees_evaluation(EvaluationStatus::Final));
        assert!(!reader.sees_evaluation(EvaluationStatus::PublicNotice));
        assert!(Viewer::Client(vec![]).results_reader().is_err());
        assert!(reader.reports(EvaluationStatus::PublicNotice).is_err());
        assert!(body_user("b").reports(EvaluationStatus::Final).is_err());
    }

    #[test]
    fn results_carry_warnings_for_staff_all_and_for_readers_of_warnings_issued_only() {
        assert_eq!(Viewer::Staff.result_warnings(), ResultWarnings::All);
        assert_eq!(body_user("b").result_warnings(), ResultWarnings::Issued);
        let both = Viewer::Client(vec![Scope::ResultsRead, Scope::WarningsRead]);
        assert_eq!(both.result_warnings(), ResultWarnings::Issued);
        let results_only = Viewer::Client(vec![Scope::ResultsRead]);
        assert_eq!(results_only.result_warnings(), ResultWarnings::None);
        assert!(results_only.filters_by_warning_level().is_err());
        assert!(both.filters_by_warning_level().is_err());
        assert!(Viewer::Staff.filters_by_warning_level().is_ok());
    }

    #[test]
    fn staff_are_named_by_role_to_everyone_else() {
        let staff = ActorKind::Staff;
        let of_b = ActorKind::BodyUser("b".into());
        assert_eq!(
            Viewer::Staff.actor_name("user:analyst1", &staff),
            "user:analyst1"
        );
        assert_eq!(
            body_user("b").actor_name("user:analyst1", &staff),
            STAFF_ACTOR
        );
        assert_eq!(body_user("b").actor_name("user:b0", &of_b), "user:b0");
        assert_eq!(body_user("a").actor_name("user:b0", &of_b), BODY_ACTOR);
        let client = Viewer::Client(vec![Scope::ResultsRead]);
        assert_eq!(client.actor_name("user:analyst1", &staff), STAFF_ACTOR);
        assert_eq!(client.actor_name("user:b0", &of_b), BODY_ACTOR);
    }

    #[test]
    fn warnings_are_seen_once_issued() {
        let client = Viewer::Client(vec![Scope::WarningsRead]);
        assert!(!client.sees_warning("b", WarningStatus::Draft));
        assert!(!client.sees_warning("b", WarningStatus::Withdrawn));
        assert!(client.sees_warning("b", WarningStatus::Issued));
        assert!(body_user("b").sees_warning("b", WarningStatus::Closed));
        assert!(!body_user("a").sees_warning("b", WarningStatus::Closed));
        assert!(Viewer::Staff.sees_warning("b", WarningStatus::Draft));
    }
}
