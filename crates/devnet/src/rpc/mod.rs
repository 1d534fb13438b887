//! A JSON-RPC endpoint over the in-process chain, for clients that speak
//! Ethereum's API (alloy, viem, ethers, wallets, the matcher, the CLI):
//! signed transactions are decoded, their signer recovered, admitted or
//! refused as geth would ([`admission`]), and each is mined in a block of
//! its own, gas charged. A transaction without `to` creates a contract
//! (the deploy transaction of `cargo stylus deploy`, then its
//! `activateProgram` call to ArbWasm, work as on Nitro).
//!
//! Methods: `eth_chainId`, `net_version`, `web3_clientVersion`,
//! `eth_blockNumber`, `eth_getBalance`, `eth_getTransactionCount`,
//! `eth_getCode`, `eth_getStorageAt` and `eth_call` (each at any block
//! whose state is kept, [`KEPT_STATES`]), `eth_gasPrice`,
//! `eth_maxPriorityFeePerGas`, `eth_feeHistory`, `eth_estimateGas` (with a
//! state override set, as `eth_call`), `eth_sendRawTransaction`,
//! `eth_getTransactionReceipt`, `eth_getTransactionByHash`, `eth_getLogs`,
//! filters ([`filters`]), `eth_getBlockByNumber`, `eth_getBlockByHash`;
//! for tests and demos (as anvil's): `anvil_setBalance`,
//! `evm_increaseTime`, `evm_setNextBlockTimestamp`, `evm_mine`,
//! `evm_snapshot`/`evm_revert`, `anvil_impersonateAccount` (then
//! `eth_sendTransaction` from it) and `devnet_deploy(module,
//! constructorCalldata, from)` (deployment, activation and constructor in
//! one step). Gas is the estimate of [`crate::meter`];
//! [`Node::with_state`] keeps the chain in a file; [`server`] is its
//! HTTP.

use std::{
    collections::{HashMap, HashSet},
    io::Write,
};

