//! The Action of PDCA (§6): opening the next fiscal year from a settled one. The policy is
//! copied as a draft; every settled line that was not ended becomes a draft line of the new year
//! with its settled amount as the prior year; the measures, KPIs and links come along. Each
//! line then carries last year's follow-up (HQ's action, the KPIs that fell short) for its
//! ministry to answer, and the policy check reads it.

use std::collections::BTreeMap;

use haibun_domain::book::PriorLine;
use haibun_domain::pdca::{Direction, LineAction, short_of};
use haibun_domain::policy::Policy;
use haibun_domain::review::Carried;
use haibun_domain::workflow::{Action, YearAction};
use haibun_domain::{FiscalYear, LineId, Yen};
use haibun_store::{PriorImport, ResponseRow};
use rust_decimal::Decimal;
use serde_json::json;

use crate::cycle::{check_text, event};
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// What opening a year did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OpenYearReport {
    /// The new year.
    pub fiscal_year: i64,
    /// The year it was opened from.
    pub from: i64,
    /// Lines carried, as (ministry, line, prior-year amount).
    pub carried: Vec<(String, String, Yen)>,
    /// Lines not carried because last year's follow-up ended them.
    pub ended: Vec<(String, String)>,
    /// Measures and KPIs copied.
    pub measures: u64,
    /// KPIs copied.
    pub kpis: u64,
}

/// The policy text with its fiscal year changed: the top-level `fiscal_year = …` line.
fn retarget(toml: &str, from: i64, to: i64) -> Option<String> {
    let old = format!("fiscal_year = {from}");
    let mut done = false;
    let out: Vec<String> = toml
        .lines()
        .map(|l| {
            if !done && l.trim_end() == old {
                done = true;
                format!("fiscal_year = {to}")
            } else {
                l.to_string()
            }
        })
        .collect();
    done.then(|| out.join("\n") + "\n")
}

