//! The matcher against the devnet over JSON-RPC: every contract deployed
//! and handed to the governor by spon-deploy; three Provider nodes staked,
//! probed and approved by an executed governance proposal; orders and bids
//! placed with alloy as a wallet would. Then: the matcher proposes each
//! order's best bid; killed mid-run and restarted it loses nothing and
//! sends nothing twice; two matchers racing leave the better proposal on
//! chain.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use alloy_network::{EthereumWallet, TransactionBuilder};
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_provider::{Provider, ProviderBuilder, RootProvider};
use alloy_rpc_types_eth::{Filter, TransactionRequest};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{sol, SolCall, SolEvent};
use anyhow::{anyhow, ensure, Result};
use spon_deploy::{
    plan::{Addresses, Contract, Settings},
    rpc::{Key, Rpc},
    run::{run, Options},
};
use spon_devnet::rpc::Node;
use spon_matcher::{
    config::Config,
    events::{self, Market},
    service::{self, Strategy},
};
use spon_node::Hardware;
use spon_scoring::Requirements;
use spon_testkit::{hopper, measured, probe_key, sign};

sol!(Token, "../../deployments/abi/spon-token.json");
sol!(Staking, "../../deployments/abi/spon-staking.json");
sol!(Registry, "../../deployments/abi/spon-registry.json");
sol!(Governance, "../../deployments/abi/spon-governance.json");

const SPON: u128 = 1_000_000_000_000_000_000;
const DAY: u64 = 86_400;

fn key(name: &str) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&keccak256(format!("matcher test key {name}"))).unwrap()
}

fn spon(n: u128) -> U256 {
    U256::from(n * SPON)
}

/// The devnet, the deployed contracts and the test's accounts.
struct World {
    url: String,
    deployer: PrivateKeySigner,
    tenant: PrivateKeySigner,
    nodes: Vec<PrivateKeySigner>,
    token: Address,
    registry: Address,
    staking: Address,
    market: Address,
    governor: Address,
    dir: PathBuf,
}

fn provider(url: &str) -> RootProvider {
    ProviderBuilder::new()
        .disable_recommended_fillers()
        .on_http(url.parse().unwrap())
}

impl World {
    /// Sends `call` to `to` from `from` as a wallet would (fees, nonce and
    /// gas filled by alloy); the market's refusals are named.
    async fn send<C: SolCall>(&self, from: &PrivateKeySigner, to: Address, call: C) -> Result<()> {
        let p = ProviderBuilder::new()
            .wallet(EthereumWallet::from(from.clone()))
            .on_http(self.url.parse()?);
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_input(Bytes::from(call.abi_encode()));
        let pending = p.send_transaction(tx).await.map_err(|e| {
            match e.as_error_resp().and_then(|r| r.as_revert_data()) {
                Some(data) => anyhow!("{}: {}", C::SIGNATURE, events::error_name(&data)),
                None => anyhow!("{}: {e}", C::SIGNATURE),
            }
        })?;
        let receipt = pending.get_receipt().await?;
        ensure!(receipt.status(), "{} reverted", C::SIGNATURE);
        Ok(())
    }

    async fn view<C: SolCall>(&self, to: Address, call: C) -> Result<C::Return> {
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_input(Bytes::from(call.abi_encode()));
        let out = provider(&self.url).call(&tx).await?;
        Ok(C::abi_decode_returns(&out, true)?)
    }

    async fn rpc(
        &self,
        method: &'static str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value> {
        Ok(provider(&self.url)
            .raw_request(method.into(), params)
            .await?)
    }

    async fn travel(&self, secs: u64) -> Result<()> {
        self.rpc("evm_increaseTime", serde_json::json!([secs]))
            .await?;
        self.rpc("evm_mine", serde_json::json!([])).await?;
        Ok(())
    }

