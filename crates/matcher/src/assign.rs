//! Matching many orders at once, each node used at most once.
//!
//! The market takes one proposal per order and a node can serve one lease
//! at a time, so choosing each order's best bid alone can give one node to
//! several orders: all but one of those proposals is wasted. Two ways to
//! choose with each node used at most once:
//!
//! * [`in_order`]: orders in id order (first come, first served), each
//!   takes its best bid whose node is still free;
//! * [`global`]: every eligible (order, bid) pair, best rank first, taken
//!   when both its order and its node are free — greedy maximum-weight
//!   matching, within half of the best total score;
//! * [`auction`]: Bertsekas's auction algorithm on the same pairs, each
//!   match worth its score plus [`MAX_SCORE`] (so matching one more order
//!   outweighs any difference in score): within `orders` points of the
//!   best such total.

use std::collections::{HashMap, HashSet};

use alloy_primitives::Address;
use spon_scoring::{Ranked, MAX_SCORE};

use crate::Book;

/// A choice of bids for orders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignment {
    /// `(order, chosen bid)`, by order id.
    pub pairs: Vec<(u64, Ranked)>,
}

impl Assignment {
    fn sorted(mut pairs: Vec<(u64, Ranked)>) -> Self {
        pairs.sort_unstable_by_key(|(o, _)| *o);
        Assignment { pairs }
    }

    /// Orders matched.
    pub fn matched(&self) -> usize {
        self.pairs.len()
    }

    /// Sum of the chosen bids' scores.
    pub fn total_score(&self) -> u64 {
        self.pairs.iter().map(|(_, r)| r.score).sum()
    }

    /// Nodes chosen by more than one order.
    pub fn double_booked(&self, book: &Book) -> usize {
        let mut seen = HashSet::new();
        let mut twice = HashSet::new();
        for (_, r) in &self.pairs {
            if let Some(node) = book.node_of(r.bid_id) {
                if !seen.insert(node) {
                    twice.insert(node);
                }
            }
        }
        twice.len()
    }
}

/// Each of `orders` its own best bid, nodes shared or not.
pub fn per_order(book: &Book, orders: &[u64]) -> Assignment {
    Assignment::sorted(
        orders
            .iter()
            .filter_map(|&o| book.best(o).map(|r| (o, r)))
            .collect(),
    )
}

/// The eligible bids of `order`, best first.
fn ranked_bids(book: &Book, order: u64) -> Vec<Ranked> {
    let mut bids: Vec<Ranked> = book
        .order(order)
        .map(|o| o.bids.iter().filter_map(|&b| book.rank(b)).collect())
        .unwrap_or_default();
    bids.sort_unstable_by(|a, b| b.cmp(a));
    bids
}

/// Orders in id order, each its best bid on a node still free.
pub fn in_order(book: &Book, orders: &[u64]) -> Assignment {
    let mut ids = orders.to_vec();
    ids.sort_unstable();
    let mut used: HashSet<Address> = HashSet::new();
    let mut pairs = Vec::new();
    for o in ids {
        for r in ranked_bids(book, o) {
            let node = book.node_of(r.bid_id).expect("ranked bids are known");
            if used.insert(node) {
                pairs.push((o, r));
                break;
            }
        }
    }
    Assignment::sorted(pairs)
}

/// Every eligible pair, best rank first, taken when its order and node
/// are both free.
pub fn global(book: &Book, orders: &[u64]) -> Assignment {
    let mut edges: Vec<(Ranked, u64, Address)> = Vec::new();
    for &o in orders {
        if let Some(order) = book.order(o) {
            for &b in &order.bids {
                if let Some(r) = book.rank(b) {
                    edges.push((r, o, book.node_of(b).expect("ranked bids are known")));
                }
            }
        }
    }
    // Best first; ties by order id so the result does not depend on input
    // order.
    edges.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut orders_done: HashSet<u64> = HashSet::new();
    let mut used: HashSet<Address> = HashSet::new();
    let mut pairs = Vec::new();
    for (r, o, node) in edges {
        if !orders_done.contains(&o) && !used.contains(&node) {
            orders_done.insert(o);
            used.insert(node);
            pairs.push((o, r));
        }
    }
    Assignment::sorted(pairs)
}

/// Eligible pairs of `orders`: per order, `(node index, rank)`; and the
/// nodes by index.
fn edges(book: &Book, orders: &[u64]) -> (Vec<Vec<(usize, Ranked)>>, usize) {
    let mut index: HashMap<Address, usize> = HashMap::new();
    let per_order = orders
        .iter()
        .map(|&o| {
            book.order(o)
                .map(|order| {
                    order
                        .bids
                        .iter()
                        .filter_map(|&b| {
                            let r = book.rank(b)?;
                            let node = book.node_of(b)?;
                            let next = index.len();
                            Some((*index.entry(node).or_insert(next), r))
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    (per_order, index.len())
}

/// The auction algorithm: each unassigned order bids for the node that
/// is worth most to it at current prices, raising that node's price by
/// its margin over the second best (plus one); an order whose best margin
/// over staying unmatched is not positive stays unmatched.
pub fn auction(book: &Book, orders: &[u64]) -> Assignment {
    let (edges, nodes) = edges(book, orders);
    let worth = |r: &Ranked| (r.score + MAX_SCORE) as i64;
    let mut price = vec![0i64; nodes];
    let mut owner: Vec<Option<usize>> = vec![None; nodes];
    let mut holds: Vec<Option<(usize, Ranked)>> = vec![None; edges.len()];
    let mut queue: Vec<usize> = (0..edges.len()).rev().collect();
    while let Some(i) = queue.pop() {
        // Best and second-best net value; staying unmatched is worth 0.
        let mut best: Option<(i64, usize, Ranked)> = None;
        let mut second = 0i64;
        for &(j, r) in &edges[i] {
            let v = worth(&r) - price[j];
            match best {
                Some((bv, bj, br)) if v < bv || (v == bv && (j, r) >= (bj, br)) => {
                    second = second.max(v);
                }
                Some((bv, ..)) => {
                    second = second.max(bv);
                    best = Some((v, j, r));
                }
                None => best = Some((v, j, r)),
            }
        }
        let Some((v, j, r)) = best.filter(|(v, ..)| *v > 0) else {
            continue;
        };
        price[j] += v - second + 1;
        if let Some(prev) = owner[j].replace(i) {
            holds[prev] = None;
            queue.push(prev);
        }
        holds[i] = Some((j, r));
    }
    Assignment::sorted(
        holds
            .into_iter()
            .zip(orders)
            .filter_map(|(h, &o)| h.map(|(_, r)| (o, r)))
            .collect(),
    )
}
