//! # Facts of the SPON protocol, declared once
//!
//! What contracts and off-chain code must agree on, with no dependency so
//! that both can use it: the states, kinds and outcomes the contracts store
//! and report ([`states`]), each contract's role ids ([`roles`]) and
//! parameter ids ([`params`]), as `#[repr(u8)]` enums with
//! [`TryFrom<u8>`] and a `name()` (the words the CLI and the docs use), and
//! the shared units ([`BPS`], [`HOUR`], [`DAY`], [`WEI_PER_SPON`]).
#![no_std]

/// Declares a `#[repr(u8)]` enum of ids with `TryFrom<u8>`, `name()` and
/// `ALL`.
macro_rules! ids {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $id:literal => $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum $name {
            $($(#[$vm])* $v = $id),*
        }

        impl $name {
            /// Every value, by id.
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            /// Its name in the CLI and the docs.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$v => $text),*
                }
            }

            /// The name of the value with id `id`, or `unknown (id)`.
            pub fn name_of(id: u8) -> $crate::Name {
                match Self::try_from(id) {
                    Ok(v) => $crate::Name::Known(v.name()),
                    Err(id) => $crate::Name::Unknown(id),
                }
            }

            /// The value named `name`, if any.
            pub fn from_name(name: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.name() == name)
            }

            /// The id named `text`, or `text` itself if it is a decimal id
            /// of this enum.
            pub fn parse_id(text: &str) -> Option<u8> {
                let by_number = || text.parse::<u8>().ok().and_then(|id| Self::try_from(id).ok());
                Self::from_name(text).or_else(by_number).map(u8::from)
            }
        }

        impl TryFrom<u8> for $name {
            type Error = u8;

            /// The value with id `id`, or `id` back if there is none.
            fn try_from(id: u8) -> Result<Self, u8> {
                match id {
                    $($id => Ok($name::$v),)*
                    other => Err(other),
                }
            }
        }

        impl From<$name> for u8 {
            fn from(v: $name) -> u8 {
                v as u8
            }
        }
    };
}

/// Basis points in one (fees, shares and slashes are in bps).
pub const BPS: u64 = 10_000;
/// Seconds in an hour (lease prices are per hour).
pub const HOUR: u64 = 3_600;
/// Seconds in a day (one uptime era).
pub const DAY: u64 = 24 * HOUR;
/// Most seconds the governor's voting delay, voting period and timelock
/// may add up to (their bounds, checked at compile time, never add up to
/// more): the challenges contract's veto period is a day longer, so a
/// proposal made when a slash is scheduled can always veto it in time
/// (finding F-09).
pub const MAX_DECISION_TIME: u64 = 6 * DAY;
/// Wei in one SPON (18 decimals).
pub const WEI_PER_SPON: u128 = 1_000_000_000_000_000_000;

mod name {
    use core::fmt;

    /// A state's name for display, without allocating.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Name {
        /// A value the enum has.
        Known(&'static str),
        /// An id it does not have.
        Unknown(u8),
    }

    impl fmt::Display for Name {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                Name::Known(s) => f.write_str(s),
                Name::Unknown(id) => write!(f, "unknown ({id})"),
            }
        }
    }
}

pub use name::Name;

/// What the contracts store and report as `uint8`s: states, classes,
/// kinds and outcomes.
pub mod states {
    ids! {
        /// A registry node's state (`nodeOf`).
        NodeState {
            /// Not registered.
            None = 0 => "none",
            /// A Provider node waiting for governance's approval.
            Proposed = 1 => "proposed",
            /// Serving: bids and takes leases.
            Active = 2 => "active",
            /// Paused by its operator; keeps its standing.
            Maintenance = 3 => "maintenance",
            /// Suspended by governance.
            Suspended = 4 => "suspended",
            /// Left the market (or rejected, or dropped by its gateway).
            Deactivated = 5 => "deactivated",
        }
    }

