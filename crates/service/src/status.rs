//! The year's calendar and where every package stands against it.

use haibun_domain::FiscalYear;
use haibun_domain::workflow::{Status, YearAction};
use haibun_store::{CalendarRow, SnapshotRow};
use serde_json::json;

use crate::cycle::{check_date, event};
use crate::{Actor, Service, ServiceResult};

/// One package's line in the status report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PackageStatus {
    /// Ministry code.
    pub ministry: String,
    /// State.
    pub status: Status,
    /// Lines it holds.
    pub lines: usize,
    /// What it waits for, Japanese.
    pub waits_for_ja: String,
    /// What it waits for, English.
    pub waits_for_en: String,
    /// The date it is due by, if the calendar says.
    pub due: Option<String>,
    /// Whether that date has passed.
    pub overdue: bool,
}

/// Where the year stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct YearStatus {
    /// The year.
    pub fiscal_year: FiscalYear,
    /// The date the report is for.
    pub today: String,
    /// The calendar, if set.
    pub calendar: Option<CalendarRow>,
    /// Every package.
    pub packages: Vec<PackageStatus>,
    /// The latest compilation snapshot, if any.
    pub snapshot: Option<SnapshotRow>,
}

impl Service {
    /// Sets the year's calendar (dates YYYY-MM-DD, in order).
    pub async fn set_calendar(&self, actor: &Actor, c: CalendarRow) -> ServiceResult<()> {
        actor.check_year(YearAction::SetCalendar)?;
        let fy = FiscalYear::try_from(c.fiscal_year).map_err(|e| {
            crate::ServiceError::Invalid(vec![haibun_domain::Problem::new(
                haibun_domain::ProblemCode::InvalidArgument,
                haibun_domain::Location::field("--fy"),
                e.to_string(),
                e.to_string(),
            )])
        })?;
        self.policy(fy).await?;
        let c = CalendarRow {
            submission_deadline: check_date("--submission-deadline", &c.submission_deadline)?,
            hearing_start: check_date("--hearing-start", &c.hearing_start)?,
            hearing_end: check_date("--hearing-end", &c.hearing_end)?,
            consent_deadline: check_date("--consent-deadline", &c.consent_deadline)?,
            compilation_date: check_date("--compilation-date", &c.compilation_date)?,
            ..c
        };
        // ISO dates compare correctly as text; each step must not come before the one it follows.
        let order = [
            ("--submission-deadline", &c.submission_deadline),
            ("--hearing-start", &c.hearing_start),
            ("--hearing-end", &c.hearing_end),
            ("--consent-deadline", &c.consent_deadline),
            ("--compilation-date", &c.compilation_date),
        ];
        if let Some(w) = order.windows(2).find(|w| w[1].1 < w[0].1) {
            let (a, b) = (w[0], w[1]);
            return Err(crate::ServiceError::Invalid(vec![haibun_domain::Problem::new(
                haibun_domain::ProblemCode::InvalidArgument,
                haibun_domain::Location::field(b.0),
                format!("{}（{}）が {}（{}）より前です", b.0, b.1, a.0, a.1),
                format!("{} ({}) is before {} ({})", b.0, b.1, a.0, a.1),
            )]));
        }
        let before = self.store.calendar(fy.year()).await?;
        let mut tx = self.store.begin().await?;
        tx.put_calendar(&c).await?;
        let e = event(
            actor,
            "calendar.set",
            format!("FY{}/calendar", c.fiscal_year),
            Some(fy),
            before.map(|b| json!(b)),
            Some(json!(c)),
        );
        tx.append_event(&e).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every package's state, what it waits for, and whether that is overdue on `today` (YYYY-MM-DD).
    pub async fn status(&self, actor: &Actor, fy: FiscalYear, today: &str) -> ServiceResult<YearStatus> {
        let today = check_date("--today", today)?;
        let calendar = self.store.calendar(fy.year()).await?;
        let open_instructions = self.store.instructions(fy.year(), None).await?;
        let answers = self.store.answers(fy.year()).await?;
        let packages = self.packages(actor, fy).await?;
        let hearings = self.store.hearings(fy.year(), None).await?;
        let cal = calendar.as_ref();
        let rows = packages
            .into_iter()
            .map(|p| {
                let (ja, en, due): (&str, &str, Option<String>) = match p.status {
                    Status::Drafting => {
                        ("府省の提出", "the ministry's submission", cal.map(|c| c.submission_deadline.clone()))
                    }
                    Status::Submitted => match hearings.iter().find(|h| h.ministry == p.ministry && h.held == 0) {
                        Some(h) => (
                            "内閣府のヒアリング（予定あり）",
                            "the Cabinet Office's hearing (scheduled)",
                            Some(h.held_on.clone()),
                        ),
                        None => {
                            ("内閣府のヒアリング", "the Cabinet Office's hearing", cal.map(|c| c.hearing_end.clone()))
                        }
                    },
                    Status::HearingHeld => (
                        "内閣府の見直し指示または了解",
                        "the Cabinet Office's instructions or consent",
                        cal.map(|c| c.consent_deadline.clone()),
                    ),
                    Status::RevisionInstructed => {
                        let earliest = open_instructions
                            .iter()
                            .filter(|i| i.ministry == p.ministry && !answers.iter().any(|a| a.instruction_id == i.id))
                            .filter_map(|i| i.due.clone())
                            .min();
                        (
                            "府省の見直しと対応状況の報告",
                            "the ministry's revision and report",
                            earliest.or_else(|| cal.map(|c| c.consent_deadline.clone())),
                        )
                    }
                    Status::RevisionReported => {
                        ("内閣府の了解", "the Cabinet Office's consent", cal.map(|c| c.consent_deadline.clone()))
                    }
                    Status::Consented | Status::Excluded => ("推進本部の取りまとめ", "HQ's compilation", None),
                };
                // ISO dates compare correctly as text.
                let overdue = due.as_deref().is_some_and(|d| today.as_str() > d);
                PackageStatus {
                    ministry: p.ministry,
                    status: p.status,
                    lines: p.lines,
                    waits_for_ja: ja.into(),
                    waits_for_en: en.into(),
                    due,
                    overdue,
                }
            })
            .collect();
        let snapshot = self.store.snapshots(fy.year()).await?.pop();
        Ok(YearStatus { fiscal_year: fy, today, calendar, packages: rows, snapshot })
    }
}
