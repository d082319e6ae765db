//! Explainable classification: for a line's name and summary, the integrated project, disease
//! areas with shares, development purposes and priority items it most likely belongs to, each
//! with a confidence and the phrases that led to it. Two sources: versioned rules (the policy's
//! keyword lists and `policies/classifier-vN.toml`), and what the lines already classified teach
//! (a naive Bayes model over character bigrams). Nothing is downloaded; it runs on what the
//! binary and the database hold.

mod bayes;
pub mod eval;

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::{Deserialize, Serialize};

use crate::policy::Policy;
use crate::review::matching::match_form;
pub use bayes::NaiveBayes;

/// The rule versions built in, oldest first.
pub const RULES: &[(&str, &str)] = &[("v1", include_str!("../../../../policies/classifier-v1.toml"))];

/// A version of the rules.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// Its version, e.g. `v1`.
    pub version: String,
    /// Below this confidence no project is suggested.
    pub min_confidence: f64,
    /// The learned model's weight against the rules'.
    pub learned_weight: f64,
    /// How sharply matched words separate projects.
    pub sharpness: f64,
    /// Words by project.
    pub projects: BTreeMap<String, Vec<String>>,
    /// Words by development purpose.
    pub purposes: BTreeMap<String, Vec<String>>,
    /// Words by disease area, beyond the policy's.
    pub disease_areas: BTreeMap<String, Vec<String>>,
}

impl RuleSet {
    /// A built-in version (the newest if `None`).
    pub fn builtin(version: Option<&str>) -> Result<RuleSet, String> {
        let (v, text) = match version {
            None => *RULES.last().expect("a built-in rule set"),
            Some(v) => *RULES.iter().find(|(n, _)| *n == v).ok_or_else(|| {
                let known: Vec<&str> = RULES.iter().map(|r| r.0).collect();
                format!(
                    "分類規則 {v} はありません（{}）/ no classification rules {v} ({})",
                    known.join(", "),
                    known.join(", ")
                )
            })?,
        };
        let rules: RuleSet = toml::from_str(text).map_err(|e| format!("classifier-{v}.toml: {e}"))?;
        Ok(rules)
    }
}

/// One suggestion: a code, how sure, its share (disease areas, purposes), and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The code suggested.
    pub code: String,
    /// 0–1.
    pub confidence: f64,
    /// Percent, for shares (summing to 100 over the kind).
    pub share: Option<u8>,
    /// The phrases of the text that led to it.
    pub phrases: Vec<String>,
}

/// Everything suggested for one text.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Suggestions {
    /// The rules' version.
    pub rules: String,
    /// Projects, most likely first (only those above the rules' least confidence).
    pub project: Vec<Suggestion>,
    /// Disease areas with shares.
    pub disease_areas: Vec<Suggestion>,
    /// Development purposes with shares.
    pub purposes: Vec<Suggestion>,
    /// Priority items whose words appear.
    pub priority_items: Vec<Suggestion>,
}

/// A keyword automaton for one kind: each pattern's codes.
struct Matcher {
    ac: Option<AhoCorasick>,
    /// The original keyword and the codes it counts for.
    targets: Vec<(String, Vec<String>)>,
}

impl Matcher {
    fn new(by_code: Vec<(String, Vec<String>)>) -> Matcher {
        let mut index: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
        for (code, words) in by_code {
            for w in words {
                let form = match_form(&w);
                if form.is_empty() {
                    continue;
                }
                let e = index.entry(form).or_insert_with(|| (w.clone(), Vec::new()));
                if !e.1.contains(&code) {
                    e.1.push(code.clone());
                }
            }
        }
        let patterns: Vec<String> = index.keys().cloned().collect();
        let targets = index.into_values().collect();
        let ac = AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&patterns).ok();
        Matcher { ac, targets }
    }

    /// Each code's matched keywords in `text` (in match form), longest match first, not overlapping.
    fn hits(&self, text: &str) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let Some(ac) = &self.ac else { return out };
        for m in ac.find_iter(text) {
            let (word, codes) = &self.targets[m.pattern().as_usize()];
            for c in codes {
                let e = out.entry(c.clone()).or_default();
                if !e.contains(word) {
                    e.push(word.clone());
                }
            }
        }
        out
    }
}

/// A classifier: a year's policy and a rule version, and optionally what classified lines taught.
pub struct Classifier {
    rules: RuleSet,
    projects: Matcher,
    areas: Matcher,
    purposes: Matcher,
    items: Matcher,
    project_codes: Vec<String>,
    learned: Option<NaiveBayes>,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("rules", &self.rules.version)
            .field("learned", &self.learned.is_some())
            .finish()
    }
}

impl Classifier {
    /// Builds the automata for `policy` under `rules`; `examples` are (text, project) of lines
    /// already classified (and suggestions accepted), from which the learned model is made.
    pub fn new(policy: &Policy, rules: RuleSet, examples: &[(String, String)]) -> Classifier {
        let mut project_words: Vec<(String, Vec<String>)> =
            rules.projects.iter().map(|(c, w)| (c.clone(), w.clone())).collect();
        for (owner, item) in policy.priority_items() {
            let project = policy
                .projects
                .iter()
                .find(|p| p.code == owner)
                .map(|p| p.code.clone())
                .or_else(|| policy.areas.iter().find(|a| a.code == owner).and_then(|a| a.related_project.clone()));
            if let Some(p) = project {
                project_words.push((p, item.keywords.clone()));
            }
        }
        let mut area_words: Vec<(String, Vec<String>)> =
            policy.disease_areas.iter().map(|a| (a.code.clone(), a.keywords.clone())).collect();
        area_words.extend(rules.disease_areas.iter().map(|(c, w)| (c.clone(), w.clone())));
        let purpose_words = rules.purposes.iter().map(|(c, w)| (c.clone(), w.clone())).collect();
        let item_words = policy.priority_items().into_iter().map(|(_, i)| (i.id.clone(), i.keywords.clone())).collect();
        let project_codes = policy.projects.iter().map(|p| p.code.clone()).collect();
        let learned = (!examples.is_empty() && rules.learned_weight > 0.0).then(|| NaiveBayes::train(examples));
        Classifier {
            projects: Matcher::new(project_words),
            areas: Matcher::new(area_words),
            purposes: Matcher::new(purpose_words),
            items: Matcher::new(item_words),
            project_codes,
            learned,
            rules,
        }
    }

