//! The console against the devnet over JSON-RPC: every contract deployed
//! by spon-deploy, three approved, probed Provider nodes (8 × Hopper
//! each), an order matched into a lease and settled half an hour later.
//! What the console serves is checked against the contracts' own views;
//! a new block shows on the next round; a restarted console rebuilds the
//! same market from its database.

use std::time::Duration;

use axum::{body::Body, http::Request};
use serde_json::Value;
use spon_console::{
    server::{self, Settings as ServerSettings},
    service::{Console, Settings},
};
use spon_e2e::rpc::{world, World};
use tower::ServiceExt;

use alloy_primitives::U256;
use anyhow::Result;
use spon_e2e::{spon_text, SponLeases as Leases};
use spon_protocol::WEI_PER_SPON;

fn settings(w: &World) -> Settings {
    Settings {
        rpc: w.url.clone(),
        deployment: Some(w.record()),
        db: w.dir.join("console.redb"),
        poll: Duration::from_millis(100),
        batch: 7,
        reorg_depth: 16,
    }
}

async fn get(console: &Console, uri: &str) -> Value {
    let app = server::router(
        console.shared.clone(),
        ServerSettings {
            rate_per_sec: 1_000,
        },
    );
    let r = app
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(r.status().is_success(), "{uri}: {}", r.status());
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 22).await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn the_console_shows_what_the_chain_holds() {
    let (w, rt) = world("console");
    rt.block_on(async {
        // Order 1 (4 × Hopper, SPON) matched to node 1 at 7 SPON/h.
        let (order, paid) = settled_lease(&w).await?;

        let mut console = Console::open(&settings(&w)).await?;
        console.round().await?;
        let o = get(&console, "/api/overview").await;
        assert_eq!(o["provider_nodes"], 3);
        assert_eq!(o["active_nodes"], 3);
        assert_eq!(o["gpus_by_model"][0]["model"], "NVIDIA H100 / H200");
        assert_eq!(o["gpus_by_model"][0]["gpus"], 24);
        assert_eq!(o["gpus_available"], 24);
        assert_eq!(o["gpus_leased"], 4);
        assert_eq!(o["active_leases"], 1);
        assert_eq!(o["volume"][0]["symbol"], "SPON");

        // The lease's payment, to the wei, as the leases contract holds it.
        let l = get(&console, "/api/leases/1").await;
        assert_eq!(l["paid"]["units"], paid.to_string());
        assert_eq!(l["paid"]["text"], spon_text(paid));
        assert!(
            spon_text(paid).starts_with("3.50"),
            "half an hour at 7 SPON/h"
        );
        assert_eq!(l["order_id"], order);
        assert_eq!(
            l["node"],
            serde_json::to_value(w.nodes[1].address()).unwrap()
        );

        // The node: its tier and stake from the views, its lease linked.
        let n = get(&console, &format!("/api/nodes/{}", w.nodes[1].address())).await;
        let tier = w
            .view(
                w.registry,
                spon_e2e::SponRegistry::tierOfCall {
                    node: w.nodes[1].address(),
                },
            )
            .await?
            .tier;
        assert_eq!(n["tier"], tier);
        // Tier 4 by the default bars: tier 3 asks 14 uptime eras and 3
        // leases completed, which a new node lacks; stake and GEMM it has.
        assert_eq!(n["next_tier"]["tier"], 3);
        assert_eq!(
            n["next_tier"]["misses"],
            serde_json::json!(["0 of 14 uptime eras", "0 of 3 leases completed"])
        );
        assert_eq!(n["leases"][0]["id"], 1);
        assert_eq!(n["probes"].as_array().unwrap().len(), 1);
        let o = get(&console, &format!("/api/orders/{order}")).await;
        assert_eq!(o["state"], "matched");
        assert_eq!(o["bid_list"].as_array().unwrap().len(), 2);

        // A new block shows on the next round.
        let before = get(&console, "/api/overview").await["orders"].clone();
        w.order().await?;
        console.round().await?;
        let after = get(&console, "/api/overview").await;
        assert_eq!(after["orders"], before.as_u64().unwrap() + 1);
        assert_eq!(after["open_orders"], 1);

        // Restarted on the same database: the same market, nothing read twice.
        let model = console.model().clone();
        drop(console);
        let mut again = Console::open(&settings(&w)).await?;
        assert_eq!(again.model(), &model);
        let step = again.round().await?;
        assert_eq!(step.events, 0);
        assert_eq!(again.model(), &model);
        assert_ne!(model.nodes.len(), 0);
        anyhow::Ok(())
    })
    .unwrap();
}

/// Order 1 (4 × Hopper, SPON) bid on by node 0 at 9 SPON/h and node 1 at
/// 7 SPON/h; node 1's bid proposed and accepted (lease 1), settled half an
/// hour later. Returns the order and what the lease paid node 1.
pub async fn settled_lease(w: &World) -> Result<(u64, U256)> {
    let order = w.order().await?;
    w.bid(order, 0, 9 * WEI_PER_SPON).await?;
    let bid = w.bid(order, 1, 7 * WEI_PER_SPON).await?;
    w.propose(order, bid).await?;
    w.accept(order, b"image: x").await?;
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
