//! Unit tests of the leases contract on its own: its event list, its
//! parameter table and its access control (INV-13). The full lifecycle,
//! settlement and INV-2/INV-3 run through the market in spon-market's
//! tests, with the real token, staking and registry.

use alloy_primitives::U256;
use motsu::prelude::*;

use super::*;

#[test]
fn parameter_and_role_tables_are_well_formed() {
    assert!(spon_contract_kit::is_table(&params::ALL));
    assert_eq!(params::ALL.len(), spon_protocol::params::Leases::ALL.len());
    assert!(spon_contract_kit::admin::is_role_table(&roles::ALL));
}

#[motsu::test]
fn only_governance_configures_and_only_the_market_opens(leases: Contract<Leases>) {
    let a = Address::with_last_byte;
    let (gov, treasury, market) = (a(0xA1), a(0xA2), a(0xA3));
    leases
        .sender(gov)
        .constructor(a(0x51), a(0x52), gov, treasury)
        .motsu_unwrap();
    for intruder in [treasury, market, a(0x99)] {
        let l = || leases.sender(intruder);
        for res in [
            l().admin
                .set_parameter(0, U256::from(100))
                .motsu_res()
                .map_err(Error::from),
            l().admin
                .set_role(roles::MARKET, intruder, true)
                .motsu_res()
                .map_err(Error::from),
            l().admin.pause().motsu_res().map_err(Error::from),
            l().open(1, a(1), a(2), a(0x51), U256::from(1), 60, U256::from(1))
                .motsu_res(),
        ] {
            assert!(matches!(res, Err(Error::Unauthorized(_))), "{res:?}");
        }
    }
    assert_eq!(leases.sender(gov).admin.governance(), gov);
    assert_eq!(leases.sender(gov).admin.holder(roles::TREASURY), treasury);
    let err = leases
        .sender(gov)
        .admin
        .set_parameter(params::NON_SPON_FEE_BPS.id, U256::from(1_001))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        spon_contract_kit::admin::Error::ParameterOutOfBounds(_)
    ));
    leases
        .sender(gov)
        .admin
        .set_parameter(params::NON_SPON_FEE_BPS.id, U256::from(150))
        .motsu_unwrap();
    assert_eq!(leases.sender(gov).admin.parameter(0), U256::from(150));
    leases
        .sender(gov)
        .admin
        .set_role(roles::MARKET, market, true)
        .motsu_unwrap();
    // The market's refusals before any transfer: zero price and duration.
    let err = leases
        .sender(market)
        .open(1, a(1), a(2), a(0x51), U256::ZERO, 60, U256::from(1))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::ZeroPrice(_)));
    let err = leases
        .sender(market)
        .open(1, a(1), a(2), a(0x51), U256::from(1), 0, U256::from(1))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::ZeroDuration(_)));
    assert_eq!(leases.sender(gov).lease_of(1).state, lease_state::NONE);
}
