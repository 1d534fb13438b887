//! The market as the contracts' events describe it: nodes, orders, bids,
//! leases, challenges, proposals, stakes and era rewards, folded from the
//! logs of every SPON contract in chain order.
//!
//! Only logs of the deployment's own contracts are read (the indexer asks
//! for their addresses), and every event is decoded by its signature with
//! the bindings generated from the exported ABIs; logs that do not decode,
//! or that name something the model never saw created (from before the
//! start block), change nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use alloy_primitives::{Address, Log, LogData, B256, U256};
use alloy_sol_types::SolEvent;
use spon_bindings::{Challenges, Governance, Leases, Market, Registry, Rewards, Staking};
use spon_node::{Hardware, ProbeSummary};
use spon_protocol::states::{
    BidState, ChallengeOutcome, ChallengeState, LeaseState, NodeClass, NodeState, OrderState,
    ProposalState,
};
use spon_scoring::Requirements;

/// Probes kept per node (newest last).
pub const PROBE_HISTORY: usize = 32;

/// A probe committed for a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeRecord {
    /// Block it was committed in.
    pub block: u64,
    /// What it measured.
    pub summary: ProbeSummary,
    /// Hash of the signed report.
    pub report_hash: B256,
    /// The GPU-work challenge it answered (0: a plain probe).
    pub challenge_id: U256,
}

/// The registry's counters of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reputation {
    /// Leases completed.
    pub leases_completed: u64,
    /// Leases ended by a fault.
    pub leases_faulted: u64,
    /// Challenges lost.
    pub challenges_lost: u64,
    /// Uptime eras credited.
    pub uptime_eras: u64,
    /// Leases open now.
    pub active_leases: u64,
}

/// What the chain's views say of a node (read, not replayed: the tier
/// depends on time and parameters no event carries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// Registry `tierOf`.
    pub tier: u8,
    /// Staking: the node's own stake, wei.
    pub self_stake: U256,
    /// Staking: the pool's stake (self plus delegations), wei.
    pub stake: U256,
    /// Staking: jailed now.
    pub jailed: bool,
}

/// A node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Provider or Fizz.
    pub class: NodeClass,
    /// Registry state.
    pub state: NodeState,
    /// Declared (approved) hardware.
    pub hardware: Hardware,
    /// Hardware proposed and not yet approved.
    pub pending_hardware: Option<Hardware>,
    /// Manifest endpoint (Provider nodes).
    pub endpoint: String,
    /// Gateway (Fizz nodes).
    pub gateway: Address,
    /// Block it registered in.
    pub since_block: u64,
    /// The latest probes, oldest first (at most [`PROBE_HISTORY`]).
    pub probes: Vec<ProbeRecord>,
    /// The registry's counters.
    pub reputation: Reputation,
    /// Its bids, by id.
    pub bids: Vec<u64>,
    /// Its leases, by id.
    pub leases: Vec<u64>,
    /// Challenges against it, by id.
    pub challenges: Vec<u64>,
    /// Accounts that staked in its pool other than itself.
    pub delegators: BTreeSet<Address>,
    /// Lease income paid to it, by token.
    pub earned: BTreeMap<Address, U256>,
    /// Era rewards paid into its pool (before commission), wei.
    pub rewards: U256,
    /// Era rewards forfeited, wei.
    pub forfeited: U256,
    /// Eras it checked in for: era → points.
    pub eras: BTreeMap<u64, u64>,
    /// SPON slashed from its pool, wei.
    pub slashed: U256,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Who placed it.
    pub tenant: Address,
    /// Payment token.
    pub token: Address,
    /// What it asks for.
    pub requirements: Requirements,
    /// Highest price per hour, token units.
    pub max_price: U256,
    /// Lease length, seconds.
    pub duration: u64,
    /// Escrow deposited.
    pub deposit: U256,
    /// Bids close at.
    pub bid_deadline: u64,
    /// Open, cancelled or matched.
    pub state: OrderState,
    /// Its bids, by id.
    pub bids: Vec<u64>,
    /// The proposed bid and its score.
    pub proposed: Option<(u64, u64)>,
    /// The lease it became.
    pub lease: Option<u64>,
    /// Block it was created in.
    pub block: u64,
}

