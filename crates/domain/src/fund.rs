//! An adjustment-fund round's life (§3): where it stands, and when its ex-post check is due.

use serde::Serialize;

use crate::fiscal_year::FiscalYear;

/// Where a round stands. A regular round goes open → scored → decided (the execution plan and
/// the allocations exist) → checked; an emergency round is decided at once, then reviewed by
/// the Cabinet Office, then checked like any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoundPhase {
    /// Taking proposals and scores.
    Open,
    /// Every proposal scored on every criterion: the optimiser's plan is ready for HQ.
    Scored,
    /// HQ decided; the money is allocated and the execution plan exists.
    Decided,
    /// An emergency round the Cabinet Office has reviewed.
    Reviewed,
    /// The ex-post check against the proposals' targets is done.
    Checked,
}

/// What a round's phase follows from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundFacts {
    /// An emergency round.
    pub emergency: bool,
    /// HQ decided it (emergency rounds are decided when opened).
    pub decided: bool,
    /// It has proposals and every one is scored on every criterion.
    pub fully_scored: bool,
    /// The emergency follow-up review is done.
    pub reviewed: bool,
    /// The ex-post check is done.
    pub checked: bool,
}

impl RoundPhase {
    /// The phase of a round with these facts.
    pub fn of(f: RoundFacts) -> RoundPhase {
        if f.checked {
            RoundPhase::Checked
        } else if f.decided && f.emergency && f.reviewed {
            RoundPhase::Reviewed
        } else if f.decided {
            RoundPhase::Decided
        } else if f.fully_scored {
            RoundPhase::Scored
        } else {
            RoundPhase::Open
        }
    }

    /// The stored and printed name.
    pub fn name(self) -> &'static str {
        match self {
            RoundPhase::Open => "open",
            RoundPhase::Scored => "scored",
            RoundPhase::Decided => "decided",
            RoundPhase::Reviewed => "reviewed",
            RoundPhase::Checked => "checked",
        }
    }

    /// The Japanese name.
    pub fn name_ja(self) -> &'static str {
        match self {
            RoundPhase::Open => "提案受付中",
            RoundPhase::Scored => "評価済（配分案あり）",
            RoundPhase::Decided => "決定・配分済",
            RoundPhase::Reviewed => "事後検証済",
            RoundPhase::Checked => "事後評価済",
        }
    }
}

/// The day a round's ex-post check falls due: `days` after the fiscal year ends (31 March of
/// the next calendar year), as `YYYY-MM-DD`.
pub fn expost_due(fy: FiscalYear, days: u32) -> String {
    let end = time::Date::from_calendar_date(i32::try_from(fy.year() + 1).unwrap_or(i32::MAX), time::Month::March, 31)
        .expect("31 March exists");
    let due = end.checked_add(time::Duration::days(i64::from(days))).unwrap_or(end);
    format!("{:04}-{:02}-{:02}", due.year(), u8::from(due.month()), due.day())
}

/// The results an ex-post check records for a funded line.
pub const OUTCOME_RESULTS: [(&str, &str, &str); 3] =
    [("met", "目標達成", "met"), ("partly", "一部達成", "partly met"), ("not-met", "未達成", "not met")];

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> RoundFacts {
        RoundFacts { emergency: false, decided: false, fully_scored: false, reviewed: false, checked: false }
    }

    #[test]
    fn a_regular_round_moves_open_scored_decided_checked() {
        assert_eq!(RoundPhase::of(facts()), RoundPhase::Open);
        let scored = RoundFacts { fully_scored: true, ..facts() };
        assert_eq!(RoundPhase::of(scored), RoundPhase::Scored);
        let decided = RoundFacts { decided: true, ..scored };
        assert_eq!(RoundPhase::of(decided), RoundPhase::Decided);
        // A regular round has no emergency review; `reviewed` does not move it.
        assert_eq!(RoundPhase::of(RoundFacts { reviewed: true, ..decided }), RoundPhase::Decided);
        assert_eq!(RoundPhase::of(RoundFacts { checked: true, ..decided }), RoundPhase::Checked);
    }

    #[test]
    fn an_emergency_round_is_decided_then_reviewed_then_checked() {
        let e = RoundFacts { emergency: true, decided: true, ..facts() };
        assert_eq!(RoundPhase::of(e), RoundPhase::Decided);
        assert_eq!(RoundPhase::of(RoundFacts { reviewed: true, ..e }), RoundPhase::Reviewed);
        assert_eq!(RoundPhase::of(RoundFacts { reviewed: true, checked: true, ..e }), RoundPhase::Checked);
    }

    #[test]
    fn the_check_falls_due_after_the_fiscal_year_ends() {
        let fy = FiscalYear::try_from(2023).unwrap();
        assert_eq!(expost_due(fy, 0), "2024-03-31");
        assert_eq!(expost_due(fy, 1), "2024-04-01");
        // 2024 is a leap year: 31 March + 180 days is 27 September.
        assert_eq!(expost_due(fy, 180), "2024-09-27");
    }
}
