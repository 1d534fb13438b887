//! A node's side of the tunnel: it dials its gateway (no inbound port on
//! the node), proves itself with its registry key, and connects each
//! stream the gateway opens to the lease's service on this machine. A lost
//! tunnel is dialled again, with backoff.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use alloy_primitives::{Address, B256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use anyhow::{anyhow, bail, Context, Result};
use quinn::{crypto::rustls::QuicClientConfig, Connection};
use tokio::net::TcpStream;
use tracing::{info, warn};

use crate::{
    auth::{self, Refusal},
    gateway::{transport, OPENING_TIMEOUT},
    tls::{self, Identity},
    wire::{self, Answer, Hello, NodeCert, Open, TUNNEL_ALPN},
};

/// Where a lease's services listen on this machine.
pub trait Services: Send + Sync + 'static {
    /// The local address of `lease`'s service on `port` (0: the agent's
    /// manifest endpoint).
    ///
    /// # Errors
    /// [`Refusal::NoService`]: no workload of the lease serves that port.
    fn resolve(&self, lease: u64, port: u16) -> Result<SocketAddr, Refusal>;
}

/// A node's tunnel settings.
#[derive(Clone)]
pub struct Tunnel {
    /// The gateway's tunnel address, host:port (UDP).
    pub gateway: String,
    /// The gateway's account, as the node named it in the registry.
    pub account: Address,
    /// SHA-256 of the gateway's certificate.
    pub pinned: B256,
    /// The node's certificate, presented to the gateway.
    pub identity: Identity,
    /// The node's registry key.
    pub key: PrivateKeySigner,
    /// The chain.
    pub chain_id: u64,
    /// The registry.
    pub registry: Address,
}

/// Backoff between dials: 0.5 s doubled up to 30 s, back to 0.5 s after a
/// tunnel that stayed up a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    next: Duration,
}

impl Backoff {
    /// The first wait.
    pub const FIRST: Duration = Duration::from_millis(500);
    /// The longest wait.
    pub const MAX: Duration = Duration::from_secs(30);

    /// A backoff at its first wait.
    pub fn new() -> Self {
        Self { next: Self::FIRST }
    }

