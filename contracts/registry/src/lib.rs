//! # SPON registry
//!
//! Who sells compute, what they declared, what their probes measured, how
//! they behaved, and the **tier** that follows (see `spon_node::tier`).
//!
//! * Provider nodes file `proposeProvider(hardware, endpoint, tlsCertHash,
//!   probeKey)` with at least `minProviderStake` SPON of self-stake in the
//!   staking contract; governance `approveProvider`s them (or they are
//!   active at once while `autoApprove` is 1). Hardware updates of an
//!   approved node wait for approval too, while the approved spec stays in
//!   force. Operators enter and leave maintenance, and deactivate once their
//!   leases have ended; governance suspends and reinstates.
//! * Fizz nodes `registerFizz(hardware, probeKey, gateway)` without
//!   approval, with `minFizzStake`, behind a gateway that is an active
//!   Provider node or an approved gateway operator; the gateway can drop them.
//! * Probe results: `commitProbe` stores a node's latest measured summary
//!   and report hash, signed by its probe key (EIP-712, see [`signing`]) with
//!   a per-node nonce; anyone may relay it.
//! * Reputation counters are written only by the market (leases opened,
//!   completed, faulted) and the challenges contract (challenges lost,
//!   uptime eras).
//! * `tierOf(node)` evaluates the shared tier function with the node's
//!   stake read from the staking contract.
//!
//! Hardware specs and probe summaries are packed in one `uint256` each,
//! with the layouts of `spon_node::hardware` and `spon_node::probe`.
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
pub mod lifecycle;
pub mod params;
pub mod signing;
pub mod views;

use alloc::{string::String, vec::Vec};

use alloy_primitives::{Address, B256, U256};
use spon_contract_kit::{admin::Admin, clock, interfaces::IStaking, Native};
use spon_node::{
    tier::{tier, NodeClass, TierInput, WEI_PER_SPON},
    Hardware, ProbeSummary,
};
use stylus_sdk::{
    abi::Bytes,
    prelude::*,
    storage::{
        StorageAddress, StorageArray, StorageB256, StorageMap, StorageU256, StorageU64, StorageU8,
    },
};

use crate::{
    errors::*,
    events::*,
    lifecycle::{Action, State},
};

pub use events::EVENTS;

/// Role ids of `setRole` and `RoleChanged`.
pub mod roles {
    use spon_contract_kit::admin::Role;
    use spon_protocol::roles::Registry;

    /// Approves providers, sets parameters, roles and pause.
    pub const GOVERNANCE: u8 = Registry::Governance as u8;
    /// The market contract: lease counters.
    pub const MARKET: u8 = Registry::Market as u8;
    /// The challenges contract: challenges lost, uptime.
    pub const CHALLENGES: u8 = Registry::Challenges as u8;
    /// Approved gateway operators (several), besides active Provider nodes.
    pub const GATEWAY: u8 = Registry::Gateway as u8;
    /// The staking contract whose stake counts.
    pub const STAKING: u8 = Registry::Staking as u8;
    /// May pause (unpausing takes governance).
    pub const GUARDIAN: u8 = Registry::Guardian as u8;

    /// The role table.
    pub const ALL: [Role; 6] = [
        Role::one(GOVERNANCE),
        Role::one(MARKET),
        Role::one(CHALLENGES),
        Role::set(GATEWAY),
        Role::one(STAKING),
        Role::one(GUARDIAN).pauser(),
    ];
}

/// Node classes (the `uint8` of `WrongClass` and `nodeOf`).
pub mod class {
    /// Enterprise node, approved by governance.
    pub const PROVIDER: u8 = spon_protocol::states::NodeClass::Provider as u8;
    /// Home node behind a gateway.
    pub const FIZZ: u8 = spon_protocol::states::NodeClass::Fizz as u8;
}

/// Storage words of an endpoint URI.
const ENDPOINT_WORDS: usize = 4;
/// Longest endpoint URI, bytes (kept in four fixed storage words rather
/// than a dynamic string: a quarter of the code, the same gas).
pub const MAX_ENDPOINT_LEN: usize = 32 * ENDPOINT_WORDS;

