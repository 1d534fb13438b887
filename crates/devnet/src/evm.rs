//! EVM frames, run by revm's interpreter over the devnet's state.
//!
//! Each EVM frame is one revm [`Interpreter`] whose [`Host`] is the
//! chain's own state (no second journal): storage writes land in the
//! state at once and a reverted frame is rolled back by the caller's
//! snapshot, as WASM frames are. When the code calls or creates, the
//! interpreter hands the call to the devnet's dispatcher, which runs a
//! precompile, EVM code or a Stylus program, and the result goes back
//! into the interpreter. Gas of EVM opcodes is revm's (Cancun rules,
//! EIP-2929 warm and cold access from the transaction's access sets);
//! a frame's own gas (not its callees') is added to the transaction's
//! estimate.

use std::{cell::RefCell, rc::Rc};

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use anyhow::Result;
use revm_interpreter::{
    opcode::make_instruction_table,
    primitives::{Bytecode, CancunSpec, CreateScheme, Env, Log as EvmLog, KECCAK_EMPTY},
    AccountLoad, CallOutcome, Contract, CreateOutcome, Eip7702CodeLoad, Gas, Host,
    InstructionResult, Interpreter, InterpreterAction, InterpreterResult, SStoreResult,
    SelfDestructResult, SharedMemory, StateLoad, MAX_CODE_SIZE,
};
use revm_precompile::Precompiles;

use crate::{
    rpc::{BLOCK_GAS_LIMIT, GAS_PRICE},
    run, Account, Frame, Log, State, CHAIN_ID, MAX_DEPTH,
};

/// Gas an EVM frame gets when its caller names no limit (a transaction,
/// a Stylus program's call): the block's gas limit.
pub const FRAME_GAS: u64 = BLOCK_GAS_LIMIT;

/// Gas per byte of code stored by a creation (EIP-170's deposit cost).
const CODE_DEPOSIT_GAS: u64 = 200;

/// A contract creation's result.
pub(crate) struct Created {
    /// The new contract, when it was created.
    pub address: Option<Address>,
    pub success: bool,
    /// The code stored when it succeeded (what `eth_call` of a creation
    /// returns); revert data of the init code when it reverted; else
    /// empty.
    pub output: Vec<u8>,
    /// WASM instructions of Stylus programs the init code called.
    pub instructions: u64,
}

/// The block and transaction context EVM code reads.
fn env(frame: &Frame) -> Env {
    let mut env = Env::default();
    env.cfg.chain_id = CHAIN_ID;
    env.block.number = U256::from(frame.block_number);
    env.block.timestamp = U256::from(frame.timestamp);
    env.block.gas_limit = U256::from(BLOCK_GAS_LIMIT);
    env.block.basefee = U256::from(GAS_PRICE);
    env.block.prevrandao = Some(B256::ZERO);
    env.tx.caller = frame.origin;
    env.tx.gas_price = U256::from(GAS_PRICE);
    env
}

/// Runs a standard precompile (`0x01`–`0x09`, revm's) when the frame's
/// code address is one: `(success, output)`.
pub(crate) fn precompile(frame: &Frame) -> Option<(bool, Vec<u8>)> {
    let p = Precompiles::cancun().get(&frame.code_address)?;
    let input = Bytes::copy_from_slice(&frame.args);
    Some(match p.call_ref(&input, frame.gas, &env(frame)) {
        Ok(out) => {
            frame.state.borrow_mut().costs.gas += out.gas_used;
            (true, out.bytes.to_vec())
        }
        Err(_) => (false, Vec::new()),
    })
}

/// Runs EVM `code` in `frame`: `(success, output, instructions)`.
pub(crate) fn execute(frame: Frame, code: Vec<u8>) -> Result<(bool, Vec<u8>, u64)> {
    let input = frame.args.clone();
    let (result, instructions) = interpret(&frame, code, input)?;
    Ok((result.is_ok(), result.output.to_vec(), instructions))
}

