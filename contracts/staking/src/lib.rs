//! # SPON staking
//!
//! Provider self-stake and delegation in **one share-based pool per
//! provider** (see [`pool`]), so that a stake, an unstake, a reward and a
//! slash cost the same whatever the number of delegators.
//!
//! * `stake` / `delegate` pull SPON into a pool; `requestUnstake` /
//!   `undelegate` move stake into the pool's unbonding sub-pool, withdrawable
//!   with `withdraw(requestId)` after `unbondingPeriod`. Unbonding stake is
//!   slashed with the rest of the pool, and while a challenge against the
//!   provider is open (an *offence*), no stake of its pool can be withdrawn.
//! * `notifyReward` (rewarder role, granted by governance) funds a
//!   pool's rewards; the provider's commission is taken first, the rest
//!   streams over `rewardPeriod` to the pool's active shares through a
//!   reward-per-share accumulator, accrued and settled before every change
//!   of a staker's shares (so stake earns for the time it is staked). `claimRewards` pays.
//!   Commission increases wait `commissionChangeDelay`; decreases apply at
//!   once; the cap `maxCommissionBps` always applies.
//! * The Challenges contract (challenges role) opens and closes offences and
//!   calls `slash`, which takes `bps` of active and unbonding stake, pays the
//!   challenger its share of the provider's own slashed stake and the
//!   treasury the rest, and jails the provider for `jailPeriod`.
//! * Governance sets parameters (with bounds), roles and pause. A pause
//!   stops stake and rewards coming in and commission changes; it never
//!   stops a staker leaving: `requestUnstake`, `undelegate`, `withdraw`
//!   and `claimRewards` go on (slashes go on too).
//!
//! Every refusal is a custom error of [`errors`]; every change an event of
//! [`events`]. Reentrant calls are refused by the SDK's entrypoint.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
// `#[entrypoint]` exports an undocumented `user_entrypoint` to the WASM
// host (and, for the ABI export, a `main`); every item of ours is
// documented (checked by the native build).
#![cfg_attr(
    any(target_arch = "wasm32", feature = "export-abi"),
    allow(missing_docs)
)]
extern crate alloc;

pub mod errors;
pub mod events;
pub mod params;
pub mod pool;
pub mod views;

use alloc::vec::Vec;

use alloy_primitives::{Address, U256};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageBool, StorageMap, StorageU16, StorageU256, StorageU64},
};

pub use spon_contract_kit::clock;
use spon_contract_kit::{admin::Admin, math, Native};

use crate::{
    errors::*,
    events::*,
    pool::{Pool, BPS},
};

pub use events::EVENTS;

/// Role ids of `setRole` and `RoleChanged`.
pub mod roles {
    use spon_contract_kit::admin::Role;
    use spon_protocol::roles::Staking;

    /// Sets parameters, roles and pause.
    pub const GOVERNANCE: u8 = Staking::Governance as u8;
    /// The Challenges contract: offences and slashes.
    pub const CHALLENGES: u8 = Staking::Challenges as u8;
    /// May fund rewards (the treasury or a rewards distributor that
    /// governance grants it to): any number.
    pub const REWARDER: u8 = Staking::Rewarder as u8;
    /// Receives the protocol's share of slashes.
    pub const TREASURY: u8 = Staking::Treasury as u8;
    /// May pause (unpausing takes governance).
    pub const GUARDIAN: u8 = Staking::Guardian as u8;

    /// The role table.
    pub const ALL: [Role; 5] = [
        Role::one(GOVERNANCE),
        Role::one(CHALLENGES),
        Role::set(REWARDER),
        Role::one(TREASURY),
        Role::one(GUARDIAN).pauser(),
    ];
}

/// One provider's pool and its provider-level state.
#[storage]
pub struct PoolState {
    tokens: StorageU256,
    shares: StorageU256,
    unbonding_tokens: StorageU256,
    unbonding_shares: StorageU256,
    acc_reward_per_share: StorageU256,
    reward_rate: StorageU256,
    reward_end: StorageU64,
    reward_updated: StorageU64,
    exists: StorageBool,
    commission_bps: StorageU16,
    pending_commission_bps: StorageU16,
    pending_commission_at: StorageU64,
    jailed_until: StorageU64,
    open_offences: StorageU64,
}

