use alloy_primitives::{keccak256, B256};
use proptest::prelude::*;

use super::*;

fn seed(n: u64) -> B256 {
    keccak256(n.to_be_bytes())
}

/// Commits `c` and answers the sample of `sample_seed` as a prover would.
fn answer(c: &[u32], n: u32, k: u32, sample_seed: &B256) -> (B256, Vec<u8>) {
    let tree = Tree::of_rows(c, n);
    let sampled = sample_rows(sample_seed, n, k, &mut Work::default());
    (tree.root(), open(&tree, c, n, &sampled))
}

#[test]
fn elements_are_field_elements_and_frozen() {
    let s = seed(1);
    for i in 0..64 {
        for m in [MATRIX_A, MATRIX_B, VECTOR_R] {
            assert!(element(&s, m, i, 63 - i) < P);
        }
    }
    // The generator is part of the protocol (the probe computes the same
    // numbers): these values pin version 1.
    let zero = B256::ZERO;
    assert_eq!(
        [
            element(&zero, 0, 0, 0),
            element(&zero, 1, 2, 3),
            element(&s, 2, 0, 7)
        ],
        FROZEN
    );
}

const FROZEN: [u32; 3] = [0, 277_808_772, 1_862_940_748];

#[test]
fn product_matches_the_definition() {
    let (s, n) = (seed(2), 8u32);
    let c = product(&s, n);
    for i in 0..n {
        for j in 0..n {
            let want = (0..n).fold(0u64, |acc, l| {
                (acc + u64::from(element(&s, MATRIX_A, i, l))
                    * u64::from(element(&s, MATRIX_B, l, j)))
                    % u64::from(P)
            });
            assert_eq!(u64::from(c[(i * n + j) as usize]), want);
        }
    }
}

#[test]
fn sizes() {
    assert!(valid_size(64, 8) && valid_size(2, 2) && valid_size(MAX_N, 1));
    assert!(!valid_size(96, 8) && !valid_size(64, 0) && !valid_size(4, 5));
    assert!(!valid_size(1, 1) && !valid_size(2 * MAX_N, 1));
    let z = B256::ZERO;
    assert_eq!(verify(&z, &z, 96, 8, &z, &[]), Err(Failure::BadSize));
    assert_eq!(verify(&z, &z, 64, 8, &z, &[0; 3]), Err(Failure::Malformed));
}

#[test]
fn a_proof_for_another_row_or_root_fails() {
    let (s, t, n, k) = (seed(3), seed(4), 16, 4);
    let c = product(&s, n);
    let (root, good) = answer(&c, n, k, &t);
    assert!(verify(&s, &t, n, k, &root, &good).is_ok());
    let first = sample_rows(&t, n, k, &mut Work::default())[0];
    let proofs_at = 4 * (n * k) as usize;
    let mut bad = good.clone();
    bad[proofs_at] ^= 1;
    assert_eq!(
        verify(&s, &t, n, k, &root, &bad),
        Err(Failure::WrongMerkleProof { row: first })
    );
    assert_eq!(
        verify(&s, &t, n, k, &B256::repeat_byte(1), &good),
        Err(Failure::WrongMerkleProof { row: first })
    );
    // Opening a row other than the committed one.
    let mut forged = good.clone();
    forged[3] ^= 1;
    assert_eq!(
        verify(&s, &t, n, k, &root, &forged),
        Err(Failure::WrongMerkleProof { row: first })
    );
    assert_eq!(
        verify(&s, &t, n, k, &root, &good[1..]),
        Err(Failure::Malformed)
    );
}

