//! The model against scripted logs: a market's story folded event by
//! event, and (proptest) the journal's rollback equal to folding only the
//! surviving blocks.

use alloy_primitives::{Address, LogData, B256, U256};
use alloy_sol_types::SolEvent;
use proptest::prelude::*;
use spon_bindings::{Challenges, Leases, Market, Rewards, Staking};
use spon_matcher::indexer::Replica;
use spon_node::hardware::gpu;
use spon_protocol::states::{BidState, ChallengeState, LeaseState, NodeState, OrderState};

use super::*;
use crate::{
    journal::Journaled,
    synthetic::{hw, lease_logs, node_logs, order_log},
};

fn fold(m: &mut Model, block: u64, logs: &[LogData]) {
    for l in logs {
        m.apply(block, l);
    }
}

#[test]
fn a_market_story_folds_into_nodes_leases_volume_and_rewards() {
    let (a, b) = (Address::with_last_byte(1), Address::with_last_byte(2));
    let token = Address::with_last_byte(0x70);
    let mut m = Model::default();
    fold(&mut m, 1, &node_logs(a, &hw(gpu::HOPPER, 8)));
    fold(&mut m, 1, &node_logs(b, &hw(gpu::RTX_40, 1)));
    fold(
        &mut m,
        2,
        &[
            Staking::Staked {
                provider: a,
                staker: Address::with_last_byte(9),
                amount: U256::from(500u64),
                shares: U256::from(500u64),
            }
            .encode_log_data(),
            order_log(1, token, 4),
            order_log(2, token, 1),
        ],
    );
    fold(&mut m, 3, &lease_logs(1, 1, 1, a, token));
    assert_eq!(m.nodes.len(), 2);
    assert_eq!(m.nodes[&a].state, NodeState::Active);
    assert_eq!(m.nodes[&a].delegators.len(), 1);
    assert_eq!(m.nodes[&a].probes.len(), 1);
    assert_eq!(m.orders[&1].state, OrderState::Matched);
    assert_eq!(m.orders[&1].lease, Some(1));
    assert_eq!(m.leases[&1].order_id, Some(1));
    assert_eq!(m.bids[&1].state, BidState::Won);
    assert_eq!(m.orders[&2].state, OrderState::Open);
    // 4 of the 9 active GPUs are leased while the lease runs.
    assert_eq!(m.utilisation(1_500), (4, 9));
    assert_eq!(m.utilisation(8_200), (0, 9));

    fold(
        &mut m,
        4,
        &[
            Leases::LeaseSettled {
                leaseId: 1,
                node: a,
                paidUntil: 4_600,
                toProvider: U256::from(8u64),
                fee: U256::from(16u64) / U256::from(100u64),
            }
            .encode_log_data(),
            Leases::LeaseClosed {
                leaseId: 1,
                node: a,
                reason: 3,
                paidUntil: 4_600,
                refund: U256::from(92u64),
            }
            .encode_log_data(),
            Challenges::ChallengeOpened {
                challengeId: 1,
                kind: 1,
                node: b,
                challenger: a,
                bond: U256::from(10u64),
                deadline: 9_000,
                seed: B256::ZERO,
                leaseId: 0,
                commitment: B256::ZERO,
            }
            .encode_log_data(),
            Challenges::SlashScheduled {
                challengeId: 1,
                node: b,
                bps: 1_000,
                executeAt: 10_000,
            }
            .encode_log_data(),
            Challenges::SlashExecuted {
                challengeId: 1,
                node: b,
                bps: 1_000,
                amount: U256::from(70u64),
            }
            .encode_log_data(),
            Rewards::CheckedIn {
                era: 3,
                node: a,
                points: 1_152_000,
                tier: 4,
                gpus: 8,
                totalPoints: U256::from(1_152_000u64),
            }
            .encode_log_data(),
            Rewards::RewardPaid {
                era: 3,
                node: a,
                amount: U256::from(1_000u64),
            }
            .encode_log_data(),
        ],
    );
    let l = &m.leases[&1];
    assert_eq!(l.state, LeaseState::Closed);
    assert_eq!(
        (l.paid, l.closed),
        (U256::from(8u64), Some((3, U256::from(92u64))))
    );
    assert_eq!(m.volume[&token].paid, U256::from(8u64));
    assert_eq!(m.volume[&token].deposited, U256::from(200u64));
    assert_eq!(m.nodes[&a].earned[&token], U256::from(8u64));
    assert_eq!(m.challenges[&1].state, ChallengeState::Slashed);
    assert_eq!(m.challenges[&1].slashed, U256::from(70u64));
    assert_eq!(m.eras[&3].nodes, 1);
    assert_eq!(m.eras[&3].paid, U256::from(1_000u64));
    assert_eq!(m.nodes[&a].rewards, U256::from(1_000u64));
    assert_eq!(m.nodes[&a].eras[&3], 1_152_000);

    // Events about what the model never saw change nothing.
    let before = m.clone();
    assert!(!m.apply(
        5,
        &Market::BidWithdrawn {
            orderId: 9,
            bidId: 99,
            node: a
        }
        .encode_log_data()
    ));
    assert!(
        !m.apply(5, &order_log(1, token, 1)),
        "an order id is never reused"
    );
    assert!(!m.apply(
        5,
        &LogData::new_unchecked(vec![B256::ZERO], Default::default())
    ));
    assert_eq!(m, before);
}

/// One of a few kinds of logs about a few nodes and orders.
fn any_log() -> impl Strategy<Value = LogData> {
    let token = Address::with_last_byte(0x70);
    (0u8..6, 1u8..4, 1u64..6).prop_map(move |(kind, n, id)| {
        let node = Address::with_last_byte(n);
        match kind {
            0 => node_logs(node, &hw(gpu::HOPPER, u16::from(n)))[0].clone(),
            1 => order_log(id, token, 1),
            2 => lease_logs(id, id * 10 + u64::from(n), id, node, token)[0].clone(),
            3 => lease_logs(id, 0, id, node, token)[1].clone(),
            4 => Leases::LeaseSettled {
                leaseId: id,
                node,
                paidUntil: 2_000,
                toProvider: U256::from(id),
                fee: U256::from(1u64),
            }
            .encode_log_data(),
            _ => Market::MatchAccepted {
                orderId: id,
                bidId: id * 10 + u64::from(n),
                node,
                manifestHash: B256::ZERO,
            }
            .encode_log_data(),
        }
    })
}

proptest! {
    /// Whatever the logs, finalising up to any block and rolling back to
    /// any later one leaves the model exactly as folding the logs of the
    /// surviving blocks from scratch.
    #[test]
    fn rollback_equals_folding_the_surviving_blocks(
        blocks in proptest::collection::vec(proptest::collection::vec(any_log(), 0..4), 1..16),
        final_at in 0usize..16,
        back_to in 0usize..16,
    ) {
        let mut j = Journaled::<Model>::default();
        for (b, logs) in blocks.iter().enumerate() {
            for l in logs {
                j.apply_log(b as u64, l);
            }
        }
        let final_at = final_at.min(blocks.len() - 1);
        let back_to = back_to.clamp(final_at, blocks.len() - 1);
        j.finalize(final_at as u64);
        j.rollback(back_to as u64);
        let mut fresh = Model::default();
        for (b, logs) in blocks.iter().enumerate().take(back_to + 1) {
            fold(&mut fresh, b as u64, logs);
        }
        prop_assert_eq!(j.get(), &fresh);
    }
}
