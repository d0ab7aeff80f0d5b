//! Where an incident is in its life, and which steps may follow which. Shared by both sides so
//! the browser offers only what the server will accept.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum Status {
    New,
    Analysing,
    Transferred,
    /// Waiting for the reporter to answer a question.
    Waiting,
    Resolved,
    Closed,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Analysing,
        Status::Transferred,
        Status::Waiting,
        Status::Resolved,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Analysing => "analysing",
            Self::Transferred => "transferred",
            Self::Waiting => "waiting",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Still needs work from somebody (the reporter's "open" filter).
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Resolved | Self::Closed)
    }
}

/// Who a transfer hands the incident to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum TransferTarget {
    Test,
    Development,
    Operations,
    Product,
}

impl TransferTarget {
    pub const ALL: [TransferTarget; 4] = [
        TransferTarget::Test,
        TransferTarget::Development,
        TransferTarget::Operations,
        TransferTarget::Product,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::Development => "development",
            Self::Operations => "operations",
            Self::Product => "product",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

/// What kind of problem an incident turned out to be (数据类 / 程序类 / 咨询类).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum Category {
    Data,
    Program,
    Consultation,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Data, Category::Program, Category::Consultation];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Data => "data",
            Self::Program => "program",
            Self::Consultation => "consultation",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == value)
    }
}

/// How urgent an incident is, P1 the most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum Severity {
    P1,
    P2,
    P3,
    P4,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::P1, Severity::P2, Severity::P3, Severity::P4];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::P1 => "p1",
            Self::P2 => "p2",
            Self::P3 => "p3",
            Self::P4 => "p4",
        }
    }

    /// `P1` … `P4`, the same in both languages.
    pub fn label(self) -> &'static str {
        match self {
            Self::P1 => "P1",
            Self::P2 => "P2",
            Self::P3 => "P3",
            Self::P4 => "P4",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// A step on the timeline. `Reported` only starts an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum Step {
    Reported,
    Claimed,
    /// Handed to a named handler by somebody else.
    Assigned,
    /// Category, severity and where it belongs set or changed; the status stays.
    Classified,
    Transferred,
    /// Asked the reporter for information.
    Waiting,
    /// The reporter answered; the team works on it again.
    Resumed,
    Resolved,
    /// The reporter confirmed the solution.
    Confirmed,
    /// The team closed a resolved incident the reporter did not confirm.
    Closed,
    Reopened,
    /// Joined a batch as a duplicate of a parent incident.
    Linked,
    /// Left its batch.
    Unlinked,
    ScriptSubmitted,
    ScriptApproved,
    ScriptRejected,
    /// Operations ran an approved data-fix script (outside this application).
    ScriptExecuted,
}

impl Step {
    pub const ALL: [Step; 17] = [
        Step::Reported,
        Step::Claimed,
        Step::Assigned,
        Step::Classified,
        Step::Transferred,
        Step::Waiting,
        Step::Resumed,
        Step::Resolved,
        Step::Confirmed,
        Step::Closed,
        Step::Reopened,
        Step::Linked,
        Step::Unlinked,
        Step::ScriptSubmitted,
        Step::ScriptApproved,
        Step::ScriptRejected,
        Step::ScriptExecuted,
    ];

