//! The token and staking contracts' real WASM on the in-process chain,
//! driven through their exported ABIs.

use alloy_primitives::{uint, Address, U256};
use alloy_sol_types::SolCall;
use spon_devnet::Chain;
use spon_e2e::{deploy, send, Sent, SponStaking as S, SponToken as T};

const SPON: U256 = uint!(1_000000000000000000_U256);

fn a(n: u64) -> Address {
    Address::left_padding_from(&n.to_be_bytes())
}

fn spon(n: u64) -> U256 {
    SPON * U256::from(n)
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
    let mut w = World {
        chain,
        token,
        staking,
        bank,
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
            ._0
    }
}

#[test]
fn token_through_its_abi() {
    let mut w = world();
    let bank = w.bank;
    let supply = w.token(bank, &T::totalSupplyCall {});
    assert_eq!(supply.result.unwrap()._0, spon(1_000_000_000));
    let name = w.token(bank, &T::nameCall {});
    assert_eq!(name.result.unwrap()._0, "SPON");

    let alice = a(1);
    let sent = w.token(
        bank,
        &T::transferCall {
            to: alice,
            value: SPON,
        },
    );
    assert!(sent.result.unwrap()._0);
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
        w.staking_ok(d, &S::stakeOfCall { provider: p })._0,
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
        ._0;
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
        let slashed = sent.result.unwrap()._0;
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
