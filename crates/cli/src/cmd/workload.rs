//! `spon lease send-manifest`, `connect`, `logs`: the tenant's side of a
//! lease's workload.
//!
//! A Provider node takes the manifest at its registered endpoint over
//! mutual TLS and serves the workload's ports at its tenants' address; a
//! Fizz node is reached through the gateway it named in the registry, at
//! the gateway's tenants' address, over a stream the gateway opens in the
//! node's tunnel. Every request is signed by the lease's tenant for the
//! TLS certificate of this one run (made afresh each time), so a copied
//! signature is worth nothing on another connection.

use std::{io::Write, path::PathBuf, sync::Arc};

use alloy_primitives::{keccak256, Address, B256};
use alloy_signer::SignerSync;
use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::json;
use spon_agent::{
    manifest::{self, Post},
    server,
    tls::Identity,
};
use spon_client::bindings::{Leases, Market, Registry};
use spon_gateway::{
    gateway::{Pipe, TENANT_PORT},
    tenant::{host_of, Access},
};
use spon_protocol::states::NodeClass;

use crate::context::{Ctx, Out};

/// How long `connect` waits for a workload that does not serve its port
/// yet (just sent, or restarting).
const STARTING: std::time::Duration = std::time::Duration::from_secs(15);

/// Where the lease's services are reached.
#[derive(Args, Debug, Clone)]
pub struct Via {
    /// The tenants' address of the node's gateway (Fizz node) or of the
    /// Provider node, HOST:PORT [default: the host of its registered
    /// endpoint, port 8661].
    #[arg(long, value_name = "HOST:PORT")]
    via: Option<String>,
    /// That address's certificate SHA-256 [default: the tlsCertHash its
    /// node registered].
    #[arg(long)]
    via_cert_hash: Option<B256>,
}

/// A lease's node and how its tenant reaches it.
struct Reach {
    node: Address,
    /// The gateway's account (a Fizz node), none for a Provider node.
    gateway: Option<Address>,
    /// The node's registered manifest endpoint, host:port, and its
    /// certificate hash (a Provider node's, reached directly).
    endpoint: (String, B256),
    access: Access,
}

/// `host:port` of an endpoint URI such as `https://node.example:8643/manifests`
/// (port 443 when it names none).
fn authority(uri: &str) -> Result<String> {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let auth = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let auth = auth.rsplit_once('@').map_or(auth, |(_, a)| a);
    if auth.is_empty() {
        bail!("the registered endpoint {uri:?} names no host");
    }
    // The part after the last colon is a port unless it closes an IPv6
    // literal (`[::1]`).
    let has_port = auth
        .rsplit_once(':')
        .is_some_and(|(_, port)| port.parse::<u16>().is_ok() && !auth.ends_with(']'));
    Ok(if has_port {
        auth.to_string()
    } else {
        format!("{auth}:443")
    })
}

impl Via {
    async fn reach(&self, ctx: &Ctx, lease_id: u64) -> Result<Reach> {
        let leases = ctx.addr("leases")?;
        let registry = ctx.addr("registry")?;
        let parties = ctx
            .view(leases, Leases::partiesOfCall { lease_id })
            .await?
            .parties;
        if parties.node.is_zero() {
            bail!("unknown lease {lease_id}: a lease opens when its order's match is accepted");
        }
        let node = ctx
            .view(registry, Registry::nodeOfCall { node: parties.node })
            .await?
            .node;
        let gateway = (node.class == NodeClass::Fizz as u8).then_some(node.gateway);
        let registered = |who: Address| async move {
            let e = ctx
                .view(registry, Registry::endpointOfCall { node: who })
                .await?
                .endpoint;
            anyhow::Ok((authority(&e.uri)?, e.tlsCertHash))
        };
        let endpoint = registered(parties.node).await;
        let point = match gateway {
            Some(g) if g.is_zero() => bail!("the Fizz node {} named no gateway", parties.node),
            Some(g) => registered(g)
                .await
                .with_context(|| format!("the gateway {g}'s registered endpoint"))?,
            None => endpoint
                .as_ref()
                .map_err(|e| anyhow::anyhow!("the node's registered endpoint: {e:#}"))?
                .clone(),
        };
        let addr = self
            .via
            .clone()
            .unwrap_or_else(|| format!("{}:{TENANT_PORT}", host_of(&point.0)));
        let (identity, _) = Identity::self_signed(&["spon-tenant"])?;
        Ok(Reach {
            node: parties.node,
            gateway,
            endpoint: endpoint.unwrap_or_default(),
            access: Access {
                addr,
                pinned: self.via_cert_hash.unwrap_or(point.1),
                identity,
                key: ctx.signer()?.clone(),
                chain_id: ctx.client.chain_id,
                leases,
                lease_id,
            },
        })
    }
}

impl Reach {
    /// A connection to the node agent's manifest endpoint — a Provider
    /// node's directly, a Fizz node's through its gateway — with the host
    /// to name in TLS and the certificate to pin.
    async fn agent(&self, ctx: &Ctx) -> Result<(Pipe, String, B256)> {
        match self.gateway {
            None => {
                let (addr, pinned) = &self.endpoint;
                let stream = tokio::net::TcpStream::connect(addr)
                    .await
                    .with_context(|| format!("cannot reach {addr}"))?;
                Ok((Box::new(stream), host_of(addr).to_string(), *pinned))
            }
            Some(_) => {
                let registry = ctx.addr("registry")?;
                let (stream, cert) = self.access.connect_agent(self.node, registry).await?;
                Ok((Box::new(stream), "spon-node".into(), cert))
            }
        }
    }