/// A bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bid {
    /// Its order.
    pub order_id: u64,
    /// The bidding node.
    pub node: Address,
    /// Price per hour, token units.
    pub price: U256,
    /// Live, withdrawn (or displaced), won or lost.
    pub state: BidState,
}

/// A lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The node serving it.
    pub node: Address,
    /// The tenant.
    pub tenant: Address,
    /// Payment token.
    pub token: Address,
    /// The order it came from.
    pub order_id: Option<u64>,
    /// Price per hour, token units.
    pub price: U256,
    /// Unix seconds it started.
    pub start: u64,
    /// Unix seconds it ends.
    pub end: u64,
    /// Escrow funded (deposit and top-ups).
    pub funded: U256,
    /// Paid to the node.
    pub paid: U256,
    /// Paid to the treasury.
    pub fees: U256,
    /// Paid up to, unix seconds.
    pub paid_until: u64,
    /// Fee rate, bps.
    pub fee_bps: u16,
    /// Active or closed.
    pub state: LeaseState,
    /// Why it closed (`CloseReason` id) and the refund.
    pub closed: Option<(u8, U256)>,
    /// Settlements: (block, paid until, to the node, fee).
    pub settlements: Vec<(u64, u64, U256, U256)>,
}

/// A challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Liveness, GPU work or lease fault (`ChallengeKind` id).
    pub kind: u8,
    /// The challenged node.
    pub node: Address,
    /// Who opened it.
    pub challenger: Address,
    /// Bond, wei.
    pub bond: U256,
    /// The lease, for a lease fault.
    pub lease_id: u64,
    /// Where it stands.
    pub state: ChallengeState,
    /// Slash scheduled: bps and when it executes.
    pub slash: Option<(u16, u64)>,
    /// SPON slashed, once executed.
    pub slashed: U256,
    /// Block it was opened in.
    pub block: u64,
}

/// A governance proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// Who proposed it.
    pub proposer: Address,
    /// Hash of its description.
    pub description_hash: B256,
    /// Voting window, unix seconds.
    pub vote_start: u64,
    /// Voting window end.
    pub vote_end: u64,
    /// Votes needed, wei of SPON.
    pub quorum: U256,
    /// Its calls: (target, value, calldata).
    pub calls: Vec<(Address, U256, Vec<u8>)>,
    /// Votes for, against and abstaining, wei.
    pub votes: [U256; 3],
    /// Pending … executed, as far as events tell (voting outcomes are
    /// read from the governor's view).
    pub state: ProposalState,
    /// Executable from, once queued.
    pub eta: Option<u64>,
}

/// An era of node rewards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Era {
    /// Nodes checked in.
    pub nodes: u64,
    /// Points of all check-ins.
    pub points: U256,
    /// Budget, once locked.
    pub budget: Option<U256>,
    /// Paid into pools.
    pub paid: U256,
    /// Forfeited to the reserve.
    pub forfeited: U256,
}

/// A slash executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slash {
    /// The node.
    pub node: Address,
    /// The challenge.
    pub challenge_id: U256,
    /// Share slashed, bps.
    pub bps: u16,
    /// SPON taken, wei.
    pub amount: U256,
    /// Block.
    pub block: u64,
}

/// Totals of one payment token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Volume {
    /// Paid to nodes.
    pub paid: U256,
    /// Paid to the treasury.
    pub fees: U256,
    /// Deposited into escrows.
    pub deposited: U256,
    /// Leases opened.
    pub leases: u64,
}

