//! `spon order`, `bid`, `match`, `lease`: the market from both sides.

use alloy_primitives::{keccak256, Address, B256, U256};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use serde_json::json;
use spon_client::bindings::{Leases, Market};
use spon_protocol::states;
use spon_scoring::Requirements;

use crate::{
    cmd::workload::{self, Via},
    context::{event, expect_event, Ctx, Out, TokenInfo},
    spec::{describe_requirements, RequirementsArgs},
};

/// Order commands (tenant).
#[derive(Subcommand, Debug)]
pub enum OrderCmd {
    /// Opens an order and escrows its deposit.
    Create {
        #[command(flatten)]
        requirements: RequirementsArgs,
        /// Payment token: SPON, tUSD or an allowed token's address.
        #[arg(long, default_value = "SPON")]
        token: String,
        /// Most you pay per hour for the whole order, in whole tokens.
        #[arg(long)]
        max_price_per_hour: String,
        /// How long the lease runs: 90m, 2h, 3600s, 1d.
        #[arg(long, value_parser = duration)]
        duration: u64,
        /// Escrowed deposit in whole tokens [default: the maximum price
        /// for the whole duration, plus the fee added to a token other
        /// than SPON (`nonSponFeeBps`, 2%)].
        #[arg(long)]
        deposit: Option<String>,
        /// Approve the market for the deposit first if needed.
        #[arg(long)]
        approve: bool,
    },
    /// Cancels your open order; its deposit comes back.
    Cancel {
        /// The order.
        order: u64,
    },
    /// An order, its bids (with scores) and its lease.
    Status {
        /// The order.
        order: u64,
    },
    /// Adds funds to the running lease of a matched order.
    TopUp {
        /// The order (its lease has the same id).
        order: u64,
        /// Amount in whole tokens.
        amount: String,
        /// Approve the leases contract for the amount first if needed.
        #[arg(long)]
        approve: bool,
    },
}

/// Bid commands (node).
#[derive(Subcommand, Debug)]
pub enum BidCmd {
    /// Bids for your node on an open order.
    Place {
        /// The order.
        order: u64,
        /// Price per hour for the whole order, in whole tokens of the
        /// order's payment token.
        price_per_hour: String,
    },
    /// Withdraws your live bid.
    Withdraw {
        /// The bid.
        bid: u64,
    },
}

/// Match commands.
#[derive(Subcommand, Debug)]
pub enum MatchCmd {
    /// Proposes a bid as an order's match (anyone; it must rank above the
    /// current proposal).
    Propose {
        /// The order.
        order: u64,
        /// The bid.
        bid: u64,
    },
    /// Accepts the proposed match of your order: the lease opens.
    Accept {
        /// The order.
        order: u64,
        /// Your deployment manifest: its keccak256 is recorded for the
        /// node to check the manifest it receives.
        #[arg(long)]
        manifest: Option<std::path::PathBuf>,
    },
}

/// Lease commands.
#[derive(Subcommand, Debug)]
pub enum LeaseCmd {
    /// Pays the node what the lease has accrued (anyone).
    Settle {
        /// The lease (its order's id).
        lease: u64,
    },
    /// Closes the lease now (tenant or node); the rest is refunded.
    Close {
        /// The lease.
        lease: u64,
    },
    /// A lease's parties, price, escrow, payments and what is owed now.
    Status {
        /// The lease.
        lease: u64,
    },
    /// Sends the lease's node your deployment manifest (tenant): the file
    /// whose hash `match accept --manifest` recorded, signed by you; the
    /// node runs it. A Provider node is reached at its registered
    /// endpoint over mutual TLS, a Fizz node through its gateway.
    SendManifest {
        /// The lease.
        lease: u64,
        /// The manifest (TOML; see the README's "Workloads").
        file: std::path::PathBuf,
        #[command(flatten)]
        via: Via,
    },
    /// Forwards a local port to a port of the lease's workload (tenant),
    /// through the Fizz node's gateway or at the Provider node, until
    /// Ctrl-C. HTTP and any TCP protocol pass through unchanged.
    Connect {
        /// The lease.
        lease: u64,
        /// The workload's port (one of the manifest's `ports`).
        #[arg(long)]
        port: u16,
        /// The local address to forward (port 0: any free port, printed).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        #[command(flatten)]
        via: Via,
    },
    /// The lease's workload (tenant): its state, restarts and exit, and
    /// the last of its output.
    Logs {
        /// The lease.
        lease: u64,
        /// How much of the output, from its end (at most 1 MiB).
        #[arg(long, default_value_t = 16 * 1024)]
        bytes: u64,
        #[command(flatten)]
        via: Via,
    },
}

