//! # Pieces shared by the SPON contracts
//!
//! * [`admin`]: governance, roles, bounded parameters and the pause, the
//!   same admin ABI in every contract, with their errors and events;
//! * [`sol_abi!`]: a contract's errors and events, with compact encodings
//!   ([`encode`]) and the events' human-readable ABI;
//! * [`contract_errors!`]: a contract's error enum with the shared errors;
//! * [`calls`]: safe ERC-20 transfers and `ecrecover`;
//! * [`interfaces`]: the contracts' calls to each other, declared once;
//! * [`math`]: compact 256-bit division;
//! * [`Param`]: a governance parameter with its id, default and bounds;
//! * [`clock`]: the contract's notion of now;
//! * [`schedule`]: numbered periods whose length governance can change;
//! * [`Native`]: `u8`/`u16`/`u64` access to small storage integers.
#![cfg_attr(not(any(test, feature = "test-clock", feature = "export-abi")), no_std)]
extern crate alloc;
// The code `sol_abi!` generates names this crate by its name.
extern crate self as spon_contract_kit;

pub mod admin;
pub mod calls;
pub mod clock;
pub mod encode;
pub mod interfaces;
pub mod math;
pub mod schedule;

pub use spon_contract_macros::{entry_points, sol_abi};

use alloy_primitives::{U16, U32, U64, U8};
use stylus_sdk::storage::{StorageU16, StorageU32, StorageU64, StorageU8};

/// A governance parameter and its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Id used by `setParameter` and in `ParameterChanged`.
    pub id: u8,
    /// Value at construction.
    pub default: u64,
    /// Smallest value governance may set.
    pub min: u64,
    /// Largest value governance may set.
    pub max: u64,
}

impl Param {
    /// Whether the default is within the bounds.
    pub const fn is_consistent(&self) -> bool {
        self.min <= self.default && self.default <= self.max
    }
}

/// The parameter with `id` in a table indexed by id (`all[i].id == i`).
pub fn by_id(all: &[Param], id: u8) -> Option<Param> {
    all.get(usize::from(id)).copied()
}

/// Whether `all` is indexed by id and every default is within its bounds.
pub fn is_table(all: &[Param]) -> bool {
    all.iter()
        .enumerate()
        .all(|(i, p)| usize::from(p.id) == i && p.is_consistent())
}