impl Service {
    /// Opens `fy` from `from` (the year before, settled): HQ.
    pub async fn open_year(&self, actor: &Actor, fy: FiscalYear, from: FiscalYear) -> ServiceResult<OpenYearReport> {
        actor.check_year(YearAction::OpenYear)?;
        if from.year() + 1 != fy.year() {
            return Err(crate::cycle::invalid_arg(
                "--from",
                format!("{} は {} の前年度ではありません", from.era_label(), fy.era_label()),
                format!("{from} is not the year before {fy}"),
            ));
        }
        self.policy(from).await?;
        if self.store.policy_toml(fy.year()).await?.is_some() {
            return Err(ServiceError::Conflict(format!("{} は開始済みです / {fy} is already open", fy.era_label())));
        }
        let settled = self.store.snapshots(from.year()).await?.into_iter().rev().find(|s| s.status == "settled");
        let Some(settled) = settled else {
            return Err(ServiceError::Conflict(format!(
                "{} の予算が確定していません（settle の後に開始します）/ {from} is not settled yet (settle it first)",
                from.era_label()
            )));
        };
        let (file, text) = self.store.policy_toml(from.year()).await?.expect("checked above");
        let draft = retarget(&text, from.year(), fy.year()).ok_or_else(|| {
            ServiceError::Internal(anyhow::anyhow!("the FY{} policy has no fiscal_year line", from.year()))
        })?;
        let draft_policy = Policy::from_toml(&draft, &file).map_err(ServiceError::Invalid)?;
        // The latest action per line (a later round's supersedes an earlier one's).
        let mut actions: BTreeMap<(String, String), LineAction> = BTreeMap::new();
        for a in self.store.line_actions(from.year()).await? {
            if let Some(act) = LineAction::parse(&a.action) {
                actions.insert((a.ministry, a.line_id), act);
            }
        }
        let at = now();
        let mut report = OpenYearReport {
            fiscal_year: fy.year(),
            from: from.year(),
            carried: Vec::new(),
            ended: Vec::new(),
            measures: 0,
            kpis: 0,
        };
        let mut tx = self.store.begin().await?;
        if !tx.put_policy_draft(fy.year(), &file, &draft, from.year(), &at).await? {
            return Err(ServiceError::Conflict(format!("{} は開始済みです / {fy} is already open", fy.era_label())));
        }
        let settled_lines = self.store.snapshot_lines(settled.id).await?;
        // The settled budget is the new year's prior-year budget (前年度予算), ended lines too,
        // so that the new year's book compares against it.
        let mut prior: BTreeMap<String, Vec<PriorLine>> = BTreeMap::new();
        for s in &settled_lines {
            let l = &s.line.line;
            prior.entry(l.ministry.clone()).or_default().push(PriorLine {
                ministry: l.ministry.clone(),
                line_id: l.line_id.clone(),
                name: l.name.clone(),
                channel: l.channel.clone(),
                project: l.project.clone(),
                disease_areas: l.disease_areas.clone(),
                purposes: l.purposes.clone(),
                amount: s.negotiated.unwrap_or(l.request),
            });
        }
        let source = format!("FY{} settled compilation #{}", from.year(), settled.id);
        for (ministry, lines) in &prior {
            let import =
                PriorImport { source_file: &source, source_sha256: &settled.content_hash, at: &at, by: &actor.name };
            tx.replace_prior_lines(fy, ministry, lines, import).await?;
        }
        for s in settled_lines {
            let old = s.line.line;
            let key = (old.ministry.clone(), old.line_id.to_string());
            if actions.get(&key) == Some(&LineAction::End) {
                report.ended.push(key);
                continue;
            }
            let prior = s.negotiated.unwrap_or(old.request);
            let line = haibun_domain::RequestLine {
                fiscal_year: fy,
                prior_year: prior,
                request: prior,
                priority_frame: None,
                is_new: false,
                justification: String::new(),
                // Priority items are the new policy's to name; the draft copies the old ones,
                // kept only where the draft still has them.
                priority_items: old
                    .priority_items
                    .iter()
                    .filter(|i| draft_policy.priority_item(i).is_some())
                    .cloned()
                    .collect(),
                ..old
            };
            tx.save_line(&line, None, &actor.name, &at).await?;
            report.carried.push((key.0, key.1, prior));
        }
        (report.measures, report.kpis) = tx.copy_measures(from.year(), fy.year(), &actor.name, &at).await?;
        tx.append_event(&event(
            actor,
            "year.open",
            format!("FY{}", fy.year()),
            Some(fy),
            None,
            Some(json!({"from": from.year(), "settled_snapshot": settled.id, "lines": report.carried.len(), "ended": report.ended, "measures": report.measures, "kpis": report.kpis, "policy": "draft"})),
        ))
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// The ministry's response, in this year's request, to last year's follow-up of a line
    /// (an action to answer, KPIs that fell short): an edit of the request.
    pub async fn respond_to_followup(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: &str,
        line_id: &str,
        response: &str,
    ) -> ServiceResult<()> {
        let policy = self.policy(fy).await?;
        let ministry = Self::ministry_code(&policy, ministry)?;
        actor.check_package(Action::EditLines, &ministry)?;
        let response = check_text("--text", response, true)?;
        let id = LineId::parse(line_id).ok_or_else(|| {
            ServiceError::not_found(format!("事業 {line_id} はありません"), format!("no line {line_id}"))
        })?;
        let mut tx = self.store.begin().await?;
        self.apply(&mut tx, actor, fy, &ministry, Action::EditLines, None).await?;
        if tx.line(fy, &ministry, &id).await?.is_none() {
            return Err(ServiceError::not_found(
                format!("{ministry} の事業 {id} はありません"),
                format!("{ministry} has no line {id}"),
            ));
        }
        let row = ResponseRow {
            fiscal_year: fy.year(),
            ministry: ministry.clone(),
            line_id: id.to_string(),
            response,
            responded_by: actor.name.clone(),
            responded_at: now(),
        };
        let before = tx.set_pdca_response(&row).await?;
        tx.append_event(&event(
            actor,
            "followup.respond",
            format!("FY{}/{ministry}/{id}", fy.year()),
            Some(fy),
            before.map(|b| json!(b)),
            Some(json!(row)),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What last year's follow-up carries into this year's lines, as the actor may read them (a
    /// ministry, its own lines).
    pub async fn followup_carried(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<Vec<Carried>> {
        self.policy(fy).await?;
        let mut out = self.carried(fy).await?;
        out.retain(|c| actor.read_scope().is_none_or(|m| m == c.ministry));
        Ok(out)
    }

    /// What last year's follow-up carries into this year's lines: the latest action per line
    /// and the KPIs each line served that fell short in the latest round, with this year's
    /// responses. Empty when last year had no follow-up.
    pub(crate) async fn carried(&self, fy: FiscalYear) -> ServiceResult<Vec<Carried>> {
        let last = fy.year() - 1;
        let mut out: BTreeMap<(String, String), Carried> = BTreeMap::new();
        let entry = |out: &mut BTreeMap<(String, String), Carried>, m: &str, l: &str| {
            out.entry((m.to_string(), l.to_string()))
                .or_insert_with(|| Carried {
                    ministry: m.to_string(),
                    line_id: l.to_string(),
                    action: None,
                    amount: Yen::ZERO,
                    reason: String::new(),
                    short_kpis: Vec::new(),
                    response: None,
                    settled: None,
                })
                .clone()
        };
        for a in self.store.line_actions(last).await? {
            let mut c = entry(&mut out, &a.ministry, &a.line_id);
            c.action = LineAction::parse(&a.action);
            c.amount = Yen(a.amount);
            c.reason = a.reason;
            out.insert((a.ministry, a.line_id), c);
        }
        // Each KPI is judged on its latest value: the latest year reported, from the newest round
        // that reported it (a KPI that missed early and met its target since is not short).
        let kpis = self.store.kpis(last).await?;
        let targets = self.store.kpi_targets(last).await?;
        let mut latest: BTreeMap<String, (i64, i64, String)> = BTreeMap::new();
        for round in self.store.followup_rounds(Some(last)).await? {
            for a in self.store.kpi_actuals(round.id).await? {
                let e = latest.entry(a.kpi.clone()).or_insert((i64::MIN, i64::MIN, String::new()));
                if (a.actual_year, round.id) > (e.0, e.1) {
                    *e = (a.actual_year, round.id, a.value);
                }
            }
        }
        let dec = |s: &str| s.parse::<Decimal>().ok();
        let short: Vec<&str> = kpis
            .iter()
            .filter(|k| {
                let Some((year, _, value)) = latest.get(&k.code) else { return false };
                let t = targets.iter().find(|t| t.kpi == k.code && t.target_year == *year);
                match (t.and_then(|t| dec(&t.value)), dec(value), Direction::parse(&k.direction)) {
                    (Some(t), Some(v), Some(d)) => short_of(d, t, v),
                    _ => false,
                }
            })
            .map(|k| k.code.as_str())
            .collect();
        for l in self.store.line_measures(last).await? {
            // A line linked to a whole measure answers for its own ministry's KPIs of it.
            let served: Vec<String> = kpis
                .iter()
                .filter(|k| short.contains(&k.code.as_str()))
                .filter(|k| {
                    if l.kpi.is_empty() { k.measure == l.measure && k.ministry == l.ministry } else { k.code == l.kpi }
                })
                .map(|k| k.code.clone())
                .collect();
            if served.is_empty() {
                continue;
            }
            let mut c = entry(&mut out, &l.ministry, &l.line_id);
            for k in served {
                if !c.short_kpis.contains(&k) {
                    c.short_kpis.push(k);
                }
            }
            out.insert((l.ministry, l.line_id), c);
        }
        // What the line was settled at last year: the base a reduction is measured against (the
        // prior-year figure on the request is the ministry's to edit).
        let settled = self.store.snapshots(last).await?.into_iter().rev().find(|s| s.status == "settled");
        if let Some(s) = settled {
            for l in self.store.snapshot_lines(s.id).await? {
                if let Some(c) = out.get_mut(&(l.line.line.ministry.clone(), l.line.line.line_id.to_string())) {
                    c.settled = Some(l.negotiated.unwrap_or(l.line.line.request));
                }
            }
        }
        for r in self.store.pdca_responses(fy.year()).await? {
            if let Some(c) = out.get_mut(&(r.ministry, r.line_id)) {
                c.response = Some(r.response);
            }
        }
        Ok(out.into_values().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::retarget;

    #[test]
    fn only_the_top_level_fiscal_year_changes() {
        let t = "# note: fiscal_year = 2023 in a comment stays\nfiscal_year = 2023\nname = \"x\"\n[a]\nfiscal_year = 2023\n";
        let out = retarget(t, 2023, 2024).unwrap();
        assert_eq!(
            out,
            "# note: fiscal_year = 2023 in a comment stays\nfiscal_year = 2024\nname = \"x\"\n[a]\nfiscal_year = 2023\n"
        );
        assert_eq!(retarget("name = 1\n", 2023, 2024), None);
    }
}
