//! The devnet's JSON-RPC throughput: `eth_call`s of the real SPON token's
//! `balanceOf`, and signed token transfers (`eth_sendRawTransaction`, each
//! mined in its own block before it is answered), from one client and from
//! 8 clients at once, each over its own keep-alive HTTP connection pool.
//!
//!     cargo bench -p spon-devnet --bench rpc [-- CALLS TRANSFERS HOLDERS]
//!
//! The token first gets HOLDERS holders (5,000 by default), so that the
//! chain's state is one in use rather than a fresh one.
//!
//! Needs `target/stylus/spon-token.wasm` (`bash scripts/build-contracts`).

use std::{net::TcpListener, time::Instant};

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_network::TxSignerSync;
use alloy_primitives::{hex, Address, TxKind, U256};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolConstructor};
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use spon_bindings::Token;
use spon_devnet::{rpc::Node, CHAIN_ID};

/// Clients of the concurrent runs.
const CLIENTS: usize = 8;

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .nth(n)
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// One JSON-RPC call; its result, or its error as an error.
async fn call(http: &reqwest::Client, url: &str, method: &str, params: Value) -> Result<Value> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let answer: Value = serde_json::from_slice(
        &http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await?
            .bytes()
            .await?,
    )?;
    if let Some(e) = answer.get("error") {
        bail!("{method}: {e}");
    }
    Ok(answer["result"].clone())
}

/// A signed EIP-1559 transfer of one token unit to `to`.
fn transfer(signer: &PrivateKeySigner, nonce: u64, token: Address, to: Address) -> Result<String> {
    let mut tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: 200_000,
        max_fee_per_gas: u128::from(spon_devnet::rpc::GAS_PRICE) * 2,
        max_priority_fee_per_gas: 0,
        to: TxKind::Call(token),
        value: U256::ZERO,
        access_list: Default::default(),
        input: Token::transferCall {
            to,
            value: U256::from(1),
        }
        .abi_encode()
        .into(),
    };
    let signature = signer.sign_transaction_sync(&mut tx)?;
    let envelope = TxEnvelope::from(tx.into_signed(signature));
    Ok(hex::encode_prefixed(envelope.encoded_2718()))
}

/// Runs `jobs` (each a list of requests sent one after another) on as many
/// clients at once; requests per second.
async fn throughput(url: &str, jobs: Vec<Vec<(&'static str, Value)>>) -> Result<f64> {
    let total: usize = jobs.iter().map(Vec::len).sum();
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for job in jobs {
        let url = url.to_string();
        set.spawn(async move {
            let http = reqwest::Client::new();
            for (method, params) in job {
                call(&http, &url, method, params).await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = set.join_next().await {
        done??;
    }
    Ok(total as f64 / start.elapsed().as_secs_f64())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let calls = arg(0, 4_000);
    let transfers = arg(1, 1_000);
    let holders = arg(2, 5_000);
    let module = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/stylus/spon-token.wasm"
    ))
    .context("target/stylus/spon-token.wasm: run scripts/build-contracts first")?;

    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || Node::default().serve(listener));
    let http = reqwest::Client::new();

    let treasury = PrivateKeySigner::random();
    let senders: Vec<PrivateKeySigner> = (0..CLIENTS).map(|_| PrivateKeySigner::random()).collect();
    for who in std::iter::once(&treasury).chain(&senders) {
        call(
            &http,
            &url,
            "anvil_setBalance",
            json!([who.address(), "0x56bc75e2d63100000"]),
        )
        .await?;
    }
    let constructor = Token::constructorCall {
        treasury: treasury.address(),
        supply: U256::from(10u64).pow(U256::from(27)),
    }
    .abi_encode();
    let token: Address = serde_json::from_value(
        call(
            &http,
            &url,
            "devnet_deploy",
            json!([
                hex::encode_prefixed(&module),
                hex::encode_prefixed(constructor),
                treasury.address()
            ]),
        )
        .await?,
    )?;
    let holders: Vec<Address> = senders
        .iter()
        .map(PrivateKeySigner::address)
        .chain((0..holders as u64).map(|i| Address::left_padding_from(&(i + 1).to_be_bytes())))
        .collect();
    for (nonce, to) in holders.iter().enumerate() {
        let raw = transfer(&treasury, nonce as u64, token, *to)?;
        call(&http, &url, "eth_sendRawTransaction", json!([raw])).await?;
    }

    let view = |i: usize| {
        let data = Token::balanceOfCall {
            account: holders[i % holders.len()],
        }
        .abi_encode();
        (
            "eth_call",
            json!([{"to": token, "data": hex::encode_prefixed(data)}, "latest"]),
        )
    };
    let one_caller = throughput(&url, vec![(0..calls).map(view).collect()]).await?;
    let many_callers = throughput(
        &url,
        (0..CLIENTS)
            .map(|c| (0..calls / CLIENTS).map(|i| view(c + i)).collect())
            .collect(),
    )
    .await?;

    // Transfers: the first sender alone, then all of them at once, each
    // with its own nonces.
    let signed =
        |s: &PrivateKeySigner, from: u64, n: usize| -> Result<Vec<(&'static str, Value)>> {
            (0..n as u64)
                .map(|k| {
                    let raw = transfer(s, from + k, token, Address::with_last_byte(0x77))?;
                    Ok(("eth_sendRawTransaction", json!([raw])))
                })
                .collect()
        };
    let one_sender = throughput(&url, vec![signed(&senders[0], 0, transfers)?]).await?;
    let mut jobs = Vec::new();
    for (i, s) in senders.iter().enumerate() {
        let first = if i == 0 { transfers as u64 } else { 0 };
        jobs.push(signed(s, first, transfers / CLIENTS)?);
    }
    let many_senders = throughput(&url, jobs).await?;

    let blocks = call(&http, &url, "eth_blockNumber", json!([])).await?;
    println!("spon-devnet JSON-RPC throughput (release build; the token's balanceOf and transfer)");
    println!("| load | 1 client | {CLIENTS} clients |");
    println!("|---|---|---|");
    println!("| eth_call/s ({calls} calls) | {one_caller:.0} | {many_callers:.0} |");
    println!(
        "| transfers/s ({transfers} transactions, one block each) | {one_sender:.0} | {many_senders:.0} |"
    );
    println!(
        "{} holders, blocks at the end: {}",
        holders.len(),
        blocks.as_str().unwrap_or_default()
    );
    Ok(())
}
