//! What a node and a tenant sign, and every refusal by name.
//!
//! Both signatures are EIP-191 (`personal_sign`) of a digest bound to the
//! TLS client certificate of the connection they travel on: replaying one
//! on another connection needs that certificate's private key.

use alloy_primitives::{keccak256, Address, PrimitiveSignature, B256};
use spon_protocol::states::{LeaseState, NodeState};

/// The node's registry account signs, to open its tunnel:
/// `keccak256("SPON tunnel v1" ‖ chainId ‖ registry ‖ gateway ‖ node ‖
/// sha256(client certificate))`, `chainId` as 32 bytes big-endian.
pub fn node_digest(
    chain_id: u64,
    registry: Address,
    gateway: Address,
    node: Address,
    client_cert: B256,
) -> B256 {
    let mut buf = b"SPON tunnel v1".to_vec();
    buf.extend_from_slice(&B256::left_padding_from(&chain_id.to_be_bytes())[..]);
    buf.extend_from_slice(registry.as_slice());
    buf.extend_from_slice(gateway.as_slice());
    buf.extend_from_slice(node.as_slice());
    buf.extend_from_slice(client_cert.as_slice());
    keccak256(buf)
}

/// The lease's tenant signs, to reach its service:
/// `keccak256("SPON connect v1" ‖ chainId ‖ leases ‖ leaseId ‖ port ‖
/// sha256(client certificate))`, `leaseId` 8 bytes and `port` 2 bytes
/// big-endian.
pub fn tenant_digest(
    chain_id: u64,
    leases: Address,
    lease_id: u64,
    port: u16,
    client_cert: B256,
) -> B256 {
    let mut buf = b"SPON connect v1".to_vec();
    buf.extend_from_slice(&B256::left_padding_from(&chain_id.to_be_bytes())[..]);
    buf.extend_from_slice(leases.as_slice());
    buf.extend_from_slice(&lease_id.to_be_bytes());
    buf.extend_from_slice(&port.to_be_bytes());
    buf.extend_from_slice(client_cert.as_slice());
    keccak256(buf)
}

/// The node signs the certificate of its agent's manifest endpoint, for
/// tenants that reach it through a gateway: `keccak256("SPON node cert
/// v1" ‖ chainId ‖ registry ‖ node ‖ sha256(certificate))`.
pub fn node_cert_digest(chain_id: u64, registry: Address, node: Address, cert: B256) -> B256 {
    let mut buf = b"SPON node cert v1".to_vec();
    buf.extend_from_slice(&B256::left_padding_from(&chain_id.to_be_bytes())[..]);
    buf.extend_from_slice(registry.as_slice());
    buf.extend_from_slice(node.as_slice());
    buf.extend_from_slice(cert.as_slice());
    keccak256(buf)
}

/// Who signed `digest` (zero if the signature recovers nobody).
pub fn signer(signature: &[u8], digest: B256) -> Address {
    PrimitiveSignature::try_from(signature)
        .ok()
        .and_then(|s| s.recover_address_from_msg(digest).ok())
        .unwrap_or(Address::ZERO)
}

/// A node as the registry holds it (`nodeOf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeView {
    /// Its state (`spon_protocol::states::NodeState`).
    pub state: u8,
    /// The gateway it named (zero for a Provider node).
    pub gateway: Address,
}

/// A lease as the leases contract holds it (`leaseOf`, state as of now).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseView {
    /// Its tenant.
    pub tenant: Address,
    /// Its node.
    pub node: Address,
    /// Its state (`spon_protocol::states::LeaseState`).
    pub state: u8,
}

/// Why a tunnel or a session is refused or cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not the frame expected, or unreadable.
    Malformed(String),
    /// The hello's signature is not the claimed node's.
    NotNode {
        /// Who signed (zero if nobody).
        signer: Address,
        /// Who the hello claims to be.
        node: Address,
    },
    /// The registry has no such node.
    NotRegistered(Address),
    /// The node is not active (proposed, in maintenance, suspended,
    /// deactivated).
    NodeNotActive {
        /// The node.
        node: Address,
        /// Its state.
        state: u8,
    },
    /// The node named another gateway (or none).
    OtherGateway {
        /// The node.
        node: Address,
        /// The gateway it named.
        gateway: Address,
    },
    /// No such lease.
    UnknownLease(u64),
    /// The lease is not active (out of funds, ended, closed).
    LeaseNotActive {
        /// The lease.
        lease: u64,
        /// Its state.
        state: u8,
    },
    /// The connection's signature is not the lease tenant's.
    NotTenant {
        /// Who signed (zero if nobody).
        signer: Address,
        /// The lease's tenant.
        tenant: Address,
    },
    /// The lease's node has no tunnel to this gateway now.
    NodeOffline(Address),
    /// The node runs no workload for the lease that serves this port.
    NoService {
        /// The lease.
        lease: u64,
        /// The port asked for.
        port: u16,
    },
    /// The lease has as many sessions open as one lease may.
    TooManySessions {
        /// The lease.
        lease: u64,
        /// The most a lease may have open.
        max: u64,
    },
    /// The chain could not be read; nothing was decided.
    ChainUnavailable(String),
}

