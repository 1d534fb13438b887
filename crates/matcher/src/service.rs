//! The matcher's loop: index to the head, read the bidding nodes, choose
//! proposals (each order's best bid, or a global assignment), send the
//! ones the market would take, and count what happened.

use std::{collections::HashSet, time::Duration};

use alloy_network::Ethereum;
use alloy_primitives::Address;
use alloy_provider::Provider;
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use spon_scoring::Ranked;
use tracing::{info, warn};

use crate::{
    assign,
    indexer::{Indexer, StepError},
    source::{Rpc, Source, Views},
    store::Store,
    submit::{Outcome, Submitter},
};

/// How proposals are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Each order its own best bid (what the market ranks first).
    #[default]
    PerOrder,
    /// One assignment over all open orders with each node used at most
    /// once (the auction algorithm); logs how it compares to per-order.
    Global,
}

/// What the matcher has seen and done since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Metrics {
    /// Rounds run.
    pub rounds: u64,
    /// Blocks indexed.
    pub blocks: u64,
    /// Book events applied.
    pub events: u64,
    /// Orders seen (open or not) at the last round.
    pub orders_seen: u64,
    /// Open orders at the last round.
    pub open_orders: u64,
    /// Proposals mined.
    pub matched: u64,
    /// Proposals the market refused at estimation (sent nothing).
    pub refused: u64,
    /// Proposals mined but reverted (lost a race).
    pub reverted: u64,
    /// Proposals still pending when the wait ended.
    pub pending: u64,
    /// Proposals not sent: an earlier one of ours is still pending.
    pub waiting: u64,
    /// Proposals that failed on RPC errors after the retries.
    pub failed: u64,
    /// Reorgs handled.
    pub reorgs: u64,
}

/// The matcher: its book and database, the chain, and its account.
pub struct Matcher<P> {
    /// The book and cursor.
    pub indexer: Indexer,
    /// The database.
    pub store: Store,
    /// The chain.
    pub chain: Rpc<P>,
    /// The account that proposes.
    pub submitter: Submitter<P>,
    /// How proposals are chosen.
    pub strategy: Strategy,
    /// Counters.
    pub metrics: Metrics,
}

