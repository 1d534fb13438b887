//! A JSON-RPC endpoint over the in-process chain, for clients that speak
//! Ethereum's API (alloy, wallets, the matcher, the CLI): signed
//! transactions are decoded, their signer recovered, and each is mined in
//! a block of its own. A transaction without `to` creates a contract (the
//! deploy transaction of `cargo stylus deploy`, then its
//! `activateProgram` call to ArbWasm, work as on Nitro).
//!
//! Methods: `eth_chainId`, `net_version`, `eth_blockNumber`,
//! `eth_getBalance`, `eth_getTransactionCount`, `eth_getCode`,
//! `eth_getStorageAt`, `eth_gasPrice`, `eth_maxPriorityFeePerGas`,
//! `eth_feeHistory`, `eth_estimateGas` and `eth_call` (with a state
//! override set), `eth_sendRawTransaction`,
//! `eth_getTransactionReceipt`, `eth_getTransactionByHash`, `eth_getLogs`,
//! `eth_getBlockByNumber`, `eth_getBlockByHash`; for tests and demos (as
//! anvil's): `anvil_setBalance`, `evm_increaseTime`, `evm_mine`; and
//! `devnet_deploy(module, constructorCalldata, from)` (deployment,
//! activation and constructor in one step). State is read at the
//! latest block whatever block tag is given. Gas is the estimate of
//! [`crate::meter`]; [`Node::with_state`] keeps the chain in a file.

use std::{
    collections::HashMap,
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
};

