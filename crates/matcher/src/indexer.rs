//! Follows contract logs into a [`Replica`] (the matcher's [`Book`], the
//! console's market view) and the database, batch by batch, and handles
//! reorgs: before each batch the hash of the last indexed block is checked
//! against the chain; if it changed, the newest recorded block the chain
//! still has is found, the replica is rolled back to it (its undo journal)
//! and the database rewound, and indexing goes on from there.

use alloy_primitives::LogData;
use anyhow::Result;
use tracing::{debug, info, warn};

use crate::{
    events,
    source::Source,
    store::{Block, Cursor, Store},
    Book,
};

/// State rebuilt from logs, block by block, that can undo recent blocks.
pub trait Replica: Default {
    /// Applies `log` of `block`; returns whether it changed anything.
    fn apply_log(&mut self, block: u64, log: &LogData) -> bool;
    /// Undoes every change of the blocks after `block`, newest first.
    fn rollback(&mut self, block: u64);
    /// Forgets how to undo blocks up to `block` (no reorg reaches them).
    fn finalize(&mut self, block: u64);
}

impl Replica for Book {
    fn apply_log(&mut self, block: u64, log: &LogData) -> bool {
        events::decode(log).is_some_and(|e| {
            let changed = self.apply(block, &e);
            if changed {
                debug!(block, event = ?e, "book event");
            }
            changed
        })
    }

    fn rollback(&mut self, block: u64) {
        Book::rollback(self, block);
    }

    fn finalize(&mut self, block: u64) {
        Book::finalize(self, block);
    }
}

/// How the indexer reads the chain.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// First block to read when the database is new (the market's
    /// deployment block).
    pub start_block: u64,
    /// Most blocks per `eth_getLogs` request.
    pub batch: u64,
    /// Blocks a reorg can reach: hashes and undo entries are kept this
    /// far back; a deeper reorg stops the matcher with an error.
    pub reorg_depth: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            start_block: 0,
            batch: 2_000,
            reorg_depth: 64,
        }
    }
}

/// The chain changed below every block recorded in the reorg window: the
/// database cannot be rolled back; the matcher stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the chain reorganised below every block recorded in the last {depth} blocks \
     (below block {below}): start again with a new --db (or a larger --reorg-depth)"
)]
pub struct DeepReorg {
    /// The last block indexed.
    pub below: u64,
    /// The window.
    pub depth: u64,
}

/// Why indexing stopped: a reorg it cannot follow (the matcher must
/// stop), or anything else (an RPC or database error, worth retrying).
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// See [`DeepReorg`].
    #[error(transparent)]
    DeepReorg(#[from] DeepReorg),
    /// Any other failure.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// The replica and where it stands.
pub struct Indexer<R = Book> {
    /// The replica (the book, for the matcher), as of the database's cursor.
    pub state: R,
    /// Settings.
    pub settings: Settings,
    /// Reorgs handled since start.
    pub reorgs: u64,
}

/// What one [`Indexer::step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Blocks indexed.
    pub blocks: u64,
    /// Logs that changed the replica.
    pub events: usize,
    /// Blocks dropped by a reorg.
    pub dropped: u64,
    /// The chain's head is reached.
    pub caught_up: bool,
}

impl<R: Replica> Indexer<R> {
    /// Rebuilds the replica from the database's recorded logs.
    ///
    /// # Errors
    /// Database errors.
    pub fn load(store: &Store, settings: Settings) -> Result<Self> {
        let mut state = R::default();
        let mut events = 0usize;
        for (block, logs) in store.logs()? {
            for log in &logs {
                events += usize::from(state.apply_log(block, log));
            }
        }
        if let Some(c) = store.cursor()? {
            state.finalize(c.block.saturating_sub(settings.reorg_depth));
            info!(cursor = c.block, events, "state rebuilt from the database");
        }
        Ok(Indexer {
            state,
            settings,
            reorgs: 0,
        })
    }

