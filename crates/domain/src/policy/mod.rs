//! The year's resource allocation policy (資源配分方針) as data, loaded from TOML and validated.

mod rules;

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

pub use rules::{Check, Criterion, EvidenceRules, FundRules, Param, Severity};

use crate::fiscal_year::FiscalYear;
use crate::problem::{Location, Problem, ProblemCode};
use crate::text::fold;

/// The policies built into the binary: (fiscal year, file name, TOML text).
pub const BUILTIN: &[(i64, &str, &str)] =
    &[(2023, "policies/fy2023.toml", include_str!("../../../../policies/fy2023.toml"))];

/// The built-in policy text for a fiscal year, with its file name.
pub fn builtin_source(fy: FiscalYear) -> Option<(&'static str, &'static str)> {
    BUILTIN.iter().find(|(y, _, _)| *y == fy.year()).map(|&(_, f, t)| (f, t))
}

/// A year's policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The layout of this file; 1 for now.
    pub schema_version: i64,
    /// The fiscal year the policy is for.
    pub fiscal_year: FiscalYear,
    /// The policy's title in Japanese.
    pub name_ja: String,
    /// The policy's title in English.
    pub name_en: String,
    /// The Japanese-era year label.
    pub era_ja: String,
    /// Who decided it, in Japanese.
    pub decided_by_ja: String,
    /// Who decided it, in English.
    pub decided_by_en: String,
    /// The statute under which it is decided.
    pub legal_basis_ja: String,
    /// The document the data was written from.
    pub source: String,
    /// The six integrated projects (統合プロジェクト).
    pub projects: Vec<Project>,
    /// Priorities outside or across the six projects (§5 head, §5(2), §5(3)).
    pub areas: Vec<Area>,
    /// Disease areas (疾患領域).
    pub disease_areas: Vec<Category>,
    /// Development purposes (開発目的).
    pub purposes: Vec<Category>,
    /// Budget channels (区分).
    pub channels: Vec<Channel>,
    /// Ministries (府省).
    pub ministries: Vec<Ministry>,
    /// The named checks of §4, as data.
    pub checks: Vec<Check>,
    /// The adjustment fund's rules (§3), if the policy sets them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment_fund: Option<FundRules>,
    /// How evidence ranks candidate priority areas (§4), if the policy sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceRules>,
}

/// An integrated project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Stable code, e.g. `PHARMA`.
    pub code: String,
    /// ① … ⑥ as a number.
    pub number: i64,
    /// ① … ⑥.
    pub symbol: String,
    /// Full Japanese name.
    pub name_ja: String,
    /// Short Japanese label used in sheets.
    pub short_ja: String,
    /// Full English name.
    pub name_en: String,
    /// Short English label.
    pub short_en: String,
    /// The project's aim, Japanese.
    pub aim_ja: String,
    /// The project's aim, English.
    pub aim_en: String,
    /// The policy section.
    pub section: String,
    /// This year's priority items.
    pub priority_items: Vec<PriorityItem>,
}

/// One priority item of the year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityItem {
    /// Stable id, e.g. `PHARMA-01`.
    pub id: String,
    /// The item in Japanese.
    pub text_ja: String,
    /// The item in English.
    pub text_en: String,
    /// Terms a request about this item would contain.
    pub keywords: Vec<String>,
}

/// A priority outside or across the projects: the cross-cutting priority, moonshot-type R&D and funds, in-house R&D.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Stable code, e.g. `MOONSHOT`.
    pub code: String,
    /// The policy section.
    pub section: String,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// The policy's words, Japanese.
    pub text_ja: String,
    /// The policy's words, English.
    pub text_en: String,
    /// The project it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_project: Option<String>,
    /// The channels typically used.
    pub channels: Vec<String>,
    /// Its items.
    pub priority_items: Vec<PriorityItem>,
}

/// A coded category: a disease area or a development purpose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Stable code.
    pub code: String,
    /// Japanese label.
    pub name_ja: String,
    /// English label.
    pub name_en: String,
    /// Other spellings accepted in cells.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Terms that suggest it in free text.
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// A budget channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// Stable code, e.g. `AMED`.
    pub code: String,
    /// Japanese label.
    pub name_ja: String,
    /// English label.
    pub name_en: String,
    /// Other spellings accepted in cells.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Whether a line in this channel must name an integrated project.
    pub requires_project: bool,
}

/// A ministry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ministry {
    /// Stable code, e.g. `MEXT`.
    pub code: String,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// Short Japanese name.
    pub short_ja: String,
    /// Other spellings accepted.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// Which coded list a value belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Integrated project.
    Project,
    /// Budget channel.
    Channel,
    /// Disease area.
    DiseaseArea,
    /// Development purpose.
    Purpose,
    /// Ministry.
    Ministry,
}

