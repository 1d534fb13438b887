//! What the registry's views return, with named fields.

spon_contract_kit::sol_abi! {
    /// A node's record (`nodeOf`); all zero for an unknown node.
    #[derive(Debug, Default, PartialEq)]
    struct Node {
        /// 0 none, 1 proposed, 2 active, 3 maintenance, 4 suspended, 5
        /// deactivated (`lifecycle::State`).
        uint8 state;
        /// 0 none, 1 Provider, 2 Fizz.
        uint8 class;
        /// The approved packed hardware spec (`spon_node::Hardware`).
        uint256 hardware;
        /// A hardware update awaiting approval (0 if none).
        uint256 pendingHardware;
        /// The gateway operator of a Fizz node (zero for a Provider node).
        address gateway;
        /// The key that signs the node's probe reports.
        address probeKey;
    }

    /// Where tenants reach a Provider node (`endpointOf`).
    #[derive(Debug, Default, PartialEq)]
    struct Endpoint {
        /// Its endpoint URI.
        string uri;
        /// The hash of its TLS certificate.
        bytes32 tlsCertHash;
    }

    /// A node's latest probe result (`probeOf`).
    #[derive(Debug, Default, PartialEq)]
    struct Probe {
        /// The packed probe summary (`spon_node::ProbeSummary`).
        uint256 summary;
        /// The hash of the full probe report.
        bytes32 reportHash;
        /// The challenge the probe answered (0 if none).
        uint256 challengeId;
        /// The nonce the next probe report must carry.
        uint64 nextNonce;
    }

    /// A node's track record (`reputationOf`).
    #[derive(Debug, Default, PartialEq)]
    struct Reputation {
        /// Leases it completed.
        uint64 leasesCompleted;
        /// Leases that ended in its fault.
        uint64 leasesFaulted;
        /// Challenges it lost.
        uint64 challengesLost;
        /// Eras (days) of proven uptime.
        uint64 uptimeEras;
        /// Leases open now.
        uint64 leasesOpen;
    }
}
