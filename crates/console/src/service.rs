//! The console's loop: index every contract's events to the head (the
//! matcher's indexer and database, reorgs included), read what events do
//! not carry from the contracts' views (nodes' tiers and stakes, tokens'
//! symbols, the head's time), and publish a new snapshot for the server.

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Arc, RwLock},
    time::Duration,
};

use alloy_primitives::Address;
use alloy_provider::Provider;
use anyhow::{Context, Result};
use spon_bindings::{Registry, Staking, Token};
use spon_client::{Client, Deployment};
use spon_matcher::{
    indexer::{Indexer, Settings as IndexSettings, Step, StepError},
    source::Rpc,
    store::Store,
};
use spon_node::{Bar, Thresholds};
use tracing::{info, warn};

use crate::{
    journal::Journaled,
    model::{self, Model, Standing},
    server::{Shared, Snapshot},
    views::{Chain, TokenInfo},
};

/// Nodes whose views are read per round, besides those that changed.
pub const REFRESH_PER_ROUND: usize = 32;

/// Rounds between readings of the registry's tier thresholds.
pub const THRESHOLDS_EVERY: u64 = 60;

/// The contracts the console follows (package names).
pub const FOLLOWED: [&str; 7] = [
    "spon-registry",
    "spon-staking",
    "spon-market",
    "spon-leases",
    "spon-challenges",
    "spon-rewards",
    "spon-governance",
];

/// What the loop needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// JSON-RPC endpoint.
    pub rpc: String,
    /// The deployment record.
    pub deployment: Option<PathBuf>,
    /// The database.
    pub db: PathBuf,
    /// Between rounds.
    pub poll: Duration,
    /// Blocks per `eth_getLogs`.
    pub batch: u64,
    /// How far back a reorg is followed.
    pub reorg_depth: u64,
}

/// The indexer, its database, the chain and what it read from views.
pub struct Console {
    indexer: Indexer<Journaled<Model>>,
    store: Store,
    rpc: Rpc<alloy_provider::DynProvider>,
    client: Client,
    chain: Chain,
    names: HashMap<Address, String>,
    /// Round-robin position of the view refresh.
    cursor: usize,
    /// Rounds run.
    rounds: u64,
    /// The snapshot the server reads.
    pub shared: Shared,
}

impl Console {
    /// Opens the database and connects.
    ///
    /// # Errors
    /// No answer from the endpoint, no deployment record, a database of
    /// another deployment.
    pub async fn open(s: &Settings) -> Result<Self> {
        let client = Client::reader(&s.rpc).await?;
        let (deployment, path) = Deployment::find(s.deployment.as_deref(), &client)?;
        let (market, market_block) = deployment.contract("spon-market")?;
        let mut follow = Vec::new();
        let mut names = HashMap::new();
        let mut start = market_block;
        for package in FOLLOWED {
            let (address, block) = deployment.contract(package)?;
            follow.push(address);
            start = start.min(block);
            names.insert(address, package.trim_start_matches("spon-").to_string());
        }
        for package in [
            "spon-token",
            "spon-test-usd",
            "spon-audits",
            "spon-gpu-verifier",
        ] {
            if let Ok(a) = deployment.address(package) {
                names.insert(a, package.trim_start_matches("spon-").to_string());
            }
        }
        let mut rpc = Rpc::new(client.provider().clone(), market).await?;
        rpc.follow = follow;
        rpc.topics = model::topics();
        let store = Store::open(&s.db, client.chain_id, market)?;
        let indexer = Indexer::load(
            &store,
            IndexSettings {
                start_block: start,
                batch: s.batch,
                reorg_depth: s.reorg_depth,
            },
        )?;
        let chain = Chain {
            spon: deployment.address("spon-token")?,
            ..Chain::default()
        };
        info!(
            rpc = %s.rpc,
            deployment = %path.display(),
            db = %s.db.display(),
            start,
            "console ready"
        );
        Ok(Console {
            indexer,
            store,
            rpc,
            client,
            chain,
            names,
            cursor: 0,
            rounds: 0,
            shared: Arc::new(RwLock::new(Arc::new(Snapshot::default()))),
        })
    }

    /// The model as indexed.
    pub fn model(&self) -> &Model {
        self.indexer.state.get()
    }

    /// Indexes to the head; returns the steps' totals.
    ///
    /// # Errors
    /// RPC or database errors, a reorg deeper than the window.
    pub async fn catch_up(&mut self) -> Result<Step, StepError> {
        self.indexer.catch_up(&self.rpc, &self.store).await
    }

