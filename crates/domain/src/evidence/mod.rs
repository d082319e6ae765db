//! Evidence to priorities (§4 of the policy): indicators per disease area (or integrated
//! project) from overseas funding, publication counts and researcher surveys, each a pure
//! function whose inputs are shown beside its result; a priority index with weights that are
//! policy data; the ranked candidates and how each rank moves when one weight changes.
//!
//! Money from overseas tables is converted at rates the user enters (never fetched) and kept as
//! exact decimals; shares and growth are ratios, computed in floating point only where a root is
//! needed (compound growth), and never near an amount of yen.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::policy::EvidenceRules;

pub mod report;

/// The largest weight (and sensitivity step) a policy may set.
pub const MAX_WEIGHT: u32 = 1000;

/// What is wrong with a policy's evidence rules, as (Japanese, English) messages.
pub fn rules_problems(rules: &EvidenceRules) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if !(1..=30).contains(&rules.window_years) {
        out.push((
            format!("window_years は 1〜30 で指定してください: {}", rules.window_years),
            format!("window_years must be 1 to 30: {}", rules.window_years),
        ));
    }
    if rules.japan.iter().all(|j| j.trim().is_empty()) {
        out.push(("japan（日本を表す国名）が空です".into(), "japan (the names of Japan) is empty".into()));
    }
    let mut seen = std::collections::HashSet::new();
    for c in &rules.indicators {
        if !report::INDICATORS.contains(&c.code.as_str()) || !seen.insert(c.code.as_str()) {
            out.push((
                format!("指標のコードが不明または重複しています: {}（{}）", c.code, report::INDICATORS.join(", ")),
                format!("an indicator code is unknown or repeated: {} ({})", c.code, report::INDICATORS.join(", ")),
            ));
        }
    }
    if rules.indicators.iter().map(|c| u64::from(c.weight)).sum::<u64>() == 0 {
        out.push(("指標の重みの合計が 0 です".into(), "the indicators' weights sum to 0".into()));
    }
    if rules.indicators.iter().any(|c| c.weight > MAX_WEIGHT) || rules.sensitivity_points > MAX_WEIGHT {
        out.push((
            format!("重みと sensitivity_points は {MAX_WEIGHT} 以下で指定してください"),
            format!("weights and sensitivity_points must be at most {MAX_WEIGHT}"),
        ));
    }
    out
}

/// Why an evidence computation could not be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    /// No exchange rate was entered for a currency and year.
    #[error("{currency} の {year} 年度の換算レートがありません / no {currency} rate for {year}")]
    NoRate {
        /// The currency.
        currency: String,
        /// The year.
        year: i64,
    },
}

/// An exchange rate the user entered: yen per unit of `currency` in `year`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rate {
    /// The currency (ISO code).
    pub currency: String,
    /// The year.
    pub year: i64,
    /// Yen per unit.
    pub yen_per_unit: Decimal,
}

/// An amount in a currency converted to yen at the entered rate (yen itself needs none).
pub fn to_yen(amount: Decimal, currency: &str, year: i64, rates: &[Rate]) -> Result<Decimal, EvidenceError> {
    if currency.eq_ignore_ascii_case("JPY") {
        return Ok(amount);
    }
    rates
        .iter()
        .find(|r| r.currency.eq_ignore_ascii_case(currency) && r.year == year)
        .map(|r| amount * r.yen_per_unit)
        .ok_or_else(|| EvidenceError::NoRate { currency: currency.to_string(), year })
}

/// `part` as a percent of `total`, half up to one decimal; `None` when the total is zero.
pub fn share_percent(part: Decimal, total: Decimal) -> Option<Decimal> {
    if total.is_zero() {
        return None;
    }
    Some((part * Decimal::ONE_HUNDRED / total).round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero))
}

/// Compound annual growth between two counts `years` apart, in percent: `None` for a single
/// year (no span), a start of zero or below, or a negative span.
pub fn cagr_percent(start: Decimal, end: Decimal, years: i64) -> Option<f64> {
    use rust_decimal::prelude::ToPrimitive;
    if years <= 0 || start <= Decimal::ZERO || end < Decimal::ZERO {
        return None;
    }
    let ratio = (end / start).to_f64()?;
    let g = (ratio.powf(1.0 / years as f64) - 1.0) * 100.0;
    Some((g * 10.0).round() / 10.0)
}

