//! Gas estimates.
//!
//! **Compute** is priced in ink per WASM operator by Stylus's published
//! table (docs.arbitrum.io/stylus/reference/opcode-hostio-pricing): each
//! module is instrumented before it is compiled — every straight-line run
//! of operators adds its summed ink to an exported `i64` global just before
//! the control operator (block, loop, if, else, end, br*, return, call*)
//! that ends it, and `memory.copy`/`memory.fill` add their per-byte ink at
//! run time. **Host I/O** is priced by the same page (8,400 ink per host
//! call, 13,440 for the 32-byte getters, `read_args`, `write_result` and
//! `keccak` by size), and **state** as the EVM prices it: SLOAD 2,100 cold /
//! 100 warm, SSTORE 20,000 set / 2,900 reset (+2,100 cold) / 100 no-op
//! (EIP-2200/2929, no refunds), account access 2,600 cold / 100 warm,
//! value transfer 9,000, LOG 375 + 375 per topic + 8 per byte, transient
//! load or store 100. A
//! transaction adds 21,000 and its calldata (16 per non-zero byte, 4 per
//! zero byte). 10,000 ink make one gas.
//!
//! These are estimates, not Nitro's consensus figures: Nitro's own
//! metering, memory pricing and caching discounts differ in detail.

use std::collections::{HashMap, HashSet};

use alloy_primitives::{Address, B256};
use anyhow::{anyhow, Result};
use wasm_encoder::{
    reencode::{utils, Reencode},
    ConstExpr, ExportKind, GlobalType, Instruction, ValType,
};
use wasmparser::{FunctionBody, Operator, Parser, Payload, TypeRef};

/// Ink in one gas.
pub const INK_PER_GAS: u64 = 10_000;
/// The exported global the instrumented module counts its ink in.
pub(crate) const INK_GLOBAL: &str = "spon_devnet_ink";
/// Ink of a host call (the 32-byte getters cost [`HOSTIO_WORD_INK`]).
pub(crate) const HOSTIO_INK: u64 = 8_400;
/// Ink of a host call returning a word or an address.
pub(crate) const HOSTIO_WORD_INK: u64 = 13_440;

/// Ink of `op` when its cost is static; `call_indirect` is given the
/// parameter count of its type.
fn ink(op: &Operator<'_>, indirect_params: u64) -> u64 {
    use Operator as O;
    match op {
        O::Unreachable | O::Nop | O::Block { .. } | O::Loop { .. } | O::Else | O::End => 1,
        O::Return | O::I32Const { .. } | O::I64Const { .. } => 1,
        O::If { .. } | O::Br { .. } | O::BrIf { .. } => 765,
        O::BrTable { targets } => 2_400 + 325 * u64::from(targets.len()),
        O::Call { .. } => 3_800,
        O::CallIndirect { .. } => 13_610 + 650 * indirect_params,
        O::Drop => 9,
        O::Select | O::TypedSelect { .. } => 1_250,
        O::LocalGet { .. } | O::LocalTee { .. } => 75,
        O::LocalSet { .. } => 210,
        O::GlobalGet { .. } => 225,
        O::GlobalSet { .. } => 575,
        O::I32Load { .. }
        | O::I32Load8S { .. }
        | O::I32Load8U { .. }
        | O::I32Load16S { .. }
        | O::I32Load16U { .. } => 670,
        O::I64Load { .. }
        | O::I64Load8S { .. }
        | O::I64Load8U { .. }
        | O::I64Load16S { .. }
        | O::I64Load16U { .. }
        | O::I64Load32S { .. }
        | O::I64Load32U { .. } => 680,
        O::I32Store { .. } | O::I32Store8 { .. } | O::I32Store16 { .. } => 825,
        O::I64Store { .. } | O::I64Store8 { .. } | O::I64Store16 { .. } | O::I64Store32 { .. } => {
            950
        }
        O::MemorySize { .. } => 3_000,
        O::MemoryGrow { .. } => 8_050,
        O::I32Eqz
        | O::I32Eq
        | O::I32Ne
        | O::I32LtS
        | O::I32LtU
        | O::I32GtS
        | O::I32GtU
        | O::I32LeS
        | O::I32LeU
        | O::I32GeS
        | O::I32GeU => 170,
        O::I64Eqz
        | O::I64Eq
        | O::I64Ne
        | O::I64LtS
        | O::I64LtU
        | O::I64GtS
        | O::I64GtU
        | O::I64LeS
        | O::I64LeU
        | O::I64GeS
        | O::I64GeU => 225,
        O::I32Clz | O::I32Ctz | O::I64Clz | O::I64Ctz => 210,
        O::I32Popcnt => 2_650,
        O::I64Popcnt => 6_000,
        O::I32Add
        | O::I32Sub
        | O::I32And
        | O::I32Or
        | O::I32Xor
        | O::I32Shl
        | O::I32ShrS
        | O::I32ShrU
        | O::I32Rotl
        | O::I32Rotr => 70,
        O::I32Mul | O::I64Mul => 160,
        O::I32DivS | O::I32DivU | O::I32RemS | O::I32RemU => 1_120,
        O::I64DivS | O::I64DivU | O::I64RemS | O::I64RemU => 1_270,
        O::I64Add
        | O::I64Sub
        | O::I64And
        | O::I64Or
        | O::I64Xor
        | O::I64Shl
        | O::I64ShrS
        | O::I64ShrU
        | O::I64Rotl
        | O::I64Rotr
        | O::I32WrapI64
        | O::I64ExtendI32S
        | O::I64ExtendI32U
        | O::I32Extend8S
        | O::I32Extend16S
        | O::I64Extend8S
        | O::I64Extend16S
        | O::I64Extend32S => 100,
        // The per-byte part is added at run time.
        O::MemoryCopy { .. } | O::MemoryFill { .. } => 950,
        // Not in the published table (Stylus modules rarely use them):
        // priced like a division, the dearest common operator.
        _ => 1_270,
    }
}