    fn describe(&self, out: &mut Out) {
        out.field("node", self.node);
        match self.gateway {
            Some(g) => out.kv(
                "via",
                json!({"gateway": g, "address": self.access.addr}),
                format!("the gateway {g} at {}", self.access.addr),
            ),
            None => out.field("via", format!("the Provider node at {}", self.access.addr)),
        }
    }
}

/// `spon lease send-manifest`.
pub async fn send(ctx: &Ctx, lease_id: u64, file: PathBuf, via: Via) -> Result<Out> {
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read the manifest {}", file.display()))?;
    let market = ctx.addr("market")?;
    let recorded = ctx
        .view(market, Market::orderOfCall { order_id: lease_id })
        .await?
        .order
        .manifestHash;
    let hash = keccak256(text.as_bytes());
    if hash != recorded {
        bail!(
            "ManifestMismatch: {} hashes to {hash}, lease {lease_id} records {recorded} \
             (the manifest given to `spon match accept --manifest`)",
            file.display()
        );
    }
    let reach = via.reach(ctx, lease_id).await?;
    let identity = &reach.access.identity;
    let digest = manifest::digest(ctx.client.chain_id, market, lease_id, hash, identity.hash());
    let post = Post {
        lease_id,
        manifest: text,
        signature: ctx
            .signer()?
            .sign_message_sync(digest.as_slice())?
            .as_bytes()
            .to_vec()
            .into(),
    };
    let (stream, host, pinned) = reach.agent(ctx).await?;
    let (status, body) = server::post_over(stream, &host, pinned, identity, &post).await?;
    if status != 201 {
        bail!(
            "the node refused the manifest ({status}): {}",
            body["detail"].as_str().unwrap_or(&body.to_string())
        );
    }
    let mut out = Out::default();
    out.field("lease", lease_id);
    reach.describe(&mut out);
    out.field("manifest hash", hash);
    out.field(
        "taken",
        "yes: the node runs it (`spon lease logs` shows it)",
    );
    Ok(out)
}

/// `spon lease logs`.
pub async fn logs(ctx: &Ctx, lease_id: u64, bytes: u64, via: Via) -> Result<Out> {
    let market = ctx.addr("market")?;
    let reach = via.reach(ctx, lease_id).await?;
    let identity = &reach.access.identity;
    let digest = manifest::read_digest(ctx.client.chain_id, market, lease_id, identity.hash());
    let signature = ctx.signer()?.sign_message_sync(digest.as_slice())?;
    let signature = signature.as_bytes();
    let (stream, host, pinned) = reach.agent(ctx).await?;
    let reads =
        server::read_workload(stream, &host, pinned, identity, lease_id, bytes, &signature).await?;
    let (code, status) = reads.status;
    if code != 200 {
        bail!(
            "the node refused ({code}): {}",
            status["detail"].as_str().unwrap_or(&status.to_string())
        );
    }
    let mut out = Out::default();
    out.field("lease", lease_id);
    reach.describe(&mut out);
    let state = status["state"].as_str().unwrap_or("unknown");
    let mut human = state.to_string();
    if let Some(reason) = status["reason"].as_str() {
        human.push_str(&format!(" ({reason})"));
    }
    out.kv("workload", status.clone(), human);
    if let Some(starts) = status["starts"].as_u64() {
        out.line(format!("{:<20} {starts}", "starts"));
    }
    if let Some(exit) = status["last_exit"].as_str() {
        out.line(format!("{:<20} {exit}", "last exit"));
    }
    let text = String::from_utf8_lossy(&reads.logs.1).into_owned();
    out.data("output", json!(text));
    out.line(format!("--- output (last {bytes} bytes at most) ---"));
    out.line(text.trim_end().to_string());
    Ok(out)
}

/// `spon lease connect`: forwards `listen` to the lease's `port` until
/// Ctrl-C.
pub async fn connect(ctx: &Ctx, lease_id: u64, port: u16, listen: String, via: Via) -> Result<Out> {
    if port == 0 {
        bail!("--port is the workload's port (the manifest's `ports`), not 0");
    }
    let reach = via.reach(ctx, lease_id).await?;
    // One connection first, so that a refusal is said now and by name; a
    // workload still starting (its port not served yet) is waited for.
    let deadline = tokio::time::Instant::now() + STARTING;
    loop {
        match reach.access.connect(port).await {
            Ok(s) => break drop(s),
            Err(e)
                if format!("{e:#}").contains("NoService")
                    && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
            Err(e) => return Err(e),
        }
    }
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let local = listener.local_addr()?;
    let mut out = Out::default();
    out.field("lease", lease_id);
    reach.describe(&mut out);
    out.field("port", port);
    out.field("listening", local);
    out.line("forwarding every connection there until Ctrl-C");
    out.print(ctx.json);
    // Each connection's opening, refusal or loss, on stderr.
    spon_client::init_logging("spon_gateway=info");
    std::io::stdout().flush()?;
    let access = Arc::new(reach.access);
    tokio::select! {
        r = access.forward(listener, port) => r?,
        _ = tokio::signal::ctrl_c() => {}
    }
    let mut out = Out::default();
    out.field("stopped", "Ctrl-C");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::authority;

    #[test]
    fn the_endpoint_authority_is_read_from_its_uri() {
        for (uri, want) in [
            ("https://node.example:8643/manifests", "node.example:8643"),
            ("https://localhost/manifests", "localhost:443"),
            ("https://10.0.0.2:9000", "10.0.0.2:9000"),
            ("https://[::1]:8643/m", "[::1]:8643"),
            ("https://[::1]/m", "[::1]:443"),
            ("node.example:1", "node.example:1"),
        ] {
            assert_eq!(authority(uri).unwrap(), want, "{uri}");
        }
        assert!(authority("https:///manifests").is_err());
    }
}
