//! A Fizz node behind its own network namespace — no route in, only its
//! outbound tunnel — runs its tenant's workload, and the tenant reaches it
//! through the gateway with the `spon` CLI; the refusals by name (a
//! stranger, a wrong certificate, a node behind another gateway, a closed
//! lease); the gateway killed and restarted, the node back within
//! seconds; the workload stopped within seconds of `closeLease`.
//!
//! Every service runs as its own process from the workspace's binaries
//! (`spon-gateway`, `spon-agent` in the namespace, `spon-echo` as the
//! workload, `spon` as the tenant), as `cargo test --workspace` builds
//! them. The namespace needs root and iproute2: without them the test
//! says it skipped, unless `SPON_REQUIRE_NETNS=1` (as `scripts/test` sets)
//! makes that a failure.

use std::{
    ffi::OsString,
    net::SocketAddr,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use alloy_primitives::B256;
use anyhow::{bail, ensure, Context, Result};
use spon_client::bindings::{Market, Registry};
use spon_e2e::{
    processes::{args, hex_key, http_get, until, Services},
    rpc::{spon, world_at, World},
};
use spon_gateway::{
    gateway::{MAX_SESSIONS_PER_LEASE, TENANT_PORT},
    node::Tunnel,
    tenant::Access,
    tls::Identity,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// How long a step may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(60);

/// The longest a workload may outlive its lease: the agent reads its
/// leases every 2 s and gives a stopped workload 5 s before SIGKILL.
const STOP_WITHIN: Duration = Duration::from_secs(10);

/// A network namespace joined to this host by a veth pair: the Fizz
/// node's home network. Deleted (with its veth) when dropped.
struct Netns {
    name: String,
    host_ip: String,
    node_ip: String,
}

fn ip(args: &[&str]) -> Result<()> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .context("cannot run ip (iproute2)")?;
    ensure!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(())
}

impl Netns {
    fn new() -> Result<Self> {
        let id = std::process::id();
        let net = 16 + id % 200;
        let ns = Self {
            name: format!("spon-fizz-{id}"),
            host_ip: format!("10.231.{net}.1"),
            node_ip: format!("10.231.{net}.2"),
        };
        let (host_if, node_if) = (format!("sfh{id}"), format!("sfn{id}"));
        ip(&["netns", "add", &ns.name])?;
        ip(&[
            "link", "add", &host_if, "type", "veth", "peer", "name", &node_if,
        ])?;
        ip(&["link", "set", &node_if, "netns", &ns.name])?;
        ip(&[
            "addr",
            "add",
            &format!("{}/30", ns.host_ip),
            "dev",
            &host_if,
        ])?;
        ip(&["link", "set", &host_if, "up"])?;
        let inside = |args: &[&str]| {
            let mut all = vec!["netns", "exec", &ns.name, "ip"];
            all.extend_from_slice(args);
            ip(&all)
        };
        inside(&[
            "addr",
            "add",
            &format!("{}/30", ns.node_ip),
            "dev",
            &node_if,
        ])?;
        inside(&["link", "set", &node_if, "up"])?;
        inside(&["link", "set", "lo", "up"])?;
        Ok(ns)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.name]);
    }
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

/// A local port free now, for a service that is restarted on the same
/// address.
fn free_port(host: &str, udp: bool) -> u16 {
    if udp {
        std::net::UdpSocket::bind((host, 0))
            .and_then(|s| s.local_addr())
            .map(|a| a.port())
            .expect("a free UDP port")
    } else {
        std::net::TcpListener::bind((host, 0))
            .and_then(|s| s.local_addr())
            .map(|a| a.port())
            .expect("a free TCP port")
    }
}

/// What the tenant's `spon` commands take.
struct Tenant {
    url: String,
    record: String,
}

impl Tenant {
    fn args<'a>(&self, command: impl IntoIterator<Item = &'a str>) -> Vec<OsString> {
        let mut all = args(["--rpc-url", &self.url, "--deployment", &self.record]);
        all.extend(args(command));
        all
    }

    /// `spon COMMAND` run to its end as the step `step`, with `env` (the
    /// key): whether it succeeded, and what it printed.
    async fn spon(
        &self,
        s: &Services,
        step: &str,
        command: &[&str],
        env: &[(&str, String)],
    ) -> Result<(bool, String)> {
        s.output(step, "spon", &self.args(command.iter().copied()), env)
            .await
    }
}

/// Echoes `len` bytes through `addr` and checks they come back whole.
async fn echo(addr: SocketAddr, len: usize) -> Result<()> {
    let data: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
    let s = TcpStream::connect(addr).await?;
    let (mut r, mut w) = s.into_split();
    let sent = data.clone();
    let writer = tokio::spawn(async move {
        w.write_all(&sent).await?;
        w.shutdown().await
    });
    let mut back = Vec::with_capacity(len);
    tokio::time::timeout(PATIENCE, r.read_to_end(&mut back)).await??;
    writer.await??;
    ensure!(back == data, "{} bytes came back of {len}", back.len());
    Ok(())
}