    ids! {
        /// Why a lease closed (`LeaseClosed.reason`).
        CloseReason {
            /// Its end was reached.
            Ended = 1 => "ended",
            /// Its escrow ran dry.
            Exhausted = 2 => "ran out of funds",
            /// Closed early by the tenant.
            Tenant = 3 => "closed by the tenant",
            /// Closed early by the provider (a fault in its reputation).
            Provider = 4 => "closed by the provider",
        }
    }

    ids! {
        /// A registry node's class (`nodeOf`).
        NodeClass {
            /// Not registered.
            None = 0 => "none",
            /// An enterprise node, approved by governance.
            Provider = 1 => "provider",
            /// A home node behind a gateway.
            Fizz = 2 => "fizz",
        }
    }

    ids! {
        /// A market order's state (`orderOf`).
        OrderState {
            /// No such order.
            None = 0 => "none",
            /// Takes bids and match proposals until its deadline.
            Open = 1 => "open",
            /// Cancelled by its tenant, deposit refunded.
            Cancelled = 2 => "cancelled",
            /// Matched: its lease is in the leases contract.
            Matched = 3 => "matched",
        }
    }

    ids! {
        /// A market bid's state (`bidOf`).
        BidState {
            /// No such bid.
            None = 0 => "none",
            /// Can be proposed and accepted.
            Live = 1 => "live",
            /// Withdrawn by its node.
            Withdrawn = 2 => "withdrawn",
            /// Accepted: its lease opened.
            Won = 3 => "won",
            /// Its order was matched to another bid or cancelled.
            Lost = 4 => "lost",
        }
    }

    ids! {
        /// A node's check-in for an era (the rewards contract's `checkInOf`).
        CheckInState {
            /// Never checked in.
            None = 0 => "not checked in",
            /// Checked in, not yet paid.
            CheckedIn = 1 => "checked in",
            /// Paid into the node's pool.
            Paid = 2 => "paid",
            /// Forfeited to the reserve.
            Forfeited = 3 => "forfeited",
        }
    }

    ids! {
        /// A lease's state as of now (`leaseOf`).
        LeaseState {
            /// No such lease.
            None = 0 => "none",
            /// Running and funded.
            Active = 1 => "active",
            /// Running past what its escrow pays for.
            InsufficientFunds = 2 => "out of funds",
            /// Past its end, not yet closed.
            Ended = 3 => "ended",
            /// Closed and settled.
            Closed = 4 => "closed",
        }
    }

    ids! {
        /// A challenge's kind (`challengeOf`, `openChallenge`).
        ChallengeKind {
            /// The node must answer with a fresh signed probe.
            Liveness = 0 => "liveness",
            /// The node must prove a seeded matrix multiply.
            GpuWork = 1 => "gpu-work",
            /// A tenant claims the node did not deliver its lease.
            LeaseFault = 2 => "lease-fault",
        }
    }

    ids! {
        /// A challenge's state (`challengeOf`).
        ChallengeState {
            /// No such challenge.
            None = 0 => "none",
            /// Awaiting the node's answer or commitment, or a ruling.
            Open = 1 => "open",
            /// GPU work: root committed, awaiting the challenger's secret.
            Committed = 2 => "committed",
            /// GPU work: entries sampled, awaiting the node's openings.
            Sampled = 3 => "sampled",
            /// The node passed (final).
            Passed = 4 => "passed",
            /// The node lost; the slash awaits the end of the veto period.
            SlashPending = 5 => "slash pending",
            /// The slash executed (final).
            Slashed = 6 => "slashed",
            /// The slash was vetoed (final).
            Vetoed = 7 => "vetoed",
            /// A lease fault nobody ruled on in time (final).
            Dismissed = 8 => "dismissed",
        }
    }

    ids! {
        /// How a challenge was resolved (`ChallengeResolved`).
        ChallengeOutcome {
            /// The node passed.
            Passed = 1 => "passed",
            /// The node lost.
            Lost = 2 => "lost",
            /// No ruling in time.
            Dismissed = 3 => "dismissed",
        }
    }