use alloy_consensus::{Transaction, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{hex, keccak256, Address, B256, U256};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

use crate::{Chain, CHAIN_ID};

/// Gas price the devnet asks, wei (0.1 gwei, Arbitrum's floor).
pub const GAS_PRICE: u64 = 100_000_000;
/// Block gas limit reported.
pub const BLOCK_GAS_LIMIT: u64 = 32_000_000;

/// A mined transaction.
#[derive(Debug, Clone)]
struct Mined {
    hash: B256,
    from: Address,
    to: Option<Address>,
    nonce: u64,
    value: U256,
    input: Vec<u8>,
    gas: u64,
    /// Estimated gas used ([`crate::meter`]).
    gas_used: u64,
    block: u64,
    success: bool,
    contract: Option<Address>,
    /// Index of its first log in `Node::logs`, and how many.
    logs: (usize, usize),
}

/// A log with where it was emitted.
#[derive(Debug, Clone)]
struct Placed {
    log: crate::Log,
    block: u64,
    tx: B256,
    tx_index: u64,
    index: u64,
}

#[derive(Debug, Clone)]
struct Block {
    hash: B256,
    parent: B256,
    timestamp: u64,
    txs: Vec<B256>,
}

/// The chain behind the endpoint and what clients ask of it.
pub struct Node {
    /// The chain.
    pub chain: Chain,
    /// Number of `blocks[0]`.
    first: u64,
    blocks: Vec<Block>,
    txs: HashMap<B256, Mined>,
    logs: Vec<Placed>,
    /// Where state-changing requests are appended (`--state`).
    journal: Option<std::fs::File>,
}

/// Methods that change the chain: the ones the journal keeps.
const CHANGES_STATE: [&str; 6] = [
    "eth_sendRawTransaction",
    "anvil_setBalance",
    "hardhat_setBalance",
    "evm_increaseTime",
    "evm_mine",
    "devnet_deploy",
];

/// A JSON-RPC error: code, message, data.
struct RpcError(i64, String, Option<Value>);

impl From<anyhow::Error> for RpcError {
    fn from(e: anyhow::Error) -> Self {
        RpcError(-32602, format!("{e:#}"), None)
    }
}

fn q(n: u64) -> Value {
    json!(format!("{n:#x}"))
}

fn bytes(b: &[u8]) -> Value {
    json!(format!("0x{}", hex::encode(b)))
}

fn param<T: std::str::FromStr>(params: &Value, i: usize, what: &str) -> Result<T> {
    params
        .get(i)
        .and_then(Value::as_str)
        .with_context(|| format!("missing {what}"))?
        .parse()
        .map_err(|_| anyhow!("bad {what}"))
}

fn hex_param(v: Option<&Value>) -> Result<Vec<u8>> {
    match v.and_then(Value::as_str) {
        Some(s) => hex::decode(s).context("bad hex"),
        None => Ok(Vec::new()),
    }
}

/// An `eth_call` state override set.
fn parse_overrides(v: Option<&Value>) -> Result<HashMap<Address, crate::Override>> {
    let mut out = HashMap::new();
    let Some(map) = v.and_then(Value::as_object) else {
        return Ok(out);
    };
    let slots = |v: &Value| -> Result<HashMap<B256, B256>> {
        v.as_object()
            .context("storage overrides must be an object")?
            .iter()
            .map(|(k, v)| {
                let value = v.as_str().context("a slot value must be a hex string")?;
                Ok((k.parse()?, value.parse()?))
            })
            .collect()
    };
    for (address, o) in map {
        let address: Address = address.parse().context("bad override address")?;
        let mut change = crate::Override::default();
        if let Some(b) = o.get("balance").and_then(Value::as_str) {
            change.balance = Some(b.parse().context("bad override balance")?);
        }
        if let Some(code) = o.get("code") {
            change.code = Some(hex_param(Some(code))?);
        }
        if let Some(state) = o.get("state") {
            change.state = Some(slots(state)?);
        }
        if let Some(diff) = o.get("stateDiff") {
            change.state_diff = slots(diff)?;
        }
        out.insert(address, change);
    }
    Ok(out)
}

fn quantity(v: &Value) -> Result<u64> {
    let s = v.as_str().context("quantity must be a hex string")?;
    u64::from_str_radix(s.trim_start_matches("0x"), 16).context("bad quantity")
}

impl Default for Node {
    fn default() -> Self {
        Self::new(Chain::new())
    }
}

impl Node {
    /// An endpoint over `chain`, at its current block (the genesis of the
    /// block list).
    pub fn new(chain: Chain) -> Self {
        let genesis = Block {
            hash: keccak256(chain.block_number.to_be_bytes()),
            parent: B256::ZERO,
            timestamp: chain.timestamp,
            txs: Vec::new(),
        };
        Node {
            blocks: vec![genesis],
            first: chain.block_number,
            chain,
            txs: HashMap::new(),
            logs: Vec::new(),
            journal: None,
        }
    }

    /// A node whose state lives in `path`: every state-changing request
    /// that succeeds is appended to it (one JSON line each), and a node
    /// opened on an existing file first replays them, so it resumes with
    /// the same blocks, hashes, receipts and state (the chain is
    /// deterministic: no wall clock). Returns the node and how many
    /// requests were replayed.
    ///
    /// # Errors
    /// An unreadable or unwritable file, or a line that does not replay.
    pub fn with_state(path: &std::path::Path) -> Result<(Self, usize)> {
        let mut node = Node::default();
        let mut replayed = 0;
        if path.exists() {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            for (n, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let request: Value = serde_json::from_str(line)
                    .with_context(|| format!("{}:{}: not JSON", path.display(), n + 1))?;
                let method = request["method"].as_str().unwrap_or_default();
                if let Err(RpcError(_, message, _)) = node.answer(method, &request["params"]) {
                    bail!(
                        "{}:{}: {method} does not replay: {message}",
                        path.display(),
                        n + 1
                    );
                }
                replayed += 1;
            }
        }
        node.journal = Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        );
        Ok((node, replayed))
    }
}

impl Node {
    /// The latest block's number.
    pub fn latest(&self) -> u64 {
        self.first + self.blocks.len() as u64 - 1
    }

    /// Opens the next block: one second later.
    fn open_block(&mut self) {
        self.chain.advance(1);
    }

    /// Closes the block being built with `txs`.
    fn seal(&mut self, txs: Vec<B256>) {
        let parent = self.blocks.last().expect("genesis").hash;
        let number = self.chain.block_number;
        let mut preimage = parent.to_vec();
        preimage.extend_from_slice(&number.to_be_bytes());
        preimage.extend_from_slice(&self.chain.timestamp.to_be_bytes());
        for t in &txs {
            preimage.extend_from_slice(t.as_slice());
        }
        self.blocks.push(Block {
            hash: keccak256(preimage),
            parent,
            timestamp: self.chain.timestamp,
            txs,
        });
    }

    fn block(&self, number: u64) -> Option<&Block> {
        self.blocks.get(number.checked_sub(self.first)? as usize)
    }

    fn block_tag(&self, v: Option<&Value>) -> Result<u64> {
        match v.and_then(Value::as_str) {
            None | Some("latest" | "pending" | "safe" | "finalized") => Ok(self.latest()),
            Some("earliest") => Ok(self.first),
            Some(_) => quantity(v.expect("some")),
        }
    }

