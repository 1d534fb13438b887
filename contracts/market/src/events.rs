//! Every state change of the market contract, as a Solidity event.

use alloy_sol_types::sol;

sol! {
    /// A tenant opened an order and escrowed `deposit` of `token`; it takes
    /// bids until `bidDeadline`.
    event OrderCreated(uint64 indexed orderId, address indexed tenant, address indexed token, uint256 requirements, uint256 maxPricePerHour, uint64 durationSecs, uint256 deposit, uint64 bidDeadline);
    /// The tenant cancelled an unmatched order and got `refund` back.
    event OrderCancelled(uint64 indexed orderId, uint256 refund);
    /// The tenant set the hash of its deployment manifest.
    event ManifestChanged(uint64 indexed orderId, bytes32 manifestHash);
    /// `node` bid `pricePerHour` on the order.
    event BidPlaced(uint64 indexed orderId, uint64 indexed bidId, address indexed node, uint256 pricePerHour);
    /// `node` withdrew its bid.
    event BidWithdrawn(uint64 indexed orderId, uint64 indexed bidId, address indexed node);
    /// `proposer` proposed the bid as the order's match; it scored `score`.
    event MatchProposed(uint64 indexed orderId, uint64 indexed bidId, address indexed proposer, uint64 score);
    /// The tenant (or, for an `autoAccept` order, anyone after the bid
    /// window) accepted the bid: the leases contract runs lease `orderId`
    /// of `node` with `manifestHash`; the order's other bids are lost.
    event MatchAccepted(uint64 indexed orderId, uint64 indexed bidId, address indexed node, bytes32 manifestHash);
    /// Governance added or removed a payment token.
    event PaymentTokenChanged(address indexed token, bool allowed);
    /// Governance set a parameter.
    event ParameterChanged(uint8 indexed id, uint256 value);
    /// Governance gave `role` to `account`.
    event RoleChanged(uint8 indexed role, address indexed account, bool enabled);
    /// The contract was paused.
    event Paused(address account);
    /// The contract was unpaused.
    event Unpaused(address account);
}
