//! `spon-agent`: the provider agent of a SPON node — auto-bids from a
//! pricing file, takes tenants' manifests over mutual TLS, and checks the
//! node in for each era's rewards and claims them.

use std::{path::PathBuf, sync::Arc, time::Duration};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use spon_agent::{
    bidder::Bidder,
    pricing::Pricing,
    rewards::EraRewards,
    server::{self, Endpoint},
    tls::Identity,
};
use spon_client::{args::ChainArgs, Client, Deployment};

/// Environment variable holding the node's private key.
const KEY_ENV: &str = "SPON_AGENT_KEY";

/// The SPON provider agent.
///
/// `run` watches the market's new orders and bids on those the pricing file
/// prices for the node (per payment token, GPU class and region, with a
/// floor per GPU-hour and a limit on running leases), and serves the
/// manifest endpoint: tenants post their deployment manifest over mutual
/// TLS; it is taken only if it hashes to the lease's on-chain manifest
/// hash and the lease's tenant signed it. Each round it also checks the
/// node in for the era now (accepted once the era's probe is committed)
/// and claims the eras it checked in for once claimable. `cert` makes the
/// endpoint's certificate and prints the hash to register with
/// `setEndpoint`.
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
    Run {
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
        /// Leave era check-ins and claims to someone else.
        #[arg(long)]
        no_rewards: bool,
    },
}

fn main() -> Result<()> {
    spon_client::init_logging("spon_agent=info");
    match Cli::parse().command {
        Command::Cert { names, out } => {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let (identity, pem) = Identity::self_signed(&names)?;
            std::fs::write(&out, pem).with_context(|| format!("cannot write {}", out.display()))?;
            println!("{}", identity.hash());
            Ok(())
        }
        Command::Run {
            chain,
            deployment,
            pricing,
            cert,
            listen,
            manifests,
            interval_secs,
            no_rewards,
        } => {
            let key = chain.signer(KEY_ENV)?;
            let pricing = Pricing::from_file(&pricing)?;
            let pem = std::fs::read_to_string(&cert)
                .with_context(|| format!("cannot read {}", cert.display()))?;
            let identity = Identity::from_pem(&pem)?;
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(async {
                    let client = Client::connect(chain.url(), key).await?;
                    let (deployment, _) = Deployment::find(deployment.as_deref(), &client)?;
                    let (market, start) = deployment.contract("spon-market")?;
                    let endpoint = Arc::new(Endpoint {
                        client: client.clone(),
                        market,
                        leases: deployment.address("spon-leases")?,
                        node: client.from,
                        dir: manifests,
                    });
                    let listener = tokio::net::TcpListener::bind(&listen)
                        .await
                        .with_context(|| format!("cannot listen on {listen}"))?;
                    let listen = listener.local_addr()?;
                    tracing::info!(node = %client.from, %listen, cert = %identity.hash(), "agent ready");
                    tokio::spawn(async move { server::serve(listener, &identity, endpoint).await });
                    let mut rewards = match (no_rewards, deployment.address("spon-rewards")) {
                        (false, Ok(at)) => Some(EraRewards::new(client.clone(), at).await?),
                        (false, Err(e)) => {
                            tracing::warn!("no era rewards: {e:#}");
                            None
                        }
                        (true, _) => None,
                    };
                    let mut bidder = Bidder::new(client, (market, deployment.address("spon-registry")?), pricing, start);
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
