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
//! keccak. Per
//! transaction it reports WASM instructions executed (wasmtime fuel),
//! storage slots read and written, and an estimate of its gas ([`meter`]:
//! operators priced in ink by Stylus's published table through module
//! instrumentation, host I/O and state as published and as the EVM prices
//! them).
//!
//! **EVM bytecode** runs too, in revm's interpreter ([`evm`]): every frame,
//! EVM or WASM, is dispatched here, so calls go both ways (an EVM contract
//! calling a Stylus program and back) over one state, with one rollback
//! rule. Contract creation (a transaction without `to`, `CREATE`/`CREATE2`,
//! the Stylus `create1`/`create2` hooks) runs EVM init code; code it returns
//! that starts with Stylus's `0xEFF000` prefix is stored as a program and
//! runs once the **ArbWasm precompile**'s `activateProgram` accepted it
//! ([`arbwasm`]), which is the deploy flow of `cargo stylus deploy`.
//! Delegate calls run the callee's code (EVM or WASM) on the caller's
//! storage. The standard precompiles (`0x01`–`0x09`) are revm's.
//!
//! [`rpc`] serves it over JSON-RPC (`spon-devnet` binary) for alloy clients.

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
/// The block's coinbase, and the account transaction fees are paid to:
/// the address Arbitrum chains report as their blocks' miner (the
/// sequencer, `"sequencer"` in ASCII behind `0xA4B0…`).
pub const COINBASE: Address =
    alloy_primitives::address!("A4b000000000000000000073657175656e636572");

/// An account: nonce, balance, code (EVM bytecode, Stylus code, or
/// empty), storage.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// Transactions sent (an externally owned account) or contracts
    /// created (a contract, which starts at 1).
    pub nonce: u64,
    /// Native balance in wei.
    pub balance: U256,
    /// Deployed code: EVM bytecode, or `0xEFF000 ‖ 0x00 ‖ brotli(wasm)`
    /// for Stylus programs (shared, not copied, by every state that holds
    /// it).
    pub code: alloy_primitives::Bytes,
    /// Persistent storage (a persistent map: a copy of the state shares
    /// what it did not change).
    pub storage: imbl::HashMap<B256, B256>,
}

impl Account {
    /// Whether the account is empty in EIP-161's sense: no nonce, no
    /// balance, no code.
    pub fn is_empty(&self) -> bool {
        self.nonce == 0 && self.balance.is_zero() && self.code.is_empty()
    }
}

/// A change to one account for one simulated call (what `eth_call`'s
/// state override set carries).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Override {
    /// Its balance.
    pub balance: Option<U256>,
    /// Its code, stored as given (Stylus code is not activated by
    /// being overridden, see [`Chain::simulate`]).
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
    /// access, logs, EVM frames' own gas (see [`meter`]).
    pub gas: u64,
    /// The contract a creation transaction created (none if it failed).
    pub created: Option<Address>,
}

/// Every account, in a persistent map: a copy (a frame's revert point,
/// a block's state, a snapshot) costs nothing until one of them changes.
pub type Accounts = imbl::HashMap<Address, Account>;

#[derive(Default)]
struct State {
    accounts: Accounts,
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
    /// Activated Stylus programs, by the keccak256 of their code.
    programs: HashMap<B256, Module>,
}

/// The chain's whole state at one moment: accounts, activated programs,
/// block and time. Cheap to take and to keep (the accounts are a
/// persistent map): the RPC endpoint keeps one per block for reads at an
/// earlier block, and for `evm_snapshot`.
#[derive(Clone)]
pub struct Checkpoint {
    accounts: Accounts,
    programs: HashMap<B256, Module>,
    timestamp: u64,
    block_number: u64,
    next_address: u64,
}

impl Checkpoint {
    /// The account at `address` then (a default one if it did not exist).
    pub fn account(&self, address: Address) -> Account {
        self.accounts.get(&address).cloned().unwrap_or_default()
    }

    /// The block number then.
    pub fn block_number(&self) -> u64 {
        self.block_number
    }
}

