//! # The SPON provider agent
//!
//! Runs beside a node (Provider or Fizz):
//!
//! - [`pricing`]: which orders to bid on and at what price, per GPU class,
//!   region and payment token, with floors and a capacity limit;
//! - [`bidder`]: watches the market's new orders and places the bids the
//!   pricing gives;
//! - [`manifest`] and [`server`]: the endpoint where a tenant posts its
//!   deployment manifest over mutual TLS ([`tls`]); a manifest is taken
//!   only if it hashes to the lease's on-chain manifest hash, the lease is
//!   the node's, and the tenant of the lease signed it for the client
//!   certificate it presents; taken manifests are recorded for the
//!   runtime that starts the workload;
//! - [`rewards`]: checks the node in for each era and claims its era
//!   rewards into its staking pool once claimable.

pub mod bidder;
pub mod manifest;
pub mod pricing;
pub mod rewards;
pub mod server;
pub mod tls;
