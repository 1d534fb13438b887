//! `spon challenge`: challenging a node and following the challenge.

use spon_protocol::states;
use std::path::PathBuf;

use alloy_primitives::{keccak256, Address, B256, U256};
use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use serde_json::json;
use spon_client::bindings::Challenges;

use crate::context::{event, expect_event, Ctx, Out};

/// What a challenge claims.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum Kind {
    /// The node must answer with a fresh signed probe.
    Liveness,
    /// The node must compute a seeded matrix product and open sampled rows.
    GpuWork,
    /// A lease's tenant claims the node failed the lease (ruled on).
    LeaseFault,
}

/// Challenge commands.
#[derive(Subcommand, Debug)]
pub enum ChallengeCmd {
    /// Opens a challenge against a node, bonding SPON (the challenges
    /// contract's `challengeBond`).
    Open {
        /// What it claims.
        #[arg(value_enum)]
        kind: Kind,
        /// The node.
        node: Address,
        /// The lease of a lease fault.
        #[arg(long, default_value_t = 0)]
        lease: u64,
        /// Evidence file of a lease fault (its keccak256 is committed).
        #[arg(long)]
        evidence: Option<PathBuf>,
        /// Folder keeping GPU-work sampling secrets until they are revealed.
        #[arg(long, default_value = "challenge-secrets")]
        secrets: PathBuf,
        /// Approve the challenges contract for the bond first if needed.
        #[arg(long)]
        approve: bool,
    },
    /// Answers a liveness challenge with the node's latest probe (anyone).
    Answer {
        /// The challenge.
        id: u64,
    },
    /// Reveals the sampling secret of your GPU-work challenge once the
    /// node committed its product.
    Reveal {
        /// The challenge.
        id: u64,
        /// Folder of the kept secrets.
        #[arg(long, default_value = "challenge-secrets")]
        secrets: PathBuf,
    },
    /// Resolves a challenge whose step's deadline passed (anyone).
    Resolve {
        /// The challenge.
        id: u64,
    },
    /// Executes a pending slash once the veto period is over (anyone).
    Slash {
        /// The challenge.
        id: u64,
    },
    /// A challenge's kind, state, parties, bond and deadlines.
    Status {
        /// The challenge.
        id: u64,
    },
}

fn secret_file(dir: &std::path::Path, chain: u64, id: u64) -> PathBuf {
    dir.join(format!("{chain}-{id}.secret"))
}

