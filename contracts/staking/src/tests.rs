//! motsu tests of the staking contract through its public functions, with
//! the real SPON token contract, and contract-level properties
//! (INV-1, INV-4, INV-6, INV-7, INV-13).

use alloy_primitives::{uint, Address, U256};
use motsu::prelude::*;
use proptest::prelude::*;
use spon_token::SponToken;

use super::*;
use spon_contract_kit::admin::Error as AdminError;

const SPON: U256 = uint!(1_000000000000000000_U256);
const SUPPLY: U256 = uint!(1_000_000_000_000000000000000000_U256);
const DAY: u64 = params::DAY;

struct World {
    token: Contract<SponToken>,
    staking: Contract<Staking>,
    gov: Address,
    treasury: Address,
    challenges: Address,
    rewarder: Address,
}

/// Deploys SPON and staking, wires the roles, and gives each of `holders`
/// 1,000,000 SPON approved to the staking contract.
fn world(holders: &[Address]) -> World {
    let w = World {
        token: Contract::new(),
        staking: Contract::new(),
        gov: Address::with_last_byte(0xA1),
        treasury: Address::with_last_byte(0xA2),
        challenges: Address::with_last_byte(0xA3),
        rewarder: Address::with_last_byte(0xA4),
    };
    let bank = Address::with_last_byte(0xB0);
    w.token
        .sender(bank)
        .constructor(bank, SUPPLY)
        .motsu_unwrap();
    w.staking
        .sender(w.gov)
        .constructor(w.token.address(), w.gov, w.treasury)
        .motsu_unwrap();
    w.staking
        .sender(w.gov)
        .admin
        .set_role(roles::CHALLENGES, w.challenges, true)
        .motsu_unwrap();
    w.staking
        .sender(w.gov)
        .admin
        .set_role(roles::REWARDER, w.rewarder, true)
        .motsu_unwrap();
    for h in holders.iter().chain([&w.rewarder]) {
        w.token
            .sender(bank)
            .transfer(*h, SPON * U256::from(1_000_000))
            .motsu_unwrap();
        w.token
            .sender(*h)
            .approve(w.staking.address(), U256::MAX)
            .motsu_unwrap();
    }
    w
}

impl World {
    fn balance(&self, a: Address) -> U256 {
        self.token.sender(a).balance_of(a)
    }

    /// INV-1 for the staking contract: every SPON it holds is stake,
    /// unbonding stake or reward reserve.
    fn assert_accounted(&self) {
        let s = self.staking.sender(self.gov);
        assert_eq!(
            self.balance(self.staking.address()),
            s.total_staked() + s.reserves().unbonding + s.reserves().rewards
        );
    }
}

fn a(n: u8) -> Address {
    Address::with_last_byte(n)
}

/// Whether a streamed reward `x` is `want` less at most the stream's
/// rounding dust (a millionth of a millionth of a SPON).
fn about(x: U256, want: U256) -> bool {
    x <= want && want - x < U256::from(1_000_000)
}

#[motsu::test]
fn stake_creates_pool_and_moves_tokens() {
    let p = a(1);
    let w = world(&[p]);
    w.staking
        .sender(p)
        .stake(SPON * U256::from(100))
        .motsu_unwrap();
    let s = w.staking.sender(p);
    assert_eq!(s.stake_of(p), SPON * U256::from(100));
    assert_eq!(s.self_stake_of(p), SPON * U256::from(100));
    assert_eq!(s.total_staked(), SPON * U256::from(100));
    assert_eq!(w.balance(w.staking.address()), SPON * U256::from(100));
    w.staking.assert_emitted(&Staked {
        provider: p,
        staker: p,
        amount: SPON * U256::from(100),
        shares: SPON * U256::from(100),
    });
    w.assert_accounted();
}

#[motsu::test]
fn zero_amounts_are_refused() {
    let (p, d) = (a(1), a(2));
    let w = world(&[p, d]);
    let err = w.staking.sender(p).stake(U256::ZERO).motsu_unwrap_err();
    assert!(matches!(err, Error::ZeroAmount(_)));
    w.staking.sender(p).stake(SPON).motsu_unwrap();
    let err = w
        .staking
        .sender(d)
        .delegate(p, U256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::ZeroAmount(_)));
    let err = w
        .staking
        .sender(p)
        .request_unstake(U256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::ZeroAmount(_)));
    assert_eq!(w.staking.sender(p).total_staked(), SPON);
}