impl Refusal {
    /// The refusal's name, as the answer frame and the logs carry it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "Malformed",
            Self::NotNode { .. } => "NotNode",
            Self::NotRegistered(_) => "NotRegistered",
            Self::NodeNotActive { .. } => "NodeNotActive",
            Self::OtherGateway { .. } => "OtherGateway",
            Self::UnknownLease(_) => "UnknownLease",
            Self::LeaseNotActive { .. } => "LeaseNotActive",
            Self::NotTenant { .. } => "NotTenant",
            Self::NodeOffline(_) => "NodeOffline",
            Self::NoService { .. } => "NoService",
            Self::TooManySessions { .. } => "TooManySessions",
            Self::ChainUnavailable(_) => "ChainUnavailable",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self.name();
        match self {
            Self::Malformed(why) => write!(f, "{name}: {why}"),
            Self::NotNode { signer, node } => {
                write!(f, "{name}: signed by {signer}, not by the node {node}")
            }
            Self::NotRegistered(node) => write!(f, "{name}: {node} is not a registered node"),
            Self::NodeNotActive { node, state } => {
                write!(f, "{name}: node {node} is {}", NodeState::name_of(*state))
            }
            Self::OtherGateway { node, gateway } => {
                write!(
                    f,
                    "{name}: node {node} named gateway {gateway}, not this one"
                )
            }
            Self::UnknownLease(id) => write!(f, "{name}: no lease {id}"),
            Self::LeaseNotActive { lease, state } => write!(
                f,
                "{name}: lease {lease} is {}",
                LeaseState::name_of(*state)
            ),
            Self::NotTenant { signer, tenant } => write!(
                f,
                "{name}: signed by {signer}, the lease's tenant is {tenant}"
            ),
            Self::NodeOffline(node) => {
                write!(f, "{name}: node {node} has no tunnel to this gateway now")
            }
            Self::NoService { lease, port } => write!(
                f,
                "{name}: the node runs no service on port {port} for lease {lease}"
            ),
            Self::TooManySessions { lease, max } => write!(
                f,
                "{name}: lease {lease} has {max} sessions open, as many as a lease may"
            ),
            Self::ChainUnavailable(why) => write!(f, "{name}: {why}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// Whether `node` (as the registry holds it, none if unknown) may open a
/// tunnel to `gateway`, its hello signed by `signer`.
///
/// # Errors
/// The first failing check: signer, registration, state, gateway.
pub fn admit_node(
    node: Address,
    signer: Address,
    view: Option<NodeView>,
    gateway: Address,
) -> Result<(), Refusal> {
    if signer != node || node == Address::ZERO {
        return Err(Refusal::NotNode { signer, node });
    }
    let view = view.ok_or(Refusal::NotRegistered(node))?;
    if view.state != NodeState::Active as u8 {
        return Err(Refusal::NodeNotActive {
            node,
            state: view.state,
        });
    }
    if view.gateway != gateway {
        return Err(Refusal::OtherGateway {
            node,
            gateway: view.gateway,
        });
    }
    Ok(())
}

/// Whether the signer of a tenant's connection may reach lease `id` (as
/// the leases contract holds it, none if unknown).
///
/// # Errors
/// The first failing check: lease, tenant, state.
pub fn admit_tenant(
    id: u64,
    signer: Address,
    lease: Option<LeaseView>,
) -> Result<LeaseView, Refusal> {
    let lease = lease.ok_or(Refusal::UnknownLease(id))?;
    if signer != lease.tenant {
        return Err(Refusal::NotTenant {
            signer,
            tenant: lease.tenant,
        });
    }
    if lease.state != LeaseState::Active as u8 {
        return Err(Refusal::LeaseNotActive {
            lease: id,
            state: lease.state,
        });
    }
    Ok(lease)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_signer::SignerSync;
    use alloy_signer_local::PrivateKeySigner;

    const GATEWAY: Address = Address::repeat_byte(0x6a);
    const CERT: B256 = B256::repeat_byte(0xce);

    fn key(name: &str) -> PrivateKeySigner {
        PrivateKeySigner::from_bytes(&keccak256(name)).unwrap()
    }

    fn signed(k: &PrivateKeySigner, digest: B256) -> Vec<u8> {
        k.sign_message_sync(digest.as_slice())
            .unwrap()
            .as_bytes()
            .to_vec()
    }

    #[test]
    fn an_active_node_that_named_this_gateway_is_admitted_and_the_rest_by_name() {
        let node = key("fizz");
        let at = |state, gateway| Some(NodeView { state, gateway });
        let d = node_digest(1, Address::ZERO, GATEWAY, node.address(), CERT);
        let who = signer(&signed(&node, d), d);
        let active = NodeState::Active as u8;
        assert_eq!(
            admit_node(node.address(), who, at(active, GATEWAY), GATEWAY),
            Ok(())
        );
        // Signed for another connection's certificate: someone else.
        let other = node_digest(1, Address::ZERO, GATEWAY, node.address(), B256::ZERO);
        let replayed = signer(&signed(&node, d), other);
        assert!(matches!(
            admit_node(node.address(), replayed, at(active, GATEWAY), GATEWAY),
            Err(Refusal::NotNode { .. })
        ));
        assert_eq!(
            admit_node(
                node.address(),
                signer(&[1, 2], d),
                at(active, GATEWAY),
                GATEWAY
            ),
            Err(Refusal::NotNode {
                signer: Address::ZERO,
                node: node.address()
            })
        );
        assert_eq!(
            admit_node(node.address(), who, None, GATEWAY),
            Err(Refusal::NotRegistered(node.address()))
        );
        let suspended = NodeState::Suspended as u8;
        assert_eq!(
            admit_node(node.address(), who, at(suspended, GATEWAY), GATEWAY)
                .unwrap_err()
                .to_string(),
            format!("NodeNotActive: node {} is suspended", node.address())
        );
        assert_eq!(
            admit_node(node.address(), who, at(active, Address::ZERO), GATEWAY),
            Err(Refusal::OtherGateway {
                node: node.address(),
                gateway: Address::ZERO
            })
        );
    }

    #[test]
    fn only_the_tenant_reaches_an_active_lease() {
        let tenant = key("tenant");
        let lease = |state| {
            Some(LeaseView {
                tenant: tenant.address(),
                node: Address::with_last_byte(9),
                state,
            })
        };
        let d = tenant_digest(1, Address::ZERO, 7, 8080, CERT);
        let who = signer(&signed(&tenant, d), d);
        let active = LeaseState::Active as u8;
        assert!(admit_tenant(7, who, lease(active)).is_ok());
        // The signature names the port: another port is another signer.
        let port = tenant_digest(1, Address::ZERO, 7, 22, CERT);
        assert!(matches!(
            admit_tenant(7, signer(&signed(&tenant, d), port), lease(active)),
            Err(Refusal::NotTenant { .. })
        ));
        let stranger = key("stranger");
        assert!(matches!(
            admit_tenant(7, signer(&signed(&stranger, d), d), lease(active)),
            Err(Refusal::NotTenant { .. })
        ));
        assert_eq!(admit_tenant(7, who, None), Err(Refusal::UnknownLease(7)));
        for state in [
            LeaseState::InsufficientFunds,
            LeaseState::Ended,
            LeaseState::Closed,
        ] {
            let refused = admit_tenant(7, who, lease(state as u8)).unwrap_err();
            assert_eq!(refused.name(), "LeaseNotActive");
            assert_eq!(
                refused.to_string(),
                format!("LeaseNotActive: lease 7 is {}", state.name())
            );
        }
    }

    proptest::proptest! {
        /// Whatever the chain says and whoever signed: a tenant is carried
        /// exactly when the lease exists, the signer is its tenant and it
        /// is active; a node's tunnel is admitted exactly when it signed
        /// for itself, is registered and active, and named this gateway.
        #[test]
        fn admission_is_exactly_its_checks(
            who in 0u8..4,
            owner in 1u8..4,
            state in 0u8..6,
            exists: bool,
            named in 0u8..3,
        ) {
            let account = |n: u8| if n == 0 { Address::ZERO } else { Address::repeat_byte(n) };
            let lease = exists.then_some(LeaseView {
                tenant: account(owner),
                node: Address::repeat_byte(0x0f),
                state,
            });
            let admitted = admit_tenant(3, account(who), lease);
            proptest::prop_assert_eq!(
                admitted.is_ok(),
                exists && who == owner && state == LeaseState::Active as u8
            );
            let gateway = [GATEWAY, Address::ZERO, Address::repeat_byte(0x6b)][usize::from(named)];
            let view = exists.then_some(NodeView { state, gateway });
            let admitted = admit_node(account(owner), account(who), view, GATEWAY);
            proptest::prop_assert_eq!(
                admitted.is_ok(),
                who == owner && exists && state == NodeState::Active as u8 && named == 0
            );
        }
    }
}
