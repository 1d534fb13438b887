//! The console in a real browser: Debian's Chromium, headless, driven
//! over WebDriver (chromedriver) by fantoccini. The devnet holds three
//! Provider nodes and a settled lease; the browser reads the overview,
//! follows a node to its lease, checks what it shows against the chain,
//! waits for a new order to appear without reloading by hand, and saves
//! screenshots under `target/console/`.
//!
//! Needs `chromedriver` and `chromium` (installed by `scripts/setup`);
//! without them the test says it skipped, unless `SPON_REQUIRE_BROWSER`
//! is set (as `scripts/test` sets it), when it fails.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use spon_console::{
    server::{self, Settings as ServerSettings},
    service::{Console, Settings},
};
use spon_e2e::rpc::world;

mod common;
use common::{settled_lease, spon_text};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tool(env: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    path.exists().then_some(path)
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn shot(c: &Client, dir: &Path, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

#[test]
fn a_browser_sees_the_market_and_follows_a_node_to_its_lease() {
    let (Some(driver), Some(chromium)) = (
        tool("SPON_CHROMEDRIVER", "/usr/bin/chromedriver"),
        tool("SPON_CHROMIUM", "/usr/bin/chromium"),
    ) else {
        assert!(
            std::env::var_os("SPON_REQUIRE_BROWSER").is_none(),
            "SPON_REQUIRE_BROWSER is set but chromedriver or chromium is missing: run scripts/setup"
        );
        eprintln!("skipped: no chromedriver/chromium (scripts/setup installs them)");
        return;
    };
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/console");
    std::fs::create_dir_all(&shots).unwrap();

    let (w, rt) = world("browser");
    rt.block_on(async {
        let (_, paid) = settled_lease(&w).await?;
        assert!(spon_text(paid).starts_with("3.50"), "half an hour at 7 SPON/h");

        // The console, as its binary runs it: indexing every 200 ms and
        // serving over HTTP.
        let mut console = Console::open(&Settings {
            rpc: w.url.clone(),
            deployment: Some(w.record()),
            db: w.dir.join("console.redb"),
            poll: Duration::from_millis(200),
            batch: 2_000,
            reorg_depth: 16,
        })
        .await?;
        console.round().await?;
        let app = server::router(console.shared.clone(), ServerSettings { rate_per_sec: 200 });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await
        });
        tokio::spawn(console.run(Duration::from_millis(200)));

        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let _driver = Driver(
            Command::new(&driver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?,
        );
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"],
            }),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        let c = loop {
            // chromedriver listens on loopback: plain HTTP, no TLS stack.
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => anyhow::bail!("chromedriver did not start: {e}"),
            }
        };

        // The overview: 3 nodes, 4 of 24 GPUs leased, Hopper by name.
        c.goto(&format!("{url}/")).await?;
        assert!(text(&c, "#nodes b").await.starts_with('3'));
        assert_eq!(text(&c, "#utilisation b").await, "16.67%");
        assert_eq!(text(&c, "#active-leases b").await, "1");
        let svg = c.find(Locator::Css("svg.chart")).await?.html(false).await?;
        assert!(svg.contains("NVIDIA H100 / H200"));
        shot(&c, &shots, "overview.png").await;

        // Nodes → node 1 → its lease; the payment as the chain holds it.
        c.goto(&format!("{url}/nodes")).await?;
        let node = w.nodes[1].address();
        c.find(Locator::Css(&format!("a[href='/nodes/{node}']"))).await?.click().await?;
        assert!(text(&c, "#node-hardware").await.starts_with("8 × NVIDIA H100 / H200"));
        shot(&c, &shots, "node.png").await;
        c.find(Locator::Css("#leases-table a[href='/leases/1']")).await?.click().await?;
        assert_eq!(c.current_url().await?.path(), "/leases/1");
        assert_eq!(text(&c, "#lease-paid").await, spon_text(paid));
        shot(&c, &shots, "lease.png").await;

        // A new order shows on the orders page by itself (it reloads).
        c.goto(&format!("{url}/orders")).await?;
        let rows = |c: Client| async move {
            c.find_all(Locator::Css("#orders-table tbody tr")).await.map(|r| r.len())
        };
        assert_eq!(rows(c.clone()).await?, 1);
        w.order().await?;
        let seen = Instant::now();
        while rows(c.clone()).await.unwrap_or(0) != 2 {
            assert!(seen.elapsed() < Duration::from_secs(15), "the new order never showed");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        println!("a new order showed in the browser after {:?}", seen.elapsed());
        shot(&c, &shots, "orders.png").await;
        c.close().await?;
        anyhow::Ok(())
    })
    .unwrap();
}
