//! Measuring the classifier on a labelled set (`eval/classification.tsv`): top-1 accuracy for
//! the project and micro-F1 for the disease areas, by the rules alone and with the learned model
//! trained on the other folds (k-fold cross-validation, so no text is judged by a model that saw it).

use serde::Serialize;

use super::{Classifier, RuleSet};
use crate::policy::Policy;

/// A labelled text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    /// Its id.
    pub id: String,
    /// 事業名.
    pub name: String,
    /// 事業概要.
    pub summary: String,
    /// The project.
    pub project: String,
    /// The disease areas' codes (shares not scored).
    pub disease_areas: Vec<String>,
}

/// Reads the tab-separated set (a header line, then id, name, summary, project, disease areas as
/// `CODE:percent;…`, purposes).
pub fn parse(tsv: &str) -> Result<Vec<Labelled>, String> {
    tsv.lines()
        .skip(1)
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() < 5 {
                return Err(format!("row {}: {} fields, expected 6", i + 2, f.len()));
            }
            Ok(Labelled {
                id: f[0].into(),
                name: f[1].into(),
                summary: f[2].into(),
                project: f[3].into(),
                disease_areas: f[4]
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.split(':').next().unwrap_or(s).to_string())
                    .collect(),
            })
        })
        .collect()
}

/// The figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Accuracy {
    /// Texts scored.
    pub n: usize,
    /// Share of texts whose first suggested project is the label.
    pub project_top1: f64,
    /// Micro-averaged F1 of the disease-area sets.
    pub disease_micro_f1: f64,
}

/// Scores `set` with the rules alone (`folds` = 0) or, with `folds` ≥ 2, with the learned model
/// trained on the other folds (rows assigned to folds round-robin).
pub fn evaluate(policy: &Policy, rules: &RuleSet, set: &[Labelled], folds: usize) -> Accuracy {
    let (mut right, mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize, 0usize);
    let mut score = |c: &Classifier, rows: &mut dyn Iterator<Item = &Labelled>| {
        for r in rows {
            let s = c.suggest(&r.name, &r.summary);
            if s.project.first().is_some_and(|p| p.code == r.project) {
                right += 1;
            }
            let predicted: Vec<&str> = s.disease_areas.iter().map(|d| d.code.as_str()).collect();
            tp += predicted.iter().filter(|p| r.disease_areas.iter().any(|g| g == *p)).count();
            fp += predicted.iter().filter(|p| !r.disease_areas.iter().any(|g| g == *p)).count();
            fn_ += r.disease_areas.iter().filter(|g| !predicted.contains(&g.as_str())).count();
        }
    };
    if folds < 2 {
        let c = Classifier::new(policy, rules.clone(), &[]);
        score(&c, &mut set.iter());
    } else {
        for k in 0..folds {
            let train: Vec<(String, String)> = set
                .iter()
                .enumerate()
                .filter(|(i, _)| i % folds != k)
                .map(|(_, r)| (format!("{} {}", r.name, r.summary), r.project.clone()))
                .collect();
            let c = Classifier::new(policy, rules.clone(), &train);
            score(&c, &mut set.iter().enumerate().filter(|(i, _)| i % folds == k).map(|(_, r)| r));
        }
    }
    let f1 = if tp == 0 { 0.0 } else { 2.0 * tp as f64 / (2.0 * tp as f64 + fp as f64 + fn_ as f64) };
    Accuracy { n: set.len(), project_top1: right as f64 / set.len().max(1) as f64, disease_micro_f1: f1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SET: &str = include_str!("../../../../eval/classification.tsv");
    const RECORDED: &str = include_str!("../../../../eval/accuracy.json");

    fn recorded(key: &str) -> f64 {
        let v: serde_json::Value = serde_json::from_str(RECORDED).expect("eval/accuracy.json");
        v[key].as_f64().unwrap_or_else(|| panic!("{key} in eval/accuracy.json"))
    }

    #[test]
    fn accuracy_does_not_fall_below_the_recorded_figures() {
        let policy = Policy::builtin(crate::FiscalYear::try_from(2023).unwrap()).unwrap().unwrap();
        let rules = RuleSet::builtin(None).unwrap();
        let set = parse(SET).unwrap();
        assert!(set.len() >= 300, "{} labelled texts", set.len());
        let alone = evaluate(&policy, &rules, &set, 0);
        let learned = evaluate(&policy, &rules, &set, 5);
        eprintln!("rules alone: {alone:?}; with the learned model (5-fold): {learned:?}");
        for (got, key) in [
            (alone.project_top1, "rules_project_top1"),
            (alone.disease_micro_f1, "rules_disease_micro_f1"),
            (learned.project_top1, "learned_project_top1"),
            (learned.disease_micro_f1, "learned_disease_micro_f1"),
        ] {
            assert!(got >= recorded(key) - 0.02, "{key}: {got:.3} against the recorded {:.3}", recorded(key));
        }
    }

    #[test]
    fn every_label_is_a_code_of_the_policy() {
        let policy = Policy::builtin(crate::FiscalYear::try_from(2023).unwrap()).unwrap().unwrap();
        for r in parse(SET).unwrap() {
            assert!(policy.projects.iter().any(|p| p.code == r.project), "{}: {}", r.id, r.project);
            for a in &r.disease_areas {
                assert!(policy.disease_areas.iter().any(|d| d.code == *a), "{}: {a}", r.id);
            }
        }
    }
}
