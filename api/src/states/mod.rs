//! Every state the process knows, as enums stored as their snake_case text, and each state
//! machine's allowed transitions as one table beside its enum. This is the one file in which a
//! status word is written as a string literal; everything else names the enum.
//!
//! It depends on nothing else of the crate, so that both the domain (which applies the
//! transitions) and the models' queries (which filter by state) can name the states without a
//! cycle between `domain` and `db`; `domain::states` is this module.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A stored state the enum does not know: a fault of the data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown stored state {0:?}")]
pub struct UnknownState(pub String);

/// A value given by a caller that names no state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownValue(pub String);

/// A transition the state machine does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the state is {from}; cannot {action}")]
pub struct Refused {
    /// The current state's code.
    pub from: &'static str,
    /// The current state in Chinese.
    pub from_zh: &'static str,
    /// The action, as written in code.
    pub action: String,
    /// What was wanted, in Chinese (e.g. 签发).
    pub wanted_zh: String,
}

/// An enum stored as text: its code, the enum of a code, and every value.
pub trait TextEnum: Sized + Copy + PartialEq + 'static {
    /// Every value.
    const ALL: &'static [Self];
    /// The stored code.
    fn as_str(self) -> &'static str;
    /// The value of a stored code.
    fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == code)
    }
    /// The value of a stored code; a code the enum does not know is a fault of the data.
    fn parse_stored(code: &str) -> Result<Self, UnknownState> {
        Self::parse(code).ok_or_else(|| UnknownState(code.to_string()))
    }
}

/// A state machine: which action leads from which state to which.
pub trait StateMachine: TextEnum {
    /// What can be done to a thing in this machine.
    type Action: Copy + PartialEq + std::fmt::Debug + 'static;
    /// Every allowed (from, action, to).
    const TRANSITIONS: &'static [(Self, Self::Action, Self)];
    /// The state in Chinese, for messages.
    fn zh(self) -> &'static str;

    /// Where the action leads from this state, if it is allowed.
    fn next(self, action: Self::Action) -> Option<Self> {
        Self::TRANSITIONS
            .iter()
            .find(|(from, a, _)| *from == self && *a == action)
            .map(|(_, _, to)| *to)
    }

    /// Where the action leads, or the refusal (409 `invalid_transition` in the domain) that
    /// says it may not be done now.
    fn apply(self, action: Self::Action, wanted_zh: &str) -> Result<Self, Refused> {
        self.next(action).ok_or_else(|| Refused {
            from: self.as_str(),
            from_zh: self.zh(),
            action: format!("{action:?}"),
            wanted_zh: wanted_zh.to_string(),
        })
    }
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal / $zh:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $code)] $variant),+ }

        impl TextEnum for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }

        impl $name {
            /// The value in Chinese.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                <$name as TextEnum>::parse(s).ok_or_else(|| UnknownValue(s.to_string()))
            }
        }
    };
}

mod flags;
pub use flags::{FlagAction, FlagStatus};

text_enum! {
    /// A report revision's status.
    SubmissionStatus {
        /// Saved, not yet submitted.
        Draft = "draft" / "草稿",
        /// Submitted for review.
        Submitted = "submitted" / "已提交",
        /// Returned to the body with a comment.
        Returned = "returned" / "已退回",
        /// Accepted by an analyst.
        Accepted = "accepted" / "已接收",
    }
}

/// What can be done to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmissionAction {
    /// Save a new draft revision.
    Save,
    /// Submit the current revision.
    Submit,
    /// Return a submitted report with a comment.
    Return,
    /// Accept a submitted report.
    Accept,
}

impl StateMachine for SubmissionStatus {
    type Action = SubmissionAction;
    const TRANSITIONS: &'static [(Self, SubmissionAction, Self)] = {
        use SubmissionAction as A;
        use SubmissionStatus as S;
        &[
            (S::Draft, A::Save, S::Draft),
            (S::Draft, A::Submit, S::Submitted),
            (S::Returned, A::Save, S::Draft),
            (S::Returned, A::Submit, S::Submitted),
            (S::Submitted, A::Return, S::Returned),
            (S::Submitted, A::Accept, S::Accepted),
        ]
    };
    fn zh(self) -> &'static str {
        self.label_zh()
    }
}