/// What a frame puts back when it reverts.
struct Snapshot {
    accounts: Accounts,
    transient: HashMap<(Address, B256), B256>,
    logs: usize,
    programs: HashMap<B256, Module>,
}

impl State {
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            accounts: self.accounts.clone(),
            transient: self.transient.clone(),
            logs: self.logs.len(),
            programs: self.programs.clone(),
        }
    }

    fn restore(&mut self, s: Snapshot) {
        self.accounts = s.accounts;
        self.transient = s.transient;
        self.logs.truncate(s.logs);
        self.programs = s.programs;
    }

    /// Slot `slot` of `address`'s storage.
    fn stored(&self, address: Address, slot: B256) -> B256 {
        self.accounts
            .get(&address)
            .and_then(|a| a.storage.get(&slot).copied())
            .unwrap_or_default()
    }

    /// Writes `value` to slot `slot` of `address` (a zero clears it).
    fn store(&mut self, address: Address, slot: B256, value: B256) {
        let storage = &mut self.accounts.entry(address).or_default().storage;
        if value.is_zero() {
            storage.remove(&slot);
        } else {
            storage.insert(slot, value);
        }
    }

    /// The code at `address` (empty if none).
    fn code(&self, address: Address) -> alloy_primitives::Bytes {
        self.accounts
            .get(&address)
            .map(|a| a.code.clone())
            .unwrap_or_default()
    }

    /// Moves `value` from `from` to `to`; false (nothing moved) if `from`
    /// has less.
    fn transfer(&mut self, from: Address, to: Address, value: U256) -> bool {
        let have = self
            .accounts
            .get(&from)
            .map(|a| a.balance)
            .unwrap_or_default();
        if have < value {
            return false;
        }
        self.accounts.entry(from).or_default().balance -= value;
        self.accounts.entry(to).or_default().balance += value;
        true
    }
}

/// An in-process chain that runs Stylus programs.
pub struct Chain {
    engine: Engine,
    linker: Linker<Frame>,
    state: Rc<RefCell<State>>,
    /// Current block timestamp (seconds).
    pub timestamp: u64,
    /// Current block number.
    pub block_number: u64,
    next_address: u64,
}

