//! motsu tests of the rewards contract with the real SPON token, staking
//! and registry: eras checked in and paid into pools that delegators
//! share, every refusal with its state left as it was, forfeits, the
//! reserve, rescheduling, access, and a property test of random eras
//! (INV-17, INV-18).

use alloy_primitives::{Address, U256};
use motsu::prelude::*;
use proptest::prelude::*;
use spon_node::Hardware;
use spon_registry::Registry;
use spon_staking::Staking;
use spon_testkit::{a, hopper, probe_key as key, spon, Core, MOTSU_TIME, SUPPLY};
use spon_token::SponToken;

use super::*;

const RESERVE: u64 = 100_000;

fn now() -> u64 {
    clock::now(MOTSU_TIME)
}

struct World {
    token: Contract<SponToken>,
    staking: Contract<Staking>,
    registry: Contract<Registry>,
    rewards: Contract<Rewards>,
    gov: Address,
    bank: Address,
    /// Holds the staking and registry roles of the challenges contract.
    judge: Address,
}

fn world() -> World {
    let w = World {
        token: Contract::new(),
        staking: Contract::new(),
        registry: Contract::new(),
        rewards: Contract::new(),
        gov: a(0xA1),
        bank: a(0xB0),
        judge: a(0xC0),
    };
    w.token
        .sender(w.bank)
        .constructor(w.bank, SUPPLY)
        .motsu_unwrap();
    w.staking
        .sender(w.gov)
        .constructor(w.token.address(), w.gov, a(0xA2))
        .motsu_unwrap();
    w.registry
        .sender(w.gov)
        .constructor(w.staking.address(), w.gov)
        .motsu_unwrap();
    w.rewards
        .sender(w.gov)
        .constructor(
            w.token.address(),
            w.registry.address(),
            w.staking.address(),
            w.gov,
        )
        .motsu_unwrap();
    w.staking
        .sender(w.gov)
        .admin
        .set_role(spon_staking::roles::REWARDER, w.rewards.address(), true)
        .motsu_unwrap();
    w.staking
        .sender(w.gov)
        .admin
        .set_role(spon_staking::roles::CHALLENGES, w.judge, true)
        .motsu_unwrap();
    w.registry
        .sender(w.gov)
        .admin
        .set_role(spon_registry::roles::CHALLENGES, w.judge, true)
        .motsu_unwrap();
    w.token
        .sender(w.bank)
        .approve(w.rewards.address(), U256::MAX)
        .motsu_unwrap();
    w.rewards.sender(w.bank).fund(spon(RESERVE)).motsu_unwrap();
    w
}

fn gpus(n: u16) -> Hardware {
    Hardware {
        gpu_count: n,
        ..hopper(*b"DE", 10_000)
    }
}

impl World {
    fn core(&self) -> Core<'_> {
        Core {
            token: &self.token,
            staking: &self.staking,
            registry: &self.registry,
            bank: self.bank,
            gov: self.gov,
        }
    }

    /// An approved Provider node of `hw` with `stake` SPON and a probe
    /// measured now.
    fn provider(&self, node: Address, stake: u64, hw: &Hardware) {
        self.core().provider(node, stake, hw);
        self.probe(node, hw);
    }

    fn probe(&self, node: Address, hw: &Hardware) {
        self.core()
            .commit_probe(node, hw, now(), U256::ZERO, &key(node))
            .unwrap();
    }

    fn era(&self) -> u64 {
        self.rewards.sender(self.bank).current_era().era
    }

    /// Moves to when era `era`'s rewards are claimable.
    fn until_claimable(&self, era: u64) {
        let at = self.rewards.sender(self.bank).era_of(era).claimableAt;
        clock::advance(at.saturating_sub(now()));
    }

    /// Moves to the start of the next era.
    fn next_era(&self) {
        let ends = self.rewards.sender(self.bank).current_era().endsAt;
        clock::advance(ends - now());
    }

    fn expected_points(&self, node: Address, hw: &Hardware) -> u64 {
        let tier = self.registry.sender(node).tier_of(node).unwrap();
        era::points(
            hw.gpu_count,
            params::multiplier_of(hw.gpu_model).default,
            params::booster_of(tier).unwrap().default,
        )
    }

    fn balance(&self, who: Address) -> U256 {
        self.token.sender(who).balance_of(who)
    }

    fn not_eligible(&self, node: Address) -> u8 {
        match self
            .rewards
            .sender(self.bank)
            .check_in(node)
            .motsu_unwrap_err()
        {
            Error::NotEligible(NotEligible { reason, .. }) => reason,
            e => panic!("{e:?}"),
        }
    }
}

