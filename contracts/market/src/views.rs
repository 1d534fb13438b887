//! What the market's views return, with named fields.

spon_contract_kit::sol_abi! {
    /// The contracts fixed at construction (`config`).
    #[derive(Debug, Default, PartialEq)]
    struct MarketConfig {
        address spon;
        address registry;
        address staking;
        address leases;
    }

    /// Orders and bids created so far (`counts`); ids run from 1 to these.
    #[derive(Debug, Default, PartialEq)]
    struct Counts {
        uint64 orders;
        uint64 bids;
    }

    /// An order (`orderOf`); state 0 if unknown.
    #[derive(Debug, Default, PartialEq)]
    struct Order {
        /// Who placed it and pays.
        address tenant;
        /// The payment token.
        address token;
        /// 1 open, 2 cancelled, 3 matched (`order_state`).
        uint8 state;
        /// The packed requirements (`spon_scoring::Requirements`).
        uint256 requirements;
        /// The highest price per hour it pays, token units.
        uint256 maxPricePerHour;
        /// The lease duration, seconds.
        uint64 duration;
        /// Bids and match proposals close at this time.
        uint64 bidDeadline;
        /// The deposit held, token units.
        uint256 deposit;
        /// Live bids on it.
        uint64 liveBids;
        /// The proposed bid (0 if none).
        uint64 proposedBid;
        /// The hash of the workload manifest.
        bytes32 manifestHash;
    }

    /// A bid (`bidOf`); state 0 if unknown.
    #[derive(Debug, Default, PartialEq)]
    struct Bid {
        /// The order it bids on.
        uint64 orderId;
        /// The bidding node.
        address node;
        /// Its price per hour, token units.
        uint256 pricePerHour;
        /// 1 live, 2 withdrawn, 3 won, 4 lost (`bid_state`).
        uint8 state;
    }
}
