//! The probe's report: a versioned JSON document with the device facts,
//! every raw figure's spread over repeated runs, the network figures, the
//! node's declared spec for comparison, and the packed summary committed
//! on chain. Its hash is `keccak256` of the exact bytes served to auditors
//! ([`Report::to_bytes`]).

use alloy_primitives::{keccak256, Address, B256, U256};
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use spon_node::{probe::FLAG_GPU, Hardware, ProbeSummary};

use crate::{
    cpu,
    gpu::{self, Cuda, Found, Precision},
    net::{self, PeerFigures},
    stats::Stats,
};

/// The report schema this probe writes.
pub const SCHEMA: &str = "spon-probe/1";

/// How much to measure.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Repetitions of every benchmark.
    pub runs: u32,
    /// GPU GEMM size (n × n).
    pub gpu_gemm_n: usize,
    /// GEMMs per timed GPU run.
    pub gpu_gemm_iters: u32,
    /// Bytes per GPU copy.
    pub gpu_copy_bytes: usize,
    /// CPU GEMM size (n × n).
    pub cpu_gemm_n: usize,
    /// Bytes per CPU memory copy.
    pub cpu_copy_bytes: usize,
    /// Peers (host:port running `spon-probe peer`).
    pub peers: Vec<String>,
    /// Pings per peer.
    pub pings: u32,
    /// Bytes per upload to a peer.
    pub upload_bytes: u64,
    /// Skip the GPU even if one is found (CPU backend only).
    pub cpu_only: bool,
    /// Measure nothing: report the declared hardware at its class's
    /// reference figures ([`simulated`]); for a devnet standing in for
    /// GPUs it does not have (the service refuses it on any other chain).
    pub simulate: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            runs: 5,
            gpu_gemm_n: 8192,
            gpu_gemm_iters: 20,
            gpu_copy_bytes: 1 << 30,
            cpu_gemm_n: 1024,
            cpu_copy_bytes: 256 << 20,
            peers: Vec::new(),
            pings: 50,
            upload_bytes: 64 << 20,
            cpu_only: false,
            simulate: false,
        }
    }
}

/// Where the benchmarks ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// On the GPUs, through CUDA.
    Cuda,
    /// On the CPU: no usable GPU (see `no_gpu`).
    Cpu,
    /// Not measured: the declared hardware at its class's reference
    /// figures, on a devnet (see [`simulated`]).
    Simulated,
}

/// One benchmark's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// What was measured: `gemm_fp32`, `gemm_fp16`, `gemm_bf16`,
    /// `device_memory`, `host_to_device`, `device_to_host` (per GPU), or
    /// `cpu_gemm_fp32`, `cpu_memory`.
    pub name: String,
    /// The GPU's NVML index; none for the CPU.
    pub gpu: Option<u32>,
    /// Unit of the figures: `TFLOP/s`, `GFLOP/s` or `GB/s`.
    pub unit: String,
    /// Problem size: matrix order, or bytes per copy.
    pub size: u64,
    /// The figures' spread.
    pub stats: Stats,
}

/// The node's declared hardware, as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declared {
    /// GPU model class id.
    pub gpu_model: u16,
    /// GPUs.
    pub gpu_count: u16,
    /// MiB per GPU.
    pub vram_mib: u32,
    /// Mbit/s.
    pub bandwidth_mbps: u32,
    /// The packed word, hex.
    pub packed: U256,
}

impl From<&Hardware> for Declared {
    fn from(h: &Hardware) -> Self {
        Self {
            gpu_model: h.gpu_model,
            gpu_count: h.gpu_count,
            vram_mib: h.vram_mib,
            bandwidth_mbps: h.bandwidth_mbps,
            packed: U256::from_be_bytes(h.pack()),
        }
    }
}

