//! The gateway service, and the tenant side of the protocol that a
//! Provider node's agent serves too.
//!
//! Nodes connect over QUIC ([`Gateway::serve_nodes`]); each opens one
//! stream with its [`Hello`] and is admitted only if it signed it for this
//! connection's certificate and the registry holds it active with this
//! gateway named ([`crate::auth::admit_node`]). A later tunnel of the same
//! node replaces the earlier one.
//!
//! Tenants connect over TLS ([`serve_tenants`]); each connection opens with
//! a [`Connect`] signed by the lease's tenant for this connection's
//! certificate, for an active lease ([`crate::auth::admit_tenant`]), then
//! carries the service's bytes. Through the gateway the [`Route`] is a new
//! stream on the node's tunnel; at a Provider node's agent it is the
//! workload's local port.
//!
//! Every few seconds ([`Gateway::recheck`]) the chain is read again: the
//! sessions of a lease no longer active are cut, and the tunnel of a node
//! no longer active or behind this gateway is closed, with the refusal as
//! the reason.

use std::{
    collections::HashMap,
    future::Future,
    net::SocketAddr,
    pin::Pin,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    task::{Context as TaskContext, Poll},
    time::{Duration, Instant},
};

use alloy_primitives::Address;
use anyhow::{Context, Result};
use quinn::{crypto::rustls::QuicServerConfig, Connection, VarInt};
use serde::Serialize;
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpListener,
    task::AbortHandle,
};
use tokio_rustls::TlsAcceptor;
use tracing::{info, warn};

use crate::{
    auth::{self, LeaseView, Refusal},
    chain::Chain,
    tls::{self, cert_hash, Identity},
    wire::{self, Answer, Connect, Hello, Open, CONNECT_ALPN, TUNNEL_ALPN},
};

/// How long an opening frame may take to arrive before the stream is
/// dropped.
pub const OPENING_TIMEOUT: Duration = Duration::from_secs(10);

/// A byte stream both ways.
pub trait Duplex: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Duplex for T {}

/// A boxed byte stream to a lease's service.
pub type Pipe = Box<dyn Duplex>;

/// The future a [`Route`] returns.
pub type Opening<'a> = Pin<Box<dyn Future<Output = Result<Pipe, Refusal>> + Send + 'a>>;

/// Where an admitted tenant's connection goes.
pub trait Route: Send + Sync + 'static {
    /// A byte stream to the service on `port` of `lease` (admitted: its
    /// tenant signed, it is active).
    fn open(&self, lease_id: u64, lease: LeaseView, port: u16) -> Opening<'_>;
}

/// The QUIC transport both ends of a tunnel use: a lost peer is noticed
/// within [`IDLE_TIMEOUT`] (keep-alives every 2 s), and windows wide enough
/// for a stream to fill a fast link.
pub fn transport() -> quinn::TransportConfig {
    let mut t = quinn::TransportConfig::default();
    t.keep_alive_interval(Some(Duration::from_secs(2)))
        .max_idle_timeout(Some(
            quinn::IdleTimeout::try_from(IDLE_TIMEOUT).expect("a small timeout"),
        ))
        .stream_receive_window(VarInt::from_u32(16 << 20))
        .receive_window(VarInt::from_u32(64 << 20))
        .send_window(64 << 20)
        .max_concurrent_bidi_streams(VarInt::from_u32(1024));
    t
}

/// The gateway's UDP port for nodes' tunnels, unless configured otherwise.
pub const NODE_PORT: u16 = 8660;

/// The TCP port tenants' connections are served on, by a gateway and by a
/// Provider node's agent, unless configured otherwise (where `spon lease`
/// looks by default).
pub const TENANT_PORT: u16 = 8661;

/// Bytes each direction of a carried connection moves at a time: a TLS
/// record's worth and more, fewer and larger QUIC stream writes than
/// tokio's default 8 KiB.
pub const COPY_BUFFER: usize = 64 * 1024;

/// Carries `a`'s bytes to `b` and back until both ends close; the bytes
/// each way.
///
/// # Errors
/// Either side fails.
pub async fn splice<A, B>(a: &mut A, b: &mut B) -> std::io::Result<(u64, u64)>
where
    A: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + ?Sized,
    B: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + ?Sized,
{
    tokio::io::copy_bidirectional_with_sizes(a, b, COPY_BUFFER, COPY_BUFFER).await
}

/// How long a silent tunnel lives.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(8);

/// Counts per lease.
#[derive(Debug, Default)]
struct LeaseCounters {
    node: Mutex<Address>,
    sessions: AtomicU64,
    open: AtomicU64,
    to_service: AtomicU64,
    to_tenant: AtomicU64,
}

