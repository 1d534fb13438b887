//! Node states and the transitions between them, as pure functions.
//!
//! ```text
//!            propose                approve (governance, or autoApprove)
//!  None ───────────────► Proposed ─────────────────────────────► Active ◄──┐
//!  Deactivated ──────────┘   │ reject                    maintenance│  ▲    │ reinstate
//!                            ▼                                      ▼  │    │ (governance)
//!                       Deactivated            Maintenance ─────────┘  │  Suspended
//!  None/Deactivated ──registerFizz──► Active      Active/Maintenance ──suspend──┘
//!  Proposed/Active/Maintenance ──deactivate (self) / drop (gateway, Fizz); no open leases──► Deactivated
//! ```
//!
//! A node in **good standing** (Active or Maintenance) can be trusted by
//! the tier function; only an Active node takes new leases; a node enters
//! Maintenance only with no lease open, and is then exempt from liveness
//! and GPU-work challenges (not from audits).

use spon_protocol::states::NodeState;

/// The state of a node (the `uint8` of `NodeStateChanged`), with its ids
/// from `spon_protocol::states::NodeState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    /// Never registered.
    None = NodeState::None as u8,
    /// A Provider node awaiting governance approval.
    Proposed = NodeState::Proposed as u8,
    /// Serving: bids, takes leases.
    Active = NodeState::Active as u8,
    /// Paused by its operator (no lease open): no new leases, no liveness or
    /// GPU-work challenges but audits.
    Maintenance = NodeState::Maintenance as u8,
    /// Suspended by governance.
    Suspended = NodeState::Suspended as u8,
    /// Left the market (or was dropped by its gateway, or rejected).
    Deactivated = NodeState::Deactivated as u8,
}

/// A transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `proposeProvider` (to Proposed) or `registerFizz` (to Active).
    Register,
    /// Governance approves a proposal.
    Approve,
    /// Governance rejects a proposal.
    Reject,
    /// The operator enters maintenance.
    EnterMaintenance,
    /// The operator leaves maintenance.
    LeaveMaintenance,
    /// Governance suspends a node.
    Suspend,
    /// Governance lifts a suspension.
    Reinstate,
    /// The operator leaves, or a gateway drops its Fizz node.
    Deactivate,
}

impl State {
    /// The state stored as `raw` (unknown values read as `None`).
    pub fn from_u8(raw: u8) -> Self {
        match NodeState::try_from(raw) {
            Ok(NodeState::Proposed) => Self::Proposed,
            Ok(NodeState::Active) => Self::Active,
            Ok(NodeState::Maintenance) => Self::Maintenance,
            Ok(NodeState::Suspended) => Self::Suspended,
            Ok(NodeState::Deactivated) => Self::Deactivated,
            Ok(NodeState::None) | Err(_) => Self::None,
        }
    }

    /// Whether the node counts as trusted-able: Active or Maintenance.
    pub const fn in_good_standing(self) -> bool {
        matches!(self, Self::Active | Self::Maintenance)
    }

    /// Whether the node is registered and has not left.
    pub const fn is_live(self) -> bool {
        !matches!(self, Self::None | Self::Deactivated)
    }

    /// The state after `action`, or `None` if `action` is not allowed now.
    /// `Register` lands in Proposed; the caller moves Fizz nodes and
    /// auto-approved providers on to Active.
    pub const fn next(self, action: Action) -> Option<Self> {
        use Action as A;
        use State as S;
        match (self, action) {
            (S::None | S::Deactivated, A::Register) => Some(S::Proposed),
            (S::Proposed, A::Approve) => Some(S::Active),
            (S::Proposed, A::Reject) => Some(S::Deactivated),
            (S::Active, A::EnterMaintenance) => Some(S::Maintenance),
            (S::Maintenance, A::LeaveMaintenance) => Some(S::Active),
            (S::Active | S::Maintenance, A::Suspend) => Some(S::Suspended),
            (S::Suspended, A::Reinstate) => Some(S::Active),
            // A suspended node stays suspended until governance reinstates
            // it: leaving would let it register again at once (F-06).
            (S::Proposed | S::Active | S::Maintenance, A::Deactivate) => Some(S::Deactivated),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATES: [State; 6] = [
        State::None,
        State::Proposed,
        State::Active,
        State::Maintenance,
        State::Suspended,
        State::Deactivated,
    ];
    const ACTIONS: [Action; 8] = [
        Action::Register,
        Action::Approve,
        Action::Reject,
        Action::EnterMaintenance,
        Action::LeaveMaintenance,
        Action::Suspend,
        Action::Reinstate,
        Action::Deactivate,
    ];

    #[test]
    fn raw_values_round_trip() {
        for s in STATES {
            assert_eq!(State::from_u8(s as u8), s);
        }
        assert_eq!(State::from_u8(99), State::None);
    }

    #[test]
    fn transition_table() {
        let allowed: Vec<_> = STATES
            .iter()
            .flat_map(|s| ACTIONS.iter().map(move |a| (*s, *a)))
            .filter_map(|(s, a)| s.next(a).map(|t| (s, a, t)))
            .collect();
        use Action as A;
        use State as S;
        assert_eq!(
            allowed,
            [
                (S::None, A::Register, S::Proposed),
                (S::Proposed, A::Approve, S::Active),
                (S::Proposed, A::Reject, S::Deactivated),
                (S::Proposed, A::Deactivate, S::Deactivated),
                (S::Active, A::EnterMaintenance, S::Maintenance),
                (S::Active, A::Suspend, S::Suspended),
                (S::Active, A::Deactivate, S::Deactivated),
                (S::Maintenance, A::LeaveMaintenance, S::Active),
                (S::Maintenance, A::Suspend, S::Suspended),
                (S::Maintenance, A::Deactivate, S::Deactivated),
                (S::Suspended, A::Reinstate, S::Active),
                (S::Deactivated, A::Register, S::Proposed),
            ]
        );
    }

    #[test]
    fn only_approval_and_reinstatement_reach_active_from_outside_service() {
        for s in STATES {
            for a in ACTIONS {
                if s.next(a) == Some(State::Active) {
                    assert!(
                        matches!(
                            a,
                            Action::Approve | Action::Reinstate | Action::LeaveMaintenance
                        ),
                        "{s:?} --{a:?}--> Active"
                    );
                }
            }
        }
    }
}
