//! # SPON governance
//!
//! The governor: the only admin of every SPON contract (parameters,
//! provider approval, the payment-token allowlist, rulings, pause). It
//! changes them only by executing proposals that SPON holders voted for.
//!
//! 1. `propose` — one to [`params::MAX_CALLS`] calls (target, value,
//!    calldata) and a description hash, by an account holding at least
//!    `proposalThreshold` SPON. Its vote opens after `votingDelay` and lasts
//!    `votingPeriod`; its quorum is `quorumBps` of SPON's supply then.
//! 2. `castVote` — a voter's power is the SPON it locks in the governor
//!    for this vote (approve it first): one vote per voter per proposal,
//!    taken back with `unlock` once the vote is over. Locked SPON cannot
//!    move while the vote runs, so it is never counted twice.
//! 3. `queue` — a proposal with for + abstain at quorum and more for than
//!    against waits `timelockDelay`, then `execute` runs its calls once
//!    (anyone may queue and execute), within a grace period.
//!
//! The governor has the same admin ABI as every contract
//! (`spon_contract_kit::admin`) and holds its own governance role, so its
//! parameters and pause change the same way: a proposal whose call
//! targets the governor with `setParameter`, `pause` or `unpause` is
//! applied directly (a contract cannot call itself: the SDK refuses
//! reentrant calls). Its governance role cannot be handed over. While the
//! governor is paused, no proposal can be made except one that unpauses
//! it; votes, queueing and execution go on.
//!
//! The **guardian** is a role of each governed contract, not of the
//! governor: it may `pause` any of them and veto pending slashes in the
//! challenges contract; unpausing takes a proposal.
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
pub mod proposal;
pub mod views;

use alloc::vec::Vec;

use alloy_primitives::{Address, FixedBytes, B256, U256};
use alloy_sol_types::SolCall;
use spon_contract_kit::{
    admin::{functions, Admin},
    calls, clock, Native,
};
use stylus_sdk::{
    abi::Bytes,
    prelude::*,
    storage::{
        StorageAddress, StorageB256, StorageBool, StorageMap, StorageU256, StorageU64, StorageU8,
    },
};

use crate::{
    errors::*,
    events::*,
    proposal::{state, support, Record},
};

pub use events::EVENTS;

use spon_protocol::WEI_PER_SPON;

/// Role ids of `setRole` and `RoleChanged`.
pub mod roles {
    use spon_contract_kit::admin::Role;
    use spon_protocol::roles::Governance;

    /// The governor itself: its own parameters and pause change only
    /// through its executed proposals.
    pub const GOVERNANCE: u8 = Governance::Governance as u8;

    /// The role table.
    pub const ALL: [Role; 1] = [Role::one(GOVERNANCE)];
}

/// A voter's SPON locked on one proposal.
#[storage]
pub struct Lock {
    /// `support + 1`; 0 if it did not vote.
    choice: StorageU8,
    amount: StorageU256,
    unlocked: StorageBool,
}

/// One proposal.
#[storage]
pub struct Proposal {
    proposer: StorageAddress,
    description_hash: StorageB256,
    vote_start: StorageU64,
    vote_end: StorageU64,
    eta: StorageU64,
    quorum: StorageU256,
    for_votes: StorageU256,
    against_votes: StorageU256,
    abstain_votes: StorageU256,
    executed: StorageBool,
    canceled: StorageBool,
    /// [`proposal::actions_hash`] of its calls.
    actions: StorageB256,
    calls: StorageU64,
    locks: StorageMap<Address, Lock>,
}

/// Storage of the governor.
#[entrypoint]
#[storage]
pub struct Governance {
    /// Its own parameters and pause (governance: itself).
    #[borrow]
    pub admin: Admin,
    spon: StorageAddress,
    count: StorageU64,
    /// SPON locked in votes and not yet taken back.
    locked: StorageU256,
    proposals: StorageMap<u64, Proposal>,
}

fn spon_wei(whole: u64) -> U256 {
    U256::from(whole) * U256::from(WEI_PER_SPON)
}

