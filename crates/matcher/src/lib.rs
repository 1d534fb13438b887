//! # The SPON matcher's core
//!
//! What the off-chain matcher decides, without the chain: [`book::Book`]
//! holds open orders and live bids as the market's events describe them
//! (with an undo journal per block, so a reorg rolls back exactly what the
//! dropped blocks did), and the nodes as the registry and staking views
//! describe them; [`book::Book::best`] picks an order's best eligible bid
//! with the same `spon-scoring` code the market runs, so a proposal it makes
//! is never refused for its score; [`assign`] matches many orders at once
//! with each node used at most once, and compares that with per-order
//! greedy choice; [`events`] decodes the market's logs into book events.

pub mod assign;
pub mod book;
pub mod events;

pub use book::{Bid, Book, Event, Node, Order};
