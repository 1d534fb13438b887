//! Auto-bidding: each round, the market's new `OrderCreated` events are
//! read and every open order is priced for the node ([`Pricing::decide`]);
//! a bid is placed where the pricing gives one.

use spon_protocol::states::OrderState;
use std::collections::BTreeSet;

use alloy_primitives::{Address, U256};
use alloy_provider::Provider;
use alloy_rpc_types_eth::Filter;
use alloy_sol_types::SolEvent;
use anyhow::Result;
use spon_client::{
    bindings::{Market, Registry},
    CallError, Client,
};
use spon_node::Hardware;
use spon_scoring::Requirements;
use tracing::{info, warn};

use crate::pricing::{Order, Pricing, Skip};

/// What the bidder did about one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Bid this price per hour.
    Bid(U256),
    /// The pricing said no.
    Skipped(Skip),
    /// The order no longer takes bids.
    Closed,
    /// The market refused the bid (its error name).
    Refused(String),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Bid(p) => write!(f, "bids {p} units an hour"),
            Outcome::Skipped(why) => write!(f, "skips it: {why}"),
            Outcome::Closed => f.write_str("it no longer takes bids"),
            Outcome::Refused(e) => write!(f, "the market refused the bid: {e}"),
        }
    }
}

/// The bidding side of the agent.
pub struct Bidder {
    /// The node's account (bids are sent from it).
    pub client: Client,
    /// The market.
    pub market: Address,
    /// The registry.
    pub registry: Address,
    /// The pricing.
    pub pricing: Pricing,
    cursor: u64,
    seen: BTreeSet<u64>,
}

impl Bidder {
    /// A bidder for the node `client` acts as, reading orders from block
    /// `start_block`.
    pub fn new(
        client: Client,
        (market, registry): (Address, Address),
        pricing: Pricing,
        start_block: u64,
    ) -> Self {
        Self {
            client,
            market,
            registry,
            pricing,
            cursor: start_block,
            seen: BTreeSet::new(),
        }
    }

    /// One round: every order created since the last round, decided.
    ///
    /// # Errors
    /// An RPC failure (the round is retried from the same block).
    pub async fn round(&mut self) -> Result<Vec<(u64, Outcome)>> {
        let head = self.client.provider().get_block_number().await?;
        if head < self.cursor {
            return Ok(Vec::new());
        }
        let filter = Filter::new()
            .address(self.market)
            .event_signature(Market::OrderCreated::SIGNATURE_HASH)
            .from_block(self.cursor)
            .to_block(head);
        let mut outcomes = Vec::new();
        for log in self.client.provider().get_logs(&filter).await? {
            let id = Market::OrderCreated::decode_log_data(log.data(), true)?.orderId;
            if self.seen.insert(id) {
                let outcome = self.decide(id).await?;
                info!(order = id, %outcome, "order");
                outcomes.push((id, outcome));
            }
        }
        self.cursor = head + 1;
        Ok(outcomes)
    }

    async fn decide(&self, id: u64) -> Result<Outcome> {
        let price = match self.assess(id).await? {
            Outcome::Bid(price) => price,
            other => return Ok(other),
        };
        let bid = Market::placeBidCall {
            order_id: id,
            price_per_hour: price,
        };
        match self.client.send(self.market, bid).await {
            Ok(_) => Ok(Outcome::Bid(price)),
            Err(CallError::Refused(r)) => {
                warn!(order = id, "bid refused: {}", r.error);
                Ok(Outcome::Refused(r.error))
            }
            Err(CallError::Failed(e)) => Err(e),
        }
    }

    /// What the node's pricing makes of order `id` now — the price it
    /// bids ([`Outcome::Bid`]), why it skips it, or that it is closed —
    /// from the chain's records, sending nothing.
    ///
    /// # Errors
    /// An RPC failure.
    pub async fn assess(&self, id: u64) -> Result<Outcome> {
        let node = self.client.from;
        let order = self
            .client
            .view(self.market, Market::orderOfCall { order_id: id })
            .await?
            .order;
        if order.state != OrderState::Open as u8 || order.bidDeadline <= self.client.now().await? {
            return Ok(Outcome::Closed);
        }
        let requirements = Requirements::unpack(&order.requirements.to_be_bytes());
        let record = self
            .client
            .view(self.registry, Registry::nodeOfCall { node })
            .await?;
        let hardware = Hardware::unpack(&record.node.hardware.to_be_bytes());
        let tier = self
            .client
            .view(self.registry, Registry::tierOfCall { node })
            .await?
            .tier;
        let active = self
            .client
            .view(self.registry, Registry::reputationOfCall { node })
            .await?
            .reputation
            .leasesOpen;
        let wanted = Order {
            requirements,
            token: order.token,
            max_per_hour: order.maxPricePerHour,
        };
        Ok(
            match self.pricing.decide(&wanted, &hardware, tier, active) {
                Ok(price) => Outcome::Bid(price),
                Err(skip) => Outcome::Skipped(skip),
            },
        )
    }
}
