//! The Cabinet Office's review done by the machine first (§4, §5): the checks named in the
//! policy file, with their parameters, evaluated over each line and over the whole year. Each
//! finding has the check's severity and code, a Japanese and English message, the line and field
//! it concerns, and the phrases behind it where text led to it.

pub mod carried;
pub mod matching;
pub mod overlap;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::line::RequestLine;
use crate::money::Yen;
use crate::policy::{Check, Kind, Param, Policy, Severity};
pub use carried::Carried;
use matching::{found, match_form};
pub use overlap::{OverlapPair, Similar};

/// One thing a check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The check's code, e.g. `PROJECT_CLASSIFICATION`.
    pub code: String,
    /// How serious it is (from the policy).
    pub severity: Severity,
    /// The line's ministry (none for a finding about the whole year).
    pub ministry: Option<String>,
    /// The line (none for a finding about the whole year).
    pub line_id: Option<String>,
    /// The field concerned (its key, e.g. `project`).
    pub field: Option<String>,
    /// What was found, in Japanese.
    pub message_ja: String,
    /// What was found, in English.
    pub message_en: String,
    /// The phrases of the line's text that led to it, if any.
    pub phrases: Vec<String>,
}

/// How much of the year's money serves one §5 priority item, by the lines linked to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemMoney {
    /// The item's id.
    pub item: String,
    /// The project or area it belongs to.
    pub owner: String,
    /// The item, in Japanese.
    pub text_ja: String,
    /// Lines linked to it.
    pub lines: usize,
    /// Their requests.
    pub request: Yen,
    /// Their prior-year amounts.
    pub prior_year: Yen,
}

/// The year's review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    /// Every finding, errors first, then by ministry and line.
    pub findings: Vec<Finding>,
    /// Money by priority item, against the prior year.
    pub items: Vec<ItemMoney>,
    /// The cross-cutting push for regenerative/cell medicine and gene therapy: lines in the
    /// REGEN project or linked to its items, prior year and request.
    pub regen: (Yen, Yen),
    /// The policy's checks evaluated here.
    pub evaluated: Vec<String>,
    /// The policy's checks not evaluated by line, and why.
    pub not_evaluated: Vec<(String, String)>,
}

/// The checks evaluated, by code.
pub const EVALUATED: [&str; 15] = [
    "PROJECT_CLASSIFICATION",
    "AMED_CONSOLIDATION",
    "DISEASE_AREA_MANAGEMENT",
    "DEVELOPMENT_PURPOSE",
    "NEW_LINE_KPI",
    "EVIDENCE_BASED_PRIORITY",
    "INCREASE_JUSTIFICATION",
    "PRIORITY_FRAME_LINK",
    "PRIORITY_FRAME_WITHIN_REQUEST",
    "PRIORITY_ITEM_ALIGNMENT",
    "PROJECT_MISMATCH",
    "REGEN_STRONG_PROMOTION",
    "OVERLAP_CANDIDATE",
    "ACTION_NOT_FOLLOWED",
    "KPI_SHORTFALL_RESPONSE",
];

/// Why the policy's other checks are not evaluated line by line.
fn not_evaluated_reason(code: &str) -> &'static str {
    match code {
        "DIGITAL_AI_USE" | "COVID_CONSIDERATION" => {
            "集計用の項目で、事業ごとの指摘はしません / aggregate only, no finding per line"
        }
        _ => "この版の haibun は評価しません / not evaluated by this version of haibun",
    }
}

fn list(check: &Check, name: &str) -> Vec<String> {
    match check.params.get(name) {
        Some(Param::List(l)) => l.clone(),
        Some(Param::Text(t)) => vec![t.clone()],
        _ => Vec::new(),
    }
}

fn int(check: &Check, name: &str, default: i64) -> i64 {
    match check.params.get(name) {
        Some(Param::Int(i)) => *i,
        _ => default,
    }
}

fn text_of(line: &RequestLine) -> String {
    match_form(&format!("{} {}", line.name, line.summary))
}

/// The keywords of each integrated project's priority items (with the items of areas that name
/// the project as related), by project code.
fn project_keywords(policy: &Policy) -> BTreeMap<&str, Vec<&String>> {
    let mut by: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    for p in &policy.projects {
        by.entry(p.code.as_str()).or_default().extend(p.priority_items.iter().flat_map(|i| &i.keywords));
    }
    for a in &policy.areas {
        if let Some(p) = a.related_project.as_deref() {
            by.entry(p).or_default().extend(a.priority_items.iter().flat_map(|i| &i.keywords));
        }
    }
    by
}

