//! Synthetic market logs, encoded as the contracts emit them: for tests
//! and the bench (a market of any size without a chain).

use alloy_primitives::{Address, LogData, B256, U256};
use alloy_sol_types::SolEvent;
use spon_bindings::{Leases, Market, Registry};
use spon_node::{hardware::gpu, Hardware, ProbeSummary};
use spon_protocol::states::NodeState;
use spon_scoring::Requirements;

/// A Provider machine of `gpus` × `model` in Germany.
pub fn hw(model: u16, gpus: u16) -> Hardware {
    Hardware {
        gpu_model: model,
        gpu_count: gpus,
        vram_mib: 81_559,
        cpu_cores: 64,
        ram_gib: 512,
        storage_gib: 2_000,
        region: *b"DE",
        bandwidth_mbps: 10_000,
        compute_types: 1,
    }
}

/// `h` as the registry's packed word.
fn word(h: &Hardware) -> U256 {
    U256::from_be_bytes(h.pack())
}

/// A Provider node proposed, approved and probed as it declared.
pub fn node_logs(node: Address, h: &Hardware) -> Vec<LogData> {
    vec![
        Registry::ProviderProposed {
            node,
            hardware: word(h),
            endpoint: "https://node.example".into(),
            tlsCertHash: B256::ZERO,
            probeKey: node,
        }
        .encode_log_data(),
        Registry::NodeStateChanged {
            node,
            from: NodeState::Proposed as u8,
            to: NodeState::Active as u8,
        }
        .encode_log_data(),
        Registry::ProbeCommitted {
            node,
            reportHash: B256::repeat_byte(1),
            challengeId: U256::ZERO,
            summary: U256::from_be_bytes(
                ProbeSummary {
                    timestamp: 1_000,
                    gpu_count: h.gpu_count,
                    vram_mib: h.vram_mib * u32::from(h.gpu_count),
                    gemm_gflops: 400_000,
                    ..ProbeSummary::default()
                }
                .pack(),
            ),
            nonce: 0,
        }
        .encode_log_data(),
    ]
}

/// Order `id` for `gpus` GPUs in `token`, tenant `0x…aa`.
pub fn order_log(id: u64, token: Address, gpus: u16) -> LogData {
    Market::OrderCreated {
        orderId: id,
        tenant: Address::with_last_byte(0xAA),
        token,
        requirements: U256::from_be_bytes(
            Requirements {
                gpu_count: gpus,
                max_tier: 6,
                ..Requirements::default()
            }
            .pack(),
        ),
        maxPricePerHour: U256::from(10u64),
        durationSecs: 7_200,
        deposit: U256::from(100u64),
        bidDeadline: 2_000,
    }
    .encode_log_data()
}

/// A bid on `order`, its lease opened and the match accepted in one
/// block, as an acceptance emits them.
pub fn lease_logs(order: u64, bid: u64, lease: u64, node: Address, token: Address) -> Vec<LogData> {
    vec![
        Market::BidPlaced {
            orderId: order,
            bidId: bid,
            node,
            pricePerHour: U256::from(8u64),
        }
        .encode_log_data(),
        Leases::LeaseOpened {
            leaseId: lease,
            node,
            tenant: Address::with_last_byte(0xAA),
            token,
            pricePerHour: U256::from(8u64),
            start: 1_000,
            end: 8_200,
            funded: U256::from(100u64),
            feeBps: 200,
        }
        .encode_log_data(),
        Market::MatchAccepted {
            orderId: order,
            bidId: bid,
            node,
            manifestHash: B256::ZERO,
        }
        .encode_log_data(),
    ]
}

/// Node `i`'s address.
pub fn node_address(i: usize) -> Address {
    let mut a = [0u8; 20];
    a[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
    a[19] = 0x0d;
    Address::from(a)
}

/// A market of `nodes` Provider nodes (8 GPUs each, Hopper and RTX 40 in
/// turn) and `orders` orders in `token`, every other order leased to a
/// node in turn; as blocks of at most `per_block` logs.
pub fn market(nodes: usize, orders: usize, token: Address, per_block: usize) -> Vec<Vec<LogData>> {
    // Logs that one transaction emits stay in one block.
    let mut groups: Vec<Vec<LogData>> = Vec::with_capacity(nodes + orders * 2);
    for i in 0..nodes {
        let model = if i % 2 == 0 { gpu::HOPPER } else { gpu::RTX_40 };
        groups.push(node_logs(node_address(i), &hw(model, 8)));
    }
    let mut lease = 0u64;
    for o in 0..orders as u64 {
        let id = o + 1;
        groups.push(vec![order_log(id, token, 1 + (o % 4) as u16)]);
        if o % 2 == 0 && nodes > 0 {
            lease += 1;
            let node = node_address((lease as usize) % nodes);
            groups.push(lease_logs(id, lease, lease, node, token));
        }
    }
    let mut blocks = vec![Vec::new()];
    for g in groups {
        let last = blocks.last_mut().expect("one block at least");
        if !last.is_empty() && last.len() + g.len() > per_block {
            blocks.push(g);
        } else {
            last.extend(g);
        }
    }
    blocks
}
