//! The probe on chain: commits signed reports to the registry and answers
//! the challenges opened against its node.
//!
//! The account it sends from is the node's probe key (the registry checks
//! its signature, and the challenges contract takes GPU-work commitments
//! from the node or its probe key), so that key needs gas money.

use spon_protocol::states::{ChallengeKind as Kind, ChallengeState as State};
use std::{collections::BTreeMap, path::PathBuf, time::Duration};

use alloy_primitives::{Address, B256, U256};
use alloy_provider::Provider;
use alloy_rpc_types_eth::Filter;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolEvent;
use anyhow::{Context, Result};
use spon_client::{
    bindings::{Challenges, Registry, Rewards},
    Client,
};
use spon_node::{Hardware, ProbeSummary};
use tracing::{info, warn};

use crate::{
    gpu::{self, Cuda},
    prove::Answer,
    report::{self, Report, Settings},
    sign::ProbeResult,
};

/// What the probe did about one challenge in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Committed a fresh probe naming the challenge and answered it.
    AnsweredLiveness(u64),
    /// Committed the Merkle root of C.
    CommittedGpuWork(u64),
    /// Opened the sampled rows.
    ProvedGpuWork(u64),
    /// Nothing to do for the node (a lease-fault ruling, or over).
    Dropped(u64),
}

/// The probe of one node.
pub struct Probe {
    /// The probe key's account on the chain.
    pub client: Client,
    key: PrivateKeySigner,
    /// The node probed.
    pub node: Address,
    /// The registry.
    pub registry: Address,
    /// The challenges contract.
    pub challenges: Address,
    /// What to measure.
    pub settings: Settings,
    /// Where reports are kept (`<hash>.json`), to serve to auditors.
    pub reports: PathBuf,
    /// The rewards contract, whose eras [`Probe::run`] commits a probe in
    /// (see [`Probe::era_probe`]); none: no probe per era.
    pub rewards: Option<Address>,
    gpu: Option<Cuda>,
    answers: BTreeMap<u64, Answer>,
    open: BTreeMap<u64, u8>,
    cursor: u64,
}

impl Probe {
    /// The probe of `node`, sending from `key` (its probe key) through
    /// `client`; indexes challenges from block `start_block`.
    pub fn new(
        client: Client,
        key: PrivateKeySigner,
        node: Address,
        (registry, challenges): (Address, Address),
        settings: Settings,
        reports: PathBuf,
        start_block: u64,
    ) -> Self {
        let gpu = if settings.cpu_only || settings.simulate || gpu::detect().is_err() {
            None
        } else {
            Cuda::open(0)
                .map_err(|e| warn!("GPU-work answers on the CPU: {e:#}"))
                .ok()
        };
        Self {
            client,
            key,
            node,
            registry,
            challenges,
            settings,
            reports,
            rewards: None,
            gpu,
            answers: BTreeMap::new(),
            open: BTreeMap::new(),
            cursor: start_block,
        }
    }

    /// The same, committing a probe in each era of `rewards` as it runs.
    #[must_use]
    pub fn with_rewards(mut self, rewards: Address) -> Self {
        self.rewards = Some(rewards);
        self
    }

    /// Commits a fresh probe if the node's latest was measured before the
    /// era of `rewards` now began (a node checks in for an era's rewards
    /// only with a probe of the era); whether it did.
    ///
    /// # Errors
    /// A measurement or RPC failure, or the registry's refusal (named).
    pub async fn era_probe(&self, rewards: Address) -> Result<bool> {
        let era = self
            .client
            .view(rewards, Rewards::currentEraCall {})
            .await?
            .currentEra;
        let latest = self
            .client
            .view(self.registry, Registry::probeOfCall { node: self.node })
            .await?
            .probe;
        if ProbeSummary::unpack(&latest.summary.to_be_bytes()).timestamp >= era.startsAt {
            return Ok(false);
        }
        self.commit(0, false).await?;
        info!(era = era.era, "probe of the era committed");
        Ok(true)
    }

