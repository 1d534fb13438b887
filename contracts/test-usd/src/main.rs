//! Export of Test USD's ABI (`cargo run -p spon-test-usd --features
//! export-abi`, `-- constructor`, `-- events`).
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]

spon_contract_kit::export_abi_main!(spon_test_usd);