impl Kind {
    /// Japanese and English names of the list, for messages.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Kind::Project => ("統合プロジェクト", "integrated project"),
            Kind::Channel => ("区分", "budget channel"),
            Kind::DiseaseArea => ("疾患領域", "disease area"),
            Kind::Purpose => ("開発目的", "development purpose"),
            Kind::Ministry => ("府省", "ministry"),
        }
    }
}

/// One entry of a coded list, as offered to users: code and labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Stable code.
    pub code: &'a str,
    /// The Japanese label shown in sheets.
    pub label_ja: &'a str,
    /// The English label.
    pub label_en: &'a str,
    accepted: Vec<&'a str>,
}

impl Policy {
    /// Parses and validates a policy; every problem is reported, each naming the key and file.
    pub fn from_toml(text: &str, file: &str) -> Result<Policy, Vec<Problem>> {
        let policy: Policy = toml::from_str(text).map_err(|e| {
            vec![Problem::new(
                ProblemCode::InvalidPolicy,
                Location::file(file),
                format!("方針ファイルを読めません: {}", e.message()),
                format!("cannot read the policy file: {e}"),
            )]
        })?;
        let problems = policy.validate(file);
        if problems.is_empty() { Ok(policy) } else { Err(problems) }
    }

    /// The built-in policy of a fiscal year, if there is one.
    pub fn builtin(fy: FiscalYear) -> Option<Result<Policy, Vec<Problem>>> {
        builtin_source(fy).map(|(file, text)| Policy::from_toml(text, file))
    }