/// Data of one executing frame (one call: a program, EVM code, a
/// precompile or a plain account).
struct Frame {
    state: Rc<RefCell<State>>,
    engine: Engine,
    linker: Linker<Frame>,
    /// Whose storage and balance the code acts on.
    address: Address,
    /// Whose code runs (differs from `address` in a delegate call).
    code_address: Address,
    sender: Address,
    origin: Address,
    value: U256,
    /// Whether `value` moves from `sender` to `address` (not in a
    /// delegate call, where it is only the value the code sees).
    transfer: bool,
    args: Vec<u8>,
    output: Vec<u8>,
    return_data: Vec<u8>,
    cache: HashMap<B256, B256>,
    is_static: bool,
    timestamp: u64,
    block_number: u64,
    depth: usize,
    /// Gas the frame may use, when it runs EVM code.
    gas: u64,
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
    // The chain sees the code as deployed: no tool re-encodes it here.
    let sizes = stylus_artifact::Sizes {
        raw: wasm.len(),
        compressed: code.len() - stylus_artifact::STYLUS_PREFIX.len(),
        cargo_stylus: code.len(),
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
    /// A new empty chain at [`GENESIS_TIME`]: only ArbOS's precompiles
    /// ([`arbos::PRECOMPILES`]) hold code, `0xFE` as on Nitro; see
    /// [`Chain::devnet`] for the contracts Nitro's dev nodes add.
    pub fn new() -> Self {
        let engine = ENGINE.clone();
        let linker = host::linker(&engine).expect("vm_hooks linker");
        let mut state = State::default();
        for address in arbos::PRECOMPILES {
            state.accounts.insert(
                address,
                Account {
                    code: alloy_primitives::Bytes::from_static(&[0xFE]),
                    ..Account::default()
                },
            );
        }
        Chain {
            engine,
            linker,
            state: Rc::new(RefCell::new(state)),
            timestamp: GENESIS_TIME,
            block_number: 0,
            next_address: 0x1000,
        }
    }

    /// Puts `code` (EVM bytecode) at `address` as a contract (nonce 1),
    /// with no storage: a predeploy of the genesis ([`predeploys`]).
    pub fn install(&mut self, address: Address, code: &[u8]) {
        let mut s = self.state.borrow_mut();
        let account = s.accounts.entry(address).or_default();
        account.code = code.to_vec().into();
        account.nonce = account.nonce.max(1);
        account.storage = imbl::HashMap::new();
    }

    /// Deploys a Stylus module in one step (what creation by transaction
    /// and `activateProgram` do in two): refuses it if Nitro's activation
    /// would, stores it as activated Stylus code at a fresh address and
    /// returns the address.
    ///
    /// # Errors
    /// The activation checks' refusals, or a module wasmtime cannot compile.
    pub fn deploy(&mut self, wasm: &[u8]) -> Result<Address> {
        self.next_address += 1;
        let address = Address::left_padding_from(&self.next_address.to_be_bytes());
        self.deploy_at(address, wasm)?;
        Ok(address)
    }

    /// [`Chain::deploy`] at a chosen `address` (as a test VM puts a
    /// contract where it is told), replacing what was there.
    ///
    /// # Errors
    /// As [`Chain::deploy`].
    pub fn deploy_at(&mut self, address: Address, wasm: &[u8]) -> Result<()> {
        let (code, module) = accept(wasm)?;
        let mut s = self.state.borrow_mut();
        s.programs.insert(keccak256(&code), module);
        let account = s.accounts.entry(address).or_default();
        account.code = code.into();
        account.nonce = 1;
        Ok(())
    }

    /// The nonce of `address`.
    pub fn nonce(&self, address: Address) -> u64 {
        self.state
            .borrow()
            .accounts
            .get(&address)
            .map_or(0, |a| a.nonce)
    }

    /// Sets the nonce of `address` (an account sending a transaction).
    pub fn set_nonce(&mut self, address: Address, nonce: u64) {
        self.state
            .borrow_mut()
            .accounts
            .entry(address)
            .or_default()
            .nonce = nonce;
    }

    /// Whether the Stylus code at `address` is activated.
    pub fn is_activated(&self, address: Address) -> bool {
        let s = self.state.borrow();
        s.programs.contains_key(&keccak256(s.code(address)))
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
        self.state.borrow().code(address).to_vec()
    }

    /// Storage slot `slot` of `address`.
    pub fn storage(&self, address: Address, slot: B256) -> B256 {
        self.state.borrow().stored(address, slot)
    }

    /// The whole state now.
    pub fn checkpoint(&self) -> Checkpoint {
        let s = self.state.borrow();
        Checkpoint {
            accounts: s.accounts.clone(),
            programs: s.programs.clone(),
            timestamp: self.timestamp,
            block_number: self.block_number,
            next_address: self.next_address,
        }
    }

    /// Puts the whole state back as it was at `c`.
    pub fn restore(&mut self, c: Checkpoint) {
        let mut s = self.state.borrow_mut();
        s.accounts = c.accounts;
        s.programs = c.programs;
        self.timestamp = c.timestamp;
        self.block_number = c.block_number;
        self.next_address = c.next_address;
    }

    /// Moves time forward by `secs` and opens a new block.
    pub fn advance(&mut self, secs: u64) {
        self.timestamp += secs;
        self.block_number += 1;
    }

    /// Sends a transaction from `from` to `to`; state changes are kept only
    /// if it succeeds. The sender's nonce is the caller's to keep
    /// ([`Chain::set_nonce`]); a creation bumps it itself.
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
        self.execute(from, Some(to), calldata, value, false)
    }

    /// A creation transaction: runs `init_code` (EVM bytecode) at the
    /// address `from`'s nonce gives and stores the code it returns
    /// ([`Outcome::created`]). Stylus code (`0xEFF000 ‖ …`) is stored as
    /// is and runs once activated through [`arbwasm::ADDRESS`].
    ///
    /// # Errors
    /// As [`Chain::transact`].
    pub fn create(&mut self, from: Address, init_code: &[u8], value: U256) -> Result<Outcome> {
        self.execute(from, None, init_code, value, false)
    }

