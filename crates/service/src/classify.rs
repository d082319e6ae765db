//! Classification suggestions for lines: the classifier built from the year's policy, a rule
//! version and the lines already classified; each suggestion accepted (applied to the line, a new
//! version) or rejected (not suggested for the line again), recorded with who, why and the rules.

use haibun_domain::classify::{Classifier, RuleSet, Suggestion, Suggestions};
use haibun_domain::line::Field;
use haibun_domain::{FiscalYear, LineId, RequestLine, Shares, Yen};
use haibun_store::FeedbackRow;
use serde_json::json;
use std::sync::Arc;

use crate::cycle::{check_text, event, invalid_arg};
use crate::lines::LinePatch;
use crate::memo::fingerprint;
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// A line's suggestions and what was decided on them before.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LineSuggestions {
    /// What the classifier suggests, less what was rejected for this line.
    pub suggestions: Suggestions,
    /// Earlier decisions on this line's suggestions.
    pub decided: Vec<FeedbackRow>,
}

/// A year classified under a rule version: each line's top project suggestion against its own,
/// and the money by suggested project.
#[derive(Debug, Clone, serde::Serialize)]
pub struct YearClassification {
    /// The rules' version.
    pub rules: String,
    /// Each line's own project and the suggested one.
    pub lines: Vec<LineClassification>,
    /// Lines whose own project is the suggested one, of those with both.
    pub agreement: (usize, usize),
    /// The year's requests by suggested project (lines without a suggestion under `NONE`).
    pub by_suggested_project: Vec<(String, Yen)>,
}

/// One line's own project beside the suggested one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LineClassification {
    /// 府省.
    pub ministry: String,
    /// 事業番号.
    pub line_id: String,
    /// Its own project.
    pub own: Option<String>,
    /// The suggested project.
    pub suggested: Option<String>,
    /// How sure.
    pub confidence: f64,
    /// The phrases behind it.
    pub phrases: Vec<String>,
}

/// A line's suggestions still to decide.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PendingSuggestions {
    /// 府省.
    pub ministry: String,
    /// 事業番号.
    pub line_id: String,
    /// 事業名.
    pub name: String,
    /// What is suggested and neither rejected for the line nor already its value.
    pub suggestions: Suggestions,
}

/// What is left of `s` to decide for `line`: neither rejected for it before (in `decided`, the
/// line's decisions) nor already the line's value.
fn pending(line: &RequestLine, mut s: Suggestions, decided: &[FeedbackRow]) -> Suggestions {
    let rejected = |kind: &str, code: &str| decided.iter().any(|d| d.accepted == 0 && d.kind == kind && d.code == code);
    // Share lists compared whatever their order.
    let same = |suggested: &str, own: Option<&Shares>| {
        let sorted = |t: &str| {
            let mut v: Vec<String> = t.split(';').filter(|x| !x.is_empty()).map(str::to_string).collect();
            v.sort();
            v
        };
        sorted(suggested) == sorted(&own.map(Shares::to_code_string).unwrap_or_default())
    };
    // A line whose project is the classifier's first choice has no project left to decide.
    if s.project.first().is_some_and(|p| line.project.as_deref() == Some(p.code.as_str())) {
        s.project.clear();
    }
    s.project.retain(|p| !rejected("project", &p.code) && line.project.as_deref() != Some(p.code.as_str()));
    s.priority_items.retain(|p| !rejected("priority_item", &p.code) && !line.priority_items.contains(&p.code));
    let areas = shares_text(&s.disease_areas);
    if rejected("disease_areas", &areas) || same(&areas, line.disease_areas.as_ref()) {
        s.disease_areas.clear();
    }
    let purposes = shares_text(&s.purposes);
    if rejected("purposes", &purposes) || same(&purposes, line.purposes.as_ref()) {
        s.purposes.clear();
    }
    s
}

/// The suggestion's value as the line's field takes it.
fn shares_text(s: &[Suggestion]) -> String {
    s.iter().map(|x| format!("{}:{}", x.code, x.share.unwrap_or(0))).collect::<Vec<_>>().join(";")
}

