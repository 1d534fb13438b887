//! # SPON audits
//!
//! Random audits of nodes, so that a node is checked even when nobody
//! suspects it. Arbitrum gives a contract no usable randomness (its
//! `prevrandao` is a constant and the sequencer sees and orders block
//! hashes first), so the seed comes from commit–reveal by auditors that
//! governance appoints:
//!
//! 1. In the first half of round `r` each auditor commits
//!    `keccak256(secret ‖ auditor)`; in the second half it reveals the
//!    secret, which is folded into the round's seed
//!    (`seed = keccak256(seed ‖ secret)`, in reveal order).
//! 2. Once the round is over, an auditor runs its audit: the seed draws a
//!    node from the audit list (any active node can be enrolled, by
//!    anyone) with probability proportional to its stake, capped at
//!    `weightCap` (rejection sampling, at most [`draw::MAX_DRAWS`] reads),
//!    and decides liveness or GPU work (`gpuWorkShareBps`).
//! 3. The audit opens that challenge in the challenges contract with the
//!    audit pool's SPON as bond. For GPU work the auditor running the
//!    audit supplies the hash of a fresh sampling secret, which it later
//!    reveals to the challenges contract itself. The bond comes back here,
//!    with the challenger's share of any slash.
//!
//! The seed is unpredictable while one auditor keeps its secret until the
//! reveal; the last auditor to reveal can still withhold and so choose
//! between two seeds (see `audits/challenges.md`).
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
// `#[entrypoint]` exports an undocumented `user_entrypoint` to the WASM
// host (and, for the ABI export, a `main`); every item of ours is
// documented (checked by the native build).
#![cfg_attr(
    any(target_arch = "wasm32", feature = "export-abi"),
    allow(missing_docs)
)]
extern crate alloc;

pub mod draw;
pub mod errors;
pub mod events;
pub mod params;
pub mod views;

use alloy_primitives::{Address, B256, U256};
use spon_contract_kit::{
    admin::Admin,
    calls, clock,
    interfaces::{IChallenges, IRegistry, IStaking},
    Native,
};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageB256, StorageBool, StorageMap, StorageU64, StorageVec},
};

use crate::{draw::Schedule, errors::*, events::*};
use spon_contract_kit::schedule::StoredSchedule;

pub use events::EVENTS;

/// Role ids of `setRole` and `RoleChanged`.
pub mod roles {
    use spon_contract_kit::admin::Role;
    use spon_protocol::roles::Audits;

    /// Sets parameters and roles, withdraws from the pool, pauses.
    pub const GOVERNANCE: u8 = Audits::Governance as u8;
    /// Commits and reveals seeds, runs audits (several).
    pub const AUDITOR: u8 = Audits::Auditor as u8;
    /// May pause (unpausing takes governance).
    pub const GUARDIAN: u8 = Audits::Guardian as u8;

    /// The role table.
    pub const ALL: [Role; 3] = [
        Role::one(GOVERNANCE),
        Role::set(AUDITOR),
        Role::one(GUARDIAN).pauser(),
    ];
}

/// Phases of `WrongPhase`.
pub mod phase {
    /// The round's first half: commitments.
    pub const COMMIT: u8 = 0;
    /// The round's second half: reveals.
    pub const REVEAL: u8 = 1;
}

use spon_protocol::WEI_PER_SPON;
/// Registry node state Active.
const NODE_ACTIVE: u8 = spon_protocol::states::NodeState::Active as u8;
/// Registry node state Maintenance (drawn for audits as well).
const NODE_MAINTENANCE: u8 = spon_protocol::states::NodeState::Maintenance as u8;
/// Challenge kinds of the challenges contract.
const LIVENESS: u8 = 0;
const GPU_WORK: u8 = 1;
/// The challenges contract's `challengeBond` parameter id.
const CHALLENGE_BOND: u8 = 0;

/// One audit round.
#[storage]
pub struct Round {
    reveals: StorageU64,
    seed: StorageB256,
    runs: StorageU64,
    commitments: StorageMap<Address, StorageB256>,
    revealed: StorageMap<Address, StorageBool>,
}