    ids! {
        /// A proposal's state (`stateOf`).
        ProposalState {
            /// No such proposal.
            None = 0 => "none",
            /// Made; its vote has not opened.
            Pending = 1 => "pending",
            /// Its vote is open.
            Active = 2 => "active",
            /// Its vote closed without quorum or majority.
            Defeated = 3 => "defeated",
            /// Passed, not yet queued.
            Succeeded = 4 => "succeeded",
            /// Queued: executable after its timelock.
            Queued = 5 => "queued",
            /// Its calls ran.
            Executed = 6 => "executed",
            /// Withdrawn by its proposer.
            Canceled = 7 => "canceled",
            /// Queued but not executed within the grace period.
            Expired = 8 => "expired",
        }
    }

    ids! {
        /// A vote (`castVote`, `voteOf`).
        Support {
            /// Against.
            Against = 0 => "against",
            /// For.
            For = 1 => "for",
            /// Abstain (counts toward quorum).
            Abstain = 2 => "abstain",
        }
    }
}

/// Role ids of each contract's `setRole`, `hasRole` and `RoleChanged`.
/// Role 0 is governance everywhere.
pub mod roles {
    ids! {
        /// Roles of the staking contract.
        Staking {
            /// Sets parameters, roles and pause.
            Governance = 0 => "governance",
            /// The challenges contract: offences and slashes.
            Challenges = 1 => "challenges",
            /// May fund rewards (any number).
            Rewarder = 2 => "rewarder",
            /// Receives the protocol's share of slashes.
            Treasury = 3 => "treasury",
            /// May pause.
            Guardian = 4 => "guardian",
        }
    }

    ids! {
        /// Roles of the registry.
        Registry {
            /// Approves providers, sets parameters, roles and pause.
            Governance = 0 => "governance",
            /// The leases contract: lease counters.
            Market = 1 => "market",
            /// The challenges contract: challenges lost, uptime.
            Challenges = 2 => "challenges",
            /// Approved gateway operators (any number).
            Gateway = 3 => "gateway",
            /// The staking contract whose stake counts.
            Staking = 4 => "staking",
            /// May pause.
            Guardian = 5 => "guardian",
        }
    }

    ids! {
        /// Roles of the market.
        Market {
            /// Sets parameters, payment tokens, roles and pause.
            Governance = 0 => "governance",
            /// May pause.
            Guardian = 1 => "guardian",
        }
    }

    ids! {
        /// Roles of the leases contract.
        Leases {
            /// Sets parameters, roles and pause.
            Governance = 0 => "governance",
            /// Receives the fees of non-SPON payments.
            Treasury = 1 => "treasury",
            /// The market contract: opens leases.
            Market = 2 => "market",
            /// May pause.
            Guardian = 3 => "guardian",
        }
    }

    ids! {
        /// Roles of the challenges contract.
        Challenges {
            /// Sets parameters and roles, rules, vetoes, pauses.
            Governance = 0 => "governance",
            /// May veto slashes and pause.
            Guardian = 1 => "guardian",
            /// Rules on lease faults.
            Committee = 2 => "committee",
            /// The audits contract: its passed challenges credit uptime.
            Audits = 3 => "audits",
        }
    }

    ids! {
        /// Roles of the audits contract.
        Audits {
            /// Sets parameters and roles, withdraws from the pool, pauses.
            Governance = 0 => "governance",
            /// Commits and reveals seeds, runs audits (any number).
            Auditor = 1 => "auditor",
            /// May pause.
            Guardian = 2 => "guardian",
        }
    }

    ids! {
        /// Roles of the rewards contract.
        Rewards {
            /// Sets parameters, roles and the era length, withdraws from the
            /// reserve, pauses.
            Governance = 0 => "governance",
            /// May pause.
            Guardian = 1 => "guardian",
        }
    }

    ids! {
        /// Roles of the governor (it holds its own governance role).
        Governance {
            /// The governor itself.
            Governance = 0 => "governance",
        }
    }
}

