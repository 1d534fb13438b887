//! Unit and property tests of the admin component on its own (INV-13 for
//! the shared admin ABI): roles, parameters and the pause, through its
//! public functions as a caller sees them.

use alloy_primitives::{Address, U256};
use motsu::prelude::*;
use proptest::prelude::*;
use stylus_sdk::prelude::TopLevelStorage;

use super::*;

unsafe impl TopLevelStorage for Admin {}

const GOV: u8 = GOVERNANCE;
const TREASURY: u8 = 1;
const GATEWAY: u8 = 2;
const GUARDIAN: u8 = 3;

const ROLES: [Role; 4] = [
    Role::one(GOV),
    Role::one(TREASURY),
    Role::set(GATEWAY),
    Role::one(GUARDIAN).pauser(),
];

const PARAMS: [Param; 2] = [
    Param {
        id: 0,
        default: 10,
        min: 5,
        max: 20,
    },
    Param {
        id: 1,
        default: 0,
        min: 0,
        max: u64::MAX,
    },
];

fn a(b: u8) -> Address {
    Address::with_last_byte(b)
}

fn setup(admin: &Contract<Admin>, gov: Address) {
    admin.sender(gov).init(gov, &ROLES, &PARAMS).motsu_unwrap();
}

#[test]
fn tables_are_checked() {
    assert!(is_role_table(&ROLES));
    assert!(!is_role_table(&[Role::one(1)]), "no governance");
    assert!(!is_role_table(&[Role::set(GOV)]), "governance must be one");
    assert!(!is_role_table(&[
        Role::one(GOV),
        Role::one(1),
        Role::set(1)
    ]));
    assert!(!is_role_table(&[Role::one(GOV), Role::one(MAX_ROLES)]));
}

#[test]
fn events_match_the_emitted_types() {
    use alloy_sol_types::SolEvent;
    let sigs = [
        ParameterChanged::SIGNATURE,
        RoleChanged::SIGNATURE,
        Paused::SIGNATURE,
        Unpaused::SIGNATURE,
    ];
    assert_eq!(EVENTS.len(), sigs.len());
    for (human, sig) in EVENTS.iter().zip(sigs) {
        assert_eq!(stylus_artifact::event_signature(human).unwrap(), sig);
    }
}

#[motsu::test]
fn construction_sets_governance_defaults_and_bounds(admin: Contract<Admin>) {
    setup(&admin, a(1));
    let x = admin.sender(a(9));
    assert_eq!(x.governance(), a(1));
    assert!(x.has_role(GOV, a(1)));
    assert_eq!(x.parameter(0), U256::from(10));
    assert_eq!(x.parameter(1), U256::ZERO);
    assert_eq!(x.parameter(2), U256::ZERO);
    assert!(!x.paused());
    admin.assert_emitted(&RoleChanged {
        role: GOV,
        account: a(1),
        enabled: true,
    });
}

#[motsu::test]
fn zero_governance_is_refused(admin: Contract<Admin>) {
    let err = admin
        .sender(a(1))
        .init(Address::ZERO, &ROLES, &PARAMS)
        .motsu_unwrap_err();
    assert_eq!(err, Error::ZeroAddress(ZeroAddress {}));
}

#[motsu::test]
fn one_holder_roles_move_and_sets_collect(admin: Contract<Admin>) {
    let gov = a(1);
    setup(&admin, gov);
    let g = || admin.sender(gov);
    g().set_role(TREASURY, a(2), true).motsu_unwrap();
    g().set_role(TREASURY, a(3), true).motsu_unwrap();
    assert_eq!(g().holder(TREASURY), a(3));
    assert!(!g().has_role(TREASURY, a(2)));
    assert!(g().has_role(TREASURY, a(3)));
    admin.assert_emitted(&RoleChanged {
        role: TREASURY,
        account: a(2),
        enabled: false,
    });
    // Granting it again to its holder changes nothing.
    g().set_role(TREASURY, a(3), true).motsu_unwrap();
    assert_eq!(g().holder(TREASURY), a(3));

    for m in [a(4), a(5)] {
        g().set_role(GATEWAY, m, true).motsu_unwrap();
    }
    assert!(g().has_role(GATEWAY, a(4)) && g().has_role(GATEWAY, a(5)));
    assert_eq!(g().holder(GATEWAY), Address::ZERO);
    g().set_role(GATEWAY, a(4), false).motsu_unwrap();
    assert!(!g().has_role(GATEWAY, a(4)) && g().has_role(GATEWAY, a(5)));

    // A one-holder role is revoked only from its holder.
    let err = g().set_role(TREASURY, a(2), false).motsu_unwrap_err();
    assert_eq!(
        err,
        Error::RoleNotRevocable(RoleNotRevocable {
            role: TREASURY,
            account: a(2)
        })
    );
    g().set_role(TREASURY, a(3), false).motsu_unwrap();
    assert_eq!(g().holder(TREASURY), Address::ZERO);
    assert!(!g().has_role(TREASURY, a(3)));
}