/// One staker's position in one pool.
#[storage]
pub struct Position {
    shares: StorageU256,
    reward_debt: StorageU256,
    rewards_owed: StorageU256,
}

/// One unbonding request.
#[storage]
pub struct Request {
    provider: StorageAddress,
    staker: StorageAddress,
    shares: StorageU256,
    release_at: StorageU64,
}

/// Storage of the staking contract.
#[entrypoint]
#[storage]
pub struct Staking {
    /// Governance, roles, parameters, pause.
    #[borrow]
    pub admin: Admin,
    spon: StorageAddress,
    pools: StorageMap<Address, PoolState>,
    positions: StorageMap<Address, StorageMap<Address, Position>>,
    requests: StorageMap<U256, Request>,
    next_request_id: StorageU256,
    /// Open offences: challenge id → provider.
    offences: StorageMap<U256, StorageAddress>,
    total_staked: StorageU256,
    total_unbonding: StorageU256,
    /// SPON funded as rewards and not yet claimed (includes dust the
    /// accumulator cannot pay out).
    reward_reserve: StorageU256,
}

fn checked_add(a: U256, b: U256) -> Result<U256, Error> {
    a.checked_add(b).ok_or(Error::overflow())
}

impl Staking {
    fn now(&self) -> u64 {
        clock::now(self.vm().block_timestamp())
    }

    fn caller(&self) -> Address {
        self.vm().msg_sender()
    }

    fn emit<E: spon_contract_kit::encode::Emit>(&self, event: E) {
        event.emit(self.vm());
    }

    /// `provider`'s pool with its reward stream accrued to now.
    fn load_pool(&self, provider: Address) -> Pool {
        let p = self.pools.get(provider);
        let mut pool = Pool {
            tokens: p.tokens.get(),
            shares: p.shares.get(),
            unbonding_tokens: p.unbonding_tokens.get(),
            unbonding_shares: p.unbonding_shares.get(),
            acc_reward_per_share: p.acc_reward_per_share.get(),
            reward_rate: p.reward_rate.get(),
            reward_end: p.reward_end.val(),
            reward_updated: p.reward_updated.val(),
        };
        pool.accrue(self.now());
        pool
    }

    fn store_pool(&mut self, provider: Address, pool: &Pool) {
        let mut p = self.pools.setter(provider);
        p.tokens.set(pool.tokens);
        p.shares.set(pool.shares);
        p.unbonding_tokens.set(pool.unbonding_tokens);
        p.unbonding_shares.set(pool.unbonding_shares);
        p.acc_reward_per_share.set(pool.acc_reward_per_share);
        p.reward_rate.set(pool.reward_rate);
        p.reward_end.put(pool.reward_end);
        p.reward_updated.put(pool.reward_updated);
    }

    fn require_pool(&self, provider: Address) -> Result<(), Error> {
        if !self.pools.get(provider).exists.get() {
            return Err(Error::UnknownProvider(UnknownProvider { provider }));
        }
        Ok(())
    }

    /// Settles `staker`'s rewards up to now and sets its shares to `shares`.
    fn set_shares(&mut self, pool: &Pool, provider: Address, staker: Address, shares: U256) {
        let mut outer = self.positions.setter(provider);
        let mut pos = outer.setter(staker);
        let accrued = pool.accrued(pos.shares.get(), pos.reward_debt.get());
        let owed = pos.rewards_owed.get().saturating_add(accrued);
        pos.rewards_owed.set(owed);
        pos.shares.set(shares);
        pos.reward_debt.set(pool.reward_debt(shares));
    }

    fn effective_commission(&self, provider: Address) -> u16 {
        let p = self.pools.get(provider);
        let at = p.pending_commission_at.val();
        let bps = if at != 0 && self.now() >= at {
            p.pending_commission_bps.val()
        } else {
            p.commission_bps.val()
        };
        // The cap applies even to commissions set under a higher cap.
        bps.min(u16::try_from(self.admin.param(params::MAX_COMMISSION_BPS)).unwrap_or(u16::MAX))
    }

