//! `spon`: the command line of the SPON compute market.
//!
//! One binary for every role: the deployer (`deploy`), GPU owners
//! (`provider`, `fizz`, `stake`, `bid`), delegators (`delegate`,
//! `rewards`), tenants (`order`, `match accept`, `lease`), challengers
//! (`challenge`), SPON holders (`gov`) and anyone (`status`). Addresses
//! come from `deployments/<chainId>.json`; the account from an encrypted
//! keystore or a private key in `SPON_PRIVATE_KEY`. Every refusal of a
//! contract is printed with its error's name, arguments and meaning.

mod cmd;
mod context;
mod spec;

use std::process::ExitCode;

use alloy_primitives::{Address, U256};
use anyhow::Result;
use clap::{Parser, Subcommand};
use cmd::{challenge, gov, market, node, rewards, stake, status, token};
use context::{Ctx, Global, Out};
use spon_client::units;

/// The SPON compute market from the command line.
///
/// Start with `spon status`; each command's `--help` says what it needs.
/// Amounts are in whole tokens (`12.5`), durations like `2h`.
#[derive(Parser, Debug)]
#[command(name = "spon", version)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Prints your account's address (from the keystore or the key).
    Address,
    /// Deploys the protocol (as scripts/deploy, after scripts/build-contracts).
    Deploy(spon_deploy::cli::DeployArgs),
    /// Balances, transfers and approvals of SPON and payment tokens.
    #[command(subcommand)]
    Token(token::TokenCmd),
    /// Enterprise Provider nodes: propose, update, maintenance, status.
    #[command(subcommand)]
    Provider(node::ProviderCmd),
    /// Home Fizz nodes: register, status.
    #[command(subcommand)]
    Fizz(node::FizzCmd),
    /// Stakes SPON in your own pool (a node's collateral); `stake status`
    /// shows your stake and earnings in every pool.
    Stake(stake::StakeCmd),
    /// Starts unbonding your own stake.
    Unstake {
        /// SPON to unbond.
        amount: String,
    },
    /// Delegates SPON to a provider's pool.
    Delegate(stake::DelegateArgs),
    /// Starts unbonding a delegation.
    Undelegate(stake::UndelegateArgs),
    /// Withdraws an unbonding request once released.
    Withdraw {
        /// The request id `unstake`/`undelegate` printed.
        request: U256,
    },
    /// Node rewards per era (status, check-in, claim) and your rewards in a
    /// pool (`pool`).
    #[command(subcommand)]
    Rewards(rewards::RewardsCmd),
    /// Tenants' orders: create, cancel, status, top-up.
    #[command(subcommand)]
    Order(market::OrderCmd),
    /// Nodes' bids: place, withdraw.
    #[command(subcommand)]
    Bid(market::BidCmd),
    /// Matches: propose a bid, accept the proposal.
    #[command(subcommand)]
    Match(market::MatchCmd),
    /// Leases: settle, close, status.
    #[command(subcommand)]
    Lease(market::LeaseCmd),
    /// Challenges: open, answer, reveal, resolve, slash, status.
    #[command(subcommand)]
    Challenge(challenge::ChallengeCmd),
    /// Governance: propose, vote, queue, execute, unlock, status.
    #[command(subcommand)]
    Gov(gov::GovCmd),
    /// The market at a glance: nodes by tier, orders, leases, stake, fees.
    Status {
        /// Read at most this many of the latest orders.
        #[arg(long, default_value_t = 1_000)]
        limit: u64,
    },
    /// Test chains only (the devnet, anvil): fund an account, move time.
    #[command(subcommand)]
    Dev(DevCmd),
    /// A node's state, hardware, tier, probe, reputation and stake.
    Node {
        /// The node.
        node: Address,
    },
}

/// Test-chain commands.
#[derive(Subcommand, Debug)]
enum DevCmd {
    /// Sets an account's ETH balance (for fees).
    Fund {
        /// The account.
        account: Address,
        /// ETH.
        #[arg(default_value = "100")]
        eth: String,
    },
    /// Moves the chain's clock forward and mines a block.
    Travel {
        /// How far: 90m, 2h, 1d, or seconds.
        #[arg(value_parser = market::duration)]
        by: u64,
    },
}