#[motsu::test]
fn delegation_to_unknown_provider_is_refused() {
    let (p, d) = (a(1), a(2));
    let w = world(&[p, d]);
    let err = w.staking.sender(d).delegate(p, SPON).motsu_unwrap_err();
    assert!(matches!(err, Error::UnknownProvider(UnknownProvider { provider }) if provider == p));
    assert_eq!(w.staking.sender(d).total_staked(), U256::ZERO);
    assert_eq!(w.balance(d), SPON * U256::from(1_000_000));
}

#[motsu::test]
fn stake_without_allowance_is_refused_and_changes_nothing() {
    let p = a(1);
    let w = world(&[p]);
    w.token
        .sender(p)
        .approve(w.staking.address(), U256::ZERO)
        .motsu_unwrap();
    let err = w.staking.sender(p).stake(SPON).motsu_unwrap_err();
    assert!(matches!(err, Error::SafeErc20FailedOperation(_)));
    let s = w.staking.sender(p);
    assert_eq!(s.stake_of(p), U256::ZERO);
    assert_eq!(s.total_staked(), U256::ZERO);
    assert_eq!(s.pool_of(p), views::Pool::default());
    w.assert_accounted();
}

#[motsu::test]
fn delegate_unbond_and_withdraw_after_the_period() {
    let (p, d) = (a(1), a(2));
    let w = world(&[p, d]);
    w.staking
        .sender(p)
        .stake(SPON * U256::from(10))
        .motsu_unwrap();
    w.staking
        .sender(d)
        .delegate(p, SPON * U256::from(30))
        .motsu_unwrap();
    assert_eq!(w.staking.sender(d).stake_of(p), SPON * U256::from(40));
    assert_eq!(
        w.staking.sender(d).delegation_of(p, d),
        SPON * U256::from(30)
    );

    let id = w
        .staking
        .sender(d)
        .undelegate(p, SPON * U256::from(12))
        .motsu_unwrap();
    let release = clock::now(1_735_689_600) + 14 * DAY;
    w.staking.assert_emitted(&UnbondingStarted {
        requestId: id,
        provider: p,
        staker: d,
        amount: SPON * U256::from(12),
        releaseAt: release,
    });
    let s = w.staking.sender(d);
    assert_eq!(s.delegation_of(p, d), SPON * U256::from(18));
    assert_eq!(s.stake_of(p), SPON * U256::from(28));
    assert_eq!(s.reserves().unbonding, SPON * U256::from(12));
    assert_eq!(
        s.unbonding_request(id),
        views::UnbondingRequest {
            provider: p,
            staker: d,
            worth: SPON * U256::from(12),
            releaseAt: release
        }
    );
    w.assert_accounted();

    // INV-6: not a second before the period ends.
    clock::advance(14 * DAY - 1);
    let err = w.staking.sender(d).withdraw(id).motsu_unwrap_err();
    assert!(
        matches!(err, Error::UnbondingNotFinished(UnbondingNotFinished { releaseAt, .. }) if releaseAt == release)
    );
    clock::advance(1);
    let before = w.balance(d);
    assert_eq!(
        w.staking.sender(d).withdraw(id).motsu_unwrap(),
        SPON * U256::from(12)
    );
    assert_eq!(w.balance(d), before + SPON * U256::from(12));
    w.staking.assert_emitted(&Withdrawn {
        requestId: id,
        provider: p,
        staker: d,
        amount: SPON * U256::from(12),
    });
    w.assert_accounted();

    // Over-withdraw: the request is spent.
    let err = w.staking.sender(d).withdraw(id).motsu_unwrap_err();
    assert!(matches!(err, Error::UnknownRequest(_)));
    assert_eq!(w.balance(d), before + SPON * U256::from(12));
}

#[motsu::test]
fn over_unbonding_is_refused_and_changes_nothing() {
    let (p, d) = (a(1), a(2));
    let w = world(&[p, d]);
    w.staking.sender(p).stake(SPON).motsu_unwrap();
    w.staking.sender(d).delegate(p, SPON).motsu_unwrap();
    let pool = w.staking.sender(d).pool_of(p);
    let err = w
        .staking
        .sender(d)
        .undelegate(p, SPON + U256::from(1))
        .motsu_unwrap_err();
    assert!(
        matches!(err, Error::InsufficientStake(InsufficientStake { requested, available })
        if requested == SPON + U256::from(1) && available == SPON)
    );
    assert_eq!(w.staking.sender(d).pool_of(p), pool);
    assert_eq!(w.staking.sender(d).reserves().unbonding, U256::ZERO);
}