    fn validate(&self, file: &str) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut bad = |key: String, ja: String, en: String| {
            problems.push(Problem::new(
                ProblemCode::InvalidPolicy,
                Location { file: Some(file.to_string()), field: Some(key), ..Location::default() },
                ja,
                en,
            ));
        };
        if self.schema_version != 1 {
            bad(
                "schema_version".into(),
                format!("未対応の schema_version です: {}", self.schema_version),
                format!("unsupported schema_version: {}", self.schema_version),
            );
        }
        let lists: [(&str, Vec<&str>); 7] = [
            ("projects", self.projects.iter().map(|p| p.code.as_str()).collect()),
            ("areas", self.areas.iter().map(|a| a.code.as_str()).collect()),
            ("disease_areas", self.disease_areas.iter().map(|c| c.code.as_str()).collect()),
            ("purposes", self.purposes.iter().map(|c| c.code.as_str()).collect()),
            ("channels", self.channels.iter().map(|c| c.code.as_str()).collect()),
            ("ministries", self.ministries.iter().map(|m| m.code.as_str()).collect()),
            ("checks", self.checks.iter().map(|c| c.code.as_str()).collect()),
        ];
        for (key, codes) in &lists {
            if codes.is_empty() && *key != "areas" && *key != "checks" {
                bad(key.to_string(), format!("{key} が空です"), format!("{key} is empty"));
            }
            let mut seen = HashSet::new();
            for code in codes {
                if !is_code(code) {
                    bad(
                        format!("{key}.code = \"{code}\""),
                        format!("コードは英大文字・数字・_ で書いてください: {code}"),
                        format!("a code must be upper-case ASCII letters, digits and _: {code}"),
                    );
                }
                if !seen.insert(*code) {
                    bad(
                        format!("{key}.code = \"{code}\""),
                        format!("コードが重複しています: {code}"),
                        format!("duplicate code: {code}"),
                    );
                }
                if matches!(*code, "NONE" | "UNASSIGNED") {
                    bad(
                        format!("{key}.code = \"{code}\""),
                        format!("{code} は集計用に予約されたコードです"),
                        format!("{code} is reserved for compilation"),
                    );
                }
            }
        }
        if let Some(f) = &self.adjustment_fund {
            let mut seen = HashSet::new();
            for c in &f.criteria {
                if !is_code(&c.code) || !seen.insert(c.code.as_str()) || c.weight == 0 {
                    bad(
                        format!("adjustment_fund.criteria.code = \"{}\"", c.code),
                        format!("評価項目のコードが不正・重複、または重みが0です: {}", c.code),
                        format!("a criterion's code is malformed or repeated, or its weight is 0: {}", c.code),
                    );
                }
            }
            if f.criteria.is_empty() || f.score_max == 0 {
                bad(
                    "adjustment_fund".into(),
                    "評価項目と満点（score_max > 0）が必要です".into(),
                    "criteria and a score_max above 0 are required".into(),
                );
            }
        }
        if let Some(e) = &self.evidence {
            for (ja, en) in crate::evidence::rules_problems(e) {
                bad("evidence".into(), ja, en);
            }
        }
        let mut item_ids = HashSet::new();
        let items = self
            .projects
            .iter()
            .flat_map(|p| &p.priority_items)
            .chain(self.areas.iter().flat_map(|a| &a.priority_items));
        for item in items {
            if !item_ids.insert(item.id.as_str()) {
                bad(
                    format!("priority_items.id = \"{}\"", item.id),
                    format!("重点項目の id が重複しています: {}", item.id),
                    format!("duplicate priority item id: {}", item.id),
                );
            }
            if item.keywords.iter().all(|k| k.trim().is_empty()) {
                bad(
                    format!("priority_items.id = \"{}\"", item.id),
                    format!("重点項目 {} にキーワードがありません", item.id),
                    format!("priority item {} has no keywords", item.id),
                );
            }
        }
        let project_codes: HashSet<&str> = self.projects.iter().map(|p| p.code.as_str()).collect();
        let channel_codes: HashSet<&str> = self.channels.iter().map(|c| c.code.as_str()).collect();
        for area in &self.areas {
            if let Some(p) = &area.related_project
                && !project_codes.contains(p.as_str())
            {
                bad(
                    format!("areas.{}.related_project", area.code),
                    format!("未定義の統合プロジェクトです: {p}"),
                    format!("unknown integrated project: {p}"),
                );
            }
            for ch in &area.channels {
                if !channel_codes.contains(ch.as_str()) {
                    bad(
                        format!("areas.{}.channels", area.code),
                        format!("未定義の区分です: {ch}"),
                        format!("unknown budget channel: {ch}"),
                    );
                }
            }
        }
        // Labels must resolve to one code each, or a cell could mean two things.
        for kind in [Kind::Project, Kind::Channel, Kind::DiseaseArea, Kind::Purpose, Kind::Ministry] {
            let mut owner: BTreeMap<String, &str> = BTreeMap::new();
            for e in self.entries(kind) {
                for a in &e.accepted {
                    let key = fold(a);
                    if let Some(prev) = owner.insert(key.clone(), e.code)
                        && prev != e.code
                    {
                        bad(
                            format!("{}.aliases", kind.names().1),
                            format!("「{a}」が {prev} と {} の両方を指します", e.code),
                            format!("\"{a}\" names both {prev} and {}", e.code),
                        );
                    }
                }
            }
        }
        problems
    }

    /// The entries of a coded list, in the policy's order.
    pub fn entries(&self, kind: Kind) -> Vec<Entry<'_>> {
        fn entry<'a>(code: &'a str, ja: &'a str, en: &'a str, more: impl IntoIterator<Item = &'a str>) -> Entry<'a> {
            let mut accepted = vec![code, ja, en];
            accepted.extend(more);
            Entry { code, label_ja: ja, label_en: en, accepted }
        }
        match kind {
            Kind::Project => self
                .projects
                .iter()
                .map(|p| {
                    entry(
                        &p.code,
                        &p.short_ja,
                        &p.short_en,
                        [p.name_ja.as_str(), p.name_en.as_str(), p.symbol.as_str()],
                    )
                })
                .collect(),
            Kind::Channel => self
                .channels
                .iter()
                .map(|c| entry(&c.code, &c.name_ja, &c.name_en, c.aliases.iter().map(String::as_str)))
                .collect(),
            Kind::DiseaseArea => self
                .disease_areas
                .iter()
                .map(|c| entry(&c.code, &c.name_ja, &c.name_en, c.aliases.iter().map(String::as_str)))
                .collect(),
            Kind::Purpose => self
                .purposes
                .iter()
                .map(|c| entry(&c.code, &c.name_ja, &c.name_en, c.aliases.iter().map(String::as_str)))
                .collect(),
            Kind::Ministry => self
                .ministries
                .iter()
                .map(|m| {
                    entry(
                        &m.code,
                        &m.name_ja,
                        &m.name_en,
                        std::iter::once(m.short_ja.as_str()).chain(m.aliases.iter().map(String::as_str)),
                    )
                })
                .collect(),
        }
    }

    /// Resolves a code or any accepted label (NFKC, case-insensitive) to the code.
    pub fn resolve(&self, kind: Kind, text: &str) -> Option<String> {
        let entries = self.entries(kind);
        // Most cells hold a code or label exactly as the policy spells it: found without folding
        // every label (an import resolves several cells of every line).
        if let Some(e) = entries.iter().find(|e| e.accepted.contains(&text)) {
            return Some(e.code.to_string());
        }
        let key = fold(text);
        entries.into_iter().find(|e| e.accepted.iter().any(|a| fold(a) == key)).map(|e| e.code.to_string())
    }

    /// The priority item (§5) with this id, ignoring width and case.
    pub fn priority_item(&self, id: &str) -> Option<&PriorityItem> {
        let id = crate::text::fold(id);
        self.priority_items().into_iter().map(|(_, item)| item).find(|item| crate::text::fold(&item.id) == id)
    }

    /// Every priority item with the code of the project or area it belongs to.
    pub fn priority_items(&self) -> Vec<(&str, &PriorityItem)> {
        self.projects
            .iter()
            .flat_map(|p| p.priority_items.iter().map(move |i| (p.code.as_str(), i)))
            .chain(self.areas.iter().flat_map(|a| a.priority_items.iter().map(move |i| (a.code.as_str(), i))))
            .collect()
    }

    /// The Japanese label of a code, or the code itself if unknown.
    pub fn label_ja<'a>(&'a self, kind: Kind, code: &'a str) -> &'a str {
        self.entries(kind).into_iter().find(|e| e.code == code).map_or(code, |e| e.label_ja)
    }

    /// The codes of a list, in the policy's order.
    pub fn codes(&self, kind: Kind) -> Vec<&str> {
        self.entries(kind).into_iter().map(|e| e.code).collect()
    }

    /// Whether lines in this channel must name an integrated project.
    pub fn channel_requires_project(&self, channel: &str) -> bool {
        self.channels.iter().any(|c| c.code == channel && c.requires_project)
    }
}

