//! What the console shows, as the JSON API serves it and the pages render
//! it: named structs built from the [`Model`] and the chain's views, with
//! amounts both exact (base units, as decimal strings) and as people read
//! them (`1.53 tUSD`), GPU classes by model name and states by their
//! protocol names.

use std::collections::{BTreeMap, HashMap};

use alloy_primitives::{Address, U256};
use serde::Serialize;
use spon_client::units;
use spon_node::{hardware::gpu, Criterion, Thresholds, TierInput};
use spon_protocol::{
    states::{ChallengeKind, CloseReason, NodeClass, NodeState, OrderState},
    HOUR,
};

use crate::model::{Lease, Model, Node, Standing};

/// Most rows one list request returns.
pub const MAX_LIMIT: usize = 200;
/// Rows a list request returns when it names no limit.
pub const DEFAULT_LIMIT: usize = 50;

/// A payment token's symbol and decimals (read once from its ERC-20 views).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenInfo {
    /// Symbol.
    pub symbol: String,
    /// Decimals.
    pub decimals: u8,
}

/// What the console knows besides the events.
#[derive(Debug, Clone, Default)]
pub struct Chain {
    /// The latest block indexed.
    pub head: u64,
    /// Its timestamp.
    pub now: u64,
    /// Tokens seen, by address.
    pub tokens: HashMap<Address, TokenInfo>,
    /// Nodes' tiers and stakes, as last read.
    pub standings: HashMap<Address, Standing>,
    /// The SPON token.
    pub spon: Address,
    /// Staking's total stake, as last read.
    pub total_staked: U256,
    /// The registry's tier thresholds, as last read.
    pub thresholds: Option<Thresholds>,
}

/// An amount of a token, exact and readable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amount {
    /// Base units, decimal.
    pub units: String,
    /// As people read it, with the token's symbol.
    pub text: String,
}

impl Chain {
    /// `amount` of `token`, readable (the address when the token is unknown).
    pub fn amount(&self, token: Address, amount: U256) -> Amount {
        let text = match self.tokens.get(&token) {
            Some(t) => format!("{} {}", readable(amount, t.decimals), t.symbol),
            None => format!("{amount} units of {token}"),
        };
        Amount {
            units: amount.to_string(),
            text,
        }
    }

    /// `amount` wei of SPON.
    pub fn spon(&self, amount: U256) -> Amount {
        Amount {
            units: amount.to_string(),
            text: format!("{} SPON", readable(amount, 18)),
        }
    }

    fn decimals(&self, token: Address) -> u8 {
        self.tokens.get(&token).map_or(18, |t| t.decimals)
    }
}

/// `amount` base units with `decimals` decimals, exact, the whole part
/// grouped by thousands: `150,000`, `3.5`, `1,234.000001`.
pub fn readable(amount: U256, decimals: u8) -> String {
    let exact = units::format(amount, decimals);
    let (whole, fraction) = exact
        .split_once('.')
        .map_or((exact.as_str(), None), |(w, f)| (w, Some(f)));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3 + 1);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{grouped}.{f}"),
        None => grouped,
    }
}

/// A region code as text.
pub fn region(code: [u8; 2]) -> String {
    if code.iter().all(u8::is_ascii_uppercase) {
        String::from_utf8_lossy(&code).into_owned()
    } else {
        "—".into()
    }
}

/// GPUs of one model, counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelCount {
    /// Model name.
    pub model: String,
    /// GPUs of Active nodes.
    pub gpus: u64,
    /// Nodes.
    pub nodes: u64,
}

/// Totals of one token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenVolume {
    /// Token address.
    pub token: Address,
    /// Its symbol.
    pub symbol: String,
    /// Paid to nodes.
    pub paid: Amount,
    /// Fees to the treasury.
    pub fees: Amount,
    /// Deposited into escrows.
    pub deposited: Amount,
    /// Leases opened.
    pub leases: u64,
}

/// An era of rewards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EraRow {
    /// Era number.
    pub era: u64,
    /// Nodes checked in.
    pub nodes: u64,
    /// Their points.
    pub points: String,
    /// Budget, once locked.
    pub budget: Option<Amount>,
    /// Paid into pools.
    pub paid: Amount,
    /// Forfeited to the reserve.
    pub forfeited: Amount,
}

