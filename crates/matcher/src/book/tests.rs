use std::collections::HashSet;

use proptest::prelude::*;
use spon_node::hardware::{compute, gpu};
use spon_testkit::hopper as hw;

use super::*;
use crate::assign;

fn a(n: u8) -> Address {
    Address::with_last_byte(n)
}

fn node(tier: u8, bandwidth: u32) -> Node {
    Node {
        eligible: true,
        tier,
        hardware: hw(*b"DE", bandwidth),
        leases_completed: 3,
        leases_faulted: 0,
        stake_wei: 10u128.pow(22),
    }
}

fn requirements() -> Requirements {
    Requirements {
        gpu_model: gpu::HOPPER,
        gpu_count: 4,
        min_vram_mib: 40_000,
        regions: [*b"DE", *b"FR", [0; 2], [0; 2]],
        min_bandwidth_mbps: 1_000,
        compute_types: compute::CUDA,
        max_tier: 5,
        flags: 0,
    }
}

fn order(id: u64) -> Event {
    Event::OrderCreated {
        order_id: id,
        requirements: requirements(),
        max_price: 1_000,
        bid_deadline: 100,
    }
}

fn bid(order_id: u64, bid_id: u64, n: u8, price: u128) -> Event {
    Event::BidPlaced {
        order_id,
        bid_id,
        node: a(n),
        price,
    }
}

#[test]
fn best_is_the_top_eligible_bid_by_the_shared_score() {
    let mut b = Book::new();
    for n in 1..=4 {
        b.set_node(a(n), node(2, 10_000));
    }
    b.set_node(
        a(3),
        Node {
            eligible: false,
            ..node(2, 10_000)
        },
    );
    b.set_node(a(4), node(7, 10_000)); // tier too low for max_tier 5
    b.apply(1, &order(1));
    b.apply(1, &bid(1, 10, 1, 600));
    b.apply(1, &bid(1, 11, 2, 500)); // cheaper: better
    b.apply(1, &bid(1, 12, 3, 100)); // jailed or inactive
    b.apply(1, &bid(1, 13, 4, 100)); // tier 7
    b.apply(1, &bid(1, 14, 5, 100)); // node unknown
    assert_eq!(b.best(1).unwrap().bid_id, 11);
    let expected = score(
        &requirements(),
        1_000,
        &Candidate {
            price: 500,
            tier: 2,
            hardware: hw(*b"DE", 10_000),
            leases_completed: 3,
            leases_faulted: 0,
            stake_wei: 10u128.pow(22),
        },
    );
    assert_eq!(b.best(1).unwrap().score, expected);
    for id in [12, 13, 14] {
        assert_eq!(b.rank(id), None);
    }
    b.apply(2, &Event::BidWithdrawn { bid_id: 11 });
    assert_eq!(b.best(1).unwrap().bid_id, 10);
    b.apply(3, &Event::OrderCancelled { order_id: 1 });
    assert_eq!(b.best(1), None);
    assert!(b.open_orders().is_empty());
}

#[test]
fn proposes_only_what_beats_the_proposal_on_chain_in_time() {
    let mut b = Book::new();
    b.set_node(a(1), node(2, 10_000));
    b.set_node(a(2), node(2, 10_000));
    b.apply(1, &order(1));
    b.apply(1, &bid(1, 10, 1, 600));
    assert_eq!(b.to_propose(1, 50).unwrap().bid_id, 10);
    b.apply(
        2,
        &Event::MatchProposed {
            order_id: 1,
            bid_id: 10,
        },
    );
    assert_eq!(b.to_propose(1, 50), None);
    b.apply(3, &bid(1, 11, 2, 500));
    assert_eq!(b.to_propose(1, 50).unwrap().bid_id, 11);
    // After the bid deadline the market takes no proposal.
    assert_eq!(b.to_propose(1, 101), None);
    // A proposal whose node became ineligible no longer stands.
    b.apply(
        4,
        &Event::MatchProposed {
            order_id: 1,
            bid_id: 11,
        },
    );
    b.set_node(
        a(2),
        Node {
            eligible: false,
            ..node(2, 10_000)
        },
    );
    assert_eq!(b.to_propose(1, 50).unwrap().bid_id, 10);
    b.apply(5, &Event::MatchAccepted { order_id: 1 });
    assert_eq!(b.to_propose(1, 50), None);
}

#[test]
fn events_about_unknown_orders_or_bids_are_ignored() {
    let mut b = Book::new();
    assert!(!b.apply(1, &bid(9, 1, 1, 5)));
    assert!(!b.apply(1, &Event::BidWithdrawn { bid_id: 1 }));
    assert!(!b.apply(1, &Event::OrderCancelled { order_id: 9 }));
    assert!(!b.apply(
        1,
        &Event::MatchProposed {
            order_id: 9,
            bid_id: 1
        }
    ));
    assert_eq!(b.journal_len(), 0);
    // Ids are never reused on chain: a second creation is ignored.
    assert!(b.apply(1, &order(1)));
    assert!(!b.apply(2, &order(1)));
    assert!(b.apply(2, &bid(1, 5, 1, 10)));
    assert!(!b.apply(2, &bid(1, 5, 2, 20)));
    assert_eq!(b.bid(5).unwrap().node, a(1));
}

