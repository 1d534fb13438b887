//! # SPON challenges
//!
//! Challenge-based slashing. Anyone bonds `challengeBond` SPON against a
//! node (the staking pool of the same address is what gets slashed):
//!
//! * **Liveness** (kind 0): the node commits, in the registry, a fresh
//!   probe signed by its probe key that names this challenge, and calls
//!   `answerLiveness` before the deadline.
//! * **GPU work** (kind 1), timed, verified on-chain by the GPU-work
//!   verifier contract (`spon-gpu-verifier`, over `spon_gpu_work`): the
//!   challenge's seed, unknown until the opening is mined, derives int8
//!   matrices A and B; the node commits the Merkle root of C = A·B
//!   within `gpuWorkDeadline` seconds of the opening (bounded jointly
//!   with `n`: `params::gpu_work_deadline`); the challenger then reveals
//!   the secret whose hash it bonded with, which with the root fixes the
//!   sampled entries; the node opens their chunks and the verifier checks
//!   the proofs and recomputes each entry.
//! * **Lease fault** (kind 2): the tenant of a lease of the node, with an
//!   evidence hash; the committee (or governance) rules within
//!   `rulingWindow`, else the challenge is dismissed (the node gets the
//!   grief penalty of the bond: an unruled claim froze its pool).
//!
//! A node has at most one liveness and one GPU-work challenge open at a
//! time (one outage is one loss). A node in Maintenance is exempt from
//! both, except when the audits contract opens them.
//!
//! A node that misses a step loses: `resolve` (anyone, after the
//! deadline) schedules a slash of the kind's severity, fixed at opening,
//! which `executeSlash` (anyone) carries out after `vetoPeriod` unless
//! governance or the guardian `veto`es it. The slash is capped per
//! provider per period (`slashCapBps` per `slashCapPeriod`; a loss past
//! the cap still jails); `challengerShareBps` of the provider's own
//! slashed stake goes to the challenger, the rest to the treasury (paid
//! by staking), so no one profits from slashing a pool it runs. A node that passes keeps its stake and
//! gets `griefPenaltyBps` of the bond. The bond goes back to the challenger
//! otherwise. While a challenge is open its offence is open in staking, so
//! the pool's unbonding stake cannot leave.
//!
//! Opening, resolving and executing stop while paused; the node's answers
//! never do, so a pause cannot make a node miss a deadline.
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
pub mod views;

use alloy_primitives::{keccak256, Address, B256, U256};
use spon_contract_kit::{
    admin::Admin,
    calls, clock,
    interfaces::{ILeases, IRegistry, IStaking},
    Native,
};
use stylus_sdk::{
    abi::Bytes,
    prelude::*,
    storage::{
        StorageAddress, StorageB256, StorageMap, StorageU16, StorageU256, StorageU32, StorageU64,
        StorageU8,
    },
};

use crate::{errors::*, events::*};

pub use events::EVENTS;

/// Challenge kinds.
pub mod kind {
    /// The node must answer with a fresh signed probe.
    pub const LIVENESS: u8 = spon_protocol::states::ChallengeKind::Liveness as u8;
    /// The node must prove a seeded matrix multiply.
    pub const GPU_WORK: u8 = spon_protocol::states::ChallengeKind::GpuWork as u8;
    /// A tenant claims the node did not deliver its lease.
    pub const LEASE_FAULT: u8 = spon_protocol::states::ChallengeKind::LeaseFault as u8;
}

/// Challenge states of `challengeOf`.
pub mod state {
    /// No challenge with this id.
    pub const NONE: u8 = spon_protocol::states::ChallengeState::None as u8;
    /// Awaiting the node's answer or commitment, or a ruling.
    pub const OPEN: u8 = spon_protocol::states::ChallengeState::Open as u8;
    /// GPU work: root committed, awaiting the challenger's secret.
    pub const COMMITTED: u8 = spon_protocol::states::ChallengeState::Committed as u8;
    /// GPU work: entries sampled, awaiting the node's openings.
    pub const SAMPLED: u8 = spon_protocol::states::ChallengeState::Sampled as u8;
    /// The node passed (final).
    pub const PASSED: u8 = spon_protocol::states::ChallengeState::Passed as u8;
    /// The node lost; the slash awaits the end of the veto period.
    pub const SLASH_PENDING: u8 = spon_protocol::states::ChallengeState::SlashPending as u8;
    /// The slash executed (final).
    pub const SLASHED: u8 = spon_protocol::states::ChallengeState::Slashed as u8;
    /// The slash was vetoed (final).
    pub const VETOED: u8 = spon_protocol::states::ChallengeState::Vetoed as u8;
    /// A lease fault nobody ruled on in time (final).
    pub const DISMISSED: u8 = spon_protocol::states::ChallengeState::Dismissed as u8;
}

