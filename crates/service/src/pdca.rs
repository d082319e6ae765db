//! PDCA (§6): a year's measures (施策) with their KPIs and logic model, and the lines serving
//! them; the measures as a follow-up round shows them (the rounds themselves: `followup`).

use haibun_domain::pdca::{Direction, KpiKind, achievement, parse_value, short_of};
use haibun_domain::policy::Kind;
use haibun_domain::workflow::{Action, YearAction};
use haibun_domain::{FiscalYear, LineId};
use haibun_store::{ActualRow, EvaluationRow, KpiLinkRow, KpiRow, KpiTargetRow, LineMeasureRow, MeasureRow};
use rust_decimal::Decimal;
use serde_json::json;

use crate::cycle::{check_text, event, invalid_arg};
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

/// A code as people may type it: 1–40 ASCII letters, digits, `-` or `_`, upper-cased.
pub(crate) fn code_arg(field: &str, raw: &str) -> ServiceResult<String> {
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
pub(crate) fn value_arg(field: &str, raw: &str) -> ServiceResult<String> {
    parse_value(raw).map(|d| d.to_string()).map_err(|e| invalid_arg(field, e.to_string(), e.to_string()))
}

/// A year given for a target or an actual: a plausible fiscal year.
pub(crate) fn year_arg(field: &str, year: i64) -> ServiceResult<i64> {
    FiscalYear::try_from(year).map(FiscalYear::year).map_err(|_| {
        invalid_arg(field, format!("{field} の年度が不正です: {year}"), format!("{field}: not a fiscal year: {year}"))
    })
}

pub(crate) fn not_found(what_ja: &str, what_en: &str, code: &str) -> ServiceError {
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

    /// A year's measures with their KPIs, links and lines (no round).
    pub async fn measures(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<Vec<MeasureView>> {
        self.policy(fy).await?;
        self.measure_views(actor, fy.year(), None).await
    }

    pub(crate) async fn measure_views(
        &self,
        actor: &Actor,
        year: i64,
        round: Option<i64>,
    ) -> ServiceResult<Vec<MeasureView>> {
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
