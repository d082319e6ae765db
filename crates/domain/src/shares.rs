//! Shares of a line across disease areas or development purposes, in whole percents summing to 100.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::policy::{Kind, Policy};
use crate::problem::ProblemCode;

/// `CODE:percent` pairs, codes distinct, percents whole and summing to exactly 100.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shares(Vec<(String, u8)>);

/// Why a share list was refused: a code and the message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharesError {
    /// The stable code.
    pub code: ProblemCode,
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

fn err(code: ProblemCode, ja: String, en: String) -> SharesError {
    SharesError { code, ja, en }
}

impl Shares {
    /// The pairs, in the order given.
    pub fn pairs(&self) -> &[(String, u8)] {
        &self.0
    }

    /// Builds shares from already-resolved codes, checking the invariants.
    pub fn new(pairs: Vec<(String, u8)>) -> Result<Shares, SharesError> {
        let mut seen = std::collections::HashSet::new();
        for (code, pct) in &pairs {
            if !seen.insert(code.as_str()) {
                return Err(err(
                    ProblemCode::BadShares,
                    format!("{code} が二度書かれています"),
                    format!("{code} appears twice"),
                ));
            }
            if *pct == 0 {
                return Err(err(
                    ProblemCode::BadShares,
                    format!("{code} の割合が0です"),
                    format!("the share of {code} is 0"),
                ));
            }
        }
        let total: u32 = pairs.iter().map(|(_, p)| u32::from(*p)).sum();
        if total != 100 {
            return Err(err(
                ProblemCode::BadShares,
                format!("割合の合計が{total}%です（100%にしてください）"),
                format!("shares sum to {total}%, not 100%"),
            ));
        }
        Ok(Shares(pairs))
    }

    /// Parses what a person typed, e.g. `がん:60;難病:40`, `CANCER:60, INTRACTABLE:40`, or a single
    /// `がん` (meaning 100%). Codes or any label of `kind` in `policy` are accepted.
    pub fn parse(raw: &str, kind: Kind, policy: &Policy) -> Result<Shares, SharesError> {
        let t = crate::text::normalize(raw);
        let parts: Vec<&str> = t.split([';', ',', '、', '\n']).map(str::trim).filter(|s| !s.is_empty()).collect();
        let (list_ja, list_en) = kind.names();
        let mut pairs = Vec::with_capacity(parts.len());
        for part in &parts {
            let (name, pct) = match part.rsplit_once(':') {
                Some((n, p)) => (n.trim(), Some(p.trim().trim_end_matches('%').trim())),
                None if parts.len() == 1 => (part.trim_end_matches("100%").trim(), None),
                None => {
                    return Err(err(
                        ProblemCode::BadShares,
                        format!("「{part}」に割合がありません（例: がん:60;難病:40）"),
                        format!("\"{part}\" has no percent (e.g. CANCER:60;INTRACTABLE:40)"),
                    ));
                }
            };
            let code = policy.resolve(kind, name).ok_or_else(|| {
                let valid = policy.codes(kind).join(", ");
                err(
                    ProblemCode::UnknownCode,
                    format!("{list_ja}「{name}」は方針にありません（有効: {valid}）"),
                    format!("unknown {list_en} \"{name}\" (valid: {valid})"),
                )
            })?;
            let pct = match pct {
                None => 100,
                Some(p) => p.parse::<u8>().ok().filter(|v| *v <= 100).ok_or_else(|| {
                    err(
                        ProblemCode::BadShares,
                        format!("{name} の割合「{p}」は0〜100の整数ではありません"),
                        format!("the share \"{p}\" of {name} is not a whole percent from 0 to 100"),
                    )
                })?,
            };
            pairs.push((code, pct));
        }
        if pairs.is_empty() {
            return Err(err(ProblemCode::BadShares, "割合がありません".into(), "no shares given".into()));
        }
        Shares::new(pairs)
    }

    /// The canonical stored form, `CODE:60;CODE:40`.
    pub fn to_code_string(&self) -> String {
        self.0.iter().map(|(c, p)| format!("{c}:{p}")).collect::<Vec<_>>().join(";")
    }

    /// The form written to sheets, with Japanese labels: `がん:60;難病:40`.
    pub fn to_label_string(&self, kind: Kind, policy: &Policy) -> String {
        self.0.iter().map(|(c, p)| format!("{}:{p}", policy.label_ja(kind, c))).collect::<Vec<_>>().join(";")
    }

    /// Parses the canonical stored form without a policy (codes are trusted: they were checked on the way in).
    pub fn from_code_string(s: &str) -> Result<Shares, SharesError> {
        let mut pairs = Vec::new();
        for part in s.split(';').filter(|p| !p.is_empty()) {
            let (c, p) = part.split_once(':').ok_or_else(|| {
                err(ProblemCode::BadShares, format!("不正な割合: {part}"), format!("malformed share: {part}"))
            })?;
            let p = p.parse().map_err(|_| {
                err(ProblemCode::BadShares, format!("不正な割合: {part}"), format!("malformed share: {part}"))
            })?;
            pairs.push((c.to_string(), p));
        }
        Shares::new(pairs)
    }
}

impl fmt::Display for Shares {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_code_string())
    }
}

impl Serialize for Shares {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_code_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FiscalYear;

    fn policy() -> Policy {
        Policy::builtin(FiscalYear::try_from(2023).unwrap()).unwrap().unwrap()
    }

    #[test]
    fn labels_and_codes_parse_to_the_same_shares() {
        let p = policy();
        let a = Shares::parse("がん:60;難病:40", Kind::DiseaseArea, &p).unwrap();
        let b = Shares::parse("CANCER:60, INTRACTABLE:40", Kind::DiseaseArea, &p).unwrap();
        let c = Shares::parse("がん：６０％；難病：４０％", Kind::DiseaseArea, &p).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.to_code_string(), "CANCER:60;INTRACTABLE:40");
        assert_eq!(a.to_label_string(Kind::DiseaseArea, &p), "がん:60;難病:40");
    }

    #[test]
    fn a_single_area_without_percent_means_all_of_it() {
        let s = Shares::parse("治療", Kind::Purpose, &policy()).unwrap();
        assert_eq!(s.to_code_string(), "TREATMENT:100");
    }

    #[test]
    fn shares_that_do_not_sum_to_100_are_rejected() {
        let e = Shares::parse("がん:60;難病:30", Kind::DiseaseArea, &policy()).unwrap_err();
        assert_eq!(e.code, ProblemCode::BadShares);
        assert!(e.en.contains("sum to 90%"));
    }

    #[test]
    fn unknown_codes_and_bad_percents_are_rejected() {
        let p = policy();
        assert_eq!(Shares::parse("骨折:100", Kind::DiseaseArea, &p).unwrap_err().code, ProblemCode::UnknownCode);
        assert_eq!(
            Shares::parse("がん:50.5;難病:49.5", Kind::DiseaseArea, &p).unwrap_err().code,
            ProblemCode::BadShares
        );
        assert_eq!(Shares::parse("がん:60;がん:40", Kind::DiseaseArea, &p).unwrap_err().code, ProblemCode::BadShares);
        assert_eq!(Shares::parse("がん;難病", Kind::DiseaseArea, &p).unwrap_err().code, ProblemCode::BadShares);
        assert_eq!(Shares::parse("がん:300", Kind::DiseaseArea, &p).unwrap_err().code, ProblemCode::BadShares);
    }
}
