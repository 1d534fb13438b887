//! # The SPON matcher
//!
//! The off-chain, permissionless matcher of the SPON market.
//!
//! * [`book::Book`] holds open orders and live bids as the market's events
//!   describe them (with an undo journal per block, so a reorg rolls back
//!   exactly what the dropped blocks did), and the nodes as the registry
//!   and staking views describe them; [`book::Book::best`] picks an
//!   order's best eligible bid with the same `spon-scoring` code the market
//!   runs, so a proposal it makes is never refused for its score;
//! * [`assign`] matches many orders at once with each node used at most
//!   once, and compares that with per-order greedy choice;
//! * [`events`] decodes the market's logs into book events;
//! * [`indexer`] follows those logs from an RPC endpoint ([`source`]) into
//!   the book and the embedded database ([`store`]), and handles reorgs;
//! * [`submit`] sends `proposeMatch` with the matcher's own nonce count,
//!   gas estimation and retries; [`service`] runs the rounds; [`config`]
//!   reads the settings. The `spon-matcher` binary ties them together.

pub mod assign;
pub mod book;
pub mod config;
pub mod events;
pub mod indexer;
pub mod service;
pub mod source;
pub mod store;
pub mod submit;

pub use book::{Bid, Book, Event, Node, Order};
