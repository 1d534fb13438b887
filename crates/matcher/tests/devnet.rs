//! The matcher against the devnet over JSON-RPC: every contract deployed
//! and handed to the governor by spon-deploy; three Provider nodes staked,
//! probed and approved by an executed governance proposal; orders and bids
//! placed with alloy as a wallet would. Then: the matcher proposes each
//! order's best bid; killed mid-run and restarted it loses nothing and
//! sends nothing twice; two matchers racing leave the better proposal on
//! chain.

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use alloy_primitives::Address;
use alloy_provider::Provider;
use spon_e2e::{
    rpc::{key, provider, world, World},
    SponMarket as Market,
};
use spon_matcher::{
    config::Config,
    service::{self, Strategy},
};

use spon_protocol::WEI_PER_SPON as SPON;

/// A matcher's settings against `w`, with its own database `name`.
fn config(w: &World, name: &str) -> Config {
    Config {
        rpc: w.url.clone(),
        market: Some(w.market),
        db: w.dir.join(format!("{name}.redb")),
        interval_secs: 0,
        confirm_timeout_secs: 20,
        ..Config::default()
    }
}

#[test]
fn orders_get_their_best_bid_proposed() {
    let (w, rt) = world("best");
    rt.block_on(async {
        let matcher_key = key("matcher");
        w.fund(matcher_key.address()).await?;
        let mut orders = Vec::new();
        for _ in 0..3 {
            let o = w.order().await?;
            // Node 1 asks least: its bid scores best (same hardware/tier).
            w.bid(o, 0, 9 * SPON).await?;
            let best = w.bid(o, 1, 7 * SPON).await?;
            w.bid(o, 2, 8 * SPON).await?;
            orders.push((o, best));
        }
        let mut m = service::connect(&config(&w, "best"), matcher_key.clone()).await?;
        assert_eq!(m.round().await?, 3);
        for &(o, best) in &orders {
            assert_eq!(w.proposed(o).await?, best, "order {o}");
        }
        // Nothing better to propose: the next round sends nothing.
        assert_eq!(m.round().await?, 0);
        let nonce = provider(&w.url)
            .get_transaction_count(matcher_key.address())
            .await?;
        assert_eq!(nonce, 3);
        assert_eq!(m.metrics.matched, 3);
        assert_eq!(m.metrics.open_orders, 3);

        // A better bid arrives: it replaces the proposal.
        w.send(
            &w.nodes[0],
            w.market,
            Market::withdrawBidCall {
                bid_id: orders[0].1 - 1,
            },
        )
        .await?;
        let cheaper = w.bid(orders[0].0, 0, 5 * SPON).await?;
        assert_eq!(m.round().await?, 1);
        assert_eq!(w.proposed(orders[0].0).await?, cheaper);

        // --dry-run decides but sends nothing.
        let o = w.order().await?;
        let b = w.bid(o, 2, 6 * SPON).await?;
        let mut dry = service::connect(
            &Config {
                dry_run: true,
                ..config(&w, "dry")
            },
            key("dry").clone(),
        )
        .await?;
        assert_eq!(dry.round().await?, 0);
        assert_eq!(w.proposed(o).await?, 0);
        assert_eq!(m.round().await?, 1);
        assert_eq!(w.proposed(o).await?, b);
        anyhow::Ok(())
    })
    .unwrap();
}

#[test]
fn global_strategy_uses_each_node_once() {
    let (w, rt) = world("global");
    rt.block_on(async {
        let matcher_key = key("global matcher");
        w.fund(matcher_key.address()).await?;
        // Two orders; node 0 is the cheapest on both, node 1 bids on both.
        let (o1, o2) = (w.order().await?, w.order().await?);
        w.bid(o1, 0, 5 * SPON).await?;
        let b12 = w.bid(o1, 1, 6 * SPON).await?;
        let b21 = w.bid(o2, 0, 5 * SPON).await?;
        w.bid(o2, 1, 9 * SPON).await?;
        let mut m = service::connect(
            &Config {
                strategy: Strategy::Global,
                ..config(&w, "global")
            },
            matcher_key,
        )
        .await?;
        assert_eq!(m.round().await?, 2);
        let chosen = [w.proposed(o1).await?, w.proposed(o2).await?];
        // Per-order greedy would give node 0 to both; each order got a
        // different node.
        assert_eq!(chosen, [b12, b21]);
        let nodes: Vec<Address> = {
            let mut v = Vec::new();
            for b in chosen {
                v.push(
                    w.view(w.market, Market::bidOfCall { bid_id: b })
                        .await?
                        .bid
                        .node,
                );
            }
            v
        };
        assert_ne!(nodes[0], nodes[1]);
        anyhow::Ok(())
    })
    .unwrap();
}

