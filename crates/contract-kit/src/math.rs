//! 256-bit division for the contracts.
//!
//! ruint's general division (`/`, `div_ceil`, `div_rem`) is about 4 KB of
//! WASM in every contract that uses it, and `u128` division pulls in a
//! 1 KB compiler routine. [`div_rem`] is binary long division: a few
//! hundred bytes, at most 256 shift-and-subtract steps (cheap in Stylus
//! ink), property-tested against ruint below. Every U256 division of the
//! contracts goes through it.

use alloy_primitives::U256;

use spon_protocol::BPS;

/// Quotient and remainder of `n ÷ d`; `None` if `d` is zero.
pub fn div_rem(n: U256, d: U256) -> Option<(U256, U256)> {
    (!d.is_zero()).then(|| long_division(n, d))
}

/// `n ÷ d` and its remainder, `d` non-zero.
fn long_division(n: U256, d: U256) -> (U256, U256) {
    if n < d {
        return (U256::ZERO, n);
    }
    let shift = d.leading_zeros() - n.leading_zeros();
    let mut d = d << shift;
    let mut q = U256::ZERO;
    let mut r = n;
    for i in (0..=shift).rev() {
        if r >= d {
            r -= d;
            q.set_bit(i, true);
        }
        d >>= 1;
    }
    (q, r)
}

/// `n ÷ d` rounded down; `None` if `d` is zero.
pub fn div(n: U256, d: U256) -> Option<U256> {
    if d.is_zero() {
        return None;
    }
    Some(long_division(n, d).0)
}

/// `n ÷ d` rounded up; `None` if `d` is zero.
pub fn div_up(n: U256, d: U256) -> Option<U256> {
    let (q, r) = div_rem(n, d)?;
    // q < n when r > 0 (d ≥ 2), so q + 1 cannot overflow.
    Some(if r.is_zero() { q } else { q + U256::from(1) })
}

/// `a × b ÷ d`, rounded down; `None` on overflow or `d == 0`.
pub fn mul_div(a: U256, b: U256, d: U256) -> Option<U256> {
    if d.is_zero() {
        return None;
    }
    Some(long_division(a.checked_mul(b)?, d).0)
}

/// `a × b ÷ d`, rounded up; `None` on overflow or `d == 0`.
pub fn mul_div_up(a: U256, b: U256, d: U256) -> Option<U256> {
    if d.is_zero() {
        return None;
    }
    let (q, r) = long_division(a.checked_mul(b)?, d);
    if r.is_zero() {
        Some(q)
    } else {
        q.checked_add(U256::from(1))
    }
}

/// `amount × bps ÷ 10,000`, rounded down; 0 if the product overflows
/// (`bps` is at most 10,000 wherever it is used, so only for amounts
/// beyond 2^242).
pub fn bps_of(amount: U256, bps: u64) -> U256 {
    mul_div(amount, U256::from(bps), U256::from(BPS)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounding() {
        let u = U256::from;
        assert_eq!(mul_div(u(7), u(3), u(2)), Some(u(10)));
        assert_eq!(mul_div_up(u(7), u(3), u(2)), Some(u(11)));
        assert_eq!(mul_div_up(u(6), u(3), u(2)), Some(u(9)));
        assert_eq!(mul_div(u(1), u(1), U256::ZERO), None);
        assert_eq!(mul_div(U256::MAX, u(2), u(1)), None);
        assert_eq!(div_up(U256::MAX, u(2)), Some((U256::MAX >> 1) + u(1)));
        assert_eq!(div_up(U256::ZERO, u(3)), Some(U256::ZERO));
        assert_eq!(bps_of(u(10_001), 200), u(200));
        assert_eq!(bps_of(U256::MAX, 2), U256::ZERO);
    }

    #[test]
    fn div_rem_edges() {
        for (n, d) in [
            (U256::MAX, U256::from(1)),
            (U256::MAX, U256::MAX),
            (U256::ZERO, U256::from(3)),
            (U256::from(1) << 255, U256::from(3)),
            (U256::from(5), U256::MAX),
        ] {
            assert_eq!(div_rem(n, d), Some(n.div_rem(d)));
        }
    }

    proptest! {
        #[test]
        fn div_rem_matches_ruint(n: [u64; 4], d: [u64; 4], small in 1u64..) {
            let n = U256::from_limbs(n);
            for d in [U256::from_limbs(d), U256::from(small)] {
                if d.is_zero() {
                    prop_assert_eq!(div_rem(n, d), None);
                } else {
                    prop_assert_eq!(div_rem(n, d), Some(n.div_rem(d)));
                    prop_assert_eq!(div_up(n, d), Some(n.div_ceil(d)));
                }
            }
        }
    }
}