/// Outcomes of `ChallengeResolved`.
pub mod outcome {
    /// The node passed.
    pub const PASSED: u8 = spon_protocol::states::ChallengeOutcome::Passed as u8;
    /// The node lost.
    pub const LOST: u8 = spon_protocol::states::ChallengeOutcome::Lost as u8;
    /// No ruling in time.
    pub const DISMISSED: u8 = spon_protocol::states::ChallengeOutcome::Dismissed as u8;
}

/// Role ids of `setRole` and `RoleChanged`.
pub mod roles {
    use spon_contract_kit::admin::Role;
    use spon_protocol::roles::Challenges;

    /// Sets parameters and roles, rules, vetoes, pauses.
    pub const GOVERNANCE: u8 = Challenges::Governance as u8;
    /// May veto slashes and pause, nothing else.
    pub const GUARDIAN: u8 = Challenges::Guardian as u8;
    /// Rules on lease faults.
    pub const COMMITTEE: u8 = Challenges::Committee as u8;
    /// The audits contract: a node that passes one of its challenges
    /// (randomly drawn, so not chosen by the node) is credited uptime.
    pub const AUDITS: u8 = Challenges::Audits as u8;

    /// The role table (the guardian may pause).
    pub const ALL: [Role; 4] = [
        Role::one(GOVERNANCE),
        Role::one(GUARDIAN).pauser(),
        Role::one(COMMITTEE),
        Role::one(AUDITS),
    ];
}

use spon_protocol::{BPS, WEI_PER_SPON};
/// Registry node state Active (see the registry's lifecycle).
const NODE_ACTIVE: u8 = spon_protocol::states::NodeState::Active as u8;
/// Registry node state Maintenance.
const NODE_MAINTENANCE: u8 = spon_protocol::states::NodeState::Maintenance as u8;
/// Registry node class Fizz (a home node).
const NODE_FIZZ: u8 = spon_protocol::states::NodeClass::Fizz as u8;

/// One challenge.
#[storage]
pub struct Challenge {
    kind: StorageU8,
    state: StorageU8,
    node: StorageAddress,
    challenger: StorageAddress,
    bond: StorageU256,
    /// Deadline of the current step.
    deadline: StorageU64,
    severity_bps: StorageU16,
    lease_id: StorageU64,
    /// Liveness: the node's probe count at opening; only a probe committed
    /// after it answers.
    probes_at_open: StorageU64,
    /// Hash of the sampling secret (GPU work) or of the evidence.
    commitment: StorageB256,
    seed: StorageB256,
    n: StorageU32,
    k: StorageU16,
    root: StorageB256,
    sample_seed: StorageB256,
    execute_at: StorageU64,
}

/// Slash usage of a provider in the current cap period.
#[storage]
pub struct Usage {
    period: StorageU64,
    bps: StorageU16,
}

/// Storage of the challenges contract.
#[entrypoint]
#[storage]
pub struct Challenges {
    /// Governance, roles (guardian, committee, audits), parameters, pause.
    #[borrow]
    pub admin: Admin,
    spon: StorageAddress,
    staking: StorageAddress,
    registry: StorageAddress,
    leases: StorageAddress,
    /// The GPU-work verifier (`spon-gpu-verifier`).
    verifier: StorageAddress,
    count: StorageU64,
    challenges: StorageMap<u64, Challenge>,
    lease_challenge: StorageMap<u64, StorageU64>,
    usage: StorageMap<Address, Usage>,
    /// The open liveness or GPU-work challenge of a node, by
    /// [`open_key`]: one of each kind at a time.
    open_of: StorageMap<U256, StorageU64>,
}

/// The key of `open_of` for `node` and `kind`.
fn open_key(node: Address, kind: u8) -> U256 {
    (U256::from_be_slice(node.as_slice()) << 8) | U256::from(kind)
}

alloy_sol_types::sol! {
    /// The GPU-work verifier's `check` (see `spon-gpu-verifier`).
    function check(bytes32 seed, bytes32 sample_seed, uint32 n, uint32 k, bytes32 root, bytes answer) external view returns (uint8, uint64);
}

/// The calldata of the verifier's `check`, encoded by hand: alloy's
/// generic encoder costs over 1,000 bytes of code, and a test checks that
/// both agree. The head is the selector, five static words and the offset
/// of `answer` (6 words), then its length and bytes, zero-padded.
fn check_calldata(
    seed: B256,
    sample_seed: B256,
    n: u32,
    k: u16,
    root: B256,
    answer: &[u8],
) -> Vec<u8> {
    use alloy_sol_types::SolCall;
    let mut data = Vec::with_capacity(4 + 32 * 8 + answer.len() + 31);
    data.extend_from_slice(&checkCall::SELECTOR);
    let word = |v: u64| U256::from(v).to_be_bytes::<32>();
    data.extend_from_slice(seed.as_slice());
    data.extend_from_slice(sample_seed.as_slice());
    data.extend_from_slice(&word(n.into()));
    data.extend_from_slice(&word(k.into()));
    data.extend_from_slice(root.as_slice());
    data.extend_from_slice(&word(6 * 32));
    data.extend_from_slice(&word(answer.len() as u64));
    data.extend_from_slice(answer);
    data.resize(data.len() + (32 - answer.len() % 32) % 32, 0);
    data
}

