//! The coordination cycle of §2 as a pure state machine: who may do what to a ministry's package, when.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Ministry budget staff (関係府省), bound to one ministry.
    Ministry,
    /// Cabinet Office coordinator (内閣府).
    CabinetOffice,
    /// Headquarters for Healthcare Policy (推進本部).
    Hq,
    /// The fiscal authority's liaison (財政当局).
    Fiscal,
    /// An AMED program director (AMED PD).
    AmedPd,
    /// Reads everything it may see, changes nothing.
    Viewer,
    /// The system administrator.
    Admin,
}

impl Role {
    /// Every role, for tables of tests and help texts.
    pub const ALL: [Role; 7] =
        [Role::Ministry, Role::CabinetOffice, Role::Hq, Role::Fiscal, Role::AmedPd, Role::Viewer, Role::Admin];

    /// The command-line and stored name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Ministry => "ministry",
            Role::CabinetOffice => "cabinet-office",
            Role::Hq => "hq",
            Role::Fiscal => "fiscal",
            Role::AmedPd => "amed-pd",
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }

    /// The Japanese name.
    pub fn name_ja(self) -> &'static str {
        match self {
            Role::Ministry => "府省担当",
            Role::CabinetOffice => "内閣府",
            Role::Hq => "推進本部",
            Role::Fiscal => "財政当局",
            Role::AmedPd => "AMED PD",
            Role::Viewer => "閲覧者",
            Role::Admin => "管理者",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A role name that is none of the known ones; the message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "役割「{0}」は不明です（有効: ministry, cabinet-office, hq, fiscal, amed-pd, viewer, admin）/ unknown role \"{0}\" (valid: ministry, cabinet-office, hq, fiscal, amed-pd, viewer, admin)"
)]
pub struct RoleError(pub String);

impl FromStr for Role {
    type Err = RoleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.name() == s.trim()).ok_or_else(|| RoleError(s.to_string()))
    }
}

/// The state of a ministry's package of requests for a fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The ministry is preparing its requests.
    Drafting,
    /// Submitted to the Cabinet Office (§2(1)).
    Submitted,
    /// The hearing has been held (§2(2)).
    HearingHeld,
    /// The Cabinet Office instructed revisions (§2(3)).
    RevisionInstructed,
    /// The ministry reported how it responded.
    RevisionReported,
    /// The Cabinet Office consented; the request is made jointly.
    Consented,
    /// Left out of the compilation, with a reason (e.g. a ministry with no medical R&D requests).
    Excluded,
}

impl Status {
    /// Every state.
    pub const ALL: [Status; 7] = [
        Status::Drafting,
        Status::Submitted,
        Status::HearingHeld,
        Status::RevisionInstructed,
        Status::RevisionReported,
        Status::Consented,
        Status::Excluded,
    ];

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Status::Drafting => "drafting",
            Status::Submitted => "submitted",
            Status::HearingHeld => "hearing-held",
            Status::RevisionInstructed => "revision-instructed",
            Status::RevisionReported => "revision-reported",
            Status::Consented => "consented",
            Status::Excluded => "excluded",
        }
    }

    /// The Japanese name.
    pub fn name_ja(self) -> &'static str {
        match self {
            Status::Drafting => "作成中",
            Status::Submitted => "提出済",
            Status::HearingHeld => "ヒアリング済",
            Status::RevisionInstructed => "見直し指示中",
            Status::RevisionReported => "対応報告済",
            Status::Consented => "了解済",
            Status::Excluded => "対象外",
        }
    }

    /// Whether the ministry may change its lines in this state.
    pub fn lines_editable(self) -> bool {
        matches!(self, Status::Drafting | Status::RevisionInstructed)
    }

    /// Whether the package is done with (consented or excluded) for the HQ compilation.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Consented | Status::Excluded)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL.into_iter().find(|x| x.name() == s).ok_or_else(|| format!("unknown package status: {s}"))
    }
}

