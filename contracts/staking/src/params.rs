//! Governance-set parameters of the staking contract: ids, defaults, bounds.

pub use spon_protocol::DAY;

pub use spon_contract_kit::Param;
use spon_protocol::params::Staking as P;

/// Seconds between `undelegate` and `withdraw`.
pub const UNBONDING_PERIOD: Param = Param {
    id: P::UnbondingPeriod as u8,
    default: 14 * DAY,
    min: DAY,
    max: 60 * DAY,
};
/// Seconds a slashed provider is jailed (cannot bid).
pub const JAIL_PERIOD: Param = Param {
    id: P::JailPeriod as u8,
    default: 7 * DAY,
    min: 3_600,
    max: 90 * DAY,
};
/// Highest commission a provider may take, in bps.
pub const MAX_COMMISSION_BPS: Param = Param {
    id: P::MaxCommissionBps as u8,
    default: 2_000,
    min: 0,
    max: 5_000,
};
/// Seconds before a commission increase takes effect.
pub const COMMISSION_CHANGE_DELAY: Param = Param {
    id: P::CommissionChangeDelay as u8,
    default: 7 * DAY,
    min: 3_600,
    max: 60 * DAY,
};

/// Seconds a funded reward streams over to the pool's active stake (with
/// what is left of earlier ones): stake delegated just before a reward and
/// withdrawn just after earns only its share of the seconds it was there
/// (finding F-14).
pub const REWARD_PERIOD: Param = Param {
    id: P::RewardPeriod as u8,
    default: 7 * DAY,
    min: DAY,
    max: 90 * DAY,
};

/// Every parameter, by id.
pub const ALL: [Param; 5] = [
    UNBONDING_PERIOD,
    JAIL_PERIOD,
    MAX_COMMISSION_BPS,
    COMMISSION_CHANGE_DELAY,
    REWARD_PERIOD,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_index_the_table_and_defaults_are_in_bounds() {
        assert!(spon_contract_kit::is_table(&ALL));
        assert_eq!(ALL.len(), P::ALL.len());
        assert_eq!(spon_contract_kit::by_id(&ALL, 5), None);
    }
}
