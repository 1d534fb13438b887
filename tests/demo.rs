//! `spon-demo`: a whole market on the devnet, played and reported.
//!
//! Starts the market as an operator would, each service its own process
//! from its binary with its flags and config files (logs under
//! `target/demo/market/logs/`): `spon-devnet`, `spon-deploy`, a
//! `spon-probe` and a `spon-agent` per node, `spon-matcher`, and at the end
//! `spon-console`. Then:
//! three Provider nodes (8 × H100, Germany; approved by a governance vote)
//! and two Fizz nodes (RTX 40, US and Japan, behind a Provider gateway)
//! stake and commit signed probes; two delegators back the providers; a
//! tenant orders in SPON and in a 6-decimal test stablecoin allowed by a
//! second vote; the nodes' agents bid by their pricing, the matcher
//! proposes the best bids, the tenant accepts, the leases are settled an
//! hour later with the fee checked to the wei; then a node that cheats on a
//! GPU-work challenge is caught by its own sampled entries and slashed after
//! the veto window, its delegators losing with it. The report (text, and
//! HTML at `target/demo/report.html`) says what happened and what it cost.
//!
//! The machines are simulated: their probes run `spon-probe watch
//! --simulate`, which reports the hardware they declare at its class's
//! reference figures (this chain has no GPUs), while every signature,
//! transaction, GPU-work product and Merkle proof is computed for real.
//! The agents run with `--no-rewards`: the story checks the nodes in
//! itself, era by era. `--short` plays one order per token and stops
//! everything (CI); otherwise the market and its console stay up until
//! interrupted.

use std::fmt::Write as _;

use alloy_primitives::{Address, U256};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolCall;
use anyhow::{ensure, Context, Result};
use spon_agent::{
    bidder::{Bidder, Outcome},
    pricing::{Pricing, Skip},
    tls::Identity,
};
use spon_client::{
    bindings::{Challenges, Leases, Market, Registry, Rewards, Staking, TestUsd, Token},
    Client,
};
use spon_e2e::{
    browser::Browser,
    processes::{args, hex_key, http_get, until, Services},
    rpc::{key, probe_signer, spon, World, DAY},
    rtx40, spon_text,
};
use spon_node::{hardware, Hardware, ProbeSummary};
use spon_probe::{prove::Answer, report::Settings, service::Probe};
use spon_protocol::{states::CheckInState, BPS};
use std::{path::Path, time::Duration};

/// How long a service may take to act on what the story did.
const PATIENCE: Duration = Duration::from_secs(60);

/// The node that cheats on its GPU-work challenge (provider 3).
const CHEAT: usize = 2;

/// The processes' ids (file and log names) of the nodes, in order.
const IDS: [&str; 5] = [
    "provider-de-1",
    "provider-de-2",
    "provider-de-3",
    "fizz-us",
    "fizz-jp",
];

/// `path` as a command-line argument.
fn arg(path: &Path) -> String {
    path.display().to_string()
}

/// The report: sections of lines.
#[derive(Default)]
struct Report {
    sections: Vec<(String, Vec<String>)>,
}

impl Report {
    fn section(&mut self, title: &str) {
        println!("\n== {title}");
        self.sections.push((title.into(), Vec::new()));
    }
    fn line(&mut self, text: String) {
        println!("  {text}");
        self.sections.last_mut().expect("a section").1.push(text);
    }
    fn html(&self) -> String {
        let esc = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        };
        let mut h = String::from(
            "<!doctype html><meta charset=utf-8><title>SPON market demo</title>\
             <style>body{font:15px system-ui;max-width:60em;margin:2em auto}\
             h2{border-bottom:1px solid #ccc}li{font-family:ui-monospace,monospace;\
             font-size:13px;list-style:none;margin:.2em 0}</style><h1>SPON market demo</h1>",
        );
        for (title, lines) in &self.sections {
            let _ = write!(h, "<h2>{}</h2><ul>", esc(title));
            for l in lines {
                let _ = write!(h, "<li>{}</li>", esc(l));
            }
            h.push_str("</ul>");
        }
        h
    }
}