/// The market at a glance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    /// Latest block indexed.
    pub block: u64,
    /// Its time, unix seconds.
    pub time: u64,
    /// Events indexed.
    pub events: u64,
    /// Provider nodes.
    pub provider_nodes: u64,
    /// Fizz nodes.
    pub fizz_nodes: u64,
    /// Nodes Active now.
    pub active_nodes: u64,
    /// GPUs of Active nodes by model.
    pub gpus_by_model: Vec<ModelCount>,
    /// GPUs of Active nodes by region.
    pub gpus_by_region: BTreeMap<String, u64>,
    /// GPUs of Active nodes.
    pub gpus_available: u64,
    /// GPUs held by running leases.
    pub gpus_leased: u64,
    /// Leased ÷ available, percent (0 with no GPUs).
    pub utilisation_percent: f64,
    /// Orders open for bids.
    pub open_orders: u64,
    /// Orders in all.
    pub orders: u64,
    /// Leases running now.
    pub active_leases: u64,
    /// Leases in all.
    pub leases: u64,
    /// Volume and fees per token.
    pub volume: Vec<TokenVolume>,
    /// SPON staked (staking's view).
    pub total_staked: Amount,
    /// Slashes executed.
    pub slashes: u64,
    /// SPON slashed.
    pub slashed: Amount,
    /// Challenges opened.
    pub challenges: u64,
    /// Proposals made.
    pub proposals: u64,
    /// The rewards reserve (unallocated).
    pub rewards_reserve: Amount,
    /// Eras with check-ins, newest first (at most 10).
    pub eras: Vec<EraRow>,
}

/// A node in the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeRow {
    /// Address.
    pub address: Address,
    /// `provider` or `fizz`.
    pub class: &'static str,
    /// Registry state.
    pub state: &'static str,
    /// GPU model name.
    pub gpu_model: String,
    /// GPUs.
    pub gpus: u16,
    /// Memory per GPU, GiB.
    pub vram_gib_per_gpu: f64,
    /// Region.
    pub region: String,
    /// Tier 1–7, once read.
    pub tier: Option<u8>,
    /// What the next better tier asks that the node lacks.
    pub next_tier: Option<NextTier>,
    /// Pool stake (self plus delegations), once read.
    pub stake: Option<Amount>,
    /// Accounts that delegated.
    pub delegators: u64,
    /// Leases completed.
    pub leases_completed: u64,
    /// Lease income, per token.
    pub earned: Vec<Amount>,
    /// Era rewards paid into its pool.
    pub rewards: Amount,
}

/// What the latest probe measured against what the node declared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeRow {
    /// Block committed in.
    pub block: u64,
    /// Measured at, unix seconds.
    pub measured_at: u64,
    /// GPUs found / declared.
    pub gpus: (u16, u16),
    /// GPU memory found / declared, MiB (all GPUs).
    pub vram_mib: (u32, u64),
    /// Dense GEMM, GFLOP/s.
    pub gemm_gflops: u32,
    /// Memory bandwidth, GB/s.
    pub mem_bandwidth_gbps: u32,
    /// Network bandwidth found / declared, Mbit/s.
    pub net_mbps: (u32, u32),
    /// The GPU-work challenge it answered, if any.
    pub challenge_id: String,
}

/// A bid, as a node page lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BidRow {
    /// Bid id.
    pub id: u64,
    /// Its order.
    pub order_id: u64,
    /// Node.
    pub node: Address,
    /// Price per hour.
    pub price_per_hour: Amount,
    /// State.
    pub state: &'static str,
}

