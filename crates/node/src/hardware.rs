//! A node's declared hardware, packed in one `uint256`.
//!
//! | bits | field | unit |
//! |---|---|---|
//! | 0–15 | `gpu_model` | GPU model class id (see [`gpu`]) |
//! | 16–31 | `gpu_count` | GPUs |
//! | 32–63 | `vram_mib` | MiB of memory **per GPU** |
//! | 64–79 | `cpu_cores` | logical cores |
//! | 80–111 | `ram_gib` | GiB |
//! | 112–143 | `storage_gib` | GiB |
//! | 144–159 | `region` | ISO 3166-1 alpha-2 code, two ASCII capitals (`"DE"` = `0x4445`) |
//! | 160–191 | `bandwidth_mbps` | Mbit/s of network bandwidth |
//! | 192–223 | `compute_types` | bit set of [`compute`] |
//! | 224–255 | reserved | must be zero |

use crate::word::{self, Word};

/// GPU model classes: coarse families an order can ask for. Ids are stable;
/// new classes take new ids.
pub mod gpu {
    /// NVIDIA H200 / H100 / GH200 (Hopper).
    pub const HOPPER: u16 = 1;
    /// NVIDIA B200 / GB200 (Blackwell data centre).
    pub const BLACKWELL: u16 = 2;
    /// NVIDIA A100 / A800 (Ampere data centre).
    pub const AMPERE_DC: u16 = 3;
    /// NVIDIA L40S / L40 / L4 (Ada data centre).
    pub const ADA_DC: u16 = 4;
    /// AMD Instinct MI300X / MI325X.
    pub const MI300: u16 = 5;
    /// NVIDIA GeForce RTX 50 series.
    pub const RTX_50: u16 = 10;
    /// NVIDIA GeForce RTX 40 series.
    pub const RTX_40: u16 = 11;
    /// NVIDIA GeForce RTX 30 series.
    pub const RTX_30: u16 = 12;
    /// Apple silicon (unified memory).
    pub const APPLE: u16 = 20;
    /// Any other GPU.
    pub const OTHER: u16 = 0xFFFF;

    /// The model names a class stands for, as people read them.
    pub const fn name(class: u16) -> &'static str {
        match class {
            HOPPER => "NVIDIA H100 / H200",
            BLACKWELL => "NVIDIA B200 / GB200",
            AMPERE_DC => "NVIDIA A100",
            ADA_DC => "NVIDIA L40S / L4",
            MI300 => "AMD MI300X",
            RTX_50 => "GeForce RTX 50",
            RTX_40 => "GeForce RTX 40",
            RTX_30 => "GeForce RTX 30",
            APPLE => "Apple silicon",
            OTHER => "other GPU",
            _ => "unknown GPU class",
        }
    }
}

/// Compute stacks a node offers (bits of `compute_types`).
pub mod compute {
    /// CUDA.
    pub const CUDA: u32 = 1 << 0;
    /// ROCm / HIP.
    pub const ROCM: u32 = 1 << 1;
    /// Metal.
    pub const METAL: u32 = 1 << 2;
    /// Vulkan compute.
    pub const VULKAN: u32 = 1 << 3;
    /// FP64 at data-centre rate.
    pub const FP64: u32 = 1 << 4;
    /// NVLink / Infinity Fabric between the node's GPUs.
    pub const GPU_INTERCONNECT: u32 = 1 << 5;
    /// Confidential computing (TEE on CPU and GPU).
    pub const CONFIDENTIAL: u32 = 1 << 6;
    /// Every bit defined so far.
    pub const ALL: u32 = (1 << 7) - 1;
}

/// Declared hardware of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hardware {
    /// GPU model class, one of [`gpu`].
    pub gpu_model: u16,
    /// Number of GPUs.
    pub gpu_count: u16,
    /// Memory per GPU, MiB.
    pub vram_mib: u32,
    /// Logical CPU cores.
    pub cpu_cores: u16,
    /// RAM, GiB.
    pub ram_gib: u32,
    /// Storage, GiB.
    pub storage_gib: u32,
    /// ISO 3166-1 alpha-2 region code as two ASCII capitals.
    pub region: [u8; 2],
    /// Network bandwidth, Mbit/s.
    pub bandwidth_mbps: u32,
    /// Bit set of [`compute`].
    pub compute_types: u32,
}

/// Which field of a packed spec is invalid (the `field` of the registry's
/// `InvalidHardware` error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum HardwareError {
    /// `gpu_model` is 0.
    GpuModel = 0,
    /// `gpu_count` is 0.
    GpuCount = 1,
    /// `vram_mib` is 0.
    Vram = 2,
    /// `cpu_cores` is 0.
    CpuCores = 3,
    /// `ram_gib` is 0.
    Ram = 4,
    /// `region` is not two ASCII capitals.
    Region = 5,
    /// `bandwidth_mbps` is 0.
    Bandwidth = 6,
    /// `compute_types` is empty or has undefined bits.
    ComputeTypes = 7,
    /// The reserved high bits are not zero.
    Reserved = 8,
}

