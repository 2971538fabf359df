//! The review of a plausibility flag (合理性核查标记): its states and their transition table.

use super::{StateMachine, TextEnum, UnknownValue};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

text_enum! {
    /// Where the review of a plausibility flag (合理性核查标记) stands.
    FlagStatus {
        /// Raised by a rule; an analyst should look at the figure.
        Open = "open" / "待复核",
        /// Looked at and found plausible, with a written note.
        Cleared = "cleared" / "已核实",
        /// The report went back to the body with a request for evidence of the figure.
        EvidenceRequested = "evidence_requested" / "已要求补充说明",
        /// The rule no longer fires on the report (the figure changed, or the rule is gone).
        Resolved = "resolved" / "已不再触发",
    }
}

/// What can happen to a plausibility flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagAction {
    /// An analyst finds the figure plausible, with a note.
    Clear,
    /// An analyst returns the report asking for evidence of the figure.
    RequestEvidence,
    /// A fresh look: the body resubmitted after a request, or the rule fires again on a
    /// changed figure after it was cleared, or again after it had stopped firing.
    Reopen,
    /// The rule no longer fires on the report as submitted.
    Resolve,
}

impl StateMachine for FlagStatus {
    type Action = FlagAction;
    const TRANSITIONS: &'static [(Self, FlagAction, Self)] = {
        use FlagAction as A;
        use FlagStatus as S;
        &[
            (S::Open, A::Clear, S::Cleared),
            (S::Open, A::RequestEvidence, S::EvidenceRequested),
            (S::Open, A::Resolve, S::Resolved),
            (S::EvidenceRequested, A::Reopen, S::Open),
            (S::Cleared, A::Reopen, S::Open),
            (S::Resolved, A::Reopen, S::Open),
        ]
    };
    fn zh(self) -> &'static str {
        self.label_zh()
    }
}