/// A node and its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeDetail {
    /// The row.
    #[serde(flatten)]
    pub row: NodeRow,
    /// The node's own stake, once read.
    pub self_stake: Option<Amount>,
    /// Jailed now.
    pub jailed: Option<bool>,
    /// Manifest endpoint (Provider nodes).
    pub endpoint: String,
    /// Gateway (Fizz nodes).
    pub gateway: Option<Address>,
    /// Hardware proposed, not yet approved (model name and count).
    pub pending_hardware: Option<String>,
    /// CPU cores, RAM GiB, bandwidth Mbit/s.
    pub cpu_cores: u16,
    /// RAM, GiB.
    pub ram_gib: u32,
    /// Bandwidth, Mbit/s.
    pub bandwidth_mbps: u32,
    /// Leases ended by a fault.
    pub leases_faulted: u64,
    /// Challenges lost.
    pub challenges_lost: u64,
    /// Uptime eras credited.
    pub uptime_eras: u64,
    /// SPON slashed from its pool.
    pub slashed: Amount,
    /// Era rewards forfeited.
    pub forfeited: Amount,
    /// Eras checked in for: (era, points), newest first.
    pub eras: Vec<(u64, u64)>,
    /// Probes, newest first.
    pub probes: Vec<ProbeRow>,
    /// Its bids, newest first (at most 100).
    pub bids: Vec<BidRow>,
    /// Its leases, newest first.
    pub leases: Vec<LeaseRow>,
    /// Challenges against it, newest first.
    pub challenges: Vec<ChallengeRow>,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderRow {
    /// Id.
    pub id: u64,
    /// Tenant.
    pub tenant: Address,
    /// State.
    pub state: &'static str,
    /// GPU model asked for (`any`).
    pub gpu_model: String,
    /// GPUs asked for.
    pub gpus: u16,
    /// Regions, in order of preference.
    pub regions: Vec<String>,
    /// Highest price per hour.
    pub max_price_per_hour: Amount,
    /// Hours.
    pub hours: f64,
    /// Deposit.
    pub deposit: Amount,
    /// Bids placed.
    pub bids: u64,
    /// Proposed bid and its score.
    pub proposed: Option<(u64, u64)>,
    /// The lease it became.
    pub lease: Option<u64>,
}

/// An order and its bids.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderDetail {
    /// The row.
    #[serde(flatten)]
    pub row: OrderRow,
    /// Bids close at, unix seconds.
    pub bid_deadline: u64,
    /// Its bids.
    pub bid_list: Vec<BidRow>,
}

/// A lease.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaseRow {
    /// Id.
    pub id: u64,
    /// The node.
    pub node: Address,
    /// The tenant.
    pub tenant: Address,
    /// The order.
    pub order_id: Option<u64>,
    /// GPUs held.
    pub gpus: u64,
    /// Running, closed …
    pub state: String,
    /// Price per hour (what the node receives).
    pub price_per_hour: Amount,
    /// Fee rate on top, percent.
    pub fee_percent: f64,
    /// Started, unix seconds.
    pub start: u64,
    /// Ends, unix seconds.
    pub end: u64,
    /// Escrow funded.
    pub funded: Amount,
    /// Paid to the node.
    pub paid: Amount,
    /// Paid to the treasury.
    pub fees: Amount,
    /// What the tenant was charged so far (paid + fees).
    pub charged: Amount,
    /// Refunded at close.
    pub refund: Option<Amount>,
    /// Paid up to, unix seconds.
    pub paid_until: u64,
}

/// A challenge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChallengeRow {
    /// Id.
    pub id: u64,
    /// Liveness, gpu-work or lease-fault.
    pub kind: String,
    /// The challenged node.
    pub node: Address,
    /// Who opened it.
    pub challenger: Address,
    /// Bond.
    pub bond: Amount,
    /// Where it stands.
    pub state: &'static str,
    /// The slash scheduled, percent.
    pub slash_percent: Option<f64>,
    /// SPON slashed.
    pub slashed: Amount,
    /// The lease, for a lease fault.
    pub lease_id: Option<u64>,
}

/// A proposal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalRow {
    /// Id.
    pub id: u64,
    /// Proposer.
    pub proposer: Address,
    /// As far as events tell.
    pub state: &'static str,
    /// Its calls: target and selector.
    pub calls: Vec<String>,
    /// Votes for, against, abstaining.
    pub votes_for: Amount,
    /// Against.
    pub votes_against: Amount,
    /// Abstaining.
    pub votes_abstain: Amount,
    /// Quorum.
    pub quorum: Amount,
    /// Voting ends, unix seconds.
    pub vote_end: u64,
}