#[motsu::test]
fn withdraw_by_someone_else_is_refused() {
    let (p, d) = (a(1), a(2));
    let w = world(&[p, d]);
    w.staking.sender(p).stake(SPON).motsu_unwrap();
    let id = w.staking.sender(p).request_unstake(SPON).motsu_unwrap();
    clock::advance(15 * DAY);
    let err = w.staking.sender(d).withdraw(id).motsu_unwrap_err();
    assert!(matches!(err, Error::NotRequestOwner(NotRequestOwner { owner, .. }) if owner == p));
    assert_eq!(w.staking.sender(p).withdraw(id).motsu_unwrap(), SPON);
}

#[motsu::test]
fn open_offence_freezes_withdrawals_until_closed() {
    let p = a(1);
    let w = world(&[p]);
    w.staking.sender(p).stake(SPON).motsu_unwrap();
    let id = w.staking.sender(p).request_unstake(SPON).motsu_unwrap();
    w.staking
        .sender(w.challenges)
        .open_offence(p, U256::from(7))
        .motsu_unwrap();
    w.staking.assert_emitted(&OffenceOpened {
        provider: p,
        challengeId: U256::from(7),
    });
    clock::advance(30 * DAY);
    let err = w.staking.sender(p).withdraw(id).motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::WithdrawalFrozen(WithdrawalFrozen { open: 1, .. })
    ));
    let err = w
        .staking
        .sender(w.challenges)
        .open_offence(p, U256::from(7))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::OffenceAlreadyOpen(_)));
    w.staking
        .sender(w.challenges)
        .close_offence(U256::from(7))
        .motsu_unwrap();
    w.staking.assert_emitted(&OffenceClosed {
        provider: p,
        challengeId: U256::from(7),
    });
    let err = w
        .staking
        .sender(w.challenges)
        .close_offence(U256::from(7))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::UnknownOffence(_)));
    assert_eq!(w.staking.sender(p).withdraw(id).motsu_unwrap(), SPON);
}

#[motsu::test]
fn slash_is_proportional_reaches_unbonding_stake_and_jails() {
    let (p, d1, d2, ch) = (a(1), a(2), a(3), a(9));
    let w = world(&[p, d1, d2]);
    w.staking
        .sender(p)
        .stake(SPON * U256::from(100))
        .motsu_unwrap();
    w.staking
        .sender(d1)
        .delegate(p, SPON * U256::from(300))
        .motsu_unwrap();
    w.staking
        .sender(d2)
        .delegate(p, SPON * U256::from(600))
        .motsu_unwrap();
    let id = w
        .staking
        .sender(d2)
        .undelegate(p, SPON * U256::from(200))
        .motsu_unwrap();
    w.staking
        .sender(w.challenges)
        .open_offence(p, U256::from(1))
        .motsu_unwrap();

    let treasury_before = w.balance(w.treasury);
    let slashed = w
        .staking
        .sender(w.challenges)
        .slash(p, 1_000, U256::from(1), ch, 5_000)
        .motsu_unwrap();
    // 10% of 800 active and of 200 unbonding.
    assert_eq!(slashed, SPON * U256::from(100));
    let s = w.staking.sender(p);
    assert_eq!(s.self_stake_of(p), SPON * U256::from(90));
    assert_eq!(s.delegation_of(p, d1), SPON * U256::from(270));
    assert_eq!(s.delegation_of(p, d2), SPON * U256::from(360));
    assert_eq!(s.unbonding_request(id).worth, SPON * U256::from(180));
    // The challenger's half is of the provider's own 10 SPON slashed; the
    // delegators' 90 go to the treasury.
    assert_eq!(w.balance(ch), SPON * U256::from(5));
    assert_eq!(
        w.balance(w.treasury),
        treasury_before + SPON * U256::from(95)
    );
    let jailed_until = clock::now(1_735_689_600) + 7 * DAY;
    w.staking.assert_emitted(&Slashed {
        provider: p,
        challengeId: U256::from(1),
        bps: 1_000,
        amount: SPON * U256::from(100),
        challenger: ch,
        toChallenger: SPON * U256::from(5),
        jailedUntil: jailed_until,
    });
    assert!(s.is_jailed(p));
    assert_eq!(s.pool_of(p).openOffences, 0);
    w.assert_accounted();

    clock::advance(7 * DAY);
    assert!(!w.staking.sender(p).is_jailed(p));
    clock::advance(7 * DAY);
    assert_eq!(
        w.staking.sender(d2).withdraw(id).motsu_unwrap(),
        SPON * U256::from(180)
    );
    w.assert_accounted();
}

