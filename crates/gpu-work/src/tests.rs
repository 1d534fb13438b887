use alloy_primitives::{keccak256, B256};
use proptest::prelude::*;

use super::*;

fn seed(n: u64) -> B256 {
    keccak256(n.to_be_bytes())
}

/// Commits `c` and answers the sample of `sample_seed` as a prover would.
fn answer(c: &[i32], n: u32, k: u32, sample_seed: &B256) -> (B256, Vec<u8>) {
    let tree = tree(c);
    let sampled = sample_entries(sample_seed, n, k, &mut Work::default());
    (tree.root(), open(&tree, c, &sampled))
}

#[test]
fn the_generator_is_frozen() {
    // The probe's CUDA kernel and every deployed verifier compute these:
    // a change here is a protocol change.
    let g = Generator::new(&seed(1));
    assert_eq!(g.word(MATRIX_A, 0, 0), 0xafc0_b93e_4ba5_27d7);
    assert_eq!(
        [
            g.int8(MATRIX_A, 0, 0),
            g.int8(MATRIX_A, 7, 3),
            g.int8(MATRIX_B, 65_535, 65_535)
        ],
        [-41, -51, -71]
    );
    assert_eq!(entry(&seed(1), 8, 2, 5), -29_422);
}

#[test]
fn entries_are_spread_over_all_of_int8() {
    let (a, _) = matrices(&keccak256(b"spread"), 64);
    let mut seen = [0u32; 256];
    for v in a {
        seen[v as u8 as usize] += 1;
    }
    // 4,096 draws over 256 values: every value about 16 times.
    assert!(seen.iter().all(|&k| (2..=40).contains(&k)), "{seen:?}");
}

#[test]
fn the_extreme_product_fits_int32_at_the_largest_size() {
    // Every term at its largest magnitude, (−128)·(−128), n times.
    let worst = i64::from(MAX_N) * 128 * 128;
    assert!(worst <= i64::from(i32::MAX), "{worst}");
}

#[test]
fn sizes() {
    assert!(valid(8, 1) && valid(8, 8) && valid(MAX_N, 64));
    assert!(!valid(4, 1), "below a chunk");
    assert!(!valid(12, 1) && !valid(2 * MAX_N, 1) && !valid(0, 1));
    assert!(!valid(64, 0) && !valid(64, 65));
    assert_eq!((depth(8), depth(1_024), depth(MAX_N)), (3, 17, 29));
    assert_eq!(
        verify(&seed(1), &seed(2), 12, 1, &B256::ZERO, &[]),
        Err(Failure::BadSize)
    );
    assert_eq!(
        verify(&seed(1), &seed(2), 16, 2, &B256::ZERO, &[0; 10]),
        Err(Failure::Malformed)
    );
}

#[test]
fn a_proof_for_another_entry_or_root_fails() {
    let (s, t, n, k) = (seed(3), seed(4), 16, 4);
    let c = product(&s, n);
    let (root, good) = answer(&c, n, k, &t);
    assert!(verify(&s, &t, n, k, &root, &good).is_ok());
    let first = sample_entries(&t, n, k, &mut Work::default())[0];
    assert_eq!(
        verify(&s, &t, n, k, &B256::repeat_byte(9), &good),
        Err(Failure::WrongMerkleProof { entry: first })
    );
    // The first chunk swapped for another (its own proof kept).
    let mut swapped = good.clone();
    let other = pack(&c[..CHUNK]);
    if swapped[..32] != other {
        swapped[..32].copy_from_slice(&other);
        assert_eq!(
            verify(&s, &t, n, k, &root, &swapped),
            Err(Failure::WrongMerkleProof { entry: first })
        );
    }
}

