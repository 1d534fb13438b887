//! # The SPON GPU probe
//!
//! Measures a node honestly and commits the result on chain:
//!
//! - [`gpu`]: device facts through NVML and benchmarks through CUDA —
//!   dense GEMM in FP32/FP16/BF16 (cuBLAS), device-memory bandwidth,
//!   host↔device bandwidth; both libraries are loaded at run time;
//! - [`cpu`]: where no GPU is found, the CPU backend (blocked FP32 GEMM,
//!   memory bandwidth), reported as such — never a made-up GPU figure;
//! - [`net`]: latency and bandwidth to configured peers;
//! - [`report`]: the versioned JSON report with every figure's spread and
//!   the node's declared spec, its hash, and the packed summary;
//! - [`sign`]: the registry's EIP-712 message signed by the probe key;
//! - [`service`]: commits reports with `commitProbe` and answers liveness
//!   and GPU-work challenges ([`prove`]: C = A·B on the GPU or the CPU,
//!   its Merkle root, the sampled rows opened);
//! - [`serve`]: reports served to auditors by hash.

pub mod cpu;
pub mod gpu;
pub mod net;
pub mod prove;
pub mod report;
pub mod serve;
pub mod service;
pub mod sign;
pub mod stats;