async fn dev(g: &Global, cmd: DevCmd) -> Result<Out> {
    use alloy_provider::Provider;
    let client = spon_client::Client::reader(g.chain.url()).await?;
    let p = client.provider();
    let mut out = Out::default();
    match cmd {
        DevCmd::Fund { account, eth } => {
            let wei = units::parse(&eth, 18)?;
            p.raw_request::<_, serde_json::Value>(
                "anvil_setBalance".into(),
                (account, format!("{wei:#x}")),
            )
            .await?;
            out.field("funded", format!("{account} with {eth} ETH"));
        }
        DevCmd::Travel { by } => {
            p.raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (by,))
                .await?;
            p.raw_request::<_, serde_json::Value>("evm_mine".into(), ())
                .await?;
            out.field("block time", client.now().await?);
        }
    }
    Ok(out)
}

async fn run(cli: Cli) -> Result<Out> {
    if let Command::Dev(c) = cli.command {
        return dev(&cli.global, c).await;
    }
    let ctx = Ctx::new(&cli.global).await?;
    let ctx = &ctx;
    match cli.command {
        Command::Deploy(_) | Command::Address | Command::Dev(_) => {
            unreachable!("run before the deployment is read")
        }
        Command::Token(c) => token::run(ctx, &cli.global, c).await,
        Command::Provider(c) => node::provider(ctx, c).await,
        Command::Fizz(c) => node::fizz(ctx, c).await,
        Command::Node { node } => node::status(ctx, node).await,
        Command::Stake(c) => stake::run(ctx, c).await,
        Command::Unstake { amount } => stake::unstake(ctx, amount).await,
        Command::Delegate(a) => stake::delegate(ctx, a).await,
        Command::Undelegate(a) => stake::undelegate(ctx, a).await,
        Command::Withdraw { request } => stake::withdraw(ctx, request).await,
        Command::Rewards(c) => rewards::run(ctx, c).await,
        Command::Order(c) => market::order_cmd(ctx, c).await,
        Command::Bid(c) => market::bid_cmd(ctx, c).await,
        Command::Match(c) => market::match_cmd(ctx, c).await,
        Command::Lease(c) => market::lease_cmd(ctx, c).await,
        Command::Challenge(c) => challenge::run(ctx, c).await,
        Command::Gov(c) => gov::run(ctx, c).await,
        Command::Status { limit } => status::run(ctx, limit).await,
    }
}

/// Prints `e`: a contract refusal with its name, arguments and meaning.
fn report(e: &anyhow::Error, json: bool) {
    let refused = e.downcast_ref::<spon_client::Refused>();
    if json {
        let v = match refused {
            Some(r) => serde_json::json!({"error": r.error, "call": r.call, "meaning": r.meaning}),
            None => serde_json::json!({"error": format!("{e:#}")}),
        };
        println!("{v}");
    } else {
        match refused {
            Some(r) => {
                eprintln!("error: {} refused {}", r.call, r.error);
                if !r.meaning.is_empty() {
                    eprintln!("  meaning: {}", r.meaning);
                }
            }
            None => eprintln!("error: {e:#}"),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.global.json;
    let result = match cli.command {
        Command::Address => {
            let g = &cli.global;
            g.chain.signer(&g.private_key_env).map(|s| {
                let mut out = Out::default();
                out.field("address", s.address());
                out
            })
        }
        Command::Deploy(args) => {
            // The deployment drives its own runtime, outside ours.
            let g = &cli.global;
            spon_deploy::cli::key(&g.wallet())
                .and_then(|k| spon_deploy::cli::deploy(g.chain.url(), k, &g.key_hint(), args))
                .map(|()| Out::default())
        }
        _ => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|rt| rt.block_on(run(cli))),
    };
    match result {
        Ok(out) => {
            out.print(json);
            ExitCode::SUCCESS
        }
        Err(e) => {
            report(&e, json);
            ExitCode::FAILURE
        }
    }
}