    /// Pulls `amount` SPON from `from` into this contract (allowance needed).
    fn pull(&mut self, from: Address, amount: U256) -> Result<(), Error> {
        let (spon, this) = (self.spon.get(), self.vm().contract_address());
        Ok(spon_contract_kit::calls::safe_transfer_from(
            spon, from, this, amount,
        )?)
    }

    fn deposit(&mut self, provider: Address, staker: Address, amount: U256) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        if amount.is_zero() {
            return Err(Error::ZeroAmount(ZeroAmount {}));
        }
        let mut pool = self.load_pool(provider);
        let minted = pool
            .deposit(amount)
            .map_err(|e| Error::from_pool(e, provider, amount))?;
        let held = self.positions.get(provider).get(staker).shares.get();
        self.set_shares(&pool, provider, staker, checked_add(held, minted)?);
        self.store_pool(provider, &pool);
        self.total_staked
            .set(checked_add(self.total_staked.get(), amount)?);
        self.pull(staker, amount)?;
        self.emit(Staked {
            provider,
            staker,
            amount,
            shares: minted,
        });
        Ok(())
    }

    fn unbond(&mut self, provider: Address, amount: U256) -> Result<U256, Error> {
        self.require_pool(provider)?;
        if amount.is_zero() {
            return Err(Error::ZeroAmount(ZeroAmount {}));
        }
        let staker = self.caller();
        let mut pool = self.load_pool(provider);
        let held = self.positions.get(provider).get(staker).shares.get();
        let (burned, minted) = pool
            .unbond(held, amount)
            .map_err(|e| Error::from_pool(e, provider, amount))?;
        self.set_shares(&pool, provider, staker, held - burned);
        self.store_pool(provider, &pool);
        self.total_staked.set(self.total_staked.get() - amount);
        self.total_unbonding
            .set(checked_add(self.total_unbonding.get(), amount)?);

        let id = self.next_request_id.get();
        self.next_request_id.set(checked_add(id, U256::from(1))?);
        let release_at = self
            .now()
            .saturating_add(self.admin.param(params::UNBONDING_PERIOD));
        let mut req = self.requests.setter(id);
        req.provider.set(provider);
        req.staker.set(staker);
        req.shares.set(minted);
        req.release_at.put(release_at);
        self.emit(UnbondingStarted {
            requestId: id,
            provider,
            staker,
            amount,
            releaseAt: release_at,
        });
        Ok(id)
    }
}

#[spon_contract_kit::entry_points]
#[inherit(Admin)]
impl Staking {
    /// Sets the SPON token, the governance (admin) and the treasury, and the
    /// parameters.
    ///
    /// # Errors
    /// * `ZeroAddress` if any address is zero.
    #[constructor]
    pub fn constructor(
        &mut self,
        spon: Address,
        governance: Address,
        treasury: Address,
    ) -> Result<(), Error> {
        Error::nonzero(spon)?;
        self.spon.set(spon);
        self.admin.init(governance, &roles::ALL, &params::ALL)?;
        self.admin.grant(roles::TREASURY, treasury)?;
        Ok(())
    }

    // ------------------------------------------------------------ staking

    /// Self-stake: pulls `amount` SPON from the caller into the caller's own
    /// pool, creating the pool on first use.
    ///
    /// # Errors
    /// `ZeroAmount`, `PoolWiped`, `AmountTooSmall`, `EnforcedPause`,
    /// `SafeErc20FailedOperation` (no allowance or balance).
    ///
    /// # Events
    /// `Staked(caller, caller, amount, shares)`.
    pub fn stake(&mut self, amount: U256) -> Result<(), Error> {
        let provider = self.caller();
        self.pools.setter(provider).exists.set(true);
        self.deposit(provider, provider, amount)
    }

    /// Delegates `amount` SPON of the caller to `provider`'s pool.
    ///
    /// # Errors
    /// `UnknownProvider` (it never self-staked), and those of `stake`.
    ///
    /// # Events
    /// `Staked(provider, caller, amount, shares)`.
    pub fn delegate(&mut self, provider: Address, amount: U256) -> Result<(), Error> {
        self.require_pool(provider)?;
        let staker = self.caller();
        self.deposit(provider, staker, amount)
    }

