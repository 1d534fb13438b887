//! The token, staking and registry contracts' real WASM on the in-process
//! chain, driven through their exported ABIs.

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use spon_devnet::Chain;
use spon_e2e::{
    a, deploy, send, spon, Sent, SponRegistry as R, SponStaking as S, SponToken as T, SPON,
};

struct World {
    chain: Chain,
    token: Address,
    staking: Address,
    registry: Address,
    bank: Address,
    gov: Address,
    challenges: Address,
}

fn world() -> World {
    let mut chain = Chain::new();
    let (bank, gov, treasury, challenges) = (a(0xB0), a(0xA1), a(0xA2), a(0xA3));
    let supply = spon(1_000_000_000);
    let token = deploy(
        &mut chain,
        "spon-token",
        bank,
        &T::constructorCall {
            treasury: bank,
            supply,
        },
    )
    .unwrap();
    let staking = deploy(
        &mut chain,
        "spon-staking",
        gov,
        &S::constructorCall {
            spon: token,
            governance: gov,
            treasury,
        },
    )
    .unwrap();
    let registry = deploy(
        &mut chain,
        "spon-registry",
        gov,
        &R::constructorCall {
            staking,
            governance: gov,
        },
    )
    .unwrap();
    let mut w = World {
        chain,
        token,
        staking,
        registry,
        bank,
        gov,
        challenges,
    };
    w.staking_ok(
        gov,
        &S::setRoleCall {
            role: 1,
            account: challenges,
            enabled: true,
        },
    );
    w
}

impl World {
    /// Sends `call` to the token from `from`.
    fn token<C: SolCall>(&mut self, from: Address, call: &C) -> Sent<C::Return> {
        let to = self.token;
        send(&mut self.chain, from, to, call).unwrap()
    }

    /// Sends `call` to the staking contract from `from`.
    fn staking<C: SolCall>(&mut self, from: Address, call: &C) -> Sent<C::Return> {
        let to = self.staking;
        send(&mut self.chain, from, to, call).unwrap()
    }

    /// Sends `call` to the staking contract; it must succeed.
    fn staking_ok<C: SolCall>(&mut self, from: Address, call: &C) -> C::Return {
        self.staking(from, call).result.unwrap()
    }

    /// Sends `call` to the registry from `from`.
    fn registry<C: SolCall>(&mut self, from: Address, call: &C) -> Sent<C::Return> {
        let to = self.registry;
        send(&mut self.chain, from, to, call).unwrap()
    }

    /// Gives `who` `amount` SPON and approves the staking contract.
    fn fund(&mut self, who: Address, amount: U256) {
        let bank = self.bank;
        self.token(
            bank,
            &T::transferCall {
                to: who,
                value: amount,
            },
        )
        .result
        .unwrap();
        let spender = self.staking;
        self.token(
            who,
            &T::approveCall {
                spender,
                value: U256::MAX,
            },
        )
        .result
        .unwrap();
    }

    fn balance(&mut self, who: Address) -> U256 {
        self.token(who, &T::balanceOfCall { account: who })
            .result
            .unwrap()
            .balance
    }
}

#[test]
fn token_through_its_abi() {
    let mut w = world();
    let bank = w.bank;
    let supply = w.token(bank, &T::totalSupplyCall {});
    assert_eq!(supply.result.unwrap().totalSupply, spon(1_000_000_000));
    let name = w.token(bank, &T::nameCall {});
    assert_eq!(name.result.unwrap().name, "SPON");

    let alice = a(1);
    let sent = w.token(
        bank,
        &T::transferCall {
            to: alice,
            value: SPON,
        },
    );
    assert!(sent.result.unwrap().transfer);
    assert_eq!(sent.outcome.logs.len(), 1);
    assert_eq!(w.balance(alice), SPON);

    // A refusal comes back as the named custom error, and changes nothing.
    let over = w.token(
        alice,
        &T::transferCall {
            to: bank,
            value: SPON + U256::from(1),
        },
    );
    let err = over.result.err().expect("reverts");
    assert!(err.contains("ERC20InsufficientBalance"), "{err}");
    assert_eq!(w.balance(alice), SPON);
}

