//! Host conformance of the devnet: `tests/conformance.rs` runs one
//! scenario of contract calls, as calldata, under motsu (the contracts
//! compiled natively, dispatched by the SDK's own ABI router) and on the
//! devnet (the contracts' release WASM through the `vm_hooks` host), and
//! requires the same success, return or revert bytes, and logs at every
//! step. The crate has no code of its own.