/// What can be done to a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Change the package's lines (import, edit).
    EditLines,
    /// Submit to the Cabinet Office.
    Submit,
    /// Record that the hearing was held.
    RecordHearing,
    /// Instruct revisions.
    Instruct,
    /// Answer an instruction.
    Answer,
    /// Report how the instructions were dealt with.
    Report,
    /// Consent.
    Consent,
    /// Leave out of the compilation, with a reason.
    Exclude,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 8] = [
        Action::EditLines,
        Action::Submit,
        Action::RecordHearing,
        Action::Instruct,
        Action::Answer,
        Action::Report,
        Action::Consent,
        Action::Exclude,
    ];

    /// The stored and printed name.
    pub fn name(self) -> &'static str {
        match self {
            Action::EditLines => "edit-lines",
            Action::Submit => "submit",
            Action::RecordHearing => "record-hearing",
            Action::Instruct => "instruct",
            Action::Answer => "answer",
            Action::Report => "report",
            Action::Consent => "consent",
            Action::Exclude => "exclude",
        }
    }

    /// The roles that may take this action (on their own ministry's package, for `Ministry`).
    pub fn roles(self) -> &'static [Role] {
        match self {
            Action::EditLines | Action::Submit | Action::Answer | Action::Report => &[Role::Ministry, Role::Admin],
            Action::RecordHearing | Action::Instruct | Action::Consent => &[Role::CabinetOffice, Role::Admin],
            Action::Exclude => &[Role::CabinetOffice, Role::Hq, Role::Admin],
        }
    }

    /// The states in which this action may be taken.
    pub fn from_states(self) -> &'static [Status] {
        use Status::*;
        match self {
            Action::EditLines => &[Drafting, RevisionInstructed],
            Action::Submit => &[Drafting],
            Action::RecordHearing => &[Submitted],
            Action::Instruct => &[HearingHeld, RevisionInstructed, RevisionReported],
            Action::Answer => &[RevisionInstructed],
            Action::Report => &[RevisionInstructed],
            Action::Consent => &[HearingHeld, RevisionReported],
            Action::Exclude => &[Drafting, Submitted, HearingHeld, RevisionInstructed, RevisionReported],
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What can be done to a fiscal year as a whole, outside any one ministry's package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum YearAction {
    /// Freeze the HQ compilation snapshot (§2(4)).
    CompileSnapshot,
    /// Mark a snapshot submitted to the fiscal authority.
    SubmitSnapshot,
    /// Record a negotiated amount (§2(5)).
    Negotiate,
    /// Settle the year.
    Settle,
    /// Set the year's calendar.
    SetCalendar,
    /// Add users.
    ManageUsers,
    /// Import the prior year's settled budget (前年度予算) for comparison.
    ImportPriorBudget,
    /// Set the adjustment fund's pool (§3).
    SetFundPool,
    /// Open a regular adjustment-fund round.
    OpenFundRound,
    /// Put forward a proposal (AMED PDs).
    ProposeFund,
    /// Score proposals.
    ScoreFund,
    /// Decide a round's allocations (HQ).
    DecideFund,
    /// Allocate at once in an emergency (HQ).
    EmergencyFund,
    /// Review an emergency allocation afterwards (Cabinet Office).
    ReviewFund,
    /// Record what a funded line achieved against the proposal's targets (AMED PDs).
    RecordFundOutcome,
    /// Complete a round's ex-post check (Cabinet Office).
    CheckFund,
    /// Confirm an overlap candidate as distinct lines or lines to coordinate (Cabinet Office).
    ConfirmOverlap,
    /// Enter a year's measures (施策), their KPIs and the logic model (Cabinet Office, HQ).
    DefineMeasures,
    /// Open or close a follow-up round (Cabinet Office).
    OpenFollowup,
    /// Evaluate a measure in a follow-up round (Cabinet Office).
    EvaluateMeasure,
    /// Record the action for a line after a follow-up round (HQ).
    RecordLineAction,
    /// Open the next fiscal year from this one: a draft policy and the carried lines (HQ).
    OpenYear,
    /// Replace a draft policy's text, or decide it (HQ).
    DraftPolicy,
    /// Import the RS system's files (行政事業レビュー): budgets and execution (Cabinet Office, HQ).
    ImportRs,
    /// Import an evidence table: overseas funding, mappings, papers, surveys, rates (HQ).
    ImportEvidence,
    /// See the evidence and the ranked candidate priority areas (Cabinet Office, HQ).
    ViewEvidence,
    /// Take a consistent copy of the whole database (administrator).
    Backup,
    /// Publish the settled budget as open data (HQ).
    PublishOpenData,
}

