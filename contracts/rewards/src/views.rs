//! What the rewards contract's views return, with named fields.

spon_contract_kit::sol_abi! {
    /// The contracts fixed at construction (`config`).
    #[derive(Debug, Default, PartialEq)]
    struct RewardsConfig {
        address spon;
        address registry;
        address staking;
    }

    /// The era now (`currentEra`).
    #[derive(Debug, Default, PartialEq)]
    struct CurrentEra {
        /// Its number.
        uint64 era;
        /// When it started.
        uint64 startsAt;
        /// When it ends.
        uint64 endsAt;
    }

    /// An era (`eraOf`).
    #[derive(Debug, Default, PartialEq)]
    struct Era {
        /// When it ends.
        uint64 endsAt;
        /// When its rewards are paid from.
        uint64 claimableAt;
        /// Points checked in.
        uint256 totalPoints;
        /// Nodes checked in.
        uint64 nodes;
        /// Whether its budget is fixed (at its first claim).
        bool locked;
        /// Its budget, SPON wei (0 until locked).
        uint256 budget;
        /// What is left of it to pay, SPON wei.
        uint256 unpaid;
    }

    /// A node's check-in for an era (`checkInOf`).
    #[derive(Debug, Default, PartialEq)]
    struct CheckIn {
        /// 0 none, 1 checked in, 2 paid, 3 forfeited (`check_in_state`).
        uint8 state;
        /// Its points.
        uint64 points;
        /// Its tier at check-in.
        uint8 tier;
        /// Challenges it had lost at check-in (one more forfeits).
        uint64 challengesLost;
        /// What it was paid or forfeited, SPON wei.
        uint256 amount;
    }
}
