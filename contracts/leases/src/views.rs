//! What the leases contract's views return, with named fields.

spon_contract_kit::sol_abi! {
    /// The addresses fixed at construction (`config`); the treasury and
    /// the market are role holders (`hasRole`).
    #[derive(Debug, Default, PartialEq)]
    struct LeasesConfig {
        address spon;
        address registry;
    }

    /// A lease (`leaseOf`); its id is its order's.
    #[derive(Debug, Default, PartialEq)]
    struct Lease {
        /// Who pays.
        address tenant;
        /// The node that serves it.
        address node;
        /// The payment token.
        address token;
        /// Its price per hour, token units.
        uint256 pricePerHour;
        /// When it started.
        uint64 start;
        /// When it ends.
        uint64 end;
        /// What the tenant has put in escrow, token units.
        uint256 funded;
        /// What has been paid to the provider, token units (the fee on it,
        /// added on top, went to the treasury out of the same escrow).
        uint256 paid;
        /// Paid up to this time.
        uint64 paidUntil;
        /// The fee added to its payments, bps (0 in SPON).
        uint16 feeBps;
        /// As of now: 0 none, 1 active, 2 insufficient funds, 3 ended,
        /// 4 closed (`lease_state`).
        uint8 state;
    }

    /// A lease's parties (`partiesOf`); zeros if unknown.
    #[derive(Debug, Default, PartialEq)]
    struct Parties {
        address tenant;
        address node;
    }

    /// What `settle` would pay now (`owed`).
    #[derive(Debug, Default, PartialEq)]
    struct Owed {
        /// To the provider, token units.
        uint256 toProvider;
        /// The fee, token units.
        uint256 fee;
        /// Paid up to this time after it.
        uint64 paidUntil;
    }
}
