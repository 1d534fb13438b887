//! The endpoint as wallets and dapps read it: transactions with their real
//! signature (the hash recomputes from the fields), gas charged to the wei
//! and paid to the network fee account, geth's refusals, out of gas,
//! filters, blocks' blooms, reads at an earlier block (and a clear
//! refusal past what is kept), snapshots, the next block's timestamp,
//! impersonation, CORS and a health answer, several connections at once.

use std::net::TcpListener;

use alloy_consensus::Transaction as _;
use alloy_network::{EthereumWallet, TransactionBuilder};
use alloy_primitives::{Address, Bloom, Bytes, U256};
use alloy_provider::{Provider, ProviderBuilder};
use alloy_rpc_types_eth::{BlockId, BlockNumberOrTag, Filter, TransactionRequest};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolConstructor, SolEvent};
use serde_json::{json, Value};
use spon_bindings::Token;
use spon_devnet::{arbwasm::NETWORK_FEE_ACCOUNT, rpc::Node};

fn module() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/stylus/spon-token.wasm"
    ))
    .expect("target/stylus/spon-token.wasm: run scripts/build-contracts first")
}

fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || Node::default().serve(listener));
    url
}

async fn raw(url: &str, method: &str, params: Value) -> Value {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string())
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn wallets_read_what_a_chain_would_tell_them() {
    let url = start();
    let signer = PrivateKeySigner::random();
    let me = signer.address();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer.clone()))
        .on_http(url.parse().unwrap());
    let eth = U256::from(10u64).pow(U256::from(18));
    raw(&url, "anvil_setBalance", json!([me, format!("{:#x}", eth)])).await;

    // A genesis block 0.
    let genesis = provider
        .get_block_by_number(BlockNumberOrTag::Number(0), false.into())
        .await
        .unwrap()
        .expect("block 0");
    assert_eq!(genesis.header.number, 0);

    // The token, and a transfer: the mined transaction carries its real
    // signature, and gas used × the effective price leaves the sender for
    // the network fee account, to the wei.
    let supply = U256::from(1_000_000u64) * eth;
    let ctor = Token::constructorCall {
        treasury: me,
        supply,
    }
    .abi_encode();
    let token: Address = serde_json::from_value(
        raw(
            &url,
            "devnet_deploy",
            json!([Bytes::from(module()), Bytes::from(ctor), me]),
        )
        .await["result"]
            .clone(),
    )
    .unwrap();
    let to = Address::with_last_byte(0x42);
    let before = provider.get_balance(me).await.unwrap();
    let fees_before = provider.get_balance(NETWORK_FEE_ACCOUNT).await.unwrap();
    let block_before = provider.get_block_number().await.unwrap();
    let transfer = TransactionRequest::default().with_to(token).with_input(
        Token::transferCall {
            to,
            value: U256::from(7),
        }
        .abi_encode(),
    );
    let receipt = provider
        .send_transaction(transfer.clone())
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    let paid = U256::from(receipt.gas_used) * U256::from(receipt.effective_gas_price);
    assert!(!paid.is_zero());
    assert_eq!(provider.get_balance(me).await.unwrap(), before - paid);
    assert_eq!(
        provider.get_balance(NETWORK_FEE_ACCOUNT).await.unwrap(),
        fees_before + paid
    );
    let mined = provider
        .get_transaction_by_hash(receipt.transaction_hash)
        .await
        .unwrap()
        .unwrap();
    let signed = mined.inner.as_eip1559().expect("an EIP-1559 transaction");
    assert!(!signed.signature().r().is_zero() && !signed.signature().s().is_zero());
    assert_eq!(signed.recover_signer().unwrap(), me);
    assert_eq!(*mined.inner.tx_hash(), receipt.transaction_hash);
    assert_eq!(mined.inner.max_fee_per_gas(), signed.tx().max_fee_per_gas);
    let as_json = raw(
        &url,
        "eth_getTransactionByHash",
        json!([receipt.transaction_hash]),
    )
    .await["result"]
        .clone();
    assert_eq!(as_json["type"], "0x2");
    assert_eq!(as_json["yParity"], as_json["v"]);
    assert!(as_json["accessList"].is_array());

    // Its block's bloom holds the token and the Transfer topic.
    let block = provider
        .get_block_by_number(block_before.saturating_add(1).into(), false.into())
        .await
        .unwrap()
        .unwrap();
    let bloom: Bloom = block.header.logs_bloom;
    assert!(bloom.contains_input(alloy_primitives::BloomInput::Raw(token.as_slice())));
    assert!(bloom.contains_input(alloy_primitives::BloomInput::Raw(
        Token::Transfer::SIGNATURE_HASH.as_slice()
    )));
    assert_eq!(receipt.inner.logs_bloom(), &bloom);

    // Refusals in geth's words, which clients classify.
    let nonce = provider.get_transaction_count(me).await.unwrap();
    let stale = provider
        .send_transaction(transfer.clone().with_nonce(nonce - 1))
        .await
        .unwrap_err()
        .to_string();
    assert!(stale.contains("nonce too low"), "{stale}");
    let poor = PrivateKeySigner::random();
    let poor_provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(poor))
        .on_http(url.parse().unwrap());
    let broke = poor_provider
        .send_transaction(
            TransactionRequest::default()
                .with_to(to)
                .with_value(U256::from(1))
                .with_gas_limit(21_000),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        broke.contains("insufficient funds for gas * price + value"),
        "{broke}"
    );
    let short = provider
        .send_transaction(transfer.clone().with_gas_limit(21_000))
        .await
        .unwrap_err()
        .to_string();
    assert!(short.contains("intrinsic gas too low"), "{short}");

    // Out of gas: mined, failed, its whole limit paid, nothing else kept.
    let held = provider
        .call(
            &TransactionRequest::default()
                .with_to(token)
                .with_input(Token::balanceOfCall { account: to }.abi_encode()),
        )
        .await
        .unwrap();
    let before = provider.get_balance(me).await.unwrap();
    let receipt = provider
        .send_transaction(transfer.clone().with_gas_limit(30_000))
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(!receipt.status());
    assert_eq!(receipt.gas_used, 30_000);
    assert_eq!(
        provider.get_balance(me).await.unwrap(),
        before - U256::from(30_000u64) * U256::from(receipt.effective_gas_price)
    );
    let after = provider
        .call(
            &TransactionRequest::default()
                .with_to(token)
                .with_input(Token::balanceOfCall { account: to }.abi_encode()),
        )
        .await
        .unwrap();
    assert_eq!(held, after);

    // Filters: new logs and new blocks since the last poll.
    let logs = provider
        .new_filter(
            &Filter::new()
                .address(token)
                .event_signature(Token::Transfer::SIGNATURE_HASH)
                .from_block(0),
        )
        .await
        .unwrap();
    let blocks = provider.new_block_filter().await.unwrap();
    assert!(provider
        .get_filter_changes::<alloy_rpc_types_eth::Log>(logs)
        .await
        .unwrap()
        .is_empty());
    let receipt = provider
        .send_transaction(transfer.clone())
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let seen = provider
        .get_filter_changes::<alloy_rpc_types_eth::Log>(logs)
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].transaction_hash, Some(receipt.transaction_hash));
    assert!(provider
        .get_filter_changes::<alloy_rpc_types_eth::Log>(logs)
        .await
        .unwrap()
        .is_empty());
    let new_blocks = provider
        .get_filter_changes::<alloy_primitives::B256>(blocks)
        .await
        .unwrap();
    assert_eq!(new_blocks, vec![receipt.block_hash.unwrap()]);
    // All of them: the first transfer and this one (the out-of-gas one
    // left none; `devnet_deploy` is no transaction and keeps no log).
    assert_eq!(provider.get_filter_logs(logs).await.unwrap().len(), 2);
    assert!(provider.uninstall_filter(logs).await.unwrap());
    let gone = raw(&url, "eth_getFilterChanges", json!([format!("{logs:#x}")])).await;
    assert_eq!(gone["error"]["message"], "filter not found");

    // Reads at an earlier block see that block's state.
    let then = receipt.block_number.unwrap() - 1;
    let balance_then = provider
        .call(
            &TransactionRequest::default()
                .with_to(token)
                .with_input(Token::balanceOfCall { account: to }.abi_encode()),
        )
        .block(BlockId::number(then))
        .await
        .unwrap();
    assert_eq!(balance_then, held);
    let nonce_then = provider
        .get_transaction_count(me)
        .block_id(BlockId::number(then))
        .await
        .unwrap();
    assert_eq!(
        nonce_then + 1,
        provider.get_transaction_count(me).await.unwrap()
    );
    let code_at_genesis = provider
        .get_code_at(token)
        .block_id(BlockId::number(0))
        .await
        .unwrap();
    assert!(code_at_genesis.is_empty());
    let future = raw(&url, "eth_getBalance", json!([me, "0xffffff"])).await;
    assert_eq!(future["error"]["message"], "header not found");

    // A snapshot, a transaction, a revert: as before it.
    let id = raw(&url, "evm_snapshot", json!([])).await["result"].clone();
    let tip = provider.get_block_number().await.unwrap();
    let balance = provider.get_balance(me).await.unwrap();
    let undone = provider
        .send_transaction(transfer.clone())
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert_eq!(raw(&url, "evm_revert", json!([id])).await["result"], true);
    assert_eq!(provider.get_block_number().await.unwrap(), tip);
    assert_eq!(provider.get_balance(me).await.unwrap(), balance);
    assert!(provider
        .get_transaction_receipt(undone.transaction_hash)
        .await
        .unwrap()
        .is_none());
    assert_eq!(raw(&url, "evm_revert", json!([id])).await["result"], false);

    // The next block's timestamp, chosen.
    let at = genesis.header.timestamp + 1_000_000;
    raw(&url, "evm_setNextBlockTimestamp", json!([at])).await;
    raw(&url, "evm_mine", json!([])).await;
    let latest = provider
        .get_block_by_number(BlockNumberOrTag::Latest, false.into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.header.timestamp, at);
    let past = raw(&url, "evm_setNextBlockTimestamp", json!([at])).await;
    assert!(past["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not after"));

    // Impersonation: eth_sendTransaction from an account without its key.
    let whale = Address::with_last_byte(0x77);
    raw(
        &url,
        "anvil_setBalance",
        json!([whale, format!("{:#x}", eth)]),
    )
    .await;
    let unknown = raw(
        &url,
        "eth_sendTransaction",
        json!([{"from": whale, "to": to, "value": "0x1"}]),
    )
    .await;
    assert_eq!(unknown["error"]["message"], "unknown account");
    raw(&url, "anvil_impersonateAccount", json!([whale])).await;
    let sent = raw(
        &url,
        "eth_sendTransaction",
        json!([{"from": whale, "to": to, "value": "0x1"}]),
    )
    .await;
    let hash: alloy_primitives::B256 = serde_json::from_value(sent["result"].clone()).unwrap();
    let receipt = provider
        .get_transaction_receipt(hash)
        .await
        .unwrap()
        .unwrap();
    assert!(receipt.status());
    assert_eq!(receipt.from, whale);
    assert_eq!(provider.get_balance(to).await.unwrap(), U256::from(1));
}