#[test]
fn stake_delegate_unbond_withdraw_through_the_abi() {
    let mut w = world();
    let (p, d) = (a(1), a(2));
    w.fund(p, spon(100));
    w.fund(d, spon(100));
    w.staking_ok(p, &S::stakeCall { amount: spon(40) });
    w.staking_ok(
        d,
        &S::delegateCall {
            provider: p,
            amount: spon(60),
        },
    );
    assert_eq!(
        w.staking_ok(d, &S::stakeOfCall { provider: p }).stake,
        spon(100)
    );

    let id = w
        .staking_ok(
            d,
            &S::undelegateCall {
                provider: p,
                amount: spon(10),
            },
        )
        .undelegate;
    let early = w.staking(d, &S::withdrawCall { request_id: id });
    assert!(early
        .result
        .err()
        .expect("reverts")
        .contains("UnbondingNotFinished"));
    w.chain.advance(14 * 86_400);
    let before = w.balance(d);
    w.staking_ok(d, &S::withdrawCall { request_id: id });
    assert_eq!(w.balance(d), before + spon(10));
}

/// Issue: a slash with 1 and with 1,000 delegators writes the same number
/// of storage slots (and runs the same instructions): O(1) on the real WASM.
#[test]
fn slash_writes_the_same_slots_with_1_and_1000_delegators() {
    let mut figures = Vec::new();
    for delegators in [1u64, 1_000] {
        let mut w = world();
        let p = a(1);
        w.fund(p, spon(1_000));
        w.staking_ok(
            p,
            &S::stakeCall {
                amount: spon(1_000),
            },
        );
        for i in 0..delegators {
            let d = a(0x10_000 + i);
            w.fund(d, SPON);
            w.staking_ok(
                d,
                &S::delegateCall {
                    provider: p,
                    amount: SPON,
                },
            );
        }
        let ch = w.challenges;
        w.staking_ok(
            ch,
            &S::openOffenceCall {
                provider: p,
                challenge_id: U256::from(1),
            },
        );
        let slash = S::slashCall {
            provider: p,
            bps: 2_500,
            challenge_id: U256::from(1),
            challenger: a(9),
            challenger_share_bps: 5_000,
        };
        let sent = w.staking(ch, &slash);
        let slashed = sent.result.unwrap().slash;
        assert_eq!(slashed, spon(1_000 + delegators) / U256::from(4));
        figures.push((
            delegators,
            sent.outcome.slots_written,
            sent.outcome.slots_read,
            sent.outcome.instructions,
        ));
    }
    println!("delegators, slots written, slots read, WASM instructions: {figures:?}");
    assert_eq!(
        figures[0].1, figures[1].1,
        "slots written differ: {figures:?}"
    );
    assert_eq!(figures[0].2, figures[1].2, "slots read differ: {figures:?}");
}

