//! # Node facts of the SPON compute market
//!
//! Shared, `no_std`, by the registry contract (which stores and checks
//! them), the market's scoring, the GPU probe (which measures and packs
//! them) and the CLI:
//!
//! * [`hardware`]: a node's declared hardware packed in one `uint256`;
//! * [`probe`]: a probe's measured summary packed in one `uint256`, and
//!   whether it backs the declared hardware;
//! * [`tier`]: the tier of a node, 1 (best) … 7 (untrusted), from its
//!   class, stake, verified probe, uptime and reputation.
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

pub mod hardware;
pub mod probe;
pub mod tier;
pub mod word;

pub use hardware::{Hardware, HardwareError};
pub use probe::ProbeSummary;
pub use tier::{
    next_bar, shortfall, tier, Bar, Criterion, Missing, NodeClass, Thresholds, TierInput,
    DEFAULT_THRESHOLDS, UNTRUSTED,
};
pub use word::Word;
