//! Amounts and years as people read them.

use haibun_domain::Yen;
use haibun_domain::money::group_thousands;

/// The unit a user chose to read amounts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowUnit {
    /// 千円
    Thousand,
    /// 百万円
    Million,
    /// 億円
    Oku,
}

impl ShowUnit {
    /// From the cookie value.
    pub fn parse(s: &str) -> Option<ShowUnit> {
        match s {
            "thousand" => Some(ShowUnit::Thousand),
            "million" => Some(ShowUnit::Million),
            "oku" => Some(ShowUnit::Oku),
            _ => None,
        }
    }

    /// The label.
    pub fn label(self) -> &'static str {
        match self {
            ShowUnit::Thousand => "千円",
            ShowUnit::Million => "百万円",
            ShowUnit::Oku => "億円",
        }
    }

    fn divisor(self) -> i128 {
        match self {
            ShowUnit::Thousand => 1_000,
            ShowUnit::Million => 1_000_000,
            ShowUnit::Oku => 100_000_000,
        }
    }

    /// The amount in this unit, rounded half up, grouped by thousands (display only).
    pub fn show(self, y: Yen) -> String {
        let d = self.divisor();
        let v = i128::from(y.get());
        let q = (v.abs() + d / 2) / d;
        group_thousands((if v < 0 { -q } else { q }) as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_rounded_half_up_in_the_chosen_unit() {
        assert_eq!(ShowUnit::Thousand.show(Yen(1_234_500)), "1,235");
        assert_eq!(ShowUnit::Million.show(Yen(1_234_500)), "1");
        assert_eq!(ShowUnit::Oku.show(Yen(150_000_000)), "2");
    }
}
