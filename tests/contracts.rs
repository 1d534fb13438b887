//! The token and staking contracts' real WASM on the in-process chain,
//! driven through their exported ABIs.

use alloy_primitives::{uint, Address, U256};
use spon_devnet::Chain;
use spon_e2e::{deploy, send, SponStaking as S, SponToken as T};

const SPON: U256 = uint!(1_000000000000000000_U256);

fn a(n: u64) -> Address {
    Address::left_padding_from(&n.to_be_bytes())
}

struct World {
    chain: Chain,
    token: Address,
    staking: Address,
    bank: Address,
    challenges: Address,
}

fn world() -> World {
    let mut chain = Chain::new();
    let (bank, gov, treasury, challenges) = (a(0xB0), a(0xA1), a(0xA2), a(0xA3));
    let supply = SPON * U256::from(1_000_000_000u64);
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
    let role = S::setRoleCall {
        role: 1,
        account: challenges,
        enabled: true,
    };
    send(&mut chain, gov, staking, &role)
        .unwrap()
        .result
        .unwrap();
    World {
        chain,
        token,
        staking,
        bank,
        challenges,
    }
}

impl World {
    /// Gives `who` `amount` SPON and approves the staking contract.
    fn fund(&mut self, who: Address, amount: U256) {
        let t = T::transferCall {
            to: who,
            value: amount,
        };
        send(&mut self.chain, self.bank, self.token, &t)
            .unwrap()
            .result
            .unwrap();
        let ap = T::approveCall {
            spender: self.staking,
            value: U256::MAX,
        };
        send(&mut self.chain, who, self.token, &ap)
            .unwrap()
            .result
            .unwrap();
    }

    fn balance(&mut self, who: Address) -> U256 {
        send(
            &mut self.chain,
            who,
            self.token,
            &T::balanceOfCall { account: who },
        )
        .unwrap()
        .result
        .unwrap()
        ._0
    }
}

#[test]
fn token_through_its_abi() {
    let mut w = world();
    let supply = send(&mut w.chain, w.bank, w.token, &T::totalSupplyCall {}).unwrap();
    assert_eq!(
        supply.result.unwrap()._0,
        SPON * U256::from(1_000_000_000u64)
    );
    let name = send(&mut w.chain, w.bank, w.token, &T::nameCall {}).unwrap();
    assert_eq!(name.result.unwrap()._0, "SPON");

    let alice = a(1);
    let sent = send(
        &mut w.chain,
        w.bank,
        w.token,
        &T::transferCall {
            to: alice,
            value: SPON,
        },
    )
    .unwrap();
    assert!(sent.result.unwrap()._0);
    assert_eq!(sent.outcome.logs.len(), 1);
    assert_eq!(w.balance(alice), SPON);

    // A refusal comes back as the named custom error, and changes nothing.
    let over = send(
        &mut w.chain,
        alice,
        w.token,
        &T::transferCall {
            to: w.bank,
            value: SPON + U256::from(1),
        },
    )
    .unwrap();
    let err = over.result.err().expect("reverts");
    assert!(err.contains("ERC20InsufficientBalance"), "{err}");
    assert_eq!(w.balance(alice), SPON);
}

#[test]
fn stake_delegate_unbond_withdraw_through_the_abi() {
    let mut w = world();
    let (p, d) = (a(1), a(2));
    w.fund(p, SPON * U256::from(100));
    w.fund(d, SPON * U256::from(100));
    send(
        &mut w.chain,
        p,
        w.staking,
        &S::stakeCall {
            amount: SPON * U256::from(40),
        },
    )
    .unwrap()
    .result
    .unwrap();
    send(
        &mut w.chain,
        d,
        w.staking,
        &S::delegateCall {
            provider: p,
            amount: SPON * U256::from(60),
        },
    )
    .unwrap()
    .result
    .unwrap();
    let stake = send(&mut w.chain, d, w.staking, &S::stakeOfCall { provider: p }).unwrap();
    assert_eq!(stake.result.unwrap()._0, SPON * U256::from(100));

    let id = send(
        &mut w.chain,
        d,
        w.staking,
        &S::undelegateCall {
            provider: p,
            amount: SPON * U256::from(10),
        },
    )
    .unwrap()
    .result
    .unwrap()
    ._0;
    let early = send(
        &mut w.chain,
        d,
        w.staking,
        &S::withdrawCall { request_id: id },
    )
    .unwrap();
    assert!(early
        .result
        .err()
        .expect("reverts")
        .contains("UnbondingNotFinished"));
    w.chain.advance(14 * 86_400);
    let before = w.balance(d);
    send(
        &mut w.chain,
        d,
        w.staking,
        &S::withdrawCall { request_id: id },
    )
    .unwrap()
    .result
    .unwrap();
    assert_eq!(w.balance(d), before + SPON * U256::from(10));
}

/// Issue: a slash with 1 and with 1,000 delegators writes the same number
/// of storage slots (and runs the same instructions): O(1) on the real WASM.
#[test]
fn slash_writes_the_same_slots_with_1_and_1000_delegators() {
    let mut figures = Vec::new();
    for delegators in [1u64, 1_000] {
        let mut w = world();
        let p = a(1);
        w.fund(p, SPON * U256::from(1_000));
        send(
            &mut w.chain,
            p,
            w.staking,
            &S::stakeCall {
                amount: SPON * U256::from(1_000),
            },
        )
        .unwrap()
        .result
        .unwrap();
        for i in 0..delegators {
            let d = a(0x10_000 + i);
            w.fund(d, SPON);
            send(
                &mut w.chain,
                d,
                w.staking,
                &S::delegateCall {
                    provider: p,
                    amount: SPON,
                },
            )
            .unwrap()
            .result
            .unwrap();
        }
        let ch = w.challenges;
        send(
            &mut w.chain,
            ch,
            w.staking,
            &S::openOffenceCall {
                provider: p,
                challenge_id: U256::from(1),
            },
        )
        .unwrap()
        .result
        .unwrap();
        let slash = S::slashCall {
            provider: p,
            bps: 2_500,
            challenge_id: U256::from(1),
            challenger: a(9),
            challenger_share_bps: 5_000,
        };
        let sent = send(&mut w.chain, ch, w.staking, &slash).unwrap();
        let slashed = sent.result.unwrap()._0;
        assert_eq!(
            slashed,
            SPON * U256::from(1_000 + delegators) / U256::from(4)
        );
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