#[motsu::test]
fn an_era_pays_nodes_by_points_into_pools_that_delegators_share() {
    let w = world();
    let (big, small, delegator) = (a(1), a(2), a(0xD1));
    w.provider(big, 30_000, &gpus(8));
    w.provider(small, 10_000, &gpus(2));
    // A delegator with 60,000 SPON in the big pool (stake 30,000 own):
    // two thirds of the pool; the provider's commission is 10%.
    w.token
        .sender(w.bank)
        .transfer(delegator, spon(60_000))
        .motsu_unwrap();
    w.token
        .sender(delegator)
        .approve(w.staking.address(), U256::MAX)
        .motsu_unwrap();
    w.staking
        .sender(delegator)
        .delegate(big, spon(60_000))
        .motsu_unwrap();
    w.staking.sender(big).set_commission(1_000).motsu_unwrap();
    // An increase applies after its delay; then fresh probes.
    clock::advance(spon_staking::params::COMMISSION_CHANGE_DELAY.default);
    w.probe(big, &gpus(8));
    w.probe(small, &gpus(2));

    let era = w.era();
    let (pb, ps) = (
        w.expected_points(big, &gpus(8)),
        w.expected_points(small, &gpus(2)),
    );
    assert_eq!(w.rewards.sender(w.bank).check_in(big).motsu_unwrap(), pb);
    assert_eq!(w.rewards.sender(small).check_in(small).motsu_unwrap(), ps);
    w.rewards.assert_emitted(&CheckedIn {
        era,
        node: small,
        points: ps,
        tier: w.registry.sender(small).tier_of(small).unwrap(),
        gpus: 2,
        totalPoints: U256::from(pb + ps),
    });
    let e = w.rewards.sender(w.bank).era_of(era);
    assert_eq!(
        (e.totalPoints, e.nodes, e.locked),
        (U256::from(pb + ps), 2, false)
    );

    w.until_claimable(era);
    let budget = spon(params::ERA_BUDGET.default);
    let staking_before = w.balance(w.staking.address());
    let paid_big = w.rewards.sender(a(0x99)).claim(era, big).motsu_unwrap();
    w.rewards.assert_emitted(&EraBudgetLocked {
        era,
        budget,
        totalPoints: U256::from(pb + ps),
    });
    let paid_small = w.rewards.sender(a(0x99)).claim(era, small).motsu_unwrap();
    let total = U256::from(pb + ps);
    assert_eq!(paid_big, budget * U256::from(pb) / total);
    assert_eq!(paid_small, budget * U256::from(ps) / total);
    assert_eq!(
        w.balance(w.staking.address()) - staking_before,
        paid_big + paid_small
    );
    assert_eq!(
        w.balance(w.rewards.address()),
        spon(RESERVE) - paid_big - paid_small
    );
    assert_eq!(w.rewards.sender(w.bank).reserve(), spon(RESERVE) - budget);
    let e = w.rewards.sender(w.bank).era_of(era);
    assert_eq!(e.unpaid, budget - paid_big - paid_small);
    assert!(
        e.unpaid < U256::from(2),
        "rounding leaves under a wei a node"
    );

    // INV-18: once streamed, the delegator has its pool share of the
    // reward after commission, the provider the commission and its own
    // share (to the rounding of the pool's accumulator).
    clock::advance(spon_staking::params::REWARD_PERIOD.default);
    let commission = paid_big / U256::from(10);
    let to_stakers = paid_big - commission;
    let delegator_got = w.staking.sender(delegator).pending_rewards(big, delegator);
    let provider_got = w.staking.sender(big).pending_rewards(big, big);
    let close = |got: U256, want: U256| {
        let diff = if got > want { got - want } else { want - got };
        assert!(diff <= U256::from(1_000_000u64), "{got} vs {want}");
    };
    close(delegator_got, to_stakers * U256::from(2) / U256::from(3));
    close(provider_got, commission + to_stakers / U256::from(3));
    assert!(delegator_got + provider_got <= paid_big);
}