fn is_code(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fy2023() -> Policy {
        Policy::builtin(FiscalYear::try_from(2023).unwrap()).unwrap().unwrap()
    }

    #[test]
    fn the_builtin_fy2023_policy_loads_with_the_required_codes() {
        let p = fy2023();
        assert_eq!(p.codes(Kind::Project), ["PHARMA", "DEVICE", "REGEN", "GENOME", "DISEASE", "SEEDS"]);
        assert_eq!(
            p.codes(Kind::DiseaseArea),
            ["CANCER", "LIFESTYLE", "NEURO_PSYCH", "AGING_DEMENTIA", "INTRACTABLE", "CHILD_MATERNAL", "INFECTIOUS"]
        );
        assert_eq!(p.codes(Kind::Purpose), ["PREVENTION", "DIAGNOSIS", "TREATMENT", "PROGNOSIS_QOL"]);
        assert_eq!(p.codes(Kind::Channel), ["AMED", "INHOUSE", "FUND", "INVESTMENT", "OTHER"]);
        for m in ["CAO", "MIC", "MEXT", "MHLW", "METI"] {
            assert!(p.codes(Kind::Ministry).contains(&m), "{m}");
        }
        for code in ["REGEN_STRONG", "MOONSHOT", "INHOUSE"] {
            assert!(p.areas.iter().any(|a| a.code == code), "{code}");
        }
        assert!(p.projects.iter().all(|pr| pr.priority_items.len() >= 4));
        assert!(!p.checks.is_empty());
    }

    #[test]
    fn labels_and_codes_resolve_to_codes() {
        let p = fy2023();
        assert_eq!(p.resolve(Kind::DiseaseArea, "がん").as_deref(), Some("CANCER"));
        assert_eq!(p.resolve(Kind::DiseaseArea, "cancer").as_deref(), Some("CANCER"));
        assert_eq!(p.resolve(Kind::Channel, "ＡＭＥＤ").as_deref(), Some("AMED"));
        assert_eq!(p.resolve(Kind::Project, "医薬品").as_deref(), Some("PHARMA"));
        assert_eq!(p.resolve(Kind::Ministry, "文科省").as_deref(), Some("MEXT"));
        assert_eq!(p.resolve(Kind::DiseaseArea, "骨折"), None);
    }

    #[test]
    fn a_duplicate_code_is_reported_with_key_and_file() {
        let (_, text) = builtin_source(FiscalYear::try_from(2023).unwrap()).unwrap();
        let doubled = text.replacen("code = \"DEVICE\"", "code = \"PHARMA\"", 1);
        let problems = Policy::from_toml(&doubled, "broken.toml").unwrap_err();
        assert!(
            problems.iter().any(|p| p.location.file.as_deref() == Some("broken.toml")
                && p.message_en.contains("duplicate code: PHARMA")),
            "{problems:?}"
        );
    }

    #[test]
    fn an_unknown_key_is_reported_with_the_file() {
        let (_, text) = builtin_source(FiscalYear::try_from(2023).unwrap()).unwrap();
        let extra = text.replacen("schema_version = 1", "schema_version = 1\nsurprise = true", 1);
        let problems = Policy::from_toml(&extra, "extra.toml").unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message_en.contains("surprise"), "{problems:?}");
        assert_eq!(problems[0].location.file.as_deref(), Some("extra.toml"));
    }

    #[test]
    fn an_unknown_reference_is_reported() {
        let (_, text) = builtin_source(FiscalYear::try_from(2023).unwrap()).unwrap();
        let broken = text.replacen("related_project = \"REGEN\"", "related_project = \"NOPE\"", 1);
        let problems = Policy::from_toml(&broken, "x.toml").unwrap_err();
        assert!(problems.iter().any(|p| p.message_en.contains("unknown integrated project: NOPE")), "{problems:?}");
    }
}