/// `(outcome, entry)` of the GPU-work verifier at `verifier` for an
/// answer, or `None` if it does not answer.
fn gpu_check(
    verifier: Address,
    seed: B256,
    sample_seed: B256,
    n: u32,
    k: u16,
    root: B256,
    answer: &[u8],
) -> Option<(u8, u64)> {
    let data = check_calldata(seed, sample_seed, n, k, root, answer);
    // SAFETY: a static call cannot change state.
    #[allow(deprecated)]
    let out = unsafe { stylus_sdk::call::RawCall::new_static().call(verifier, &data) }.ok()?;
    verdict(&out)
}

/// The verifier's answer: two words, the outcome (uint8) and the entry
/// (uint64).
fn verdict(out: &[u8]) -> Option<(u8, u64)> {
    (out.len() == 64).then(|| {
        let mut entry = [0u8; 8];
        entry.copy_from_slice(&out[56..]);
        (out[31], u64::from_be_bytes(entry))
    })
}

/// `amount`·`bps`/10,000, rounded down (`amount` is a bond: at most
/// 10^7 SPON, far below 2^128 / 10^4 wei).
fn bps_of(amount: U256, bps: u64) -> U256 {
    let a: u128 = amount.saturating_to();
    U256::from(a * u128::from(bps) / u128::from(BPS))
}

impl Challenges {
    fn now(&self) -> u64 {
        clock::now(self.vm().block_timestamp())
    }

    fn caller(&self) -> Address {
        self.vm().msg_sender()
    }

    fn emit<E: spon_contract_kit::encode::Emit>(&self, event: E) {
        event.emit(self.vm());
    }

    /// Challenge `id`'s kind and state, if it exists.
    fn status(&self, id: u64) -> Result<(u8, u8), Error> {
        let c = self.challenges.get(id);
        match c.state.val() {
            state::NONE => Err(Error::UnknownChallenge(UnknownChallenge {
                challengeId: id,
            })),
            s => Ok((c.kind.val(), s)),
        }
    }

    /// Challenge `id` if it is of `kind` and in `expected` state with its
    /// step's deadline not passed.
    fn in_step(&self, id: u64, kind: u8, expected: u8) -> Result<(), Error> {
        let (k, s) = self.status(id)?;
        if k != kind {
            return Err(Error::WrongKind(WrongKind {
                challengeId: id,
                kind: k,
            }));
        }
        if s != expected {
            return Err(Error::WrongState(WrongState {
                challengeId: id,
                state: s,
            }));
        }
        let deadline = self.challenges.get(id).deadline.val();
        if self.now() > deadline {
            return Err(Error::too_late(id, deadline));
        }
        Ok(())
    }

    /// The state, class and probe key of `node` in the registry.
    fn node_record(&self, node: Address) -> Result<(u8, u8, Address), Error> {
        let registry = self.registry.get();
        let (state, class, _, _, _, probe_key) = IRegistry::new(registry)
            .node_of(self, node)
            .map_err(|_| Error::call_failed(registry))?;
        Ok((state, class, probe_key))
    }

    /// The challenge the node's latest probe answers, and its probe count.
    fn latest_probe(&self, node: Address) -> Result<(U256, u64), Error> {
        let registry = self.registry.get();
        let (_, _, answered, probes) = IRegistry::new(registry)
            .probe_of(self, node)
            .map_err(|_| Error::call_failed(registry))?;
        Ok((answered, probes))
    }

    fn step_deadline(&self) -> Result<u64, Error> {
        self.now()
            .checked_add(self.admin.param(params::CHALLENGE_WINDOW))
            .ok_or(Error::overflow())
    }

    /// Sends `amount` SPON to `to`.
    fn transfer(&mut self, to: Address, amount: U256) -> Result<(), Error> {
        if !amount.is_zero() {
            calls::safe_transfer(self.spon.get(), to, amount)?;
        }
        Ok(())
    }

    fn close_offence(&mut self, id: u64) -> Result<(), Error> {
        let staking = self.staking.get();
        IStaking::new(staking)
            .close_offence(&mut *self, U256::from(id))
            .map_err(|_| Error::call_failed(staking))
    }

    /// The node passed: its offence closes, it gets the grief penalty of
    /// the bond, the challenger the rest; a passed audit credits uptime.
    fn pass(&mut self, id: u64) -> Result<(), Error> {
        let mut c = self.challenges.setter(id);
        c.state.put(state::PASSED);
        let (node, challenger, bond) = (c.node.get(), c.challenger.get(), c.bond.get());
        let kind = c.kind.val();
        self.open_of.setter(open_key(node, kind)).put(0);
        let penalty = bps_of(bond, self.admin.param(params::GRIEF_PENALTY_BPS));
        self.close_offence(id)?;
        if self.admin.holds(roles::AUDITS, challenger) {
            // The registry credits at most one uptime era a day; a second
            // audit passed the same day earns nothing more, and must not
            // make the node's answer fail.
            let registry = self.registry.get();
            let _ = IRegistry::new(registry).record_challenge(&mut *self, node, false);
        }
        self.transfer(node, penalty)?;
        self.transfer(challenger, bond - penalty)?;
        self.emit(ChallengeResolved {
            challengeId: id,
            node,
            outcome: outcome::PASSED,
            toChallenger: bond - penalty,
            toNode: penalty,
        });
        Ok(())
    }