/// Runs a challenge command.
pub async fn run(ctx: &Ctx, cmd: ChallengeCmd) -> Result<Out> {
    let challenges = ctx.addr("challenges")?;
    let mut out = Out::default();
    let r = match cmd {
        ChallengeCmd::Status { id } => return status(ctx, id).await,
        ChallengeCmd::Open {
            kind,
            node,
            lease,
            evidence,
            secrets,
            approve,
        } => {
            let spon = ctx.token("SPON").await?;
            let bond = ctx
                .view(challenges, Challenges::parameterCall { id: 0 })
                .await?
                .parameter
                * U256::from(10u64).pow(U256::from(18));
            ctx.ensure_funds(&spon, challenges, "challenges", bond, approve)
                .await?;
            let (kind_id, commitment, secret) = match kind {
                Kind::Liveness => (0u8, B256::ZERO, None),
                Kind::GpuWork => {
                    let mut s = [0u8; 32];
                    getrandom::getrandom(&mut s).context("no randomness for the secret")?;
                    let s = B256::from(s);
                    (1, spon_gpu_work::commitment(ctx.me()?, s), Some(s))
                }
                Kind::LeaseFault => {
                    let path = evidence.context("a lease fault needs --evidence FILE")?;
                    if lease == 0 {
                        bail!("a lease fault needs --lease ID");
                    }
                    let bytes = std::fs::read(&path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    (2, keccak256(bytes), None)
                }
            };
            let r = ctx
                .send(
                    challenges,
                    Challenges::openChallengeCall {
                        kind: kind_id,
                        node,
                        lease_id: lease,
                        commitment,
                    },
                )
                .await?;
            let e = expect_event::<Challenges::ChallengeOpened>(&r)?;
            out.field("challenge", e.challengeId);
            out.kv("bond", spon.json(bond), spon.show(bond));
            out.field("node must act by", e.deadline);
            if let Some(s) = secret {
                std::fs::create_dir_all(&secrets)?;
                let file = secret_file(&secrets, ctx.client.chain_id, e.challengeId);
                std::fs::write(&file, s.to_string())?;
                out.field("secret kept in", file.display());
            }
            r
        }
        ChallengeCmd::Answer { id } => {
            ctx.send(challenges, Challenges::answerLivenessCall { id })
                .await?
        }
        ChallengeCmd::Reveal { id, secrets } => {
            let file = secret_file(&secrets, ctx.client.chain_id, id);
            let secret: B256 = std::fs::read_to_string(&file)
                .with_context(|| format!("no kept secret for challenge {id} ({})", file.display()))?
                .trim()
                .parse()
                .context("the kept secret is not 32 bytes of hex")?;
            let r = ctx
                .send(challenges, Challenges::revealSampleCall { id, secret })
                .await?;
            out.field("revealed", id);
            r
        }
        ChallengeCmd::Resolve { id } => {
            let r = ctx.send(challenges, Challenges::resolveCall { id }).await?;
            let c = ctx
                .view(challenges, Challenges::challengeOfCall { id })
                .await?
                .challenge;
            out.field(
                "state",
                states::ChallengeState::name_of(c.state).to_string(),
            );
            r
        }
        ChallengeCmd::Slash { id } => {
            let spon = ctx.token("SPON").await?;
            let r = ctx
                .send(challenges, Challenges::executeSlashCall { id })
                .await?;
            if let Some(e) = event::<Challenges::SlashExecuted>(&r) {
                out.field("node", e.node);
                out.kv("slashed", spon.json(e.amount), spon.show(e.amount));
            }
            r
        }
    };
    out.tx(&r);
    Ok(out)
}

async fn status(ctx: &Ctx, id: u64) -> Result<Out> {
    let challenges = ctx.addr("challenges")?;
    let c = ctx
        .view(challenges, Challenges::challengeOfCall { id })
        .await?
        .challenge;
    if c.state == states::ChallengeState::None as u8 {
        let count = ctx.view(challenges, Challenges::countCall {}).await?.count;
        bail!("unknown challenge {id}: challenges run from 1 to {count}");
    }
    let spon = ctx.token("SPON").await?;
    let mut out = Out::default();
    out.field("challenge", id);
    out.field("kind", states::ChallengeKind::name_of(c.kind).to_string());
    out.field(
        "state",
        states::ChallengeState::name_of(c.state).to_string(),
    );
    out.field("node", c.node);
    out.field("challenger", c.challenger);
    out.kv("bond", spon.json(c.bond), spon.show(c.bond));
    out.field("step deadline", c.deadline);
    out.field(
        "slash",
        format!("{}.{:02}% of the pool", c.slashBps / 100, c.slashBps % 100),
    );
    if c.executeAt != 0 {
        out.field("slash executes at", c.executeAt);
    }
    if c.leaseId != 0 {
        out.field("lease", c.leaseId);
    }
    if c.kind == states::ChallengeKind::GpuWork as u8 {
        let w = ctx
            .view(challenges, Challenges::gpuWorkOfCall { id })
            .await?
            .gpuWork;
        out.kv(
            "gpu work",
            json!({"seed": w.seed, "n": w.n, "k": w.k, "root": w.root, "sampleSeed": w.sampleSeed}),
            format!(
                "n = {}, {} entries sampled, root {}",
                w.n,
                w.k,
                if w.root.is_zero() {
                    "not committed".into()
                } else {
                    w.root.to_string()
                }
            ),
        );
    }
    Ok(out)
}
