//! Log criteria (`eth_getLogs`'s filter object) and installed filters
//! (`eth_newFilter`, `eth_newBlockFilter`, `eth_getFilterChanges`,
//! `eth_getFilterLogs`, `eth_uninstallFilter`), as geth keeps them: a
//! filter not polled for five minutes is dropped.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use alloy_primitives::{Address, B256};
use anyhow::{bail, Context, Result};
use serde_json::Value;

/// How long an installed filter lives without a poll (geth's deadline).
pub const IDLE: Duration = Duration::from_secs(300);
/// Most filters installed at once; the oldest-polled goes first.
pub const MAX_FILTERS: usize = 4_096;

/// Which logs a filter object asks for, its block tags not yet resolved.
#[derive(Debug, Clone)]
pub struct Criteria {
    /// `fromBlock`, `toBlock` as given (a tag or a number), or a block hash.
    pub range: Range,
    /// Any of these emitters (empty: any).
    pub addresses: Vec<Address>,
    /// Per position: any of these topics (empty: any).
    pub topics: Vec<Vec<B256>>,
}

/// The blocks of a filter.
#[derive(Debug, Clone)]
pub enum Range {
    /// From and to, each a block tag or number as the client wrote it.
    Tags(Option<Value>, Option<Value>),
    /// One block, by hash.
    Hash(B256),
}

fn address(v: &Value) -> Result<Address> {
    v.as_str()
        .context("bad address")?
        .parse()
        .context("bad address")
}

fn topic(v: &Value) -> Result<B256> {
    v.as_str()
        .context("bad topic")?
        .parse()
        .context("bad topic")
}

impl Criteria {
    /// Parses a filter object (`null` asks for everything).
    ///
    /// # Errors
    /// A malformed address, topic or hash.
    pub fn parse(filter: &Value) -> Result<Self> {
        let range = match filter.get("blockHash").and_then(Value::as_str) {
            Some(h) => Range::Hash(h.parse().context("bad blockHash")?),
            None => Range::Tags(
                filter.get("fromBlock").cloned(),
                filter.get("toBlock").cloned(),
            ),
        };
        let addresses = match filter.get("address") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list.iter().map(address).collect::<Result<_>>()?,
            Some(one) => vec![address(one)?],
        };
        let topics = match filter.get("topics") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list
                .iter()
                .map(|t| match t {
                    Value::Null => Ok(Vec::new()),
                    Value::Array(any) => any.iter().map(topic).collect(),
                    one => Ok(vec![topic(one)?]),
                })
                .collect::<Result<_>>()?,
            _ => bail!("bad topics"),
        };
        Ok(Criteria {
            range,
            addresses,
            topics,
        })
    }

    /// Whether a log of `emitter` with `topics` meets the address and
    /// topic criteria.
    pub fn matches(&self, emitter: Address, topics: &[B256]) -> bool {
        (self.addresses.is_empty() || self.addresses.contains(&emitter))
            && self
                .topics
                .iter()
                .enumerate()
                .all(|(i, any)| any.is_empty() || topics.get(i).is_some_and(|t| any.contains(t)))
    }
}

/// What an installed filter watches.
#[derive(Debug, Clone)]
pub enum Kind {
    /// Logs meeting the criteria.
    Logs(Criteria),
    /// New blocks' hashes.
    Blocks,
}

/// An installed filter and where its last poll stopped.
#[derive(Debug, Clone)]
pub struct Installed {
    /// What it watches.
    pub kind: Kind,
    /// The first log (an index into the node's logs) or block (a number)
    /// the next poll reports.
    pub cursor: u64,
    polled: Instant,
}

/// The filters installed, by id.
#[derive(Debug, Default)]
pub struct Filters {
    next: u64,
    installed: HashMap<u64, Installed>,
}

impl Filters {
    /// Installs a filter whose first poll reports from `cursor` on; its id.
    pub fn install(&mut self, kind: Kind, cursor: u64) -> u64 {
        self.expire();
        if self.installed.len() >= MAX_FILTERS {
            if let Some(oldest) = self
                .installed
                .iter()
                .min_by_key(|(_, f)| f.polled)
                .map(|(id, _)| *id)
            {
                self.installed.remove(&oldest);
            }
        }
        self.next += 1;
        self.installed.insert(
            self.next,
            Installed {
                kind,
                cursor,
                polled: Instant::now(),
            },
        );
        self.next
    }

    /// The filter `id`, marked as polled now.
    ///
    /// # Errors
    /// geth's "filter not found" for an unknown or expired id.
    pub fn poll(&mut self, id: u64) -> Result<&mut Installed> {
        self.expire();
        let f = self.installed.get_mut(&id).context("filter not found")?;
        f.polled = Instant::now();
        Ok(f)
    }

    /// After an `evm_revert`: no cursor past the `logs` and the next block
    /// that remain, so what is mined again is reported.
    pub fn rewind(&mut self, logs: u64, next_block: u64) {
        for f in self.installed.values_mut() {
            f.cursor = f.cursor.min(match f.kind {
                Kind::Logs(_) => logs,
                Kind::Blocks => next_block,
            });
        }
    }

    /// Removes filter `id`; whether it was installed.
    pub fn uninstall(&mut self, id: u64) -> bool {
        self.installed.remove(&id).is_some()
    }

    fn expire(&mut self) {
        self.installed.retain(|_, f| f.polled.elapsed() < IDLE);
    }
}
