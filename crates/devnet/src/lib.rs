//! # SPON devnet: an in-process Stylus chain
//!
//! Runs the contracts' **real WASM** (the modules `scripts/build-contracts`
//! writes to `target/stylus/`) with `wasmtime`, through the `vm_hooks` host
//! ABI that stylus-sdk programs import, so that tests exercise the exact
//! bytes that get deployed.
//!
//! What is here: deployment of a checked module (refused where Nitro's
//! activation would refuse it, see `stylus-artifact`), stored as Stylus code
//! (`0xEFF000 ‖ 0x00 ‖ brotli`); transactions and nested calls between
//! programs with value, revert data and rollback; Stylus's storage cache
//! (`storage_cache_bytes32` writes to a cache that `storage_flush_cache`
//! persists, and the cache is flushed before every outgoing call);
//! transient storage (EIP-1153); logs;
//! block and message context; reentrancy detection; `exit_early`;
//! keccak; the `ecrecover` precompile (signatures: EIP-712, permit). Per
//! transaction it reports WASM instructions executed (wasmtime fuel),
//! storage slots read and written, and an estimate of its gas ([`meter`]:
//! operators priced in ink by Stylus's published table through module
//! instrumentation, host I/O and state as published and as the EVM prices
//! them).
//!
//! [`rpc`] serves it over JSON-RPC (`spon-devnet` binary) for alloy clients.
//!
//! Not yet here (the devnet issue tracks them): EVM bytecode through revm,
//! the ArbWasm precompile and the deploy prelude (so contract creation by
//! transaction; `devnet_deploy` stands in). `create1`/`create2`/
//! `delegate_call_contract` report failure.

use std::{
    cell::RefCell,
    collections::HashMap,
    rc::Rc,
    sync::{LazyLock, Mutex},
};

use alloy_primitives::{keccak256, Address, B256, U256};
use anyhow::{anyhow, bail, Result};
use wasmtime::{Caller, Config, Engine, Linker, Memory, Module, Store};

/// Block timestamp of a new chain (2026-01-01T00:00:00Z).
pub const GENESIS_TIME: u64 = 1_767_225_600;
/// Chain id of the devnet.
pub const CHAIN_ID: u64 = 412_346;
/// Fuel given to each transaction (WASM instructions).
pub const TX_FUEL: u64 = 10_000_000_000;
/// Deepest call stack allowed.
pub const MAX_DEPTH: usize = 64;

/// An account: balance, code (Stylus code, or empty), storage.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// Native balance in wei.
    pub balance: U256,
    /// Deployed code: `0xEFF000 ‖ 0x00 ‖ brotli(wasm)` for Stylus programs.
    pub code: Vec<u8>,
    /// Persistent storage.
    pub storage: HashMap<B256, B256>,
}

/// A change to one account for one simulated call (what `eth_call`'s
/// state override set carries).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Override {
    /// Its balance.
    pub balance: Option<U256>,
    /// Its code: Stylus code (`0xEFF000 ‖ …`) or a WASM module, checked
    /// as a deployment is (there is no EVM here).
    pub code: Option<Vec<u8>>,
    /// Its whole storage, replaced.
    pub state: Option<HashMap<B256, B256>>,
    /// These slots of its storage, changed.
    pub state_diff: HashMap<B256, B256>,
}

/// One emitted log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    /// Emitting contract.
    pub address: Address,
    /// Indexed topics (the first is the event's signature hash).
    pub topics: Vec<B256>,
    /// Non-indexed data.
    pub data: Vec<u8>,
}

/// The result of a transaction.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Whether the call succeeded (its state changes are kept).
    pub success: bool,
    /// Return data, or revert data when `success` is false.
    pub output: Vec<u8>,
    /// Logs emitted (empty when reverted).
    pub logs: Vec<Log>,
    /// WASM instructions executed, all frames together (wasmtime fuel).
    pub instructions: u64,
    /// Storage slots written (distinct `(contract, slot)` pairs flushed).
    pub slots_written: usize,
    /// Storage slots read from state (cache misses).
    pub slots_read: usize,
    /// Ink of the programs' operators, all frames together.
    pub ink: u64,
    /// Estimated gas: intrinsic, operators' and host calls' ink, state
    /// access, logs (see [`meter`]).
    pub gas: u64,
}

