//! Matching request text against keyword lists: both sides are brought to one form first, so
//! full- and half-width, upper and lower case, katakana and hiragana, and the many hyphens and
//! long-vowel marks of Japanese typing all match.

/// The form text is matched in: NFKC, lower case, katakana as hiragana, every hyphen, dash and
/// long-vowel mark as `ー`, and no spaces.
pub fn match_form(s: &str) -> String {
    crate::text::fold(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            // Katakana ァ..ヶ to hiragana ぁ..ゖ.
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ｰ' | '～' | '〜' => 'ー',
            c => c,
        })
        .collect()
}

/// The keywords of `keywords` found in `text` (already in [`match_form`]), longest first, a
/// keyword inside a longer one that was found not counted again.
pub fn found<'a>(text: &str, keywords: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    let mut hits: Vec<(&'a str, String)> = keywords
        .into_iter()
        .map(|k| (k.as_str(), match_form(k)))
        .filter(|(_, m)| !m.is_empty() && text.contains(m.as_str()))
        .collect();
    hits.sort_by(|a, b| b.1.chars().count().cmp(&a.1.chars().count()).then(a.0.cmp(b.0)));
    let mut kept: Vec<(&'a str, String)> = Vec::new();
    for (k, m) in hits {
        if !kept.iter().any(|(_, longer)| longer.contains(m.as_str())) {
            kept.push((k, m));
        }
    }
    kept.into_iter().map(|(k, _)| k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_case_kana_and_dashes_do_not_matter() {
        assert_eq!(match_form("ＡＩ　診断"), "ai診断");
        assert_eq!(match_form("データ"), match_form("デ－タ"));
        assert_eq!(match_form("ウイルス"), "ういるす");
        assert_eq!(match_form("ｶﾞﾝ"), match_form("がん"));
    }

    #[test]
    fn a_keyword_inside_a_longer_match_counts_once() {
        let kw: Vec<String> = vec!["遺伝子治療".into(), "in vivo遺伝子治療".into(), "ベクター".into(), "細胞".into()];
        let text = match_form("In Vivo 遺伝子治療の臨床開発");
        assert_eq!(found(&text, &kw), vec!["in vivo遺伝子治療"]);
        assert!(found(&match_form("医療機器"), &kw).is_empty());
    }
}
