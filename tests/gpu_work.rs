//! A GPU-work challenge on the in-process chain: token, staking, registry,
//! leases and challenges deployed from their real WASM, a Provider node,
//! and a challenger, all through the exported ABIs. Used by the
//! end-to-end tests and by the `gpu_work_onchain` bench, which measures
//! the WASM instructions and gas of the on-chain check.

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use anyhow::Result;
use spon_devnet::{Chain, Outcome};
use spon_gpu_work::{cpu, open, sample_entries, Tree, Work};

use crate::{
    a, deploy, deploy_core, ok, send, spon, Core, SponChallenges as C, SponRegistry as R,
    SponStaking as S, SponToken as T, HOPPER,
};

/// The challenger's sampling secret.
pub const SECRET: B256 = B256::repeat_byte(0x5e);

/// The deployed contracts and the parties.
pub struct World {
    /// The chain.
    pub chain: Chain,
    /// The challenges contract.
    pub challenges: Address,
    /// The staking contract.
    pub staking: Address,
    /// The GPU-work verifier.
    pub verifier: Address,
    /// The Provider node under challenge (100,000 SPON staked).
    pub node: Address,
    /// Holds SPON and has approved the challenges contract.
    pub challenger: Address,
    /// Governance.
    pub gov: Address,
}

impl World {
    /// Deploys and wires everything; GPU-work challenges use `n × n`
    /// matrices.
    pub fn new(n: u32) -> Result<Self> {
        let mut chain = Chain::new();
        let (bank, gov, treasury, node, challenger) = (a(0xB0), a(0xA1), a(0xA2), a(0x11), a(0xC1));
        let Core {
            token,
            staking,
            registry,
            leases,
        } = deploy_core(&mut chain, bank, gov, treasury)?;
        let verifier = deploy(
            &mut chain,
            "spon-gpu-verifier",
            gov,
            &crate::SponGpuVerifier::constructorCall {},
        )?;
        let challenges = deploy(
            &mut chain,
            "spon-challenges",
            gov,
            &C::constructorCall {
                spon: token,
                staking,
                registry,
                leases,
                verifier,
                governance: gov,
            },
        )?;
        ok(
            &mut chain,
            gov,
            staking,
            &S::setRoleCall {
                role: 1,
                account: challenges,
                enabled: true,
            },
        )?;
        ok(
            &mut chain,
            gov,
            registry,
            &R::setRoleCall {
                role: 2,
                account: challenges,
                enabled: true,
            },
        )?;
        ok(
            &mut chain,
            gov,
            challenges,
            // Parameter 11 is log2 of the GPU-work size.
            &C::setParameterCall {
                id: 11,
                value: U256::from(n.trailing_zeros()),
            },
        )?;
        for (who, spender) in [(node, staking), (challenger, challenges)] {
            ok(
                &mut chain,
                bank,
                token,
                &T::transferCall {
                    to: who,
                    value: spon(1_000_000),
                },
            )?;
            ok(
                &mut chain,
                who,
                token,
                &T::approveCall {
                    spender,
                    value: U256::MAX,
                },
            )?;
        }
        ok(
            &mut chain,
            node,
            staking,
            &S::stakeCall {
                amount: spon(100_000),
            },
        )?;
        ok(
            &mut chain,
            node,
            registry,
            &R::proposeProviderCall {
                hardware: U256::from_be_bytes(HOPPER.pack()),
                endpoint: "https://gpu-1.provider.example:8443".into(),
                tls_cert_hash: B256::repeat_byte(7),
                probe_key: a(0x99),
            },
        )?;
        ok(
            &mut chain,
            gov,
            registry,
            &R::approveProviderCall {
                node,
                hardware: U256::from_be_bytes(HOPPER.pack()),
            },
        )?;
        Ok(Self {
            chain,
            challenges,
            staking,
            verifier,
            node,
            challenger,
            gov,
        })
    }

    /// Sends `call` to the challenges contract from `from`.
    pub fn call<Call: SolCall>(
        &mut self,
        from: Address,
        call: &Call,
    ) -> Result<crate::Sent<Call::Return>> {
        let to = self.challenges;
        send(&mut self.chain, from, to, call)
    }

    /// Sets challenges parameter `id` to `value` (governance).
    pub fn set_parameter(&mut self, id: u8, value: u64) -> Result<()> {
        let gov = self.gov;
        ok(
            &mut self.chain,
            gov,
            self.challenges,
            &C::setParameterCall {
                id,
                value: U256::from(value),
            },
        )?;
        Ok(())
    }

    /// Opens a GPU-work challenge against the node; its id and the seed
    /// and size of its matrices.
    pub fn open(&mut self) -> Result<(u64, B256, u32)> {
        let (node, challenger) = (self.node, self.challenger);
        let id = ok(
            &mut self.chain,
            challenger,
            self.challenges,
            &C::openChallengeCall {
                kind: 1,
                node,
                lease_id: 0,
                commitment: spon_gpu_work::commitment(challenger, SECRET),
            },
        )?
        .openChallenge;
        let work = ok(
            &mut self.chain,
            node,
            self.challenges,
            &C::gpuWorkOfCall { id },
        )?
        .gpuWork;
        Ok((id, work.seed, work.n))
    }

    /// The node commits `root` for challenge `id`: the decoded result.
    pub fn commit(&mut self, id: u64, root: B256) -> Result<Result<(), String>> {
        let node = self.node;
        Ok(self
            .call(node, &C::commitGpuWorkCall { id, root })?
            .result
            .map(|_| ()))
    }

    /// The challenger reveals its secret; the node's answer for `c` and
    /// its `tree`.
    pub fn reveal_and_open(&mut self, id: u64, c: &[i32], tree: &Tree) -> Result<Vec<u8>> {
        let (node, challenger) = (self.node, self.challenger);
        ok(
            &mut self.chain,
            challenger,
            self.challenges,
            &C::revealSampleCall { id, secret: SECRET },
        )?;
        let work = ok(
            &mut self.chain,
            node,
            self.challenges,
            &C::gpuWorkOfCall { id },
        )?
        .gpuWork;
        let sampled = sample_entries(
            &work.sampleSeed,
            work.n,
            u32::from(work.k),
            &mut Work::default(),
        );
        Ok(open(tree, c, &sampled))
    }

    /// Opens a GPU-work challenge against the node, commits C (with every
    /// entry wrong if `cheat`) at once, reveals the secret, and returns
    /// the id and the node's answer.
    pub fn challenge(&mut self, cheat: bool) -> Result<(u64, Vec<u8>)> {
        let (id, seed, n) = self.open()?;
        let mut c = cpu::product(&seed, n);
        if cheat {
            for v in &mut c {
                *v ^= 1;
            }
        }
        let tree = cpu::tree(&c);
        self.commit(id, tree.root())?
            .map_err(|e| anyhow::anyhow!("commitGpuWork refused: {e}"))?;
        Ok((id, self.reveal_and_open(id, &c, &tree)?))
    }

    /// Sends the node's answer; the chain's outcome and the decoded result.
    pub fn prove(&mut self, id: u64, answer: Vec<u8>) -> Result<(Outcome, Result<(), String>)> {
        let node = self.node;
        let sent = self.call(
            node,
            &C::proveGpuWorkCall {
                id,
                answer: answer.into(),
            },
        )?;
        Ok((sent.outcome, sent.result.map(|_| ())))
    }
}