impl Governance {
    fn now(&self) -> u64 {
        clock::now(self.vm().block_timestamp())
    }

    fn caller(&self) -> Address {
        self.vm().msg_sender()
    }

    fn emit<E: spon_contract_kit::encode::Emit>(&self, event: E) {
        event.emit(self.vm());
    }

    fn record(&self, id: u64) -> Record {
        let p = self.proposals.getter(id);
        Record {
            vote_start: p.vote_start.val(),
            vote_end: p.vote_end.val(),
            eta: p.eta.val(),
            quorum: p.quorum.get(),
            for_votes: p.for_votes.get(),
            against_votes: p.against_votes.get(),
            abstain_votes: p.abstain_votes.get(),
            executed: p.executed.get(),
            canceled: p.canceled.get(),
        }
    }

    /// The record of proposal `id` if it is in one of `expected` states.
    fn expect(&self, id: u64, expected: &[u8]) -> Result<Record, Error> {
        let r = self.record(id);
        let s = r.state(self.now());
        if !expected.contains(&s) {
            return Err(Error::not_in_state(id, s, expected));
        }
        Ok(r)
    }

    /// Runs a proposal's call to the governor itself.
    fn call_self(&mut self, value: U256, data: &[u8]) -> Result<(), Error> {
        let selector = FixedBytes::<4>::from_slice(data.get(..4).unwrap_or(&[0; 4]));
        // Static arguments only: word `i` after the selector, read once
        // the length is known to hold it.
        let word = |i: usize| U256::from_be_slice(&data[4 + 32 * i..36 + 32 * i]);
        if value.is_zero() {
            if selector == functions::setParameterCall::SELECTOR
                && data.len() == 68
                && word(0) < U256::from(256)
            {
                return Ok(self.admin.store_parameter(word(0).to(), word(1))?);
            }
            let pause = selector == functions::pauseCall::SELECTOR;
            if data.len() == 4 && (pause || selector == functions::unpauseCall::SELECTOR) {
                let this = self.vm().contract_address();
                return Ok(self.admin.set_paused(pause, this)?);
            }
        }
        Err(Error::UnsupportedSelfCall(UnsupportedSelfCall { selector }))
    }

    /// Runs call `index` of a proposal: `value` wei and `data` to `target`.
    fn run_action(
        &mut self,
        index: usize,
        target: Address,
        value: U256,
        data: &[u8],
    ) -> Result<(), Error> {
        if target == self.vm().contract_address() {
            return self.call_self(value, data);
        }
        #[allow(deprecated)]
        let done = stylus_sdk::call::call(
            stylus_sdk::call::Call::new_in(self).value(value),
            target,
            data,
        );
        #[allow(deprecated)]
        done.map(|_| ()).map_err(|e| {
            let reason = match e {
                stylus_sdk::call::Error::Revert(r) => r,
                _ => Vec::new(),
            };
            Error::CallReverted(CallReverted {
                index: U256::from(index),
                target,
                reason: reason.into(),
            })
        })
    }

    fn spon_transfer(&mut self, to: Address, amount: U256) -> Result<(), Error> {
        Ok(calls::safe_transfer(self.spon.get(), to, amount)?)
    }
}

#[spon_contract_kit::entry_points]
#[inherit(Admin)]
impl Governance {
    /// Sets the SPON token (votes and the proposal threshold) and the
    /// parameters; the governor governs itself.
    ///
    /// # Errors
    /// `ZeroAddress` (SPON).
    ///
    /// # Events
    /// `RoleChanged` for itself.
    #[constructor]
    pub fn constructor(&mut self, spon: Address) -> Result<(), Error> {
        Error::nonzero(spon)?;
        self.spon.set(spon);
        let this = self.vm().contract_address();
        self.admin.init(this, &roles::ALL, &params::ALL)?;
        Ok(())
    }

