//! Carrying a plan out: each step is checked on chain first and skipped
//! if done, so re-running resumes; the record is saved after every step.

use std::path::PathBuf;

use alloy_primitives::{keccak256, Address};
use anyhow::{bail, Context, Result};

use crate::{
    plan::{self, Addresses, Contract, Settings, Wire},
    record::{Deployed, Record},
    Backend,
};

/// Where things are and what to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Folder of the deployable modules (`target/stylus`).
    pub artifacts: PathBuf,
    /// Folder of the records (`deployments`).
    pub out: PathBuf,
    /// Only say what would be done.
    pub dry_run: bool,
    /// The git commit of the modules.
    pub commit: String,
}

/// What happened to a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Found done on chain.
    Done,
    /// Deployed now, at this address.
    Deployed(Address),
    /// Sent now.
    Sent,
    /// Would be deployed or sent (dry run).
    Would,
}

/// The modules' deployable bytes, by package.
fn module(opts: &Options, c: Contract) -> Result<Vec<u8>> {
    let path = opts.artifacts.join(format!("{}.wasm", c.package()));
    std::fs::read(&path).with_context(|| {
        format!(
            "{} is missing: run scripts/build-contracts first",
            path.display()
        )
    })
}

/// Carries out the whole plan on `chain` with `settings`; `say` gets one
/// line per step. Returns the record (also saved to
/// `<out>/<chainId>.json` unless a dry run).
///
/// # Errors
/// A failed step (after saving what was done), a record of another
/// chain, settings or deployer, or a recorded contract whose code is gone.
pub fn run<B: Backend>(
    chain: &mut B,
    settings: Settings,
    opts: &Options,
    say: &mut dyn FnMut(&str, &Action),
) -> Result<Record> {
    let chain_id = chain.chain_id()?;
    let deployer = chain.deployer();
    let path = opts.out.join(format!("{chain_id}.json"));
    let mut record = match Record::load(&path, chain_id, &settings)? {
        Some(r) if r.deployer != deployer => bail!(
            "{} was deployed by {}; resume with that account",
            path.display(),
            r.deployer
        ),
        Some(r) => r,
        None => Record::new(chain_id, deployer, settings),
    };

    for c in Contract::ALL {
        let name = format!("deploy {}", c.package());
        let wasm = module(opts, c)?;
        if let Some(d) = record.contracts.get(c.package()) {
            let code = chain.code(d.address)?;
            if code.is_empty() {
                bail!(
                    "{} is recorded at {} but has no code there; move {} away to deploy anew",
                    c.package(),
                    d.address,
                    path.display()
                );
            }
            // Compared as programs: compressors and encoders may differ.
            let same = stylus_artifact::module_of(&code)
                .is_ok_and(|deployed| stylus_artifact::same_program(&deployed, &wasm));
            if !same {
                say(
                    &format!("{name}: deployed code differs from the local module (built from another commit?); kept"),
                    &Action::Done,
                );
            } else {
                say(&name, &Action::Done);
            }
            continue;
        }
        let mut types = Vec::new();
        let mut text = Vec::new();
        let mut encoded = Vec::new();
        for arg in c.constructor() {
            let supply = *arg == plan::Arg::Supply;
            types.push(if supply { "uint256" } else { "address" });
            match plan::resolve(*arg, deployer, &settings, &record) {
                Ok(word) => {
                    text.push(if supply {
                        word.to_string()
                    } else {
                        Address::from_word(word.into()).to_checksum(None)
                    });
                    encoded.extend_from_slice(&word.to_be_bytes::<32>());
                }
                // A dry run names what is not deployed yet.
                Err(_) if opts.dry_run => text.push(match arg {
                    plan::Arg::Of(c) => format!("<{}>", c.package()),
                    _ => "<?>".into(),
                }),
                Err(e) => return Err(e),
            }
        }
        let signature = format!("constructor({})", types.join(","));
        if opts.dry_run {
            say(
                &format!("{name} {signature} {}", text.join(" ")),
                &Action::Would,
            );
            continue;
        }
        let (address, receipt) = chain.deploy(c.package(), &wasm, &signature, &text, &encoded)?;
        // Before anything else is sent, and before the record names it:
        // did the constructor run, with the planned arguments?
        for check in c.checks(deployer, &settings, &record)? {
            let got = chain.call(address, &check.call).with_context(|| {
                format!(
                    "{} at {address}: {} cannot be read",
                    c.package(),
                    check.what
                )
            })?;
            if got != check.expect {
                bail!(
                    "{} at {address} is not constructed as planned: {} answers 0x{}, expected 0x{}; \
                     the contract is not recorded and nothing more is sent to it \
                     (a deployment that skips the constructor leaves it to whoever calls it first)",
                    c.package(),
                    check.what,
                    alloy_primitives::hex::encode(&got),
                    alloy_primitives::hex::encode(&check.expect)
                );
            }
        }
        let code = chain.code(address)?;
        record.contracts.insert(
            c.package().to_string(),
            Deployed {
                address,
                tx_hash: receipt.tx_hash,
                block: receipt.block,
                code_hash: keccak256(&code),
                commit: opts.commit.clone(),
            },
        );
        record.save(&path)?;
        say(&name, &Action::Deployed(address));
    }

    for w in plan::wiring(&settings) {
        let name = w.name();
        let (Some(target), Ok(account)) = (record.of(w.target()), w.account(&settings, &record))
        else {
            // Only in a dry run: what it would wire is not deployed yet.
            say(&name, &Action::Would);
            continue;
        };
        let probe = w.probe(&settings, &record)?;
        if Wire::is_done(&chain.call(target, &probe)?)? {
            say(&name, &Action::Done);
            continue;
        }
        if opts.dry_run {
            say(&name, &Action::Would);
            continue;
        }
        let receipt = chain
            .send(target, &w.calldata(&settings, &record)?)
            .with_context(|| format!("{name} failed"))?;
        if !Wire::is_done(&chain.call(target, &probe)?)? {
            bail!("{name} was mined but {target} does not give the role to {account}");
        }
        record.wiring.insert(name.clone(), receipt.into());
        record.save(&path)?;
        say(&name, &Action::Sent);
    }
    Ok(record)
}
