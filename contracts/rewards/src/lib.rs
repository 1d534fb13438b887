//! # SPON rewards
//!
//! Node rewards per era, paid into the node's staking pool so that its
//! delegators share them.
//!
//! * **Eras** of `eraLength` seconds (a day by default; governance changes
//!   it with `setEraLength`, from the next era on) number from the
//!   contract's deployment.
//! * **The reserve.** SPON's supply is fixed: rewards are what governance,
//!   the treasury or anyone `fund`s. An era's budget is `eraBudget` SPON,
//!   or what the reserve holds if less, taken from the reserve when the
//!   era's first claim is made; governance can `withdraw` only what no era
//!   has taken.
//! * **Check-in** (`checkIn(node)`, anyone, during the era): the node is
//!   live by the protocol's own evidence — Active in the registry (not in
//!   Maintenance, suspended, proposed or gone), not jailed and with no
//!   offence open in staking, a signed probe measured in this era
//!   committed to the registry, and a tier of 1–6 (the registry's
//!   `tierOf`: stake, probe against declared hardware, uptime, faults,
//!   lost challenges; for a Fizz node the Fizz thresholds and a gateway in
//!   good standing). Its points, `GPU units × the class multiplier × the
//!   tier booster` ([`era`]; GPU units: those declared or those the probe
//!   found, whichever is fewer), are added to the era's total. Nothing
//!   loops over nodes.
//! * **Claim** (`claim(era, node)`, anyone, from `claimDelay` after the
//!   era's end): the node's share `⌊budget · points / totalPoints⌋` goes to
//!   staking's `notifyReward` for the node's pool: the provider's
//!   commission to it, the rest to the pool's stakers pro rata, streamed
//!   over staking's `rewardPeriod` (no just-in-time capture, finding
//!   F-14). It waits while an offence against the node is open, and is
//!   **forfeited** back to the reserve if the node lost a challenge after
//!   it checked in, is jailed when the claim is made, or its pool holds no
//!   stake any more (nobody to pay).
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

pub mod era;
pub mod errors;
pub mod events;
pub mod params;
pub mod views;

use alloy_primitives::{Address, U256};
use spon_contract_kit::{
    admin::Admin,
    calls, clock,
    interfaces::{IRegistry, IStaking},
    schedule::{Schedule, StoredSchedule},
    Native,
};
use spon_node::{Hardware, ProbeSummary};
use spon_protocol::WEI_PER_SPON;
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageBool, StorageMap, StorageU256, StorageU64, StorageU8},
};

use crate::{errors::*, events::*};

pub use events::EVENTS;

/// Role ids of `setRole` and `RoleChanged`.
pub mod roles {
    use spon_contract_kit::admin::Role;
    use spon_protocol::roles::Rewards;

    /// Sets parameters, roles and the era length, withdraws, pauses.
    pub const GOVERNANCE: u8 = Rewards::Governance as u8;
    /// May pause (unpausing takes governance).
    pub const GUARDIAN: u8 = Rewards::Guardian as u8;

    /// The role table.
    pub const ALL: [Role; 2] = [Role::one(GOVERNANCE), Role::one(GUARDIAN).pauser()];
}

/// Why a node cannot check in (the `reason` of `NotEligible`).
pub mod reason {
    /// Not Active in the registry.
    pub const NOT_ACTIVE: u8 = 1;
    /// Jailed in staking.
    pub const JAILED: u8 = 2;
    /// Its latest probe was not measured in this era.
    pub const NO_PROBE: u8 = 3;
    /// Tier 7 (untrusted).
    pub const UNTRUSTED: u8 = 4;
    /// An offence against it is open.
    pub const OFFENCE_OPEN: u8 = 5;
    /// No points: no GPUs, or a multiplier or booster of 0.
    pub const NO_POINTS: u8 = 6;
}

/// States of a check-in (`CheckIn.state`; names in
/// `spon_protocol::states::CheckInState`).
pub mod check_in_state {
    use spon_protocol::states::CheckInState as S;

    /// Never checked in.
    pub const NONE: u8 = S::None as u8;
    /// Checked in, not yet paid.
    pub const CHECKED_IN: u8 = S::CheckedIn as u8;
    /// Paid into the node's pool.
    pub const PAID: u8 = S::Paid as u8;
    /// Forfeited to the reserve.
    pub const FORFEITED: u8 = S::Forfeited as u8;
}

/// Registry node state Active.
const NODE_ACTIVE: u8 = spon_protocol::states::NodeState::Active as u8;

/// One node's check-in for one era.
#[storage]
pub struct CheckIn {
    state: StorageU8,
    tier: StorageU8,
    points: StorageU64,
    challenges_lost: StorageU64,
    amount: StorageU256,
}