/// Parameter ids of each contract's `setParameter`, `parameter` and
/// `ParameterChanged` (their defaults and bounds are the contract's own,
/// in its `params.rs`).
pub mod params {
    ids! {
        /// Parameters of the staking contract.
        Staking {
            /// Seconds from an unstake or undelegate request to its withdrawal.
            UnbondingPeriod = 0 => "unbondingPeriod",
            /// Seconds a jailed provider takes no new delegations.
            JailPeriod = 1 => "jailPeriod",
            /// Highest commission a provider may set, bps.
            MaxCommissionBps = 2 => "maxCommissionBps",
            /// Seconds before a commission change applies.
            CommissionChangeDelay = 3 => "commissionChangeDelay",
            /// Seconds a funded reward streams over.
            RewardPeriod = 4 => "rewardPeriod",
        }
    }

    ids! {
        /// Parameters of the registry (5–20: the tier thresholds).
        Registry {
            /// 1: Provider nodes are active at once; 0: governance approves them.
            AutoApprove = 0 => "autoApprove",
            /// Least self-stake of a Provider node, whole SPON.
            MinProviderStake = 1 => "minProviderStake",
            /// Least self-stake of a Fizz node, whole SPON.
            MinFizzStake = 2 => "minFizzStake",
            /// Seconds a probe summary counts.
            ProbeMaxAge = 3 => "probeMaxAge",
            /// Fault rate above which a node drops a tier, bps.
            MaxFaultBps = 4 => "maxFaultBps",
            /// Tier 1: total pool stake, whole SPON.
            Tier1Stake = 5 => "tier1Stake",
            /// Tier 1: dense GEMM rate, GFLOP/s.
            Tier1Gemm = 6 => "tier1Gemm",
            /// Tier 1: uptime eras.
            Tier1UptimeEras = 7 => "tier1UptimeEras",
            /// Tier 1: leases completed.
            Tier1Leases = 8 => "tier1Leases",
            /// Tier 2: total pool stake, whole SPON.
            Tier2Stake = 9 => "tier2Stake",
            /// Tier 2: dense GEMM rate, GFLOP/s.
            Tier2Gemm = 10 => "tier2Gemm",
            /// Tier 2: uptime eras.
            Tier2UptimeEras = 11 => "tier2UptimeEras",
            /// Tier 2: leases completed.
            Tier2Leases = 12 => "tier2Leases",
            /// Tier 3: total pool stake, whole SPON.
            Tier3Stake = 13 => "tier3Stake",
            /// Tier 3: dense GEMM rate, GFLOP/s.
            Tier3Gemm = 14 => "tier3Gemm",
            /// Tier 3: uptime eras.
            Tier3UptimeEras = 15 => "tier3UptimeEras",
            /// Tier 3: leases completed.
            Tier3Leases = 16 => "tier3Leases",
            /// Tier 5 (Fizz): total pool stake, whole SPON.
            FizzStake = 17 => "fizzStake",
            /// Tier 5 (Fizz): dense GEMM rate, GFLOP/s.
            FizzGemm = 18 => "fizzGemm",
            /// Tier 5 (Fizz): uptime eras.
            FizzUptimeEras = 19 => "fizzUptimeEras",
            /// Tier 5 (Fizz): leases completed.
            FizzLeases = 20 => "fizzLeases",
        }
    }

    ids! {
        /// Parameters of the market.
        Market {
            /// Seconds an order takes bids and match proposals.
            BidWindow = 0 => "bidWindow",
            /// Live bids an order takes at most.
            MaxBidsPerOrder = 1 => "maxBidsPerOrder",
        }
    }

    ids! {
        /// Parameters of the leases contract.
        Leases {
            /// Fee on payments in tokens other than SPON, bps.
            NonSponFeeBps = 0 => "nonSponFeeBps",
            /// Seconds a lease must have run to count as completed.
            MinCountedDuration = 1 => "minCountedDuration",
        }
    }

