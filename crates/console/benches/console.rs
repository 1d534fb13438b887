//! The console at scale: 10,000 nodes and 100,000 orders (half of them
//! leased) indexed through the matcher's indexer and redb store from a
//! chain in memory, then every kind of page and API answer fetched over
//! loopback HTTP from the console's router.
//!
//!     cargo bench -p spon-console --bench console [-- NODES ORDERS REQUESTS]
//!
//! Prints the indexer's events per second (decoding, folding, journaling
//! and the database writes) and each route's p50 / p99 / max latency.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use alloy_primitives::Address;
use anyhow::{ensure, Result};
use spon_console::{
    journal::Journaled,
    model::Model,
    server::{router, Settings as ServerSettings, Snapshot},
    synthetic,
    views::{Chain, TokenInfo},
};
use spon_matcher::{
    indexer::{Indexer, Settings},
    source::Memory,
    store::Store,
};

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .nth(n)
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let (nodes, orders, requests) = (arg(0, 10_000), arg(1, 100_000), arg(2, 200));
    let token = Address::with_last_byte(0x70);

    // The chain: blocks of at most 200 logs.
    let chain = Memory::default();
    let mut logs = 0usize;
    for block in synthetic::market(nodes, orders, token, 200) {
        logs += block.len();
        chain.push(block);
    }
    println!(
        "market: {nodes} nodes, {orders} orders, {logs} logs in {} blocks",
        chain.len()
    );

    // Indexing, as the console does it: 1,000-block batches, a 64-block
    // reorg window, every batch committed to the database.
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("console.redb"), 1, Address::ZERO)?;
    let mut ix = Indexer::<Journaled<Model>>::load(
        &store,
        Settings {
            start_block: 0,
            batch: 1_000,
            reorg_depth: 64,
        },
    )?;
    let start = Instant::now();
    let events = ix.catch_up(&chain, &store).await?.events;
    let took = start.elapsed();
    let model = ix.state.get().clone();
    ensure!(events == logs, "{events} of {logs} logs changed the model");
    ensure!(model.nodes.len() == nodes && model.orders.len() == orders);
    println!(
        "indexer: {events} events in {:.2} s = {:.0} events/s",
        took.as_secs_f64(),
        events as f64 / took.as_secs_f64()
    );

    // A restart: the model rebuilt from the database alone.
    drop(ix);
    let start = Instant::now();
    let ix = Indexer::<Journaled<Model>>::load(&store, Settings::default())?;
    println!(
        "restart: model rebuilt from the database in {:.2} s",
        start.elapsed().as_secs_f64()
    );
    ensure!(
        ix.state.get() == &model,
        "the restart rebuilt another model"
    );

    // The server over loopback, the model as published.
    let mut chain_info = Chain {
        head: chain.len() as u64,
        now: 1_500,
        ..Chain::default()
    };
    chain_info.tokens.insert(
        token,
        TokenInfo {
            symbol: "tUSD".into(),
            decimals: 6,
        },
    );
    let start = Instant::now();
    let snapshot = Snapshot::new(model, chain_info, HashMap::new());
    println!(
        "snapshot: overview and price series computed in {:.1} ms (once a round)",
        start.elapsed().as_secs_f64() * 1e3
    );
    let shared = Arc::new(RwLock::new(Arc::new(snapshot)));
    let app = router(
        shared,
        ServerSettings {
            rate_per_sec: 1_000_000,
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let http = reqwest::Client::new();
    let node = synthetic::node_address(nodes / 2);
    let (order, lease) = (orders as u64 / 2 + 1, orders as u64 / 4);
    let routes = [
        "/".to_string(),
        "/nodes".into(),
        "/nodes?class=provider&gpu=1&offset=2500".into(),
        format!("/nodes/{node}"),
        "/orders".into(),
        "/orders?offset=90000".into(),
        format!("/orders/{order}"),
        "/leases".into(),
        format!("/leases/{lease}"),
        "/challenges".into(),
        "/proposals".into(),
        "/api/overview".into(),
        "/api/nodes?limit=200".into(),
        format!("/api/nodes/{node}"),
        "/api/orders?limit=200".into(),
        format!("/api/leases/{lease}"),
        "/api/prices".into(),
    ];
    println!("\n| route | bytes | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|");
    let mut worst = Duration::ZERO;
    for route in &routes {
        let mut times = Vec::with_capacity(requests);
        let mut bytes = 0;
        for _ in 0..requests {
            let t = Instant::now();
            let r = http.get(format!("{url}{route}")).send().await?;
            ensure!(r.status().is_success(), "{route}: {}", r.status());
            bytes = r.bytes().await?.len();
            times.push(t.elapsed());
        }
        times.sort_unstable();
        let p99 = percentile(&times, 0.99);
        worst = worst.max(p99);
        println!(
            "| `{route}` | {bytes} | {} | {} | {} |",
            ms(percentile(&times, 0.5)),
            ms(p99),
            ms(*times.last().expect("requests > 0"))
        );
    }
    println!(
        "\nworst page p99: {} ms ({requests} requests a route, one at a time)",
        ms(worst)
    );
    Ok(())
}
