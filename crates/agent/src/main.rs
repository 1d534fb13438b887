//! `spon-agent`: the provider agent of a SPON node — auto-bids from a
//! pricing file, takes tenants' manifests over mutual TLS and runs them,
//! serves their ports to tenants (through its gateway for a Fizz node),
//! and checks the node in for each era's rewards and claims them.

use std::{collections::BTreeMap, path::PathBuf, sync::Arc, time::Duration};

use alloy_primitives::B256;
use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use spon_agent::{
    bidder::Bidder,
    manifest::Taken,
    pricing::Pricing,
    rewards::EraRewards,
    runtime::{self, Runtime},
    server::{self, Endpoint},
    tls::Identity,
    workload::{Offer, Spec},
};
use spon_client::{args::ChainArgs, bindings::Registry, Client, Deployment};
use spon_gateway::{
    auth::{LeaseView, Refusal},
    chain::Chain,
    gateway::{serve_tenants, Opening, Pipe, Route, Sessions},
    node::{self, Services, Tunnel},
};
use spon_node::Hardware;
use spon_protocol::states::{LeaseState, NodeClass};

/// Environment variable holding the node's private key.
const KEY_ENV: &str = "SPON_AGENT_KEY";

/// The SPON provider agent.
///
/// `run` watches the market's new orders and bids on those the pricing file
/// prices for the node (per payment token, GPU class and region, with a
/// floor per GPU-hour and a limit on running leases), and serves the
/// manifest endpoint: tenants post their deployment manifest over mutual
/// TLS; it is taken only if it hashes to the lease's on-chain manifest
/// hash, the lease's tenant signed it and the node can run it. Taken
/// manifests are run (a container engine if one answers, else the
/// allowlisted commands of `--allow`) and stopped within seconds of their
/// lease closing, ending or running dry on chain. A Fizz node dials its
/// gateway (`--gateway`) and its tenants reach their services through it;
/// a Provider node serves them at `--tenants`. Each round it also checks
/// the node in for the era now (accepted once the era's probe is
/// committed) and claims the eras it checked in for once claimable.
/// `cert` makes the endpoint's certificate and prints the hash to register
/// with `setEndpoint`.
#[derive(Parser, Debug)]
#[command(version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Make a self-signed certificate for the manifest endpoint (PEM,
    /// certificate and key) and print its SHA-256 for the registry.
    Cert {
        /// DNS names or IPs the certificate names.
        #[arg(long = "name", default_values_t = ["localhost".to_string()])]
        names: Vec<String>,
        /// Where to write the PEM file.
        #[arg(long, default_value = "spon-agent.pem")]
        out: PathBuf,
    },
    /// Bid and serve manifests.
    Run(Box<RunArgs>),
}

/// `spon-agent run`'s options.
#[derive(clap::Args, Debug)]
struct RunArgs {
    #[command(flatten)]
    chain: ChainArgs,
    /// The deployment record from scripts/deploy [default:
    /// deployments/<chainId>.json, the chain's id asked of the
    /// endpoint].
    #[arg(long, env = "SPON_DEPLOYMENT")]
    deployment: Option<PathBuf>,
    /// The pricing file (TOML; see the crate documentation).
    #[arg(long)]
    pricing: PathBuf,
    /// The endpoint's certificate and key (from `spon-agent cert`).
    #[arg(long, default_value = "spon-agent.pem")]
    cert: PathBuf,
    /// Listen address of the manifest endpoint.
    #[arg(long, default_value = "0.0.0.0:8643")]
    listen: String,
    /// Where taken manifests are recorded for the runtime.
    #[arg(long, default_value = "spon-manifests")]
    manifests: PathBuf,
    /// Seconds between bidding rounds.
    #[arg(long, default_value_t = 5)]
    interval_secs: u64,
    /// Where each lease's workload keeps its folder (working folder,
    /// output, status).
    #[arg(long, default_value = "spon-workloads")]
    workloads: PathBuf,
    /// A command manifests may name, NAME=PROGRAM (the process
    /// backend). Repeatable.
    #[arg(long = "allow", value_name = "NAME=PROGRAM", value_parser = allowed)]
    allow: Vec<(String, PathBuf)>,
    /// Never run containers, even if Podman or Docker answers.
    #[arg(long)]
    no_containers: bool,
    /// The OCI runtime containers run with (the engine's `--runtime`,
    /// e.g. runc where crun cannot use this machine's cgroups)
    /// [default: the engine's].
    #[arg(long, conflicts_with = "no_containers")]
    container_runtime: Option<String>,
    /// GPUs workloads may ask for [default: the node's registered
    /// count].
    #[arg(long)]
    gpus: Option<u32>,
    /// Fizz node: the gateway's tunnel address, HOST:PORT (UDP), dialled
    /// out to; the gateway is the one the node named in the registry.
    #[arg(long, value_name = "HOST:PORT")]
    gateway: Option<String>,
    /// The gateway's certificate hash [default: the gateway node's
    /// registered tlsCertHash].
    #[arg(long, requires = "gateway")]
    gateway_cert_hash: Option<B256>,
    /// Provider node: serve tenants' connections to their leases'
    /// services on this TCP address.
    #[arg(long, value_name = "ADDR", conflicts_with = "gateway")]
    tenants: Option<String>,
    /// Leave era check-ins and claims to someone else.
    #[arg(long)]
    no_rewards: bool,
}