/// One node.
#[storage]
pub struct Node {
    state: StorageU8,
    class: StorageU8,
    probe_key: StorageAddress,
    gateway: StorageAddress,
    hardware: StorageU256,
    pending_hardware: StorageU256,
    tls_cert_hash: StorageB256,
    endpoint_len: StorageU8,
    endpoint: StorageArray<StorageB256, ENDPOINT_WORDS>,
    probe_summary: StorageU256,
    probe_report: StorageB256,
    probe_challenge: StorageU256,
    /// The reputation counters and the probe nonce, indexed by
    /// [`counter`]: four to a storage word.
    counters: StorageArray<StorageU64, { counter::COUNT }>,
}

/// Indices of a node's counters.
mod counter {
    /// Leases completed.
    pub const COMPLETED: usize = 0;
    /// Leases ended by a fault.
    pub const FAULTED: usize = 1;
    /// Challenges lost.
    pub const LOST: usize = 2;
    /// Uptime eras credited.
    pub const UPTIME: usize = 3;
    /// Leases open now.
    pub const ACTIVE: usize = 4;
    /// The last era credited (one credit per era).
    pub const LAST_UPTIME_ERA: usize = 5;
    /// The next probe nonce.
    pub const PROBE_NONCE: usize = 6;
    /// How many.
    pub const COUNT: usize = 7;
}

/// Storage of the registry contract.
#[entrypoint]
#[storage]
pub struct Registry {
    /// Governance, roles (the market, challenges and staking contracts,
    /// gateway operators), parameters, pause.
    #[borrow]
    pub admin: Admin,
    nodes: StorageMap<Address, Node>,
}

fn parse_hardware(hardware: U256) -> Result<Hardware, Error> {
    Hardware::parse(&hardware.to_be_bytes())
        .map_err(|e| Error::InvalidHardware(InvalidHardware { field: e as u8 }))
}

fn check_endpoint(endpoint: &str) -> Result<(), Error> {
    if endpoint.is_empty() || endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(Error::InvalidEndpoint(InvalidEndpoint {
            length: U256::from(endpoint.len()),
            max: U256::from(MAX_ENDPOINT_LEN),
        }));
    }
    Ok(())
}

impl Node {
    fn counter(&self, i: usize) -> u64 {
        self.counters.get(i).unwrap_or_default().to()
    }

    fn set_counter(&mut self, i: usize, value: u64) {
        if let Some(mut c) = self.counters.setter(i) {
            c.set(alloy_primitives::U64::from(value));
        }
    }

    fn increment(&mut self, i: usize) -> Result<(), Error> {
        let v = self.counter(i).checked_add(1).ok_or(Error::overflow())?;
        self.set_counter(i, v);
        Ok(())
    }

    fn set_endpoint(&mut self, endpoint: &str) {
        let bytes = endpoint.as_bytes();
        self.endpoint_len.put(bytes.len() as u8);
        for i in 0..ENDPOINT_WORDS {
            let mut word = [0u8; 32];
            let chunk = bytes.get(32 * i..).unwrap_or_default();
            let n = chunk.len().min(32);
            word[..n].copy_from_slice(&chunk[..n]);
            if let Some(mut slot) = self.endpoint.setter(i) {
                slot.set(B256::from(word));
            }
        }
    }

    fn endpoint(&self) -> String {
        let mut bytes = Vec::with_capacity(MAX_ENDPOINT_LEN);
        for i in 0..ENDPOINT_WORDS {
            bytes.extend_from_slice(self.endpoint.get(i).unwrap_or_default().as_slice());
        }
        bytes.truncate(usize::from(self.endpoint_len.val()));
        // Stored only from a valid `string` argument.
        String::from_utf8(bytes).unwrap_or_default()
    }
}

impl Registry {
    fn now(&self) -> u64 {
        clock::now(self.vm().block_timestamp())
    }

    fn caller(&self) -> Address {
        self.vm().msg_sender()
    }

    fn emit<E: spon_contract_kit::encode::Emit>(&self, event: E) {
        event.emit(self.vm());
    }

    fn state(&self, node: Address) -> State {
        State::from_u8(self.nodes.get(node).state.val())
    }

    /// Moves `node` by `action`; emits `NodeStateChanged`.
    fn transition(&mut self, node: Address, action: Action) -> Result<State, Error> {
        let from = self.state(node);
        let to = from
            .next(action)
            .ok_or_else(|| Error::invalid_state(node, from))?;
        self.set_state(node, from, to);
        Ok(to)
    }

