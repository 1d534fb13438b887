//! Governance-set parameters of the leases contract: ids, defaults, bounds.

pub use spon_contract_kit::Param;
use spon_protocol::params::Leases as P;

/// Fee on payments in an allowlisted token other than SPON, bps (SPON pays
/// none), fixed for a lease when it opens. Capped at 10%.
pub const NON_SPON_FEE_BPS: Param = Param {
    id: P::NonSponFeeBps as u8,
    default: 200,
    min: 0,
    max: 1_000,
};

/// Seconds a lease must have run (been paid for) to count as completed
/// in the node's record: a lease of a moment costs nothing and proves
/// nothing (finding F-11). A shorter lease the tenant closes counts
/// neither way; one the provider closes early is still a fault.
pub const MIN_COUNTED_DURATION: Param = Param {
    id: P::MinCountedDuration as u8,
    default: spon_protocol::HOUR,
    min: 0,
    max: 30 * spon_protocol::DAY,
};

/// Number of parameters.
pub const COUNT: usize = 2;

/// Every parameter, by id.
pub const ALL: [Param; COUNT] = [NON_SPON_FEE_BPS, MIN_COUNTED_DURATION];