/// The best total worth of matching `orders`, each node at most once.
fn brute_force(b: &Book, orders: &[u64], used: &mut HashSet<Address>) -> u64 {
    let Some((&o, rest)) = orders.split_first() else {
        return 0;
    };
    let mut best = brute_force(b, rest, used);
    let bids = b.order(o).map(|x| x.bids.clone()).unwrap_or_default();
    for bid in bids {
        if let (Some(r), Some(node)) = (b.rank(bid), b.node_of(bid)) {
            if used.insert(node) {
                best = best.max(r.score + spon_scoring::MAX_SCORE + brute_force(b, rest, used));
                used.remove(&node);
            }
        }
    }
    best
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        (0..6u64).prop_map(order),
        (0..6u64, 0..20u64, 1..5u8, 1..1_000u128).prop_map(|(o, b, n, p)| bid(o, b, n, p)),
        (0..20u64).prop_map(|bid_id| Event::BidWithdrawn { bid_id }),
        (0..6u64).prop_map(|order_id| Event::OrderCancelled { order_id }),
        (0..6u64, 0..20u64)
            .prop_map(|(order_id, bid_id)| Event::MatchProposed { order_id, bid_id }),
        (0..6u64).prop_map(|order_id| Event::MatchAccepted { order_id }),
    ]
}

fn replay(events: &[(u64, Event)], upto: u64) -> Book {
    let mut b = Book::new();
    for n in 1..5 {
        b.set_node(a(n), node(n, 2_000 * u32::from(n)));
    }
    for (block, e) in events.iter().filter(|(blk, _)| *blk <= upto) {
        b.apply(*block, e);
    }
    b
}

proptest! {
    /// A reorg to block `k` leaves exactly the book of the events up to
    /// `k`, and the same decisions.
    #[test]
    fn rollback_equals_replay_up_to_the_fork(
        mut events in prop::collection::vec((1..10u64, event()), 0..60),
        fork in 0..10u64,
    ) {
        events.sort_by_key(|(b, _)| *b);
        let mut b = replay(&events, u64::MAX);
        b.rollback(fork);
        let r = replay(&events, fork);
        prop_assert_eq!(&b.orders, &r.orders);
        prop_assert_eq!(&b.bids, &r.bids);
        for o in 0..6 {
            prop_assert_eq!(b.to_propose(o, 0), r.to_propose(o, 0));
        }
        // Finalized blocks are no longer undone.
        b.finalize(fork);
        prop_assert!(b.journal.iter().all(|(blk, _)| *blk > fork));
    }

    /// Each node serves at most one order in `in_order` and `global`; each
    /// order gets a bid of its own that ranks as the market ranks it.
    #[test]
    fn assignments_use_each_node_once(
        mut events in prop::collection::vec((1..3u64, event()), 0..80),
    ) {
        events.sort_by_key(|(b, _)| *b);
        let b = replay(&events, u64::MAX);
        let open = b.open_orders();
        for asg in [assign::in_order(&b, &open), assign::global(&b, &open), assign::auction(&b, &open)] {
            prop_assert_eq!(asg.double_booked(&b), 0);
            let mut orders: Vec<u64> = asg.pairs.iter().map(|(o, _)| *o).collect();
            orders.dedup();
            prop_assert_eq!(orders.len(), asg.pairs.len());
            for (o, r) in &asg.pairs {
                prop_assert_eq!(b.bid(r.bid_id).unwrap().order_id, *o);
                prop_assert_eq!(b.rank(r.bid_id), Some(*r));
            }
        }
        // Per-order choice matches every order that has an eligible bid.
        let each = assign::per_order(&b, &open);
        let with_bid = open.iter().filter(|&&o| b.best(o).is_some()).count();
        prop_assert_eq!(each.matched(), with_bid);
        prop_assert!(assign::global(&b, &open).matched() <= with_bid);

        // The auction is within one point per order of the best total
        // worth (score + MAX_SCORE per match), found here by brute force.
        let worth = |a: &assign::Assignment| {
            a.pairs.iter().map(|(_, r)| r.score + spon_scoring::MAX_SCORE).sum::<u64>()
        };
        let got = worth(&assign::auction(&b, &open));
        let best = brute_force(&b, &open, &mut HashSet::new());
        prop_assert!(got + open.len() as u64 >= best, "auction {} < best {}", got, best);
        prop_assert!(got <= best);
    }
}
