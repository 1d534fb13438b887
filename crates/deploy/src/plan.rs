//! What a deployment does, in order, and how to tell each step is done.

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use anyhow::{bail, Context, Result};

use crate::bindings::{Audits, Challenges, Leases, Market, Registry, Staking};

/// The contracts, in deployment order (each needs only those before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Contract {
    /// SPON.
    Token,
    /// Staking and delegation.
    Staking,
    /// Nodes, probes and tiers.
    Registry,
    /// Lease escrow.
    Leases,
    /// Orders and bids.
    Market,
    /// Challenges and slashing.
    Challenges,
    /// Random audits.
    Audits,
    /// The governor.
    Governance,
}

impl Contract {
    /// Every contract, in deployment order.
    pub const ALL: [Contract; 8] = [
        Contract::Token,
        Contract::Staking,
        Contract::Registry,
        Contract::Leases,
        Contract::Market,
        Contract::Challenges,
        Contract::Audits,
        Contract::Governance,
    ];

    /// Its package name (and module name under `target/stylus/`).
    pub fn package(self) -> &'static str {
        match self {
            Contract::Token => "spon-token",
            Contract::Staking => "spon-staking",
            Contract::Registry => "spon-registry",
            Contract::Leases => "spon-leases",
            Contract::Market => "spon-market",
            Contract::Challenges => "spon-challenges",
            Contract::Audits => "spon-audits",
            Contract::Governance => "spon-governance",
        }
    }

    /// Its constructor's arguments, in order.
    pub fn constructor(self) -> &'static [Arg] {
        use Arg::*;
        use Contract as C;
        match self {
            C::Token => &[Treasury, Supply],
            C::Staking => &[Of(C::Token), Deployer, Treasury],
            C::Registry => &[Of(C::Staking), Deployer],
            C::Leases => &[Of(C::Token), Of(C::Registry), Deployer, Treasury],
            C::Market => &[
                Of(C::Token),
                Of(C::Registry),
                Of(C::Staking),
                Of(C::Leases),
                Deployer,
            ],
            C::Challenges => &[
                Of(C::Token),
                Of(C::Staking),
                Of(C::Registry),
                Of(C::Leases),
                Deployer,
            ],
            C::Audits => &[
                Of(C::Token),
                Of(C::Staking),
                Of(C::Registry),
                Of(C::Challenges),
                Deployer,
            ],
            C::Governance => &[Of(C::Token), Guardian],
        }
    }
}

/// A constructor argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// The deploying account (governance until the hand-over).
    Deployer,
    /// Receives SPON's supply, fees and the protocol's share of slashes.
    Treasury,
    /// The governor's guardian.
    Guardian,
    /// SPON's supply, in wei.
    Supply,
    /// The address of a contract deployed before.
    Of(Contract),
}

/// What the deployer chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// See [`Arg::Treasury`].
    pub treasury: Address,
    /// See [`Arg::Guardian`] (zero: none).
    pub guardian: Address,
    /// See [`Arg::Supply`].
    pub supply: U256,
    /// The lease-fault committee of the challenges contract (zero: none;
    /// governance rules alone).
    pub committee: Address,
}

/// Addresses known so far.
pub trait Addresses {
    /// The address of `c`, if deployed.
    fn of(&self, c: Contract) -> Option<Address>;
}

/// The value of `arg`.
///
/// # Errors
/// If it names a contract not yet deployed.
pub fn resolve(arg: Arg, deployer: Address, s: &Settings, a: &impl Addresses) -> Result<U256> {
    Ok(match arg {
        Arg::Deployer => deployer.into_word().into(),
        Arg::Treasury => s.treasury.into_word().into(),
        Arg::Guardian => s.guardian.into_word().into(),
        Arg::Supply => s.supply,
        Arg::Of(c) => a
            .of(c)
            .with_context(|| format!("{} is not deployed yet", c.package()))?
            .into_word()
            .into(),
    })
}

/// One call that wires the contracts, made by the deployer while it
/// still governs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// Staking lets the challenges contract open offences and slash.
    StakingChallenges,
    /// The registry takes lease counters from the leases contract.
    RegistryLeases,
    /// The registry takes challenge results from the challenges contract.
    RegistryChallenges,
    /// The leases contract opens leases for the market.
    LeasesMarket,
    /// The challenges contract credits audits from the audits contract.
    ChallengesAudits,
    /// The challenges contract takes lease-fault rulings from the committee.
    ChallengesCommittee,
    /// `c` gives its governance role to the governor (last: the deployer
    /// can wire nothing after).
    Handover(Contract),
}

/// The contracts whose governance role the governor takes.
pub const GOVERNED: [Contract; 6] = [
    Contract::Staking,
    Contract::Registry,
    Contract::Leases,
    Contract::Market,
    Contract::Challenges,
    Contract::Audits,
];

/// The wiring calls, in order; the committee only when one is set.
pub fn wiring(s: &Settings) -> Vec<Wire> {
    let mut w = vec![
        Wire::StakingChallenges,
        Wire::RegistryLeases,
        Wire::RegistryChallenges,
        Wire::LeasesMarket,
        Wire::ChallengesAudits,
    ];
    if !s.committee.is_zero() {
        w.push(Wire::ChallengesCommittee);
    }
    w.extend(GOVERNED.map(Wire::Handover));
    w
}

