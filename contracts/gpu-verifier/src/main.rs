//! Export of the GPU-work verifier's ABI (`cargo run -p spon-gpu-verifier
//! --features export-abi`, `-- constructor`, `-- events`).
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]

spon_contract_kit::export_abi_main!(spon_gpu_verifier);
