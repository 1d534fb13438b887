//! The on-chain check of a GPU-work answer on the real WASM, for the sizes
//! governance may choose: `cargo bench -p spon-e2e --bench gpu_work_onchain`
//! (after `scripts/build-contracts`). Prints the WASM instructions that
//! `proveGpuWork` executed, the storage slots it read and wrote, and its
//! calldata, per `n` (k = 16, the default).

use spon_e2e::gpu_work::World;

fn main() -> anyhow::Result<()> {
    println!("| n | k | WASM instructions | slots read | slots written | answer bytes |");
    println!("|---|---|---|---|---|---|");
    for n in [64u16, 128, 256] {
        let mut w = World::new(n)?;
        let (id, answer) = w.challenge(false)?;
        let bytes = answer.len();
        let (outcome, result) = w.prove(id, answer)?;
        result.map_err(|e| anyhow::anyhow!("honest answer refused: {e}"))?;
        println!(
            "| {n} | 16 | {} | {} | {} | {bytes} |",
            outcome.instructions, outcome.slots_read, outcome.slots_written
        );
    }
    Ok(())
}