/// The market.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Model {
    /// Nodes by address.
    pub nodes: BTreeMap<Address, Node>,
    /// Orders by id.
    pub orders: BTreeMap<u64, Order>,
    /// Bids by id.
    pub bids: HashMap<u64, Bid>,
    /// Leases by id.
    pub leases: BTreeMap<u64, Lease>,
    /// Challenges by id.
    pub challenges: BTreeMap<u64, Challenge>,
    /// Proposals by id.
    pub proposals: BTreeMap<u64, Proposal>,
    /// Eras by number.
    pub eras: BTreeMap<u64, Era>,
    /// Slashes, oldest first.
    pub slashes: Vec<Slash>,
    /// Totals by payment token.
    pub volume: BTreeMap<Address, Volume>,
    /// SPON staked, in total (deposits less unbondings and slashes).
    pub staked: U256,
    /// The rewards reserve.
    pub reserve: U256,
    /// Market events of the last block that may pair a lease with its
    /// order (`MatchAccepted` and `LeaseOpened` of one acceptance come
    /// from one transaction): (block, node, order or lease id, is order).
    unpaired: Vec<(u64, Address, u64, bool)>,
    /// Logs that changed the model.
    pub events: u64,
    /// The last block a log changed the model in.
    pub block: u64,
}

fn decode<E: SolEvent>(log: &LogData) -> Option<E> {
    let log = Log {
        address: Address::ZERO,
        data: log.clone(),
    };
    E::decode_log(&log, true).ok().map(|l| l.data)
}

fn state<T: TryFrom<u8>>(id: u8) -> Option<T> {
    T::try_from(id).ok()
}

fn word(v: U256) -> [u8; 32] {
    v.to_be_bytes()
}

/// Every event signature the model follows.
pub fn topics() -> Vec<B256> {
    vec![
        Registry::ProviderProposed::SIGNATURE_HASH,
        Registry::FizzRegistered::SIGNATURE_HASH,
        Registry::NodeStateChanged::SIGNATURE_HASH,
        Registry::HardwareProposed::SIGNATURE_HASH,
        Registry::HardwareApproved::SIGNATURE_HASH,
        Registry::HardwareRejected::SIGNATURE_HASH,
        Registry::EndpointChanged::SIGNATURE_HASH,
        Registry::ProbeCommitted::SIGNATURE_HASH,
        Registry::ReputationChanged::SIGNATURE_HASH,
        Staking::Staked::SIGNATURE_HASH,
        Staking::UnbondingStarted::SIGNATURE_HASH,
        Staking::Slashed::SIGNATURE_HASH,
        Staking::RewardNotified::SIGNATURE_HASH,
        Market::OrderCreated::SIGNATURE_HASH,
        Market::OrderCancelled::SIGNATURE_HASH,
        Market::BidPlaced::SIGNATURE_HASH,
        Market::BidWithdrawn::SIGNATURE_HASH,
        Market::BidDisplaced::SIGNATURE_HASH,
        Market::MatchProposed::SIGNATURE_HASH,
        Market::MatchAccepted::SIGNATURE_HASH,
        Leases::LeaseOpened::SIGNATURE_HASH,
        Leases::LeaseSettled::SIGNATURE_HASH,
        Leases::LeaseToppedUp::SIGNATURE_HASH,
        Leases::LeaseClosed::SIGNATURE_HASH,
        Challenges::ChallengeOpened::SIGNATURE_HASH,
        Challenges::GpuWorkCommitted::SIGNATURE_HASH,
        Challenges::SampleRevealed::SIGNATURE_HASH,
        Challenges::ChallengeResolved::SIGNATURE_HASH,
        Challenges::SlashScheduled::SIGNATURE_HASH,
        Challenges::SlashExecuted::SIGNATURE_HASH,
        Challenges::SlashVetoed::SIGNATURE_HASH,
        Rewards::CheckedIn::SIGNATURE_HASH,
        Rewards::EraBudgetLocked::SIGNATURE_HASH,
        Rewards::RewardPaid::SIGNATURE_HASH,
        Rewards::RewardForfeited::SIGNATURE_HASH,
        Rewards::ReserveFunded::SIGNATURE_HASH,
        Rewards::ReserveWithdrawn::SIGNATURE_HASH,
        Governance::ProposalCreated::SIGNATURE_HASH,
        Governance::ProposalCall::SIGNATURE_HASH,
        Governance::VoteCast::SIGNATURE_HASH,
        Governance::ProposalQueued::SIGNATURE_HASH,
        Governance::ProposalExecuted::SIGNATURE_HASH,
        Governance::ProposalCanceled::SIGNATURE_HASH,
    ]
}

