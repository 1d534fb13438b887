//! What a deployment does, in order, and how to tell each step is done.

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use anyhow::{bail, Context, Result};

use spon_protocol::roles;

// Every contract but the token answers the same admin ABI
// (`spon_contract_kit::admin`); staking's bindings serve for all of them.
use spon_bindings::Staking as Admin;

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
    /// GPU-work verification (stateless).
    GpuVerifier,
    /// Orders and bids.
    Market,
    /// Challenges and slashing.
    Challenges,
    /// Random audits.
    Audits,
    /// Node rewards per era.
    Rewards,
    /// The governor.
    Governance,
}

impl Contract {
    /// Every contract, in deployment order.
    pub const ALL: [Contract; 10] = [
        Contract::Token,
        Contract::Staking,
        Contract::Registry,
        Contract::Leases,
        Contract::GpuVerifier,
        Contract::Market,
        Contract::Challenges,
        Contract::Audits,
        Contract::Rewards,
        Contract::Governance,
    ];

    /// Its package name (and module name under `target/stylus/`).
    pub fn package(self) -> &'static str {
        match self {
            Contract::Token => "spon-token",
            Contract::Staking => "spon-staking",
            Contract::Registry => "spon-registry",
            Contract::Leases => "spon-leases",
            Contract::GpuVerifier => "spon-gpu-verifier",
            Contract::Market => "spon-market",
            Contract::Challenges => "spon-challenges",
            Contract::Audits => "spon-audits",
            Contract::Rewards => "spon-rewards",
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
            C::GpuVerifier => &[],
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
                Of(C::GpuVerifier),
                Deployer,
            ],
            C::Audits => &[
                Of(C::Token),
                Of(C::Staking),
                Of(C::Registry),
                Of(C::Challenges),
                Deployer,
            ],
            C::Rewards => &[Of(C::Token), Of(C::Registry), Of(C::Staking), Deployer],
            C::Governance => &[Of(C::Token)],
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
    /// SPON's supply, in wei.
    Supply,
    /// The address of a contract deployed before.
    Of(Contract),
}

pub use spon_bindings::record::Settings;

/// Addresses known so far.
pub trait Addresses {
    /// The address of `c`, if deployed.
    fn of(&self, c: Contract) -> Option<Address>;
}

impl Addresses for spon_bindings::record::Record {
    fn of(&self, c: Contract) -> Option<Address> {
        self.contracts.get(c.package()).map(|d| d.address)
    }
}

/// The value of `arg`.
///
/// # Errors
/// If it names a contract not yet deployed.
pub fn resolve(arg: Arg, deployer: Address, s: &Settings, a: &impl Addresses) -> Result<U256> {
    Ok(match arg {
        Arg::Deployer => deployer.into_word().into(),
        Arg::Treasury => s.treasury.into_word().into(),
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
    /// Staking takes rewards from the rewards contract (its rewarder).
    StakingRewards,
    /// The challenges contract takes lease-fault rulings from the committee.
    ChallengesCommittee,
    /// `c` lets the guardian pause it (and, for challenges, veto).
    Guardian(Contract),
    /// `c` gives its governance role to the governor (last: the deployer
    /// can wire nothing after).
    Handover(Contract),
}

/// The contracts whose governance role the governor takes.
pub const GOVERNED: [Contract; 7] = [
    Contract::Staking,
    Contract::Registry,
    Contract::Leases,
    Contract::Market,
    Contract::Challenges,
    Contract::Audits,
    Contract::Rewards,
];

/// The wiring calls, in order; the committee and the guardian only when
/// set.
pub fn wiring(s: &Settings) -> Vec<Wire> {
    let mut w = vec![
        Wire::StakingChallenges,
        Wire::RegistryLeases,
        Wire::RegistryChallenges,
        Wire::LeasesMarket,
        Wire::ChallengesAudits,
        Wire::StakingRewards,
    ];
    if !s.committee.is_zero() {
        w.push(Wire::ChallengesCommittee);
    }
    if !s.guardian.is_zero() {
        w.extend(GOVERNED.map(Wire::Guardian));
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
            Wire::StakingRewards => "staking.setRole(rewarder: rewards)".into(),
            Wire::ChallengesCommittee => "challenges.setRole(committee)".into(),
            Wire::Guardian(c) => format!("{}.setRole(guardian)", short(c)),
            Wire::Handover(c) => format!("{}.setRole(governance: governor)", short(c)),
        }
    }

    /// The contract the call goes to.
    pub fn target(self) -> Contract {
        match self {
            Wire::StakingChallenges | Wire::StakingRewards => Contract::Staking,
            Wire::RegistryLeases | Wire::RegistryChallenges => Contract::Registry,
            Wire::LeasesMarket => Contract::Leases,
            Wire::ChallengesAudits | Wire::ChallengesCommittee => Contract::Challenges,
            Wire::Guardian(c) | Wire::Handover(c) => c,
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
                Wire::StakingRewards => Contract::Rewards,
                Wire::ChallengesCommittee => return Ok(s.committee),
                Wire::Guardian(_) => return Ok(s.guardian),
                Wire::Handover(_) => Contract::Governance,
            },
        )
    }

    /// The role id this call sets in its target's `setRole`.
    ///
    /// # Errors
    /// For a guardian of a contract without one (a plan bug).
    pub fn role(self) -> Result<u8> {
        use roles as r;
        Ok(match self {
            Wire::Handover(_) => r::Staking::Governance as u8,
            Wire::StakingChallenges => r::Staking::Challenges as u8,
            Wire::RegistryLeases => r::Registry::Market as u8,
            Wire::RegistryChallenges => r::Registry::Challenges as u8,
            Wire::LeasesMarket => r::Leases::Market as u8,
            Wire::ChallengesAudits => r::Challenges::Audits as u8,
            Wire::StakingRewards => r::Staking::Rewarder as u8,
            Wire::ChallengesCommittee => r::Challenges::Committee as u8,
            Wire::Guardian(c) => match c {
                Contract::Staking => r::Staking::Guardian as u8,
                Contract::Registry => r::Registry::Guardian as u8,
                Contract::Leases => r::Leases::Guardian as u8,
                Contract::Market => r::Market::Guardian as u8,
                Contract::Challenges => r::Challenges::Guardian as u8,
                Contract::Audits => r::Audits::Guardian as u8,
                Contract::Rewards => r::Rewards::Guardian as u8,
                Contract::Token | Contract::GpuVerifier | Contract::Governance => {
                    bail!("{} has no guardian", c.package())
                }
            },
        })
    }

    /// The call's data: `setRole(role, account, true)`.
    ///
    /// # Errors
    /// If the account is not deployed yet.
    pub fn calldata(self, s: &Settings, a: &impl Addresses) -> Result<Vec<u8>> {
        Ok(Admin::setRoleCall {
            role: self.role()?,
            account: self.account(s, a)?,
            enabled: true,
        }
        .abi_encode())
    }

    /// The target's `hasRole(role, account)` call, whose answer tells
    /// whether this call is done.
    ///
    /// # Errors
    /// If the account is not deployed yet.
    pub fn probe(self, s: &Settings, a: &impl Addresses) -> Result<Vec<u8>> {
        Ok(Admin::hasRoleCall {
            role: self.role()?,
            account: self.account(s, a)?,
        }
        .abi_encode())
    }

    /// Whether the answer to [`Wire::probe`] says the role is held.
    ///
    /// # Errors
    /// If the answer does not decode.
    pub fn is_done(answer: &[u8]) -> Result<bool> {
        Ok(Admin::hasRoleCall::abi_decode_returns(answer, true)?.hasRole)
    }
}