    /// Runs `calls` through a governance proposal: propose, vote with the
    /// deployer's SPON, queue, execute (time travel between).
    async fn govern(&self, calls: Vec<(Address, Vec<u8>)>) -> Result<()> {
        let gov = self.governor;
        let targets: Vec<Address> = calls.iter().map(|c| c.0).collect();
        let values = vec![U256::ZERO; calls.len()];
        let calldatas: Vec<Bytes> = calls.into_iter().map(|c| c.1.into()).collect();
        self.send(
            &self.deployer,
            gov,
            Governance::proposeCall {
                targets: targets.clone(),
                values: values.clone(),
                calldatas: calldatas.clone(),
                description_hash: keccak256("approve the test's Provider nodes"),
            },
        )
        .await?;
        let id = self.view(gov, Governance::proposalCountCall {}).await?._0;
        self.travel(DAY + 60).await?;
        let votes = spon(100_000_000);
        self.send(
            &self.deployer,
            self.token,
            Token::approveCall {
                spender: gov,
                value: votes,
            },
        )
        .await?;
        self.send(
            &self.deployer,
            gov,
            Governance::castVoteCall {
                id,
                support: 1,
                amount: votes,
            },
        )
        .await?;
        self.travel(3 * DAY + 60).await?;
        self.send(&self.deployer, gov, Governance::queueCall { id })
            .await?;
        self.travel(2 * DAY + 60).await?;
        self.send(
            &self.deployer,
            gov,
            Governance::executeCall {
                id,
                targets,
                values,
                calldatas,
            },
        )
        .await
    }

    /// Makes `node` a staked, probed Provider node (approval comes by
    /// proposal).
    async fn provider_node(&self, node: &PrivateKeySigner, hw: &Hardware) -> Result<()> {
        let a = node.address();
        self.send(
            &self.deployer,
            self.token,
            Token::transferCall {
                to: a,
                value: spon(50_000),
            },
        )
        .await?;
        self.send(
            node,
            self.token,
            Token::approveCall {
                spender: self.staking,
                value: U256::MAX,
            },
        )
        .await?;
        self.send(
            node,
            self.staking,
            Staking::stakeCall {
                amount: spon(50_000),
            },
        )
        .await?;
        let probe = probe_key(a);
        self.send(
            node,
            self.registry,
            Registry::proposeProviderCall {
                hardware: U256::from_be_bytes(hw.pack()),
                endpoint: "https://node.example/manifests".into(),
                tls_cert_hash: B256::repeat_byte(7),
                probe_key: probe.address(),
            },
        )
        .await
    }

    /// Commits a fresh probe of `node`'s hardware, signed by its probe key.
    async fn probe(&self, node: &PrivateKeySigner, hw: &Hardware) -> Result<()> {
        let a = node.address();
        let nonce = self
            .view(self.registry, Registry::probeOfCall { node: a })
            .await?
            ._3;
        let now = provider(&self.url)
            .get_block_by_number(Default::default(), false.into())
            .await?
            .unwrap()
            .header
            .timestamp;
        let (report, summary) = (B256::repeat_byte(0xAB), measured(hw, now));
        let domain = self
            .view(self.registry, Registry::domainSeparatorCall {})
            .await?
            ._0;
        let digest = spon_registry::signing::digest(
            domain,
            spon_registry::signing::struct_hash(a, report, summary, U256::ZERO, nonce),
        );
        self.send(
            node,
            self.registry,
            Registry::commitProbeCall {
                node: a,
                report_hash: report,
                summary,
                challenge_id: U256::ZERO,
                nonce,
                signature: sign(&probe_key(a), &digest).into(),
            },
        )
        .await
    }

    /// An order for 4 Hopper GPUs in SPON; its id.
    async fn order(&self) -> Result<u64> {
        let req = Requirements {
            gpu_model: spon_node::hardware::gpu::HOPPER,
            gpu_count: 4,
            min_vram_mib: 80_000,
            regions: [*b"DE", [0; 2], [0; 2], [0; 2]],
            min_bandwidth_mbps: 1_000,
            compute_types: spon_node::hardware::compute::CUDA,
            max_tier: 6,
            flags: 0,
        };
        self.send(
            &self.tenant,
            self.market,
            Market::createOrderCall {
                requirements: U256::from_be_bytes(req.pack()),
                payment_token: self.token,
                max_price_per_hour: spon(10),
                duration_secs: 3_600,
                deposit: spon(10),
            },
        )
        .await?;
        Ok(self.view(self.market, Market::countsCall {}).await?._0)
    }

    async fn bid(&self, order: u64, node: usize, price: u128) -> Result<u64> {
        self.send(
            &self.nodes[node],
            self.market,
            Market::placeBidCall {
                order_id: order,
                price_per_hour: U256::from(price),
            },
        )
        .await?;
        Ok(self.view(self.market, Market::countsCall {}).await?._1)
    }

