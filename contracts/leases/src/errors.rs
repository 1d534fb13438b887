//! Every refusal of the leases contract, as a Solidity custom error.

use alloy_primitives::Address;
use alloy_sol_types::sol;
use openzeppelin_stylus::token::erc20::utils::safe_erc20;
use stylus_sdk::prelude::*;

sol! {
    /// `caller` does not hold the role the function needs, or is neither
    /// the lease's tenant nor its provider.
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
    /// Only the lease's tenant may do this.
    #[derive(Debug)]
    error NotTenant(uint64 leaseId, address caller);
    /// A lease with this id exists already.
    #[derive(Debug)]
    error LeaseExists(uint64 leaseId);
    /// The lease is not running (`state` of `leaseOf`: 0 no lease,
    /// 2 escrow ran dry, 3 end reached, 4 closed); `settle` closes a lease
    /// in state 2 or 3.
    #[derive(Debug)]
    error LeaseNotActive(uint64 leaseId, uint8 state);
    /// A lease must last at least one second.
    #[derive(Debug)]
    error ZeroDuration();
    /// A price must be above zero.
    #[derive(Debug)]
    error ZeroPrice();
    /// An amount must be above zero.
    #[derive(Debug)]
    error ZeroAmount();
    /// Nothing has accrued since the last settlement.
    #[derive(Debug)]
    error NothingToSettle(uint64 leaseId);
    /// A sum would overflow.
    #[derive(Debug)]
    error ArithmeticOverflow();
    /// The registry at `target` refused or did not answer.
    #[derive(Debug)]
    error CallFailed(address target);
    /// Parameter `id` cannot take `value` (bounds `min`..=`max`).
    #[derive(Debug)]
    error ParameterOutOfBounds(uint8 id, uint256 value, uint256 min, uint256 max);
    /// No parameter (or role) with this id.
    #[derive(Debug)]
    error UnknownParameter(uint8 id);
    /// A token transfer failed or returned false.
    #[derive(Debug)]
    error SafeErc20FailedOperation(address token);
}

/// The error of every leases entry point.
#[derive(SolidityError, Debug)]
#[allow(missing_docs)]
pub enum Error {
    Unauthorized(Unauthorized),
    ZeroAddress(ZeroAddress),
    EnforcedPause(EnforcedPause),
    ExpectedPause(ExpectedPause),
    NotTenant(NotTenant),
    LeaseExists(LeaseExists),
    LeaseNotActive(LeaseNotActive),
    ZeroDuration(ZeroDuration),
    ZeroPrice(ZeroPrice),
    ZeroAmount(ZeroAmount),
    NothingToSettle(NothingToSettle),
    ArithmeticOverflow(ArithmeticOverflow),
    CallFailed(CallFailed),
    ParameterOutOfBounds(ParameterOutOfBounds),
    UnknownParameter(UnknownParameter),
    SafeErc20FailedOperation(SafeErc20FailedOperation),
}

impl Error {
    /// The refusal for an unauthorised `caller`.
    pub fn unauthorized(caller: Address) -> Self {
        Error::Unauthorized(Unauthorized { caller })
    }
}

impl From<safe_erc20::Error> for Error {
    fn from(e: safe_erc20::Error) -> Self {
        let token = match e {
            safe_erc20::Error::SafeErc20FailedOperation(e) => e.token,
            safe_erc20::Error::SafeErc20FailedDecreaseAllowance(_) => Address::ZERO,
        };
        Error::SafeErc20FailedOperation(SafeErc20FailedOperation { token })
    }
}
