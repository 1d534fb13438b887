//! The genesis predeploys and ArbOS precompiles, driven as their clients
//! drive them: StylusDeployer deploys, activates and constructs the real
//! token module in one transaction (CREATE and CREATE2, refund, a failing
//! constructor undoing everything), the CREATE2 factory puts code at the
//! predicted address, Multicall3 batches reads, ArbSys answers the chain's
//! facts. Needs `target/predeploys.json` (scripts/setup) and
//! `target/stylus/` (scripts/build-contracts).

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolConstructor, SolError, SolEvent};
use spon_bindings::Token;
use spon_devnet::{
    arbos::{self, ArbSys},
    arbwasm,
    predeploys::{self, CREATE2_FACTORY, MULTICALL3, STYLUS_DEPLOYER},
    Chain, CHAIN_ID,
};

sol! {
    /// StylusDeployer's interface (nitro-contracts `src/stylus/StylusDeployer.sol`).
    interface StylusDeployer {
        event ContractDeployed(address deployedContract);
        error ContractInitializationError(address newContract, bytes data);
        error EmptyBytecode();
        error InitValueButNotInitData();
        function deploy(bytes bytecode, bytes initData, uint256 initValue, bytes32 salt) external payable returns (address);
    }

    /// Multicall3's interface.
    interface Multicall3 {
        struct Call3 { address target; bool allowFailure; bytes callData; }
        struct Result { bool success; bytes returnData; }
        function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory returnData);
        function getChainId() external view returns (uint256 chainid);
    }
}

fn chain() -> Chain {
    let genesis = predeploys::load(&predeploys::default_path())
        .expect("target/predeploys.json: run scripts/setup");
    Chain::with_predeploys(&genesis)
}

fn token_code() -> Vec<u8> {
    let wasm = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/stylus/spon-token.wasm"
    ))
    .expect("target/stylus/spon-token.wasm: run scripts/build-contracts first");
    stylus_artifact::deployable_code(&wasm)
}