/// A duration such as `90m`, `2h`, `3600s`, `1d` (bare numbers are
/// seconds), in seconds.
pub fn duration(text: &str) -> Result<u64, String> {
    let (n, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = n
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 90m, 2h, 1d"))?;
    let unit = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(format!("unknown unit in {text:?}: s, m, h or d")),
    };
    match n.checked_mul(unit) {
        Some(0) | None => Err(format!("{text:?} is not a positive duration")),
        Some(s) => Ok(s),
    }
}

/// An order as `orderOf` reports it.
struct Order {
    tenant: Address,
    token: Address,
    state: u8,
    requirements: Requirements,
    max_price: U256,
    duration: u64,
    deadline: u64,
    deposit: U256,
    live_bids: u64,
    proposed: u64,
    manifest: B256,
}

async fn order(ctx: &Ctx, id: u64) -> Result<Order> {
    let o = ctx
        .view(ctx.addr("market")?, Market::orderOfCall { order_id: id })
        .await?
        .order;
    if o.state == states::OrderState::None as u8 {
        let (orders, _) = counts(ctx).await?;
        bail!("unknown order {id}: orders run from 1 to {orders}");
    }
    Ok(Order {
        tenant: o.tenant,
        token: o.token,
        state: o.state,
        requirements: Requirements::unpack(&o.requirements.to_be_bytes()),
        max_price: o.maxPricePerHour,
        duration: o.duration,
        deadline: o.bidDeadline,
        deposit: o.deposit,
        live_bids: o.liveBids,
        proposed: o.proposedBid,
        manifest: o.manifestHash,
    })
}

/// `(orders, bids)` so far.
pub async fn counts(ctx: &Ctx) -> Result<(u64, u64)> {
    let c = ctx
        .view(ctx.addr("market")?, Market::countsCall {})
        .await?
        .counts;
    Ok((c.orders, c.bids))
}

