//! Governance-set parameters of the rewards contract: ids, defaults,
//! bounds.
//!
//! The GPU-class multipliers and the tier boosters are in hundredths. The
//! defaults follow Spheron's published liveness-reward design where it
//! names a figure — RTX 4090 = 1, A100 80 GB = 6, H100 = 12, H200 and
//! B200 = 15 per GPU; boosters 2.0 / 1.7 / 1.5 / 1.2 / 1.1 / 1.0 / 0 for
//! tiers 1–7 — and are ours for the other classes (see `audits/rewards.md`).
//! One class holds both H100 and H200, so Hopper takes the H100's 12.

pub use spon_contract_kit::Param;
use spon_node::hardware::gpu;
use spon_protocol::params::Rewards as P;

use spon_protocol::{DAY, HOUR};

/// Length of an era, seconds. Not in the admin's table: governance sets it
/// with `setEraLength`, which applies from the next era (`id` is unused).
pub const ERA_LENGTH: Param = Param {
    id: u8::MAX,
    default: DAY,
    min: HOUR,
    max: 30 * DAY,
};

/// SPON paid per era at most, whole SPON (less if the reserve holds less
/// when the era's first claim locks its budget).
pub const ERA_BUDGET: Param = Param {
    id: P::EraBudget as u8,
    default: 10_000,
    min: 0,
    max: 100_000_000,
};

/// Seconds after an era's end before its rewards are paid: the time in
/// which a challenge about the era can still be opened, and so hold the
/// node's claim until it is decided.
pub const CLAIM_DELAY: Param = Param {
    id: P::ClaimDelay as u8,
    default: DAY,
    min: HOUR,
    max: 30 * DAY,
};

const fn multiplier(id: P, default: u64) -> Param {
    Param {
        id: id as u8,
        default,
        min: 0,
        max: 10_000,
    }
}

const fn booster(id: P, default: u64) -> Param {
    Param {
        id: id as u8,
        default,
        min: 0,
        max: 1_000,
    }
}

/// Number of parameters.
pub const COUNT: usize = 18;

/// Every parameter of `setParameter`, by id.
pub const ALL: [Param; COUNT] = [
    ERA_BUDGET,
    CLAIM_DELAY,
    multiplier(P::HopperMultiplier, 1_200),
    multiplier(P::BlackwellMultiplier, 1_500),
    multiplier(P::AmpereDcMultiplier, 600),
    multiplier(P::AdaDcMultiplier, 300),
    multiplier(P::Mi300Multiplier, 1_200),
    multiplier(P::Rtx50Multiplier, 150),
    multiplier(P::Rtx40Multiplier, 100),
    multiplier(P::Rtx30Multiplier, 50),
    multiplier(P::AppleMultiplier, 50),
    multiplier(P::OtherMultiplier, 25),
    booster(P::Tier1Booster, 200),
    booster(P::Tier2Booster, 170),
    booster(P::Tier3Booster, 150),
    booster(P::Tier4Booster, 120),
    booster(P::Tier5Booster, 110),
    booster(P::Tier6Booster, 100),
];

/// The multiplier parameter of GPU model class `model` (one of
/// `spon_node::hardware::gpu`; an unknown class counts as "other").
pub fn multiplier_of(model: u16) -> Param {
    let id = match model {
        gpu::HOPPER => P::HopperMultiplier,
        gpu::BLACKWELL => P::BlackwellMultiplier,
        gpu::AMPERE_DC => P::AmpereDcMultiplier,
        gpu::ADA_DC => P::AdaDcMultiplier,
        gpu::MI300 => P::Mi300Multiplier,
        gpu::RTX_50 => P::Rtx50Multiplier,
        gpu::RTX_40 => P::Rtx40Multiplier,
        gpu::RTX_30 => P::Rtx30Multiplier,
        gpu::APPLE => P::AppleMultiplier,
        _ => P::OtherMultiplier,
    };
    ALL[id as usize]
}

/// The booster parameter of `tier` (1–6); `None` for tier 7 (untrusted)
/// or anything else: those earn nothing.
pub fn booster_of(tier: u8) -> Option<Param> {
    match tier {
        1..=6 => Some(ALL[P::Tier1Booster as usize + usize::from(tier) - 1]),
        _ => None,
    }
}
