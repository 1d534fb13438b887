//! # Facts of the SPON protocol, declared once
//!
//! What contracts and off-chain code must agree on, with no dependency so
//! that both can use it: each contract's role ids, as `#[repr(u8)]` enums
//! with [`TryFrom<u8>`] and a `name()` (the words the CLI and the docs
//! use).
#![no_std]

/// Declares a `#[repr(u8)]` enum of ids with `TryFrom<u8>`, `name()` and
/// `ALL`.
macro_rules! ids {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $id:literal => $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum $name {
            $($(#[$vm])* $v = $id),*
        }

        impl $name {
            /// Every value, by id.
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            /// Its name in the CLI and the docs.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$v => $text),*
                }
            }

            /// The value named `name`, if any.
            pub fn from_name(name: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.name() == name)
            }
        }

        impl TryFrom<u8> for $name {
            type Error = u8;

            /// The value with id `id`, or `id` back if there is none.
            fn try_from(id: u8) -> Result<Self, u8> {
                match id {
                    $($id => Ok($name::$v),)*
                    other => Err(other),
                }
            }
        }

        impl From<$name> for u8 {
            fn from(v: $name) -> u8 {
                v as u8
            }
        }
    };
}

/// Role ids of each contract's `setRole`, `hasRole` and `RoleChanged`.
/// Role 0 is governance everywhere.
pub mod roles {
    ids! {
        /// Roles of the staking contract.
        Staking {
            /// Sets parameters, roles and pause.
            Governance = 0 => "governance",
            /// The challenges contract: offences and slashes.
            Challenges = 1 => "challenges",
            /// May fund rewards (any number).
            Rewarder = 2 => "rewarder",
            /// Receives the protocol's share of slashes.
            Treasury = 3 => "treasury",
            /// May pause.
            Guardian = 4 => "guardian",
        }
    }

    ids! {
        /// Roles of the registry.
        Registry {
            /// Approves providers, sets parameters, roles and pause.
            Governance = 0 => "governance",
            /// The leases contract: lease counters.
            Market = 1 => "market",
            /// The challenges contract: challenges lost, uptime.
            Challenges = 2 => "challenges",
            /// Approved gateway operators (any number).
            Gateway = 3 => "gateway",
            /// The staking contract whose stake counts.
            Staking = 4 => "staking",
            /// May pause.
            Guardian = 5 => "guardian",
        }
    }

    ids! {
        /// Roles of the market.
        Market {
            /// Sets parameters, payment tokens, roles and pause.
            Governance = 0 => "governance",
            /// May pause.
            Guardian = 1 => "guardian",
        }
    }

    ids! {
        /// Roles of the leases contract.
        Leases {
            /// Sets parameters, roles and pause.
            Governance = 0 => "governance",
            /// Receives the fees of non-SPON payments.
            Treasury = 1 => "treasury",
            /// The market contract: opens leases.
            Market = 2 => "market",
            /// May pause.
            Guardian = 3 => "guardian",
        }
    }

    ids! {
        /// Roles of the challenges contract.
        Challenges {
            /// Sets parameters and roles, rules, vetoes, pauses.
            Governance = 0 => "governance",
            /// May veto slashes and pause.
            Guardian = 1 => "guardian",
            /// Rules on lease faults.
            Committee = 2 => "committee",
            /// The audits contract: its passed challenges credit uptime.
            Audits = 3 => "audits",
        }
    }

    ids! {
        /// Roles of the audits contract.
        Audits {
            /// Sets parameters and roles, withdraws from the pool, pauses.
            Governance = 0 => "governance",
            /// Commits and reveals seeds, runs audits (any number).
            Auditor = 1 => "auditor",
            /// May pause.
            Guardian = 2 => "guardian",
        }
    }

    ids! {
        /// Roles of the governor (it holds its own governance role).
        Governance {
            /// The governor itself.
            Governance = 0 => "governance",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::roles::*;

    #[test]
    fn ids_and_names_round_trip() {
        for r in Registry::ALL {
            assert_eq!(Registry::try_from(*r as u8), Ok(*r));
            assert_eq!(Registry::from_name(r.name()), Some(*r));
        }
        assert_eq!(Staking::try_from(9), Err(9));
        assert_eq!(Challenges::Audits.name(), "audits");
        assert_eq!(u8::from(Leases::Market), 2);
    }
}
