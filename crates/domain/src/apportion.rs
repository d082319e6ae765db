//! Largest-remainder apportionment: splitting an amount into shares whose parts sum to the whole.

use crate::money::Yen;

/// Splits `total` in proportion to `weights` so that the parts sum exactly to `total`.
///
/// Each part gets the floor of its exact quota; the yen left over go one each to the parts with
/// the largest remainders, ties going to the earlier part, so the result is deterministic.
/// All weights zero (or no weights) is a caller error and panics: shares are validated first.
pub fn apportion(total: Yen, weights: &[u64]) -> Vec<Yen> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    assert!(sum > 0, "apportion needs a positive weight");
    let t = total.get();
    let sign: i128 = if t < 0 { -1 } else { 1 };
    let abs = i128::from(t).unsigned_abs();
    let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
    let mut rems: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let exact = abs * u128::from(w);
        parts.push(exact / sum);
        rems.push((exact % sum, i));
    }
    let assigned: u128 = parts.iter().sum();
    let left = (abs - assigned) as usize;
    // Larger remainder first; on equal remainders the earlier index first.
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in rems.iter().take(left) {
        parts[i] += 1;
    }
    parts.into_iter().map(|p| Yen((sign * p as i128) as i64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn thirds_give_the_extra_yen_to_the_earliest() {
        assert_eq!(apportion(Yen(100), &[1, 1, 1]), vec![Yen(34), Yen(33), Yen(33)]);
        assert_eq!(apportion(Yen(1_000_001), &[60, 40]), vec![Yen(600_001), Yen(400_000)]);
    }

    #[test]
    fn the_largest_remainder_wins_the_leftover() {
        // 10 × 15/100 = 1.5, 10 × 85/100 = 8.5: a tie, earlier wins; then 7 × 33/100 = 2.31 vs 4.69.
        assert_eq!(apportion(Yen(10), &[15, 85]), vec![Yen(2), Yen(8)]);
        assert_eq!(apportion(Yen(7), &[33, 67]), vec![Yen(2), Yen(5)]);
    }

    proptest! {
        #[test]
        fn parts_always_sum_to_the_whole(total in 0i64..=100_000_000_000_000, weights in prop::collection::vec(1u64..=100, 1..8)) {
            let parts = apportion(Yen(total), &weights);
            prop_assert_eq!(parts.len(), weights.len());
            prop_assert_eq!(parts.iter().copied().sum::<Yen>(), Yen(total));
            prop_assert!(parts.iter().all(|p| p.get() >= 0));
        }
    }
}
