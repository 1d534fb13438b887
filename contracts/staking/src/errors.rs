//! Every refusal of the staking contract, as a Solidity custom error.

use alloy_primitives::{Address, U256};

spon_contract_kit::sol_abi! {
    /// `amount` was zero.
    #[derive(Debug)]
    error ZeroAmount();
    /// `provider` has no pool: it never self-staked.
    #[derive(Debug)]
    error UnknownProvider(address provider);
    /// Asked for `requested` tokens of a stake worth `available`.
    #[derive(Debug)]
    error InsufficientStake(uint256 requested, uint256 available);
    /// The amount is too small to be represented by one share.
    #[derive(Debug)]
    error AmountTooSmall(uint256 amount);
    /// A slash took all of `provider`'s pool; it takes no new stake.
    #[derive(Debug)]
    error PoolWiped(address provider);
    /// No active stake to pay `provider`'s reward to.
    #[derive(Debug)]
    error NoActiveStake(address provider);
    /// No unbonding request with this id.
    #[derive(Debug)]
    error UnknownRequest(uint256 requestId);
    /// The request belongs to someone else.
    #[derive(Debug)]
    error NotRequestOwner(uint256 requestId, address owner);
    /// The unbonding period of the request ends at `releaseAt`.
    #[derive(Debug)]
    error UnbondingNotFinished(uint256 requestId, uint64 releaseAt);
    /// `provider` has `open` offences under challenge: its pool's stake
    /// stays slashable until they resolve.
    #[derive(Debug)]
    error WithdrawalFrozen(address provider, uint64 open);
    /// Basis points above 10,000.
    #[derive(Debug)]
    error InvalidBps(uint256 bps);
    /// Commission `bps` above the cap `maxBps`.
    #[derive(Debug)]
    error CommissionAboveCap(uint256 bps, uint256 maxBps);
    /// An offence with this challenge id is already open.
    #[derive(Debug)]
    error OffenceAlreadyOpen(uint256 challengeId);
    /// No open offence with this challenge id against this provider.
    #[derive(Debug)]
    error UnknownOffence(uint256 challengeId);
}

spon_contract_kit::contract_errors! {
    /// The error of every staking entry point.
    pub enum Error {
        ZeroAmount(ZeroAmount),
        UnknownProvider(UnknownProvider),
        InsufficientStake(InsufficientStake),
        AmountTooSmall(AmountTooSmall),
        PoolWiped(PoolWiped),
        NoActiveStake(NoActiveStake),
        UnknownRequest(UnknownRequest),
        NotRequestOwner(NotRequestOwner),
        UnbondingNotFinished(UnbondingNotFinished),
        WithdrawalFrozen(WithdrawalFrozen),
        InvalidBps(InvalidBps),
        CommissionAboveCap(CommissionAboveCap),
        OffenceAlreadyOpen(OffenceAlreadyOpen),
        UnknownOffence(UnknownOffence),
    }
}

impl Error {
    /// Maps a pool refusal for `provider` (asked `amount`) to its error.
    pub fn from_pool(e: crate::pool::PoolError, provider: Address, amount: U256) -> Self {
        use crate::pool::PoolError;
        match e {
            PoolError::Wiped => Error::PoolWiped(PoolWiped { provider }),
            PoolError::Insufficient { available } => Error::InsufficientStake(InsufficientStake {
                requested: amount,
                available,
            }),
            PoolError::Dust => Error::AmountTooSmall(AmountTooSmall { amount }),
            PoolError::NoShares => Error::NoActiveStake(NoActiveStake { provider }),
            PoolError::Overflow => Error::overflow(),
        }
    }
}