/// Whether `op` ends a straight-line run: the ink of the run is added
/// just before it.
fn ends_run(op: &Operator<'_>) -> bool {
    use Operator as O;
    matches!(
        op,
        O::Block { .. }
            | O::Loop { .. }
            | O::If { .. }
            | O::Else
            | O::End
            | O::Br { .. }
            | O::BrIf { .. }
            | O::BrTable { .. }
            | O::Return
            | O::Call { .. }
            | O::CallIndirect { .. }
            | O::Unreachable
    )
}

/// The module's shape the instrumentation needs.
#[derive(Default)]
struct Shape {
    /// Parameter count of each type.
    type_params: Vec<u32>,
    /// Type of each function (imported first).
    func_types: Vec<u32>,
    imported_funcs: u32,
    imported_globals: u32,
    defined_globals: u32,
}

struct Meter {
    shape: Shape,
    /// The ink global's index.
    global: u32,
    /// Index of the function body being encoded.
    next_func: u32,
    globals_written: bool,
}

impl Meter {
    fn add_ink(&self, f: &mut wasm_encoder::Function, ink: u64) {
        if ink == 0 {
            return;
        }
        f.instruction(&Instruction::GlobalGet(self.global));
        f.instruction(&Instruction::I64Const(ink as i64));
        f.instruction(&Instruction::I64Add);
        f.instruction(&Instruction::GlobalSet(self.global));
    }

    fn ink_global(&self, globals: &mut wasm_encoder::GlobalSection) {
        globals.global(
            GlobalType {
                val_type: ValType::I64,
                mutable: true,
                shared: false,
            },
            &ConstExpr::i64_const(0),
        );
    }
}

impl Reencode for Meter {
    type Error = anyhow::Error;