#[derive(Default)]
struct State {
    accounts: HashMap<Address, Account>,
    logs: Vec<Log>,
    /// Addresses currently executing, outermost first.
    stack: Vec<Address>,
    written: std::collections::HashSet<(Address, B256)>,
    reads: usize,
    /// Transient storage (EIP-1153) of this transaction.
    transient: HashMap<(Address, B256), B256>,
    /// Ink of the programs' operators in this transaction.
    program_ink: u64,
    costs: meter::Costs,
}

/// An in-process chain that runs Stylus programs.
pub struct Chain {
    engine: Engine,
    linker: Linker<Frame>,
    modules: HashMap<B256, Module>,
    state: Rc<RefCell<State>>,
    /// Current block timestamp (seconds).
    pub timestamp: u64,
    /// Current block number.
    pub block_number: u64,
    next_address: u64,
}

/// Data of one executing frame (one program invocation).
struct Frame {
    state: Rc<RefCell<State>>,
    engine: Engine,
    linker: Linker<Frame>,
    modules: HashMap<B256, Module>,
    address: Address,
    sender: Address,
    origin: Address,
    value: U256,
    args: Vec<u8>,
    output: Vec<u8>,
    return_data: Vec<u8>,
    cache: HashMap<B256, B256>,
    is_static: bool,
    timestamp: u64,
    block_number: u64,
    depth: usize,
    instructions: u64,
}

/// `exit_early(status)` unwinds the program with this error.
#[derive(Debug)]
struct ExitEarly(i32);

impl std::fmt::Display for ExitEarly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit_early({})", self.0)
    }
}

impl std::error::Error for ExitEarly {}

/// One engine for every chain of the process, so that a module compiled
/// once serves every chain that deploys it.
static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let mut config = Config::new();
    config.consume_fuel(true);
    Engine::new(&config).expect("wasmtime engine")
});

/// Modules accepted so far, by keccak256 of the module: the deployed code
/// and the compiled module (checking, brotli-11 and compiling take about a
/// second per contract; tests deploy the same modules many times).
static ACCEPTED: LazyLock<Mutex<HashMap<B256, Accepted>>> = LazyLock::new(Mutex::default);

/// Deployed code and compiled module.
type Accepted = (Vec<u8>, Module);

