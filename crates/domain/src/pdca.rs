//! PDCA (§6 of the policy): the measures (施策) of the Promotion Plan and their KPIs in the shape
//! the RS system uses (its file 3-1), the follow-up's achievement rates, the Cabinet Office's
//! evaluation of each measure, and the action HQ records for each line for next year's request.
//!
//! KPI values are not money: they are counts, ratios and scores, often with decimals, so they
//! are exact decimals ([`Decimal`]), never floats, and they keep the precision they were given.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::text::fold;

/// Implements `name`, `name_ja`, `ALL`, parsing from either name, and `Display` for a closed
/// list of kinds.
macro_rules! named {
    ($(#[$m:meta])* $ty:ident { $($(#[$vm:meta])* $v:ident = ($name:literal, $ja:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(into = "&'static str")]
        pub enum $ty { $($(#[$vm])* $v),+ }

        impl $ty {
            /// Every value, in order.
            pub const ALL: &'static [$ty] = &[$($ty::$v),+];

            /// The stored and printed name.
            pub fn name(self) -> &'static str {
                match self { $($ty::$v => $name),+ }
            }

            /// The Japanese name, as the RS system and the ministries write it.
            pub fn name_ja(self) -> &'static str {
                match self { $($ty::$v => $ja),+ }
            }

            /// Parses either name (full-width or half-width, any case).
            pub fn parse(s: &str) -> Option<$ty> {
                let f = fold(s);
                $ty::ALL.iter().copied().find(|v| fold(v.name()) == f || fold(v.name_ja()) == f)
            }

            /// Every value's names, for a message.
            pub fn choices() -> String {
                $ty::ALL.iter().map(|v| format!("{}（{}）", v.name(), v.name_ja())).collect::<Vec<_>>().join("・")
            }
        }

        impl From<$ty> for &'static str {
            fn from(v: $ty) -> &'static str {
                v.name()
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
pub(crate) use named;

named! {
    /// What a KPI measures: an activity, an output, or an outcome over a term (RS file 3-1's
    /// 種別, 成果目標の種類 and アウトカムの期間 together).
    KpiKind {
        /// 活動指標.
        Activity = ("activity", "活動指標"),
        /// アウトプット.
        Output = ("output", "アウトプット"),
        /// 短期アウトカム.
        OutcomeShort = ("outcome-short", "短期アウトカム"),
        /// 中期アウトカム.
        OutcomeMid = ("outcome-mid", "中期アウトカム"),
        /// 長期アウトカム.
        OutcomeLong = ("outcome-long", "長期アウトカム"),
    }
}

named! {
    /// Which way is better (RS: 改善の上向き／下向き).
    Direction {
        /// Higher is better (上向き).
        Higher = ("higher", "上向き"),
        /// Lower is better (下向き).
        Lower = ("lower", "下向き"),
    }
}

named! {
    /// The Cabinet Office's evaluation of a measure in a follow-up round.
    Evaluation {
        /// 達成.
        Achieved = ("achieved", "達成"),
        /// 順調.
        OnTrack = ("on-track", "順調"),
        /// 遅れ.
        Delayed = ("delayed", "遅れ"),
        /// 評価不能.
        CannotEvaluate = ("cannot-evaluate", "評価不能"),
    }
}

named! {
    /// What HQ decides for a line after the follow-up, carried into next year's request.
    LineAction {
        /// 継続.
        Continue = ("continue", "継続"),
        /// 拡充.
        Expand = ("expand", "拡充"),
        /// 縮減.
        Reduce = ("reduce", "縮減"),
        /// 見直し.
        Review = ("review", "見直し"),
        /// 廃止.
        End = ("end", "廃止"),
    }
}

impl LineAction {
    /// Whether the line's request must not grow next year (縮減, 廃止).
    pub fn must_not_grow(self) -> bool {
        matches!(self, LineAction::Reduce | LineAction::End)
    }
}

/// Why a KPI value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("数値として読めません: 「{0}」 / not a number: \"{0}\"")]
pub struct ValueError(pub String);

/// Parses a KPI value as people type it: full-width digits, thousands separators, a trailing
/// `%` (kept as the number: 85% is 85). The decimals given are kept (`1.50` stays `1.50`).
pub fn parse_value(raw: &str) -> Result<Decimal, ValueError> {
    let t = crate::text::normalize(raw).replace([',', '，'], "");
    let t = t.strip_suffix('%').unwrap_or(&t).trim();
    if t.is_empty() || t.len() > 40 {
        return Err(ValueError(raw.chars().take(40).collect()));
    }
    t.parse::<Decimal>().map_err(|_| ValueError(raw.chars().take(40).collect()))
}

/// How far `actual` has come towards `target`, in percent, rounded half up to one decimal
/// (RS: 達成率).
///
/// - With a baseline different from the target: the share of the way from the baseline to the
///   target that was covered, `(actual − baseline) / (target − baseline)`. This holds for either
///   direction (a target below the baseline is a reduction) and can be negative (moved away) or
///   above 100 (beyond the target).
/// - Without one: `actual / target` when higher is better, `target / actual` when lower is.
///
/// `None` when the rate is undefined: a zero denominator (a target equal to its baseline, a
/// zero target, or a zero actual for a lower-is-better indicator).
pub fn achievement(
    direction: Direction,
    baseline: Option<Decimal>,
    target: Decimal,
    actual: Decimal,
) -> Option<Decimal> {
    let (num, den) = match baseline {
        Some(b) if b != target => (actual - b, target - b),
        Some(_) => return None,
        None => match direction {
            Direction::Higher => (actual, target),
            Direction::Lower => (target, actual),
        },
    };
    if den.is_zero() {
        return None;
    }
    let rate = num.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(den)?;
    Some(rate.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero).normalize())
}

/// Whether `actual` falls short of `target` in the indicator's direction.
pub fn short_of(direction: Direction, target: Decimal, actual: Decimal) -> bool {
    match direction {
        Direction::Higher => actual < target,
        Direction::Lower => actual > target,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn names_parse_in_both_languages() {
        assert_eq!(KpiKind::parse("短期アウトカム"), Some(KpiKind::OutcomeShort));
        assert_eq!(KpiKind::parse("OUTCOME-LONG"), Some(KpiKind::OutcomeLong));
        assert_eq!(Direction::parse("下向き"), Some(Direction::Lower));
        assert_eq!(Evaluation::parse("順調"), Some(Evaluation::OnTrack));
        assert_eq!(LineAction::parse("廃止"), Some(LineAction::End));
        assert_eq!(LineAction::parse("やめる"), None);
        assert!(LineAction::Reduce.must_not_grow() && !LineAction::Review.must_not_grow());
        assert_eq!(serde_json::to_value(LineAction::Expand).unwrap(), "expand");
    }

    #[test]
    fn values_keep_their_precision_and_refuse_what_is_not_a_number() {
        assert_eq!(parse_value("１，２００").unwrap(), d("1200"));
        assert_eq!(parse_value("85%").unwrap(), d("85"));
        assert_eq!(parse_value(" 1.50 ").unwrap().to_string(), "1.50");
        assert_eq!(parse_value("-3").unwrap(), d("-3"));
        for bad in ["", "abc", "1.2.3", "１０件", &"9".repeat(50)] {
            assert!(parse_value(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn achievement_by_hand() {
        use Direction::*;
        // Higher is better, no baseline: 45 of 60 is 75 %.
        assert_eq!(achievement(Higher, None, d("60"), d("45")), Some(d("75")));
        // Two thirds, rounded half up to one decimal.
        assert_eq!(achievement(Higher, None, d("3"), d("2")), Some(d("66.7")));
        // Beyond the target.
        assert_eq!(achievement(Higher, None, d("10"), d("12")), Some(d("120")));
        // Lower is better, no baseline: a target of 20 days met with 25 is 80 %.
        assert_eq!(achievement(Lower, None, d("20"), d("25")), Some(d("80")));
        // From a baseline: 100 → 160 planned, 130 reached is half the way.
        assert_eq!(achievement(Higher, Some(d("100")), d("160"), d("130")), Some(d("50")));
        // A reduction from a baseline: 40 → 30 planned, 35 reached is half the way.
        assert_eq!(achievement(Lower, Some(d("40")), d("30"), d("35")), Some(d("50")));
        // Moved away from the target.
        assert_eq!(achievement(Higher, Some(d("100")), d("120"), d("90")), Some(d("-50")));
        // Zero denominators are undefined, never a division by zero.
        assert_eq!(achievement(Higher, None, d("0"), d("5")), None);
        assert_eq!(achievement(Lower, None, d("10"), d("0")), None);
        assert_eq!(achievement(Higher, Some(d("7")), d("7"), d("9")), None);
        // Half up at the boundary: 1 of 16 is 6.25 %, shown as 6.3.
        assert_eq!(achievement(Higher, None, d("16"), d("1")), Some(d("6.3")));
    }

    #[test]
    fn shortfall_follows_the_direction() {
        assert!(short_of(Direction::Higher, d("10"), d("9.9")));
        assert!(!short_of(Direction::Higher, d("10"), d("10")));
        assert!(short_of(Direction::Lower, d("10"), d("10.1")));
        assert!(!short_of(Direction::Lower, d("10"), d("3")));
    }
}
