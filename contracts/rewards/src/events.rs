//! Every state change of the rewards contract, as a Solidity event.

pub use spon_contract_kit::admin::{ParameterChanged, Paused, RoleChanged, Unpaused};

spon_contract_kit::sol_abi! {
    /// Governance set the era length to `length` seconds, in force from
    /// era `fromEra`.
    #[derive(Debug)]
    event EraLengthChanged(uint64 length, uint64 fromEra);
    /// `from` added `amount` SPON to the reserve (`reserve` unallocated now).
    #[derive(Debug)]
    event ReserveFunded(address indexed from, uint256 amount, uint256 reserve);
    /// Governance took `amount` SPON of the unallocated reserve to `to`.
    #[derive(Debug)]
    event ReserveWithdrawn(address indexed to, uint256 amount);
    /// `node` checked in for `era` with `points` (its `gpus`, declared and
    /// probed, × the class multiplier × the booster of `tier`); the era has
    /// `totalPoints` now.
    #[derive(Debug)]
    event CheckedIn(uint64 indexed era, address indexed node, uint64 points, uint8 tier, uint16 gpus, uint256 totalPoints);
    /// Era `era`'s first claim fixed its budget: `budget` SPON wei taken
    /// from the reserve, shared by `totalPoints`.
    #[derive(Debug)]
    event EraBudgetLocked(uint64 indexed era, uint256 budget, uint256 totalPoints);
    /// `node`'s share of era `era`, `amount` SPON wei, went into its
    /// staking pool (the provider's commission first, the rest to the
    /// pool's stakers over the reward period).
    #[derive(Debug)]
    event RewardPaid(uint64 indexed era, address indexed node, uint256 amount);
    /// `node` lost its share of era `era`, `amount` SPON wei, back to the
    /// reserve: it lost a challenge after checking in, is jailed, or its
    /// pool holds no stake.
    #[derive(Debug)]
    event RewardForfeited(uint64 indexed era, address indexed node, uint256 amount);
}
