//! What the console's devnet and browser tests share: a lease settled on
//! the test chain, and amounts as the console must show them.

use alloy_primitives::{keccak256, U256};
use anyhow::Result;
use spon_e2e::{rpc::World, SponLeases as Leases, SponMarket as Market};
use spon_protocol::WEI_PER_SPON;

/// Order 1 (4 × Hopper, SPON) bid on by node 0 at 9 SPON/h and node 1 at
/// 7 SPON/h; node 1's bid proposed and accepted (lease 1), settled half an
/// hour later. Returns the order and what the lease paid node 1.
pub async fn settled_lease(w: &World) -> Result<(u64, U256)> {
    let order = w.order().await?;
    w.bid(order, 0, 9 * WEI_PER_SPON).await?;
    let bid = w.bid(order, 1, 7 * WEI_PER_SPON).await?;
    w.send(
        &w.tenant,
        w.market,
        Market::proposeMatchCall {
            order_id: order,
            bid_id: bid,
        },
    )
    .await?;
    w.send(
        &w.tenant,
        w.market,
        Market::acceptMatchCall {
            order_id: order,
            manifest_hash: keccak256(b"image: x"),
        },
    )
    .await?;
    w.travel(1_800).await?;
    w.send(&w.tenant, w.leases, Leases::settleCall { lease_id: 1 })
        .await?;
    let paid = w
        .view(w.leases, Leases::leaseOfCall { lease_id: 1 })
        .await?
        .lease
        .paid;
    Ok((order, paid))
}

/// `wei` as SPON with alloy's formatter (not the console's), trailing
/// zeros dropped: what the console must show.
pub fn spon_text(wei: U256) -> String {
    let s = alloy_primitives::utils::format_units(wei, 18).unwrap();
    format!("{} SPON", s.trim_end_matches('0').trim_end_matches('.'))
}
