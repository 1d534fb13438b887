//! Every state change of the leases contract, as a Solidity event.

pub use spon_contract_kit::admin::{ParameterChanged, Paused, RoleChanged, Unpaused};

spon_contract_kit::sol_abi! {
    /// The market opened lease `leaseId` (= its order id) of `node` for
    /// `tenant`, from `start` to `end` at `pricePerHour` of `token`, with
    /// `funded` in escrow and a fee of `feeBps` added to its payments.
    #[derive(Debug)]
    event LeaseOpened(uint64 indexed leaseId, address indexed node, address indexed tenant, address token, uint256 pricePerHour, uint64 start, uint64 end, uint256 funded, uint16 feeBps);
    /// The tenant added `amount` to the lease's escrow (`funded` in all).
    #[derive(Debug)]
    event LeaseToppedUp(uint64 indexed leaseId, uint256 amount, uint256 funded);
    /// The lease was paid up to `paidUntil`: `toProvider` (the whole
    /// accrual at the bid price) to the node, `fee` on top to the treasury.
    #[derive(Debug)]
    event LeaseSettled(uint64 indexed leaseId, address indexed node, uint64 paidUntil, uint256 toProvider, uint256 fee);
    /// The lease ended at `paidUntil` (`reason`: 1 end reached, 2 escrow
    /// ran dry, 3 closed by the tenant, 4 closed by the provider); the
    /// tenant got `refund` back.
    #[derive(Debug)]
    event LeaseClosed(uint64 indexed leaseId, address indexed node, uint8 reason, uint64 paidUntil, uint256 refund);
    /// `amount` of `token` owed to `account` could not be sent (the token
    /// refused it, e.g. a blocklist): it is credited, `credit` in all, for
    /// `account` to `claim`; the other parties were paid.
    #[derive(Debug)]
    event PaymentDeferred(address indexed token, address indexed account, uint256 amount, uint256 credit);
    /// `account` claimed its `amount` of `token` credited.
    #[derive(Debug)]
    event CreditClaimed(address indexed token, address indexed account, uint256 amount);
}
