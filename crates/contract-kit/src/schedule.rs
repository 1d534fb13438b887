//! Numbered periods of fixed length whose length governance can change
//! from the next period on: the audits contract's rounds and the rewards
//! contract's eras.

use alloc::{vec, vec::Vec};

use alloy_primitives::U64;
use stylus_sdk::{
    prelude::*,
    storage::{StorageArray, StorageU64},
};

/// Periods of `period` seconds numbered from `first` at `start`. A new
/// length starts a new schedule at the next boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// When period `first` starts.
    pub start: u64,
    /// The first period of this schedule.
    pub first: u64,
    /// Seconds per period.
    pub period: u64,
}

impl Schedule {
    /// The period running at `t` (`t ≥ start`).
    pub fn round_at(&self, t: u64) -> u64 {
        self.first + (t - self.start) / self.period
    }

    /// When period `r` (`r ≥ first`) starts.
    pub fn start_of(&self, r: u64) -> u64 {
        self.start + (r - self.first) * self.period
    }

    /// Whether `t` is in the first half of its period.
    pub fn in_commit_phase(&self, t: u64) -> bool {
        (t - self.start) % self.period < self.period / 2
    }

    /// The schedule with periods of `period` from the period after the
    /// one running at `t`.
    pub fn rescheduled(&self, t: u64, period: u64) -> Self {
        let next = self.round_at(t) + 1;
        Self {
            start: self.start_of(next),
            first: next,
            period,
        }
    }
}

/// A schedule in storage: the one in force and the one that replaces it
/// at its start (equal unless a new length was set), `[start, first,
/// period]` each.
#[storage]
pub struct StoredSchedule {
    words: StorageArray<StorageU64, 6>,
}

impl StoredSchedule {
    fn stored(&self, which: usize) -> Schedule {
        let at = |i: usize| self.words.get(3 * which + i).unwrap_or_default().to();
        Schedule {
            start: at(0),
            first: at(1),
            period: at(2),
        }
    }

    /// The schedule in force at `now`.
    pub fn at(&self, now: u64) -> Schedule {
        let next = self.stored(1);
        if now >= next.start {
            next
        } else {
            self.stored(0)
        }
    }

    /// Keeps `now` in force until `next` starts.
    pub fn set(&mut self, now: Schedule, next: Schedule) {
        for (i, v) in [
            now.start,
            now.first,
            now.period,
            next.start,
            next.first,
            next.period,
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(mut slot) = self.words.setter(i) {
                slot.set(U64::from(v));
            }
        }
    }

    /// Periods of `period` seconds from the one after the period running
    /// at `now`; returns the new schedule.
    pub fn reschedule(&mut self, now: u64, period: u64) -> Schedule {
        let current = self.at(now);
        let next = current.rescheduled(now, period);
        self.set(current, next);
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_and_rescheduling() {
        let s = Schedule {
            start: 1_000,
            first: 0,
            period: 100,
        };
        assert_eq!(s.round_at(1_000), 0);
        assert_eq!(s.round_at(1_199), 1);
        assert!(s.in_commit_phase(1_149) && !s.in_commit_phase(1_150));
        let r = s.rescheduled(1_150, 40);
        assert_eq!(
            r,
            Schedule {
                start: 1_200,
                first: 2,
                period: 40
            }
        );
        assert_eq!(r.round_at(1_239), 2);
        assert_eq!(r.round_at(1_240), 3);
    }
}