/// The average price per GPU-hour of the leases opened in one hour, for
/// one GPU model and token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PricePoint {
    /// GPU model name.
    pub model: String,
    /// Token symbol.
    pub symbol: String,
    /// Start of the hour, unix seconds.
    pub hour: u64,
    /// Average price per GPU-hour, in whole tokens.
    pub price: f64,
    /// Leases averaged.
    pub leases: u64,
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 10_000.0 / whole as f64).round() / 100.0
    }
}

fn whole_tokens(amount: U256, decimals: u8) -> f64 {
    units::format(amount, decimals).parse().unwrap_or(f64::MAX)
}

/// The overview.
pub fn overview(m: &Model, c: &Chain) -> Overview {
    let mut by_model: BTreeMap<u16, (u64, u64)> = BTreeMap::new();
    let mut by_region: BTreeMap<String, u64> = BTreeMap::new();
    let (mut providers, mut fizz, mut active) = (0, 0, 0);
    for n in m.nodes.values() {
        match n.class {
            NodeClass::Fizz => fizz += 1,
            _ => providers += 1,
        }
        if n.state == NodeState::Active {
            active += 1;
            let gpus = u64::from(n.hardware.gpu_count);
            let e = by_model.entry(n.hardware.gpu_model).or_default();
            e.0 += gpus;
            e.1 += 1;
            *by_region.entry(region(n.hardware.region)).or_default() += gpus;
        }
    }
    let (leased, available) = m.utilisation(c.now);
    let slashed = m
        .slashes
        .iter()
        .fold(U256::ZERO, |s, x| s.saturating_add(x.amount));
    Overview {
        block: c.head,
        time: c.now,
        events: m.events,
        provider_nodes: providers,
        fizz_nodes: fizz,
        active_nodes: active,
        gpus_by_model: by_model
            .into_iter()
            .map(|(model, (gpus, nodes))| ModelCount {
                model: gpu::name(model).into(),
                gpus,
                nodes,
            })
            .collect(),
        gpus_by_region: by_region,
        gpus_available: available,
        gpus_leased: leased,
        utilisation_percent: percent(leased, available),
        open_orders: m
            .orders
            .values()
            .filter(|o| o.state == OrderState::Open)
            .count() as u64,
        orders: m.orders.len() as u64,
        active_leases: m.leases.values().filter(|l| l.is_running(c.now)).count() as u64,
        leases: m.leases.len() as u64,
        volume: m
            .volume
            .iter()
            .map(|(&token, v)| TokenVolume {
                token,
                symbol: c
                    .tokens
                    .get(&token)
                    .map_or_else(|| token.to_string(), |t| t.symbol.clone()),
                paid: c.amount(token, v.paid),
                fees: c.amount(token, v.fees),
                deposited: c.amount(token, v.deposited),
                leases: v.leases,
            })
            .collect(),
        total_staked: c.spon(c.total_staked),
        slashes: m.slashes.len() as u64,
        slashed: c.spon(slashed),
        challenges: m.challenges.len() as u64,
        proposals: m.proposals.len() as u64,
        rewards_reserve: c.spon(m.reserve),
        eras: m
            .eras
            .iter()
            .rev()
            .take(10)
            .map(|(&era, e)| EraRow {
                era,
                nodes: e.nodes,
                points: e.points.to_string(),
                budget: e.budget.map(|b| c.spon(b)),
                paid: c.spon(e.paid),
                forfeited: c.spon(e.forfeited),
            })
            .collect(),
    }
}

/// The next better tier of a node and the criteria of its bar the node is
/// below (empty: it clears the bar and a penalty holds it down).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextTier {
    /// That tier.
    pub tier: u8,
    /// Each criterion missed, in words with what it has and needs.
    pub misses: Vec<String>,
}

