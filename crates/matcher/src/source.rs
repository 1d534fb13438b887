//! What the matcher reads from the chain, as a trait (so the indexer's
//! reorg handling is tested against a chain in memory, [`Memory`]) and its
//! JSON-RPC implementation with alloy.

use spon_protocol::states::NodeState;
use std::{cell::RefCell, future::Future};

use alloy_network::Ethereum;
use alloy_primitives::{keccak256, Address, Bytes, LogData, B256, U256};
use alloy_provider::Provider;
use alloy_rpc_types_eth::{BlockNumberOrTag, Filter, TransactionRequest};
use alloy_sol_types::SolCall;
use anyhow::{bail, Context, Result};
use spon_node::Hardware;

use crate::{events::TOPICS, Node};
use spon_bindings::{Market, Registry, Staking};

/// A market log with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Block number.
    pub block: u64,
    /// Block hash.
    pub hash: B256,
    /// The log.
    pub log: LogData,
}

/// The chain as the indexer sees it.
pub trait Source {
    /// The latest block number.
    fn head(&self) -> impl Future<Output = Result<u64>>;
    /// The hash of block `n`, `None` if the chain has no such block now.
    fn hash(&self, n: u64) -> impl Future<Output = Result<Option<B256>>>;
    /// The followed logs of blocks `from..=to`, in chain order.
    fn logs(&self, from: u64, to: u64) -> impl Future<Output = Result<Vec<Found>>>;
}

/// A chain held in memory: blocks of logs whose hashes depend on the fork
/// they are on, so a replaced block has a new hash. For tests, benches and
/// replays of the indexer without a node.
#[derive(Debug, Default)]
pub struct Memory {
    blocks: RefCell<Vec<(B256, Vec<LogData>)>>,
    forks: RefCell<u64>,
}

impl Memory {
    /// Appends a block holding `logs`.
    pub fn push(&self, logs: Vec<LogData>) {
        let mut blocks = self.blocks.borrow_mut();
        let n = blocks.len() as u64;
        let fork = *self.forks.borrow();
        let hash = keccak256([n.to_be_bytes(), fork.to_be_bytes()].concat());
        blocks.push((hash, logs));
    }

    /// Drops the blocks from `n` on (a reorg); later blocks get new hashes.
    pub fn truncate(&self, n: usize) {
        self.blocks.borrow_mut().truncate(n);
        *self.forks.borrow_mut() += 1;
    }

    /// Blocks held.
    pub fn len(&self) -> usize {
        self.blocks.borrow().len()
    }

    /// Whether it holds no block.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every block's number and logs, oldest first.
    pub fn all(&self) -> Vec<(u64, Vec<LogData>)> {
        self.blocks
            .borrow()
            .iter()
            .enumerate()
            .map(|(n, b)| (n as u64, b.1.clone()))
            .collect()
    }
}

impl Source for Memory {
    async fn head(&self) -> Result<u64> {
        Ok(self.blocks.borrow().len().saturating_sub(1) as u64)
    }

    async fn hash(&self, n: u64) -> Result<Option<B256>> {
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        Ok(self.blocks.borrow().get(n).map(|b| b.0))
    }

    async fn logs(&self, from: u64, to: u64) -> Result<Vec<Found>> {
        let blocks = self.blocks.borrow();
        let mut out = Vec::new();
        if to < from {
            return Ok(out);
        }
        let first = usize::try_from(from).unwrap_or(usize::MAX);
        let count =
            usize::try_from(to.saturating_sub(from)).map_or(usize::MAX, |c| c.saturating_add(1));
        for (n, (hash, logs)) in blocks.iter().enumerate().skip(first).take(count) {
            let number = n as u64;
            out.extend(logs.iter().map(|log| Found {
                block: number,
                hash: *hash,
                log: log.clone(),
            }));
        }
        Ok(out)
    }
}