/// Creates a contract from `caller` (`CREATE`, or `CREATE2` with `salt`):
/// bumps the caller's nonce (kept even if the creation fails), moves
/// `value`, runs `init_code` at the new address and stores the code it
/// returns. The new code may not start with `0xEF` (EIP-3541) unless it is
/// Stylus code (`0xEFF000`, Arbitrum's exception), nor exceed EIP-170's
/// 24,576 bytes.
pub(crate) fn create(
    parent: &Frame,
    caller: Address,
    salt: Option<B256>,
    value: U256,
    init_code: Vec<u8>,
) -> Result<Created> {
    let failed = |output| Created {
        address: None,
        success: false,
        output,
        instructions: 0,
    };
    let state = parent.state.clone();
    if parent.depth >= MAX_DEPTH || parent.is_static {
        return Ok(failed(Vec::new()));
    }
    let nonce = {
        let mut s = state.borrow_mut();
        let account = s.accounts.entry(caller).or_default();
        let Some(next) = account.nonce.checked_add(1) else {
            return Ok(failed(Vec::new()));
        };
        std::mem::replace(&mut account.nonce, next)
    };
    let address = match salt {
        Some(salt) => caller.create2_from_code(salt, &init_code),
        None => caller.create(nonce),
    };
    let snapshot = state.borrow().snapshot();
    {
        let mut s = state.borrow_mut();
        s.costs.warm_account(address);
        let taken = s
            .accounts
            .get(&address)
            .is_some_and(|a| a.nonce != 0 || !a.code.is_empty());
        if taken || !s.transfer(caller, address, value) {
            s.restore(snapshot);
            return Ok(failed(Vec::new()));
        }
        s.accounts.entry(address).or_default().nonce = 1;
    }
    let frame = parent.child(address, address, caller, value, false, Vec::new(), false);
    let (result, instructions) = interpret(&frame, init_code, Vec::new())?;
    let code = result.output.to_vec();
    let storable = code.len() <= MAX_CODE_SIZE
        && (code.first() != Some(&0xEF) || stylus_artifact::is_stylus_code(&code));
    let mut s = state.borrow_mut();
    if result.is_ok() && storable {
        s.costs.gas += CODE_DEPOSIT_GAS * code.len() as u64;
        s.accounts.entry(address).or_default().code = code.clone().into();
        Ok(Created {
            address: Some(address),
            success: true,
            output: code,
            instructions,
        })
    } else {
        s.restore(snapshot);
        let output = if result.is_revert() { code } else { Vec::new() };
        Ok(Created {
            instructions,
            ..failed(output)
        })
    }
}

/// The result the interpreter gets from a call or creation it made: the
/// callee's gas is metered on its own, so the caller gets all of it back.
fn outcome(success: bool, output: Vec<u8>, gas_limit: u64) -> InterpreterResult {
    let result = if success {
        InstructionResult::Return
    } else {
        InstructionResult::Revert
    };
    InterpreterResult::new(result, output.into(), Gas::new(gas_limit))
}

/// Interprets `code` with `input` in `frame`, handing its calls and
/// creations to the dispatcher. Returns the result and the WASM
/// instructions of the programs it called.
fn interpret(frame: &Frame, code: Vec<u8>, input: Vec<u8>) -> Result<(InterpreterResult, u64)> {
    let contract = Contract::new(
        input.into(),
        Bytecode::new_legacy(code.into()),
        None,
        frame.address,
        Some(frame.code_address),
        frame.sender,
        frame.value,
    );
    let mut interpreter = Interpreter::new(contract, frame.gas, frame.is_static);
    let table = make_instruction_table::<EvmHost, CancunSpec>();
    let mut host = EvmHost {
        state: frame.state.clone(),
        env: env(frame),
    };
    let mut memory = SharedMemory::new();
    let mut instructions = 0;
    let result = loop {
        let action = interpreter.run(memory, &table, &mut host);
        memory = interpreter.take_memory();
        match action {
            InterpreterAction::Call { inputs } => {
                let mut child = frame.child(
                    inputs.target_address,
                    inputs.bytecode_address,
                    inputs.caller,
                    inputs.call_value(),
                    inputs.value.is_transfer(),
                    inputs.input.to_vec(),
                    inputs.is_static,
                );
                child.gas = inputs.gas_limit;
                let (success, output, n) = run(child)?;
                instructions += n;
                let result = outcome(success, output, inputs.gas_limit);
                interpreter.insert_call_outcome(
                    &mut memory,
                    CallOutcome::new(result, inputs.return_memory_offset.clone()),
                );
            }
            InterpreterAction::Create { inputs } => {
                let salt = match inputs.scheme {
                    CreateScheme::Create2 { salt } => Some(B256::from(salt)),
                    CreateScheme::Create => None,
                };
                let c = create(
                    frame,
                    inputs.caller,
                    salt,
                    inputs.value,
                    inputs.init_code.to_vec(),
                )?;
                instructions += c.instructions;
                let result = outcome(c.success, c.output, inputs.gas_limit);
                interpreter.insert_create_outcome(CreateOutcome::new(result, c.address));
            }
            InterpreterAction::Return { result } => break result,
            // EOF is not enabled on Arbitrum: its creation never comes here.
            InterpreterAction::EOFCreate { .. } | InterpreterAction::None => {
                break InterpreterResult::new(
                    InstructionResult::OpcodeNotFound,
                    Bytes::new(),
                    interpreter.gas,
                )
            }
        }
    };
    frame.state.borrow_mut().costs.gas += result.gas.spent();
    Ok((result, instructions))
}