/// What `n`, at `standing`, lacks for its next better tier.
pub fn next_tier(n: &Node, standing: &Standing, t: &Thresholds) -> Option<NextTier> {
    let class = match n.class {
        NodeClass::Provider => spon_node::NodeClass::Provider,
        NodeClass::Fizz => spon_node::NodeClass::Fizz,
        NodeClass::None => return None,
    };
    let (tier, bar) = spon_node::next_bar(class, standing.tier, t)?;
    let input = TierInput {
        class,
        standing: true,
        self_stake: u128::try_from(standing.self_stake).unwrap_or(u128::MAX),
        total_stake: u128::try_from(standing.stake).unwrap_or(u128::MAX),
        spec: n.hardware,
        probe: n.probes.last().map(|p| p.summary).unwrap_or_default(),
        now: 0,
        uptime_eras: n.reputation.uptime_eras,
        leases_completed: n.reputation.leases_completed,
        leases_faulted: n.reputation.leases_faulted,
        challenges_lost: n.reputation.challenges_lost,
    };
    let count = |v: u128| readable(U256::from(v), 0);
    let misses = spon_node::shortfall(&bar, &input)
        .into_iter()
        .flatten()
        .map(|m| match m.criterion {
            Criterion::Stake => format!(
                "pool stake {} of {} SPON",
                readable(U256::from(m.has), 18),
                readable(U256::from(m.needs), 18)
            ),
            Criterion::Gemm => format!("GEMM {} of {} GFLOP/s", count(m.has), count(m.needs)),
            Criterion::UptimeEras => {
                format!("{} of {} uptime eras", count(m.has), count(m.needs))
            }
            Criterion::Leases => {
                format!("{} of {} leases completed", count(m.has), count(m.needs))
            }
        })
        .collect();
    Some(NextTier { tier, misses })
}

impl NextTier {
    /// As one line: `tier 3 needs: 2 of 14 uptime eras; …`.
    pub fn text(&self) -> String {
        if self.misses.is_empty() {
            format!(
                "clears the bar of tier {}: held down by challenges lost or faulted leases",
                self.tier
            )
        } else {
            format!("tier {} needs {}", self.tier, self.misses.join("; "))
        }
    }
}

/// A node's row.
pub fn node_row(address: Address, n: &Node, c: &Chain) -> NodeRow {
    let standing = c.standings.get(&address);
    NodeRow {
        address,
        class: n.class.name(),
        state: n.state.name(),
        gpu_model: gpu::name(n.hardware.gpu_model).into(),
        gpus: n.hardware.gpu_count,
        vram_gib_per_gpu: (f64::from(n.hardware.vram_mib) / 1024.0 * 10.0).round() / 10.0,
        region: region(n.hardware.region),
        tier: standing.map(|s| s.tier),
        next_tier: standing
            .zip(c.thresholds.as_ref())
            .and_then(|(s, t)| next_tier(n, s, t)),
        stake: standing.map(|s| c.spon(s.stake)),
        delegators: n.delegators.len() as u64,
        leases_completed: n.reputation.leases_completed,
        earned: n
            .earned
            .iter()
            .map(|(&token, &amount)| c.amount(token, amount))
            .collect(),
        rewards: c.spon(n.rewards),
    }
}

/// Which nodes a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NodeFilter {
    /// Only this class.
    pub class: Option<NodeClass>,
    /// Only this GPU class.
    pub gpu_model: Option<u16>,
}

/// A page of nodes, by address, and how many match in all.
pub fn nodes(
    m: &Model,
    c: &Chain,
    filter: NodeFilter,
    offset: usize,
    limit: usize,
) -> (Vec<NodeRow>, usize) {
    let matching = m.nodes.iter().filter(|(_, n)| {
        filter.class.is_none_or(|k| n.class == k)
            && filter.gpu_model.is_none_or(|g| n.hardware.gpu_model == g)
    });
    let total = matching.clone().count();
    let rows = matching
        .skip(offset)
        .take(limit)
        .map(|(&a, n)| node_row(a, n, c))
        .collect();
    (rows, total)
}

fn bid_row(m: &Model, c: &Chain, id: u64) -> Option<BidRow> {
    let b = m.bids.get(&id)?;
    let token = m.orders.get(&b.order_id).map(|o| o.token).unwrap_or(c.spon);
    Some(BidRow {
        id,
        order_id: b.order_id,
        node: b.node,
        price_per_hour: c.amount(token, b.price),
        state: b.state.name(),
    })
}

