//! The machine's review of a year (§4, §5): the policy's checks over the lines the actor may
//! read, the overlap candidates among all lines with the Cabinet Office's decisions on them.

use haibun_domain::policy::{Param, Policy};
use haibun_domain::review::overlap::{candidates, shared_phrases};
use haibun_domain::review::{OverlapPair, Review, review_with};
use haibun_domain::workflow::{Role, YearAction};
use haibun_domain::{FiscalYear, LineId, RequestLine, Yen};
use haibun_store::OverlapDecisionRow;
use serde_json::json;

use crate::cycle::{check_text, event, invalid_arg};
use crate::memo::fingerprint;
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// An overlap candidate with both lines' names and amounts and the decision on it, if any.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OverlapView {
    /// The pair, its similarity and shared phrases.
    pub pair: OverlapPair,
    /// Both lines' names (a ministry user sees other ministries' lines unnamed).
    pub names: (String, String),
    /// Both lines' requests (a ministry user does not see another ministry's).
    pub requests: (Option<Yen>, Option<Yen>),
    /// The Cabinet Office's decision.
    pub decision: Option<OverlapDecisionRow>,
}

/// The year's review as an actor sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct YearReview {
    /// Findings, the priority items' money and the REGEN push.
    pub review: Review,
    /// Every overlap candidate touching the lines reviewed.
    pub overlaps: Vec<OverlapView>,
}

/// The overlap check's parameters: shingle length and least similarity, if the policy has it.
fn overlap_params(policy: &Policy) -> Option<(usize, f64)> {
    let c = policy.checks.iter().find(|c| c.code == "OVERLAP_CANDIDATE")?;
    let int = |n: &str, d: i64| match c.params.get(n) {
        Some(Param::Int(i)) => *i,
        _ => d,
    };
    let k = usize::try_from(int("shingle_chars", 3).clamp(1, 10)).unwrap_or(3);
    Some((k, int("min_similarity_percent", 60).clamp(1, 100) as f64 / 100.0))
}

/// The ordered key of a pair: the smaller (ministry, line) first.
fn ordered(a: (String, String), b: (String, String)) -> ((String, String), (String, String)) {
    if a <= b { (a, b) } else { (b, a) }
}

fn line_text(l: &RequestLine) -> String {
    format!("{} {}", l.name, l.summary)
}

impl Service {
    /// The overlap candidates among all of a year's lines, with their decisions.
    async fn overlap_views(&self, policy: &Policy, lines: &[RequestLine]) -> ServiceResult<Vec<OverlapView>> {
        let Some((k, min)) = overlap_params(policy) else { return Ok(Vec::new()) };
        let texts: Vec<String> = lines.iter().map(line_text).collect();
        let decisions = self.store.overlap_decisions(policy.fiscal_year.year()).await?;
        // Recomputed only when a line's text (or the policy's parameters) changed.
        let print = fingerprint((&texts, k, min.to_bits()));
        let found = self.memo.overlaps(policy.fiscal_year.year(), print, || candidates(&texts, k, min));
        let mut out: Vec<OverlapView> = found
            .iter()
            .map(|s| {
                let (x, y) = (&lines[s.a], &lines[s.b]);
                let (a, b) =
                    ordered((x.ministry.clone(), x.line_id.to_string()), (y.ministry.clone(), y.line_id.to_string()));
                let (first, second) = if (x.ministry.clone(), x.line_id.to_string()) == a { (x, y) } else { (y, x) };
                let decision = decisions
                    .iter()
                    .find(|d| d.a_ministry == a.0 && d.a_line == a.1 && d.b_ministry == b.0 && d.b_line == b.1)
                    .cloned();
                OverlapView {
                    pair: OverlapPair {
                        // A hair above, so that 0.57 (56.99… in binary) shows as 57.
                        similarity_percent: (s.jaccard * 100.0 + 1e-9).floor() as u32,
                        shared: shared_phrases(&line_text(first), &line_text(second), k),
                        a,
                        b,
                    },
                    names: (first.name.clone(), second.name.clone()),
                    requests: (Some(first.request), Some(second.request)),
                    decision,
                }
            })
            .collect();
        out.sort_by(|x, y| y.pair.similarity_percent.cmp(&x.pair.similarity_percent).then(x.pair.a.cmp(&y.pair.a)));
        Ok(out)
    }