fn main() -> Result<()> {
    spon_client::init_logging("spon_agent=info,spon_gateway=info");
    match Cli::parse().command {
        Command::Cert { names, out } => {
            println!("{}", Identity::write_self_signed(&names, &out)?);
            Ok(())
        }
        Command::Run(run) => {
            let RunArgs {
                chain,
                deployment,
                pricing,
                cert,
                listen,
                manifests,
                interval_secs,
                workloads,
                allow,
                no_containers,
                container_runtime,
                gpus,
                gateway,
                gateway_cert_hash,
                tenants,
                no_rewards,
            } = *run;
            let key = chain.signer(KEY_ENV)?;
            let pricing = Pricing::from_file(&pricing)?;
            let pem = std::fs::read_to_string(&cert)
                .with_context(|| format!("cannot read {}", cert.display()))?;
            let identity = Identity::from_pem(&pem)?;
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(async {
                    let client = Client::connect(chain.url(), key.clone()).await?;
                    let (deployment, _) = Deployment::find(deployment.as_deref(), &client)?;
                    let (market, start) = deployment.contract("spon-market")?;
                    let registry = deployment.address("spon-registry")?;
                    let leases = deployment.address("spon-leases")?;
                    let record = client
                        .view(registry, Registry::nodeOfCall { node: client.from })
                        .await?
                        .node;
                    let listener = tokio::net::TcpListener::bind(&listen)
                        .await
                        .with_context(|| format!("cannot listen on {listen}"))?;
                    let listen = listener.local_addr()?;
                    let runtime = Runtime::new(runtime::Config {
                        dir: workloads,
                        offer: Offer {
                            allow: allow.into_iter().collect::<BTreeMap<_, _>>(),
                            containers: false,
                            gpus: gpus.unwrap_or_else(|| {
                                u32::from(Hardware::unpack(&record.hardware.to_be_bytes()).gpu_count)
                            }),
                        },
                        containers: !no_containers,
                        // Port 0 through the tunnel: the endpoint, at
                        // the loopback if it listens on every address.
                        manifest_endpoint: Some(if listen.ip().is_unspecified() {
                            ([127, 0, 0, 1], listen.port()).into()
                        } else {
                            listen
                        }),
                        container_runtime,
                        // SAFETY: geteuid reads the process's credentials.
                        uid_base: (unsafe { libc::geteuid() } == 0)
                            .then_some(runtime::WORKLOAD_UID_BASE),
                    })
                    .await?;
                    let endpoint = Arc::new(Endpoint {
                        client: client.clone(),
                        market,
                        leases,
                        node: client.from,
                        dir: manifests.clone(),
                        runtime: runtime.clone(),
                    });
                    tracing::info!(node = %client.from, %listen, cert = %identity.hash(), "agent ready");
                    resume(&endpoint, &manifests).await;
                    let chain = Chain { client: client.clone(), registry, leases };
                    if let Some(gateway) = gateway {
                        if record.class != NodeClass::Fizz as u8 || record.gateway.is_zero() {
                            bail!("--gateway is for a Fizz node that named a gateway; {} is not one", client.from);
                        }
                        let pinned = match gateway_cert_hash {
                            Some(h) => h,
                            None => chain.endpoint(record.gateway).await?.1,
                        };
                        let tunnel = Tunnel {
                            gateway,
                            account: record.gateway,
                            pinned,
                            identity: identity.clone(),
                            key: key.clone(),
                            chain_id: client.chain_id,
                            registry,
                        };
                        let services: Arc<dyn Services> = runtime.clone();
                        tokio::spawn(async move {
                            if let Err(e) = node::run(tunnel, services).await {
                                tracing::error!("no tunnel: {e:#}");
                            }
                        });
                    }
                    if let Some(tenants) = tenants {
                        let listener = tokio::net::TcpListener::bind(&tenants)
                            .await
                            .with_context(|| format!("cannot listen on {tenants}"))?;
                        tracing::info!(tenants = %listener.local_addr()?, "serving tenants' connections");
                        let route = Arc::new(Local { node: client.from, runtime: runtime.clone() });
                        let sessions = Arc::new(Sessions::default());
                        {
                            // Sessions of leases no longer active are cut,
                            // as a gateway cuts them.
                            let (sessions, chain) = (sessions.clone(), chain.clone());
                            tokio::spawn(async move {
                                loop {
                                    tokio::time::sleep(WATCH).await;
                                    sessions.recheck(&chain).await;
                                }
                            });
                        }
                        let (identity, chain) = (identity.clone(), chain.clone());
                        tokio::spawn(async move {
                            serve_tenants(listener, &identity, chain, route, sessions).await
                        });
                    }
                    {
                        let (runtime, client) = (runtime.clone(), client.clone());
                        tokio::spawn(async move {
                            loop {
                                if let Err(e) = runtime.reconcile(&client, leases).await {
                                    tracing::warn!("lease watch failed, retrying: {e:#}");
                                }
                                tokio::time::sleep(WATCH).await;
                            }
                        });
                    }
                    tokio::spawn(async move { server::serve(listener, &identity, endpoint).await });
                    let mut rewards = match (no_rewards, deployment.address("spon-rewards")) {
                        (false, Ok(at)) => Some(EraRewards::new(client.clone(), at).await?),
                        (false, Err(e)) => {
                            tracing::warn!("no era rewards: {e:#}");
                            None
                        }
                        (true, _) => None,
                    };
                    let mut bidder = Bidder::new(client, (market, registry), pricing, start);
                    loop {
                        if let Err(e) = bidder.round().await {
                            tracing::warn!("bidding round failed, retrying: {e:#}");
                        }
                        if let Some(r) = rewards.as_mut() {
                            if let Err(e) = r.round().await {
                                tracing::warn!("rewards round failed, retrying: {e:#}");
                            }
                        }
                        tokio::select! {
                            () = tokio::time::sleep(Duration::from_secs(interval_secs)) => {}
                            _ = tokio::signal::ctrl_c() => return Ok(()),
                        }
                    }
                })
        }
    }
}

