//! Every refusal of the audits contract, as a Solidity custom error.

spon_contract_kit::sol_abi! {
    /// A round period of `period` seconds is outside `min`..=`max`.
    #[derive(Debug)]
    error RoundPeriodOutOfBounds(uint64 period, uint64 min, uint64 max);
    /// `node` is not Active in the registry.
    #[derive(Debug)]
    error NodeNotActive(address node, uint8 state);
    /// `node` is on the audit list already.
    #[derive(Debug)]
    error AlreadyEnrolled(address node);
    /// Round `round` is not in the phase this needs (`phase`, the current
    /// round's phase: 0 commit, 1 reveal; 0 for a future round).
    #[derive(Debug)]
    error WrongPhase(uint64 round, uint8 phase);
    /// The auditor committed in this round already.
    #[derive(Debug)]
    error AlreadyCommitted(uint64 round, address auditor);
    /// The auditor has no commitment in this round, or revealed already.
    #[derive(Debug)]
    error NothingToReveal(uint64 round, address auditor);
    /// The secret does not match the auditor's commitment.
    #[derive(Debug)]
    error WrongReveal(uint64 round, address auditor);
    /// Nobody revealed in round `round`: it has no seed.
    #[derive(Debug)]
    error NoSeed(uint64 round);
    /// The audit of round `round` ran already.
    #[derive(Debug)]
    error AuditAlreadyRun(uint64 round);
    /// A GPU-work audit needs the hash of the sampling secret the auditor
    /// will reveal to the challenges contract.
    #[derive(Debug)]
    error MissingCommitment();
    /// The pool holds `balance` SPON, less than the bond `bond`.
    #[derive(Debug)]
    error InsufficientPool(uint256 balance, uint256 bond);
    /// An amount must be above zero.
    #[derive(Debug)]
    error ZeroAmount();
    /// `node`'s pool stake `stake` is below `minAuditStake` (`min`, wei).
    #[derive(Debug)]
    error StakeTooLow(address node, uint256 stake, uint256 min);
    /// No node is listed at `index`.
    #[derive(Debug)]
    error UnknownIndex(uint64 index);
    /// `node` still qualifies for the audit list.
    #[derive(Debug)]
    error StillEligible(address node);
    /// The audit of `round` can no longer run: a round's audit runs in
    /// the round after it, or never.
    #[derive(Debug)]
    error AuditExpired(uint64 round);
}

spon_contract_kit::contract_errors! {
    /// The error of every audits entry point.
    pub enum Error {
        RoundPeriodOutOfBounds(RoundPeriodOutOfBounds),
        NodeNotActive(NodeNotActive),
        AlreadyEnrolled(AlreadyEnrolled),
        WrongPhase(WrongPhase),
        AlreadyCommitted(AlreadyCommitted),
        NothingToReveal(NothingToReveal),
        WrongReveal(WrongReveal),
        NoSeed(NoSeed),
        AuditAlreadyRun(AuditAlreadyRun),
        MissingCommitment(MissingCommitment),
        InsufficientPool(InsufficientPool),
        ZeroAmount(ZeroAmount),
        StakeTooLow(StakeTooLow),
        UnknownIndex(UnknownIndex),
        StillEligible(StillEligible),
        AuditExpired(AuditExpired),
    }
}
