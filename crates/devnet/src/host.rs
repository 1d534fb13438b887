//! The `vm_hooks` (and `console`) host functions, as stylus-sdk programs
//! import them. Pointers and lengths are `i32` offsets into the program's
//! memory.

use alloy_primitives::{keccak256, Address, B256, U256};
use anyhow::Result;
use wasmtime::{Caller, Engine, Linker};

use crate::{
    flush, host_error, memory,
    meter::{io_ink, keccak_ink, HOSTIO_INK, HOSTIO_WORD_INK},
    run, ExitEarly, Frame, Log, CHAIN_ID,
};

type C<'a> = Caller<'a, Frame>;

fn read(c: &mut C<'_>, ptr: i32, len: i32) -> Result<Vec<u8>> {
    let mem = memory(c)?;
    let mut buf = vec![0u8; len as u32 as usize];
    mem.read(&*c, ptr as u32 as usize, &mut buf)
        .map_err(|_| host_error("read out of bounds"))?;
    Ok(buf)
}

fn write(c: &mut C<'_>, ptr: i32, data: &[u8]) -> Result<()> {
    let mem = memory(c)?;
    mem.write(&mut *c, ptr as u32 as usize, data)
        .map_err(|_| host_error("write out of bounds"))
}

fn read_word(c: &mut C<'_>, ptr: i32) -> Result<B256> {
    Ok(B256::from_slice(&read(c, ptr, 32)?))
}

fn read_address(c: &mut C<'_>, ptr: i32) -> Result<Address> {
    Ok(Address::from_slice(&read(c, ptr, 20)?))
}

fn account<R>(c: &C<'_>, a: Address, f: impl FnOnce(Option<&crate::Account>) -> R) -> R {
    f(c.data().state.borrow().accounts.get(&a))
}

/// Calls `to` from the current frame; returns the Stylus status (0 ok,
/// 1 revert) and stores the callee's output as return data.
/// Charges a host call that touches account `a`.
fn touch(c: &C<'_>, a: Address) {
    let mut s = c.data().state.borrow_mut();
    s.costs.host(HOSTIO_INK);
    s.costs.account(a);
}

/// Charges `ink` of host work to the transaction.
fn charge(c: &C<'_>, ink: u64) {
    c.data().state.borrow_mut().costs.host(ink);
}

/// How a program calls another contract.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Call,
    Static,
    /// The callee's code on the caller's storage, sender and value.
    Delegate,
}

#[allow(clippy::too_many_arguments)]
fn call(
    c: &mut C<'_>,
    kind: Kind,
    to: i32,
    data: i32,
    len: i32,
    value: Option<i32>,
    gas: i64,
    out_len: i32,
) -> Result<i32> {
    let to = read_address(c, to)?;
    let args = read(c, data, len)?;
    let value = match value {
        Some(ptr) => U256::from_be_bytes(read_word(c, ptr)?.0),
        None => U256::ZERO,
    };
    {
        let mut s = c.data().state.borrow_mut();
        s.costs.host(HOSTIO_INK);
        s.costs.account(to);
        if !value.is_zero() {
            s.costs.value_transfer();
        }
    }
    let f = c.data_mut();
    if f.is_static && !value.is_zero() {
        return Err(host_error("value transfer in a static call"));
    }
    // Stylus persists the caller's storage cache before any outgoing call.
    let cache = std::mem::take(&mut f.cache);
    flush(&f.state, f.address, cache);
    let mut callee = match kind {
        Kind::Delegate => f.child(f.address, to, f.sender, f.value, false, args, false),
        _ => f.child(to, to, f.address, value, true, args, kind == Kind::Static),
    };
    callee.gas = (gas as u64).min(callee.gas);
    let (ok, output, instructions) = run(callee)?;
    let f = c.data_mut();
    f.instructions += instructions;
    let n = output.len() as i32;
    f.return_data = output;
    write(c, out_len, &n.to_le_bytes())?;
    Ok(i32::from(!ok))
}

