//! Every refusal of the registry contract, as a Solidity custom error.

use alloy_primitives::{Address, U256};

spon_contract_kit::sol_abi! {
    /// `node` is already registered (in `state`; see `NodeStateChanged`).
    #[derive(Debug)]
    error AlreadyRegistered(address node, uint8 state);
    /// The call is not allowed while `node` is in `state` (0: never
    /// registered).
    #[derive(Debug)]
    error InvalidState(address node, uint8 state);
    /// The call needs a node of class `expected` (1 Provider, 2 Fizz).
    #[derive(Debug)]
    error WrongClass(address node, uint8 expected);
    /// Field `field` of the packed hardware is invalid (see spon-node's
    /// `HardwareError`: 0 GPU model … 8 reserved bits).
    #[derive(Debug)]
    error InvalidHardware(uint8 field);
    /// The endpoint URI is empty or longer than `max` bytes.
    #[derive(Debug)]
    error InvalidEndpoint(uint256 length, uint256 max);
    /// Self-stake `stake` is below the class minimum `required` (wei).
    #[derive(Debug)]
    error InsufficientStake(uint256 stake, uint256 required);
    /// `gateway` is neither an active Provider node nor an approved
    /// gateway operator.
    #[derive(Debug)]
    error UnknownGateway(address gateway);
    /// `node` has no proposal or hardware update awaiting approval.
    #[derive(Debug)]
    error NothingToApprove(address node);
    /// The approval names a spec other than the one of `node` under
    /// review, `underReview` (it changed after the review began).
    #[derive(Debug)]
    error HardwareMismatch(address node, uint256 underReview);
    /// The probe nonce of the node is `expected`, not `given`.
    #[derive(Debug)]
    error InvalidNonce(uint256 expected, uint256 given);
    /// The signature is malformed or does not recover to an address.
    #[derive(Debug)]
    error InvalidSignature();
    /// The signature recovers to `recovered`, not the probe key `expected`.
    #[derive(Debug)]
    error WrongSigner(address expected, address recovered);
    /// The summary's `timestamp` is more than `maxAge` seconds before
    /// `now`, or after it.
    #[derive(Debug)]
    error StaleProbe(uint64 timestamp, uint64 now, uint64 maxAge);
    /// `node` still runs `active` leases.
    #[derive(Debug)]
    error LeasesOutstanding(address node, uint64 active);
    /// `node` has no lease open to close.
    #[derive(Debug)]
    error NoActiveLease(address node);
    /// Uptime of `node` for era `era` is already credited.
    #[derive(Debug)]
    error UptimeAlreadyRecorded(address node, uint64 era);
    /// The staking contract did not answer a stake query.
    #[derive(Debug)]
    error StakingCallFailed(address staking);
}

spon_contract_kit::contract_errors! {
    /// The error of every registry entry point.
    pub enum Error {
        AlreadyRegistered(AlreadyRegistered),
        InvalidState(InvalidState),
        WrongClass(WrongClass),
        InvalidHardware(InvalidHardware),
        InvalidEndpoint(InvalidEndpoint),
        InsufficientStake(InsufficientStake),
        UnknownGateway(UnknownGateway),
        NothingToApprove(NothingToApprove),
        HardwareMismatch(HardwareMismatch),
        InvalidNonce(InvalidNonce),
        InvalidSignature(InvalidSignature),
        WrongSigner(WrongSigner),
        StaleProbe(StaleProbe),
        LeasesOutstanding(LeasesOutstanding),
        NoActiveLease(NoActiveLease),
        UptimeAlreadyRecorded(UptimeAlreadyRecorded),
        StakingCallFailed(StakingCallFailed),
    }
}

impl Error {
    /// The refusal of a call `node`'s state does not allow.
    pub fn invalid_state(node: Address, state: crate::lifecycle::State) -> Self {
        Error::InvalidState(InvalidState {
            node,
            state: state as u8,
        })
    }

    /// The refusal of a self-stake below the class minimum.
    pub fn insufficient_stake(stake: U256, required: U256) -> Self {
        Error::InsufficientStake(InsufficientStake { stake, required })
    }
}