/// One era.
#[storage]
pub struct Era {
    total_points: StorageU256,
    nodes: StorageU64,
    locked: StorageBool,
    budget: StorageU256,
    unpaid: StorageU256,
    check_ins: StorageMap<Address, CheckIn>,
}

/// Storage of the rewards contract.
#[entrypoint]
#[storage]
pub struct Rewards {
    /// Governance, guardian, parameters, pause.
    #[borrow]
    pub admin: Admin,
    spon: StorageAddress,
    registry: StorageAddress,
    staking: StorageAddress,
    schedule: StoredSchedule,
    /// SPON held and not yet taken by an era's budget.
    reserve: StorageU256,
    eras: StorageMap<u64, Era>,
}

/// What the staking contract says of a pool: `(active stake, jailed,
/// open offences)`.
type Standing = (U256, bool, u64);

impl Rewards {
    fn now(&self) -> u64 {
        clock::now(self.vm().block_timestamp())
    }

    fn caller(&self) -> Address {
        self.vm().msg_sender()
    }

    fn emit<E: spon_contract_kit::encode::Emit>(&self, event: E) {
        event.emit(self.vm());
    }

    fn eras(&self) -> Schedule {
        self.schedule.at(self.now())
    }

    /// When era `era` ends.
    fn end_of(&self, era: u64) -> u64 {
        let s = self.eras();
        // Eras before the schedule in force ended before it started.
        if era < s.first {
            s.start
        } else {
            s.start_of(era + 1)
        }
    }

    fn staking_standing(&self, node: Address) -> Result<Standing, Error> {
        let staking = self.staking.get();
        let (tokens, .., jailed_until, open) = IStaking::new(staking)
            .pool_of(self, node)
            .map_err(|_| Error::call_failed(staking))?;
        Ok((tokens, jailed_until > self.now(), open))
    }

    fn challenges_lost(&self, node: Address) -> Result<u64, Error> {
        let registry = self.registry.get();
        let (_, _, lost, ..) = IRegistry::new(registry)
            .reputation_of(self, node)
            .map_err(|_| Error::call_failed(registry))?;
        Ok(lost)
    }

    /// The points `node` earns in an era that started at `era_start`, with
    /// its tier and GPU count, or why it earns none.
    fn evidence(&self, node: Address, era_start: u64) -> Result<(u64, u8, u16), Error> {
        let not = |reason: u8| Error::NotEligible(NotEligible { node, reason });
        let registry = self.registry.get();
        let r = IRegistry::new(registry);
        let failed = |_| Error::call_failed(registry);
        let (state, _, hardware, ..) = r.node_of(self, node).map_err(failed)?;
        if state != NODE_ACTIVE {
            return Err(not(reason::NOT_ACTIVE));
        }
        let (_, jailed, open) = self.staking_standing(node)?;
        if jailed {
            return Err(not(reason::JAILED));
        }
        if open != 0 {
            return Err(not(reason::OFFENCE_OPEN));
        }
        let (summary, ..) = r.probe_of(self, node).map_err(failed)?;
        let probe = ProbeSummary::unpack(&summary.to_be_bytes());
        if probe.timestamp < era_start {
            return Err(not(reason::NO_PROBE));
        }
        let tier = r.tier_of(self, node).map_err(failed)?;
        let booster = params::booster_of(tier).ok_or(not(reason::UNTRUSTED))?;
        let spec = Hardware::unpack(&hardware.to_be_bytes());
        // GPUs declared and found by the probe, whichever is fewer.
        let gpus = spec.gpu_count.min(probe.gpu_count);
        let points = era::points(
            gpus,
            self.admin.param(params::multiplier_of(spec.gpu_model)),
            self.admin.param(booster),
        );
        if points == 0 {
            return Err(not(reason::NO_POINTS));
        }
        Ok((points, tier, gpus))
    }

    /// Fixes era `era`'s budget from the reserve, once.
    fn lock_budget(&mut self, era: u64) {
        if self.eras.get(era).locked.get() {
            return;
        }
        let wanted = U256::from(u128::from(self.admin.param(params::ERA_BUDGET)) * WEI_PER_SPON);
        let reserve = self.reserve.get();
        let budget = wanted.min(reserve);
        self.reserve.set(reserve - budget);
        let mut e = self.eras.setter(era);
        e.locked.set(true);
        e.budget.set(budget);
        e.unpaid.set(budget);
        let total_points = e.total_points.get();
        self.emit(EraBudgetLocked {
            era,
            budget,
            totalPoints: total_points,
        });
    }
}

