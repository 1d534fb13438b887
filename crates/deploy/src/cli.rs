//! The deployment command line: `spon-deploy` and `spon deploy` share it.

use std::path::PathBuf;

use alloy_primitives::{utils::parse_ether, Address};
use anyhow::{bail, Context, Result};
use clap::Args;
use spon_client::args::ChainArgs;

use crate::{
    plan::{self, Contract, Settings},
    rpc::{Key, Rpc},
    run::{self, Action, Options},
};

/// The endpoint and the deployer's key, as `spon-deploy` takes them.
#[derive(Args, Debug, Clone)]
pub struct Wallet {
    /// The endpoint (Arbitrum One/Nova, an Orbit chain or a Nitro dev
    /// node) and the keystore, as every SPON binary takes them.
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Name of the environment variable holding the deployer's hex
    /// private key (used when no --keystore is given).
    #[arg(long, default_value = "SPON_DEPLOYER_KEY")]
    pub private_key_env: String,
}

/// What to deploy and how.
#[derive(Args, Debug, Clone)]
pub struct DeployArgs {
    /// Receives SPON's whole supply, non-SPON fees and the protocol's share
    /// of slashes [default: the deployer].
    #[arg(long)]
    treasury: Option<Address>,
    /// The guardian: may pause every governed contract (unpausing takes a
    /// proposal) and veto pending slashes; given its role on each of them
    /// before the hand-over. None if absent.
    #[arg(long)]
    guardian: Option<Address>,
    /// The lease-fault committee of the challenges contract [default: none;
    /// governance rules alone].
    #[arg(long)]
    committee: Option<Address>,
    /// SPON's fixed supply, in whole SPON.
    #[arg(long, default_value = "1000000000")]
    supply: String,
    /// Folder of the deployable modules written by scripts/build-contracts.
    #[arg(long, default_value = "target/stylus")]
    artifacts: PathBuf,
    /// Folder of the deployment records.
    #[arg(long, default_value = "deployments")]
    out: PathBuf,
    /// StylusDeployer contract for constructors, where the chain's is not
    /// cargo-stylus's default (passed as --deployer-address).
    #[arg(long)]
    stylus_deployer: Option<Address>,
    /// Fee cap for cargo stylus deploy, gwei (passed as
    /// --max-fee-per-gas-gwei).
    #[arg(long)]
    max_fee_per_gas_gwei: Option<String>,
    /// The cargo-stylus command.
    #[arg(long, default_value = "cargo stylus")]
    cargo_stylus: String,
    /// Print the plan and what is already done; send nothing. Works
    /// without a key or a reachable endpoint (then it prints the plan).
    #[arg(long)]
    dry_run: bool,
}

/// The deployer's key `w` names, if any.
///
/// # Errors
/// An unreadable password file, or no terminal to ask on.
pub fn key(cli: &Wallet) -> Result<Option<Key>> {
    if let (Some(path), Some(password)) = (&cli.chain.keystore, cli.chain.password()?) {
        return Ok(Some(Key::Keystore {
            path: path.clone(),
            password,
        }));
    }
    Ok(std::env::var(&cli.private_key_env).ok().map(Key::Hex))
}

fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "HEAD"]) {
        Some(c) if git(&["status", "--porcelain"]).is_some_and(|s| !s.is_empty()) => {
            format!("{c}-dirty")
        }
        Some(c) => c,
        None => "unknown".into(),
    }
}

/// The plan alone, for a dry run that cannot reach the chain.
fn print_plan(settings: &Settings, deployer: Option<Address>) {
    let deployer = deployer.map_or("<deployer>".into(), |d| d.to_checksum(None));
    println!("plan (not checked against a chain):");
    for c in Contract::ALL {
        let args: Vec<String> = c
            .constructor()
            .iter()
            .map(|a| match a {
                plan::Arg::Deployer => deployer.clone(),
                plan::Arg::Treasury if settings.treasury.is_zero() => deployer.clone(),
                plan::Arg::Treasury => settings.treasury.to_checksum(None),
                plan::Arg::Supply => settings.supply.to_string(),
                plan::Arg::Of(c) => format!("<{}>", c.package()),
            })
            .collect();
        println!("  deploy {} ({})", c.package(), args.join(", "));
    }
    for w in plan::wiring(settings) {
        println!("  send   {}", w.name());
    }
}

/// Runs a deployment as `args` say, printing each step.
///
/// # Errors
/// A missing key, an unreachable endpoint, a failed step.
/// `key_hint` says where the key is looked for, for the error without one.
pub fn deploy(rpc_url: &str, key: Option<Key>, key_hint: &str, cli: DeployArgs) -> Result<()> {
    let supply = parse_ether(&cli.supply).context("--supply is a number of whole SPON")?;
    let mut settings = Settings {
        treasury: cli.treasury.unwrap_or_default(),
        guardian: cli.guardian.unwrap_or_default(),
        supply,
        committee: cli.committee.unwrap_or_default(),
    };
    let Some(key) = key else {
        if cli.dry_run {
            print_plan(&settings, None);
            return Ok(());
        }
        bail!("no key: {key_hint}");
    };
    let mut chain = Rpc::new(rpc_url, key)?;
    chain.cargo_stylus = cli
        .cargo_stylus
        .split_whitespace()
        .map(String::from)
        .collect();
    if let Some(d) = cli.stylus_deployer {
        chain
            .deploy_args
            .extend(["--deployer-address".into(), d.to_string()]);
    }
    if let Some(fee) = &cli.max_fee_per_gas_gwei {
        chain
            .deploy_args
            .extend(["--max-fee-per-gas-gwei".into(), fee.clone()]);
    }
    if cli.treasury.is_none() {
        settings.treasury = crate::Backend::deployer(&chain);
    }
    if cli.dry_run && crate::Backend::chain_id(&mut chain).is_err() {
        println!("{rpc_url} does not answer");
        print_plan(&settings, Some(crate::Backend::deployer(&chain)));
        return Ok(());
    }
    if settings.guardian.is_zero() {
        eprintln!("note: no --guardian: only proposals can pause or veto");
    }
    let opts = Options {
        artifacts: cli.artifacts,
        out: cli.out,
        dry_run: cli.dry_run,
        commit: commit(),
    };
    let record = run::run(
        &mut chain,
        settings,
        &opts,
        &mut |step, action| match action {
            Action::Done => println!("  done     {step}"),
            Action::Deployed(a) => println!("  deployed {step} at {a}"),
            Action::Sent => println!("  sent     {step}"),
            Action::Would => println!("  would    {step}"),
        },
    )?;
    if !opts.dry_run {
        println!(
            "chain {}: {} contracts; governor {}; record {}",
            record.chain_id,
            record.contracts.len(),
            record.contracts["spon-governance"].address,
            opts.out.join(format!("{}.json", record.chain_id)).display()
        );
    }
    Ok(())
}