/// The respondent-weighted mean score of an area's survey answers; `None` without respondents.
pub fn survey_score(answers: &[(Decimal, u32)]) -> Option<Decimal> {
    let n: u64 = answers.iter().map(|(_, r)| u64::from(*r)).sum();
    if n == 0 {
        return None;
    }
    let sum: Decimal = answers.iter().map(|(s, r)| *s * Decimal::from(*r)).sum();
    Some((sum / Decimal::from(n)).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

/// One area's indicator values (by indicator code); a missing value counts as the lowest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaIndicators {
    /// The area's code.
    pub area: String,
    /// Indicator code → value (`None`: not computable for this area).
    pub values: BTreeMap<String, Option<f64>>,
}

/// An area's place in the ranking, with what each indicator contributed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    /// The area's code.
    pub area: String,
    /// The priority index, 0–100.
    pub index: f64,
    /// 1 for the highest.
    pub rank: usize,
    /// Indicator code → its weighted, normalised contribution.
    pub contributions: BTreeMap<String, f64>,
}

/// The priority index of each area: every indicator scaled to 0–1 across the areas (min–max;
/// an indicator equal for every area gives nothing), weighted by `weights` (indicator code →
/// weight; the weights need not sum to 100, they are divided by their sum), times 100. Ranked
/// highest first; ties broken by area code, so the order is stable.
pub fn priority_index(areas: &[AreaIndicators], weights: &BTreeMap<String, u32>) -> Vec<Ranked> {
    let total: u64 = weights.values().map(|w| u64::from(*w)).sum();
    let mut out: Vec<Ranked> = areas
        .iter()
        .map(|a| {
            let mut contributions = BTreeMap::new();
            for (code, w) in weights {
                let values: Vec<f64> = areas.iter().filter_map(|x| x.values.get(code).copied().flatten()).collect();
                let (lo, hi) =
                    values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(*v), h.max(*v)));
                let scaled = match a.values.get(code).copied().flatten() {
                    Some(v) if hi > lo => (v - lo) / (hi - lo),
                    _ => 0.0,
                };
                let c = if total == 0 { 0.0 } else { scaled * f64::from(*w) / total as f64 * 100.0 };
                contributions.insert(code.clone(), c);
            }
            let index = contributions.values().sum::<f64>();
            Ranked { area: a.area.clone(), index, rank: 0, contributions }
        })
        .collect();
    // Ranked on the unrounded index (rounding must not make a tie); shown to one decimal.
    out.sort_by(|x, y| y.index.total_cmp(&x.index).then_with(|| x.area.cmp(&y.area)));
    let tenth = |v: f64| (v * 10.0).round() / 10.0;
    for (i, r) in out.iter_mut().enumerate() {
        r.rank = i + 1;
        r.index = tenth(r.index);
        r.contributions.values_mut().for_each(|c| *c = tenth(*c));
    }
    out
}

