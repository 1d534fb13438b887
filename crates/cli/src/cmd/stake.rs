//! `spon stake`, `stake status`, `unstake`, `delegate`, `undelegate`,
//! `withdraw`, `rewards pool`: staking, delegation and stakers' earnings.

use std::collections::BTreeMap;

use alloy_primitives::{Address, U256};
use alloy_rpc_types_eth::TransactionReceipt;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use serde_json::json;
use spon_client::bindings::Staking;
use spon_protocol::BPS;

use crate::context::{event, expect_event, Ctx, Out, TokenInfo};

/// `stake AMOUNT` or `stake status`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct StakeCmd {
    #[command(subcommand)]
    pub status: Option<StakeStatus>,
    #[command(flatten)]
    pub stake: StakeArgs,
}

/// `stake status`.
#[derive(Subcommand, Debug)]
pub enum StakeStatus {
    /// Your stake in every pool you staked in (your own and your
    /// delegations): pool share, commission, rewards paid to the pool,
    /// claimed and pending.
    Status {
        /// The staker [default: your account].
        #[arg(long)]
        account: Option<Address>,
    },
}

/// `stake AMOUNT`.
#[derive(Args, Debug)]
pub struct StakeArgs {
    /// SPON to stake in your own pool (e.g. 50000).
    #[arg(required = true)]
    pub amount: Option<String>,
    /// Approve the staking contract for the amount first if needed.
    #[arg(long)]
    pub approve: bool,
}

/// `delegate PROVIDER AMOUNT`.
#[derive(Args, Debug)]
pub struct DelegateArgs {
    /// The provider whose pool takes the stake.
    pub provider: Address,
    /// SPON to delegate.
    pub amount: String,
    /// Approve the staking contract for the amount first if needed.
    #[arg(long)]
    pub approve: bool,
}

/// `undelegate PROVIDER AMOUNT`.
#[derive(Args, Debug)]
pub struct UndelegateArgs {
    /// The provider.
    pub provider: Address,
    /// SPON to unbond.
    pub amount: String,
}

/// `rewards [PROVIDER]`.
#[derive(Args, Debug)]
pub struct RewardsArgs {
    /// The provider's pool (default: your own).
    pub provider: Option<Address>,
    /// Claim them.
    #[arg(long)]
    pub claim: bool,
}

/// The unbonding request a receipt started.
fn request_of(r: &TransactionReceipt) -> Result<(U256, u64)> {
    expect_event::<Staking::UnbondingStarted>(r).map(|e| (e.requestId, e.releaseAt))
}

/// `stake AMOUNT` or `stake status`.
pub async fn run(ctx: &Ctx, c: StakeCmd) -> Result<Out> {
    match c.status {
        Some(StakeStatus::Status { account }) => status(ctx, ctx.account(account)?).await,
        None => stake(ctx, c.stake).await,
    }
}

/// Stakes in the caller's own pool.
async fn stake(ctx: &Ctx, a: StakeArgs) -> Result<Out> {
    let (staking, spon) = (ctx.addr("staking")?, ctx.token("SPON").await?);
    let amount = spon.parse(a.amount.as_deref().context("the amount to stake")?)?;
    ctx.ensure_funds(&spon, staking, "staking", amount, a.approve)
        .await?;
    let r = ctx.send(staking, Staking::stakeCall { amount }).await?;
    let mut out = Out::default();
    out.kv("staked", spon.json(amount), spon.show(amount));
    let own = ctx
        .view(
            staking,
            Staking::selfStakeOfCall {
                provider: ctx.me()?,
            },
        )
        .await?
        .selfStake;
    out.kv("self stake", spon.json(own), spon.show(own));
    out.tx(&r);
    Ok(out)
}

/// Starts unbonding own stake.
pub async fn unstake(ctx: &Ctx, amount: String) -> Result<Out> {
    let (staking, spon) = (ctx.addr("staking")?, ctx.token("SPON").await?);
    let amount = spon.parse(&amount)?;
    let r = ctx
        .send(staking, Staking::requestUnstakeCall { amount })
        .await?;
    unbonding(&spon, amount, &r)
}