    fn parse_global_section(
        &mut self,
        globals: &mut wasm_encoder::GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        utils::parse_global_section(self, globals, section)?;
        self.ink_global(globals);
        self.globals_written = true;
        Ok(())
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        _after: Option<wasm_encoder::SectionId>,
        before: Option<wasm_encoder::SectionId>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        use wasm_encoder::SectionId as S;
        // A module without globals gets a global section before its
        // exports (or whatever follows where it would be).
        let past_globals = matches!(
            before,
            None | Some(S::Export | S::Start | S::Element | S::DataCount | S::Code | S::Data)
        );
        if !self.globals_written && past_globals {
            let mut globals = wasm_encoder::GlobalSection::new();
            self.ink_global(&mut globals);
            module.section(&globals);
            self.globals_written = true;
        }
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        utils::parse_export_section(self, exports, section)?;
        exports.export(INK_GLOBAL, ExportKind::Global, self.global);
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: FunctionBody<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        let index = self.shape.imported_funcs + self.next_func;
        self.next_func += 1;
        let params = self
            .shape
            .func_types
            .get(index as usize)
            .and_then(|t| self.shape.type_params.get(*t as usize))
            .copied()
            .unwrap_or(0);
        // Declared locals, then one scratch i32 for memory.copy/fill sizes.
        let mut locals = Vec::new();
        let mut declared = 0u32;
        for pair in func.get_locals_reader()? {
            let (count, ty) = pair?;
            declared += count;
            locals.push((count, self.val_type(ty)?));
        }
        let scratch = params + declared;
        locals.push((1, ValType::I32));
        let mut f = wasm_encoder::Function::new(locals);
        let mut run = 0u64;
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            let op = reader.read()?;
            let indirect_params = match &op {
                Operator::CallIndirect { type_index, .. } => self
                    .shape
                    .type_params
                    .get(*type_index as usize)
                    .copied()
                    .unwrap_or(0)
                    .into(),
                _ => 0,
            };
            run += ink(&op, indirect_params);
            if matches!(
                op,
                Operator::MemoryCopy { .. } | Operator::MemoryFill { .. }
            ) {
                // The byte count is on top of the stack: 100 ink a byte.
                f.instruction(&Instruction::LocalTee(scratch));
                f.instruction(&Instruction::GlobalGet(self.global));
                f.instruction(&Instruction::LocalGet(scratch));
                f.instruction(&Instruction::I64ExtendI32U);
                f.instruction(&Instruction::I64Const(100));
                f.instruction(&Instruction::I64Mul);
                f.instruction(&Instruction::I64Add);
                f.instruction(&Instruction::GlobalSet(self.global));
            }
            if ends_run(&op) {
                self.add_ink(&mut f, run);
                run = 0;
            }
            f.instruction(&self.instruction(op)?);
        }
        code.function(&f);
        Ok(())
    }
}

/// `wasm` with ink metering: every function adds the ink of the operators
/// it runs to the exported global [`INK_GLOBAL`].
///
/// # Errors
/// A module wasmparser cannot read.
pub(crate) fn instrument(wasm: &[u8]) -> Result<Vec<u8>> {
    let mut shape = Shape::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(types) => {
                for ty in types.into_iter_err_on_gc_types() {
                    shape.type_params.push(ty?.params().len() as u32);
                }
            }
            Payload::ImportSection(imports) => {
                for import in imports {
                    match import?.ty {
                        TypeRef::Func(t) => {
                            shape.func_types.push(t);
                            shape.imported_funcs += 1;
                        }
                        TypeRef::Global(_) => shape.imported_globals += 1,
                        _ => {}
                    }
                }
            }
            Payload::FunctionSection(funcs) => {
                for t in funcs {
                    shape.func_types.push(t?);
                }
            }
            Payload::GlobalSection(globals) => shape.defined_globals = globals.count(),
            _ => {}
        }
    }
    let global = shape.imported_globals + shape.defined_globals;
    let mut meter = Meter {
        shape,
        global,
        next_func: 0,
        globals_written: false,
    };
    let mut module = wasm_encoder::Module::new();
    meter
        .parse_core_module(&mut module, Parser::new(0), wasm)
        .map_err(|e| anyhow!("metering the module failed: {e:?}"))?;
    Ok(module.finish())
}

/// The state costs of one transaction, as the EVM prices them.
#[derive(Debug, Default)]
pub(crate) struct Costs {
    /// Ink spent outside the programs' own operators (host calls).
    pub host_ink: u64,
    /// Gas of state access, logs and value transfers.
    pub gas: u64,
    warm_slots: HashSet<(Address, B256)>,
    warm_accounts: HashSet<Address>,
    original: HashMap<(Address, B256), B256>,
}

/// Cold and warm SLOAD; cold account access and warm access.
const COLD_SLOAD: u64 = 2_100;
const WARM_ACCESS: u64 = 100;
const COLD_ACCOUNT: u64 = 2_600;

impl Costs {
    /// A transaction from `origin` to `to`: both are warm (EIP-2929).
    pub fn new(origin: Address, to: Address) -> Self {
        let mut c = Costs::default();
        c.warm_accounts.extend([origin, to]);
        c
    }

    /// `storage_load_bytes32` of `slot` of `address`, whose stored value
    /// is `value`.
    pub fn sload(&mut self, address: Address, slot: B256, value: B256) {
        self.host_ink += HOSTIO_INK;
        self.original.entry((address, slot)).or_insert(value);
        self.gas += if self.warm_slots.insert((address, slot)) {
            COLD_SLOAD
        } else {
            WARM_ACCESS
        };
    }

