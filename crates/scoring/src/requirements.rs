//! An order's requirements, packed in one `uint256`, and whether a node's
//! declared hardware and tier meet them.
//!
//! | bits | field | meaning |
//! |---|---|---|
//! | 0–15 | `gpu_model` | GPU model class (`spon_node::hardware::gpu`); 0 = any |
//! | 16–31 | `gpu_count` | least number of GPUs, ≥ 1 |
//! | 32–63 | `min_vram_mib` | least memory per GPU, MiB; 0 = any |
//! | 64–127 | `regions` | up to four ISO 3166-1 alpha-2 codes in order of preference (first at bits 64–79); 0 = unused entry; all 0 = anywhere |
//! | 128–159 | `min_bandwidth_mbps` | least network bandwidth, Mbit/s |
//! | 160–191 | `compute_types` | compute bits the node must all offer (`spon_node::hardware::compute`) |
//! | 192–199 | `max_tier` | worst acceptable tier, 1 (best only) … 6 (any trusted node) |
//! | 200–207 | `flags` | bit 0: [`AUTO_ACCEPT`] |
//! | 208–255 | reserved | must be zero |

use spon_node::{
    hardware::compute,
    tier::LOWEST_TRUSTED,
    word::{self, Word},
    Hardware,
};

/// Entries of the region set.
pub const REGION_SLOTS: usize = 4;

/// Flag: once the bid window has closed, anyone may accept the best
/// proposal on the tenant's behalf.
pub const AUTO_ACCEPT: u8 = 1;

const FLAGS_ALL: u8 = AUTO_ACCEPT;

/// What an order asks of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Requirements {
    /// GPU model class; 0 = any.
    pub gpu_model: u16,
    /// Least number of GPUs.
    pub gpu_count: u16,
    /// Least memory per GPU, MiB.
    pub min_vram_mib: u32,
    /// Acceptable regions in order of preference; `[0, 0]` = unused entry.
    pub regions: [[u8; 2]; REGION_SLOTS],
    /// Least network bandwidth, Mbit/s.
    pub min_bandwidth_mbps: u32,
    /// Compute bits the node must all offer.
    pub compute_types: u32,
    /// Worst acceptable tier.
    pub max_tier: u8,
    /// Bit set of flags ([`AUTO_ACCEPT`]).
    pub flags: u8,
}

/// Which field of packed requirements is invalid (the `field` of the
/// market's `InvalidRequirements` error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum RequirementsError {
    /// `gpu_count` is 0.
    GpuCount = 0,
    /// A region entry is neither 0 nor two ASCII capitals.
    Region = 1,
    /// `compute_types` has undefined bits.
    ComputeTypes = 2,
    /// `max_tier` is not 1 … 6.
    MaxTier = 3,
    /// `flags` has undefined bits.
    Flags = 4,
    /// The reserved high bits are not zero.
    Reserved = 5,
}

/// The first requirement a node does not meet (the `requirement` of the
/// market's `RequirementNotMet` error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Unmet {
    /// Another GPU model class.
    GpuModel = 0,
    /// Fewer GPUs.
    GpuCount = 1,
    /// Less memory per GPU.
    Vram = 2,
    /// A region outside the set.
    Region = 3,
    /// Less bandwidth.
    Bandwidth = 4,
    /// A required compute type missing.
    ComputeTypes = 5,
    /// A worse tier.
    Tier = 6,
}

impl Unmet {
    /// What the node lacks, in words.
    pub const fn meaning(self) -> &'static str {
        match self {
            Unmet::GpuModel => "its GPUs are another model than the order asks for",
            Unmet::GpuCount => "it has fewer GPUs than the order asks for",
            Unmet::Vram => "its GPUs have less memory than the order asks for",
            Unmet::Region => "it is outside the order's regions",
            Unmet::Bandwidth => "its bandwidth is below the order's",
            Unmet::ComputeTypes => "it lacks a compute type the order requires",
            Unmet::Tier => "its tier is worse than the order accepts",
        }
    }
}