fn unbonding(
    spon: &crate::context::TokenInfo,
    amount: U256,
    r: &TransactionReceipt,
) -> Result<Out> {
    let (id, release) = request_of(r)?;
    let mut out = Out::default();
    out.kv("unbonding", spon.json(amount), spon.show(amount));
    out.kv(
        "request",
        json!({"id": id.to_string(), "releaseAt": release}),
        format!("{id} (withdraw with `spon withdraw {id}` after {release})"),
    );
    out.tx(r);
    Ok(out)
}

/// Delegates to a provider's pool.
pub async fn delegate(ctx: &Ctx, a: DelegateArgs) -> Result<Out> {
    let (staking, spon) = (ctx.addr("staking")?, ctx.token("SPON").await?);
    let amount = spon.parse(&a.amount)?;
    ctx.ensure_funds(&spon, staking, "staking", amount, a.approve)
        .await?;
    let r = ctx
        .send(
            staking,
            Staking::delegateCall {
                provider: a.provider,
                amount,
            },
        )
        .await?;
    let mut out = Out::default();
    out.kv(
        "delegated",
        spon.json(amount),
        format!("{} to {}", spon.show(amount), a.provider),
    );
    let held = ctx
        .view(
            staking,
            Staking::delegationOfCall {
                provider: a.provider,
                delegator: ctx.me()?,
            },
        )
        .await?
        .delegation;
    out.kv("your delegation", spon.json(held), spon.show(held));
    out.tx(&r);
    Ok(out)
}

/// Starts unbonding a delegation.
pub async fn undelegate(ctx: &Ctx, a: UndelegateArgs) -> Result<Out> {
    let (staking, spon) = (ctx.addr("staking")?, ctx.token("SPON").await?);
    let amount = spon.parse(&a.amount)?;
    let r = ctx
        .send(
            staking,
            Staking::undelegateCall {
                provider: a.provider,
                amount,
            },
        )
        .await?;
    unbonding(&spon, amount, &r)
}

/// Withdraws a released unbonding request.
pub async fn withdraw(ctx: &Ctx, request: U256) -> Result<Out> {
    let (staking, spon) = (ctx.addr("staking")?, ctx.token("SPON").await?);
    let req = ctx
        .view(
            staking,
            Staking::unbondingRequestCall {
                request_id: request,
            },
        )
        .await?
        .unbondingRequest;
    if req.provider.is_zero() {
        anyhow::bail!("unknown unbonding request {request} (never made, or withdrawn already)");
    }
    let now = ctx.client.now().await?;
    if now < req.releaseAt {
        anyhow::bail!(
            "request {request} is still unbonding: it releases at {} ({}s from now)",
            req.releaseAt,
            req.releaseAt - now
        );
    }
    let r = ctx
        .send(
            staking,
            Staking::withdrawCall {
                request_id: request,
            },
        )
        .await?;
    let paid = event::<Staking::Withdrawn>(&r).map_or(req.worth, |e| e.amount);
    let mut out = Out::default();
    out.kv("withdrawn", spon.json(paid), spon.show(paid));
    out.tx(&r);
    Ok(out)
}

/// Shows (and claims) rewards.
pub async fn rewards(ctx: &Ctx, a: RewardsArgs) -> Result<Out> {
    let (staking, spon) = (ctx.addr("staking")?, ctx.token("SPON").await?);
    let me = ctx.me()?;
    let provider = a.provider.unwrap_or(me);
    let pending = ctx
        .view(
            staking,
            Staking::pendingRewardsCall {
                provider,
                staker: me,
            },
        )
        .await?
        .pendingRewards;
    let mut out = Out::default();
    out.field("pool", provider);
    out.kv("pending", spon.json(pending), spon.show(pending));
    if a.claim {
        let r = ctx
            .send(staking, Staking::claimRewardsCall { provider })
            .await?;
        out.kv("claimed", spon.json(pending), spon.show(pending));
        out.tx(&r);
    }
    Ok(out)
}