#[motsu::test]
fn slash_refusals_leave_state_untouched() {
    let (p, ch, mallory) = (a(1), a(9), a(66));
    let w = world(&[p]);
    w.staking.sender(p).stake(SPON).motsu_unwrap();
    let err = w
        .staking
        .sender(mallory)
        .slash(p, 100, U256::ZERO, ch, 0)
        .motsu_unwrap_err();
    assert!(
        matches!(err, Error::Unauthorized(Unauthorized { account: caller }) if caller == mallory)
    );
    w.staking
        .sender(w.challenges)
        .open_offence(p, U256::ZERO)
        .motsu_unwrap();
    let err = w
        .staking
        .sender(w.challenges)
        .slash(p, 10_001, U256::ZERO, ch, 0)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::InvalidBps(_)));
    let err = w
        .staking
        .sender(w.challenges)
        .slash(p, 100, U256::ZERO, ch, 10_001)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::InvalidBps(_)));
    let err = w
        .staking
        .sender(w.challenges)
        .slash(p, 100, U256::from(5), ch, 0)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::UnknownOffence(_)));
    let err = w
        .staking
        .sender(w.challenges)
        .slash(a(2), 100, U256::ZERO, ch, 0)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::UnknownOffence(_)));
    let err = w
        .staking
        .sender(w.challenges)
        .slash(p, 100, U256::ZERO, Address::ZERO, 0)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::ZeroAddress(_)));
    assert_eq!(w.staking.sender(p).stake_of(p), SPON);
    assert!(!w.staking.sender(p).is_jailed(p));
    assert_eq!(w.staking.sender(p).pool_of(p).openOffences, 1);
}

#[motsu::test]
fn rewards_with_commission_are_shared_by_stake() {
    let (p, d) = (a(1), a(2));
    let w = world(&[p, d]);
    w.staking
        .sender(p)
        .stake(SPON * U256::from(100))
        .motsu_unwrap();
    w.staking.sender(p).set_commission(1_000).motsu_unwrap();
    // Raising from 0 waits the delay.
    assert_eq!(w.staking.sender(p).commission_of(p).effectiveBps, 0);
    clock::advance(7 * DAY);
    assert_eq!(w.staking.sender(p).commission_of(p).effectiveBps, 1_000);
    w.staking
        .sender(d)
        .delegate(p, SPON * U256::from(300))
        .motsu_unwrap();

    let err = w
        .staking
        .sender(d)
        .notify_reward(p, SPON)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)));
    w.staking
        .sender(w.rewarder)
        .notify_reward(p, SPON * U256::from(40))
        .motsu_unwrap();
    w.staking.assert_emitted(&RewardNotified {
        provider: p,
        funder: w.rewarder,
        amount: SPON * U256::from(40),
        commission: SPON * U256::from(4),
    });
    // The commission is the provider's at once; the 36 others stream
    // over the reward period.
    assert_eq!(
        w.staking.sender(p).pending_rewards(p, p),
        SPON * U256::from(4)
    );
    clock::advance(params::REWARD_PERIOD.default);
    // 36 shared 1:3 after a 4 SPON commission (less the stream's dust).
    assert!(about(
        w.staking.sender(p).pending_rewards(p, p),
        SPON * U256::from(13)
    ));
    let owed = w.staking.sender(d).pending_rewards(p, d);
    assert!(about(owed, SPON * U256::from(27)));
    w.assert_accounted();

    // Stake changes settle first: a new delegator earns nothing from the past.
    let late = a(3);
    w.token
        .sender(d)
        .transfer(late, SPON * U256::from(400))
        .motsu_unwrap();
    w.token
        .sender(late)
        .approve(w.staking.address(), U256::MAX)
        .motsu_unwrap();
    w.staking
        .sender(late)
        .delegate(p, SPON * U256::from(400))
        .motsu_unwrap();
    assert_eq!(w.staking.sender(late).pending_rewards(p, late), U256::ZERO);
    assert_eq!(w.staking.sender(d).pending_rewards(p, d), owed);

    let before = w.balance(d);
    assert_eq!(w.staking.sender(d).claim_rewards(p).motsu_unwrap(), owed);
    assert_eq!(w.balance(d), before + owed);
    assert_eq!(
        w.staking.sender(d).claim_rewards(p).motsu_unwrap(),
        U256::ZERO
    );
    w.assert_accounted();
}

#[motsu::test]
fn reward_for_a_pool_without_stake_is_refused() {
    let p = a(1);
    let w = world(&[p]);
    let err = w
        .staking
        .sender(w.rewarder)
        .notify_reward(p, SPON)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::UnknownProvider(_)));
    w.staking.sender(p).stake(SPON).motsu_unwrap();
    w.staking.sender(p).request_unstake(SPON).motsu_unwrap();
    let err = w
        .staking
        .sender(w.rewarder)
        .notify_reward(p, SPON)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::NoActiveStake(_)));
    assert_eq!(w.staking.sender(p).reserves().rewards, U256::ZERO);
}