    /// The steps a handler takes from the incident page's action bar (`console/step`).
    pub const CONSOLE_ACTIONS: [Step; 8] = [
        Step::Claimed,
        Step::Assigned,
        Step::Classified,
        Step::Transferred,
        Step::Waiting,
        Step::Resolved,
        Step::Closed,
        Step::Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reported => "reported",
            Self::Claimed => "claimed",
            Self::Assigned => "assigned",
            Self::Classified => "classified",
            Self::Transferred => "transferred",
            Self::Waiting => "waiting",
            Self::Resumed => "resumed",
            Self::Resolved => "resolved",
            Self::Confirmed => "confirmed",
            Self::Closed => "closed",
            Self::Reopened => "reopened",
            Self::Linked => "linked",
            Self::Unlinked => "unlinked",
            Self::ScriptSubmitted => "script_submitted",
            Self::ScriptApproved => "script_approved",
            Self::ScriptRejected => "script_rejected",
            Self::ScriptExecuted => "script_executed",
        }
    }

    /// Steps only the incident team takes; the others belong to the reporter (who shares
    /// reopening with the team).
    pub fn is_team_step(self) -> bool {
        !matches!(
            self,
            Self::Reported | Self::Resumed | Self::Confirmed | Self::Reopened
        )
    }

    /// Team-internal bookkeeping a reporter's timeline leaves out.
    /// A note on this step is written to the reporter (a question, a reopening reason); the
    /// notes of other steps stay in the team unless the handler marks them public.
    pub fn note_for_reporter(self) -> bool {
        matches!(self, Self::Waiting | Self::Reopened | Self::Confirmed)
    }

    pub fn is_internal(self) -> bool {
        matches!(
            self,
            Self::Assigned
                | Self::Linked
                | Self::Unlinked
                | Self::ScriptSubmitted
                | Self::ScriptApproved
                | Self::ScriptRejected
                | Self::ScriptExecuted
        )
    }

    /// The status this step leads to from `from`, or `None` when it is not allowed there.
    pub fn apply(self, from: Status) -> Option<Status> {
        use Status as S;
        match (self, from) {
            (Self::Claimed, S::New | S::Transferred | S::Waiting) => Some(S::Analysing),
            (Self::Assigned, S::New) => Some(S::Analysing),
            (
                Self::Assigned
                | Self::Classified
                | Self::Linked
                | Self::Unlinked
                | Self::ScriptSubmitted
                | Self::ScriptApproved
                | Self::ScriptRejected
                | Self::ScriptExecuted,
                open,
            ) if open.is_open() => Some(open),
            (Self::Transferred, S::New | S::Analysing | S::Waiting) => Some(S::Transferred),
            (Self::Waiting, S::New | S::Analysing | S::Transferred) => Some(S::Waiting),
            (Self::Resumed, S::Waiting) => Some(S::Analysing),
            (Self::Resolved, S::New | S::Analysing | S::Transferred | S::Waiting) => {
                Some(S::Resolved)
            }
            (Self::Confirmed | Self::Closed, S::Resolved) => Some(S::Closed),
            (Self::Reopened, S::Resolved) => Some(S::Analysing),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn reporter_steps_follow_a_resolution_only() {
        for status in Status::ALL {
            let after_resolution = status == Status::Resolved;
            assert_eq!(
                Step::Confirmed.apply(status).is_some(),
                after_resolution,
                "{status:?}"
            );
            assert_eq!(
                Step::Reopened.apply(status).is_some(),
                after_resolution,
                "{status:?}"
            );
        }
        assert_eq!(
            Step::Confirmed.apply(Status::Resolved),
            Some(Status::Closed)
        );
        assert_eq!(
            Step::Reopened.apply(Status::Resolved),
            Some(Status::Analysing)
        );
    }

    /// Every team step from every status: exactly the listed pairs are allowed.
    #[test]
    fn team_steps_are_allowed_exactly_where_the_table_says() {
        use Status as S;
        let allowed: &[(Step, S, S)] = &[
            (Step::Claimed, S::New, S::Analysing),
            (Step::Claimed, S::Transferred, S::Analysing),
            (Step::Claimed, S::Waiting, S::Analysing),
            (Step::Assigned, S::New, S::Analysing),
            (Step::Assigned, S::Analysing, S::Analysing),
            (Step::Assigned, S::Transferred, S::Transferred),
            (Step::Assigned, S::Waiting, S::Waiting),
            (Step::Classified, S::New, S::New),
            (Step::Classified, S::Analysing, S::Analysing),
            (Step::Classified, S::Transferred, S::Transferred),
            (Step::Classified, S::Waiting, S::Waiting),
            (Step::Transferred, S::New, S::Transferred),
            (Step::Transferred, S::Analysing, S::Transferred),
            (Step::Transferred, S::Waiting, S::Transferred),
            (Step::Waiting, S::New, S::Waiting),
            (Step::Waiting, S::Analysing, S::Waiting),
            (Step::Waiting, S::Transferred, S::Waiting),
            (Step::Resolved, S::New, S::Resolved),
            (Step::Resolved, S::Analysing, S::Resolved),
            (Step::Resolved, S::Transferred, S::Resolved),
            (Step::Resolved, S::Waiting, S::Resolved),
            (Step::Closed, S::Resolved, S::Closed),
        ];
        let bookkeeping = [
            Step::Linked,
            Step::Unlinked,
            Step::ScriptSubmitted,
            Step::ScriptApproved,
            Step::ScriptRejected,
            Step::ScriptExecuted,
        ];
        for step in Step::ALL
            .into_iter()
            .filter(|s| s.is_team_step() && !bookkeeping.contains(s))
        {
            for from in Status::ALL {
                let expected = allowed
                    .iter()
                    .find(|(s, f, _)| *s == step && *f == from)
                    .map(|(_, _, to)| *to);
                assert_eq!(step.apply(from), expected, "{step:?} from {from:?}");
            }
        }
    }

    /// Batches and scripts only ever belong to an incident still being worked on.
    #[test]
    fn bookkeeping_keeps_an_open_status_and_refuses_a_finished_incident() {
        for step in [
            Step::Linked,
            Step::Unlinked,
            Step::ScriptSubmitted,
            Step::ScriptApproved,
            Step::ScriptRejected,
            Step::ScriptExecuted,
        ] {
            for from in Status::ALL {
                let expected = from.is_open().then_some(from);
                assert_eq!(step.apply(from), expected, "{step:?} from {from:?}");
            }
            assert!(step.is_internal() && step.is_team_step(), "{step:?}");
        }
    }

    #[test]
    fn the_action_bar_offers_team_steps_and_reopening_only() {
        for step in Step::CONSOLE_ACTIONS {
            assert!(step.is_team_step() || step == Step::Reopened, "{step:?}");
            assert!(!step.is_internal() || step == Step::Assigned, "{step:?}");
        }
    }

    #[test]
    fn reporter_steps_are_not_team_steps() {
        for step in [
            Step::Reported,
            Step::Resumed,
            Step::Confirmed,
            Step::Reopened,
        ] {
            assert!(!step.is_team_step(), "{step:?}");
        }
    }

    #[test]
    fn only_a_waiting_incident_resumes() {
        for status in Status::ALL {
            let expected = (status == Status::Waiting).then_some(Status::Analysing);
            assert_eq!(Step::Resumed.apply(status), expected, "{status:?}");
        }
    }

    #[test]
    fn nothing_follows_closed_and_nothing_restarts_a_report() {
        for step in Step::ALL {
            assert_eq!(step.apply(Status::Closed), None, "{step:?}");
        }
        for status in Status::ALL {
            assert_eq!(Step::Reported.apply(status), None);
        }
    }
}
