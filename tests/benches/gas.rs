//! The gas table: estimated gas of the protocol's operations on the real
//! WASM (the devnet's meter: operators priced in ink by Stylus's published
//! table, host I/O and state as published and as the EVM prices them), each
//! measured twice — beside 1 and beside 1,000 other delegators of the same
//! provider and other open orders — which must cost the same (no loop over
//! user-controlled sets): the same storage slots read and written, and gas
//! within [`TOLERANCE`] (larger ids cost more calldata — 16 gas a non-zero
//! byte — and U256 arithmetic on larger totals a few more operators).
//! The rewards rows are measured beside 1 and beside 10,000 other nodes
//! checked in for the same era (`SPON_BENCH_NODES` to change it), within
//! [`REWARDS_TOLERANCE`]. Prints Markdown tables; exits with an
//! error if a figure differs.
//!
//! `cargo bench -p spon-e2e --bench gas`

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use anyhow::{bail, Result};
use k256::ecdsa::SigningKey;
use spon_devnet::{Chain, GENESIS_TIME};
use spon_e2e::{
    a, address_of, deploy, deploy_core, hopper_order, send, sign_probe, spon, Core, ProbeResult,
    SponLeases as L, SponMarket as M, SponRegistry as R, SponRewards as W, SponStaking as S,
    SponToken as T, HOPPER, SPON,
};
use spon_node::{probe, ProbeSummary};

/// Most gas a row may differ by between the two measurements.
const TOLERANCE: u64 = 50;

/// The same for the rewards rows: a node's share, its commission and its
/// stream rate are 256-bit divisions whose operator count grows with the
/// size of the numbers (a share of a larger total is smaller), while the
/// slots touched must still be the same.
const REWARDS_TOLERANCE: u64 = 200;

