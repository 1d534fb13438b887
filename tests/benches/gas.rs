//! The gas table: estimated gas of the protocol's operations on the real
//! WASM (the devnet's meter: operators priced in ink by Stylus's published
//! table, host I/O and state as published and as the EVM prices them), each
//! measured twice — beside 1 and beside 1,000 other delegators of the same
//! provider and other open orders — which must cost the same (no loop over
//! user-controlled sets): the same storage slots read and written, and gas
//! within [`TOLERANCE`] (larger ids cost more calldata — 16 gas a non-zero
//! byte — and U256 arithmetic on larger totals a few more operators).
//! Prints a Markdown table; exits with an error if a figure differs.
//!
//! `cargo bench -p spon-e2e --bench gas`

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use anyhow::{bail, Result};
use k256::ecdsa::SigningKey;
use spon_devnet::{Chain, GENESIS_TIME};
use spon_e2e::{
    a, address_of, deploy, deploy_core, hopper_order, send, sign_probe, spon, Core, ProbeResult,
    SponLeases as L, SponMarket as M, SponRegistry as R, SponStaking as S, SponToken as T, HOPPER,
    SPON,
};
use spon_node::{probe, ProbeSummary};

/// Most gas a row may differ by between the two measurements.
const TOLERANCE: u64 = 50;

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
    w.measure(
        "proposeProvider",
        node,
        registry,
        &R::proposeProviderCall {
            hardware: U256::from_be_bytes(HOPPER.pack()),
            endpoint: "https://gpu-1.provider.example:8443".into(),
            tls_cert_hash: B256::repeat_byte(7),
            probe_key: address_of(&key),
        },
    )?;
    w.measure(
        "approveProvider (governance)",
        gov,
        registry,
        &R::approveProviderCall {
            node,
            hardware: U256::from_be_bytes(HOPPER.pack()),
        },
    )?;
    let summary = ProbeSummary {
        timestamp: GENESIS_TIME,
        gemm_gflops: 5_200_000,
        mem_bandwidth_gbps: 26_800,
        vram_mib: 8 * 81_000,
        gpu_count: 8,
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
    let signature = sign_probe(&key, registry, &message);
    w.measure(
        "commitProbe (relayed, EIP-712 + ecrecover)",
        fresh,
        registry,
        &R::commitProbeCall {
            node,
            report_hash: message.reportHash,
            summary: message.summary,
            challenge_id: U256::ZERO,
            nonce: 0,
            signature: signature.into(),
        },
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

fn main() -> Result<()> {
    let one = rows(1)?;
    let many = rows(1_000)?;
    println!("| operation | gas (slots written / read), beside 1 delegator and open order | beside 1,000 |");
    println!("|---|---:|---:|");
    let mut differ = Vec::new();
    for (&(name, g1, w1, r1), &(_, g2, w2, r2)) in one.iter().zip(&many) {
        println!("| {name} | {g1} ({w1} / {r1}) | {g2} ({w2} / {r2}) |");
        if (w1, r1) != (w2, r2) || g1.abs_diff(g2) > TOLERANCE {
            differ.push(name);
        }
    }
    if !differ.is_empty() {
        bail!("cost depends on the number of delegators or orders: {differ:?}");
    }
    Ok(())
}
