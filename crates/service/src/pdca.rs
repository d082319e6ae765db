//! PDCA (§6): a year's measures (施策) with their KPIs and logic model, the lines serving them,
//! follow-up rounds in which the ministries report actuals and the Cabinet Office evaluates each
//! measure, and the action HQ records for each line.

use haibun_domain::pdca::{Direction, Evaluation, KpiKind, LineAction, achievement, parse_value, short_of};
use haibun_domain::policy::Kind;
use haibun_domain::workflow::{Action, Role, YearAction};
use haibun_domain::{FiscalYear, LineId, Yen};
use haibun_store::{
    ActualRow, EvaluationRow, FollowupRoundRow, KpiLinkRow, KpiRow, KpiTargetRow, LineActionRow, LineMeasureRow,
    MeasureRow, Tx,
};
use rust_decimal::Decimal;
use serde_json::json;

use crate::cycle::{check_date, check_text, event, invalid_arg};
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// A measure as entered.
#[derive(Debug, Clone, Default)]
pub struct MeasureInput {
    /// Its code (letters, digits, `-` and `_`).
    pub code: String,
    /// 施策名.
    pub name: String,
    /// The integrated project, or a §5 area such as `MOONSHOT` or `INHOUSE`.
    pub project: String,
}

/// A KPI as entered, in the RS system's shape.
#[derive(Debug, Clone, Default)]
pub struct KpiInput {
    /// Its code (RS: 番号).
    pub code: String,
    /// The measure it belongs to.
    pub measure: String,
    /// The ministry that reports it.
    pub ministry: String,
    /// activity, output, outcome-short, outcome-mid or outcome-long (or their Japanese names).
    pub kind: String,
    /// 活動指標／成果指標.
    pub indicator: String,
    /// 単位.
    pub unit: String,
    /// higher or lower (上向き／下向き).
    pub direction: String,
    /// 出典.
    pub source: String,
    /// The baseline value and its year.
    pub baseline: Option<(String, i64)>,
    /// Targets: (year, value).
    pub targets: Vec<(i64, String)>,
}

/// A KPI with its targets and, in a round, its actuals and achievement.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KpiView {
    /// The KPI.
    pub kpi: KpiRow,
    /// Its targets by year.
    pub targets: Vec<KpiTargetRow>,
    /// The actuals reported in the round, by year, each with its achievement rate (percent,
    /// one decimal; `None` when undefined or no target for that year) and whether it falls short.
    pub actuals: Vec<ActualView>,
}

/// A reported actual with what it means.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ActualView {
    /// As reported.
    pub actual: ActualRow,
    /// The target for the same year.
    pub target: Option<String>,
    /// 達成率 in percent.
    pub achievement: Option<Decimal>,
    /// Whether it falls short of the target.
    pub short: bool,
}

/// A measure with its KPIs, the logic model's links and the lines serving it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MeasureView {
    /// The measure.
    pub measure: MeasureRow,
    /// Its KPIs.
    pub kpis: Vec<KpiView>,
    /// Links between its KPIs.
    pub links: Vec<KpiLinkRow>,
    /// Lines serving it.
    pub lines: Vec<LineMeasureRow>,
    /// The evaluation in the round, if any.
    pub evaluation: Option<EvaluationRow>,
}

/// A follow-up round as an actor sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FollowupView {
    /// The round.
    pub round: FollowupRoundRow,
    /// Every measure of the year, with the round's actuals and evaluations.
    pub measures: Vec<MeasureView>,
    /// HQ's actions for lines.
    pub actions: Vec<LineActionRow>,
    /// KPIs with no actual reported in the round yet: (ministry, KPI).
    pub unreported: Vec<(String, String)>,
    /// Measures not yet evaluated.
    pub unevaluated: Vec<String>,
}

