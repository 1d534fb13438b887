//! Properties of the pool arithmetic against a plain reference model that
//! keeps every staker's balance explicitly (O(n) per slash).
//! INV-4 (claims), INV-5 (proportional slash), INV-6 (unbonding value),
//! INV-7 (rewards).
#![allow(clippy::needless_range_loop)] // stakers are indices into parallel arrays

use proptest::prelude::*;

use super::*;

const STAKERS: usize = 6;

#[derive(Debug, Clone)]
enum Op {
    Deposit(usize, u64),
    Unbond(usize, u64),
    /// Withdraw the oldest pending request of a staker.
    Withdraw(usize),
    Slash(u64),
    /// Fund a reward streaming over a period of seconds.
    Reward(u64, u64),
    /// Let seconds pass.
    Wait(u64),
    Claim(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..STAKERS, 1u64..1_000_000_000_000).prop_map(|(s, a)| Op::Deposit(s, a)),
        2 => (0..STAKERS, 1u64..1_000_000_000_000).prop_map(|(s, a)| Op::Unbond(s, a)),
        1 => (0..STAKERS).prop_map(Op::Withdraw),
        1 => (0u64..=BPS).prop_map(Op::Slash),
        2 => (1u64..1_000_000_000_000, 1u64..1_000).prop_map(|(a, p)| Op::Reward(a, p)),
        2 => (0u64..2_000).prop_map(Op::Wait),
        1 => (0..STAKERS).prop_map(Op::Claim),
    ]
}

/// The plain model: explicit balances.
#[derive(Default)]
struct Model {
    active: [u128; STAKERS],
    /// (staker, tokens) pending withdrawal.
    unbonding: Vec<(usize, u128)>,
}

#[derive(Default)]
struct Contract {
    pool: Pool,
    shares: [U256; STAKERS],
    debt: [U256; STAKERS],
    owed: [U256; STAKERS],
    requests: Vec<(usize, U256)>,
    /// Operations on each staker that may round (deposit, unbond, slash):
    /// each may cost it at most one wei against the explicit model.
    roundings: [u32; STAKERS],
    funded: U256,
    paid: U256,
    slashes: u32,
}

impl Contract {
    fn settle(&mut self, s: usize) {
        let accrued = self.pool.accrued(self.shares[s], self.debt[s]);
        self.owed[s] += accrued;
    }
    fn reset_debt(&mut self, s: usize) {
        self.debt[s] = self.pool.reward_debt(self.shares[s]);
    }
    fn pending(&self, s: usize) -> U256 {
        self.owed[s] + self.pool.accrued(self.shares[s], self.debt[s])
    }
}

