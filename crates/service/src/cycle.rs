//! The coordination cycle (§2): users, package transitions, hearings, instructions and answers.

use haibun_domain::policy::Policy;
use haibun_domain::problem::{Location, Problem, ProblemCode};
use haibun_domain::workflow::{Action, Role, Status, YearAction, transition};
use haibun_domain::{FiscalYear, RequestLine};
use haibun_store::{AnswerRow, HearingRow, InstructionRow, NewEvent, PackageRow, Tx, UserRow};
use serde_json::json;

use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// A package with what it waits for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PackageState {
    /// Ministry code.
    pub ministry: String,
    /// Current state.
    pub status: Status,
    /// Version, for optimistic concurrency.
    pub version: i64,
    /// Why excluded, if excluded.
    pub exclusion_reason: Option<String>,
    /// Lines it holds.
    pub lines: usize,
}

/// A hearing to record (§2(2)).
#[derive(Debug, Clone, Default)]
pub struct HearingInput {
    /// Date held, YYYY-MM-DD.
    pub date: String,
    /// Where.
    pub place: String,
    /// Who attended.
    pub attendees: String,
    /// Minutes.
    pub minutes: String,
}

/// An instruction to issue (§2(3)).
#[derive(Debug, Clone, Default)]
pub struct InstructionInput {
    /// The line it concerns, or none for the whole package.
    pub line_id: Option<String>,
    /// What to do.
    pub text: String,
    /// A target amount in yen.
    pub target_amount: Option<haibun_domain::Yen>,
    /// Due date, YYYY-MM-DD.
    pub due: Option<String>,
}

pub(crate) fn event(
    actor: &Actor,
    action: &str,
    entity: String,
    fy: Option<FiscalYear>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> NewEvent {
    NewEvent {
        at: now(),
        actor: actor.name.clone(),
        role: actor.role.name().into(),
        action: action.into(),
        entity,
        fiscal_year: fy.map(FiscalYear::year),
        before,
        after,
    }
}

pub(crate) fn invalid_arg(field: &str, ja: String, en: String) -> ServiceError {
    ServiceError::invalid(ProblemCode::InvalidArgument, field, ja, en)
}

/// Refuses a write that would take the year's lines past [`haibun_domain::money::YEAR_MAX`].
pub(crate) async fn check_year_total(tx: &mut Tx, fy: FiscalYear, at: haibun_domain::Location) -> ServiceResult<()> {
    if haibun_domain::money::within_year_max(&tx.year_amounts(fy).await?) {
        return Ok(());
    }
    Err(ServiceError::Invalid(vec![haibun_domain::Problem::new(
        haibun_domain::ProblemCode::AmountTooLarge,
        at,
        "年度の合計が上限（10京円）を超えます",
        "the year's lines would add up to more than the limit (10^17 yen)",
    )]))
}

/// Checks a YYYY-MM-DD date.
pub(crate) fn check_date(field: &str, s: &str) -> ServiceResult<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &format).map(|_| s.trim().to_string()).map_err(|_| {
        invalid_arg(
            field,
            format!("日付は YYYY-MM-DD で指定してください: {s}"),
            format!("a date must be YYYY-MM-DD: {s}"),
        )
    })
}

/// Checks free text: non-empty when required, bounded, no control characters.
pub(crate) fn check_text(field: &str, s: &str, required: bool) -> ServiceResult<String> {
    let t = s.trim();
    if required && t.is_empty() {
        return Err(invalid_arg(field, format!("{field} は必須です"), format!("{field} is required")));
    }
    if t.chars().count() > 20_000 || haibun_domain::text::has_control_chars(t) {
        return Err(invalid_arg(
            field,
            format!("{field} が長すぎるか制御文字を含みます"),
            format!("{field} is too long or holds control characters"),
        ));
    }
    Ok(t.to_string())
}

impl Service {
    /// The actor named by `--as`, or the system administrator when none is named.
    pub async fn actor(&self, name: Option<&str>) -> ServiceResult<Actor> {
        let Some(name) = name else { return Ok(Actor::system()) };
        self.store.ensure_initialised().await?;
        let user = self.store.user(name).await?.ok_or_else(|| {
            ServiceError::not_found(format!("利用者 {name} は登録されていません"), format!("no user named {name}"))
        })?;
        let role: Role = user.role.parse().map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
        Ok(Actor { name: user.name, role, ministry: user.ministry })
    }