/// A probe report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: String,
    /// The node.
    pub node: Address,
    /// Chain time when made.
    pub created: u64,
    /// Where the benchmarks ran.
    pub backend: Backend,
    /// Why no GPU was used, on the CPU backend.
    pub no_gpu: Option<String>,
    /// The driver and GPUs NVML reported, if any.
    pub devices: Option<Found>,
    /// Logical CPU cores.
    pub cpu_cores: usize,
    /// Every benchmark.
    pub measurements: Vec<Measurement>,
    /// Every peer.
    pub network: Vec<PeerFigures>,
    /// The node's declared spec, to compare with.
    pub declared: Option<Declared>,
    /// The summary committed on chain (see [`summarise`]).
    pub summary: ProbeSummary,
}

impl Report {
    /// The exact bytes served to auditors (pretty JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("a report serialises")
    }

    /// The packed summary `commitProbe` takes.
    pub fn packed_summary(&self) -> U256 {
        U256::from_be_bytes(self.summary.pack())
    }

    /// `keccak256` of [`Report::to_bytes`]: the hash committed on chain.
    pub fn hash(&self) -> B256 {
        keccak256(self.to_bytes())
    }

    /// Whether the figures back the declared spec (as the registry judges).
    pub fn verifies_declared(&self) -> Option<bool> {
        let declared = self.declared.as_ref()?;
        let spec = Hardware::unpack(&declared.packed.to_be_bytes());
        Some(self.summary.verifies(&spec))
    }
}

/// Runs `f` `runs` times and keeps the spread of its figures.
fn repeat(runs: u32, bar: &ProgressBar, mut f: impl FnMut() -> Result<f64>) -> Result<Stats> {
    let mut samples = Vec::new();
    for _ in 0..runs.max(1) {
        samples.push(f()?);
        bar.inc(1);
    }
    Stats::of(&samples).ok_or_else(|| anyhow::anyhow!("a benchmark gave a non-finite figure"))
}

fn measurement(name: &str, gpu: Option<u32>, unit: &str, size: usize, stats: Stats) -> Measurement {
    Measurement {
        name: name.into(),
        gpu,
        unit: unit.into(),
        size: size as u64,
        stats,
    }
}