impl SubmissionStatus {
    /// Whether a report in this state counts for the evaluation.
    pub fn counts(self) -> bool {
        matches!(
            self,
            SubmissionStatus::Submitted | SubmissionStatus::Accepted
        )
    }
}

text_enum! {
    /// An evaluation's status.
    EvaluationStatus {
        /// Scoring in the background.
        Running = "running" / "评价中",
        /// Scored, visible to staff only.
        Draft = "draft" / "草稿",
        /// In public notice (公示): bodies read their result and object.
        PublicNotice = "public_notice" / "公示中",
        /// Final: never changes.
        Final = "final" / "已定稿",
        /// The run failed.
        Failed = "failed" / "失败",
        /// Replaced by a later run, or superseded with a written reason.
        Superseded = "superseded" / "已被取代",
    }
}

/// What can be done to an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvaluationAction {
    /// The run finished.
    Finish,
    /// The run failed (or was interrupted).
    Fail,
    /// Put to public notice.
    Publish,
    /// Make final.
    Finalize,
    /// A newer run of the year replaces a draft or public notice.
    Replace,
    /// Supersede a final evaluation with a written reason.
    Supersede,
}

impl StateMachine for EvaluationStatus {
    type Action = EvaluationAction;
    const TRANSITIONS: &'static [(Self, EvaluationAction, Self)] = {
        use EvaluationAction as A;
        use EvaluationStatus as S;
        &[
            (S::Running, A::Finish, S::Draft),
            (S::Running, A::Fail, S::Failed),
            (S::Draft, A::Publish, S::PublicNotice),
            (S::Draft, A::Replace, S::Superseded),
            (S::PublicNotice, A::Finalize, S::Final),
            (S::PublicNotice, A::Replace, S::Superseded),
            (S::Final, A::Supersede, S::Superseded),
        ]
    };
    fn zh(self) -> &'static str {
        self.label_zh()
    }
}

impl EvaluationStatus {
    /// Whether results can be read (not running, not failed).
    pub fn has_results(self) -> bool {
        !matches!(self, EvaluationStatus::Running | EvaluationStatus::Failed)
    }

    /// The states of a year's evaluation still open to change.
    pub const OPEN: [EvaluationStatus; 3] = [
        EvaluationStatus::Running,
        EvaluationStatus::Draft,
        EvaluationStatus::PublicNotice,
    ];
}

text_enum! {
    /// An objection's status.
    ObjectionStatus {
        /// Awaiting an answer.
        Open = "open" / "待答复",
        /// Upheld in writing.
        Upheld = "upheld" / "成立",
        /// Rejected in writing.
        Rejected = "rejected" / "不成立",
    }
}

/// What can be done to an objection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectionAction {
    /// Answer: the objection is upheld.
    Uphold,
    /// Answer: the objection is rejected.
    Reject,
}

impl StateMachine for ObjectionStatus {
    type Action = ObjectionAction;
    const TRANSITIONS: &'static [(Self, ObjectionAction, Self)] = &[
        (
            ObjectionStatus::Open,
            ObjectionAction::Uphold,
            ObjectionStatus::Upheld,
        ),
        (
            ObjectionStatus::Open,
            ObjectionAction::Reject,
            ObjectionStatus::Rejected,
        ),
    ];
    fn zh(self) -> &'static str {
        self.label_zh()
    }
}

text_enum! {
    /// A risk warning's status.
    WarningStatus {
        /// Drafted at finalisation, not yet issued.
        Draft = "draft" / "草稿",
        /// Issued: the notice is numbered and the body must respond.
        Issued = "issued" / "已签发",
        /// The body acknowledged receipt.
        Acknowledged = "acknowledged" / "已确认收悉",
        /// The body submitted its rectification report.
        RectificationSubmitted = "rectification_submitted" / "已提交整改报告",
        /// Rectified and closed.
        Closed = "closed" / "已结案",
        /// Withdrawn before issue, with a reason.
        Withdrawn = "withdrawn" / "已撤回",
        /// Escalated to enforcement.
        Escalated = "escalated" / "已升级处理",
    }
}

/// What can be done to a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningAction {
    /// Issue the notice.
    Issue,
    /// Withdraw a draft.
    Withdraw,
    /// The body acknowledges receipt.
    Acknowledge,
    /// The body submits its rectification report.
    SubmitRectification,
    /// Send the rectification back.
    SendBack,
    /// Close it.
    Close,
    /// Escalate it.
    Escalate,
}