    /// The wait before the next dial, after a tunnel that lasted `up`.
    pub fn after(&mut self, up: Duration) -> Duration {
        if up >= Duration::from_secs(60) {
            self.next = Self::FIRST;
        }
        let wait = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        wait
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Tunnel {
    /// The node's signed statement of its certificate ([`NodeCert`]).
    ///
    /// # Errors
    /// Signing fails.
    pub fn node_cert(&self) -> Result<NodeCert> {
        let cert = self.identity.hash();
        let digest = auth::node_cert_digest(self.chain_id, self.registry, self.key.address(), cert);
        Ok(NodeCert {
            node: self.key.address(),
            cert,
            signature: self
                .key
                .sign_message_sync(digest.as_slice())?
                .as_bytes()
                .to_vec()
                .into(),
        })
    }

    /// Dials the gateway and opens the tunnel.
    ///
    /// # Errors
    /// The gateway cannot be reached, its certificate is not the pinned
    /// one, or it refuses the node (the refusal named).
    pub async fn open(&self) -> Result<Connection> {
        let addr = tokio::net::lookup_host(&self.gateway)
            .await
            .with_context(|| format!("cannot resolve {}", self.gateway))?
            .next()
            .ok_or_else(|| anyhow!("{} resolves to nothing", self.gateway))?;
        let bind: SocketAddr = if addr.is_ipv4() {
            "0.0.0.0:0".parse()?
        } else {
            "[::]:0".parse()?
        };
        let mut endpoint = quinn::Endpoint::client(bind)?;
        let crypto = QuicClientConfig::try_from(tls::client_config(
            &self.identity,
            self.pinned,
            TUNNEL_ALPN,
        )?)
        .context("a TLS 1.3 configuration")?;
        let mut config = quinn::ClientConfig::new(Arc::new(crypto));
        config.transport_config(Arc::new(transport()));
        endpoint.set_default_client_config(config);
        let conn = endpoint
            .connect(addr, "spon-gateway")?
            .await
            .with_context(|| format!("cannot reach the gateway at {addr}"))?;
        let digest = auth::node_digest(
            self.chain_id,
            self.registry,
            self.account,
            self.key.address(),
            self.identity.hash(),
        );
        let hello = Hello {
            node: self.key.address(),
            signature: self
                .key
                .sign_message_sync(digest.as_slice())?
                .as_bytes()
                .to_vec()
                .into(),
        };
        let (mut send, mut recv) = conn.open_bi().await?;
        let answer = tokio::time::timeout(OPENING_TIMEOUT, async {
            wire::write(&mut send, &hello).await?;
            wire::read::<_, Answer>(&mut recv).await
        })
        .await
        .context("the gateway did not answer the hello")??;
        match answer {
            Answer::Ok => Ok(conn),
            Answer::Refused { detail, .. } => bail!("the gateway refused the tunnel: {detail}"),
        }
    }
}

/// Serves the gateway's streams on `conn` until the tunnel closes; returns
/// why it closed. Streams to port 0 start with `cert`.
pub async fn serve(
    conn: Connection,
    services: Arc<dyn Services>,
    cert: Arc<NodeCert>,
) -> quinn::ConnectionError {
    loop {
        let (mut send, mut recv) = match conn.accept_bi().await {
            Ok(s) => s,
            Err(e) => return e,
        };
        let (services, cert) = (services.clone(), cert.clone());
        tokio::spawn(async move {
            let open: Open =
                match tokio::time::timeout(OPENING_TIMEOUT, wire::read(&mut recv)).await {
                    Ok(Ok(open)) => open,
                    Ok(Err(e)) => return warn!("a stream without an opening frame: {e:#}"),
                    Err(_) => return warn!("a stream without an opening frame"),
                };
            let local = match services.resolve(open.lease_id, open.port) {
                Ok(addr) => TcpStream::connect(addr)
                    .await
                    .map_err(|_| Refusal::NoService {
                        lease: open.lease_id,
                        port: open.port,
                    }),
                Err(r) => Err(r),
            };
            let mut local = match local {
                Ok(s) => s,
                Err(refusal) => {
                    info!(
                        lease = open.lease_id,
                        port = open.port,
                        "stream refused: {refusal}"
                    );
                    let _ = wire::write(&mut send, &Answer::from(&refusal)).await;
                    let _ = send.finish();
                    return;
                }
            };
            let _ = local.set_nodelay(true);
            if wire::write(&mut send, &Answer::Ok).await.is_err() {
                return;
            }
            if open.port == 0 && wire::write(&mut send, &*cert).await.is_err() {
                return;
            }
            let mut tunnel = tokio::io::join(recv, send);
            let _ = crate::gateway::splice(&mut tunnel, &mut local).await;
        });
    }
}

/// Keeps the tunnel up for as long as the task runs: dials, serves, and
/// dials again with [`Backoff`] when the tunnel is lost or refused.
///
/// # Errors
/// The node's certificate cannot be signed.
pub async fn run(tunnel: Tunnel, services: Arc<dyn Services>) -> Result<()> {
    let cert = Arc::new(tunnel.node_cert()?);
    let mut backoff = Backoff::new();
    loop {
        let started = tokio::time::Instant::now();
        match tunnel.open().await {
            Ok(conn) => {
                info!(gateway = %tunnel.gateway, "tunnel up");
                let why = serve(conn, services.clone(), cert.clone()).await;
                warn!(gateway = %tunnel.gateway, "tunnel lost: {why}");
            }
            Err(e) => warn!(gateway = %tunnel.gateway, "no tunnel: {e:#}"),
        }
        let wait = backoff.after(started.elapsed());
        info!("dialling the gateway again in {wait:?}");
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_its_cap_and_resets_after_a_long_tunnel() {
        let mut b = Backoff::new();
        let waits: Vec<u64> = (0..9)
            .map(|_| b.after(Duration::ZERO).as_millis() as u64)
            .collect();
        assert_eq!(
            waits,
            [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]
        );
        assert_eq!(b.after(Duration::from_secs(61)), Backoff::FIRST);
    }
}
