//! Hardware specs and order requirements from command-line flags (the
//! names of the protocol's numbered states are `spon_protocol::states`).

use anyhow::{bail, Result};
use clap::Args;
use spon_node::hardware::{compute, gpu};
use spon_node::Hardware;
use spon_scoring::Requirements;

/// GPU model classes by name (`spon_node::hardware::gpu`).
const GPUS: [(&str, u16); 10] = [
    ("hopper", gpu::HOPPER),
    ("blackwell", gpu::BLACKWELL),
    ("ampere", gpu::AMPERE_DC),
    ("ada", gpu::ADA_DC),
    ("mi300", gpu::MI300),
    ("rtx50", gpu::RTX_50),
    ("rtx40", gpu::RTX_40),
    ("rtx30", gpu::RTX_30),
    ("apple", gpu::APPLE),
    ("other", gpu::OTHER),
];

/// Compute stacks by name (`spon_node::hardware::compute`).
const COMPUTE: [(&str, u32); 7] = [
    ("cuda", compute::CUDA),
    ("rocm", compute::ROCM),
    ("metal", compute::METAL),
    ("vulkan", compute::VULKAN),
    ("fp64", compute::FP64),
    ("interconnect", compute::GPU_INTERCONNECT),
    ("confidential", compute::CONFIDENTIAL),
];

/// The class of a GPU name: a class (`hopper`) or a model of it (`h100`).
pub fn gpu_class(name: &str) -> Result<u16> {
    let n = name.to_ascii_lowercase();
    let alias = match n.as_str() {
        "h100" | "h200" | "gh200" => "hopper",
        "b200" | "gb200" => "blackwell",
        "a100" | "a800" => "ampere",
        "l40s" | "l40" | "l4" => "ada",
        "mi300x" | "mi325x" => "mi300",
        other => other,
    };
    match GPUS.iter().find(|g| g.0 == alias) {
        Some(g) => Ok(g.1),
        None => bail!(
            "unknown GPU {name:?}: one of {} (or a model: h100, h200, b200, a100, l40s, mi300x)",
            GPUS.map(|g| g.0).join(", ")
        ),
    }
}

/// The name of GPU class `id`.
pub fn gpu_name(id: u16) -> String {
    match GPUS.iter().find(|g| g.1 == id) {
        Some(g) => g.0.into(),
        None if id == 0 => "any".into(),
        None => format!("class {id}"),
    }
}

/// The bits of comma-separated compute names.
pub fn compute_bits(names: &str) -> Result<u32> {
    names
        .split(',')
        .filter(|n| !n.trim().is_empty())
        .try_fold(0, |bits, n| {
            let n = n.trim().to_ascii_lowercase();
            match COMPUTE.iter().find(|c| c.0 == n) {
                Some(c) => Ok(bits | c.1),
                None => bail!(
                    "unknown compute stack {n:?}: one of {}",
                    COMPUTE.map(|c| c.0).join(", ")
                ),
            }
        })
}

/// The names of compute `bits`.
pub fn compute_names(bits: u32) -> String {
    let names: Vec<&str> = COMPUTE
        .iter()
        .filter(|c| bits & c.1 != 0)
        .map(|c| c.0)
        .collect();
    names.join(",")
}

/// A region code: two ASCII letters, upper-cased.
pub fn region(code: &str) -> Result<[u8; 2]> {
    let b = code.to_ascii_uppercase().into_bytes();
    match b.as_slice() {
        [x, y] if x.is_ascii_uppercase() && y.is_ascii_uppercase() => Ok([*x, *y]),
        _ => bail!("region {code:?} is not an ISO 3166-1 alpha-2 code such as DE"),
    }
}

/// A node's declared hardware.
#[derive(Args, Debug, Clone)]
pub struct HardwareArgs {
    /// GPU class or model: hopper (h100, h200), blackwell (b200), ampere
    /// (a100), ada (l40s), mi300, rtx50, rtx40, rtx30, apple, other.
    #[arg(long)]
    pub gpu: String,
    /// Number of GPUs.
    #[arg(long, default_value_t = 1)]
    pub gpus: u16,
    /// Memory per GPU, MiB.
    #[arg(long)]
    pub vram_mib: u32,
    /// Logical CPU cores.
    #[arg(long)]
    pub cpu_cores: u16,
    /// RAM, GiB.
    #[arg(long)]
    pub ram_gib: u32,
    /// Storage, GiB.
    #[arg(long)]
    pub storage_gib: u32,
    /// Region, ISO 3166-1 alpha-2 (DE, US, JP…).
    #[arg(long)]
    pub region: String,
    /// Network bandwidth, Mbit/s.
    #[arg(long)]
    pub bandwidth_mbps: u32,
    /// Compute stacks, comma-separated: cuda, rocm, metal, vulkan, fp64,
    /// interconnect, confidential.
    #[arg(long, default_value = "cuda")]
    pub compute: String,
}

impl HardwareArgs {
    /// The spec, checked as the registry checks it.
    pub fn hardware(&self) -> Result<Hardware> {
        let hw = Hardware {
            gpu_model: gpu_class(&self.gpu)?,
            gpu_count: self.gpus,
            vram_mib: self.vram_mib,
            cpu_cores: self.cpu_cores,
            ram_gib: self.ram_gib,
            storage_gib: self.storage_gib,
            region: region(&self.region)?,
            bandwidth_mbps: self.bandwidth_mbps,
            compute_types: compute_bits(&self.compute)?,
        };
        if let Err(e) = Hardware::parse(&hw.pack()) {
            bail!("the hardware spec is invalid: {e:?} (the registry would refuse it)");
        }
        Ok(hw)
    }
}