#[motsu::test]
fn check_in_refusals_name_their_reason_and_change_nothing() {
    let w = world();
    let (node, stranger) = (a(1), a(0x77));
    assert_eq!(w.not_eligible(stranger), reason::NOT_ACTIVE);
    w.provider(node, 10_000, &gpus(4));
    // A probe from before the era: none measured in it.
    w.next_era();
    assert_eq!(w.not_eligible(node), reason::NO_PROBE);
    w.probe(node, &gpus(4));
    // Maintenance: not Active.
    w.registry.sender(node).set_maintenance(true).motsu_unwrap();
    assert_eq!(w.not_eligible(node), reason::NOT_ACTIVE);
    w.registry
        .sender(node)
        .set_maintenance(false)
        .motsu_unwrap();
    // An offence open against it.
    w.staking
        .sender(w.judge)
        .open_offence(node, U256::from(1))
        .motsu_unwrap();
    assert_eq!(w.not_eligible(node), reason::OFFENCE_OPEN);
    let era = w.era();
    assert_eq!(
        w.rewards.sender(w.bank).era_of(era).totalPoints,
        U256::ZERO,
        "nothing recorded"
    );
    // Slashed: jailed.
    w.staking
        .sender(w.judge)
        .slash(node, 100, U256::from(1), w.judge, 0)
        .motsu_unwrap();
    assert_eq!(w.not_eligible(node), reason::JAILED);
    let c = w.rewards.sender(w.bank).check_in_of(era, node);
    assert_eq!(c, views::CheckIn::default());

    // A healthy node checks in once an era.
    let other = a(2);
    w.provider(other, 10_000, &gpus(1));
    w.rewards.sender(other).check_in(other).motsu_unwrap();
    let err = w.rewards.sender(other).check_in(other).motsu_unwrap_err();
    assert!(
        matches!(err, Error::AlreadyCheckedIn(AlreadyCheckedIn { era: e, node: n }) if e == era && n == other)
    );
    // Zero GPU multiplier: no points.
    w.rewards
        .sender(w.gov)
        .admin
        .set_parameter(params::multiplier_of(gpus(1).gpu_model).id, U256::ZERO)
        .motsu_unwrap();
    let third = a(3);
    w.provider(third, 10_000, &gpus(1));
    assert_eq!(w.not_eligible(third), reason::NO_POINTS);
}

