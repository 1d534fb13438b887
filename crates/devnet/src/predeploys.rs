//! The contracts Nitro's dev nodes hold from genesis, which real clients
//! expect at their usual addresses: StylusDeployer (what `cargo stylus
//! deploy` sends a contract with a constructor to), the deterministic
//! CREATE2 factory, and Multicall3.
//!
//! Their code is not in this repository: `scripts/setup` installs the
//! pinned npm packages of `crates/devnet/predeploys` (Arbitrum's
//! `@arbitrum/nitro-contracts`, whose published artifact holds
//! StylusDeployer's compiled code, and `solc`, which compiles our
//! Multicall3 and factory from the Solidity beside it) and writes them
//! to one JSON file, [`default_path`], which [`load`] reads.

use std::path::{Path, PathBuf};

use alloy_primitives::{address, hex, Address};
use anyhow::{bail, Context, Result};
use serde_json::Value;

/// cargo-stylus's default StylusDeployer (`--deployer-address`).
pub const STYLUS_DEPLOYER: Address = address!("cEcba2F1DC234f70Dd89F2041029807F8D03A990");
/// The deterministic CREATE2 factory.
pub const CREATE2_FACTORY: Address = address!("4e59b44847b379578588920cA78FbF26c0B4956C");
/// Multicall3.
pub const MULTICALL3: Address = address!("cA11bde05977b3631167028862bE2a173976CA11");

/// Each predeploy the devnet needs, by name and address.
pub const EXPECTED: [(&str, Address); 3] = [
    ("StylusDeployer", STYLUS_DEPLOYER),
    ("Create2Factory", CREATE2_FACTORY),
    ("Multicall3", MULTICALL3),
];

/// One contract of the genesis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predeploy {
    /// Its name.
    pub name: String,
    /// Where it lives.
    pub address: Address,
    /// Its runtime code.
    pub code: Vec<u8>,
    /// Where the code came from (package and file).
    pub from: String,
}

/// Where `scripts/setup` writes the predeploys: `target/predeploys.json`
/// of this workspace.
pub fn default_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/predeploys.json")
}

/// Reads the predeploys `scripts/setup` wrote to `path`.
///
/// # Errors
/// A missing or malformed file, one without every contract of
/// [`EXPECTED`] at its address, or with empty code.
pub fn load(path: &Path) -> Result<Vec<Predeploy>> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the predeploys at {} (written by scripts/setup from crates/devnet/predeploys)",
            path.display()
        )
    })?;
    let json: Value = serde_json::from_str(&text).context("the predeploys are not JSON")?;
    let mut out = Vec::new();
    for p in json["predeploys"]
        .as_array()
        .context("no \"predeploys\" array")?
    {
        let field = |k: &str| {
            p[k].as_str()
                .with_context(|| format!("a predeploy without \"{k}\""))
        };
        let name = field("name")?.to_string();
        let code = hex::decode(field("code")?).with_context(|| format!("{name}: bad code"))?;
        if code.is_empty() {
            bail!("{name}: empty code");
        }
        out.push(Predeploy {
            address: field("address")?
                .parse()
                .with_context(|| format!("{name}: bad address"))?,
            from: field("from")?.to_string(),
            name,
            code,
        });
    }
    for (name, address) in EXPECTED {
        if !out.iter().any(|p| p.name == name && p.address == address) {
            bail!("{}: no {name} at {address}", path.display());
        }
    }
    Ok(out)
}

impl crate::Chain {
    /// A new chain as `spon-devnet` starts one: the predeploys of
    /// [`default_path`] in its genesis.
    ///
    /// # Errors
    /// As [`load`] (say: scripts/setup has not run).
    pub fn devnet() -> Result<Self> {
        Ok(Self::with_predeploys(&load(&default_path())?))
    }

    /// A new chain with `predeploys` in its genesis.
    pub fn with_predeploys(predeploys: &[Predeploy]) -> Self {
        let mut chain = crate::Chain::new();
        for p in predeploys {
            chain.install(p.address, &p.code);
        }
        chain
    }
}
