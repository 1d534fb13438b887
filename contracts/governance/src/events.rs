//! Every state change of the governor, as a Solidity event.

pub use spon_contract_kit::admin::{ParameterChanged, Paused, RoleChanged, Unpaused};

spon_contract_kit::sol_abi! {
    /// `proposer` proposed `calls` calls (each in a `ProposalCall` that
    /// follows); voting runs from `voteStart` to `voteEnd` and needs
    /// `quorum` SPON for or abstaining.
    #[derive(Debug)]
    event ProposalCreated(uint64 indexed id, address indexed proposer, bytes32 descriptionHash, uint64 voteStart, uint64 voteEnd, uint256 quorum, uint64 calls);
    /// Call `index` of proposal `id`: `target` gets `value` wei and `data`.
    #[derive(Debug)]
    event ProposalCall(uint64 indexed id, uint64 index, address indexed target, uint256 value, bytes data);
    /// `voter` locked `weight` SPON on proposal `id`: `support` 0 against,
    /// 1 for, 2 abstain.
    #[derive(Debug)]
    event VoteCast(uint64 indexed id, address indexed voter, uint8 support, uint256 weight);
    /// `voter` took back the `amount` SPON it locked on proposal `id`.
    #[derive(Debug)]
    event VotesUnlocked(uint64 indexed id, address indexed voter, uint256 amount);
    /// Proposal `id` passed and executes from `eta`.
    #[derive(Debug)]
    event ProposalQueued(uint64 indexed id, uint64 eta);
    /// Proposal `id`'s calls ran.
    #[derive(Debug)]
    event ProposalExecuted(uint64 indexed id);
    /// Proposal `id` was withdrawn by its proposer.
    #[derive(Debug)]
    event ProposalCanceled(uint64 indexed id);
}
