//! Overlap detection (府省間の重複): lines whose texts are near-duplicates, by the Jaccard
//! similarity of their character shingles. Candidates come from MinHash signatures bucketed by
//! band (locality-sensitive hashing), so a year is not compared pair by pair; every candidate is
//! then verified on its exact shingle sets. [`all_pairs`] is the exhaustive baseline the
//! benchmark measures recall against.

use serde::Serialize;

use super::matching::match_form;

/// Bands and rows per band of the MinHash signature: a pair of similarity `s` becomes a
/// candidate with probability 1 − (1 − s⁵)⁴⁰ (0.96 at s = 0.6, 0.003 at s = 0.15), so that
/// the many weakly similar pairs of a large year are not all compared.
const BANDS: usize = 40;
const ROWS: usize = 5;

/// How far below the threshold a pair's similarity, estimated from its 200 signature rows, may
/// fall and still be compared exactly. The estimate's standard error is at most 0.036, so a
/// margin of 0.2 (over five standard errors) loses no pair in practice.
const ESTIMATE_MARGIN: f64 = 0.2;

/// Two texts found similar: their indices, the Jaccard similarity of their shingle sets, and the
/// phrases they share (longest first).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Similar {
    /// The first text's index (the smaller).
    pub a: usize,
    /// The second's.
    pub b: usize,
    /// |A ∩ B| / |A ∪ B| of the shingle sets.
    pub jaccard: f64,
}