/// Storage of the audits contract.
#[entrypoint]
#[storage]
pub struct Audits {
    /// Governance, auditors, parameters, pause.
    #[borrow]
    pub admin: Admin,
    spon: StorageAddress,
    staking: StorageAddress,
    registry: StorageAddress,
    challenges: StorageAddress,
    /// The round schedule.
    schedules: StoredSchedule,
    rounds: StorageMap<u64, Round>,
    nodes: StorageVec<StorageAddress>,
    enrolled: StorageMap<Address, StorageBool>,
}

impl Audits {
    fn now(&self) -> u64 {
        clock::now(self.vm().block_timestamp())
    }

    fn caller(&self) -> Address {
        self.vm().msg_sender()
    }

    fn emit<E: spon_contract_kit::encode::Emit>(&self, event: E) {
        event.emit(self.vm());
    }

    /// The schedule in force now.
    fn schedule(&self) -> Schedule {
        self.schedules.at(self.now())
    }

    /// The current round, if it is in phase `wanted`.
    fn current_round_in(&self, wanted: u8) -> Result<u64, Error> {
        let (s, now) = (self.schedule(), self.now());
        let round = s.round_at(now);
        let phase = if s.in_commit_phase(now) {
            phase::COMMIT
        } else {
            phase::REVEAL
        };
        if phase != wanted {
            return Err(Error::WrongPhase(WrongPhase { round, phase }));
        }
        Ok(round)
    }

    /// The audit weight of `node`: its stake if it is Active, else 0.
    fn weight(&self, node: Address) -> u128 {
        let active = IRegistry::new(self.registry.get())
            .node_of(self, node)
            // A node in Maintenance is drawn too: entering it once drawn
            // must not dodge the audit (finding F-05).
            .is_ok_and(|(state, ..)| state == NODE_ACTIVE || state == NODE_MAINTENANCE);
        if !active {
            return 0;
        }
        IStaking::new(self.staking.get())
            .stake_of(self, node)
            .map_or(0, |s| s.saturating_to())
    }

    /// `minAuditStake` in wei.
    fn min_stake(&self) -> u128 {
        u128::from(self.admin.param(params::MIN_AUDIT_STAKE)) * WEI_PER_SPON
    }

    fn spon_balance(&self) -> Result<U256, Error> {
        let spon = self.spon.get();
        Ok(calls::balance_of(spon, self.vm().contract_address())?)
    }
}

