//! Every state change of the audits contract, as a Solidity event.

pub use spon_contract_kit::admin::{ParameterChanged, Paused, RoleChanged, Unpaused};

spon_contract_kit::sol_abi! {
    /// Governance set the round period to `period` seconds, in force from
    /// round `fromRound`.
    #[derive(Debug)]
    event RoundPeriodChanged(uint64 period, uint64 fromRound);
    /// `node` joined the audit list at `index` (anyone may enrol an
    /// active node).
    #[derive(Debug)]
    event NodeEnrolled(address indexed node, uint64 index);
    /// `auditor` committed to a secret for `round`.
    #[derive(Debug)]
    event SeedCommitted(uint64 indexed round, address indexed auditor, bytes32 commitment);
    /// `auditor` revealed its secret for `round`; `reveals` so far.
    #[derive(Debug)]
    event SeedRevealed(uint64 indexed round, address indexed auditor, bytes32 secret, uint32 reveals);
    /// The audit of `round` (seed `seed`) opened challenge `challengeId`
    /// of `kind` against `node`.
    #[derive(Debug)]
    event AuditOpened(uint64 indexed round, uint64 indexed challengeId, address indexed node, uint8 kind, bytes32 seed);
    /// `node`, whose stake fell below `minAuditStake`, left the list at
    /// `index` (the last node moved there).
    #[derive(Debug)]
    event NodePruned(address indexed node, uint64 index);
    /// The audit of `round` drew no auditable node.
    #[derive(Debug)]
    event AuditSkipped(uint64 indexed round, bytes32 seed);
    /// `from` added `amount` SPON to the audit pool.
    #[derive(Debug)]
    event PoolFunded(address indexed from, uint256 amount);
    /// Governance took `amount` SPON from the pool to `to`.
    #[derive(Debug)]
    event PoolWithdrawn(address indexed to, uint256 amount);
}
