//! `spon-devnet`: the in-process Stylus chain behind a JSON-RPC endpoint.
//!
//! `cargo run -p spon-devnet -- --port 8547 --fund 0xabc…=100`

use std::{net::TcpListener, path::PathBuf};

use alloy_primitives::{utils::parse_ether, Address};
use anyhow::{Context, Result};
use clap::Parser;
use spon_devnet::{predeploys, rpc::Node, Chain, CHAIN_ID};

/// Serves the in-process Stylus chain (chain id 412346) over JSON-RPC on
/// 127.0.0.1, one block per transaction, with Nitro dev nodes' predeploys
/// (StylusDeployer, the CREATE2 factory, Multicall3) and ArbOS's
/// precompiles. See the crate's documentation for the methods.
#[derive(Parser)]
#[command(name = "spon-devnet", version)]
struct Args {
    /// Port to listen on.
    #[arg(long, default_value_t = 8547)]
    port: u16,
    /// Keep the chain in FILE (its state-changing requests, replayed at
    /// start): a restart resumes where it stopped.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Set an account's balance, ADDRESS=ETH (on a new chain only, with
    /// --state). Repeatable.
    #[arg(long, value_name = "ADDRESS=ETH")]
    fund: Vec<String>,
    /// The genesis predeploys, as scripts/setup writes them
    /// [default: target/predeploys.json of this workspace].
    #[arg(long, value_name = "FILE")]
    predeploys: Option<PathBuf>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let funds = args
        .fund
        .iter()
        .map(|spec| {
            let (a, eth) = spec.split_once('=').context("--fund needs ADDRESS=ETH")?;
            let a: Address = a.parse().context("--fund: bad address")?;
            Ok((a, parse_ether(eth).context("--fund: bad ETH amount")?))
        })
        .collect::<Result<Vec<_>>>()?;
    let genesis = predeploys::load(
        args.predeploys
            .as_deref()
            .unwrap_or(&predeploys::default_path()),
    )?;
    let chain = Chain::with_predeploys(&genesis);
    let (mut node, replayed) = match &args.state {
        Some(path) => Node::with_state(path, chain)?,
        None => (Node::new(chain), 0),
    };
    if replayed > 0 {
        eprintln!(
            "spon-devnet: resumed from {} ({replayed} requests, block {})",
            args.state
                .as_deref()
                .unwrap_or(std::path::Path::new(""))
                .display(),
            node.latest()
        );
    } else {
        for (a, wei) in funds {
            node.handle(
                serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "anvil_setBalance",
                                   "params": [a, format!("{wei:#x}")]})
                .to_string()
                .as_bytes(),
            );
        }
    }
    for p in &genesis {
        eprintln!(
            "spon-devnet: predeploy {} at {} ({})",
            p.name, p.address, p.from
        );
    }
    let listener = TcpListener::bind(("127.0.0.1", args.port))?;
    // The last word of this line is the URL (the demo reads it).
    eprintln!(
        "spon-devnet: chain {CHAIN_ID} on http://{}",
        listener.local_addr()?
    );
    node.serve(listener)
}