#[motsu::test]
fn commission_cap_and_decrease() {
    let p = a(1);
    let w = world(&[p]);
    w.staking.sender(p).stake(SPON).motsu_unwrap();
    let err = w.staking.sender(p).set_commission(2_001).motsu_unwrap_err();
    assert!(
        matches!(err, Error::CommissionAboveCap(CommissionAboveCap { maxBps, .. }) if maxBps == U256::from(2_000))
    );
    w.staking.sender(p).set_commission(1_500).motsu_unwrap();
    clock::advance(7 * DAY);
    assert_eq!(w.staking.sender(p).commission_of(p).effectiveBps, 1_500);
    // Decreases apply at once.
    w.staking.sender(p).set_commission(500).motsu_unwrap();
    assert_eq!(
        w.staking.sender(p).commission_of(p),
        views::Commission {
            effectiveBps: 500,
            pendingBps: 0,
            pendingAt: 0
        }
    );
    // A lowered cap binds existing commissions.
    w.staking
        .sender(w.gov)
        .admin
        .set_parameter(params::MAX_COMMISSION_BPS.id, U256::from(300))
        .motsu_unwrap();
    assert_eq!(w.staking.sender(p).commission_of(p).effectiveBps, 300);
}

#[motsu::test]
fn parameters_only_by_governance_within_bounds() {
    let w = world(&[]);
    let mallory = a(66);
    let err = w
        .staking
        .sender(mallory)
        .admin
        .set_parameter(0, U256::from(DAY))
        .motsu_unwrap_err();
    assert!(matches!(err, AdminError::Unauthorized(_)));
    let err = w
        .staking
        .sender(w.gov)
        .admin
        .set_parameter(0, U256::from(DAY - 1))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        AdminError::ParameterOutOfBounds(ParameterOutOfBounds { id: 0, .. })
    ));
    let err = w
        .staking
        .sender(w.gov)
        .admin
        .set_parameter(2, U256::from(5_001))
        .motsu_unwrap_err();
    assert!(matches!(err, AdminError::ParameterOutOfBounds(_)));
    let err = w
        .staking
        .sender(w.gov)
        .admin
        .set_parameter(9, U256::ONE)
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        AdminError::UnknownParameter(UnknownParameter { id: 9 })
    ));
    assert_eq!(
        w.staking.sender(w.gov).admin.parameter(0),
        U256::from(14 * DAY)
    );
    w.staking
        .sender(w.gov)
        .admin
        .set_parameter(0, U256::from(3 * DAY))
        .motsu_unwrap();
    w.staking.assert_emitted(&ParameterChanged {
        id: 0,
        value: U256::from(3 * DAY),
    });
    assert_eq!(
        w.staking.sender(w.gov).admin.parameter(0),
        U256::from(3 * DAY)
    );
}

#[motsu::test]
fn roles_and_pause() {
    let p = a(1);
    let w = world(&[p]);
    let mallory = a(66);
    assert!(matches!(
        w.staking.sender(mallory).admin.pause().motsu_unwrap_err(),
        AdminError::Unauthorized(_)
    ));
    w.staking.sender(w.gov).admin.pause().motsu_unwrap();
    assert!(matches!(
        w.staking.sender(w.gov).admin.pause().motsu_unwrap_err(),
        AdminError::EnforcedPause(_)
    ));
    assert!(matches!(
        w.staking.sender(p).stake(SPON).motsu_unwrap_err(),
        Error::EnforcedPause(_)
    ));
    w.staking.sender(w.gov).admin.unpause().motsu_unwrap();
    assert!(matches!(
        w.staking.sender(w.gov).admin.unpause().motsu_unwrap_err(),
        AdminError::ExpectedPause(_)
    ));
    w.staking.sender(p).stake(SPON).motsu_unwrap();

    // Governance hands over; the old governance loses every power.
    let new_gov = a(0x77);
    w.staking
        .sender(w.gov)
        .admin
        .set_role(roles::GOVERNANCE, new_gov, true)
        .motsu_unwrap();
    assert_eq!(w.staking.sender(p).admin.governance(), new_gov);
    assert!(matches!(
        w.staking.sender(w.gov).admin.pause().motsu_unwrap_err(),
        AdminError::Unauthorized(_)
    ));
    let err = w
        .staking
        .sender(new_gov)
        .admin
        .set_role(roles::TREASURY, Address::ZERO, true)
        .motsu_unwrap_err();
    assert!(matches!(err, AdminError::ZeroAddress(_)));
    w.staking
        .sender(new_gov)
        .admin
        .set_role(roles::REWARDER, w.rewarder, false)
        .motsu_unwrap();
    assert!(!w
        .staking
        .sender(p)
        .admin
        .has_role(roles::REWARDER, w.rewarder));
}

