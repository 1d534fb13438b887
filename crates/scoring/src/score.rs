//! The score of an eligible bid, and the total order of bids.
//!
//! A score is a sum of points, integers only, at most [`MAX_SCORE`]:
//!
//! | part | weight | points |
//! |---|---|---|
//! | price | [`W_PRICE`] 400,000 | `W · (max − price) / max`: a bid at the order's maximum gets 0 |
//! | tier | [`W_TIER`] 200,000 | `W · (7 − tier) / 6`: tier 1 gets all, tier 6 a sixth |
//! | region fit | [`W_REGION`] 100,000 | `W · (4 − rank) / 4` for the node's region at position `rank` of the order's list; all of it when the order accepts any region |
//! | bandwidth headroom | [`W_BANDWIDTH`] 100,000 | `W · min(bw, cap) / cap`, `cap = max(2 · required, 10,000 Mbit/s)` |
//! | reputation | [`W_REPUTATION`] 100,000 | `W · (completed + 1) / (completed + faulted + 2)`: a new node gets half |
//! | stake | [`W_STAKE`] 100,000 | `W · min(stake, cap) / cap`, `cap` = [`STAKE_CAP_SPON`] (100,000 SPON) of total pool stake |
//!
//! Each part is floored on its own. Bids are ordered by score, then by the
//! lower price, then by the lower bid id ([`Ranked`]); bid ids are unique,
//! so the order is total.

use core::cmp::Ordering;

use spon_node::{tier::WEI_PER_SPON, Hardware, UNTRUSTED};

use crate::Requirements;

/// Weight of the price.
pub const W_PRICE: u64 = 400_000;
/// Weight of the tier.
pub const W_TIER: u64 = 200_000;
/// Weight of the region fit.
pub const W_REGION: u64 = 100_000;
/// Weight of the bandwidth headroom.
pub const W_BANDWIDTH: u64 = 100_000;
/// Weight of the reputation.
pub const W_REPUTATION: u64 = 100_000;
/// Weight of the stake.
pub const W_STAKE: u64 = 100_000;
/// The best possible score.
pub const MAX_SCORE: u64 = W_PRICE + W_TIER + W_REGION + W_BANDWIDTH + W_REPUTATION + W_STAKE;

/// Bandwidth that earns full headroom points when the order asks for
/// less than half of it, Mbit/s.
pub const BANDWIDTH_REFERENCE_MBPS: u64 = 10_000;
/// Pool stake that earns all stake points, whole SPON.
pub const STAKE_CAP_SPON: u128 = 100_000;

/// What the score of a bid depends on besides the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Candidate {
    /// Bid price per hour, in the order's payment token.
    pub price: u128,
    /// The node's tier (1 … 7).
    pub tier: u8,
    /// The node's declared hardware.
    pub hardware: Hardware,
    /// Leases the node completed.
    pub leases_completed: u64,
    /// Leases that ended by the node's fault.
    pub leases_faulted: u64,
    /// The node's pool stake (self-stake and delegations), wei.
    pub stake_wei: u128,
}

/// `weight · num / den`, floored; `num ≤ den`, `den ≠ 0`, `weight < 2^20`.
/// Denominators of 2^108 or more (prices that large) drop the same low bits
/// of both operands first, so the product stays within `u128`.
fn part(weight: u64, num: u128, den: u128) -> u64 {
    let shift = (128 - den.leading_zeros()).saturating_sub(108);
    (((num >> shift) * u128::from(weight)) / (den >> shift)) as u64
}

/// The score of an eligible bid on an order with `requirements` and
/// `max_price` per hour (see the module table). A price above the maximum
/// scores no price points; a tier outside 1 … 6 no tier points.
pub fn score(requirements: &Requirements, max_price: u128, c: &Candidate) -> u64 {
    let price = if max_price == 0 || c.price > max_price {
        0
    } else {
        part(W_PRICE, max_price - c.price, max_price)
    };
    let tier = if (1..UNTRUSTED).contains(&c.tier) {
        part(W_TIER, u128::from(UNTRUSTED - c.tier), 6)
    } else {
        0
    };
    let region = if requirements.anywhere() {
        W_REGION
    } else {
        match requirements.region_rank(c.hardware.region) {
            Some(rank) => part(W_REGION, (crate::REGION_SLOTS - rank) as u128, 4),
            None => 0,
        }
    };
    let cap = (2 * u64::from(requirements.min_bandwidth_mbps)).max(BANDWIDTH_REFERENCE_MBPS);
    let bw = u64::from(c.hardware.bandwidth_mbps).min(cap);
    let bandwidth = part(W_BANDWIDTH, bw.into(), cap.into());
    let done = u128::from(c.leases_completed);
    let reputation = part(
        W_REPUTATION,
        done + 1,
        done + u128::from(c.leases_faulted) + 2,
    );
    let stake_cap = STAKE_CAP_SPON * WEI_PER_SPON;
    let stake = part(W_STAKE, c.stake_wei.min(stake_cap), stake_cap);
    price + tier + region + bandwidth + reputation + stake
}

/// A bid's place in the order of bids: greater is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    /// Its score.
    pub score: u64,
    /// Its price per hour.
    pub price: u128,
    /// Its bid id.
    pub bid_id: u64,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .cmp(&other.score)
            .then(other.price.cmp(&self.price))
            .then(other.bid_id.cmp(&self.bid_id))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