    /// Runs a mined transaction and records it.
    #[allow(clippy::too_many_arguments)]
    fn mine(
        &mut self,
        hash: B256,
        from: Address,
        to: Option<Address>,
        nonce: u64,
        value: U256,
        input: Vec<u8>,
        gas: u64,
    ) -> Result<()> {
        self.open_block();
        let out = match to {
            Some(to) => {
                self.chain.set_nonce(from, nonce + 1);
                self.chain.transact(from, to, &input, value)?
            }
            None => self.chain.create(from, &input, value)?,
        };
        let block = self.chain.block_number;
        let start = self.logs.len();
        for (i, log) in out.logs.iter().enumerate() {
            self.logs.push(Placed {
                log: log.clone(),
                block,
                tx: hash,
                tx_index: 0,
                index: i as u64,
            });
        }
        self.txs.insert(
            hash,
            Mined {
                hash,
                from,
                to,
                nonce,
                value,
                input,
                gas,
                gas_used: out.gas,
                block,
                success: out.success,
                contract: out.created,
                logs: (start, out.logs.len()),
            },
        );
        self.seal(vec![hash]);
        Ok(())
    }

    fn send_raw(&mut self, raw: &[u8]) -> Result<B256, RpcError> {
        let tx = TxEnvelope::decode_2718(&mut &raw[..])
            .map_err(|e| RpcError(-32602, format!("undecodable transaction: {e}"), None))?;
        let from = tx
            .recover_signer()
            .map_err(|e| RpcError(-32602, format!("bad signature: {e}"), None))?;
        if let Some(id) = tx.chain_id() {
            if id != CHAIN_ID {
                return Err(RpcError(
                    -32000,
                    format!("wrong chain id {id}, this is {CHAIN_ID}"),
                    None,
                ));
            }
        }
        let expected = self.chain.nonce(from);
        if tx.nonce() != expected {
            return Err(RpcError(
                -32000,
                format!("nonce {} of {from}, expected {expected}", tx.nonce()),
                None,
            ));
        }
        let to = tx.to();
        let value = tx.value();
        let balance = self.chain.balance(from);
        if balance < value {
            return Err(RpcError(
                -32000,
                format!("insufficient funds: {from} has {balance} wei"),
                None,
            ));
        }
        let hash = *tx.tx_hash();
        if self.txs.contains_key(&hash) {
            return Err(RpcError(-32000, "already known".into(), None));
        }
        self.mine(
            hash,
            from,
            to,
            tx.nonce(),
            value,
            tx.input().to_vec(),
            tx.gas_limit(),
        )?;
        Ok(hash)
    }

    /// `from`, `to` (none: a creation), input and value of a call.
    fn call_args(&self, tx: &Value) -> Result<(Address, Option<Address>, Vec<u8>, U256)> {
        let from = match tx.get("from").and_then(Value::as_str) {
            Some(f) => f.parse().context("bad from")?,
            None => Address::ZERO,
        };
        let to = match tx.get("to").and_then(Value::as_str) {
            Some(to) => Some(to.parse().context("bad to")?),
            None => None,
        };
        let data = hex_param(tx.get("input").or_else(|| tx.get("data")))?;
        let value = match tx.get("value").and_then(Value::as_str) {
            Some(v) => v.parse().context("bad value")?,
            None => U256::ZERO,
        };
        Ok((from, to, data, value))
    }

    /// Runs the call `tx` and forgets it, with the state override set
    /// `overrides` (`{address: {balance, code, state, stateDiff}}`;
    /// `nonce` is accepted and has no effect on a call).
    fn view(&mut self, tx: &Value, overrides: Option<&Value>) -> Result<crate::Outcome, RpcError> {
        let (from, to, data, value) = self.call_args(tx)?;
        let overrides = parse_overrides(overrides)?;
        let out = self.chain.simulate(&overrides, from, to, &data, value)?;
        if !out.success {
            return Err(RpcError(
                3,
                "execution reverted".into(),
                Some(bytes(&out.output)),
            ));
        }
        Ok(out)
    }