    ids! {
        /// Parameters of the challenges contract.
        Challenges {
            /// Bond of a challenge, whole SPON.
            ChallengeBond = 0 => "challengeBond",
            /// Seconds a challenged node has to answer.
            ChallengeWindow = 1 => "challengeWindow",
            /// Slash of a lost liveness challenge, bps.
            SeverityLivenessBps = 2 => "severityLivenessBps",
            /// Slash of a lost GPU-work challenge, bps.
            SeverityGpuWorkBps = 3 => "severityGpuWorkBps",
            /// Slash of a lease fault, bps.
            SeverityLeaseFaultBps = 4 => "severityLeaseFaultBps",
            /// Challenger's share of a slash, bps.
            ChallengerShareBps = 5 => "challengerShareBps",
            /// Part of the bond a losing challenger forfeits, bps.
            GriefPenaltyBps = 6 => "griefPenaltyBps",
            /// Seconds the guardian may veto a slash.
            VetoPeriod = 7 => "vetoPeriod",
            /// Seconds the committee has to rule on a lease fault.
            RulingWindow = 8 => "rulingWindow",
            /// Most of a pool slashed per cap period, bps.
            SlashCapBps = 9 => "slashCapBps",
            /// Seconds of a slash-cap period.
            SlashCapPeriod = 10 => "slashCapPeriod",
            /// GPU-work matrix size of a Provider node, as a power of two.
            GpuWorkLog2N = 11 => "gpuWorkLog2N",
            /// GPU-work entries sampled and checked.
            GpuWorkSamples = 12 => "gpuWorkSamples",
            /// Seconds from a GPU-work challenge's opening to its root.
            GpuWorkDeadline = 13 => "gpuWorkDeadline",
            /// GPU-work matrix size of a Fizz node, as a power of two.
            GpuWorkLog2NFizz = 14 => "gpuWorkLog2NFizz",
        }
    }

    ids! {
        /// Parameters of the audits contract (its round period has its own
        /// setter, `setRoundPeriod`).
        Audits {
            /// Share of the audit pool for GPU-work audits, bps.
            GpuWorkShareBps = 0 => "gpuWorkShareBps",
            /// Most stake weight a node counts with, whole SPON.
            WeightCap = 1 => "weightCap",
            /// Least stake of a node on the audit list, whole SPON.
            MinAuditStake = 2 => "minAuditStake",
            /// Audits run for each round's seed.
            AuditsPerRound = 3 => "auditsPerRound",
        }
    }

    ids! {
        /// Parameters of the rewards contract (its era length has its own
        /// setter, `setEraLength`). Multipliers and boosters are in
        /// hundredths.
        Rewards {
            /// SPON paid out per era at most, whole SPON.
            EraBudget = 0 => "eraBudget",
            /// Seconds after an era's end before its rewards are paid.
            ClaimDelay = 1 => "claimDelay",
            /// Points per NVIDIA Hopper GPU (H100, H200, GH200).
            HopperMultiplier = 2 => "hopperMultiplier",
            /// Points per NVIDIA Blackwell data-centre GPU (B200, GB200).
            BlackwellMultiplier = 3 => "blackwellMultiplier",
            /// Points per NVIDIA Ampere data-centre GPU (A100, A800).
            AmpereDcMultiplier = 4 => "ampereDcMultiplier",
            /// Points per NVIDIA Ada data-centre GPU (L40S, L40, L4).
            AdaDcMultiplier = 5 => "adaDcMultiplier",
            /// Points per AMD Instinct MI300-class GPU.
            Mi300Multiplier = 6 => "mi300Multiplier",
            /// Points per GeForce RTX 50 GPU.
            Rtx50Multiplier = 7 => "rtx50Multiplier",
            /// Points per GeForce RTX 40 GPU.
            Rtx40Multiplier = 8 => "rtx40Multiplier",
            /// Points per GeForce RTX 30 GPU.
            Rtx30Multiplier = 9 => "rtx30Multiplier",
            /// Points per Apple-silicon GPU.
            AppleMultiplier = 10 => "appleMultiplier",
            /// Points per GPU of any other class.
            OtherMultiplier = 11 => "otherMultiplier",
            /// Booster of a tier-1 node.
            Tier1Booster = 12 => "tier1Booster",
            /// Booster of a tier-2 node.
            Tier2Booster = 13 => "tier2Booster",
            /// Booster of a tier-3 node.
            Tier3Booster = 14 => "tier3Booster",
            /// Booster of a tier-4 node.
            Tier4Booster = 15 => "tier4Booster",
            /// Booster of a tier-5 node.
            Tier5Booster = 16 => "tier5Booster",
            /// Booster of a tier-6 node (tier 7 earns nothing).
            Tier6Booster = 17 => "tier6Booster",
        }
    }