impl StateMachine for WarningStatus {
    type Action = WarningAction;
    const TRANSITIONS: &'static [(Self, WarningAction, Self)] = {
        use WarningAction as A;
        use WarningStatus as S;
        &[
            (S::Draft, A::Issue, S::Issued),
            (S::Draft, A::Withdraw, S::Withdrawn),
            (S::Issued, A::Acknowledge, S::Acknowledged),
            (S::Issued, A::Escalate, S::Escalated),
            (
                S::Acknowledged,
                A::SubmitRectification,
                S::RectificationSubmitted,
            ),
            (S::Acknowledged, A::Escalate, S::Escalated),
            (S::RectificationSubmitted, A::Close, S::Closed),
            (S::RectificationSubmitted, A::SendBack, S::Acknowledged),
            (S::RectificationSubmitted, A::Escalate, S::Escalated),
        ]
    };
    fn zh(self) -> &'static str {
        self.label_zh()
    }
}

impl WarningStatus {
    /// Issued and after: what a body and a `warnings:read` client may see.
    pub const PUBLISHED: [WarningStatus; 5] = [
        WarningStatus::Issued,
        WarningStatus::Acknowledged,
        WarningStatus::RectificationSubmitted,
        WarningStatus::Closed,
        WarningStatus::Escalated,
    ];
    /// Waiting for the body: overdue once past the deadline.
    pub const AWAITING_BODY: [WarningStatus; 2] =
        [WarningStatus::Issued, WarningStatus::Acknowledged];

    /// Whether it has been issued.
    pub fn is_published(self) -> bool {
        Self::PUBLISHED.contains(&self)
    }
}

text_enum! {
    /// A certification body's standing.
    BodyStatus {
        /// Approved and operating.
        Active = "active" / "正常",
        /// Suspended.
        Suspended = "suspended" / "暂停",
        /// Approval revoked.
        Revoked = "revoked" / "撤销",
    }
}

text_enum! {
    /// A scheme version's status.
    SchemeStatus {
        /// Being drafted; not used by any cycle.
        Draft = "draft" / "草稿",
        /// The version new cycles use; never changes.
        Active = "active" / "启用",
        /// Replaced by a newer active version.
        Retired = "retired" / "停用",
    }
}

text_enum! {
    /// Who recorded an incident.
    IncidentSource {
        /// The body reported it (要情报告).
        SelfReport = "self_report" / "机构报告",
        /// An analyst recorded it.
        Analyst = "analyst" / "监管记录",
    }
}

text_enum! {
    /// A person's role.
    Role {
        /// Administers users, clients and everything else.
        Admin = "admin" / "管理员",
        /// A CNCA analyst.
        Analyst = "analyst" / "分析人员",
        /// A certification body's user, bound to one body.
        Body = "body" / "机构用户",
    }
}

impl Role {
    /// The stored code.
    pub fn code(self) -> &'static str {
        self.as_str()
    }

    /// The role with this code.
    pub fn from_code(code: &str) -> Option<Role> {
        <Role as TextEnum>::parse(code)
    }
}

/// An external system's permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Scope {
    /// Final results and rankings.
    #[serde(rename = "results:read")]
    ResultsRead,
    /// The body registry.
    #[serde(rename = "bodies:read")]
    BodiesRead,
    /// Issued warnings.
    #[serde(rename = "warnings:read")]
    WarningsRead,
}

impl TextEnum for Scope {
    const ALL: &'static [Self] = &[Scope::ResultsRead, Scope::BodiesRead, Scope::WarningsRead];
    fn as_str(self) -> &'static str {
        match self {
            Scope::ResultsRead => "results:read",
            Scope::BodiesRead => "bodies:read",
            Scope::WarningsRead => "warnings:read",
        }
    }
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 3] = [Scope::ResultsRead, Scope::BodiesRead, Scope::WarningsRead];

    /// The scope's code.
    pub fn code(self) -> &'static str {
        self.as_str()
    }

    /// The scope with this code.
    pub fn from_code(code: &str) -> Option<Scope> {
        <Scope as TextEnum>::parse(code)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
