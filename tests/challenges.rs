//! The challenges contract's real WASM on the in-process chain: a
//! GPU-work challenge answered honestly passes, a cheating answer is
//! refused with `WrongRow` and the node loses, through the exported ABI.

use spon_e2e::{gpu_work::World, SponChallenges as C};

#[test]
fn gpu_work_on_the_real_wasm() {
    let mut w = World::new(64).unwrap();
    let (id, answer) = w.challenge(false).unwrap();
    let (outcome, result) = w.prove(id, answer).unwrap();
    result.unwrap();
    assert!(outcome.instructions > 0);
    let state = |w: &mut World, id| {
        w.call(w.gov, &C::challengeOfCall { id })
            .unwrap()
            .result
            .unwrap()
            .challenge
            .state
    };
    assert_eq!(state(&mut w, id), 4, "passed");

    let (id, answer) = w.challenge(true).unwrap();
    let (_, result) = w.prove(id, answer).unwrap();
    let err = result.unwrap_err();
    assert!(err.starts_with("WrongRow("), "{err}");
    w.chain.advance(3_601);
    let challenger = w.challenger;
    w.call(challenger, &C::resolveCall { id })
        .unwrap()
        .result
        .unwrap();
    assert_eq!(state(&mut w, id), 5, "slash pending");
}
