//! What the tunnel costs a tenant: throughput and round-trip latency of one
//! TCP stream to an echo service, direct on the loopback against through
//! the gateway (TLS from the tenant, then a stream of the node's QUIC
//! tunnel, then TCP to the service on the node's machine), all on this
//! machine, with the chain's checks of a real lease on the devnet.
//!
//! ```sh
//! cargo bench -p spon-gateway --bench tunnel            # 256 MiB, 2,000 round trips
//! cargo bench -p spon-gateway --bench tunnel -- 64 500  # MiB, round trips
//! ```

use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use spon_client::{bindings::Registry, Client};
use spon_e2e::rpc::{world, World};
use spon_gateway::{
    auth::Refusal,
    chain::Chain,
    gateway::{self, Gateway, Sessions},
    node::{self, Services, Tunnel},
    tenant::Access,
    tls::Identity,
};
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// Bytes of each latency probe.
const PING: usize = 64;

/// The one service of the bench's lease: the echo server.
struct Echo(SocketAddr);

impl Services for Echo {
    fn resolve(&self, lease: u64, port: u16) -> Result<SocketAddr, Refusal> {
        if port == 8080 {
            Ok(self.0)
        } else {
            Err(Refusal::NoService { lease, port })
        }
    }
}

/// An echo server on the loopback.
async fn echo_server() -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let (mut r, mut w) = stream.into_split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    Ok(addr)
}

/// MiB/s of `mib` MiB sent and echoed back in full over `stream`.
async fn throughput<S>(stream: S, mib: usize) -> Result<f64>
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (mut r, mut w) = tokio::io::split(stream);
    let total = mib << 20;
    let started = Instant::now();
    let writer = tokio::spawn(async move {
        let chunk = vec![0x5au8; 256 * 1024];
        let mut sent = 0;
        while sent < total {
            w.write_all(&chunk).await?;
            sent += chunk.len();
        }
        w.flush().await?;
        anyhow::Ok(w)
    });
    let mut buf = vec![0u8; 256 * 1024];
    let mut back = 0;
    while back < total {
        let n = r.read(&mut buf).await?;
        anyhow::ensure!(n > 0, "the stream closed after {back} bytes");
        back += n;
    }
    let secs = started.elapsed().as_secs_f64();
    drop(writer.await??);
    Ok(mib as f64 / secs)
}

/// Round trips of `PING` bytes over `stream`, sorted.
async fn round_trips<S>(mut stream: S, rounds: usize) -> Result<Vec<Duration>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let out = [0x42u8; PING];
    let mut back = [0u8; PING];
    let mut times = Vec::with_capacity(rounds);
    for i in 0..rounds + rounds / 10 {
        let started = Instant::now();
        stream.write_all(&out).await?;
        stream.flush().await?;
        stream.read_exact(&mut back).await?;
        // The first tenth warms up.
        if i >= rounds / 10 {
            times.push(started.elapsed());
        }
    }
    times.sort_unstable();
    Ok(times)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// A Fizz node behind node 0's gateway with an active lease of the
/// tenant's: the gateway, the node's tunnel and the tenant's access, all
/// in this process.
async fn set_up(w: &mut World) -> Result<Access> {
    let gateway_account = w.nodes[0].address();
    let (gw_identity, _) = Identity::self_signed(&["spon-gateway"])?;
    w.send(
        &w.nodes[0],
        w.registry,
        Registry::setEndpointCall {
            endpoint: "https://127.0.0.1:8643/manifests".into(),
            tls_cert_hash: gw_identity.hash(),
        },
    )
    .await?;
    let node = w.fizz_node("bench fizz", gateway_account, true).await?;
    let order = w.rtx_order().await?;
    let bid = w.bid(order, w.nodes.len() - 1, 2).await?;
    w.propose(order, bid).await?;
    w.accept(order, b"command = \"echo\"\nports = [8080]\n")
        .await?;

    let chain = Chain {
        client: Client::reader(&w.url).await?,
        registry: w.registry,
        leases: w.leases,
    };
    let gateway = Gateway::new(gateway_account, chain.clone());
    let endpoint = gateway::node_endpoint("127.0.0.1:0".parse()?, &gw_identity)?;
    let nodes_at = endpoint.local_addr()?;
    tokio::spawn(gateway.clone().serve_nodes(endpoint));
    let tenants = TcpListener::bind("127.0.0.1:0").await?;
    let tenants_at = tenants.local_addr()?;
    let serving = gw_identity.clone();
    tokio::spawn(async move {
        gateway::serve_tenants(
            tenants,
            &serving,
            chain,
            gateway,
            Arc::new(Sessions::default()),
        )
        .await
    });

    let (node_identity, _) = Identity::self_signed(&["bench fizz"])?;
    let tunnel = Tunnel {
        gateway: nodes_at.to_string(),
        account: gateway_account,
        pinned: gw_identity.hash(),
        identity: node_identity,
        key: node,
        chain_id: spon_devnet::CHAIN_ID,
        registry: w.registry,
    };
    let cert = Arc::new(tunnel.node_cert()?);
    let conn = tunnel.open().await.context("the node's tunnel")?;
    let echo = echo_server().await?;
    tokio::spawn(node::serve(conn, Arc::new(Echo(echo)), cert));

    let (tenant_identity, _) = Identity::self_signed(&["tenant"])?;
    Ok(Access {
        addr: tenants_at.to_string(),
        pinned: gw_identity.hash(),
        identity: tenant_identity,
        key: w.tenant.clone(),
        chain_id: spon_devnet::CHAIN_ID,
        leases: w.leases,
        lease_id: order,
    })
}

fn main() -> Result<()> {
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let mib = numbers.first().copied().unwrap_or(256);
    let rounds = numbers.get(1).copied().unwrap_or(2_000);
    // The world's set-up ran on a runtime of its own; the bench runs on
    // one with a worker per core, as the gateway, the agent and the CLI do.
    let (mut w, _setup) = world("tunnel-bench");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let access = set_up(&mut w).await?;
        let echo = echo_server().await?;
        let direct = || async {
            let s = TcpStream::connect(echo).await?;
            s.set_nodelay(true)?;
            anyhow::Ok(s)
        };
        let tunnel_mibs = throughput(access.connect(8080).await?, mib).await?;
        let direct_mibs = throughput(direct().await?, mib).await?;
        let direct_rtt = round_trips(direct().await?, rounds).await?;
        let tunnel_rtt = round_trips(access.connect(8080).await?, rounds).await?;
        let opened = Instant::now();
        let n_open = 20;
        for _ in 0..n_open {
            drop(access.connect(8080).await?);
        }
        let per_open = opened.elapsed() / n_open;

        println!("tunnel bench: {mib} MiB each way, {rounds} round trips of {PING} bytes");
        println!(
            "throughput  direct {direct_mibs:>8.0} MiB/s   tunnel {tunnel_mibs:>8.0} MiB/s   ({:.0}% of direct)",
            100.0 * tunnel_mibs / direct_mibs
        );
        for (name, p) in [("p50", 0.5), ("p99", 0.99)] {
            let (d, t) = (percentile(&direct_rtt, p), percentile(&tunnel_rtt, p));
            println!(
                "round trip {name}  direct {:>8.1} µs     tunnel {:>8.1} µs     (+{:.1} µs)",
                micros(d),
                micros(t),
                micros(t) - micros(d)
            );
        }
        println!(
            "opening a session (TLS, the tenant's signature checked, the lease read on chain, a tunnel stream): {:.1} ms",
            per_open.as_secs_f64() * 1e3
        );
        anyhow::Ok(())
    })
}
