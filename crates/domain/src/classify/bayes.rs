//! The learned half of classification: multinomial naive Bayes over character bigrams of the
//! normalised text, trained on lines already classified. Its evidence for a code is the bigrams
//! of the text that most favour that code.

use std::collections::{BTreeMap, HashMap};

use crate::review::matching::match_form;

/// A character bigram.
type Bigram = (char, char);
/// Bigram counts and their total.
type Counts = (HashMap<Bigram, u32>, u64);

/// Bigram counts by code.
#[derive(Debug, Clone)]
pub struct NaiveBayes {
    codes: Vec<String>,
    /// log P(code).
    prior: Vec<f64>,
    /// Per code: bigram → count, and the total.
    counts: Vec<Counts>,
    vocabulary: usize,
}

fn bigrams(text: &str) -> Vec<(char, char)> {
    let cs: Vec<char> = text.chars().collect();
    cs.windows(2).map(|w| (w[0], w[1])).collect()
}

impl NaiveBayes {
    /// Trains on (text, code) examples; the texts are normalised here.
    pub fn train(examples: &[(String, String)]) -> NaiveBayes {
        let mut by: BTreeMap<&str, (HashMap<Bigram, u32>, u64, u64)> = BTreeMap::new();
        let mut vocabulary: std::collections::HashSet<(char, char)> = std::collections::HashSet::new();
        for (text, code) in examples {
            let e = by.entry(code.as_str()).or_default();
            e.2 += 1;
            for g in bigrams(&match_form(text)) {
                *e.0.entry(g).or_default() += 1;
                e.1 += 1;
                vocabulary.insert(g);
            }
        }
        let n: u64 = by.values().map(|e| e.2).sum();
        NaiveBayes {
            codes: by.keys().map(|c| c.to_string()).collect(),
            prior: by.values().map(|e| (e.2 as f64 / n as f64).ln()).collect(),
            counts: by.into_values().map(|e| (e.0, e.1)).collect(),
            vocabulary: vocabulary.len().max(1),
        }
    }

    fn log_likelihood(&self, k: usize, g: &(char, char)) -> f64 {
        let (counts, total) = &self.counts[k];
        ((f64::from(counts.get(g).copied().unwrap_or(0)) + 1.0) / (*total as f64 + self.vocabulary as f64)).ln()
    }

    /// Each code's log-posterior for `text` (in match form), normalised so the best is 0 and the
    /// scale is per bigram (so long texts are not overconfident).
    pub fn posterior(&self, text: &str) -> Vec<(String, f64)> {
        let gs = bigrams(text);
        let n = gs.len().max(1) as f64;
        let scores: Vec<f64> = (0..self.codes.len())
            .map(|k| self.prior[k] / n + gs.iter().map(|g| self.log_likelihood(k, g)).sum::<f64>() / n)
            .collect();
        let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // Per-bigram log-odds, scaled back to a text of ~30 bigrams' worth of evidence.
        self.codes.iter().cloned().zip(scores.into_iter().map(|s| (s - top) * 30.0)).collect()
    }

    /// The bigrams of `text` that most favour `code` over the others, at most `n`.
    pub fn evidence(&self, text: &str, code: &str, n: usize) -> Vec<String> {
        let Some(k) = self.codes.iter().position(|c| c == code) else { return Vec::new() };
        let mut scored: Vec<(f64, String)> = bigrams(text)
            .into_iter()
            .map(|g| {
                let mine = self.log_likelihood(k, &g);
                let others = (0..self.codes.len())
                    .filter(|j| *j != k)
                    .map(|j| self.log_likelihood(j, &g))
                    .fold(f64::NEG_INFINITY, f64::max);
                (mine - others, format!("{}{}", g.0, g.1))
            })
            .filter(|(s, _)| *s > 0.0)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.dedup_by(|a, b| a.1 == b.1);
        scored.into_iter().take(n).map(|s| s.1).collect()
    }
}