    /// The node lost: its slash is scheduled after the veto period.
    fn lose(&mut self, id: u64) -> Result<(), Error> {
        let execute_at = self
            .now()
            .checked_add(self.admin.param(params::VETO_PERIOD))
            .ok_or(Error::overflow())?;
        let mut c = self.challenges.setter(id);
        c.state.put(state::SLASH_PENDING);
        c.execute_at.put(execute_at);
        let (node, bps, kind) = (c.node.get(), c.severity_bps.val(), c.kind.val());
        self.open_of.setter(open_key(node, kind)).put(0);
        self.emit(ChallengeResolved {
            challengeId: id,
            node,
            outcome: outcome::LOST,
            toChallenger: U256::ZERO,
            toNode: U256::ZERO,
        });
        self.emit(SlashScheduled {
            challengeId: id,
            node,
            bps,
            executeAt: execute_at,
        });
        Ok(())
    }

    /// No ruling came: the node gets the grief penalty of the bond (the
    /// claim froze its pool's withdrawals; that is never free), the
    /// challenger the rest.
    fn dismiss(&mut self, id: u64) -> Result<(), Error> {
        let mut c = self.challenges.setter(id);
        c.state.put(state::DISMISSED);
        let (node, challenger, bond) = (c.node.get(), c.challenger.get(), c.bond.get());
        let penalty = bps_of(bond, self.admin.param(params::GRIEF_PENALTY_BPS));
        self.close_offence(id)?;
        self.transfer(node, penalty)?;
        self.transfer(challenger, bond - penalty)?;
        self.emit(ChallengeResolved {
            challengeId: id,
            node,
            outcome: outcome::DISMISSED,
            toChallenger: bond - penalty,
            toNode: penalty,
        });
        Ok(())
    }

    /// The bps of a `wanted` slash of `node` left under the cap of the
    /// current period, counted as used.
    fn capped(&mut self, node: Address, wanted: u16) -> u16 {
        let period = self.now() / self.admin.param(params::SLASH_CAP_PERIOD);
        let cap = self.admin.param(params::SLASH_CAP_BPS) as u16;
        let mut u = self.usage.setter(node);
        let used = if u.period.val() == period {
            u.bps.val()
        } else {
            0
        };
        let bps = wanted.min(cap.saturating_sub(used));
        u.period.put(period);
        u.bps.put(used + bps);
        bps
    }

    /// The seed of challenge `id`: the chain, this contract, the id, the
    /// parties, the time and the challenger's commitment.
    fn derive_seed(&self, id: u64, node: Address, commitment: B256) -> B256 {
        let mut buf = [0u8; 124];
        buf[..8].copy_from_slice(&self.vm().chain_id().to_be_bytes());
        buf[8..28].copy_from_slice(self.vm().contract_address().as_slice());
        buf[28..36].copy_from_slice(&id.to_be_bytes());
        buf[36..56].copy_from_slice(node.as_slice());
        buf[56..76].copy_from_slice(self.caller().as_slice());
        buf[76..84].copy_from_slice(&self.now().to_be_bytes());
        buf[84..92].copy_from_slice(&self.vm().block_number().to_be_bytes());
        buf[92..].copy_from_slice(commitment.as_slice());
        keccak256(buf)
    }

