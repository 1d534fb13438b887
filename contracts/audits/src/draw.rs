//! Pure logic of audits: the stake-weighted draw (the round schedule is
//! `spon_contract_kit::schedule`'s).

use alloy_primitives::{keccak256, B256};

/// Draws tried per audit (each reads one node's state and stake).
pub const MAX_DRAWS: u32 = 32;

pub use spon_contract_kit::schedule::Schedule;

/// The accumulator after a reveal: `keccak256(acc ‖ secret)`.
pub fn accumulate(acc: B256, secret: B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(acc.as_slice());
    buf[32..].copy_from_slice(secret.as_slice());
    keccak256(buf)
}

/// The commitment an auditor posts for `secret`: `keccak256(secret ‖ auditor)`
/// (binding the auditor, so nobody can copy another's commitment).
pub fn commitment(secret: B256, auditor: &[u8; 20]) -> B256 {
    let mut buf = [0u8; 52];
    buf[..32].copy_from_slice(secret.as_slice());
    buf[32..].copy_from_slice(auditor);
    keccak256(buf)
}

/// Draw `t` of the audit seeded by `seed`: the index among `count`
/// enrolled nodes and a threshold below `cap`; the drawn node is accepted
/// if `min(stake, cap) > threshold`, so a node is picked with probability
/// proportional to its stake, capped at `cap` (rejection sampling).
pub fn draw(seed: &B256, t: u32, count: u64, cap: u128) -> (u64, u128) {
    let mut buf = [0u8; 36];
    buf[..32].copy_from_slice(seed.as_slice());
    buf[32..].copy_from_slice(&t.to_be_bytes());
    let h = keccak256(buf);
    let index = u64::from_be_bytes(h[..8].try_into().unwrap_or_default()) % count;
    let threshold = u128::from_be_bytes(h[8..24].try_into().unwrap_or_default()) % cap;
    (index, threshold)
}

/// Whether the audit seeded by `seed` is a GPU-work challenge.
pub fn is_gpu_work(seed: &B256, gpu_share_bps: u64) -> bool {
    u64::from(u16::from_be_bytes([seed[30], seed[31]])) % 10_000 < gpu_share_bps
}

/// The first node `draw` accepts among `count` enrolled nodes whose
/// weight (stake, 0 if it cannot be audited) `weight(index)` gives, or
/// `None` after [`MAX_DRAWS`] rejections.
pub fn select(
    seed: &B256,
    count: u64,
    cap: u128,
    mut weight: impl FnMut(u64) -> u128,
) -> Option<u64> {
    if count == 0 {
        return None;
    }
    (0..MAX_DRAWS).find_map(|t| {
        let (index, threshold) = draw(seed, t, count, cap);
        (weight(index).min(cap) > threshold).then_some(index)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn selection_is_proportional_to_capped_stake() {
        // Weights 4 : 1 : 0 : 8 (capped to 4): expected shares 4/9, 1/9, 0, 4/9.
        let cap = 4u128;
        let weights = [4u128, 1, 0, 8];
        let mut hits = [0u32; 4];
        let rounds = 20_000u64;
        for r in 0..rounds {
            let seed = keccak256(r.to_be_bytes());
            if let Some(i) = select(&seed, 4, cap, |i| weights[i as usize]) {
                hits[i as usize] += 1;
            }
        }
        let total: u32 = hits.iter().sum();
        assert_eq!(hits[2], 0);
        for (i, want) in [(0, 4.0 / 9.0), (1, 1.0 / 9.0), (3, 4.0 / 9.0)] {
            let got = f64::from(hits[i]) / f64::from(total);
            assert!((got - want).abs() < 0.02, "node {i}: {got} vs {want}");
        }
    }

    proptest! {
        #[test]
        fn only_weighted_nodes_are_selected(seed in any::<[u8; 32]>(), weights in prop::collection::vec(0u128..10, 1..20)) {
            let pick = select(&B256::from(seed), weights.len() as u64, 5, |i| weights[i as usize]);
            if let Some(i) = pick {
                prop_assert!(weights[i as usize] > 0);
            }
            if weights.iter().all(|&w| w == 0) {
                prop_assert_eq!(pick, None);
            }
        }
    }
}
