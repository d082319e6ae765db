//! Exact money: whole yen in an `i64`, and the units budget documents count in.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An amount of Japanese yen. Whole yen only; arithmetic on amounts never uses floats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Yen(pub i64);

impl Yen {
    /// Zero yen.
    pub const ZERO: Yen = Yen(0);

    /// The amount in whole yen.
    pub fn get(self) -> i64 {
        self.0
    }

    /// Checked addition; `None` on overflow.
    pub fn checked_add(self, other: Yen) -> Option<Yen> {
        self.0.checked_add(other.0).map(Yen)
    }

    /// The amount in `unit`, rounded half away from zero, as an integer (for display only).
    pub fn round_to(self, unit: Unit) -> i64 {
        let d = i128::from(unit.yen_per_unit());
        let v = i128::from(self.0);
        let q = (v.abs() + d / 2) / d;
        (if v < 0 { -q } else { q }) as i64
    }

    /// The exact amount in `unit` as a decimal string without grouping, e.g. `1234.567`
    /// for 1,234,567 yen in thousands. Parsing it back in the same unit gives the same amount.
    pub fn to_unit_string(self, unit: Unit) -> String {
        let d = unit.yen_per_unit();
        let (int, frac) = (self.0 / d, (self.0 % d).abs());
        let sign = if self.0 < 0 && int == 0 { "-" } else { "" };
        if frac == 0 {
            return format!("{sign}{int}");
        }
        let width = unit.decimals();
        let digits = format!("{frac:0width$}");
        format!("{sign}{int}.{}", digits.trim_end_matches('0'))
    }
}

/// Groups an integer's digits by thousands: `1234567` → `1,234,567`.
pub fn group_thousands(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if v < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl fmt::Display for Yen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}円", group_thousands(self.0))
    }
}

impl Add for Yen {
    type Output = Yen;

    /// Panics on overflow: sums of budget amounts are far below `i64::MAX` (9.2 quintillion yen),
    /// and inputs above [`MAX_AMOUNT`] are refused at the edge.
    fn add(self, rhs: Yen) -> Yen {
        Yen(self.0.checked_add(rhs.0).expect("yen overflow"))
    }
}

impl AddAssign for Yen {
    fn add_assign(&mut self, rhs: Yen) {
        *self = *self + rhs;
    }
}

impl Sub for Yen {
    type Output = Yen;

    fn sub(self, rhs: Yen) -> Yen {
        Yen(self.0.checked_sub(rhs.0).expect("yen overflow"))
    }
}

impl Sum for Yen {
    fn sum<I: Iterator<Item = Yen>>(iter: I) -> Yen {
        iter.fold(Yen::ZERO, Add::add)
    }
}

/// The largest single amount accepted from input: 100 trillion yen (100兆円), above the whole
/// national budget, so that sums of many lines can never overflow an `i64`.
pub const MAX_AMOUNT: Yen = Yen(100_000_000_000_000);

/// The most a fiscal year's lines may add up to: 10京円 (10^17 yen), so that no compilation of a
/// year can overflow an `i64` however many lines it holds.
pub const YEAR_MAX: Yen = Yen(100_000_000_000_000_000);

/// Whether the amounts of a year's lines stay within [`YEAR_MAX`], summed without overflow.
pub fn within_year_max(amounts: &[(i64, i64)]) -> bool {
    let (p, r) = amounts.iter().fold((0i128, 0i128), |(p, r), (a, b)| (p + i128::from(*a), r + i128::from(*b)));
    p <= i128::from(YEAR_MAX.0) && r <= i128::from(YEAR_MAX.0)
}

/// The unit a sheet counts money in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// 円
    Yen,
    /// 千円, the unit of budget documents and haibun's template.
    ThousandYen,
    /// 百万円, the unit of review sheets and summary tables.
    MillionYen,
}

impl Unit {
    /// How many yen one unit is.
    pub fn yen_per_unit(self) -> i64 {
        match self {
            Unit::Yen => 1,
            Unit::ThousandYen => 1_000,
            Unit::MillionYen => 1_000_000,
        }
    }