impl YearAction {
    /// Every year action.
    pub const ALL: [YearAction; 28] = [
        YearAction::CompileSnapshot,
        YearAction::SubmitSnapshot,
        YearAction::Negotiate,
        YearAction::Settle,
        YearAction::SetCalendar,
        YearAction::ManageUsers,
        YearAction::ImportPriorBudget,
        YearAction::SetFundPool,
        YearAction::OpenFundRound,
        YearAction::ProposeFund,
        YearAction::ScoreFund,
        YearAction::DecideFund,
        YearAction::EmergencyFund,
        YearAction::ReviewFund,
        YearAction::RecordFundOutcome,
        YearAction::CheckFund,
        YearAction::ConfirmOverlap,
        YearAction::DefineMeasures,
        YearAction::OpenFollowup,
        YearAction::EvaluateMeasure,
        YearAction::RecordLineAction,
        YearAction::OpenYear,
        YearAction::DraftPolicy,
        YearAction::ImportRs,
        YearAction::ImportEvidence,
        YearAction::ViewEvidence,
        YearAction::Backup,
        YearAction::PublishOpenData,
    ];

    /// The stored and printed name.
    pub fn name(self) -> &'static str {
        match self {
            YearAction::CompileSnapshot => "compile-snapshot",
            YearAction::SubmitSnapshot => "submit-snapshot",
            YearAction::Negotiate => "negotiate",
            YearAction::Settle => "settle",
            YearAction::SetCalendar => "set-calendar",
            YearAction::ManageUsers => "manage-users",
            YearAction::ImportPriorBudget => "import-prior-budget",
            YearAction::SetFundPool => "set-fund-pool",
            YearAction::OpenFundRound => "open-fund-round",
            YearAction::ProposeFund => "propose-fund",
            YearAction::ScoreFund => "score-fund",
            YearAction::DecideFund => "decide-fund",
            YearAction::EmergencyFund => "emergency-fund",
            YearAction::ReviewFund => "review-fund",
            YearAction::RecordFundOutcome => "record-fund-outcome",
            YearAction::CheckFund => "check-fund",
            YearAction::ConfirmOverlap => "confirm-overlap",
            YearAction::DefineMeasures => "define-measures",
            YearAction::OpenFollowup => "open-followup",
            YearAction::EvaluateMeasure => "evaluate-measure",
            YearAction::RecordLineAction => "record-line-action",
            YearAction::OpenYear => "open-year",
            YearAction::DraftPolicy => "draft-policy",
            YearAction::ImportRs => "import-rs",
            YearAction::ImportEvidence => "import-evidence",
            YearAction::ViewEvidence => "view-evidence",
            YearAction::Backup => "backup",
            YearAction::PublishOpenData => "publish-open-data",
        }
    }

    /// The roles that may take it.
    pub fn roles(self) -> &'static [Role] {
        match self {
            YearAction::CompileSnapshot | YearAction::SubmitSnapshot | YearAction::Settle => &[Role::Hq, Role::Admin],
            YearAction::Negotiate => &[Role::Fiscal, Role::CabinetOffice, Role::Admin],
            YearAction::SetCalendar => &[Role::CabinetOffice, Role::Hq, Role::Admin],
            YearAction::ManageUsers | YearAction::Backup => &[Role::Admin],
            YearAction::ImportPriorBudget | YearAction::ImportRs => &[Role::CabinetOffice, Role::Hq, Role::Admin],
            YearAction::SetFundPool | YearAction::DecideFund | YearAction::EmergencyFund => &[Role::Hq, Role::Admin],
            YearAction::OpenFundRound | YearAction::ScoreFund => &[Role::CabinetOffice, Role::Hq, Role::Admin],
            YearAction::ProposeFund => &[Role::AmedPd, Role::Admin],
            YearAction::ReviewFund | YearAction::CheckFund | YearAction::ConfirmOverlap => {
                &[Role::CabinetOffice, Role::Admin]
            }
            YearAction::RecordFundOutcome => &[Role::AmedPd, Role::Admin],
            YearAction::DefineMeasures => &[Role::CabinetOffice, Role::Hq, Role::Admin],
            YearAction::OpenFollowup | YearAction::EvaluateMeasure => &[Role::CabinetOffice, Role::Admin],
            YearAction::RecordLineAction
            | YearAction::OpenYear
            | YearAction::DraftPolicy
            | YearAction::ImportEvidence
            | YearAction::PublishOpenData => &[Role::Hq, Role::Admin],
            YearAction::ViewEvidence => &[Role::CabinetOffice, Role::Hq, Role::Admin],
        }
    }
}