/// One measured operation: gas, slots written, slots read.
type Row = (&'static str, u64, usize, usize);

struct World {
    chain: Chain,
    token: Address,
    staking: Address,
    registry: Address,
    leases: Address,
    market: Address,
    gov: Address,
    bank: Address,
    tenant: Address,
    /// The rows, in the order measured.
    table: Vec<Row>,
}

impl World {
    /// Sends `call`; it must succeed.
    fn ok<C: SolCall>(&mut self, from: Address, to: Address, call: &C) -> Result<C::Return> {
        spon_e2e::ok(&mut self.chain, from, to, call)
    }

    /// Sends `call` and records its gas as `name`.
    fn measure<C: SolCall>(
        &mut self,
        name: &'static str,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<C::Return> {
        let sent = send(&mut self.chain, from, to, call)?;
        let o = &sent.outcome;
        self.table
            .push((name, o.gas, o.slots_written, o.slots_read));
        sent.result
            .map_err(|e| anyhow::anyhow!("{} refused: {e}", C::SIGNATURE))
    }

    fn new() -> Result<Self> {
        let mut chain = Chain::new();
        let (bank, gov, treasury, tenant) = (a(0xB0), a(0xA1), a(0xA2), a(0x7E));
        let Core {
            token,
            staking,
            registry,
            leases,
        } = deploy_core(&mut chain, bank, gov, treasury)?;
        let market = deploy(
            &mut chain,
            "spon-market",
            gov,
            &M::constructorCall {
                spon: token,
                registry,
                staking,
                leases,
                governance: gov,
            },
        )?;
        let mut w = World {
            chain,
            token,
            staking,
            registry,
            leases,
            market,
            gov,
            bank,
            tenant,
            table: Vec::new(),
        };
        // Wiring as deployed; `gov` also stands in for the challenges
        // contract (the slash row).
        w.ok(
            gov,
            registry,
            &R::setRoleCall {
                role: 1,
                account: leases,
                enabled: true,
            },
        )?;
        w.ok(
            gov,
            leases,
            &L::setRoleCall {
                role: 2,
                account: market,
                enabled: true,
            },
        )?;
        w.ok(
            gov,
            staking,
            &S::setRoleCall {
                role: 1,
                account: gov,
                enabled: true,
            },
        )?;
        w.fund(tenant, spon(10_000_000), &[market, leases])?;
        Ok(w)
    }

    /// Gives `who` `amount` SPON, approved to `spenders`.
    fn fund(&mut self, who: Address, amount: U256, spenders: &[Address]) -> Result<()> {
        let (bank, token) = (self.bank, self.token);
        self.ok(
            bank,
            token,
            &T::transferCall {
                to: who,
                value: amount,
            },
        )?;
        for &spender in spenders {
            self.ok(
                who,
                token,
                &T::approveCall {
                    spender,
                    value: U256::MAX,
                },
            )?;
        }
        Ok(())
    }

    fn order(&mut self) -> Result<u64> {
        let (tenant, market) = (self.tenant, self.market);
        let call = M::createOrderCall {
            requirements: hopper_order(),
            payment_token: self.token,
            max_price_per_hour: spon(10),
            duration_secs: 3_600,
            deposit: spon(10),
        };
        Ok(self.ok(tenant, market, &call)?.createOrder)
    }
}

/// The measured node's proposal: 8 × Hopper, probed by `key`.
fn propose_call(key: &SigningKey) -> R::proposeProviderCall {
    R::proposeProviderCall {
        hardware: U256::from_be_bytes(HOPPER.pack()),
        endpoint: "https://gpu-1.provider.example:8443".into(),
        tls_cert_hash: B256::repeat_byte(7),
        probe_key: address_of(key),
    }
}

/// Governance's approval of `node` as proposed by [`propose_call`].
fn approve_call(node: Address) -> R::approveProviderCall {
    R::approveProviderCall {
        node,
        hardware: U256::from_be_bytes(HOPPER.pack()),
    }
}

/// A signed probe of `node` (8 GPUs or 1, by `gpus`) measured now.
fn probe_call(node: Address, key: &SigningKey, registry: Address, gpus: u16) -> R::commitProbeCall {
    let summary = ProbeSummary {
        timestamp: GENESIS_TIME,
        gemm_gflops: 650_000 * u32::from(gpus),
        mem_bandwidth_gbps: 3_350 * u32::from(gpus),
        vram_mib: u32::from(gpus) * 81_000,
        gpu_count: gpus,
        net_bandwidth_mbps: 9_400,
        latency_us: 900,
        flags: probe::FLAG_GPU,
    };
    let message = ProbeResult {
        node,
        reportHash: B256::repeat_byte(0xAB),
        summary: U256::from_be_bytes(summary.pack()),
        challengeId: U256::ZERO,
        nonce: U256::ZERO,
    };
    R::commitProbeCall {
        node,
        report_hash: message.reportHash,
        summary: message.summary,
        challenge_id: U256::ZERO,
        nonce: 0,
        signature: sign_probe(key, registry, &message).into(),
    }
}

/// The rewards rows: a node's check-in and its era claim, beside `others`
/// other nodes (Fizz nodes behind it) checked in for the same era.
fn reward_rows(others: u64) -> Result<Vec<Row>> {
    let mut w = World::new()?;
    let (gov, bank, token, staking, registry) = (w.gov, w.bank, w.token, w.staking, w.registry);
    let rewards = deploy(
        &mut w.chain,
        "spon-rewards",
        gov,
        &W::constructorCall {
            spon: token,
            registry,
            staking,
            governance: gov,
        },
    )?;
    w.ok(
        gov,
        staking,
        &S::setRoleCall {
            role: spon_protocol::roles::Staking::Rewarder as u8,
            account: rewards,
            enabled: true,
        },
    )?;
    w.ok(
        bank,
        token,
        &T::approveCall {
            spender: rewards,
            value: U256::MAX,
        },
    )?;
    w.ok(
        bank,
        rewards,
        &W::fundCall {
            amount: spon(100_000),
        },
    )?;

    let node = a(0x11);
    let key = SigningKey::from_slice(&[0x5A; 32])?;
    w.fund(node, spon(50_000), &[staking])?;
    w.ok(
        node,
        staking,
        &S::stakeCall {
            amount: spon(50_000),
        },
    )?;
    w.ok(node, registry, &propose_call(&key))?;
    w.ok(gov, registry, &approve_call(node))?;
    let fizz = spon_e2e::rtx40(*b"US");
    let progress = others / 10;
    for i in 0..others {
        let n = a(0x100_000 + i);
        let k = SigningKey::from_slice(alloy_primitives::keccak256(n).as_slice())?;
        w.fund(n, spon(5_000), &[staking])?;
        w.ok(
            n,
            staking,
            &S::stakeCall {
                amount: spon(5_000),
            },
        )?;
        w.ok(
            n,
            registry,
            &R::registerFizzCall {
                hardware: U256::from_be_bytes(fizz.pack()),
                probe_key: address_of(&k),
                gateway: node,
            },
        )?;
        w.ok(n, registry, &probe_call(n, &k, registry, 1))?;
        w.ok(n, rewards, &W::checkInCall { node: n })?;
        if progress > 0 && (i + 1) % progress == 0 {
            eprintln!("  {} of {others} nodes checked in", i + 1);
        }
    }

    w.ok(node, registry, &probe_call(node, &key, registry, 8))?;
    w.measure(
        "rewards checkIn (era points)",
        node,
        rewards,
        &W::checkInCall { node },
    )?;
    let era = w.ok(node, rewards, &W::eraOfCall { era: 0 })?.era;
    w.chain.advance(era.claimableAt - GENESIS_TIME);
    w.measure(
        "rewards claim (era share into the pool, first of the era)",
        a(0xF0),
        rewards,
        &W::claimCall { era: 0, node },
    )?;
    w.chain.advance(7 * 86_400);
    w.measure(
        "claimRewards (provider: commission and share)",
        node,
        staking,
        &S::claimRewardsCall { provider: node },
    )?;
    Ok(w.table)
}

/// Every row, beside `others` other delegators and open orders.
fn rows(others: u64) -> Result<Vec<Row>> {
    let mut w = World::new()?;
    let (gov, token, staking, registry, market, leases) =
        (w.gov, w.token, w.staking, w.registry, w.market, w.leases);
    let node = a(0x11);
    let key = SigningKey::from_slice(&[0x5A; 32])?;
    let fresh = a(0xF0);

    w.measure(
        "SPON transfer (new holder)",
        w.bank,
        token,
        &T::transferCall {
            to: node,
            value: spon(60_000),
        },
    )?;
    w.measure(
        "SPON approve",
        node,
        token,
        &T::approveCall {
            spender: staking,
            value: U256::MAX,
        },
    )?;
    w.measure(
        "stake (first)",
        node,
        staking,
        &S::stakeCall {
            amount: spon(50_000),
        },
    )?;
    w.measure("proposeProvider", node, registry, &propose_call(&key))?;
    w.measure(
        "approveProvider (governance)",
        gov,
        registry,
        &approve_call(node),
    )?;
    let call = probe_call(node, &key, registry, 8);
    w.measure(
        "commitProbe (relayed, EIP-712 + ecrecover)",
        fresh,
        registry,
        &call,
    )?;

    // The crowd: other delegators of the node, other open orders.
    for i in 0..others {
        let d = a(0x10_000 + i);
        w.fund(d, SPON, &[staking])?;
        w.ok(
            d,
            staking,
            &S::delegateCall {
                provider: node,
                amount: SPON,
            },
        )?;
        w.order()?;
    }

    let delegator = a(0xD0);
    w.fund(delegator, spon(100), &[staking])?;
    w.measure(
        "delegate",
        delegator,
        staking,
        &S::delegateCall {
            provider: node,
            amount: spon(100),
        },
    )?;
    w.measure(
        "undelegate (unbonding request)",
        delegator,
        staking,
        &S::undelegateCall {
            provider: node,
            amount: spon(10),
        },
    )?;

    let call = M::createOrderCall {
        requirements: hopper_order(),
        payment_token: token,
        max_price_per_hour: spon(10),
        duration_secs: 3_600,
        deposit: spon(10),
    };
    let tenant = w.tenant;
    let order = w
        .measure("createOrder (SPON, escrow pulled)", tenant, market, &call)?
        .createOrder;
    let bid = w
        .measure(
            "placeBid",
            node,
            market,
            &M::placeBidCall {
                order_id: order,
                price_per_hour: spon(8),
            },
        )?
        .placeBid;
    w.measure(
        "proposeMatch (scored on chain)",
        fresh,
        market,
        &M::proposeMatchCall {
            order_id: order,
            bid_id: bid,
        },
    )?;
    w.measure(
        "acceptMatch (opens the lease)",
        tenant,
        market,
        &M::acceptMatchCall {
            order_id: order,
            manifest_hash: B256::repeat_byte(1),
        },
    )?;
    w.chain.advance(1_800);
    w.measure(
        "settle (half an hour accrued)",
        fresh,
        leases,
        &L::settleCall { lease_id: order },
    )?;
    let other = w.order()?;
    w.measure(
        "cancelOrder (refund)",
        tenant,
        market,
        &M::cancelOrderCall { order_id: other },
    )?;

    w.ok(
        gov,
        staking,
        &S::openOffenceCall {
            provider: node,
            challenge_id: U256::from(1),
        },
    )?;
    w.measure(
        "slash 25% (pool, delegators pro rata)",
        gov,
        staking,
        &S::slashCall {
            provider: node,
            bps: 2_500,
            challenge_id: U256::from(1),
            challenger: fresh,
            challenger_share_bps: 5_000,
        },
    )?;
    Ok(w.table)
}

/// Prints `one` beside `many` as a Markdown table; the rows that differ.
fn table(header: &str, one: &[Row], many: &[Row], tolerance: u64) -> Vec<&'static str> {
    println!("{header}");
    println!("|---|---:|---:|");
    let mut differ = Vec::new();
    for (&(name, g1, w1, r1), &(_, g2, w2, r2)) in one.iter().zip(many) {
        println!("| {name} | {g1} ({w1} / {r1}) | {g2} ({w2} / {r2}) |");
        if (w1, r1) != (w2, r2) || g1.abs_diff(g2) > tolerance {
            differ.push(name);
        }
    }
    println!();
    differ
}

fn main() -> Result<()> {
    let mut differ = table(
        "| operation | gas (slots written / read), beside 1 delegator and open order | beside 1,000 |",
        &rows(1)?,
        &rows(1_000)?,
        TOLERANCE,
    );
    let nodes = std::env::var("SPON_BENCH_NODES").map_or(Ok(10_000), |v| v.parse())?;
    eprintln!("rewards: {nodes} other nodes check in (a few minutes)");
    differ.extend(table(
        &format!("| operation | gas (slots written / read), beside 1 other node of the era | beside {nodes} |"),
        &reward_rows(1)?,
        &reward_rows(nodes)?,
        REWARDS_TOLERANCE,
    ));
    if !differ.is_empty() {
        bail!("cost depends on the number of delegators, orders or nodes: {differ:?}");
    }
    Ok(())
}