    fn receipt(&self, m: &Mined) -> Value {
        let block = self.block(m.block).expect("mined block");
        let logs: Vec<Value> = self.logs[m.logs.0..m.logs.0 + m.logs.1]
            .iter()
            .map(|p| self.log_json(p))
            .collect();
        let mut bloom = [0u8; 256];
        for p in &self.logs[m.logs.0..m.logs.0 + m.logs.1] {
            for item in std::iter::once(p.log.address.as_slice())
                .chain(p.log.topics.iter().map(|t| t.as_slice()))
            {
                let h = keccak256(item);
                for k in [0, 2, 4] {
                    let bit = (usize::from(h[k]) << 8 | usize::from(h[k + 1])) & 2047;
                    bloom[255 - bit / 8] |= 1 << (bit % 8);
                }
            }
        }
        json!({
            "transactionHash": m.hash,
            "transactionIndex": "0x0",
            "blockHash": block.hash,
            "blockNumber": q(m.block),
            "from": m.from,
            "to": m.to,
            "cumulativeGasUsed": q(m.gas_used),
            "gasUsed": q(m.gas_used),
            "effectiveGasPrice": q(GAS_PRICE),
            "contractAddress": m.contract,
            "logs": logs,
            "logsBloom": bytes(&bloom),
            "status": if m.success { "0x1" } else { "0x0" },
            "type": "0x2",
        })
    }

    fn tx_json(&self, m: &Mined) -> Value {
        let block = self.block(m.block).expect("mined block");
        json!({
            "hash": m.hash,
            "nonce": q(m.nonce),
            "blockHash": block.hash,
            "blockNumber": q(m.block),
            "transactionIndex": "0x0",
            "from": m.from,
            "to": m.to,
            "value": format!("{:#x}", m.value),
            "gas": q(m.gas),
            "gasPrice": q(GAS_PRICE),
            "maxFeePerGas": q(GAS_PRICE),
            "maxPriorityFeePerGas": "0x0",
            "input": bytes(&m.input),
            "chainId": q(CHAIN_ID),
            "type": "0x2",
            "accessList": [],
            "v": "0x0",
            "yParity": "0x0",
            "r": "0x0",
            "s": "0x0",
        })
    }

    fn log_json(&self, p: &Placed) -> Value {
        let block = self.block(p.block).expect("mined block");
        json!({
            "address": p.log.address,
            "topics": p.log.topics,
            "data": bytes(&p.log.data),
            "blockNumber": q(p.block),
            "blockHash": block.hash,
            "blockTimestamp": q(block.timestamp),
            "transactionHash": p.tx,
            "transactionIndex": q(p.tx_index),
            "logIndex": q(p.index),
            "removed": false,
        })
    }

    fn block_json(&self, number: u64, full: bool) -> Value {
        let Some(b) = self.block(number) else {
            return Value::Null;
        };
        let txs: Vec<Value> = b
            .txs
            .iter()
            .map(|h| {
                if full {
                    self.tx_json(&self.txs[h])
                } else {
                    json!(h)
                }
            })
            .collect();
        json!({
            "number": q(number),
            "hash": b.hash,
            "parentHash": b.parent,
            "timestamp": q(b.timestamp),
            "gasLimit": q(BLOCK_GAS_LIMIT),
            "gasUsed": q(b.txs.iter().filter_map(|h| self.txs.get(h)).map(|m| m.gas_used).sum()),
            "baseFeePerGas": q(GAS_PRICE),
            "miner": Address::ZERO,
            "difficulty": "0x0",
            "totalDifficulty": "0x0",
            "extraData": "0x",
            "size": "0x0",
            "nonce": "0x0000000000000000",
            "mixHash": B256::ZERO,
            "sha3Uncles": B256::ZERO,
            "logsBloom": bytes(&[0u8; 256]),
            "transactionsRoot": B256::ZERO,
            "stateRoot": B256::ZERO,
            "receiptsRoot": B256::ZERO,
            "uncles": [],
            "transactions": txs,
        })
    }