    fn set_state(&mut self, node: Address, from: State, to: State) {
        self.nodes.setter(node).state.put(to as u8);
        self.emit(NodeStateChanged {
            node,
            from: from as u8,
            to: to as u8,
        });
    }

    /// Refuses a registration of `node` unless it is new or deactivated.
    fn check_registrable(&self, node: Address) -> Result<State, Error> {
        let state = self.state(node);
        if state.next(Action::Register).is_none() {
            return Err(Error::AlreadyRegistered(AlreadyRegistered {
                node,
                state: state as u8,
            }));
        }
        Ok(state)
    }

    fn node_class(&self, node: Address, expected: u8) -> Result<(), Error> {
        if self.nodes.get(node).class.val() != expected {
            return Err(Error::WrongClass(WrongClass { node, expected }));
        }
        Ok(())
    }

    /// Refuses `node` leaving service while leases of it are open.
    fn require_no_leases(&self, node: Address) -> Result<(), Error> {
        let active = self.nodes.get(node).counter(counter::ACTIVE);
        if active != 0 {
            return Err(Error::LeasesOutstanding(LeasesOutstanding { node, active }));
        }
        Ok(())
    }

    /// Refuses a node that never registered.
    fn require_registered(&self, node: Address) -> Result<(), Error> {
        if self.state(node) == State::None {
            return Err(Error::invalid_state(node, State::None));
        }
        Ok(())
    }

    fn require_live(&self, node: Address) -> Result<State, Error> {
        let state = self.state(node);
        if !state.is_live() {
            return Err(Error::invalid_state(node, state));
        }
        Ok(state)
    }

    /// `(self-stake, pool stake)` of `node` in wei, from the staking contract.
    /// `(self-stake, pool stake, jailed)` of `node`, from the staking
    /// contract in one call.
    fn stakes(&self, node: Address) -> Result<(U256, U256, bool), Error> {
        let staking = self.admin.holder(roles::STAKING);
        IStaking::new(staking)
            .standing_of(self, node)
            .map_err(|_| Error::StakingCallFailed(StakingCallFailed { staking }))
    }

    fn require_stake(&self, node: Address, min: params::Param) -> Result<(), Error> {
        // At most 10^8 SPON (the bounds): within 128 bits in wei.
        let required = U256::from(u128::from(self.admin.param(min)) * WEI_PER_SPON);
        let (own, ..) = self.stakes(node)?;
        if own < required {
            return Err(Error::insufficient_stake(own, required));
        }
        Ok(())
    }

    /// Whether `gateway` is an approved gateway operator, or a Provider
    /// node whose state passes `accept`.
    fn gateway_where(&self, gateway: Address, accept: fn(State) -> bool) -> bool {
        let g = self.nodes.get(gateway);
        self.admin.holds(roles::GATEWAY, gateway)
            || (g.class.val() == class::PROVIDER && accept(State::from_u8(g.state.val())))
    }

    /// Whether a new Fizz node may register behind `gateway`.
    fn is_gateway(&self, gateway: Address) -> bool {
        self.gateway_where(gateway, |s| s == State::Active)
    }

    /// Active or in maintenance, and for a Fizz node, its gateway still a
    /// gateway in good standing.
    fn in_good_standing(&self, node: Address) -> bool {
        let n = self.nodes.get(node);
        State::from_u8(n.state.val()).in_good_standing()
            && (n.class.val() != class::FIZZ
                || self.gateway_where(n.gateway.get(), State::in_good_standing))
    }

    /// Writes a (re-)registered node's profile; no pending update.
    #[allow(clippy::too_many_arguments)]
    fn register(
        &mut self,
        node: Address,
        class: u8,
        hardware: U256,
        endpoint: &str,
        tls_cert_hash: B256,
        probe_key: Address,
        gateway: Address,
    ) {
        let mut n = self.nodes.setter(node);
        n.class.put(class);
        n.hardware.set(hardware);
        n.pending_hardware.set(U256::ZERO);
        n.set_endpoint(endpoint);
        n.tls_cert_hash.set(tls_cert_hash);
        n.probe_key.set(probe_key);
        n.gateway.set(gateway);
    }

    fn apply_hardware(&mut self, node: Address, hardware: U256) {
        let mut n = self.nodes.setter(node);
        n.hardware.set(hardware);
        n.pending_hardware.set(U256::ZERO);
        self.emit(HardwareApproved { node, hardware });
    }

