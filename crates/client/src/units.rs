//! Token amounts: decimal text to the token's smallest unit and back.

use alloy_primitives::U256;
use anyhow::{bail, Context, Result};

/// `text` (e.g. `12.5`, or `max` for 2^256 − 1) in units of a token with
/// `decimals` decimals.
pub fn parse(text: &str, decimals: u8) -> Result<U256> {
    if text == "max" {
        return Ok(U256::MAX);
    }
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        bail!("{text:?} is not an amount (digits, optionally with a decimal point)");
    }
    if frac.len() > usize::from(decimals) {
        bail!("{text:?} has more than {decimals} decimals");
    }
    let digits = format!("{whole}{frac:0<width$}", width = usize::from(decimals));
    U256::from_str_radix(if digits.is_empty() { "0" } else { &digits }, 10)
        .with_context(|| format!("{text:?} is too large"))
}

/// `amount` units of a token with `decimals` decimals, as decimal text
/// without trailing zeros (`12.5`).
pub fn format(amount: U256, decimals: u8) -> String {
    if amount == U256::MAX {
        return "unlimited".into();
    }
    let s = amount.to_string();
    let d = usize::from(decimals);
    let (whole, frac) = if s.len() > d {
        s.split_at(s.len() - d)
    } else {
        ("0", "")
    };
    let frac = if s.len() > d {
        frac.to_string()
    } else {
        format!("{s:0>d$}")
    };
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip() {
        let spon = U256::from(10u64).pow(U256::from(18));
        assert_eq!(parse("1", 18).unwrap(), spon);
        assert_eq!(parse("12.5", 6).unwrap(), U256::from(12_500_000));
        assert_eq!(parse(".5", 6).unwrap(), U256::from(500_000));
        assert_eq!(format(U256::from(12_500_000), 6), "12.5");
        assert_eq!(format(U256::from(5), 6), "0.000005");
        assert_eq!(format(U256::ZERO, 18), "0");
        assert_eq!(format(spon * U256::from(3), 18), "3");
        assert_eq!(parse("max", 18).unwrap(), U256::MAX);
        for bad in ["", ".", "1.2.3", "-1", "1e3", "ten"] {
            assert!(parse(bad, 18).is_err(), "{bad}");
        }
        assert!(parse("0.0000001", 6)
            .unwrap_err()
            .to_string()
            .contains("6 decimals"));
    }

    #[test]
    fn format_then_parse_is_identity() {
        for (v, d) in [
            (0u128, 0u8),
            (1, 18),
            (123_456_789, 6),
            (10u128.pow(27), 18),
        ] {
            let v = U256::from(v);
            assert_eq!(parse(&format(v, d), d).unwrap(), v);
        }
    }
}
