//! # The SPON console
//!
//! A read-only web explorer of a live SPON deployment.
//!
//! * [`model`] folds every contract's events into the market — nodes,
//!   orders, bids, leases, challenges, proposals, stakes, era rewards;
//! * [`journal`] gives it the undo the matcher's indexer needs for reorgs
//!   (the matcher's indexer and redb store do the reading, batching,
//!   restarts and reorg detection);
//! * [`service`] runs the indexer to the head, reads what events do not
//!   carry from the contracts' views, and publishes a snapshot;
//! * [`views`] turns the snapshot into named structs with readable amounts
//!   and GPU model names: the JSON API; [`pages`] and [`chart`] render them
//!   as HTML and SVG without script;
//! * [`synthetic`] encodes market logs without a chain, for tests and the
//!   bench;
//! * [`server`] serves both over HTTP: GET and HEAD only, security
//!   headers, bounded queries and a rate limit per client address.

pub mod chart;
pub mod journal;
pub mod model;
pub mod pages;
pub mod server;
pub mod service;
pub mod synthetic;
pub mod views;