/// What a staker holds and earned in one pool.
#[derive(Default)]
struct Earnings {
    /// SPON of rewards paid to the pool (after the provider's commission).
    paid_to_pool: U256,
    /// The provider's commission on them.
    commission: U256,
    /// What the staker claimed from the pool.
    claimed: U256,
}

/// `stake status`: the staker's pools found from its `Staked` events.
async fn status(ctx: &Ctx, staker: Address) -> Result<Out> {
    let (staking, spon) = (ctx.addr("staking")?, ctx.token("SPON").await?);
    let mut pools: BTreeMap<Address, Earnings> = BTreeMap::new();
    for (e, _) in ctx.events::<Staking::Staked>("staking").await? {
        if e.staker == staker {
            pools.entry(e.provider).or_default();
        }
    }
    for (e, _) in ctx.events::<Staking::RewardNotified>("staking").await? {
        if let Some(p) = pools.get_mut(&e.provider) {
            p.paid_to_pool += e.amount - e.commission;
            p.commission += e.commission;
        }
    }
    for (e, _) in ctx.events::<Staking::RewardsClaimed>("staking").await? {
        if e.staker == staker {
            if let Some(p) = pools.get_mut(&e.provider) {
                p.claimed += e.amount;
            }
        }
    }
    let mut out = Out::default();
    out.field("staker", staker);
    if pools.is_empty() {
        out.line("no stake: `spon stake AMOUNT` or `spon delegate PROVIDER AMOUNT`");
    }
    let mut rows = Vec::new();
    for (provider, earned) in pools {
        let (json, text) = pool_line(ctx, staking, &spon, provider, staker, &earned).await?;
        out.line(text);
        rows.push(json);
    }
    out.data("pools", rows.into());
    Ok(out)
}

/// One pool of `stake status`.
async fn pool_line(
    ctx: &Ctx,
    staking: Address,
    spon: &TokenInfo,
    provider: Address,
    staker: Address,
    earned: &Earnings,
) -> Result<(serde_json::Value, String)> {
    let held = if provider == staker {
        ctx.view(staking, Staking::selfStakeOfCall { provider })
            .await?
            .selfStake
    } else {
        ctx.view(
            staking,
            Staking::delegationOfCall {
                provider,
                delegator: staker,
            },
        )
        .await?
        .delegation
    };
    let pool = ctx
        .view(staking, Staking::poolOfCall { provider })
        .await?
        .pool;
    let commission = ctx
        .view(staking, Staking::commissionOfCall { provider })
        .await?
        .commission;
    let pending = ctx
        .view(staking, Staking::pendingRewardsCall { provider, staker })
        .await?
        .pendingRewards;
    // Basis points of the pool, rounded down.
    let share_bps = if pool.tokens.is_zero() {
        U256::ZERO
    } else {
        held * U256::from(BPS) / pool.tokens
    };
    let share = format!(
        "{}.{:02}%",
        share_bps / U256::from(100),
        share_bps % U256::from(100)
    );
    let role = if provider == staker {
        "own pool"
    } else {
        "delegation"
    };
    let json = json!({
        "provider": provider.to_string(), "role": role, "stake": spon.json(held),
        "poolTokens": spon.json(pool.tokens), "shareBps": share_bps.to::<u64>(),
        "commissionBps": commission.effectiveBps,
        "rewardsToPool": spon.json(earned.paid_to_pool), "commission": spon.json(earned.commission),
        "claimed": spon.json(earned.claimed), "pending": spon.json(pending),
    });
    let text = format!(
        "{provider} ({role}): {} of {} ({share}), commission {} bps; rewards to the pool {} \
         (commission {}), yours claimed {}, pending {}",
        spon.show(held),
        spon.show(pool.tokens),
        commission.effectiveBps,
        spon.show(earned.paid_to_pool),
        spon.show(earned.commission),
        spon.show(earned.claimed),
        spon.show(pending),
    );
    Ok((json, text))
}
