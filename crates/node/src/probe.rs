//! A probe's measured summary, packed in one `uint256`, and its check
//! against the declared hardware.
//!
//! | bits | field | unit |
//! |---|---|---|
//! | 0–63 | `timestamp` | Unix seconds when the measurement ended |
//! | 64–95 | `gemm_gflops` | best dense GEMM rate over the precisions measured (FP32, FP16, BF16), summed over the node's GPUs, GFLOP/s |
//! | 96–127 | `mem_bandwidth_gbps` | device memory bandwidth, summed over GPUs, GB/s |
//! | 128–159 | `vram_mib` | GPU memory seen by the driver, all GPUs, MiB |
//! | 160–175 | `gpu_count` | GPUs found |
//! | 176–207 | `net_bandwidth_mbps` | network bandwidth to the configured peers, Mbit/s |
//! | 208–239 | `latency_us` | median round trip to the configured peers, µs |
//! | 240–255 | `flags` | bit 0: measured on a GPU (clear: CPU backend, no GPU found) |
//!
//! A summary **verifies** a declared spec when it was measured on a GPU,
//! found at least the declared number of GPUs, at least
//! [`VRAM_TOLERANCE_BPS`] of the declared memory (drivers reserve some) and
//! at least [`BANDWIDTH_TOLERANCE_BPS`] of the declared network bandwidth.
//! Every condition is a lower bound, so a better measurement never turns a
//! verified summary into an unverified one.

use crate::{
    hardware::Hardware,
    word::{self, Word},
};

/// `flags` bit: the measurements ran on a GPU.
pub const FLAG_GPU: u16 = 1;
/// Share of declared GPU memory a probe must see, bps.
pub const VRAM_TOLERANCE_BPS: u64 = 9_500;
/// Share of declared network bandwidth a probe must measure, bps.
pub const BANDWIDTH_TOLERANCE_BPS: u64 = 8_000;

/// What a probe measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ProbeSummary {
    /// Unix seconds when the measurement ended.
    pub timestamp: u64,
    /// Dense GEMM throughput, all GPUs, GFLOP/s.
    pub gemm_gflops: u32,
    /// Device memory bandwidth, all GPUs, GB/s.
    pub mem_bandwidth_gbps: u32,
    /// GPU memory, all GPUs, MiB.
    pub vram_mib: u32,
    /// GPUs found.
    pub gpu_count: u16,
    /// Network bandwidth, Mbit/s.
    pub net_bandwidth_mbps: u32,
    /// Median round trip, µs.
    pub latency_us: u32,
    /// Bit set; see [`FLAG_GPU`].
    pub flags: u16,
}

impl ProbeSummary {
    /// Packs into the word layout of this module.
    pub fn pack(&self) -> Word {
        let mut w = [0u8; 32];
        word::set(&mut w, 0, 64, self.timestamp);
        word::set(&mut w, 64, 32, self.gemm_gflops.into());
        word::set(&mut w, 96, 32, self.mem_bandwidth_gbps.into());
        word::set(&mut w, 128, 32, self.vram_mib.into());
        word::set(&mut w, 160, 16, self.gpu_count.into());
        word::set(&mut w, 176, 32, self.net_bandwidth_mbps.into());
        word::set(&mut w, 208, 32, self.latency_us.into());
        word::set(&mut w, 240, 16, self.flags.into());
        w
    }

    /// Unpacks a word (every bit pattern is a summary).
    pub const fn unpack(w: &Word) -> Self {
        Self {
            timestamp: word::get(w, 0, 64),
            gemm_gflops: word::get(w, 64, 32) as u32,
            mem_bandwidth_gbps: word::get(w, 96, 32) as u32,
            vram_mib: word::get(w, 128, 32) as u32,
            gpu_count: word::get(w, 160, 16) as u16,
            net_bandwidth_mbps: word::get(w, 176, 32) as u32,
            latency_us: word::get(w, 208, 32) as u32,
            flags: word::get(w, 240, 16) as u16,
        }
    }

    /// Whether the measurement ran on a GPU.
    pub const fn on_gpu(&self) -> bool {
        self.flags & FLAG_GPU != 0
    }

    /// Whether these measurements back the declared `spec` (see the module
    /// documentation).
    pub const fn verifies(&self, spec: &Hardware) -> bool {
        let vram_needed = spec.total_vram_mib() * VRAM_TOLERANCE_BPS / 10_000;
        let bandwidth_needed = spec.bandwidth_mbps as u64 * BANDWIDTH_TOLERANCE_BPS / 10_000;
        self.on_gpu()
            && self.gpu_count >= spec.gpu_count
            && self.vram_mib as u64 >= vram_needed
            && self.net_bandwidth_mbps as u64 >= bandwidth_needed
    }

    /// Whether the summary is no older than `max_age` seconds at `now`
    /// (a summary from the future is not fresh).
    pub const fn is_fresh(&self, now: u64, max_age: u64) -> bool {
        self.timestamp <= now && now - self.timestamp <= max_age
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hardware::{compute, gpu};

    fn spec() -> Hardware {
        Hardware {
            gpu_model: gpu::RTX_40,
            gpu_count: 2,
            vram_mib: 24_564,
            cpu_cores: 32,
            ram_gib: 128,
            storage_gib: 4_000,
            region: *b"US",
            bandwidth_mbps: 1_000,
            compute_types: compute::CUDA,
        }
    }

    fn honest() -> ProbeSummary {
        ProbeSummary {
            timestamp: 1_767_225_600,
            gemm_gflops: 330_000,
            mem_bandwidth_gbps: 2_016,
            vram_mib: 47_000,
            gpu_count: 2,
            net_bandwidth_mbps: 940,
            latency_us: 18_000,
            flags: FLAG_GPU,
        }
    }

    #[test]
    fn pack_unpack_round_trip() {
        let s = honest();
        assert_eq!(ProbeSummary::unpack(&s.pack()), s);
        assert_eq!(&s.pack()[..2], &[0, 1], "flags in the top bytes");
    }

    #[test]
    fn verification_needs_gpu_count_memory_and_bandwidth() {
        let spec = spec();
        assert!(honest().verifies(&spec));
        let fails: [fn(&mut ProbeSummary); 4] = [
            |s| s.flags = 0,
            |s| s.gpu_count = 1,
            |s| s.vram_mib = 46_000, // < 95% of 49,128
            |s| s.net_bandwidth_mbps = 799,
        ];
        for f in fails {
            let mut s = honest();
            f(&mut s);
            assert!(!s.verifies(&spec), "{s:?}");
        }
    }

    #[test]
    fn freshness_window() {
        let s = honest();
        assert!(s.is_fresh(s.timestamp, 0));
        assert!(s.is_fresh(s.timestamp + 100, 100));
        assert!(!s.is_fresh(s.timestamp + 101, 100));
        assert!(!s.is_fresh(s.timestamp - 1, 100), "from the future");
    }
}