    /// Checks what the kind needs to open against `node`; returns the
    /// first step's deadline and, for GPU work, the size n (by the node's
    /// class).
    fn admit(
        &mut self,
        kind: u8,
        node: Address,
        lease_id: u64,
        commitment: B256,
    ) -> Result<(u64, u64), Error> {
        let (node_state, class, _) = self.node_record(node)?;
        if node_state == 0 {
            return Err(Error::UnknownNode(UnknownNode { node }));
        }
        match kind {
            kind::LIVENESS | kind::GPU_WORK => {
                // Maintenance exempts from challenges anyone opens, not
                // from an audit (drawn at random: entering maintenance
                // once drawn would dodge it).
                let audit = self.admin.holds(roles::AUDITS, self.caller());
                if node_state != NODE_ACTIVE && !(audit && node_state == NODE_MAINTENANCE) {
                    return Err(Error::NodeExempt(NodeExempt {
                        node,
                        state: node_state,
                    }));
                }
                let open = self.open_of.get(open_key(node, kind)).to::<u64>();
                if open != 0 {
                    return Err(Error::ChallengeAlreadyOpen(ChallengeAlreadyOpen {
                        node,
                        challengeId: open,
                    }));
                }
                if kind == kind::GPU_WORK {
                    if commitment.is_zero() {
                        return Err(Error::MissingCommitment(MissingCommitment {}));
                    }
                    // The size by the node's class; the clock starts now,
                    // when the seed becomes known.
                    let log2_n = if class == NODE_FIZZ {
                        params::GPU_WORK_LOG2_N_FIZZ
                    } else {
                        params::GPU_WORK_LOG2_N
                    };
                    let n = 1u64 << self.admin.param(log2_n);
                    let seconds =
                        params::gpu_work_deadline(self.admin.param(params::GPU_WORK_DEADLINE), n);
                    let deadline = self.now().checked_add(seconds).ok_or(Error::overflow())?;
                    return Ok((deadline, n));
                }
                Ok((self.step_deadline()?, 0))
            }
            kind::LEASE_FAULT => {
                if commitment.is_zero() {
                    return Err(Error::MissingCommitment(MissingCommitment {}));
                }
                let leases = self.leases.get();
                let (tenant, lease_node) = ILeases::new(leases)
                    .parties_of(&*self, lease_id)
                    .map_err(|_| Error::call_failed(leases))?;
                let caller = self.caller();
                if tenant != caller || lease_node != node || tenant.is_zero() {
                    return Err(Error::NotLeaseTenant(NotLeaseTenant {
                        leaseId: lease_id,
                        caller,
                    }));
                }
                let existing = self.lease_challenge.get(lease_id).to::<u64>();
                if existing != 0 {
                    return Err(Error::LeaseAlreadyChallenged(LeaseAlreadyChallenged {
                        leaseId: lease_id,
                        challengeId: existing,
                    }));
                }
                let deadline = self
                    .now()
                    .checked_add(self.admin.param(params::RULING_WINDOW))
                    .ok_or(Error::overflow())?;
                Ok((deadline, 0))
            }
            _ => Err(Error::UnknownKind(UnknownKind { kind })),
        }
    }
}

