//! The devnet's JSON-RPC endpoint driven by alloy's provider and a local
//! signer, as a wallet or the matcher would: the real SPON token module
//! deployed by transactions as `cargo stylus deploy` does (creation,
//! activation through ArbWasm, constructor), a signed transfer mined with
//! its receipt and log, a view, a log filter, a revert's custom error,
//! time travel; then a second node opened on the first one's state file
//! answers exactly as it does.

use std::net::TcpListener;

use alloy_network::{EthereumWallet, TransactionBuilder};
use alloy_primitives::{utils::parse_ether, Address, Bytes, U256};
use alloy_provider::{Provider, ProviderBuilder};
use alloy_rpc_types_eth::{BlockNumberOrTag, Filter, TransactionRequest};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolConstructor, SolEvent};
use spon_devnet::{
    arbwasm::{self, ArbWasm},
    rpc::Node,
};

use spon_bindings::Token;

fn module() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/stylus/spon-token.wasm"
    );
    std::fs::read(path).expect("target/stylus/spon-token.wasm: run scripts/build-contracts first")
}

/// Starts an endpoint on a free port keeping its state in `state`;
/// returns its URL.
fn start(state: &std::path::Path) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = state.to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut node, replayed) = Node::with_state(&state, spon_devnet::Chain::new()).unwrap();
        tx.send(replayed).unwrap();
        node.serve(listener)
    });
    assert_eq!(rx.recv().unwrap(), 0);
    url
}