/// Gas used per operation, first seen.
#[derive(Default)]
struct Gas(Vec<(&'static str, u64)>);

impl Gas {
    async fn send<C: SolCall>(&mut self, client: &Client, to: Address, call: C) -> Result<()> {
        let r = client.send(to, call).await?;
        if !self.0.iter().any(|(n, _)| *n == C::SIGNATURE) {
            self.0.push((C::SIGNATURE, r.gas_used));
        }
        Ok(())
    }
}

/// `amount` in whole tokens, e.g. `12.5 SPON`.
fn show(amount: U256, decimals: u8, symbol: &str) -> String {
    format!("{} {symbol}", spon_client::units::format(amount, decimals))
}

/// As [`show`], with the exact smallest units.
fn exact(amount: U256, decimals: u8, symbol: &str) -> String {
    format!("{} ({amount} units)", show(amount, decimals, symbol))
}

async fn client(w: &World, who: &PrivateKeySigner) -> Result<Client> {
    w.fund(who.address()).await?;
    Client::connect(&w.url, who.clone()).await
}

#[allow(clippy::too_many_lines)]
async fn play(w: &mut World, s: &mut Services, short: bool, r: &mut Report) -> Result<()> {
    let mut gas = Gas::default();
    let names = [
        "provider-de-1",
        "provider-de-2",
        "provider-de-3 (cheats)",
        "fizz-us",
        "fizz-jp",
    ];

    // Two Fizz nodes behind provider 1 as their gateway.
    for (i, region) in [(3usize, *b"US"), (4, *b"JP")] {
        let k = key(&format!("fizz {i}"));
        w.nodes.push(k.clone());
        let c = client(w, &k).await?;
        w.give(&k, spon(5_000), w.staking).await?;
        gas.send(
            &c,
            w.staking,
            Staking::stakeCall {
                amount: spon(5_000),
            },
        )
        .await?;
        let hw = rtx40(region);
        gas.send(
            &c,
            w.registry,
            Registry::registerFizzCall {
                hardware: U256::from_be_bytes(hw.pack()),
                probe_key: probe_signer(i).address(),
                gateway: w.nodes[0].address(),
            },
        )
        .await?;
    }

    // A probe per node, its own process: it commits a probe in each era
    // and answers the challenges opened against its node.
    r.section("Services (each its own process)");
    for n in 0..w.nodes.len() {
        start_probe(w, s, n).await?;
    }
    probed(w, None).await?;
    r.line(format!(
        "{} × spon-probe watch --simulate: every node probed (the declared hardware at reference figures)",
        w.nodes.len()
    ));

    // The test stablecoin, allowed as a payment token by a vote (the
    // probes commit fresh probes in the eras it takes).
    let usd = w.allowed_test_usd().await?;
    probed(w, None).await?;

    // Delegators back providers 1 and 3.
    let delegators = [key("delegator a"), key("delegator b")];
    for (d, node) in delegators.iter().zip([0usize, CHEAT]) {
        let c = client(w, d).await?;
        w.give(d, spon(20_000), w.staking).await?;
        gas.send(
            &c,
            w.staking,
            Staking::delegateCall {
                provider: w.nodes[node].address(),
                amount: spon(20_000),
            },
        )
        .await?;
    }
    // Provider 1 takes a 10% commission on its pool's rewards (a raise
    // waits `commissionChangeDelay`, a week).
    gas.send(
        &client(w, &w.nodes[0]).await?,
        w.staking,
        Staking::setCommissionCall {
            bps: COMMISSION_BPS,
        },
    )
    .await?;

    r.section("Nodes");
    for (n, k) in w.nodes.iter().enumerate() {
        let node = k.address();
        let tier = w
            .view(w.registry, Registry::tierOfCall { node })
            .await?
            .tier;
        let pool = w
            .view(w.staking, Staking::poolOfCall { provider: node })
            .await?
            .pool
            .tokens;
        let hw = Hardware::unpack(
            &w.view(w.registry, Registry::nodeOfCall { node })
                .await?
                .node
                .hardware
                .to_be_bytes(),
        );
        r.line(format!(
            "{:<24} {node}  tier {tier}  {} × {} in {}  pool {}",
            names[n],
            hw.gpu_count,
            hardware::gpu::name(hw.gpu_model),
            String::from_utf8_lossy(&hw.region),
            show(pool, 18, "SPON")
        ));
    }

    // Tenant orders: Hopper in SPON, an RTX 40 anywhere in tUSD.
    let tenant = client(w, &w.tenant).await?;
    let usdc = |n: u64| U256::from(n) * U256::from(1_000_000u64);
    gas.send(
        &tenant,
        usd,
        TestUsd::mintCall {
            to: w.tenant.address(),
            value: usdc(10_000),
        },
    )
    .await?;
    gas.send(
        &tenant,
        usd,
        Token::approveCall {
            spender: w.market,
            value: U256::MAX,
        },
    )
    .await?;
    let rounds = if short { 1 } else { 3 };
    let mut orders = Vec::new();
    for _ in 0..rounds {
        gas.send(
            &tenant,
            w.market,
            Market::createOrderCall {
                requirements: spon_e2e::hopper_order(),
                payment_token: w.token,
                max_price_per_hour: spon(10),
                duration_secs: 3_600,
                deposit: spon(10),
            },
        )
        .await?;
        orders.push((
            w.view(w.market, Market::countsCall {}).await?.counts.orders,
            w.token,
            18u8,
            "SPON",
        ));
        gas.send(
            &tenant,
            w.market,
            Market::createOrderCall {
                requirements: spon_e2e::rtx_order(),
                payment_token: usd,
                max_price_per_hour: usdc(2),
                duration_secs: 3_600,
                deposit: usdc(2),
            },
        )
        .await?;
        orders.push((
            w.view(w.market, Market::countsCall {}).await?.counts.orders,
            usd,
            6,
            "tUSD",
        ));
    }

    // Agents bid by their pricing.
    r.section("Bids (each node's spon-agent, by its pricing file)");
    let mut pricings = Vec::new();
    for n in 0..3 {
        pricings.push(start_agent(w, s, n, usd, None).await?);
    }
    let (gateway_nodes, gateway_tenants) = start_gateway(w, s).await?;
    for n in 3..w.nodes.len() {
        pricings.push(start_agent(w, s, n, usd, Some(&gateway_nodes)).await?);
    }
    r.line(format!(
        "{} × spon-agent run --no-rewards: each watches the market's orders",
        w.nodes.len()
    ));
    r.line(format!(
        "spon-gateway run (provider 1's): the Fizz nodes' agents dial it ({gateway_nodes}, QUIC); \
         tenants reach their services at {gateway_tenants}"
    ));
    let bids = placed_bids(w, s, &pricings, &orders).await?;
    for (n, order, outcome) in &bids {
        let (n, order) = (*n, *order);
        let token = orders
            .iter()
            .find(|o| o.0 == order)
            .context("an order of the demo")?;
        r.line(match outcome {
            Outcome::Bid(p) => format!(
                "{:<24} order {order}: bids {}/h",
                names[n],
                show(*p, token.2, token.3)
            ),
            Outcome::Skipped(Skip::AboveMax { price, max }) => format!(
                "{:<24} order {order}: skips it: its price, {}/h, is above the order's maximum of {}/h",
                names[n],
                show(*price, token.2, token.3),
                show(*max, token.2, token.3)
            ),
            Outcome::Skipped(why) => format!("{:<24} order {order}: skips it: {why}", names[n]),
            Outcome::Closed => format!("{:<24} order {order}: closed", names[n]),
            Outcome::Refused(e) => format!("{:<24} order {order}: refused {e}", names[n]),
        });
    }

    // The matcher proposes the best bid of each order.
    r.section("Matches (spon-matcher's proposals, by the shared score)");
    start_matcher(w, s).await?;
    until(
        "spon-matcher's proposal for every order",
        PATIENCE,
        || async {
            for o in &orders {
                if w.proposed(o.0).await? == 0 {
                    return Ok(false);
                }
            }
            Ok(true)
        },
    )
    .await?;
    r.line(format!(
        "spon-matcher proposed a bid for each of the {} orders",
        orders.len()
    ));
    let mut matched = Vec::new();
    for &(order, token, decimals, symbol) in &orders {
        let bid = w.proposed(order).await?;
        ensure!(bid != 0, "order {order} got no proposal");
        let b = w
            .view(w.market, Market::bidOfCall { bid_id: bid })
            .await?
            .bid;
        let score = w
            .view(w.market, Market::scoreOfCall { bid_id: bid })
            .await?
            .score;
        let n = w
            .nodes
            .iter()
            .position(|k| k.address() == b.node)
            .context("a demo node")?;
        r.line(format!(
            "order {order} ({symbol}): bid {bid} of {} at {}/h, score {score} of 1000000",
            names[n],
            show(b.pricePerHour, decimals, symbol)
        ));
        gas.send(
            &tenant,
            w.market,
            Market::acceptMatchCall {
                order_id: order,
                manifest_hash: alloy_primitives::keccak256(manifest(order)),
            },
        )
        .await?;
        matched.push((order, token, decimals, symbol, b.node));
    }

    // The Fizz nodes' leases: the tenant sends its manifest with the
    // spon CLI, through the gateway, and reaches the running service.
    r.section("Fizz workloads (spon lease send-manifest, connect, logs: through the gateway)");
    let fizz_leases: Vec<(u64, usize)> = matched
        .iter()
        .filter_map(|m| Some((m.0, w.nodes.iter().position(|k| k.address() == m.4)?)))
        .filter(|&(_, n)| n >= 3)
        .collect();
    for &(order, n) in &fizz_leases {
        reach_workload(w, s, r, order, names[n], &gateway_tenants).await?;
    }

    // An hour later: settled, fees to the wei.
    w.travel(3_600).await?;
    for &(order, n) in &fizz_leases {
        let started = std::time::Instant::now();
        let status = stopped(&workloads(s, n).join(format!("lease-{order}/status.json"))).await?;
        r.line(format!(
            "lease {order} at its end: {}'s agent stopped its workload ({}) {:.1} s after the chain's clock passed it",
            names[n],
            status["reason"].as_str().unwrap_or("stopped"),
            started.elapsed().as_secs_f64()
        ));
    }
    r.section("Payments after one hour (fee: 0% in SPON, 2% otherwise)");
    let treasury = w.deployer.address();
    for &(order, token, decimals, symbol, node) in &matched {
        let before_node = w.balance(token, node).await?;
        let before_t = w.balance(token, treasury).await?;
        let l = w
            .view(w.leases, Leases::leaseOfCall { lease_id: order })
            .await?
            .lease;
        gas.send(&tenant, w.leases, Leases::settleCall { lease_id: order })
            .await?;
        let to_node = w.balance(token, node).await? - before_node;
        let fee = w.balance(token, treasury).await? - before_t;
        // The node gets the whole bid price; the fee comes on top.
        let gross = l.pricePerHour;
        let expected_fee = if token == w.token {
            U256::ZERO
        } else {
            gross * U256::from(200) / U256::from(10_000)
        };
        ensure!(
            to_node == gross,
            "order {order}: {to_node} to the node, not its price {gross}"
        );
        ensure!(
            fee == expected_fee,
            "order {order}: fee {fee}, expected {expected_fee}"
        );
        r.line(format!(
            "lease {order}: {} to the node, {} fee to the treasury, {} charged to the tenant (checked to the unit)",
            exact(to_node, decimals, symbol),
            exact(fee, decimals, symbol),
            exact(to_node + fee, decimals, symbol)
        ));
    }

    // Node rewards: a week on (the commission in effect), two eras.
    w.travel(7 * DAY).await?;
    r.section(
        "Node rewards per era (points: GPUs × class multiplier × tier booster, in hundredths)",
    );
    w.send(
        &w.deployer,
        w.token,
        Token::approveCall {
            spender: w.rewards,
            value: spon(20_000),
        },
    )
    .await?;
    gas.send(
        &client(w, &w.deployer).await?,
        w.rewards,
        Rewards::fundCall {
            amount: spon(20_000),
        },
    )
    .await?;
    r.line(format!(
        "the treasury funds the reserve with {} (a budget of {} an era)",
        show(spon(20_000), 18, "SPON"),
        show(spon(10_000), 18, "SPON")
    ));
    let first = check_in(w, &mut gas, r, &names).await?;
    next_era(w).await?;
    let second = check_in(w, &mut gas, r, &names).await?;
    let mut paid = claim(w, &mut gas, r, &names, first).await?;

    // The cheat: a GPU-work challenge against provider 3.
    r.section("A cheating node caught by a GPU-work challenge");
    let cheat_node = w.nodes[CHEAT].address();
    let challenger = key("demo challenger");
    let cc = client(w, &challenger).await?;
    w.give(&challenger, spon(10_000), w.challenges).await?;
    let secret = alloy_primitives::B256::repeat_byte(0x5e);
    let delegator = delegators[1].address();
    let stakes = || async {
        let pool = w.view(
            w.staking,
            Staking::poolOfCall {
                provider: cheat_node,
            },
        );
        let held = w.view(
            w.staking,
            Staking::delegationOfCall {
                provider: cheat_node,
                delegator,
            },
        );
        anyhow::Ok((pool.await?.pool.tokens, held.await?.delegation))
    };
    let (pool_before, del_before) = stakes().await?;
    s.stop(&format!("spon-probe {}", IDS[CHEAT])).await?;
    r.line(format!(
        "{} stops its spon-probe, to answer challenges itself",
        names[CHEAT]
    ));
    // Ready before the challenge opens: its root is due within seconds.
    let signer = probe_signer(CHEAT);
    w.fund(signer.address()).await?;
    let probe = Probe::new(
        Client::connect(&w.url, signer.clone()).await?,
        signer,
        cheat_node,
        (w.registry, w.challenges),
        Settings {
            runs: 1,
            cpu_gemm_n: 64,
            cpu_copy_bytes: 1 << 16,
            cpu_only: true,
            ..Settings::default()
        },
        w.dir.join("reports"),
        0,
    );
    gas.send(
        &cc,
        w.challenges,
        Challenges::openChallengeCall {
            kind: 1,
            node: cheat_node,
            lease_id: 0,
            commitment: spon_gpu_work::commitment(challenger.address(), secret),
        },
    )
    .await?;
    let id = w.view(w.challenges, Challenges::countCall {}).await?.count;
    let Answer {
        n, mut c, backend, ..
    } = probe.compute(id).await?;
    for v in &mut c {
        *v ^= 1;
    }
    let tampered = Answer {
        tree: spon_gpu_work::tree(&c),
        n,
        c,
        backend,
    };
    probe.commit_gpu_work(id, &tampered).await?;
    r.line(format!(
        "challenge {id}: the node committed the root of a {n} × {n} product it did not compute"
    ));
    gas.send(
        &cc,
        w.challenges,
        Challenges::revealSampleCall { id, secret },
    )
    .await?;
    let refused = probe
        .prove_gpu_work(id, &tampered)
        .await
        .expect_err("a tampered entry is refused");
    let refused = format!("{refused:#}");
    let (error, meaning) = refused.split_once(" — ").unwrap_or((&refused, ""));
    r.line(format!(
        "its sampled entries are refused: {} ({meaning})",
        error.rsplit("refused: ").next().unwrap_or(error)
    ));
    w.travel(3_601).await?;
    gas.send(&cc, w.challenges, Challenges::resolveCall { id })
        .await?;
    w.travel(spon_protocol::MAX_DECISION_TIME + DAY + 60)
        .await?;
    gas.send(&cc, w.challenges, Challenges::executeSlashCall { id })
        .await?;
    let (pool_after, del_after) = stakes().await?;
    r.line(format!(
        "pool of the node: {} → {}",
        exact(pool_before, 18, "SPON"),
        exact(pool_after, 18, "SPON")
    ));
    r.line(format!(
        "its delegator:    {} → {}",
        exact(del_before, 18, "SPON"),
        exact(del_after, 18, "SPON")
    ));
    ensure!(
        pool_after < pool_before && del_after < del_before,
        "the slash took nothing"
    );
    let tier = w
        .view(w.registry, Registry::tierOfCall { node: cheat_node })
        .await?
        .tier;
    let jailed = w
        .view(
            w.staking,
            Staking::isJailedCall {
                provider: cheat_node,
            },
        )
        .await?
        .isJailed;
    r.line(format!("the node is now tier {tier}, jailed: {jailed}"));

    r.section("Node rewards of the second era (the cheat lost a challenge before its claim)");
    let later = claim(w, &mut gas, r, &names, second).await?;
    ensure!(
        later[CHEAT].is_zero() && !paid[CHEAT].is_zero(),
        "the slashed node was paid for the era of its offence"
    );
    for (p, l) in paid.iter_mut().zip(later) {
        *p += l;
    }
    delegators_share(w, &mut gas, r, &names, &delegators, &paid).await?;

    r.section("Gas (estimates of the devnet's meter, first call of each)");
    for (op, g) in &gas.0 {
        r.line(format!("{op:<70} {g:>9}"));
    }
    Ok(())
}

/// Starts node `n`'s probe: `spon-probe watch --simulate`, sending from
/// its probe key (given gas money).
async fn start_probe(w: &World, s: &mut Services, n: usize) -> Result<()> {
    let key = probe_signer(n);
    w.fund(key.address()).await?;
    let reports = s.dir.join(format!("probe-reports-{}", IDS[n]));
    s.start(
        &format!("spon-probe {}", IDS[n]),
        "spon-probe",
        &args([
            "watch",
            "--rpc-url",
            &w.url,
            "--deployment",
            &arg(&w.record()),
            "--node",
            &w.nodes[n].address().to_string(),
            "--reports",
            &arg(&reports),
            "--simulate",
            "--quiet",
            "--interval-secs",
            "1",
        ]),
        &[("SPON_PROBE_KEY", hex_key(&key))],
    )
}

/// Waits until every node of `nodes` (all if none) has a probe measured
/// in the rewards era now (the probes' processes commit one each era).
async fn probed(w: &World, nodes: Option<&[usize]>) -> Result<()> {
    let starts = w
        .view(w.rewards, Rewards::currentEraCall {})
        .await?
        .currentEra
        .startsAt;
    let all: Vec<usize> = (0..w.nodes.len()).collect();
    let nodes = nodes.unwrap_or(&all);
    until("a probe of the era for every node", PATIENCE, || async {
        for &n in nodes {
            let node = w.nodes[n].address();
            let probe = w
                .view(w.registry, Registry::probeOfCall { node })
                .await?
                .probe;
            if ProbeSummary::unpack(&probe.summary.to_be_bytes()).timestamp < starts {
                return Ok(false);
            }
        }
        Ok(true)
    })
    .await
}

/// Node `n`'s pricing file: SPON at its floor per GPU-hour, tUSD at
/// 1.2 tUSD plus 0.1 per node number.
fn pricing_file(w: &World, n: usize, usd: Address) -> String {
    let floor_spon = [2u128, 3, 1, 1, 1][n];
    format!(
        "max-leases = 4\n\n[[rule]]\ntoken = \"{}\"\nfloor-per-gpu-hour = \"{}\"\n\n\
         [[rule]]\ntoken = \"{usd}\"\nfloor-per-gpu-hour = \"{}\"\n",
        w.token,
        spon(floor_spon),
        1_200_000 + 100_000 * n as u64
    )
}

/// Starts node `n`'s agent on its pricing file (written here) and a
/// certificate it makes; the pricing, as the agent reads it.
async fn start_agent(
    w: &World,
    s: &mut Services,
    n: usize,
    usd: Address,
    gateway: Option<&str>,
) -> Result<Pricing> {
    let id = IDS[n];
    let pem = s.dir.join(format!("agent-{id}.pem"));
    s.run(
        &format!("spon-agent cert {id}"),
        "spon-agent",
        &args(["cert", "--out", &arg(&pem), "--name", "localhost"]),
        &[],
    )
    .await?;
    let path = s.dir.join(format!("pricing-{id}.toml"));
    std::fs::write(&path, pricing_file(w, n, usd))?;
    let mut flags = args([
        "--workloads",
        &arg(&workloads(s, n)),
        "--allow",
        &format!("echo={}", arg(&s.bin("spon-echo"))),
        "--no-containers",
    ]);
    if let Some(g) = gateway {
        flags.extend(args(["--gateway", g]));
    }
    s.start(
        &format!("spon-agent {id}"),
        "spon-agent",
        &[
            args([
                "run",
                "--rpc-url",
                &w.url,
                "--deployment",
                &arg(&w.record()),
                "--pricing",
                &arg(&path),
                "--cert",
                &arg(&pem),
                "--listen",
                "127.0.0.1:0",
                "--manifests",
                &arg(&s.dir.join(format!("manifests-{id}"))),
                "--interval-secs",
                "1",
                "--no-rewards",
            ]),
            flags,
        ]
        .concat(),
        &[("SPON_AGENT_KEY", hex_key(&w.nodes[n]))],
    )?;
    Pricing::from_file(&path)
}

/// The status the agent wrote at `file` once its workload is stopped.
async fn stopped(file: &Path) -> Result<serde_json::Value> {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let status: serde_json::Value = std::fs::read(file)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        if status["state"] == "stopped" {
            return Ok(status);
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "the workload of {} was not stopped: {status}",
            file.display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The tenant of lease `order` on the Fizz node `node` sends its manifest
/// with `spon lease send-manifest`, reaches its service with `spon lease
/// connect` through the gateway's tenants' address `via`, and reads its
/// output with `spon lease logs`.
async fn reach_workload(
    w: &World,
    s: &mut Services,
    r: &mut Report,
    order: u64,
    node: &str,
    via: &str,
) -> Result<()> {
    let file = s.dir.join(format!("manifest-{order}.toml"));
    std::fs::write(&file, manifest(order))?;
    let tenant = [("SPON_PRIVATE_KEY", hex_key(&w.tenant))];
    let lease = order.to_string();
    let spon = |command: &[&str]| {
        let mut all = args(["--rpc-url", &w.url, "--deployment", &arg(&w.record())]);
        all.extend(args(command));
        all.extend(args(["--via", via]));
        all
    };
    s.run(
        &format!("spon lease send-manifest {order}"),
        "spon",
        &spon(&["lease", "send-manifest", &lease, &arg(&file)]),
        &tenant,
    )
    .await?;
    r.line(format!(
        "lease {order} on {node}: spon lease send-manifest {order} manifest-{order}.toml: taken \
         through the gateway; the node runs `echo` (spon-echo) on port 8080"
    ));
    let name = format!("spon lease connect {order}");
    s.start(
        &name,
        "spon",
        &spon(&["lease", "connect", &lease, "--port", "8080"]),
        &tenant,
    )?;
    let line = s.line(&name, "listening", PATIENCE).await?;
    let local: std::net::SocketAddr = line
        .split_whitespace()
        .last()
        .and_then(|a| a.parse().ok())
        .with_context(|| format!("no address in {line:?}"))?;
    let (status, body) = http_get(local, "/").await?;
    ensure!(
        status == 200 && body.contains(&format!("hello from lease {order}")),
        "the workload answered {status}: {body:?}"
    );
    r.line(format!(
        "spon lease connect {order} --port 8080, then GET / on {local}: {status}: {:?}",
        body.trim()
    ));
    s.stop(&name).await?;
    let (ok, out) = s
        .output(
            &format!("spon lease logs {order}"),
            "spon",
            &spon(&["--json", "lease", "logs", &lease]),
            &tenant,
        )
        .await?;
    let logs: serde_json::Value = serde_json::from_str(out.trim()).unwrap_or_default();
    ensure!(
        ok && logs["workload"]["state"] == "running",
        "spon lease logs {order}: {out}"
    );
    r.line(format!(
        "spon lease logs {order}: running; its output: {:?}",
        logs["output"].as_str().unwrap_or_default().trim()
    ));
    Ok(())
}

/// Where node `n`'s agent runs its workloads.
fn workloads(s: &Services, n: usize) -> std::path::PathBuf {
    s.dir.join(format!("workloads-{}", IDS[n]))
}

/// The manifest the tenant records for `order` and sends to its node: the
/// echo service on port 8080, greeting with the lease.
fn manifest(order: u64) -> String {
    format!(
        "command = \"echo\"\nports = [8080]\nrestart = \"on-failure\"\n\n[env]\n\
         GREETING = \"hello, tenant of lease {order}\"\n"
    )
}

/// Provider 1's gateway for the Fizz nodes, on its agent's certificate
/// (registered with its endpoint); its nodes' and tenants' addresses.
async fn start_gateway(w: &World, s: &mut Services) -> Result<(String, String)> {
    let pem = s.dir.join(format!("agent-{}.pem", IDS[0]));
    let identity = Identity::from_pem(&std::fs::read_to_string(&pem)?)?;
    client(w, &w.nodes[0])
        .await?
        .send(
            w.registry,
            Registry::setEndpointCall {
                endpoint: "https://127.0.0.1/manifests".into(),
                tls_cert_hash: identity.hash(),
            },
        )
        .await?;
    s.start(
        "spon-gateway",
        "spon-gateway",
        &args([
            "run",
            "--rpc-url",
            &w.url,
            "--deployment",
            &arg(&w.record()),
            "--account",
            &w.nodes[0].address().to_string(),
            "--cert",
            &arg(&pem),
            "--nodes",
            "127.0.0.1:0",
            "--tenants",
            "127.0.0.1:0",
            "--stats",
            "127.0.0.1:0",
            "--recheck-secs",
            "1",
        ]),
        &[],
    )?;
    let ready = s.line("spon-gateway", "gateway ready", PATIENCE).await?;
    let field = |name: &str| {
        ready
            .split_whitespace()
            .find_map(|f| f.strip_prefix(&format!("{name}=")))
            .map(str::to_string)
            .with_context(|| format!("no {name} in {ready:?}"))
    };
    Ok((field("nodes")?, field("tenants")?))
}

/// Once each agent has logged its decision on every order: what its
/// pricing makes of each (`(node, order, outcome)`), checked against the
/// bids on chain — a bid at the price for each `Bid`, none otherwise.
async fn placed_bids(
    w: &World,
    s: &mut Services,
    pricings: &[Pricing],
    orders: &[(u64, Address, u8, &str)],
) -> Result<Vec<(usize, u64, Outcome)>> {
    let mut out = Vec::new();
    for (n, pricing) in pricings.iter().enumerate() {
        let agent = format!("spon-agent {}", IDS[n]);
        let bidder = Bidder::new(
            client(w, &w.nodes[n]).await?,
            (w.market, w.registry),
            pricing.clone(),
            0,
        );
        for &(order, ..) in orders {
            s.line(&agent, &format!("order={order} "), PATIENCE).await?;
            out.push((n, order, bidder.assess(order).await?));
        }
    }
    let count = w.view(w.market, Market::countsCall {}).await?.counts.bids;
    let mut on_chain = Vec::new();
    for id in 1..=count {
        on_chain.push(
            w.view(w.market, Market::bidOfCall { bid_id: id })
                .await?
                .bid,
        );
    }
    for (n, order, outcome) in &out {
        let node = w.nodes[*n].address();
        let placed: Vec<U256> = on_chain
            .iter()
            .filter(|b| b.orderId == *order && b.node == node)
            .map(|b| b.pricePerHour)
            .collect();
        let wanted: Vec<U256> = match outcome {
            Outcome::Bid(p) => vec![*p],
            _ => Vec::new(),
        };
        ensure!(
            placed == wanted,
            "{}'s agent placed {placed:?} on order {order}, its pricing says {outcome}",
            IDS[*n]
        );
    }
    Ok(out)
}

/// Starts spon-matcher on a config file written here, sending from its
/// own account.
async fn start_matcher(w: &World, s: &mut Services) -> Result<()> {
    let key = key("demo matcher");
    w.fund(key.address()).await?;
    let config = s.dir.join("matcher.toml");
    std::fs::write(
        &config,
        format!(
            "rpc = {:?}\ndeployment = {:?}\ndb = {:?}\ninterval-secs = 1\nconfirm-timeout-secs = 20\n",
            w.url,
            arg(&w.record()),
            arg(&s.dir.join("matcher.redb"))
        ),
    )?;
    s.start(
        "spon-matcher",
        "spon-matcher",
        &args(["--config", &arg(&config)]),
        &[("SPON_MATCHER_KEY", hex_key(&key))],
    )
}

/// Provider 1's commission on its pool's rewards, basis points.
const COMMISSION_BPS: u16 = 1_000;

/// Once every node's spon-probe has committed the probe of the era now,
/// every node checks in for it; the era's number.
async fn check_in(w: &World, gas: &mut Gas, r: &mut Report, names: &[&str]) -> Result<u64> {
    let era = w
        .view(w.rewards, Rewards::currentEraCall {})
        .await?
        .currentEra
        .era;
    probed(w, None).await?;
    for (n, k) in w.nodes.iter().enumerate() {
        let node = k.address();
        gas.send(
            &client(w, k).await?,
            w.rewards,
            Rewards::checkInCall { node },
        )
        .await?;
        let c = w
            .view(w.rewards, Rewards::checkInOfCall { era, node })
            .await?
            .checkIn;
        r.line(format!(
            "era {era}: {:<24} checks in: {} points (tier {})",
            names[n], c.points, c.tier
        ));
    }
    Ok(era)
}

/// Moves the clock to the start of the next era.
async fn next_era(w: &World) -> Result<()> {
    let era = w
        .view(w.rewards, Rewards::currentEraCall {})
        .await?
        .currentEra;
    w.travel(era.endsAt - w.now().await?).await
}

/// Each node claims its share of `era` (once `claimDelay` has passed);
/// what each was paid, checked to be ⌊budget · points / total⌋ and within
/// the budget.
async fn claim(
    w: &World,
    gas: &mut Gas,
    r: &mut Report,
    names: &[&str],
    era: u64,
) -> Result<Vec<U256>> {
    let at = w
        .view(w.rewards, Rewards::eraOfCall { era })
        .await?
        .era
        .claimableAt;
    let now = w.now().await?;
    if now < at {
        w.travel(at - now).await?;
    }
    let mut paid = Vec::new();
    for k in &w.nodes {
        let node = k.address();
        gas.send(
            &client(w, k).await?,
            w.rewards,
            Rewards::claimCall { era, node },
        )
        .await?;
    }
    let e = w.view(w.rewards, Rewards::eraOfCall { era }).await?.era;
    for (n, k) in w.nodes.iter().enumerate() {
        let c = w
            .view(
                w.rewards,
                Rewards::checkInOfCall {
                    era,
                    node: k.address(),
                },
            )
            .await?
            .checkIn;
        let share = e.budget * U256::from(c.points) / e.totalPoints;
        ensure!(
            c.amount == share,
            "era {era}: {} got {}, not ⌊budget · points / total⌋ = {share}",
            names[n],
            c.amount
        );
        let state = CheckInState::name_of(c.state);
        r.line(format!(
            "era {era}: {:<24} {:>6} of {} points: {state} {}",
            names[n],
            c.points,
            e.totalPoints,
            show(c.amount, 18, "SPON")
        ));
        paid.push(if c.state == CheckInState::Paid as u8 {
            c.amount
        } else {
            U256::ZERO
        });
    }
    let total: U256 = paid.iter().copied().sum();
    ensure!(
        total <= e.budget,
        "era {era} paid {total}, above its budget"
    );
    r.line(format!(
        "era {era}: {} paid of a {} budget, {} forfeited back to the reserve, {} wei of rounding unpaid",
        show(total, 18, "SPON"),
        show(e.budget, 18, "SPON"),
        show(e.budget - e.unpaid - total, 18, "SPON"),
        e.unpaid
    ));
    Ok(paid)
}

/// Once the rewards have streamed: each delegator's pending rewards,
/// checked to be its pool share × (1 − commission) of what its provider's
/// pool was paid, and delegator a claims them.
async fn delegators_share(
    w: &World,
    gas: &mut Gas,
    r: &mut Report,
    names: &[&str],
    delegators: &[PrivateKeySigner],
    paid: &[U256],
) -> Result<()> {
    r.section("Delegators' share (streamed over the reward period, a week)");
    w.travel(7 * DAY).await?;
    for (d, n) in delegators.iter().zip([0usize, CHEAT]) {
        let provider = w.nodes[n].address();
        let delegator = d.address();
        let pool = w
            .view(w.staking, Staking::poolOfCall { provider })
            .await?
            .pool;
        let held = w
            .view(
                w.staking,
                Staking::delegationOfCall {
                    provider,
                    delegator,
                },
            )
            .await?
            .delegation;
        let bps = w
            .view(w.staking, Staking::commissionOfCall { provider })
            .await?
            .commission
            .effectiveBps;
        let net = paid[n] - paid[n] * U256::from(bps) / U256::from(BPS);
        let want = net * held / pool.tokens;
        let got = w
            .view(
                w.staking,
                Staking::pendingRewardsCall {
                    provider,
                    staker: delegator,
                },
            )
            .await?
            .pendingRewards;
        // The accumulator's rounding, per reward paid (two eras).
        let slack = U256::from(2) * (U256::from(2) + pool.shares / U256::from(10u64.pow(18)));
        ensure!(
            got <= want && want - got <= slack,
            "delegator of {}: {got} pending, its share is {want}",
            names[n]
        );
        let own = w
            .view(
                w.staking,
                Staking::pendingRewardsCall {
                    provider,
                    staker: provider,
                },
            )
            .await?
            .pendingRewards;
        r.line(format!(
            "{:<24} paid {} into its pool; commission {}%; the provider has {} pending",
            names[n],
            show(paid[n], 18, "SPON"),
            f64::from(bps) / 100.0,
            show(own, 18, "SPON")
        ));
        r.line(format!(
            "  its delegator, {} of the pool's {}: {} pending (its share × (1 − commission), checked to {slack} wei)",
            show(held, 18, "SPON"),
            show(pool.tokens, 18, "SPON"),
            show(got, 18, "SPON")
        ));
        let before = w.balance(w.token, delegator).await?;
        gas.send(
            &client(w, d).await?,
            w.staking,
            Staking::claimRewardsCall { provider },
        )
        .await?;
        let after = w.balance(w.token, delegator).await?;
        ensure!(
            after - before == got,
            "the delegator claimed {}, not {got}",
            after - before
        );
        r.line(format!("  it claims them: +{}", exact(got, 18, "SPON")));
    }
    Ok(())
}

fn main() -> Result<()> {
    let short = std::env::args().any(|a| a == "--short");
    let target = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("the workspace")?
        .join("target");
    let root = target.join("demo");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let mut s = Services::new(root.join("market"))?;
            let mut report = Report::default();
            let mut w = deploy(&mut s, &mut report, &target.join("stylus")).await?;
            play(&mut w, &mut s, short, &mut report).await?;
            let page = root.join("report.html");
            std::fs::write(&page, report.html())?;
            println!("\nHTML report: {}", page.display());
            console(&w, &mut s, short).await
        })
}

/// Starts spon-devnet, deploys the protocol with spon-deploy, and sets up
/// the three Provider nodes (staked, approved by a vote) and the tenant.
async fn deploy(s: &mut Services, r: &mut Report, artifacts: &Path) -> Result<World> {
    r.section("Deployment");
    let deployer = key("deployer");
    s.start(
        "spon-devnet",
        "spon-devnet",
        &args([
            "--port",
            "0",
            "--fund",
            &format!("{}=100", deployer.address()),
        ]),
        &[],
    )?;
    let line = s
        .line("spon-devnet", "spon-devnet: chain ", PATIENCE)
        .await?;
    let url = line
        .rsplit(' ')
        .next()
        .filter(|u| u.starts_with("http://"))
        .with_context(|| format!("spon-devnet printed {line:?}"))?
        .to_string();
    s.run(
        "spon-deploy",
        "spon-deploy",
        &args([
            "--rpc-url",
            &url,
            "--guardian",
            "0x0000000000000000000000000000000000000061",
            "--artifacts",
            &arg(artifacts),
            "--out",
            &arg(&s.dir.join("deployments")),
        ]),
        &[("SPON_DEPLOYER_KEY", hex_key(&deployer))],
    )
    .await?;
    let w = World::attach(url, deployer, s.dir.clone())?;
    r.line(format!(
        "spon-devnet at {} — spon-deploy: {} contracts, market {}, governor {}",
        w.url,
        w.contracts.len(),
        w.market,
        w.governor
    ));
    w.populate().await?;
    Ok(w)
}

/// Starts `spon-console` on the demo's chain, checks its overview against
/// the chain and, unless `short`, leaves the market and the console up
/// until interrupted (or until a service stops, which is an error).
async fn console(w: &World, s: &mut Services, short: bool) -> Result<()> {
    let listen = std::env::var("SPON_CONSOLE_LISTEN").unwrap_or_else(|_| {
        if short {
            "127.0.0.1:0"
        } else {
            "127.0.0.1:8700"
        }
        .into()
    });
    s.start(
        "spon-console",
        "spon-console",
        &args([
            "--rpc-url",
            &w.url,
            "--listen",
            &listen,
            "--poll-ms",
            "1000",
            "--deployment",
            &arg(&w.record()),
            "--db",
            &arg(&s.dir.join("console.redb")),
        ]),
        &[],
    )?;
    let line = s.line("spon-console", "SPON console: ", PATIENCE).await?;
    let url = line
        .split("SPON console: ")
        .nth(1)
        .unwrap_or_default()
        .trim()
        .to_string();
    check_console(w, &url).await?;
    look(w, &url).await?;
    if short {
        return Ok(());
    }
    println!(
        "\nThe market is up: {} (logs in {}).",
        s.names().collect::<Vec<_>>().join(", "),
        s.dir.join("logs").display()
    );
    println!("The console: {url} — Ctrl-C stops everything.");
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    loop {
        tokio::select! {
            r = tokio::signal::ctrl_c() => break r.context("waiting for Ctrl-C")?,
            _ = term.recv() => break,
            () = tokio::time::sleep(Duration::from_secs(1)) => s.check()?,
        }
    }
    println!("Stopping the market.");
    Ok(())
}

/// What the console's overview must show, read from the chain: nodes,
/// GPUs of Active nodes by model name, GPUs held by running leases, and
/// GPUs of Active nodes.
struct Expected {
    nodes: usize,
    by_model: Vec<(String, u64)>,
    leased: u64,
    available: u64,
}

impl Expected {
    async fn of(w: &World) -> Result<Self> {
        use spon_protocol::states::{LeaseState, NodeState};
        let mut by_model = std::collections::BTreeMap::<u16, u64>::new();
        let mut nodes = 0;
        for k in &w.nodes {
            let record = w
                .view(w.registry, Registry::nodeOfCall { node: k.address() })
                .await?
                .node;
            nodes += usize::from(record.state != 0);
            if record.state == NodeState::Active as u8 {
                let hw = Hardware::unpack(&record.hardware.to_be_bytes());
                *by_model.entry(hw.gpu_model).or_default() += u64::from(hw.gpu_count);
            }
        }
        let now = w.now().await?;
        let mut leased = 0;
        let orders = w.view(w.market, Market::countsCall {}).await?.counts.orders;
        for id in 1..=orders {
            let l = w
                .view(w.leases, Leases::leaseOfCall { lease_id: id })
                .await?
                .lease;
            if l.state == LeaseState::Active as u8 && now < l.end {
                let order = w
                    .view(w.market, Market::orderOfCall { order_id: id })
                    .await?
                    .order;
                let req = spon_scoring::Requirements::unpack(&order.requirements.to_be_bytes());
                leased += u64::from(req.gpu_count);
            }
        }
        Ok(Self {
            nodes,
            available: by_model.values().sum(),
            by_model: by_model
                .into_iter()
                .map(|(m, n)| (hardware::gpu::name(m).to_string(), n))
                .collect(),
            leased,
        })
    }

    fn utilisation(&self) -> String {
        format!("{} of {} GPUs leased", self.leased, self.available)
    }
}

/// The console in a real browser (headless Chromium, where installed):
/// the overview against the chain (nodes, GPUs by model, utilisation),
/// a node followed to its lease and the lease's payment to the unit; then
/// a new order placed while the browser watches — it shows by itself, the
/// agents bid, spon-matcher proposes, the tenant accepts — and the
/// overview's utilisation follows. Screenshots under
/// `target/demo/screenshots/`.
async fn look(w: &World, url: &str) -> Result<()> {
    let shots = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("the workspace")?
        .join("target/demo/screenshots");
    println!("\n== The console in a browser");
    let Some(b) = Browser::open(shots.clone()).await? else {
        println!("  skipped: no chromedriver/chromium (scripts/setup installs them)");
        let order = new_lease(w).await?;
        let leased = Expected::of(w).await?.leased;
        until(
            "the console's API showing the new lease",
            PATIENCE,
            || async { Ok(overview(url).await?["gpus_leased"].as_u64() == Some(leased)) },
        )
        .await?;
        println!("  a new order, {order}, bid on, proposed and accepted: the console's API shows {leased} GPUs leased");
        return Ok(());
    };
    let expect = Expected::of(w).await?;
    b.goto(&format!("{url}/")).await?;
    let nodes = b.text("#nodes b").await?;
    ensure!(
        nodes == expect.nodes.to_string(),
        "the browser shows {nodes} nodes, the chain has {}",
        expect.nodes
    );
    let util = b.text("#utilisation small").await?;
    ensure!(
        util == expect.utilisation(),
        "the browser shows {util:?}, the chain {:?}",
        expect.utilisation()
    );
    // The first chart: its title, then a label and a value per model.
    let texts = b.texts("section.charts svg:first-of-type text").await?;
    let bars: Vec<(String, u64)> = texts
        .get(1..)
        .unwrap_or_default()
        .chunks(2)
        .map(|p| {
            (
                p[0].clone(),
                p.get(1).and_then(|v| v.parse().ok()).unwrap_or(0),
            )
        })
        .collect();
    ensure!(
        bars == expect.by_model,
        "the browser's chart shows {bars:?}, the chain {:?}",
        expect.by_model
    );
    b.shot("overview.png").await?;
    println!(
        "  overview: {nodes} nodes, GPUs {}, {util} — as the chain holds them",
        bars.iter()
            .map(|(m, n)| format!("{n} × {m}"))
            .collect::<Vec<_>>()
            .join(", ")
    );

    // Nodes → the node of lease 1 → lease 1.
    let lease = w
        .view(w.leases, Leases::leaseOfCall { lease_id: 1 })
        .await?
        .lease;
    b.goto(&format!("{url}/nodes")).await?;
    b.click(&format!("a[href='/nodes/{}']", lease.node)).await?;
    let hw = Hardware::unpack(
        &w.view(w.registry, Registry::nodeOfCall { node: lease.node })
            .await?
            .node
            .hardware
            .to_be_bytes(),
    );
    let want = format!("{} × {}", hw.gpu_count, hardware::gpu::name(hw.gpu_model));
    let shown = b.text("#node-hardware").await?;
    ensure!(
        shown.starts_with(&want),
        "the node page shows {shown:?}, the chain {want:?}"
    );
    b.shot("node.png").await?;
    b.click("#leases-table a[href='/leases/1']").await?;
    ensure!(
        b.path().await? == "/leases/1",
        "the lease link went to {}",
        b.path().await?
    );
    let paid = b.text("#lease-paid").await?;
    ensure!(
        paid == spon_text(lease.paid),
        "lease 1 shows {paid} paid, the chain {}",
        lease.paid
    );
    b.shot("lease.png").await?;
    println!(
        "  node {} → lease 1: {want}, {paid} paid to the node, as the chain holds it",
        lease.node
    );

    // A new order while the orders page is open: it shows by itself.
    b.goto(&format!("{url}/orders")).await?;
    let rows = b.texts("#orders-table tbody tr").await?.len();
    let started = std::time::Instant::now();
    let order = new_order(w).await?;
    let deadline = started + Duration::from_secs(15);
    while b
        .texts("#orders-table tbody tr")
        .await
        .map_or(0, |r| r.len())
        != rows + 1
    {
        ensure!(
            std::time::Instant::now() < deadline,
            "order {order} never showed in the browser"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    println!(
        "  a new order, {order}, showed in the open page after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    b.shot("orders.png").await?;
    accept(w, order).await?;
    let expect = Expected::of(w).await?;
    b.goto(&format!("{url}/")).await?;
    let util = b
        .wait_text("#utilisation small", Duration::from_secs(15), |t| {
            t == expect.utilisation()
        })
        .await?;
    b.shot("overview-leased.png").await?;
    println!(
        "  its agents bid, spon-matcher proposed, the tenant accepted: the overview shows {util}"
    );
    println!("  screenshots: {}", shots.display());
    b.close().await
}

/// Once the running probes have committed the probe of the era now (an
/// agent prices an order once, with its node's tier of that moment), the
/// tenant orders 4 Hopper GPUs for an hour in SPON; the order's id.
async fn new_order(w: &World) -> Result<u64> {
    let running: Vec<usize> = (0..w.nodes.len()).filter(|&n| n != CHEAT).collect();
    probed(w, Some(&running)).await?;
    w.order().await
}

/// Waits for spon-matcher's proposal on `order` (the agents bid on it by
/// themselves) and accepts it as the tenant.
async fn accept(w: &World, order: u64) -> Result<()> {
    until(
        "spon-matcher's proposal for the new order",
        PATIENCE,
        || async { Ok(w.proposed(order).await? != 0) },
    )
    .await?;
    w.accept(order, manifest(order).as_bytes()).await
}

/// Without a browser: the same new order, proposed and accepted, and the
/// console's API showing the lease running.
async fn new_lease(w: &World) -> Result<u64> {
    let order = new_order(w).await?;
    accept(w, order).await?;
    Ok(order)
}

/// The console's `/api/overview`.
async fn overview(url: &str) -> Result<serde_json::Value> {
    Ok(reqwest::get(format!("{url}/api/overview"))
        .await?
        .error_for_status()?
        .json()
        .await?)
}

/// The console's overview against what the chain holds.
async fn check_console(w: &World, url: &str) -> Result<()> {
    let overview = overview(url).await?;
    let count = |k: &str| overview[k].as_u64().unwrap_or(u64::MAX);
    let orders = w.view(w.market, Market::countsCall {}).await?.counts.orders;
    ensure!(
        count("provider_nodes") + count("fizz_nodes") == w.nodes.len() as u64,
        "the console shows {} nodes, the chain has {}",
        count("provider_nodes") + count("fizz_nodes"),
        w.nodes.len()
    );
    ensure!(
        count("orders") == orders,
        "the console shows {} orders, the market holds {orders}",
        count("orders")
    );
    println!("\n== Console (spon-console, its own process)");
    println!(
        "  {url}: {} Provider and {} Fizz nodes, {} of {} GPUs leased, {} orders, {} leases, slashes executed: {} — as the chain holds them",
        count("provider_nodes"),
        count("fizz_nodes"),
        count("gpus_leased"),
        count("gpus_available"),
        count("orders"),
        count("leases"),
        count("slashes"),
    );
    Ok(())
}
