//! The challenges contract's real WASM on the in-process chain, through
//! the exported ABI: a GPU-work challenge answered honestly passes, a
//! cheating answer is refused with `WrongEntry` and the node loses, and a
//! root committed at the speed of the best CPU prover misses the deadline.

use std::time::Instant;

use spon_e2e::{gpu_work::World, SponChallenges as C};
use spon_gpu_work::cpu;

fn state(w: &mut World, id: u64) -> u8 {
    w.call(w.gov, &C::challengeOfCall { id })
        .unwrap()
        .result
        .unwrap()
        .challenge
        .state
}

/// Past the step's deadline (the challenge window, an hour): resolved,
/// and the node lost.
fn resolved_lost(w: &mut World, id: u64) {
    w.chain.advance(3_601);
    let challenger = w.challenger;
    w.call(challenger, &C::resolveCall { id })
        .unwrap()
        .result
        .unwrap();
    assert_eq!(state(w, id), 5, "slash pending");
}

#[test]
fn gpu_work_on_the_real_wasm() {
    let mut w = World::new(64).unwrap();
    let (id, answer) = w.challenge(false).unwrap();
    let (outcome, result) = w.prove(id, answer).unwrap();
    result.unwrap();
    assert!(outcome.instructions > 0);
    assert_eq!(state(&mut w, id), 4, "passed");

    let (id, answer) = w.challenge(true).unwrap();
    let (_, result) = w.prove(id, answer).unwrap();
    let err = result.unwrap_err();
    assert!(err.starts_with("WrongEntry("), "{err}");
    resolved_lost(&mut w, id);
}

/// The timed step, with the deadline scaled down to a size a test can
/// compute. A chain of GPU nodes would set n = 65,536 and
/// `gpuWorkDeadline` = 10 s: 2n³ = 5.6·10¹⁴ operations within 10 s, at
/// least 56 TOPS. Here n = 8,192 and the
/// deadline is the chain's least, 1 s (its clock counts seconds), which
/// asks for 1.1 TOPS: fifty times more lenient to a CPU. An H100 at its
/// published int8 peak (1,979 TOPS) multiplies n = 8,192 in 0.6 ms.
///
/// The root committed at once (a GPU's speed, within the second) passes,
/// and its sampled entries pass the check on the real WASM; then a fresh
/// challenge's root committed as late as the best CPU prover took here
/// (`spon_gpu_work::cpu`: every core, SIMD) is refused `TooLate`, and the
/// node loses.
#[test]
fn a_root_at_cpu_speed_misses_the_scaled_deadline() {
    const N: u32 = 8_192;
    let mut w = World::new(N).unwrap();
    // Parameter 13: gpuWorkDeadline, seconds.
    w.set_parameter(13, 1).unwrap();

    let (id, seed, n) = w.open().unwrap();
    assert_eq!(n, N);
    let started = Instant::now();
    let c = cpu::product(&seed, n);
    let tree = cpu::tree(&c);
    let cpu_time = started.elapsed();
    w.commit(id, tree.root()).unwrap().unwrap();
    let answer = w.reveal_and_open(id, &c, &tree).unwrap();
    drop(c);
    let (outcome, result) = w.prove(id, answer).unwrap();
    result.unwrap();
    assert_eq!(state(&mut w, id), 4, "passed");
    eprintln!(
        "n = {N}: the CPU prover ({} threads, {}) committed in {cpu_time:.2?}; \
         proveGpuWork ran {} WASM instructions, about {} gas",
        std::thread::available_parallelism().map_or(1, |p| p.get()),
        cpu::simd(),
        outcome.instructions,
        outcome.gas
    );
    assert!(
        cpu_time.as_secs_f64() > 1.0,
        "this CPU committed n = {N} in {cpu_time:.2?}, within the scaled deadline: \
         the parameters must be raised for it (audits/challenges.md)"
    );

    let (id, _, _) = w.open().unwrap();
    w.chain.advance(cpu_time.as_secs_f64().ceil() as u64);
    let err = w.commit(id, tree.root()).unwrap().unwrap_err();
    assert!(err.starts_with("TooLate("), "{err}");
    resolved_lost(&mut w, id);
}