/// Runs an order command.
pub async fn order_cmd(ctx: &Ctx, cmd: OrderCmd) -> Result<Out> {
    let market = ctx.addr("market")?;
    let mut out = Out::default();
    match cmd {
        OrderCmd::Create {
            requirements,
            token,
            max_price_per_hour,
            duration,
            deposit,
            approve,
        } => {
            let r = requirements.requirements()?;
            let t = ctx.token(&token).await?;
            if !ctx
                .view(market, Market::isPaymentTokenCall { token: t.address })
                .await?
                .isPaymentToken
            {
                bail!(
                    "{} ({}) is not an allowed payment token: governance allows tokens \
                     (`spon gov propose --approve-payment-token`)",
                    t.symbol,
                    t.address
                );
            }
            let max = t.parse(&max_price_per_hour)?;
            let deposit = match deposit {
                Some(d) => t.parse(&d)?,
                None => {
                    let price = (max * U256::from(duration)).div_ceil(U256::from(3_600));
                    price + fee_on(ctx, &t, price).await?
                }
            };
            ctx.ensure_funds(&t, market, "market", deposit, approve)
                .await?;
            let receipt = ctx
                .send(
                    market,
                    Market::createOrderCall {
                        requirements: U256::from_be_bytes(r.pack()),
                        payment_token: t.address,
                        max_price_per_hour: max,
                        duration_secs: duration,
                        deposit,
                    },
                )
                .await?;
            let e = expect_event::<Market::OrderCreated>(&receipt)?;
            out.field("order", e.orderId);
            out.field("requirements", describe_requirements(&r));
            out.kv("max per hour", t.json(max), t.show(max));
            out.kv("deposit", t.json(deposit), t.show(deposit));
            out.field("bids until", e.bidDeadline);
            out.tx(&receipt);
        }
        OrderCmd::Cancel { order: id } => {
            let o = order(ctx, id).await?;
            check_tenant(ctx, &o, id)?;
            let r = ctx
                .send(market, Market::cancelOrderCall { order_id: id })
                .await?;
            let t = ctx.token_at(o.token).await?;
            out.field("cancelled", id);
            out.kv("refunded", t.json(o.deposit), t.show(o.deposit));
            out.tx(&r);
        }
        OrderCmd::Status { order: id } => return order_status(ctx, id).await,
        OrderCmd::TopUp {
            order: id,
            amount,
            approve,
        } => {
            let o = order(ctx, id).await?;
            if o.state != states::OrderState::Matched as u8 {
                bail!(
                    "order {id} is {}: only a matched order has a lease to top up",
                    states::OrderState::name_of(o.state)
                );
            }
            let t = ctx.token_at(o.token).await?;
            let amount = t.parse(&amount)?;
            let leases = ctx.addr("leases")?;
            ctx.ensure_funds(&t, leases, "leases", amount, approve)
                .await?;
            let r = ctx
                .send(
                    leases,
                    Leases::topUpCall {
                        lease_id: id,
                        amount,
                    },
                )
                .await?;
            out.kv("topped up", t.json(amount), t.show(amount));
            out.tx(&r);
        }
    }
    Ok(out)
}

fn check_tenant(ctx: &Ctx, o: &Order, id: u64) -> Result<()> {
    if o.tenant != ctx.me()? {
        bail!("order {id} is {}'s, not yours ({})", o.tenant, ctx.me()?);
    }
    Ok(())
}

async fn order_status(ctx: &Ctx, id: u64) -> Result<Out> {
    let market = ctx.addr("market")?;
    let o = order(ctx, id).await?;
    let t = ctx.token_at(o.token).await?;
    let mut out = Out::default();
    out.field("order", id);
    out.field("state", states::OrderState::name_of(o.state).to_string());
    out.field("tenant", o.tenant);
    out.field("requirements", describe_requirements(&o.requirements));
    out.kv("max per hour", t.json(o.max_price), t.show(o.max_price));
    out.field("duration", format!("{} s", o.duration));
    out.kv("deposit", t.json(o.deposit), t.show(o.deposit));
    out.field("bids until", o.deadline);
    out.field("live bids", o.live_bids);
    out.field(
        "proposed bid",
        if o.proposed == 0 {
            "none".into()
        } else {
            o.proposed.to_string()
        },
    );
    if !o.manifest.is_zero() {
        out.field("manifest hash", o.manifest);
    }
    let mut bids = Vec::new();
    for (e, _) in ctx.events::<Market::BidPlaced>("market").await? {
        if e.orderId != id {
            continue;
        }
        let b = ctx
            .view(market, Market::bidOfCall { bid_id: e.bidId })
            .await?
            .bid;
        // Only a live bid of an open order has a score (scored now).
        let score = ctx
            .view(market, Market::scoreOfCall { bid_id: e.bidId })
            .await
            .map_or(0, |s| s.score);
        out.line(format!(
            "  bid {:<4} {}  {:<12} {}/h  score {}",
            e.bidId,
            b.node,
            states::BidState::name_of(b.state).to_string(),
            t.show(b.pricePerHour),
            score
        ));
        bids.push(
            json!({"bid": e.bidId, "node": b.node, "state": states::BidState::name_of(b.state).to_string(),
                         "pricePerHour": t.json(b.pricePerHour), "score": score}),
        );
    }
    out.data("bids", bids.into());
    if o.state == states::OrderState::Matched as u8 {
        out.line("lease:");
        let lease = lease_status(ctx, id).await?;
        out.data("lease", lease.json_value());
        for l in lease.lines() {
            out.line(format!("  {l}"));
        }
    }
    Ok(out)
}