/// How an area's rank moves when one weight changes by `delta` points up or down: (area,
/// indicator, rank with the weight raised, rank with it lowered).
pub fn sensitivity(
    areas: &[AreaIndicators],
    weights: &BTreeMap<String, u32>,
    delta: u32,
) -> Vec<(String, String, usize, usize)> {
    let rank_of = |w: &BTreeMap<String, u32>, area: &str| {
        priority_index(areas, w).iter().find(|r| r.area == area).map_or(0, |r| r.rank)
    };
    let mut out = Vec::new();
    for code in weights.keys() {
        let mut up = weights.clone();
        let u = up.get_mut(code).expect("a key of weights");
        *u = u.saturating_add(delta);
        let mut down = weights.clone();
        let d = down.get_mut(code).expect("a key of weights");
        *d = d.saturating_sub(delta);
        for a in areas {
            out.push((a.area.clone(), code.clone(), rank_of(&up, &a.area), rank_of(&down, &a.area)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shares::Shares;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn currency_conversion_uses_the_entered_rate_and_refuses_a_missing_one() {
        let rates = [Rate { currency: "USD".into(), year: 2022, yen_per_unit: d("131.50") }];
        assert_eq!(to_yen(d("2.5"), "usd", 2022, &rates), Ok(d("328.75")));
        assert_eq!(to_yen(d("7"), "JPY", 1999, &[]), Ok(d("7")));
        assert_eq!(
            to_yen(d("1"), "USD", 2023, &rates),
            Err(EvidenceError::NoRate { currency: "USD".into(), year: 2023 })
        );
    }

    #[test]
    fn a_mapping_whose_shares_do_not_sum_to_100_cannot_be_built() {
        assert!(Shares::new(vec![("CANCER".into(), 60), ("RARE".into(), 30)]).is_err());
        assert!(Shares::new(vec![("CANCER".into(), 60), ("RARE".into(), 40)]).is_ok());
    }

    #[test]
    fn shares_growth_and_scores_by_hand() {
        assert_eq!(share_percent(d("1"), d("3")), Some(d("33.3")));
        assert_eq!(share_percent(d("1"), d("8")), Some(d("12.5")));
        assert_eq!(share_percent(d("5"), d("0")), None, "a zero denominator is no share");
        // 100 → 121 over two years is 10 % a year.
        assert_eq!(cagr_percent(d("100"), d("121"), 2), Some(10.0));
        assert_eq!(cagr_percent(d("200"), d("100"), 1), Some(-50.0));
        assert_eq!(cagr_percent(d("100"), d("150"), 0), None, "a single year has no growth");
        assert_eq!(cagr_percent(d("0"), d("10"), 3), None, "growth from nothing is undefined");
        // (4 × 10 + 2 × 30) / 40 = 2.5.
        assert_eq!(survey_score(&[(d("4"), 10), (d("2"), 30)]), Some(d("2.5")));
        assert_eq!(survey_score(&[]), None);
        assert_eq!(survey_score(&[(d("5"), 0)]), None);
    }

    fn areas() -> Vec<AreaIndicators> {
        let a = |area: &str, gap: Option<f64>, growth: Option<f64>| AreaIndicators {
            area: area.into(),
            values: BTreeMap::from([("gap".to_string(), gap), ("growth".to_string(), growth)]),
        };
        vec![a("CANCER", Some(10.0), Some(2.0)), a("INFECTIOUS", Some(0.0), Some(6.0)), a("RARE", None, Some(4.0))]
    }

    #[test]
    fn the_index_ranks_by_weighted_scaled_indicators() {
        let weights = BTreeMap::from([("gap".to_string(), 60), ("growth".to_string(), 40)]);
        let r = priority_index(&areas(), &weights);
        // CANCER: gap 1.0 × 60 + growth 0 × 40 = 60; INFECTIOUS: 0 + 1.0 × 40 = 40; RARE: 0 + 0.5 × 40 = 20.
        let got: Vec<(&str, f64, usize)> = r.iter().map(|x| (x.area.as_str(), x.index, x.rank)).collect();
        assert_eq!(got, [("CANCER", 60.0, 1), ("INFECTIOUS", 40.0, 2), ("RARE", 20.0, 3)]);
        assert_eq!(r[2].contributions["growth"], 20.0);
        // An indicator equal for every area contributes nothing; no weights, no index.
        let flat = vec![AreaIndicators { area: "X".into(), values: BTreeMap::from([("gap".to_string(), Some(3.0))]) }];
        assert_eq!(priority_index(&flat, &weights)[0].index, 0.0);
        assert_eq!(priority_index(&areas(), &BTreeMap::new())[0].index, 0.0);
        assert!(priority_index(&[], &weights).is_empty());
    }

    #[test]
    fn sensitivity_shows_how_a_rank_moves_with_one_weight() {
        let weights = BTreeMap::from([("gap".to_string(), 50), ("growth".to_string(), 50)]);
        // At 50/50: CANCER 50, INFECTIOUS 50 (tie, by code: CANCER first), RARE 25.
        let s = sensitivity(&areas(), &weights, 10);
        let infectious_growth = s.iter().find(|x| x.0 == "INFECTIOUS" && x.1 == "growth").unwrap();
        assert_eq!((infectious_growth.2, infectious_growth.3), (1, 2), "more weight on growth lifts it to first");
        let cancer_gap = s.iter().find(|x| x.0 == "CANCER" && x.1 == "gap").unwrap();
        assert_eq!((cancer_gap.2, cancer_gap.3), (1, 2));
    }
}
