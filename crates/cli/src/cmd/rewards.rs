//! `spon rewards`: node rewards per era (check in, claim, status) and a
//! staker's rewards in a pool.

use alloy_primitives::{Address, U256};
use anyhow::{bail, Result};
use clap::Subcommand;
use serde_json::{json, Value};
use spon_client::bindings::Rewards;
use spon_protocol::states;

use crate::{
    cmd::stake,
    context::{expect_event, Ctx, Out, TokenInfo},
};

/// Reward commands.
#[derive(Subcommand, Debug)]
pub enum RewardsCmd {
    /// The era now, the reserve, and a node's check-ins of this era and
    /// the one before (default: your account's node).
    Status {
        /// The node.
        #[arg(long)]
        node: Option<Address>,
    },
    /// Checks a node in for the era now (anyone may; default: your own):
    /// Active, not jailed, no offence open, a probe measured in this era,
    /// a tier of 1-6.
    CheckIn {
        /// The node.
        #[arg(long)]
        node: Option<Address>,
    },
    /// Pays a node's share of an era into its staking pool (anyone may),
    /// once `claimDelay` has passed after the era.
    Claim {
        /// The era [default: the one before the era now].
        #[arg(long)]
        era: Option<u64>,
        /// The node [default: your own].
        #[arg(long)]
        node: Option<Address>,
    },
    /// Your rewards in a provider's pool (default: your own), and
    /// `--claim` them.
    Pool(stake::RewardsArgs),
    /// Adds SPON to the reserve the eras' budgets are drawn from (anyone;
    /// usually the treasury, as SPON's supply is fixed).
    Fund {
        /// SPON to add (e.g. 20000).
        amount: String,
        /// Approve the rewards contract for the amount first if needed.
        #[arg(long)]
        approve: bool,
    },
}

/// Runs a reward command.
pub async fn run(ctx: &Ctx, cmd: RewardsCmd) -> Result<Out> {
    if let RewardsCmd::Pool(a) = cmd {
        return stake::rewards(ctx, a).await;
    }
    let rewards = ctx.addr("rewards")?;
    let spon = ctx.token("SPON").await?;
    let now = ctx
        .view(rewards, Rewards::currentEraCall {})
        .await?
        .currentEra;
    let mut out = Out::default();
    match cmd {
        RewardsCmd::Status { node } => {
            let node = ctx.account(node)?;
            let reserve = ctx.view(rewards, Rewards::reserveCall {}).await?.reserve;
            out.kv(
                "era",
                json!({"era": now.era, "startsAt": now.startsAt, "endsAt": now.endsAt}),
                format!("{} (from {} to {})", now.era, now.startsAt, now.endsAt),
            );
            out.kv("reserve", spon.json(reserve), spon.show(reserve));
            out.field("node", node);
            for era in [now.era, now.era.saturating_sub(1)] {
                let (json, text) = era_line(ctx, rewards, &spon, era, node).await?;
                out.kv(&format!("era {era}"), json, text);
            }
        }
        RewardsCmd::Fund { amount, approve } => {
            let amount = spon.parse(&amount)?;
            ctx.ensure_funds(&spon, rewards, "rewards", amount, approve)
                .await?;
            let r = ctx.send(rewards, Rewards::fundCall { amount }).await?;
            let e = expect_event::<Rewards::ReserveFunded>(&r)?;
            out.kv("funded", spon.json(e.amount), spon.show(e.amount));
            out.kv("reserve", spon.json(e.reserve), spon.show(e.reserve));
            out.tx(&r);
        }
        RewardsCmd::CheckIn { node } => {
            let node = ctx.account(node)?;
            let r = ctx.send(rewards, Rewards::checkInCall { node }).await?;
            let e = expect_event::<Rewards::CheckedIn>(&r)?;
            out.field("era", e.era);
            out.field("node", e.node);
            out.kv(
                "points",
                e.points,
                format!(
                    "{} ({} GPU(s) at tier {}; the era has {} so far)",
                    e.points, e.gpus, e.tier, e.totalPoints
                ),
            );
            out.tx(&r);
        }
        RewardsCmd::Claim { era, node } => {
            let node = ctx.account(node)?;
            let era = match era {
                Some(e) => e,
                None if now.era == 0 => bail!("era 0 is still running: nothing to claim yet"),
                None => now.era - 1,
            };
            let r = ctx.send(rewards, Rewards::claimCall { era, node }).await?;
            out.field("era", era);
            out.field("node", node);
            if let Ok(e) = expect_event::<Rewards::RewardPaid>(&r) {
                out.kv(
                    "paid into its pool",
                    spon.json(e.amount),
                    format!(
                        "{} (the provider's commission, the rest to its stakers over the reward period)",
                        spon.show(e.amount)
                    ),
                );
            } else {
                let e = expect_event::<Rewards::RewardForfeited>(&r)?;
                out.kv(
                    "forfeited",
                    spon.json(e.amount),
                    format!(
                        "{} back to the reserve (a challenge lost since its check-in, jailed, or an empty pool)",
                        spon.show(e.amount)
                    ),
                );
            }
            out.tx(&r);
        }
        RewardsCmd::Pool(_) => unreachable!("answered above"),
    }
    Ok(out)
}

/// `node`'s check-in for `era` as JSON and in words.
pub async fn era_line(
    ctx: &Ctx,
    rewards: Address,
    spon: &TokenInfo,
    era: u64,
    node: Address,
) -> Result<(Value, String)> {
    let c = ctx
        .view(rewards, Rewards::checkInOfCall { era, node })
        .await?
        .checkIn;
    let e = ctx.view(rewards, Rewards::eraOfCall { era }).await?.era;
    let state = states::CheckInState::name_of(c.state).to_string();
    let json = json!({"state": state, "points": c.points, "tier": c.tier,
                      "amount": spon.json(c.amount), "totalPoints": e.totalPoints.to_string(),
                      "claimableAt": e.claimableAt});
    let text = match c.state {
        0 => state.clone(),
        1 => {
            let estimate = if e.totalPoints.is_zero() {
                U256::ZERO
            } else {
                e.budget * U256::from(c.points) / e.totalPoints
            };
            format!(
                "{} points of {} (tier {}); claimable from {}{}",
                c.points,
                e.totalPoints,
                c.tier,
                e.claimableAt,
                if e.locked {
                    format!(", share {}", spon.show(estimate))
                } else {
                    String::new()
                }
            )
        }
        _ => format!(
            "{state}: {} for {} points of {}",
            spon.show(c.amount),
            c.points,
            e.totalPoints
        ),
    };
    Ok((json, text))
}
