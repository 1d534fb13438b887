//! The order and bid book, built from the market's events.

use std::collections::HashMap;

use alloy_primitives::Address;
use spon_node::Hardware;
use spon_scoring::{score, Candidate, Ranked, Requirements};

/// An order as the matcher knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// What it asks of a node.
    pub requirements: Requirements,
    /// Most it pays per hour, in its token.
    pub max_price: u128,
    /// Last second bids and proposals are taken.
    pub bid_deadline: u64,
    /// Open (not cancelled, not accepted).
    pub open: bool,
    /// The bid proposed on chain, if any.
    pub proposed: Option<u64>,
    /// Its bids, in the order placed (live or not).
    pub bids: Vec<u64>,
}

/// A bid as the matcher knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bid {
    /// The order it is for.
    pub order_id: u64,
    /// The bidding node.
    pub node: Address,
    /// Price per hour.
    pub price: u128,
    /// Not withdrawn.
    pub live: bool,
}

/// A node as the registry and staking views describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Node {
    /// Active in the registry and not jailed in staking.
    pub eligible: bool,
    /// Its tier (1 … 7).
    pub tier: u8,
    /// Its declared hardware.
    pub hardware: Hardware,
    /// Leases it completed.
    pub leases_completed: u64,
    /// Leases that ended by its fault.
    pub leases_faulted: u64,
    /// Its pool stake, wei.
    pub stake_wei: u128,
}

/// A market event, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `OrderCreated`.
    OrderCreated {
        /// Order id.
        order_id: u64,
        /// Unpacked requirements.
        requirements: Requirements,
        /// Max price per hour.
        max_price: u128,
        /// Bid deadline.
        bid_deadline: u64,
    },
    /// `OrderCancelled`.
    OrderCancelled {
        /// Order id.
        order_id: u64,
    },
    /// `BidPlaced`.
    BidPlaced {
        /// Order id.
        order_id: u64,
        /// Bid id.
        bid_id: u64,
        /// Bidding node.
        node: Address,
        /// Price per hour.
        price: u128,
    },
    /// `BidWithdrawn`.
    BidWithdrawn {
        /// Bid id.
        bid_id: u64,
    },
    /// `MatchProposed`.
    MatchProposed {
        /// Order id.
        order_id: u64,
        /// Bid id.
        bid_id: u64,
    },
    /// `MatchAccepted` (the lease opened; the order is closed).
    MatchAccepted {
        /// Order id.
        order_id: u64,
    },
}

/// How to undo one change.
#[derive(Debug, Clone)]
enum Undo {
    Order(u64, Option<Order>),
    Bid(u64, Option<Bid>),
}

/// Orders, bids and nodes, with an undo journal of recent blocks.
#[derive(Debug, Default, Clone)]
pub struct Book {
    orders: HashMap<u64, Order>,
    bids: HashMap<u64, Bid>,
    nodes: HashMap<Address, Node>,
    /// (block, undo), oldest first.
    journal: Vec<(u64, Undo)>,
}

impl Book {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Order `id`, if known.
    pub fn order(&self, id: u64) -> Option<&Order> {
        self.orders.get(&id)
    }

    /// Bid `id`, if known.
    pub fn bid(&self, id: u64) -> Option<&Bid> {
        self.bids.get(&id)
    }

    /// Orders known (open or not).
    pub fn order_count(&self) -> usize {
        self.orders.len()
    }