fn u(x: u128) -> U256 {
    U256::from(x)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::pool::tests_cases(256)))]

    #[test]
    fn pool_matches_model(ops in proptest::collection::vec(op(), 1..60)) {
        let mut c = Contract::default();
        let mut m = Model::default();
        let mut now = 1_000u64;
        for op in ops {
            // As the contract does: the stream is accrued before anything.
            c.pool.accrue(now);
            match op {
                Op::Wait(secs) => now += secs,
                Op::Deposit(s, a) => {
                    c.settle(s);
                    match c.pool.deposit(u(a.into())) {
                        Ok(minted) => {
                            c.roundings[s] += 1;
                            c.shares[s] += minted;
                            m.active[s] += u128::from(a);
                        }
                        Err(PoolError::Wiped) => prop_assert!(c.pool.tokens.is_zero()),
                        Err(e) => prop_assert!(false, "deposit refused: {e:?}"),
                    }
                    c.reset_debt(s);
                }
                Op::Unbond(s, a) => {
                    c.settle(s);
                    let claim = c.pool.claim(c.shares[s]);
                    let before = c.pool;
                    match c.pool.unbond(c.shares[s], u(a.into())) {
                        Ok((burned, minted)) => {
                            prop_assert!(u(a.into()) <= claim);
                            c.roundings[s] += 1;
                            c.shares[s] -= burned;
                            c.requests.push((s, minted));
                            let a = u128::from(a);
                            // The model's balance may be a few wei off the
                            // claim after slashes: move what the pool moved.
                            m.active[s] = m.active[s].saturating_sub(a);
                            m.unbonding.push((s, a));
                        }
                        Err(PoolError::Insufficient { available }) => {
                            prop_assert_eq!(available, claim);
                            prop_assert!(u(a.into()) > claim);
                            prop_assert_eq!(c.pool, before);
                        }
                        Err(_) => prop_assert_eq!(c.pool, before),
                    }
                    c.reset_debt(s);
                }
                Op::Withdraw(s) => {
                    if let Some(i) = c.requests.iter().position(|r| r.0 == s) {
                        let (_, shares) = c.requests.remove(i);
                        let j = m.unbonding.iter().position(|r| r.0 == s).unwrap();
                        let (_, model_amount) = m.unbonding.remove(j);
                        let paid = c.pool.withdraw(shares);
                        // INV-6: unbonding stake is worth what went in, less
                        // slashes (never more).
                        prop_assert!(paid <= u(model_amount) + U256::from(c.slashes));
                        let diff = if paid > u(model_amount) { paid - u(model_amount) } else { u(model_amount) - paid };
                        prop_assert!(diff <= U256::from(c.slashes + 1), "withdrew {paid}, model {model_amount}");
                    }
                }
                Op::Slash(bps) => {
                    let claims: Vec<U256> = (0..STAKERS).map(|s| c.pool.claim(c.shares[s])).collect();
                    let total = c.pool.tokens + c.pool.unbonding_tokens;
                    let taken = c.pool.slash(bps);
                    prop_assert_eq!(total - taken, c.pool.tokens + c.pool.unbonding_tokens);
                    // INV-5: every claim falls by `bps` (±1 wei, never up).
                    for s in 0..STAKERS {
                        let after = c.pool.claim(c.shares[s]);
                        let expected = claims[s] * U256::from(BPS - bps) / U256::from(BPS);
                        prop_assert!(after <= expected + U256::from(1));
                        prop_assert!(after + U256::from(1) >= expected, "claim {after} expected {expected}");
                        prop_assert!(after <= claims[s]);
                    }
                    for b in m.active.iter_mut() {
                        *b -= (*b * u128::from(bps)).div_ceil(u128::from(BPS));
                    }
                    for r in m.unbonding.iter_mut() {
                        r.1 -= (r.1 * u128::from(bps)).div_ceil(u128::from(BPS));
                    }
                    c.slashes += 1;
                    for r in c.roundings.iter_mut() {
                        *r += 1;
                    }
                }
                Op::Reward(a, period) => {
                    match c.pool.distribute(u(a.into()), now, period) {
                        Ok(dust) => {
                            prop_assert!(dust <= u(a.into()));
                            c.funded += u(a.into());
                        }
                        Err(PoolError::NoShares) => prop_assert!(c.pool.shares.is_zero()),
                        Err(e) => prop_assert!(false, "reward refused: {e:?}"),
                    }
                }
                Op::Claim(s) => {
                    c.settle(s);
                    c.paid += c.owed[s];
                    c.owed[s] = U256::ZERO;
                    c.reset_debt(s);
                }
            }

            // INV-4: claims never exceed the pool; the shortfall is dust.
            let sum_shares: U256 = c.shares.iter().copied().fold(U256::ZERO, |a, b| a + b);
            prop_assert_eq!(sum_shares, c.pool.shares);
            let claims: U256 = (0..STAKERS).map(|s| c.pool.claim(c.shares[s])).fold(U256::ZERO, |a, b| a + b);
            prop_assert!(claims <= c.pool.tokens);
            prop_assert!(c.pool.tokens - claims < U256::from(STAKERS), "shortfall {}", c.pool.tokens - claims);
            let ub_shares: U256 = c.requests.iter().map(|r| r.1).fold(U256::ZERO, |a, b| a + b);
            prop_assert_eq!(ub_shares, c.pool.unbonding_shares);
            let ub_claims: U256 = c.requests.iter().map(|r| c.pool.unbonding_claim(r.1)).fold(U256::ZERO, |a, b| a + b);
            prop_assert!(ub_claims <= c.pool.unbonding_tokens);
            prop_assert!(c.pool.unbonding_tokens - ub_claims < U256::from(c.requests.len().max(1)));
            // Claims track the explicit model: a staker loses at most one wei
            // per rounding operation of its own, and gains at most the dust
            // that every rounding leaves in the pool.
            let all_roundings: u32 = c.roundings.iter().sum();
            for s in 0..STAKERS {
                let claim = c.pool.claim(c.shares[s]);
                let model = u(m.active[s]);
                prop_assert!(claim <= model + U256::from(all_roundings), "staker {s}: claim {claim}, model {model}");
                prop_assert!(claim + U256::from(c.roundings[s] + 1) >= model, "staker {s}: claim {claim}, model {model}");
            }
            // INV-15: no sub-pool holds shares with no tokens behind them.
            prop_assert!(c.pool.shares.is_zero() || !c.pool.tokens.is_zero());
            prop_assert!(c.pool.unbonding_shares.is_zero() || !c.pool.unbonding_tokens.is_zero());
            // INV-7: rewards paid plus rewards claimable never exceed funding.
            let pending: U256 = (0..STAKERS).map(|s| c.pending(s)).fold(U256::ZERO, |a, b| a + b);
            prop_assert!(c.paid + pending <= c.funded, "paid {} + pending {pending} > funded {}", c.paid, c.funded);
        }
    }
}

