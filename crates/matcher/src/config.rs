//! The matcher's settings: a TOML file (`--config`), overridden by flags.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use alloy_primitives::Address;
use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::{indexer, service::Strategy, submit::Backoff};

/// Everything the matcher needs to run, as read from the file and flags.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// JSON-RPC endpoint.
    pub rpc: String,
    /// The market contract; read from `deployment` when not set.
    pub market: Option<Address>,
    /// A `deployments/<chainId>.json` written by spon-deploy: the market's
    /// address and deployment block come from it.
    pub deployment: Option<PathBuf>,
    /// The embedded database.
    pub db: PathBuf,
    /// First block to index on a new database (default: the market's
    /// deployment block from `deployment`, else 0).
    pub start_block: Option<u64>,
    /// Blocks per `eth_getLogs` request.
    pub batch: u64,
    /// How far back a reorg is handled.
    pub reorg_depth: u64,
    /// Seconds between rounds.
    pub interval_secs: u64,
    /// How proposals are chosen.
    pub strategy: Strategy,
    /// Estimate and log, send nothing.
    pub dry_run: bool,
    /// Tries of each RPC call before giving up.
    pub retries: u32,
    /// Seconds to wait for a proposal's receipt.
    pub confirm_timeout_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        let ix = indexer::Settings::default();
        Config {
            rpc: spon_client::args::DEFAULT_RPC_URL.into(),
            market: None,
            deployment: None,
            db: "spon-matcher.redb".into(),
            start_block: None,
            batch: ix.batch,
            reorg_depth: ix.reorg_depth,
            interval_secs: 2,
            strategy: Strategy::PerOrder,
            dry_run: false,
            retries: Backoff::default().attempts,
            confirm_timeout_secs: 60,
        }
    }
}

impl Config {
    /// Reads `path` (TOML).
    ///
    /// # Errors
    /// Unreadable file, bad TOML, unknown keys.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("bad config file {}", path.display()))
    }

    /// The market's address and the block to start from.
    ///
    /// # Errors
    /// Neither `market` nor a readable `deployment` with the market in it.
    pub fn market(&self) -> Result<(Address, u64)> {
        let from_record = match &self.deployment {
            Some(path) => Some(spon_client::Deployment::load(path)?.contract("spon-market")?),
            None => None,
        };
        let (market, block) = match (self.market, from_record) {
            (Some(m), record) => (m, record.filter(|r| r.0 == m).map_or(0, |r| r.1)),
            (None, Some(r)) => r,
            (None, None) => bail!("no market: pass --market or --deployment"),
        };
        Ok((market, self.start_block.unwrap_or(block)))
    }

    /// The indexer's settings.
    pub fn indexer(&self, start_block: u64) -> indexer::Settings {
        indexer::Settings {
            start_block,
            batch: self.batch.max(1),
            reorg_depth: self.reorg_depth,
        }
    }

    /// The retry policy.
    pub fn backoff(&self) -> Backoff {
        Backoff {
            attempts: self.retries.max(1),
            ..Backoff::default()
        }
    }

    /// Time between rounds.
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.interval_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_settings_and_the_deployment_record() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("412346.json");
        std::fs::write(
            &record,
            r#"{"chainId": 412346, "deployer": "0x0000000000000000000000000000000000000000",
                "settings": {"treasury": "0x0000000000000000000000000000000000000000", "guardian": "0x0000000000000000000000000000000000000000", "supply": "0x1", "committee": "0x0000000000000000000000000000000000000000"},
                "contracts": {"spon-market": {"address": "0x00000000000000000000000000000000000000aa",
                    "txHash": "0x0000000000000000000000000000000000000000000000000000000000000000", "block": 17, "codeHash": "0x0000000000000000000000000000000000000000000000000000000000000000", "commit": "test"}},
                "wiring": {}}"#,
        )
        .unwrap();
        let file = dir.path().join("matcher.toml");
        std::fs::write(
            &file,
            format!(
                "rpc = \"http://127.0.0.1:9999\"\nstrategy = \"global\"\nbatch = 50\ndeployment = {:?}\n",
                record.display().to_string()
            ),
        )
        .unwrap();
        let c = Config::from_file(&file).unwrap();
        assert_eq!(c.rpc, "http://127.0.0.1:9999");
        assert_eq!(c.strategy, Strategy::Global);
        assert_eq!(c.indexer(0).batch, 50);
        assert_eq!(c.reorg_depth, 64);
        assert_eq!(c.market().unwrap(), (Address::with_last_byte(0xAA), 17));
        // A start block given wins; a market given without a record starts at 0.
        let mut d = c.clone();
        d.start_block = Some(3);
        assert_eq!(d.market().unwrap().1, 3);
        let e = Config {
            market: Some(Address::with_last_byte(1)),
            ..Config::default()
        };
        assert_eq!(e.market().unwrap(), (Address::with_last_byte(1), 0));
        assert!(Config::default().market().is_err());
        // Unknown keys are refused by name.
        std::fs::write(&file, "rcp = \"x\"\n").unwrap();
        let err = format!("{:#}", Config::from_file(&file).unwrap_err());
        assert!(err.contains("rcp"), "{err}");
    }
}
