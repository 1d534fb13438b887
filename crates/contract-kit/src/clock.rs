//! Block time as a contract sees it.
//!
//! On chain this is the block timestamp. motsu's block timestamp is fixed,
//! so with the `test-clock` feature (enabled only by contracts'
//! dev-dependencies) unit tests move a per-thread offset forward with
//! [`advance`] to reach the end of periods and delays.

/// The contract's notion of now, from the block timestamp.
#[cfg(not(feature = "test-clock"))]
pub fn now(block_timestamp: u64) -> u64 {
    block_timestamp
}

#[cfg(feature = "test-clock")]
std::thread_local! {
    static OFFSET: core::cell::Cell<u64> = const { core::cell::Cell::new(0) };
}

/// The contract's notion of now: the block timestamp plus the test offset.
#[cfg(feature = "test-clock")]
pub fn now(block_timestamp: u64) -> u64 {
    block_timestamp + OFFSET.with(core::cell::Cell::get)
}

/// Moves the test clock `secs` seconds forward.
#[cfg(feature = "test-clock")]
pub fn advance(secs: u64) {
    OFFSET.with(|o| o.set(o.get() + secs));
}
