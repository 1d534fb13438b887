//! The on-chain check of a GPU-work answer on the real WASM, for the sizes
//! governance may choose: `cargo bench -p spon-e2e --bench gpu_work_onchain`
//! (after `scripts/build-contracts`).
//!
//! First a whole `proveGpuWork` transaction (decoding the answer, the
//! verifier's check, closing the offence in staking, two SPON transfers)
//! for sizes whose C a CPU computes here; then the verifier's `check`
//! alone as a transaction, for every size up to n = 65,536, with answers
//! built from the sampled entries only (`spon_gpu_work::cpu::
//! sampled_answer`: the same work for the check). WASM instructions and
//! the devnet's gas estimate (Stylus ink per operator, host I/O, state,
//! calldata, intrinsic; see `spon_devnet::meter`).

use alloy_primitives::{keccak256, B256};
use alloy_sol_types::SolCall;
use spon_e2e::{gpu_work::World, SponGpuVerifier as V};
use spon_gpu_work::cpu;

fn main() -> anyhow::Result<()> {
    println!("| n | k | WASM instructions | gas | slots read | slots written | answer bytes |");
    println!("|---|---|---|---|---|---|---|");
    for n in [64u32, 256, 1_024] {
        let mut w = World::new(n)?;
        let (id, answer) = w.challenge(false)?;
        let bytes = answer.len();
        let (outcome, result) = w.prove(id, answer)?;
        result.map_err(|e| anyhow::anyhow!("honest answer refused: {e}"))?;
        println!(
            "| {n} | 16 | {} | {} | {} | {} | {bytes} |",
            outcome.instructions, outcome.gas, outcome.slots_read, outcome.slots_written
        );
    }
    println!();
    println!("| n | k | `check` WASM instructions | gas | answer bytes |");
    println!("|---|---|---|---|---|");
    let mut w = World::new(64)?;
    let (from, verifier) = (w.challenger, w.verifier);
    for n in [1_024u32, 4_096, 16_384, 65_536] {
        for k in [16u32, 32] {
            let (seed, sample_seed) = (keccak256(n.to_be_bytes()), B256::repeat_byte(k as u8));
            let (root, answer) = cpu::sampled_answer(&seed, &sample_seed, n, k);
            let bytes = answer.len();
            let call = V::checkCall {
                seed,
                sample_seed,
                n,
                k,
                root,
                answer: answer.into(),
            };
            let outcome =
                w.chain
                    .transact(from, verifier, &call.abi_encode(), Default::default())?;
            let verdict = V::checkCall::abi_decode_returns(&outcome.output, true)?.verdict;
            anyhow::ensure!(
                verdict.outcome == 0,
                "n {n} k {k}: outcome {} at entry {}",
                verdict.outcome,
                verdict.entry
            );
            println!(
                "| {n} | {k} | {} | {} | {bytes} |",
                outcome.instructions, outcome.gas
            );
        }
    }
    Ok(())
}
