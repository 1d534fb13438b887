//! `spon-matcher`: indexes the SPON market's orders and bids from an RPC
//! endpoint and proposes the best match for each open order.

use std::path::PathBuf;

use alloy_primitives::Address;
use alloy_signer_local::PrivateKeySigner;
use anyhow::Result;
use clap::Parser;
use spon_client::args::ChainArgs;
use spon_matcher::{config::Config, service::Strategy};

/// Environment variable holding the matcher account's private key.
const KEY_ENV: &str = "SPON_MATCHER_KEY";

/// The SPON market's off-chain matcher.
///
/// Each round it indexes the market's OrderCreated, BidPlaced,
/// BidWithdrawn, MatchProposed, MatchAccepted and OrderCancelled events
/// into its database (so a restart resumes where it stopped; reorgs are
/// rolled back), reads the bidding nodes from the registry and staking
/// contracts, scores bids with the market's own scoring code and sends
/// `proposeMatch` where it beats the order's current proposal. Settings
/// come from --config (TOML, keys as the flags' long names) and flags
/// override them. The key comes from SPON_MATCHER_KEY or --keystore.
#[derive(Parser, Debug)]
#[command(version, about, long_about)]
struct Cli {
    /// TOML file with any of the settings below (flags override it).
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    chain: ChainArgs,
    /// The market contract's address.
    #[arg(long)]
    market: Option<Address>,
    /// A deployments/<chainId>.json from scripts/deploy: the market's
    /// address and deployment block are read from it.
    #[arg(long)]
    deployment: Option<PathBuf>,
    /// The embedded database (cursor, indexed logs, sent proposals)
    /// [default: spon-matcher.redb].
    #[arg(long)]
    db: Option<PathBuf>,
    /// First block to index on a new database [default: the market's
    /// deployment block, else 0].
    #[arg(long)]
    start_block: Option<u64>,
    /// Most blocks per eth_getLogs request [default: 2000].
    #[arg(long)]
    batch: Option<u64>,
    /// Deepest reorg handled, in blocks [default: 64].
    #[arg(long)]
    reorg_depth: Option<u64>,
    /// Seconds between rounds [default: 2].
    #[arg(long)]
    interval_secs: Option<u64>,
    /// per-order: each order's best bid; global: one assignment with each
    /// node used at most once (logged against per-order) [default: per-order].
    #[arg(long, value_enum)]
    strategy: Option<Strategy>,
    /// Estimate and log every decision, send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Tries of each RPC call before giving up (exponential backoff)
    /// [default: 6].
    #[arg(long)]
    retries: Option<u32>,
    /// Seconds to wait for a proposal's receipt [default: 60].
    #[arg(long)]
    confirm_timeout_secs: Option<u64>,
    /// Stop after this many rounds (default: run until ctrl-c).
    #[arg(long)]
    rounds: Option<u64>,
}

impl Cli {
    fn config(&self) -> Result<Config> {
        let mut c = match &self.config {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        macro_rules! set {
            ($($field:ident),*) => {$(
                if let Some(v) = &self.$field {
                    c.$field = v.clone().into();
                }
            )*};
        }
        if let Some(url) = &self.chain.rpc_url {
            c.rpc.clone_from(url);
        }
        set!(
            db,
            batch,
            reorg_depth,
            interval_secs,
            strategy,
            retries,
            confirm_timeout_secs
        );
        if self.market.is_some() {
            c.market = self.market;
        }
        if self.deployment.is_some() {
            c.deployment.clone_from(&self.deployment);
        }
        if self.start_block.is_some() {
            c.start_block = self.start_block;
        }
        c.dry_run |= self.dry_run;
        Ok(c)
    }

    fn signer(&self) -> Result<PrivateKeySigner> {
        self.chain.signer(KEY_ENV)
    }
}

fn main() -> Result<()> {
    spon_client::init_logging("spon_matcher=info");
    let cli = Cli::parse();
    let config = cli.config()?;
    let signer = cli.signer()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut matcher = spon_matcher::service::connect(&config, signer).await?;
        let metrics = matcher.run(config.interval(), cli.rounds).await?;
        println!("{}", serde_json::to_string(&metrics)?);
        Ok(())
    })
}