/// A candidate overlap between two lines, as the review reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverlapPair {
    /// (ministry, line) of one line.
    pub a: (String, String),
    /// (ministry, line) of the other.
    pub b: (String, String),
    /// Similarity in whole percent.
    pub similarity_percent: u32,
    /// Phrases the two share, longest first.
    pub shared: Vec<String>,
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The text's shingles of `k` characters (in [`match_form`]), hashed, sorted and distinct.
pub fn shingles(text: &str, k: usize) -> Vec<u64> {
    let chars: Vec<char> = match_form(text).chars().collect();
    let k = k.max(1);
    let mut out: Vec<u64> = if chars.len() < k {
        if chars.is_empty() { Vec::new() } else { vec![hash_chars(&chars)] }
    } else {
        chars.windows(k).map(hash_chars).collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

fn hash_chars(cs: &[char]) -> u64 {
    cs.iter().fold(0xCBF2_9CE4_8422_2325_u64, |h, c| splitmix(h ^ u64::from(*c as u32)))
}

/// The Jaccard similarity of two sorted, distinct sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// The pairs of `texts` whose shingle sets are at least `min` similar, found through MinHash
/// and LSH and verified exactly. Texts too short to have a shingle take part in no pair.
///
/// The work is done band by band, so memory stays linear in the texts even when boilerplate
/// puts many texts in one bucket: within a band, the texts sharing a bucket are paired; a pair
/// is considered only in the first band where its signatures agree (so no global list of pairs
/// is built and deduplicated); its similarity is estimated from the signatures' agreement first
/// (cheap), and only a pair whose estimate is within [`ESTIMATE_MARGIN`] of `min` is compared
/// on its exact shingle sets.
pub fn candidates(texts: &[String], k: usize, min: f64) -> Vec<Similar> {
    const SIG: usize = BANDS * ROWS;
    let sets: Vec<Vec<u64>> = texts.iter().map(|t| shingles(t, k)).collect();
    // Multiply-shift hash functions over the (already mixed) shingle hashes: one per row.
    let coeffs: Vec<(u64, u64)> =
        (0..SIG).map(|j| (splitmix(2 * j as u64 + 1) | 1, splitmix(2 * j as u64 + 2))).collect();
    let mut sigs: Vec<u32> = vec![0; sets.len() * SIG];
    for (set, sig) in sets.iter().zip(sigs.chunks_exact_mut(SIG)) {
        for (slot, &(a, b)) in sig.iter_mut().zip(&coeffs) {
            *slot = set.iter().map(|&s| (a.wrapping_mul(s).wrapping_add(b) >> 32) as u32).min().unwrap_or(0);
        }
    }
    let sig = |n: u32| &sigs[n as usize * SIG..(n as usize + 1) * SIG];
    let live: Vec<u32> = (0..sets.len() as u32).filter(|&n| !sets[n as usize].is_empty()).collect();
    let mut found = Vec::new();
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(live.len());
    for band in 0..BANDS {
        let rows = band * ROWS..(band + 1) * ROWS;
        keyed.clear();
        keyed.extend(live.iter().map(|&n| {
            let key = sig(n)[rows.clone()].iter().fold(splitmix(band as u64), |h, &m| splitmix(h ^ u64::from(m)));
            (key, n)
        }));
        keyed.sort_unstable();
        for run in keyed.chunk_by(|x, y| x.0 == y.0).filter(|r| r.len() > 1) {
            for (i, &(_, a)) in run.iter().enumerate() {
                for &(_, b) in &run[i + 1..] {
                    let (sa, sb) = (sig(a), sig(b));
                    // Considered already in an earlier band where the two agree.
                    if (0..band).any(|e| sa[e * ROWS..(e + 1) * ROWS] == sb[e * ROWS..(e + 1) * ROWS]) {
                        continue;
                    }
                    let agree = sa.iter().zip(sb).filter(|(x, y)| x == y).count();
                    if (agree as f64) / (SIG as f64) < min - ESTIMATE_MARGIN {
                        continue;
                    }
                    let s = jaccard(&sets[a as usize], &sets[b as usize]);
                    if s >= min {
                        found.push(Similar { a: a.min(b) as usize, b: a.max(b) as usize, jaccard: s });
                    }
                }
            }
        }
    }
    found.sort_unstable_by_key(|s| (s.a, s.b));
    found
}

/// Every pair compared: the baseline for [`candidates`].
pub fn all_pairs(texts: &[String], k: usize, min: f64) -> Vec<Similar> {
    let sets: Vec<Vec<u64>> = texts.iter().map(|t| shingles(t, k)).collect();
    let mut out = Vec::new();
    for a in 0..sets.len() {
        for b in a + 1..sets.len() {
            if sets[a].is_empty() || sets[b].is_empty() {
                continue;
            }
            let s = jaccard(&sets[a], &sets[b]);
            if s >= min {
                out.push(Similar { a, b, jaccard: s });
            }
        }
    }
    out
}

/// The phrases of `a` (at least `k` + 1 characters, in [`match_form`]) made of shingles `b` also
/// has, longest first, at most five.
pub fn shared_phrases(a: &str, b: &str, k: usize) -> Vec<String> {
    let chars: Vec<char> = match_form(a).chars().collect();
    let theirs = shingles(b, k);
    if chars.len() < k {
        return Vec::new();
    }
    let mut covered = vec![false; chars.len()];
    for (i, w) in chars.windows(k).enumerate() {
        if theirs.binary_search(&hash_chars(w)).is_ok() {
            covered[i..i + k].iter_mut().for_each(|c| *c = true);
        }
    }
    let mut runs: Vec<String> = Vec::new();
    let mut start = None;
    for (i, c) in covered.iter().chain(std::iter::once(&false)).enumerate() {
        match (c, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s > k {
                    runs.push(chars[s..i].iter().collect());
                }
                start = None;
            }
            _ => {}
        }
    }
    runs.sort_by(|x, y| y.chars().count().cmp(&x.chars().count()).then(x.cmp(y)));
    runs.truncate(5);
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_duplicates_are_found_and_distinct_texts_are_not() {
        let texts = vec![
            "次世代がん医療加速化研究事業：がんの新規治療標的を探索し、医師主導治験へ橋渡しする".to_string(),
            "次世代がん医療加速化研究事業　がんの新規治療標的を探索して医師主導治験へ橋渡しする".to_string(),
            "医療機器等研究成果展開事業：手術支援ロボットの開発と薬事承認を支援する".to_string(),
            "短".to_string(),
        ];
        let found = candidates(&texts, 3, 0.55);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].a, found[0].b), (0, 1));
        assert!(found[0].jaccard > 0.7);
        assert_eq!(found, all_pairs(&texts, 3, 0.55));
        let shared = shared_phrases(&texts[0], &texts[1], 3);
        assert!(shared[0].contains("次世代がん医療加速化研究事業"), "{shared:?}");
    }

    #[test]
    fn jaccard_is_exact_on_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(jaccard(&[1], &[1]), 1.0);
    }

    #[test]
    fn lsh_recalls_the_baseline_on_generated_variants() {
        // Variants of a few base texts, each with words swapped in: the exhaustive baseline's
        // pairs at 0.55 should nearly all be among the candidates.
        let bases = [
            "再生医療等製品の実用化に向けた細胞製造技術の標準化と品質評価法の開発を支援する",
            "全ゲノム解析の結果と臨床情報を統合したデータ基盤を構築し研究者へ提供する",
            "小児がんの新規治療薬の医師主導治験を実施し早期の薬事承認を目指す",
        ];
        let words = ["国内", "多施設", "産学", "重点的に", "新たに", "効率的に", "段階的に", "早急に"];
        let mut texts = Vec::new();
        let mut rng = crate::rng::Rng::new(7);
        for i in 0..300 {
            let base = bases[i % bases.len()];
            let cut = base.char_indices().nth(5 + rng.below(20) as usize).map_or(base.len(), |c| c.0);
            texts.push(format!("{}{}{}", &base[..cut], rng.pick(&words), &base[cut..]));
        }
        let truth = all_pairs(&texts, 3, 0.55);
        let got = candidates(&texts, 3, 0.55);
        let recall = got.len() as f64 / truth.len() as f64;
        assert!(recall >= 0.95, "recall {recall} ({} of {})", got.len(), truth.len());
        assert!(got.iter().all(|s| truth.contains(s)), "every candidate is a true pair");
    }
}