impl Service {
    /// The classifier of `fy` under `rules` (the newest if `None`), taught by this and earlier
    /// years' classified lines.
    /// Built once and reused until a line is classified anew or the (draft) policy changes.
    pub async fn classifier(&self, fy: FiscalYear, rules: Option<&str>) -> ServiceResult<Arc<Classifier>> {
        let policy = self.policy(fy).await?;
        let set = RuleSet::builtin(rules).map_err(|e| invalid_arg("--rules", e.clone(), e))?;
        let examples = self.store.classified_examples(fy.year()).await?;
        // A draft policy may change: its content is part of what the classifier is built from.
        let print = fingerprint((&examples, serde_json::to_string(&policy).unwrap_or_default()));
        Ok(self.memo.classifier(fy.year(), rules, print, || Classifier::new(&policy, set, &examples)))
    }

    /// Suggestions for one line, less those rejected for it before.
    pub async fn line_suggestions(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: &str,
        line_id: &str,
    ) -> ServiceResult<LineSuggestions> {
        let line = self
            .stored_lines(actor, fy, Some(ministry))
            .await?
            .into_iter()
            .find(|l| l.line.line_id.as_str() == line_id)
            .ok_or_else(|| {
                ServiceError::not_found(
                    format!("{ministry} の事業 {line_id} はありません"),
                    format!("{ministry} has no line {line_id}"),
                )
            })?;
        let c = self.classifier(fy, None).await?;
        let decided = self.store.feedback(fy.year(), Some((&line.line.ministry, line_id))).await?;
        let suggestions = pending(&line.line, c.suggest(&line.line.name, &line.line.summary), &decided);
        Ok(LineSuggestions { suggestions, decided })
    }

    /// Every line of `ministry` (or every line the actor may read) classified, with what is
    /// left to decide on each: run over the whole year on every import, so each imported line's
    /// suggestions are in its preview. Lines with nothing left to decide are left out.
    pub async fn year_suggestions(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: Option<&str>,
    ) -> ServiceResult<Vec<PendingSuggestions>> {
        let lines = self.lines(actor, fy, ministry).await?;
        let c = self.classifier(fy, None).await?;
        let decided = self.store.feedback(fy.year(), None).await?;
        Ok(lines
            .into_iter()
            .filter_map(|l| {
                let own: Vec<FeedbackRow> = decided
                    .iter()
                    .filter(|d| {
                        d.fiscal_year == fy.year() && d.ministry == l.ministry && d.line_id == l.line_id.as_str()
                    })
                    .cloned()
                    .collect();
                let s = pending(&l, c.suggest(&l.name, &l.summary), &own);
                let empty = s.project.is_empty()
                    && s.disease_areas.is_empty()
                    && s.purposes.is_empty()
                    && s.priority_items.is_empty();
                (!empty).then(|| PendingSuggestions {
                    ministry: l.ministry,
                    line_id: l.line_id.to_string(),
                    name: l.name,
                    suggestions: s,
                })
            })
            .collect())
    }