#[motsu::test]
fn governance_is_handed_over_never_revoked(admin: Contract<Admin>) {
    setup(&admin, a(1));
    let err = admin
        .sender(a(1))
        .set_role(GOV, a(1), false)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::RoleNotRevocable(_)));
    admin.sender(a(1)).set_role(GOV, a(2), true).motsu_unwrap();
    assert_eq!(admin.sender(a(9)).governance(), a(2));
    let err = admin
        .sender(a(1))
        .set_parameter(0, U256::from(6))
        .motsu_unwrap_err();
    assert_eq!(err, Error::Unauthorized(Unauthorized { account: a(1) }));
    admin
        .sender(a(2))
        .set_parameter(0, U256::from(6))
        .motsu_unwrap();
}

#[motsu::test]
fn bad_role_calls_are_named(admin: Contract<Admin>) {
    setup(&admin, a(1));
    let g = || admin.sender(a(1));
    assert_eq!(
        g().set_role(7, a(2), true).motsu_unwrap_err(),
        Error::UnknownRole(UnknownRole { role: 7 })
    );
    assert_eq!(
        g().set_role(TREASURY, Address::ZERO, true)
            .motsu_unwrap_err(),
        Error::ZeroAddress(ZeroAddress {})
    );
    assert_eq!(
        g().set_role(GATEWAY, Address::ZERO, true)
            .motsu_unwrap_err(),
        Error::ZeroAddress(ZeroAddress {})
    );
}

#[motsu::test]
fn parameters_keep_their_bounds(admin: Contract<Admin>) {
    setup(&admin, a(1));
    let g = || admin.sender(a(1));
    for bad in [U256::from(4), U256::from(21), U256::MAX] {
        assert_eq!(
            g().set_parameter(0, bad).motsu_unwrap_err(),
            Error::ParameterOutOfBounds(ParameterOutOfBounds {
                id: 0,
                value: bad,
                min: U256::from(5),
                max: U256::from(20),
            })
        );
    }
    assert_eq!(
        g().set_parameter(2, U256::ZERO).motsu_unwrap_err(),
        Error::UnknownParameter(UnknownParameter { id: 2 })
    );
    g().set_parameter(0, U256::from(20)).motsu_unwrap();
    g().set_parameter(1, U256::from(u64::MAX)).motsu_unwrap();
    assert_eq!(g().parameter(0), U256::from(20));
    assert_eq!(g().parameter(1), U256::from(u64::MAX));
    admin.assert_emitted(&ParameterChanged {
        id: 0,
        value: U256::from(20),
    });
}

#[motsu::test]
fn pausers_pause_governance_unpauses(admin: Contract<Admin>) {
    setup(&admin, a(1));
    admin
        .sender(a(1))
        .set_role(GUARDIAN, a(3), true)
        .motsu_unwrap();
    admin
        .sender(a(1))
        .set_role(TREASURY, a(2), true)
        .motsu_unwrap();
    assert!(matches!(
        admin.sender(a(2)).pause().motsu_unwrap_err(),
        Error::Unauthorized(_)
    ));
    assert_eq!(
        admin.sender(a(1)).unpause().motsu_unwrap_err(),
        Error::ExpectedPause(ExpectedPause {})
    );
    admin.sender(a(3)).pause().motsu_unwrap();
    assert!(admin.sender(a(9)).paused());
    admin.assert_emitted(&Paused { account: a(3) });
    assert_eq!(
        admin.sender(a(1)).pause().motsu_unwrap_err(),
        Error::EnforcedPause(EnforcedPause {})
    );
    assert!(matches!(
        admin.sender(a(3)).unpause().motsu_unwrap_err(),
        Error::Unauthorized(_)
    ));
    admin.sender(a(1)).unpause().motsu_unwrap();
    admin.assert_emitted(&Unpaused { account: a(1) });
    assert!(!admin.sender(a(9)).paused());
}