/// The disease areas a text suggests, with the phrases that led to each.
pub fn disease_areas_in(policy: &Policy, text: &str) -> Vec<(String, Vec<String>)> {
    let t = match_form(text);
    policy
        .disease_areas
        .iter()
        .filter_map(|a| {
            let hits = found(&t, &a.keywords);
            (!hits.is_empty()).then(|| (a.code.clone(), hits.into_iter().map(str::to_string).collect()))
        })
        .collect()
}

struct Ctx<'a> {
    policy: &'a Policy,
    out: Vec<Finding>,
}

impl Ctx<'_> {
    fn find(&self, code: &str) -> Option<&Check> {
        self.policy.checks.iter().find(|c| c.code == code)
    }

    fn push(
        &mut self,
        code: &str,
        line: Option<&RequestLine>,
        field: Option<&str>,
        ja: String,
        en: String,
        phrases: Vec<String>,
    ) {
        let Some(check) = self.find(code) else { return };
        self.out.push(Finding {
            code: code.to_string(),
            severity: check.severity,
            ministry: line.map(|l| l.ministry.clone()),
            line_id: line.map(|l| l.line_id.to_string()),
            field: field.map(str::to_string),
            message_ja: ja,
            message_en: en,
            phrases,
        });
    }
}

/// Reviews a year's lines against the policy's checks. `overlaps` are the candidate pairs not
/// yet confirmed by the Cabinet Office; `prior_regen` the prior year's settled REGEN total, if
/// the prior year is held (otherwise the lines' declared prior-year amounts are used).
pub fn review(policy: &Policy, lines: &[RequestLine], overlaps: &[OverlapPair], prior_regen: Option<Yen>) -> Review {
    review_with(policy, lines, overlaps, prior_regen, &[])
}

/// [`review`], with what last year's follow-up carries into the lines (§6 PDCA).
pub fn review_with(
    policy: &Policy,
    lines: &[RequestLine],
    overlaps: &[OverlapPair],
    prior_regen: Option<Yen>,
    carried: &[Carried],
) -> Review {
    let mut ctx = Ctx { policy, out: Vec::new() };
    let keywords = project_keywords(policy);
    for line in lines {
        check_line(&mut ctx, &keywords, line);
    }
    carried::check(&mut ctx, lines, carried);
    // The cross-cutting push: REGEN lines (by project or linked to a REGEN item).
    let regen_items: Vec<&str> = policy
        .priority_items()
        .into_iter()
        .filter(|(o, _)| *o == "REGEN" || *o == "REGEN_STRONG")
        .map(|(_, i)| i.id.as_str())
        .collect();
    let is_regen = |l: &&RequestLine| {
        l.project.as_deref() == Some("REGEN") || l.priority_items.iter().any(|i| regen_items.contains(&i.as_str()))
    };
    let declared_prior: Yen = lines.iter().filter(is_regen).map(|l| l.prior_year).sum();
    let regen_request: Yen = lines.iter().filter(is_regen).map(|l| l.request).sum();
    let regen_prior = prior_regen.unwrap_or(declared_prior);
    if let Some(check) = ctx.find("REGEN_STRONG_PROMOTION")
        && matches!(check.params.get("flag_decrease"), Some(Param::Bool(true)))
        && regen_request < regen_prior
    {
        ctx.push(
            "REGEN_STRONG_PROMOTION",
            None,
            None,
            format!("再生・細胞医療・遺伝子治療の要求額（{regen_request}円）が前年度（{regen_prior}円）を下回っています（§5 強力な推進）"),
            format!("requests for regenerative/cell medicine and gene therapy ({} yen) are below the prior year ({} yen), against §5's strong push", regen_request.get(), regen_prior.get()),
            Vec::new(),
        );
    }
    for pair in overlaps {
        for (me, other) in [(&pair.a, &pair.b), (&pair.b, &pair.a)] {
            if let Some(line) = lines.iter().find(|l| l.ministry == me.0 && l.line_id.as_str() == me.1) {
                ctx.push(
                    "OVERLAP_CANDIDATE",
                    Some(line),
                    Some("summary"),
                    format!(
                        "{}/{} と内容が類似しています（類似度 {}%）。内閣府の確認待ち",
                        other.0, other.1, pair.similarity_percent
                    ),
                    format!(
                        "similar to {}/{} ({}% similar); awaiting the Cabinet Office's confirmation",
                        other.0, other.1, pair.similarity_percent
                    ),
                    pair.shared.clone(),
                );
            }
        }
    }
    let mut items: BTreeMap<&str, ItemMoney> = BTreeMap::new();
    for (owner, item) in policy.priority_items() {
        items.insert(
            item.id.as_str(),
            ItemMoney {
                item: item.id.clone(),
                owner: owner.to_string(),
                text_ja: item.text_ja.clone(),
                lines: 0,
                request: Yen::ZERO,
                prior_year: Yen::ZERO,
            },
        );
    }
    for l in lines {
        for id in &l.priority_items {
            if let Some(m) = items.get_mut(id.as_str()) {
                m.lines += 1;
                m.request += l.request;
                m.prior_year += l.prior_year;
            }
        }
    }
    let order: Vec<&str> = policy.priority_items().into_iter().map(|(_, i)| i.id.as_str()).collect();
    let items = order.iter().filter_map(|id| items.remove(id)).collect();
    let mut findings = ctx.out;
    let rank = |s: Severity| match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    };
    findings.sort_by(|a, b| {
        (rank(a.severity), &a.ministry, &a.line_id, &a.code).cmp(&(rank(b.severity), &b.ministry, &b.line_id, &b.code))
    });
    let evaluated =
        policy.checks.iter().filter(|c| EVALUATED.contains(&c.code.as_str())).map(|c| c.code.clone()).collect();
    let not_evaluated = policy
        .checks
        .iter()
        .filter(|c| !EVALUATED.contains(&c.code.as_str()))
        .map(|c| (c.code.clone(), not_evaluated_reason(&c.code).to_string()))
        .collect();
    Review { findings, items, regen: (regen_prior, regen_request), evaluated, not_evaluated }
}