    /// Proposes calls: `targets[i]` gets `values[i]` wei and `calldatas[i]`.
    /// The caller must hold `proposalThreshold` SPON. Returns the id.
    ///
    /// # Errors
    /// `InvalidProposalLength`, `CalldataTooLong`, `ZeroAddress` (a
    /// target), `BelowProposalThreshold`, `CallFailed` (SPON did not
    /// answer), `ArithmeticOverflow`, `EnforcedPause` (while the governor
    /// is paused only a proposal to unpause it may be made).
    ///
    /// # Events
    /// `ProposalCreated`.
    pub fn propose(
        &mut self,
        targets: Vec<Address>,
        values: Vec<U256>,
        calldatas: Vec<Bytes>,
        description_hash: B256,
    ) -> Result<u64, Error> {
        let n = targets.len();
        if n == 0 || n > params::MAX_CALLS || values.len() != n || calldatas.len() != n {
            return Err(Error::InvalidProposalLength(InvalidProposalLength {
                targets: n as u64,
                values: values.len() as u64,
                calldatas: calldatas.len() as u64,
                max: params::MAX_CALLS as u64,
            }));
        }
        let this = self.vm().contract_address();
        let unpauses =
            n == 1 && targets[0] == this && calldatas[0][..] == functions::unpauseCall::SELECTOR;
        if !unpauses {
            self.admin.when_not_paused()?;
        }
        for (i, (target, data)) in targets.iter().zip(&calldatas).enumerate() {
            if target.is_zero() {
                return Err(Error::ZeroAddress(ZeroAddress {}));
            }
            if data.len() > params::MAX_CALLDATA {
                return Err(Error::CalldataTooLong(CalldataTooLong {
                    index: U256::from(i),
                    length: U256::from(data.len()),
                    max: U256::from(params::MAX_CALLDATA),
                }));
            }
        }
        let proposer = self.caller();
        let spon = self.spon.get();
        let balance = calls::balance_of(spon, proposer)?;
        let threshold = spon_wei(self.admin.param(params::PROPOSAL_THRESHOLD));
        if balance < threshold {
            return Err(Error::BelowProposalThreshold(BelowProposalThreshold {
                proposer,
                balance,
                threshold,
            }));
        }
        let supply = calls::total_supply(spon)?;
        let quorum = proposal::quorum(supply, self.admin.param(params::QUORUM_BPS));
        let vote_start = self
            .now()
            .checked_add(self.admin.param(params::VOTING_DELAY))
            .ok_or(Error::overflow())?;
        let vote_end = vote_start
            .checked_add(self.admin.param(params::VOTING_PERIOD))
            .ok_or(Error::overflow())?;
        let id = self.count.val().checked_add(1).ok_or(Error::overflow())?;
        self.count.put(id);

        let mut p = self.proposals.setter(id);
        p.proposer.set(proposer);
        p.description_hash.set(description_hash);
        p.vote_start.put(vote_start);
        p.vote_end.put(vote_end);
        p.quorum.set(quorum);
        p.actions
            .set(proposal::actions_hash(&targets, &values, &calldatas));
        p.calls.put(n as u64);
        self.emit(ProposalCreated {
            id,
            proposer,
            descriptionHash: description_hash,
            voteStart: vote_start,
            voteEnd: vote_end,
            quorum,
            calls: n as u64,
        });
        for (index, ((target, value), data)) in
            targets.into_iter().zip(values).zip(calldatas).enumerate()
        {
            self.emit(ProposalCall {
                id,
                index: index as u64,
                target,
                value,
                data: data.0.into(),
            });
        }
        Ok(id)
    }

