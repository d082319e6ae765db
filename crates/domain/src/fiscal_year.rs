//! Japanese fiscal years (April to March), shown in both calendars.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A fiscal year such as FY2023 (令和5年度), which runs from April 2023 to March 2024.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct FiscalYear(u16);

/// The years haibun accepts; anything else is almost certainly a typo.
pub const RANGE: std::ops::RangeInclusive<i64> = 2000..=2100;

/// A fiscal year outside [`RANGE`] or not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("年度は2000〜2100の西暦で指定してください: {0} / fiscal year must be a Western year from 2000 to 2100: {0}")]
pub struct FiscalYearError(pub String);

impl FiscalYear {
    /// The Western-calendar year in which the fiscal year starts.
    pub fn year(self) -> i64 {
        i64::from(self.0)
    }

    /// The Japanese-era label, e.g. `令和5年度` (平成 before 2019).
    pub fn era_label(self) -> String {
        let y = self.year();
        if y >= 2019 {
            let n = y - 2018;
            if n == 1 { "令和元年度".to_string() } else { format!("令和{n}年度") }
        } else {
            format!("平成{}年度", y - 1988)
        }
    }
}

impl TryFrom<i64> for FiscalYear {
    type Error = FiscalYearError;

    fn try_from(y: i64) -> Result<Self, Self::Error> {
        if RANGE.contains(&y) { Ok(Self(y as u16)) } else { Err(FiscalYearError(y.to_string())) }
    }
}

impl From<FiscalYear> for i64 {
    fn from(fy: FiscalYear) -> i64 {
        fy.year()
    }
}

impl FromStr for FiscalYear {
    type Err = FiscalYearError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = crate::text::normalize(s);
        let t = t.trim_start_matches("FY").trim_start_matches("fy");
        t.parse::<i64>().map_err(|_| FiscalYearError(s.to_string())).and_then(Self::try_from)
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FY{} ({})", self.0, self.era_label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fy2023_is_reiwa_5() {
        let fy: FiscalYear = "2023".parse().unwrap();
        assert_eq!(fy.era_label(), "令和5年度");
        assert_eq!(fy.to_string(), "FY2023 (令和5年度)");
        assert_eq!("２０１９".parse::<FiscalYear>().unwrap().era_label(), "令和元年度");
        assert_eq!("2018".parse::<FiscalYear>().unwrap().era_label(), "平成30年度");
    }

    #[test]
    fn years_outside_the_range_are_rejected() {
        assert!("1999".parse::<FiscalYear>().is_err());
        assert!("R5".parse::<FiscalYear>().is_err());
    }
}
