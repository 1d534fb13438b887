//! `spon-deploy`'s JSON-RPC backend against the devnet's endpoint, as on
//! any chain: each contract deployed by the real, pinned `cargo stylus
//! deploy` through the devnet's StylusDeployer (creation, activation and
//! constructor in one transaction) and checked constructed, then every
//! wiring call and the hand-over as signed transactions over JSON-RPC; a
//! second run sends nothing. Needs cargo-stylus 0.6.3 and
//! `target/predeploys.json` (scripts/setup).

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::PathBuf,
};

use alloy_primitives::{hex, keccak256, Address, B256, U256};
use alloy_sol_types::SolCall;
use serde_json::{json, Value};
use spon_deploy::{
    bindings::Staking,
    plan::{self, Addresses, Contract, Settings, Wire},
    rpc::{Key, Rpc},
    run::{run, Action, Options},
    Backend,
};
use spon_devnet::rpc::Node;

/// One JSON-RPC call over plain HTTP.
fn call(url: &str, method: &str, params: Value) -> Value {
    let host = url.trim_start_matches("http://");
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST / HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let json: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert!(json.get("error").is_none(), "{method}: {json}");
    json["result"].clone()
}

#[test]
fn wiring_and_hand_over_go_over_json_rpc() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        Node::new(spon_devnet::Chain::devnet().expect("predeploys")).serve(listener)
    });

    let key = B256::from(keccak256("spon-deploy rpc test key"));
    let mut chain = Rpc::new(&url, Key::Hex(hex::encode_prefixed(key))).unwrap();
    let deployer = chain.deployer();
    call(
        &url,
        "anvil_setBalance",
        json!([deployer, "0xde0b6b3a7640000"]),
    );

    let settings = Settings {
        treasury: Address::with_last_byte(0xE1),
        guardian: Address::with_last_byte(0x61),
        supply: U256::from(10u64).pow(U256::from(27)),
        committee: Address::ZERO,
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let opts = Options {
        artifacts: root.join("target/stylus"),
        out: root.join("target/deploy-tests/rpc"),
        dry_run: false,
        commit: "test".into(),
    };
    let _ = std::fs::remove_dir_all(&opts.out);

    let mut steps = Vec::new();
    let done = run(&mut chain, settings, &opts, &mut |s, a| {
        steps.push((s.to_string(), a.clone()))
    })
    .unwrap();
    let wiring = plan::wiring(&settings);
    let (deploys, wires) = steps.split_at(Contract::ALL.len());
    assert!(
        deploys
            .iter()
            .all(|(_, a)| matches!(a, Action::Deployed(_))),
        "{steps:?}"
    );
    assert!(wires.iter().all(|(_, a)| *a == Action::Sent), "{steps:?}");
    assert_eq!(steps.len(), Contract::ALL.len() + wiring.len());
    assert_eq!(done.wiring.len(), wiring.len());
    // Each contract holds the module built for it.
    for c in Contract::ALL {
        let wasm = std::fs::read(opts.artifacts.join(format!("{}.wasm", c.package()))).unwrap();
        let code = chain.code(done.of(c).unwrap()).unwrap();
        let deployed_module = stylus_artifact::module_of(&code).unwrap();
        assert!(
            stylus_artifact::same_program(&deployed_module, &wasm),
            "{c:?}"
        );
        // Recorded with its transaction: one call to StylusDeployer, whose
        // ContractDeployed log names the contract.
        let deployed = &done.contracts[c.package()];
        let receipt = call(&url, "eth_getTransactionReceipt", json!([deployed.tx_hash]));
        assert_eq!(receipt["status"], "0x1");
        assert_eq!(
            receipt["to"],
            json!(spon_devnet::predeploys::STYLUS_DEPLOYER),
            "{c:?}"
        );
        let announced = receipt["logs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["data"] == json!(deployed.address.into_word()));
        assert!(announced, "{c:?}: {receipt}");
    }
    // Each wiring transaction is mined on the endpoint.
    for sent in done.wiring.values() {
        let receipt = call(&url, "eth_getTransactionReceipt", json!([sent.tx_hash]));
        assert_eq!(receipt["status"], "0x1");
    }
    let governor = done.of(Contract::Governance).unwrap();
    for c in plan::GOVERNED {
        let w = Wire::Handover(c);
        let answer = chain
            .call(done.of(c).unwrap(), &w.probe(&settings, &done).unwrap())
            .unwrap();
        assert!(Wire::is_done(&answer).unwrap(), "{}", c.package());
        let answer = chain
            .call(
                done.of(c).unwrap(),
                &Staking::governanceCall {}.abi_encode(),
            )
            .unwrap();
        let holder = Staking::governanceCall::abi_decode_returns(&answer, true).unwrap();
        assert_eq!(holder.governance, governor, "{}", c.package());
    }

    // Nothing left to do.
    let mut again = Vec::new();
    run(&mut chain, settings, &opts, &mut |_, a| {
        again.push(a.clone())
    })
    .unwrap();
    assert!(again.iter().all(|a| *a == Action::Done));
    // The deployer cannot wire any more: the refusal is named.
    let err = chain
        .send(
            done.of(Contract::Staking).unwrap(),
            &Wire::StakingChallenges.calldata(&settings, &done).unwrap(),
        )
        .unwrap_err();
    assert!(format!("{err:#}").contains("Unauthorized"), "{err:#}");
}
