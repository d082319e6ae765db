//! Classification suggestions as table rows, each with its accept / reject form: the same on a
//! line's page and in the import preview.

use haibun_domain::classify::{Suggestion, Suggestions};

/// One suggestion to accept or reject.
pub(crate) struct SuggestionRow {
    /// The kind posted back: `project`, `disease_areas`, `purposes` or `priority_item`.
    pub kind: &'static str,
    /// The kind's label (Japanese, English).
    pub label: (&'static str, &'static str),
    /// The value posted back: a code, or a share list (`CODE:60;CODE:40`).
    pub code: String,
    /// How sure, for a single code.
    pub confidence: Option<f64>,
    /// The phrases that led to it.
    pub phrases: Vec<String>,
}

impl SuggestionRow {
    /// What is shown: the code, or the shares with spaces between.
    pub fn shown(&self) -> String {
        self.code.replace(';', " ")
    }
}

/// The share list as the line's field takes it.
fn shares(s: &[Suggestion]) -> String {
    s.iter().map(|x| format!("{}:{}", x.code, x.share.unwrap_or(0))).collect::<Vec<_>>().join(";")
}

/// A shares suggestion as one row (the shares are accepted or rejected together).
fn shares_row(kind: &'static str, label: (&'static str, &'static str), s: &[Suggestion]) -> Option<SuggestionRow> {
    (!s.is_empty()).then(|| SuggestionRow {
        kind,
        label,
        code: shares(s),
        confidence: None,
        phrases: s.iter().flat_map(|x| x.phrases.iter().cloned()).collect(),
    })
}

/// The rows for one line's suggestions: projects, disease areas, purposes, priority items.
pub(crate) fn rows(s: &Suggestions) -> Vec<SuggestionRow> {
    let single = |kind, label, x: &Suggestion| SuggestionRow {
        kind,
        label,
        code: x.code.clone(),
        confidence: Some(x.confidence),
        phrases: x.phrases.clone(),
    };
    let mut out: Vec<SuggestionRow> =
        s.project.iter().map(|x| single("project", ("統合プロジェクト", "Project"), x)).collect();
    out.extend(shares_row("disease_areas", ("疾患領域", "Disease areas"), &s.disease_areas));
    out.extend(shares_row("purposes", ("開発目的", "Development purposes"), &s.purposes));
    out.extend(s.priority_items.iter().map(|x| single("priority_item", ("重点項目", "Priority item"), x)));
    out
}

/// One line's rows, for the import preview.
pub(crate) struct LineRows {
    /// 府省.
    pub ministry: String,
    /// 事業番号.
    pub line_id: String,
    /// 事業名.
    pub name: String,
    /// Its suggestions.
    pub rows: Vec<SuggestionRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(code: &str, share: Option<u8>) -> Suggestion {
        Suggestion { code: code.into(), confidence: 0.5, share, phrases: vec![format!("{code}語")] }
    }

    #[test]
    fn every_kind_becomes_rows_and_shares_go_together() {
        let s = Suggestions {
            rules: "v1".into(),
            project: vec![one("PHARMA", None), one("SEEDS", None)],
            disease_areas: vec![one("CANCER", Some(60)), one("RARE", Some(40))],
            purposes: vec![one("DRUG", Some(100))],
            priority_items: vec![one("PHARMA-01", None)],
        };
        let r = rows(&s);
        let kinds: Vec<&str> = r.iter().map(|x| x.kind).collect();
        assert_eq!(kinds, ["project", "project", "disease_areas", "purposes", "priority_item"]);
        assert_eq!(r[2].code, "CANCER:60;RARE:40");
        assert_eq!(r[2].shown(), "CANCER:60 RARE:40");
        assert_eq!(r[2].phrases, ["CANCER語", "RARE語"]);
        assert_eq!(r[3].code, "DRUG:100");
        assert!(rows(&Suggestions { rules: "v1".into(), ..Default::default() }).is_empty());
    }
}
