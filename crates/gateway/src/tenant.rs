//! A tenant's side: a connection to a lease's service through the gateway
//! (a Fizz node) or at the node's own endpoint (a Provider node), and a
//! local port forwarded to it.

use std::sync::Arc;

use alloy_primitives::{Address, B256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use anyhow::{anyhow, Context, Result};
use rustls::pki_types::ServerName;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{client::TlsStream, TlsConnector};
use tracing::{info, warn};

use crate::{
    auth,
    tls::{self, Identity},
    wire::{self, Answer, Connect, NodeCert, CONNECT_ALPN},
};

/// The host of `host:port` (an IPv6 literal keeps its brackets).
pub fn host_of(addr: &str) -> &str {
    addr.rsplit_once(':').map_or(addr, |(h, _)| h)
}

/// Where and as whom a tenant reaches a lease's service.
#[derive(Clone)]
pub struct Access {
    /// The gateway's (or the Provider node's) tenant address, host:port.
    pub addr: String,
    /// SHA-256 of its certificate.
    pub pinned: B256,
    /// The tenant's TLS certificate (any; the signature binds it).
    pub identity: Identity,
    /// The lease's tenant.
    pub key: PrivateKeySigner,
    /// The chain.
    pub chain_id: u64,
    /// The leases contract.
    pub leases: Address,
    /// The lease.
    pub lease_id: u64,
}

impl Access {
    /// One connection to the service on `port` of the lease (0: the node
    /// agent's manifest endpoint), its bytes the service's.
    ///
    /// # Errors
    /// The address cannot be reached, its certificate is not the pinned
    /// one, or the connection is refused (the refusal named:
    /// `refused: NotTenant: …`).
    pub async fn connect(&self, port: u16) -> Result<TlsStream<TcpStream>> {
        let connector = TlsConnector::from(Arc::new(tls::client_config(
            &self.identity,
            self.pinned,
            CONNECT_ALPN,
        )?));
        let stream = TcpStream::connect(&self.addr)
            .await
            .with_context(|| format!("cannot reach {}", self.addr))?;
        let _ = stream.set_nodelay(true);
        let host = host_of(&self.addr)
            .trim_matches(|c| c == '[' || c == ']')
            .to_string();
        let name =
            ServerName::try_from(host).map_err(|e| anyhow!("bad host in {}: {e}", self.addr))?;
        let mut tls = connector
            .connect(name, stream)
            .await
            .with_context(|| format!("TLS handshake with {}", self.addr))?;
        let digest = auth::tenant_digest(
            self.chain_id,
            self.leases,
            self.lease_id,
            port,
            self.identity.hash(),
        );
        let signature = self.key.sign_message_sync(digest.as_slice())?;
        wire::write(
            &mut tls,
            &Connect {
                lease_id: self.lease_id,
                port,
                signature: signature.as_bytes().to_vec().into(),
            },
        )
        .await?;
        let answer: Answer = tokio::time::timeout(
            crate::gateway::OPENING_TIMEOUT + std::time::Duration::from_secs(5),
            wire::read(&mut tls),
        )
        .await
        .context("no answer")??;
        answer.into_result()?;
        Ok(tls)
    }

    /// A connection to the manifest endpoint of the lease's node `node`
    /// (port 0), and the certificate that endpoint will present, as the
    /// node signed it ([`NodeCert`], checked against `node` for
    /// `registry`).
    ///
    /// # Errors
    /// As [`Self::connect`], or the certificate is not signed by `node`.
    pub async fn connect_agent(
        &self,
        node: Address,
        registry: Address,
    ) -> Result<(TlsStream<TcpStream>, B256)> {
        let mut stream = self.connect(0).await?;
        let cert: NodeCert = wire::read(&mut stream).await?;
        let digest = auth::node_cert_digest(self.chain_id, registry, node, cert.cert);
        let signer = auth::signer(&cert.signature, digest);
        if cert.node != node || signer != node {
            anyhow::bail!(
                "the node's certificate is signed by {signer}, not by the lease's node {node}"
            );
        }
        Ok((stream, cert.cert))
    }

    /// Forwards every connection to `listener` to the service on `port`,
    /// until the task is dropped. A refused or lost connection is logged
    /// and closed; the next is tried afresh.
    ///
    /// # Errors
    /// The listener fails.
    pub async fn forward(self: Arc<Self>, listener: TcpListener, port: u16) -> Result<()> {
        loop {
            let Some((mut local, from)) = crate::gateway::accept(&listener).await else {
                continue;
            };
            let _ = local.set_nodelay(true);
            let access = self.clone();
            tokio::spawn(async move {
                match access.connect(port).await {
                    Ok(mut remote) => {
                        info!(%from, lease = access.lease_id, port, "connected");
                        match crate::gateway::splice(&mut local, &mut remote).await {
                            Ok((up, down)) => info!(%from, up, down, "closed"),
                            Err(e) => warn!(%from, "the connection was lost: {e}"),
                        }
                    }
                    Err(e) => warn!(%from, "{e:#}"),
                }
            });
        }
    }
}
