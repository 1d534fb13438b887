//! `spon gov`: proposals, votes, queue and execution.

use alloy_primitives::{keccak256, Address, Bytes, U256};
use alloy_sol_types::SolCall;
use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use serde_json::json;
use spon_client::bindings::{Governance, Market, Registry};
use spon_protocol::states;

use crate::context::{event, expect_event, Ctx, Out};

/// A vote.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum Support {
    /// Against.
    Against,
    /// For.
    For,
    /// Abstain (counts toward quorum).
    Abstain,
}

/// Governance commands.
#[derive(Subcommand, Debug)]
pub enum GovCmd {
    /// Proposes calls for the governor to make (at least one action).
    Propose {
        /// What the proposal does, in words (its keccak256 is recorded).
        #[arg(long)]
        description: String,
        /// Sets a parameter: CONTRACT:PARAMETER=VALUE, the parameter by name or id,
        /// e.g. market:bidWindow=7200 or market:0=7200 (seconds). Names: staking
        /// unbondingPeriod jailPeriod maxCommissionBps commissionChangeDelay;
        /// registry autoApprove minProviderStake minFizzStake probeMaxAge
        /// maxFaultBps tier{1,2,3}{Stake,Gemm,UptimeEras,Leases}
        /// fizz{Stake,Gemm,UptimeEras,Leases}; market bidWindow maxBidsPerOrder;
        /// leases nonSponFeeBps; challenges challengeBond challengeWindow
        /// severityLivenessBps severityGpuWorkBps severityLeaseFaultBps
        /// challengerShareBps griefPenaltyBps vetoPeriod rulingWindow slashCapBps
        /// slashCapPeriod gpuWorkLog2N gpuWorkSamples gpuWorkDeadline
        /// gpuWorkLog2NFizz; audits gpuWorkShareBps
        /// weightCap minAuditStake auditsPerRound; rewards eraBudget claimDelay
        /// {hopper,blackwell,ampereDc,adaDc,mi300,rtx50,rtx40,rtx30,apple,other}Multiplier
        /// tier{1..6}Booster; governance quorumBps votingPeriod timelockDelay
        /// votingDelay proposalThreshold.
        #[arg(long)]
        set_parameter: Vec<String>,
        /// Approves a proposed Provider node, or its pending hardware
        /// update: the proposal names the spec under review now, and is
        /// refused at execution if the node changed it since.
        #[arg(long)]
        approve_provider: Vec<Address>,
        /// Allows a payment token in the market (tUSD or an address).
        #[arg(long)]
        approve_payment_token: Vec<String>,
        /// Any call: CONTRACT:0xCALLDATA (a contract name or address).
        #[arg(long)]
        call: Vec<String>,
    },
    /// Votes on an active proposal with SPON locked until the vote ends.
    Vote {
        /// The proposal.
        id: u64,
        /// for, against or abstain.
        #[arg(value_enum)]
        support: Support,
        /// SPON to vote with.
        amount: String,
        /// Approve the governor for the amount first if needed.
        #[arg(long)]
        approve: bool,
    },
    /// Queues a proposal that passed (starts its timelock).
    Queue {
        /// The proposal.
        id: u64,
    },
    /// Executes a queued proposal after its timelock (its calls are read
    /// back from its ProposalCall events).
    Execute {
        /// The proposal.
        id: u64,
    },
    /// Takes back your SPON locked in a finished vote.
    Unlock {
        /// The proposal.
        id: u64,
    },
    /// A proposal's state, votes and calls.
    Status {
        /// The proposal.
        id: u64,
    },
}

/// The calls of proposal `id`, from its events.
async fn calls_of(ctx: &Ctx, id: u64) -> Result<(Vec<Address>, Vec<U256>, Vec<Bytes>)> {
    let mut calls: Vec<Governance::ProposalCall> = ctx
        .events::<Governance::ProposalCall>("governance")
        .await?
        .into_iter()
        .map(|(e, _)| e)
        .filter(|e| e.id == id)
        .collect();
    calls.sort_by_key(|c| c.index);
    Ok((
        calls.iter().map(|c| c.target).collect(),
        calls.iter().map(|c| c.value).collect(),
        calls.iter().map(|c| c.data.clone()).collect(),
    ))
}

