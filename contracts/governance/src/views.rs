//! What the governor's views return, with named fields.

spon_contract_kit::sol_abi! {
    /// A proposal (`proposalOf`); zeros if unknown.
    #[derive(Debug, Default, PartialEq)]
    struct Proposal {
        /// Who proposed it.
        address proposer;
        /// The keccak256 of its description.
        bytes32 descriptionHash;
        /// Its vote opens at this time.
        uint64 voteStart;
        /// Its vote closes at this time.
        uint64 voteEnd;
        /// Executable from this time once queued (0 before).
        uint64 eta;
        /// For + abstain votes it needs, SPON wei.
        uint256 quorum;
        /// Its number of calls.
        uint64 calls;
        /// The hash of its calls (`proposal::actions_hash`).
        bytes32 actionsHash;
    }

    /// A proposal's votes (`votesOf`), SPON wei.
    #[derive(Debug, Default, PartialEq)]
    struct Votes {
        uint256 forVotes;
        uint256 againstVotes;
        uint256 abstainVotes;
    }

    /// A voter's vote on a proposal (`voteOf`).
    #[derive(Debug, Default, PartialEq)]
    struct Vote {
        /// Whether it voted.
        bool voted;
        /// 0 against, 1 for, 2 abstain.
        uint8 support;
        /// The SPON it locked, wei.
        uint256 amount;
        /// Whether it took that SPON back.
        bool unlocked;
    }
}