    /// Starts unbonding `amount` SPON of the caller's self-stake. Returns the
    /// request id for `withdraw`.
    ///
    /// # Errors
    /// `UnknownProvider`, `ZeroAmount`, `InsufficientStake`,
    /// `AmountTooSmall`, `PoolWiped`.
    ///
    /// # Events
    /// `UnbondingStarted(id, caller, caller, amount, releaseAt)`.
    pub fn request_unstake(&mut self, amount: U256) -> Result<U256, Error> {
        let provider = self.caller();
        self.unbond(provider, amount)
    }

    /// Starts unbonding `amount` SPON of the caller's delegation to
    /// `provider`. Returns the request id for `withdraw`.
    ///
    /// # Errors
    /// As `requestUnstake`.
    ///
    /// # Events
    /// `UnbondingStarted(id, provider, caller, amount, releaseAt)`.
    pub fn undelegate(&mut self, provider: Address, amount: U256) -> Result<U256, Error> {
        self.unbond(provider, amount)
    }

    /// Pays out unbonding request `request_id` (its value after any slash)
    /// to its staker, once its unbonding period has passed and no offence
    /// against the provider is open.
    ///
    /// # Errors
    /// `UnknownRequest`, `NotRequestOwner`, `UnbondingNotFinished`,
    /// `WithdrawalFrozen`.
    ///
    /// # Events
    /// `Withdrawn(id, provider, staker, amount)`.
    pub fn withdraw(&mut self, request_id: U256) -> Result<U256, Error> {
        let req = self.requests.get(request_id);
        let (provider, staker, shares, release_at) = (
            req.provider.get(),
            req.staker.get(),
            req.shares.get(),
            req.release_at.val(),
        );
        if staker.is_zero() {
            return Err(Error::UnknownRequest(UnknownRequest {
                requestId: request_id,
            }));
        }
        let caller = self.caller();
        if caller != staker {
            return Err(Error::NotRequestOwner(NotRequestOwner {
                requestId: request_id,
                owner: staker,
            }));
        }
        if self.now() < release_at {
            return Err(Error::UnbondingNotFinished(UnbondingNotFinished {
                requestId: request_id,
                releaseAt: release_at,
            }));
        }
        let open = self.pools.get(provider).open_offences.val();
        if open > 0 {
            return Err(Error::WithdrawalFrozen(WithdrawalFrozen { provider, open }));
        }
        let mut pool = self.load_pool(provider);
        let amount = pool.withdraw(shares);
        self.store_pool(provider, &pool);
        self.total_unbonding
            .set(self.total_unbonding.get() - amount);
        let mut req = self.requests.setter(request_id);
        req.provider.erase();
        req.staker.erase();
        req.shares.erase();
        req.release_at.erase();
        if !amount.is_zero() {
            let spon = self.spon.get();
            spon_contract_kit::calls::safe_transfer(spon, staker, amount)?;
        }
        self.emit(Withdrawn {
            requestId: request_id,
            provider,
            staker,
            amount,
        });
        Ok(amount)
    }

    // ------------------------------------------------------------ rewards