/// `create1` (no salt) or `create2`: runs EVM init code from the program
/// (whose storage cache is flushed first); writes the new address (zero
/// if the creation failed) and the length of the revert data, which
/// becomes the return data.
#[allow(clippy::too_many_arguments)]
fn create(
    c: &mut C<'_>,
    code: i32,
    len: i32,
    endowment: i32,
    salt: Option<i32>,
    contract: i32,
    revert_len: i32,
) -> Result<()> {
    let init_code = read(c, code, len)?;
    let value = U256::from_be_bytes(read_word(c, endowment)?.0);
    let salt = salt.map(|ptr| read_word(c, ptr)).transpose()?;
    if c.data().is_static {
        return Err(host_error("contract creation in a static call"));
    }
    charge(c, HOSTIO_INK);
    let f = c.data_mut();
    let cache = std::mem::take(&mut f.cache);
    flush(&f.state, f.address, cache);
    let created = crate::evm::create(f, f.address, salt, value, init_code)?;
    f.instructions += created.instructions;
    f.return_data = if created.success {
        Vec::new()
    } else {
        created.output
    };
    let n = f.return_data.len() as i32;
    let address = created.address.unwrap_or_default();
    write(c, contract, address.as_slice())?;
    write(c, revert_len, &n.to_le_bytes())
}