    fn get_logs(&self, filter: &Value) -> Result<Value> {
        let (from, to) = match filter.get("blockHash").and_then(Value::as_str) {
            Some(h) => {
                let h: B256 = h.parse().context("bad blockHash")?;
                let i = self
                    .blocks
                    .iter()
                    .position(|b| b.hash == h)
                    .context("unknown block")?;
                let n = self.first + i as u64;
                (n, n)
            }
            None => (
                self.block_tag(filter.get("fromBlock"))?,
                self.block_tag(filter.get("toBlock"))?,
            ),
        };
        let addresses: Vec<Address> = match filter.get("address") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(a)) => vec![a.parse().context("bad address")?],
            Some(Value::Array(list)) => list
                .iter()
                .map(|a| {
                    a.as_str()
                        .context("bad address")?
                        .parse()
                        .context("bad address")
                })
                .collect::<Result<_>>()?,
            _ => bail!("bad address filter"),
        };
        // Per position: any of these topics (empty: any topic).
        let topics: Vec<Vec<B256>> = match filter.get("topics") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list
                .iter()
                .map(|t| match t {
                    Value::Null => Ok(Vec::new()),
                    Value::String(s) => Ok(vec![s.parse().context("bad topic")?]),
                    Value::Array(any) => any
                        .iter()
                        .map(|s| {
                            s.as_str()
                                .context("bad topic")?
                                .parse()
                                .context("bad topic")
                        })
                        .collect(),
                    _ => bail!("bad topic"),
                })
                .collect::<Result<_>>()?,
            _ => bail!("bad topics"),
        };
        let matches = |p: &Placed| {
            (from..=to).contains(&p.block)
                && (addresses.is_empty() || addresses.contains(&p.log.address))
                && topics.iter().enumerate().all(|(i, any)| {
                    any.is_empty() || p.log.topics.get(i).is_some_and(|t| any.contains(t))
                })
        };
        Ok(Value::Array(
            self.logs
                .iter()
                .filter(|p| matches(p))
                .map(|p| self.log_json(p))
                .collect(),
        ))
    }

    /// Answers one JSON-RPC method call.
    fn answer(&mut self, method: &str, params: &Value) -> Result<Value, RpcError> {
        let p = |i: usize| params.get(i);
        Ok(match method {
            "eth_chainId" => q(CHAIN_ID),
            "net_version" => json!(CHAIN_ID.to_string()),
            "web3_clientVersion" => json!(concat!("spon-devnet/", env!("CARGO_PKG_VERSION"))),
            "eth_blockNumber" => q(self.latest()),
            "eth_gasPrice" => q(GAS_PRICE),
            "eth_maxPriorityFeePerGas" => json!("0x0"),
            "eth_syncing" => json!(false),
            "eth_accounts" => json!([]),
            "eth_feeHistory" => {
                let count = p(0).map_or(Ok(1), quantity)?.clamp(1, 1024);
                let newest = self.block_tag(p(1))?;
                let oldest = newest.saturating_sub(count - 1).max(self.first);
                let n = (newest - oldest + 1) as usize;
                json!({
                    "oldestBlock": q(oldest),
                    "baseFeePerGas": vec![q(GAS_PRICE); n + 1],
                    "gasUsedRatio": vec![0.0; n],
                    "reward": vec![vec![json!("0x0"); p(2).and_then(Value::as_array).map_or(0, Vec::len)]; n],
                })
            }
            "eth_getBalance" => {
                let a: Address = param(params, 0, "address")?;
                json!(format!("{:#x}", self.chain.balance(a)))
            }
            "eth_getTransactionCount" => {
                let a: Address = param(params, 0, "address")?;
                q(self.chain.nonce(a))
            }
            "eth_getCode" => bytes(&self.chain.code(param(params, 0, "address")?)),
            "eth_getStorageAt" => {
                let a: Address = param(params, 0, "address")?;
                let slot: U256 = param(params, 1, "slot")?;
                json!(self.chain.storage(a, slot.into()))
            }
            "eth_call" => bytes(
                &self
                    .view(p(0).ok_or_else(|| anyhow!("missing call"))?, p(2))?
                    .output,
            ),
            "eth_estimateGas" => q(self
                .view(p(0).ok_or_else(|| anyhow!("missing call"))?, p(2))?
                .gas),
            "eth_sendRawTransaction" => json!(self.send_raw(&hex_param(p(0))?)?),
            "eth_getTransactionReceipt" => {
                let h: B256 = param(params, 0, "hash")?;
                self.txs.get(&h).map_or(Value::Null, |m| self.receipt(m))
            }
            "eth_getTransactionByHash" => {
                let h: B256 = param(params, 0, "hash")?;
                self.txs.get(&h).map_or(Value::Null, |m| self.tx_json(m))
            }
            "eth_getLogs" => self.get_logs(p(0).unwrap_or(&Value::Null))?,
            "eth_getBlockByNumber" => {
                let n = self.block_tag(p(0))?;
                self.block_json(n, p(1).and_then(Value::as_bool).unwrap_or(false))
            }
            "eth_getBlockByHash" => {
                let h: B256 = param(params, 0, "hash")?;
                match self.blocks.iter().position(|b| b.hash == h) {
                    Some(i) => self.block_json(
                        self.first + i as u64,
                        p(1).and_then(Value::as_bool).unwrap_or(false),
                    ),
                    None => Value::Null,
                }
            }
            "anvil_setBalance" | "hardhat_setBalance" => {
                let a: Address = param(params, 0, "address")?;
                let v: U256 = param(params, 1, "balance")?;
                self.chain.fund(a, v);
                Value::Null
            }
            "evm_increaseTime" => {
                let secs = match p(0) {
                    Some(Value::Number(n)) => n.as_u64().context("bad seconds")?,
                    Some(v) => quantity(v)?,
                    None => 0,
                };
                self.chain.timestamp += secs;
                q(secs)
            }
            "evm_mine" => {
                self.open_block();
                self.seal(Vec::new());
                json!("0x0")
            }
            "devnet_deploy" => {
                let module = hex_param(p(0))?;
                let constructor = hex_param(p(1))?;
                let from: Address = match p(2).and_then(Value::as_str) {
                    Some(f) => f.parse().context("bad from")?,
                    None => Address::ZERO,
                };
                let address = self.chain.deploy(&module)?;
                if !constructor.is_empty() {
                    let data = stylus_artifact::constructor_call(&constructor);
                    let out = self.chain.transact(from, address, &data, U256::ZERO)?;
                    if !out.success {
                        return Err(RpcError(
                            3,
                            "constructor reverted".into(),
                            Some(bytes(&out.output)),
                        ));
                    }
                }
                self.open_block();
                self.seal(Vec::new());
                json!(address)
            }
            _ => return Err(RpcError(-32601, format!("method {method} not found"), None)),
        })
    }

    /// Answers a JSON-RPC request body (one call or a batch).
    pub fn handle(&mut self, body: &[u8]) -> Value {
        let Ok(request) = serde_json::from_slice::<Value>(body) else {
            return json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "parse error"}});
        };
        match request {
            Value::Array(batch) => Value::Array(batch.iter().map(|r| self.one(r)).collect()),
            r => self.one(&r),
        }
    }

    fn one(&mut self, r: &Value) -> Value {
        let id = r.get("id").cloned().unwrap_or(Value::Null);
        let method = r.get("method").and_then(Value::as_str).unwrap_or_default();
        let params = r.get("params").cloned().unwrap_or(json!([]));
        match self.answer(method, &params) {
            Ok(result) => {
                if let Some(journal) = self
                    .journal
                    .as_mut()
                    .filter(|_| CHANGES_STATE.contains(&method))
                {
                    let line = json!({"method": method, "params": params}).to_string();
                    if let Err(e) = writeln!(journal, "{line}").and_then(|()| journal.flush()) {
                        eprintln!("spon-devnet: cannot append to the state file: {e}");
                    }
                }
                json!({"jsonrpc": "2.0", "id": id, "result": result})
            }
            Err(RpcError(code, message, data)) => {
                let mut error = json!({"code": code, "message": message});
                if let Some(d) = data {
                    error["data"] = d;
                }
                json!({"jsonrpc": "2.0", "id": id, "error": error})
            }
        }
    }

    /// Serves JSON-RPC over HTTP on `listener`, one request per
    /// connection, until the process ends.
    ///
    /// # Errors
    /// If the listener fails.
    pub fn serve(&mut self, listener: TcpListener) -> Result<()> {
        for stream in listener.incoming() {
            let mut stream = stream?;
            if let Err(e) = self.exchange(&mut stream) {
                let _ = write!(
                    stream,
                    "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                eprintln!("spon-devnet: {e:#}");
            }
        }
        Ok(())
    }

    fn exchange(&mut self, stream: &mut TcpStream) -> Result<()> {
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut length = 0usize;
        let mut line = String::new();
        reader.read_line(&mut line)?;
        if !line.starts_with("POST") {
            bail!("only POST is served");
        }
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().context("bad content-length")?;
                }
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body)?;
        let answer = serde_json::to_vec(&self.handle(&body))?;
        write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            answer.len()
        )?;
        stream.write_all(&answer)?;
        Ok(())
    }
}
