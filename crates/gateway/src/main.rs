//! `spon-gateway`: the gateway Fizz nodes dial out to, and through which
//! their tenants reach their leases' services.

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use alloy_primitives::Address;
use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use spon_client::{args::ChainArgs, Client, Deployment};
use spon_gateway::{
    chain::Chain,
    gateway::{self, Gateway, Sessions},
    tls::Identity,
};

/// The SPON gateway, run by a Provider node or an approved gateway
/// operator.
///
/// Fizz nodes that named this gateway's account in the registry dial its
/// QUIC port (`--nodes`) and prove themselves with their registry key; the
/// chain must hold them active with this gateway named. Tenants connect to
/// its TLS port (`--tenants`) for a lease, signed by the lease's tenant,
/// and reach the lease's service on the node while the lease is active on
/// chain. `GET /stats` on `--stats` counts bytes and sessions per lease
/// and tunnel uptime per node. Nodes and tenants pin the certificate's
/// SHA-256 (`cert` prints it): a Provider node registers it with
/// `setEndpoint`; an operator publishes it.
#[derive(Parser, Debug)]
#[command(version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Make the gateway's self-signed certificate (PEM, certificate and
    /// key) and print its SHA-256.
    Cert {
        /// DNS names or IPs the certificate names.
        #[arg(long = "name", default_values_t = ["localhost".to_string()])]
        names: Vec<String>,
        /// Where to write the PEM file.
        #[arg(long, default_value = "spon-gateway.pem")]
        out: PathBuf,
    },
    /// Serve nodes' tunnels and tenants' connections.
    Run {
        #[command(flatten)]
        chain: ChainArgs,
        /// The deployment record from scripts/deploy [default:
        /// deployments/<chainId>.json, the chain's id asked of the
        /// endpoint].
        #[arg(long, env = "SPON_DEPLOYMENT")]
        deployment: Option<PathBuf>,
        /// The gateway's account: the address Fizz nodes name as their
        /// gateway (no key needed; nothing is sent).
        #[arg(long)]
        account: Address,
        /// The certificate and key (from `spon-gateway cert`, or the
        /// Provider node's agent certificate).
        #[arg(long, default_value = "spon-gateway.pem")]
        cert: PathBuf,
        /// UDP address of the nodes' QUIC tunnels.
        #[arg(long, default_value_t = SocketAddr::from(([0, 0, 0, 0], gateway::NODE_PORT)))]
        nodes: SocketAddr,
        /// TCP address of tenants' connections.
        #[arg(long, default_value_t = SocketAddr::from(([0, 0, 0, 0], gateway::TENANT_PORT)))]
        tenants: SocketAddr,
        /// TCP address of `GET /stats`.
        #[arg(long, default_value = "127.0.0.1:8662")]
        stats: String,
        /// Seconds between reads of the chain that cut sessions of leases
        /// no longer active and tunnels of nodes no longer admitted.
        #[arg(long, default_value_t = 3)]
        recheck_secs: u64,
    },
}

fn main() -> Result<()> {
    spon_client::init_logging("spon_gateway=info");
    match Cli::parse().command {
        Command::Cert { names, out } => {
            println!("{}", Identity::write_self_signed(&names, &out)?);
            Ok(())
        }
        Command::Run {
            chain,
            deployment,
            account,
            cert,
            nodes,
            tenants,
            stats,
            recheck_secs,
        } => {
            let pem = std::fs::read_to_string(&cert)
                .with_context(|| format!("cannot read {}", cert.display()))?;
            let identity = Identity::from_pem(&pem)?;
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(async {
                    let client = Client::reader(chain.url()).await?;
                    let (deployment, _) = Deployment::find(deployment.as_deref(), &client)?;
                    let chain = Chain {
                        client,
                        registry: deployment.address("spon-registry")?,
                        leases: deployment.address("spon-leases")?,
                    };
                    let gateway = Gateway::new(account, chain.clone());
                    let sessions = Arc::new(Sessions::default());
                    let endpoint = gateway::node_endpoint(nodes, &identity)?;
                    let tenants = tokio::net::TcpListener::bind(&tenants)
                        .await
                        .with_context(|| format!("cannot listen on {tenants}"))?;
                    let stats = tokio::net::TcpListener::bind(&stats)
                        .await
                        .with_context(|| format!("cannot listen on {stats}"))?;
                    tracing::info!(
                        %account,
                        nodes = %endpoint.local_addr()?,
                        tenants = %tenants.local_addr()?,
                        stats = %stats.local_addr()?,
                        cert = %identity.hash(),
                        "gateway ready"
                    );
                    tokio::spawn(gateway.clone().serve_nodes(endpoint));
                    tokio::spawn(gateway::recheck_loop(
                        gateway.clone(),
                        sessions.clone(),
                        Duration::from_secs(recheck_secs.max(1)),
                    ));
                    tokio::spawn(gateway::serve_stats(stats, gateway.clone(), sessions.clone()));
                    tokio::select! {
                        r = gateway::serve_tenants(tenants, &identity, chain, gateway, sessions) => r,
                        _ = tokio::signal::ctrl_c() => Ok(()),
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
