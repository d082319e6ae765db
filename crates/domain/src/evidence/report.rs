//! A year's evidence report: the indicators of every disease area and integrated project, each
//! with the inputs it was computed from, and the ranked candidate priority areas.
//!
//! Shares compare like with like inside one dimension: Japan's share is an area's part of this
//! year's requests over the areas of the dimension (lines without a project or disease area are
//! left out of both sides), the overseas share its part of the overseas funders' money (each
//! funder's latest year, converted at the entered rate) spread over the same areas.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::{AreaIndicators, EvidenceError, Rate, cagr_percent, priority_index, sensitivity, share_percent, to_yen};
use crate::money::Yen;
use crate::pdca::named;
use crate::policy::{Criterion, EvidenceRules};
use crate::shares::Shares;
use crate::text::{fold, normalize};

/// Overseas share minus Japan's share of money, in points.
pub const FUNDING_GAP: &str = "FUNDING_GAP";
/// World publication growth over the window, percent a year.
pub const WORLD_GROWTH: &str = "WORLD_GROWTH";
/// How many points Japan's publication share fell over the window.
pub const JAPAN_SHARE_DECLINE: &str = "JAPAN_SHARE_DECLINE";
/// The researcher survey's respondent-weighted score.
pub const SURVEY: &str = "SURVEY";
/// This year's request against last year's budget, percent.
pub const REQUEST_CHANGE: &str = "REQUEST_CHANGE";
/// Every indicator a policy may weight.
pub const INDICATORS: [&str; 5] = [FUNDING_GAP, WORLD_GROWTH, JAPAN_SHARE_DECLINE, SURVEY, REQUEST_CHANGE];

named!(
    /// What evidence is gathered by: 疾患領域 or 統合プロジェクト.
    Dimension {
        DiseaseArea = ("disease_area", "疾患領域"),
        Project = ("project", "統合プロジェクト"),
    }
);

named!(
    /// Which table a mapping row maps categories of.
    Source {
        Funding = ("funding", "海外の研究費"),
        Publications = ("publications", "論文数"),
    }
);

named!(
    /// The evidence tables a year holds, each imported whole.
    Table {
        Funding = ("funding", "海外の研究費"),
        Mapping = ("mapping", "分類の対応表"),
        Publications = ("publications", "論文数"),
        Survey = ("survey", "研究者調査"),
        Rates = ("rates", "換算レート"),
    }
);

/// One row of an overseas funder's table (such as NIH RCDC or UK HRCS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FundingRow {
    /// The funder (NIH, UKRI …).
    pub funder: String,
    /// The funder's own category.
    pub category: String,
    /// Its fiscal year.
    pub year: i64,
    /// The amount in `currency`.
    pub amount: Decimal,
    /// ISO currency code.
    pub currency: String,
}

/// One row of a bibliometric export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicationRow {
    /// The database's field.
    pub field: String,
    /// The country (`WORLD` for the world total, else summed over the countries given).
    pub country: String,
    /// The publication year.
    pub year: i64,
    /// Papers.
    pub count: u64,
}

/// One answer of a researcher survey, for an area of the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SurveyRow {
    /// Disease area or project.
    pub dimension: Dimension,
    /// The area's code.
    pub area: String,
    /// The question.
    pub question: String,
    /// The score.
    pub score: Decimal,
    /// How many answered.
    pub respondents: u32,
}

/// How one source category spreads over the areas of one dimension (shares sum to 100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingRow {
    /// Which table's categories.
    pub source: Source,
    /// The category as the table writes it.
    pub category: String,
    /// Onto disease areas or projects.
    pub dimension: Dimension,
    /// The areas and their shares.
    pub shares: Shares,
}

/// A table's rows, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "table", content = "rows", rename_all = "lowercase")]
pub enum EvidenceRows {
    /// Overseas funding.
    Funding(Vec<FundingRow>),
    /// Category mappings.
    Mapping(Vec<MappingRow>),
    /// Publication counts.
    Publications(Vec<PublicationRow>),
    /// Survey answers.
    Survey(Vec<SurveyRow>),
    /// Exchange rates.
    Rates(Vec<Rate>),
}