/// The deployed code and compiled module of `wasm`, if Nitro's activation
/// would accept it.
fn accept(wasm: &[u8]) -> Result<Accepted> {
    let key = keccak256(wasm);
    if let Some(done) = ACCEPTED.lock().expect("module cache").get(&key) {
        return Ok(done.clone());
    }
    let mut why = stylus_artifact::check(wasm);
    let code = stylus_artifact::deployable_code(wasm);
    let sizes = stylus_artifact::Sizes {
        raw: wasm.len(),
        compressed: code.len() - stylus_artifact::STYLUS_PREFIX.len(),
    };
    why.extend(sizes.violations());
    if !why.is_empty() {
        bail!("activation refused: {}", why.join("; "));
    }
    let metered = meter::instrument(&stylus_artifact::module_of(&code)?)?;
    let module = Module::new(&ENGINE, metered)?;
    let done = (code, module);
    ACCEPTED
        .lock()
        .expect("module cache")
        .insert(key, done.clone());
    Ok(done)
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// A new empty chain at [`GENESIS_TIME`].
    pub fn new() -> Self {
        let engine = ENGINE.clone();
        let linker = host::linker(&engine).expect("vm_hooks linker");
        Chain {
            engine,
            linker,
            modules: HashMap::new(),
            state: Rc::default(),
            timestamp: GENESIS_TIME,
            block_number: 1,
            next_address: 0x1000,
        }
    }

    /// Deploys a Stylus module: refuses it if Nitro's activation would,
    /// stores it as Stylus code at a fresh address and returns the address.
    ///
    /// # Errors
    /// The activation checks' refusals, or a module wasmtime cannot compile.
    pub fn deploy(&mut self, wasm: &[u8]) -> Result<Address> {
        let (code, module) = accept(wasm)?;
        self.modules.insert(keccak256(&code), module);
        self.next_address += 1;
        let address = Address::left_padding_from(&self.next_address.to_be_bytes());
        self.state
            .borrow_mut()
            .accounts
            .entry(address)
            .or_default()
            .code = code;
        Ok(address)
    }

    /// Sets `address`'s native balance.
    pub fn fund(&mut self, address: Address, balance: U256) {
        self.state
            .borrow_mut()
            .accounts
            .entry(address)
            .or_default()
            .balance = balance;
    }

    /// The native balance of `address`, wei.
    pub fn balance(&self, address: Address) -> U256 {
        self.state
            .borrow()
            .accounts
            .get(&address)
            .map(|a| a.balance)
            .unwrap_or_default()
    }

    /// The code at `address` (empty if none): `0xEFF000 ‖ 0x00 ‖
    /// brotli(wasm)` for a Stylus program.
    pub fn code(&self, address: Address) -> Vec<u8> {
        self.state
            .borrow()
            .accounts
            .get(&address)
            .map(|a| a.code.clone())
            .unwrap_or_default()
    }

    /// Storage slot `slot` of `address`.
    pub fn storage(&self, address: Address, slot: B256) -> B256 {
        self.state
            .borrow()
            .accounts
            .get(&address)
            .and_then(|a| a.storage.get(&slot).copied())
            .unwrap_or_default()
    }

    /// Moves time forward by `secs` and opens a new block.
    pub fn advance(&mut self, secs: u64) {
        self.timestamp += secs;
        self.block_number += 1;
    }

    /// Sends a transaction from `from` to `to`; state changes are kept only
    /// if it succeeds.
    ///
    /// # Errors
    /// Only for host failures (a program that traps or reverts gives an
    /// unsuccessful [`Outcome`]).
    pub fn transact(
        &mut self,
        from: Address,
        to: Address,
        calldata: &[u8],
        value: U256,
    ) -> Result<Outcome> {
        self.execute(from, to, calldata, value, false)
    }

    /// A read-only call: like [`Chain::transact`], but every state change is
    /// discarded and writes are refused as in a static call.
    ///
    /// # Errors
    /// As [`Chain::transact`].
    pub fn view(&mut self, from: Address, to: Address, calldata: &[u8]) -> Result<Outcome> {
        self.forgetting(|c| c.execute(from, to, calldata, U256::ZERO, true))
    }

    /// A transaction run and then forgotten (what `eth_call` and
    /// `eth_estimateGas` do), with `overrides` applied to the accounts
    /// first: writes are allowed, every state change (the overrides too) is
    /// discarded, logs and counts are reported.
    ///
    /// # Errors
    /// Overridden code the activation checks refuse; as
    /// [`Chain::transact`].
    pub fn simulate(
        &mut self,
        overrides: &HashMap<Address, Override>,
        from: Address,
        to: Address,
        calldata: &[u8],
        value: U256,
    ) -> Result<Outcome> {
        let mut codes = HashMap::new();
        for (address, o) in overrides {
            if let Some(code) = &o.code {
                let wasm = if code.starts_with(&stylus_artifact::STYLUS_PREFIX) {
                    stylus_artifact::module_of(code)?
                } else if code.starts_with(b"\0asm") {
                    code.clone()
                } else {
                    bail!("code override of {address}: only Stylus programs run here");
                };
                let (code, module) = accept(&wasm)?;
                self.modules.insert(keccak256(&code), module);
                codes.insert(*address, code);
            }
        }
        self.forgetting(|c| {
            {
                let mut s = c.state.borrow_mut();
                for (address, o) in overrides {
                    let account = s.accounts.entry(*address).or_default();
                    if let Some(b) = o.balance {
                        account.balance = b;
                    }
                    if let Some(code) = codes.remove(address) {
                        account.code = code;
                    }
                    if let Some(state) = &o.state {
                        account.storage.clone_from(state);
                    }
                    account.storage.extend(&o.state_diff);
                }
            }
            c.execute(from, to, calldata, value, false)
        })
    }

    /// Runs `f`, then puts every account back as it was.
    fn forgetting(&mut self, f: impl FnOnce(&mut Self) -> Result<Outcome>) -> Result<Outcome> {
        let snapshot = self.state.borrow().accounts.clone();
        let out = f(self);
        self.state.borrow_mut().accounts = snapshot;
        out
    }

    fn execute(
        &mut self,
        from: Address,
        to: Address,
        calldata: &[u8],
        value: U256,
        is_static: bool,
    ) -> Result<Outcome> {
        {
            let mut s = self.state.borrow_mut();
            s.logs.clear();
            s.written.clear();
            s.reads = 0;
            s.program_ink = 0;
            s.transient.clear();
            s.costs = meter::Costs::new(from, to);
        }
        let frame = self.frame(from, from, to, calldata.to_vec(), value, is_static, 0);
        let (success, output, instructions) = run(frame)?;
        let mut s = self.state.borrow_mut();
        let ink = s.program_ink;
        let gas = meter::intrinsic_gas(calldata)
            + (ink + s.costs.host_ink).div_ceil(meter::INK_PER_GAS)
            + s.costs.gas;
        Ok(Outcome {
            success,
            output,
            logs: if success {
                std::mem::take(&mut s.logs)
            } else {
                Vec::new()
            },
            instructions,
            slots_written: s.written.len(),
            slots_read: s.reads,
            ink,
            gas,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn frame(
        &self,
        origin: Address,
        sender: Address,
        to: Address,
        args: Vec<u8>,
        value: U256,
        is_static: bool,
        depth: usize,
    ) -> Frame {
        Frame {
            state: self.state.clone(),
            engine: self.engine.clone(),
            linker: self.linker.clone(),
            modules: self.modules.clone(),
            address: to,
            sender,
            origin,
            value,
            args,
            output: Vec::new(),
            return_data: Vec::new(),
            cache: HashMap::new(),
            is_static,
            timestamp: self.timestamp,
            block_number: self.block_number,
            depth,
            instructions: 0,
        }
    }
}

/// Runs one frame: moves `value`, executes the callee's program (or does
/// nothing for an account without code), and rolls every change back if it
/// reverts. Returns `(success, output, instructions)`.
fn run(frame: Frame) -> Result<(bool, Vec<u8>, u64)> {
    let state = frame.state.clone();
    let snapshot = state.borrow().accounts.clone();
    let transient = state.borrow().transient.clone();
    let logs_before = state.borrow().logs.len();
    let rollback = |state: &Rc<RefCell<State>>| {
        let mut s = state.borrow_mut();
        s.accounts = snapshot.clone();
        s.transient = transient.clone();
        s.logs.truncate(logs_before);
    };

    if !frame.value.is_zero() {
        let mut s = state.borrow_mut();
        let from = s.accounts.entry(frame.sender).or_default();
        if from.balance < frame.value {
            return Ok((false, Vec::new(), 0));
        }
        from.balance -= frame.value;
        s.accounts.entry(frame.address).or_default().balance += frame.value;
    }
    if frame.address == ECRECOVER {
        return Ok((true, ecrecover(&frame.args), 0));
    }
    let code = state
        .borrow()
        .accounts
        .get(&frame.address)
        .map(|a| a.code.clone())
        .unwrap_or_default();
    if code.is_empty() {
        return Ok((true, Vec::new(), 0));
    }
    let Some(module) = frame.modules.get(&keccak256(&code)).cloned() else {
        rollback(&state);
        return Ok((
            false,
            b"code is not an activated Stylus program".to_vec(),
            0,
        ));
    };
    if frame.depth >= MAX_DEPTH {
        rollback(&state);
        return Ok((false, Vec::new(), 0));
    }

    state.borrow_mut().stack.push(frame.address);
    let linker = frame.linker.clone();
    let engine = frame.engine.clone();
    let args_len = frame.args.len();
    let mut store = Store::new(&engine, frame);
    store.set_fuel(TX_FUEL)?;
    let instance = linker.instantiate(&mut store, &module);
    let status = match &instance {
        Ok(instance) => instance
            .get_typed_func::<i32, i32>(&mut store, "user_entrypoint")
            .and_then(|entry| match entry.call(&mut store, args_len as i32) {
                Ok(status) => Ok(status),
                Err(e) => match e.downcast_ref::<ExitEarly>() {
                    Some(ExitEarly(status)) => Ok(*status),
                    None => Err(e),
                },
            }),
        Err(e) => Err(anyhow!("{e:#}")),
    };
    // The ink the instrumented module counted, up to where it stopped.
    let ink = instance
        .ok()
        .and_then(|i| i.get_global(&mut store, meter::INK_GLOBAL))
        .and_then(|g| g.get(&mut store).i64())
        .map_or(0, |v| v as u64);
    state.borrow_mut().program_ink += ink;
    state.borrow_mut().stack.pop();
    let used = TX_FUEL - store.get_fuel().unwrap_or(0);
    let frame = store.into_data();
    let instructions = frame.instructions + used;
    match status {
        Ok(0) => {
            flush(&frame.state, frame.address, frame.cache);
            Ok((true, frame.output, instructions))
        }
        Ok(_) => {
            rollback(&state);
            Ok((false, frame.output, instructions))
        }
        // A trap (unreachable, out of bounds, out of fuel) reverts with no data.
        Err(_) => {
            rollback(&state);
            Ok((false, Vec::new(), instructions))
        }
    }
}

/// Address of the `ecrecover` precompile.
pub const ECRECOVER: Address = Address::with_last_byte(1);

/// The `ecrecover` precompile: input `hash ‖ v ‖ r ‖ s` (32-byte words,
/// zero-padded when short), output the signer left-padded to 32 bytes, or
/// nothing when `v` is not 27 or 28 or the signature does not recover.
fn ecrecover(input: &[u8]) -> Vec<u8> {
    let mut words = [0u8; 128];
    let n = input.len().min(128);
    words[..n].copy_from_slice(&input[..n]);
    let word = |i: usize| B256::from_slice(&words[32 * i..32 * (i + 1)]);
    let v = U256::from_be_bytes(word(1).0);
    if v != U256::from(27) && v != U256::from(28) {
        return Vec::new();
    }
    let sig = alloy_primitives::PrimitiveSignature::from_scalars_and_parity(
        word(2),
        word(3),
        v == U256::from(28),
    );
    match sig.recover_address_from_prehash(&word(0)) {
        Ok(signer) => B256::left_padding_from(signer.as_slice()).to_vec(),
        Err(_) => Vec::new(),
    }
}

fn flush(state: &Rc<RefCell<State>>, address: Address, cache: HashMap<B256, B256>) {
    let mut s = state.borrow_mut();
    for (slot, value) in cache {
        s.written.insert((address, slot));
        let current = s
            .accounts
            .get(&address)
            .and_then(|a| a.storage.get(&slot).copied())
            .unwrap_or_default();
        s.costs.sstore(address, slot, current, value);
        let storage = &mut s.accounts.entry(address).or_default().storage;
        if value.is_zero() {
            storage.remove(&slot);
        } else {
            storage.insert(slot, value);
        }
    }
}

mod host;
pub mod meter;
pub mod rpc;

#[cfg(test)]
mod tests;

/// Errors of the host as `anyhow` values.
fn host_error(msg: &str) -> anyhow::Error {
    anyhow!("host: {msg}")
}

/// Guest memory of the calling program.
fn memory(caller: &mut Caller<'_, Frame>) -> Result<Memory> {
    caller
        .get_export("memory")
        .and_then(|e| e.into_memory())
        .ok_or_else(|| host_error("program exports no memory"))
}