    /// The review of a year: every line the actor may read (or `ministry`'s), with the overlap
    /// candidates that touch them; unconfirmed candidates are findings on both lines.
    pub async fn review(&self, actor: &Actor, fy: FiscalYear, ministry: Option<&str>) -> ServiceResult<YearReview> {
        let policy = self.policy(fy).await?;
        let scope = Self::read_scope(actor, &policy, ministry)?;
        let all: Vec<RequestLine> = self.store.lines(fy, None).await?.into_iter().map(|s| s.line).collect();
        let mut overlaps = self.overlap_views(&policy, &all).await?;
        if let Some(m) = &scope {
            overlaps.retain(|o| o.pair.a.0 == *m || o.pair.b.0 == *m);
        }
        if actor.role == Role::Ministry {
            let own = actor.ministry.clone().unwrap_or_default();
            // Another ministry's line is shown as such, without its id, name, amount, or the
            // Cabinet Office's note on the pair.
            for o in &mut overlaps {
                if o.pair.a.0 != own {
                    o.names.0 = "（他府省の事業）".into();
                    o.pair.a.1 = "—".into();
                    o.requests.0 = None;
                }
                if o.pair.b.0 != own {
                    o.names.1 = "（他府省の事業）".into();
                    o.pair.b.1 = "—".into();
                    o.requests.1 = None;
                }
                if let Some(d) = &mut o.decision {
                    d.note = String::new();
                    d.decided_by = String::new();
                }
            }
        }
        let lines: Vec<RequestLine> =
            all.into_iter().filter(|l| scope.as_ref().is_none_or(|m| l.ministry == *m)).collect();
        let open: Vec<OverlapPair> = overlaps.iter().filter(|o| o.decision.is_none()).map(|o| o.pair.clone()).collect();
        let carried = self.carried(fy).await?;
        let mut review = review_with(&policy, &lines, &open, None, &carried);
        if scope.is_some() {
            // A ministry's review is of its own lines: the year-wide findings are not its own.
            review.findings.retain(|f| f.ministry.is_some());
        }
        Ok(YearReview { review, overlaps })
    }

    /// The Cabinet Office confirms an overlap candidate as `distinct` lines or lines to
    /// `coordinate`, with a note. The pair must be a current candidate.
    pub async fn decide_overlap(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        a: (&str, &str),
        b: (&str, &str),
        decision: &str,
        note: &str,
    ) -> ServiceResult<()> {
        actor.check_year(YearAction::ConfirmOverlap)?;
        if !matches!(decision, "distinct" | "coordinate") {
            return Err(invalid_arg(
                "decision",
                "判断は distinct（別事業）か coordinate（調整が必要）です".into(),
                "the decision is distinct or coordinate".into(),
            ));
        }
        let note = check_text("note", note, true)?;
        let policy = self.policy(fy).await?;
        let key = |(m, l): (&str, &str)| -> ServiceResult<(String, String)> {
            let m = Self::ministry_code(&policy, m)?;
            let l = LineId::parse(l)
                .ok_or_else(|| invalid_arg("line", "事業番号が不正です".into(), "the line id is malformed".into()))?;
            Ok((m, l.to_string()))
        };
        let (a, b) = ordered(key(a)?, key(b)?);
        let all: Vec<RequestLine> = self.store.lines(fy, None).await?.into_iter().map(|s| s.line).collect();
        if !self.overlap_views(&policy, &all).await?.iter().any(|o| o.pair.a == a && o.pair.b == b) {
            return Err(ServiceError::not_found(
                format!("{}/{} と {}/{} は重複の候補ではありません", a.0, a.1, b.0, b.1),
                format!("{}/{} and {}/{} are not an overlap candidate", a.0, a.1, b.0, b.1),
            ));
        }
        let row = OverlapDecisionRow {
            fiscal_year: fy.year(),
            a_ministry: a.0.clone(),
            a_line: a.1.clone(),
            b_ministry: b.0.clone(),
            b_line: b.1.clone(),
            decision: decision.to_string(),
            note,
            decided_by: actor.name.clone(),
            decided_at: now(),
        };
        let mut tx = self.store.begin().await?;
        let before = tx.set_overlap_decision(&row).await?;
        tx.append_event(&event(
            actor,
            "overlap.decide",
            format!("FY{}/overlap/{}/{}~{}/{}", fy.year(), a.0, a.1, b.0, b.1),
            Some(fy),
            before.map(|b| json!({"decision": b.decision, "note": b.note})),
            Some(json!({"decision": row.decision, "note": row.note})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
