//! Every refusal of the market contract, as a Solidity custom error.

spon_contract_kit::sol_abi! {
    /// `token` is neither SPON nor on the payment-token allowlist.
    #[derive(Debug)]
    error PaymentTokenNotAllowed(address token);
    /// Field `field` of the packed requirements is invalid (see
    /// spon-scoring's `RequirementsError`: 0 GPU count … 5 reserved bits).
    #[derive(Debug)]
    error InvalidRequirements(uint8 field);
    /// An order must last at least one second.
    #[derive(Debug)]
    error ZeroDuration();
    /// A price must be above zero.
    #[derive(Debug)]
    error ZeroPrice();
    /// An amount must be above zero.
    #[derive(Debug)]
    error ZeroAmount();
    /// `price` is above `max` (the order's maximum, or 2^128 − 1).
    #[derive(Debug)]
    error PriceTooHigh(uint256 price, uint256 max);
    /// No order (or lease) has this id.
    #[derive(Debug)]
    error UnknownOrder(uint64 orderId);
    /// The order is not open (`state`: 0 none, 2 cancelled, 3 matched).
    #[derive(Debug)]
    error OrderNotOpen(uint64 orderId, uint8 state);
    /// The order's bid window closed at `deadline`.
    #[derive(Debug)]
    error BiddingClosed(uint64 orderId, uint64 deadline);
    /// Only the order's tenant may do this (before the bid window closes,
    /// for an `autoAccept` order's acceptance).
    #[derive(Debug)]
    error NotTenant(uint64 orderId, address caller);
    /// `node` is not an active node of the registry (`state` there).
    #[derive(Debug)]
    error NodeNotActive(address node, uint8 state);
    /// `node` is jailed by the staking contract.
    #[derive(Debug)]
    error NodeJailed(address node);
    /// `node` does not meet requirement `requirement` (spon-scoring's
    /// `Unmet`: 0 GPU model, 1 GPU count, 2 VRAM, 3 region, 4 bandwidth,
    /// 5 compute types).
    #[derive(Debug)]
    error RequirementNotMet(address node, uint8 requirement);
    /// `node`'s tier `tier` is worse than the order's `maxTier`.
    #[derive(Debug)]
    error TierTooLow(address node, uint8 tier, uint8 maxTier);
    /// `node` already has live bid `bidId` on the order.
    #[derive(Debug)]
    error DuplicateBid(uint64 orderId, address node, uint64 bidId);
    /// The order already has `max` live bids.
    #[derive(Debug)]
    error TooManyBids(uint64 orderId, uint64 max);
    /// The order's book has room: bid with `placeBid`.
    #[derive(Debug)]
    error BookNotFull(uint64 orderId);
    /// No bid has this id.
    #[derive(Debug)]
    error UnknownBid(uint64 bidId);
    /// The bid is not live (`state`: 2 withdrawn, 3 won, 4 lost).
    #[derive(Debug)]
    error BidNotLive(uint64 bidId, uint8 state);
    /// The bid was placed on another order.
    #[derive(Debug)]
    error BidNotForOrder(uint64 orderId, uint64 bidId);
    /// Bid `bidId` does not rank strictly above the current proposal
    /// `currentBidId` by the shared scoring.
    #[derive(Debug)]
    error ScoreNotBetter(uint64 orderId, uint64 bidId, uint64 currentBidId);
    /// The order has no match proposal to accept.
    #[derive(Debug)]
    error NoProposal(uint64 orderId);
}

spon_contract_kit::contract_errors! {
    /// The error of every market entry point.
    pub enum Error {
        PaymentTokenNotAllowed(PaymentTokenNotAllowed),
        InvalidRequirements(InvalidRequirements),
        ZeroDuration(ZeroDuration),
        ZeroPrice(ZeroPrice),
        ZeroAmount(ZeroAmount),
        PriceTooHigh(PriceTooHigh),
        UnknownOrder(UnknownOrder),
        OrderNotOpen(OrderNotOpen),
        BiddingClosed(BiddingClosed),
        NotTenant(NotTenant),
        NodeNotActive(NodeNotActive),
        NodeJailed(NodeJailed),
        RequirementNotMet(RequirementNotMet),
        TierTooLow(TierTooLow),
        DuplicateBid(DuplicateBid),
        TooManyBids(TooManyBids),
        BookNotFull(BookNotFull),
        UnknownBid(UnknownBid),
        BidNotLive(BidNotLive),
        BidNotForOrder(BidNotForOrder),
        ScoreNotBetter(ScoreNotBetter),
        NoProposal(NoProposal),
    }
}