impl Requirements {
    /// Packs into the word layout of this module.
    pub fn pack(&self) -> Word {
        let mut w = [0u8; 32];
        word::set(&mut w, 0, 16, self.gpu_model.into());
        word::set(&mut w, 16, 16, self.gpu_count.into());
        word::set(&mut w, 32, 32, self.min_vram_mib.into());
        for (i, r) in self.regions.iter().enumerate() {
            word::set(
                &mut w,
                64 + 16 * i as u32,
                16,
                u16::from_be_bytes(*r).into(),
            );
        }
        word::set(&mut w, 128, 32, self.min_bandwidth_mbps.into());
        word::set(&mut w, 160, 32, self.compute_types.into());
        word::set(&mut w, 192, 8, self.max_tier.into());
        word::set(&mut w, 200, 8, self.flags.into());
        w
    }

    /// Unpacks without validation (reserved bits are ignored).
    pub fn unpack(w: &Word) -> Self {
        let mut regions = [[0u8; 2]; REGION_SLOTS];
        for (i, r) in regions.iter_mut().enumerate() {
            *r = (word::get(w, 64 + 16 * i as u32, 16) as u16).to_be_bytes();
        }
        Self {
            gpu_model: word::get(w, 0, 16) as u16,
            gpu_count: word::get(w, 16, 16) as u16,
            min_vram_mib: word::get(w, 32, 32) as u32,
            regions,
            min_bandwidth_mbps: word::get(w, 128, 32) as u32,
            compute_types: word::get(w, 160, 32) as u32,
            max_tier: word::get(w, 192, 8) as u8,
            flags: word::get(w, 200, 8) as u8,
        }
    }

    /// Unpacks and validates: at least one GPU, well-formed regions, known
    /// compute bits and flags, a trusted `max_tier`, reserved bits zero.
    ///
    /// # Errors
    /// The first invalid field.
    pub fn parse(w: &Word) -> Result<Self, RequirementsError> {
        if !word::high_bits_clear(w, 208) {
            return Err(RequirementsError::Reserved);
        }
        let r = Self::unpack(w);
        let region_ok = |c: &[u8; 2]| *c == [0, 0] || c.iter().all(u8::is_ascii_uppercase);
        let checks = [
            (r.gpu_count != 0, RequirementsError::GpuCount),
            (r.regions.iter().all(region_ok), RequirementsError::Region),
            (
                r.compute_types & !compute::ALL == 0,
                RequirementsError::ComputeTypes,
            ),
            (
                (1..=LOWEST_TRUSTED).contains(&r.max_tier),
                RequirementsError::MaxTier,
            ),
            (r.flags & !FLAGS_ALL == 0, RequirementsError::Flags),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some((_, e)) => Err(*e),
            None => Ok(r),
        }
    }

    /// Whether the region set is empty (any region will do).
    pub fn anywhere(&self) -> bool {
        self.regions.iter().all(|r| *r == [0, 0])
    }

    /// Position of `region` in the preference list, `None` if absent.
    pub fn region_rank(&self, region: [u8; 2]) -> Option<usize> {
        self.regions
            .iter()
            .position(|r| *r == region && *r != [0, 0])
    }

    /// Whether the flag bit `flag` is set.
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Checks that a node with declared `hw` and tier `tier` meets every
    /// requirement.
    ///
    /// # Errors
    /// The first unmet requirement, in the order of [`Unmet`].
    pub fn check(&self, hw: &Hardware, tier: u8) -> Result<(), Unmet> {
        let checks = [
            (
                self.gpu_model == 0 || hw.gpu_model == self.gpu_model,
                Unmet::GpuModel,
            ),
            (hw.gpu_count >= self.gpu_count, Unmet::GpuCount),
            (hw.vram_mib >= self.min_vram_mib, Unmet::Vram),
            (
                self.anywhere() || self.region_rank(hw.region).is_some(),
                Unmet::Region,
            ),
            (
                hw.bandwidth_mbps >= self.min_bandwidth_mbps,
                Unmet::Bandwidth,
            ),
            (
                hw.compute_types & self.compute_types == self.compute_types,
                Unmet::ComputeTypes,
            ),
            (tier >= 1 && tier <= self.max_tier, Unmet::Tier),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some((_, e)) => Err(*e),
            None => Ok(()),
        }
    }
}