    /// The rules' version.
    pub fn version(&self) -> &str {
        &self.rules.version
    }

    /// The suggestions for a line's name and summary.
    pub fn suggest(&self, name: &str, summary: &str) -> Suggestions {
        let text = match_form(&format!("{name} {summary}"));
        Suggestions {
            rules: self.rules.version.clone(),
            project: self.project(&text),
            disease_areas: shares(self.areas.hits(&text)),
            purposes: shares(self.purposes.hits(&text)),
            priority_items: self
                .items
                .hits(&text)
                .into_iter()
                .map(|(code, phrases)| Suggestion {
                    code,
                    confidence: (phrases.len() as f64 / 2.0).min(1.0),
                    share: None,
                    phrases,
                })
                .collect(),
        }
    }

    /// Projects ranked: the rules' softmax over matched words, times the learned posterior.
    fn project(&self, text: &str) -> Vec<Suggestion> {
        let hits = self.projects.hits(text);
        let score = |c: &str| hits.get(c).map_or(0.0, |w| w.len() as f64);
        let learned = self.learned.as_ref().map(|m| m.posterior(text));
        let mut logits: Vec<(String, f64)> = self
            .project_codes
            .iter()
            .map(|c| {
                let rules = self.rules.sharpness * score(c);
                let learned = learned
                    .as_ref()
                    .and_then(|p| p.iter().find(|(k, _)| k == c))
                    .map_or(0.0, |(_, lp)| self.rules.learned_weight * lp);
                (c.clone(), rules + learned)
            })
            .collect();
        let top = logits.iter().map(|l| l.1).fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = logits.iter().map(|l| (l.1 - top).exp()).sum();
        for l in &mut logits {
            l.1 = (l.1 - top).exp() / total;
        }
        logits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        logits
            .into_iter()
            .filter(|(_, p)| *p >= self.rules.min_confidence)
            .map(|(code, confidence)| {
                let mut phrases = hits.get(&code).cloned().unwrap_or_default();
                if let Some(m) = &self.learned {
                    phrases.extend(m.evidence(text, &code, 3).into_iter().map(|g| format!("〔学習〕{g}")));
                }
                Suggestion { code, confidence, share: None, phrases }
            })
            .collect()
    }
}

/// Shares over the codes hit, by how many words each matched, apportioned to whole percents
/// summing to 100 (largest remainder).
fn shares(hits: BTreeMap<String, Vec<String>>) -> Vec<Suggestion> {
    let total: usize = hits.values().map(Vec::len).sum();
    if total == 0 {
        return Vec::new();
    }
    let weights: Vec<u64> = hits.values().map(|w| w.len() as u64).collect();
    let parts = crate::apportion::apportion(crate::money::Yen(100), &weights);
    let mut out: Vec<Suggestion> = hits
        .into_iter()
        .zip(parts)
        .map(|((code, phrases), part)| Suggestion {
            confidence: phrases.len() as f64 / total as f64,
            share: Some(u8::try_from(part.get()).unwrap_or(100)),
            code,
            phrases,
        })
        .collect();
    out.sort_by(|a, b| b.share.cmp(&a.share).then(a.code.cmp(&b.code)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier() -> Classifier {
        let policy = Policy::builtin(crate::FiscalYear::try_from(2023).unwrap()).unwrap().unwrap();
        Classifier::new(&policy, RuleSet::builtin(None).unwrap(), &[])
    }

    #[test]
    fn a_text_gets_its_project_with_the_phrases_behind_it() {
        let s = classifier()
            .suggest("ｉＰＳ細胞由来ドパミン神経細胞の移植", "パーキンソン病患者を対象とした再生医療の医師主導治験");
        assert_eq!(s.project[0].code, "REGEN", "{s:?}");
        assert!(s.project[0].phrases.iter().any(|p| p == "iPS" || p == "再生医療"), "{:?}", s.project[0].phrases);
        assert_eq!(s.disease_areas[0].code, "NEURO_PSYCH");
        assert_eq!(s.disease_areas.iter().map(|d| u32::from(d.share.unwrap())).sum::<u32>(), 100);
        assert_eq!(s.rules, "v1");
    }

    #[test]
    fn longest_match_wins_across_projects() {
        // ゲノム編集 is REGEN's word; the GENOME word ゲノム inside it does not count.
        let s = classifier().suggest("ゲノム編集による遺伝子治療", "");
        assert_eq!(s.project[0].code, "REGEN");
        assert!(s.project.iter().all(|p| p.code != "GENOME" || p.phrases.is_empty()));
    }

    #[test]
    fn an_unknown_version_is_refused_and_every_built_in_one_parses() {
        assert!(RuleSet::builtin(Some("v0")).is_err());
        for (v, _) in RULES {
            assert_eq!(RuleSet::builtin(Some(v)).unwrap().version, *v);
        }
    }
}
