//! Era rewards: each round the agent checks its node in for the era now
//! (the rewards contract accepts it once the node's probe of the era is
//! committed) and claims every era it checked in for once the era is
//! claimable, so the node's pool is paid without anyone watching the
//! calendar. Claims refused while an offence is open are retried.

use std::collections::BTreeSet;

use alloy_primitives::{Address, U256};
use anyhow::Result;
use spon_client::{bindings::Rewards, event, CallError, Client};
use spon_protocol::states::CheckInState;
use tracing::{info, warn};

/// How many past eras are looked at on start for check-ins still unclaimed.
pub const LOOKBACK_ERAS: u64 = 30;

/// What one round did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Checked in for `era` with `points`.
    CheckedIn {
        /// The era.
        era: u64,
        /// The node's points.
        points: u64,
    },
    /// The rewards contract did not take the check-in yet (its error name
    /// and arguments, e.g. `NotEligible(…, reason: 3)` before the era's
    /// probe); retried next round.
    NotYet(String),
    /// `era`'s share was paid into the node's pool.
    Paid {
        /// The era.
        era: u64,
        /// SPON paid.
        amount: U256,
    },
    /// `era`'s share went back to the reserve.
    Forfeited {
        /// The era.
        era: u64,
    },
    /// The claim of `era` was refused (an offence open, say); retried.
    ClaimRefused {
        /// The era.
        era: u64,
        /// The error's name and arguments.
        error: String,
    },
}

/// The rewards side of the agent.
pub struct EraRewards {
    client: Client,
    rewards: Address,
    /// Eras checked in and not yet claimed.
    unclaimed: BTreeSet<u64>,
    /// The era the node is known to be checked in for.
    checked_in: Option<u64>,
}

impl EraRewards {
    /// The rewards of the node `client` acts as, with its check-ins of the
    /// last [`LOOKBACK_ERAS`] eras still to claim.
    ///
    /// # Errors
    /// An RPC failure.
    pub async fn new(client: Client, rewards: Address) -> Result<Self> {
        let now = client
            .view(rewards, Rewards::currentEraCall {})
            .await?
            .currentEra
            .era;
        let (node, mut unclaimed, mut checked_in) = (client.from, BTreeSet::new(), None);
        for era in now.saturating_sub(LOOKBACK_ERAS)..=now {
            let c = client
                .view(rewards, Rewards::checkInOfCall { era, node })
                .await?
                .checkIn;
            if c.state == CheckInState::CheckedIn as u8 {
                unclaimed.insert(era);
                if era == now {
                    checked_in = Some(era);
                }
            }
        }
        Ok(Self {
            client,
            rewards,
            unclaimed,
            checked_in,
        })
    }

    /// One round: the check-in of the era now if not done, then the claim
    /// of every claimable era checked in for.
    ///
    /// # Errors
    /// An RPC failure (the round is simply retried).
    pub async fn round(&mut self) -> Result<Vec<Step>> {
        let (rewards, node) = (self.rewards, self.client.from);
        let now = self
            .client
            .view(rewards, Rewards::currentEraCall {})
            .await?
            .currentEra
            .era;
        let mut steps = Vec::new();
        if self.checked_in != Some(now) {
            match self
                .client
                .send(rewards, Rewards::checkInCall { node })
                .await
            {
                Ok(r) => {
                    let points = event::<Rewards::CheckedIn>(&r).map_or(0, |e| e.points);
                    info!(era = now, points, "checked in");
                    self.checked_in = Some(now);
                    self.unclaimed.insert(now);
                    steps.push(Step::CheckedIn { era: now, points });
                }
                Err(CallError::Refused(r)) if r.error.starts_with("AlreadyCheckedIn") => {
                    // Anyone may check a node in: someone did.
                    self.checked_in = Some(now);
                    self.unclaimed.insert(now);
                }
                Err(CallError::Refused(r)) => steps.push(Step::NotYet(r.error)),
                Err(CallError::Failed(e)) => return Err(e),
            }
        }
        let time = self.client.now().await?;
        for era in self.unclaimed.clone() {
            let e = self
                .client
                .view(rewards, Rewards::eraOfCall { era })
                .await?
                .era;
            if time < e.claimableAt {
                continue;
            }
            match self
                .client
                .send(rewards, Rewards::claimCall { era, node })
                .await
            {
                Ok(r) => {
                    self.unclaimed.remove(&era);
                    let step = match event::<Rewards::RewardPaid>(&r) {
                        Some(p) => Step::Paid {
                            era,
                            amount: p.amount,
                        },
                        None => Step::Forfeited { era },
                    };
                    info!(era, ?step, "era claimed");
                    steps.push(step);
                }
                Err(CallError::Refused(r)) if r.error.starts_with("NothingToClaim") => {
                    // Claimed by someone else already.
                    self.unclaimed.remove(&era);
                }
                Err(CallError::Refused(r)) => {
                    warn!(era, "claim refused: {}", r.error);
                    steps.push(Step::ClaimRefused {
                        era,
                        error: r.error,
                    });
                }
                Err(CallError::Failed(e)) => return Err(e),
            }
        }
        Ok(steps)
    }
}