/// An admin call by some caller.
#[derive(Debug, Clone)]
enum Call {
    SetParameter(u8, u64),
    SetRole(u8, u8, bool),
    Pause,
    Unpause,
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        (0u8..3, 0u64..30).prop_map(|(id, v)| Call::SetParameter(id, v)),
        (0u8..5, 1u8..6, any::<bool>()).prop_map(|(r, who, on)| Call::SetRole(r, who, on)),
        Just(Call::Pause),
        Just(Call::Unpause),
    ]
}

/// What the admin holds, as a caller reads it.
fn snapshot(admin: &Contract<Admin>) -> (Vec<U256>, Vec<bool>, bool) {
    let x = admin.sender(a(99));
    let params = (0..3).map(|id| x.parameter(id)).collect();
    let roles = (0..5)
        .flat_map(|r| (1..6).map(move |who| (r, who)))
        .map(|(r, who)| x.has_role(r, a(who)))
        .collect();
    (params, roles, x.paused())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// INV-13 for the shared admin: a caller that is neither governance
    /// nor (for `pause`) a pauser changes nothing and is refused
    /// `Unauthorized`; governance's calls either succeed or are refused by
    /// name with nothing changed; a parameter never leaves its bounds; a
    /// one-holder role never has two holders; governance always has one.
    #[test]
    fn inv13_only_governance_changes_the_admin(calls in prop::collection::vec((call(), 1u8..6), 1..30)) {
        let admin = Contract::<Admin>::new();
        let gov = a(1);
        setup(&admin, gov);
        admin.sender(gov).set_role(GUARDIAN, a(5), true).motsu_unwrap();
        for (call, who) in calls {
            let governor = admin.sender(a(99)).governance();
            let caller = a(who);
            let before = snapshot(&admin);
            let mut x = admin.sender(caller);
            let res = match call {
                Call::SetParameter(id, v) => x.set_parameter(id, U256::from(v)).motsu_res(),
                Call::SetRole(r, acct, on) => x.set_role(r, a(acct), on).motsu_res(),
                Call::Pause => x.pause().motsu_res(),
                Call::Unpause => x.unpause().motsu_res(),
            };
            let may_pause = caller == governor || admin.sender(a(99)).has_role(GUARDIAN, caller);
            let allowed = caller == governor || (matches!(call, Call::Pause) && may_pause);
            if !allowed {
                prop_assert_eq!(&res, &Err(Error::Unauthorized(Unauthorized { account: caller })));
            }
            if res.is_err() {
                prop_assert_eq!(&before, &snapshot(&admin));
            }
            let x = admin.sender(a(99));
            let p0: u64 = x.parameter(0).to();
            prop_assert!((5..=20).contains(&p0));
            for role in [GOV, TREASURY, GUARDIAN] {
                let holders = (1..6).filter(|&w| x.has_role(role, a(w))).count();
                prop_assert!(holders <= 1);
                if holders == 1 {
                    prop_assert!(x.has_role(role, x.holder(role)));
                }
            }
            prop_assert!(x.has_role(GOV, x.governance()));
        }
    }
}

