//! The life of a proposal as pure functions of its stored fields and the
//! time: its state, whether it passed, its quorum.

use alloy_primitives::{keccak256, Address, B256, U256};

use spon_contract_kit::math;

use crate::params::GRACE_PERIOD;

/// States of a proposal (`state`, and `ProposalNotInState`).
pub mod state {
    /// No proposal with this id.
    pub const NONE: u8 = spon_protocol::states::ProposalState::None as u8;
    /// Created; its vote has not started.
    pub const PENDING: u8 = spon_protocol::states::ProposalState::Pending as u8;
    /// Its vote is open.
    pub const ACTIVE: u8 = spon_protocol::states::ProposalState::Active as u8;
    /// The vote ended below quorum, or with no more for than against.
    pub const DEFEATED: u8 = spon_protocol::states::ProposalState::Defeated as u8;
    /// The vote passed; it waits to be queued.
    pub const SUCCEEDED: u8 = spon_protocol::states::ProposalState::Succeeded as u8;
    /// Queued: executable once its timelock ends.
    pub const QUEUED: u8 = spon_protocol::states::ProposalState::Queued as u8;
    /// Its calls ran.
    pub const EXECUTED: u8 = spon_protocol::states::ProposalState::Executed as u8;
    /// Its proposer withdrew it before the vote.
    pub const CANCELED: u8 = spon_protocol::states::ProposalState::Canceled as u8;
    /// Queued but not executed within the grace period.
    pub const EXPIRED: u8 = spon_protocol::states::ProposalState::Expired as u8;
}

/// Vote choices of `castVote`.
pub mod support {
    /// Against the proposal.
    pub const AGAINST: u8 = spon_protocol::states::Support::Against as u8;
    /// For the proposal.
    pub const FOR: u8 = spon_protocol::states::Support::For as u8;
    /// Counts toward quorum only.
    pub const ABSTAIN: u8 = spon_protocol::states::Support::Abstain as u8;
}

/// What decides a proposal's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Record {
    /// When its vote opens.
    pub vote_start: u64,
    /// When its vote closes (first second it is closed).
    pub vote_end: u64,
    /// When it may execute (0 until queued).
    pub eta: u64,
    /// Votes it needs (for + abstain).
    pub quorum: U256,
    /// Votes for.
    pub for_votes: U256,
    /// Votes against.
    pub against_votes: U256,
    /// Abstentions.
    pub abstain_votes: U256,
    /// Whether its calls ran.
    pub executed: bool,
    /// Whether it was withdrawn.
    pub canceled: bool,
}

impl Record {
    /// Whether its vote reached quorum with more votes for than against.
    pub fn passed(&self) -> bool {
        let turnout = self.for_votes.saturating_add(self.abstain_votes);
        turnout >= self.quorum && self.for_votes > self.against_votes
    }

    /// Its state at `now`. A record with `vote_end == 0` does not exist.
    pub fn state(&self, now: u64) -> u8 {
        if self.vote_end == 0 {
            state::NONE
        } else if self.canceled {
            state::CANCELED
        } else if self.executed {
            state::EXECUTED
        } else if now < self.vote_start {
            state::PENDING
        } else if now < self.vote_end {
            state::ACTIVE
        } else if !self.passed() {
            state::DEFEATED
        } else if self.eta == 0 {
            state::SUCCEEDED
        } else if now >= self.eta.saturating_add(GRACE_PERIOD) {
            state::EXPIRED
        } else {
            state::QUEUED
        }
    }

    /// Whether voters may take their SPON back at `now`: once the vote
    /// closed, or the proposal was withdrawn.
    pub fn unlocked(&self, now: u64) -> bool {
        self.canceled || now >= self.vote_end
    }
}

/// The hash that binds a proposal to its calls: starting from zero, for
/// each call in order `h = keccak256(h ‖ target ‖ value ‖ keccak256(data))`
/// (20 + 32 + 32 bytes after `h`). `execute` takes the calls again and
/// checks them against it; clients rebuild them from `ProposalCall`.
pub fn actions_hash<D: AsRef<[u8]>>(targets: &[Address], values: &[U256], calldatas: &[D]) -> B256 {
    let mut h = B256::ZERO;
    let mut buf = [0u8; 116];
    for ((target, value), data) in targets.iter().zip(values).zip(calldatas) {
        buf[..32].copy_from_slice(h.as_slice());
        buf[32..52].copy_from_slice(target.as_slice());
        buf[52..84].copy_from_slice(&value.to_be_bytes::<32>());
        buf[84..].copy_from_slice(keccak256(data.as_ref()).as_slice());
        h = keccak256(buf);
    }
    h
}

