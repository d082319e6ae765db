//! The RS system's KPI file (3-1): imported into a year's KPIs (targets) and a follow-up
//! round (actuals), matched to lines by 予算事業ID; exported from a round in the same layout.
//! A KPI already linked to the line with the same kind, indicator and unit is the same KPI, so
//! an exported file imports back unchanged.

use haibun_domain::FiscalYear;
use haibun_domain::pdca::{Direction, KpiKind};
use haibun_domain::problem::{Location, Problem, ProblemCode};
use haibun_domain::workflow::YearAction;
use haibun_sheets::rs_kpi::{RsIndicator, RsIndicatorOut, read_rs_kpis, write_rs_kpis};
use haibun_store::{ActualRow, KpiRow, KpiTargetRow, LineMeasureRow};
use serde_json::json;

use crate::cycle::event;
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// What importing a 3-1 file did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RsKpiReport {
    /// The file.
    pub file: String,
    /// Quantitative indicators read.
    pub indicators: usize,
    /// KPIs added, changed, and found as they were.
    pub inserted: usize,
    /// KPIs changed.
    pub replaced: usize,
    /// KPIs unchanged.
    pub unchanged: usize,
    /// Actuals recorded in the round (new or changed), and found as they were.
    pub actuals_stored: usize,
    /// Actuals unchanged.
    pub actuals_unchanged: usize,
    /// Qualitative indicators, which carry no values and are not taken.
    pub qualitative: usize,
}

/// The letter of a kind in a KPI code made from an RS number.
fn letter(k: KpiKind) -> &'static str {
    match k {
        KpiKind::Activity => "A",
        KpiKind::Output => "P",
        KpiKind::OutcomeShort => "S",
        KpiKind::OutcomeMid => "M",
        KpiKind::OutcomeLong => "L",
    }
}

fn located(file: &str, row: u32, field: &str, ja: String, en: String) -> Problem {
    Problem::new(
        ProblemCode::InvalidArgument,
        Location { row: Some(row), field: Some(field.into()), ..Location::file(file) },
        ja,
        en,
    )
}

