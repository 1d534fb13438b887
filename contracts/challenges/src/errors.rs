//! Every refusal of the challenges contract, as a Solidity custom error.

spon_contract_kit::sol_abi! {
    /// No challenge kind with this id (0 liveness, 1 GPU work, 2 lease fault).
    #[derive(Debug)]
    error UnknownKind(uint8 kind);
    /// `node` was never registered.
    #[derive(Debug)]
    error UnknownNode(address node);
    /// `node` cannot be challenged this way in its registry `state`
    /// (liveness and GPU work need an Active node: Maintenance is exempt).
    #[derive(Debug)]
    error NodeExempt(address node, uint8 state);
    /// A GPU-work challenge needs the hash of the challenger's sampling
    /// secret, a lease fault an evidence hash, a GPU-work commitment a
    /// root: none may be zero.
    #[derive(Debug)]
    error MissingCommitment();
    /// Only the tenant of lease `leaseId` of `node` may claim a fault.
    #[derive(Debug)]
    error NotLeaseTenant(uint64 leaseId, address caller);
    /// Lease `leaseId` has a fault challenge already.
    #[derive(Debug)]
    error LeaseAlreadyChallenged(uint64 leaseId, uint64 challengeId);
    /// `node` already has challenge `challengeId` of this kind open: one
    /// outage or one GPU is challenged once at a time.
    #[derive(Debug)]
    error ChallengeAlreadyOpen(address node, uint64 challengeId);
    /// No challenge with this id.
    #[derive(Debug)]
    error UnknownChallenge(uint64 challengeId);
    /// The challenge is of another kind.
    #[derive(Debug)]
    error WrongKind(uint64 challengeId, uint8 kind);
    /// The challenge is not in a state that allows this (`state` of
    /// `challengeOf`): answered, resolved or at another step.
    #[derive(Debug)]
    error WrongState(uint64 challengeId, uint8 state);
    /// Too late: the step's deadline, or the end of the veto period, `at`
    /// has passed.
    #[derive(Debug)]
    error TooLate(uint64 challengeId, uint64 at);
    /// Too early: the step's deadline, or the end of the veto period, `at`
    /// has not passed yet.
    #[derive(Debug)]
    error TooEarly(uint64 challengeId, uint64 at);
    /// The node's latest committed probe does not answer this challenge.
    #[derive(Debug)]
    error NotAnswered(uint64 challengeId);
    /// Only the node or its probe key may commit its GPU work.
    #[derive(Debug)]
    error NotNode(uint64 challengeId, address caller);
    /// The revealed secret does not hash to the challenger's commitment.
    #[derive(Debug)]
    error WrongSecret(uint64 challengeId);
    /// The opened chunks or proofs do not have the lengths `n` and `k` need.
    #[derive(Debug)]
    error MalformedProof(uint64 challengeId);
    /// The chunk of entry `entry` (`i·n + j`) does not lead to the
    /// committed root.
    #[derive(Debug)]
    error WrongMerkleProof(uint64 challengeId, uint64 entry);
    /// Entry `entry` (`i·n + j`) is not that entry of A·B.
    #[derive(Debug)]
    error WrongEntry(uint64 challengeId, uint64 entry);
}

spon_contract_kit::contract_errors! {
    /// The error of every challenges entry point.
    pub enum Error {
        UnknownKind(UnknownKind),
        UnknownNode(UnknownNode),
        NodeExempt(NodeExempt),
        MissingCommitment(MissingCommitment),
        NotLeaseTenant(NotLeaseTenant),
        LeaseAlreadyChallenged(LeaseAlreadyChallenged),
        ChallengeAlreadyOpen(ChallengeAlreadyOpen),
        UnknownChallenge(UnknownChallenge),
        WrongKind(WrongKind),
        WrongState(WrongState),
        TooLate(TooLate),
        TooEarly(TooEarly),
        NotAnswered(NotAnswered),
        NotNode(NotNode),
        WrongSecret(WrongSecret),
        MalformedProof(MalformedProof),
        WrongMerkleProof(WrongMerkleProof),
        WrongEntry(WrongEntry),
    }
}

impl Error {
    /// Too late for challenge `id`: `at` has passed.
    pub fn too_late(id: u64, at: u64) -> Self {
        Error::TooLate(TooLate {
            challengeId: id,
            at,
        })
    }

    /// Too early for challenge `id`: `at` has not passed.
    pub fn too_early(id: u64, at: u64) -> Self {
        Error::TooEarly(TooEarly {
            challengeId: id,
            at,
        })
    }
}