#[spon_contract_kit::entry_points]
#[inherit(Admin)]
impl Rewards {
    /// Sets the SPON token, the registry, staking and governance, the
    /// parameters, and starts era 0 now. The contract must then hold
    /// staking's rewarder role to pay rewards.
    ///
    /// # Errors
    /// `ZeroAddress`.
    ///
    /// # Events
    /// `RoleChanged` for governance.
    #[constructor]
    pub fn constructor(
        &mut self,
        spon: Address,
        registry: Address,
        staking: Address,
        governance: Address,
    ) -> Result<(), Error> {
        for a in [spon, registry, staking] {
            Error::nonzero(a)?;
        }
        self.spon.set(spon);
        self.registry.set(registry);
        self.staking.set(staking);
        self.admin.init(governance, &roles::ALL, &params::ALL)?;
        let first = Schedule {
            start: self.now(),
            first: 0,
            period: params::ERA_LENGTH.default,
        };
        self.schedule.set(first, first);
        Ok(())
    }

    /// Adds `amount` SPON to the reserve (approve it first). Anyone.
    ///
    /// # Errors
    /// `ZeroAmount`, `SafeErc20FailedOperation`, `ArithmeticOverflow`.
    ///
    /// # Events
    /// `ReserveFunded`.
    pub fn fund(&mut self, amount: U256) -> Result<(), Error> {
        if amount.is_zero() {
            return Err(Error::ZeroAmount(ZeroAmount {}));
        }
        let (spon, from, this) = (self.spon.get(), self.caller(), self.vm().contract_address());
        let reserve = self
            .reserve
            .get()
            .checked_add(amount)
            .ok_or_else(Error::overflow)?;
        self.reserve.set(reserve);
        calls::pull_exact(spon, from, this, amount)?;
        self.emit(ReserveFunded {
            from,
            amount,
            reserve,
        });
        Ok(())
    }

    /// Sends `amount` SPON of the unallocated reserve to `to` (never what
    /// an era's budget has taken). Governance only.
    ///
    /// # Errors
    /// `Unauthorized`, `ZeroAddress`, `ZeroAmount`, `InsufficientReserve`,
    /// `SafeErc20FailedOperation`.
    ///
    /// # Events
    /// `ReserveWithdrawn`.
    pub fn withdraw(&mut self, to: Address, amount: U256) -> Result<(), Error> {
        self.admin.only(roles::GOVERNANCE)?;
        Error::nonzero(to)?;
        if amount.is_zero() {
            return Err(Error::ZeroAmount(ZeroAmount {}));
        }
        let reserve = self.reserve.get();
        if reserve < amount {
            return Err(Error::InsufficientReserve(InsufficientReserve {
                reserve,
                amount,
            }));
        }
        self.reserve.set(reserve - amount);
        calls::safe_transfer(self.spon.get(), to, amount)?;
        self.emit(ReserveWithdrawn { to, amount });
        Ok(())
    }

    /// Sets the era length to `length` seconds (bounds of
    /// `params::ERA_LENGTH`), from the next era on. Governance only.
    ///
    /// # Errors
    /// `Unauthorized`, `EraLengthOutOfBounds`.
    ///
    /// # Events
    /// `EraLengthChanged`.
    pub fn set_era_length(&mut self, length: u64) -> Result<(), Error> {
        self.admin.only(roles::GOVERNANCE)?;
        let p = params::ERA_LENGTH;
        if !(p.min..=p.max).contains(&length) {
            return Err(Error::EraLengthOutOfBounds(EraLengthOutOfBounds {
                length,
                min: p.min,
                max: p.max,
            }));
        }
        let next = self.schedule.reschedule(self.now(), length);
        self.emit(EraLengthChanged {
            length,
            fromEra: next.first,
        });
        Ok(())
    }

    /// Checks `node` in for the current era with the points its evidence
    /// earns (see the module's documentation). Anyone may call it.
    ///
    /// # Errors
    /// `AlreadyCheckedIn`, `NotEligible` (with its reason), `CallFailed`
    /// (registry or staking), `ArithmeticOverflow`, `EnforcedPause`.
    ///
    /// # Events
    /// `CheckedIn`.
    pub fn check_in(&mut self, node: Address) -> Result<u64, Error> {
        self.admin.when_not_paused()?;
        let (s, now) = (self.eras(), self.now());
        let era = s.round_at(now);
        if self.eras.get(era).check_ins.get(node).state.val() != check_in_state::NONE {
            return Err(Error::AlreadyCheckedIn(AlreadyCheckedIn { era, node }));
        }
        let (points, tier, gpus) = self.evidence(node, s.start_of(era))?;
        let lost = self.challenges_lost(node)?;
        let mut e = self.eras.setter(era);
        let total = e
            .total_points
            .get()
            .checked_add(U256::from(points))
            .ok_or_else(Error::overflow)?;
        e.total_points.set(total);
        let nodes = e.nodes.val().checked_add(1).ok_or_else(Error::overflow)?;
        e.nodes.put(nodes);
        let mut c = e.check_ins.setter(node);
        c.state.put(check_in_state::CHECKED_IN);
        c.tier.put(tier);
        c.points.put(points);
        c.challenges_lost.put(lost);
        self.emit(CheckedIn {
            era,
            node,
            points,
            tier,
            gpus,
            totalPoints: total,
        });
        Ok(points)
    }

