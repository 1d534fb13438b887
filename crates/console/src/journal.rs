//! Undo for any state folded from logs: a checkpoint at the last final
//! block and the logs of the blocks after it. A reorg rolls back by
//! replaying the kept logs up to the surviving block onto a copy of the
//! checkpoint; finalising folds logs into the checkpoint and forgets them.
//! Each log is folded twice (live, then into the checkpoint), and the
//! state is held twice: simple, and exact whatever the events do.

use alloy_primitives::LogData;
use spon_matcher::indexer::Replica;

/// State folded from logs, one at a time, in chain order.
pub trait Fold: Clone + Default {
    /// Folds `log` of `block`; returns whether it changed anything.
    fn fold_log(&mut self, block: u64, log: &LogData) -> bool;
}

impl Fold for crate::model::Model {
    fn fold_log(&mut self, block: u64, log: &LogData) -> bool {
        self.apply(block, log)
    }
}

/// The live state, the checkpoint and the logs between them.
#[derive(Debug, Clone, Default)]
pub struct Journaled<T> {
    live: T,
    checkpoint: T,
    /// Logs after the checkpoint that changed the state, oldest first.
    pending: Vec<(u64, LogData)>,
}

impl<T: Fold> Journaled<T> {
    /// The state as of the last folded log.
    pub fn get(&self) -> &T {
        &self.live
    }
}

impl<T: Fold> Replica for Journaled<T> {
    fn apply_log(&mut self, block: u64, log: &LogData) -> bool {
        let changed = self.live.fold_log(block, log);
        if changed {
            self.pending.push((block, log.clone()));
        }
        changed
    }

    fn rollback(&mut self, block: u64) {
        let keep = self.pending.partition_point(|(b, _)| *b <= block);
        if keep == self.pending.len() {
            return;
        }
        self.pending.truncate(keep);
        let mut live = self.checkpoint.clone();
        for (b, log) in &self.pending {
            live.fold_log(*b, log);
        }
        self.live = live;
    }

    fn finalize(&mut self, block: u64) {
        let done = self.pending.partition_point(|(b, _)| *b <= block);
        for (b, log) in self.pending.drain(..done) {
            self.checkpoint.fold_log(b, &log);
        }
    }
}