#[test]
fn measured_catch_rate_of_one_wrong_row() {
    // A prover that commits C with one wrong row (uniformly placed) is
    // caught exactly when that row is sampled: rate k/n.
    let (n, trials) = (32u32, 300u64);
    let ks = [1u32, 4, 8, 16];
    let mut caught = [0u32; 4];
    for t in 0..trials {
        let s = seed(1_000 + t);
        let mut c = product(&s, n);
        let bad = (t * 7919 % u64::from(n)) as usize;
        c[bad * n as usize] = (c[bad * n as usize] + 1) % P;
        let sample_seed = seed(50_000 + t);
        for (k, caught) in ks.iter().zip(&mut caught) {
            let (root, ans) = answer(&c, n, *k, &sample_seed);
            if let Err(e) = verify(&s, &sample_seed, n, *k, &root, &ans) {
                assert_eq!(e, Failure::WrongRow { row: bad as u32 });
                *caught += 1;
            }
        }
    }
    for (k, caught) in ks.iter().zip(caught) {
        let rate = f64::from(caught) / trials as f64;
        let expected = f64::from(*k) / f64::from(n);
        assert!(
            (rate - expected).abs() < 0.08,
            "k={k}: caught {rate}, expected {expected}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// INV-11: an honest prover always passes.
    #[test]
    fn inv11_honest_prover_passes(s in any::<[u8; 32]>(), t in any::<[u8; 32]>(), log_n in 1u32..6, k_frac in 0.0f64..1.0) {
        let (s, t) = (B256::from(s), B256::from(t));
        let n = 1 << log_n;
        let k = 1 + ((f64::from(n - 1)) * k_frac) as u32;
        let c = product(&s, n);
        let (root, ans) = answer(&c, n, k, &t);
        let work = verify(&s, &t, n, k, &root, &ans).unwrap();
        prop_assert_eq!(work.multiplications, u64::from(n) * u64::from(n) + 2 * u64::from(k) * u64::from(n));
        prop_assert_eq!(work.keccaks, u64::from(k) * (2 + u64::from(log_n)));
    }

    /// INV-11: a prover whose committed C differs from A·B in a sampled row
    /// fails, whatever the row, column and error.
    #[test]
    fn inv11_wrong_sampled_row_fails(s in any::<[u8; 32]>(), t in any::<[u8; 32]>(), log_n in 1u32..6, k in 1u32..4, pick in any::<u32>(), col in any::<u32>(), delta in 1u32..P) {
        let (s, t) = (B256::from(s), B256::from(t));
        let n = 1 << log_n;
        let k = k.min(n);
        let mut c = product(&s, n);
        let sampled = sample_rows(&t, n, k, &mut Work::default());
        let bad = sampled[(pick % k) as usize];
        let at = (bad * n + col % n) as usize;
        c[at] = ((u64::from(c[at]) + u64::from(delta)) % u64::from(P)) as u32;
        let (root, ans) = answer(&c, n, k, &t);
        let e = verify(&s, &t, n, k, &root, &ans).unwrap_err();
        prop_assert_eq!(e, Failure::WrongRow { row: bad });
    }

    /// The sample is `k` distinct rows below `n`.
    #[test]
    fn samples_are_distinct_rows(t in any::<[u8; 32]>(), log_n in 1u32..10, k in 1u32..64) {
        let n = 1 << log_n;
        let k = k.min(n);
        let rows = sample_rows(&B256::from(t), n, k, &mut Work::default());
        prop_assert_eq!(rows.len(), k as usize);
        let mut sorted = rows.clone();
        sorted.sort_unstable();
        sorted.dedup();
        prop_assert_eq!(sorted.len(), k as usize);
        prop_assert!(rows.iter().all(|&r| r < n));
    }
}

#[test]
fn the_largest_answer_fits_one_transaction() {
    assert_eq!(
        (max_samples(1_024), max_samples(512), max_samples(128)),
        (21, 40, 128)
    );
    for log2 in 1..=12 {
        let n = 1u32 << log2;
        let k = max_samples(n);
        assert!(4 + 3 * 32 + answer_bytes(n, k).div_ceil(32) * 32 <= MAX_TX_DATA);
        assert!(
            4 + 3 * 32 + answer_bytes(n, k + 1) > MAX_TX_DATA - 31,
            "n {n}: k {k} is not the most"
        );
    }
}

mod tensor {
    use alloy_primitives::{keccak256, B256};
    use proptest::prelude::*;

    use crate::tensor::*;

    fn flat(proof: Vec<B256>) -> Vec<u8> {
        proof.iter().flat_map(|h| h.to_vec()).collect()
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// INV-GW2: the verifier's entry is the prover's product, and an
        /// honest opening passes.
        #[test]
        fn an_honest_entry_passes(seed in any::<[u8; 32]>(), i in 0u32..32, j in 0u32..32) {
            let (seed, n) = (B256::from(seed), 32);
            let c = product(&seed, n);
            prop_assert_eq!(c[(i * n + j) as usize], entry(&seed, n, i, j));
            let t = tree(&c);
            let index = (i * n + j) as usize / CHUNK;
            let chunk = &c[index * CHUNK..(index + 1) * CHUNK];
            prop_assert!(check_entry(&seed, n, &t.root(), (i, j), chunk, &flat(t.proof(index as u32))));
        }

        /// INV-GW3: a wrong entry, or a right entry under another root, is
        /// caught.
        #[test]
        fn a_wrong_entry_is_caught(seed in any::<[u8; 32]>(), i in 0u32..32, j in 0u32..32, delta in 1i32..1000) {
            let (seed, n) = (B256::from(seed), 32);
            let mut c = product(&seed, n);
            let position = (i * n + j) as usize;
            c[position] = c[position].wrapping_add(delta);
            // The cheat commits to its wrong C: the proof holds, the entry
            // does not.
            let t = tree(&c);
            let index = position / CHUNK;
            let chunk = c[index * CHUNK..(index + 1) * CHUNK].to_vec();
            let proof = flat(t.proof(index as u32));
            prop_assert!(!check_entry(&seed, n, &t.root(), (i, j), &chunk, &proof));
            // The right chunk under the wrong root: the proof fails.
            let mut right = chunk;
            right[position % CHUNK] -= delta;
            prop_assert!(!check_entry(&seed, n, &t.root(), (i, j), &right, &proof));
        }
    }
}
