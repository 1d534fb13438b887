//! What the challenges contract's views return, with named fields.

spon_contract_kit::sol_abi! {
    /// The contracts fixed at construction (`config`); guardian, committee
    /// and audits are role holders.
    #[derive(Debug, Default, PartialEq)]
    struct ChallengesConfig {
        address spon;
        address staking;
        address registry;
        address leases;
    }

    /// A challenge (`challengeOf`); zeros if unknown.
    #[derive(Debug, Default, PartialEq)]
    struct Challenge {
        /// 0 liveness, 1 GPU work, 2 lease fault (`kind`).
        uint8 kind;
        /// See `state`: 1 open … 8 dismissed.
        uint8 state;
        /// The challenged node.
        address node;
        /// Who opened it.
        address challenger;
        /// The challenger's bond, SPON wei.
        uint256 bond;
        /// The deadline of its current step.
        uint64 deadline;
        /// The slash if the node lost, bps of its pool.
        uint16 slashBps;
        /// When a pending slash can execute.
        uint64 executeAt;
        /// The lease of a lease-fault claim (0 otherwise).
        uint64 leaseId;
        /// The challenger's commitment to its sampling secret.
        bytes32 commitment;
    }

    /// What the prover of a GPU-work challenge needs (`gpuWorkOf`; see
    /// `spon_gpu_work`).
    #[derive(Debug, Default, PartialEq)]
    struct GpuWork {
        /// The matrices' seed.
        bytes32 seed;
        /// The matrix size.
        uint32 n;
        /// The entries sampled.
        uint16 k;
        /// The node's committed Merkle root of the product's chunks.
        bytes32 root;
        /// The seed of the sampled entries, once revealed.
        bytes32 sampleSeed;
    }

    /// How much of a provider's slash cap is used (`slashUsage`).
    #[derive(Debug, Default, PartialEq)]
    struct SlashUsage {
        /// The cap period: `timestamp / slashCapPeriod`.
        uint64 period;
        /// Bps slashed in it.
        uint16 bps;
    }
}
