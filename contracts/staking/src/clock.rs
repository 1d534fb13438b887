//! Block time as the contract sees it.
//!
//! On chain this is the block timestamp. In unit tests, motsu's block
//! timestamp is fixed, so tests move a per-thread offset forward with
//! [`advance`] to reach the end of unbonding, jail and commission delays.

/// The contract's notion of now, from the block timestamp.
#[cfg(not(test))]
pub fn now(block_timestamp: u64) -> u64 {
    block_timestamp
}

#[cfg(test)]
std::thread_local! {
    static OFFSET: core::cell::Cell<u64> = const { core::cell::Cell::new(0) };
}

/// The contract's notion of now: the block timestamp plus the test offset.
#[cfg(test)]
pub fn now(block_timestamp: u64) -> u64 {
    block_timestamp + OFFSET.with(core::cell::Cell::get)
}

/// Moves the test clock `secs` seconds forward.
#[cfg(test)]
pub fn advance(secs: u64) {
    OFFSET.with(|o| o.set(o.get() + secs));
}