    fn decimals(self) -> usize {
        match self {
            Unit::Yen => 0,
            Unit::ThousandYen => 3,
            Unit::MillionYen => 6,
        }
    }

    /// The Japanese label written in a 単位 cell.
    pub fn label_ja(self) -> &'static str {
        match self {
            Unit::Yen => "円",
            Unit::ThousandYen => "千円",
            Unit::MillionYen => "百万円",
        }
    }

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Yen => "yen",
            Unit::ThousandYen => "thousand-yen",
            Unit::MillionYen => "million-yen",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_ja())
    }
}

/// A unit name that is none of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("単位が不明です: {0}（円・千円・百万円）/ unknown unit: {0} (yen, thousand-yen, million-yen)")]
pub struct UnitError(pub String);

impl FromStr for Unit {
    type Err = UnitError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = crate::text::fold(s);
        let t = t.trim_start_matches('(').trim_end_matches(')');
        let t = t.strip_prefix("単位:").unwrap_or(t).trim();
        match t {
            "円" | "yen" | "jpy" => Ok(Unit::Yen),
            "千円" | "thousand-yen" | "thousand yen" | "thousands" => Ok(Unit::ThousandYen),
            "百万円" | "million-yen" | "million yen" | "millions" => Ok(Unit::MillionYen),
            _ => Err(UnitError(s.to_string())),
        }
    }
}

/// Why a cell could not be read as an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    /// Not a number at all (text, a date, two decimal points …).
    NotANumber,
    /// Below zero.
    Negative,
    /// The value in the sheet's unit does not come to a whole number of yen.
    FractionalYen,
    /// Above [`MAX_AMOUNT`].
    TooLarge,
}

impl AmountError {
    /// What is wrong, in Japanese and English.
    pub fn message(self) -> (&'static str, &'static str) {
        match self {
            AmountError::NotANumber => ("数値ではありません", "not a number"),
            AmountError::Negative => ("負の金額です", "negative"),
            AmountError::FractionalYen => ("1円未満の端数があります", "not whole yen"),
            AmountError::TooLarge => ("大きすぎます", "too large"),
        }
    }
}

/// Thousands separators, where present, must group the integer part by three (`1,234,567`):
/// `1,5` is a mistake, not fifteen.
fn well_grouped(t: &str) -> bool {
    let int = t.split('.').next().unwrap_or("");
    if t.split('.').nth(1).is_some_and(|f| f.contains(',')) {
        return false;
    }
    if !int.contains(',') {
        return true;
    }
    let int = int.trim_start_matches(['-', '−', '+']);
    let groups: Vec<&str> = int.split(',').collect();
    (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3)
}

/// [`parse_amount`] with a sign: a leading `-`, `−`, `△` or `▲` (as budget documents write a
/// decrease) makes the amount negative.
pub fn parse_signed_amount(raw: &str, unit: Unit) -> Result<Yen, AmountError> {
    let t = raw.trim();
    match t.strip_prefix(['-', '−', '△', '▲']) {
        Some(rest) => parse_amount(rest, unit).map(|y| Yen(-y.get())),
        None => parse_amount(t, unit),
    }
}