fn skip_or_fail(why: &str) {
    if std::env::var("SPON_REQUIRE_NETNS").is_ok_and(|v| v == "1") {
        panic!("SPON_REQUIRE_NETNS=1 and no network namespace: {why}");
    }
    eprintln!("SKIPPED: the Fizz tunnel test needs a network namespace (root, iproute2): {why}");
}

#[test]
fn a_fizz_node_in_its_own_namespace_is_reached_only_through_the_gateway() {
    let ns = match Netns::new() {
        Ok(ns) => ns,
        Err(e) => return skip_or_fail(&format!("{e:#}")),
    };
    let (mut w, rt) = world_at("fizz-tunnel", &format!("{}:0", ns.host_ip));
    rt.block_on(play(&mut w, &ns)).unwrap();
}

#[allow(clippy::too_many_lines)]
async fn play(w: &mut World, ns: &Netns) -> Result<()> {
    let bins = PathBuf::from(env!("CARGO_BIN_EXE_spon-gateway"))
        .parent()
        .context("the binaries' folder")?
        .to_path_buf();
    let mut s = Services::with_bins(w.dir.join("services"), bins)?;
    let record = path(&w.record());
    let host = ns.host_ip.clone();

    // The gateway is Provider node 0's, with its certificate registered.
    let gateway_account = w.nodes[0].address();
    let (gw_identity, gw_pem) = Identity::self_signed(&["spon-gateway"])?;
    let gw_pem_path = s.dir.join("gateway.pem");
    std::fs::write(&gw_pem_path, gw_pem)?;
    w.send(
        &w.nodes[0],
        w.registry,
        Registry::setEndpointCall {
            endpoint: format!("https://{host}:8643/manifests"),
            tls_cert_hash: gw_identity.hash(),
        },
    )
    .await?;
    let node = w
        .fizz_node("fizz behind its tunnel", gateway_account, true)
        .await?;
    let other = w.nodes[1].address();
    let elsewhere = w
        .fizz_node("fizz behind another gateway", other, false)
        .await?;

    // The gateway: nodes on UDP, tenants on the default port 8661 of the
    // host the registry names.
    let udp = free_port(&host, true);
    let stats = free_port("127.0.0.1", false);
    let gateway_args = args([
        "run",
        "--rpc-url",
        &w.url,
        "--deployment",
        &record,
        "--account",
        &gateway_account.to_string(),
        "--cert",
        &path(&gw_pem_path),
        "--nodes",
        &format!("{host}:{udp}"),
        "--tenants",
        &format!("{host}:{TENANT_PORT}"),
        "--stats",
        &format!("127.0.0.1:{stats}"),
        "--recheck-secs",
        "1",
    ]);
    s.start("spon-gateway", "spon-gateway", &gateway_args, &[])?;
    s.line("spon-gateway", "gateway ready", PATIENCE).await?;

    // The Fizz node's agent, inside its namespace: it dials out.
    let (_, agent_pem) = Identity::self_signed(&["fizz"])?;
    let agent_pem_path = s.dir.join("agent.pem");
    std::fs::write(&agent_pem_path, agent_pem)?;
    let pricing = s.dir.join("pricing.toml");
    std::fs::write(
        &pricing,
        format!(
            "max-leases = 2\n\n[[rule]]\ntoken = \"{}\"\nfloor-per-gpu-hour = \"{}\"\n",
            w.token,
            spon(2)
        ),
    )?;
    let workloads = s.dir.join("workloads");
    s.start_in(
        &ns.name,
        "spon-agent",
        "spon-agent",
        &args([
            "run",
            "--rpc-url",
            &w.url,
            "--deployment",
            &record,
            "--pricing",
            &path(&pricing),
            "--cert",
            &path(&agent_pem_path),
            "--listen",
            "127.0.0.1:0",
            "--manifests",
            &path(&s.dir.join("manifests")),
            "--workloads",
            &path(&workloads),
            "--allow",
            &format!("echo={}", path(&s.bin("spon-echo"))),
            "--no-containers",
            "--gateway",
            &format!("{host}:{udp}"),
            "--interval-secs",
            "1",
            "--no-rewards",
        ]),
        &[("SPON_AGENT_KEY", hex_key(&node))],
    )?;
    s.line("spon-agent", "tunnel up", PATIENCE).await?;

    // The tenant orders an RTX 40; the node's agent bids by its pricing;
    // the tenant accepts with its manifest's hash.
    let order = w.rtx_order().await?;
    let deadline = Instant::now() + PATIENCE;
    let bid = loop {
        let bid = w
            .view(
                w.market,
                Market::liveBidOfCall {
                    order_id: order,
                    node: node.address(),
                },
            )
            .await?
            .liveBid;
        if bid != 0 {
            break bid;
        }
        ensure!(
            Instant::now() < deadline,
            "the agent did not bid:\n{}",
            s.tail("spon-agent")
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let manifest =
        "command = \"echo\"\nports = [8080]\n\n[env]\nGREETING = \"hello through the tunnel\"\n";
    let manifest_path = s.dir.join("manifest.toml");
    std::fs::write(&manifest_path, manifest)?;
    w.propose(order, bid).await?;
    w.accept(order, manifest.as_bytes()).await?;

    let tenant = Tenant {
        url: w.url.clone(),
        record: record.clone(),
    };
    let as_tenant = [("SPON_PRIVATE_KEY", hex_key(&w.tenant))];
    let lease = order.to_string();

    // The manifest, through the gateway to the node's agent.
    let (ok, out) = tenant
        .spon(
            &s,
            "send-manifest",
            &["lease", "send-manifest", &lease, &path(&manifest_path)],
            &as_tenant,
        )
        .await?;
    ensure!(ok && out.contains("taken"), "send-manifest: {out}");
    ensure!(
        out.contains(&format!(
            "the gateway {gateway_account} at {host}:{TENANT_PORT}"
        )),
        "{out}"
    );

    // A local port forwarded to the workload's 8080, through the gateway.
    s.start(
        "connect",
        "spon",
        &tenant.args(["lease", "connect", &lease, "--port", "8080"]),
        &as_tenant,
    )?;
    let listening = until_forwarding(&mut s).await?;
    let (status, page) = http_get(listening, "/hello").await?;
    ensure!(
        status == 200
            && page.contains("hello through the tunnel")
            && page.contains(&format!("hello from lease {order}: GET /hello")),
        "{status}: {page}"
    );
    echo(listening, 1 << 20).await?;

    // F-32: one lease's sessions cannot take every stream of its node's
    // tunnel; past the cap the next is refused by name, at once.
    let (tenant_identity, _) = Identity::self_signed(&["tenant"])?;
    let access = Access {
        addr: format!("{host}:{TENANT_PORT}"),
        pinned: gw_identity.hash(),
        identity: tenant_identity,
        key: w.tenant.clone(),
        chain_id: spon_devnet::CHAIN_ID,
        leases: w.leases,
        lease_id: order,
    };
    let mut held = Vec::new();
    for _ in 0..MAX_SESSIONS_PER_LEASE {
        held.push(access.connect(8080).await?);
    }
    match access.connect(8080).await {
        Ok(_) => bail!("a session past the cap of {MAX_SESSIONS_PER_LEASE} was carried"),
        Err(e) => ensure!(format!("{e:#}").contains("TooManySessions"), "{e:#}"),
    }
    drop(held);

    // Its output and state, through the gateway: the process listens on a
    // port of the namespace's loopback, which nothing outside reaches.
    let (ok, out) = tenant
        .spon(&s, "logs", &["--json", "lease", "logs", &lease], &as_tenant)
        .await?;
    ensure!(ok, "logs: {out}");
    let logs: serde_json::Value = serde_json::from_str(out.trim())?;
    ensure!(logs["workload"]["state"] == "running", "{logs}");
    let output = logs["output"].as_str().unwrap_or_default();
    ensure!(
        output.contains(&format!(
            "spon-echo for lease {order} listening on 127.0.0.1:"
        )),
        "{logs}"
    );
    ensure!(output.contains("echoed 1048576 bytes"), "{logs}");
    let local = logs["workload"]["ports"]["8080"]
        .as_u64()
        .context("the workload's local port")?;
    for port in [local, 8080] {
        let direct = tokio::time::timeout(
            Duration::from_secs(3),
            TcpStream::connect((ns.node_ip.as_str(), port as u16)),
        )
        .await;
        ensure!(
            !matches!(direct, Ok(Ok(_))),
            "the workload was reached at {}:{port} without the gateway",
            ns.node_ip
        );
    }

    // The gateway counted the lease's bytes and the node's tunnel.
    let stats: serde_json::Value = gateway_stats(stats).await?;
    let counted = &stats["leases"][0];
    ensure!(
        counted["lease"] == order && counted["bytes_to_service"].as_u64() >= Some(1 << 20),
        "{stats}"
    );
    let tunnel = &stats["nodes"][0];
    ensure!(
        tunnel["connected"] == true
            && tunnel["node"].as_str().map(str::to_lowercase)
                == Some(node.address().to_string().to_lowercase()),
        "{stats}"
    );

    // Refused by name: a stranger, a certificate that is not the
    // registered one, a node that named another gateway.
    let stranger = [("SPON_PRIVATE_KEY", hex_key(&w.nodes[1]))];
    let (ok, out) = tenant
        .spon(
            &s,
            "connect as a stranger",
            &["lease", "connect", &lease, "--port", "8080"],
            &stranger,
        )
        .await?;
    ensure!(!ok && out.contains("NotTenant"), "a stranger: {out}");
    let (ok, out) = tenant
        .spon(
            &s,
            "connect with a wrong certificate",
            &[
                "lease",
                "connect",
                &lease,
                "--port",
                "8080",
                "--via-cert-hash",
                &B256::repeat_byte(7).to_string(),
            ],
            &as_tenant,
        )
        .await?;
    ensure!(
        !ok && out.contains("is not the registered"),
        "a wrong certificate: {out}"
    );
    let (other_identity, _) = Identity::self_signed(&["elsewhere"])?;
    let refused = Tunnel {
        gateway: format!("{host}:{udp}"),
        account: gateway_account,
        pinned: gw_identity.hash(),
        identity: other_identity,
        key: elsewhere.clone(),
        chain_id: spon_devnet::CHAIN_ID,
        registry: w.registry,
    }
    .open()
    .await;
    match refused {
        Ok(_) => bail!("a node behind another gateway was let in"),
        Err(e) => ensure!(format!("{e:#}").contains("OtherGateway"), "{e:#}"),
    }

    // The gateway killed: a clear error at once, not a hang; restarted
    // on the same addresses, the node is back and so is the service.
    s.stop("spon-gateway").await?;
    let started = Instant::now();
    // The forwarder closes the connection: an end of stream, or a reset
    // if the request was still unread.
    let mut lost = TcpStream::connect(listening).await?;
    let mut rest = Vec::new();
    let ended = tokio::time::timeout(Duration::from_secs(15), async {
        lost.write_all(b"GET /hello HTTP/1.1\r\nhost: lease\r\n\r\n")
            .await?;
        lost.read_to_end(&mut rest).await
    })
    .await
    .context("a connection hung while the gateway was down")?;
    match ended {
        Ok(_) => ensure!(rest.is_empty(), "answered with the gateway down: {rest:?}"),
        Err(e) => ensure!(
            matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
            ),
            "{e}"
        ),
    }
    eprintln!(
        "with the gateway down, a forwarded connection was closed after {:?}",
        started.elapsed()
    );
    let (ok, out) = tenant
        .spon(
            &s,
            "connect while the gateway is down",
            &["lease", "connect", &lease, "--port", "8080"],
            &as_tenant,
        )
        .await?;
    ensure!(!ok && out.contains("cannot reach"), "gateway down: {out}");
    let restarted = Instant::now();
    s.start("spon-gateway again", "spon-gateway", &gateway_args, &[])?;
    s.line("spon-gateway again", "gateway ready", PATIENCE)
        .await?;
    s.line("spon-gateway again", "tunnel up", PATIENCE).await?;
    let back = restarted.elapsed();
    let (_, page) = http_get(listening, "/hello").await?;
    ensure!(
        page.contains("hello through the tunnel"),
        "after the restart: {page}"
    );
    eprintln!("the node was back through the restarted gateway after {back:?}");

    // The tenant closes the lease (`spon lease close`): the gateway
    // refuses it by name and the agent stops the workload within seconds.
    let (ok, out) = tenant
        .spon(&s, "close", &["lease", "close", &lease], &as_tenant)
        .await?;
    ensure!(ok, "spon lease close: {out}");
    let closed = Instant::now();
    let status_file = workloads.join(format!("lease-{order}/status.json"));
    until("the workload stopped", STOP_WITHIN, || {
        let file = status_file.clone();
        async move {
            let status: serde_json::Value =
                serde_json::from_slice(&std::fs::read(file)?).unwrap_or_default();
            Ok(status["state"] == "stopped")
        }
    })
    .await?;
    eprintln!(
        "the workload stopped {:?} after closeLease",
        closed.elapsed()
    );
    let (ok, out) = tenant
        .spon(
            &s,
            "connect after the close",
            &["lease", "connect", &lease, "--port", "8080"],
            &as_tenant,
        )
        .await?;
    ensure!(
        !ok && out.contains("LeaseNotActive"),
        "a closed lease: {out}"
    );
    s.check()?;
    Ok(())
}

/// The local address `spon lease connect` printed.
async fn until_forwarding(s: &mut Services) -> Result<SocketAddr> {
    let line = s.line("connect", "listening", PATIENCE).await?;
    line.split_whitespace()
        .last()
        .context("an address")?
        .parse()
        .with_context(|| format!("not an address: {line}"))
}

/// `GET /stats` of the gateway on `port`.
async fn gateway_stats(port: u16) -> Result<serde_json::Value> {
    Ok(reqwest::get(format!("http://127.0.0.1:{port}/stats"))
        .await?
        .error_for_status()?
        .json()
        .await?)
}
