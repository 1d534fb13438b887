//! The spread of repeated measurements.

use serde::{Deserialize, Serialize};

/// Summary statistics of one measurement repeated `runs` times.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// How many runs.
    pub runs: u32,
    /// The median (mean of the middle two for an even count).
    pub median: f64,
    /// The lowest run.
    pub min: f64,
    /// The highest run.
    pub max: f64,
    /// The arithmetic mean.
    pub mean: f64,
    /// The sample standard deviation (0 for one run).
    pub stddev: f64,
}

impl Stats {
    /// The statistics of `samples`; `None` when there are none or one is
    /// not a finite number.
    pub fn of(samples: &[f64]) -> Option<Self> {
        if samples.is_empty() || samples.iter().any(|x| !x.is_finite()) {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        let count = n as f64;
        let mean = sorted.iter().sum::<f64>() / count;
        let stddev = if n > 1 {
            (sorted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (count - 1.0)).sqrt()
        } else {
            0.0
        };
        Some(Self {
            runs: u32::try_from(n).unwrap_or(u32::MAX),
            median,
            min: sorted[0],
            max: sorted[n - 1],
            mean,
            stddev,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Stats;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        let s = Stats::of(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(
            (s.runs, s.median, s.min, s.max, s.mean),
            (4, 2.5, 1.0, 4.0, 2.5)
        );
        assert!((s.stddev - 1.290_994_448_735_805_6).abs() < 1e-12);
        assert_eq!(Stats::of(&[7.0]).unwrap().stddev, 0.0);
        assert!(Stats::of(&[]).is_none());
        assert!(Stats::of(&[1.0, f64::NAN]).is_none());
    }

    proptest! {
        #[test]
        fn median_and_mean_lie_between_the_extremes(
            xs in proptest::collection::vec(-1e9f64..1e9, 1..40)
        ) {
            let s = Stats::of(&xs).unwrap();
            prop_assert!(s.min <= s.median && s.median <= s.max);
            prop_assert!(s.min <= s.mean + 1e-6 && s.mean <= s.max + 1e-6);
            prop_assert!(s.stddev >= 0.0);
            prop_assert_eq!(s.runs as usize, xs.len());
        }
    }
}