/// Measures this machine for `node`: the GPUs through CUDA where NVML finds
/// them and CUDA opens them, else the CPU; then the peers. `created` is the
/// chain's time; `declared` the node's spec from the registry.
///
/// # Errors
/// A benchmark fails on a GPU that opened, or a peer cannot be measured.
pub async fn measure(
    settings: &Settings,
    node: Address,
    created: u64,
    declared: Option<&Hardware>,
    progress: bool,
) -> Result<Report> {
    if settings.simulate {
        let spec = declared.ok_or_else(|| {
            anyhow::anyhow!("a simulated probe needs the node's declared hardware")
        })?;
        return Ok(Report {
            schema: SCHEMA.into(),
            node,
            created,
            backend: Backend::Simulated,
            no_gpu: Some("simulated: the declared hardware at reference figures".into()),
            devices: None,
            cpu_cores: cpu::threads(),
            measurements: Vec::new(),
            network: Vec::new(),
            declared: Some(Declared::from(spec)),
            summary: simulated(spec, created),
        });
    }
    let detected = if settings.cpu_only {
        Err("the GPU was skipped (--cpu-only)".to_string())
    } else {
        gpu::detect()
    };
    let opened: Result<Vec<(u32, Cuda)>, String> = match &detected {
        Ok(found) => found
            .gpus
            .iter()
            .map(|g| {
                Cuda::open(g.index as usize)
                    .map(|c| (g.index, c))
                    .map_err(|e| {
                        format!("NVML found GPU {} but CUDA cannot use it: {e:#}", g.index)
                    })
            })
            .collect(),
        Err(reason) => Err(reason.clone()),
    };
    let per_gpu = 6 * settings.runs.max(1);
    let steps = match &opened {
        Ok(gpus) => per_gpu * gpus.len() as u32,
        Err(_) => 2 * settings.runs.max(1),
    } + 2 * settings.peers.len() as u32;
    let bar = if progress {
        ProgressBar::new(u64::from(steps)).with_style(
            ProgressStyle::with_template("{msg:>24} [{bar:30}] {pos}/{len} {elapsed}")
                .expect("a valid template")
                .progress_chars("=> "),
        )
    } else {
        ProgressBar::hidden()
    };
    let runs = settings.runs;
    let mut measurements = Vec::new();
    let (backend, no_gpu) = match &opened {
        Ok(gpus) => {
            for (index, cuda) in gpus {
                let gpu = Some(*index);
                for (precision, name) in [
                    (Precision::Fp32, "gemm_fp32"),
                    (Precision::Fp16, "gemm_fp16"),
                    (Precision::Bf16, "gemm_bf16"),
                ] {
                    bar.set_message(format!("GPU {index} {name}"));
                    let n = settings.gpu_gemm_n;
                    let stats = repeat(runs, &bar, || {
                        cuda.gemm_tflops(precision, n, settings.gpu_gemm_iters)
                    })?;
                    measurements.push(measurement(name, gpu, "TFLOP/s", n, stats));
                }
                bar.set_message(format!("GPU {index} memory"));
                let bytes = settings.gpu_copy_bytes;
                let stats = repeat(runs, &bar, || cuda.device_gbps(bytes))?;
                measurements.push(measurement("device_memory", gpu, "GB/s", bytes, stats));
                let mut down = Vec::new();
                let up = repeat(runs, &bar, || {
                    let (u, d) = cuda.host_gbps(bytes)?;
                    down.push(d);
                    Ok(u)
                })?;
                bar.inc(u64::from(runs.max(1)));
                measurements.push(measurement("host_to_device", gpu, "GB/s", bytes, up));
                let down = Stats::of(&down).ok_or_else(|| anyhow::anyhow!("no copies"))?;
                measurements.push(measurement("device_to_host", gpu, "GB/s", bytes, down));
            }
            (Backend::Cuda, None)
        }
        Err(reason) => {
            bar.set_message("CPU GEMM");
            let threads = cpu::threads();
            let n = settings.cpu_gemm_n;
            let stats = repeat(runs, &bar, || Ok(cpu::gemm_gflops(n, threads)))?;
            measurements.push(measurement("cpu_gemm_fp32", None, "GFLOP/s", n, stats));
            bar.set_message("CPU memory");
            let bytes = settings.cpu_copy_bytes;
            let stats = repeat(runs, &bar, || Ok(cpu::memory_gbps(bytes)))?;
            measurements.push(measurement("cpu_memory", None, "GB/s", bytes, stats));
            (Backend::Cpu, Some(reason.clone()))
        }
    };
    let mut network = Vec::new();
    for peer in &settings.peers {
        bar.set_message(format!("peer {peer}"));
        network.push(net::measure(peer, settings.pings, settings.upload_bytes, runs.max(1)).await?);
        bar.inc(2);
    }
    bar.finish_and_clear();
    let devices = detected.ok();
    let summary = summarise(backend, created, devices.as_ref(), &measurements, &network);
    Ok(Report {
        schema: SCHEMA.into(),
        node,
        created,
        backend,
        no_gpu,
        devices,
        cpu_cores: cpu::threads(),
        measurements,
        network,
        declared: declared.map(Declared::from),
        summary,
    })
}

/// Reference figures of one GPU of `class`: dense FP16/BF16 GEMM, GFLOP/s,
/// and device memory bandwidth, GB/s (round figures of what such a GPU
/// measures, for devnets).
pub const fn reference(class: u16) -> (u32, u32) {
    use spon_node::hardware::gpu;
    match class {
        gpu::HOPPER => (600_000, 3_000),
        gpu::BLACKWELL => (1_500_000, 7_000),
        gpu::AMPERE_DC => (250_000, 1_500),
        gpu::ADA_DC => (300_000, 850),
        gpu::MI300 => (800_000, 4_000),
        gpu::RTX_50 => (200_000, 1_500),
        gpu::RTX_40 => (150_000, 950),
        gpu::RTX_30 => (60_000, 800),
        _ => (10_000, 100),
    }
}