impl Model {
    /// GPUs of Active nodes, and GPUs of the nodes' open leases at `now`
    /// (each lease holds the GPUs its order asked for).
    pub fn utilisation(&self, now: u64) -> (u64, u64) {
        let available = self
            .nodes
            .values()
            .filter(|n| n.state == NodeState::Active)
            .map(|n| u64::from(n.hardware.gpu_count))
            .sum();
        let leased = self
            .leases
            .values()
            .filter(|l| l.is_running(now))
            .map(|l| self.lease_gpus(l))
            .sum();
        (leased, available)
    }

    /// GPUs a lease holds: its order's count, else its node's.
    pub fn lease_gpus(&self, lease: &Lease) -> u64 {
        let from_order = lease
            .order_id
            .and_then(|o| self.orders.get(&o))
            .map(|o| o.requirements.gpu_count);
        let from_node = self.nodes.get(&lease.node).map(|n| n.hardware.gpu_count);
        u64::from(from_order.or(from_node).unwrap_or(0))
    }

    /// Applies one log of `block`; returns whether it changed the model.
    pub fn apply(&mut self, block: u64, log: &LogData) -> bool {
        let changed = self.fold(block, log).is_some();
        if changed {
            self.events += 1;
            self.block = block;
        }
        changed
    }

    fn node(&mut self, node: Address) -> Option<&mut Node> {
        self.nodes.get_mut(&node)
    }

    fn register(&mut self, block: u64, node: Address, class: NodeClass, hardware: U256) -> bool {
        if self.nodes.contains_key(&node) {
            // Re-registration after deactivation: a new profile, same history.
            let n = self.nodes.get_mut(&node).expect("known");
            n.class = class;
            n.hardware = Hardware::unpack(&word(hardware));
            return true;
        }
        self.nodes.insert(
            node,
            Node {
                class,
                state: NodeState::Proposed,
                hardware: Hardware::unpack(&word(hardware)),
                pending_hardware: None,
                endpoint: String::new(),
                gateway: Address::ZERO,
                since_block: block,
                probes: Vec::new(),
                reputation: Reputation::default(),
                bids: Vec::new(),
                leases: Vec::new(),
                challenges: Vec::new(),
                delegators: BTreeSet::new(),
                earned: BTreeMap::new(),
                rewards: U256::ZERO,
                forfeited: U256::ZERO,
                eras: BTreeMap::new(),
                slashed: U256::ZERO,
            },
        );
        true
    }

    /// Pairs a lease with its order when both events of one acceptance
    /// are in (same block, same node).
    fn pair(&mut self, block: u64, node: Address, id: u64, is_order: bool) {
        self.unpaired.retain(|u| u.0 == block);
        if let Some(i) = self
            .unpaired
            .iter()
            .position(|u| u.1 == node && u.3 != is_order)
        {
            let (_, _, other, _) = self.unpaired.remove(i);
            let (order, lease) = if is_order { (id, other) } else { (other, id) };
            if let Some(o) = self.orders.get_mut(&order) {
                o.lease = Some(lease);
            }
            if let Some(l) = self.leases.get_mut(&lease) {
                l.order_id = Some(order);
            }
        } else {
            self.unpaired.push((block, node, id, is_order));
        }
    }