#[spon_contract_kit::entry_points]
#[inherit(Admin)]
impl Challenges {
    /// Sets the SPON token, staking, the registry, the leases contract, the
    /// GPU-work verifier and governance, and the parameters. Guardian,
    /// committee and audits are set with `setRole`.
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
        leases: Address,
        verifier: Address,
        governance: Address,
    ) -> Result<(), Error> {
        for a in [spon, staking, registry, leases, verifier] {
            Error::nonzero(a)?;
        }
        self.spon.set(spon);
        self.staking.set(staking);
        self.registry.set(registry);
        self.leases.set(leases);
        self.verifier.set(verifier);
        self.admin.init(governance, &roles::ALL, &params::ALL)?;
        Ok(())
    }

    /// Opens a challenge of `kind` against `node`, pulling `challengeBond`
    /// SPON from the caller (approve it first) and opening the offence in
    /// staking. `lease_id` names the lease of a lease fault (ignored
    /// otherwise); `commitment` is `keccak256(caller ‖ secret)` of the sampling
    /// secret for GPU work, the evidence hash for a lease fault, ignored
    /// for liveness. Returns the challenge id.
    ///
    /// # Errors
    /// `EnforcedPause`, `UnknownKind`, `UnknownNode`, `NodeExempt`,
    /// `ChallengeAlreadyOpen`, `MissingCommitment`, `NotLeaseTenant`,
    /// `LeaseAlreadyChallenged`,
    /// `SafeErc20FailedOperation` (bond not approved or not held),
    /// `CallFailed` (the node has no stake), `ArithmeticOverflow`.
    ///
    /// # Events
    /// `ChallengeOpened`.
    pub fn open_challenge(
        &mut self,
        kind: u8,
        node: Address,
        lease_id: u64,
        commitment: B256,
    ) -> Result<u64, Error> {
        self.admin.when_not_paused()?;
        let (deadline, n) = self.admit(kind, node, lease_id, commitment)?;
        let id = self.count.val().checked_add(1).ok_or(Error::overflow())?;
        self.count.put(id);
        let challenger = self.caller();
        let bond = U256::from(u128::from(self.admin.param(params::CHALLENGE_BOND)) * WEI_PER_SPON);
        let severity = match kind {
            kind::LIVENESS => params::SEVERITY_LIVENESS_BPS,
            kind::GPU_WORK => params::SEVERITY_GPU_WORK_BPS,
            _ => params::SEVERITY_LEASE_FAULT_BPS,
        };
        let seed = self.derive_seed(id, node, commitment);
        let k = self.admin.param(params::GPU_WORK_SAMPLES);
        let severity = self.admin.param(severity);
        let mut c = self.challenges.setter(id);
        c.kind.put(kind);
        c.state.put(state::OPEN);
        c.node.set(node);
        c.challenger.set(challenger);
        c.bond.set(bond);
        c.deadline.put(deadline);
        c.severity_bps.put(severity as u16);
        c.commitment.set(commitment);
        c.seed.set(seed);
        if kind == kind::GPU_WORK {
            // n and k checked jointly: the answer must fit one transaction
            // (finding F-18), so k is cut to what n leaves room for.
            let fits = u64::from(spon_gpu_work::max_samples(n as u32));
            c.n.put(n as u32);
            c.k.put(k.min(n).min(fits) as u16);
        }
        if kind == kind::LEASE_FAULT {
            c.lease_id.put(lease_id);
            self.lease_challenge.setter(lease_id).put(id);
        } else {
            self.open_of.setter(open_key(node, kind)).put(id);
        }
        if kind == kind::LIVENESS {
            let (_, probes) = self.latest_probe(node)?;
            self.challenges.setter(id).probes_at_open.put(probes);
        }
        let (spon, this) = (self.spon.get(), self.vm().contract_address());
        calls::safe_transfer_from(spon, challenger, this, bond)?;
        let staking = self.staking.get();
        IStaking::new(staking)
            .open_offence(&mut *self, node, U256::from(id))
            .map_err(|_| Error::call_failed(staking))?;
        self.emit(ChallengeOpened {
            challengeId: id,
            kind,
            node,
            challenger,
            bond,
            deadline,
            seed,
            leaseId: if kind == kind::LEASE_FAULT {
                lease_id
            } else {
                0
            },
            commitment,
        });
        Ok(id)
    }

    /// Answers liveness challenge `id`: the node's latest probe committed
    /// in the registry (signed by its probe key, checked there) names this
    /// challenge's seed as its `challengeId` and was committed after it
    /// opened. Ids are predictable, so a probe naming an id could be signed
    /// days ahead and relayed once the challenge opens; the seed is not
    /// known before (finding F-08). Anyone may call it, before the
    /// deadline.
    ///
    /// # Errors
    /// `UnknownChallenge`, `WrongKind`, `WrongState`, `TooLate`,
    /// `NotAnswered`.
    ///
    /// # Events
    /// `LivenessAnswered`, `ChallengeResolved`.
    pub fn answer_liveness(&mut self, id: u64) -> Result<(), Error> {
        self.in_step(id, kind::LIVENESS, state::OPEN)?;
        let c = self.challenges.get(id);
        let (node, probes_at_open, seed) = (c.node.get(), c.probes_at_open.val(), c.seed.get());
        let (answered, probes) = self.latest_probe(node)?;
        if answered != U256::from_be_bytes(seed.0) || probes <= probes_at_open {
            return Err(Error::NotAnswered(NotAnswered { challengeId: id }));
        }
        self.emit(LivenessAnswered {
            challengeId: id,
            node,
        });
        self.pass(id)
    }

    /// Commits the Merkle `root` of the chunks of C = A·B for GPU-work
    /// challenge `id`. The node or its probe key, within
    /// `gpuWorkDeadline` seconds of the opening (the timed step); the
    /// challenger then has `challengeWindow` to reveal its secret.
    ///
    /// # Errors
    /// `UnknownChallenge`, `WrongKind`, `WrongState`, `TooLate`,
    /// `NotNode`, `MissingCommitment` (zero root).
    ///
    /// # Events
    /// `GpuWorkCommitted`.
    pub fn commit_gpu_work(&mut self, id: u64, root: B256) -> Result<(), Error> {
        self.in_step(id, kind::GPU_WORK, state::OPEN)?;
        let node = self.challenges.get(id).node.get();
        let caller = self.caller();
        let (_, _, probe_key) = self.node_record(node)?;
        if caller != node && caller != probe_key {
            return Err(Error::NotNode(NotNode {
                challengeId: id,
                caller,
            }));
        }
        if root.is_zero() {
            return Err(Error::MissingCommitment(MissingCommitment {}));
        }
        let deadline = self.step_deadline()?;
        let mut c = self.challenges.setter(id);
        c.state.put(state::COMMITTED);
        c.root.set(root);
        c.deadline.put(deadline);
        self.emit(GpuWorkCommitted {
            challengeId: id,
            node,
            root,
            deadline,
        });
        Ok(())
    }

    /// Reveals the sampling `secret` of GPU-work challenge `id` (anyone
    /// may; `keccak256(challenger ‖ secret)` must be the commitment): the sample seed is
    /// `keccak256(seed ‖ root ‖ secret)`, so the node could not know the
    /// sampled entries when it committed. The node then has
    /// `challengeWindow` to open them.
    ///
    /// # Errors
    /// `UnknownChallenge`, `WrongKind`, `WrongState`, `TooLate`,
    /// `WrongSecret`.
    ///
    /// # Events
    /// `SampleRevealed`.
    pub fn reveal_sample(&mut self, id: u64, secret: B256) -> Result<(), Error> {
        self.in_step(id, kind::GPU_WORK, state::COMMITTED)?;
        let c = self.challenges.get(id);
        if spon_gpu_work::commitment(c.challenger.get(), secret) != c.commitment.get() {
            return Err(Error::WrongSecret(WrongSecret { challengeId: id }));
        }
        let mut buf = [0u8; 96];
        buf[..32].copy_from_slice(c.seed.get().as_slice());
        buf[32..64].copy_from_slice(c.root.get().as_slice());
        buf[64..].copy_from_slice(secret.as_slice());
        let sample_seed = keccak256(buf);
        let deadline = self.step_deadline()?;
        let mut c = self.challenges.setter(id);
        c.state.put(state::SAMPLED);
        c.sample_seed.set(sample_seed);
        c.deadline.put(deadline);
        self.emit(SampleRevealed {
            challengeId: id,
            sampleSeed: sample_seed,
            deadline,
        });
        Ok(())
    }

    /// Proves GPU-work challenge `id`: `answer` holds the chunks of C
    /// holding the sampled entries, in sampling order, 32 bytes each (8
    /// big-endian `int32`s), then their Merkle proofs, `log2(n²/8)`
    /// 32-byte siblings each, leaf level first (see
    /// `spon_gpu_work::open`). Anyone may submit it, before the deadline; a
    /// wrong answer is refused and the node may still send the right one.
    ///
    /// # Errors
    /// `UnknownChallenge`, `WrongKind`, `WrongState`, `TooLate`,
    /// `MalformedProof`, `WrongMerkleProof`, `WrongEntry`, `CallFailed` (the
    /// verifier did not answer).
    ///
    /// # Events
    /// `GpuWorkProven`, `ChallengeResolved`.
    pub fn prove_gpu_work(&mut self, id: u64, answer: Bytes) -> Result<(), Error> {
        self.in_step(id, kind::GPU_WORK, state::SAMPLED)?;
        let c = self.challenges.get(id);
        let node = c.node.get();
        let verifier = self.verifier.get();
        let (outcome, entry) = gpu_check(
            verifier,
            c.seed.get(),
            c.sample_seed.get(),
            c.n.val(),
            c.k.val(),
            c.root.get(),
            &answer,
        )
        .ok_or(Error::call_failed(verifier))?;
        // Outcomes of spon_gpu_verifier::outcome.
        match outcome {
            0 => {}
            2 => {
                return Err(Error::WrongMerkleProof(WrongMerkleProof {
                    challengeId: id,
                    entry,
                }))
            }
            3 => {
                return Err(Error::WrongEntry(WrongEntry {
                    challengeId: id,
                    entry,
                }))
            }
            _ => return Err(Error::MalformedProof(MalformedProof { challengeId: id })),
        }
        self.emit(GpuWorkProven {
            challengeId: id,
            node,
        });
        self.pass(id)
    }

    /// Rules on lease-fault challenge `id` before its deadline: `faulted`
    /// schedules the slash, otherwise the node passes. The committee or
    /// governance.
    ///
    /// # Errors
    /// `Unauthorized`, `UnknownChallenge`, `WrongKind`, `WrongState`,
    /// `TooLate`.
    ///
    /// # Events
    /// `Ruled`, `ChallengeResolved`, `SlashScheduled` (if faulted).
    pub fn rule(&mut self, id: u64, faulted: bool) -> Result<(), Error> {
        self.admin
            .only_any(&[roles::COMMITTEE, roles::GOVERNANCE])?;
        self.in_step(id, kind::LEASE_FAULT, state::OPEN)?;
        self.emit(Ruled {
            challengeId: id,
            faulted,
            by: self.caller(),
        });
        if faulted {
            self.lose(id)
        } else {
            self.pass(id)
        }
    }

    /// Resolves challenge `id` whose step's deadline passed (anyone): a
    /// node that did not answer, commit or open in time loses; a
    /// challenger that did not reveal its secret in time loses its
    /// challenge (the node passes); a lease fault nobody ruled on is
    /// dismissed.
    ///
    /// # Errors
    /// `EnforcedPause`, `UnknownChallenge`, `WrongState` (resolved
    /// already), `TooEarly`.
    ///
    /// # Events
    /// `ChallengeResolved`, `SlashScheduled` (if the node lost).
    pub fn resolve(&mut self, id: u64) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        let (k, s) = self.status(id)?;
        if !matches!(s, state::OPEN | state::COMMITTED | state::SAMPLED) {
            return Err(Error::WrongState(WrongState {
                challengeId: id,
                state: s,
            }));
        }
        let deadline = self.challenges.get(id).deadline.val();
        if self.now() <= deadline {
            return Err(Error::too_early(id, deadline));
        }
        match (k, s) {
            (kind::LEASE_FAULT, _) => self.dismiss(id),
            (_, state::COMMITTED) => self.pass(id),
            _ => self.lose(id),
        }
    }

    /// Vetoes the pending slash of challenge `id` before it executes: the
    /// offence closes, the bond goes back to the challenger in full.
    /// Governance or the guardian.
    ///
    /// # Errors
    /// `Unauthorized`, `UnknownChallenge`, `WrongState`, `TooLate`.
    ///
    /// # Events
    /// `SlashVetoed`.
    pub fn veto(&mut self, id: u64) -> Result<(), Error> {
        self.admin.only_any(&[roles::GOVERNANCE, roles::GUARDIAN])?;
        let (_, s) = self.status(id)?;
        if s != state::SLASH_PENDING {
            return Err(Error::WrongState(WrongState {
                challengeId: id,
                state: s,
            }));
        }
        let execute_at = self.challenges.get(id).execute_at.val();
        if self.now() >= execute_at {
            return Err(Error::too_late(id, execute_at));
        }
        let mut c = self.challenges.setter(id);
        c.state.put(state::VETOED);
        let (node, challenger, bond) = (c.node.get(), c.challenger.get(), c.bond.get());
        self.close_offence(id)?;
        self.transfer(challenger, bond)?;
        self.emit(SlashVetoed {
            challengeId: id,
            node,
            by: self.caller(),
        });
        Ok(())
    }

    /// Executes the pending slash of challenge `id` once its veto period
    /// is over (anyone): staking slashes the kind's severity, cut to what
    /// the provider's cap leaves in this period, pays the challenger its
    /// share of the provider's own slashed stake and the treasury the
    /// rest, and jails the provider (a slash cut to zero still jails); the
    /// registry counts a challenge lost; the bond goes back to the
    /// challenger.
    ///
    /// # Errors
    /// `EnforcedPause`, `UnknownChallenge`, `WrongState`,
    /// `TooEarly`, `CallFailed`.
    ///
    /// # Events
    /// `SlashExecuted`.
    pub fn execute_slash(&mut self, id: u64) -> Result<U256, Error> {
        self.admin.when_not_paused()?;
        let (_, s) = self.status(id)?;
        if s != state::SLASH_PENDING {
            return Err(Error::WrongState(WrongState {
                challengeId: id,
                state: s,
            }));
        }
        let c = self.challenges.get(id);
        let execute_at = c.execute_at.val();
        if self.now() < execute_at {
            return Err(Error::too_early(id, execute_at));
        }
        let (node, challenger, bond) = (c.node.get(), c.challenger.get(), c.bond.get());
        let wanted = c.severity_bps.val();
        self.challenges.setter(id).state.put(state::SLASHED);
        let bps = self.capped(node, wanted);
        let share = self.admin.param(params::CHALLENGER_SHARE_BPS) as u16;
        let (staking, registry) = (self.staking.get(), self.registry.get());
        // A slash cut to 0 bps still jails and counts (finding F-07).
        let amount = IStaking::new(staking)
            .slash(&mut *self, node, bps, U256::from(id), challenger, share)
            .map_err(|_| Error::call_failed(staking))?;
        IRegistry::new(registry)
            .record_challenge(&mut *self, node, true)
            .map_err(|_| Error::call_failed(registry))?;
        self.transfer(challenger, bond)?;
        self.emit(SlashExecuted {
            challengeId: id,
            node,
            bps,
            amount,
        });
        Ok(amount)
    }

    /// The contracts fixed at construction.
    pub fn config(&self) -> views::ChallengesConfig {
        views::ChallengesConfig {
            spon: self.spon.get(),
            staking: self.staking.get(),
            registry: self.registry.get(),
            leases: self.leases.get(),
        }
    }

    /// Challenges opened so far (ids run from 1).
    pub fn count(&self) -> u64 {
        self.count.val()
    }

    /// Challenge `id` (zeros if unknown).
    pub fn challenge_of(&self, id: u64) -> views::Challenge {
        let c = self.challenges.get(id);
        views::Challenge {
            kind: c.kind.val(),
            state: c.state.val(),
            node: c.node.get(),
            challenger: c.challenger.get(),
            bond: c.bond.get(),
            deadline: c.deadline.val(),
            slashBps: c.severity_bps.val(),
            executeAt: c.execute_at.val(),
            leaseId: c.lease_id.val(),
            commitment: c.commitment.get(),
        }
    }

    /// What the prover of GPU-work challenge `id` needs.
    pub fn gpu_work_of(&self, id: u64) -> views::GpuWork {
        let c = self.challenges.get(id);
        views::GpuWork {
            seed: c.seed.get(),
            n: c.n.val(),
            k: c.k.val(),
            root: c.root.get(),
            sampleSeed: c.sample_seed.get(),
        }
    }

    /// How much of `provider`'s slash cap its current period used.
    pub fn slash_usage(&self, provider: Address) -> views::SlashUsage {
        let u = self.usage.get(provider);
        views::SlashUsage {
            period: u.period.val(),
            bps: u.bps.val(),
        }
    }

    /// The fault challenge of lease `lease_id` (0 for none).
    pub fn lease_challenge(&self, lease_id: u64) -> u64 {
        self.lease_challenge.get(lease_id).to::<u64>()
    }
}

#[cfg(test)]
mod tests;
