//! Lease accrual and fee arithmetic, pure and exact.
//!
//! A lease at `price` per hour that started at `start` owes, after `t`
//! seconds, `cost(t) = ⌊price · t / 3600⌋` in total — per second, floored
//! on the running total, so no rounding accumulates across settlements.
//! It runs until `end`, or until its escrow `funded` (deposit and top-ups)
//! no longer covers the next second: the **last fully paid second** is the
//! largest `t` with `cost(t) ≤ funded`.
//!
//! The fee of an allowlisted non-SPON token is **added** to the price and
//! paid by the tenant: the provider receives the whole accrual `gross`, and
//! the fee so far is `⌊gross · feeBps / 10000⌋` on the running total, so the
//! fee of a whole lease is exactly that of its total, however often it was
//! settled. The escrow is spent on both: the lease runs while
//! `gross + fee(gross) ≤ funded`. SPON leases have `feeBps = 0`. Value is
//! conserved to the wei:
//! `provider (gross) + fee + refund (funded − gross − fee) = funded`.

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
    /// The total owed to the provider for `start..until` (the fee comes on
    /// top).
    pub gross: U256,
    /// Whether it ends at `until`: its end is reached, or its escrow covers
    /// no second after `until`.
    pub ends: bool,
    /// Whether it ends because the escrow ran dry before its end.
    pub exhausted: bool,
}

/// The largest running total `g` (paid to the provider) whose charge
/// `g + fee(g)` is at most `funded`.
pub fn gross_budget(funded: U256, fee_bps: u16) -> U256 {
    if fee_bps == 0 {
        return funded;
    }
    // g0 = ⌊F·10⁴ / (10⁴ + b)⌋ has g0 + g0·b/10⁴ ≤ F, so charge(g0) ≤ F; and
    // charge(g0 + 2) > F, as (g0 + 2)(1 + b/10⁴) > F + 1 and the floor of
    // the fee loses less than 1. The budget is g0 or g0 + 1. (Only for an
    // F above 2^256 / 10⁴, beyond any token's supply, does the saturated
    // product make g0 a lower bound: still affordable, never more.)
    let bps = U256::from(BPS);
    let g0 = math::div(funded.saturating_mul(bps), bps + U256::from(fee_bps)).unwrap_or_default();
    let next = g0 + U256::from(1);
    if next + fee(next, fee_bps) <= funded {
        next
    } else {
        g0
    }
}

/// What a lease of `price` per hour over `start..end`, funded with
/// `funded` in all (price and fee), owes at `now` (≥ `start`).
pub fn due(price: U256, start: u64, end: u64, funded: U256, fee_bps: u16, now: u64) -> Due {
    let budget = gross_budget(funded, fee_bps);
    let affordable = start.saturating_add(paid_seconds(price, budget));
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
/// (`gross ≥ paid`): the provider the whole accrual, the treasury the fee
/// on top.
pub fn payout(paid: U256, gross: U256, fee_bps: u16) -> Payout {
    Payout {
        provider: gross - paid,
        fee: fee(gross, fee_bps) - fee(paid, fee_bps),
    }
}

/// What the escrow has spent at running total `gross`: the accrual and
/// its fee.
pub fn charged(gross: U256, fee_bps: u16) -> U256 {
    gross + fee(gross, fee_bps)
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
        let d = due(price, 100, 200, U256::from(1_000), 0, 150);
        assert_eq!(
            (d.until, d.gross, d.ends, d.exhausted),
            (150, U256::from(50), false, false)
        );
        let d = due(price, 100, 200, U256::from(1_000), 0, 500);
        assert_eq!(
            (d.until, d.gross, d.ends, d.exhausted),
            (200, U256::from(100), true, false)
        );
        let d = due(price, 100, 200, U256::from(30), 0, 150);
        assert_eq!(
            (d.until, d.gross, d.ends, d.exhausted),
            (130, U256::from(30), true, true)
        );
        // Exactly paid up to now: not yet over.
        let d = due(price, 100, 200, U256::from(50), 0, 150);
        assert_eq!((d.until, d.ends), (150, false));
        // With a 2% fee on top, 51 buys 50 seconds (50 + ⌊1⌋), 50 only 49.
        let d = due(price, 100, 200, U256::from(51), 200, 150);
        assert_eq!((d.until, d.gross, d.ends), (150, U256::from(50), false));
        let d = due(price, 100, 200, U256::from(50), 200, 150);
        assert_eq!((d.until, d.gross, d.exhausted), (149, U256::from(49), true));
    }

    #[test]
    fn the_fee_is_added_and_the_provider_gets_the_whole_price() {
        // The demo's tUSD lease: 1.5 tUSD (6 decimals) for an hour at 2%.
        let price = U256::from(1_500_000);
        let out = payout(U256::ZERO, cost(price, HOUR), 200);
        assert_eq!((out.provider, out.fee), (price, U256::from(30_000)));
        assert_eq!(charged(price, 200), U256::from(1_530_000));
        assert_eq!(gross_budget(U256::from(1_530_000), 200), price);
        assert_eq!(
            gross_budget(U256::from(1_529_999), 200),
            price - U256::from(1)
        );
        assert_eq!(gross_budget(U256::from(7), 0), U256::from(7));
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
        /// `gross_budget` is the largest running total whose charge
        /// (accrual + fee) the escrow covers.
        #[test]
        fn gross_budget_is_the_largest_affordable_total(funded in any::<u128>(), bps in 0u16..=1_000) {
            let f = U256::from(funded);
            let g = gross_budget(f, bps);
            prop_assert!(charged(g, bps) <= f);
            prop_assert!(charged(g + U256::from(1), bps) > f);
        }

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
        /// provider + fee + refund = funded exactly; the provider receives
        /// the whole accrual at the bid price and the fees, added on top,
        /// sum to ⌊total · bps / 10000⌋; the lease runs as long as the
        /// escrow covers price and fee.
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
                let d = due(p, start, end, f, bps, start + t);
                prop_assert!(d.gross >= paid && charged(d.gross, bps) <= f);
                prop_assert_eq!(d.gross, cost(p, d.until - start));
                if d.exhausted {
                    prop_assert!(charged(cost(p, d.until - start + 1), bps) > f);
                }
                let out = payout(paid, d.gross, bps);
                provider += out.provider;
                fees += out.fee;
                paid = d.gross;
                if d.ends {
                    break;
                }
            }
            let refund = f - charged(paid, bps);
            prop_assert_eq!(provider, paid);
            prop_assert_eq!(provider + fees + refund, f);
            prop_assert_eq!(fees, paid * U256::from(bps) / U256::from(BPS));
        }
    }
}
