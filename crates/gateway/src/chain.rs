//! The views the gateway, the nodes and the tenants act on, read from the
//! chain over JSON-RPC.

use alloy_primitives::{Address, B256};
use spon_client::{
    bindings::{Leases, Registry},
    Client,
};
use spon_protocol::states::{LeaseState, NodeState};

use crate::auth::{LeaseView, NodeView, Refusal};

/// The registry and the leases contract of one deployment.
#[derive(Clone)]
pub struct Chain {
    /// The chain.
    pub client: Client,
    /// The registry.
    pub registry: Address,
    /// The leases contract.
    pub leases: Address,
}

fn unavailable(e: impl std::fmt::Display) -> Refusal {
    Refusal::ChainUnavailable(format!("{e:#}"))
}

impl Chain {
    /// Node `node` as the registry holds it (none if never registered).
    ///
    /// # Errors
    /// [`Refusal::ChainUnavailable`].
    pub async fn node(&self, node: Address) -> Result<Option<NodeView>, Refusal> {
        let view = self
            .client
            .view(self.registry, Registry::nodeOfCall { node })
            .await
            .map_err(unavailable)?
            .node;
        Ok((view.state != NodeState::None as u8).then_some(NodeView {
            state: view.state,
            gateway: view.gateway,
        }))
    }

    /// Lease `id` as the leases contract holds it now (none if unknown).
    ///
    /// # Errors
    /// [`Refusal::ChainUnavailable`].
    pub async fn lease(&self, id: u64) -> Result<Option<LeaseView>, Refusal> {
        let lease = self
            .client
            .view(self.leases, Leases::leaseOfCall { lease_id: id })
            .await
            .map_err(unavailable)?
            .lease;
        Ok(
            (lease.state != LeaseState::None as u8).then_some(LeaseView {
                tenant: lease.tenant,
                node: lease.node,
                state: lease.state,
            }),
        )
    }

    /// The endpoint a node registered: its URI and certificate hash.
    ///
    /// # Errors
    /// [`Refusal::ChainUnavailable`].
    pub async fn endpoint(&self, node: Address) -> Result<(String, B256), Refusal> {
        let e = self
            .client
            .view(self.registry, Registry::endpointOfCall { node })
            .await
            .map_err(unavailable)?
            .endpoint;
        Ok((e.uri, e.tlsCertHash))
    }
}