    /// Votes on proposal `id` with `amount` SPON pulled from the caller
    /// (approve it first) and locked until the vote is over. `support`: 0
    /// against, 1 for, 2 abstain. One vote per voter per proposal.
    ///
    /// # Errors
    /// `ProposalNotInState` (vote not open), `InvalidSupport`, `ZeroAmount`,
    /// `AlreadyVoted`, `SafeErc20FailedOperation`, `ArithmeticOverflow`.
    ///
    /// # Events
    /// `VoteCast`.
    pub fn cast_vote(&mut self, id: u64, support: u8, amount: U256) -> Result<(), Error> {
        self.expect(id, &[state::ACTIVE])?;
        if support > support::ABSTAIN {
            return Err(Error::InvalidSupport(InvalidSupport { support }));
        }
        if amount.is_zero() {
            return Err(Error::ZeroAmount(ZeroAmount {}));
        }
        let voter = self.caller();
        if self.proposals.getter(id).locks.getter(voter).choice.val() != 0 {
            return Err(Error::AlreadyVoted(AlreadyVoted { id, voter }));
        }
        let locked = self
            .locked
            .get()
            .checked_add(amount)
            .ok_or(Error::overflow())?;
        let spon = self.spon.get();
        let this = self.vm().contract_address();
        calls::safe_transfer_from(spon, voter, this, amount)?;
        self.locked.set(locked);
        let mut p = self.proposals.setter(id);
        let tally = match support {
            support::FOR => &mut p.for_votes,
            support::AGAINST => &mut p.against_votes,
            _ => &mut p.abstain_votes,
        };
        // Bounded by SPON's supply, which `locked` already checked.
        tally.set(tally.get() + amount);
        let mut lock = p.locks.setter(voter);
        lock.choice.put(support + 1);
        lock.amount.set(amount);
        self.emit(VoteCast {
            id,
            voter,
            support,
            weight: amount,
        });
        Ok(())
    }

    /// Takes back the SPON the caller locked on proposal `id`, once its
    /// vote is over (or it was withdrawn). Returns the amount.
    ///
    /// # Errors
    /// `NothingLocked`, `VoteNotOver`, `SafeErc20FailedOperation`.
    ///
    /// # Events
    /// `VotesUnlocked`.
    pub fn unlock(&mut self, id: u64) -> Result<U256, Error> {
        let voter = self.caller();
        let (amount, unlocked) = {
            let p = self.proposals.getter(id);
            let lock = p.locks.getter(voter);
            (lock.amount.get(), lock.unlocked.get())
        };
        if amount.is_zero() || unlocked {
            return Err(Error::NothingLocked(NothingLocked { id, voter }));
        }
        let r = self.record(id);
        if !r.unlocked(self.now()) {
            return Err(Error::VoteNotOver(VoteNotOver {
                id,
                voteEnd: r.vote_end,
            }));
        }
        self.proposals
            .setter(id)
            .locks
            .setter(voter)
            .unlocked
            .set(true);
        // Every lock is part of `locked`.
        let locked = self.locked.get() - amount;
        self.locked.set(locked);
        self.spon_transfer(voter, amount)?;
        self.emit(VotesUnlocked { id, voter, amount });
        Ok(amount)
    }

    /// Queues passed proposal `id`: it may execute `timelockDelay` from
    /// now. Anyone may call it.
    ///
    /// # Errors
    /// `ProposalNotInState` (not Succeeded), `ArithmeticOverflow`.
    ///
    /// # Events
    /// `ProposalQueued`.
    pub fn queue(&mut self, id: u64) -> Result<u64, Error> {
        self.expect(id, &[state::SUCCEEDED])?;
        let eta = self
            .now()
            .checked_add(self.admin.param(params::TIMELOCK_DELAY))
            .ok_or(Error::overflow())?;
        self.proposals.setter(id).eta.put(eta);
        self.emit(ProposalQueued { id, eta });
        Ok(eta)
    }

