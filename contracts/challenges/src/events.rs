//! Every state change of the challenges contract, as a Solidity event.

pub use spon_contract_kit::admin::{ParameterChanged, Paused, RoleChanged, Unpaused};

spon_contract_kit::sol_abi! {
    /// `challenger` bonded `bond` SPON against `node`: `kind` 0 liveness,
    /// 1 GPU work, 2 lease fault (of `leaseId`); the node's first step is
    /// due by `deadline`. `seed` derives a GPU-work challenge's matrices;
    /// `commitment` is the hash of the challenger's sampling secret (GPU
    /// work) or of its evidence (lease fault).
    #[derive(Debug)]
    event ChallengeOpened(uint64 indexed challengeId, uint8 indexed kind, address indexed node, address challenger, uint256 bond, uint64 deadline, bytes32 seed, uint64 leaseId, bytes32 commitment);
    /// The node answered a liveness challenge with a fresh signed probe.
    #[derive(Debug)]
    event LivenessAnswered(uint64 indexed challengeId, address indexed node);
    /// The node committed the Merkle `root` of C's chunks; the challenger
    /// reveals its sampling secret by `deadline`.
    #[derive(Debug)]
    event GpuWorkCommitted(uint64 indexed challengeId, address indexed node, bytes32 root, uint64 deadline);
    /// The sampling secret was revealed: `sampleSeed` picks the entries the
    /// node opens by `deadline`.
    #[derive(Debug)]
    event SampleRevealed(uint64 indexed challengeId, bytes32 sampleSeed, uint64 deadline);
    /// The node's openings passed the Merkle proofs and the recomputed entries.
    #[derive(Debug)]
    event GpuWorkProven(uint64 indexed challengeId, address indexed node);
    /// `by` (committee or governance) ruled on a lease fault.
    #[derive(Debug)]
    event Ruled(uint64 indexed challengeId, bool faulted, address by);
    /// The challenge resolved: `outcome` 1 the node passed (the challenger
    /// got `toChallenger` of its bond back, the node `toNode`), 2 the node
    /// lost (a slash is scheduled), 3 dismissed for want of a ruling (the
    /// bond went back in full).
    #[derive(Debug)]
    event ChallengeResolved(uint64 indexed challengeId, address indexed node, uint8 outcome, uint256 toChallenger, uint256 toNode);
    /// A slash of `bps` of `node`'s pool executes at `executeAt` unless vetoed.
    #[derive(Debug)]
    event SlashScheduled(uint64 indexed challengeId, address indexed node, uint16 bps, uint64 executeAt);
    /// `by` (governance or the guardian) vetoed the slash; the bond went
    /// back to the challenger.
    #[derive(Debug)]
    event SlashVetoed(uint64 indexed challengeId, address indexed node, address by);
    /// The slash executed: `bps` (after the per-period cap) took `amount`
    /// SPON from the pool; the bond went back to the challenger.
    #[derive(Debug)]
    event SlashExecuted(uint64 indexed challengeId, address indexed node, uint16 bps, uint256 amount);
}