    ids! {
        /// Parameters of the governor.
        Governance {
            /// Quorum, bps of SPON's supply.
            QuorumBps = 0 => "quorumBps",
            /// Seconds a vote lasts.
            VotingPeriod = 1 => "votingPeriod",
            /// Seconds between queueing and execution.
            TimelockDelay = 2 => "timelockDelay",
            /// Seconds between a proposal and its vote.
            VotingDelay = 3 => "votingDelay",
            /// SPON needed to propose, whole SPON.
            ProposalThreshold = 4 => "proposalThreshold",
        }
    }

    /// A contract's lookup of a parameter id by name or decimal id.
    type ParseId = fn(&str) -> Option<u8>;

    /// Each contract with parameters, by the name [`id`] takes, with the
    /// lookup of its parameter ids.
    const BY_CONTRACT: [(&str, ParseId); 8] = [
        ("staking", Staking::parse_id),
        ("registry", Registry::parse_id),
        ("market", Market::parse_id),
        ("leases", Leases::parse_id),
        ("challenges", Challenges::parse_id),
        ("audits", Audits::parse_id),
        ("rewards", Rewards::parse_id),
        ("governance", Governance::parse_id),
    ];

    /// Whether `contract` names a contract with parameters.
    pub fn has_parameters(contract: &str) -> bool {
        BY_CONTRACT.iter().any(|(c, _)| *c == contract)
    }

    /// The id of parameter `name` (or a decimal id) of `contract` (`staking`,
    /// `registry`, `market`, `leases`, `challenges`, `audits`, `rewards`,
    /// `governance`), if it has one.
    pub fn id(contract: &str, name: &str) -> Option<u8> {
        let (_, parse) = BY_CONTRACT.iter().find(|(c, _)| *c == contract)?;
        parse(name)
    }
}

#[cfg(test)]
mod tests {
    use super::roles::*;

    #[test]
    fn ids_and_names_round_trip() {
        for r in Registry::ALL {
            assert_eq!(Registry::try_from(*r as u8), Ok(*r));
            assert_eq!(Registry::from_name(r.name()), Some(*r));
        }
        assert_eq!(Staking::try_from(9), Err(9));
        assert_eq!(Challenges::Audits.name(), "audits");
        assert_eq!(u8::from(Leases::Market), 2);
    }

    #[test]
    fn states_by_id_and_name() {
        use super::states::*;
        assert_eq!(NodeState::Active as u8, 2);
        assert_eq!(LeaseState::name_of(2), crate::Name::Known("out of funds"));
        assert_eq!(ChallengeState::name_of(9), crate::Name::Unknown(9));
        assert_eq!(ProposalState::ALL.len(), 9);
        for (i, s) in ChallengeState::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i);
        }
    }

    #[test]
    fn parameters_by_name_or_id() {
        use super::params::{self, Challenges, Registry};
        assert_eq!(params::id("market", "bidWindow"), Some(0));
        assert_eq!(params::id("market", "1"), Some(1));
        assert_eq!(
            params::id("market", "2"),
            None,
            "the market has parameters 0 and 1"
        );
        assert_eq!(params::id("registry", "fizzLeases"), Some(20));
        assert_eq!(params::id("challenges", "gpuWorkLog2N"), Some(11));
        assert_eq!(params::id("leases", "bidWindow"), None);
        assert_eq!(params::id("token", "0"), None);
        assert_eq!(Registry::ALL.len(), 21);
        for (i, p) in Challenges::ALL.iter().enumerate() {
            assert_eq!(*p as usize, i, "ids are positions");
        }
    }
}
