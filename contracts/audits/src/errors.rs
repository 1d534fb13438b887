//! Every refusal of the audits contract, as a Solidity custom error.

use alloy_primitives::Address;
use alloy_sol_types::sol;
use stylus_sdk::prelude::*;

sol! {
    /// `caller` does not hold the role the function needs.
    #[derive(Debug)]
    error Unauthorized(address caller);
    /// An address argument was the zero address.
    #[derive(Debug)]
    error ZeroAddress();
    /// The contract is paused.
    #[derive(Debug)]
    error EnforcedPause();
    /// The contract is not paused.
    #[derive(Debug)]
    error ExpectedPause();
    /// `node` is not Active in the registry.
    #[derive(Debug)]
    error NodeNotActive(address node, uint8 state);
    /// `node` is on the audit list already.
    #[derive(Debug)]
    error AlreadyEnrolled(address node);
    /// Round `round` is not in the phase this needs (`phase`, the current
    /// round's phase: 0 commit, 1 reveal; 0 for a future round).
    #[derive(Debug)]
    error WrongPhase(uint64 round, uint8 phase);
    /// The auditor committed in this round already.
    #[derive(Debug)]
    error AlreadyCommitted(uint64 round, address auditor);
    /// The auditor has no commitment in this round, or revealed already.
    #[derive(Debug)]
    error NothingToReveal(uint64 round, address auditor);
    /// The secret does not match the auditor's commitment.
    #[derive(Debug)]
    error WrongReveal(uint64 round, address auditor);
    /// Nobody revealed in round `round`: it has no seed.
    #[derive(Debug)]
    error NoSeed(uint64 round);
    /// The audit of round `round` ran already.
    #[derive(Debug)]
    error AuditAlreadyRun(uint64 round);
    /// A GPU-work audit needs the hash of the sampling secret the auditor
    /// will reveal to the challenges contract.
    #[derive(Debug)]
    error MissingCommitment();
    /// The pool holds `balance` SPON, less than the bond `bond`.
    #[derive(Debug)]
    error InsufficientPool(uint256 balance, uint256 bond);
    /// An amount must be above zero.
    #[derive(Debug)]
    error ZeroAmount();
    /// The contract at `target` refused or did not answer.
    #[derive(Debug)]
    error CallFailed(address target);
    /// Parameter `id` cannot take `value` (bounds `min`..=`max`).
    #[derive(Debug)]
    error ParameterOutOfBounds(uint8 id, uint256 value, uint256 min, uint256 max);
    /// No parameter (or role) with this id.
    #[derive(Debug)]
    error UnknownParameter(uint8 id);
}

/// The error of every audits entry point.
#[derive(SolidityError, Debug)]
#[allow(missing_docs)]
pub enum Error {
    Unauthorized(Unauthorized),
    ZeroAddress(ZeroAddress),
    EnforcedPause(EnforcedPause),
    ExpectedPause(ExpectedPause),
    NodeNotActive(NodeNotActive),
    AlreadyEnrolled(AlreadyEnrolled),
    WrongPhase(WrongPhase),
    AlreadyCommitted(AlreadyCommitted),
    NothingToReveal(NothingToReveal),
    WrongReveal(WrongReveal),
    NoSeed(NoSeed),
    AuditAlreadyRun(AuditAlreadyRun),
    MissingCommitment(MissingCommitment),
    InsufficientPool(InsufficientPool),
    ZeroAmount(ZeroAmount),
    CallFailed(CallFailed),
    ParameterOutOfBounds(ParameterOutOfBounds),
    UnknownParameter(UnknownParameter),
}

impl Error {
    /// The refusal for an unauthorised `caller`.
    pub fn unauthorized(caller: Address) -> Self {
        Error::Unauthorized(Unauthorized { caller })
    }

    /// The refusal for a failed call to `target`.
    pub fn call_failed(target: Address) -> Self {
        Error::CallFailed(CallFailed { target })
    }
}