#[test]
fn the_router_answers_the_exported_abi() {
    use alloy_sol_types::SolCall;
    // Every contract exports the same admin ABI; the staking contract's
    // JSON stands for them all.
    let json = include_str!("../../../../deployments/abi/spon-staking.json");
    let abi: alloy_json_abi::JsonAbi = serde_json::from_str(json).unwrap();
    let ours = [
        functions::setParameterCall::SIGNATURE,
        functions::parameterCall::SIGNATURE,
        functions::setRoleCall::SIGNATURE,
        functions::hasRoleCall::SIGNATURE,
        functions::governanceCall::SIGNATURE,
        functions::pauseCall::SIGNATURE,
        functions::unpauseCall::SIGNATURE,
        functions::pausedCall::SIGNATURE,
    ];
    let names = [
        "setParameter",
        "parameter",
        "setRole",
        "hasRole",
        "governance",
        "pause",
        "unpause",
        "paused",
    ];
    let exported: Vec<String> = abi
        .functions()
        .filter(|f| names.contains(&f.name.as_str()))
        .map(|f| f.signature())
        .collect();
    let mut sorted = ours.map(String::from).to_vec();
    sorted.sort();
    let mut exported_sorted = exported.clone();
    exported_sorted.sort();
    assert_eq!(sorted, exported_sorted);
}

/// The admin's router on `calldata` (selector and arguments), as the
/// entrypoint calls it.
fn route(
    admin: &Contract<Admin>,
    from: Address,
    calldata: &[u8],
) -> Option<Result<Vec<u8>, Vec<u8>>> {
    use stylus_sdk::abi::Router;
    let selector = u32::from_be_bytes(calldata[..4].try_into().unwrap());
    let mut call = admin.sender(from);
    <Admin as Router<Admin>>::route(&mut call, selector, &calldata[4..])
}

#[motsu::test]
fn the_router_decodes_as_alloy_validates(admin: Contract<Admin>) {
    use alloy_sol_types::{SolCall, SolError};
    let gov = a(1);
    setup(&admin, gov);
    let set = functions::setParameterCall {
        id: 0,
        value: U256::from(12),
    }
    .abi_encode();
    assert_eq!(route(&admin, gov, &set), Some(Ok(Vec::new())));
    let read = route(
        &admin,
        a(9),
        &functions::parameterCall { id: 0 }.abi_encode(),
    );
    let value = functions::parameterCall::abi_decode_returns(&read.unwrap().unwrap(), true);
    assert_eq!(value.unwrap().parameter, U256::from(12));

    // A refusal is the admin's named error.
    let refused = route(&admin, a(9), &set).unwrap().unwrap_err();
    assert_eq!(refused, Unauthorized { account: a(9) }.abi_encode());

    // What alloy's validating decoder refuses, the router refuses with no
    // data, and nothing changes.
    let mut high = functions::setParameterCall {
        id: 1,
        value: U256::from(7),
    }
    .abi_encode();
    high[4 + 30] = 1; // uint8 id = 0x100 + 1
    let mut long = set.clone();
    long.extend([0u8; 32]);
    let mut bad_bool = functions::setRoleCall {
        role: GATEWAY,
        account: a(5),
        enabled: true,
    }
    .abi_encode();
    bad_bool[4 + 95] = 2;
    let mut dirty_address = functions::hasRoleCall {
        role: GOV,
        account: gov,
    }
    .abi_encode();
    dirty_address[4 + 32] = 0xff;
    let mut paused_with_args = functions::pausedCall {}.abi_encode();
    paused_with_args.extend([0u8; 32]);
    for bad in [
        high,
        long,
        bad_bool,
        dirty_address,
        paused_with_args,
        set[..35].to_vec(),
    ] {
        assert_eq!(
            route(&admin, gov, &bad),
            Some(Err(Vec::new())),
            "{bad:02x?}"
        );
    }
    assert_eq!(admin.sender(gov).parameter(1), U256::ZERO);
    assert!(!admin.sender(gov).has_role(GATEWAY, a(5)));

    // A selector that is not the admin's is left to the contract.
    assert_eq!(route(&admin, gov, &[1, 2, 3, 4]), None);
    let yes = route(
        &admin,
        a(9),
        &functions::hasRoleCall {
            role: GOV,
            account: gov,
        }
        .abi_encode(),
    );
    assert!(
        functions::hasRoleCall::abi_decode_returns(&yes.unwrap().unwrap(), true)
            .unwrap()
            .hasRole
    );
}