    fn fold(&mut self, block: u64, log: &LogData) -> Option<()> {
        let topic = *log.topics().first()?;
        match topic {
            // Registry.
            Registry::ProviderProposed::SIGNATURE_HASH => {
                let e: Registry::ProviderProposed = decode(log)?;
                self.register(block, e.node, NodeClass::Provider, e.hardware);
                let n = self.node(e.node)?;
                n.endpoint = e.endpoint;
            }
            Registry::FizzRegistered::SIGNATURE_HASH => {
                let e: Registry::FizzRegistered = decode(log)?;
                self.register(block, e.node, NodeClass::Fizz, e.hardware);
                self.node(e.node)?.gateway = e.gateway;
            }
            Registry::NodeStateChanged::SIGNATURE_HASH => {
                let e: Registry::NodeStateChanged = decode(log)?;
                let to = state(e.to)?;
                self.node(e.node)?.state = to;
            }
            Registry::HardwareProposed::SIGNATURE_HASH => {
                let e: Registry::HardwareProposed = decode(log)?;
                self.node(e.node)?.pending_hardware = Some(Hardware::unpack(&word(e.hardware)));
            }
            Registry::HardwareApproved::SIGNATURE_HASH => {
                let e: Registry::HardwareApproved = decode(log)?;
                let n = self.node(e.node)?;
                n.hardware = Hardware::unpack(&word(e.hardware));
                n.pending_hardware = None;
            }
            Registry::HardwareRejected::SIGNATURE_HASH => {
                let e: Registry::HardwareRejected = decode(log)?;
                self.node(e.node)?.pending_hardware = None;
            }
            Registry::EndpointChanged::SIGNATURE_HASH => {
                let e: Registry::EndpointChanged = decode(log)?;
                self.node(e.node)?.endpoint = e.endpoint;
            }
            Registry::ProbeCommitted::SIGNATURE_HASH => {
                let e: Registry::ProbeCommitted = decode(log)?;
                let n = self.node(e.node)?;
                if n.probes.len() == PROBE_HISTORY {
                    n.probes.remove(0);
                }
                n.probes.push(ProbeRecord {
                    block,
                    summary: ProbeSummary::unpack(&word(e.summary)),
                    report_hash: e.reportHash,
                    challenge_id: e.challengeId,
                });
            }
            Registry::ReputationChanged::SIGNATURE_HASH => {
                let e: Registry::ReputationChanged = decode(log)?;
                self.node(e.node)?.reputation = Reputation {
                    leases_completed: e.leasesCompleted,
                    leases_faulted: e.leasesFaulted,
                    challenges_lost: e.challengesLost,
                    uptime_eras: e.uptimeEras,
                    active_leases: e.activeLeases,
                };
            }
            // Staking.
            Staking::Staked::SIGNATURE_HASH => {
                let e: Staking::Staked = decode(log)?;
                self.staked = self.staked.saturating_add(e.amount);
                if let Some(n) = self.node(e.provider) {
                    if e.staker != e.provider {
                        n.delegators.insert(e.staker);
                    }
                }
            }
            Staking::UnbondingStarted::SIGNATURE_HASH => {
                let e: Staking::UnbondingStarted = decode(log)?;
                self.staked = self.staked.saturating_sub(e.amount);
            }
            Staking::Slashed::SIGNATURE_HASH => {
                let e: Staking::Slashed = decode(log)?;
                self.staked = self.staked.saturating_sub(e.amount);
                self.slashes.push(Slash {
                    node: e.provider,
                    challenge_id: e.challengeId,
                    bps: e.bps,
                    amount: e.amount,
                    block,
                });
                if let Some(n) = self.node(e.provider) {
                    n.slashed = n.slashed.saturating_add(e.amount);
                }
            }
            Staking::RewardNotified::SIGNATURE_HASH => {
                // Era rewards are counted from the rewards contract's
                // RewardPaid; this only tells that a pool was paid.
                let _: Staking::RewardNotified = decode(log)?;
            }
            // Market.
            Market::OrderCreated::SIGNATURE_HASH => {
                let e: Market::OrderCreated = decode(log)?;
                if self.orders.contains_key(&e.orderId) {
                    return None;
                }
                self.volume.entry(e.token).or_default().deposited += e.deposit;
                self.orders.insert(
                    e.orderId,
                    Order {
                        tenant: e.tenant,
                        token: e.token,
                        requirements: Requirements::unpack(&word(e.requirements)),
                        max_price: e.maxPricePerHour,
                        duration: e.durationSecs,
                        deposit: e.deposit,
                        bid_deadline: e.bidDeadline,
                        state: OrderState::Open,
                        bids: Vec::new(),
                        proposed: None,
                        lease: None,
                        block,
                    },
                );
            }
            Market::OrderCancelled::SIGNATURE_HASH => {
                let e: Market::OrderCancelled = decode(log)?;
                let o = self.orders.get_mut(&e.orderId)?;
                o.state = OrderState::Cancelled;
                for b in o.bids.clone() {
                    if let Some(b) = self.bids.get_mut(&b).filter(|b| b.state == BidState::Live) {
                        b.state = BidState::Lost;
                    }
                }
            }
            Market::BidPlaced::SIGNATURE_HASH => {
                let e: Market::BidPlaced = decode(log)?;
                if self.bids.contains_key(&e.bidId) {
                    return None;
                }
                self.orders.get_mut(&e.orderId)?.bids.push(e.bidId);
                self.bids.insert(
                    e.bidId,
                    Bid {
                        order_id: e.orderId,
                        node: e.node,
                        price: e.pricePerHour,
                        state: BidState::Live,
                    },
                );
                if let Some(n) = self.node(e.node) {
                    n.bids.push(e.bidId);
                }
            }
            Market::BidWithdrawn::SIGNATURE_HASH => {
                let e: Market::BidWithdrawn = decode(log)?;
                self.bids.get_mut(&e.bidId)?.state = BidState::Withdrawn;
            }
            Market::BidDisplaced::SIGNATURE_HASH => {
                let e: Market::BidDisplaced = decode(log)?;
                self.bids.get_mut(&e.bidId)?.state = BidState::Lost;
            }
            Market::MatchProposed::SIGNATURE_HASH => {
                let e: Market::MatchProposed = decode(log)?;
                self.orders.get_mut(&e.orderId)?.proposed = Some((e.bidId, e.score));
            }
            Market::MatchAccepted::SIGNATURE_HASH => {
                let e: Market::MatchAccepted = decode(log)?;
                let o = self.orders.get_mut(&e.orderId)?;
                o.state = OrderState::Matched;
                for b in o.bids.clone() {
                    if let Some(bid) = self.bids.get_mut(&b) {
                        if b == e.bidId {
                            bid.state = BidState::Won;
                        } else if bid.state == BidState::Live {
                            bid.state = BidState::Lost;
                        }
                    }
                }
                self.pair(block, e.node, e.orderId, true);
            }
            // Leases.
            Leases::LeaseOpened::SIGNATURE_HASH => {
                let e: Leases::LeaseOpened = decode(log)?;
                if self.leases.contains_key(&e.leaseId) {
                    return None;
                }
                self.volume.entry(e.token).or_default().leases += 1;
                self.leases.insert(
                    e.leaseId,
                    Lease {
                        node: e.node,
                        tenant: e.tenant,
                        token: e.token,
                        order_id: None,
                        price: e.pricePerHour,
                        start: e.start,
                        end: e.end,
                        funded: e.funded,
                        paid: U256::ZERO,
                        fees: U256::ZERO,
                        paid_until: e.start,
                        fee_bps: e.feeBps,
                        state: LeaseState::Active,
                        closed: None,
                        settlements: Vec::new(),
                    },
                );
                if let Some(n) = self.node(e.node) {
                    n.leases.push(e.leaseId);
                }
                self.pair(block, e.node, e.leaseId, false);
            }
            Leases::LeaseSettled::SIGNATURE_HASH => {
                let e: Leases::LeaseSettled = decode(log)?;
                let l = self.leases.get_mut(&e.leaseId)?;
                l.paid += e.toProvider;
                l.fees += e.fee;
                l.paid_until = e.paidUntil;
                l.settlements
                    .push((block, e.paidUntil, e.toProvider, e.fee));
                let token = l.token;
                let v = self.volume.entry(token).or_default();
                v.paid += e.toProvider;
                v.fees += e.fee;
                if let Some(n) = self.node(e.node) {
                    *n.earned.entry(token).or_default() += e.toProvider;
                }
            }
            Leases::LeaseToppedUp::SIGNATURE_HASH => {
                let e: Leases::LeaseToppedUp = decode(log)?;
                let l = self.leases.get_mut(&e.leaseId)?;
                l.funded = e.funded;
                let token = l.token;
                self.volume.entry(token).or_default().deposited += e.amount;
            }
            Leases::LeaseClosed::SIGNATURE_HASH => {
                let e: Leases::LeaseClosed = decode(log)?;
                let l = self.leases.get_mut(&e.leaseId)?;
                l.state = LeaseState::Closed;
                l.paid_until = e.paidUntil;
                l.closed = Some((e.reason, e.refund));
            }
            // Challenges.
            Challenges::ChallengeOpened::SIGNATURE_HASH => {
                let e: Challenges::ChallengeOpened = decode(log)?;
                if self.challenges.contains_key(&e.challengeId) {
                    return None;
                }
                self.challenges.insert(
                    e.challengeId,
                    Challenge {
                        kind: e.kind,
                        node: e.node,
                        challenger: e.challenger,
                        bond: e.bond,
                        lease_id: e.leaseId,
                        state: ChallengeState::Open,
                        slash: None,
                        slashed: U256::ZERO,
                        block,
                    },
                );
                if let Some(n) = self.node(e.node) {
                    n.challenges.push(e.challengeId);
                }
            }
            Challenges::GpuWorkCommitted::SIGNATURE_HASH => {
                let e: Challenges::GpuWorkCommitted = decode(log)?;
                self.challenges.get_mut(&e.challengeId)?.state = ChallengeState::Committed;
            }
            Challenges::SampleRevealed::SIGNATURE_HASH => {
                let e: Challenges::SampleRevealed = decode(log)?;
                self.challenges.get_mut(&e.challengeId)?.state = ChallengeState::Sampled;
            }
            Challenges::ChallengeResolved::SIGNATURE_HASH => {
                let e: Challenges::ChallengeResolved = decode(log)?;
                let c = self.challenges.get_mut(&e.challengeId)?;
                c.state = match state(e.outcome)? {
                    ChallengeOutcome::Passed => ChallengeState::Passed,
                    ChallengeOutcome::Dismissed => ChallengeState::Dismissed,
                    // A lost challenge's slash is scheduled in the same
                    // transaction (SlashScheduled says when).
                    ChallengeOutcome::Lost => ChallengeState::SlashPending,
                };
            }
            Challenges::SlashScheduled::SIGNATURE_HASH => {
                let e: Challenges::SlashScheduled = decode(log)?;
                let c = self.challenges.get_mut(&e.challengeId)?;
                c.state = ChallengeState::SlashPending;
                c.slash = Some((e.bps, e.executeAt));
            }
            Challenges::SlashExecuted::SIGNATURE_HASH => {
                let e: Challenges::SlashExecuted = decode(log)?;
                let c = self.challenges.get_mut(&e.challengeId)?;
                c.state = ChallengeState::Slashed;
                c.slashed = e.amount;
            }
            Challenges::SlashVetoed::SIGNATURE_HASH => {
                let e: Challenges::SlashVetoed = decode(log)?;
                self.challenges.get_mut(&e.challengeId)?.state = ChallengeState::Vetoed;
            }
            // Rewards.
            Rewards::CheckedIn::SIGNATURE_HASH => {
                let e: Rewards::CheckedIn = decode(log)?;
                let era = self.eras.entry(e.era).or_default();
                era.nodes += 1;
                era.points = e.totalPoints;
                if let Some(n) = self.node(e.node) {
                    n.eras.insert(e.era, e.points);
                }
            }
            Rewards::EraBudgetLocked::SIGNATURE_HASH => {
                let e: Rewards::EraBudgetLocked = decode(log)?;
                self.eras.entry(e.era).or_default().budget = Some(e.budget);
                self.reserve = self.reserve.saturating_sub(e.budget);
            }
            Rewards::RewardPaid::SIGNATURE_HASH => {
                let e: Rewards::RewardPaid = decode(log)?;
                self.eras.entry(e.era).or_default().paid += e.amount;
                if let Some(n) = self.node(e.node) {
                    n.rewards += e.amount;
                }
            }
            Rewards::RewardForfeited::SIGNATURE_HASH => {
                let e: Rewards::RewardForfeited = decode(log)?;
                self.eras.entry(e.era).or_default().forfeited += e.amount;
                self.reserve = self.reserve.saturating_add(e.amount);
                if let Some(n) = self.node(e.node) {
                    n.forfeited += e.amount;
                }
            }
            Rewards::ReserveFunded::SIGNATURE_HASH => {
                let e: Rewards::ReserveFunded = decode(log)?;
                self.reserve = e.reserve;
            }
            Rewards::ReserveWithdrawn::SIGNATURE_HASH => {
                let e: Rewards::ReserveWithdrawn = decode(log)?;
                self.reserve = self.reserve.saturating_sub(e.amount);
            }
            // Governance.
            Governance::ProposalCreated::SIGNATURE_HASH => {
                let e: Governance::ProposalCreated = decode(log)?;
                if self.proposals.contains_key(&e.id) {
                    return None;
                }
                self.proposals.insert(
                    e.id,
                    Proposal {
                        proposer: e.proposer,
                        description_hash: e.descriptionHash,
                        vote_start: e.voteStart,
                        vote_end: e.voteEnd,
                        quorum: e.quorum,
                        calls: Vec::new(),
                        votes: [U256::ZERO; 3],
                        state: ProposalState::Pending,
                        eta: None,
                    },
                );
            }
            Governance::ProposalCall::SIGNATURE_HASH => {
                let e: Governance::ProposalCall = decode(log)?;
                self.proposals
                    .get_mut(&e.id)?
                    .calls
                    .push((e.target, e.value, e.data.to_vec()));
            }
            Governance::VoteCast::SIGNATURE_HASH => {
                let e: Governance::VoteCast = decode(log)?;
                let p = self.proposals.get_mut(&e.id)?;
                let slot = p.votes.get_mut(usize::from(e.support))?;
                *slot = slot.saturating_add(e.weight);
            }
            Governance::ProposalQueued::SIGNATURE_HASH => {
                let e: Governance::ProposalQueued = decode(log)?;
                let p = self.proposals.get_mut(&e.id)?;
                p.state = ProposalState::Queued;
                p.eta = Some(e.eta);
            }
            Governance::ProposalExecuted::SIGNATURE_HASH => {
                let e: Governance::ProposalExecuted = decode(log)?;
                self.proposals.get_mut(&e.id)?.state = ProposalState::Executed;
            }
            Governance::ProposalCanceled::SIGNATURE_HASH => {
                let e: Governance::ProposalCanceled = decode(log)?;
                self.proposals.get_mut(&e.id)?.state = ProposalState::Canceled;
            }
            _ => return None,
        }
        Some(())
    }
}

impl Lease {
    /// Open and within its term at `now`.
    pub fn is_running(&self, now: u64) -> bool {
        self.state == LeaseState::Active && now < self.end
    }
}

#[cfg(test)]
pub(crate) mod tests;