    /// Runs the calls of queued proposal `id` in order, once, after its
    /// timelock: the caller passes them again (from `ProposalCall`), and
    /// they must be exactly those proposed. Any value they carry is paid
    /// from the governor's balance (send it along). Anyone may call it. A
    /// call that reverts reverts the whole execution.
    ///
    /// # Errors
    /// `ProposalNotInState` (not Queued), `TimelockNotPassed`,
    /// `ActionsMismatch`, `CallReverted`, `UnsupportedSelfCall`,
    /// `LockedVotesSpent` (the calls spent SPON locked as votes), and the
    /// errors of `setParameter` for a call to the governor itself.
    ///
    /// # Events
    /// `ProposalExecuted`, and those of the calls.
    #[payable]
    pub fn execute(
        &mut self,
        id: u64,
        targets: Vec<Address>,
        values: Vec<U256>,
        calldatas: Vec<Bytes>,
    ) -> Result<(), Error> {
        let r = self.expect(id, &[state::QUEUED])?;
        if self.now() < r.eta {
            return Err(Error::TimelockNotPassed(TimelockNotPassed {
                id,
                eta: r.eta,
            }));
        }
        let p = self.proposals.getter(id);
        let n = p.calls.val() as usize;
        let hash = proposal::actions_hash(&targets, &values, &calldatas);
        if targets.len() != n
            || values.len() != n
            || calldatas.len() != n
            || hash != p.actions.get()
        {
            return Err(Error::ActionsMismatch(ActionsMismatch { id }));
        }
        // Marked before the calls: a call cannot run it again.
        self.proposals.setter(id).executed.set(true);
        for (index, ((target, value), data)) in
            targets.into_iter().zip(values).zip(calldatas).enumerate()
        {
            self.run_action(index, target, value, &data)?;
        }
        // The SPON locked as votes belongs to voters: no call may spend it
        // (finding F-16).
        let (balance, locked) = (
            calls::balance_of(self.spon.get(), self.vm().contract_address())?,
            self.locked.get(),
        );
        if balance < locked {
            return Err(Error::LockedVotesSpent(LockedVotesSpent {
                balance,
                locked,
            }));
        }
        self.emit(ProposalExecuted { id });
        Ok(())
    }

    /// Withdraws proposal `id` before its vote opens. Its proposer only.
    ///
    /// # Errors
    /// `Unauthorized`, `ProposalNotInState` (not Pending).
    ///
    /// # Events
    /// `ProposalCanceled`.
    pub fn cancel(&mut self, id: u64) -> Result<(), Error> {
        self.expect(id, &[state::PENDING])?;
        let caller = self.caller();
        if caller != self.proposals.getter(id).proposer.get() {
            return Err(Error::unauthorized(caller));
        }
        self.proposals.setter(id).canceled.set(true);
        self.emit(ProposalCanceled { id });
        Ok(())
    }

    // ------------------------------------------------------------ views

    /// The SPON token.
    pub fn config(&self) -> Address {
        self.spon.get()
    }

    /// Number of proposals (ids run from 1).
    pub fn proposal_count(&self) -> u64 {
        self.count.val()
    }

    /// SPON locked in votes and not yet taken back.
    pub fn locked(&self) -> U256 {
        self.locked.get()
    }

    /// State of proposal `id` (0 none, 1 Pending, 2 Active, 3 Defeated,
    /// 4 Succeeded, 5 Queued, 6 Executed, 7 Canceled, 8 Expired).
    pub fn state_of(&self, id: u64) -> u8 {
        self.record(id).state(self.now())
    }

    /// Proposal `id` (zeros if unknown).
    pub fn proposal_of(&self, id: u64) -> views::Proposal {
        let p = self.proposals.getter(id);
        views::Proposal {
            proposer: p.proposer.get(),
            descriptionHash: p.description_hash.get(),
            voteStart: p.vote_start.val(),
            voteEnd: p.vote_end.val(),
            eta: p.eta.val(),
            quorum: p.quorum.get(),
            calls: p.calls.val(),
            actionsHash: p.actions.get(),
        }
    }

    /// The votes on proposal `id`.
    pub fn votes_of(&self, id: u64) -> views::Votes {
        let p = self.proposals.getter(id);
        views::Votes {
            forVotes: p.for_votes.get(),
            againstVotes: p.against_votes.get(),
            abstainVotes: p.abstain_votes.get(),
        }
    }

    /// `voter`'s vote on proposal `id`.
    pub fn vote_of(&self, id: u64, voter: Address) -> views::Vote {
        let p = self.proposals.getter(id);
        let lock = p.locks.getter(voter);
        let choice = lock.choice.val();
        views::Vote {
            voted: choice != 0,
            support: choice.saturating_sub(1),
            amount: lock.amount.get(),
            unlocked: lock.unlocked.get(),
        }
    }
}

#[cfg(test)]
mod tests;
