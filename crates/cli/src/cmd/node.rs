//! `spon provider` and `spon fizz`: registering and running nodes.

use alloy_primitives::{Address, B256, U256};
use anyhow::Result;
use clap::Subcommand;
use serde_json::json;
use spon_client::bindings::{Registry, Staking};
use spon_node::{Hardware, ProbeSummary};

use crate::{
    context::{Ctx, Out},
    spec::{describe_hardware, names, HardwareArgs},
};

/// Provider (enterprise) node commands.
#[derive(Subcommand, Debug)]
pub enum ProviderCmd {
    /// Proposes your account as a Provider node (stake first with `spon
    /// stake`); governance approves it.
    Propose {
        #[command(flatten)]
        hardware: HardwareArgs,
        /// HTTPS endpoint taking tenants' manifests.
        #[arg(long)]
        endpoint: String,
        /// SHA-256 of the endpoint's TLS certificate (`spon-agent cert`
        /// prints it).
        #[arg(long)]
        tls_cert_hash: B256,
        /// The address whose key signs your probe results.
        #[arg(long)]
        probe_key: Address,
    },
    /// Proposes new hardware (governance approves it).
    Update {
        #[command(flatten)]
        hardware: HardwareArgs,
    },
    /// Changes the manifest endpoint and its certificate hash.
    Endpoint {
        /// HTTPS endpoint.
        url: String,
        /// SHA-256 of its TLS certificate.
        tls_cert_hash: B256,
    },
    /// Enters (`on`) or leaves (`off`) maintenance: no new leases, no
    /// liveness challenges.
    Maintenance {
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        mode: String,
    },
    /// A node's state, hardware, tier, probe, reputation and stake.
    Status {
        /// The node (default: yours).
        node: Option<Address>,
    },
}

/// Fizz (home) node commands.
#[derive(Subcommand, Debug)]
pub enum FizzCmd {
    /// Registers your account as a Fizz node behind an allowed gateway
    /// (stake first with `spon stake`).
    Register {
        #[command(flatten)]
        hardware: HardwareArgs,
        /// The address whose key signs your probe results.
        #[arg(long)]
        probe_key: Address,
        /// The gateway vouching for the node.
        #[arg(long)]
        gateway: Address,
    },
    /// A node's state, hardware, tier, probe, reputation and stake.
    Status {
        /// The node (default: yours).
        node: Option<Address>,
    },
}

fn packed(hw: &Hardware) -> U256 {
    U256::from_be_bytes(hw.pack())
}

/// Runs a provider command.
pub async fn provider(ctx: &Ctx, cmd: ProviderCmd) -> Result<Out> {
    let registry = ctx.addr("registry")?;
    let mut out = Out::default();
    let r = match cmd {
        ProviderCmd::Propose {
            hardware,
            endpoint,
            tls_cert_hash,
            probe_key,
        } => {
            let hw = hardware.hardware()?;
            out.field("proposed", describe_hardware(&hw));
            ctx.send(
                registry,
                Registry::proposeProviderCall {
                    hardware: packed(&hw),
                    endpoint,
                    tls_cert_hash,
                    probe_key,
                },
            )
            .await?
        }
        ProviderCmd::Update { hardware } => {
            let hw = hardware.hardware()?;
            out.field("hardware proposed", describe_hardware(&hw));
            ctx.send(
                registry,
                Registry::updateHardwareCall {
                    hardware: packed(&hw),
                },
            )
            .await?
        }
        ProviderCmd::Endpoint { url, tls_cert_hash } => {
            out.field("endpoint", &url);
            ctx.send(
                registry,
                Registry::setEndpointCall {
                    endpoint: url,
                    tls_cert_hash,
                },
            )
            .await?
        }
        ProviderCmd::Maintenance { mode } => {
            out.field("maintenance", &mode);
            ctx.send(registry, Registry::setMaintenanceCall { on: mode == "on" })
                .await?
        }
        ProviderCmd::Status { node } => return status(ctx, ctx.account(node)?).await,
    };
    out.tx(&r);
    Ok(out)
}