#[motsu::test]
fn claims_wait_for_the_era_and_its_offences_and_pay_once() {
    let w = world();
    let node = a(1);
    w.provider(node, 10_000, &gpus(4));
    let era = w.era();
    w.rewards.sender(node).check_in(node).motsu_unwrap();
    let claimable = w.rewards.sender(node).era_of(era).claimableAt;
    let err = w.rewards.sender(node).claim(era, node).motsu_unwrap_err();
    assert!(
        matches!(err, Error::ClaimTooEarly(ClaimTooEarly { claimableAt, .. }) if claimableAt == claimable)
    );
    w.until_claimable(era);
    let err = w.rewards.sender(node).claim(era, a(2)).motsu_unwrap_err();
    assert!(matches!(err, Error::NothingToClaim(_)));
    // An offence opened after the era holds the claim until its ruling.
    w.staking
        .sender(w.judge)
        .open_offence(node, U256::from(9))
        .motsu_unwrap();
    let err = w.rewards.sender(node).claim(era, node).motsu_unwrap_err();
    assert!(matches!(err, Error::OffenceOpen(_)));
    assert!(!w.rewards.sender(node).era_of(era).locked, "nothing locked");
    // Dismissed: the claim goes through, once.
    w.staking
        .sender(w.judge)
        .close_offence(U256::from(9))
        .motsu_unwrap();
    let paid = w.rewards.sender(node).claim(era, node).motsu_unwrap();
    let budget = spon(params::ERA_BUDGET.default);
    assert_eq!(paid, budget, "the only node takes the whole budget");
    w.rewards.assert_emitted(&RewardPaid {
        era,
        node,
        amount: paid,
    });
    let err = w.rewards.sender(node).claim(era, node).motsu_unwrap_err();
    assert!(matches!(err, Error::NothingToClaim(_)));
    assert_eq!(
        w.rewards.sender(node).check_in_of(era, node).state,
        check_in_state::PAID
    );
}

#[motsu::test]
fn a_challenge_lost_or_a_jail_forfeits_the_era_to_the_reserve() {
    let w = world();
    let (loser, jailed, honest) = (a(1), a(2), a(3));
    for n in [loser, jailed, honest] {
        w.provider(n, 10_000, &gpus(4));
        w.rewards.sender(n).check_in(n).motsu_unwrap();
    }
    let era = w.era();
    // The loser loses a challenge (counted in the registry) after its
    // check-in; the jailed node is slashed (and jailed) in staking.
    w.registry
        .sender(w.judge)
        .record_challenge(loser, true)
        .motsu_unwrap();
    w.staking
        .sender(w.judge)
        .open_offence(jailed, U256::from(5))
        .motsu_unwrap();
    w.staking
        .sender(w.judge)
        .slash(jailed, 1_000, U256::from(5), w.judge, 0)
        .motsu_unwrap();
    w.until_claimable(era);
    let budget = spon(params::ERA_BUDGET.default);
    let third = budget / U256::from(3);
    let pool_before = w.balance(w.staking.address());
    for n in [loser, jailed] {
        assert_eq!(w.rewards.sender(n).claim(era, n).motsu_unwrap(), U256::ZERO);
        w.rewards.assert_emitted(&RewardForfeited {
            era,
            node: n,
            amount: third,
        });
        assert_eq!(
            w.rewards.sender(n).check_in_of(era, n).state,
            check_in_state::FORFEITED
        );
    }
    assert_eq!(w.balance(w.staking.address()), pool_before, "nothing paid");
    assert_eq!(
        w.rewards.sender(honest).claim(era, honest).motsu_unwrap(),
        third
    );
    // The forfeits are back in the reserve for later eras.
    assert_eq!(
        w.rewards.sender(w.bank).reserve(),
        spon(RESERVE) - budget + third * U256::from(2)
    );
}

#[motsu::test]
fn the_reserve_funds_eras_and_governance_takes_only_what_is_unallocated() {
    let w = world();
    let node = a(1);
    // An era budget above the reserve takes what the reserve holds.
    w.rewards
        .sender(w.gov)
        .admin
        .set_parameter(params::ERA_BUDGET.id, U256::from(RESERVE * 2))
        .motsu_unwrap();
    w.provider(node, 10_000, &gpus(1));
    w.rewards.sender(node).check_in(node).motsu_unwrap();
    let era = w.era();
    w.until_claimable(era);
    w.rewards.sender(node).claim(era, node).motsu_unwrap();
    assert_eq!(w.rewards.sender(w.bank).era_of(era).budget, spon(RESERVE));
    assert_eq!(w.rewards.sender(w.bank).reserve(), U256::ZERO);
    let err = w
        .rewards
        .sender(w.gov)
        .withdraw(w.gov, U256::from(1))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::InsufficientReserve(_)));
    // Funded again; governance may take it back, nobody else.
    w.rewards.sender(w.bank).fund(spon(5)).motsu_unwrap();
    let err = w
        .rewards
        .sender(node)
        .withdraw(node, spon(5))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)));
    let err = w.rewards.sender(w.bank).fund(U256::ZERO).motsu_unwrap_err();
    assert!(matches!(err, Error::ZeroAmount(_)));
    w.rewards
        .sender(w.gov)
        .withdraw(a(0x55), spon(5))
        .motsu_unwrap();
    assert_eq!(w.balance(a(0x55)), spon(5));
    w.rewards.assert_emitted(&ReserveWithdrawn {
        to: a(0x55),
        amount: spon(5),
    });
    // An era nobody checked in to pays nothing and takes nothing.
    w.next_era();
    let empty = w.era();
    w.until_claimable(empty);
    let err = w.rewards.sender(node).claim(empty, node).motsu_unwrap_err();
    assert!(matches!(err, Error::NothingToClaim(_)));
}