/// Runs a bid command.
pub async fn bid_cmd(ctx: &Ctx, cmd: BidCmd) -> Result<Out> {
    let market = ctx.addr("market")?;
    let mut out = Out::default();
    match cmd {
        BidCmd::Place {
            order: id,
            price_per_hour,
        } => {
            let o = order(ctx, id).await?;
            let t = ctx.token_at(o.token).await?;
            let price = t.parse(&price_per_hour)?;
            if price > o.max_price {
                bail!(
                    "a bid of {}/h is above order {id}'s maximum of {}/h",
                    t.show(price),
                    t.show(o.max_price)
                );
            }
            let r = ctx
                .send(
                    market,
                    Market::placeBidCall {
                        order_id: id,
                        price_per_hour: price,
                    },
                )
                .await?;
            let bid = expect_event::<Market::BidPlaced>(&r)?.bidId;
            let score = ctx
                .view(market, Market::scoreOfCall { bid_id: bid })
                .await?
                .score;
            out.field("bid", bid);
            out.kv("price per hour", t.json(price), t.show(price));
            out.field("score", score);
            out.tx(&r);
        }
        BidCmd::Withdraw { bid } => {
            let r = ctx
                .send(market, Market::withdrawBidCall { bid_id: bid })
                .await?;
            out.field("withdrawn", bid);
            out.tx(&r);
        }
    }
    Ok(out)
}

/// Runs a match command.
pub async fn match_cmd(ctx: &Ctx, cmd: MatchCmd) -> Result<Out> {
    let market = ctx.addr("market")?;
    let mut out = Out::default();
    match cmd {
        MatchCmd::Propose { order: id, bid } => {
            order(ctx, id).await?;
            let r = ctx
                .send(
                    market,
                    Market::proposeMatchCall {
                        order_id: id,
                        bid_id: bid,
                    },
                )
                .await?;
            let score = ctx
                .view(market, Market::scoreOfCall { bid_id: bid })
                .await?
                .score;
            out.field("proposed", format!("bid {bid} for order {id}"));
            out.field("score", score);
            out.tx(&r);
        }
        MatchCmd::Accept {
            order: id,
            manifest,
        } => {
            let o = order(ctx, id).await?;
            check_tenant(ctx, &o, id)?;
            if o.proposed == 0 {
                bail!("order {id} has no proposed match yet: wait for the matcher, or `spon match propose`");
            }
            let hash = match &manifest {
                Some(path) => keccak256(
                    std::fs::read(path)
                        .with_context(|| format!("cannot read {}", path.display()))?,
                ),
                None => o.manifest,
            };
            let r = ctx
                .send(
                    market,
                    Market::acceptMatchCall {
                        order_id: id,
                        manifest_hash: hash,
                    },
                )
                .await?;
            let b = ctx
                .view(market, Market::bidOfCall { bid_id: o.proposed })
                .await?
                .bid;
            out.field("lease", id);
            out.field("node", b.node);
            out.field("manifest hash", hash);
            out.tx(&r);
        }
    }
    Ok(out)
}

