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
//!   certificate it presents, and only if the node can run it
//!   ([`workload`]: the manifest's format);
//! - [`runtime`]: the orchestrator — runs each taken manifest (container
//!   engine or allowlisted process), stops it when its lease stops being
//!   active on chain, restarts it as its policy says, and serves its ports
//!   to tenants: a Fizz node's through its gateway's tunnel, a Provider
//!   node's at its own tenant port;
//! - [`rewards`]: checks the node in for each era and claims its era
//!   rewards into its staking pool once claimable.

pub mod bidder;
pub mod manifest;
pub mod pricing;
pub mod rewards;
pub mod runtime;
pub mod server;
/// Certificates and pinning, shared with the gateway.
pub use spon_gateway::tls;
pub mod workload;