/// What an order asks of a node.
#[derive(Args, Debug, Clone)]
pub struct RequirementsArgs {
    /// GPU class or model (see `provider propose --help`); `any` for any.
    #[arg(long, default_value = "any")]
    pub gpu: String,
    /// Least number of GPUs.
    #[arg(long, default_value_t = 1)]
    pub gpus: u16,
    /// Least memory per GPU, MiB.
    #[arg(long, default_value_t = 0)]
    pub min_vram_mib: u32,
    /// Acceptable regions in order of preference, comma-separated (at
    /// most 4); none: anywhere.
    #[arg(long, default_value = "")]
    pub regions: String,
    /// Least network bandwidth, Mbit/s.
    #[arg(long, default_value_t = 0)]
    pub min_bandwidth_mbps: u32,
    /// Compute stacks the node must all offer (see `provider propose --help`).
    #[arg(long, default_value = "")]
    pub compute: String,
    /// Worst acceptable tier (1 best … 7 untrusted).
    #[arg(long, default_value_t = 6)]
    pub max_tier: u8,
    /// Accept the best proposal without waiting for the tenant.
    #[arg(long)]
    pub auto_accept: bool,
}

impl RequirementsArgs {
    /// The requirements, checked as the market checks them.
    pub fn requirements(&self) -> Result<Requirements> {
        let mut regions = [[0u8; 2]; spon_scoring::requirements::REGION_SLOTS];
        let codes: Vec<&str> = self
            .regions
            .split(',')
            .filter(|r| !r.trim().is_empty())
            .collect();
        if codes.len() > regions.len() {
            bail!("at most {} regions", regions.len());
        }
        for (slot, code) in regions.iter_mut().zip(codes) {
            *slot = region(code.trim())?;
        }
        let r = Requirements {
            gpu_model: if self.gpu == "any" {
                0
            } else {
                gpu_class(&self.gpu)?
            },
            gpu_count: self.gpus,
            min_vram_mib: self.min_vram_mib,
            regions,
            min_bandwidth_mbps: self.min_bandwidth_mbps,
            compute_types: compute_bits(&self.compute)?,
            max_tier: self.max_tier,
            flags: if self.auto_accept {
                spon_scoring::requirements::AUTO_ACCEPT
            } else {
                0
            },
        };
        if let Err(e) = Requirements::parse(&r.pack()) {
            bail!("the requirements are invalid: {e:?} (the market would refuse them)");
        }
        Ok(r)
    }
}

/// A one-line description of `hw`.
pub fn describe_hardware(hw: &Hardware) -> String {
    format!(
        "{} × {} ({} MiB), {} cores, {} GiB RAM, {} GiB disk, {}, {} Mbit/s, {}",
        hw.gpu_count,
        gpu_name(hw.gpu_model),
        hw.vram_mib,
        hw.cpu_cores,
        hw.ram_gib,
        hw.storage_gib,
        String::from_utf8_lossy(&hw.region),
        hw.bandwidth_mbps,
        compute_names(hw.compute_types)
    )
}

/// A one-line description of `r`.
pub fn describe_requirements(r: &Requirements) -> String {
    let regions: Vec<String> = r
        .regions
        .iter()
        .filter(|c| c != &&[0, 0])
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    format!(
        "{} × {} (≥ {} MiB), {}, ≥ {} Mbit/s, {}, tier ≤ {}{}",
        r.gpu_count,
        gpu_name(r.gpu_model),
        r.min_vram_mib,
        if regions.is_empty() {
            "anywhere".into()
        } else {
            regions.join("/")
        },
        r.min_bandwidth_mbps,
        match compute_names(r.compute_types) {
            n if n.is_empty() => "any stack".into(),
            n => n,
        },
        r.max_tier,
        if r.has(spon_scoring::requirements::AUTO_ACCEPT) {
            ", auto-accept"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_models_map_to_classes() {
        assert_eq!(gpu_class("H100").unwrap(), gpu::HOPPER);
        assert_eq!(gpu_class("hopper").unwrap(), gpu::HOPPER);
        assert_eq!(gpu_name(gpu::RTX_40), "rtx40");
        assert!(gpu_class("tpu")
            .unwrap_err()
            .to_string()
            .contains("unknown GPU"));
        assert_eq!(
            compute_bits("cuda,fp64").unwrap(),
            compute::CUDA | compute::FP64
        );
        assert_eq!(compute_names(compute::CUDA | compute::FP64), "cuda,fp64");
        assert!(region("Germany").is_err());
        assert_eq!(region("de").unwrap(), *b"DE");
    }

    #[test]
    fn invalid_specs_are_refused_before_sending() {
        let hw = HardwareArgs {
            gpu: "h100".into(),
            gpus: 0,
            vram_mib: 81_559,
            cpu_cores: 64,
            ram_gib: 512,
            storage_gib: 4_000,
            region: "DE".into(),
            bandwidth_mbps: 10_000,
            compute: "cuda".into(),
        };
        assert!(hw.hardware().unwrap_err().to_string().contains("GpuCount"));
        let r = RequirementsArgs {
            gpu: "h100".into(),
            gpus: 4,
            min_vram_mib: 80_000,
            regions: "DE,FR".into(),
            min_bandwidth_mbps: 1_000,
            compute: "cuda".into(),
            max_tier: 6,
            auto_accept: false,
        };
        let req = r.requirements().unwrap();
        assert_eq!(req.regions[1], *b"FR");
        assert_eq!(
            describe_requirements(&req),
            "4 × hopper (≥ 80000 MiB), DE/FR, ≥ 1000 Mbit/s, cuda, tier ≤ 6"
        );
    }
}