/// Declares a contract's error enum `Error` (and re-exports the shared
/// error types beside it): the shared errors of
/// [`admin`] (`Unauthorized`, `ZeroAddress`, `EnforcedPause`,
/// `ExpectedPause`, `UnknownParameter`, `ParameterOutOfBounds`,
/// `UnknownRole`, `RoleNotRevocable`, `ArithmeticOverflow`, `CallFailed`,
/// `SafeErc20FailedOperation`)
/// followed by the contract's own variants, with `From` of
/// [`admin::Error`] so that `?` works on the admin's checks.
#[macro_export]
macro_rules! contract_errors {
    (
        $(#[$meta:meta])*
        pub enum Error { $($(#[$vmeta:meta])* $variant:ident($ty:ty)),* $(,)? }
    ) => {
        pub use $crate::admin::{
            ArithmeticOverflow, CallFailed, EnforcedPause, ExpectedPause, ParameterOutOfBounds,
            RoleNotRevocable, Unauthorized, UnknownParameter, UnknownRole, ZeroAddress,
        };
        pub use $crate::calls::SafeErc20FailedOperation;

        $crate::revert_enum! {
            $(#[$meta])*
            pub enum Error {
                Unauthorized(Unauthorized),
                ZeroAddress(ZeroAddress),
                EnforcedPause(EnforcedPause),
                ExpectedPause(ExpectedPause),
                UnknownParameter(UnknownParameter),
                ParameterOutOfBounds(ParameterOutOfBounds),
                UnknownRole(UnknownRole),
                RoleNotRevocable(RoleNotRevocable),
                ArithmeticOverflow(ArithmeticOverflow),
                CallFailed(CallFailed),
                SafeErc20FailedOperation(SafeErc20FailedOperation),
                $($(#[$vmeta])* $variant($ty)),*
            }
        }

        impl From<$crate::admin::Error> for Error {
            fn from(e: $crate::admin::Error) -> Self {
                use $crate::admin::Error as A;
                match e {
                    A::Unauthorized(e) => Error::Unauthorized(e),
                    A::ZeroAddress(e) => Error::ZeroAddress(e),
                    A::EnforcedPause(e) => Error::EnforcedPause(e),
                    A::ExpectedPause(e) => Error::ExpectedPause(e),
                    A::UnknownParameter(e) => Error::UnknownParameter(e),
                    A::ParameterOutOfBounds(e) => Error::ParameterOutOfBounds(e),
                    A::UnknownRole(e) => Error::UnknownRole(e),
                    A::RoleNotRevocable(e) => Error::RoleNotRevocable(e),
                }
            }
        }

        impl Error {
            /// `Unauthorized(account)`.
            pub fn unauthorized(account: stylus_sdk::alloy_primitives::Address) -> Self {
                Error::Unauthorized(Unauthorized { account })
            }

            /// `ArithmeticOverflow()`.
            pub fn overflow() -> Self {
                Error::ArithmeticOverflow(ArithmeticOverflow {})
            }

            /// `CallFailed(target)`.
            pub fn call_failed(target: stylus_sdk::alloy_primitives::Address) -> Self {
                Error::CallFailed(CallFailed { target })
            }

            /// `ZeroAddress()` if `a` is zero.
            pub fn nonzero(a: stylus_sdk::alloy_primitives::Address) -> Result<(), Self> {
                if a.is_zero() {
                    return Err(Error::ZeroAddress(ZeroAddress {}));
                }
                Ok(())
            }
        }
    };
}

/// An enum of `sol_abi!` errors that a `#[public]` function returns:
/// what `#[derive(SolidityError)]` gives (`From` each error, the revert
/// data, the errors in the exported interface), with each error's
/// [`encode::Revert`] data instead of alloy's generic encoding.
#[macro_export]
macro_rules! revert_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident($ty:ty)),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug)]
        #[allow(missing_docs)]
        pub enum $name {
            $($(#[$vmeta])* $variant($ty)),*
        }

        $(
            impl From<$ty> for $name {
                fn from(e: $ty) -> Self {
                    $name::$variant(e)
                }
            }
        )*

        impl From<$name> for $crate::encode::Vec<u8> {
            fn from(e: $name) -> Self {
                match e {
                    $($name::$variant(e) => $crate::encode::Revert::revert_data(&e),)*
                }
            }
        }

        #[cfg(feature = "export-abi")]
        impl stylus_sdk::abi::export::internal::InnerTypes for $name {
            fn inner_types() -> $crate::encode::Vec<stylus_sdk::abi::export::internal::InnerType> {
                use stylus_sdk::alloy_sol_types::SolError;
                $crate::encode::Vec::from([$(
                    stylus_sdk::abi::export::internal::InnerType {
                        name: format!("error {};", <$ty as SolError>::SIGNATURE.replace(',', ", ")),
                        id: core::any::TypeId::of::<$ty>(),
                    }
                ),*])
            }
        }
    };
}

/// The body of a contract crate's `src/main.rs`: an empty `main` for the
/// WASM build, and, with the `export-abi` feature, the ABI export that
/// `cargo stylus export-abi` runs (`-- events` prints the admin's events
/// and the contract's `EVENTS`, which the SDK's Solidity interface leaves
/// out). The crate root
/// must still carry
/// `#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]`.
#[macro_export]
macro_rules! export_abi_main {
    ($contract:ident) => {
        /// Unused: the WASM build's binary target needs a `main`; the
        /// contract is the library.
        #[cfg(not(any(test, feature = "export-abi")))]
        #[no_mangle]
        pub extern "C" fn main() {}

        #[cfg(feature = "export-abi")]
        fn main() {
            if std::env::args().nth(1).as_deref() == Some("events") {
                for event in $crate::admin::EVENTS.iter().chain($contract::EVENTS) {
                    println!("{event}");
                }
            } else {
                $contract::print_from_args();
            }
        }
    };
}

/// Native-integer access to small storage integers.
pub trait Native<T> {
    /// The stored value.
    fn val(&self) -> T;
    /// Stores `v`.
    fn put(&mut self, v: T);
}

macro_rules! native {
    ($storage:ty, $native:ty, $uint:ty) => {
        impl Native<$native> for $storage {
            fn val(&self) -> $native {
                self.get().to()
            }
            fn put(&mut self, v: $native) {
                self.set(<$uint>::from(v));
            }
        }
    };
}

native!(StorageU64, u64, U64);
native!(StorageU32, u32, U32);
native!(StorageU16, u16, U16);
native!(StorageU8, u8, U8);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_indexed_by_id() {
        let p = |id| Param {
            id,
            default: 1,
            min: 0,
            max: 2,
        };
        assert!(is_table(&[p(0), p(1)]));
        assert!(!is_table(&[p(1), p(0)]));
        assert!(!is_table(&[Param { default: 3, ..p(0) }]));
        assert_eq!(by_id(&[p(0), p(1)], 1), Some(p(1)));
        assert_eq!(by_id(&[p(0), p(1)], 2), None);
    }
}