    /// A read-only call: like [`Chain::transact`], but every state change is
    /// discarded and writes are refused as in a static call.
    ///
    /// # Errors
    /// As [`Chain::transact`].
    pub fn view(&mut self, from: Address, to: Address, calldata: &[u8]) -> Result<Outcome> {
        self.forgetting(|c| c.execute(from, Some(to), calldata, U256::ZERO, true))
    }

    /// A transaction run and then forgotten (what `eth_call` and
    /// `eth_estimateGas` do; `to: None` simulates a creation), with
    /// `overrides` applied to the accounts first: writes are allowed,
    /// every state change (the overrides too) is discarded, logs and
    /// counts are reported.
    ///
    /// Overridden code is stored as given and, as on Nitro, not activated:
    /// Stylus code runs only if code with the same hash is already
    /// activated, else a call to it reverts `ProgramNotActivated()`, and
    /// `activateProgram` of it quotes the data fee (what `cargo stylus
    /// check` asks).
    ///
    /// # Errors
    /// As [`Chain::transact`].
    pub fn simulate(
        &mut self,
        overrides: &HashMap<Address, Override>,
        from: Address,
        to: Option<Address>,
        calldata: &[u8],
        value: U256,
    ) -> Result<Outcome> {
        self.forgetting(|c| {
            {
                let mut s = c.state.borrow_mut();
                for (address, o) in overrides {
                    let account = s.accounts.entry(*address).or_default();
                    if let Some(b) = o.balance {
                        account.balance = b;
                    }
                    if let Some(code) = &o.code {
                        account.code = code.clone().into();
                    }
                    if let Some(state) = &o.state {
                        account.storage = state.iter().map(|(k, v)| (*k, *v)).collect();
                    }
                    account
                        .storage
                        .extend(o.state_diff.iter().map(|(k, v)| (*k, *v)));
                }
            }
            c.execute(from, to, calldata, value, false)
        })
    }

    /// Runs `f`, then puts every account and activation back as it was.
    fn forgetting(&mut self, f: impl FnOnce(&mut Self) -> Result<Outcome>) -> Result<Outcome> {
        let snapshot = self.state.borrow().snapshot();
        let out = f(self);
        self.state.borrow_mut().restore(snapshot);
        out
    }

    fn execute(
        &mut self,
        from: Address,
        to: Option<Address>,
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
            s.costs = meter::Costs::new(from, to.unwrap_or(from));
        }
        let sender = self.sender_frame(from, is_static);
        let (success, output, instructions, created) = match to {
            Some(to) => {
                let frame = sender.child(to, to, from, value, true, calldata.to_vec(), is_static);
                let (success, output, instructions) = run(frame)?;
                (success, output, instructions, None)
            }
            None => {
                let c = evm::create(&sender, from, None, value, calldata.to_vec())?;
                (c.success, c.output, c.instructions, c.address)
            }
        };
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
            created,
        })
    }

    /// The frame of the transaction's sender, from which its call or
    /// creation is made.
    fn sender_frame(&self, from: Address, is_static: bool) -> Frame {
        Frame {
            is_static,
            ..Frame::new(
                self.state.clone(),
                self.engine.clone(),
                self.linker.clone(),
                from,
                self.timestamp,
                self.block_number,
            )
        }
    }
}

impl Frame {
    /// The frame of `origin` itself (no code, no value, depth 0) in a
    /// block: what calls are made from.
    fn new(
        state: Rc<RefCell<State>>,
        engine: Engine,
        linker: Linker<Frame>,
        origin: Address,
        timestamp: u64,
        block_number: u64,
    ) -> Frame {
        Frame {
            state,
            engine,
            linker,
            address: origin,
            code_address: origin,
            sender: origin,
            origin,
            value: U256::ZERO,
            transfer: true,
            args: Vec::new(),
            output: Vec::new(),
            return_data: Vec::new(),
            cache: HashMap::new(),
            is_static: false,
            timestamp,
            block_number,
            depth: 0,
            gas: evm::FRAME_GAS,
            instructions: 0,
        }
    }