/// Runs a governance command.
pub async fn run(ctx: &Ctx, cmd: GovCmd) -> Result<Out> {
    let gov = ctx.addr("governance")?;
    let mut out = Out::default();
    let r = match cmd {
        GovCmd::Status { id } => return status(ctx, id).await,
        GovCmd::Propose {
            description,
            set_parameter,
            approve_provider,
            approve_payment_token,
            call,
        } => {
            let mut actions: Vec<(Address, Vec<u8>)> = Vec::new();
            for s in &set_parameter {
                let (contract, rest) = s
                    .split_once(':')
                    .with_context(|| format!("--set-parameter {s:?}: CONTRACT:PARAMETER=VALUE"))?;
                let (id, value) = rest
                    .split_once('=')
                    .with_context(|| format!("--set-parameter {s:?}: CONTRACT:PARAMETER=VALUE"))?;
                let id = match spon_protocol::params::id(contract, id) {
                    Some(id) => id,
                    None if !spon_protocol::params::has_parameters(contract) => {
                        id.parse().with_context(|| {
                            format!("--set-parameter {s:?}: parameter {id:?} of an address is an id (0-255)")
                        })?
                    }
                    None => bail!("--set-parameter {s:?}: {contract} has no parameter {id:?} (see `spon gov propose --help`)"),
                };
                actions.push((
                    ctx.resolve(contract)?,
                    Market::setParameterCall {
                        id,
                        value: value.parse().context("parameter value")?,
                    }
                    .abi_encode(),
                ));
            }
            for node in approve_provider {
                // The proposal names the spec under review now: one
                // swapped before execution is refused.
                let registry = ctx.addr("registry")?;
                let n = ctx
                    .view(registry, Registry::nodeOfCall { node })
                    .await?
                    .node;
                let hardware = if n.state == states::NodeState::Proposed as u8 {
                    n.hardware
                } else {
                    n.pendingHardware
                };
                if hardware.is_zero() {
                    bail!("node {node} has nothing awaiting approval");
                }
                actions.push((
                    registry,
                    Registry::approveProviderCall { node, hardware }.abi_encode(),
                ));
            }
            for t in &approve_payment_token {
                let token = ctx.token(t).await?.address;
                actions.push((
                    ctx.addr("market")?,
                    Market::approvePaymentTokenCall { token }.abi_encode(),
                ));
            }
            for c in &call {
                let (contract, data) = c
                    .split_once(':')
                    .with_context(|| format!("--call {c:?}: CONTRACT:0xCALLDATA"))?;
                let data: Bytes = data.parse().context("calldata is hex")?;
                actions.push((ctx.resolve(contract)?, data.to_vec()));
            }
            if actions.is_empty() {
                bail!("a proposal needs an action: --set-parameter, --approve-provider, --approve-payment-token or --call");
            }
            let r = ctx
                .send(
                    gov,
                    Governance::proposeCall {
                        targets: actions.iter().map(|a| a.0).collect(),
                        values: vec![U256::ZERO; actions.len()],
                        calldatas: actions.iter().map(|a| a.1.clone().into()).collect(),
                        description_hash: keccak256(description.as_bytes()),
                    },
                )
                .await?;
            let e = expect_event::<Governance::ProposalCreated>(&r)?;
            out.field("proposal", e.id);
            out.field("calls", e.calls);
            out.field("vote", format!("{} → {}", e.voteStart, e.voteEnd));
            r
        }
        GovCmd::Vote {
            id,
            support,
            amount,
            approve,
        } => {
            let spon = ctx.token("SPON").await?;
            let amount = spon.parse(&amount)?;
            let state = ctx.view(gov, Governance::stateOfCall { id }).await?.state;
            if state != states::ProposalState::Active as u8 {
                bail!(
                    "proposal {id} is {}: votes are taken while it is active",
                    states::ProposalState::name_of(state)
                );
            }
            ctx.ensure_funds(&spon, gov, "governance", amount, approve)
                .await?;
            let r = ctx
                .send(
                    gov,
                    Governance::castVoteCall {
                        id,
                        support: support as u8,
                        amount,
                    },
                )
                .await?;
            out.kv(
                "voted",
                json!({"support": format!("{support:?}").to_lowercase(), "amount": spon.json(amount)}),
                format!("{:?} with {}", support, spon.show(amount)),
            );
            r
        }
        GovCmd::Queue { id } => {
            let r = ctx.send(gov, Governance::queueCall { id }).await?;
            let eta = ctx
                .view(gov, Governance::proposalOfCall { id })
                .await?
                .proposal
                .eta;
            out.field("executable after", eta);
            r
        }
        GovCmd::Execute { id } => {
            let (targets, values, calldatas) = calls_of(ctx, id).await?;
            if targets.is_empty() {
                bail!("unknown proposal {id}: no calls recorded for it");
            }
            out.field("calls", targets.len());
            ctx.send(
                gov,
                Governance::executeCall {
                    id,
                    targets,
                    values,
                    calldatas,
                },
            )
            .await?
        }
        GovCmd::Unlock { id } => {
            let spon = ctx.token("SPON").await?;
            let r = ctx.send(gov, Governance::unlockCall { id }).await?;
            if let Some(e) = event::<Governance::VotesUnlocked>(&r) {
                out.kv("unlocked", spon.json(e.amount), spon.show(e.amount));
            }
            r
        }
    };
    out.tx(&r);
    Ok(out)
}

async fn status(ctx: &Ctx, id: u64) -> Result<Out> {
    let gov = ctx.addr("governance")?;
    let state = ctx.view(gov, Governance::stateOfCall { id }).await?.state;
    if state == states::ProposalState::None as u8 {
        let count = ctx
            .view(gov, Governance::proposalCountCall {})
            .await?
            .proposalCount;
        bail!("unknown proposal {id}: proposals run from 1 to {count}");
    }
    let spon = ctx.token("SPON").await?;
    let p = ctx
        .view(gov, Governance::proposalOfCall { id })
        .await?
        .proposal;
    let v = ctx.view(gov, Governance::votesOfCall { id }).await?.votes;
    let mut out = Out::default();
    out.field("proposal", id);
    out.field("state", states::ProposalState::name_of(state).to_string());
    out.field("proposer", p.proposer);
    out.field("vote", format!("{} → {}", p.voteStart, p.voteEnd));
    if p.eta != 0 {
        out.field("executable after", p.eta);
    }
    out.kv("quorum", spon.json(p.quorum), spon.show(p.quorum));
    out.kv(
        "votes",
        json!({"for": spon.json(v.forVotes), "against": spon.json(v.againstVotes), "abstain": spon.json(v.abstainVotes)}),
        format!(
            "{} for, {} against, {} abstain",
            spon.show(v.forVotes),
            spon.show(v.againstVotes),
            spon.show(v.abstainVotes)
        ),
    );
    let (targets, _, calldatas) = calls_of(ctx, id).await?;
    let mut calls = Vec::new();
    for (t, d) in targets.iter().zip(&calldatas) {
        out.line(format!("  call {t} 0x{}", alloy_primitives::hex::encode(d)));
        calls.push(json!({"target": t, "data": d}));
    }
    out.data("calls", calls.into());
    Ok(out)
}