/// A node's page.
pub fn node_detail(m: &Model, c: &Chain, address: Address) -> Option<NodeDetail> {
    let n = m.nodes.get(&address)?;
    let standing = c.standings.get(&address);
    let hw = &n.hardware;
    Some(NodeDetail {
        row: node_row(address, n, c),
        self_stake: standing.map(|s| c.spon(s.self_stake)),
        jailed: standing.map(|s| s.jailed),
        endpoint: n.endpoint.clone(),
        gateway: (n.class == NodeClass::Fizz).then_some(n.gateway),
        pending_hardware: n
            .pending_hardware
            .map(|p| format!("{} × {}", p.gpu_count, gpu::name(p.gpu_model))),
        cpu_cores: hw.cpu_cores,
        ram_gib: hw.ram_gib,
        bandwidth_mbps: hw.bandwidth_mbps,
        leases_faulted: n.reputation.leases_faulted,
        challenges_lost: n.reputation.challenges_lost,
        uptime_eras: n.reputation.uptime_eras,
        slashed: c.spon(n.slashed),
        forfeited: c.spon(n.forfeited),
        eras: n.eras.iter().rev().map(|(&e, &p)| (e, p)).collect(),
        probes: n
            .probes
            .iter()
            .rev()
            .map(|p| ProbeRow {
                block: p.block,
                measured_at: p.summary.timestamp,
                gpus: (p.summary.gpu_count, hw.gpu_count),
                vram_mib: (
                    p.summary.vram_mib,
                    u64::from(hw.vram_mib) * u64::from(hw.gpu_count),
                ),
                gemm_gflops: p.summary.gemm_gflops,
                mem_bandwidth_gbps: p.summary.mem_bandwidth_gbps,
                net_mbps: (p.summary.net_bandwidth_mbps, hw.bandwidth_mbps),
                challenge_id: p.challenge_id.to_string(),
            })
            .collect(),
        bids: n
            .bids
            .iter()
            .rev()
            .take(100)
            .filter_map(|&b| bid_row(m, c, b))
            .collect(),
        leases: n
            .leases
            .iter()
            .rev()
            .filter_map(|&l| lease_row(m, c, l))
            .collect(),
        challenges: n
            .challenges
            .iter()
            .rev()
            .filter_map(|&id| challenge_row(m, c, id))
            .collect(),
    })
}

/// An order's row.
pub fn order_row(m: &Model, c: &Chain, id: u64) -> Option<OrderRow> {
    let o = m.orders.get(&id)?;
    let r = &o.requirements;
    Some(OrderRow {
        id,
        tenant: o.tenant,
        state: o.state.name(),
        gpu_model: if r.gpu_model == 0 {
            "any".into()
        } else {
            gpu::name(r.gpu_model).into()
        },
        gpus: r.gpu_count,
        regions: r
            .regions
            .iter()
            .filter(|c| **c != [0, 0])
            .map(|&c| region(c))
            .collect(),
        max_price_per_hour: c.amount(o.token, o.max_price),
        hours: o.duration as f64 / HOUR as f64,
        deposit: c.amount(o.token, o.deposit),
        bids: o.bids.len() as u64,
        proposed: o.proposed,
        lease: o.lease,
    })
}

/// An order's page.
pub fn order_detail(m: &Model, c: &Chain, id: u64) -> Option<OrderDetail> {
    let o = m.orders.get(&id)?;
    Some(OrderDetail {
        row: order_row(m, c, id)?,
        bid_deadline: o.bid_deadline,
        bid_list: o.bids.iter().filter_map(|&b| bid_row(m, c, b)).collect(),
    })
}

fn lease_state(l: &Lease, now: u64) -> String {
    match l.closed {
        Some((reason, _)) => format!("closed: {}", CloseReason::name_of(reason)),
        None if now >= l.end => "ended, not yet settled".into(),
        None => "running".into(),
    }
}

/// A lease's row.
pub fn lease_row(m: &Model, c: &Chain, id: u64) -> Option<LeaseRow> {
    let l = m.leases.get(&id)?;
    Some(LeaseRow {
        id,
        node: l.node,
        tenant: l.tenant,
        order_id: l.order_id,
        gpus: m.lease_gpus(l),
        state: lease_state(l, c.now),
        price_per_hour: c.amount(l.token, l.price),
        fee_percent: f64::from(l.fee_bps) / 100.0,
        start: l.start,
        end: l.end,
        funded: c.amount(l.token, l.funded),
        paid: c.amount(l.token, l.paid),
        fees: c.amount(l.token, l.fees),
        charged: c.amount(l.token, l.paid.saturating_add(l.fees)),
        refund: l.closed.map(|(_, r)| c.amount(l.token, r)),
        paid_until: l.paid_until,
    })
}