/// The quorum of a proposal: `quorum_bps` of `supply`, rounded up so that
/// a quorum above zero is never met by zero votes.
pub fn quorum(supply: U256, quorum_bps: u64) -> U256 {
    // supply · bps cannot overflow for a real token; saturate if it would.
    let votes = supply.saturating_mul(U256::from(quorum_bps));
    math::div_up(votes, U256::from(spon_protocol::BPS)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn passed_at(now: u64) -> Record {
        Record {
            vote_start: 10,
            vote_end: 20,
            quorum: U256::from(100),
            for_votes: U256::from(80),
            abstain_votes: U256::from(20),
            against_votes: U256::from(79),
            ..Record::default()
        }
        .with_eta(now)
    }

    impl Record {
        fn with_eta(self, eta: u64) -> Self {
            Record { eta, ..self }
        }
    }

    #[test]
    fn walks_through_every_state() {
        let r = passed_at(0);
        assert_eq!(Record::default().state(5), state::NONE);
        assert_eq!(r.state(9), state::PENDING);
        assert_eq!(r.state(10), state::ACTIVE);
        assert_eq!(r.state(19), state::ACTIVE);
        assert_eq!(r.state(20), state::SUCCEEDED);
        let q = r.with_eta(30);
        assert_eq!(q.state(25), state::QUEUED);
        assert_eq!(q.state(30 + GRACE_PERIOD - 1), state::QUEUED);
        assert_eq!(q.state(30 + GRACE_PERIOD), state::EXPIRED);
        let done = Record {
            executed: true,
            ..q
        };
        assert_eq!(done.state(u64::MAX), state::EXECUTED);
        let withdrawn = Record {
            canceled: true,
            ..r
        };
        assert_eq!(withdrawn.state(0), state::CANCELED);
        assert!(withdrawn.unlocked(0));
        assert!(!r.unlocked(19) && r.unlocked(20));
    }

    #[test]
    fn quorum_counts_for_and_abstain_and_needs_a_majority() {
        let r = passed_at(0);
        assert!(r.passed());
        // Against votes never help reach quorum.
        let short = Record {
            abstain_votes: U256::from(19),
            against_votes: U256::ZERO,
            ..r
        };
        assert!(!short.passed());
        // A tie fails.
        let tie = Record {
            against_votes: U256::from(80),
            ..r
        };
        assert!(!tie.passed());
        assert_eq!(tie.state(20), state::DEFEATED);
    }

    #[test]
    fn quorum_rounds_up() {
        assert_eq!(quorum(U256::from(10_000), 400), U256::from(400));
        assert_eq!(quorum(U256::from(10_001), 400), U256::from(401));
        assert_eq!(quorum(U256::from(1), 50), U256::from(1));
        assert_eq!(quorum(U256::ZERO, 400), U256::ZERO);
        assert_eq!(
            quorum(U256::MAX, 5_000),
            U256::MAX.div_ceil(U256::from(10_000))
        );
    }

    #[test]
    fn actions_hash_binds_every_field_and_the_order() {
        let (t1, t2) = (Address::repeat_byte(1), Address::repeat_byte(2));
        let one = U256::from(1);
        let base = actions_hash(&[t1, t2], &[one, U256::ZERO], &[b"ab".as_slice(), b"c"]);
        assert_ne!(base, B256::ZERO);
        for other in [
            actions_hash(&[t2, t1], &[one, U256::ZERO], &[b"ab".as_slice(), b"c"]),
            actions_hash(&[t1, t2], &[U256::ZERO, one], &[b"ab".as_slice(), b"c"]),
            actions_hash(&[t1, t2], &[one, U256::ZERO], &[b"a".as_slice(), b"bc"]),
            actions_hash(&[t1], &[one], &[b"ab".as_slice()]),
        ] {
            assert_ne!(base, other);
        }
    }

    proptest! {
        /// A proposal that did not pass can never be queued or executed,
        /// whatever the time: its state after the vote is Defeated for good.
        #[test]
        fn defeat_is_final(
            q in 0u64..1_000, f in 0u64..1_000, ag in 0u64..1_000, ab in 0u64..1_000,
            eta in 0u64..100, now in 20u64..1_000_000,
        ) {
            let r = Record {
                vote_start: 10,
                vote_end: 20,
                eta,
                quorum: U256::from(q),
                for_votes: U256::from(f),
                against_votes: U256::from(ag),
                abstain_votes: U256::from(ab),
                ..Record::default()
            };
            let passed = f + ab >= q && f > ag;
            prop_assert_eq!(r.passed(), passed);
            if !passed {
                prop_assert_eq!(r.state(now), state::DEFEATED);
            }
        }
    }
}