/// A prover that left a fraction of C's entries wrong (each wrong entry
/// committed, so its proof holds) is caught when a sample hits one: at
/// about 1 − (1 − f)^k.
#[test]
fn measured_catch_rate_of_a_partly_computed_product() {
    let (n, trials) = (32u32, 200u64);
    for (k, wrong_in) in [(1u32, 4u64), (4, 4), (16, 4), (16, 16)] {
        let mut caught = 0;
        for t in 0..trials {
            let s = seed(t);
            let mut c = product(&s, n);
            for (cell, v) in (0u64..).zip(c.iter_mut()) {
                let h = keccak256([t.to_be_bytes(), cell.to_be_bytes()].concat());
                if u64::from(h[0]) % wrong_in == 0 {
                    *v = v.wrapping_add(1);
                }
            }
            let sample = seed(t + trials);
            let (root, ans) = answer(&c, n, k, &sample);
            if verify(&s, &sample, n, k, &root, &ans).is_err() {
                caught += 1;
            }
        }
        let f = 1.0 / wrong_in as f64;
        let expected = 1.0 - (1.0 - f).powi(k as i32);
        let rate = caught as f64 / trials as f64;
        assert!(
            (rate - expected).abs() < 0.15,
            "k {k}, f {f}: caught {rate}, expected {expected}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// INV-11 / INV-GW2: the verifier's entry is the prover's product,
    /// and an honest prover passes with the work counted.
    #[test]
    fn inv11_honest_prover_passes(s in any::<[u8; 32]>(), t in any::<[u8; 32]>(), log_n in 3u32..7, k in 1u32..64) {
        let (s, t, n) = (B256::from(s), B256::from(t), 1u32 << log_n);
        let k = k.min(n);
        let c = product(&s, n);
        let (i, j) = (t[0] as u32 % n, t[1] as u32 % n);
        prop_assert_eq!(c[(i * n + j) as usize], entry(&s, n, i, j));
        let (root, ans) = answer(&c, n, k, &t);
        prop_assert_eq!(ans.len(), answer_bytes(n, k));
        let work = verify(&s, &t, n, k, &root, &ans).unwrap();
        prop_assert_eq!(work.generated, 2 * u64::from(n) * u64::from(k));
        prop_assert_eq!(work.multiplications, u64::from(n) * u64::from(k));
        prop_assert!(work.keccaks >= u64::from(k) * (2 + depth(n) as u64));
    }

    /// INV-11 / INV-GW3: a committed C wrong in a sampled entry fails with
    /// that entry named; the right chunk under the wrong root fails its
    /// proof.
    #[test]
    fn inv11_wrong_sampled_entry_fails(s in any::<[u8; 32]>(), t in any::<[u8; 32]>(), log_n in 3u32..7, k in 1u32..8, pick in any::<u32>(), delta in 1i32..100_000) {
        let (s, t, n) = (B256::from(s), B256::from(t), 1u32 << log_n);
        let k = k.min(n);
        let mut c = product(&s, n);
        let sampled = sample_entries(&t, n, k, &mut Work::default());
        let bad = sampled[(pick % k) as usize];
        c[bad as usize] = c[bad as usize].wrapping_add(delta);
        let (root, ans) = answer(&c, n, k, &t);
        let e = verify(&s, &t, n, k, &root, &ans).unwrap_err();
        // Sampled entries are checked in order; an earlier one is right.
        prop_assert_eq!(e, Failure::WrongEntry { entry: bad });
        let honest = tree(&product(&s, n));
        let mut right = ans.clone();
        let slot = sampled.iter().position(|&x| x == bad).unwrap();
        let start = bad as usize / CHUNK * CHUNK;
        right[32 * slot..32 * slot + 32].copy_from_slice(&pack(&product(&s, n)[start..start + CHUNK]));
        prop_assert!(verify(&s, &t, n, k, &root, &right).is_err());
        prop_assert!(honest.root() != root);
    }

    /// The sample is `k` distinct entries below n².
    #[test]
    fn samples_are_distinct_entries(t in any::<[u8; 32]>(), log_n in 3u32..12, k in 1u32..64) {
        let n = 1u32 << log_n;
        let k = k.min(n);
        let cells = sample_entries(&B256::from(t), n, k, &mut Work::default());
        prop_assert_eq!(cells.len(), k as usize);
        let mut sorted = cells.clone();
        sorted.sort_unstable();
        sorted.dedup();
        prop_assert_eq!(sorted.len(), k as usize);
        prop_assert!(cells.iter().all(|&x| x < u64::from(n) * u64::from(n)));
    }
}

#[test]
fn the_largest_answer_fits_one_transaction() {
    assert_eq!(
        (max_samples(MAX_N), max_samples(16_384), max_samples(1_024)),
        (98, 114, 164)
    );
    for log2 in 3..=16 {
        let n = 1u32 << log2;
        let k = max_samples(n);
        assert!(4 + 3 * 32 + answer_bytes(n, k).div_ceil(32) * 32 <= MAX_TX_DATA);
        assert!(
            4 + 3 * 32 + answer_bytes(n, k + 1) > MAX_TX_DATA - 31,
            "n {n}: k {k} is not the most"
        );
    }
}