impl EvidenceRows {
    /// How many rows.
    pub fn len(&self) -> usize {
        match self {
            EvidenceRows::Funding(r) => r.len(),
            EvidenceRows::Mapping(r) => r.len(),
            EvidenceRows::Publications(r) => r.len(),
            EvidenceRows::Survey(r) => r.len(),
            EvidenceRows::Rates(r) => r.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every evidence table of a year, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EvidenceData {
    /// Overseas funding.
    pub funding: Vec<FundingRow>,
    /// Category mappings.
    pub mapping: Vec<MappingRow>,
    /// Publication counts.
    pub publications: Vec<PublicationRow>,
    /// Survey answers.
    pub survey: Vec<SurveyRow>,
    /// Exchange rates.
    pub rates: Vec<Rate>,
}

/// An area of the policy and its money this year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaMoney {
    /// Disease area or project.
    pub dimension: Dimension,
    /// Code.
    pub area: String,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// This year's requests in the area (shares apportioned in whole yen).
    pub request: Yen,
    /// Last year's budget in the area.
    pub prior: Yen,
}

/// Everything a report is computed from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The policy's evidence rules.
    pub rules: &'a EvidenceRules,
    /// Every area of the policy with its money.
    pub areas: &'a [AreaMoney],
    /// Overseas funding.
    pub funding: &'a [FundingRow],
    /// Category mappings.
    pub mapping: &'a [MappingRow],
    /// Publication counts.
    pub publications: &'a [PublicationRow],
    /// Survey answers.
    pub survey: &'a [SurveyRow],
    /// Exchange rates.
    pub rates: &'a [Rate],
}

/// Papers in an area in one year (fractional where a field is shared between areas).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicationYear {
    /// The year.
    pub year: i64,
    /// World.
    pub world: Decimal,
    /// Japan.
    pub japan: Decimal,
    /// Japan's share of the world, percent.
    pub japan_share_pct: Option<Decimal>,
}

/// One area's indicators with the inputs behind each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaEvidence {
    /// The area and its money this year.
    #[serde(flatten)]
    pub money: AreaMoney,
    /// Request against last year's budget, percent (none without a budget last year).
    pub request_change_pct: Option<Decimal>,
    /// The area's part of this year's requests, percent.
    pub japan_share_pct: Option<Decimal>,
    /// Overseas money spread onto the area, in yen (whole yen, half up).
    pub overseas_yen: Decimal,
    /// The area's part of the overseas money, percent.
    pub overseas_share_pct: Option<Decimal>,
    /// Overseas share minus Japan's, points.
    pub funding_gap_pt: Option<Decimal>,
    /// Papers by year over the window.
    pub publications: Vec<PublicationYear>,
    /// World growth over the window, percent a year.
    pub world_cagr_pct: Option<f64>,
    /// Japan's growth over the window, percent a year.
    pub japan_cagr_pct: Option<f64>,
    /// Japan's share at the window's end minus at its start, points.
    pub japan_share_change_pt: Option<Decimal>,
    /// Respondent-weighted survey score.
    pub survey_score: Option<Decimal>,
    /// Survey respondents over all questions.
    pub survey_respondents: u64,
    /// Indicator code → the value the index uses (higher argues for more priority).
    pub values: BTreeMap<String, Option<f64>>,
}

/// How a rank moves when one weight moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankMove {
    /// The indicator whose weight moves.
    pub indicator: String,
    /// The rank with the weight raised.
    pub up: usize,
    /// The rank with the weight lowered.
    pub down: usize,
}

/// A candidate priority area: its rank in its dimension and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// Disease area or project.
    pub dimension: Dimension,
    /// Code.
    pub area: String,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// 1 for the highest in its dimension.
    pub rank: usize,
    /// The priority index, 0–100.
    pub index: f64,
    /// Indicator code → its weighted contribution to the index.
    pub contributions: BTreeMap<String, f64>,
    /// How the rank moves when each weight moves by the policy's sensitivity points.
    pub moves: Vec<RankMove>,
}

impl Candidate {
    /// The weights whose move would change this candidate's rank.
    pub fn rank_moves(&self) -> Vec<&RankMove> {
        self.moves.iter().filter(|m| m.up != self.rank || m.down != self.rank).collect()
    }
}

/// A year's evidence, computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceReport {
    /// The publication window (first and last year), if any papers are held.
    pub window: Option<(i64, i64)>,
    /// Each funder and the year of its money used.
    pub funding_years: Vec<(String, i64)>,
    /// The weights.
    pub weights: Vec<Criterion>,
    /// Points a weight is moved to show sensitivity.
    pub sensitivity_points: u32,
    /// Every area's indicators.
    pub areas: Vec<AreaEvidence>,
    /// The ranked candidates, disease areas first, each dimension ranked on its own.
    pub candidates: Vec<Candidate>,
    /// Source categories without a mapping, and mapped codes that are not areas of the policy:
    /// (table, category or code), left out and listed here.
    pub unmapped: Vec<(String, String)>,
}

fn to_f64(d: Decimal) -> Option<f64> {
    d.to_f64()
}

fn is_world(country: &str) -> bool {
    matches!(normalize(country).to_uppercase().as_str(), "WORLD" | "世界" | "ALL")
}