    /// The bid proposed on chain for `order` (0: none).
    async fn proposed(&self, order: u64) -> Result<u64> {
        Ok(self
            .view(self.market, Market::orderOfCall { order_id: order })
            .await?
            ._9)
    }

    /// `(order, bid)` of every MatchProposed sent by `from`.
    async fn proposals_by(&self, from: Address) -> Result<Vec<(u64, u64)>> {
        let filter = Filter::new()
            .address(self.market)
            .event_signature(Market::MatchProposed::SIGNATURE_HASH)
            .from_block(0);
        let logs = provider(&self.url).get_logs(&filter).await?;
        Ok(logs
            .iter()
            .filter_map(|l| Market::MatchProposed::decode_log(&l.inner, true).ok())
            .filter(|e| e.proposer == from)
            .map(|e| (e.orderId, e.bidId))
            .collect())
    }

    fn config(&self, name: &str) -> Config {
        Config {
            rpc: self.url.clone(),
            market: Some(self.market),
            db: self.dir.join(format!("{name}.redb")),
            interval_secs: 0,
            confirm_timeout_secs: 20,
            ..Config::default()
        }
    }

    async fn fund(&self, who: Address) -> Result<()> {
        self.rpc(
            "anvil_setBalance",
            serde_json::json!([who, "0x56bc75e2d63100000"]),
        )
        .await?;
        Ok(())
    }
}

/// Starts a devnet, deploys and wires everything with spon-deploy, and
/// sets up three approved, probed Provider nodes and a funded tenant.
fn world(name: &str) -> (World, tokio::runtime::Runtime) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || Node::default().serve(listener));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let deployer = key("deployer");
    rt.block_on(provider(&url).raw_request::<_, serde_json::Value>(
        "anvil_setBalance".into(),
        serde_json::json!([deployer.address(), "0x56bc75e2d63100000"]),
    ))
    .unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("target/matcher-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let settings = Settings {
        treasury: deployer.address(),
        guardian: Address::with_last_byte(0x61),
        supply: spon(1_000_000_000),
        committee: Address::ZERO,
    };
    let opts = Options {
        artifacts: root.join("target/stylus"),
        out: dir.join("deployments"),
        dry_run: false,
        commit: "test".into(),
    };
    // spon-deploy drives its own runtime: run it outside ours.
    let mut chain = Rpc::new(
        &url,
        Key::Hex(alloy_primitives::hex::encode_prefixed(deployer.to_bytes())),
    )
    .unwrap();
    let done = run(&mut chain, settings, &opts, &mut |_, _| {}).unwrap();
    let w = World {
        url,
        deployer,
        tenant: key("tenant"),
        nodes: (0..3).map(|n| key(&format!("node {n}"))).collect(),
        token: done.of(Contract::Token).unwrap(),
        registry: done.of(Contract::Registry).unwrap(),
        staking: done.of(Contract::Staking).unwrap(),
        market: done.of(Contract::Market).unwrap(),
        governor: done.of(Contract::Governance).unwrap(),
        dir,
    };
    rt.block_on(async {
        let hw = hopper(*b"DE", 10_000);
        for n in &w.nodes {
            w.fund(n.address()).await?;
            w.provider_node(n, &hw).await?;
        }
        let approvals = w
            .nodes
            .iter()
            .map(|n| {
                (
                    w.registry,
                    Registry::approveProviderCall { node: n.address() }.abi_encode(),
                )
            })
            .collect();
        w.govern(approvals).await?;
        for n in &w.nodes {
            w.probe(n, &hw).await?;
        }
        w.fund(w.tenant.address()).await?;
        w.send(
            &w.deployer,
            w.token,
            Token::transferCall {
                to: w.tenant.address(),
                value: spon(1_000_000),
            },
        )
        .await?;
        w.send(
            &w.tenant,
            w.token,
            Token::approveCall {
                spender: w.market,
                value: U256::MAX,
            },
        )
        .await?;
        anyhow::Ok(())
    })
    .unwrap();
    (w, rt)
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
        let mut m = service::connect(&w.config("best"), matcher_key.clone()).await?;
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
                ..w.config("dry")
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
                ..w.config("global")
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
                v.push(w.view(w.market, Market::bidOfCall { bid_id: b }).await?._1);
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
        cmd.args(["--rpc", &w.url, "--market", &w.market.to_string()])
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
        let mut a = service::connect(&w.config("race-a"), ka.clone()).await?;
        let mut b = service::connect(&w.config("race-b"), kb.clone()).await?;
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