/// A lease's traffic (`GET /stats`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaseStats {
    /// The lease.
    pub lease: u64,
    /// Its node.
    pub node: Address,
    /// Tenant connections taken.
    pub sessions: u64,
    /// Of which open now.
    pub open: u64,
    /// Bytes from the tenant to the service.
    pub bytes_to_service: u64,
    /// Bytes from the service to the tenant.
    pub bytes_to_tenant: u64,
}

/// A node's tunnel (`GET /stats`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeStats {
    /// The node.
    pub node: Address,
    /// Whether its tunnel is up now.
    pub connected: bool,
    /// Tunnels it opened.
    pub tunnels: u64,
    /// Seconds its tunnels have been up, in all.
    pub uptime_secs: f64,
}

#[derive(Debug, Default)]
struct NodeEntry {
    tunnel: Option<(u64, Connection, Instant)>,
    tunnels: u64,
    up: Duration,
}

/// Sessions and counts, shared by the tenant listener and the stats page.
#[derive(Debug, Default)]
pub struct Sessions {
    leases: Mutex<HashMap<u64, Arc<LeaseCounters>>>,
    live: Mutex<HashMap<u64, (u64, AbortHandle)>>,
    next: AtomicU64,
}

/// Most sessions one lease may have open through one gateway: one
/// tenant's connections cannot take every stream of its node's tunnel
/// (1,024), which its other leases and port 0 share.
pub const MAX_SESSIONS_PER_LEASE: u64 = 256;

impl Sessions {
    /// Sessions of `lease` open now.
    fn open_of(&self, lease: u64) -> u64 {
        self.leases
            .lock()
            .expect("not poisoned")
            .get(&lease)
            .map_or(0, |c| c.open.load(Ordering::Relaxed))
    }

    fn counters(&self, lease: u64, node: Address) -> Arc<LeaseCounters> {
        let mut leases = self.leases.lock().expect("not poisoned");
        let c = leases.entry(lease).or_default().clone();
        *c.node.lock().expect("not poisoned") = node;
        c
    }

    /// Reads the chain again and cuts the sessions of leases no longer
    /// active; returns why, for the log. A lease the chain cannot be read
    /// for is left as it is.
    pub async fn recheck(&self, chain: &Chain) -> Vec<Refusal> {
        let mut cut = Vec::new();
        for lease in self.open_leases() {
            let still = match chain.lease(lease).await {
                Ok(Some(view)) if view.state != spon_protocol::states::LeaseState::Active as u8 => {
                    Err(Refusal::LeaseNotActive {
                        lease,
                        state: view.state,
                    })
                }
                Ok(None) => Err(Refusal::UnknownLease(lease)),
                Ok(Some(_)) | Err(_) => Ok(()),
            };
            if let Err(refusal) = still {
                let n = self.cut(lease);
                info!(lease, sessions = n, "cut: {refusal}");
                cut.push(refusal);
            }
        }
        cut
    }

    /// Each lease's traffic, by lease id.
    pub fn stats(&self) -> Vec<LeaseStats> {
        let leases = self.leases.lock().expect("not poisoned");
        let mut out: Vec<_> = leases
            .iter()
            .map(|(&lease, c)| LeaseStats {
                lease,
                node: *c.node.lock().expect("not poisoned"),
                sessions: c.sessions.load(Ordering::Relaxed),
                open: c.open.load(Ordering::Relaxed),
                bytes_to_service: c.to_service.load(Ordering::Relaxed),
                bytes_to_tenant: c.to_tenant.load(Ordering::Relaxed),
            })
            .collect();
        out.sort_by_key(|s| s.lease);
        out
    }