/// A code as people may type it: 1–40 ASCII letters, digits, `-` or `_`, upper-cased.
fn code_arg(field: &str, raw: &str) -> ServiceResult<String> {
    let c = haibun_domain::text::normalize(raw).to_uppercase();
    if c.is_empty() || c.len() > 40 || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_') {
        return Err(invalid_arg(
            field,
            format!("{field} は英数字・-・_ の 1〜40 文字です: 「{raw}」"),
            format!("{field} is 1–40 letters, digits, - or _: \"{raw}\""),
        ));
    }
    Ok(c)
}

/// A KPI value as people type it, in its canonical text.
fn value_arg(field: &str, raw: &str) -> ServiceResult<String> {
    parse_value(raw).map(|d| d.to_string()).map_err(|e| invalid_arg(field, e.to_string(), e.to_string()))
}

/// A year given for a target or an actual: a plausible fiscal year.
fn year_arg(field: &str, year: i64) -> ServiceResult<i64> {
    FiscalYear::try_from(year).map(FiscalYear::year).map_err(|_| {
        invalid_arg(field, format!("{field} の年度が不正です: {year}"), format!("{field}: not a fiscal year: {year}"))
    })
}

fn not_found(what_ja: &str, what_en: &str, code: &str) -> ServiceError {
    ServiceError::not_found(format!("{what_ja} {code} はありません"), format!("no {what_en} {code}"))
}