fn eth(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

fn constructor(treasury: Address, supply: U256) -> Vec<u8> {
    stylus_artifact::constructor_call(&Token::constructorCall { treasury, supply }.abi_encode())
}

#[test]
fn stylus_deployer_deploys_activates_and_constructs_in_one_call() {
    let mut chain = chain();
    let me = Address::with_last_byte(0xD0);
    let treasury = Address::with_last_byte(0xE1);
    chain.fund(me, eth(10));
    let code = token_code();
    let fee = arbwasm::data_fee(&code);
    let supply = eth(1_000);
    let call = StylusDeployer::deployCall {
        bytecode: stylus_artifact::init_code(&code).into(),
        initData: constructor(treasury, supply).into(),
        initValue: U256::ZERO,
        salt: B256::ZERO,
    };
    // Twice the fee: the deployer hands the rest back.
    let before = chain.balance(me);
    let out = chain
        .transact(me, STYLUS_DEPLOYER, &call.abi_encode(), fee * U256::from(2))
        .unwrap();
    assert!(out.success, "{:?}", out.output);
    let token = StylusDeployer::deployCall::abi_decode_returns(&out.output, true)
        .unwrap()
        ._0;
    // CREATE from the deployer's nonce 1.
    assert_eq!(token, STYLUS_DEPLOYER.create(1));
    assert!(chain.is_activated(token));
    assert_eq!(chain.balance(me), before - fee);
    let deployed = out
        .logs
        .iter()
        .find(|l| l.topics[0] == StylusDeployer::ContractDeployed::SIGNATURE_HASH)
        .expect("ContractDeployed");
    assert_eq!(deployed.address, STYLUS_DEPLOYER);
    assert_eq!(deployed.data, token.into_word().to_vec());
    let balance = chain
        .view(
            me,
            token,
            &Token::balanceOfCall { account: treasury }.abi_encode(),
        )
        .unwrap();
    assert_eq!(balance.output, supply.to_be_bytes::<32>().to_vec());

    // The same code again with a salt: CREATE2 over keccak(salt ‖ initData),
    // already active, so nothing to pay.
    let salt = B256::with_last_byte(7);
    let init_data = constructor(me, supply);
    let call = StylusDeployer::deployCall {
        bytecode: stylus_artifact::init_code(&code).into(),
        initData: init_data.clone().into(),
        initValue: U256::ZERO,
        salt,
    };
    let out = chain
        .transact(me, STYLUS_DEPLOYER, &call.abi_encode(), U256::ZERO)
        .unwrap();
    assert!(out.success, "{:?}", out.output);
    let second = StylusDeployer::deployCall::abi_decode_returns(&out.output, true)
        .unwrap()
        ._0;
    let mut salted = salt.to_vec();
    salted.extend(&init_data);
    assert_eq!(
        second,
        STYLUS_DEPLOYER.create2_from_code(keccak256(salted), stylus_artifact::init_code(&code))
    );

    // A constructor that reverts (a zero treasury) undoes the whole
    // deployment, activation fee included.
    let before = chain.balance(me);
    let call = StylusDeployer::deployCall {
        bytecode: stylus_artifact::init_code(&code).into(),
        initData: constructor(Address::ZERO, supply).into(),
        initValue: U256::ZERO,
        salt: B256::with_last_byte(8),
    };
    let out = chain
        .transact(me, STYLUS_DEPLOYER, &call.abi_encode(), fee)
        .unwrap();
    assert!(!out.success);
    assert_eq!(
        &out.output[..4],
        StylusDeployer::ContractInitializationError::SELECTOR
    );
    assert_eq!(chain.balance(me), before);

    // Its own refusals, by name.
    let empty = StylusDeployer::deployCall {
        bytecode: Bytes::new(),
        initData: Bytes::new(),
        initValue: U256::ZERO,
        salt: B256::ZERO,
    };
    let out = chain
        .transact(me, STYLUS_DEPLOYER, &empty.abi_encode(), U256::ZERO)
        .unwrap();
    assert_eq!(out.output, StylusDeployer::EmptyBytecode {}.abi_encode());
}

#[test]
fn create2_factory_multicall3_and_arbsys_answer_as_on_nitro() {
    let mut chain = chain();
    let me = Address::with_last_byte(0xD0);
    chain.fund(me, eth(1));

    // The factory: salt ‖ init code in, the 20-byte address out.
    let runtime = [0x60, 0x2a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3]; // returns 42
    let init = stylus_artifact::init_code(&runtime);
    let salt = B256::with_last_byte(1);
    let mut data = salt.to_vec();
    data.extend(&init);
    let out = chain
        .transact(me, CREATE2_FACTORY, &data, U256::ZERO)
        .unwrap();
    assert!(out.success);
    let predicted = CREATE2_FACTORY.create2_from_code(salt, &init);
    assert_eq!(out.output, predicted.to_vec());
    assert_eq!(chain.code(predicted), runtime);
    // The same salt again: the address is taken, the call reverts.
    let out = chain
        .transact(me, CREATE2_FACTORY, &data, U256::ZERO)
        .unwrap();
    assert!(!out.success);

    // Multicall3: a batch with a failure allowed.
    let calls = vec![
        Multicall3::Call3 {
            target: MULTICALL3,
            allowFailure: false,
            callData: Multicall3::getChainIdCall {}.abi_encode().into(),
        },
        Multicall3::Call3 {
            target: arbos::ARB_SYS,
            allowFailure: true,
            callData: vec![0xde, 0xad, 0xbe, 0xef].into(),
        },
    ];
    let out = chain
        .view(
            me,
            MULTICALL3,
            &Multicall3::aggregate3Call { calls }.abi_encode(),
        )
        .unwrap();
    assert!(out.success);
    let results = Multicall3::aggregate3Call::abi_decode_returns(&out.output, true)
        .unwrap()
        .returnData;
    assert!(results[0].success);
    assert_eq!(
        U256::from_be_slice(&results[0].returnData),
        U256::from(CHAIN_ID)
    );
    assert!(!results[1].success, "an unknown ArbSys method reverts");

    // ArbSys.
    chain.advance(5);
    let ask = |chain: &mut Chain, data: Vec<u8>| {
        let out = chain.view(me, arbos::ARB_SYS, &data).unwrap();
        assert!(out.success);
        U256::from_be_slice(&out.output)
    };
    assert_eq!(
        ask(&mut chain, ArbSys::arbChainIDCall {}.abi_encode()),
        U256::from(CHAIN_ID)
    );
    assert_eq!(
        ask(&mut chain, ArbSys::arbBlockNumberCall {}.abi_encode()),
        U256::from(chain.block_number)
    );
    assert_eq!(
        ask(&mut chain, ArbSys::arbOSVersionCall {}.abi_encode()),
        U256::from(55 + arbos::ARBOS_VERSION)
    );
    // Precompiles hold code (0xFE), as on Nitro.
    for p in arbos::PRECOMPILES {
        assert_eq!(chain.code(p), [0xFE]);
    }
}