/// Parses what a person typed as an amount in `unit` into exact yen.
///
/// Accepts full-width digits, thousands separators (`,` `，` `、`), surrounding spaces, a trailing
/// `円`, and decimals (`1234.5` thousand yen is 1,234,500 yen). Uses integer arithmetic only.
pub fn parse_amount(raw: &str, unit: Unit) -> Result<Yen, AmountError> {
    let t = crate::text::normalize(raw);
    let t = t.replace('、', ",");
    let t = t.trim_end_matches('円').trim_end();
    if !well_grouped(t) {
        return Err(AmountError::NotANumber);
    }
    let t: String = t.chars().filter(|c| !matches!(c, ',' | ' ' | '_')).collect();
    let t = t.as_str();
    let (negative, t) = match t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return Err(AmountError::NotANumber);
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > unit.decimals() {
        return Err(AmountError::FractionalYen);
    }
    let int = int.trim_start_matches('0');
    // 16 digits of yen already exceed MAX_AMOUNT; refuse longer input before it can overflow.
    if int.len() > 16 {
        return Err(AmountError::TooLarge);
    }
    let int: i128 = if int.is_empty() { 0 } else { int.parse().map_err(|_| AmountError::NotANumber)? };
    let scale = 10_i128.pow((unit.decimals() - frac.len()) as u32);
    let frac_yen: i128 =
        if frac.is_empty() { 0 } else { frac.parse::<i128>().map_err(|_| AmountError::NotANumber)? * scale };
    let yen = int * i128::from(unit.yen_per_unit()) + frac_yen;
    if negative && yen != 0 {
        return Err(AmountError::Negative);
    }
    if yen > i128::from(MAX_AMOUNT.0) {
        return Err(AmountError::TooLarge);
    }
    Ok(Yen(yen as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_in_thousands_become_exact_yen() {
        assert_eq!(parse_amount("1,200", Unit::ThousandYen), Ok(Yen(1_200_000)));
        assert_eq!(parse_amount("１，２００", Unit::ThousandYen), Ok(Yen(1_200_000)));
        assert_eq!(parse_amount(" 1234.567 ", Unit::ThousandYen), Ok(Yen(1_234_567)));
        assert_eq!(parse_amount("136095000.0", Unit::Yen), Ok(Yen(136_095_000)));
        assert_eq!(parse_amount("0.5", Unit::MillionYen), Ok(Yen(500_000)));
        assert_eq!(parse_amount("1,000円", Unit::Yen), Ok(Yen(1000)));
    }

    #[test]
    fn bad_amounts_are_refused_with_the_reason() {
        assert_eq!(parse_amount("1.0005", Unit::ThousandYen), Err(AmountError::FractionalYen));
        assert_eq!(parse_amount("0.5", Unit::Yen), Err(AmountError::FractionalYen));
        assert_eq!(parse_amount("-5", Unit::Yen), Err(AmountError::Negative));
        assert_eq!(parse_amount("abc", Unit::Yen), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1.2.3", Unit::Yen), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("", Unit::Yen), Err(AmountError::NotANumber));
        assert_eq!(parse_amount(".", Unit::Yen), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1e5", Unit::Yen), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1,5", Unit::Yen), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1、5", Unit::Yen), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("100、200", Unit::Yen), Ok(Yen(100_200)));
        assert_eq!(parse_amount("1,000.5,0", Unit::ThousandYen), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1、000", Unit::Yen), Ok(Yen(1000)));
        assert_eq!(parse_amount("99999999999999999999999", Unit::Yen), Err(AmountError::TooLarge));
        assert_eq!(parse_amount("100000000001", Unit::ThousandYen), Err(AmountError::TooLarge));
    }

    #[test]
    fn rounding_for_display_is_half_up() {
        assert_eq!(Yen(1_500_000).round_to(Unit::MillionYen), 2);
        assert_eq!(Yen(1_499_999).round_to(Unit::MillionYen), 1);
        assert_eq!(group_thousands(-1_234_567), "-1,234,567");
        assert_eq!(Yen(1_234_567).to_string(), "1,234,567円");
    }

    #[test]
    fn a_year_total_past_the_limit_is_detected_without_overflow() {
        assert!(within_year_max(&[(0, YEAR_MAX.0)]));
        assert!(!within_year_max(&[(0, YEAR_MAX.0), (0, 1)]));
        assert!(!within_year_max(&vec![(MAX_AMOUNT.0, 0); 100_000]), "10^19 yen is summed in i128, not wrapped");
    }

    proptest! {
        #[test]
        fn unit_strings_round_trip(v in 0i64..=MAX_AMOUNT.0) {
            for unit in [Unit::Yen, Unit::ThousandYen, Unit::MillionYen] {
                prop_assert_eq!(parse_amount(&Yen(v).to_unit_string(unit), unit), Ok(Yen(v)));
            }
        }
    }
}