#[spon_contract_kit::entry_points]
#[inherit(Admin)]
impl Audits {
    /// Sets the SPON token, staking, the registry, the challenges
    /// contract and governance, the parameters, and starts round 0 now.
    /// Auditors are appointed with `setRole`.
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
        staking: Address,
        registry: Address,
        challenges: Address,
        governance: Address,
    ) -> Result<(), Error> {
        for a in [spon, staking, registry, challenges] {
            Error::nonzero(a)?;
        }
        self.spon.set(spon);
        self.staking.set(staking);
        self.registry.set(registry);
        self.challenges.set(challenges);
        self.admin.init(governance, &roles::ALL, &params::ALL)?;
        let first = Schedule {
            start: self.now(),
            first: 0,
            period: params::ROUND_PERIOD.default,
        };
        self.schedules.set(first, first);
        Ok(())
    }

    /// Puts `node`, Active in the registry, on the audit list (anyone).
    /// Nodes stay listed; one that is neither Active nor in Maintenance
    /// is never drawn.
    ///
    /// # Errors
    /// `EnforcedPause`, `NodeNotActive`, `AlreadyEnrolled`, `CallFailed`.
    ///
    /// # Events
    /// `NodeEnrolled`.
    pub fn enroll(&mut self, node: Address) -> Result<u64, Error> {
        self.admin.when_not_paused()?;
        if self.enrolled.get(node) {
            return Err(Error::AlreadyEnrolled(AlreadyEnrolled { node }));
        }
        let registry = self.registry.get();
        let (state, ..) = IRegistry::new(registry)
            .node_of(&*self, node)
            .map_err(|_| Error::call_failed(registry))?;
        if state != NODE_ACTIVE {
            return Err(Error::NodeNotActive(NodeNotActive { node, state }));
        }
        let (stake, min) = (self.weight(node), self.min_stake());
        if stake < min {
            return Err(Error::StakeTooLow(StakeTooLow {
                node,
                stake: U256::from(stake),
                min: U256::from(min),
            }));
        }
        let index = self.nodes.len() as u64;
        self.nodes.push(node);
        self.enrolled.setter(node).set(true);
        self.emit(NodeEnrolled { node, index });
        Ok(index)
    }

    /// Takes the node at `index` off the audit list if its audit weight
    /// (pool stake while Active or in Maintenance) fell below
    /// `minAuditStake`; the last node moves to `index`. Anyone may call
    /// it, in a round's commit phase while no earlier seed awaits its
    /// audit (the list's order is part of every draw: it changes only
    /// while no seed is known).
    ///
    /// # Errors
    /// `EnforcedPause`, `WrongPhase`, `UnknownIndex`, `StillEligible`.
    ///
    /// # Events
    /// `NodePruned`.
    pub fn prune(&mut self, index: u64) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        let round = self.current_round_in(phase::COMMIT)?;
        if let Some(previous) = round.checked_sub(1) {
            let r = self.rounds.get(previous);
            let all = self.admin.param(params::AUDITS_PER_ROUND);
            if r.runs.val() < all && r.reveals.val() != 0 {
                return Err(Error::WrongPhase(WrongPhase {
                    round: previous,
                    phase: phase::REVEAL,
                }));
            }
        }
        let len = self.nodes.len() as u64;
        if index >= len {
            return Err(Error::UnknownIndex(UnknownIndex { index }));
        }
        let node = self.nodes.get(index as usize).unwrap_or_default();
        if self.weight(node) >= self.min_stake() {
            return Err(Error::StillEligible(StillEligible { node }));
        }
        let last = self.nodes.get(len as usize - 1).unwrap_or_default();
        if let Some(mut slot) = self.nodes.setter(index as usize) {
            slot.set(last);
        }
        self.nodes.pop();
        self.enrolled.setter(node).set(false);
        self.emit(NodePruned { node, index });
        Ok(())
    }

    /// Commits `keccak256(secret ‖ auditor)` for the current round, in its
    /// first half. Auditors only, once a round.
    ///
    /// # Errors
    /// `Unauthorized`, `EnforcedPause`, `WrongPhase`, `AlreadyCommitted`,
    /// `MissingCommitment` (zero).
    ///
    /// # Events
    /// `SeedCommitted`.
    pub fn commit_seed(&mut self, commitment: B256) -> Result<u64, Error> {
        let auditor = self.admin.only(roles::AUDITOR)?;
        self.admin.when_not_paused()?;
        let round = self.current_round_in(phase::COMMIT)?;
        if commitment.is_zero() {
            return Err(Error::MissingCommitment(MissingCommitment {}));
        }
        let mut r = self.rounds.setter(round);
        if !r.commitments.get(auditor).is_zero() {
            return Err(Error::AlreadyCommitted(AlreadyCommitted { round, auditor }));
        }
        r.commitments.setter(auditor).set(commitment);
        self.emit(SeedCommitted {
            round,
            auditor,
            commitment,
        });
        Ok(round)
    }

    /// Reveals the caller's secret for the current round, in its second
    /// half, folding it into the round's seed. Auditors only, once.
    ///
    /// # Errors
    /// `Unauthorized`, `EnforcedPause`, `WrongPhase`, `NothingToReveal`,
    /// `WrongReveal`.
    ///
    /// # Events
    /// `SeedRevealed`.
    pub fn reveal_seed(&mut self, secret: B256) -> Result<u64, Error> {
        let auditor = self.admin.only(roles::AUDITOR)?;
        self.admin.when_not_paused()?;
        let round = self.current_round_in(phase::REVEAL)?;
        let mut r = self.rounds.setter(round);
        let committed = r.commitments.get(auditor);
        if committed.is_zero() || r.revealed.get(auditor) {
            return Err(Error::NothingToReveal(NothingToReveal { round, auditor }));
        }
        if draw::commitment(secret, auditor.as_ref()) != committed {
            return Err(Error::WrongReveal(WrongReveal { round, auditor }));
        }
        r.revealed.setter(auditor).set(true);
        let seed = draw::accumulate(r.seed.get(), secret);
        r.seed.set(seed);
        let reveals = r.reveals.val() + 1;
        r.reveals.put(reveals);
        self.emit(SeedRevealed {
            round,
            auditor,
            secret,
            reveals: reveals as u32,
        });
        Ok(round)
    }

    /// Runs the audit of `round` once it is over: draws a node by stake
    /// from the round's seed and opens a liveness or GPU-work challenge
    /// against it with the pool's SPON as bond. `sample_commitment` is
    /// `keccak256(secret)` of the sampling secret the caller will reveal
    /// to the challenges contract if the audit is GPU work (ignored
    /// otherwise). Returns the challenge id (0 if no node was drawn).
    /// Auditors only, once a round.
    ///
    /// # Errors
    /// `Unauthorized`, `EnforcedPause`, `WrongPhase` (not over),
    /// `AuditAlreadyRun`, `NoSeed`, `MissingCommitment`,
    /// `InsufficientPool`, `CallFailed`.
    ///
    /// # Events
    /// `AuditOpened` or `AuditSkipped`.
    pub fn run_audit(&mut self, round: u64, sample_commitment: B256) -> Result<u64, Error> {
        self.admin.only(roles::AUDITOR)?;
        self.admin.when_not_paused()?;
        let (s, now) = (self.schedule(), self.now());
        let current = s.round_at(now);
        if round >= current {
            let phase = if round > current || s.in_commit_phase(now) {
                phase::COMMIT
            } else {
                phase::REVEAL
            };
            return Err(Error::WrongPhase(WrongPhase { round, phase }));
        }
        // Only the round just over: an older seed is known to everyone for
        // a round or more, and enrolments would re-roll its draw.
        if round + 1 < current {
            return Err(Error::AuditExpired(AuditExpired { round }));
        }
        let r = self.rounds.get(round);
        let runs = r.runs.val();
        if runs >= self.admin.param(params::AUDITS_PER_ROUND) {
            return Err(Error::AuditAlreadyRun(AuditAlreadyRun { round }));
        }
        if r.reveals.val() == 0 {
            return Err(Error::NoSeed(NoSeed { round }));
        }
        // Draw `runs` of the round: its seed, then the seed hashed with
        // the draw's number.
        let seed = match runs {
            0 => r.seed.get(),
            i => {
                let mut buf = [0u8; 40];
                buf[..32].copy_from_slice(r.seed.get().as_slice());
                buf[32..].copy_from_slice(&i.to_be_bytes());
                alloy_primitives::keccak256(buf)
            }
        };
        self.rounds.setter(round).runs.put(runs + 1);
        let cap = u128::from(self.admin.param(params::WEIGHT_CAP)) * WEI_PER_SPON;
        let count = self.nodes.len() as u64;
        let picked = draw::select(&seed, count, cap, |i| {
            let node = self.nodes.get(i as usize).unwrap_or_default();
            self.weight(node)
        });
        let Some(index) = picked else {
            self.emit(AuditSkipped { round, seed });
            return Ok(0);
        };
        let node = self.nodes.get(index as usize).unwrap_or_default();
        let kind = if draw::is_gpu_work(&seed, self.admin.param(params::GPU_WORK_SHARE_BPS)) {
            GPU_WORK
        } else {
            LIVENESS
        };
        if kind == GPU_WORK && sample_commitment.is_zero() {
            return Err(Error::MissingCommitment(MissingCommitment {}));
        }
        let (spon, challenges) = (self.spon.get(), self.challenges.get());
        let bond = IChallenges::new(challenges)
            .parameter(&*self, CHALLENGE_BOND)
            .map_err(|_| Error::call_failed(challenges))?
            .saturating_mul(U256::from(WEI_PER_SPON));
        let balance = self.spon_balance()?;
        if balance < bond {
            return Err(Error::InsufficientPool(InsufficientPool { balance, bond }));
        }
        calls::safe_approve(spon, challenges, bond)?;
        // A node drawn twice in a round already has this challenge open:
        // the draw is skipped (its allowance is spent by the next audit).
        let Ok(id) = IChallenges::new(challenges).open_challenge(
            &mut *self,
            kind,
            node,
            0,
            sample_commitment,
        ) else {
            self.emit(AuditSkipped { round, seed });
            return Ok(0);
        };
        self.emit(AuditOpened {
            round,
            challengeId: id,
            node,
            kind,
            seed,
        });
        Ok(id)
    }

    /// Adds `amount` SPON to the audit pool (approve it first). Anyone.
    ///
    /// # Errors
    /// `ZeroAmount`, `CallFailed` (the transfer failed).
    ///
    /// # Events
    /// `PoolFunded`.
    pub fn fund(&mut self, amount: U256) -> Result<(), Error> {
        if amount.is_zero() {
            return Err(Error::ZeroAmount(ZeroAmount {}));
        }
        let (spon, from, this) = (self.spon.get(), self.caller(), self.vm().contract_address());
        calls::safe_transfer_from(spon, from, this, amount)?;
        self.emit(PoolFunded { from, amount });
        Ok(())
    }

    /// Sends `amount` SPON of the pool to `to`. Governance only.
    ///
    /// # Errors
    /// `Unauthorized`, `ZeroAddress`, `ZeroAmount`, `InsufficientPool`,
    /// `CallFailed`.
    ///
    /// # Events
    /// `PoolWithdrawn`.
    pub fn withdraw(&mut self, to: Address, amount: U256) -> Result<(), Error> {
        self.admin.only(roles::GOVERNANCE)?;
        Error::nonzero(to)?;
        if amount.is_zero() {
            return Err(Error::ZeroAmount(ZeroAmount {}));
        }
        let balance = self.spon_balance()?;
        if balance < amount {
            return Err(Error::InsufficientPool(InsufficientPool {
                balance,
                bond: amount,
            }));
        }
        let spon = self.spon.get();
        calls::safe_transfer(spon, to, amount)?;
        self.emit(PoolWithdrawn { to, amount });
        Ok(())
    }

    /// Sets the length of an audit round to `period` seconds (bounds of
    /// `params::ROUND_PERIOD`), from the next round on. Governance only.
    ///
    /// # Errors
    /// `Unauthorized`, `RoundPeriodOutOfBounds`.
    ///
    /// # Events
    /// `RoundPeriodChanged`.
    pub fn set_round_period(&mut self, period: u64) -> Result<(), Error> {
        self.admin.only(roles::GOVERNANCE)?;
        let p = params::ROUND_PERIOD;
        if !(p.min..=p.max).contains(&period) {
            return Err(Error::RoundPeriodOutOfBounds(RoundPeriodOutOfBounds {
                period,
                min: p.min,
                max: p.max,
            }));
        }
        let next = self.schedules.reschedule(self.now(), period);
        self.emit(RoundPeriodChanged {
            period,
            fromRound: next.first,
        });
        Ok(())
    }

    /// The contracts fixed at construction.
    pub fn config(&self) -> views::AuditsConfig {
        views::AuditsConfig {
            spon: self.spon.get(),
            staking: self.staking.get(),
            registry: self.registry.get(),
            challenges: self.challenges.get(),
        }
    }

    /// The round now, its half, and when it ends.
    pub fn current_round(&self) -> views::CurrentRound {
        let (s, now) = (self.schedule(), self.now());
        let round = s.round_at(now);
        views::CurrentRound {
            round,
            committing: s.in_commit_phase(now),
            endsAt: s.start_of(round + 1),
        }
    }

    /// The seed of `round`.
    pub fn round_of(&self, round: u64) -> views::Round {
        let r = self.rounds.get(round);
        views::Round {
            reveals: r.reveals.val(),
            seed: r.seed.get(),
            runs: r.runs.val(),
        }
    }

    /// `auditor`'s commitment in `round` (zero if none).
    pub fn commitment_of(&self, round: u64, auditor: Address) -> B256 {
        self.rounds.get(round).commitments.get(auditor)
    }

    /// Nodes on the audit list.
    pub fn node_count(&self) -> u64 {
        self.nodes.len() as u64
    }

    /// The node at `index` of the audit list (zero if none).
    pub fn node_at(&self, index: u64) -> Address {
        self.nodes.get(index as usize).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