    /// The node's approved hardware in the registry.
    ///
    /// # Errors
    /// An RPC failure.
    pub async fn declared(&self) -> Result<Hardware> {
        let record = self
            .client
            .view(self.registry, Registry::nodeOfCall { node: self.node })
            .await?;
        Ok(Hardware::unpack(&record.node.hardware.to_be_bytes()))
    }

    /// Measures the machine, keeps the report under [`Probe::reports`],
    /// signs it and commits its hash and summary, naming `challenge_id`
    /// (0: none).
    ///
    /// # Errors
    /// A measurement or RPC failure, or the registry's refusal (named).
    pub async fn commit(&self, challenge_id: u64, progress: bool) -> Result<Report> {
        let created = self.client.now().await?;
        let declared = self.declared().await?;
        let report = report::measure(
            &self.settings,
            self.node,
            created,
            Some(&declared),
            progress,
        )
        .await?;
        self.commit_report(&report, challenge_id).await?;
        Ok(report)
    }

    /// Keeps, signs and commits `report` answering challenge
    /// `challenge_id` (0: none) by naming its seed.
    ///
    /// # Errors
    /// The report cannot be written, an RPC failure, or the registry's
    /// refusal (named).
    pub async fn commit_report(&self, report: &Report, challenge_id: u64) -> Result<()> {
        let hash = report.hash();
        std::fs::create_dir_all(&self.reports)
            .with_context(|| format!("cannot create {}", self.reports.display()))?;
        let path = self.reports.join(format!("{hash}.json"));
        std::fs::write(&path, report.to_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        let nonce = self
            .client
            .view(self.registry, Registry::probeOfCall { node: self.node })
            .await?
            .probe
            .nextNonce;
        let separator = self
            .client
            .view(self.registry, Registry::domainSeparatorCall {})
            .await?
            .domainSeparator;
        // A liveness answer names the challenge's seed: its id is
        // predictable, the seed is not known before it opens.
        let challenge = if challenge_id == 0 {
            U256::ZERO
        } else {
            let seed = self
                .client
                .view(
                    self.challenges,
                    Challenges::gpuWorkOfCall { id: challenge_id },
                )
                .await?
                .gpuWork
                .seed;
            U256::from_be_bytes(seed.0)
        };
        let message = ProbeResult::new(self.node, hash, report.packed_summary(), challenge, nonce);
        let signature = message.sign(&self.key, separator)?;
        self.client
            .send(
                self.registry,
                Registry::commitProbeCall {
                    node: self.node,
                    report_hash: hash,
                    summary: message.summary,
                    challenge_id: message.challengeId,
                    nonce,
                    signature: signature.to_vec().into(),
                },
            )
            .await?;
        info!(node = %self.node, %hash, challenge_id, backend = ?report.backend, "probe committed");
        Ok(())
    }

    /// C for GPU-work challenge `id`, computed on the GPU if there is one.
    ///
    /// # Errors
    /// An RPC or CUDA failure.
    pub async fn compute(&self, id: u64) -> Result<Answer> {
        let work = self
            .client
            .view(self.challenges, Challenges::gpuWorkOfCall { id })
            .await?
            .gpuWork;
        Answer::compute(&work.seed, work.n, self.gpu.as_ref())
    }

    /// Commits `answer`'s root for challenge `id`.
    ///
    /// # Errors
    /// An RPC failure or the contract's refusal (named).
    pub async fn commit_gpu_work(&self, id: u64, answer: &Answer) -> Result<()> {
        let root = answer.root();
        self.client
            .send(self.challenges, Challenges::commitGpuWorkCall { id, root })
            .await?;
        info!(id, %root, backend = answer.backend, "GPU work committed");
        Ok(())
    }

    /// Opens `answer`'s sampled entries for challenge `id` (the sample seed
    /// must have been revealed).
    ///
    /// # Errors
    /// An RPC failure or the contract's refusal (named), e.g. `WrongEntry`
    /// for a C that is not A·B.
    pub async fn prove_gpu_work(&self, id: u64, answer: &Answer) -> Result<()> {
        let work = self
            .client
            .view(self.challenges, Challenges::gpuWorkOfCall { id })
            .await?
            .gpuWork;
        let opened = answer.open(&work.sampleSeed, u32::from(work.k));
        self.client
            .send(
                self.challenges,
                Challenges::proveGpuWorkCall {
                    id,
                    answer: opened.into(),
                },
            )
            .await?;
        info!(id, "GPU work proven");
        Ok(())
    }

    /// One round: indexes new challenges against the node and moves every
    /// open one a step (see [`Action`]).
    ///
    /// # Errors
    /// An RPC failure; a refused step is logged and retried next round.
    pub async fn round(&mut self) -> Result<Vec<Action>> {
        let head = self.client.provider().get_block_number().await?;
        if head >= self.cursor {
            let filter = Filter::new()
                .address(self.challenges)
                .event_signature(Challenges::ChallengeOpened::SIGNATURE_HASH)
                .topic3(B256::left_padding_from(self.node.as_slice()))
                .from_block(self.cursor)
                .to_block(head);
            for log in self.client.provider().get_logs(&filter).await? {
                let opened = Challenges::ChallengeOpened::decode_log_data(log.data(), true)?;
                self.open.insert(opened.challengeId, opened.kind);
            }
            self.cursor = head + 1;
        }
        let mut actions = Vec::new();
        // GPU work first: its root is due seconds after the opening, and a
        // liveness answer (a whole measurement) must not hold it up.
        let mut open: Vec<(u64, u8)> = self.open.clone().into_iter().collect();
        open.sort_by_key(|&(id, kind)| (Kind::try_from(kind) != Ok(Kind::GpuWork), id));
        for (id, kind) in open {
            match self.step(id, kind).await {
                Ok(Some(action)) => {
                    if matches!(
                        action,
                        Action::Dropped(_) | Action::AnsweredLiveness(_) | Action::ProvedGpuWork(_)
                    ) {
                        self.open.remove(&id);
                        self.answers.remove(&id);
                    }
                    actions.push(action);
                }
                Ok(None) => {}
                Err(e) => warn!(id, "challenge step failed, retrying next round: {e:#}"),
            }
        }
        Ok(actions)
    }

    async fn step(&mut self, id: u64, kind: u8) -> Result<Option<Action>> {
        let state = self
            .client
            .view(self.challenges, Challenges::challengeOfCall { id })
            .await?
            .challenge
            .state;
        let (kind, state) = (Kind::try_from(kind), State::try_from(state));
        Ok(match (kind, state) {
            (Ok(Kind::Liveness), Ok(State::Open)) => {
                self.commit(id, false).await?;
                self.client
                    .send(self.challenges, Challenges::answerLivenessCall { id })
                    .await?;
                info!(id, "liveness answered");
                Some(Action::AnsweredLiveness(id))
            }
            (Ok(Kind::GpuWork), Ok(State::Open)) => {
                let answer = self.compute(id).await?;
                self.commit_gpu_work(id, &answer).await?;
                self.answers.insert(id, answer);
                Some(Action::CommittedGpuWork(id))
            }
            (Ok(Kind::GpuWork), Ok(State::Committed)) => None,
            (Ok(Kind::GpuWork), Ok(State::Sampled)) => {
                let answer = match self.answers.remove(&id) {
                    Some(a) => a,
                    None => self.compute(id).await?,
                };
                self.prove_gpu_work(id, &answer).await?;
                Some(Action::ProvedGpuWork(id))
            }
            _ => Some(Action::Dropped(id)),
        })
    }

    /// Runs rounds every `interval` (`rounds` of them, or until ctrl-c),
    /// and commits a probe in each era if [`Probe::rewards`] is set.
    ///
    /// # Errors
    /// An RPC failure.
    pub async fn run(&mut self, interval: Duration, rounds: Option<u64>) -> Result<()> {
        let mut done = 0;
        loop {
            for action in self.round().await? {
                info!(?action, "challenge");
            }
            if let Some(rewards) = self.rewards {
                if let Err(e) = self.era_probe(rewards).await {
                    warn!("probe of the era failed, retrying next round: {e:#}");
                }
            }
            done += 1;
            if rounds.is_some_and(|r| done >= r) {
                return Ok(());
            }
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                _ = tokio::signal::ctrl_c() => return Ok(()),
            }
        }
    }
}