/// Spreads `amounts` (category → value) onto the areas of `dimension` by the mapping of
/// `source`; categories mapped only onto the other dimension count for none of this one's areas,
/// and categories mapped onto neither are added to `unmapped`.
fn spread(
    amounts: &BTreeMap<String, Decimal>,
    source: Source,
    dimension: Dimension,
    mapping: &[MappingRow],
    unmapped: &mut Vec<(String, String)>,
) -> BTreeMap<String, Decimal> {
    let mut out: BTreeMap<String, Decimal> = BTreeMap::new();
    for (category, amount) in amounts {
        let of = |m: &&MappingRow| m.source == source && normalize(&m.category) == normalize(category);
        match mapping.iter().filter(of).find(|m| m.dimension == dimension) {
            Some(m) => {
                for (area, pct) in m.shares.pairs() {
                    *out.entry(area.clone()).or_default() += *amount * Decimal::from(*pct) / Decimal::ONE_HUNDRED;
                }
            }
            None if !mapping.iter().any(|m| of(&m)) => {
                let key = (source.name().to_string(), category.clone());
                if !unmapped.contains(&key) {
                    unmapped.push(key);
                }
            }
            None => {}
        }
    }
    out
}

/// Computes the report. Only a missing exchange rate stops it (a converted amount cannot be
/// guessed); everything else missing leaves the indicator empty and the area ranked on the rest.
pub fn build(inputs: Inputs<'_>) -> Result<EvidenceReport, EvidenceError> {
    let rules = inputs.rules;
    let mut unmapped = Vec::new();
    // Overseas money by category: each funder's latest year, in yen.
    let mut latest: BTreeMap<&str, i64> = BTreeMap::new();
    for f in inputs.funding {
        let y = latest.entry(f.funder.as_str()).or_insert(f.year);
        *y = (*y).max(f.year);
    }
    let mut overseas_by_category: BTreeMap<String, Decimal> = BTreeMap::new();
    for f in inputs.funding.iter().filter(|f| latest.get(f.funder.as_str()) == Some(&f.year)) {
        *overseas_by_category.entry(f.category.clone()).or_default() +=
            to_yen(f.amount, &f.currency, f.year, inputs.rates)?;
    }
    // Papers by (year, field): the world — a field's WORLD rows when it has any, else the sum of
    // its countries — and Japan. A year for which a WORLD-reporting field has no WORLD row is left
    // out for that field, Japan's count too, so a share never divides by an incomplete world.
    let japan: Vec<String> = rules.japan.iter().map(|j| normalize(j).to_uppercase()).collect();
    let mut countries: BTreeMap<(i64, String), u64> = BTreeMap::new();
    let mut world_rows: BTreeMap<(i64, String), u64> = BTreeMap::new();
    let mut japan_count: BTreeMap<(i64, String), u64> = BTreeMap::new();
    for p in inputs.publications {
        let key = (p.year, normalize(&p.field));
        if is_world(&p.country) {
            *world_rows.entry(key).or_default() += p.count;
            continue;
        }
        *countries.entry(key.clone()).or_default() += p.count;
        if japan.contains(&normalize(&p.country).to_uppercase()) {
            *japan_count.entry(key).or_default() += p.count;
        }
    }
    let reports_world: std::collections::BTreeSet<String> = world_rows.keys().map(|(_, f)| f.clone()).collect();
    let mut world_count: BTreeMap<(i64, String), u64> =
        countries.into_iter().filter(|((_, f), _)| !reports_world.contains(f)).collect();
    world_count.extend(world_rows);
    japan_count.retain(|k, _| world_count.contains_key(k));
    let last = inputs.publications.iter().map(|p| p.year).max();
    let window = last.map(|l| (l - rules.window_years, l));
    let years: Vec<i64> = window.map(|(a, b)| (a..=b).collect()).unwrap_or_default();
    let mut areas = Vec::new();
    let mut candidates = Vec::new();
    for &dimension in Dimension::ALL {
        let mine: Vec<&AreaMoney> = inputs.areas.iter().filter(|a| a.dimension == dimension).collect();
        let overseas = spread(&overseas_by_category, Source::Funding, dimension, inputs.mapping, &mut unmapped);
        // Shares are of the money on this dimension's areas; a mapping onto a code the policy no
        // longer has (a replaced draft) is listed, not counted.
        let overseas_total: Decimal = mine.iter().filter_map(|a| overseas.get(&a.area)).copied().sum();
        for code in overseas.keys().filter(|c| !mine.iter().any(|a| &a.area == *c)) {
            let stray = ("mapping".to_string(), code.clone());
            if !unmapped.contains(&stray) {
                unmapped.push(stray);
            }
        }
        let request_total: i64 = mine.iter().map(|a| a.request.get()).sum();
        // Papers by area and year.
        let mut pubs: BTreeMap<(String, i64), (Decimal, Decimal)> = BTreeMap::new();
        for &y in &years {
            let of_year = |m: &BTreeMap<(i64, String), u64>| -> BTreeMap<String, Decimal> {
                m.iter().filter(|((yy, _), _)| *yy == y).map(|((_, f), c)| (f.clone(), Decimal::from(*c))).collect()
            };
            let w = spread(&of_year(&world_count), Source::Publications, dimension, inputs.mapping, &mut unmapped);
            let j = spread(&of_year(&japan_count), Source::Publications, dimension, inputs.mapping, &mut unmapped);
            for a in &mine {
                let (wv, jv) = (w.get(&a.area).copied(), j.get(&a.area).copied());
                if wv.is_some() || jv.is_some() {
                    pubs.insert((a.area.clone(), y), (wv.unwrap_or_default(), jv.unwrap_or_default()));
                }
            }
        }
        let mut indicators = Vec::new();
        for a in &mine {
            let request_change_pct =
                share_percent(Decimal::from(a.request.get() - a.prior.get()), Decimal::from(a.prior.get()));
            let japan_share_pct = share_percent(Decimal::from(a.request.get()), Decimal::from(request_total));
            let overseas_yen = overseas
                .get(&a.area)
                .copied()
                .unwrap_or_default()
                .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            let overseas_share_pct = share_percent(overseas.get(&a.area).copied().unwrap_or_default(), overseas_total);
            let funding_gap_pt = overseas_share_pct.zip(japan_share_pct).map(|(o, j)| o - j);
            let publications: Vec<PublicationYear> = years
                .iter()
                .filter_map(|y| pubs.get(&(a.area.clone(), *y)).map(|(w, j)| (*y, *w, *j)))
                .map(|(year, world, japan)| PublicationYear {
                    year,
                    world: world.round_dp(1),
                    japan: japan.round_dp(1),
                    japan_share_pct: share_percent(japan, world),
                })
                .collect();
            let at = |y: Option<i64>| y.and_then(|y| pubs.get(&(a.area.clone(), y)).copied());
            let (start, end) = (at(window.map(|w| w.0)), at(window.map(|w| w.1)));
            let span = rules.window_years;
            let world_cagr_pct = start.zip(end).and_then(|(s, e)| cagr_percent(s.0, e.0, span));
            let japan_cagr_pct = start.zip(end).and_then(|(s, e)| cagr_percent(s.1, e.1, span));
            let japan_share_change_pt = start
                .zip(end)
                .and_then(|(s, e)| share_percent(e.1, e.0).zip(share_percent(s.1, s.0)))
                .map(|(e, s)| e - s);
            let answers: Vec<(Decimal, u32)> = inputs
                .survey
                .iter()
                .filter(|s| s.dimension == dimension && s.area == a.area)
                .map(|s| (s.score, s.respondents))
                .collect();
            let survey_score = super::survey_score(&answers);
            let values = BTreeMap::from([
                (FUNDING_GAP.to_string(), funding_gap_pt.and_then(to_f64)),
                (WORLD_GROWTH.to_string(), world_cagr_pct),
                (JAPAN_SHARE_DECLINE.to_string(), japan_share_change_pt.and_then(|c| to_f64(-c))),
                (SURVEY.to_string(), survey_score.and_then(to_f64)),
                (REQUEST_CHANGE.to_string(), request_change_pct.and_then(to_f64)),
            ]);
            indicators.push(AreaIndicators { area: a.area.clone(), values: values.clone() });
            areas.push(AreaEvidence {
                money: (*a).clone(),
                request_change_pct,
                japan_share_pct,
                overseas_yen,
                overseas_share_pct,
                funding_gap_pt,
                publications,
                world_cagr_pct,
                japan_cagr_pct,
                japan_share_change_pt,
                survey_score,
                survey_respondents: answers.iter().map(|x| u64::from(x.1)).sum(),
                values,
            });
        }
        let weights: BTreeMap<String, u32> = rules.indicators.iter().map(|c| (c.code.clone(), c.weight)).collect();
        let moves = sensitivity(&indicators, &weights, rules.sensitivity_points);
        for r in priority_index(&indicators, &weights) {
            let a = mine.iter().find(|a| a.area == r.area).expect("ranked from these areas");
            candidates.push(Candidate {
                dimension,
                area: r.area.clone(),
                name_ja: a.name_ja.clone(),
                name_en: a.name_en.clone(),
                rank: r.rank,
                index: r.index,
                contributions: r.contributions,
                moves: moves
                    .iter()
                    .filter(|m| m.0 == r.area)
                    .map(|m| RankMove { indicator: m.1.clone(), up: m.2, down: m.3 })
                    .collect(),
            });
        }
    }
    Ok(EvidenceReport {
        window,
        funding_years: latest.into_iter().map(|(f, y)| (f.to_string(), y)).collect(),
        weights: rules.indicators.clone(),
        sensitivity_points: rules.sensitivity_points,
        areas,
        candidates,
        unmapped,
    })
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
