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

/// Number of parameters.
pub const COUNT: usize = 1;

/// Every parameter, by id.
pub const ALL: [Param; COUNT] = [NON_SPON_FEE_BPS];
