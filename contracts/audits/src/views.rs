//! What the audits contract's views return, with named fields.

spon_contract_kit::sol_abi! {
    /// The contracts fixed at construction (`config`); auditors are role
    /// holders.
    #[derive(Debug, Default, PartialEq)]
    struct AuditsConfig {
        address spon;
        address staking;
        address registry;
        address challenges;
    }

    /// The round now (`currentRound`).
    #[derive(Debug, Default, PartialEq)]
    struct CurrentRound {
        /// Its number.
        uint64 round;
        /// Whether it is in its commit half (else its reveal half).
        bool committing;
        /// When it ends.
        uint64 endsAt;
    }

    /// A round's seed (`roundOf`).
    #[derive(Debug, Default, PartialEq)]
    struct Round {
        /// Seeds revealed in it.
        uint64 reveals;
        /// The seed so far: the revealed secrets combined.
        bytes32 seed;
        /// Audits run for it so far (at most `auditsPerRound`).
        uint64 runs;
    }
}
