//! Governance-set parameters of the market: ids, defaults, bounds.

pub use spon_contract_kit::Param;
use spon_protocol::params::Market as P;

/// Seconds an order takes bids and match proposals after its creation.
pub const BID_WINDOW: Param = Param {
    id: P::BidWindow as u8,
    default: 3_600,
    min: 60,
    max: 7 * 86_400,
};
/// Live bids an order takes at most (each `proposeMatch` reads only two,
/// so the cap bounds storage, not gas).
pub const MAX_BIDS_PER_ORDER: Param = Param {
    id: P::MaxBidsPerOrder as u8,
    default: 32,
    min: 1,
    max: 256,
};

/// Number of parameters.
pub const COUNT: usize = 2;

/// Every parameter, by id.
pub const ALL: [Param; COUNT] = [BID_WINDOW, MAX_BIDS_PER_ORDER];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_positions_and_defaults_within_bounds() {
        assert!(spon_contract_kit::is_table(&ALL));
        assert_eq!(ALL.len(), P::ALL.len());
    }
}
