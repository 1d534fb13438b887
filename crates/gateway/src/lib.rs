//! # The SPON gateway and its tunnel
//!
//! A Fizz node is a home machine, usually behind NAT: its tenants cannot
//! dial it. It dials out instead, to the gateway it named when it
//! registered (a Provider node or an approved gateway operator), and its
//! tenants reach their leases' services through that gateway.
//!
//! - [`tls`]: certificates and pinning (no certificate authority: hashes
//!   registered on chain or given by the operator);
//! - [`auth`]: what nodes and tenants sign, and the named refusals;
//! - [`wire`]: the length-prefixed JSON frames that open a tunnel and a
//!   session;
//! - [`chain`]: the registry's and the leases contract's views the gateway
//!   and the nodes act on;
//! - [`gateway`]: the service — QUIC for nodes (mutually authenticated:
//!   the node signs with its registry key, bound to the connection's
//!   certificate), TLS over TCP for tenants (the lease's tenant signs,
//!   bound likewise), one QUIC stream per tenant connection, bytes and
//!   uptime counted per lease and node, sessions cut when their lease stops
//!   being active;
//! - [`node`]: a node's side — dials, proves itself, reconnects with
//!   backoff and connects each stream the gateway opens to the lease's
//!   service;
//! - [`tenant`]: a tenant's side — one connection to a lease's service, or
//!   a local port forwarded to it (what `spon lease connect` runs).
//!
//! The same tenant protocol serves a Provider node's services directly at
//! its own endpoint ([`gateway::serve_tenants`] over a local
//! [`gateway::Route`]).

pub mod auth;
pub mod chain;
pub mod gateway;
pub mod node;
pub mod tenant;
pub mod tls;
pub mod wire;
