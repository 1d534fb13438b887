//! Every refusal of the governor, as a Solidity custom error.

spon_contract_kit::sol_abi! {
    /// A proposal needs at least one call and at most `max`; `targets`,
    /// `values` and `calldatas` must be as long as each other.
    #[derive(Debug)]
    error InvalidProposalLength(uint64 targets, uint64 values, uint64 calldatas, uint64 max);
    /// Call `index` carries more than `max` bytes of calldata.
    #[derive(Debug)]
    error CalldataTooLong(uint256 index, uint256 length, uint256 max);
    /// The proposer holds `balance` SPON, less than `threshold`.
    #[derive(Debug)]
    error BelowProposalThreshold(address proposer, uint256 balance, uint256 threshold);
    /// Proposal `id` is in `state`, not one of those this needs (bit `s`
    /// of `expected` set for each state `s` it accepts).
    #[derive(Debug)]
    error ProposalNotInState(uint64 id, uint8 state, uint16 expected);
    /// `voter` voted on proposal `id` already.
    #[derive(Debug)]
    error AlreadyVoted(uint64 id, address voter);
    /// `support` is not 0 (against), 1 (for) or 2 (abstain).
    #[derive(Debug)]
    error InvalidSupport(uint8 support);
    /// An amount must be above zero.
    #[derive(Debug)]
    error ZeroAmount();
    /// `voter` has no SPON locked on proposal `id` (never voted, or took
    /// it back already).
    #[derive(Debug)]
    error NothingLocked(uint64 id, address voter);
    /// The vote on proposal `id` is open until `voteEnd`: its SPON stays
    /// locked until then.
    #[derive(Debug)]
    error VoteNotOver(uint64 id, uint64 voteEnd);
    /// Proposal `id` is queued until `eta`.
    #[derive(Debug)]
    error TimelockNotPassed(uint64 id, uint64 eta);
    /// The calls given to execute proposal `id` are not those proposed.
    #[derive(Debug)]
    error ActionsMismatch(uint64 id);
    /// Call `index` of the proposal (to `target`) reverted with `reason`.
    #[derive(Debug)]
    error CallReverted(uint256 index, address target, bytes reason);
    /// A proposal may call the governor itself only with `setParameter`
    /// or `setGuardian`, and without value.
    #[derive(Debug)]
    error UnsupportedSelfCall(bytes4 selector);
    /// The calls would leave the governor `balance` SPON, less than the
    /// `locked` votes of running proposals (they belong to voters).
    #[derive(Debug)]
    error LockedVotesSpent(uint256 balance, uint256 locked);
}

spon_contract_kit::contract_errors! {
    /// The error of every governor entry point.
    pub enum Error {
        InvalidProposalLength(InvalidProposalLength),
        CalldataTooLong(CalldataTooLong),
        BelowProposalThreshold(BelowProposalThreshold),
        ProposalNotInState(ProposalNotInState),
        AlreadyVoted(AlreadyVoted),
        InvalidSupport(InvalidSupport),
        ZeroAmount(ZeroAmount),
        NothingLocked(NothingLocked),
        VoteNotOver(VoteNotOver),
        TimelockNotPassed(TimelockNotPassed),
        ActionsMismatch(ActionsMismatch),
        CallReverted(CallReverted),
        UnsupportedSelfCall(UnsupportedSelfCall),
        LockedVotesSpent(LockedVotesSpent),
    }
}

impl Error {
    /// The refusal for proposal `id` in `state` where one of `expected`
    /// states is needed.
    pub fn not_in_state(id: u64, state: u8, expected: &[u8]) -> Self {
        let expected = expected.iter().fold(0u16, |m, s| m | (1 << s));
        Error::ProposalNotInState(ProposalNotInState {
            id,
            state,
            expected,
        })
    }
}