impl Service {
    /// Imports an RS 3-1 file into `fy` (Cabinet Office, HQ): each indicator becomes (or
    /// updates) a KPI of the measure its line serves, its targets with it; its actuals go into
    /// `round`. Nothing is written if any indicator cannot be placed.
    pub async fn import_rs_kpis(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        round: Option<i64>,
        file_name: &str,
        bytes: &[u8],
    ) -> ServiceResult<RsKpiReport> {
        actor.check_year(YearAction::ImportRs)?;
        self.policy(fy).await?;
        let parsed = read_rs_kpis(bytes, file_name, &self.limits).map_err(ServiceError::Invalid)?;
        let lines = self.store.lines(fy, None).await?;
        let links = self.store.line_measures(fy.year()).await?;
        let kpis = self.store.kpis(fy.year()).await?;
        let round_row = match round {
            Some(id) => {
                Some(self.store.followup_round(id).await?.filter(|r| r.fiscal_year == fy.year()).ok_or_else(|| {
                    ServiceError::not_found(
                        format!("{} のフォローアップ {id} はありません", fy.era_label()),
                        format!("no follow-up round {id} of {fy}"),
                    )
                })?)
            }
            None => None,
        };
        let mut problems = Vec::new();
        let mut codes = std::collections::HashSet::new();
        // (indicator, KPI row, targets, the line's link).
        let mut placed: Vec<(&RsIndicator, KpiRow, Vec<KpiTargetRow>, LineMeasureRow)> = Vec::new();
        for i in &parsed.indicators {
            let Some(line) = lines.iter().find(|l| l.line.rs_id == i.rs_id) else {
                problems.push(located(
                    file_name,
                    i.row,
                    "予算事業ID",
                    format!("予算事業ID {} の事業は{}にありません", i.rs_id, fy.era_label()),
                    format!("no line of {fy} carries the RS id {}", i.rs_id),
                ));
                continue;
            };
            let (m, l) = (&line.line.ministry, line.line.line_id.as_str());
            let own: Vec<&LineMeasureRow> = links.iter().filter(|x| x.ministry == *m && x.line_id == l).collect();
            let Some(measure) = own.first().map(|x| x.measure.clone()) else {
                problems.push(located(
                    file_name,
                    i.row,
                    "予算事業ID",
                    format!("{m}/{l}（{}）はどの施策にも紐付いていません。先に施策に紐付けてください", i.rs_id),
                    format!("{m}/{l} ({}) serves no measure; link it to one first", i.rs_id),
                ));
                continue;
            };
            if i.targets.is_empty() {
                problems.push(located(
                    file_name,
                    i.row,
                    "2.目標値",
                    format!("指標「{}」に目標値がありません", i.indicator),
                    format!("the indicator \"{}\" has no target", i.indicator),
                ));
                continue;
            }
            if !i.actuals.is_empty() && round_row.as_ref().is_none_or(|r| r.status != "open") {
                problems.push(located(
                    file_name,
                    i.row,
                    "3.実績値",
                    "実績値を取り込むには受付中のフォローアップ（--round）を指定してください".into(),
                    "actual values need an open follow-up round (--round)".into(),
                ));
                continue;
            }
            // The same KPI: linked to this line with the same kind, indicator and unit.
            let same = own
                .iter()
                .filter_map(|x| kpis.iter().find(|k| k.code == x.kpi))
                .find(|k| k.kind == i.kind.name() && k.indicator == i.indicator && k.unit == i.unit);
            let code = same.map_or_else(
                || format!("RS-{}-{}{}", i.rs_id, letter(i.kind), i.number).to_uppercase(),
                |k| k.code.clone(),
            );
            let text_ok = |t: &str, max: usize| {
                !t.trim().is_empty() && t.chars().count() <= max && !haibun_domain::text::has_control_chars(t)
            };
            let bad = if code.len() > 40 {
                Some((
                    "アクティビティ・アウトプット・アウトカムの番号",
                    format!("指標の番号 {code} が長すぎます（40 文字まで）"),
                    format!("the KPI code {code} is too long (40 characters at most)"),
                ))
            } else if !codes.insert(code.clone()) {
                Some((
                    "アクティビティ・アウトプット・アウトカムの番号",
                    format!("{}・{}・番号 {} の指標が 2 つあります", i.rs_id, i.kind.name_ja(), i.number),
                    format!("two indicators of {} with kind {} and number {}", i.rs_id, i.kind, i.number),
                ))
            } else if !text_ok(&i.indicator, 400)
                || !text_ok(&i.unit, 40)
                || i.source.chars().count() > 400
                || haibun_domain::text::has_control_chars(&i.source)
            {
                Some(("活動指標／成果指標", "指標名・単位は必須で、指標名・出典は 400 文字、単位は 40 文字までです（制御文字は不可）".to_string(), "the indicator and unit are required; at most 400 characters for the indicator and source and 40 for the unit, without control characters".to_string()))
            } else {
                None
            };
            if let Some((field, ja, en)) = bad {
                problems.push(located(file_name, i.row, field, ja, en));
                continue;
            }
            let measure = same.map_or(measure, |k| k.measure.clone());
            let row = KpiRow {
                fiscal_year: fy.year(),
                code: code.clone(),
                measure: measure.clone(),
                ministry: m.clone(),
                kind: i.kind.name().into(),
                indicator: i.indicator.clone(),
                unit: i.unit.clone(),
                direction: i.direction.name().into(),
                source: i.source.clone(),
                baseline: same.and_then(|k| k.baseline.clone()),
                baseline_year: same.and_then(|k| k.baseline_year),
            };
            let targets = i
                .targets
                .iter()
                .map(|(y, v)| KpiTargetRow {
                    fiscal_year: fy.year(),
                    kpi: code.clone(),
                    target_year: *y,
                    value: v.clone(),
                })
                .collect();
            let link = LineMeasureRow {
                fiscal_year: fy.year(),
                ministry: m.clone(),
                line_id: l.to_string(),
                measure,
                kpi: code,
                linked_by: actor.name.clone(),
                linked_at: now(),
            };
            placed.push((i, row, targets, link));
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let mut report = RsKpiReport {
            file: file_name.to_string(),
            indicators: parsed.indicators.len(),
            qualitative: parsed.qualitative,
            ..Default::default()
        };
        let stored_actuals = match &round_row {
            Some(r) => self.store.kpi_actuals(r.id).await?,
            None => Vec::new(),
        };
        // What changed, for the audit trail: KPIs added or changed, actuals with what they replaced.
        let mut changes: Vec<serde_json::Value> = Vec::new();
        let mut tx = self.store.begin().await?;
        if let Some(r) = &round_row {
            // The round stays open until the commit (locked on PostgreSQL).
            crate::followup::open_round(&mut tx, r.id).await?;
        }
        for (i, row, targets, link) in &placed {
            match tx.put_kpi(row, targets).await? {
                None => {
                    report.inserted += 1;
                    changes.push(json!({"kpi": row.code, "change": "added", "targets": targets}));
                }
                Some(false) => {
                    report.replaced += 1;
                    changes.push(json!({"kpi": row.code, "change": "changed", "to": row, "targets": targets}));
                }
                Some(true) => report.unchanged += 1,
            }
            tx.insert_line_measure(link).await?;
            let Some(r) = &round_row else { continue };
            for (year, value) in &i.actuals {
                let same =
                    stored_actuals.iter().any(|a| a.kpi == row.code && a.actual_year == *year && a.value == *value);
                if same {
                    report.actuals_unchanged += 1;
                    continue;
                }
                let before = tx
                    .set_kpi_actual(&ActualRow {
                        round_id: r.id,
                        kpi: row.code.clone(),
                        actual_year: *year,
                        value: value.clone(),
                        source: if i.source.is_empty() { format!("RS 3-1: {file_name}") } else { i.source.clone() },
                        comment: String::new(),
                        reported_by: actor.name.clone(),
                        reported_at: now(),
                    })
                    .await?;
                changes
                    .push(json!({"kpi": row.code, "year": year, "actual": value, "before": before.map(|b| b.value)}));
                report.actuals_stored += 1;
            }
        }
        tx.append_event(&event(
            actor,
            "rs.import-kpis",
            format!("FY{}/rs/{file_name}", fy.year()),
            Some(fy),
            None,
            Some(json!({"report": report, "changes": changes})),
        ))
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// A follow-up round's KPIs of the lines carrying a 予算事業ID, in the RS 3-1 layout (what
    /// the actor may read of the round).
    pub async fn export_rs_kpis(&self, actor: &Actor, round: i64) -> ServiceResult<Vec<u8>> {
        let f = self.followup(actor, round).await?;
        let fy =
            FiscalYear::try_from(f.round.fiscal_year).map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
        let lines = self.lines(actor, fy, None).await?;
        let mut items = Vec::new();
        for line in lines.iter().filter(|l| !l.rs_id.is_empty()) {
            let mut n = 0;
            for m in &f.measures {
                for link in m.lines.iter().filter(|x| x.ministry == line.ministry && x.line_id == line.line_id.as_str())
                {
                    let Some(k) = m.kpis.iter().find(|k| k.kpi.code == link.kpi) else { continue };
                    n += 1;
                    let kind = KpiKind::parse(&k.kpi.kind).unwrap_or(KpiKind::Output);
                    // An RS-made code keeps its RS number; another KPI is numbered in order.
                    let prefix = format!("RS-{}-{}", line.rs_id, letter(kind)).to_uppercase();
                    let number = k.kpi.code.strip_prefix(&prefix).map_or_else(|| n.to_string(), str::to_string);
                    items.push(RsIndicatorOut {
                        indicator: RsIndicator {
                            rs_id: line.rs_id.clone(),
                            line_name: line.name.clone(),
                            number,
                            kind,
                            indicator: k.kpi.indicator.clone(),
                            goal: String::new(),
                            unit: k.kpi.unit.clone(),
                            direction: Direction::parse(&k.kpi.direction).unwrap_or(Direction::Higher),
                            source: k.kpi.source.clone(),
                            targets: k.targets.iter().map(|t| (t.target_year, t.value.clone())).collect(),
                            actuals: k.actuals.iter().map(|a| (a.actual.actual_year, a.actual.value.clone())).collect(),
                            row: 0,
                        },
                        rates: k
                            .actuals
                            .iter()
                            .filter_map(|a| a.achievement.map(|r| (a.actual.actual_year, r.to_string())))
                            .collect(),
                    });
                }
            }
        }
        Ok(write_rs_kpis(&items))
    }
}