/// How often the runtime reads its leases' states.
const WATCH: Duration = Duration::from_secs(2);

fn allowed(text: &str) -> Result<(String, PathBuf), String> {
    let (name, program) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not NAME=PROGRAM"))?;
    let program = PathBuf::from(program);
    if name.is_empty() || !program.is_absolute() {
        return Err(format!("{text:?}: a name, and the program's absolute path"));
    }
    Ok((name.to_string(), program))
}

/// Starts again the workloads of manifests taken before a restart whose
/// leases are still active.
async fn resume(endpoint: &Endpoint, dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        let Some(taken) = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Taken>(&b).ok())
        else {
            continue;
        };
        let active = endpoint
            .client
            .view(
                endpoint.leases,
                spon_client::bindings::Leases::leaseOfCall {
                    lease_id: taken.lease_id,
                },
            )
            .await
            .is_ok_and(|r| r.lease.state == LeaseState::Active as u8);
        match Spec::parse(&taken.manifest, endpoint.runtime.offer()) {
            Ok(spec) if active => {
                tracing::info!(lease = taken.lease_id, "resuming the workload");
                if let Err(e) = endpoint.runtime.start(taken.lease_id, spec) {
                    tracing::warn!(lease = taken.lease_id, "cannot resume: {e:#}");
                }
            }
            _ => {}
        }
    }
}

/// A Provider node's route: the lease's workload on this machine.
struct Local {
    node: alloy_primitives::Address,
    runtime: Arc<Runtime>,
}

impl Route for Local {
    fn open(&self, lease_id: u64, lease: LeaseView, port: u16) -> Opening<'_> {
        Box::pin(async move {
            let none = Refusal::NoService {
                lease: lease_id,
                port,
            };
            if lease.node != self.node || port == 0 {
                return Err(none);
            }
            let addr = self.runtime.resolve(lease_id, port)?;
            let stream = tokio::net::TcpStream::connect(addr)
                .await
                .map_err(|_| none)?;
            let _ = stream.set_nodelay(true);
            Ok(Box::new(stream) as Pipe)
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