/// Runs a lease command.
pub async fn lease_cmd(ctx: &Ctx, cmd: LeaseCmd) -> Result<Out> {
    let leases = ctx.addr("leases")?;
    let mut out = Out::default();
    let (lease, call_settle) = match cmd {
        LeaseCmd::Status { lease } => return lease_status(ctx, lease).await,
        LeaseCmd::Settle { lease } => (lease, true),
        LeaseCmd::Close { lease } => (lease, false),
        LeaseCmd::SendManifest { lease, file, via } => {
            return workload::send(ctx, lease, file, via).await
        }
        LeaseCmd::Connect {
            lease,
            port,
            listen,
            via,
        } => return workload::connect(ctx, lease, port, listen, via).await,
        LeaseCmd::Logs { lease, bytes, via } => {
            return workload::logs(ctx, lease, bytes, via).await
        }
    };
    let t = ctx.token_at(known_lease(ctx, lease).await?.token).await?;
    let r = if call_settle {
        ctx.send(leases, Leases::settleCall { lease_id: lease })
            .await?
    } else {
        ctx.send(leases, Leases::closeLeaseCall { lease_id: lease })
            .await?
    };
    if let Some(e) = event::<Leases::LeaseSettled>(&r) {
        out.kv("to node", t.json(e.toProvider), t.show(e.toProvider));
        out.kv("fee", t.json(e.fee), t.show(e.fee));
        out.field("paid until", e.paidUntil);
    }
    if let Some(e) = event::<Leases::LeaseClosed>(&r) {
        out.kv("refund", t.json(e.refund), t.show(e.refund));
        out.field("closed", "yes");
    }
    out.tx(&r);
    Ok(out)
}

/// Lease `id` as `leaseOf` reports it; an error if there is none.
/// The fee the leases contract adds to a payment of `amount` in token `t`:
/// 0 in SPON, else `nonSponFeeBps` of it (floored, as the contract does).
async fn fee_on(ctx: &Ctx, t: &TokenInfo, amount: U256) -> Result<U256> {
    if t.address == ctx.token("SPON").await?.address {
        return Ok(U256::ZERO);
    }
    let bps = ctx
        .view(
            ctx.addr("leases")?,
            Leases::parameterCall {
                id: spon_protocol::params::Leases::NonSponFeeBps as u8,
            },
        )
        .await?
        .parameter;
    Ok(amount * bps / U256::from(spon_protocol::BPS))
}

async fn known_lease(ctx: &Ctx, id: u64) -> Result<Leases::Lease> {
    let l = ctx
        .view(ctx.addr("leases")?, Leases::leaseOfCall { lease_id: id })
        .await?
        .lease;
    if l.state == states::LeaseState::None as u8 {
        bail!("unknown lease {id}: a lease opens when its order's match is accepted");
    }
    Ok(l)
}

async fn lease_status(ctx: &Ctx, id: u64) -> Result<Out> {
    let leases = ctx.addr("leases")?;
    let l = known_lease(ctx, id).await?;
    let t: TokenInfo = ctx.token_at(l.token).await?;
    let mut out = Out::default();
    out.field("lease", id);
    out.field("state", states::LeaseState::name_of(l.state).to_string());
    out.field("tenant", l.tenant);
    out.field("node", l.node);
    out.kv(
        "price per hour",
        t.json(l.pricePerHour),
        t.show(l.pricePerHour),
    );
    out.field("runs", format!("{} → {}", l.start, l.end));
    out.kv("funded", t.json(l.funded), t.show(l.funded));
    out.kv("paid to the node", t.json(l.paid), t.show(l.paid));
    out.field("paid until", l.paidUntil);
    out.field(
        "fee",
        format!("{}.{:02}% on top", l.feeBps / 100, l.feeBps % 100),
    );
    if let Ok(Leases::owedReturn { owed }) =
        ctx.view(leases, Leases::owedCall { lease_id: id }).await
    {
        out.kv(
            "owed now",
            json!({"toNode": t.json(owed.toProvider), "fee": t.json(owed.fee), "until": owed.paidUntil}),
            format!("{} to the node, {} fee", t.show(owed.toProvider), t.show(owed.fee)),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_parse() {
        assert_eq!(super::duration("90m"), Ok(5_400));
        assert_eq!(super::duration("2h"), Ok(7_200));
        assert_eq!(super::duration("3600"), Ok(3_600));
        assert_eq!(super::duration("1d"), Ok(86_400));
        assert!(super::duration("0h").is_err());
        assert!(super::duration("2w").is_err());
        assert!(super::duration("h").is_err());
    }
}