impl Hardware {
    /// Packs into the word layout of this module.
    pub fn pack(&self) -> Word {
        let mut w = [0u8; 32];
        word::set(&mut w, 0, 16, self.gpu_model.into());
        word::set(&mut w, 16, 16, self.gpu_count.into());
        word::set(&mut w, 32, 32, self.vram_mib.into());
        word::set(&mut w, 64, 16, self.cpu_cores.into());
        word::set(&mut w, 80, 32, self.ram_gib.into());
        word::set(&mut w, 112, 32, self.storage_gib.into());
        word::set(&mut w, 144, 16, u16::from_be_bytes(self.region).into());
        word::set(&mut w, 160, 32, self.bandwidth_mbps.into());
        word::set(&mut w, 192, 32, self.compute_types.into());
        w
    }

    /// Unpacks a word, ignoring the reserved bits (see [`Hardware::parse`]).
    pub const fn unpack(w: &Word) -> Self {
        let region = word::get(w, 144, 16) as u16;
        Self {
            gpu_model: word::get(w, 0, 16) as u16,
            gpu_count: word::get(w, 16, 16) as u16,
            vram_mib: word::get(w, 32, 32) as u32,
            cpu_cores: word::get(w, 64, 16) as u16,
            ram_gib: word::get(w, 80, 32) as u32,
            storage_gib: word::get(w, 112, 32) as u32,
            region: region.to_be_bytes(),
            bandwidth_mbps: word::get(w, 160, 32) as u32,
            compute_types: word::get(w, 192, 32) as u32,
        }
    }

    /// Unpacks and validates a declared spec: every field set, a region of
    /// two ASCII capitals, known compute bits only, reserved bits zero.
    ///
    /// # Errors
    /// The first invalid field.
    pub fn parse(w: &Word) -> Result<Self, HardwareError> {
        if !word::high_bits_clear(w, 224) {
            return Err(HardwareError::Reserved);
        }
        let h = Self::unpack(w);
        let checks = [
            (h.gpu_model != 0, HardwareError::GpuModel),
            (h.gpu_count != 0, HardwareError::GpuCount),
            (h.vram_mib != 0, HardwareError::Vram),
            (h.cpu_cores != 0, HardwareError::CpuCores),
            (h.ram_gib != 0, HardwareError::Ram),
            (
                h.region.iter().all(u8::is_ascii_uppercase),
                HardwareError::Region,
            ),
            (h.bandwidth_mbps != 0, HardwareError::Bandwidth),
            (
                h.compute_types != 0 && h.compute_types & !compute::ALL == 0,
                HardwareError::ComputeTypes,
            ),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some((_, e)) => Err(*e),
            None => Ok(h),
        }
    }

    /// Total GPU memory declared, MiB.
    pub const fn total_vram_mib(&self) -> u64 {
        self.vram_mib as u64 * self.gpu_count as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn h100_node() -> Hardware {
        Hardware {
            gpu_model: gpu::HOPPER,
            gpu_count: 8,
            vram_mib: 81_559,
            cpu_cores: 224,
            ram_gib: 2_048,
            storage_gib: 30_720,
            region: *b"DE",
            bandwidth_mbps: 100_000,
            compute_types: compute::CUDA | compute::FP64 | compute::GPU_INTERCONNECT,
        }
    }

    #[test]
    fn pack_parse_round_trip_and_layout() {
        let h = h100_node();
        let w = h.pack();
        assert_eq!(Hardware::parse(&w), Ok(h));
        // gpu_model in the lowest two bytes, region at bits 144..160.
        assert_eq!(&w[30..], &[0, 1]);
        assert_eq!(&w[12..14], b"DE");
        assert_eq!(h.total_vram_mib(), 652_472);
    }

    #[test]
    fn each_invalid_field_is_named() {
        let ok = h100_node();
        type Break = fn(&mut Hardware);
        let cases: [(Break, HardwareError); 9] = [
            (|h| h.gpu_model = 0, HardwareError::GpuModel),
            (|h| h.gpu_count = 0, HardwareError::GpuCount),
            (|h| h.vram_mib = 0, HardwareError::Vram),
            (|h| h.cpu_cores = 0, HardwareError::CpuCores),
            (|h| h.ram_gib = 0, HardwareError::Ram),
            (|h| h.region = *b"de", HardwareError::Region),
            (|h| h.bandwidth_mbps = 0, HardwareError::Bandwidth),
            (|h| h.compute_types = 0, HardwareError::ComputeTypes),
            (|h| h.compute_types = 1 << 31, HardwareError::ComputeTypes),
        ];
        for (break_it, err) in cases {
            let mut h = ok;
            break_it(&mut h);
            assert_eq!(Hardware::parse(&h.pack()), Err(err));
        }
        let mut w = ok.pack();
        w[0] = 1;
        assert_eq!(Hardware::parse(&w), Err(HardwareError::Reserved));
    }
}
