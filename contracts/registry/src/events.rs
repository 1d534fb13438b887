//! Every state change of the registry contract, as a Solidity event.

pub use spon_contract_kit::admin::{ParameterChanged, Paused, RoleChanged, Unpaused};

spon_contract_kit::sol_abi! {
    /// `node` proposed itself as a Provider node.
    #[derive(Debug)]
    event ProviderProposed(address indexed node, uint256 hardware, string endpoint, bytes32 tlsCertHash, address probeKey);
    /// `node` registered as a Fizz node behind `gateway`.
    #[derive(Debug)]
    event FizzRegistered(address indexed node, address indexed gateway, uint256 hardware, address probeKey);
    /// `node` moved from state `from` to `to` (0 none, 1 proposed, 2 active,
    /// 3 maintenance, 4 suspended, 5 deactivated).
    #[derive(Debug)]
    event NodeStateChanged(address indexed node, uint8 from, uint8 to);
    /// `node` asked for its hardware to become `hardware` (awaits approval).
    #[derive(Debug)]
    event HardwareProposed(address indexed node, uint256 hardware);
    /// `node`'s declared hardware is now `hardware`.
    #[derive(Debug)]
    event HardwareApproved(address indexed node, uint256 hardware);
    /// Governance rejected `node`'s proposal or hardware update `hardware`.
    #[derive(Debug)]
    event HardwareRejected(address indexed node, uint256 hardware);
    /// `node` serves manifests at `endpoint` with the TLS certificate of
    /// hash `tlsCertHash`.
    #[derive(Debug)]
    event EndpointChanged(address indexed node, string endpoint, bytes32 tlsCertHash);
    /// `node`'s probe signs with `probeKey`.
    #[derive(Debug)]
    event ProbeKeyChanged(address indexed node, address probeKey);
    /// A probe result of `node`, signed by its probe key, was committed.
    #[derive(Debug)]
    event ProbeCommitted(address indexed node, bytes32 indexed reportHash, uint256 indexed challengeId, uint256 summary, uint64 nonce);
    /// `node`'s reputation counters changed.
    #[derive(Debug)]
    event ReputationChanged(address indexed node, uint64 leasesCompleted, uint64 leasesFaulted, uint64 challengesLost, uint64 uptimeEras, uint64 activeLeases);
}