// ------------------------------------------------------------ properties

const PROVIDERS: u8 = 3;
const DELEGATORS: u8 = 4;

#[derive(Debug, Clone)]
enum Action {
    Stake(u8, u64),
    Delegate(u8, u8, u64),
    Undelegate(u8, u8, u64),
    Withdraw(usize),
    Advance(u64),
    Reward(u8, u64),
    Claim(u8, u8),
    Slash(u8, u16),
    /// A random caller tries every privileged function (INV-13).
    Intruder(u8),
}

fn action() -> impl Strategy<Value = Action> {
    let amount = 1u64..1_000_000;
    prop_oneof![
        2 => (0..PROVIDERS, amount.clone()).prop_map(|(p, x)| Action::Stake(p, x)),
        4 => (0..PROVIDERS, 0..DELEGATORS, amount.clone()).prop_map(|(p, d, x)| Action::Delegate(p, d, x)),
        3 => (0..PROVIDERS, 0..DELEGATORS, amount.clone()).prop_map(|(p, d, x)| Action::Undelegate(p, d, x)),
        2 => (0usize..8).prop_map(Action::Withdraw),
        2 => (0u64..20 * DAY).prop_map(Action::Advance),
        2 => (0..PROVIDERS, amount).prop_map(|(p, x)| Action::Reward(p, x)),
        1 => (0..PROVIDERS, 0..DELEGATORS).prop_map(|(p, d)| Action::Claim(p, d)),
        1 => (0..PROVIDERS, 0u16..=10_000).prop_map(|(p, b)| Action::Slash(p, b)),
        1 => (100u8..160).prop_map(Action::Intruder),
    ]
}

fn provider(i: u8) -> Address {
    a(10 + i)
}

fn delegator(i: u8) -> Address {
    a(20 + i)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::pool::tests_cases(24)))]

    /// INV-1, INV-4, INV-6, INV-7, INV-13 over random sequences across
    /// several providers and delegators.
    #[test]
    fn staking_invariants(actions in proptest::collection::vec(action(), 1..40)) {
        let mut holders: Vec<Address> = (0..PROVIDERS).map(provider).collect();
        holders.extend((0..DELEGATORS).map(delegator));
        let w = world(&holders);
        // (request id, staker, release time)
        let mut requests: Vec<(U256, Address, u64)> = Vec::new();
        let mut funded = U256::ZERO;
        let mut claimed = U256::ZERO;
        let mut challenge = 0u64;
        let unit = U256::from(1_000_000_000u64);
        for act in actions {
            match act {
                Action::Stake(p, x) => {
                    let _ = w.staking.sender(provider(p)).stake(unit * U256::from(x)).motsu_res();
                }
                Action::Delegate(p, d, x) => {
                    let _ = w.staking.sender(delegator(d)).delegate(provider(p), unit * U256::from(x)).motsu_res();
                }
                Action::Undelegate(p, d, x) => {
                    let now = clock::now(1_735_689_600);
                    if let Ok(id) = w.staking.sender(delegator(d)).undelegate(provider(p), unit * U256::from(x)).motsu_res() {
                        requests.push((id, delegator(d), now + 14 * DAY));
                    }
                }
                Action::Withdraw(i) => {
                    if let Some(&(id, staker, release)) = requests.get(i) {
                        let now = clock::now(1_735_689_600);
                        let res = w.staking.sender(staker).withdraw(id).motsu_res();
                        // INV-6: never before the end of unbonding.
                        if now < release {
                            prop_assert!(matches!(res, Err(Error::UnbondingNotFinished(_))));
                        } else {
                            prop_assert!(res.is_ok(), "withdraw after release refused: {res:?}");
                            requests.remove(i);
                        }
                    }
                }
                Action::Advance(s) => clock::advance(s),
                Action::Reward(p, x) => {
                    let amount = unit * U256::from(x);
                    if w.staking.sender(w.rewarder).notify_reward(provider(p), amount).motsu_res().is_ok() {
                        funded += amount;
                    }
                }
                Action::Claim(p, d) => {
                    for who in [delegator(d), provider(p)] {
                        claimed += w.staking.sender(who).claim_rewards(provider(p)).motsu_unwrap();
                    }
                }
                Action::Slash(p, bps) => {
                    challenge += 1;
                    let id = U256::from(challenge);
                    if w.staking.sender(w.challenges).open_offence(provider(p), id).motsu_res().is_ok() {
                        w.staking.sender(w.challenges).slash(provider(p), bps, id, a(99), 5_000).motsu_unwrap();
                    }
                }
                Action::Intruder(n) => {
                    let x = a(n);
                    let s = &w.staking;
                    let unauthorized = |r: Result<(), Error>| matches!(r, Err(Error::Unauthorized(_)));
                    prop_assert!(unauthorized(s.sender(x).admin.set_parameter(0, U256::from(DAY)).motsu_res().map_err(Error::from)));
                    prop_assert!(unauthorized(s.sender(x).admin.set_role(roles::GOVERNANCE, x, true).motsu_res().map_err(Error::from)));
                    prop_assert!(unauthorized(s.sender(x).admin.pause().motsu_res().map_err(Error::from)));
                    prop_assert!(unauthorized(s.sender(x).admin.unpause().motsu_res().map_err(Error::from)));
                    prop_assert!(unauthorized(s.sender(x).open_offence(provider(0), U256::MAX).motsu_res()));
                    prop_assert!(unauthorized(s.sender(x).close_offence(U256::MAX).motsu_res()));
                    prop_assert!(unauthorized(s.sender(x).slash(provider(0), 1, U256::MAX, x, 0).map(|_| ()).motsu_res()));
                    prop_assert!(unauthorized(s.sender(x).notify_reward(provider(0), U256::ONE).motsu_res()));
                }
            }

            // INV-1: every SPON the contract holds is accounted for.
            let s = w.staking.sender(w.gov);
            prop_assert_eq!(
                w.balance(w.staking.address()),
                s.total_staked() + s.reserves().unbonding + s.reserves().rewards
            );
            let mut total = U256::ZERO;
            let mut pending = U256::ZERO;
            for p in (0..PROVIDERS).map(provider) {
                // INV-4: claims never exceed the pool; shortfall is dust.
                let mut claims = s.delegation_of(p, p);
                pending += s.pending_rewards(p, p);
                for d in (0..DELEGATORS).map(delegator) {
                    claims += s.delegation_of(p, d);
                    pending += s.pending_rewards(p, d);
                }
                let stake = s.stake_of(p);
                prop_assert!(claims <= stake);
                prop_assert!(stake - claims < U256::from(PROVIDERS + DELEGATORS));
                total += stake;
            }
            prop_assert_eq!(total, s.total_staked());
            // INV-7: claimed plus claimable never exceeds funding.
            prop_assert!(claimed + pending <= funded);
            prop_assert_eq!(funded - claimed, s.reserves().rewards);
        }
    }
}

