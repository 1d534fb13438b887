//! Every refusal of the leases contract, as a Solidity custom error (the
//! shared ones are declared in `spon_contract_kit::admin`).

spon_contract_kit::sol_abi! {
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
    /// `account` has no credit of `token` to claim.
    #[derive(Debug)]
    error NothingToClaim(address token, address account);
}

spon_contract_kit::contract_errors! {
    /// The error of every leases entry point: the shared errors of
    /// `spon_contract_kit::admin`, then these.
    pub enum Error {
        NotTenant(NotTenant),
        LeaseExists(LeaseExists),
        LeaseNotActive(LeaseNotActive),
        ZeroDuration(ZeroDuration),
        ZeroPrice(ZeroPrice),
        ZeroAmount(ZeroAmount),
        NothingToSettle(NothingToSettle),
        NothingToClaim(NothingToClaim),
    }
}
