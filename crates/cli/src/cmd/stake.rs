//! `spon stake`, `unstake`, `delegate`, `undelegate`, `withdraw`,
//! `rewards`: staking and delegation.

use alloy_primitives::{Address, U256};
use alloy_rpc_types_eth::TransactionReceipt;
use anyhow::Result;
use clap::Args;
use serde_json::json;
use spon_client::bindings::Staking;

use crate::context::{event, expect_event, Ctx, Out};

/// `stake AMOUNT`.
#[derive(Args, Debug)]
pub struct StakeArgs {
    /// SPON to stake in your own pool (e.g. 50000).
    pub amount: String,
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

/// Stakes in the caller's own pool.
pub async fn stake(ctx: &Ctx, a: StakeArgs) -> Result<Out> {
    let (staking, spon) = (ctx.addr("staking")?, ctx.token("SPON").await?);
    let amount = spon.parse(&a.amount)?;
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
