//! Export of the audits contract's ABI, as `cargo stylus export-abi` does:
//!
//! * `cargo run -p spon-audits --features export-abi` prints the Solidity interface;
//! * `... -- constructor` prints the constructor signature;
//! * `... -- events` prints the events it emits (human-readable ABI), which the
//!   Solidity interface of stylus-sdk leaves out.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]

#[cfg(not(any(test, feature = "export-abi")))]
#[no_mangle]
pub extern "C" fn main() {}

#[cfg(feature = "export-abi")]
fn main() {
    if std::env::args().nth(1).as_deref() == Some("events") {
        for event in spon_audits::EVENTS {
            println!("{event}");
        }
    } else {
        spon_audits::print_from_args();
    }
}