    /// Adds a user (administrators only). Ministry users must name their ministry; others must not.
    pub async fn add_user(&self, actor: &Actor, name: &str, role: Role, ministry: Option<&str>) -> ServiceResult<()> {
        actor.check_year(YearAction::ManageUsers)?;
        self.store.ensure_initialised().await?;
        let name = check_text("name", name, true)?;
        if name.chars().count() > 64 || name.contains(char::is_whitespace) {
            return Err(invalid_arg(
                "name",
                "利用者名は空白を含まない64文字以内です".into(),
                "a user name is at most 64 characters without spaces".into(),
            ));
        }
        let ministry = match (role, ministry) {
            (Role::Ministry, None) => {
                return Err(invalid_arg(
                    "--ministry",
                    "府省担当には --ministry が必要です".into(),
                    "a ministry user needs --ministry".into(),
                ));
            }
            (Role::Ministry, Some(m)) => Some(self.any_policy_ministry(m).await?),
            (_, Some(_)) => {
                return Err(invalid_arg(
                    "--ministry",
                    "--ministry は府省担当（ministry）にのみ指定します".into(),
                    "--ministry is only for the ministry role".into(),
                ));
            }
            (_, None) => None,
        };
        let at = now();
        let mut tx = self.store.begin().await?;
        tx.insert_user(&name, role.name(), ministry.as_deref(), &at).await?;
        tx.append_event(&event(
            actor,
            "user.add",
            format!("user/{name}"),
            None,
            None,
            Some(json!({"name": name, "role": role.name(), "ministry": ministry})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every user (not for ministry users, who see their own ministry only).
    pub async fn users(&self, actor: &Actor) -> ServiceResult<Vec<UserRow>> {
        actor.check_read(None)?;
        self.store.ensure_initialised().await?;
        Ok(self.store.users().await?)
    }

    async fn any_policy_ministry(&self, given: &str) -> ServiceResult<String> {
        // Users outlive a year; their ministry is checked against the newest stored policy.
        for year in haibun_domain::policy::BUILTIN.iter().rev() {
            if let Ok(fy) = FiscalYear::try_from(year.0)
                && let Ok(policy) = self.policy(fy).await
            {
                return Self::ministry_code(&policy, given);
            }
        }
        Err(ServiceError::not_found("方針が登録されていません（haibun init）", "no policy stored (run haibun init)"))
    }

    /// Every package of a year that has lines or a recorded state, with its line count.
    pub async fn packages(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<Vec<PackageState>> {
        let policy = self.policy(fy).await?;
        let stored = self.store.packages(fy.year()).await?;
        let lines = self.store.lines(fy, None).await?;
        let mut out = Vec::new();
        for m in policy.codes(haibun_domain::policy::Kind::Ministry) {
            if actor.check_read(Some(m)).is_err() {
                continue;
            }
            let n = lines.iter().filter(|l| l.line.ministry == m).count();
            let row = stored.iter().find(|p| p.ministry == m);
            if row.is_none() && n == 0 {
                continue;
            }
            let status = row
                .map_or(Ok(Status::Drafting), |r| r.status.parse())
                .map_err(|e: String| ServiceError::Internal(anyhow::anyhow!(e)))?;
            out.push(PackageState {
                ministry: m.to_string(),
                status,
                version: row.map_or(0, |r| r.version),
                exclusion_reason: row.and_then(|r| r.exclusion_reason.clone()),
                lines: n,
            });
        }
        Ok(out)
    }

    /// Applies a package action inside `tx`: authorises, runs the workflow, writes the new state
    /// and its audit event. Returns the state before and after.
    pub(crate) async fn apply(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        fy: FiscalYear,
        ministry: &str,
        action: Action,
        reason: Option<String>,
    ) -> ServiceResult<(Status, Status)> {
        actor.check_package(action, ministry)?;
        // Locked until commit: a concurrent submit cannot slip between this check and our write.
        let current = tx.lock_package(fy.year(), ministry, &actor.name, &now()).await?;
        let status: Status = current.status.parse().map_err(|e: String| ServiceError::Internal(anyhow::anyhow!(e)))?;
        let version = current.version;
        let next = transition(status, action, actor.role)?;
        if next != status {
            let row = PackageRow {
                fiscal_year: fy.year(),
                ministry: ministry.to_string(),
                status: next.name().into(),
                version,
                exclusion_reason: reason.clone(),
                updated_at: now(),
                updated_by: actor.name.clone(),
            };
            tx.put_package(&row, version).await?;
            let e = event(
                actor,
                &format!("package.{action}"),
                format!("FY{}/{ministry}", fy.year()),
                Some(fy),
                Some(json!({"status": status.name(), "version": version})),
                Some(json!({"status": next.name(), "version": version + 1, "reason": reason})),
            );
            tx.append_event(&e).await?;
        }
        Ok((status, next))
    }

    /// Submits, reports or consents to a package (§2(1)(3)), or excludes it with a reason.
    pub async fn package_action(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: &str,
        action: Action,
        reason: Option<&str>,
    ) -> ServiceResult<Status> {
        let policy = self.policy(fy).await?;
        let ministry = Self::ministry_code(&policy, ministry)?;
        let reason = match action {
            Action::Exclude => Some(check_text("--reason", reason.unwrap_or(""), true)?),
            Action::Submit | Action::Report | Action::Consent => None,
            // The others carry a record of their own (a hearing, an instruction, an answer, lines).
            other => {
                return Err(ServiceError::Internal(anyhow::anyhow!(
                    "package_action does not take {other}; use its own use case"
                )));
            }
        };
        // Who may act is decided before anything about the package's state is revealed.
        actor.check_package(action, &ministry)?;
        // What last year's follow-up carries into the lines (none in a year opened afresh).
        let carried =
            if matches!(action, Action::Submit | Action::Report) { self.carried(fy).await? } else { Vec::new() };
        let mut tx = self.store.begin().await?;
        if action == Action::Report {
            let round = tx.last_round(fy.year(), &ministry).await?;
            let open = tx.unanswered(fy.year(), &ministry, round).await?;
            if !open.is_empty() {
                let ids = open.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                return Err(ServiceError::Conflict(format!(
                    "未回答の指示があります（{ids}）。すべてに回答してから報告してください / instructions {ids} have no answer yet; answer each before reporting"
                )));
            }
        }
        let (_, next) = self.apply(&mut tx, actor, fy, &ministry, action, reason).await?;
        // Neither the first submission nor the report after a revision goes with an error open.
        // The lines are read after the package is locked, in the same transaction: no edit can
        // slip in between the check and the change of state.
        if matches!(action, Action::Submit | Action::Report) {
            let lines: Vec<RequestLine> = tx.lines_of(fy, &ministry).await?.into_iter().map(|s| s.line).collect();
            no_check_errors(&policy, &ministry, &lines, &carried)?;
        }
        tx.commit().await?;
        Ok(next)
    }

    /// Schedules a hearing (§2(2)): a date and place, before it is held. The package's state is unchanged.
    pub async fn schedule_hearing(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: &str,
        date: &str,
        place: &str,
    ) -> ServiceResult<i64> {
        let policy = self.policy(fy).await?;
        let ministry = Self::ministry_code(&policy, ministry)?;
        actor.check_package(Action::RecordHearing, &ministry)?;
        let row = HearingRow {
            id: 0,
            fiscal_year: fy.year(),
            ministry: ministry.clone(),
            held_on: check_date("--date", date)?,
            held: 0,
            place: check_text("--place", place, false)?,
            attendees: String::new(),
            minutes: String::new(),
            recorded_by: actor.name.clone(),
            recorded_at: now(),
        };
        let mut tx = self.store.begin().await?;
        let status: Status = tx
            .lock_package(fy.year(), &ministry, &actor.name, &now())
            .await?
            .status
            .parse()
            .map_err(|e: String| ServiceError::Internal(anyhow::anyhow!(e)))?;
        if !matches!(status, Status::Drafting | Status::Submitted) {
            return Err(ServiceError::Conflict(format!(
                "状態「{}」ではヒアリングを予定できません / a hearing cannot be scheduled in state {status}",
                status.name_ja()
            )));
        }
        let id = tx.insert_hearing(&row).await?;
        tx.append_event(&event(
            actor,
            "hearing.schedule",
            format!("FY{}/{ministry}/hearing/{id}", fy.year()),
            Some(fy),
            None,
            Some(json!({"date": row.held_on, "place": row.place})),
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a hearing as held, with attendees and minutes, and marks the package's hearing held
    /// (§2(2)). A hearing scheduled for the package becomes this one.
    pub async fn record_hearing(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: &str,
        h: HearingInput,
    ) -> ServiceResult<i64> {
        let policy = self.policy(fy).await?;
        let ministry = Self::ministry_code(&policy, ministry)?;
        actor.check_package(Action::RecordHearing, &ministry)?;
        let mut row = HearingRow {
            id: 0,
            fiscal_year: fy.year(),
            ministry: ministry.clone(),
            held_on: check_date("--date", &h.date)?,
            held: 1,
            place: check_text("--place", &h.place, false)?,
            attendees: check_text("--attendees", &h.attendees, false)?,
            minutes: check_text("--minutes", &h.minutes, false)?,
            recorded_by: actor.name.clone(),
            recorded_at: now(),
        };
        let mut tx = self.store.begin().await?;
        self.apply(&mut tx, actor, fy, &ministry, Action::RecordHearing, None).await?;
        let id = match tx.scheduled_hearing(fy.year(), &ministry).await? {
            Some(id) => {
                row.id = id;
                tx.mark_hearing_held(id, &row).await?;
                id
            }
            None => tx.insert_hearing(&row).await?,
        };
        tx.append_event(&event(actor, "hearing.record", format!("FY{}/{ministry}/hearing/{id}", fy.year()), Some(fy), None, Some(json!({"held_on": row.held_on, "place": row.place, "attendees": row.attendees, "minutes_chars": row.minutes.chars().count()})))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Instructs a ministry to revise a line or the whole package (§2(3)); returns the instruction's id.
    pub async fn instruct(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: &str,
        input: InstructionInput,
    ) -> ServiceResult<i64> {
        let policy = self.policy(fy).await?;
        let ministry = Self::ministry_code(&policy, ministry)?;
        actor.check_package(Action::Instruct, &ministry)?;
        let text = check_text("--text", &input.text, true)?;
        let due = input.due.as_deref().map(|d| check_date("--due", d)).transpose()?;
        let line_id = input
            .line_id
            .as_deref()
            .map(|l| {
                haibun_domain::LineId::parse(l).ok_or_else(|| {
                    invalid_arg("--line", format!("事業番号が不正です: {l}"), format!("invalid line id: {l}"))
                })
            })
            .transpose()?;
        let mut tx = self.store.begin().await?;
        if let Some(id) = &line_id {
            let line_id = id.as_str();
            if tx.line(fy, &ministry, id).await?.is_none() {
                return Err(ServiceError::not_found(
                    format!("{ministry} の事業 {line_id} はありません"),
                    format!("{ministry} has no line {line_id}"),
                ));
            }
        }
        let (before, _) = self.apply(&mut tx, actor, fy, &ministry, Action::Instruct, None).await?;
        let last = tx.last_round(fy.year(), &ministry).await?;
        // Instructions given while a round is still open join it; after a report, a new round starts.
        let round = if before == Status::RevisionInstructed { last.max(1) } else { last + 1 };
        let row = InstructionRow {
            id: 0,
            fiscal_year: fy.year(),
            ministry: ministry.clone(),
            line_id: line_id.map(|l| l.to_string()),
            round,
            text,
            target_amount: input.target_amount.map(|y| y.get()),
            due,
            issued_by: actor.name.clone(),
            issued_at: now(),
        };
        let id = tx.insert_instruction(&row).await?;
        tx.append_event(&event(actor, "instruction.issue", format!("FY{}/{ministry}/instruction/{id}", fy.year()), Some(fy), None, Some(json!({"round": round, "line_id": row.line_id, "text": row.text, "target_amount": row.target_amount, "due": row.due})))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Answers an instruction; the answer records the instructed line's version at the time.
    pub async fn answer(&self, actor: &Actor, instruction_id: i64, text: &str) -> ServiceResult<i64> {
        // Roles that may never answer learn nothing about which instructions exist.
        if !Action::Answer.roles().contains(&actor.role) {
            return Err(
                haibun_domain::workflow::WorkflowError::Forbidden { role: actor.role, action: Action::Answer }.into()
            );
        }
        let text = check_text("--text", text, true)?;
        self.store.ensure_initialised().await?;
        let mut tx = self.store.begin().await?;
        let ins = tx.instruction(instruction_id).await?.ok_or_else(|| {
            ServiceError::not_found(
                format!("指示 {instruction_id} はありません"),
                format!("no instruction {instruction_id}"),
            )
        })?;
        let fy = FiscalYear::try_from(ins.fiscal_year).map_err(|e| ServiceError::Internal(e.into()))?;
        self.apply(&mut tx, actor, fy, &ins.ministry, Action::Answer, None).await?;
        let line_version = match &ins.line_id {
            Some(l) => {
                let id = haibun_domain::LineId::parse(l)
                    .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("stored line id {l:?}")))?;
                tx.line(fy, &ins.ministry, &id).await?.map(|s| s.version)
            }
            None => None,
        };
        let row = AnswerRow {
            id: 0,
            instruction_id,
            text,
            line_version,
            answered_by: actor.name.clone(),
            answered_at: now(),
        };
        let id = tx.insert_answer(&row).await?;
        tx.append_event(&event(
            actor,
            "instruction.answer",
            format!("FY{}/{}/instruction/{instruction_id}", fy.year(), ins.ministry),
            Some(fy),
            None,
            Some(json!({"answer": id, "text": row.text, "line_version": line_version})),
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The instructions of a year with their answers (a ministry user sees its own only).
    pub async fn instruction_threads(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: Option<&str>,
    ) -> ServiceResult<Vec<(InstructionRow, Vec<AnswerRow>)>> {
        let policy = self.policy(fy).await?;
        let ministry = ministry.map(|m| Self::ministry_code(&policy, m)).transpose()?;
        let scope = ministry.as_deref().or(actor.read_scope());
        actor.check_read(scope)?;
        let answers = self.store.answers(fy.year()).await?;
        Ok(self
            .store
            .instructions(fy.year(), scope)
            .await?
            .into_iter()
            .map(|i| {
                let a = answers.iter().filter(|a| a.instruction_id == i.id).cloned().collect();
                (i, a)
            })
            .collect())
    }

    /// The hearings of a year (a ministry user sees its own only).
    pub async fn hearings(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<Vec<HearingRow>> {
        self.policy(fy).await?;
        Ok(self.store.hearings(fy.year(), actor.read_scope()).await?)
    }
}

/// Refuses a submission while the policy check finds errors in the ministry's lines (an
/// `AMED` line without its project, …): each is reported with its line and field.
fn no_check_errors(
    policy: &Policy,
    ministry: &str,
    lines: &[RequestLine],
    carried: &[haibun_domain::review::Carried],
) -> ServiceResult<()> {
    // Overlap candidates are warnings, never errors, so the ministry's own lines decide; as on
    // the check page, a ministry answers for findings on its lines, not for the year's.
    let review = haibun_domain::review::review_with(policy, lines, &[], None, carried);
    let problems: Vec<Problem> = review
        .findings
        .iter()
        .filter(|f| f.severity == haibun_domain::policy::Severity::Error && f.ministry.is_some())
        .map(|f| {
            let code = if f.code == "PROJECT_CLASSIFICATION" {
                ProblemCode::ProjectRequired
            } else {
                ProblemCode::InvalidArgument
            };
            let at = format!(
                "{}/{} {}",
                f.ministry.as_deref().unwrap_or(ministry),
                f.line_id.as_deref().unwrap_or(""),
                f.field.as_deref().unwrap_or("")
            );
            Problem::new(
                code,
                Location::field(at.trim()),
                format!("提出前に直してください: {}", f.message_ja),
                format!("fix before submitting: {}", f.message_en),
            )
        })
        .collect();
    if problems.is_empty() { Ok(()) } else { Err(ServiceError::Invalid(problems)) }
}
