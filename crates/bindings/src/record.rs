//! `deployments/<chainId>.json`: what was deployed and wired, where and
//! when, written after every step so an interrupted run resumes.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use alloy_primitives::{Address, B256, U256};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// What the deployer chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Receives SPON's supply, fees and the protocol's share of slashes.
    pub treasury: Address,
    /// May pause every governed contract and veto pending slashes (zero:
    /// none).
    pub guardian: Address,
    /// SPON's supply, in wei.
    pub supply: U256,
    /// The lease-fault committee of the challenges contract (zero: none;
    /// governance rules alone).
    pub committee: Address,
}

/// One deployed contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployed {
    /// Its address.
    pub address: Address,
    /// The deployment transaction.
    pub tx_hash: B256,
    /// The block of that transaction.
    pub block: u64,
    /// keccak256 of the code at the address.
    pub code_hash: B256,
    /// The git commit it was built from.
    pub commit: String,
}

/// One wiring call made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sent {
    /// The transaction.
    pub tx_hash: B256,
    /// Its block.
    pub block: u64,
}

/// A deployment of the protocol on one chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// The chain.
    pub chain_id: u64,
    /// The deploying account.
    pub deployer: Address,
    /// The settings it was made with.
    pub settings: Settings,
    /// Deployed contracts by package name.
    pub contracts: BTreeMap<String, Deployed>,
    /// Wiring calls made, by step name (absent: found done on chain).
    pub wiring: BTreeMap<String, Sent>,
}

/// Where the record of chain `chain_id` is kept under `dir` (the
/// repository's `deployments/`): `<dir>/<chainId>.json`.
pub fn path_for(dir: &Path, chain_id: u64) -> PathBuf {
    dir.join(format!("{chain_id}.json"))
}

impl Record {
    /// A record with nothing deployed yet.
    pub fn new(chain_id: u64, deployer: Address, settings: Settings) -> Self {
        Record {
            chain_id,
            deployer,
            settings,
            contracts: BTreeMap::new(),
            wiring: BTreeMap::new(),
        }
    }

    /// The record at `path`, if the file exists; it must be of this chain
    /// and these settings (a different treasury or supply is a different
    /// deployment).
    ///
    /// # Errors
    /// Unreadable file, or another chain or other settings.
    pub fn load(path: &Path, chain_id: u64, settings: &Settings) -> Result<Option<Self>> {
        if !path.exists() {
            return Ok(None);
        }
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let r: Record = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a deployment record", path.display()))?;
        if r.chain_id != chain_id {
            bail!(
                "{} is for chain {}, the endpoint is chain {chain_id}",
                path.display(),
                r.chain_id
            );
        }
        if &r.settings != settings {
            bail!(
                "{} was made with other settings ({:?}); pass the same treasury, guardian, \
                 supply and committee to resume, or move the file away to deploy anew",
                path.display(),
                r.settings
            );
        }
        Ok(Some(r))
    }

    /// Writes the record to `path` (through a temporary file, so a crash
    /// never leaves half a record).
    ///
    /// # Errors
    /// If the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(self)? + "\n")?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
    }
}