/// A linker with every host function a stylus-sdk 0.9 program may import.
pub(crate) fn linker(engine: &Engine) -> Result<Linker<Frame>> {
    let mut l = Linker::new(engine);
    let vm = "vm_hooks";

    l.func_wrap(vm, "read_args", |mut c: C<'_>, dest: i32| {
        let args = c.data().args.clone();
        charge(&c, io_ink(5_040, args.len()));
        write(&mut c, dest, &args)
    })?;
    l.func_wrap(vm, "write_result", |mut c: C<'_>, ptr: i32, len: i32| {
        let out = read(&mut c, ptr, len)?;
        charge(&c, io_ink(16_381, out.len()));
        c.data_mut().output = out;
        Ok(())
    })?;
    l.func_wrap(vm, "exit_early", |_: C<'_>, status: i32| -> Result<()> {
        Err(ExitEarly(status).into())
    })?;
    l.func_wrap(
        vm,
        "storage_load_bytes32",
        |mut c: C<'_>, key: i32, dest: i32| {
            let key = read_word(&mut c, key)?;
            let f = c.data();
            let mut s = f.state.borrow_mut();
            let stored = s.stored(f.address, key);
            s.costs.sload(f.address, key, stored);
            let value = match f.cache.get(&key) {
                Some(v) => *v,
                None => {
                    s.reads += 1;
                    stored
                }
            };
            drop(s);
            write(&mut c, dest, value.as_slice())
        },
    )?;
    l.func_wrap(
        vm,
        "storage_cache_bytes32",
        |mut c: C<'_>, key: i32, value: i32| {
            let key = read_word(&mut c, key)?;
            let value = read_word(&mut c, value)?;
            if c.data().is_static {
                return Err(host_error("storage write in a static call"));
            }
            charge(&c, HOSTIO_INK);
            c.data_mut().cache.insert(key, value);
            Ok(())
        },
    )?;
    l.func_wrap(vm, "storage_flush_cache", |mut c: C<'_>, _clear: i32| {
        charge(&c, HOSTIO_INK);
        let f = c.data_mut();
        let cache = std::mem::take(&mut f.cache);
        flush(&f.state, f.address, cache);
    })?;
    // EIP-1153: per transaction, rolled back with the frame that wrote it;
    // 100 gas a load or a store.
    l.func_wrap(
        vm,
        "transient_load_bytes32",
        |mut c: C<'_>, key: i32, dest: i32| {
            let key = read_word(&mut c, key)?;
            let f = c.data();
            let mut s = f.state.borrow_mut();
            s.costs.transient();
            let value = s
                .transient
                .get(&(f.address, key))
                .copied()
                .unwrap_or_default();
            drop(s);
            write(&mut c, dest, value.as_slice())
        },
    )?;
    l.func_wrap(
        vm,
        "transient_store_bytes32",
        |mut c: C<'_>, key: i32, value: i32| -> Result<()> {
            let key = read_word(&mut c, key)?;
            let value = read_word(&mut c, value)?;
            let f = c.data();
            if f.is_static {
                return Err(host_error("transient storage write in a static call"));
            }
            let mut s = f.state.borrow_mut();
            s.costs.transient();
            s.transient.insert((f.address, key), value);
            Ok(())
        },
    )?;
    l.func_wrap(
        vm,
        "emit_log",
        |mut c: C<'_>, ptr: i32, len: i32, topics: i32| {
            let data = read(&mut c, ptr, len)?;
            let n = topics as u32 as usize;
            if n > 4 || data.len() < 32 * n {
                return Err(host_error("bad log"));
            }
            if c.data().is_static {
                return Err(host_error("log in a static call"));
            }
            c.data()
                .state
                .borrow_mut()
                .costs
                .log(n, data.len() - 32 * n);
            let log = Log {
                address: c.data().address,
                topics: data[..32 * n].chunks(32).map(B256::from_slice).collect(),
                data: data[32 * n..].to_vec(),
            };
            c.data().state.borrow_mut().logs.push(log);
            Ok(())
        },
    )?;
    l.func_wrap(vm, "msg_sender", |mut c: C<'_>, dest: i32| {
        charge(&c, HOSTIO_WORD_INK);
        let a = c.data().sender;
        write(&mut c, dest, a.as_slice())
    })?;
    l.func_wrap(vm, "msg_value", |mut c: C<'_>, dest: i32| {
        charge(&c, HOSTIO_WORD_INK);
        let v = c.data().value.to_be_bytes::<32>();
        write(&mut c, dest, &v)
    })?;
    l.func_wrap(vm, "msg_reentrant", |c: C<'_>| -> i32 {
        charge(&c, HOSTIO_INK);
        let f = c.data();
        let s = f.state.borrow();
        i32::from(s.stack.iter().filter(|a| **a == f.address).count() > 1)
    })?;
    l.func_wrap(vm, "tx_origin", |mut c: C<'_>, dest: i32| {
        charge(&c, HOSTIO_WORD_INK);
        let a = c.data().origin;
        write(&mut c, dest, a.as_slice())
    })?;
    l.func_wrap(vm, "contract_address", |mut c: C<'_>, dest: i32| {
        charge(&c, HOSTIO_WORD_INK);
        let a = c.data().address;
        write(&mut c, dest, a.as_slice())
    })?;
    l.func_wrap(vm, "block_timestamp", |c: C<'_>| -> i64 {
        charge(&c, HOSTIO_INK);
        c.data().timestamp as i64
    })?;
    l.func_wrap(vm, "block_number", |c: C<'_>| -> i64 {
        charge(&c, HOSTIO_INK);
        c.data().block_number as i64
    })?;
    l.func_wrap(vm, "chainid", |_: C<'_>| -> i64 { CHAIN_ID as i64 })?;
    l.func_wrap(vm, "block_gas_limit", |_: C<'_>| -> i64 { 32_000_000 })?;
    l.func_wrap(vm, "block_basefee", |mut c: C<'_>, dest: i32| {
        write(
            &mut c,
            dest,
            &U256::from(crate::rpc::GAS_PRICE).to_be_bytes::<32>(),
        )
    })?;
    l.func_wrap(vm, "block_coinbase", |mut c: C<'_>, dest: i32| {
        write(&mut c, dest, crate::COINBASE.as_slice())
    })?;
    l.func_wrap(vm, "tx_gas_price", |mut c: C<'_>, dest: i32| {
        write(
            &mut c,
            dest,
            &U256::from(crate::rpc::GAS_PRICE).to_be_bytes::<32>(),
        )
    })?;
    l.func_wrap(vm, "tx_ink_price", |_: C<'_>| -> i32 { 10_000 })?;
    l.func_wrap(vm, "evm_gas_left", |c: C<'_>| -> i64 {
        (c.get_fuel().unwrap_or(0) / 10_000) as i64
    })?;
    l.func_wrap(vm, "evm_ink_left", |c: C<'_>| -> i64 {
        c.get_fuel().unwrap_or(0) as i64
    })?;
    l.func_wrap(vm, "pay_for_memory_grow", |_: C<'_>, _pages: i32| {})?;
    l.func_wrap(
        vm,
        "native_keccak256",
        |mut c: C<'_>, ptr: i32, len: i32, out: i32| {
            let data = read(&mut c, ptr, len)?;
            charge(&c, keccak_ink(data.len()));
            write(&mut c, out, keccak256(data).as_slice())
        },
    )?;
    l.func_wrap(
        vm,
        "account_balance",
        |mut c: C<'_>, address: i32, dest: i32| {
            let a = read_address(&mut c, address)?;
            touch(&c, a);
            let b = account(&c, a, |a| a.map(|a| a.balance).unwrap_or_default());
            write(&mut c, dest, &b.to_be_bytes::<32>())
        },
    )?;
    l.func_wrap(
        vm,
        "account_codehash",
        |mut c: C<'_>, address: i32, dest: i32| {
            let a = read_address(&mut c, address)?;
            touch(&c, a);
            let h = account(&c, a, |a| match a {
                Some(a) if !a.code.is_empty() => keccak256(&a.code),
                Some(_) => keccak256([]),
                None => B256::ZERO,
            });
            write(&mut c, dest, h.as_slice())
        },
    )?;
    l.func_wrap(
        vm,
        "account_code_size",
        |mut c: C<'_>, address: i32| -> Result<i32> {
            let a = read_address(&mut c, address)?;
            touch(&c, a);
            Ok(account(&c, a, |a| a.map_or(0, |a| a.code.len())) as i32)
        },
    )?;
    l.func_wrap(
        vm,
        "account_code",
        |mut c: C<'_>, address: i32, offset: i32, size: i32, dest: i32| -> Result<i32> {
            let a = read_address(&mut c, address)?;
            touch(&c, a);
            let code = account(&c, a, |a| a.map(|a| a.code.clone()).unwrap_or_default());
            let start = (offset as u32 as usize).min(code.len());
            let end = start.saturating_add(size as u32 as usize).min(code.len());
            write(&mut c, dest, &code[start..end])?;
            Ok((end - start) as i32)
        },
    )?;
    l.func_wrap(
        vm,
        "call_contract",
        |mut c: C<'_>, to: i32, data: i32, len: i32, value: i32, gas: i64, out_len: i32| {
            call(&mut c, Kind::Call, to, data, len, Some(value), gas, out_len)
        },
    )?;
    l.func_wrap(
        vm,
        "static_call_contract",
        |mut c: C<'_>, to: i32, data: i32, len: i32, gas: i64, out_len: i32| {
            call(&mut c, Kind::Static, to, data, len, None, gas, out_len)
        },
    )?;
    l.func_wrap(
        vm,
        "delegate_call_contract",
        |mut c: C<'_>, to: i32, data: i32, len: i32, gas: i64, out_len: i32| {
            call(&mut c, Kind::Delegate, to, data, len, None, gas, out_len)
        },
    )?;
    l.func_wrap(
        vm,
        "create1",
        |mut c: C<'_>, code: i32, len: i32, endowment: i32, contract: i32, revert_len: i32| {
            create(&mut c, code, len, endowment, None, contract, revert_len)
        },
    )?;
    l.func_wrap(
        vm,
        "create2",
        |mut c: C<'_>,
         code: i32,
         len: i32,
         endowment: i32,
         salt: i32,
         contract: i32,
         revert_len: i32| {
            create(
                &mut c,
                code,
                len,
                endowment,
                Some(salt),
                contract,
                revert_len,
            )
        },
    )?;
    l.func_wrap(vm, "return_data_size", |c: C<'_>| -> i32 {
        c.data().return_data.len() as i32
    })?;
    l.func_wrap(
        vm,
        "read_return_data",
        |mut c: C<'_>, dest: i32, offset: i32, size: i32| -> Result<i32> {
            let data = c.data().return_data.clone();
            let start = (offset as u32 as usize).min(data.len());
            let end = start.saturating_add(size as u32 as usize).min(data.len());
            write(&mut c, dest, &data[start..end])?;
            Ok((end - start) as i32)
        },
    )?;

    // Debug builds of programs print through `console`: shown on standard
    // error, prefixed with the program's address, when SPON_DEVNET_CONSOLE
    // is set.
    let console = "console";
    l.func_wrap(console, "log_txt", |mut c: C<'_>, ptr: i32, len: i32| {
        let text = read(&mut c, ptr, len)?;
        print_console(&c, &String::from_utf8_lossy(&text));
        Ok(())
    })?;
    l.func_wrap(console, "log_i32", |c: C<'_>, v: i32| print_console(&c, &v))?;
    l.func_wrap(console, "log_i64", |c: C<'_>, v: i64| print_console(&c, &v))?;
    l.func_wrap(console, "log_f32", |c: C<'_>, v: f32| print_console(&c, &v))?;
    l.func_wrap(console, "log_f64", |c: C<'_>, v: f64| print_console(&c, &v))?;
    Ok(l)
}

/// Whether `console` output is shown (`SPON_DEVNET_CONSOLE` set).
static CONSOLE: std::sync::LazyLock<bool> =
    std::sync::LazyLock::new(|| std::env::var_os("SPON_DEVNET_CONSOLE").is_some());

fn print_console(c: &C<'_>, what: &dyn std::fmt::Display) {
    if *CONSOLE {
        eprintln!("console {}: {what}", c.data().address);
    }
}