// ---------------------------------------------------------------- findings
// Regression tests of audits/findings.md: each replays its attack through
// the entry points.

/// F-02: two wei delegated, one undelegated, then any slash: the unbonding
/// sub-pool must not be left with shares and no tokens, or every later
/// unbonding of the pool is refused for ever.
#[motsu::test]
fn f02_two_wei_cannot_lock_a_pool() {
    let (p, griefer, d) = (a(1), a(2), a(3));
    let w = world(&[p, griefer, d]);
    let s = |who| w.staking.sender(who);
    s(p).stake(SPON * U256::from(100)).motsu_unwrap();
    s(d).delegate(p, SPON * U256::from(100)).motsu_unwrap();
    s(griefer).delegate(p, U256::from(2)).motsu_unwrap();
    s(griefer).undelegate(p, U256::from(1)).motsu_unwrap();
    for id in 1..=3u64 {
        s(w.challenges)
            .open_offence(p, U256::from(id))
            .motsu_unwrap();
        s(w.challenges)
            .slash(p, 100, U256::from(id), a(9), 5_000)
            .motsu_unwrap();
    }
    let pool = s(p).pool_of(p);
    assert!(pool.unbondingShares.is_zero() || !pool.unbondingTokens.is_zero());
    assert!(pool.shares.is_zero() || !pool.tokens.is_zero());
    clock::advance(365 * DAY);
    let id = s(d).undelegate(p, SPON).motsu_unwrap();
    s(p).request_unstake(SPON).motsu_unwrap();
    clock::advance(14 * DAY);
    assert_eq!(s(d).withdraw(id).motsu_unwrap(), SPON);
    w.assert_accounted();
}