/// The summary a simulated probe commits: `spec`'s GPUs, memory and
/// bandwidth as declared, its class's [`reference`] figures per GPU and a
/// 2 ms round trip — a summary that verifies `spec`.
pub fn simulated(spec: &Hardware, created: u64) -> ProbeSummary {
    let (gemm, memory) = reference(spec.gpu_model);
    ProbeSummary {
        timestamp: created,
        gemm_gflops: gemm.saturating_mul(u32::from(spec.gpu_count)),
        mem_bandwidth_gbps: memory,
        vram_mib: u32::try_from(spec.total_vram_mib()).unwrap_or(u32::MAX),
        gpu_count: spec.gpu_count,
        net_bandwidth_mbps: spec.bandwidth_mbps,
        latency_us: 2_000,
        flags: FLAG_GPU,
    }
}

/// The on-chain summary of the figures: GEMM GFLOP/s is the sum over GPUs
/// of the better of FP16 and BF16 (the CPU's FP32 on the CPU backend);
/// memory bandwidth the slowest GPU's device memory (or the CPU's); GPU
/// memory and count only of measured GPUs (0 on the CPU); network the
/// slowest peer's median upload and round trip (0 without peers);
/// `FLAG_GPU` when measured on GPUs. Figures saturate at the packed
/// fields' limits.
pub fn summarise(
    backend: Backend,
    created: u64,
    devices: Option<&Found>,
    measurements: &[Measurement],
    network: &[PeerFigures],
) -> ProbeSummary {
    let sat = |x: f64| x.clamp(0.0, f64::from(u32::MAX)) as u32;
    let median = |name: &str, gpu: Option<u32>| {
        measurements
            .iter()
            .find(|m| m.name == name && m.gpu == gpu)
            .map_or(0.0, |m| m.stats.median)
    };
    let slowest = |f: fn(&PeerFigures) -> f64, worst: fn(f64, f64) -> f64, start: f64| {
        network.iter().map(f).reduce(worst).unwrap_or(start)
    };
    let net_bandwidth_mbps = sat(slowest(|p| p.bandwidth_mbps.median, f64::min, 0.0));
    let latency_us = sat(slowest(|p| p.latency_us.median, f64::max, 0.0));
    match (backend, devices) {
        (Backend::Cuda, Some(found)) => {
            let gpus = &found.gpus;
            let tensor = gpus
                .iter()
                .map(|g| median("gemm_fp16", Some(g.index)).max(median("gemm_bf16", Some(g.index))))
                .sum::<f64>();
            let memory = gpus
                .iter()
                .map(|g| median("device_memory", Some(g.index)))
                .reduce(f64::min)
                .unwrap_or(0.0);
            let vram: u64 = gpus.iter().map(|g| g.vram_mib).sum();
            ProbeSummary {
                timestamp: created,
                gemm_gflops: sat(tensor * 1e3),
                mem_bandwidth_gbps: sat(memory),
                vram_mib: u32::try_from(vram).unwrap_or(u32::MAX),
                gpu_count: u16::try_from(gpus.len()).unwrap_or(u16::MAX),
                net_bandwidth_mbps,
                latency_us,
                flags: FLAG_GPU,
            }
        }
        _ => ProbeSummary {
            timestamp: created,
            gemm_gflops: sat(median("cpu_gemm_fp32", None)),
            mem_bandwidth_gbps: sat(median("cpu_memory", None)),
            vram_mib: 0,
            gpu_count: 0,
            net_bandwidth_mbps,
            latency_us,
            flags: 0,
        },
    }
}

#[cfg(test)]
mod tests;
