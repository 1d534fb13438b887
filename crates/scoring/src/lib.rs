//! # Scoring of the SPON compute market
//!
//! One `no_std` crate, used by the market contract (which checks and
//! scores every proposed match on-chain) and by the off-chain matcher
//! (which looks for the best bid before proposing it), so both agree to
//! the point:
//!
//! * [`requirements`]: an order's requirements packed in one `uint256`,
//!   and whether a node's declared hardware and tier meet them;
//! * [`score`]: the integer score of an eligible bid from its price, the
//!   node's tier, region fit, bandwidth headroom, reputation and stake,
//!   with published weights, and the total order of bids.
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

pub mod requirements;
pub mod score;

pub use requirements::{Requirements, RequirementsError, Unmet, AUTO_ACCEPT, REGION_SLOTS};
pub use score::{score, Candidate, Ranked, MAX_SCORE};

#[cfg(test)]
mod tests;