fn addr(a: &impl Addresses, c: Contract) -> Result<Address> {
    a.of(c)
        .with_context(|| format!("{} is not deployed yet", c.package()))
}

impl Wire {
    /// A stable name, the key in the deployment record.
    pub fn name(self) -> String {
        match self {
            Wire::StakingChallenges => "staking.setRole(challenges)".into(),
            Wire::RegistryLeases => "registry.setRole(market: leases)".into(),
            Wire::RegistryChallenges => "registry.setRole(challenges)".into(),
            Wire::LeasesMarket => "leases.setRole(market)".into(),
            Wire::ChallengesAudits => "challenges.setRole(audits)".into(),
            Wire::ChallengesCommittee => "challenges.setRole(committee)".into(),
            Wire::Handover(c) => format!("{}.setRole(governance: governor)", short(c)),
        }
    }

    /// The contract the call goes to.
    pub fn target(self) -> Contract {
        match self {
            Wire::StakingChallenges => Contract::Staking,
            Wire::RegistryLeases | Wire::RegistryChallenges => Contract::Registry,
            Wire::LeasesMarket => Contract::Leases,
            Wire::ChallengesAudits | Wire::ChallengesCommittee => Contract::Challenges,
            Wire::Handover(c) => c,
        }
    }

    /// The account this call gives its role to.
    pub fn account(self, s: &Settings, a: &impl Addresses) -> Result<Address> {
        addr(
            a,
            match self {
                Wire::StakingChallenges | Wire::RegistryChallenges => Contract::Challenges,
                Wire::RegistryLeases => Contract::Leases,
                Wire::LeasesMarket => Contract::Market,
                Wire::ChallengesAudits => Contract::Audits,
                Wire::ChallengesCommittee => return Ok(s.committee),
                Wire::Handover(_) => Contract::Governance,
            },
        )
    }

    /// The role id this call sets in its target's `setRole`.
    pub fn role(self) -> u8 {
        match self {
            Wire::Handover(_) => 0,
            Wire::StakingChallenges | Wire::RegistryLeases => 1,
            Wire::RegistryChallenges | Wire::LeasesMarket | Wire::ChallengesCommittee => 2,
            Wire::ChallengesAudits => 3,
        }
    }

    /// The call's data.
    ///
    /// # Errors
    /// If the account is not deployed yet.
    pub fn calldata(self, s: &Settings, a: &impl Addresses) -> Result<Vec<u8>> {
        set_role(self.target(), self.role(), self.account(s, a)?)
    }

    /// The target's `config()` call, whose answer tells whether this call
    /// is done.
    pub fn probe(self) -> Vec<u8> {
        match self.target() {
            Contract::Staking => Staking::configCall {}.abi_encode(),
            Contract::Registry => Registry::configCall {}.abi_encode(),
            Contract::Leases => Leases::configCall {}.abi_encode(),
            Contract::Market => Market::configCall {}.abi_encode(),
            Contract::Challenges => Challenges::configCall {}.abi_encode(),
            _ => Audits::configCall {}.abi_encode(),
        }
    }

    /// The account holding the role now, from the answer to [`Wire::probe`].
    ///
    /// # Errors
    /// If the answer does not decode.
    pub fn holder(self, answer: &[u8]) -> Result<Address> {
        let handover = matches!(self, Wire::Handover(_));
        Ok(match self.target() {
            Contract::Staking => {
                let r = Staking::configCall::abi_decode_returns(answer, true)?;
                if handover {
                    r._1
                } else {
                    r._2
                }
            }
            Contract::Registry => {
                let r = Registry::configCall::abi_decode_returns(answer, true)?;
                match self {
                    Wire::RegistryLeases => r._2,
                    Wire::RegistryChallenges => r._3,
                    _ => r._1,
                }
            }
            Contract::Leases => {
                let r = Leases::configCall::abi_decode_returns(answer, true)?;
                if handover {
                    r._2
                } else {
                    r._4
                }
            }
            Contract::Market => Market::configCall::abi_decode_returns(answer, true)?._4,
            Contract::Challenges => {
                let r = Challenges::configCall::abi_decode_returns(answer, true)?;
                match self {
                    Wire::ChallengesAudits => r._7,
                    Wire::ChallengesCommittee => r._6,
                    _ => r._4,
                }
            }
            _ => Audits::configCall::abi_decode_returns(answer, true)?._4,
        })
    }
}

/// `setRole(role, account[, true])` of contract `c` (staking, the
/// registry and audits take an `enabled` flag, the others do not).
fn set_role(c: Contract, role: u8, account: Address) -> Result<Vec<u8>> {
    let enabled = true;
    Ok(match c {
        Contract::Staking => Staking::setRoleCall {
            role,
            account,
            enabled,
        }
        .abi_encode(),
        Contract::Registry => Registry::setRoleCall {
            role,
            account,
            enabled,
        }
        .abi_encode(),
        Contract::Audits => Audits::setRoleCall {
            role,
            account,
            enabled,
        }
        .abi_encode(),
        Contract::Leases => Leases::setRoleCall { role, account }.abi_encode(),
        Contract::Market => Market::setRoleCall { role, account }.abi_encode(),
        Contract::Challenges => Challenges::setRoleCall { role, account }.abi_encode(),
        Contract::Token | Contract::Governance => bail!("{} has no roles", c.package()),
    })
}

fn short(c: Contract) -> &'static str {
    c.package().trim_start_matches("spon-")
}