#[motsu::test]
fn the_era_length_changes_from_the_next_era_by_governance_only() {
    let w = world();
    let now_era = w.rewards.sender(w.bank).current_era();
    let err = w
        .rewards
        .sender(a(0x99))
        .set_era_length(2 * 3_600)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)));
    let err = w
        .rewards
        .sender(w.gov)
        .set_era_length(60)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::EraLengthOutOfBounds(_)));
    w.rewards
        .sender(w.gov)
        .set_era_length(2 * 3_600)
        .motsu_unwrap();
    w.rewards.assert_emitted(&EraLengthChanged {
        length: 2 * 3_600,
        fromEra: now_era.era + 1,
    });
    assert_eq!(
        w.rewards.sender(w.bank).current_era(),
        now_era,
        "this era unchanged"
    );
    w.next_era();
    let next = w.rewards.sender(w.bank).current_era();
    assert_eq!(next.era, now_era.era + 1);
    assert_eq!(next.endsAt - next.startsAt, 2 * 3_600);
    // The earlier era still reports its own end.
    assert_eq!(
        w.rewards.sender(w.bank).era_of(now_era.era).endsAt,
        now_era.endsAt
    );
}

#[motsu::test]
fn parameters_and_pause_are_governed() {
    let w = world();
    assert!(spon_contract_kit::is_table(&params::ALL));
    let err = w
        .rewards
        .sender(a(0x99))
        .admin
        .set_parameter(params::ERA_BUDGET.id, U256::from(1))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        spon_contract_kit::admin::Error::Unauthorized(_)
    ));
    w.rewards.sender(w.gov).admin.pause().motsu_unwrap();
    let node = a(1);
    w.provider(node, 10_000, &gpus(1));
    let err = w.rewards.sender(node).check_in(node).motsu_unwrap_err();
    assert!(matches!(err, Error::EnforcedPause(_)));
}

