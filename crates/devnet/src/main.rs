//! `spon-devnet`: the in-process Stylus chain behind a JSON-RPC endpoint.
//!
//! `cargo run -p spon-devnet -- --port 8547 --fund 0xabc…=100`

use std::net::TcpListener;

use alloy_primitives::{utils::parse_ether, Address};
use anyhow::{Context, Result};
use spon_devnet::{rpc::Node, CHAIN_ID};

fn main() -> Result<()> {
    let mut port = 8547u16;
    let mut state: Option<std::path::PathBuf> = None;
    let mut funds: Vec<(Address, String)> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().context("--port needs a number")?.parse()?,
            "--state" => state = Some(args.next().context("--state needs a file")?.into()),
            "--fund" => {
                let spec = args.next().context("--fund needs ADDRESS=ETH")?;
                let (a, eth) = spec.split_once('=').context("--fund needs ADDRESS=ETH")?;
                funds.push((a.parse().context("bad address")?, eth.to_string()));
            }
            "-h" | "--help" => {
                println!(
                    "spon-devnet [--port N (8547)] [--state FILE] [--fund ADDRESS=ETH]...\n\
                     Serves the in-process Stylus chain (chain id {CHAIN_ID}) over JSON-RPC on\n\
                     127.0.0.1; one block per transaction. See the crate docs for the methods.\n\
                     --state FILE  keep the chain in FILE (its state-changing requests, replayed\n\
                                   at start): a restart resumes where it stopped\n\
                     --fund A=ETH  set A's balance (on a new chain only, with --state)"
                );
                return Ok(());
            }
            other => anyhow::bail!("unknown argument {other}; see --help"),
        }
    }
    let (mut node, replayed) = match &state {
        Some(path) => Node::with_state(path)?,
        None => (Node::default(), 0),
    };
    if replayed > 0 {
        eprintln!(
            "spon-devnet: resumed from {} ({replayed} requests, block {})",
            state
                .as_deref()
                .unwrap_or(std::path::Path::new(""))
                .display(),
            node.latest()
        );
    } else {
        for (a, eth) in funds {
            let wei = parse_ether(&eth).context("bad ETH amount")?;
            node.handle(
                serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "anvil_setBalance",
                                   "params": [a, format!("{wei:#x}")]})
                .to_string()
                .as_bytes(),
            );
        }
    }
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    eprintln!(
        "spon-devnet: chain {CHAIN_ID} on http://{}",
        listener.local_addr()?
    );
    node.serve(listener)
}