impl<P: Provider<Ethereum>> Matcher<P> {
    /// Indexes until the head is reached, with a progress bar when far
    /// behind.
    async fn catch_up(&mut self) -> Result<(), StepError> {
        let head = self.chain.head().await?;
        let from = self
            .store
            .cursor()?
            .map_or(self.indexer.settings.start_block, |c| c.block + 1);
        let behind = head.saturating_sub(from);
        let bar = (behind > 10 * self.indexer.settings.batch).then(|| {
            let bar = ProgressBar::new(behind);
            bar.set_style(
                ProgressStyle::with_template("indexing {bar:40} {pos}/{len} blocks ({eta})")
                    .expect("valid template"),
            );
            bar
        });
        loop {
            let step = self.indexer.step(&self.chain, &self.store).await?;
            self.metrics.blocks += step.blocks;
            self.metrics.events += step.events as u64;
            if let Some(bar) = &bar {
                bar.inc(step.blocks);
            }
            if step.caught_up {
                break;
            }
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        self.metrics.reorgs = self.indexer.reorgs;
        Ok(())
    }

    /// Orders that take proposals at `now`, and the nodes of their live
    /// bids read afresh from the chain.
    async fn refresh(&mut self, now: u64) -> Result<Vec<u64>> {
        let book = &self.indexer.state;
        let orders: Vec<u64> = book
            .open_orders()
            .into_iter()
            .filter(|&id| book.order(id).is_some_and(|o| now <= o.bid_deadline))
            .collect();
        let mut nodes: HashSet<Address> = HashSet::new();
        for &id in &orders {
            for &b in &book.order(id).expect("open").bids {
                if let Some(bid) = book.bid(b).filter(|b| b.live) {
                    nodes.insert(bid.node);
                }
            }
        }
        for node in nodes {
            let info = self.chain.node(node).await?;
            self.indexer.state.set_node(node, info);
        }
        Ok(orders)
    }

    /// The proposals to make at `now` among `orders`.
    fn choose(&self, orders: &[u64], now: u64) -> Vec<(u64, Ranked)> {
        let book = &self.indexer.state;
        let chosen = match self.strategy {
            Strategy::PerOrder => assign::per_order(book, orders),
            Strategy::Global => {
                let greedy = assign::per_order(book, orders);
                let global = assign::auction(book, orders);
                info!(
                    orders = orders.len(),
                    per_order_matched = greedy.matched(),
                    per_order_double_booked = greedy.double_booked(book),
                    per_order_score = greedy.total_score(),
                    global_matched = global.matched(),
                    global_score = global.total_score(),
                    "global assignment vs per-order greedy"
                );
                global
            }
        };
        chosen
            .pairs
            .into_iter()
            .filter(|&(order, r)| book.improves(order, now, r))
            .collect()
    }

    /// One round: catch up, choose, propose. Returns the proposals mined.
    ///
    /// # Errors
    /// RPC errors on reading the chain, database errors, a reorg deeper
    /// than the window.
    pub async fn round(&mut self) -> Result<u64, StepError> {
        self.metrics.rounds += 1;
        self.catch_up().await?;
        let now = self.chain.now().await?;
        let orders = self.refresh(now).await?;
        self.metrics.orders_seen = self.indexer.state.order_count() as u64;
        self.metrics.open_orders = self.indexer.state.open_orders().len() as u64;
        let mut matched = 0;
        for (order, r) in self.choose(&orders, now) {
            if let Some(sent) = self.store.sent(order)? {
                if !self.submitter.settled(&sent).await? {
                    info!(order, bid = sent.bid_id, tx = %sent.tx_hash, "waiting: our earlier proposal is pending");
                    self.metrics.waiting += 1;
                    continue;
                }
                self.store.forget_sent(order)?;
            }
            let outcome = self.submitter.propose(&self.store, order, r.bid_id).await;
            match outcome {
                Ok(Outcome::Proposed(tx)) => {
                    info!(order, bid = r.bid_id, score = r.score, price = r.price, %tx, "proposed");
                    self.metrics.matched += 1;
                    matched += 1;
                }
                Ok(Outcome::Refused(why)) => {
                    info!(order, bid = r.bid_id, %why, "not proposed: the market refuses it");
                    self.metrics.refused += 1;
                }
                Ok(Outcome::Reverted(tx)) => {
                    warn!(order, bid = r.bid_id, %tx, "proposal reverted (another landed first)");
                    self.metrics.reverted += 1;
                }
                Ok(Outcome::Pending(tx)) => {
                    warn!(order, bid = r.bid_id, %tx, "proposal not mined yet; not sent again until it settles");
                    self.metrics.pending += 1;
                }
                Ok(Outcome::DryRun) => {
                    info!(
                        order,
                        bid = r.bid_id,
                        score = r.score,
                        price = r.price,
                        "dry run: would propose"
                    );
                }
                Err(e) => {
                    warn!(order, bid = r.bid_id, error = %format!("{e:#}"), "proposal failed");
                    self.metrics.failed += 1;
                }
            }
        }
        Ok(matched)
    }

    /// Runs rounds every `interval` until `rounds` are done (if given) or
    /// ctrl-c; logs the metrics at the end.
    ///
    /// # Errors
    /// As [`Self::round`]; RPC errors end a round and are retried at the
    /// next one.
    pub async fn run(&mut self, interval: Duration, rounds: Option<u64>) -> Result<Metrics> {
        let mut done = 0;
        loop {
            match self.round().await {
                Err(StepError::DeepReorg(e)) => return Err(e.into()),
                Err(StepError::Failed(e)) => {
                    warn!(error = %format!("{e:#}"), "round failed; trying again next round");
                }
                Ok(_) => {}
            }
            done += 1;
            if rounds.is_some_and(|r| done >= r) {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = tokio::signal::ctrl_c() => break,
            }
        }
        info!(metrics = %serde_json::to_string(&self.metrics)?, "stopping");
        Ok(self.metrics)
    }
}

/// Connects to `config`'s endpoint and opens its database, to propose
/// from `signer`'s account.
///
/// # Errors
/// A bad URL, no answer, no market at the address, a database of another
/// chain or market.
pub async fn connect(
    config: &crate::config::Config,
    signer: alloy_signer_local::PrivateKeySigner,
) -> Result<Matcher<alloy_provider::RootProvider>> {
    use anyhow::Context;
    let url = config
        .rpc
        .parse()
        .with_context(|| format!("bad RPC URL {}", config.rpc))?;
    let provider = alloy_provider::ProviderBuilder::new()
        .disable_recommended_fillers()
        .on_http(url);
    let chain_id = provider
        .get_chain_id()
        .await
        .with_context(|| format!("no answer from {}", config.rpc))?;
    let (market, start_block) = config.market()?;
    let chain = Rpc::new(provider.clone(), market).await?;
    let store = Store::open(&config.db, chain_id, market)?;
    let indexer = Indexer::load(&store, config.indexer(start_block))?;
    let mut submitter = Submitter::new(
        provider,
        alloy_network::EthereumWallet::from(signer),
        market,
        chain_id,
    );
    submitter.backoff = config.backoff();
    submitter.confirm_timeout = Duration::from_secs(config.confirm_timeout_secs);
    submitter.dry_run = config.dry_run;
    info!(
        rpc = %config.rpc,
        chain_id,
        %market,
        account = %submitter.from(),
        db = %config.db.display(),
        strategy = ?config.strategy,
        dry_run = config.dry_run,
        "matcher ready"
    );
    Ok(Matcher {
        indexer,
        store,
        chain,
        submitter,
        strategy: config.strategy,
        metrics: Metrics::default(),
    })
}
