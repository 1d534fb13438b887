//! What the staking contract's views return, with named fields.

spon_contract_kit::sol_abi! {
    /// A provider's pool (`poolOf`).
    #[derive(Debug, Default, PartialEq)]
    struct Pool {
        /// Active stake, SPON wei (self-stake and delegations, after slashes).
        uint256 tokens;
        /// Shares of the active stake.
        uint256 shares;
        /// Stake unbonding, SPON wei.
        uint256 unbondingTokens;
        /// Shares of the unbonding stake.
        uint256 unbondingShares;
        /// Jailed until this time (0 if never slashed).
        uint64 jailedUntil;
        /// Offences opened against it and not yet closed.
        uint64 openOffences;
    }

    /// What the contract holds besides active stake (`reserves`).
    #[derive(Debug, Default, PartialEq)]
    struct Reserves {
        /// Unbonding stake of every pool, SPON wei.
        uint256 unbonding;
        /// Rewards funded and not yet claimed, SPON wei.
        uint256 rewards;
    }

    /// A provider's commission (`commissionOf`).
    #[derive(Debug, Default, PartialEq)]
    struct Commission {
        /// The commission in force, bps.
        uint16 effectiveBps;
        /// A change waiting for its delay, bps.
        uint16 pendingBps;
        /// When the pending change applies (0 if none).
        uint64 pendingAt;
    }

    /// What the registry's tier needs of a provider (`standingOf`), in one
    /// call.
    #[derive(Debug, Default, PartialEq)]
    struct Standing {
        /// The provider's own active stake, SPON wei.
        uint256 selfStake;
        /// Active stake of its pool, SPON wei.
        uint256 stake;
        /// Whether it is jailed now.
        bool jailed;
    }

    /// An unbonding request (`unbondingRequest`); zeros once withdrawn or
    /// if unknown.
    #[derive(Debug, Default, PartialEq)]
    struct UnbondingRequest {
        /// The pool it leaves.
        address provider;
        /// Who withdraws it.
        address staker;
        /// What it is worth now, SPON wei (after any slash).
        uint256 worth;
        /// When it can be withdrawn.
        uint64 releaseAt;
    }
}