#[test]
fn first_deposit_mints_one_share_per_token() {
    let mut p = Pool::default();
    assert_eq!(p.deposit(U256::from(100)).unwrap(), U256::from(100));
    assert_eq!(p.claim(U256::from(100)), U256::from(100));
}

#[test]
fn a_full_slash_leaves_one_wei_and_the_pool_takes_stake_again() {
    let mut p = Pool::default();
    let old = p.deposit(U256::from(100)).unwrap();
    p.unbond(old, U256::from(10)).unwrap();
    assert_eq!(p.slash(BPS), U256::from(89 + 9));
    assert_eq!(
        (p.tokens, p.unbonding_tokens),
        (U256::from(1), U256::from(1))
    );
    // New stake mints at the fallen rate: the old shares keep their wei.
    let new = p.deposit(U256::from(5)).unwrap();
    assert_eq!(p.claim(new), U256::from(5));
    assert_eq!(p.claim(p.shares - new), U256::from(1));
}

#[test]
fn slash_rounds_up() {
    let mut p = Pool::default();
    p.deposit(U256::from(3)).unwrap();
    // 1 bps of 3 is 0.0003: rounded up to 1.
    assert_eq!(p.slash(1), U256::from(1));
    assert_eq!(p.tokens, U256::from(2));
}

#[test]
fn unbond_whole_claim_burns_every_share() {
    let mut p = Pool::default();
    let a = p.deposit(U256::from(10)).unwrap();
    let b = p.deposit(U256::from(7)).unwrap();
    p.slash(3_333);
    let claim = p.claim(a);
    let (burned, _) = p.unbond(a, claim).unwrap();
    assert_eq!(burned, a);
    assert_eq!(p.shares, b);
}

#[test]
fn unbond_above_claim_is_refused() {
    let mut p = Pool::default();
    let a = p.deposit(U256::from(10)).unwrap();
    let before = p;
    assert_eq!(
        p.unbond(a, U256::from(11)),
        Err(PoolError::Insufficient {
            available: U256::from(10)
        })
    );
    assert_eq!(p, before);
}

#[test]
fn reward_needs_shares_and_reports_dust() {
    let mut p = Pool::default();
    assert_eq!(p.distribute(U256::from(5), 0, 1), Err(PoolError::NoShares));
    p.deposit(U256::from(3)).unwrap();
    let dust = p.distribute(U256::from(10), 0, 1).unwrap();
    p.accrue(1);
    // The accumulator's per-share rounding may keep a wei more.
    let paid = p.accrued(U256::from(3), U256::ZERO) + dust;
    assert!(
        paid <= U256::from(10) && paid + U256::from(1) >= U256::from(10),
        "{paid}"
    );
}

#[test]
fn a_reward_streams_by_the_time_staked() {
    let mut p = Pool::default();
    let early = p.deposit(U256::from(1_000)).unwrap();
    p.distribute(U256::from(1_000_000), 0, 100).unwrap();
    p.accrue(50);
    // Halfway, an equal stake joins: it earns a quarter of the reward.
    let late = p.deposit(U256::from(1_000)).unwrap();
    let debt = p.reward_debt(late);
    p.accrue(100);
    let (e, l) = (p.accrued(early, U256::ZERO), p.accrued(late, debt));
    assert_eq!((e, l), (U256::from(750_000), U256::from(250_000)));
    // Later rewards carry what is left of the stream.
    p.distribute(U256::from(1_000), 100, 10).unwrap();
    p.accrue(1_000);
    assert!(p.accrued(early, U256::ZERO) <= U256::from(750_500));
    // No shares: the stream pauses (its end moves on) instead of being lost.
    let mut q = Pool::default();
    let s = q.deposit(U256::from(10)).unwrap();
    q.distribute(U256::from(100), 0, 10).unwrap();
    q.accrue(5);
    q.unbond(s, U256::from(10)).unwrap();
    q.accrue(1_000);
    assert_eq!(q.reward_end, 10 + 995);
}