#[tokio::test(flavor = "current_thread")]
async fn browsers_and_several_clients_are_served() {
    let url = start();
    let http = reqwest::Client::new();
    // A CORS preflight from a dapp's origin.
    let preflight = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "http://dapp.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "*",
        "any origin"
    );
    let answer = http
        .post(&url)
        .header("origin", "http://dapp.example")
        .header("content-type", "application/json")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["access-control-allow-origin"], "*");
    // A health answer by GET.
    let health: Value = http
        .get(format!("{url}/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["chainId"], spon_devnet::CHAIN_ID);
    // Eight clients at once, each its own connection, each answered.
    let mut set = tokio::task::JoinSet::new();
    for i in 0..8u8 {
        let url = url.clone();
        set.spawn(async move {
            let who = Address::with_last_byte(i + 1);
            raw(
                &url,
                "anvil_setBalance",
                json!([who, format!("{:#x}", u64::from(i) + 1)]),
            )
            .await;
            raw(&url, "eth_getBalance", json!([who, "latest"])).await["result"].clone()
        });
    }
    let mut balances = Vec::new();
    while let Some(b) = set.join_next().await {
        balances.push(b.unwrap());
    }
    balances.sort_by_key(|b| b.as_str().unwrap().to_string());
    assert_eq!(balances.len(), 8);
    assert_eq!(balances[0], "0x1");
}

#[tokio::test(flavor = "current_thread")]
async fn filters_and_snapshots_miss_nothing_and_bounds_are_named() {
    let url = start();
    let who = Address::with_last_byte(0x99);
    let eth = "0xde0b6b3a7640000";
    raw(&url, "anvil_setBalance", json!([who, eth])).await;
    raw(&url, "anvil_impersonateAccount", json!([who])).await;
    // An EVM contract that logs one topic-less event per call
    // (PUSH1 0, PUSH1 0, LOG0, STOP), deployed by an unsigned creation
    // whose init code copies and returns those 6 bytes.
    let runtime = "60006000a000";
    let init = format!("0x6006600c60003960066000f3{runtime}");
    let created = raw(
        &url,
        "eth_sendTransaction",
        json!([{"from": who, "data": init}]),
    )
    .await;
    let hash = created["result"].clone();
    let receipt = raw(&url, "eth_getTransactionReceipt", json!([hash])).await["result"].clone();
    assert_eq!(receipt["status"], "0x1", "{receipt}");
    let emitter = receipt["contractAddress"].clone();
    let poke = || {
        raw(
            &url,
            "eth_sendTransaction",
            json!([{"from": who, "to": emitter}]),
        )
    };

    // A filter without fromBlock sees every log mined between two polls,
    // not only the latest block's.
    let id = raw(&url, "eth_newFilter", json!([{"address": emitter}])).await["result"].clone();
    for _ in 0..3 {
        poke().await;
    }
    let seen = raw(&url, "eth_getFilterChanges", json!([id])).await["result"].clone();
    assert_eq!(seen.as_array().unwrap().len(), 3, "{seen}");

    // Reverted logs mined again are reported again; snapshot ids are
    // never reused.
    let first = raw(&url, "evm_snapshot", json!([])).await["result"].clone();
    poke().await;
    assert_eq!(
        raw(&url, "eth_getFilterChanges", json!([id])).await["result"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let second = raw(&url, "evm_snapshot", json!([])).await["result"].clone();
    assert_ne!(first, second);
    assert_eq!(
        raw(&url, "evm_revert", json!([first])).await["result"],
        true
    );
    let third = raw(&url, "evm_snapshot", json!([])).await["result"].clone();
    assert_ne!(third, first);
    assert_eq!(
        raw(&url, "evm_revert", json!([second])).await["result"],
        false
    );
    poke().await;
    let again = raw(&url, "eth_getFilterChanges", json!([id])).await["result"].clone();
    assert_eq!(again.as_array().unwrap().len(), 1, "{again}");

    // Bounds refused by name, the node still serving.
    let far = raw(&url, "evm_increaseTime", json!([u64::MAX])).await;
    assert!(
        far["error"]["message"]
            .as_str()
            .unwrap()
            .contains("time would pass"),
        "{far}"
    );
    let percentiles: Vec<u32> = (0..101).collect();
    let history = raw(
        &url,
        "eth_feeHistory",
        json!(["0x1", "latest", percentiles]),
    )
    .await;
    assert!(
        history["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 100"),
        "{history}"
    );
    assert_eq!(
        raw(&url, "eth_chainId", json!([])).await["result"],
        "0x64aba"
    );
}

/// EVM code whose cost depends on the block's time: its constructor
/// stores the deployment's timestamp in slot 0; a call in a later block
/// (`TIMESTAMP > slot 0`) writes a fresh slot (22,100 gas), a call in the
/// same block writes nothing. As a lease's accrual does: nothing to pay at
/// its opening second, a transfer the second after.
const LATER_COSTS_MORE: &str = concat!(
    "42600055",                 // constructor: sstore(0, timestamp)
    "6011601060003960116000f3", // return the 17-byte runtime below
    "600054",                   // sload(0)
    "4211",                     // timestamp > it?
    "600a57",                   // then jump to 0x0a
    "0000",                     // else stop
    "5b6001600155",             // sstore(1, 1)
    "00",
);

#[tokio::test(flavor = "current_thread")]
async fn an_estimate_prices_the_block_the_transaction_will_be_mined_in() {
    let url = start();
    let signer = PrivateKeySigner::random();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer.clone()))
        .on_http(url.parse().unwrap());
    let eth = U256::from(10u64).pow(U256::from(18));
    raw(
        &url,
        "anvil_setBalance",
        json!([signer.address(), format!("{:#x}", eth)]),
    )
    .await;
    let deployed = provider
        .send_transaction(
            TransactionRequest::default()
                .with_deploy_code(alloy_primitives::hex::decode(LATER_COSTS_MORE).unwrap()),
        )
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let code = deployed.contract_address.expect("a contract");
    // No block since the deployment: the latest block's time is the
    // deployment's, the call is mined a second later and writes.
    let call = TransactionRequest::default().with_to(code);
    let estimate = provider.estimate_gas(&call).await.unwrap();
    assert!(
        estimate > 21_000 + 22_100,
        "{estimate} gas: the estimate ran at the latest block's time"
    );
    let receipt = provider
        .send_transaction(call)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(
        receipt.status(),
        "out of gas: {} used of the estimated limit",
        receipt.gas_used
    );
}