    /// Accepts or rejects a suggestion for a line, with a reason. Accepting applies it to the
    /// line (a new version, under the same rules as any edit: the line's ministry while it may
    /// edit); rejecting keeps it from being suggested for the line again.
    #[allow(clippy::too_many_arguments)]
    pub async fn decide_suggestion(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: &str,
        line_id: &str,
        kind: &str,
        code: &str,
        accept: bool,
        reason: &str,
    ) -> ServiceResult<()> {
        let policy = self.policy(fy).await?;
        let ministry = Self::ministry_code(&policy, ministry)?;
        actor.check_package(haibun_domain::workflow::Action::EditLines, &ministry)?;
        let field = match kind {
            "project" => Field::Project,
            "disease_areas" => Field::DiseaseAreas,
            "purposes" => Field::Purposes,
            "priority_item" => Field::PriorityItems,
            _ => {
                return Err(invalid_arg(
                    "kind",
                    "種類は project・disease_areas・purposes・priority_item のいずれかです".into(),
                    "the kind is project, disease_areas, purposes or priority_item".into(),
                ));
            }
        };
        let reason = check_text("reason", reason, !accept)?;
        let id = LineId::parse(line_id)
            .ok_or_else(|| invalid_arg("line", "事業番号が不正です".into(), "the line id is malformed".into()))?;
        let current = self
            .stored_lines(actor, fy, Some(&ministry))
            .await?
            .into_iter()
            .find(|l| l.line.line_id == id)
            .ok_or_else(|| {
            ServiceError::not_found(
                format!("{ministry} の事業 {id} はありません"),
                format!("{ministry} has no line {id}"),
            )
        })?;
        let c = self.classifier(fy, None).await?;
        let s = c.suggest(&current.line.name, &current.line.summary);
        let offered = match kind {
            "project" => s.project.iter().any(|p| p.code == code),
            "priority_item" => s.priority_items.iter().any(|p| p.code == code),
            "disease_areas" => shares_text(&s.disease_areas) == code,
            _ => shares_text(&s.purposes) == code,
        };
        if !offered {
            return Err(ServiceError::Conflict(format!(
                "{code} は {id} への現在の提案ではありません / {code} is not a current suggestion for {id}"
            )));
        }
        let accepted = accept.then(|| {
            let value = if kind == "priority_item" {
                let mut items = current.line.priority_items.clone();
                if !items.iter().any(|i| i == code) {
                    items.push(code.to_string());
                }
                items.join(";")
            } else {
                code.to_string()
            };
            (field, value)
        });
        let row = FeedbackRow {
            id: 0,
            fiscal_year: fy.year(),
            ministry: ministry.clone(),
            line_id: id.to_string(),
            kind: kind.to_string(),
            code: code.to_string(),
            accepted: i64::from(accept),
            reason,
            rules: c.version().to_string(),
            decided_by: actor.name.clone(),
            decided_at: now(),
        };
        let mut tx = self.store.begin().await?;
        // A decision is an edit of the line: only while the package may be edited (a rejection
        // on a submitted package writes nothing). An accepted one is applied to the line in the
        // same transaction as its record.
        // The one audit event carries the line before and after when the decision changed it.
        let change = match accepted {
            Some((field, value)) => {
                let patch = LinePatch { fields: vec![(field, value)] };
                self.update_line_in(&mut tx, actor, &policy, &ministry, &id, current.version, &patch).await?.1
            }
            None => {
                self.apply(&mut tx, actor, fy, &ministry, haibun_domain::workflow::Action::EditLines, None).await?;
                None
            }
        };
        tx.insert_feedback(&row).await?;
        let decision = json!({"kind": kind, "code": code, "reason": row.reason, "rules": row.rules});
        let (before, after) = match change {
            Some((before, after)) => (Some(before), json!({"decision": decision, "line": after})),
            None => (None, decision),
        };
        tx.append_event(&event(
            actor,
            if accept { "suggestion.accept" } else { "suggestion.reject" },
            format!("FY{}/{}/{}", fy.year(), ministry, id),
            Some(fy),
            before,
            Some(after),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every line the actor may read, classified under `rules`: the year's figures recomputed
    /// under that version, beside the lines' own classification.
    pub async fn classify_year(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        rules: Option<&str>,
    ) -> ServiceResult<YearClassification> {
        let c = self.classifier(fy, rules).await?;
        let lines = self.lines(actor, fy, None).await?;
        let mut out = Vec::with_capacity(lines.len());
        let mut by: std::collections::BTreeMap<String, Yen> = std::collections::BTreeMap::new();
        let (mut agree, mut both) = (0, 0);
        for l in &lines {
            let s = c.suggest(&l.name, &l.summary);
            let top = s.project.first();
            if let (Some(own), Some(t)) = (&l.project, top) {
                both += 1;
                if *own == t.code {
                    agree += 1;
                }
            }
            *by.entry(top.map_or_else(|| "NONE".to_string(), |t| t.code.clone())).or_default() += l.request;
            out.push(LineClassification {
                ministry: l.ministry.clone(),
                line_id: l.line_id.to_string(),
                own: l.project.clone(),
                suggested: top.map(|t| t.code.clone()),
                confidence: top.map_or(0.0, |t| t.confidence),
                phrases: top.map(|t| t.phrases.clone()).unwrap_or_default(),
            });
        }
        Ok(YearClassification {
            rules: c.version().to_string(),
            lines: out,
            agreement: (agree, both),
            by_suggested_project: by.into_iter().collect(),
        })
    }
}