/// The chain as the matcher's decisions need it.
pub trait Views {
    /// The latest block's timestamp.
    fn now(&self) -> impl Future<Output = Result<u64>>;
    /// What the registry and staking contracts say of `node`, read as the
    /// market reads it when it scores a bid.
    fn node(&self, node: Address) -> impl Future<Output = Result<Node>>;
}

/// A JSON-RPC endpoint, the market's addresses and the logs followed.
pub struct Rpc<P> {
    /// The provider.
    pub provider: P,
    /// The contracts whose logs are followed (the market, by default).
    pub follow: Vec<Address>,
    /// The events followed, by `topic0` (the book's, by default).
    pub topics: Vec<B256>,
    /// The market.
    pub market: Address,
    /// The registry (from the market's `config()`).
    pub registry: Address,
    /// The staking contract (from the market's `config()`).
    pub staking: Address,
}

async fn view<P: Provider<Ethereum>, C: SolCall>(
    provider: &P,
    to: Address,
    call: C,
) -> Result<C::Return> {
    let tx = TransactionRequest::default()
        .to(to)
        .input(Bytes::from(call.abi_encode()).into());
    let out = provider
        .call(&tx)
        .await
        .with_context(|| format!("eth_call to {to}"))?;
    C::abi_decode_returns(&out, true).with_context(|| format!("bad answer from {to}"))
}

impl<P: Provider<Ethereum>> Rpc<P> {
    /// Reads the registry and staking addresses from `market`.
    ///
    /// # Errors
    /// RPC errors, or no market at `market`.
    pub async fn new(provider: P, market: Address) -> Result<Self> {
        let code = provider.get_code_at(market).await?;
        if code.is_empty() {
            bail!("no contract at {market}: check --market");
        }
        let config = view(&provider, market, Market::configCall {})
            .await?
            .marketConfig;
        Ok(Rpc {
            provider,
            follow: vec![market],
            topics: TOPICS.to_vec(),
            market,
            registry: config.registry,
            staking: config.staking,
        })
    }
}

impl<P: Provider<Ethereum>> Source for Rpc<P> {
    async fn head(&self) -> Result<u64> {
        Ok(self.provider.get_block_number().await?)
    }

    async fn hash(&self, n: u64) -> Result<Option<B256>> {
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Number(n), false.into())
            .await?;
        Ok(block.map(|b| b.header.hash))
    }

    async fn logs(&self, from: u64, to: u64) -> Result<Vec<Found>> {
        let filter = Filter::new()
            .address(self.follow.clone())
            .event_signature(self.topics.clone())
            .from_block(from)
            .to_block(to);
        let logs = self.provider.get_logs(&filter).await?;
        logs.into_iter()
            .map(|l| {
                Ok(Found {
                    block: l.block_number.context("log without a block number")?,
                    hash: l.block_hash.context("log without a block hash")?,
                    log: l.inner.data,
                })
            })
            .collect()
    }
}

impl<P: Provider<Ethereum>> Views for Rpc<P> {
    async fn now(&self) -> Result<u64> {
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Latest, false.into())
            .await?
            .context("no latest block")?;
        Ok(block.header.timestamp)
    }

    async fn node(&self, node: Address) -> Result<Node> {
        let p = &self.provider;
        let info = view(p, self.registry, Registry::nodeOfCall { node })
            .await?
            .node;
        let tier = view(p, self.registry, Registry::tierOfCall { node }).await?;
        let rep = view(p, self.registry, Registry::reputationOfCall { node })
            .await?
            .reputation;
        let jailed = view(p, self.staking, Staking::isJailedCall { provider: node }).await?;
        let stake = view(p, self.staking, Staking::stakeOfCall { provider: node }).await?;
        Ok(Node {
            eligible: info.state == NodeState::Active as u8 && !jailed.isJailed,
            tier: tier.tier,
            hardware: Hardware::unpack(&info.hardware.to_be_bytes()),
            leases_completed: rep.leasesCompleted,
            leases_faulted: rep.leasesFaulted,
            stake_wei: stake.stake.min(U256::from(u128::MAX)).to(),
        })
    }
}