    /// Checks the last indexed block against the chain; after a reorg,
    /// rolls back to the newest recorded block the chain still has.
    /// Returns how many blocks were dropped.
    async fn check_reorg<S: Source>(
        &mut self,
        source: &S,
        store: &Store,
    ) -> Result<u64, StepError> {
        let Some(cursor) = store.cursor()? else {
            return Ok(0);
        };
        if source.hash(cursor.block).await? == Some(cursor.hash) {
            return Ok(0);
        }
        // Blocks at or below `floor` are final by assumption: a reorg that
        // reaches them cannot be rolled back.
        let floor = cursor.block.saturating_sub(self.settings.reorg_depth);
        for known in store.recent()? {
            if source.hash(known.block).await? == Some(known.hash) {
                return Ok(self.rewind(store, cursor, Some(known))?);
            }
            if known.block <= floor {
                return Err(DeepReorg {
                    below: cursor.block,
                    depth: self.settings.reorg_depth,
                }
                .into());
            }
        }
        // No recorded block survives, and none was final: go back to the
        // floor (or, within the window of the start, to the start).
        if floor <= self.settings.start_block {
            return Ok(self.rewind(store, cursor, None)?);
        }
        match source.hash(floor).await? {
            Some(hash) => Ok(self.rewind(store, cursor, Some(Cursor { block: floor, hash }))?),
            None => Err(DeepReorg {
                below: cursor.block,
                depth: self.settings.reorg_depth,
            }
            .into()),
        }
    }

    /// Drops every block after `to` (after the start block when `None`)
    /// from the replica and the database.
    fn rewind(&mut self, store: &Store, from: Cursor, to: Option<Cursor>) -> Result<u64> {
        let kept = to.map_or(self.settings.start_block, |c| c.block + 1);
        warn!(
            from = from.block,
            first_dropped = kept,
            "reorg: dropping blocks after the last common one"
        );
        match to {
            Some(to) => {
                self.state.rollback(to.block);
                store.rewind(to)?;
            }
            None => {
                self.state = R::default();
                store.reset()?;
            }
        }
        self.reorgs += 1;
        Ok(from.block + 1 - kept)
    }

    /// Steps until the head is reached; returns the steps' totals.
    ///
    /// # Errors
    /// As [`Indexer::step`].
    pub async fn catch_up<S: Source>(
        &mut self,
        source: &S,
        store: &Store,
    ) -> Result<Step, StepError> {
        let mut total = Step {
            blocks: 0,
            events: 0,
            dropped: 0,
            caught_up: false,
        };
        while !total.caught_up {
            let step = self.step(source, store).await?;
            total.blocks += step.blocks;
            total.events += step.events;
            total.dropped += step.dropped;
            total.caught_up = step.caught_up;
        }
        Ok(total)
    }

    /// Indexes the next batch of blocks (at most `settings.batch`).
    ///
    /// # Errors
    /// RPC or database errors, or a reorg deeper than `reorg_depth`.
    pub async fn step<S: Source>(&mut self, source: &S, store: &Store) -> Result<Step, StepError> {
        let dropped = self.check_reorg(source, store).await?;
        let head = source.head().await?;
        let from = match store.cursor()? {
            Some(c) => c.block + 1,
            None => self.settings.start_block,
        };
        if from > head {
            return Ok(Step {
                blocks: 0,
                events: 0,
                dropped,
                caught_up: true,
            });
        }
        let to = head.min(from + self.settings.batch.max(1) - 1);
        // The tip's hash before and after reading the logs: if it moved,
        // the logs may mix two forks; read again next step.
        let Some(tip) = source.hash(to).await? else {
            return Ok(Step {
                blocks: 0,
                events: 0,
                dropped,
                caught_up: false,
            });
        };
        let found = source.logs(from, to).await?;
        if source.hash(to).await? != Some(tip) {
            debug!(to, "the tip moved while reading logs; reading again");
            return Ok(Step {
                blocks: 0,
                events: 0,
                dropped,
                caught_up: false,
            });
        }
        let mut blocks: Vec<Block> = Vec::new();
        let mut events = 0;
        for f in found {
            if blocks.last().is_none_or(|b| b.number != f.block) {
                blocks.push(Block {
                    number: f.block,
                    hash: f.hash,
                    logs: Vec::new(),
                });
            }
            events += usize::from(self.state.apply_log(f.block, &f.log));
            blocks.last_mut().expect("pushed").logs.push(f.log);
        }
        store.commit(
            &blocks,
            Cursor {
                block: to,
                hash: tip,
            },
            self.settings.reorg_depth,
        )?;
        self.state
            .finalize(to.saturating_sub(self.settings.reorg_depth));
        Ok(Step {
            blocks: to - from + 1,
            events,
            dropped,
            caught_up: to == head,
        })
    }
}

#[cfg(test)]
mod tests;
