//! Export of the rewards contract's ABI, as `cargo stylus export-abi` does:
//!
//! * `cargo run -p spon-rewards --features export-abi` prints the Solidity interface;
//! * `... -- constructor` prints the constructor signature;
//! * `... -- events` prints the events it emits (human-readable ABI), which the
//!   Solidity interface of stylus-sdk leaves out.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]

spon_contract_kit::export_abi_main!(spon_rewards);