    /// Funds `amount` SPON of rewards for `provider`'s pool, pulled from the
    /// caller (a rewarder). The provider's commission is credited to it
    /// first; the rest is shared by the pool's active stake.
    ///
    /// # Errors
    /// `Unauthorized` (not a rewarder), `UnknownProvider`, `ZeroAmount`,
    /// `NoActiveStake`, `EnforcedPause`, `SafeErc20FailedOperation`.
    ///
    /// # Events
    /// `RewardNotified(provider, caller, amount, commission)`.
    pub fn notify_reward(&mut self, provider: Address, amount: U256) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        let funder = self.caller();
        self.admin.only(roles::REWARDER)?;
        self.require_pool(provider)?;
        if amount.is_zero() {
            return Err(Error::ZeroAmount(ZeroAmount {}));
        }
        let commission = math::bps_of(amount, u64::from(self.effective_commission(provider)));
        let mut pool = self.load_pool(provider);
        let period = self.admin.param(params::REWARD_PERIOD);
        pool.distribute(amount - commission, self.now(), period)
            .map_err(|e| Error::from_pool(e, provider, amount))?;
        self.store_pool(provider, &pool);
        if !commission.is_zero() {
            let mut outer = self.positions.setter(provider);
            let mut pos = outer.setter(provider);
            let owed = checked_add(pos.rewards_owed.get(), commission)?;
            pos.rewards_owed.set(owed);
        }
        self.reward_reserve
            .set(checked_add(self.reward_reserve.get(), amount)?);
        self.pull(funder, amount)?;
        self.emit(RewardNotified {
            provider,
            funder,
            amount,
            commission,
        });
        Ok(())
    }

    /// Pays the caller its rewards (and, for the provider, its commission)
    /// from `provider`'s pool. Returns the amount paid (may be zero).
    ///
    /// # Errors
    /// `SafeErc20FailedOperation`.
    ///
    /// # Events
    /// `RewardsClaimed(provider, caller, amount)`.
    pub fn claim_rewards(&mut self, provider: Address) -> Result<U256, Error> {
        let staker = self.caller();
        let pool = self.load_pool(provider);
        let shares = self.positions.get(provider).get(staker).shares.get();
        self.set_shares(&pool, provider, staker, shares);
        let mut outer = self.positions.setter(provider);
        let mut pos = outer.setter(staker);
        let amount = pos.rewards_owed.get();
        pos.rewards_owed.erase();
        if !amount.is_zero() {
            self.reward_reserve.set(self.reward_reserve.get() - amount);
            let spon = self.spon.get();
            spon_contract_kit::calls::safe_transfer(spon, staker, amount)?;
        }
        self.emit(RewardsClaimed {
            provider,
            staker,
            amount,
        });
        Ok(amount)
    }

    /// Sets the caller's commission to `bps`: at once if it is not an
    /// increase, after `commissionChangeDelay` if it is.
    ///
    /// # Errors
    /// `UnknownProvider`, `CommissionAboveCap`, `EnforcedPause`.
    ///
    /// # Events
    /// `CommissionChanged(caller, bps, effectiveAt)`.
    pub fn set_commission(&mut self, bps: u16) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        let provider = self.caller();
        self.require_pool(provider)?;
        let cap = self.admin.param(params::MAX_COMMISSION_BPS);
        if u64::from(bps) > cap {
            return Err(Error::CommissionAboveCap(CommissionAboveCap {
                bps: U256::from(bps),
                maxBps: U256::from(cap),
            }));
        }
        let now = self.now();
        let current = self.effective_commission(provider);
        let delay = self.admin.param(params::COMMISSION_CHANGE_DELAY);
        let mut p = self.pools.setter(provider);
        let effective_at = if bps <= current {
            p.commission_bps.put(bps);
            p.pending_commission_bps.put(0);
            p.pending_commission_at.put(0);
            now
        } else {
            p.commission_bps.put(current);
            p.pending_commission_bps.put(bps);
            p.pending_commission_at.put(now.saturating_add(delay));
            now.saturating_add(delay)
        };
        self.emit(CommissionChanged {
            provider,
            bps,
            effectiveAt: effective_at,
        });
        Ok(())
    }

    // ------------------------------------------------------------ challenges

    /// Opens the offence of challenge `challenge_id` against `provider`:
    /// withdrawals from its pool are refused until the offence is slashed
    /// or closed. Challenges role only.
    ///
    /// # Errors
    /// `Unauthorized`, `UnknownProvider`, `OffenceAlreadyOpen`.
    ///
    /// # Events
    /// `OffenceOpened(provider, challengeId)`.
    pub fn open_offence(&mut self, provider: Address, challenge_id: U256) -> Result<(), Error> {
        self.admin.only(roles::CHALLENGES)?;
        self.require_pool(provider)?;
        if !self.offences.get(challenge_id).is_zero() {
            return Err(Error::OffenceAlreadyOpen(OffenceAlreadyOpen {
                challengeId: challenge_id,
            }));
        }
        self.offences.setter(challenge_id).set(provider);
        let mut p = self.pools.setter(provider);
        let open = p.open_offences.val().saturating_add(1);
        p.open_offences.put(open);
        self.emit(OffenceOpened {
            provider,
            challengeId: challenge_id,
        });
        Ok(())
    }

    /// Closes the offence of challenge `challenge_id` without a slash
    /// (challenge failed or slash vetoed). Challenges role only.
    ///
    /// # Errors
    /// `Unauthorized`, `UnknownOffence`.
    ///
    /// # Events
    /// `OffenceClosed(provider, challengeId)`.
    pub fn close_offence(&mut self, challenge_id: U256) -> Result<(), Error> {
        self.admin.only(roles::CHALLENGES)?;
        let provider = self.take_offence(challenge_id)?;
        self.emit(OffenceClosed {
            provider,
            challengeId: challenge_id,
        });
        Ok(())
    }

    /// Slashes `bps` of `provider`'s active and unbonding stake for the open
    /// offence of challenge `challenge_id`, closing it. `challenger_share_bps`
    /// of the provider's own slashed stake goes to `challenger` (never of
    /// its delegators': a provider that challenges itself only loses), the
    /// rest of the slash to the treasury. A sub-pool with shares keeps at
    /// least one wei.
    /// Jails the provider for `jailPeriod`. Returns the SPON slashed.
    /// Challenges role only; O(1) whatever the number of delegators.
    ///
    /// # Errors
    /// `Unauthorized`, `InvalidBps`, `UnknownOffence`, `ZeroAddress`
    /// (challenger), `SafeErc20FailedOperation`.
    ///
    /// # Events
    /// `Slashed(provider, challengeId, bps, amount, challenger, toChallenger, jailedUntil)`.
    pub fn slash(
        &mut self,
        provider: Address,
        bps: u16,
        challenge_id: U256,
        challenger: Address,
        challenger_share_bps: u16,
    ) -> Result<U256, Error> {
        self.admin.only(roles::CHALLENGES)?;
        for b in [bps, challenger_share_bps] {
            if u64::from(b) > BPS {
                return Err(Error::InvalidBps(InvalidBps { bps: U256::from(b) }));
            }
        }
        Error::nonzero(challenger)?;
        if self.offences.get(challenge_id) != provider {
            return Err(Error::UnknownOffence(UnknownOffence {
                challengeId: challenge_id,
            }));
        }
        self.take_offence(challenge_id)?;
        let mut pool = self.load_pool(provider);
        let (active, unbonding) = (pool.tokens, pool.unbonding_tokens);
        let own = self.positions.get(provider).get(provider).shares.get();
        let own_before = pool.claim(own);
        let amount = pool.slash(u64::from(bps));
        // The challenger is paid out of the operator's own slashed stake
        // only; the delegators' part goes to the treasury. So no one gains
        // by slashing a pool it runs or colludes with (finding F-01).
        let own_taken = own_before - pool.claim(own);
        self.store_pool(provider, &pool);
        self.total_staked
            .set(self.total_staked.get() - (active - pool.tokens));
        self.total_unbonding
            .set(self.total_unbonding.get() - (unbonding - pool.unbonding_tokens));

        let jailed_until = self
            .now()
            .saturating_add(self.admin.param(params::JAIL_PERIOD));
        let mut p = self.pools.setter(provider);
        let jailed_until = jailed_until.max(p.jailed_until.val());
        p.jailed_until.put(jailed_until);

        let to_challenger = math::bps_of(own_taken, u64::from(challenger_share_bps));
        let spon = self.spon.get();
        let treasury = self.admin.holder(roles::TREASURY);
        if !to_challenger.is_zero() {
            spon_contract_kit::calls::safe_transfer(spon, challenger, to_challenger)?;
        }
        if amount > to_challenger {
            spon_contract_kit::calls::safe_transfer(spon, treasury, amount - to_challenger)?;
        }
        self.emit(Slashed {
            provider,
            challengeId: challenge_id,
            bps,
            amount,
            challenger,
            toChallenger: to_challenger,
            jailedUntil: jailed_until,
        });
        Ok(amount)
    }

    // ------------------------------------------------------------ governance

    // ------------------------------------------------------------ views

    /// The SPON token (the other contracts it trusts are role holders).
    pub fn config(&self) -> Address {
        self.spon.get()
    }

    /// Active stake of `provider`'s pool (self-stake and delegations, after
    /// slashes; unbonding stake excluded).
    pub fn stake_of(&self, provider: Address) -> U256 {
        self.pools.get(provider).tokens.get()
    }

    /// The provider's own active stake in its pool.
    pub fn self_stake_of(&self, provider: Address) -> U256 {
        self.delegation_of(provider, provider)
    }

    /// `delegator`'s active stake in `provider`'s pool, in SPON after slashes.
    pub fn delegation_of(&self, provider: Address, delegator: Address) -> U256 {
        let shares = self.positions.get(provider).get(delegator).shares.get();
        self.load_pool(provider).claim(shares)
    }

    /// `provider`'s pool.
    pub fn pool_of(&self, provider: Address) -> views::Pool {
        let p = self.load_pool(provider);
        let state = self.pools.get(provider);
        views::Pool {
            tokens: p.tokens,
            shares: p.shares,
            unbondingTokens: p.unbonding_tokens,
            unbondingShares: p.unbonding_shares,
            jailedUntil: state.jailed_until.val(),
            openOffences: state.open_offences.val(),
        }
    }

    /// Active stake of every pool.
    pub fn total_staked(&self) -> U256 {
        self.total_staked.get()
    }

    /// Unbonding stake of every pool and rewards funded and not yet
    /// claimed: with `totalStaked`, everything the contract holds.
    pub fn reserves(&self) -> views::Reserves {
        views::Reserves {
            unbonding: self.total_unbonding.get(),
            rewards: self.reward_reserve.get(),
        }
    }

    /// Rewards `staker` can claim from `provider`'s pool now.
    pub fn pending_rewards(&self, provider: Address, staker: Address) -> U256 {
        let pos = self.positions.get(provider);
        let pos = pos.get(staker);
        let pool = self.load_pool(provider);
        pos.rewards_owed
            .get()
            .saturating_add(pool.accrued(pos.shares.get(), pos.reward_debt.get()))
    }

    /// `provider`'s commission, in force and pending.
    pub fn commission_of(&self, provider: Address) -> views::Commission {
        let p = self.pools.get(provider);
        views::Commission {
            effectiveBps: self.effective_commission(provider),
            pendingBps: p.pending_commission_bps.val(),
            pendingAt: p.pending_commission_at.val(),
        }
    }

    /// `provider`'s own stake, its pool's stake and whether it is jailed:
    /// what the registry's tier reads, in one call.
    pub fn standing_of(&self, provider: Address) -> views::Standing {
        views::Standing {
            selfStake: self.self_stake_of(provider),
            stake: self.stake_of(provider),
            jailed: self.is_jailed(provider),
        }
    }

    /// Whether `provider` is jailed (slashed within `jailPeriod`).
    pub fn is_jailed(&self, provider: Address) -> bool {
        self.now() < self.pools.get(provider).jailed_until.val()
    }

    /// Unbonding request `request_id` (zeros once withdrawn or if unknown).
    pub fn unbonding_request(&self, request_id: U256) -> views::UnbondingRequest {
        let r = self.requests.get(request_id);
        let provider = r.provider.get();
        let worth = self.load_pool(provider).unbonding_claim(r.shares.get());
        views::UnbondingRequest {
            provider,
            staker: r.staker.get(),
            worth,
            releaseAt: r.release_at.val(),
        }
    }
}

impl Staking {
    fn take_offence(&mut self, challenge_id: U256) -> Result<Address, Error> {
        let provider = self.offences.get(challenge_id);
        if provider.is_zero() {
            return Err(Error::UnknownOffence(UnknownOffence {
                challengeId: challenge_id,
            }));
        }
        self.offences.setter(challenge_id).erase();
        let mut p = self.pools.setter(provider);
        let open = p.open_offences.val().saturating_sub(1);
        p.open_offences.put(open);
        Ok(provider)
    }
}

#[cfg(test)]
mod tests;