/// The interpreter's view of the chain: the devnet's state itself.
struct EvmHost {
    state: Rc<RefCell<State>>,
    env: Env,
}

impl Host for EvmHost {
    fn env(&self) -> &Env {
        &self.env
    }

    fn env_mut(&mut self) -> &mut Env {
        &mut self.env
    }

    fn load_account_delegated(&mut self, address: Address) -> Option<AccountLoad> {
        let mut s = self.state.borrow_mut();
        let is_cold = s.costs.warm_account(address);
        let is_empty = s.accounts.get(&address).is_none_or(Account::is_empty);
        Some(AccountLoad {
            load: Eip7702CodeLoad::new_not_delegated((), is_cold),
            is_empty,
        })
    }

    /// The devnet keeps no block hashes in the chain (the RPC layer
    /// makes them): `BLOCKHASH` gives keccak256 of the block number.
    fn block_hash(&mut self, number: u64) -> Option<B256> {
        Some(keccak256(number.to_be_bytes()))
    }

    fn balance(&mut self, address: Address) -> Option<StateLoad<U256>> {
        let mut s = self.state.borrow_mut();
        let is_cold = s.costs.warm_account(address);
        let balance = s
            .accounts
            .get(&address)
            .map(|a| a.balance)
            .unwrap_or_default();
        Some(StateLoad::new(balance, is_cold))
    }

    fn code(&mut self, address: Address) -> Option<StateLoad<Bytes>> {
        let mut s = self.state.borrow_mut();
        let is_cold = s.costs.warm_account(address);
        Some(StateLoad::new(s.code(address), is_cold))
    }

    fn code_hash(&mut self, address: Address) -> Option<StateLoad<B256>> {
        let mut s = self.state.borrow_mut();
        let is_cold = s.costs.warm_account(address);
        let hash = match s.accounts.get(&address) {
            None => B256::ZERO,
            Some(a) if a.is_empty() => B256::ZERO,
            Some(a) if a.code.is_empty() => KECCAK_EMPTY,
            Some(a) => keccak256(&a.code),
        };
        Some(StateLoad::new(hash, is_cold))
    }

    fn sload(&mut self, address: Address, index: U256) -> Option<StateLoad<U256>> {
        let mut s = self.state.borrow_mut();
        let slot = B256::from(index);
        let value = s.stored(address, slot);
        let (is_cold, _) = s.costs.warm_slot(address, slot, value);
        s.reads += 1;
        Some(StateLoad::new(value.into(), is_cold))
    }

    fn sstore(
        &mut self,
        address: Address,
        index: U256,
        value: U256,
    ) -> Option<StateLoad<SStoreResult>> {
        let mut s = self.state.borrow_mut();
        let slot = B256::from(index);
        let present = s.stored(address, slot);
        let (is_cold, original) = s.costs.warm_slot(address, slot, present);
        s.written.insert((address, slot));
        s.store(address, slot, B256::from(value));
        Some(StateLoad::new(
            SStoreResult {
                original_value: original.into(),
                present_value: present.into(),
                new_value: value,
            },
            is_cold,
        ))
    }

    fn tload(&mut self, address: Address, index: U256) -> U256 {
        let s = self.state.borrow();
        s.transient
            .get(&(address, B256::from(index)))
            .map(|v| (*v).into())
            .unwrap_or_default()
    }

    fn tstore(&mut self, address: Address, index: U256, value: U256) {
        self.state
            .borrow_mut()
            .transient
            .insert((address, B256::from(index)), B256::from(value));
    }

    fn log(&mut self, log: EvmLog) {
        self.state.borrow_mut().logs.push(Log {
            address: log.address,
            topics: log.data.topics().to_vec(),
            data: log.data.data.to_vec(),
        });
    }

    /// Cancun's `SELFDESTRUCT`: the balance moves to `target`, the
    /// account stays (it was not created in this transaction's frame).
    fn selfdestruct(
        &mut self,
        address: Address,
        target: Address,
    ) -> Option<StateLoad<SelfDestructResult>> {
        let mut s = self.state.borrow_mut();
        let is_cold = s.costs.warm_account(target);
        let target_exists = s.accounts.contains_key(&target);
        let balance = s
            .accounts
            .get(&address)
            .map(|a| a.balance)
            .unwrap_or_default();
        s.transfer(address, target, balance);
        Some(StateLoad::new(
            SelfDestructResult {
                had_value: !balance.is_zero(),
                target_exists,
                previously_destroyed: false,
            },
            is_cold,
        ))
    }
}