    /// Pays `node`'s share of era `era` into its staking pool, or forfeits
    /// it to the reserve if the node lost a challenge since it checked in
    /// or is jailed. Anyone may call it, from `claimDelay` after the era's
    /// end. Returns the amount paid (0 if forfeited).
    ///
    /// # Errors
    /// `ClaimTooEarly`, `NothingToClaim`, `OffenceOpen` (retry after the
    /// ruling), `CallFailed` (registry, or staking refused the reward),
    /// `SafeErc20FailedOperation`, `EnforcedPause`.
    ///
    /// # Events
    /// `EraBudgetLocked` (the era's first claim); `RewardPaid` or
    /// `RewardForfeited`.
    pub fn claim(&mut self, era: u64, node: Address) -> Result<U256, Error> {
        self.admin.when_not_paused()?;
        let claimable_at = self
            .end_of(era)
            .saturating_add(self.admin.param(params::CLAIM_DELAY));
        if self.now() < claimable_at {
            return Err(Error::ClaimTooEarly(ClaimTooEarly {
                era,
                claimableAt: claimable_at,
            }));
        }
        let (points, lost_then) = {
            let c = self.eras.get(era);
            let c = c.check_ins.get(node);
            if c.state.val() != check_in_state::CHECKED_IN {
                return Err(Error::NothingToClaim(NothingToClaim { era, node }));
            }
            (c.points.val(), c.challenges_lost.val())
        };
        let (tokens, jailed, open) = self.staking_standing(node)?;
        if open != 0 {
            return Err(Error::OffenceOpen(OffenceOpen { node }));
        }
        // A pool emptied since the check-in has nobody to pay: its share
        // goes back to the reserve rather than stay stranded.
        let forfeit = jailed || tokens.is_zero() || self.challenges_lost(node)? > lost_then;
        self.lock_budget(era);
        let mut e = self.eras.setter(era);
        let amount = era::share(e.budget.get(), points, e.total_points.get());
        // Σ shares ≤ budget (`era::share`), so this never underflows.
        let unpaid = e.unpaid.get() - amount;
        e.unpaid.set(unpaid);
        let mut c = e.check_ins.setter(node);
        c.amount.set(amount);
        if forfeit {
            c.state.put(check_in_state::FORFEITED);
            self.reserve.set(self.reserve.get() + amount);
            self.emit(RewardForfeited { era, node, amount });
            return Ok(U256::ZERO);
        }
        c.state.put(check_in_state::PAID);
        if !amount.is_zero() {
            let staking = self.staking.get();
            calls::safe_approve(self.spon.get(), staking, amount)?;
            IStaking::new(staking)
                .notify_reward(&mut *self, node, amount)
                .map_err(|_| Error::call_failed(staking))?;
        }
        self.emit(RewardPaid { era, node, amount });
        Ok(amount)
    }

    // -------------------------------------------------------------- views

    /// The contracts fixed at construction.
    pub fn config(&self) -> views::RewardsConfig {
        views::RewardsConfig {
            spon: self.spon.get(),
            registry: self.registry.get(),
            staking: self.staking.get(),
        }
    }

    /// The era now, and when it started and ends.
    pub fn current_era(&self) -> views::CurrentEra {
        let (s, now) = (self.eras(), self.now());
        let era = s.round_at(now);
        views::CurrentEra {
            era,
            startsAt: s.start_of(era),
            endsAt: s.start_of(era + 1),
        }
    }

    /// Era `era`: its points, nodes, budget and what is left to pay.
    pub fn era_of(&self, era: u64) -> views::Era {
        let e = self.eras.get(era);
        let ends_at = self.end_of(era);
        views::Era {
            endsAt: ends_at,
            claimableAt: ends_at.saturating_add(self.admin.param(params::CLAIM_DELAY)),
            totalPoints: e.total_points.get(),
            nodes: e.nodes.val(),
            locked: e.locked.get(),
            budget: e.budget.get(),
            unpaid: e.unpaid.get(),
        }
    }

    /// `node`'s check-in for era `era` (all zero if none).
    pub fn check_in_of(&self, era: u64, node: Address) -> views::CheckIn {
        let e = self.eras.get(era);
        let c = e.check_ins.get(node);
        views::CheckIn {
            state: c.state.val(),
            points: c.points.val(),
            tier: c.tier.val(),
            challengesLost: c.challenges_lost.val(),
            amount: c.amount.get(),
        }
    }

    /// SPON held and not yet taken by an era's budget.
    pub fn reserve(&self) -> U256 {
        self.reserve.get()
    }
}

#[cfg(test)]
mod tests;