    fn emit_reputation(&self, node: Address) {
        let n = self.nodes.get(node);
        self.emit(ReputationChanged {
            node,
            leasesCompleted: n.counter(counter::COMPLETED),
            leasesFaulted: n.counter(counter::FAULTED),
            challengesLost: n.counter(counter::LOST),
            uptimeEras: n.counter(counter::UPTIME),
            activeLeases: n.counter(counter::ACTIVE),
        });
    }

    fn domain(&self) -> B256 {
        signing::domain_separator(self.vm().chain_id(), self.vm().contract_address())
    }

    /// Checks a probe result's nonce, freshness and signature.
    fn verify_probe(
        &self,
        node: Address,
        report_hash: B256,
        summary: U256,
        challenge_id: U256,
        nonce: u64,
        signature: &[u8],
    ) -> Result<(), Error> {
        let n = self.nodes.get(node);
        let expected = n.counter(counter::PROBE_NONCE);
        if nonce != expected {
            return Err(Error::InvalidNonce(InvalidNonce {
                expected: U256::from(expected),
                given: U256::from(nonce),
            }));
        }
        let measured = ProbeSummary::unpack(&summary.to_be_bytes());
        let (now, max_age) = (self.now(), self.admin.param(params::PROBE_MAX_AGE));
        if !measured.is_fresh(now, max_age) {
            return Err(Error::StaleProbe(StaleProbe {
                timestamp: measured.timestamp,
                now,
                maxAge: max_age,
            }));
        }
        if signature.len() != 65 {
            return Err(Error::InvalidSignature(InvalidSignature {}));
        }
        let (r, s, v) = (&signature[..32], &signature[32..64], signature[64]);
        let digest = signing::digest(
            self.domain(),
            signing::struct_hash(node, report_hash, summary, challenge_id, nonce),
        );
        let recovered = spon_contract_kit::calls::ecrecover(
            digest,
            v,
            B256::from_slice(r),
            B256::from_slice(s),
        )
        .ok_or(Error::InvalidSignature(InvalidSignature {}))?;
        let key = n.probe_key.get();
        if recovered != key {
            return Err(Error::WrongSigner(WrongSigner {
                expected: key,
                recovered,
            }));
        }
        Ok(())
    }
}

#[spon_contract_kit::entry_points]
#[inherit(Admin)]
impl Registry {
    /// Sets the staking contract and governance, and the parameters
    /// (`autoApprove` off).
    ///
    /// # Errors
    /// `ZeroAddress`.
    ///
    /// # Events
    /// `RoleChanged` for governance and staking.
    #[constructor]
    pub fn constructor(&mut self, staking: Address, governance: Address) -> Result<(), Error> {
        self.admin.init(governance, &roles::ALL, &params::ALL)?;
        self.admin.grant(roles::STAKING, staking)?;
        Ok(())
    }

    // ------------------------------------------------------- Provider nodes

    /// Proposes the caller as a Provider node with its declared `hardware`
    /// (packed, see `spon_node::hardware`), the manifest `endpoint` (an
    /// https URI, at most 128 bytes), the hash of its TLS certificate and
    /// the address its probe signs with. Active at once while
    /// `autoApprove` is 1, else Proposed until `approveProvider`.
    ///
    /// # Errors
    /// `AlreadyRegistered`, `InvalidHardware`, `InvalidEndpoint`,
    /// `ZeroAddress` (probe key), `InsufficientStake` (self-stake below
    /// `minProviderStake`), `StakingCallFailed`, `EnforcedPause`.
    ///
    /// # Events
    /// `ProviderProposed`, `NodeStateChanged` (to Proposed, and to Active
    /// with `HardwareApproved` under `autoApprove`).
    pub fn propose_provider(
        &mut self,
        hardware: U256,
        endpoint: String,
        tls_cert_hash: B256,
        probe_key: Address,
    ) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        let node = self.caller();
        let from = self.check_registrable(node)?;
        parse_hardware(hardware)?;
        check_endpoint(&endpoint)?;
        Error::nonzero(probe_key)?;
        self.require_stake(node, params::MIN_PROVIDER_STAKE)?;

