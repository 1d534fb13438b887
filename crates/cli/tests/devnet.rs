//! `spon` as a user runs it, against the whole protocol on the devnet
//! over JSON-RPC: each command's happy path, and the mistakes users make
//! most (wrong network, missing approval, unknown order, insufficient
//! balance, a contract's refusal) with the message they get.

use std::{path::PathBuf, process::Command};

use alloy_primitives::hex;
use alloy_signer_local::PrivateKeySigner;
use serde_json::Value;
use spon_e2e::rpc::{key, world, World};

/// Runs `spon args` as `who`: `(success, stdout, stderr)`.
fn spon(w: &World, who: &PrivateKeySigner, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_spon"))
        .args(args)
        .env("SPON_RPC_URL", &w.url)
        .env("SPON_DEPLOYMENT", record(w))
        .env("SPON_PRIVATE_KEY", hex::encode_prefixed(who.to_bytes()))
        .current_dir(&w.dir)
        .output()
        .expect("spon runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `spon --json args` and expects success: its JSON object.
fn ok(w: &World, who: &PrivateKeySigner, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let (success, out, err) = spon(w, who, &all);
    assert!(success, "spon {args:?} failed: {out}{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("spon {args:?}: {e}: {out}"))
}

/// Runs `spon args` and expects failure: its standard error.
fn fails(w: &World, who: &PrivateKeySigner, args: &[&str]) -> String {
    let (success, out, err) = spon(w, who, args);
    assert!(!success, "spon {args:?} succeeded: {out}");
    err
}

fn record(w: &World) -> PathBuf {
    w.dir
        .join("deployments")
        .join(format!("{}.json", spon_devnet::CHAIN_ID))
}

const ORDER: &[&str] = &[
    "order",
    "create",
    "--gpu",
    "h100",
    "--gpus",
    "4",
    "--min-vram-mib",
    "80000",
    "--regions",
    "DE",
    "--min-bandwidth-mbps",
    "1000",
    "--compute",
    "cuda",
    "--max-price-per-hour",
    "10",
    "--duration",
    "1h",
];

#[test]
fn every_role_through_the_cli() {
    let (w, _rt) = world("cli");
    let (tenant, node) = (&w.tenant, &w.nodes[0]);
    let node_addr = node.address().to_string();

    // Tenant: an order of 4 × H100 in Germany, deposit = 10 SPON × 1 h.
    let o = ok(&w, tenant, ORDER);
    let order = o["order"].as_str().unwrap().to_string();
    assert_eq!(o["deposit"]["amount"], "10");

    // Node: bids 8 SPON/h; anyone proposes it; the tenant accepts with
    // its manifest.
    let b = ok(&w, node, &["bid", "place", &order, "8"]);
    let bid = b["bid"].as_str().unwrap().to_string();
    assert!(b["score"].as_str().unwrap().parse::<u64>().unwrap() > 0);
    ok(&w, node, &["match", "propose", &order, &bid]);
    std::fs::write(w.dir.join("manifest.yaml"), "image: pytorch\ngpus: 4\n").unwrap();
    let a = ok(
        &w,
        tenant,
        &["match", "accept", &order, "--manifest", "manifest.yaml"],
    );
    assert_eq!(a["node"], node_addr);
    let s = ok(&w, tenant, &["order", "status", &order]);
    assert_eq!(s["state"], "matched");
    assert_eq!(s["bids"][0]["state"], "won");
    assert_eq!(s["lease"]["state"], "active");

    // Half an hour later anyone settles: 4 SPON to the node, no fee in SPON.
    ok(&w, tenant, &["dev", "travel", "30m"]);
    let settled = ok(&w, tenant, &["lease", "settle", &order]);
    let paid: u128 = settled["to node"]["raw"].as_str().unwrap().parse().unwrap();
    assert!(
        (4_000_000_000_000_000_000..4_010_000_000_000_000_000).contains(&paid),
        "{paid}"
    );
    assert_eq!(settled["fee"]["raw"], "0");
    ok(&w, tenant, &["order", "top-up", &order, "2", "--approve"]);
    let closed = ok(&w, tenant, &["lease", "close", &order]);
    assert_eq!(closed["closed"], "yes");

    // A delegator: SPON from the deployer, delegated with the approval
    // made on the way, then unbonding started.
    let delegator = key("cli delegator");
    ok(
        &w,
        tenant,
        &["dev", "fund", &delegator.address().to_string()],
    );
    ok(
        &w,
        &w.deployer,
        &["token", "transfer", &delegator.address().to_string(), "500"],
    );
    let d = ok(
        &w,
        &delegator,
        &["delegate", &node_addr, "300", "--approve"],
    );
    assert_eq!(d["your delegation"]["amount"], "300");
    let u = ok(&w, &delegator, &["undelegate", &node_addr, "100"]);
    assert!(u["request"]["id"].as_str().is_some());
    let b = ok(&w, &delegator, &["token", "balance"]);
    assert_eq!(b["balance"]["amount"], "200");

    // The node's view and the market's.
    let n = ok(&w, tenant, &["node", &node_addr]);
    assert_eq!(n["state"], "active");
    let tier = n["tier"].as_u64().unwrap();
    assert!(tier <= 6, "a probed, approved node is trusted: tier {tier}");
    let m = ok(&w, tenant, &["status"]);
    assert_eq!(m["orders"]["matched"], 1);
    assert_eq!(m["leases"]["closed"], 1);
    assert_eq!(
        m["nodesByTier"][tier.to_string()].as_array().unwrap().len(),
        3
    );

    // Governance: a proposal to change a market parameter, voted with the
    // deployer's SPON, queued and executed.
    let p = ok(
        &w,
        &w.deployer,
        &[
            "gov",
            "propose",
            "--description",
            "longer bids",
            "--set-parameter",
            "market:bidWindow=7200",
        ],
    );
    let id = p["proposal"].as_str().unwrap().to_string();
    ok(&w, tenant, &["dev", "travel", "1d"]);
    ok(
        &w,
        &w.deployer,
        &["gov", "vote", &id, "for", "100000000", "--approve"],
    );
    ok(&w, tenant, &["dev", "travel", "3d"]);
    ok(&w, &w.deployer, &["gov", "queue", &id]);
    ok(&w, tenant, &["dev", "travel", "2d"]);
    ok(&w, &w.deployer, &["gov", "execute", &id]);
    assert_eq!(ok(&w, tenant, &["gov", "status", &id])["state"], "executed");
}

#[test]
fn rewards_reach_delegators_through_the_cli() {
    let (w, _rt) = world("cli-rewards");
    let (tenant, node) = (&w.tenant, &w.nodes[0]);
    let node_addr = node.address().to_string();

    // The treasury funds the reserve; a delegator backs the node.
    let f = ok(&w, &w.deployer, &["rewards", "fund", "20000", "--approve"]);
    assert_eq!(f["reserve"]["amount"], "20000");
    let delegator = key("cli rewards delegator");
    let d_addr = delegator.address().to_string();
    ok(&w, tenant, &["dev", "fund", &d_addr]);
    ok(&w, &w.deployer, &["token", "transfer", &d_addr, "50000"]);
    ok(
        &w,
        &delegator,
        &["delegate", &node_addr, "50000", "--approve"],
    );

    // The node (probed in this era) checks in; claiming waits for the
    // era's end and `claimDelay`.
    let c = ok(&w, node, &["rewards", "check-in"]);
    let era = c["era"].as_str().unwrap().to_string();
    assert!(c["points"].as_u64().unwrap() > 0, "{c}");
    let n = ok(&w, tenant, &["node", &node_addr]);
    assert_eq!(
        n[format!("rewards era {era}")]["state"],
        "checked in",
        "{n}"
    );
    let err = fails(&w, node, &["rewards", "claim", "--era", &era]);
    assert!(err.contains("refused ClaimTooEarly("), "{err}");
    ok(&w, tenant, &["dev", "travel", "2d"]);
    // The node is alone in the era: the whole budget is its share.
    let p = ok(
        &w,
        tenant,
        &["rewards", "claim", "--era", &era, "--node", &node_addr],
    );
    assert_eq!(p["paid into its pool"]["amount"], "10000");
    let s = ok(&w, tenant, &["rewards", "status", "--node", &node_addr]);
    assert_eq!(s["reserve"]["amount"], "10000");

    // Streamed over the reward period, then half of it is the
    // delegator's (50,000 of the pool's 100,000, no commission).
    ok(&w, tenant, &["dev", "travel", "7d"]);
    let st = ok(&w, &delegator, &["stake", "status"]);
    let pool = &st["pools"][0];
    assert_eq!(pool["provider"], node_addr);
    assert_eq!(pool["role"], "delegation");
    assert_eq!(pool["shareBps"], 5_000);
    assert_eq!(pool["rewardsToPool"]["amount"], "10000");
    let pending: f64 = pool["pending"]["amount"].as_str().unwrap().parse().unwrap();
    assert!((4_999.0..=5_000.0).contains(&pending), "{pool}");
    assert_eq!(pool["claimed"]["amount"], "0");
    ok(&w, &delegator, &["rewards", "pool", &node_addr, "--claim"]);
    let st = ok(&w, &delegator, &["stake", "status"]);
    assert_eq!(st["pools"][0]["claimed"], pool["pending"]);
    assert_eq!(st["pools"][0]["pending"]["amount"], "0");
    let own = ok(&w, node, &["stake", "status"]);
    assert_eq!(own["pools"][0]["role"], "own pool");
}

#[test]
fn mistakes_get_clear_messages() {
    let (w, _rt) = world("cli-mistakes");
    let stranger = key("cli stranger");
    ok(
        &w,
        &w.tenant,
        &["dev", "fund", &stranger.address().to_string()],
    );

    // Wrong network: a record of another chain.
    let text = std::fs::read_to_string(record(&w)).unwrap();
    let other = w.dir.join("other.json");
    std::fs::write(
        &other,
        text.replace("\"chainId\": 412346", "\"chainId\": 42161"),
    )
    .unwrap();
    let err = fails(
        &w,
        &w.tenant,
        &["--deployment", other.to_str().unwrap(), "status"],
    );
    assert!(err.contains("wrong network: the endpoint is chain 412346 but the deployment record is for chain 42161"), "{err}");

    // Missing approval: the stranger holds SPON but approved nobody.
    ok(
        &w,
        &w.deployer,
        &["token", "transfer", &stranger.address().to_string(), "100"],
    );
    let err = fails(&w, &stranger, &["stake", "50"]);
    assert!(err.contains("missing approval: the staking contract may spend 0 SPON of yours but this needs 50 SPON"), "{err}");
    assert!(err.contains("spon token approve staking 50"), "{err}");

    // Insufficient balance.
    let err = fails(&w, &stranger, &["stake", "500", "--approve"]);
    assert!(err.contains("insufficient balance"), "{err}");
    assert!(
        err.contains("holds 100 SPON but this needs 500 SPON"),
        "{err}"
    );

    // A parameter the contract does not have, by id or by name.
    for p in ["market:2=5", "market:quorumBps=5"] {
        let args = ["gov", "propose", "--description", "x", "--set-parameter", p];
        let err = fails(&w, &w.deployer, &args);
        assert!(err.contains("market has no parameter"), "{err}");
    }

    // Unknown order.
    let err = fails(&w, &w.tenant, &["order", "status", "999"]);
    assert!(
        err.contains("unknown order 999: orders run from 1 to 0"),
        "{err}"
    );

    // A contract's refusal, named with its arguments and meaning: the
    // stranger is no node.
    let o = ok(&w, &w.tenant, ORDER);
    let order = o["order"].as_str().unwrap();
    let err = fails(&w, &stranger, &["bid", "place", order, "5"]);
    assert!(
        err.contains("placeBid(uint64,uint256) refused NodeNotActive("),
        "{err}"
    );
    assert!(err.contains("meaning:"), "{err}");
    let (_, out, _) = spon(&w, &stranger, &["--json", "bid", "place", order, "5"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["error"].as_str().unwrap().starts_with("NodeNotActive("),
        "{v}"
    );

    // No wallet, and bad input caught before anything is sent.
    let out = Command::new(env!("CARGO_BIN_EXE_spon"))
        .args(["stake", "1"])
        .env("SPON_RPC_URL", &w.url)
        .env("SPON_DEPLOYMENT", record(&w))
        .env_remove("SPON_PRIVATE_KEY")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no wallet: set SPON_PRIVATE_KEY"), "{err}");
    let err = fails(
        &w,
        &w.tenant,
        &[
            "order",
            "create",
            "--gpu",
            "tpu",
            "--max-price-per-hour",
            "1",
            "--duration",
            "1h",
        ],
    );
    assert!(err.contains("unknown GPU \"tpu\""), "{err}");
    let err = fails(
        &w,
        &w.tenant,
        &[
            "token",
            "transfer",
            &stranger.address().to_string(),
            "1.5.2",
        ],
    );
    assert!(err.contains("is not an amount"), "{err}");
}