/// Runs a Fizz command.
pub async fn fizz(ctx: &Ctx, cmd: FizzCmd) -> Result<Out> {
    match cmd {
        FizzCmd::Register {
            hardware,
            probe_key,
            gateway,
        } => {
            let hw = hardware.hardware()?;
            let mut out = Out::default();
            out.field("registered", describe_hardware(&hw));
            let r = ctx
                .send(
                    ctx.addr("registry")?,
                    Registry::registerFizzCall {
                        hardware: packed(&hw),
                        probe_key,
                        gateway,
                    },
                )
                .await?;
            out.tx(&r);
            Ok(out)
        }
        FizzCmd::Status { node } => status(ctx, ctx.account(node)?).await,
    }
}

/// Everything the chain says of `node`.
pub async fn status(ctx: &Ctx, node: Address) -> Result<Out> {
    let registry = ctx.addr("registry")?;
    let staking = ctx.addr("staking")?;
    let spon = ctx.token("SPON").await?;
    let n = ctx.view(registry, Registry::nodeOfCall { node }).await?;
    let mut out = Out::default();
    out.field("node", node);
    if n._0 == 0 {
        out.field("state", "not registered");
        return Ok(out);
    }
    out.field("state", names::of(&names::NODE, n._0));
    out.field("class", names::of(&names::CLASS, n._1));
    let hw = Hardware::unpack(&n._2.to_be_bytes());
    out.kv("hardware", json!(n._2), describe_hardware(&hw));
    if !n._3.is_zero() {
        let pending = Hardware::unpack(&n._3.to_be_bytes());
        out.kv("pending hardware", json!(n._3), describe_hardware(&pending));
    }
    if !n._4.is_zero() {
        out.field("gateway", n._4);
    }
    out.field("probe key", n._5);
    let tier = ctx.view(registry, Registry::tierOfCall { node }).await?._0;
    out.kv(
        "tier",
        tier,
        if tier >= spon_node::tier::UNTRUSTED {
            format!("{tier} (untrusted)")
        } else {
            tier.to_string()
        },
    );
    let p = ctx.view(registry, Registry::probeOfCall { node }).await?;
    if p._0.is_zero() {
        out.field("probe", "none committed");
    } else {
        let s = ProbeSummary::unpack(&p._0.to_be_bytes());
        let age = ctx.client.now().await?.saturating_sub(s.timestamp);
        out.kv(
            "probe",
            json!({"timestamp": s.timestamp, "gemmGflops": s.gemm_gflops,
                   "memBandwidthGbps": s.mem_bandwidth_gbps, "vramMib": s.vram_mib,
                   "gpuCount": s.gpu_count, "netBandwidthMbps": s.net_bandwidth_mbps,
                   "latencyUs": s.latency_us, "onGpu": s.on_gpu(), "reportHash": p._1}),
            format!(
                "{} GPU(s), {} GFLOP/s, {} GB/s memory, {} Mbit/s, {} µs; {}s old{}",
                s.gpu_count,
                s.gemm_gflops,
                s.mem_bandwidth_gbps,
                s.net_bandwidth_mbps,
                s.latency_us,
                age,
                if s.on_gpu() { "" } else { " (no GPU measured)" }
            ),
        );
    }
    let rep = ctx
        .view(registry, Registry::reputationOfCall { node })
        .await?;
    out.kv(
        "reputation",
        json!({"leasesCompleted": rep._0, "leasesFaulted": rep._1, "challengesLost": rep._2,
               "uptimeEras": rep._3, "leasesOpen": rep._4}),
        format!(
            "{} leases completed, {} faulted, {} challenges lost, {} open",
            rep._0, rep._1, rep._2, rep._4
        ),
    );
    let own = ctx
        .view(staking, Staking::selfStakeOfCall { provider: node })
        .await?
        ._0;
    let pool = ctx
        .view(staking, Staking::poolOfCall { provider: node })
        .await?;
    out.kv("self stake", spon.json(own), spon.show(own));
    out.kv(
        "pool",
        json!({"active": spon.json(pool._0), "unbonding": spon.json(pool._2),
               "jailedUntil": pool._4, "openOffences": pool._5}),
        format!(
            "{} active ({} delegated), {} unbonding{}{}",
            spon.show(pool._0),
            spon.show(pool._0.saturating_sub(own)),
            spon.show(pool._2),
            if pool._5 > 0 {
                format!(", {} open offence(s)", pool._5)
            } else {
                String::new()
            },
            if ctx
                .view(staking, Staking::isJailedCall { provider: node })
                .await?
                ._0
            {
                format!(", jailed until {}", pool._4)
            } else {
                String::new()
            }
        ),
    );
    Ok(out)
}