/// One step of the random eras.
#[derive(Debug, Clone)]
enum Step {
    /// Node `i` probes and checks in.
    CheckIn(usize),
    /// Node `i` loses a challenge.
    Lose(usize),
    /// Claim node `i`'s share of the previous era.
    Claim(usize),
    /// On to the next era.
    NextEra,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0usize..4).prop_map(Step::CheckIn),
        1 => (0usize..4).prop_map(Step::Lose),
        3 => (0usize..4).prop_map(Step::Claim),
        2 => Just(Step::NextEra),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(spon_testkit::cases(64)))]

    /// INV-17: over random eras of random check-ins, lost challenges and
    /// claims, an era never pays more than its budget; a paid node's share
    /// is `⌊budget · points / total⌋`; a node that lost a challenge after
    /// checking in is paid nothing; and every SPON the contract ever held
    /// is in its reserve, in an era's unpaid budget, or in staking.
    #[test]
    fn eras_pay_within_budget_by_points_and_nothing_to_losers(
        counts in proptest::collection::vec(1u16..16, 4),
        steps in proptest::collection::vec(step(), 1..30),
    ) {
        let _precompiles = motsu::prelude::deploy_precompiles();
        let w = world();
        let nodes: Vec<Address> = (1..=4).map(a).collect();
        for (n, c) in nodes.iter().zip(&counts) {
            w.provider(*n, 10_000, &gpus(*c));
        }
        let mut lost_since = std::collections::HashSet::new();
        let mut paid_total = U256::ZERO;
        let mut eras_seen = vec![w.era()];
        for s in steps {
            match s {
                Step::CheckIn(i) => {
                    w.probe(nodes[i], &gpus(counts[i]));
                    if w.rewards.sender(w.bank).check_in(nodes[i]).motsu_res().is_ok() {
                        lost_since.remove(&(w.era(), i));
                    }
                }
                Step::Lose(i) => {
                    w.registry.sender(w.judge).record_challenge(nodes[i], true).motsu_unwrap();
                    for e in &eras_seen {
                        lost_since.insert((*e, i));
                    }
                }
                Step::Claim(i) => {
                    let era = w.era().saturating_sub(1);
                    w.until_claimable(era);
                    if !eras_seen.contains(&w.era()) {
                        eras_seen.push(w.era());
                    }
                    let before = w.rewards.sender(w.bank).check_in_of(era, nodes[i]);
                    if let Ok(paid) = w.rewards.sender(w.bank).claim(era, nodes[i]).motsu_res() {
                        let e = w.rewards.sender(w.bank).era_of(era);
                        let share = era::share(e.budget, before.points, e.totalPoints);
                        if lost_since.contains(&(era, i)) {
                            prop_assert_eq!(paid, U256::ZERO);
                        } else {
                            prop_assert_eq!(paid, share);
                        }
                        paid_total += paid;
                    }
                }
                Step::NextEra => {
                    w.next_era();
                    eras_seen.push(w.era());
                }
            }
        }
        let mut unpaid = U256::ZERO;
        for e in &eras_seen {
            let v = w.rewards.sender(w.bank).era_of(*e);
            prop_assert!(v.unpaid <= v.budget);
            unpaid += v.unpaid;
        }
        let reserve = w.rewards.sender(w.bank).reserve();
        prop_assert_eq!(w.balance(w.rewards.address()), reserve + unpaid);
        prop_assert_eq!(reserve + unpaid + paid_total, spon(RESERVE));
    }
}

#[motsu::test]
fn points_count_only_gpus_both_declared_and_found() {
    let w = world();
    let (short, modest) = (a(1), a(2));
    // A probe that finds 2 of the 8 GPUs declared: the registry's tier
    // calls the node untrusted, which earns nothing.
    w.provider(short, 10_000, &gpus(8));
    w.probe(short, &gpus(2));
    assert_eq!(w.not_eligible(short), reason::UNTRUSTED);
    // A probe that finds more than declared: only the declared count.
    w.provider(modest, 10_000, &gpus(2));
    w.probe(modest, &gpus(8));
    let points = w.rewards.sender(modest).check_in(modest).motsu_unwrap();
    assert_eq!(points, w.expected_points(modest, &gpus(2)));
}

#[motsu::test]
fn a_pool_emptied_after_check_in_returns_its_share_to_the_reserve() {
    let w = world();
    let node = a(1);
    w.provider(node, 10_000, &gpus(4));
    w.rewards.sender(node).check_in(node).motsu_unwrap();
    let era = w.era();
    w.staking
        .sender(node)
        .request_unstake(spon(10_000))
        .motsu_unwrap();
    w.until_claimable(era);
    assert_eq!(
        w.rewards.sender(node).claim(era, node).motsu_unwrap(),
        U256::ZERO
    );
    let budget = spon(params::ERA_BUDGET.default);
    w.rewards.assert_emitted(&RewardForfeited {
        era,
        node,
        amount: budget,
    });
    assert_eq!(w.rewards.sender(node).reserve(), spon(RESERVE));
}