/// Sends `tx` and waits for its receipt.
async fn mine(
    provider: &impl Provider,
    tx: TransactionRequest,
) -> alloy_rpc_types_eth::TransactionReceipt {
    provider
        .send_transaction(tx)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn a_wallet_deploys_transacts_reads_and_filters() {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/devnet-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("wallet.jsonl");
    let _ = std::fs::remove_file(&state);
    let url = start(&state);
    let signer = PrivateKeySigner::random();
    let me = signer.address();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .on_http(url.parse().unwrap());

    assert_eq!(
        provider.get_chain_id().await.unwrap(),
        spon_devnet::CHAIN_ID
    );
    let _: serde_json::Value = provider
        .raw_request(
            "anvil_setBalance".into(),
            (me, format!("{:#x}", parse_ether("10").unwrap())),
        )
        .await
        .unwrap();
    assert_eq!(
        provider.get_balance(me).await.unwrap(),
        parse_ether("10").unwrap()
    );

    // Deploy the real token module as `cargo stylus deploy` does: a
    // creation transaction whose init code returns the Stylus code, the
    // data fee asked of ArbWasm by a call, `activateProgram` paying it,
    // then the constructor.
    let code = stylus_artifact::deployable_code(&module());
    let receipt = mine(
        &provider,
        TransactionRequest::default().with_deploy_code(stylus_artifact::init_code(&code)),
    )
    .await;
    assert!(receipt.status());
    let token = receipt.contract_address.expect("created");
    assert_eq!(token, me.create(0));
    assert_eq!(provider.get_code_at(token).await.unwrap().to_vec(), code);
    let activate = TransactionRequest::default()
        .with_to(arbwasm::ADDRESS)
        .with_input(ArbWasm::activateProgramCall { program: token }.abi_encode());
    let asked = provider
        .call(
            &activate
                .clone()
                .with_from(me)
                .with_value(parse_ether("1").unwrap()),
        )
        .await
        .unwrap();
    let fee = ArbWasm::activateProgramCall::abi_decode_returns(&asked, true)
        .unwrap()
        .dataFee;
    assert_eq!(fee, arbwasm::data_fee(&code));
    let receipt = mine(&provider, activate.with_value(fee)).await;
    assert!(receipt.status());
    let activated = receipt.inner.logs()[0]
        .log_decode::<ArbWasm::ProgramActivated>()
        .unwrap();
    assert_eq!(activated.inner.program, token);
    let supply = parse_ether("1000000").unwrap();
    let ctor = stylus_artifact::constructor_call(
        &Token::constructorCall {
            treasury: me,
            supply,
        }
        .abi_encode(),
    );
    let receipt = mine(
        &provider,
        TransactionRequest::default()
            .with_to(token)
            .with_input(ctor),
    )
    .await;
    assert!(receipt.status());

    // A signed transfer, mined with its log.
    let to = Address::with_last_byte(0x42);
    let start_block = provider.get_block_number().await.unwrap();
    let transfer = Token::transferCall {
        to,
        value: U256::from(1_000),
    };
    let tx = TransactionRequest::default()
        .with_to(token)
        .with_input(transfer.abi_encode());
    let estimate = provider
        .estimate_gas(&tx.clone().with_from(me))
        .await
        .unwrap();
    let receipt = mine(&provider, tx).await;
    assert!(receipt.status());
    assert_eq!(receipt.block_number, Some(start_block + 1));
    // Gas is metered, the same way for the estimate and the receipt (the
    // estimate a quarter above it, for a state that changes before the
    // transaction is mined): a transfer to a new holder sets one balance
    // slot (20,000) and resets another (2,900), both cold (2 × 2,100), plus
    // 21,000 and more.
    assert_eq!(spon_devnet::rpc::estimate(receipt.gas_used), estimate);
    assert!(
        (21_000 + 20_000 + 2_900 + 4_200..80_000).contains(&estimate),
        "{estimate}"
    );
    let logs = receipt.inner.logs();
    assert_eq!(logs.len(), 1);
    let event = Token::Transfer::decode_log_data(logs[0].data(), true).unwrap();
    assert_eq!(
        (event.from, event.to, event.value),
        (me, to, U256::from(1_000))
    );
    assert_eq!(provider.get_transaction_count(me).await.unwrap(), 4);
    let mined = provider
        .get_transaction_by_hash(receipt.transaction_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mined.from, me);

    // A view.
    let balance_of = Token::balanceOfCall { account: to };
    let out = provider
        .call(
            &TransactionRequest::default()
                .with_to(token)
                .with_input(balance_of.abi_encode()),
        )
        .await
        .unwrap();
    let balance = Token::balanceOfCall::abi_decode_returns(&out, true)
        .unwrap()
        .balance;
    assert_eq!(balance, U256::from(1_000));
    // The same call with the token's storage overridden to nothing.
    let emptied: Bytes = provider
        .raw_request(
            "eth_call".into(),
            serde_json::json!([
                {"to": token, "data": Bytes::from(balance_of.abi_encode())},
                "latest",
                {token.to_string(): {"state": {}}}
            ]),
        )
        .await
        .unwrap();
    let balance = Token::balanceOfCall::abi_decode_returns(&emptied, true)
        .unwrap()
        .balance;
    assert_eq!(balance, U256::ZERO);

    // Logs by address and event, over a block range.
    let filter = Filter::new()
        .address(token)
        .event_signature(Token::Transfer::SIGNATURE_HASH)
        .from_block(start_block + 1)
        .to_block(BlockNumberOrTag::Latest);
    let found = provider.get_logs(&filter).await.unwrap();
    // The mint at deployment is before the range.
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].transaction_hash, Some(receipt.transaction_hash));
    let none = provider
        .get_logs(&Filter::new().address(to).from_block(0))
        .await
        .unwrap();
    assert!(none.is_empty());

    // A transfer beyond the balance: the custom error comes back as
    // revert data, and nothing is mined.
    let too_much = Token::transferCall { to, value: supply };
    let err = provider
        .send_transaction(
            TransactionRequest::default()
                .with_from(Address::with_last_byte(0x43))
                .with_to(token)
                .with_input(too_much.abi_encode()),
        )
        .await;
    assert!(err.is_err());
    let reverted = provider
        .call(
            &TransactionRequest::default()
                .with_from(to)
                .with_to(token)
                .with_input(too_much.abi_encode()),
        )
        .await
        .unwrap_err();
    let data = reverted
        .as_error_resp()
        .and_then(|e| e.as_revert_data())
        .unwrap();
    let selector =
        &alloy_primitives::keccak256("ERC20InsufficientBalance(address,uint256,uint256)")[..4];
    assert_eq!(&data[..4], selector);
    assert_eq!(provider.get_transaction_count(me).await.unwrap(), 4);

    // Time travel and blocks.
    let before = provider
        .get_block_by_number(BlockNumberOrTag::Latest, false.into())
        .await
        .unwrap()
        .unwrap();
    let _: serde_json::Value = provider
        .raw_request("evm_increaseTime".into(), (3_600u64,))
        .await
        .unwrap();
    let _: serde_json::Value = provider.raw_request("evm_mine".into(), ()).await.unwrap();
    let after = provider
        .get_block_by_number(BlockNumberOrTag::Latest, false.into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.header.number, before.header.number + 1);
    assert_eq!(after.header.parent_hash, before.header.hash);
    assert!(after.header.timestamp >= before.header.timestamp + 3_600);

    // A node opened on the state file replays it: same blocks, hashes,
    // receipts, balances, storage and logs.
    let (mut resumed, replayed) = Node::with_state(&state, spon_devnet::Chain::new()).unwrap();
    assert_eq!(
        replayed, 7,
        "balance, creation, activation, constructor, transfer, time, mine"
    );
    let questions = serde_json::json!([
        ["eth_blockNumber", []],
        ["eth_getBlockByNumber", ["latest", false]],
        ["eth_getTransactionReceipt", [receipt.transaction_hash]],
        ["eth_getTransactionCount", [me, "latest"]],
        ["eth_getBalance", [me, "latest"]],
        ["eth_call", [{"to": token, "data": Bytes::from(balance_of.abi_encode())}, "latest"]],
        ["eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest"}]],
    ]);
    for q in questions.as_array().unwrap() {
        let (method, params) = (q[0].as_str().unwrap().to_string(), q[1].clone());
        let live: serde_json::Value = provider
            .raw_request(method.clone().into(), params.clone())
            .await
            .unwrap();
        let request =
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let again = resumed.handle(request.to_string().as_bytes());
        assert!(!live.is_null(), "{method}");
        assert_eq!(again["result"], live, "{method}");
    }
}