    /// Writing `new` over `current` in `slot` of `address` (at a flush).
    pub fn sstore(&mut self, address: Address, slot: B256, current: B256, new: B256) {
        let cold = if self.warm_slots.insert((address, slot)) {
            COLD_SLOAD
        } else {
            0
        };
        let original = *self.original.entry((address, slot)).or_insert(current);
        let cost = if current == new || original != current {
            WARM_ACCESS
        } else if original.is_zero() {
            20_000
        } else {
            2_900
        };
        self.gas += cold + cost;
    }

    /// Touching `address` (a call, a balance or code query).
    pub fn account(&mut self, address: Address) {
        self.gas += if self.warm_accounts.insert(address) {
            COLD_ACCOUNT
        } else {
            WARM_ACCESS
        };
    }

    /// An EVM opcode's access to `address` (the interpreter prices it):
    /// whether it was cold.
    pub fn warm_account(&mut self, address: Address) -> bool {
        self.warm_accounts.insert(address)
    }

    /// An EVM opcode's access to `slot` of `address`, whose current value
    /// is `current` (the interpreter prices it): whether it was cold, and
    /// the slot's value when the transaction began.
    pub fn warm_slot(&mut self, address: Address, slot: B256, current: B256) -> (bool, B256) {
        let original = *self.original.entry((address, slot)).or_insert(current);
        (self.warm_slots.insert((address, slot)), original)
    }

    /// A transient storage load or store (EIP-1153: 100 gas).
    pub fn transient(&mut self) {
        self.host_ink += HOSTIO_INK;
        self.gas += 100;
    }

    /// A call that moves value.
    pub fn value_transfer(&mut self) {
        self.gas += 9_000;
    }

    /// A log of `topics` topics and `bytes` bytes of data.
    pub fn log(&mut self, topics: usize, bytes: usize) {
        self.host_ink += HOSTIO_INK;
        self.gas += 375 + 375 * topics as u64 + 8 * bytes as u64;
    }

    /// A host call of `ink` ink.
    pub fn host(&mut self, ink: u64) {
        self.host_ink += ink;
    }
}

/// Ink of moving `bytes` bytes in or out of the program: the first 32
/// come with the call.
pub(crate) fn io_ink(per_byte: u64, bytes: usize) -> u64 {
    HOSTIO_INK + per_byte * (bytes.saturating_sub(32) as u64)
}

/// Ink of hashing `bytes` bytes.
pub(crate) fn keccak_ink(bytes: usize) -> u64 {
    121_800 + 21_000 * (bytes as u64).div_ceil(32)
}

/// Intrinsic gas of a transaction with `calldata`.
pub fn intrinsic_gas(calldata: &[u8]) -> u64 {
    21_000
        + calldata
            .iter()
            .map(|&b| if b == 0 { 4 } else { 16 })
            .sum::<u64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sstore_follows_eip_2200_and_2929() {
        let (a, s) = (Address::with_last_byte(1), B256::with_last_byte(1));
        let (zero, one, two) = (B256::ZERO, B256::with_last_byte(1), B256::with_last_byte(2));
        // Cold set: 2,100 + 20,000; then a second write of the same slot
        // in the transaction is warm and dirty: 100.
        let mut c = Costs::new(Address::ZERO, a);
        c.sstore(a, s, zero, one);
        assert_eq!(c.gas, 22_100);
        c.sstore(a, s, one, two);
        assert_eq!(c.gas, 22_200);
        // A warm read then a reset of a non-zero slot: 2,100 + 2,900.
        let mut c = Costs::new(Address::ZERO, a);
        c.sload(a, s, one);
        c.sstore(a, s, one, two);
        assert_eq!(c.gas, 5_000);
        // Writing the value already there: cold 2,100 + 100.
        let mut c = Costs::new(Address::ZERO, a);
        c.sstore(a, s, one, one);
        assert_eq!(c.gas, 2_200);
        // Accounts: the transaction's own are warm.
        let mut c = Costs::new(Address::ZERO, a);
        c.account(a);
        c.account(Address::with_last_byte(9));
        c.account(Address::with_last_byte(9));
        assert_eq!(c.gas, 100 + 2_600 + 100);
    }

    #[test]
    fn intrinsic_and_io_prices() {
        assert_eq!(intrinsic_gas(&[0, 1, 0, 2]), 21_000 + 4 + 16 + 4 + 16);
        assert_eq!(io_ink(5_040, 32), 8_400);
        assert_eq!(io_ink(5_040, 36), 8_400 + 4 * 5_040);
        assert_eq!(keccak_ink(0), 121_800);
        assert_eq!(keccak_ink(33), 121_800 + 2 * 21_000);
    }
}