    async fn view<C: alloy_sol_types::SolCall>(&self, to: Address, call: C) -> Result<C::Return> {
        self.client
            .view(to, call)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    async fn standing(&self, node: Address) -> Result<Standing> {
        let tier = self
            .view(self.rpc.registry, Registry::tierOfCall { node })
            .await?
            .tier;
        let s = self
            .view(self.rpc.staking, Staking::standingOfCall { provider: node })
            .await?
            .standing;
        Ok(Standing {
            tier,
            self_stake: s.selfStake,
            stake: s.stake,
            jailed: s.jailed,
        })
    }

    /// The registry's tier thresholds, from its parameters by name.
    async fn thresholds(&self) -> Result<Thresholds> {
        use spon_protocol::params::Registry as P;
        let mut v = HashMap::new();
        for &id in P::ALL {
            let value = self
                .view(self.rpc.registry, Registry::parameterCall { id: id as u8 })
                .await?
                .parameter;
            v.insert(id, u64::try_from(value).unwrap_or(u64::MAX));
        }
        let bar = |stake, gemm, eras, leases| Bar {
            stake_spon: v[&stake],
            gemm_gflops: v[&gemm],
            uptime_eras: v[&eras],
            leases: v[&leases],
        };
        Ok(Thresholds {
            provider: [
                bar(
                    P::Tier1Stake,
                    P::Tier1Gemm,
                    P::Tier1UptimeEras,
                    P::Tier1Leases,
                ),
                bar(
                    P::Tier2Stake,
                    P::Tier2Gemm,
                    P::Tier2UptimeEras,
                    P::Tier2Leases,
                ),
                bar(
                    P::Tier3Stake,
                    P::Tier3Gemm,
                    P::Tier3UptimeEras,
                    P::Tier3Leases,
                ),
            ],
            fizz: bar(P::FizzStake, P::FizzGemm, P::FizzUptimeEras, P::FizzLeases),
            min_provider_stake_spon: v[&P::MinProviderStake],
            min_fizz_stake_spon: v[&P::MinFizzStake],
            probe_max_age: v[&P::ProbeMaxAge],
            max_fault_bps: v[&P::MaxFaultBps],
        })
    }

    /// Reads the views events do not carry: the head, new tokens, and the
    /// standings of the nodes that changed since `before` plus a few more
    /// in turn.
    async fn refresh(&mut self, before: &Model) -> Result<()> {
        let head = self.rpc.provider.get_block_number().await?;
        self.chain.head = head;
        self.chain.now = self.client.now().await?;
        self.chain.total_staked = self
            .view(self.rpc.staking, Staking::totalStakedCall {})
            .await?
            .totalStaked;
        // Thresholds change only by a governance vote: read again every
        // THRESHOLDS_EVERY rounds.
        if self.rounds.is_multiple_of(THRESHOLDS_EVERY) || self.chain.thresholds.is_none() {
            match self.thresholds().await {
                Ok(t) => self.chain.thresholds = Some(t),
                Err(e) => warn!(error = %e, "cannot read the tier thresholds"),
            }
        }
        self.rounds += 1;
        let model = self.indexer.state.get();
        let mut tokens: Vec<Address> = model.volume.keys().copied().collect();
        tokens.push(self.chain.spon);
        for token in tokens {
            if self.chain.tokens.contains_key(&token) {
                continue;
            }
            let symbol = self.view(token, Token::symbolCall {}).await;
            let decimals = self.view(token, Token::decimalsCall {}).await;
            if let (Ok(symbol), Ok(decimals)) = (symbol, decimals) {
                self.chain.tokens.insert(
                    token,
                    TokenInfo {
                        symbol: symbol.symbol,
                        decimals: decimals.decimals,
                    },
                );
            }
        }
        let mut due: Vec<Address> = model
            .nodes
            .iter()
            .filter(|(a, n)| {
                before.nodes.get(*a) != Some(n) || !self.chain.standings.contains_key(*a)
            })
            .map(|(a, _)| *a)
            .collect();
        let all: Vec<Address> = model.nodes.keys().copied().collect();
        for i in 0..REFRESH_PER_ROUND.min(all.len()) {
            due.push(all[(self.cursor + i) % all.len()]);
        }
        if !all.is_empty() {
            self.cursor = (self.cursor + REFRESH_PER_ROUND) % all.len();
        }
        due.sort_unstable();
        due.dedup();
        for node in due {
            match self.standing(node).await {
                Ok(s) => {
                    self.chain.standings.insert(node, s);
                }
                Err(e) => warn!(%node, error = %e, "cannot read the node's standing"),
            }
        }
        Ok(())
    }

    /// Publishes the model as indexed now.
    fn publish(&self) {
        let snapshot = Snapshot::new(
            self.indexer.state.get().clone(),
            self.chain.clone(),
            self.names.clone(),
        );
        *self.shared.write().expect("not poisoned") = Arc::new(snapshot);
    }

    /// One round: index to the head, read the views, publish.
    ///
    /// # Errors
    /// As [`Console::catch_up`], and view errors.
    pub async fn round(&mut self) -> Result<Step> {
        let before = self.shared.read().expect("not poisoned").clone();
        let step = self.catch_up().await.map_err(|e| match e {
            StepError::DeepReorg(r) => anyhow::Error::new(r),
            StepError::Failed(e) => e,
        })?;
        self.refresh(&before.model).await?;
        self.publish();
        Ok(step)
    }

    /// Rounds forever, every `poll`; a failed round is logged and retried.
    ///
    /// # Errors
    /// A reorg deeper than the window (the database must be rebuilt).
    pub async fn run(mut self, poll: Duration) -> Result<()> {
        loop {
            match self.round().await {
                Ok(step) if step.events > 0 || step.dropped > 0 => info!(
                    blocks = step.blocks,
                    events = step.events,
                    dropped = step.dropped,
                    head = self.chain.head,
                    "indexed"
                ),
                Ok(_) => {}
                Err(e) if e.is::<spon_matcher::indexer::DeepReorg>() => {
                    return Err(e).context("the console cannot follow this reorg")
                }
                Err(e) => warn!(error = %format!("{e:#}"), "round failed; retrying"),
            }
            tokio::time::sleep(poll).await;
        }
    }
}
