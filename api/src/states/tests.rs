//! Every state machine walked over every (state, action) pair.
use super::*;

/// Walks every (state, action) pair of a machine: the table's answer is the only one, and
/// `apply` refuses exactly the pairs the table lacks, with 409 `invalid_transition`.
fn walk<M: StateMachine + std::fmt::Debug>(actions: &[M::Action], expected: &[(M, M::Action, M)]) {
    for &state in M::ALL {
        for &action in actions {
            let want = expected
                .iter()
                .find(|(f, a, _)| *f == state && *a == action)
                .map(|(_, _, t)| *t);
            assert_eq!(state.next(action), want, "{state:?} --{action:?}-->");
            match state.apply(action, "x") {
                Ok(to) => assert_eq!(Some(to), want),
                Err(e) => {
                    assert!(want.is_none());
                    assert_eq!(e.from, state.as_str());
                }
            }
        }
    }
}

#[test]
fn warnings_follow_design_section_3() {
    use WarningAction as A;
    use WarningStatus as S;
    walk::<S>(
        &[
            A::Issue,
            A::Withdraw,
            A::Acknowledge,
            A::SubmitRectification,
            A::SendBack,
            A::Close,
            A::Escalate,
        ],
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
        ],
    );
    for final_state in [S::Closed, S::Withdrawn, S::Escalated] {
        assert!(S::TRANSITIONS.iter().all(|(f, _, _)| *f != final_state));
    }
}

#[test]
fn reports_are_saved_submitted_and_reviewed() {
    use SubmissionAction as A;
    use SubmissionStatus as S;
    walk::<S>(
        &[A::Save, A::Submit, A::Return, A::Accept],
        &[
            (S::Draft, A::Save, S::Draft),
            (S::Draft, A::Submit, S::Submitted),
            (S::Returned, A::Save, S::Draft),
            (S::Returned, A::Submit, S::Submitted),
            (S::Submitted, A::Return, S::Returned),
            (S::Submitted, A::Accept, S::Accepted),
        ],
    );
    assert!(S::Submitted.counts() && S::Accepted.counts());
    assert!(!S::Draft.counts() && !S::Returned.counts());
}

#[test]
fn plausibility_flags_are_cleared_or_sent_for_evidence_and_reopened_by_a_fresh_look() {
    use FlagAction as A;
    use FlagStatus as S;
    walk::<S>(
        &[A::Clear, A::RequestEvidence, A::Reopen, A::Resolve],
        &[
            (S::Open, A::Clear, S::Cleared),
            (S::Open, A::RequestEvidence, S::EvidenceRequested),
            (S::Open, A::Resolve, S::Resolved),
            (S::EvidenceRequested, A::Reopen, S::Open),
            (S::Cleared, A::Reopen, S::Open),
            (S::Resolved, A::Reopen, S::Open),
        ],
    );
    // Only an open flag awaits an analyst.
    for s in [S::Cleared, S::EvidenceRequested, S::Resolved] {
        assert!(s.next(A::Clear).is_none() && s.next(A::RequestEvidence).is_none());
    }
}

#[test]
fn evaluations_run_publish_and_finalize() {
    use EvaluationAction as A;
    use EvaluationStatus as S;
    walk::<S>(
        &[
            A::Finish,
            A::Fail,
            A::Publish,
            A::Finalize,
            A::Replace,
            A::Supersede,
        ],
        &[
            (S::Running, A::Finish, S::Draft),
            (S::Running, A::Fail, S::Failed),
            (S::Draft, A::Publish, S::PublicNotice),
            (S::Draft, A::Replace, S::Superseded),
            (S::PublicNotice, A::Finalize, S::Final),
            (S::PublicNotice, A::Replace, S::Superseded),
            (S::Final, A::Supersede, S::Superseded),
        ],
    );
}

#[test]
fn objections_are_answered_once() {
    use ObjectionAction as A;
    use ObjectionStatus as S;
    walk::<S>(
        &[A::Uphold, A::Reject],
        &[
            (S::Open, A::Uphold, S::Upheld),
            (S::Open, A::Reject, S::Rejected),
        ],
    );
}

#[test]
fn codes_round_trip() {
    fn round_trip<T: TextEnum + std::fmt::Debug>() {
        for &v in T::ALL {
            assert_eq!(T::parse(v.as_str()), Some(v));
        }
        assert_eq!(T::parse("no such state"), None);
    }
    round_trip::<SubmissionStatus>();
    round_trip::<EvaluationStatus>();
    round_trip::<ObjectionStatus>();
    round_trip::<WarningStatus>();
    round_trip::<BodyStatus>();
    round_trip::<SchemeStatus>();
    round_trip::<IncidentSource>();
    round_trip::<Role>();
    round_trip::<Scope>();
    assert_eq!(
        serde_json::to_string(&WarningStatus::RectificationSubmitted).unwrap(),
        "\"rectification_submitted\""
    );
}