    /// Leases with sessions open now.
    pub fn open_leases(&self) -> Vec<u64> {
        let live = self.live.lock().expect("not poisoned");
        let mut ids: Vec<u64> = live.values().map(|(lease, _)| *lease).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Cuts every open session of `lease`; how many.
    pub fn cut(&self, lease: u64) -> usize {
        let mut live = self.live.lock().expect("not poisoned");
        let ids: Vec<u64> = live
            .iter()
            .filter(|(_, (l, _))| *l == lease)
            .map(|(id, _)| *id)
            .collect();
        for id in &ids {
            if let Some((_, handle)) = live.remove(id) {
                handle.abort();
            }
        }
        ids.len()
    }
}

/// A stream whose bytes each way are added to counters.
struct Counted<S> {
    inner: S,
    read: Arc<LeaseCounters>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = (buf.filled().len() - before) as u64;
        self.read.to_service.fetch_add(n, Ordering::Relaxed);
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = polled {
            self.read.to_tenant.fetch_add(n as u64, Ordering::Relaxed);
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The next connection on `listener`; none after a failed accept (out of
/// descriptors, say), logged, so that the caller goes on serving after a
/// short pause instead of giving up.
pub async fn accept(listener: &TcpListener) -> Option<(tokio::net::TcpStream, SocketAddr)> {
    match listener.accept().await {
        Ok(x) => Some(x),
        Err(e) => {
            warn!("accept failed, serving on: {e}");
            tokio::time::sleep(Duration::from_millis(100)).await;
            None
        }
    }
}

/// Serves tenants on `listener` (TLS with `identity`, a client certificate
/// required) until the task is dropped: each connection admitted against
/// `chain` is carried to `route`.
///
/// # Errors
/// The TLS configuration or the listener fails.
pub async fn serve_tenants(
    listener: TcpListener,
    identity: &Identity,
    chain: Chain,
    route: Arc<dyn Route>,
    sessions: Arc<Sessions>,
) -> Result<()> {
    let acceptor = TlsAcceptor::from(Arc::new(tls::server_config(identity, CONNECT_ALPN)?));
    let chain = Arc::new(chain);
    loop {
        let Some((stream, from)) = accept(&listener).await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (acceptor, chain, route, sessions) = (
            acceptor.clone(),
            chain.clone(),
            route.clone(),
            sessions.clone(),
        );
        tokio::spawn(async move {
            if let Err(e) = tenant_session(acceptor, stream, &chain, route, sessions).await {
                warn!(%from, "tenant connection: {e:#}");
            }
        });
    }
}

async fn tenant_session(
    acceptor: TlsAcceptor,
    stream: tokio::net::TcpStream,
    chain: &Chain,
    route: Arc<dyn Route>,
    sessions: Arc<Sessions>,
) -> Result<()> {
    let mut tls = tokio::time::timeout(OPENING_TIMEOUT, acceptor.accept(stream))
        .await
        .context("TLS handshake timed out")?
        .context("TLS handshake")?;
    let cert = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| cert_hash(c))
        .context("no client certificate")?;
    let connect: Connect = tokio::time::timeout(OPENING_TIMEOUT, wire::read(&mut tls))
        .await
        .context("no opening frame")??;
    let admitted = async {
        let digest = auth::tenant_digest(
            chain.client.chain_id,
            chain.leases,
            connect.lease_id,
            connect.port,
            cert,
        );
        let signer = auth::signer(&connect.signature, digest);
        let lease = auth::admit_tenant(
            connect.lease_id,
            signer,
            chain.lease(connect.lease_id).await?,
        )?;
        if sessions.open_of(connect.lease_id) >= MAX_SESSIONS_PER_LEASE {
            return Err(Refusal::TooManySessions {
                lease: connect.lease_id,
                max: MAX_SESSIONS_PER_LEASE,
            });
        }
        let pipe = route.open(connect.lease_id, lease, connect.port).await?;
        Ok::<_, Refusal>((lease, pipe))
    }
    .await;
    let (lease, mut pipe) = match admitted {
        Ok(x) => x,
        Err(refusal) => {
            info!(
                lease = connect.lease_id,
                port = connect.port,
                "tenant refused: {refusal}"
            );
            wire::write(&mut tls, &Answer::from(&refusal)).await?;
            return Ok(());
        }
    };
    wire::write(&mut tls, &Answer::Ok).await?;
    let counters = sessions.counters(connect.lease_id, lease.node);
    counters.sessions.fetch_add(1, Ordering::Relaxed);
    counters.open.fetch_add(1, Ordering::Relaxed);
    let id = sessions.next.fetch_add(1, Ordering::Relaxed);
    let mut tenant = Counted {
        inner: tls,
        read: counters.clone(),
    };
    let copy = tokio::spawn(async move {
        let _ = splice(&mut tenant, &mut pipe).await;
    });
    sessions
        .live
        .lock()
        .expect("not poisoned")
        .insert(id, (connect.lease_id, copy.abort_handle()));
    info!(
        lease = connect.lease_id,
        port = connect.port,
        "tenant session open"
    );
    let _ = copy.await;
    sessions.live.lock().expect("not poisoned").remove(&id);
    counters.open.fetch_sub(1, Ordering::Relaxed);
    info!(lease = connect.lease_id, "tenant session closed");
    Ok(())
}

/// The gateway: the nodes' tunnels, and the route to them.
pub struct Gateway {
    /// The account nodes name as their gateway.
    pub account: Address,
    /// The chain.
    pub chain: Chain,
    nodes: Mutex<HashMap<Address, NodeEntry>>,
    next: AtomicU64,
}

impl Gateway {
    /// A gateway for `account` on `chain`, no node connected.
    pub fn new(account: Address, chain: Chain) -> Arc<Self> {
        Arc::new(Self {
            account,
            chain,
            nodes: Mutex::new(HashMap::new()),
            next: AtomicU64::new(0),
        })
    }

    /// Each node's tunnel, by node.
    pub fn stats(&self) -> Vec<NodeStats> {
        let nodes = self.nodes.lock().expect("not poisoned");
        let mut out: Vec<_> = nodes
            .iter()
            .map(|(&node, e)| NodeStats {
                node,
                connected: e.tunnel.is_some(),
                tunnels: e.tunnels,
                uptime_secs: (e.up + e.tunnel.as_ref().map_or(Duration::ZERO, |t| t.2.elapsed()))
                    .as_secs_f64(),
            })
            .collect();
        out.sort_by_key(|s| s.node);
        out
    }

    /// The node's tunnel now, if up.
    fn tunnel(&self, node: Address) -> Option<Connection> {
        let nodes = self.nodes.lock().expect("not poisoned");
        let (_, conn, _) = nodes.get(&node)?.tunnel.as_ref()?;
        conn.close_reason().is_none().then(|| conn.clone())
    }

    /// Serves nodes' tunnels on `endpoint` until it closes.
    pub async fn serve_nodes(self: Arc<Self>, endpoint: quinn::Endpoint) {
        while let Some(incoming) = endpoint.accept().await {
            let gateway = self.clone();
            tokio::spawn(async move {
                let from = incoming.remote_address();
                match incoming.await {
                    Ok(conn) => {
                        if let Err(e) = gateway.tunnel_session(conn).await {
                            warn!(%from, "node tunnel: {e:#}");
                        }
                    }
                    Err(e) => warn!(%from, "node handshake: {e}"),
                }
            });
        }
    }

    async fn tunnel_session(&self, conn: Connection) -> Result<()> {
        let cert = conn
            .peer_identity()
            .and_then(|id| {
                id.downcast::<Vec<rustls::pki_types::CertificateDer<'static>>>()
                    .ok()
            })
            .and_then(|certs| certs.first().map(|c| cert_hash(c)))
            .context("no client certificate")?;
        let (mut send, mut recv) = tokio::time::timeout(OPENING_TIMEOUT, conn.accept_bi())
            .await
            .context("no hello")??;
        let hello: Hello = tokio::time::timeout(OPENING_TIMEOUT, wire::read(&mut recv))
            .await
            .context("no hello")??;
        let digest = auth::node_digest(
            self.chain.client.chain_id,
            self.chain.registry,
            self.account,
            hello.node,
            cert,
        );
        let signer = auth::signer(&hello.signature, digest);
        let admitted = match self.chain.node(hello.node).await {
            Ok(view) => auth::admit_node(hello.node, signer, view, self.account),
            Err(e) => Err(e),
        };
        if let Err(refusal) = admitted {
            info!(node = %hello.node, "tunnel refused: {refusal}");
            wire::write(&mut send, &Answer::from(&refusal)).await?;
            let _ = send.finish();
            let _ = tokio::time::timeout(Duration::from_secs(1), send.stopped()).await;
            conn.close(VarInt::from_u32(1), refusal.name().as_bytes());
            return Ok(());
        }
        wire::write(&mut send, &Answer::Ok).await?;
        let _ = send.finish();
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        {
            let mut nodes = self.nodes.lock().expect("not poisoned");
            let entry = nodes.entry(hello.node).or_default();
            if let Some((_, old, since)) = entry.tunnel.take() {
                entry.up += since.elapsed();
                old.close(VarInt::from_u32(2), b"replaced by a newer tunnel");
            }
            entry.tunnel = Some((id, conn.clone(), Instant::now()));
            entry.tunnels += 1;
        }
        info!(node = %hello.node, from = %conn.remote_address(), "tunnel up");
        let reason = conn.closed().await;
        let mut nodes = self.nodes.lock().expect("not poisoned");
        if let Some(entry) = nodes.get_mut(&hello.node) {
            if entry.tunnel.as_ref().is_some_and(|t| t.0 == id) {
                let (_, _, since) = entry.tunnel.take().expect("checked");
                entry.up += since.elapsed();
            }
        }
        info!(node = %hello.node, "tunnel down: {reason}");
        Ok(())
    }

    /// Reads the chain again: cuts the sessions of leases no longer active
    /// and closes the tunnels of nodes no longer admitted. Returns what it
    /// cut, for the log.
    pub async fn recheck(&self, sessions: &Sessions) -> Vec<Refusal> {
        let mut cut = sessions.recheck(&self.chain).await;
        let connected: Vec<Address> = {
            let nodes = self.nodes.lock().expect("not poisoned");
            nodes
                .iter()
                .filter(|(_, e)| e.tunnel.is_some())
                .map(|(n, _)| *n)
                .collect()
        };
        for node in connected {
            let Ok(view) = self.chain.node(node).await else {
                continue;
            };
            if let Err(refusal) = auth::admit_node(node, node, view, self.account) {
                if let Some(conn) = self.tunnel(node) {
                    conn.close(VarInt::from_u32(1), refusal.name().as_bytes());
                }
                info!(%node, "tunnel closed: {refusal}");
                cut.push(refusal);
            }
        }
        cut
    }
}

impl Route for Gateway {
    fn open(&self, lease_id: u64, lease: LeaseView, port: u16) -> Opening<'_> {
        Box::pin(async move {
            let node = self.chain.node(lease.node).await?;
            match node {
                Some(view) if view.gateway == self.account => {}
                Some(view) => {
                    return Err(Refusal::OtherGateway {
                        node: lease.node,
                        gateway: view.gateway,
                    })
                }
                None => return Err(Refusal::NotRegistered(lease.node)),
            }
            let conn = self
                .tunnel(lease.node)
                .ok_or(Refusal::NodeOffline(lease.node))?;
            let offline = |_| Refusal::NodeOffline(lease.node);
            let (mut send, mut recv) = tokio::time::timeout(OPENING_TIMEOUT, conn.open_bi())
                .await
                .map_err(|_| Refusal::NodeOffline(lease.node))?
                .map_err(offline)?;
            let asked = async {
                wire::write(&mut send, &Open { lease_id, port }).await?;
                wire::read::<_, Answer>(&mut recv).await
            };
            match tokio::time::timeout(OPENING_TIMEOUT, asked).await {
                Ok(Ok(Answer::Ok)) => Ok(Box::new(tokio::io::join(recv, send)) as Pipe),
                Ok(Ok(Answer::Refused { error, detail })) if error == "NoService" => {
                    warn!(lease = lease_id, port, "node refused: {detail}");
                    Err(Refusal::NoService {
                        lease: lease_id,
                        port,
                    })
                }
                Ok(Ok(Answer::Refused { detail, .. })) => {
                    Err(Refusal::Malformed(format!("the node refused: {detail}")))
                }
                Ok(Err(_)) | Err(_) => Err(Refusal::NodeOffline(lease.node)),
            }
        })
    }
}

/// The QUIC endpoint nodes dial, on `addr`, with `identity`.
///
/// # Errors
/// The socket cannot be bound, or the certificate does not fit its key.
pub fn node_endpoint(addr: SocketAddr, identity: &Identity) -> Result<quinn::Endpoint> {
    let crypto = QuicServerConfig::try_from(tls::server_config(identity, TUNNEL_ALPN)?)
        .context("a TLS 1.3 configuration")?;
    let mut config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    config.transport_config(Arc::new(transport()));
    quinn::Endpoint::server(config, addr).with_context(|| format!("cannot bind {addr} (UDP)"))
}

/// What `GET /stats` answers.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// The gateway's account.
    pub gateway: Address,
    /// Every node that opened a tunnel.
    pub nodes: Vec<NodeStats>,
    /// Every lease a tenant reached.
    pub leases: Vec<LeaseStats>,
}

/// Serves `GET /stats` (JSON) on `listener` until the task is dropped.
///
/// # Errors
/// The listener fails.
pub async fn serve_stats(
    listener: TcpListener,
    gateway: Arc<Gateway>,
    sessions: Arc<Sessions>,
) -> Result<()> {
    let app = axum::Router::new().route(
        "/stats",
        axum::routing::get(move || {
            let stats = Stats {
                gateway: gateway.account,
                nodes: gateway.stats(),
                leases: sessions.stats(),
            };
            async move { axum::Json(stats) }
        }),
    );
    axum::serve(listener, app).await?;
    Ok(())
}

/// Runs [`Gateway::recheck`] every `every` until the task is dropped.
pub async fn recheck_loop(gateway: Arc<Gateway>, sessions: Arc<Sessions>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        gateway.recheck(&sessions).await;
    }
}
