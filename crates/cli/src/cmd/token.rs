//! `spon token`: balances, transfers, approvals; the test token.

use alloy_primitives::Address;
use anyhow::{Context, Result};
use clap::Subcommand;
use serde_json::json;
use spon_client::bindings::{TestUsd, Token};

use crate::context::{Ctx, Global, Out};

/// Token commands.
#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Balance of an account (default: yours).
    Balance {
        /// The account.
        account: Option<Address>,
        /// SPON, tUSD or a token address.
        #[arg(long, default_value = "SPON")]
        token: String,
    },
    /// Sends tokens.
    Transfer {
        /// The receiver.
        to: Address,
        /// Amount in whole tokens (e.g. 12.5).
        amount: String,
        /// SPON, tUSD or a token address.
        #[arg(long, default_value = "SPON")]
        token: String,
    },
    /// Lets a contract (market, staking, challenges, governance, leases)
    /// or an address spend your tokens.
    Approve {
        /// A contract name of the deployment, or an address.
        spender: String,
        /// Amount in whole tokens, or `max`.
        amount: String,
        /// SPON, tUSD or a token address.
        #[arg(long, default_value = "SPON")]
        token: String,
    },
    /// Deploys the 6-decimal test stablecoin (tUSD, anyone may mint) for
    /// test networks and records it in the deployment record; governance
    /// must still allow it as a payment token.
    DeployTestUsd {
        /// Folder of the deployable modules.
        #[arg(long, default_value = "target/stylus")]
        artifacts: std::path::PathBuf,
    },
    /// Mints test tokens (tUSD only).
    Mint {
        /// The receiver.
        to: Address,
        /// Amount in whole tokens.
        amount: String,
        /// The test token.
        #[arg(long, default_value = "tUSD")]
        token: String,
    },
}

/// Runs `cmd`.
pub async fn run(ctx: &Ctx, g: &Global, cmd: TokenCmd) -> Result<Out> {
    let mut out = Out::default();
    match cmd {
        TokenCmd::Balance { account, token } => {
            let t = ctx.token(&token).await?;
            let who = ctx.account(account)?;
            let b = ctx
                .view(t.address, Token::balanceOfCall { account: who })
                .await?
                .balance;
            out.field("account", who);
            out.kv("balance", t.json(b), t.show(b));
        }
        TokenCmd::Transfer { to, amount, token } => {
            let t = ctx.token(&token).await?;
            let value = t.parse(&amount)?;
            let me = ctx.me()?;
            let held = ctx
                .view(t.address, Token::balanceOfCall { account: me })
                .await?
                .balance;
            if held < value {
                anyhow::bail!(
                    "insufficient balance: {me} holds {} but the transfer is {}",
                    t.show(held),
                    t.show(value)
                );
            }
            let r = ctx
                .send(t.address, Token::transferCall { to, value })
                .await?;
            out.kv("sent", t.json(value), format!("{} to {to}", t.show(value)));
            out.tx(&r);
        }
        TokenCmd::Approve {
            spender,
            amount,
            token,
        } => {
            let t = ctx.token(&token).await?;
            let value = t.parse(&amount)?;
            let spender_addr = ctx.resolve(&spender)?;
            let r = ctx
                .send(
                    t.address,
                    Token::approveCall {
                        spender: spender_addr,
                        value,
                    },
                )
                .await?;
            out.kv(
                "approved",
                json!({"spender": spender_addr, "value": t.json(value)}),
                format!("{spender} ({spender_addr}) may spend {}", t.show(value)),
            );
            out.tx(&r);
        }
        TokenCmd::DeployTestUsd { artifacts } => {
            let address = deploy_test_usd(ctx, g, &artifacts).await?;
            out.field("tUSD", address);
            out.field("record", ctx.record.display());
        }
        TokenCmd::Mint { to, amount, token } => {
            let t = ctx.token(&token).await?;
            let value = t.parse(&amount)?;
            let r = ctx.send(t.address, TestUsd::mintCall { to, value }).await?;
            out.kv(
                "minted",
                t.json(value),
                format!("{} to {to}", t.show(value)),
            );
            out.tx(&r);
        }
    }
    Ok(out)
}

/// Deploys `spon-test-usd` through the deployment backend (`cargo stylus
/// deploy`, the pinned version) and records it.
async fn deploy_test_usd(ctx: &Ctx, g: &Global, artifacts: &std::path::Path) -> Result<Address> {
    use spon_deploy::{record::Record, Backend};
    let path = artifacts.join("spon-test-usd.wasm");
    let wasm = std::fs::read(&path)
        .with_context(|| format!("{} is missing: run scripts/build-contracts", path.display()))?;
    let key = spon_deploy::cli::key(&g.wallet())?
        .with_context(|| format!("no wallet: {}", g.key_hint()))?;
    let url = g.chain.url().to_string();
    // The deployment backend drives its own runtime: run it on a thread.
    let (address, receipt, code) = std::thread::spawn(move || -> Result<_> {
        let mut chain = spon_deploy::rpc::Rpc::new(&url, key)?;
        let (address, receipt) = chain.deploy("spon-test-usd", &wasm, "constructor()", &[], &[])?;
        let code = chain.code(address)?;
        Ok((address, receipt, code))
    })
    .join()
    .map_err(|_| anyhow::anyhow!("the deployment thread panicked"))??;
    let text = std::fs::read_to_string(&ctx.record)?;
    let mut record: Record = serde_json::from_str(&text)?;
    record.contracts.insert(
        "spon-test-usd".into(),
        spon_deploy::record::Deployed {
            address,
            tx_hash: receipt.tx_hash,
            block: receipt.block,
            code_hash: alloy_primitives::keccak256(&code),
            commit: "test token".into(),
        },
    );
    record.save(&ctx.record)?;
    Ok(address)
}