/// F-22: a pause must not keep stakers from what is theirs while slashes
/// go on: withdrawals of released stake and reward claims stay open.
#[motsu::test]
fn f22_a_pause_never_freezes_exits() {
    let (p, d) = (a(1), a(2));
    let w = world(&[p, d]);
    let s = |who| w.staking.sender(who);
    s(p).stake(SPON * U256::from(100)).motsu_unwrap();
    s(d).delegate(p, SPON * U256::from(100)).motsu_unwrap();
    s(w.rewarder).notify_reward(p, SPON).motsu_unwrap();
    let id = s(d).undelegate(p, SPON * U256::from(50)).motsu_unwrap();
    clock::advance(14 * DAY);
    s(w.gov).admin.pause().motsu_unwrap();
    assert_eq!(s(d).withdraw(id).motsu_unwrap(), SPON * U256::from(50));
    assert!(!s(d).claim_rewards(p).motsu_unwrap().is_zero());
    // New stake still waits for the unpause.
    let err = s(d).delegate(p, SPON).motsu_unwrap_err();
    assert!(matches!(err, Error::EnforcedPause(_)));
    w.assert_accounted();
}

/// F-14: a whale delegates just before a lump reward it can predict,
/// takes most of it and leaves.
#[motsu::test]
fn f14_a_reward_cannot_be_captured_just_in_time() {
    let (p, d, whale) = (a(1), a(2), a(3));
    let w = world(&[p, d, whale]);
    let s = |who| w.staking.sender(who);
    s(w.gov)
        .admin
        .set_parameter(params::MAX_COMMISSION_BPS.id, U256::ZERO)
        .motsu_unwrap();
    s(p).stake(SPON * U256::from(10)).motsu_unwrap();
    s(d).delegate(p, SPON * U256::from(90_000)).motsu_unwrap();
    clock::advance(30 * DAY);
    s(whale)
        .delegate(p, SPON * U256::from(900_000))
        .motsu_unwrap();
    let reward = SPON * U256::from(1_000);
    s(w.rewarder).notify_reward(p, reward).motsu_unwrap();
    let held = s(whale).delegation_of(p, whale);
    s(whale).undelegate(p, held).motsu_unwrap();
    clock::advance(30 * DAY);
    let (whale_gets, d_gets) = (
        s(whale).pending_rewards(p, whale),
        s(d).pending_rewards(p, d),
    );
    assert!(
        whale_gets < reward / U256::from(100),
        "the whale took {whale_gets}"
    );
    assert!(
        d_gets > reward * U256::from(98) / U256::from(100),
        "the delegator got {d_gets}"
    );
    w.assert_accounted();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::pool::tests_cases(24)))]

    /// INV-18 in the pool: once a reward has streamed, each delegator holds
    /// its pool share of the reward net of the commission, and the provider
    /// the commission plus its own share; never more, and short by less
    /// than the accumulator's rounding (2 wei + the pool's shares / 10¹⁸).
    #[test]
    fn delegators_earn_their_pool_share_net_of_commission(
        own in 1u64..1_000_000,
        delegations in proptest::collection::vec(1u64..1_000_000, 1..4),
        commission in 0u16..=2_000,
        reward in 1u64..100_000_000,
        extra in 0u64..30 * DAY,
    ) {
        let p = a(1);
        let ds: Vec<Address> = (0..delegations.len()).map(|i| a(2 + i as u8)).collect();
        let mut holders = vec![p];
        holders.extend(&ds);
        let w = world(&holders);
        let s = |who| w.staking.sender(who);
        // Whole SPON over a milli-SPON grid keeps the amounts varied.
        let milli = SPON / U256::from(1_000);
        s(p).stake(milli * U256::from(own)).motsu_unwrap();
        s(p).set_commission(commission).motsu_unwrap();
        clock::advance(params::COMMISSION_CHANGE_DELAY.default);
        for (d, x) in ds.iter().zip(&delegations) {
            s(*d).delegate(p, milli * U256::from(*x)).motsu_unwrap();
        }
        let reward = U256::from(reward) * U256::from(1_000_000_000u64);
        s(w.rewarder).notify_reward(p, reward).motsu_unwrap();
        clock::advance(params::REWARD_PERIOD.default + extra);

        let pool = s(p).pool_of(p);
        let cut = spon_contract_kit::math::bps_of(reward, u64::from(commission));
        let net = reward - cut;
        let slack = U256::from(2) + pool.shares / pool::ACC_SCALE;
        let mut paid = U256::ZERO;
        for d in ds.iter().copied().chain([p]) {
            let held = if d == p { s(p).self_stake_of(p) } else { s(d).delegation_of(p, d) };
            let mut want = net * held / pool.tokens;
            if d == p {
                want += cut;
            }
            let got = s(d).pending_rewards(p, d);
            prop_assert!(got <= want, "{d}: {got} above its share {want}");
            prop_assert!(want - got <= slack, "{d}: {got} short of {want} by more than {slack}");
            paid += got;
        }
        prop_assert!(paid <= reward);
        w.assert_accounted();
    }
}
