//! Pure logic of rewards: a node's points for an era and its share of the
//! era's budget.
//!
//! A node's era points are `GPU units × its class multiplier × its tier
//! booster` (both in hundredths). Once the era is over, its budget `B` is
//! fixed and a node with `p` of the era's `P` points is paid `⌊B·p/P⌋`, so
//! the era pays at most `B` (the floors leave less than one wei a node).

use alloy_primitives::U256;

/// Points of a node with `gpus` GPUs of a class worth `multiplier`, at a
/// tier worth `booster`.
pub fn points(gpus: u16, multiplier: u64, booster: u64) -> u64 {
    // At most 65,535 × 10,000 × 1,000 (the parameters' bounds) < 2^40.
    u64::from(gpus) * multiplier * booster
}

/// The share of `budget` of a node with `points` of the era's `total`.
pub fn share(budget: U256, points: u64, total: U256) -> U256 {
    if total.is_zero() {
        return U256::ZERO;
    }
    // budget < 2^87 (10^8 SPON), points < 2^40: no overflow.
    budget * U256::from(points) / total
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_published_anchors() {
        // 8 × H100 (12) at tier 1 (2.0) against 1 × RTX 4090 (1) at tier 6
        // (1.0): 192 to 1.
        assert_eq!(points(8, 1_200, 200), 192 * points(1, 100, 100));
        assert_eq!(points(4, 1_200, 0), 0);
        assert_eq!(share(U256::from(1_000), 3, U256::from(4)), U256::from(750));
        assert_eq!(share(U256::from(1_000), 0, U256::ZERO), U256::ZERO);
    }

    proptest! {
        /// INV-17 (arithmetic): the shares of an era never exceed its
        /// budget, fall short of it by less than one wei a node, and are
        /// proportional to the points (a node with more points never gets
        /// less).
        #[test]
        fn shares_are_proportional_and_within_the_budget(
            budget in 0u128..(1u128 << 87),
            nodes in proptest::collection::vec(0u64..(1u64 << 40), 1..50),
        ) {
            let total: U256 = nodes.iter().map(|p| U256::from(*p)).sum();
            let b = U256::from(budget);
            let shares: Vec<U256> = nodes.iter().map(|p| share(b, *p, total)).collect();
            let paid: U256 = shares.iter().copied().sum();
            prop_assert!(paid <= b);
            if !total.is_zero() {
                prop_assert!(b - paid < U256::from(nodes.len()));
            }
            for (i, j) in (0..nodes.len()).zip(1..nodes.len()) {
                if nodes[i] <= nodes[j] {
                    prop_assert!(shares[i] <= shares[j]);
                }
                // Proportional to the wei: p_j·s_i and p_i·s_j differ by
                // less than the larger point count.
                let (a, c) = (U256::from(nodes[j]) * shares[i], U256::from(nodes[i]) * shares[j]);
                let diff = if a > c { a - c } else { c - a };
                prop_assert!(diff < U256::from(nodes[i].max(nodes[j]).max(1)));
            }
        }
    }
}
