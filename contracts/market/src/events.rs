//! Every state change of the market contract, as a Solidity event.

pub use spon_contract_kit::admin::{ParameterChanged, Paused, RoleChanged, Unpaused};

spon_contract_kit::sol_abi! {
    /// A tenant opened an order and escrowed `deposit` of `token`; it takes
    /// bids until `bidDeadline`.
    #[derive(Debug)]
    event OrderCreated(uint64 indexed orderId, address indexed tenant, address indexed token, uint256 requirements, uint256 maxPricePerHour, uint64 durationSecs, uint256 deposit, uint64 bidDeadline);
    /// The tenant cancelled an unmatched order and got `refund` back.
    #[derive(Debug)]
    event OrderCancelled(uint64 indexed orderId, uint256 refund);
    /// The tenant set the hash of its deployment manifest.
    #[derive(Debug)]
    event ManifestChanged(uint64 indexed orderId, bytes32 manifestHash);
    /// `node` bid `pricePerHour` on the order.
    #[derive(Debug)]
    event BidPlaced(uint64 indexed orderId, uint64 indexed bidId, address indexed node, uint256 pricePerHour);
    /// `node` withdrew its bid.
    #[derive(Debug)]
    event BidWithdrawn(uint64 indexed orderId, uint64 indexed bidId, address indexed node);
    /// Bid `bidId` of the full book lost its place to bid `byBidId`,
    /// which ranks above it.
    #[derive(Debug)]
    event BidDisplaced(uint64 indexed orderId, uint64 indexed bidId, uint64 byBidId);
    /// `proposer` proposed the bid as the order's match; it scored `score`.
    #[derive(Debug)]
    event MatchProposed(uint64 indexed orderId, uint64 indexed bidId, address indexed proposer, uint64 score);
    /// The tenant (or, for an `autoAccept` order, anyone after the bid
    /// window) accepted the bid: the leases contract runs lease `orderId`
    /// of `node` with `manifestHash`; the order's other bids are lost.
    #[derive(Debug)]
    event MatchAccepted(uint64 indexed orderId, uint64 indexed bidId, address indexed node, bytes32 manifestHash);
    /// Governance added or removed a payment token.
    #[derive(Debug)]
    event PaymentTokenChanged(address indexed token, bool allowed);
}
