//! The rules a policy carries besides its code lists: the adjustment fund's evaluation criteria
//! (§3) and the named checks of §4 and §5 with their parameters.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How adjustment-fund proposals are evaluated (§3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundRules {
    /// The policy section.
    pub section: String,
    /// Scores run from 0 to this.
    pub score_max: u8,
    /// Days within which the Cabinet Office reviews an emergency allocation.
    pub emergency_review_days: u32,
    /// Days after the fiscal year ends within which a round's ex-post check (事後評価) is due.
    /// Policies stored before this rule existed read as 180 days.
    #[serde(default = "default_expost_check_days")]
    pub expost_check_days: u32,
    /// The criteria and their weights.
    pub criteria: Vec<Criterion>,
}

fn default_expost_check_days() -> u32 {
    180
}

/// An evaluation criterion and its weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable code.
    pub code: String,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// Its weight (> 0).
    pub weight: u32,
}

/// How evidence is turned into candidate priority areas (§4: 研究者への調査、論文の分析、海外の
/// 動向): which indicators count and by how much, as data HQ can see and change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRules {
    /// The policy section.
    pub section: String,
    /// Publication growth is measured over this many years, ending at the latest year held.
    pub window_years: i64,
    /// A weight is moved up and down by this many points to show how ranks would move.
    pub sensitivity_points: u32,
    /// The country names that mean Japan in publication tables (compared after NFKC, any case).
    pub japan: Vec<String>,
    /// The indicators of the priority index and their weights (divided by their sum).
    pub indicators: Vec<Criterion>,
}

/// A named check of §4 with its parameters (evaluated elsewhere).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Stable code.
    pub code: String,
    /// The policy section.
    pub section: String,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// What is checked, Japanese.
    pub description_ja: String,
    /// What is checked, English.
    pub description_en: String,
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// Parameters.
    #[serde(default)]
    pub params: BTreeMap<String, Param>,
}

/// How serious a failed check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed.
    Error,
    /// Should be looked at.
    Warning,
    /// For information.
    Info,
}

impl Severity {
    /// The stored and printed name: `error`, `warning` or `info`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// The Japanese name: 誤り, 注意 or 参考.
    pub fn name_ja(self) -> &'static str {
        match self {
            Severity::Error => "誤り",
            Severity::Warning => "注意",
            Severity::Info => "参考",
        }
    }
}

/// A check parameter: integers, booleans, text or lists of text only (no floats).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Param {
    /// An integer.
    Int(i64),
    /// A flag.
    Bool(bool),
    /// Text.
    Text(String),
    /// A list of text.
    List(Vec<String>),
}
