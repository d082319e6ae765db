//! Normalisation of what people type into cells.

use unicode_normalization::UnicodeNormalization;

/// NFKC-normalises and trims a copy of `s` for matching (full-width digits and
/// letters become ASCII, half-width kana become full-width). Stored text keeps its original.
pub fn normalize(s: &str) -> String {
    s.nfkc().collect::<String>().trim().to_string()
}

/// The same as [`normalize`], also lower-cased, for case-insensitive matching of codes and labels.
pub fn fold(s: &str) -> String {
    normalize(s).to_lowercase()
}

/// True when `s` holds a control character other than tab, CR and LF.
pub fn has_control_chars(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_and_separators_become_ascii() {
        assert_eq!(normalize("　１，２００ "), "1,200");
        assert_eq!(fold("ＡＭＥＤ"), "amed");
    }

    #[test]
    fn half_width_kana_becomes_full_width() {
        assert_eq!(normalize("ｶﾞﾝ"), "ガン");
    }
}