    /// A frame called from this one: `code_address`'s code runs on
    /// `address`'s storage and balance, one level deeper.
    #[allow(clippy::too_many_arguments)]
    fn child(
        &self,
        address: Address,
        code_address: Address,
        sender: Address,
        value: U256,
        transfer: bool,
        args: Vec<u8>,
        is_static: bool,
    ) -> Frame {
        Frame {
            address,
            code_address,
            sender,
            value,
            transfer,
            args,
            is_static: self.is_static || is_static,
            depth: self.depth + 1,
            ..Frame::new(
                self.state.clone(),
                self.engine.clone(),
                self.linker.clone(),
                self.origin,
                self.timestamp,
                self.block_number,
            )
        }
    }
}

/// Runs one frame: moves `value`, then runs a precompile, the callee's
/// EVM code or activated Stylus program (or nothing for an account
/// without code), and rolls every change back if it reverts. Returns
/// `(success, output, instructions)`.
fn run(frame: Frame) -> Result<(bool, Vec<u8>, u64)> {
    let state = frame.state.clone();
    let snapshot = state.borrow().snapshot();
    if frame.depth > MAX_DEPTH {
        return Ok((false, Vec::new(), 0));
    }
    if frame.transfer
        && !frame.value.is_zero()
        && !state
            .borrow_mut()
            .transfer(frame.sender, frame.address, frame.value)
    {
        return Ok((false, Vec::new(), 0));
    }
    let (success, output, instructions) = if let Some(out) = evm::precompile(&frame) {
        let (success, output) = out;
        (success, output, 0)
    } else if frame.code_address == arbwasm::ADDRESS {
        let (success, output) = arbwasm::call(&frame)?;
        (success, output, 0)
    } else if let Some((success, output)) = arbos::call(&frame) {
        (success, output, 0)
    } else {
        let code = state.borrow().code(frame.code_address);
        if code.is_empty() {
            return Ok((true, Vec::new(), 0));
        }
        state.borrow_mut().stack.push(frame.address);
        let out = if stylus_artifact::is_stylus_code(&code) {
            let module = state.borrow().programs.get(&keccak256(&code)).cloned();
            match module {
                Some(module) => run_wasm(frame, &module),
                None => Ok((false, arbwasm::not_activated(), 0)),
            }
        } else {
            evm::execute(frame, code.to_vec())
        };
        state.borrow_mut().stack.pop();
        out?
    };
    if !success {
        state.borrow_mut().restore(snapshot);
    }
    Ok((success, output, instructions))
}

/// Runs an activated Stylus program: `user_entrypoint(len)` with the
/// frame's arguments; the storage cache is flushed when it succeeds.
fn run_wasm(frame: Frame, module: &Module) -> Result<(bool, Vec<u8>, u64)> {
    let state = frame.state.clone();
    let linker = frame.linker.clone();
    let engine = frame.engine.clone();
    let args_len = frame.args.len();
    let mut store = Store::new(&engine, frame);
    store.set_fuel(TX_FUEL)?;
    let instance = linker.instantiate(&mut store, module);
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
    let used = TX_FUEL - store.get_fuel().unwrap_or(0);
    let frame = store.into_data();
    let instructions = frame.instructions + used;
    Ok(match status {
        Ok(0) => {
            flush(&frame.state, frame.address, frame.cache);
            (true, frame.output, instructions)
        }
        Ok(_) => (false, frame.output, instructions),
        // A trap (unreachable, out of bounds, out of fuel) reverts with no data.
        Err(_) => (false, Vec::new(), instructions),
    })
}

/// Address of the `ecrecover` precompile (revm's, as the other standard
/// precompiles).
pub const ECRECOVER: Address = Address::with_last_byte(1);

fn flush(state: &Rc<RefCell<State>>, address: Address, cache: HashMap<B256, B256>) {
    let mut s = state.borrow_mut();
    for (slot, value) in cache {
        s.written.insert((address, slot));
        let current = s.stored(address, slot);
        s.costs.sstore(address, slot, current, value);
        s.store(address, slot, value);
    }
}

pub mod arbos;
pub mod arbwasm;
pub mod evm;
mod host;
pub mod meter;
pub mod predeploys;
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
