//! The ArbWasm precompile (`0x…71`): activation of Stylus programs.
//!
//! Code that starts with Stylus's prefix is stored by any creation, but
//! runs only once `activateProgram(program)` has accepted it: the module
//! is decompressed, refused where Nitro's activation refuses it (the
//! checks of `stylus-artifact`: imports, memory, size), compiled, and
//! kept by the keccak256 of the code, so every contract with the same code
//! is active. Calling a program before that reverts with
//! `ProgramNotActivated()`, as on Nitro.
//!
//! The data fee is the devnet's own figure, [`DATA_FEE_PER_BYTE`] wei per
//! byte of stored code (Nitro prices the compiled module and the ArbOS
//! data pricer, which the devnet does not model): a caller sending less
//! gets `ProgramInsufficientValue(have, want)`, one sending more gets the
//! rest back, the fee goes to [`NETWORK_FEE_ACCOUNT`].

use alloy_primitives::{address, keccak256, Address, B256, U256};
use alloy_sol_types::{sol, Revert, SolCall, SolError, SolEvent, SolInterface};
use anyhow::Result;

use crate::{accept, Frame, Log};

/// Address of the ArbWasm precompile.
pub const ADDRESS: Address = address!("0000000000000000000000000000000000000071");
/// Where activation fees go (Arbitrum's network fee account).
pub const NETWORK_FEE_ACCOUNT: Address = address!("00000000000000000000000000000000000a4b05");
/// The Stylus version programs are activated at.
pub const STYLUS_VERSION: u16 = 2;
/// Activation data fee, wei per byte of code (0.1 gwei, one gas at the
/// devnet's gas price).
pub const DATA_FEE_PER_BYTE: u64 = 100_000_000;
/// Ink price reported (ink per gas).
const INK_PRICE: u32 = 10_000;

sol! {
    /// The part of ArbWasm (Nitro's `precompiles/ArbWasm.sol`) that
    /// deployment uses.
    interface ArbWasm {
        function activateProgram(address program) external payable returns (uint16 version, uint256 dataFee);
        function stylusVersion() external view returns (uint16 version);
        function codehashVersion(bytes32 codehash) external view returns (uint16 version);
        function programVersion(address program) external view returns (uint16 version);
        function inkPrice() external view returns (uint32 price);

        event ProgramActivated(bytes32 indexed codehash, bytes32 moduleHash, address program, uint256 dataFee, uint16 version);

        error ProgramNotWasm();
        error ProgramNotActivated();
        error ProgramUpToDate();
        error ProgramInsufficientValue(uint256 have, uint256 want);
    }
}

use ArbWasm::{ArbWasmCalls as Calls, *};

/// Revert data of a call to Stylus code not activated yet.
pub(crate) fn not_activated() -> Vec<u8> {
    ProgramNotActivated {}.abi_encode()
}

/// The fee to activate `code`.
pub fn data_fee(code: &[u8]) -> U256 {
    U256::from(DATA_FEE_PER_BYTE) * U256::from(code.len())
}

/// Runs a call to the precompile: `(success, output)`. The value the call
/// carried is already at [`ADDRESS`].
pub(crate) fn call(frame: &Frame) -> Result<(bool, Vec<u8>)> {
    let Ok(call) = Calls::abi_decode(&frame.args, true) else {
        return Ok((false, Vec::new()));
    };
    // Only activation is payable.
    if !frame.value.is_zero() && !matches!(call, Calls::activateProgram(_)) {
        return Ok((false, Vec::new()));
    }
    let s = frame.state.borrow();
    let version_of = |codehash: B256| {
        if s.programs.contains_key(&codehash) {
            Ok(STYLUS_VERSION)
        } else {
            Err(ProgramNotActivated {}.abi_encode())
        }
    };
    let answer = match call {
        Calls::stylusVersion(_) => Ok(stylusVersionCall::abi_encode_returns(&(STYLUS_VERSION,))),
        Calls::inkPrice(_) => Ok(inkPriceCall::abi_encode_returns(&(INK_PRICE,))),
        Calls::programVersion(c) => version_of(keccak256(s.code(c.program)))
            .map(|v| programVersionCall::abi_encode_returns(&(v,))),
        Calls::codehashVersion(c) => {
            version_of(c.codehash).map(|v| codehashVersionCall::abi_encode_returns(&(v,)))
        }
        Calls::activateProgram(c) => {
            drop(s);
            return activate(frame, c.program);
        }
    };
    Ok(match answer {
        Ok(out) => (true, out),
        Err(revert) => (false, revert),
    })
}

/// `activateProgram(program)`.
fn activate(frame: &Frame, program: Address) -> Result<(bool, Vec<u8>)> {
    if frame.is_static {
        return Ok((false, Vec::new()));
    }
    let code = frame.state.borrow().code(program);
    if !stylus_artifact::is_stylus_code(&code) {
        return Ok((false, ProgramNotWasm {}.abi_encode()));
    }
    let codehash = keccak256(&code);
    if frame.state.borrow().programs.contains_key(&codehash) {
        return Ok((false, ProgramUpToDate {}.abi_encode()));
    }
    let fee = data_fee(&code);
    if frame.value < fee {
        let refused = ProgramInsufficientValue {
            have: frame.value,
            want: fee,
        };
        return Ok((false, refused.abi_encode()));
    }
    let wasm = match stylus_artifact::module_of(&code) {
        Ok(wasm) => wasm,
        Err(e) => return Ok((false, Revert::from(format!("{e:#}")).abi_encode())),
    };
    let module = match accept(&wasm) {
        Ok((_, module)) => module,
        Err(e) => return Ok((false, Revert::from(format!("{e:#}")).abi_encode())),
    };
    let mut s = frame.state.borrow_mut();
    s.programs.insert(codehash, module);
    s.transfer(ADDRESS, NETWORK_FEE_ACCOUNT, fee);
    s.transfer(ADDRESS, frame.sender, frame.value - fee);
    let event = ProgramActivated {
        codehash,
        moduleHash: keccak256(&wasm),
        program,
        dataFee: fee,
        version: STYLUS_VERSION,
    };
    let data = event.encode_log_data();
    s.costs.log(data.topics().len(), data.data.len());
    s.logs.push(Log {
        address: ADDRESS,
        topics: data.topics().to_vec(),
        data: data.data.to_vec(),
    });
    Ok((
        true,
        activateProgramCall::abi_encode_returns(&(STYLUS_VERSION, fee)),
    ))
}