fn check_line(ctx: &mut Ctx<'_>, keywords: &BTreeMap<&str, Vec<&String>>, line: &RequestLine) {
    let policy = ctx.policy;
    let text = text_of(line);
    let project = line.project.as_deref();

    if let Some(c) = ctx.find("PROJECT_CLASSIFICATION").cloned() {
        let required = list(&c, "required_for_channels").contains(&line.channel);
        let allowed = list(&c, "allowed_projects");
        match project {
            None if required => ctx.push(
                "PROJECT_CLASSIFICATION",
                Some(line),
                Some("project"),
                format!("{} の事業に統合プロジェクトがありません", policy.label_ja(Kind::Channel, &line.channel)),
                format!("a {} line without an integrated project", line.channel),
                Vec::new(),
            ),
            Some(p) if required && !allowed.iter().any(|a| a == p) => ctx.push(
                "PROJECT_CLASSIFICATION",
                Some(line),
                Some("project"),
                format!("統合プロジェクト {p} は§5(1)の６つのいずれでもありません"),
                format!("{p} is not one of §5(1)'s six integrated projects"),
                Vec::new(),
            ),
            _ => {}
        }
    }
    if let Some(c) = ctx.find("AMED_CONSOLIDATION").cloned()
        && let Some(p) = project
        && list(&c, "applies_to_projects").iter().any(|a| a == p)
        && list(&c, "expected_channel").first().is_some_and(|e| *e != line.channel)
    {
        ctx.push(
            "AMED_CONSOLIDATION",
            Some(line),
            Some("channel"),
            format!(
                "統合プロジェクト（{}）に分類された事業が {} として計上されています（AMED対象経費への集約）",
                policy.label_ja(Kind::Project, p),
                policy.label_ja(Kind::Channel, &line.channel)
            ),
            format!("a line classified under {p} is booked as {}, not as AMED-consolidated budget", line.channel),
            Vec::new(),
        );
    }
    if let Some(c) = ctx.find("DISEASE_AREA_MANAGEMENT").cloned()
        && list(&c, "applies_to_channels").contains(&line.channel)
        && line.disease_areas.is_none()
    {
        let suggested = disease_areas_in(policy, &format!("{} {}", line.name, line.summary));
        if !suggested.is_empty() {
            let names: Vec<&str> = suggested.iter().map(|(a, _)| policy.label_ja(Kind::DiseaseArea, a)).collect();
            let codes: Vec<&str> = suggested.iter().map(|(a, _)| a.as_str()).collect();
            ctx.push(
                "DISEASE_AREA_MANAGEMENT",
                Some(line),
                Some("disease_areas"),
                format!("疾患に関する事業ですが疾患領域がありません。候補: {}", names.join("、")),
                format!("a disease-related line without disease areas; candidates: {}", codes.join(", ")),
                suggested.into_iter().flat_map(|(_, p)| p).collect(),
            );
        }
    }
    if let Some(c) = ctx.find("DEVELOPMENT_PURPOSE").cloned()
        && list(&c, "applies_to_channels").contains(&line.channel)
        && line.purposes.is_none()
    {
        ctx.push(
            "DEVELOPMENT_PURPOSE",
            Some(line),
            Some("purposes"),
            "開発目的（予防・診断・治療・予後・QOL）がありません".into(),
            "no development purpose (prevention, diagnosis, treatment, prognosis/QOL)".into(),
            Vec::new(),
        );
    }
    if line.is_new && line.kpi.trim().is_empty() {
        ctx.push(
            "NEW_LINE_KPI",
            Some(line),
            Some("kpi"),
            "新規事業に成果目標（KPI）がありません".into(),
            "a new line without outcome targets (KPI)".into(),
            Vec::new(),
        );
    }
    let justified = !line.justification.trim().is_empty();
    if line.is_new && !justified {
        ctx.push(
            "EVIDENCE_BASED_PRIORITY",
            Some(line),
            Some("justification"),
            "新規事業に根拠（研究者等への調査、論文調査、海外動向など）の記載がありません".into(),
            "a new line states no evidence (surveys of researchers, analyses of papers, overseas trends, …)".into(),
            Vec::new(),
        );
    }
    if let Some(c) = ctx.find("INCREASE_JUSTIFICATION").cloned() {
        let threshold = int(&c, "threshold_percent", 10);
        let (prior, request) = (i128::from(line.prior_year.get()), i128::from(line.request.get()));
        if prior > 0 && request * 100 > prior * (100 + i128::from(threshold)) && !justified {
            let pct = (request - prior) * 100 / prior;
            ctx.push(
                "INCREASE_JUSTIFICATION",
                Some(line),
                Some("justification"),
                format!("前年度比 {pct}% の増額（閾値 {threshold}%）ですが、増額理由・根拠がありません"),
                format!("{pct}% more than the prior year (threshold {threshold}%) with no justification"),
                Vec::new(),
            );
        }
    }
    if line.priority_frame.is_some_and(|f| f > Yen::ZERO) && line.priority_items.is_empty() {
        ctx.push(
            "PRIORITY_FRAME_LINK",
            Some(line),
            Some("priority_items"),
            "重要政策推進枠の要望額がありますが、重点項目が指定されていません".into(),
            "an amount under the priority frame, but no priority item named".into(),
            Vec::new(),
        );
    }
    if line.priority_frame.is_some_and(|f| f > line.request) {
        ctx.push(
            "PRIORITY_FRAME_WITHIN_REQUEST",
            Some(line),
            Some("priority_frame"),
            "うち重要政策推進枠が要求額を超えています".into(),
            "the priority-frame part exceeds the request".into(),
            Vec::new(),
        );
    }
    let Some(p) = project else { return };
    let own: Vec<&str> = keywords.get(p).map(|k| found(&text, k.iter().copied())).unwrap_or_default();
    if let Some(c) = ctx.find("PRIORITY_ITEM_ALIGNMENT").cloned()
        && list(&c, "applies_to_projects").iter().any(|a| a == p)
    {
        let linked = line.priority_items.iter().any(|id| {
            policy.priority_items().iter().any(|(o, i)| {
                i.id == *id
                    && (*o == p || policy.areas.iter().any(|a| a.code == *o && a.related_project.as_deref() == Some(p)))
            })
        });
        if own.is_empty() && !linked {
            ctx.push(
                "PRIORITY_ITEM_ALIGNMENT",
                Some(line),
                Some("priority_items"),
                format!(
                    "{}の令和5年度の重点項目のいずれにも該当が見当たりません（重点項目の指定も文言の一致もなし）",
                    policy.label_ja(Kind::Project, p)
                ),
                format!("matches none of {p}'s priority items (none named, no phrase matched)"),
                Vec::new(),
            );
        }
    }
    if let Some(c) = ctx.find("PROJECT_MISMATCH").cloned() {
        let margin = usize::try_from(int(&c, "min_margin", 2)).unwrap_or(2);
        let best = keywords
            .iter()
            .filter(|(code, _)| **code != p)
            .map(|(code, k)| (*code, found(&text, k.iter().copied())))
            .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(a.0)));
        if let Some((other, hits)) = best
            && hits.len() >= own.len() + margin
        {
            ctx.push(
                "PROJECT_MISMATCH",
                Some(line),
                Some("project"),
                format!(
                    "文言が{}の重点項目により多く合致します（{}件 対 {}件）。分類を確認してください",
                    policy.label_ja(Kind::Project, other),
                    hits.len(),
                    own.len()
                ),
                format!("the text matches {other}'s priority items better than {p}'s ({} against {}); check the classification", hits.len(), own.len()),
                hits.into_iter().map(str::to_string).collect(),
            );
        }
    }
}