fn short(c: Contract) -> &'static str {
    c.package().trim_start_matches("spon-")
}

/// A read that tells whether a contract's constructor ran with the
/// planned arguments: the call and the exact answer expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What it reads, in words.
    pub what: String,
    /// The call's data.
    pub call: Vec<u8>,
    /// The answer its constructor leaves.
    pub expect: Vec<u8>,
}

impl Contract {
    /// The contracts its constructor records (its `config()` view, in
    /// order), for those that have one.
    fn config(self) -> Option<&'static [Contract]> {
        use Contract as C;
        Some(match self {
            C::Staking | C::Governance => &[C::Token],
            C::Leases => &[C::Token, C::Registry],
            C::Market => &[C::Token, C::Registry, C::Staking, C::Leases],
            C::Challenges => &[C::Token, C::Staking, C::Registry, C::Leases],
            C::Audits => &[C::Token, C::Staking, C::Registry, C::Challenges],
            C::Rewards => &[C::Token, C::Registry, C::Staking],
            C::Token | C::Registry | C::GpuVerifier => return None,
        })
    }

    /// What to read, right after the deployment and before anything else
    /// is sent, to be sure that its constructor ran, and with the planned
    /// arguments: a contract left unconstructed is anyone's to construct
    /// (the first caller of the token's constructor would choose who
    /// receives the supply). The verifier keeps no state: nothing to read.
    ///
    /// # Errors
    /// If a contract it records is not deployed yet.
    pub fn checks(self, deployer: Address, s: &Settings, a: &impl Addresses) -> Result<Vec<Check>> {
        use spon_bindings::{Registry, Token};
        let word = |x: Address| x.into_word().to_vec();
        let mut out = Vec::new();
        if self == Contract::Token {
            out.push(Check {
                what: "totalSupply()".into(),
                call: Token::totalSupplyCall {}.abi_encode(),
                expect: s.supply.to_be_bytes::<32>().to_vec(),
            });
            out.push(Check {
                what: format!("balanceOf(treasury {})", s.treasury),
                call: Token::balanceOfCall {
                    account: s.treasury,
                }
                .abi_encode(),
                expect: s.supply.to_be_bytes::<32>().to_vec(),
            });
        }
        if GOVERNED.contains(&self) {
            out.push(Check {
                what: "governance()".into(),
                call: Admin::governanceCall {}.abi_encode(),
                expect: word(deployer),
            });
        }
        if self == Contract::Registry {
            out.push(Check {
                what: "hasRole(staking)".into(),
                call: Registry::hasRoleCall {
                    role: roles::Registry::Staking as u8,
                    account: addr(a, Contract::Staking)?,
                }
                .abi_encode(),
                expect: U256::from(1).to_be_bytes::<32>().to_vec(),
            });
        }
        if let Some(recorded) = self.config() {
            let mut expect = Vec::new();
            for c in recorded {
                expect.extend(word(addr(a, *c)?));
            }
            out.push(Check {
                what: "config()".into(),
                call: alloy_primitives::keccak256("config()")[..4].to_vec(),
                expect,
            });
        }
        Ok(out)
    }
}
