//! `spon provider` and `spon fizz`: registering and running nodes.

use alloy_primitives::{Address, B256, U256};
use anyhow::Result;
use clap::Subcommand;
use serde_json::json;
use spon_client::bindings::{Registry, Rewards, Staking};
use spon_node::{Hardware, ProbeSummary};
use spon_protocol::states;

use crate::{
    context::{Ctx, Out},
    spec::{describe_hardware, HardwareArgs},
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
    let n = ctx
        .view(registry, Registry::nodeOfCall { node })
        .await?
        .node;
    let mut out = Out::default();
    out.field("node", node);
    if n.state == states::NodeState::None as u8 {
        out.field("state", "not registered");
        return Ok(out);
    }
    out.field("state", states::NodeState::name_of(n.state).to_string());
    out.field("class", states::NodeClass::name_of(n.class).to_string());
    let hw = Hardware::unpack(&n.hardware.to_be_bytes());
    out.kv("hardware", json!(n.hardware), describe_hardware(&hw));
    if !n.pendingHardware.is_zero() {
        let pending = Hardware::unpack(&n.pendingHardware.to_be_bytes());
        out.kv(
            "pending hardware",
            json!(n.pendingHardware),
            describe_hardware(&pending),
        );
    }
    if !n.gateway.is_zero() {
        out.field("gateway", n.gateway);
    }
    out.field("probe key", n.probeKey);
    let tier = ctx
        .view(registry, Registry::tierOfCall { node })
        .await?
        .tier;
    out.kv(
        "tier",
        tier,
        if tier >= spon_node::tier::UNTRUSTED {
            format!("{tier} (untrusted)")
        } else {
            tier.to_string()
        },
    );
    let p = ctx
        .view(registry, Registry::probeOfCall { node })
        .await?
        .probe;
    if p.summary.is_zero() {
        out.field("probe", "none committed");
    } else {
        let s = ProbeSummary::unpack(&p.summary.to_be_bytes());
        let age = ctx.client.now().await?.saturating_sub(s.timestamp);
        out.kv(
            "probe",
            json!({"timestamp": s.timestamp, "gemmGflops": s.gemm_gflops,
                   "memBandwidthGbps": s.mem_bandwidth_gbps, "vramMib": s.vram_mib,
                   "gpuCount": s.gpu_count, "netBandwidthMbps": s.net_bandwidth_mbps,
                   "latencyUs": s.latency_us, "onGpu": s.on_gpu(), "reportHash": p.reportHash}),
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
        .await?
        .reputation;
    out.kv(
        "reputation",
        json!({"leasesCompleted": rep.leasesCompleted, "leasesFaulted": rep.leasesFaulted,
               "challengesLost": rep.challengesLost, "uptimeEras": rep.uptimeEras,
               "leasesOpen": rep.leasesOpen}),
        format!(
            "{} leases completed, {} faulted, {} challenges lost, {} open",
            rep.leasesCompleted, rep.leasesFaulted, rep.challengesLost, rep.leasesOpen
        ),
    );
    let own = ctx
        .view(staking, Staking::selfStakeOfCall { provider: node })
        .await?
        .selfStake;
    let pool = ctx
        .view(staking, Staking::poolOfCall { provider: node })
        .await?
        .pool;
    out.kv("self stake", spon.json(own), spon.show(own));
    out.kv(
        "pool",
        json!({"active": spon.json(pool.tokens), "unbonding": spon.json(pool.unbondingTokens),
               "jailedUntil": pool.jailedUntil, "openOffences": pool.openOffences}),
        format!(
            "{} active ({} delegated), {} unbonding{}{}",
            spon.show(pool.tokens),
            spon.show(pool.tokens.saturating_sub(own)),
            spon.show(pool.unbondingTokens),
            if pool.openOffences > 0 {
                format!(", {} open offence(s)", pool.openOffences)
            } else {
                String::new()
            },
            if ctx
                .view(staking, Staking::isJailedCall { provider: node })
                .await?
                .isJailed
            {
                format!(", jailed until {}", pool.jailedUntil)
            } else {
                String::new()
            }
        ),
    );
    // Era rewards, where the deployment has the rewards contract.
    if let Ok(rewards) = ctx.addr("rewards") {
        let now = ctx
            .view(rewards, Rewards::currentEraCall {})
            .await?
            .currentEra
            .era;
        for era in [now, now.saturating_sub(1)] {
            let (json, text) =
                crate::cmd::rewards::era_line(ctx, rewards, &spon, era, node).await?;
            out.kv(&format!("rewards era {era}"), json, text);
        }
    }
    Ok(out)
}
