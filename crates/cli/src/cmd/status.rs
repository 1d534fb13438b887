//! `spon status`: the whole market at a glance.

use spon_protocol::states;
use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{Address, U256};
use anyhow::Result;
use serde_json::json;
use spon_client::bindings::{Leases, Market, Registry, Staking};

use crate::{
    context::{Ctx, Out},
    spec::describe_hardware,
};

/// Prints nodes by tier, open orders, leases, stake and fees; reads at
/// most the `limit` latest orders.
pub async fn run(ctx: &Ctx, limit: u64) -> Result<Out> {
    let (registry, staking, market, leases) = (
        ctx.addr("registry")?,
        ctx.addr("staking")?,
        ctx.addr("market")?,
        ctx.addr("leases")?,
    );
    let spon = ctx.token("SPON").await?;
    let mut out = Out::default();
    out.field("chain", ctx.client.chain_id);
    out.field("block time", ctx.client.now().await?);

    // Nodes, from their registrations.
    let mut nodes: BTreeSet<Address> = ctx
        .events::<Registry::ProviderProposed>("registry")
        .await?
        .into_iter()
        .map(|(e, _)| e.node)
        .collect();
    nodes.extend(
        ctx.events::<Registry::FizzRegistered>("registry")
            .await?
            .into_iter()
            .map(|(e, _)| e.node),
    );
    let mut by_tier: BTreeMap<u8, Vec<serde_json::Value>> = BTreeMap::new();
    out.line(format!("nodes ({}):", nodes.len()));
    for node in &nodes {
        let n = ctx
            .view(registry, Registry::nodeOfCall { node: *node })
            .await?
            .node;
        let tier = ctx
            .view(registry, Registry::tierOfCall { node: *node })
            .await?
            .tier;
        let pool = ctx
            .view(staking, Staking::poolOfCall { provider: *node })
            .await?
            .pool
            .tokens;
        let hw = spon_node::Hardware::unpack(&n.hardware.to_be_bytes());
        out.line(format!(
            "  tier {tier}  {node}  {:<9} {:<11} {}  stake {}",
            states::NodeClass::name_of(n.class).to_string(),
            states::NodeState::name_of(n.state).to_string(),
            describe_hardware(&hw),
            spon.show(pool)
        ));
        by_tier.entry(tier).or_default().push(json!({
            "node": node, "class": states::NodeClass::name_of(n.class).to_string(),
            "state": states::NodeState::name_of(n.state).to_string(), "stake": spon.json(pool),
            "hardware": describe_hardware(&hw)}));
    }
    out.data(
        "nodesByTier",
        by_tier
            .into_iter()
            .map(|(t, v)| (t.to_string(), serde_json::Value::from(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    );

    // Orders and leases.
    let c = ctx.view(market, Market::countsCall {}).await?.counts;
    let (orders, bids) = (c.orders, c.bids);
    let mut states = [0u64; 4];
    let mut open = Vec::new();
    let mut lease_states = [0u64; 5];
    let first = orders.saturating_sub(limit) + 1;
    for id in first..=orders {
        let o = ctx
            .view(market, Market::orderOfCall { order_id: id })
            .await?
            .order;
        states[usize::from(o.state.min(3))] += 1;
        match states::OrderState::try_from(o.state) {
            Ok(states::OrderState::Open) => open.push(id),
            Ok(states::OrderState::Matched) => {
                let l = ctx
                    .view(leases, Leases::leaseOfCall { lease_id: id })
                    .await?
                    .lease;
                lease_states[usize::from(l.state.min(4))] += 1;
            }
            _ => {}
        }
    }
    out.kv(
        "orders",
        json!({"total": orders, "open": states[1], "cancelled": states[2],
               "matched": states[3], "openIds": open, "bids": bids}),
        format!(
            "{orders} ({} open {:?}, {} matched, {} cancelled); {bids} bids",
            states[1], open, states[3], states[2]
        ),
    );
    out.kv(
        "leases",
        json!({"active": lease_states[1], "outOfFunds": lease_states[2],
               "ended": lease_states[3], "closed": lease_states[4]}),
        format!(
            "{} active, {} out of funds, {} ended, {} closed",
            lease_states[1], lease_states[2], lease_states[3], lease_states[4]
        ),
    );

    // Stake.
    let total = ctx
        .view(staking, Staking::totalStakedCall {})
        .await?
        .totalStaked;
    let reserves = ctx.view(staking, Staking::reservesCall {}).await?.reserves;
    out.kv(
        "stake",
        json!({"active": spon.json(total), "unbonding": spon.json(reserves.unbonding),
               "rewards": spon.json(reserves.rewards)}),
        format!(
            "{} active, {} unbonding, {} rewards unclaimed",
            spon.show(total),
            spon.show(reserves.unbonding),
            spon.show(reserves.rewards)
        ),
    );
    let slashed = ctx
        .events::<Staking::Slashed>("staking")
        .await?
        .iter()
        .fold(U256::ZERO, |s, (e, _)| s + e.amount);
    out.kv("slashed", spon.json(slashed), spon.show(slashed));

    // Fees and payments, by token.
    let mut paid: BTreeMap<Address, (U256, U256)> = BTreeMap::new();
    for (e, _) in ctx.events::<Leases::LeaseSettled>("leases").await? {
        let token = ctx
            .view(
                leases,
                Leases::leaseOfCall {
                    lease_id: e.leaseId,
                },
            )
            .await?
            .lease
            .token;
        let p = paid.entry(token).or_default();
        p.0 += e.toProvider;
        p.1 += e.fee;
    }
    let mut fees = Vec::new();
    let mut text = Vec::new();
    for (token, (to_nodes, fee)) in paid {
        let t = ctx.token_at(token).await?;
        text.push(format!(
            "{} to nodes, {} fees",
            t.show(to_nodes),
            t.show(fee)
        ));
        fees.push(json!({"token": token, "toNodes": t.json(to_nodes), "fees": t.json(fee)}));
    }
    out.kv(
        "payments",
        fees,
        if text.is_empty() {
            "none yet".into()
        } else {
            text.join("; ")
        },
    );
    Ok(out)
}
