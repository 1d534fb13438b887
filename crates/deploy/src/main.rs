//! `spon-deploy`: deploys the SPON protocol to a Stylus chain with
//! `cargo stylus deploy`, wires it and hands governance to the governor.
//! See `scripts/deploy` and the README's "Deploying" section.

use std::process::ExitCode;

use clap::Parser;
use spon_deploy::cli::{deploy, key, DeployArgs, Wallet};

/// Deploys the eight SPON contracts in dependency order with `cargo stylus
/// deploy`, gives them the roles they need of each other, hands every
/// contract's governance role to the governor, and records everything in
/// `<out>/<chainId>.json`. Each step is checked on chain first: re-running
/// resumes where a previous run stopped and never deploys twice.
#[derive(Parser, Debug)]
#[command(name = "spon-deploy", version)]
struct Cli {
    #[command(flatten)]
    wallet: Wallet,
    #[command(flatten)]
    args: DeployArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let hint = format!(
        "set {} to the deployer's private key, or pass --keystore",
        cli.wallet.private_key_env
    );
    match key(&cli.wallet).and_then(|k| deploy(cli.wallet.chain.url(), k, &hint, cli.args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("spon-deploy: {e:#}");
            ExitCode::FAILURE
        }
    }
}