/// A provider proposes itself, governance approves it, its probe commits
/// an EIP-712-signed result (signed the way an alloy wallet signs typed
/// data, checked on chain through `ecrecover`), and `tierOf` reflects it.
#[test]
fn provider_registration_probe_commit_and_tier_through_the_abi() {
    use k256::ecdsa::SigningKey;
    use spon_e2e::{address_of, sign_probe, ProbeResult, HOPPER};
    use spon_node::{probe, Hardware, ProbeSummary};

    let mut w = world();
    let (provider, gov) = (a(1), w.gov);
    let key = SigningKey::from_slice(&[0x5A; 32]).unwrap();
    let probe_key = address_of(&key);

    w.fund(provider, spon(10_000));
    w.staking_ok(
        provider,
        &S::stakeCall {
            amount: spon(10_000),
        },
    );
    let spec = Hardware {
        bandwidth_mbps: 100_000,
        ..HOPPER
    };
    let propose = w.registry(
        provider,
        &R::proposeProviderCall {
            hardware: U256::from_be_bytes(spec.pack()),
            endpoint: "https://gpu-1.provider.example:8443".into(),
            tls_cert_hash: alloy_primitives::B256::repeat_byte(7),
            probe_key,
        },
    );
    propose.result.unwrap();
    let tier = |w: &mut World| {
        w.registry(provider, &R::tierOfCall { node: provider })
            .result
            .unwrap()
            .tier
    };
    assert_eq!(tier(&mut w), 7, "proposed, not approved");
    // Only governance approves.
    let refused = w.registry(
        provider,
        &R::approveProviderCall {
            node: provider,
            hardware: U256::from_be_bytes(spec.pack()),
        },
    );
    assert!(refused.result.err().unwrap().starts_with("Unauthorized("));
    w.registry(
        gov,
        &R::approveProviderCall {
            node: provider,
            hardware: U256::from_be_bytes(spec.pack()),
        },
    )
    .result
    .unwrap();

    let summary = ProbeSummary {
        timestamp: spon_devnet::GENESIS_TIME,
        gemm_gflops: 5_200_000,
        mem_bandwidth_gbps: 26_800,
        vram_mib: 8 * 81_000,
        gpu_count: 8,
        net_bandwidth_mbps: 94_000,
        latency_us: 900,
        flags: probe::FLAG_GPU,
    };
    let message = ProbeResult {
        node: provider,
        reportHash: alloy_primitives::B256::repeat_byte(0xAB),
        summary: U256::from_be_bytes(summary.pack()),
        challengeId: U256::ZERO,
        nonce: U256::ZERO,
    };
    let registry = w.registry;
    let sign = |m: &ProbeResult| sign_probe(&key, registry, m);
    let commit = |m: &ProbeResult, signature: Vec<u8>| R::commitProbeCall {
        node: m.node,
        report_hash: m.reportHash,
        summary: m.summary,
        challenge_id: m.challengeId,
        nonce: m.nonce.to(),
        signature: signature.into(),
    };
    // Relayed by anyone.
    let sent = w.registry(a(9), &commit(&message, sign(&message)));
    sent.result.unwrap();
    println!(
        "commitProbe: {} WASM instructions, {} slots written",
        sent.outcome.instructions, sent.outcome.slots_written
    );
    assert_eq!(tier(&mut w), 4, "approved, minimum stake, verified probe");
    let probe = w
        .registry(a(9), &R::probeOfCall { node: provider })
        .result
        .unwrap()
        .probe;
    assert_eq!((probe.summary, probe.nextNonce), (message.summary, 1));

    // Replayed, and tampered.
    let replay = w.registry(a(9), &commit(&message, sign(&message)));
    assert!(replay.result.err().unwrap().starts_with("InvalidNonce("));
    let mut next = message.clone();
    next.nonce = U256::from(1);
    let signature = sign(&next);
    next.summary += U256::from(1) << 64;
    let tampered = w.registry(a(9), &commit(&next, signature));
    assert!(tampered.result.err().unwrap().starts_with("WrongSigner("));

    // The probe goes stale after `probeMaxAge`.
    w.chain
        .advance(spon_node::DEFAULT_THRESHOLDS.probe_max_age + 1);
    assert_eq!(tier(&mut w), 7);
}

/// F-25 on the real WASM: the ecrecover precompile answers nothing for a
/// signature that recovers no key; the token must still name its refusal.
#[test]
fn a_permit_that_recovers_no_key_is_refused_by_name() {
    let mut w = world();
    let bank = w.bank;
    for (v, r) in [(27, [0xff; 32]), (29, [0x11; 32])] {
        let sent = w.token(
            bank,
            &T::permitCall {
                owner: bank,
                spender: a(5),
                value: U256::from(1),
                deadline: U256::MAX,
                v,
                r: r.into(),
                s: [0x11; 32].into(),
            },
        );
        let err = sent.result.err().expect("refused");
        assert!(err.starts_with("ECDSAInvalidSignature"), "{err}");
    }
}