    /// Ids of the open orders, ascending.
    pub fn open_orders(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .orders
            .iter()
            .filter(|(_, o)| o.open)
            .map(|(&id, _)| id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Records what the chain says of `node` now (nodes are read, not
    /// replayed, so they are not journaled).
    pub fn set_node(&mut self, node: Address, info: Node) {
        self.nodes.insert(node, info);
    }

    fn save_order(&mut self, block: u64, id: u64) {
        let before = self.orders.get(&id).cloned();
        self.journal.push((block, Undo::Order(id, before)));
    }

    fn save_bid(&mut self, block: u64, id: u64) {
        let before = self.bids.get(&id).copied();
        self.journal.push((block, Undo::Bid(id, before)));
    }

    /// Applies `event` of `block`. Events about unknown orders or bids
    /// (from before the start block) are ignored, and so are ids the book
    /// has already seen created (the market never reuses one); returns
    /// whether it changed the book.
    pub fn apply(&mut self, block: u64, event: &Event) -> bool {
        match *event {
            Event::OrderCreated {
                order_id,
                requirements,
                max_price,
                bid_deadline,
            } => {
                if self.orders.contains_key(&order_id) {
                    return false;
                }
                self.save_order(block, order_id);
                self.orders.insert(
                    order_id,
                    Order {
                        requirements,
                        max_price,
                        bid_deadline,
                        open: true,
                        proposed: None,
                        bids: Vec::new(),
                    },
                );
            }
            Event::OrderCancelled { order_id } | Event::MatchAccepted { order_id } => {
                if !self.orders.contains_key(&order_id) {
                    return false;
                }
                self.save_order(block, order_id);
                self.orders.get_mut(&order_id).expect("known").open = false;
            }
            Event::BidPlaced {
                order_id,
                bid_id,
                node,
                price,
            } => {
                if !self.orders.contains_key(&order_id) || self.bids.contains_key(&bid_id) {
                    return false;
                }
                self.save_order(block, order_id);
                self.save_bid(block, bid_id);
                self.orders
                    .get_mut(&order_id)
                    .expect("known")
                    .bids
                    .push(bid_id);
                self.bids.insert(
                    bid_id,
                    Bid {
                        order_id,
                        node,
                        price,
                        live: true,
                    },
                );
            }
            Event::BidWithdrawn { bid_id } => {
                if !self.bids.contains_key(&bid_id) {
                    return false;
                }
                self.save_bid(block, bid_id);
                self.bids.get_mut(&bid_id).expect("known").live = false;
            }
            Event::MatchProposed { order_id, bid_id } => {
                if !self.orders.contains_key(&order_id) {
                    return false;
                }
                self.save_order(block, order_id);
                self.orders.get_mut(&order_id).expect("known").proposed = Some(bid_id);
            }
        }
        true
    }

    /// Undoes every change of blocks after `block` (a reorg dropped them),
    /// newest first.
    pub fn rollback(&mut self, block: u64) {
        while let Some((b, _)) = self.journal.last() {
            if *b <= block {
                break;
            }
            let (_, undo) = self.journal.pop().expect("not empty");
            match undo {
                Undo::Order(id, Some(o)) => {
                    self.orders.insert(id, o);
                }
                Undo::Order(id, None) => {
                    self.orders.remove(&id);
                }
                Undo::Bid(id, Some(b)) => {
                    self.bids.insert(id, b);
                }
                Undo::Bid(id, None) => {
                    self.bids.remove(&id);
                }
            }
        }
    }

    /// Forgets the undo journal up to `block` (final: no reorg reaches it).
    pub fn finalize(&mut self, block: u64) {
        let keep = self.journal.partition_point(|(b, _)| *b <= block);
        self.journal.drain(..keep);
    }

    /// Undo entries kept.
    pub fn journal_len(&self) -> usize {
        self.journal.len()
    }

    /// The rank of bid `bid_id` on its order as the market computes it, if
    /// the bid is live, its order open and its node eligible.
    pub fn rank(&self, bid_id: u64) -> Option<Ranked> {
        let bid = self.bids.get(&bid_id)?;
        let order = self.orders.get(&bid.order_id)?;
        if !bid.live || !order.open {
            return None;
        }
        let node = self.nodes.get(&bid.node)?;
        if !node.eligible || order.requirements.check(&node.hardware, node.tier).is_err() {
            return None;
        }
        let candidate = Candidate {
            price: bid.price,
            tier: node.tier,
            hardware: node.hardware,
            leases_completed: node.leases_completed,
            leases_faulted: node.leases_faulted,
            stake_wei: node.stake_wei,
        };
        Some(Ranked {
            score: score(&order.requirements, order.max_price, &candidate),
            price: bid.price,
            bid_id,
        })
    }

    /// The best eligible bid of order `id`.
    pub fn best(&self, id: u64) -> Option<Ranked> {
        let order = self.orders.get(&id)?;
        order.bids.iter().filter_map(|&b| self.rank(b)).max()
    }

    /// The bid to propose for order `id` at time `now`: its best bid, if
    /// it [`improves`](Self::improves) on the order's proposal.
    pub fn to_propose(&self, id: u64, now: u64) -> Option<Ranked> {
        self.best(id).filter(|&r| self.improves(id, now, r))
    }

    /// Whether the market would take `candidate` as order `id`'s proposal
    /// at time `now`: the order still takes proposals and `candidate`
    /// ranks above the bid proposed on chain (if that bid still ranks).
    pub fn improves(&self, id: u64, now: u64, candidate: Ranked) -> bool {
        let Some(order) = self.orders.get(&id) else {
            return false;
        };
        if !order.open || now > order.bid_deadline {
            return false;
        }
        match order.proposed.and_then(|b| self.rank(b)) {
            Some(current) => candidate > current,
            None => true,
        }
    }

    /// The node of bid `id`.
    pub fn node_of(&self, bid_id: u64) -> Option<Address> {
        self.bids.get(&bid_id).map(|b| b.node)
    }
}

#[cfg(test)]
mod tests;
