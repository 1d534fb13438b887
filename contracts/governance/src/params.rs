//! Governance-set parameters of the governor itself: ids, defaults, bounds.
//! They change only through an executed proposal that calls
//! `setParameter` on the governor.

pub use spon_contract_kit::Param;
use spon_protocol::params::Governance as P;

use spon_protocol::{DAY, HOUR};

/// Votes needed for a proposal to pass, in bps of SPON's total supply at
/// the proposal's creation: for + abstain must reach it (against votes do
/// not help a proposal reach quorum).
pub const QUORUM_BPS: Param = Param {
    id: P::QuorumBps as u8,
    default: 400,
    min: 50,
    max: 5_000,
};
/// Length of a proposal's vote, seconds.
pub const VOTING_PERIOD: Param = Param {
    id: P::VotingPeriod as u8,
    default: 3 * DAY,
    min: HOUR,
    max: 3 * DAY,
};
/// Delay between queueing a passed proposal and executing it, seconds:
/// the time users have to leave before a change applies.
pub const TIMELOCK_DELAY: Param = Param {
    id: P::TimelockDelay as u8,
    default: 2 * DAY,
    min: HOUR,
    max: 2 * DAY,
};
/// Delay between a proposal's creation and the start of its vote,
/// seconds.
pub const VOTING_DELAY: Param = Param {
    id: P::VotingDelay as u8,
    default: DAY,
    min: 0,
    max: DAY,
};

// Governance must be able to veto a slash in time: a proposal made when a
// slash is scheduled waits the voting delay, the vote and the timelock,
// which together never exceed `MAX_DECISION_TIME`, and the challenges
// contract's `vetoPeriod` is a day longer (finding F-09).
const _: () = assert!(
    VOTING_DELAY.max + VOTING_PERIOD.max + TIMELOCK_DELAY.max <= spon_protocol::MAX_DECISION_TIME
);
/// SPON the proposer must hold to propose, whole SPON.
pub const PROPOSAL_THRESHOLD: Param = Param {
    id: P::ProposalThreshold as u8,
    default: 10_000,
    min: 0,
    max: 100_000_000,
};

/// Number of parameters.
pub const COUNT: usize = 5;

/// Every parameter, by id.
pub const ALL: [Param; COUNT] = [
    QUORUM_BPS,
    VOTING_PERIOD,
    TIMELOCK_DELAY,
    VOTING_DELAY,
    PROPOSAL_THRESHOLD,
];

/// How long a queued proposal stays executable after its timelock ends,
/// seconds; after that it is Expired.
pub const GRACE_PERIOD: u64 = 14 * DAY;
/// Most calls in one proposal.
pub const MAX_CALLS: usize = 16;
/// Longest calldata of one call, bytes.
pub const MAX_CALLDATA: usize = 4_096;