impl Service {
    /// Adds a measure to a year (Cabinet Office, HQ).
    pub async fn add_measure(&self, actor: &Actor, fy: FiscalYear, m: &MeasureInput) -> ServiceResult<()> {
        actor.check_year(YearAction::DefineMeasures)?;
        let policy = self.policy(fy).await?;
        let code = code_arg("--code", &m.code)?;
        let name = check_text("--name", &m.name, true)?;
        let project = code_arg("--project", &m.project)?;
        let known =
            policy.codes(Kind::Project).contains(&project.as_str()) || policy.areas.iter().any(|a| a.code == project);
        if !known {
            let mut all: Vec<&str> = policy.codes(Kind::Project);
            all.extend(policy.areas.iter().map(|a| a.code.as_str()));
            return Err(invalid_arg(
                "--project",
                format!("統合プロジェクトまたは区分 {project} は方針にありません（{}）", all.join("・")),
                format!("{project} is neither an integrated project nor an area of the policy ({})", all.join(", ")),
            ));
        }
        let row = MeasureRow {
            fiscal_year: fy.year(),
            code: code.clone(),
            name,
            project,
            created_by: actor.name.clone(),
            created_at: now(),
        };
        let mut tx = self.store.begin().await?;
        if !tx.insert_measure(&row).await? {
            return Err(ServiceError::Conflict(format!("施策 {code} は登録済みです / measure {code} already exists")));
        }
        tx.append_event(&event(
            actor,
            "measure.add",
            format!("FY{}/measure/{code}", fy.year()),
            Some(fy),
            None,
            Some(json!(row)),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a KPI with its targets to a measure (Cabinet Office, HQ).
    pub async fn add_kpi(&self, actor: &Actor, fy: FiscalYear, k: &KpiInput) -> ServiceResult<()> {
        actor.check_year(YearAction::DefineMeasures)?;
        let policy = self.policy(fy).await?;
        let code = code_arg("--code", &k.code)?;
        let measure = code_arg("--measure", &k.measure)?;
        let ministry = Self::ministry_code(&policy, &k.ministry)?;
        let kind = KpiKind::parse(&k.kind).ok_or_else(|| {
            invalid_arg(
                "--kind",
                format!("指標の種別は {} のいずれかです", KpiKind::choices()),
                format!("the kind is one of {}", KpiKind::choices()),
            )
        })?;
        let direction = Direction::parse(&k.direction).ok_or_else(|| {
            invalid_arg(
                "--direction",
                format!("改善の向きは {} のいずれかです", Direction::choices()),
                format!("the direction is one of {}", Direction::choices()),
            )
        })?;
        let baseline = match &k.baseline {
            Some((v, y)) => Some((value_arg("--baseline", v)?, year_arg("--baseline-year", *y)?)),
            None => None,
        };
        if k.targets.is_empty() {
            return Err(invalid_arg(
                "--target",
                "目標値を 1 つ以上（年度=値）指定してください".into(),
                "give at least one target (YEAR=VALUE)".into(),
            ));
        }
        let mut targets = Vec::with_capacity(k.targets.len());
        for (y, v) in &k.targets {
            let year = year_arg("--target", *y)?;
            if targets.iter().any(|t: &KpiTargetRow| t.target_year == year) {
                return Err(invalid_arg(
                    "--target",
                    format!("{year} 年度の目標値が重複しています"),
                    format!("two targets for {year}"),
                ));
            }
            targets.push(KpiTargetRow {
                fiscal_year: fy.year(),
                kpi: code.clone(),
                target_year: year,
                value: value_arg("--target", v)?,
            });
        }
        if !self.store.measures(fy.year()).await?.iter().any(|m| m.code == measure) {
            return Err(not_found("施策", "measure", &measure));
        }
        let row = KpiRow {
            fiscal_year: fy.year(),
            code: code.clone(),
            measure,
            ministry,
            kind: kind.name().into(),
            indicator: check_text("--indicator", &k.indicator, true)?,
            unit: check_text("--unit", &k.unit, true)?,
            direction: direction.name().into(),
            source: check_text("--source", &k.source, true)?,
            baseline: baseline.as_ref().map(|b| b.0.clone()),
            baseline_year: baseline.map(|b| b.1),
        };
        let mut tx = self.store.begin().await?;
        if !tx.insert_kpi(&row, &targets).await? {
            return Err(ServiceError::Conflict(format!("指標 {code} は登録済みです / KPI {code} already exists")));
        }
        tx.append_event(&event(
            actor,
            "kpi.add",
            format!("FY{}/kpi/{code}", fy.year()),
            Some(fy),
            None,
            Some(json!({"kpi": row, "targets": targets})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Links two KPIs of the logic model: an activity to an output or outcome, an output to an
    /// outcome, a shorter-term outcome to a longer one (Cabinet Office, HQ).
    pub async fn link_kpis(&self, actor: &Actor, fy: FiscalYear, from: &str, to: &str) -> ServiceResult<()> {
        actor.check_year(YearAction::DefineMeasures)?;
        self.policy(fy).await?;
        let (from, to) = (code_arg("--from", from)?, code_arg("--to", to)?);
        let kpis = self.store.kpis(fy.year()).await?;
        let find = |c: &str| kpis.iter().find(|k| k.code == c).ok_or_else(|| not_found("指標", "KPI", c));
        let (a, b) = (find(&from)?, find(&to)?);
        let rank =
            |k: &KpiRow| KpiKind::parse(&k.kind).map_or(0, |k| KpiKind::ALL.iter().position(|x| *x == k).unwrap_or(0));
        if rank(a) >= rank(b) {
            return Err(invalid_arg(
                "--to",
                format!(
                    "ロジックモデルは活動→アウトプット→アウトカム（短期→中期→長期）の順です: {from}（{}）→ {to}（{}）",
                    a.kind, b.kind
                ),
                format!(
                    "the logic model runs activity → output → outcome (short → mid → long): {from} ({}) → {to} ({})",
                    a.kind, b.kind
                ),
            ));
        }
        let row = KpiLinkRow { fiscal_year: fy.year(), from_kpi: from.clone(), to_kpi: to.clone() };
        let mut tx = self.store.begin().await?;
        if tx.insert_kpi_link(&row).await? {
            tx.append_event(&event(
                actor,
                "kpi.link",
                format!("FY{}/kpi/{from}", fy.year()),
                Some(fy),
                None,
                Some(json!(row)),
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Links a line to a measure it serves, or to one of the measure's KPIs: the line's
    /// ministry, while it may edit its lines.
    pub async fn link_line(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: &str,
        line_id: &str,
        measure: &str,
        kpi: Option<&str>,
    ) -> ServiceResult<()> {
        let policy = self.policy(fy).await?;
        let ministry = Self::ministry_code(&policy, ministry)?;
        actor.check_package(Action::EditLines, &ministry)?;
        let measure = code_arg("--measure", measure)?;
        let kpi = kpi.map(|k| code_arg("--kpi", k)).transpose()?;
        if !self.store.measures(fy.year()).await?.iter().any(|m| m.code == measure) {
            return Err(not_found("施策", "measure", &measure));
        }
        if let Some(k) = &kpi
            && !self.store.kpis(fy.year()).await?.iter().any(|x| x.code == *k && x.measure == measure)
        {
            return Err(not_found(&format!("施策 {measure} の指標"), &format!("KPI of measure {measure}:"), k));
        }
        let id = LineId::parse(line_id).ok_or_else(|| not_found("事業", "line", line_id))?;
        let mut tx = self.store.begin().await?;
        // Linking is an edit of the request: only while the package may be edited.
        self.apply(&mut tx, actor, fy, &ministry, Action::EditLines, None).await?;
        if tx.line(fy, &ministry, &id).await?.is_none() {
            return Err(not_found(&format!("{ministry} の事業"), &format!("{ministry} line"), line_id));
        }
        let row = LineMeasureRow {
            fiscal_year: fy.year(),
            ministry: ministry.clone(),
            line_id: id.to_string(),
            measure,
            kpi: kpi.unwrap_or_default(),
            linked_by: actor.name.clone(),
            linked_at: now(),
        };
        if tx.insert_line_measure(&row).await? {
            tx.append_event(&event(
                actor,
                "line.link-measure",
                format!("FY{}/{ministry}/{id}", fy.year()),
                Some(fy),
                None,
                Some(json!({"measure": row.measure, "kpi": row.kpi})),
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Opens a follow-up round of a year's measures (Cabinet Office). Returns its number.
    pub async fn open_followup(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        title: &str,
        report_due: &str,
        evaluation_due: &str,
    ) -> ServiceResult<i64> {
        actor.check_year(YearAction::OpenFollowup)?;
        self.policy(fy).await?;
        let title = check_text("--title", title, true)?;
        let report_due = check_date("--report-due", report_due)?;
        let evaluation_due = check_date("--evaluation-due", evaluation_due)?;
        if evaluation_due < report_due {
            return Err(invalid_arg(
                "--evaluation-due",
                "評価の期限は報告の期限より後にしてください".into(),
                "the evaluation is due after the reports".into(),
            ));
        }
        let mut row = FollowupRoundRow {
            id: 0,
            fiscal_year: fy.year(),
            title,
            report_due,
            evaluation_due,
            status: "open".into(),
            opened_by: actor.name.clone(),
            opened_at: now(),
        };
        let mut tx = self.store.begin().await?;
        row.id = tx.insert_followup_round(&row).await?;
        tx.append_event(&event(
            actor,
            "followup.open",
            format!("followup/{}", row.id),
            Some(fy),
            None,
            Some(json!(row)),
        ))
        .await?;
        tx.commit().await?;
        Ok(row.id)
    }

    /// Closes a follow-up round: no report or evaluation is taken after (Cabinet Office).
    pub async fn close_followup(&self, actor: &Actor, round: i64) -> ServiceResult<()> {
        actor.check_year(YearAction::OpenFollowup)?;
        let mut tx = self.store.begin().await?;
        let r = open_round(&mut tx, round).await?;
        tx.close_followup_round(round).await?;
        tx.append_event(&event(
            actor,
            "followup.close",
            format!("followup/{round}"),
            FiscalYear::try_from(r.fiscal_year).ok(),
            Some(json!({"status": "open"})),
            Some(json!({"status": "closed"})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reports a KPI's actual value for a year in an open round: the KPI's ministry.
    #[allow(clippy::too_many_arguments)]
    pub async fn report_actual(
        &self,
        actor: &Actor,
        round: i64,
        kpi: &str,
        year: i64,
        value: &str,
        source: &str,
        comment: &str,
    ) -> ServiceResult<()> {
        // Only a ministry reports (its own KPIs, checked below once the KPI is known).
        if !matches!(actor.role, Role::Ministry | Role::Admin) {
            return Err(ServiceError::Forbidden(format!(
                "役割 {} は実績を報告できません（府省が報告します）/ role {} may not report actuals (ministries do)",
                actor.role, actor.role
            )));
        }
        let kpi = code_arg("--kpi", kpi)?;
        let r = self
            .store
            .followup_round(round)
            .await?
            .ok_or_else(|| not_found("フォローアップ", "follow-up round", &round.to_string()))?;
        let k = self
            .store
            .kpis(r.fiscal_year)
            .await?
            .into_iter()
            .find(|k| k.code == kpi)
            .ok_or_else(|| not_found("指標", "KPI", &kpi))?;
        // Only the KPI's ministry reports it (and the administrator).
        if !(actor.role == Role::Admin
            || (actor.role == Role::Ministry && actor.ministry.as_deref() == Some(&k.ministry)))
        {
            return Err(ServiceError::Forbidden(format!(
                "指標 {kpi} の実績は {} が報告します / KPI {kpi} is reported by {}",
                k.ministry, k.ministry
            )));
        }
        let row = ActualRow {
            round_id: round,
            kpi: kpi.clone(),
            actual_year: year_arg("--year", year)?,
            value: value_arg("--value", value)?,
            source: check_text("--source", source, true)?,
            comment: check_text("--comment", comment, false)?,
            reported_by: actor.name.clone(),
            reported_at: now(),
        };
        let mut tx = self.store.begin().await?;
        open_round(&mut tx, round).await?;
        let before = tx.set_kpi_actual(&row).await?;
        tx.append_event(&event(
            actor,
            "followup.report",
            format!("followup/{round}/{kpi}/{year}"),
            FiscalYear::try_from(r.fiscal_year).ok(),
            before.map(|b| json!(b)),
            Some(json!(row)),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Evaluates a measure in an open round, with a reason (Cabinet Office).
    pub async fn evaluate_measure(
        &self,
        actor: &Actor,
        round: i64,
        measure: &str,
        evaluation: &str,
        reason: &str,
    ) -> ServiceResult<()> {
        actor.check_year(YearAction::EvaluateMeasure)?;
        let measure = code_arg("--measure", measure)?;
        let evaluation = Evaluation::parse(evaluation).ok_or_else(|| {
            invalid_arg(
                "--evaluation",
                format!("評価は {} のいずれかです", Evaluation::choices()),
                format!("the evaluation is one of {}", Evaluation::choices()),
            )
        })?;
        let reason = check_text("--reason", reason, true)?;
        let r = self
            .store
            .followup_round(round)
            .await?
            .ok_or_else(|| not_found("フォローアップ", "follow-up round", &round.to_string()))?;
        if !self.store.measures(r.fiscal_year).await?.iter().any(|m| m.code == measure) {
            return Err(not_found("施策", "measure", &measure));
        }
        let row = EvaluationRow {
            round_id: round,
            measure: measure.clone(),
            evaluation: evaluation.name().into(),
            reason,
            evaluated_by: actor.name.clone(),
            evaluated_at: now(),
        };
        let mut tx = self.store.begin().await?;
        open_round(&mut tx, round).await?;
        let before = tx.set_measure_evaluation(&row).await?;
        tx.append_event(&event(
            actor,
            "followup.evaluate",
            format!("followup/{round}/{measure}"),
            FiscalYear::try_from(r.fiscal_year).ok(),
            before.map(|b| json!(b)),
            Some(json!(row)),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records HQ's action for a line of the round's year, with the amount to reflect (反映額)
    /// and a reason: an expansion adds (≥ 0), a reduction or an end takes away (≤ 0).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_line_action(
        &self,
        actor: &Actor,
        round: i64,
        ministry: &str,
        line_id: &str,
        action: &str,
        amount: Yen,
        reason: &str,
    ) -> ServiceResult<()> {
        actor.check_year(YearAction::RecordLineAction)?;
        let action = LineAction::parse(action).ok_or_else(|| {
            invalid_arg(
                "--action",
                format!("対応は {} のいずれかです", LineAction::choices()),
                format!("the action is one of {}", LineAction::choices()),
            )
        })?;
        let sign_ok = match action {
            LineAction::Expand => amount.get() >= 0,
            LineAction::Reduce | LineAction::End => amount.get() <= 0,
            LineAction::Continue | LineAction::Review => true,
        };
        if !sign_ok {
            return Err(invalid_arg(
                "--amount",
                format!(
                    "{}の反映額は{}です",
                    action.name_ja(),
                    if action == LineAction::Expand { "0 以上" } else { "0 以下" }
                ),
                format!(
                    "the amount of {action} is {}",
                    if action == LineAction::Expand { "0 or more" } else { "0 or less" }
                ),
            ));
        }
        let reason = check_text("--reason", reason, true)?;
        let r = self
            .store
            .followup_round(round)
            .await?
            .ok_or_else(|| not_found("フォローアップ", "follow-up round", &round.to_string()))?;
        let fy = FiscalYear::try_from(r.fiscal_year).map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
        let policy = self.policy(fy).await?;
        let ministry = Self::ministry_code(&policy, ministry)?;
        let id = LineId::parse(line_id).ok_or_else(|| not_found("事業", "line", line_id))?;
        let row = LineActionRow {
            round_id: round,
            fiscal_year: fy.year(),
            ministry: ministry.clone(),
            line_id: id.to_string(),
            action: action.name().into(),
            amount: amount.get(),
            reason,
            decided_by: actor.name.clone(),
            decided_at: now(),
        };
        let mut tx = self.store.begin().await?;
        open_round(&mut tx, round).await?;
        if tx.line(fy, &ministry, &id).await?.is_none() {
            return Err(not_found(&format!("{ministry} の事業"), &format!("{ministry} line"), line_id));
        }
        let before = tx.set_line_action(&row).await?;
        tx.append_event(&event(
            actor,
            "followup.action",
            format!("FY{}/{ministry}/{id}", fy.year()),
            Some(fy),
            before.map(|b| json!(b)),
            Some(json!(row)),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A year's measures with their KPIs, links and lines (no round).
    pub async fn measures(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<Vec<MeasureView>> {
        self.policy(fy).await?;
        self.measure_views(actor, fy.year(), None).await
    }

    /// The follow-up rounds of a year (every year's when `None`).
    pub async fn followup_rounds(&self, fy: Option<FiscalYear>) -> ServiceResult<Vec<FollowupRoundRow>> {
        Ok(self.store.followup_rounds(fy.map(FiscalYear::year)).await?)
    }

    /// A follow-up round: every measure with the actuals and evaluations, the actions, and
    /// what is still to be reported or evaluated. A ministry sees its own KPIs' actuals and its
    /// own lines' actions.
    pub async fn followup(&self, actor: &Actor, round: i64) -> ServiceResult<FollowupView> {
        let r = self
            .store
            .followup_round(round)
            .await?
            .ok_or_else(|| not_found("フォローアップ", "follow-up round", &round.to_string()))?;
        let measures = self.measure_views(actor, r.fiscal_year, Some(round)).await?;
        let mut actions = self.store.line_actions(r.fiscal_year).await?;
        actions.retain(|a| a.round_id == round && actor.read_scope().is_none_or(|m| m == a.ministry));
        // A KPI with no actual at all in the round is still to be reported.
        let unreported = measures
            .iter()
            .flat_map(|m| &m.kpis)
            .filter(|k| k.actuals.is_empty() && actor.read_scope().is_none_or(|s| s == k.kpi.ministry))
            .map(|k| (k.kpi.ministry.clone(), k.kpi.code.clone()))
            .collect();
        let unevaluated = measures.iter().filter(|m| m.evaluation.is_none()).map(|m| m.measure.code.clone()).collect();
        Ok(FollowupView { round: r, measures, actions, unreported, unevaluated })
    }

    async fn measure_views(&self, actor: &Actor, year: i64, round: Option<i64>) -> ServiceResult<Vec<MeasureView>> {
        let scope = actor.read_scope();
        let kpis = self.store.kpis(year).await?;
        let targets = self.store.kpi_targets(year).await?;
        let links = self.store.kpi_links(year).await?;
        let lines = self.store.line_measures(year).await?;
        let (actuals, evaluations) = match round {
            Some(r) => (self.store.kpi_actuals(r).await?, self.store.measure_evaluations(r).await?),
            None => (Vec::new(), Vec::new()),
        };
        Ok(self
            .store
            .measures(year)
            .await?
            .into_iter()
            .map(|m| {
                let own: Vec<&KpiRow> = kpis.iter().filter(|k| k.measure == m.code).collect();
                MeasureView {
                    kpis: own
                        .iter()
                        .map(|k| {
                            let t: Vec<KpiTargetRow> = targets.iter().filter(|t| t.kpi == k.code).cloned().collect();
                            let visible = scope.is_none_or(|s| s == k.ministry);
                            let a = actuals
                                .iter()
                                .filter(|a| visible && a.kpi == k.code)
                                .map(|a| actual_view(k, &t, a))
                                .collect();
                            KpiView { kpi: (*k).clone(), targets: t, actuals: a }
                        })
                        .collect(),
                    links: links.iter().filter(|l| own.iter().any(|k| k.code == l.from_kpi)).cloned().collect(),
                    lines: lines
                        .iter()
                        .filter(|l| l.measure == m.code && scope.is_none_or(|s| s == l.ministry))
                        .cloned()
                        .collect(),
                    evaluation: evaluations.iter().find(|e| e.measure == m.code).cloned(),
                    measure: m,
                }
            })
            .collect())
    }
}

/// A reported actual beside its year's target, with the achievement rate.
fn actual_view(k: &KpiRow, targets: &[KpiTargetRow], a: &ActualRow) -> ActualView {
    let dec = |s: &str| s.parse::<Decimal>().ok();
    let direction = Direction::parse(&k.direction).unwrap_or(Direction::Higher);
    let target = targets.iter().find(|t| t.target_year == a.actual_year).map(|t| t.value.clone());
    let (rate, short) = match (target.as_deref().and_then(dec), dec(&a.value)) {
        (Some(t), Some(v)) => {
            (achievement(direction, k.baseline.as_deref().and_then(dec), t, v), short_of(direction, t, v))
        }
        _ => (None, false),
    };
    ActualView { actual: a.clone(), target, achievement: rate, short }
}

/// The round, read in `tx` (locked on PostgreSQL); a closed or unknown round is refused.
async fn open_round(tx: &mut Tx, round: i64) -> ServiceResult<FollowupRoundRow> {
    let r = tx
        .lock_followup_round(round)
        .await?
        .ok_or_else(|| not_found("フォローアップ", "follow-up round", &round.to_string()))?;
    if r.status != "open" {
        return Err(ServiceError::Conflict(format!(
            "フォローアップ {round} は締め切られています / follow-up round {round} is closed"
        )));
    }
    Ok(r)
}