/// A challenge's row.
pub fn challenge_row(m: &Model, c: &Chain, id: u64) -> Option<ChallengeRow> {
    let ch = m.challenges.get(&id)?;
    Some(ChallengeRow {
        id,
        kind: ChallengeKind::name_of(ch.kind).to_string(),
        node: ch.node,
        challenger: ch.challenger,
        bond: c.spon(ch.bond),
        state: ch.state.name(),
        slash_percent: ch.slash.map(|(bps, _)| f64::from(bps) / 100.0),
        slashed: c.spon(ch.slashed),
        lease_id: (ch.lease_id != 0).then_some(ch.lease_id),
    })
}

/// A proposal's row; `names` gives contract names by address.
pub fn proposal_row(
    m: &Model,
    c: &Chain,
    id: u64,
    names: &HashMap<Address, String>,
) -> Option<ProposalRow> {
    let p = m.proposals.get(&id)?;
    Some(ProposalRow {
        id,
        proposer: p.proposer,
        state: p.state.name(),
        calls: p
            .calls
            .iter()
            .map(|(target, _, data)| {
                let to = names
                    .get(target)
                    .cloned()
                    .unwrap_or_else(|| target.to_string());
                match data.get(..4) {
                    Some(sel) => format!(
                        "{to}.{}",
                        spon_bindings::function_name(sel.try_into().expect("4 bytes"))
                            .unwrap_or_else(|| format!("0x{}", alloy_primitives::hex::encode(sel)))
                    ),
                    None => format!("{to} (plain transfer)"),
                }
            })
            .collect(),
        votes_for: c.spon(p.votes[1]),
        votes_against: c.spon(p.votes[0]),
        votes_abstain: c.spon(p.votes[2]),
        quorum: c.spon(p.quorum),
        vote_end: p.vote_end,
    })
}

/// Newest-first ids of a map, a page of them.
pub fn page<V>(map: &BTreeMap<u64, V>, offset: usize, limit: usize) -> Vec<u64> {
    map.keys().rev().skip(offset).take(limit).copied().collect()
}

/// Average price per GPU-hour per model, token and hour of lease start,
/// oldest first.
pub fn prices(m: &Model, c: &Chain) -> Vec<PricePoint> {
    let mut sums: BTreeMap<(u16, Address, u64), (f64, u64)> = BTreeMap::new();
    for l in m.leases.values() {
        let gpus = m.lease_gpus(l).max(1);
        let model = m.nodes.get(&l.node).map_or(0, |n| n.hardware.gpu_model);
        let hour = l.start - l.start % HOUR;
        let per_gpu = whole_tokens(l.price, c.decimals(l.token)) / gpus as f64;
        let e = sums.entry((model, l.token, hour)).or_default();
        e.0 += per_gpu;
        e.1 += 1;
    }
    let mut out: Vec<PricePoint> = sums
        .into_iter()
        .map(|((model, token, hour), (sum, n))| PricePoint {
            model: gpu::name(model).into(),
            symbol: c
                .tokens
                .get(&token)
                .map_or_else(|| token.to_string(), |t| t.symbol.clone()),
            hour,
            price: sum / n as f64,
            leases: n,
        })
        .collect();
    out.sort_by_key(|p| p.hour);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_and_grouped_by_thousands() {
        let wei = |s: &str| U256::from_str_radix(s, 10).unwrap();
        assert_eq!(readable(wei("150000000000000000000000"), 18), "150,000");
        assert_eq!(readable(wei("3500000000000000000"), 18), "3.5");
        assert_eq!(readable(wei("1234000001"), 6), "1,234.000001");
        assert_eq!(readable(wei("999"), 0), "999");
        assert_eq!(readable(wei("1000"), 0), "1,000");
        assert_eq!(readable(U256::ZERO, 18), "0");
    }
}
