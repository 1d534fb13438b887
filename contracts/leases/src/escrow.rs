//! Lease accrual and fee arithmetic, pure and exact.
//!
//! A lease at `price` per hour that started at `start` owes, after `t`
//! seconds, `cost(t) = ⌊price · t / 3600⌋` in total — per second, floored
//! on the running total, so no rounding accumulates across settlements.
//! It runs until `end`, or until its escrow `funded` (deposit and top-ups)
//! no longer covers the next second: the **last fully paid second** is the
//! largest `t` with `cost(t) ≤ funded`.
//!
//! The fee of an allowlisted non-SPON token is taken from the provider's
//! side on the running total too: after paying `gross` in all, the fee so
//! far is `⌊gross · feeBps / 10000⌋`, so the fee of a whole lease is exactly
//! that of its total, however often it was settled. SPON leases have
//! `feeBps = 0`. Value is conserved to the wei:
//! `provider (gross − fee) + fee + refund (funded − gross) = funded`.

use alloy_primitives::U256;
use spon_contract_kit::math;

pub use spon_protocol::{BPS, HOUR};

/// Total owed for `secs` seconds at `price` per hour.
pub fn cost(price: U256, secs: u64) -> U256 {
    // price < 2^128 (checked when the bid is placed), secs < 2^64.
    math::div(price.saturating_mul(U256::from(secs)), U256::from(HOUR)).unwrap_or_default()
}

/// The largest number of seconds whose [`cost`] is at most `funded`
/// (`u64::MAX` if more; 0 for a zero `price`, which bids never have).
pub fn paid_seconds(price: U256, funded: U256) -> u64 {
    // cost(t) ≤ F ⟺ price·t < 3600·(F + 1) ⟺ t ≤ ⌊(3600·(F + 1) − 1) / price⌋.
    funded
        .checked_add(U256::from(1))
        .and_then(|f| f.checked_mul(U256::from(HOUR)))
        .map_or(u64::MAX, |limit| {
            math::div(limit - U256::from(1), price)
                .unwrap_or_default()
                .saturating_to()
        })
}

/// Where a lease stands at some time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// The time it is paid up to.
    pub until: u64,
    /// The total owed for `start..until` (gross of fee).
    pub gross: U256,
    /// Whether it ends at `until`: its end is reached, or its escrow covers
    /// no second after `until`.
    pub ends: bool,
    /// Whether it ends because the escrow ran dry before its end.
    pub exhausted: bool,
}

/// What a lease of `price` per hour over `start..end`, funded with
/// `funded` in all, owes at `now` (≥ `start`).
pub fn due(price: U256, start: u64, end: u64, funded: U256, now: u64) -> Due {
    let affordable = start.saturating_add(paid_seconds(price, funded));
    let target = now.min(end);
    let exhausted = affordable < end && affordable < now;
    let until = target.min(affordable);
    Due {
        until,
        gross: cost(price, until - start),
        ends: exhausted || until == end,
        exhausted,
    }
}

/// The fee on a running total `gross` at `fee_bps`.
pub fn fee(gross: U256, fee_bps: u16) -> U256 {
    math::div(gross.saturating_mul(U256::from(fee_bps)), U256::from(BPS)).unwrap_or_default()
}

/// One settlement: from `paid` (gross, already paid) to `gross`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payout {
    /// To the provider.
    pub provider: U256,
    /// To the treasury.
    pub fee: U256,
}

/// The payout that moves the running total from `paid` to `gross`
/// (`gross ≥ paid`).
pub fn payout(paid: U256, gross: U256, fee_bps: u16) -> Payout {
    let f = fee(gross, fee_bps) - fee(paid, fee_bps);
    Payout {
        provider: gross - paid - f,
        fee: f,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn per_second_accrual_floors_the_running_total() {
        let price = U256::from(1_000); // 0.2777… per second
        assert_eq!(cost(price, 1), U256::ZERO);
        assert_eq!(cost(price, 4), U256::from(1));
        assert_eq!(cost(price, HOUR), price);
        // 1 wei buys the first 7 seconds (cost(7) = 1, cost(8) = 2).
        assert_eq!(paid_seconds(price, U256::from(1)), 7);
        assert_eq!(paid_seconds(price, U256::ZERO), 3);
        assert_eq!(paid_seconds(U256::from(1), U256::MAX), u64::MAX);
    }

    #[test]
    fn due_stops_at_the_end_or_the_last_paid_second() {
        let price = U256::from(3_600); // 1 per second
        let d = due(price, 100, 200, U256::from(1_000), 150);
        assert_eq!(
            (d.until, d.gross, d.ends, d.exhausted),
            (150, U256::from(50), false, false)
        );
        let d = due(price, 100, 200, U256::from(1_000), 500);
        assert_eq!(
            (d.until, d.gross, d.ends, d.exhausted),
            (200, U256::from(100), true, false)
        );
        let d = due(price, 100, 200, U256::from(30), 150);
        assert_eq!(
            (d.until, d.gross, d.ends, d.exhausted),
            (130, U256::from(30), true, true)
        );
        // Exactly paid up to now: not yet over.
        let d = due(price, 100, 200, U256::from(50), 150);
        assert_eq!((d.until, d.ends), (150, false));
    }

    #[test]
    fn two_percent_fee_of_the_total_however_settled() {
        let bps = 200;
        let total = U256::from(12_345);
        let once = payout(U256::ZERO, total, bps);
        assert_eq!(once.fee, U256::from(246));
        let mut fees = U256::ZERO;
        let mut paid = U256::ZERO;
        for step in [1u64, 49, 50, 7_000, 12_345] {
            let p = payout(paid, U256::from(step), bps);
            fees += p.fee;
            paid = U256::from(step);
        }
        assert_eq!(fees, once.fee);
        assert_eq!(payout(U256::ZERO, total, 0).fee, U256::ZERO);
    }

    proptest! {
        /// `paid_seconds` is the largest affordable time.
        #[test]
        fn paid_seconds_is_the_last_affordable_second(price in 1u128.., funded in any::<u128>()) {
            let (p, f) = (U256::from(price), U256::from(funded));
            let t = paid_seconds(p, f);
            prop_assert!(cost(p, t) <= f);
            if t < u64::MAX {
                prop_assert!(cost(p, t + 1) > f);
            }
        }

        /// INV-2, INV-3 (arithmetic): any sequence of settlements pays
        /// provider + fee + refund = funded exactly, and the fees sum to
        /// ⌊total · bps / 10000⌋.
        #[test]
        fn settlements_conserve_value(price in 1u128..(1u128 << 100), funded in any::<u64>(),
                                      duration in 1u64..1_000_000, bps in prop_oneof![Just(0u16), Just(200u16), 0u16..=1_000],
                                      times in proptest::collection::vec(0u64..2_000_000, 1..8)) {
            let (p, f) = (U256::from(price), U256::from(funded));
            let (start, end) = (1_000u64, 1_000 + duration);
            let mut times = times;
            times.sort_unstable();
            let (mut paid, mut provider, mut fees) = (U256::ZERO, U256::ZERO, U256::ZERO);
            for t in times {
                let d = due(p, start, end, f, start + t);
                prop_assert!(d.gross >= paid && d.gross <= f);
                let out = payout(paid, d.gross, bps);
                provider += out.provider;
                fees += out.fee;
                paid = d.gross;
                if d.ends {
                    break;
                }
            }
            let refund = f - paid;
            prop_assert_eq!(provider + fees + refund, f);
            prop_assert_eq!(fees, paid * U256::from(bps) / U256::from(BPS));
        }
    }
}