        self.register(
            node,
            class::PROVIDER,
            hardware,
            &endpoint,
            tls_cert_hash,
            probe_key,
            Address::ZERO,
        );
        self.emit(ProviderProposed {
            node,
            hardware,
            endpoint,
            tlsCertHash: tls_cert_hash,
            probeKey: probe_key,
        });
        self.set_state(node, from, State::Proposed);
        if self.admin.param(params::AUTO_APPROVE) == 1 {
            self.set_state(node, State::Proposed, State::Active);
            self.apply_hardware(node, hardware);
        }
        Ok(())
    }

    /// Declares new hardware for the caller's node. A Provider node's
    /// update waits for `approveProvider` (its approved spec stays in force
    /// meanwhile) unless `autoApprove` is 1; a Fizz node's applies at once.
    ///
    /// # Errors
    /// `InvalidState` (never registered; Proposed: the proposal is
    /// still under review; deactivated), `InvalidHardware`, `EnforcedPause`.
    ///
    /// # Events
    /// `HardwareProposed`, or `HardwareApproved` when it applies at once.
    pub fn update_hardware(&mut self, hardware: U256) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        let node = self.caller();
        let state = self.require_live(node)?;
        if state == State::Proposed {
            return Err(Error::invalid_state(node, state));
        }
        parse_hardware(hardware)?;
        let n = self.nodes.get(node);
        if n.class.val() == class::FIZZ || self.admin.param(params::AUTO_APPROVE) == 1 {
            self.apply_hardware(node, hardware);
        } else {
            self.nodes.setter(node).pending_hardware.set(hardware);
            self.emit(HardwareProposed { node, hardware });
        }
        Ok(())
    }

    /// Sets the caller's manifest endpoint and TLS certificate hash
    /// (Provider nodes; no approval needed).
    ///
    /// # Errors
    /// `InvalidState` (never registered, or deactivated), `WrongClass`,
    /// `InvalidEndpoint`, `EnforcedPause`.
    ///
    /// # Events
    /// `EndpointChanged`.
    pub fn set_endpoint(&mut self, endpoint: String, tls_cert_hash: B256) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        let node = self.caller();
        self.require_live(node)?;
        self.node_class(node, class::PROVIDER)?;
        check_endpoint(&endpoint)?;
        let mut n = self.nodes.setter(node);
        n.set_endpoint(&endpoint);
        n.tls_cert_hash.set(tls_cert_hash);
        self.emit(EndpointChanged {
            node,
            endpoint,
            tlsCertHash: tls_cert_hash,
        });
        Ok(())
    }

    /// Sets the address whose signatures the caller's probe uses. Results
    /// already committed stay.
    ///
    /// # Errors
    /// `InvalidState` (never registered, or deactivated), `ZeroAddress`,
    /// `EnforcedPause`.
    ///
    /// # Events
    /// `ProbeKeyChanged`.
    pub fn set_probe_key(&mut self, probe_key: Address) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        let node = self.caller();
        self.require_live(node)?;
        Error::nonzero(probe_key)?;
        self.nodes.setter(node).probe_key.set(probe_key);
        self.emit(ProbeKeyChanged {
            node,
            probeKey: probe_key,
        });
        Ok(())
    }

    /// Approves `node`'s proposal (Proposed → Active) or, for an approved
    /// node, its pending hardware update, if the spec under review is
    /// exactly `hardware` (the packed word the proposal names, so that a
    /// spec swapped after the review is never approved). Governance only.
    ///
    /// # Errors
    /// `Unauthorized`, `NothingToApprove`, `HardwareMismatch`.
    ///
    /// # Events
    /// `NodeStateChanged` (for a proposal) and `HardwareApproved`.
    pub fn approve_provider(&mut self, node: Address, hardware: U256) -> Result<(), Error> {
        self.admin.only(roles::GOVERNANCE)?;
        let n = self.nodes.get(node);
        let state = self.state(node);
        let proposal = state == State::Proposed;
        let under_review = if proposal {
            n.hardware.get()
        } else {
            n.pending_hardware.get()
        };
        if under_review.is_zero() || !state.is_live() {
            return Err(Error::NothingToApprove(NothingToApprove { node }));
        }
        if under_review != hardware {
            return Err(Error::HardwareMismatch(HardwareMismatch {
                node,
                underReview: under_review,
            }));
        }
        if proposal {
            self.transition(node, Action::Approve)?;
        }
        self.apply_hardware(node, hardware);
        Ok(())
    }

    /// Rejects `node`'s proposal (Proposed → Deactivated; it may propose
    /// again) or its pending hardware update (the approved spec stays).
    /// Governance only.
    ///
    /// # Errors
    /// `Unauthorized`, `NothingToApprove`.
    ///
    /// # Events
    /// `HardwareRejected`, and `NodeStateChanged` for a proposal.
    pub fn reject_provider(&mut self, node: Address) -> Result<(), Error> {
        self.admin.only(roles::GOVERNANCE)?;
        let n = self.nodes.get(node);
        let (hardware, pending) = (n.hardware.get(), n.pending_hardware.get());
        if self.state(node) == State::Proposed {
            self.transition(node, Action::Reject)?;
            self.emit(HardwareRejected { node, hardware });
        } else if !pending.is_zero() {
            self.nodes.setter(node).pending_hardware.set(U256::ZERO);
            self.emit(HardwareRejected {
                node,
                hardware: pending,
            });
        } else {
            return Err(Error::NothingToApprove(NothingToApprove { node }));
        }
        Ok(())
    }

    /// Enters (`on`) or leaves maintenance: a node in maintenance takes no
    /// new leases and is exempt from liveness and GPU-work challenges. It
    /// may enter only with no lease open. Never paused (a pause must not
    /// make a node miss a deadline).
    ///
    /// # Errors
    /// `InvalidState` (entering from anything but Active, leaving from
    /// anything but Maintenance), `LeasesOutstanding`.
    ///
    /// # Events
    /// `NodeStateChanged`.
    pub fn set_maintenance(&mut self, on: bool) -> Result<(), Error> {
        let node = self.caller();
        let action = if on {
            // Maintenance exempts from challenges and audits: not while a
            // tenant relies on the node (finding F-05).
            self.require_no_leases(node)?;
            Action::EnterMaintenance
        } else {
            Action::LeaveMaintenance
        };
        self.transition(node, action)?;
        Ok(())
    }

    /// Suspends `node` (`suspended`: Active or Maintenance → Suspended)
    /// or lifts its suspension (Suspended → Active). Governance only.
    ///
    /// # Errors
    /// `Unauthorized`, `InvalidState`.
    ///
    /// # Events
    /// `NodeStateChanged`.
    pub fn set_suspended(&mut self, node: Address, suspended: bool) -> Result<(), Error> {
        self.admin.only(roles::GOVERNANCE)?;
        let action = if suspended {
            Action::Suspend
        } else {
            Action::Reinstate
        };
        self.transition(node, action)?;
        Ok(())
    }

    /// The caller's node leaves the market, once none of its leases is
    /// open. Its reputation stays; it may register again. A suspended node
    /// cannot leave until governance reinstates it.
    ///
    /// # Errors
    /// `LeasesOutstanding`, `InvalidState` (never registered, suspended or
    /// already deactivated), `EnforcedPause`.
    ///
    /// # Events
    /// `NodeStateChanged`.
    pub fn deactivate(&mut self) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        let node = self.caller();
        self.require_no_leases(node)?;
        self.transition(node, Action::Deactivate)?;
        Ok(())
    }

    // ----------------------------------------------------------- Fizz nodes

    /// Registers the caller as a Fizz node behind `gateway` (an active
    /// Provider node or an approved gateway operator), with at least
    /// `minFizzStake` SPON of self-stake. Active at once.
    ///
    /// # Errors
    /// `AlreadyRegistered`, `InvalidHardware`, `ZeroAddress` (probe key),
    /// `UnknownGateway`, `InsufficientStake`, `StakingCallFailed`,
    /// `EnforcedPause`.
    ///
    /// # Events
    /// `FizzRegistered`, `NodeStateChanged` (to Active).
    pub fn register_fizz(
        &mut self,
        hardware: U256,
        probe_key: Address,
        gateway: Address,
    ) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        let node = self.caller();
        let from = self.check_registrable(node)?;
        parse_hardware(hardware)?;
        Error::nonzero(probe_key)?;
        if gateway == node || !self.is_gateway(gateway) {
            return Err(Error::UnknownGateway(UnknownGateway { gateway }));
        }
        self.require_stake(node, params::MIN_FIZZ_STAKE)?;

        self.register(
            node,
            class::FIZZ,
            hardware,
            "",
            B256::ZERO,
            probe_key,
            gateway,
        );
        self.emit(FizzRegistered {
            node,
            gateway,
            hardware,
            probeKey: probe_key,
        });
        self.set_state(node, from, State::Active);
        Ok(())
    }

    /// The gateway of Fizz node `node` drops it (→ Deactivated), once none
    /// of its leases is open.
    ///
    /// # Errors
    /// `WrongClass`, `Unauthorized` (caller is not its gateway),
    /// `LeasesOutstanding`, `InvalidState` (suspended or deactivated),
    /// `EnforcedPause`.
    ///
    /// # Events
    /// `NodeStateChanged`.
    pub fn drop_fizz(&mut self, node: Address) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        self.node_class(node, class::FIZZ)?;
        let caller = self.caller();
        if self.nodes.get(node).gateway.get() != caller {
            return Err(Error::unauthorized(caller));
        }
        self.require_no_leases(node)?;
        self.transition(node, Action::Deactivate)?;
        Ok(())
    }

    // ------------------------------------------------------------- probes

    /// Commits a probe result of `node`: the hash of the full report, the
    /// packed `summary` (see `spon_node::probe`), the challenge it answers
    /// (0 for none) and the node's next probe nonce, with the EIP-712
    /// `signature` (65 bytes `r ‖ s ‖ v`) of its probe key. Anyone may
    /// relay it, while paused too, and for a node that left.
    ///
    /// # Errors
    /// `InvalidState` (never registered), `InvalidNonce`,
    /// `StaleProbe` (older than `probeMaxAge`, or after the block time),
    /// `InvalidSignature`, `WrongSigner`, `ArithmeticOverflow`.
    ///
    /// # Events
    /// `ProbeCommitted`.
    pub fn commit_probe(
        &mut self,
        node: Address,
        report_hash: B256,
        summary: U256,
        challenge_id: U256,
        nonce: u64,
        signature: Bytes,
    ) -> Result<(), Error> {
        // Never paused, and open to a node that left: it may still owe an
        // answer to a challenge opened before (findings F-04, F-17).
        self.require_registered(node)?;
        self.verify_probe(node, report_hash, summary, challenge_id, nonce, &signature)?;
        let mut n = self.nodes.setter(node);
        n.increment(counter::PROBE_NONCE)?;
        n.probe_summary.set(summary);
        n.probe_report.set(report_hash);
        n.probe_challenge.set(challenge_id);
        self.emit(ProbeCommitted {
            node,
            reportHash: report_hash,
            challengeId: challenge_id,
            summary,
            nonce,
        });
        Ok(())
    }

    // ---------------------------------------------------------- reputation

    /// A lease of `node` opened. Market only; the node must be Active.
    ///
    /// # Errors
    /// `Unauthorized`, `InvalidState`, `ArithmeticOverflow`.
    ///
    /// # Events
    /// `ReputationChanged`.
    pub fn lease_opened(&mut self, node: Address) -> Result<(), Error> {
        self.admin.only(roles::MARKET)?;
        let state = self.state(node);
        if state != State::Active {
            return Err(Error::invalid_state(node, state));
        }
        self.nodes.setter(node).increment(counter::ACTIVE)?;
        self.emit_reputation(node);
        Ok(())
    }

    /// A lease of `node` ended: `outcome` 1 completed, 2 by a fault, 0
    /// neither (too short to count). Market only.
    ///
    /// # Errors
    /// `Unauthorized`, `NoActiveLease`, `ArithmeticOverflow`.
    ///
    /// # Events
    /// `ReputationChanged`.
    pub fn lease_closed(&mut self, node: Address, outcome: u8) -> Result<(), Error> {
        self.admin.only(roles::MARKET)?;
        let mut n = self.nodes.setter(node);
        let active = n.counter(counter::ACTIVE);
        if active == 0 {
            return Err(Error::NoActiveLease(NoActiveLease { node }));
        }
        n.set_counter(counter::ACTIVE, active - 1);
        match outcome {
            1 => n.increment(counter::COMPLETED)?,
            2 => n.increment(counter::FAULTED)?,
            _ => {}
        }
        self.emit_reputation(node);
        Ok(())
    }

    /// A challenge against `node` resolved: `lost` counts a challenge
    /// lost; otherwise the node answered a liveness or GPU-work check and
    /// is credited one uptime era (the current day, at most once per era).
    /// Challenges contract only.
    ///
    /// # Errors
    /// `Unauthorized`, `InvalidState` (never registered),
    /// `UptimeAlreadyRecorded`, `ArithmeticOverflow`.
    ///
    /// # Events
    /// `ReputationChanged`.
    pub fn record_challenge(&mut self, node: Address, lost: bool) -> Result<(), Error> {
        self.admin.only(roles::CHALLENGES)?;
        self.require_registered(node)?;
        let era = self.now() / params::DAY;
        let mut n = self.nodes.setter(node);
        if lost {
            n.increment(counter::LOST)?;
        } else {
            if n.counter(counter::LAST_UPTIME_ERA) == era {
                return Err(Error::UptimeAlreadyRecorded(UptimeAlreadyRecorded {
                    node,
                    era,
                }));
            }
            n.set_counter(counter::LAST_UPTIME_ERA, era);
            n.increment(counter::UPTIME)?;
        }
        self.emit_reputation(node);
        Ok(())
    }

    // -------------------------------------------------------------- views

    /// Whether `account` can serve as a Fizz node's gateway now.
    pub fn gateway_allowed(&self, account: Address) -> bool {
        self.is_gateway(account)
    }

    /// The record of `node` (all zero if unknown).
    pub fn node_of(&self, node: Address) -> views::Node {
        let n = self.nodes.get(node);
        views::Node {
            state: n.state.val(),
            class: n.class.val(),
            hardware: n.hardware.get(),
            pendingHardware: n.pending_hardware.get(),
            gateway: n.gateway.get(),
            probeKey: n.probe_key.get(),
        }
    }

    /// The endpoint URI and TLS certificate hash of a Provider node.
    pub fn endpoint_of(&self, node: Address) -> views::Endpoint {
        let n = self.nodes.get(node);
        views::Endpoint {
            uri: n.endpoint(),
            tlsCertHash: n.tls_cert_hash.get(),
        }
    }

    /// The latest probe result of `node`.
    pub fn probe_of(&self, node: Address) -> views::Probe {
        let n = self.nodes.get(node);
        views::Probe {
            summary: n.probe_summary.get(),
            reportHash: n.probe_report.get(),
            challengeId: n.probe_challenge.get(),
            nextNonce: n.counter(counter::PROBE_NONCE),
        }
    }

    /// The track record of `node`.
    pub fn reputation_of(&self, node: Address) -> views::Reputation {
        let n = self.nodes.get(node);
        views::Reputation {
            leasesCompleted: n.counter(counter::COMPLETED),
            leasesFaulted: n.counter(counter::FAULTED),
            challengesLost: n.counter(counter::LOST),
            uptimeEras: n.counter(counter::UPTIME),
            leasesOpen: n.counter(counter::ACTIVE),
        }
    }

    /// The tier of `node`: 1 (best) … 6, or 7 (untrusted; also for unknown
    /// nodes). See `spon_node::tier` and the README's thresholds.
    ///
    /// # Errors
    /// `StakingCallFailed`.
    pub fn tier_of(&self, node: Address) -> Result<u8, Error> {
        let n = self.nodes.get(node);
        let class = match n.class.val() {
            class::PROVIDER => NodeClass::Provider,
            class::FIZZ => NodeClass::Fizz,
            _ => return Ok(spon_node::UNTRUSTED),
        };
        let (own, total, jailed) = self.stakes(node)?;
        let values = params::ALL.map(|p| self.admin.param(p));
        let input = TierInput {
            class,
            // A jailed node is untrusted while jailed (finding F-26).
            standing: self.in_good_standing(node) && !jailed,
            self_stake: own.saturating_to(),
            total_stake: total.saturating_to(),
            spec: Hardware::unpack(&n.hardware.get().to_be_bytes()),
            probe: ProbeSummary::unpack(&n.probe_summary.get().to_be_bytes()),
            now: self.now(),
            uptime_eras: n.counter(counter::UPTIME),
            leases_completed: n.counter(counter::COMPLETED),
            leases_faulted: n.counter(counter::FAULTED),
            challenges_lost: n.counter(counter::LOST),
        };
        Ok(tier(&input, &params::thresholds(&values)))
    }

    /// The EIP-712 domain separator probe keys sign under.
    pub fn domain_separator(&self) -> B256 {
        self.domain()
    }
}

#[cfg(test)]
mod tests;