impl fmt::Display for YearAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The role may never take this action.
    #[error("役割 {role} は「{action}」を行えません / role {role} may not {action}")]
    Forbidden {
        /// The role.
        role: Role,
        /// The action.
        action: Action,
    },
    /// The package's state does not allow it now.
    #[error("状態「{}」では「{action}」を行えません（可能な状態: {}）/ {action} is not allowed in state {status} (allowed in: {})", status.name_ja(), names(allowed), names(allowed))]
    NotNow {
        /// The current state.
        status: Status,
        /// The action.
        action: Action,
        /// The states in which it would be allowed.
        allowed: &'static [Status],
    },
}

fn names(states: &[Status]) -> String {
    states.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
}

/// The one rule of the cycle: what `action` by `role` does to a package in `status`.
/// Role is checked before state, so a forbidden action is always reported as forbidden.
pub fn transition(status: Status, action: Action, role: Role) -> Result<Status, WorkflowError> {
    if !action.roles().contains(&role) {
        return Err(WorkflowError::Forbidden { role, action });
    }
    if !action.from_states().contains(&status) {
        return Err(WorkflowError::NotNow { status, action, allowed: action.from_states() });
    }
    Ok(match action {
        Action::EditLines | Action::Answer => status,
        Action::Submit => Status::Submitted,
        Action::RecordHearing => Status::HearingHeld,
        Action::Instruct => Status::RevisionInstructed,
        Action::Report => Status::RevisionReported,
        Action::Consent => Status::Consented,
        Action::Exclude => Status::Excluded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_with_two_instruction_rounds() {
        let mut s = Status::Drafting;
        for (action, role, expected) in [
            (Action::EditLines, Role::Ministry, Status::Drafting),
            (Action::Submit, Role::Ministry, Status::Submitted),
            (Action::RecordHearing, Role::CabinetOffice, Status::HearingHeld),
            (Action::Instruct, Role::CabinetOffice, Status::RevisionInstructed),
            (Action::EditLines, Role::Ministry, Status::RevisionInstructed),
            (Action::Report, Role::Ministry, Status::RevisionReported),
            (Action::Instruct, Role::CabinetOffice, Status::RevisionInstructed),
            (Action::Report, Role::Ministry, Status::RevisionReported),
            (Action::Consent, Role::CabinetOffice, Status::Consented),
        ] {
            s = transition(s, action, role).unwrap();
            assert_eq!(s, expected, "{action}");
        }
    }

    #[test]
    fn finished_packages_refuse_every_action() {
        for status in [Status::Consented, Status::Excluded] {
            for action in Action::ALL {
                assert!(
                    matches!(transition(status, action, Role::Admin), Err(WorkflowError::NotNow { .. })),
                    "{status} {action}"
                );
            }
        }
    }

    #[test]
    fn roles_outside_an_action_are_forbidden_in_every_state() {
        for action in Action::ALL {
            for role in Role::ALL {
                for status in Status::ALL {
                    let r = transition(status, action, role);
                    if action.roles().contains(&role) {
                        assert!(!matches!(r, Err(WorkflowError::Forbidden { .. })));
                    } else {
                        assert_eq!(r, Err(WorkflowError::Forbidden { role, action }));
                    }
                }
            }
        }
    }

    #[test]
    fn lines_are_editable_only_while_drafting_or_under_revision() {
        assert!(transition(Status::Submitted, Action::EditLines, Role::Ministry).is_err());
        let e = transition(Status::Consented, Action::EditLines, Role::Ministry).unwrap_err();
        assert!(e.to_string().contains("drafting, revision-instructed"), "{e}");
        assert_eq!("cabinet-office".parse::<Role>(), Ok(Role::CabinetOffice));
        assert!("boss".parse::<Role>().unwrap_err().to_string().contains("valid: ministry"));
    }
}
