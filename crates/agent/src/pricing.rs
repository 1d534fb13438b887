//! Which orders the agent bids on, and at what price.
//!
//! A TOML file (keys in kebab-case, unknown keys refused):
//!
//! ```toml
//! max-leases = 4            # no bids while this many leases run
//!
//! [[rule]]                  # first matching rule wins
//! token = "0x…"             # payment token of the order
//! floor-per-gpu-hour = "2000000000000000000"   # in the token's units
//! gpu-model = 1             # optional: only when the node is this class
//! region = "DE"             # optional: only when the node is here
//! ```
//!
//! The bid is `floor-per-gpu-hour × GPUs the order asks for` (at least
//! one), placed only if the order's maximum price allows it.

use std::path::Path;

use alloy_primitives::{Address, U256};
use anyhow::{Context, Result};
use serde::Deserialize;
use spon_node::Hardware;
use spon_scoring::{Requirements, Unmet};

/// A price rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Rule {
    /// The payment token it prices.
    pub token: Address,
    /// Least price per GPU-hour, in the token's smallest unit.
    pub floor_per_gpu_hour: U256,
    /// Applies only to nodes of this GPU model class.
    pub gpu_model: Option<u16>,
    /// Applies only to nodes in this region (ISO 3166-1 alpha-2).
    pub region: Option<String>,
}

/// The agent's pricing.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Pricing {
    /// No bids while this many leases of the node run.
    pub max_leases: u64,
    /// Rules, first match wins.
    #[serde(rename = "rule", default)]
    pub rules: Vec<Rule>,
}

/// Why no bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// The node does not meet a requirement (or its tier is too low).
    Unmet(Unmet),
    /// No rule prices the order's token for this node.
    NoRule,
    /// The price would exceed the order's maximum.
    AboveMax {
        /// The price the rule gives.
        price: U256,
        /// The order's maximum.
        max: U256,
    },
    /// The node runs `max-leases` leases already.
    AtCapacity,
}

impl core::fmt::Display for Skip {
    /// The reason in words; prices in base units (the token's decimals
    /// are the caller's to apply).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Skip::Unmet(u) => f.write_str(u.meaning()),
            Skip::NoRule => f.write_str("no pricing rule covers the order's token"),
            Skip::AboveMax { price, max } => write!(
                f,
                "its price, {price} units an hour, is above the order's maximum of {max}"
            ),
            Skip::AtCapacity => f.write_str("it runs as many leases as it takes"),
        }
    }
}

/// One order as the agent sees it.
#[derive(Debug, Clone, Copy)]
pub struct Order {
    /// Requirements.
    pub requirements: Requirements,
    /// Payment token.
    pub token: Address,
    /// Most the tenant pays per hour.
    pub max_per_hour: U256,
}

impl Pricing {
    /// Reads a pricing file.
    ///
    /// # Errors
    /// Unreadable, malformed, or unknown keys.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("bad pricing file {}", path.display()))
    }

    /// The price to bid on `order` for a node with `hardware`, `tier` and
    /// `active_leases` running, or why not.
    pub fn decide(
        &self,
        order: &Order,
        hardware: &Hardware,
        tier: u8,
        active_leases: u64,
    ) -> Result<U256, Skip> {
        order
            .requirements
            .check(hardware, tier)
            .map_err(Skip::Unmet)?;
        if active_leases >= self.max_leases {
            return Err(Skip::AtCapacity);
        }
        let region = std::str::from_utf8(&hardware.region).unwrap_or("");
        let rule = self
            .rules
            .iter()
            .find(|r| {
                r.token == order.token
                    && r.gpu_model.is_none_or(|m| m == hardware.gpu_model)
                    && r.region
                        .as_deref()
                        .is_none_or(|g| g.eq_ignore_ascii_case(region))
            })
            .ok_or(Skip::NoRule)?;
        let gpus = U256::from(order.requirements.gpu_count.max(1));
        let price = rule.floor_per_gpu_hour.saturating_mul(gpus);
        if price > order.max_per_hour {
            return Err(Skip::AboveMax {
                price,
                max: order.max_per_hour,
            });
        }
        Ok(price)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use spon_node::hardware::gpu;

    const TOKEN: Address = Address::with_last_byte(0x70);

    fn node() -> Hardware {
        Hardware {
            gpu_model: gpu::HOPPER,
            gpu_count: 8,
            vram_mib: 81_559,
            region: *b"DE",
            bandwidth_mbps: 10_000,
            ..Hardware::default()
        }
    }

    fn pricing() -> Pricing {
        toml::from_str(&format!(
            r#"
max-leases = 2
[[rule]]
token = "{TOKEN}"
floor-per-gpu-hour = "3"
gpu-model = 1
region = "de"
[[rule]]
token = "{TOKEN}"
floor-per-gpu-hour = "5"
"#
        ))
        .unwrap()
    }

    fn order(gpus: u16, max: u64) -> Order {
        Order {
            requirements: Requirements {
                gpu_count: gpus,
                max_tier: 6,
                ..Requirements::default()
            },
            token: TOKEN,
            max_per_hour: U256::from(max),
        }
    }

    #[test]
    fn the_first_matching_rule_prices_per_gpu() {
        let p = pricing();
        assert_eq!(p.decide(&order(4, 100), &node(), 3, 0), Ok(U256::from(12)));
        let elsewhere = Hardware {
            region: *b"FR",
            ..node()
        };
        assert_eq!(
            p.decide(&order(4, 100), &elsewhere, 3, 0),
            Ok(U256::from(20))
        );
    }

    #[test]
    fn skips_are_named() {
        let p = pricing();
        assert_eq!(
            p.decide(&order(4, 11), &node(), 3, 0),
            Err(Skip::AboveMax {
                price: U256::from(12),
                max: U256::from(11)
            })
        );
        assert_eq!(
            p.decide(&order(9, 1_000), &node(), 3, 0),
            Err(Skip::Unmet(Unmet::GpuCount))
        );
        assert_eq!(
            p.decide(&order(1, 1_000), &node(), 7, 0),
            Err(Skip::Unmet(Unmet::Tier))
        );
        assert_eq!(
            p.decide(&order(1, 1_000), &node(), 3, 2),
            Err(Skip::AtCapacity)
        );
        let other = Order {
            token: Address::with_last_byte(1),
            ..order(1, 1_000)
        };
        assert_eq!(p.decide(&other, &node(), 3, 0), Err(Skip::NoRule));
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Pricing>("max-leases = 1\nmax-lease = 2\n").is_err());
    }

    proptest! {
        #[test]
        fn a_bid_is_never_above_the_orders_max_nor_below_the_floor(
            floor in 0u64..1_000_000, gpus in 0u16..=8, max in 0u64..10_000_000, leases in 0u64..4
        ) {
            let p = Pricing {
                max_leases: 3,
                rules: vec![Rule { token: TOKEN, floor_per_gpu_hour: U256::from(floor), gpu_model: None, region: None }],
            };
            if let Ok(price) = p.decide(&order(gpus, max), &node(), 1, leases) {
                prop_assert!(price <= U256::from(max));
                prop_assert!(price >= U256::from(floor));
                prop_assert!(leases < 3);
            }
        }
    }
}
