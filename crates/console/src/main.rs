//! `spon-console`: indexes a SPON deployment's events and serves a
//! read-only web explorer of the market.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::{Context, Result};
use clap::Parser;
use spon_client::args::DEFAULT_RPC_URL;
use spon_console::{
    server::{self, Settings as ServerSettings},
    service::{Console, Settings},
};
use tracing::info;

/// A read-only web console of the SPON market.
///
/// Follows the events of every SPON contract of the deployment (registry,
/// staking, market, leases, challenges, rewards, governance) into its own
/// database — a restart resumes, reorgs are rolled back — reads nodes'
/// tiers and stakes from the contracts' views, and serves the overview,
/// nodes, orders, leases, challenges and proposals as pages (no script
/// needed; they reload every few seconds) and as a JSON API under /api.
/// It answers GET and HEAD only.
#[derive(Parser, Debug)]
#[command(version, about, long_about)]
struct Cli {
    /// JSON-RPC endpoint of the chain.
    #[arg(long, alias = "rpc", env = "SPON_RPC_URL", default_value = DEFAULT_RPC_URL)]
    rpc_url: String,
    /// The deployment record (default: deployments/<chainId>.json of the
    /// endpoint's chain).
    #[arg(long)]
    deployment: Option<PathBuf>,
    /// The console's database (created if missing).
    #[arg(long, default_value = "spon-console.redb")]
    db: PathBuf,
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8700")]
    listen: SocketAddr,
    /// Milliseconds between indexing rounds.
    #[arg(long, default_value_t = 1_000)]
    poll_ms: u64,
    /// Blocks per eth_getLogs request.
    #[arg(long, default_value_t = 2_000)]
    batch: u64,
    /// Blocks a reorg may reach.
    #[arg(long, default_value_t = 64)]
    reorg_depth: u64,
    /// Requests a second per client address (burst: twice as many).
    #[arg(long, default_value_t = 50)]
    rate_limit: u32,
}

#[tokio::main]
async fn main() -> Result<()> {
    spon_client::init_logging("info");
    let cli = Cli::parse();
    let settings = Settings {
        rpc: cli.rpc_url.clone(),
        deployment: cli.deployment.clone(),
        db: cli.db.clone(),
        poll: Duration::from_millis(cli.poll_ms),
        batch: cli.batch,
        reorg_depth: cli.reorg_depth,
    };
    let mut console = Console::open(&settings).await?;
    console.round().await?;
    let app = server::router(
        console.shared.clone(),
        ServerSettings {
            rate_per_sec: cli.rate_limit,
        },
    );
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cli.listen))?;
    let url = format!("http://{}", listener.local_addr()?);
    info!(%url, "console serving");
    println!("SPON console: {url}");
    let serve = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    );
    tokio::select! {
        r = serve => r.context("the web server stopped"),
        r = console.run(settings.poll) => r,
        _ = tokio::signal::ctrl_c() => {
            info!("interrupted");
            Ok(())
        }
    }
}