use alloy_consensus::{SignableTransaction, Transaction, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{hex, keccak256, Address, PrimitiveSignature, TxKind, B256, U256};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

use crate::{Chain, Checkpoint, CHAIN_ID};

pub mod admission;
pub mod filters;
pub mod server;

use filters::{Criteria, Filters, Kind, Range};

/// Gas price the devnet asks, wei (0.1 gwei, Arbitrum's floor).
pub const GAS_PRICE: u64 = 100_000_000;
/// Block gas limit reported.
pub const BLOCK_GAS_LIMIT: u64 = 32_000_000;
/// How many of the latest blocks' states are kept for reads at a block
/// (an older block's state is refused by name, never answered with a
/// later one).
pub const KEPT_STATES: u64 = 8_192;

/// `eth_estimateGas`'s answer for a call that meters `gas`: a quarter
/// more, since the state may change before the transaction is mined and
/// a transaction that needs more than its limit fails out of gas.
pub fn estimate(gas: u64) -> u64 {
    gas.saturating_add(gas / 4).min(BLOCK_GAS_LIMIT)
}

/// The latest time a block may have (seconds; `i64::MAX`, so that no
/// client's arithmetic on it overflows a signed 64-bit integer).
pub const MAX_TIMESTAMP: u64 = i64::MAX as u64;
/// Most reward percentiles `eth_feeHistory` answers (geth's bound).
pub const MAX_PERCENTILES: usize = 100;
/// Most calls in one batch (geth's bound).
pub const MAX_BATCH: usize = 1_000;

/// A mined transaction.
#[derive(Debug, Clone)]
struct Mined {
    tx: TxEnvelope,
    from: Address,
    /// Gas used: metered ([`crate::meter`]), or the whole limit when it
    /// ran out of gas.
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

struct Block {
    hash: B256,
    parent: B256,
    timestamp: u64,
    txs: Vec<B256>,
    /// The bloom filter of its logs.
    bloom: [u8; 256],
    /// The state at its end (dropped after [`KEPT_STATES`] blocks).
    state: Option<Checkpoint>,
}

/// What `evm_snapshot` saved.
struct Saved {
    /// Its id (never reused).
    id: u64,
    state: Checkpoint,
    blocks: usize,
    logs: usize,
    next_timestamp: Option<u64>,
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
    filters: Filters,
    /// `evm_snapshot`s, oldest first.
    snapshots: Vec<Saved>,
    /// The id the last `evm_snapshot` got.
    last_snapshot: u64,
    /// Accounts `eth_sendTransaction` may send from unsigned.
    impersonated: HashSet<Address>,
    /// The timestamp of the next block, when `evm_setNextBlockTimestamp`
    /// chose it.
    next_timestamp: Option<u64>,
    /// Where state-changing requests are appended (`--state`).
    journal: Option<std::fs::File>,
}

/// Methods that change the chain: the ones the journal keeps.
const CHANGES_STATE: [&str; 12] = [
    "eth_sendRawTransaction",
    "eth_sendTransaction",
    "anvil_setBalance",
    "hardhat_setBalance",
    "anvil_impersonateAccount",
    "anvil_stopImpersonatingAccount",
    "evm_increaseTime",
    "evm_setNextBlockTimestamp",
    "evm_mine",
    "evm_snapshot",
    "evm_revert",
    "devnet_deploy",
];

/// A JSON-RPC error: code, message, data.
pub struct RpcError(i64, String, Option<Value>);

impl RpcError {
    /// Its code and message.
    pub fn parts(&self) -> (i64, &str) {
        (self.0, &self.1)
    }
}

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
            bloom: [0; 256],
            state: Some(chain.checkpoint()),
        };
        Node {
            blocks: vec![genesis],
            first: chain.block_number,
            chain,
            txs: HashMap::new(),
            logs: Vec::new(),
            filters: Filters::default(),
            snapshots: Vec::new(),
            last_snapshot: 0,
            impersonated: HashSet::new(),
            next_timestamp: None,
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
    /// `genesis` is the chain it starts from: the same as when the file
    /// was written.
    ///
    /// # Errors
    /// An unreadable or unwritable file, or a line that does not replay.
    pub fn with_state(path: &std::path::Path, genesis: Chain) -> Result<(Self, usize)> {
        let mut node = Node::new(genesis);
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

/// The account an unsigned (impersonated) transaction is marked with in
/// place of a signature: `r` is the sender, so that two senders' hashes
/// differ.
fn impersonation_mark(from: Address) -> PrimitiveSignature {
    PrimitiveSignature::new(U256::from_be_slice(from.as_slice()), U256::from(1), false)
}

impl Node {
    /// The latest block's number.
    pub fn latest(&self) -> u64 {
        self.first + self.blocks.len() as u64 - 1
    }

    /// Opens the next block: one second later, or at the time
    /// `evm_setNextBlockTimestamp` chose.
    fn open_block(&mut self) {
        self.enter_next_block();
        self.next_timestamp = None;
    }

    /// The chain as in the next block (its number and time), the time
    /// `evm_setNextBlockTimestamp` chose kept for it.
    fn enter_next_block(&mut self) {
        self.chain.advance(1);
        if let Some(t) = self.next_timestamp {
            self.chain.timestamp = self.chain.timestamp.max(t);
        }
    }

    /// Closes the block being built with `txs`, keeping its state.
    fn seal(&mut self, txs: Vec<B256>) {
        let parent = self.blocks.last().expect("genesis").hash;
        let number = self.chain.block_number;
        let mut preimage = parent.to_vec();
        preimage.extend_from_slice(&number.to_be_bytes());
        preimage.extend_from_slice(&self.chain.timestamp.to_be_bytes());
        for t in &txs {
            preimage.extend_from_slice(t.as_slice());
        }
        let bloom = render::bloom(
            txs.iter()
                .filter_map(|h| self.txs.get(h))
                .flat_map(|m| &self.logs[m.logs.0..m.logs.0 + m.logs.1])
                .map(|p| &p.log),
        );
        self.blocks.push(Block {
            hash: keccak256(preimage),
            parent,
            timestamp: self.chain.timestamp,
            txs,
            bloom,
            state: Some(self.chain.checkpoint()),
        });
        if let Some(old) = self.blocks.len().checked_sub(KEPT_STATES as usize + 1) {
            self.blocks[old].state = None;
        }
    }

    fn block(&self, number: u64) -> Option<&Block> {
        self.blocks.get(number.checked_sub(self.first)? as usize)
    }

    /// A block tag or number, or an EIP-1898 object (`{blockNumber}` or
    /// `{blockHash}`), as a block number.
    fn block_tag(&self, v: Option<&Value>) -> Result<u64> {
        if let Some(o) = v.and_then(Value::as_object) {
            if let Some(h) = o.get("blockHash").and_then(Value::as_str) {
                let h: B256 = h.parse().context("bad blockHash")?;
                let i = self
                    .blocks
                    .iter()
                    .position(|b| b.hash == h)
                    .with_context(|| format!("header for hash {h} not found"))?;
                return Ok(self.first + i as u64);
            }
            return self.block_tag(o.get("blockNumber"));
        }
        match v.and_then(Value::as_str) {
            None | Some("latest" | "pending" | "safe" | "finalized") => Ok(self.latest()),
            Some("earliest") => Ok(self.first),
            Some(_) => quantity(v.expect("some")),
        }
    }

    /// The state at block `v` (a tag, number or EIP-1898 object).
    ///
    /// # Errors
    /// A block not mined yet, or one whose state is no longer kept.
    fn state_at(&self, v: Option<&Value>) -> Result<Checkpoint, RpcError> {
        let n = self.block_tag(v)?;
        if n == self.latest() {
            return Ok(self.chain.checkpoint());
        }
        if n > self.latest() {
            return Err(RpcError(-32000, "header not found".into(), None));
        }
        match self.block(n).and_then(|b| b.state.clone()) {
            Some(state) => Ok(state),
            None => {
                Err(RpcError(
                    -32000,
                    format!(
                    "state of block {n} is not kept: this devnet keeps the state of the latest \
                     {KEPT_STATES} blocks (from block {})",
                    self.latest().saturating_sub(KEPT_STATES - 1).max(self.first)
                ),
                    None,
                ))
            }
        }
    }

    /// Runs a transaction admitted from `from` in a block of its own,
    /// charges its gas and records it. A transaction that needs more gas
    /// than its limit fails out of gas: nothing it did is kept but its
    /// nonce, and it pays its whole limit.
    fn mine(&mut self, tx: TxEnvelope, from: Address) -> Result<B256> {
        let hash = *tx.tx_hash();
        let before = self.chain.checkpoint();
        self.open_block();
        let opened = self.chain.checkpoint();
        let nonce = tx.nonce();
        let input = tx.input().to_vec();
        let out = match tx.to() {
            Some(to) => {
                self.chain.set_nonce(from, nonce + 1);
                self.chain.transact(from, to, &input, tx.value())
            }
            None => self.chain.create(from, &input, tx.value()),
        };
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                self.chain.restore(before);
                return Err(e);
            }
        };
        let limit = tx.gas_limit();
        // The meter counts a call's intrinsic gas; a creation's and an
        // access list's are the admission's.
        let gas = out.gas + admission::intrinsic_gas(&tx) - crate::meter::intrinsic_gas(&input);
        let (success, gas_used, logs, contract) = if gas > limit {
            self.chain.restore(opened);
            self.chain.set_nonce(from, nonce + 1);
            (false, limit, Vec::new(), None)
        } else {
            (out.success, gas, out.logs, out.created)
        };
        let fee = U256::from(gas_used) * U256::from(admission::effective_gas_price());
        let balance = self.chain.balance(from);
        self.chain.fund(from, balance.saturating_sub(fee));
        let collector = crate::arbwasm::NETWORK_FEE_ACCOUNT;
        let collected = self.chain.balance(collector);
        self.chain.fund(collector, collected + fee);
        let block = self.chain.block_number;
        let start = self.logs.len();
        for (i, log) in logs.iter().enumerate() {
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
                tx,
                from,
                gas_used,
                block,
                success,
                contract,
                logs: (start, logs.len()),
            },
        );
        self.seal(vec![hash]);
        Ok(hash)
    }

    /// Admits `tx` from `from` as geth would, then mines it.
    fn submit(&mut self, tx: TxEnvelope, from: Address) -> Result<B256, RpcError> {
        if self.txs.contains_key(tx.tx_hash()) {
            return Err(RpcError(-32000, "already known".into(), None));
        }
        let sender = admission::Sender {
            address: from,
            nonce: self.chain.nonce(from),
            balance: self.chain.balance(from),
        };
        admission::admit(&tx, &sender, CHAIN_ID)?;
        Ok(self.mine(tx, from)?)
    }

    fn send_raw(&mut self, raw: &[u8]) -> Result<B256, RpcError> {
        let tx = TxEnvelope::decode_2718(&mut &raw[..]).map_err(|e| {
            RpcError(
                -32000,
                format!("transaction could not be decoded: {e}"),
                None,
            )
        })?;
        let from = tx
            .recover_signer()
            .map_err(|_| RpcError(-32000, "invalid sender".into(), None))?;
        self.submit(tx, from)
    }

    /// `eth_sendTransaction` from an impersonated account: the request
    /// completed as a wallet would (nonce, gas from the estimate, fees)
    /// and mined unsigned.
    fn send_unsigned(&mut self, request: &Value) -> Result<B256, RpcError> {
        let (from, to, input, value) = self.call_args(request)?;
        if !self.impersonated.contains(&from) {
            return Err(RpcError(-32000, "unknown account".into(), None));
        }
        let field = |name: &str| request.get(name).map(quantity).transpose();
        let gas_limit = match field("gas")? {
            Some(g) => g,
            None => estimate(self.gas_of(request, None, None)?),
        };
        let price = field("gasPrice")?.map(u128::from);
        let tx = TxLegacy {
            chain_id: Some(CHAIN_ID),
            nonce: field("nonce")?.unwrap_or_else(|| self.chain.nonce(from)),
            gas_price: price.unwrap_or(2 * admission::effective_gas_price()),
            gas_limit,
            to: to.map_or(TxKind::Create, TxKind::Call),
            value,
            input: input.into(),
        };
        let tx = TxEnvelope::Legacy(tx.into_signed(impersonation_mark(from)));
        self.submit(tx, from)
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

    /// [`Node::view`] on the state at block `at`.
    fn view_at(
        &mut self,
        tx: &Value,
        at: Option<&Value>,
        overrides: Option<&Value>,
    ) -> Result<crate::Outcome, RpcError> {
        let then = self.state_at(at)?;
        if then.block_number() == self.chain.block_number {
            return self.view(tx, overrides);
        }
        let now = self.chain.checkpoint();
        self.chain.restore(then);
        let out = self.view(tx, overrides);
        self.chain.restore(now);
        out
    }

    /// The gas the call `tx` would use at block `at` as a transaction (a
    /// creation's intrinsic gas included); at the latest block, as the next
    /// block will run it.
    fn gas_of(
        &mut self,
        tx: &Value,
        at: Option<&Value>,
        overrides: Option<&Value>,
    ) -> Result<u64, RpcError> {
        let (_, to, input, _) = self.call_args(tx)?;
        let gas = if self.block_tag(at)? == self.latest() {
            // A transaction sent now is mined in the next block, a second
            // later (or when `evm_setNextBlockTimestamp` said): code whose
            // cost depends on the time (a lease's accrual) is priced as it
            // will run, not as it would have in the latest block.
            let now = self.chain.checkpoint();
            self.enter_next_block();
            let out = self.view(tx, overrides);
            self.chain.restore(now);
            out?.gas
        } else {
            self.view_at(tx, at, overrides)?.gas
        };
        Ok(gas
            + if to.is_none() {
                admission::creation_gas(input.len())
            } else {
                0
            })
    }

    /// Deploys, activates and constructs `module` (`devnet_deploy`).
    fn deploy(
        &mut self,
        module: &[u8],
        constructor: &[u8],
        from: Address,
    ) -> Result<Address, RpcError> {
        let address = self.chain.deploy(module)?;
        if !constructor.is_empty() {
            let data = stylus_artifact::constructor_call(constructor);
            let out = self.chain.transact(from, address, &data, U256::ZERO)?;
            if !out.success {
                return Err(RpcError(
                    3,
                    "constructor reverted".into(),
                    Some(bytes(&out.output)),
                ));
            }
        }
        Ok(address)
    }

    /// The account `params[0]` at the block `params[at]`.
    fn account(&self, params: &Value, at: usize) -> Result<crate::Account, RpcError> {
        let address: Address = param(params, 0, "address")?;
        Ok(self.state_at(params.get(at))?.account(address))
    }

    /// The logs meeting `criteria` from `self.logs[since..]`. A poll of
    /// an installed filter (`polling`) reads a missing or `latest`
    /// `fromBlock` as no bound: its cursor is the bound, so no block mined
    /// between two polls is missed.
    fn logs_matching(
        &self,
        criteria: &Criteria,
        since: usize,
        polling: bool,
    ) -> Result<Vec<Value>> {
        let (from, to) = match &criteria.range {
            Range::Hash(h) => {
                let n = self.block_tag(Some(&json!({"blockHash": h})))?;
                (n, n)
            }
            Range::Tags(from, to) => {
                let moving = matches!(
                    from.as_ref().map(Value::as_str),
                    None | Some(Some("latest" | "pending"))
                );
                let from = if polling && moving {
                    self.first
                } else {
                    self.block_tag(from.as_ref())?
                };
                (from, self.block_tag(to.as_ref())?)
            }
        };
        Ok(self
            .logs
            .get(since..)
            .unwrap_or_default()
            .iter()
            .filter(|p| {
                (from..=to).contains(&p.block) && criteria.matches(p.log.address, &p.log.topics)
            })
            .map(|p| self.log_json(p))
            .collect())
    }

    /// What filter `id` saw since its last poll.
    fn filter_changes(&mut self, id: u64) -> Result<Value> {
        let (logs, latest) = (self.logs.len() as u64, self.latest());
        let f = self.filters.poll(id)?;
        let since = f.cursor;
        match f.kind.clone() {
            Kind::Logs(criteria) => {
                f.cursor = logs;
                Ok(Value::Array(self.logs_matching(
                    &criteria,
                    since as usize,
                    true,
                )?))
            }
            Kind::Blocks => {
                f.cursor = latest + 1;
                Ok(Value::Array(
                    (since.max(self.first)..=latest)
                        .filter_map(|n| self.block(n))
                        .map(|b| json!(b.hash))
                        .collect(),
                ))
            }
        }
    }

    /// `evm_revert`: back to snapshot `id`, which goes with every later
    /// one; whether there was such a snapshot.
    fn revert_to(&mut self, id: u64) -> bool {
        let Some(i) = self.snapshots.iter().position(|s| s.id == id) else {
            return false;
        };
        let saved = self.snapshots.drain(i..).next().expect("found");
        self.chain.restore(saved.state);
        for b in self.blocks.drain(saved.blocks..) {
            for h in b.txs {
                self.txs.remove(&h);
            }
        }
        self.logs.truncate(saved.logs);
        self.filters
            .rewind(self.logs.len() as u64, self.latest() + 1);
        self.next_timestamp = saved.next_timestamp;
        true
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
            "eth_accounts" => json!(self.impersonated.iter().collect::<Vec<_>>()),
            "eth_feeHistory" => {
                let count = p(0).map_or(Ok(1), quantity)?.clamp(1, 1024);
                let percentiles = p(2).and_then(Value::as_array).map_or(0, Vec::len);
                if percentiles > MAX_PERCENTILES {
                    return Err(RpcError(
                        -32602,
                        format!("{percentiles} reward percentiles, at most {MAX_PERCENTILES}"),
                        None,
                    ));
                }
                let newest = self.block_tag(p(1))?;
                let oldest = newest.saturating_sub(count - 1).max(self.first);
                let n = (newest - oldest + 1) as usize;
                json!({
                    "oldestBlock": q(oldest),
                    "baseFeePerGas": vec![q(GAS_PRICE); n + 1],
                    "gasUsedRatio": vec![0.0; n],
                    "reward": vec![vec![json!("0x0"); percentiles]; n],
                })
            }
            "eth_getBalance" => json!(format!("{:#x}", self.account(params, 1)?.balance)),
            "eth_getTransactionCount" => q(self.account(params, 1)?.nonce),
            "eth_getCode" => bytes(&self.account(params, 1)?.code),
            "eth_getStorageAt" => {
                let slot: U256 = param(params, 1, "slot")?;
                let account = self.account(params, 2)?;
                json!(account
                    .storage
                    .get(&B256::from(slot))
                    .copied()
                    .unwrap_or_default())
            }
            "eth_call" => bytes(
                &self
                    .view_at(p(0).ok_or_else(|| anyhow!("missing call"))?, p(1), p(2))?
                    .output,
            ),
            "eth_estimateGas" => {
                let call = p(0).ok_or_else(|| anyhow!("missing call"))?;
                q(estimate(self.gas_of(call, p(1), p(2))?))
            }
            "eth_sendRawTransaction" => json!(self.send_raw(&hex_param(p(0))?)?),
            "eth_sendTransaction" => {
                json!(self.send_unsigned(p(0).ok_or_else(|| anyhow!("missing transaction"))?)?)
            }
            "eth_getTransactionReceipt" => {
                let h: B256 = param(params, 0, "hash")?;
                self.txs.get(&h).map_or(Value::Null, |m| self.receipt(m))
            }
            "eth_getTransactionByHash" => {
                let h: B256 = param(params, 0, "hash")?;
                self.txs.get(&h).map_or(Value::Null, |m| self.tx_json(m))
            }
            "eth_getLogs" => Value::Array(self.logs_matching(
                &Criteria::parse(p(0).unwrap_or(&Value::Null))?,
                0,
                false,
            )?),
            "eth_newFilter" => {
                let criteria = Criteria::parse(p(0).unwrap_or(&Value::Null))?;
                q(self
                    .filters
                    .install(Kind::Logs(criteria), self.logs.len() as u64))
            }
            "eth_newBlockFilter" => q(self.filters.install(Kind::Blocks, self.latest() + 1)),
            "eth_getFilterChanges" => {
                self.filter_changes(quantity(p(0).context("missing filter id")?)?)?
            }
            "eth_getFilterLogs" => {
                let id = quantity(p(0).context("missing filter id")?)?;
                match self.filters.poll(id)?.kind.clone() {
                    Kind::Logs(criteria) => Value::Array(self.logs_matching(&criteria, 0, false)?),
                    Kind::Blocks => return Err(RpcError(-32000, "filter not found".into(), None)),
                }
            }
            "eth_uninstallFilter" => {
                json!(self
                    .filters
                    .uninstall(quantity(p(0).context("missing filter id")?)?))
            }
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
            "anvil_impersonateAccount" => {
                self.impersonated.insert(param(params, 0, "address")?);
                Value::Null
            }
            "anvil_stopImpersonatingAccount" => {
                self.impersonated
                    .remove(&param::<Address>(params, 0, "address")?);
                Value::Null
            }
            "evm_increaseTime" => {
                let secs = seconds(p(0))?;
                self.chain.timestamp = self
                    .chain
                    .timestamp
                    .checked_add(secs)
                    .filter(|t| *t <= MAX_TIMESTAMP)
                    .ok_or_else(|| anyhow!("time would pass {MAX_TIMESTAMP}"))?;
                q(secs)
            }
            "evm_setNextBlockTimestamp" => {
                let t = seconds(p(0))?;
                let last = self.blocks.last().expect("genesis").timestamp;
                if t <= last || t > MAX_TIMESTAMP {
                    return Err(RpcError(
                        -32602,
                        format!(
                            "timestamp {t} is not after the latest block's, {last}, \
                             or past {MAX_TIMESTAMP}"
                        ),
                        None,
                    ));
                }
                self.next_timestamp = Some(t);
                Value::Null
            }
            "evm_mine" => {
                self.open_block();
                self.seal(Vec::new());
                json!("0x0")
            }
            "evm_snapshot" => {
                self.last_snapshot += 1;
                self.snapshots.push(Saved {
                    id: self.last_snapshot,
                    state: self.chain.checkpoint(),
                    blocks: self.blocks.len(),
                    logs: self.logs.len(),
                    next_timestamp: self.next_timestamp,
                });
                q(self.last_snapshot)
            }
            "evm_revert" => json!(self.revert_to(quantity(p(0).context("missing snapshot id")?)?)),
            "devnet_deploy" => {
                let module = hex_param(p(0))?;
                let constructor = hex_param(p(1))?;
                let from: Address = match p(2).and_then(Value::as_str) {
                    Some(f) => f.parse().context("bad from")?,
                    None => Address::ZERO,
                };
                // In a block of its own; nothing changes if it fails.
                let before = self.chain.checkpoint();
                self.open_block();
                let deployed = self.deploy(&module, &constructor, from);
                if deployed.is_err() {
                    self.chain.restore(before);
                }
                let address = deployed?;
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
            Value::Array(batch) if batch.len() > MAX_BATCH => json!({
                "jsonrpc": "2.0", "id": null,
                "error": {"code": -32600, "message": format!("batch too large: {} calls, at most {MAX_BATCH}", batch.len())},
            }),
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
}

/// Seconds given as a JSON number or a hex quantity (none: 0).
fn seconds(v: Option<&Value>) -> Result<u64> {
    match v {
        Some(Value::Number(n)) => n.as_u64().context("bad seconds"),
        Some(v) => quantity(v),
        None => Ok(0),
    }
}

mod render;
