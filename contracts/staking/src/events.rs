//! Every state change of the staking contract, as a Solidity event.

pub use spon_contract_kit::admin::{ParameterChanged, Paused, RoleChanged, Unpaused};

spon_contract_kit::sol_abi! {
    /// `staker` added `amount` SPON (minting `shares`) to `provider`'s pool;
    /// `staker == provider` for self-stake.
    #[derive(Debug)]
    event Staked(address indexed provider, address indexed staker, uint256 amount, uint256 shares);
    /// `staker` moved `amount` SPON of `provider`'s pool into unbonding,
    /// withdrawable by request `requestId` from `releaseAt`.
    #[derive(Debug)]
    event UnbondingStarted(uint256 indexed requestId, address indexed provider, address indexed staker, uint256 amount, uint64 releaseAt);
    /// Request `requestId` paid `amount` SPON to `staker`.
    #[derive(Debug)]
    event Withdrawn(uint256 indexed requestId, address indexed provider, address indexed staker, uint256 amount);
    /// `funder` paid `amount` SPON of rewards to `provider`'s pool, of
    /// which `commission` went to the provider.
    #[derive(Debug)]
    event RewardNotified(address indexed provider, address indexed funder, uint256 amount, uint256 commission);
    /// `staker` claimed `amount` SPON of rewards from `provider`'s pool.
    #[derive(Debug)]
    event RewardsClaimed(address indexed provider, address indexed staker, uint256 amount);
    /// `provider`'s commission becomes `bps` at `effectiveAt`.
    #[derive(Debug)]
    event CommissionChanged(address indexed provider, uint16 bps, uint64 effectiveAt);
    /// Challenge `challengeId` opened an offence against `provider`: its
    /// pool's withdrawals are frozen until it resolves.
    #[derive(Debug)]
    event OffenceOpened(address indexed provider, uint256 indexed challengeId);
    /// The offence of challenge `challengeId` closed without a slash.
    #[derive(Debug)]
    event OffenceClosed(address indexed provider, uint256 indexed challengeId);
    /// `provider`'s pool lost `amount` SPON (`bps` of active and unbonding
    /// stake) for challenge `challengeId`: `toChallenger` to `challenger`,
    /// the rest to the treasury. The provider is jailed until `jailedUntil`.
    #[derive(Debug)]
    event Slashed(address indexed provider, uint256 indexed challengeId, uint16 bps, uint256 amount, address challenger, uint256 toChallenger, uint64 jailedUntil);
}