#[test]
fn killed_and_restarted_it_loses_nothing_and_sends_nothing_twice() {
    let (w, rt) = world("restart");
    let matcher_key = key("restarting matcher");
    let me = matcher_key.address();
    let mut orders = Vec::new();
    rt.block_on(async {
        w.fund(me).await?;
        for _ in 0..4 {
            let o = w.order().await?;
            orders.push((o, w.bid(o, 0, 7 * SPON).await?));
        }
        anyhow::Ok(())
    })
    .unwrap();
    let spawn = |rounds: Option<u64>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_spon-matcher"));
        cmd.args(["--rpc-url", &w.url, "--market", &w.market.to_string()])
            .arg("--db")
            .arg(w.dir.join("restart.redb"))
            .args(["--interval-secs", "0"])
            .env(
                "SPON_MATCHER_KEY",
                alloy_primitives::hex::encode(matcher_key.to_bytes()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(r) = rounds {
            cmd.args(["--rounds", &r.to_string()]);
        }
        cmd.spawn().unwrap()
    };
    // Run until its first proposal lands, then kill it.
    let mut first = spawn(None);
    let deadline = Instant::now() + Duration::from_secs(120);
    while rt.block_on(w.proposals_by(me)).unwrap().is_empty() {
        assert!(Instant::now() < deadline, "no proposal in time");
        std::thread::sleep(Duration::from_millis(50));
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let before = rt.block_on(w.proposals_by(me)).unwrap();

    // More orders while it is down.
    rt.block_on(async {
        for _ in 0..2 {
            let o = w.order().await?;
            orders.push((o, w.bid(o, 1, 8 * SPON).await?));
        }
        anyhow::Ok(())
    })
    .unwrap();
    let second = spawn(Some(2));
    let out = second.wait_with_output().unwrap();
    assert!(out.status.success());
    let metrics: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    let after = rt.block_on(w.proposals_by(me)).unwrap();
    eprintln!("before the kill {before:?}; restart metrics {metrics}");
    // Every order proposed, each exactly once, and no transaction wasted.
    let mut proposed: Vec<(u64, u64)> = after.clone();
    proposed.sort_unstable();
    assert_eq!(proposed, orders, "before the kill: {before:?}");
    let nonce = rt
        .block_on(async { provider(&w.url).get_transaction_count(me).await })
        .unwrap();
    assert_eq!(nonce, orders.len() as u64);
    // The restart resumed from its cursor: it indexed only the blocks
    // after it.
    let head = rt
        .block_on(async { provider(&w.url).get_block_number().await })
        .unwrap();
    assert!(metrics["blocks"].as_u64().unwrap() < head, "{metrics}");
    assert_eq!(
        metrics["matched"].as_u64().unwrap() as usize,
        orders.len() - before.len()
    );
}

#[test]
fn two_matchers_racing_leave_the_better_proposal() {
    let (w, rt) = world("race");
    rt.block_on(async {
        let (ka, kb) = (key("racer a"), key("racer b"));
        w.fund(ka.address()).await?;
        w.fund(kb.address()).await?;
        let o = w.order().await?;
        let worse = w.bid(o, 0, 9 * SPON).await?;
        let mut a = service::connect(&config(&w, "race-a"), ka.clone()).await?;
        let mut b = service::connect(&config(&w, "race-b"), kb.clone()).await?;
        // A sees only the worse bid and proposes it.
        assert_eq!(a.round().await?, 1);
        assert_eq!(w.proposed(o).await?, worse);
        // A better bid arrives; both race to propose it.
        let better = w.bid(o, 1, 6 * SPON).await?;
        let (ra, rb) = tokio::join!(a.round(), b.round());
        let won = ra? + rb?;
        assert_eq!(won, 1, "exactly one proposal of the better bid lands");
        assert_eq!(w.proposed(o).await?, better);
        // The loser was refused or reverted; nobody can go back to worse.
        let lost = a.metrics.refused + a.metrics.reverted + b.metrics.refused + b.metrics.reverted;
        assert_eq!(lost, 1);
        let err = w
            .send(
                &ka,
                w.market,
                Market::proposeMatchCall {
                    order_id: o,
                    bid_id: worse,
                },
            )
            .await
            .unwrap_err();
        assert!(format!("{err}").contains("ScoreNotBetter"), "{err}");
        anyhow::Ok(())
    })
    .unwrap();
}
