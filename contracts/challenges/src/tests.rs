//! motsu tests of the challenges contract with the real SPON token,
//! staking, registry and leases contract: every path of every kind, every
//! refusal, the veto window, the per-period cap, access (INV-13), and
//! INV-10 over random challenge histories. GPU-work answers are computed
//! with the shared `spon-gpu-work` crate, as the probe computes them.

use alloy_primitives::{Address, B256, U256};
use motsu::prelude::*;
use proptest::prelude::*;
use spon_gpu_work::{open, product, sample_entries, tree, Work};
use spon_leases::Leases;
use spon_registry::Registry;
use spon_staking::Staking;
use spon_testkit::{a, cases, hopper, probe_key as key, spon, Core, MOTSU_TIME, SUPPLY};
use spon_token::SponToken;

use super::*;
use spon_contract_kit::admin::Error as AdminError;

const HOUR: u64 = 3_600;
const DAY: u64 = 24 * HOUR;
const STAKE: u64 = 100_000;
const SECRET: B256 = B256::repeat_byte(0x5e);

fn bond() -> U256 {
    spon(params::CHALLENGE_BOND.default)
}

struct World {
    token: Contract<SponToken>,
    staking: Contract<Staking>,
    registry: Contract<Registry>,
    leases: Contract<Leases>,
    ch: Contract<Challenges>,
    verifier: Contract<spon_gpu_verifier::GpuVerifier>,
    gov: Address,
    treasury: Address,
    guardian: Address,
    committee: Address,
    market: Address,
    challenger: Address,
    bank: Address,
}

fn world() -> World {
    let w = World {
        token: Contract::new(),
        staking: Contract::new(),
        registry: Contract::new(),
        leases: Contract::new(),
        ch: Contract::new(),
        verifier: Contract::new(),
        gov: a(0xA1),
        treasury: a(0xA2),
        guardian: a(0xA3),
        committee: a(0xA4),
        market: a(0xA5),
        challenger: a(0xC1),
        bank: a(0xB0),
    };
    w.token
        .sender(w.bank)
        .constructor(w.bank, SUPPLY)
        .motsu_unwrap();
    w.staking
        .sender(w.gov)
        .constructor(w.token.address(), w.gov, w.treasury)
        .motsu_unwrap();
    w.registry
        .sender(w.gov)
        .constructor(w.staking.address(), w.gov)
        .motsu_unwrap();
    w.leases
        .sender(w.gov)
        .constructor(w.token.address(), w.registry.address(), w.gov, w.treasury)
        .motsu_unwrap();
    w.ch.sender(w.gov)
        .constructor(
            w.token.address(),
            w.staking.address(),
            w.registry.address(),
            w.leases.address(),
            w.verifier.address(),
            w.gov,
        )
        .motsu_unwrap();
    w.staking
        .sender(w.gov)
        .admin
        .set_role(1, w.ch.address(), true)
        .motsu_unwrap();
    for (role, account) in [
        (spon_registry::roles::CHALLENGES, w.ch.address()),
        (spon_registry::roles::MARKET, w.leases.address()),
    ] {
        w.registry
            .sender(w.gov)
            .admin
            .set_role(role, account, true)
            .motsu_unwrap();
    }
    w.leases
        .sender(w.gov)
        .admin
        .set_role(spon_leases::roles::MARKET, w.market, true)
        .motsu_unwrap();
    for (role, account) in [
        (roles::GUARDIAN, w.guardian),
        (roles::COMMITTEE, w.committee),
    ] {
        w.ch.sender(w.gov)
            .admin
            .set_role(role, account, true)
            .motsu_unwrap();
    }
    for who in [w.challenger, w.market] {
        w.fund(who, 1_000_000);
    }
    w
}

impl World {
    fn fund(&self, who: Address, amount: u64) {
        self.token
            .sender(self.bank)
            .transfer(who, spon(amount))
            .motsu_unwrap();
        for spender in [
            self.ch.address(),
            self.staking.address(),
            self.leases.address(),
        ] {
            self.token
                .sender(who)
                .approve(spender, U256::MAX)
                .motsu_unwrap();
        }
    }

    fn core(&self) -> Core<'_> {
        Core {
            token: &self.token,
            staking: &self.staking,
            registry: &self.registry,
            bank: self.bank,
            gov: self.gov,
        }
    }

    /// An approved Provider node `node` with `STAKE` SPON self-staked.
    fn provider(&self, node: Address) {
        self.core().provider(node, STAKE, &hopper(*b"DE", 10_000));
    }

    /// The node's probe, signed by `signer`, answering challenge `id`
    /// (naming its seed; none for 0).
    fn probe(
        &self,
        node: Address,
        signer: &Account,
        id: u64,
    ) -> Result<(), spon_registry::errors::Error> {
        let now = clock::now(MOTSU_TIME);
        let seed = self.ch.sender(node).gpu_work_of(id).seed;
        self.core().commit_probe(
            node,
            &hopper(*b"DE", 10_000),
            now,
            U256::from_be_bytes(seed.0),
            signer,
        )
    }

    fn open(&self, kind: u8, node: Address) -> u64 {
        self.ch
            .sender(self.challenger)
            .open_challenge(
                kind,
                node,
                0,
                spon_gpu_work::commitment(self.challenger, SECRET),
            )
            .motsu_unwrap()
    }

    fn state(&self, id: u64) -> u8 {
        self.ch.sender(self.gov).challenge_of(id).state
    }

    fn balance(&self, who: Address) -> U256 {
        self.token.sender(who).balance_of(who)
    }

    fn pool(&self, node: Address) -> U256 {
        self.staking.sender(node).stake_of(node)
    }

    /// Past the current step's deadline of challenge `id`.
    fn miss_deadline(&self, id: u64) {
        let deadline = self.ch.sender(self.gov).challenge_of(id).deadline;
        clock::advance((deadline + 1).saturating_sub(clock::now(MOTSU_TIME)));
    }

    /// Past the veto period of challenge `id`.
    fn end_veto(&self, id: u64) {
        let at = self.ch.sender(self.gov).challenge_of(id).executeAt;
        clock::advance(at.saturating_sub(clock::now(MOTSU_TIME)));
    }

    /// Commits C (every entry wrong if `cheat`) for GPU-work challenge
    /// `id`, reveals the secret and returns the answer the node would send.
    fn gpu_answer(&self, id: u64, node: Address, cheat: bool) -> Vec<u8> {
        let view = self.ch.sender(node).gpu_work_of(id);
        let (seed, n, k) = (view.seed, view.n, u32::from(view.k));
        let mut c = product(&seed, n);
        if cheat {
            for v in &mut c {
                *v ^= 1;
            }
        }
        let tree = tree(&c);
        self.ch
            .sender(node)
            .commit_gpu_work(id, tree.root())
            .motsu_unwrap();
        self.ch
            .sender(self.challenger)
            .reveal_sample(id, SECRET)
            .motsu_unwrap();
        let sample_seed = self.ch.sender(node).gpu_work_of(id).sampleSeed;
        open(
            &tree,
            &c,
            &sample_entries(&sample_seed, n, k, &mut Work::default()),
        )
    }

    /// The first entry sampled for GPU-work challenge `id` once revealed.
    fn first_sampled(&self, id: u64) -> u64 {
        let view = self.ch.sender(self.gov).gpu_work_of(id);
        let (n, k, sample_seed) = (view.n, view.k, view.sampleSeed);
        sample_entries(&sample_seed, n, k.into(), &mut Work::default())[0]
    }
}

#[test]
fn the_verifier_calldata_is_abi_encoded() {
    use alloy_sol_types::SolCall;
    for len in [0usize, 1, 31, 32, 33, 1_000] {
        let answer: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let (seed, sample, root) = (
            B256::repeat_byte(1),
            B256::repeat_byte(2),
            B256::repeat_byte(3),
        );
        for n in [128u32, 65_536] {
            let expected = super::checkCall {
                seed,
                sample_seed: sample,
                n,
                k: 16,
                root,
                answer: answer.clone().into(),
            }
            .abi_encode();
            assert_eq!(
                super::check_calldata(seed, sample, n, 16, root, &answer),
                expected,
                "{len}"
            );
        }
    }
}

#[test]
fn the_verifiers_verdict_is_decoded() {
    use alloy_sol_types::SolCall;
    // An entry past 2^32 (n = 65,536 has 2^32 of them).
    let entry = (1u64 << 32) + 7;
    let out = super::checkCall::abi_encode_returns(&(3u8, entry));
    assert_eq!(super::verdict(&out), Some((3, entry)));
    assert_eq!(super::verdict(&out[..63]), None);
}

#[test]
fn parameter_table_is_consistent() {
    assert!(spon_contract_kit::is_table(&params::ALL));
    assert_eq!(
        params::ALL.len(),
        spon_protocol::params::Challenges::ALL.len()
    );
    assert!(spon_contract_kit::admin::is_role_table(&roles::ALL));
    for log2_n in params::GPU_WORK_LOG2_N.min..=params::GPU_WORK_LOG2_N.max {
        assert!(spon_gpu_work::valid(
            1 << log2_n,
            params::GPU_WORK_SAMPLES.max as u32
        ));
    }
}

#[motsu::test]
fn liveness_answered_in_time_passes_and_pays_the_grief_penalty() {
    let w = world();
    let node = a(0x11);
    w.provider(node);
    let before = w.balance(w.challenger);
    let id = w.open(kind::LIVENESS, node);
    assert_eq!(w.balance(w.challenger), before - bond());
    assert_eq!(w.state(id), state::OPEN);
    // Before the node answers, a probe without the challenge is no answer.
    w.probe(node, &key(node), 0).unwrap();
    let err = w.ch.sender(node).answer_liveness(id).motsu_unwrap_err();
    assert!(matches!(err, Error::NotAnswered(_)));
    w.probe(node, &key(node), id).unwrap();
    w.ch.sender(w.bank).answer_liveness(id).motsu_unwrap();
    assert_eq!(w.state(id), state::PASSED);
    let penalty = bond() / U256::from(10);
    assert_eq!(w.balance(w.challenger), before - penalty);
    assert_eq!(w.balance(node), penalty);
    assert_eq!(w.balance(w.ch.address()), U256::ZERO);
    assert!(w.ch.emitted(&ChallengeResolved {
        challengeId: id,
        node,
        outcome: outcome::PASSED,
        toChallenger: bond() - penalty,
        toNode: penalty,
    }));
    // Resolved once: no second answer, no resolve.
    let err = w.ch.sender(node).answer_liveness(id).motsu_unwrap_err();
    assert!(matches!(err, Error::WrongState(_)));
    w.miss_deadline(id);
    let err = w.ch.sender(node).resolve(id).motsu_unwrap_err();
    assert!(matches!(err, Error::WrongState(_)));
}

#[motsu::test]
fn liveness_unanswered_is_slashed_after_the_veto_period() {
    let w = world();
    let node = a(0x12);
    w.provider(node);
    let id = w.open(kind::LIVENESS, node);
    let err = w.ch.sender(w.bank).resolve(id).motsu_unwrap_err();
    assert!(matches!(err, Error::TooEarly(_)));
    w.miss_deadline(id);
    // Late: the probe still lands in the registry, but answers nothing.
    w.probe(node, &key(node), id).unwrap();
    let err = w.ch.sender(node).answer_liveness(id).motsu_unwrap_err();
    assert!(matches!(err, Error::TooLate(_)));
    w.ch.sender(w.bank).resolve(id).motsu_unwrap();
    assert_eq!(w.state(id), state::SLASH_PENDING);
    let err = w.ch.sender(w.bank).resolve(id).motsu_unwrap_err();
    assert!(matches!(err, Error::WrongState(_)));
    let err = w.ch.sender(w.bank).execute_slash(id).motsu_unwrap_err();
    assert!(matches!(err, Error::TooEarly(_)));
    assert_eq!(w.pool(node), spon(STAKE));

    w.end_veto(id);
    let (challenger_before, treasury_before) = (w.balance(w.challenger), w.balance(w.treasury));
    w.ch.sender(w.bank).execute_slash(id).motsu_unwrap();
    let slashed = spon(STAKE) / U256::from(100); // 100 bps
    assert_eq!(w.pool(node), spon(STAKE) - slashed);
    let share = slashed / U256::from(2);
    assert_eq!(w.balance(w.challenger), challenger_before + bond() + share);
    assert_eq!(w.balance(w.treasury), treasury_before + slashed - share);
    assert_eq!(w.state(id), state::SLASHED);
    assert!(w.staking.sender(node).is_jailed(node));
    assert_eq!(
        w.registry.sender(node).reputation_of(node).challengesLost,
        1
    );
    assert!(w.ch.emitted(&SlashExecuted {
        challengeId: id,
        node,
        bps: 100,
        amount: slashed,
    }));
    let err = w.ch.sender(w.bank).execute_slash(id).motsu_unwrap_err();
    assert!(matches!(err, Error::WrongState(_)));
}

#[motsu::test]
fn a_probe_committed_before_the_challenge_answers_nothing() {
    let w = world();
    let node = a(0x15);
    w.provider(node);
    // The node guesses the next id and signs a probe for it in advance.
    let next = w.ch.sender(w.gov).count() + 1;
    w.probe(node, &key(node), next).unwrap();
    let id = w.open(kind::LIVENESS, node);
    assert_eq!(id, next);
    let err = w.ch.sender(node).answer_liveness(id).motsu_unwrap_err();
    assert!(matches!(err, Error::NotAnswered(_)));
    w.probe(node, &key(node), id).unwrap();
    w.ch.sender(node).answer_liveness(id).motsu_unwrap();
}

#[motsu::test]
fn a_probe_from_the_wrong_key_answers_nothing() {
    let w = world();
    let node = a(0x13);
    w.provider(node);
    let id = w.open(kind::LIVENESS, node);
    let err = w.probe(node, &key(a(0x99)), id).unwrap_err();
    assert!(
        matches!(err, spon_registry::errors::Error::WrongSigner(_)),
        "{err:?}"
    );
    let err = w.ch.sender(node).answer_liveness(id).motsu_unwrap_err();
    assert!(matches!(err, Error::NotAnswered(_)));
}

#[motsu::test]
fn opening_refusals_leave_nothing_behind() {
    let w = world();
    let node = a(0x14);
    w.provider(node);
    let c = || w.ch.sender(w.challenger);
    let err = c()
        .open_challenge(kind::LIVENESS, a(0x66), 0, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::UnknownNode(_)));
    let err = c()
        .open_challenge(3, node, 0, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::UnknownKind(_)));
    let err = c()
        .open_challenge(kind::GPU_WORK, node, 0, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::MissingCommitment(_)));
    // A bond that is not approved.
    let poor = a(0xC2);
    let err =
        w.ch.sender(poor)
            .open_challenge(kind::LIVENESS, node, 0, B256::ZERO)
            .motsu_unwrap_err();
    assert!(matches!(err, Error::SafeErc20FailedOperation(_)));
    // A node in maintenance is exempt.
    w.registry.sender(node).set_maintenance(true).motsu_unwrap();
    for k in [kind::LIVENESS, kind::GPU_WORK] {
        let err = c()
            .open_challenge(k, node, 0, B256::with_last_byte(1))
            .motsu_unwrap_err();
        assert!(matches!(err, Error::NodeExempt(_)));
    }
    assert_eq!(w.ch.sender(w.gov).count(), 0);
    assert_eq!(w.balance(w.ch.address()), U256::ZERO);
    // Unknown challenges.
    for res in [
        c().answer_liveness(9).motsu_res(),
        c().resolve(9).motsu_res(),
        c().execute_slash(9).motsu_res().map(|_| ()),
        w.ch.sender(w.gov).veto(9).motsu_res(),
    ] {
        assert!(matches!(res, Err(Error::UnknownChallenge(_))), "{res:?}");
    }
}

#[motsu::test]
fn honest_gpu_work_passes() {
    let w = world();
    let node = a(0x21);
    w.provider(node);
    w.ch.sender(w.gov)
        .admin
        .set_parameter(params::GPU_WORK_LOG2_N.id, U256::from(6))
        .motsu_unwrap();
    let id = w.open(kind::GPU_WORK, node);
    // Only the node or its probe key commits; the secret must match.
    let err =
        w.ch.sender(w.bank)
            .commit_gpu_work(id, B256::repeat_byte(1))
            .motsu_unwrap_err();
    assert!(matches!(err, Error::NotNode(_)));
    let err =
        w.ch.sender(node)
            .commit_gpu_work(id, B256::ZERO)
            .motsu_unwrap_err();
    assert!(matches!(err, Error::MissingCommitment(_)));
    let err =
        w.ch.sender(w.challenger)
            .reveal_sample(id, SECRET)
            .motsu_unwrap_err();
    assert!(matches!(err, Error::WrongState(_)));
    let answer = w.gpu_answer(id, node, false);
    // Malformed and tampered answers are refused; the node may retry.
    let p = |bytes: &[u8]| {
        w.ch.sender(node)
            .prove_gpu_work(id, bytes.to_vec().into())
            .motsu_res()
    };
    assert!(matches!(p(&answer[1..]), Err(Error::MalformedProof(_))));
    let mut bad = answer.clone();
    let view = w.ch.sender(node).gpu_work_of(id);
    bad[32 * usize::from(view.k)] ^= 1; // the first entry's proof
    let first = w.first_sampled(id);
    assert!(
        matches!(p(&bad), Err(Error::WrongMerkleProof(WrongMerkleProof { entry, .. })) if entry == first)
    );
    w.ch.sender(key(node).address())
        .prove_gpu_work(id, answer.into())
        .motsu_unwrap();
    assert_eq!(w.state(id), state::PASSED);
    assert!(w.ch.emitted(&GpuWorkProven {
        challengeId: id,
        node
    }));
}

#[motsu::test]
fn a_wrong_sampled_entry_fails_and_the_node_is_slashed() {
    let w = world();
    let node = a(0x22);
    w.provider(node);
    w.ch.sender(w.gov)
        .admin
        .set_parameter(params::GPU_WORK_LOG2_N.id, U256::from(6))
        .motsu_unwrap();
    let id = w.open(kind::GPU_WORK, node);
    // A prover that corrupts every entry cannot escape whatever is sampled.
    let answer = w.gpu_answer(id, node, true);
    let first = w.first_sampled(id);
    let err =
        w.ch.sender(node)
            .prove_gpu_work(id, answer.into())
            .motsu_unwrap_err();
    assert!(matches!(err, Error::WrongEntry(WrongEntry { entry, .. }) if entry == first));
    w.miss_deadline(id);
    w.ch.sender(w.bank).resolve(id).motsu_unwrap();
    w.end_veto(id);
    let amount = w.ch.sender(w.bank).execute_slash(id).motsu_unwrap();
    assert_eq!(amount, spon(STAKE) / U256::from(10)); // 1,000 bps
}

#[motsu::test]
fn gpu_work_deadlines() {
    let w = world();
    let node = a(0x23);
    w.provider(node);
    // No commitment in time: lost.
    let id = w.open(kind::GPU_WORK, node);
    w.miss_deadline(id);
    let err =
        w.ch.sender(node)
            .commit_gpu_work(id, B256::repeat_byte(1))
            .motsu_unwrap_err();
    assert!(matches!(err, Error::TooLate(_)));
    w.ch.sender(w.bank).resolve(id).motsu_unwrap();
    assert_eq!(w.state(id), state::SLASH_PENDING);
    // The challenger never reveals: the node passes and keeps the penalty.
    let id = w.open(kind::GPU_WORK, node);
    w.ch.sender(node)
        .commit_gpu_work(id, B256::repeat_byte(1))
        .motsu_unwrap();
    let err =
        w.ch.sender(node)
            .reveal_sample(id, B256::repeat_byte(2))
            .motsu_unwrap_err();
    assert!(matches!(err, Error::WrongSecret(_)));
    w.miss_deadline(id);
    let err =
        w.ch.sender(node)
            .reveal_sample(id, SECRET)
            .motsu_unwrap_err();
    assert!(matches!(err, Error::TooLate(_)));
    let node_before = w.balance(node);
    w.ch.sender(node).resolve(id).motsu_unwrap();
    assert_eq!(w.state(id), state::PASSED);
    assert_eq!(w.balance(node), node_before + bond() / U256::from(10));
    // Revealed but never opened: lost.
    let id = w.open(kind::GPU_WORK, node);
    w.ch.sender(node)
        .commit_gpu_work(id, B256::repeat_byte(1))
        .motsu_unwrap();
    w.ch.sender(w.challenger)
        .reveal_sample(id, SECRET)
        .motsu_unwrap();
    w.miss_deadline(id);
    let err =
        w.ch.sender(node)
            .prove_gpu_work(id, Vec::<u8>::new().into())
            .motsu_unwrap_err();
    assert!(matches!(err, Error::TooLate(_)));
    w.ch.sender(w.bank).resolve(id).motsu_unwrap();
    assert_eq!(w.state(id), state::SLASH_PENDING);
    // Kind checks.
    let err = w.ch.sender(node).answer_liveness(id).motsu_unwrap_err();
    assert!(matches!(err, Error::WrongKind(_)));
}

/// The root is due `gpuWorkDeadline` seconds after the opening (when the
/// seed became known), never later than the joint bound with `n` allows.
#[motsu::test]
fn gpu_work_is_timed_from_the_opening() {
    let w = world();
    let node = a(0x24);
    w.provider(node);
    let set = |id: u8, v: u64| {
        w.ch.sender(w.gov)
            .admin
            .set_parameter(id, U256::from(v))
            .motsu_unwrap();
    };
    // (log2 n, deadline parameter, seconds the challenge gets).
    for (log2_n, deadline, seconds) in [
        (8u64, 10u64, 10u64),
        (8, 3, 3),
        (8, 120, params::GPU_WORK_LATENCY),
        // 2·2^48 operations at 10^13 a second: 56 s more.
        (16, 120, params::GPU_WORK_LATENCY + 56),
        (16, 30, 30),
    ] {
        set(params::GPU_WORK_LOG2_N.id, log2_n);
        set(params::GPU_WORK_DEADLINE.id, deadline);
        let opened = clock::now(MOTSU_TIME);
        let id = w.open(kind::GPU_WORK, node);
        assert_eq!(
            w.ch.sender(w.gov).challenge_of(id).deadline,
            opened + seconds,
            "log2 n {log2_n}, deadline {deadline}"
        );
        // A second late is too late.
        clock::advance(seconds + 1);
        let err =
            w.ch.sender(node)
                .commit_gpu_work(id, B256::repeat_byte(1))
                .motsu_unwrap_err();
        assert!(matches!(err, Error::TooLate(_)), "{err:?}");
        w.ch.sender(w.bank).resolve(id).motsu_unwrap();
    }
    // On the deadline itself the root is in time.
    set(params::GPU_WORK_DEADLINE.id, 5);
    let id = w.open(kind::GPU_WORK, node);
    clock::advance(5);
    w.ch.sender(node)
        .commit_gpu_work(id, B256::repeat_byte(1))
        .motsu_unwrap();
}

/// A Fizz node (a home GPU behind a gateway) gets its own size.
#[motsu::test]
fn gpu_work_size_follows_the_node_class() {
    let w = world();
    let (provider, fizz) = (a(0x25), a(0x26));
    w.provider(provider);
    let core = w.core();
    core.token
        .sender(w.bank)
        .transfer(fizz, spon(10_000))
        .motsu_unwrap();
    core.token
        .sender(fizz)
        .approve(core.staking.address(), U256::MAX)
        .motsu_unwrap();
    core.staking.sender(fizz).stake(spon(10_000)).motsu_unwrap();
    core.registry
        .sender(fizz)
        .register_fizz(
            U256::from_be_bytes(hopper(*b"DE", 1_000).pack()),
            key(fizz).address(),
            provider,
        )
        .motsu_unwrap();
    for (id, v) in [
        (params::GPU_WORK_LOG2_N.id, 16u64),
        (params::GPU_WORK_LOG2_N_FIZZ.id, 15),
        (params::GPU_WORK_DEADLINE.id, 120),
    ] {
        w.ch.sender(w.gov)
            .admin
            .set_parameter(id, U256::from(v))
            .motsu_unwrap();
    }
    let at_provider = w.open(kind::GPU_WORK, provider);
    let at_fizz = w.open(kind::GPU_WORK, fizz);
    let n = |id| w.ch.sender(w.gov).gpu_work_of(id).n;
    assert_eq!((n(at_provider), n(at_fizz)), (65_536, 32_768));
    // Each deadline by its own n: 10 s + 2n³ at 10 TOPS.
    let opened = clock::now(MOTSU_TIME);
    let deadline = |id| w.ch.sender(w.gov).challenge_of(id).deadline - opened;
    assert_eq!(
        (deadline(at_provider), deadline(at_fizz)),
        (params::GPU_WORK_LATENCY + 56, params::GPU_WORK_LATENCY + 7)
    );
}

#[motsu::test]
fn veto_returns_the_bond_and_closes_the_offence() {
    let w = world();
    let node = a(0x31);
    w.provider(node);
    let id = w.open(kind::LIVENESS, node);
    let err = w.ch.sender(w.gov).veto(id).motsu_unwrap_err();
    assert!(matches!(err, Error::WrongState(_)));
    w.miss_deadline(id);
    w.ch.sender(w.bank).resolve(id).motsu_unwrap();
    for intruder in [w.committee, w.challenger, node] {
        let err = w.ch.sender(intruder).veto(id).motsu_unwrap_err();
        assert!(matches!(err, Error::Unauthorized(_)));
    }
    let before = w.balance(w.challenger);
    w.ch.sender(w.guardian).veto(id).motsu_unwrap();
    assert_eq!(w.state(id), state::VETOED);
    assert_eq!(w.balance(w.challenger), before + bond());
    assert!(w.ch.emitted(&SlashVetoed {
        challengeId: id,
        node,
        by: w.guardian
    }));
    w.end_veto(id);
    let err = w.ch.sender(w.bank).execute_slash(id).motsu_unwrap_err();
    assert!(matches!(err, Error::WrongState(_)));
    assert_eq!(w.pool(node), spon(STAKE));
    assert_eq!(
        w.registry.sender(node).reputation_of(node).challengesLost,
        0
    );
    // Too late to veto once the period is over.
    let id = w.open(kind::LIVENESS, node);
    w.miss_deadline(id);
    w.ch.sender(w.bank).resolve(id).motsu_unwrap();
    w.end_veto(id);
    let err = w.ch.sender(w.gov).veto(id).motsu_unwrap_err();
    assert!(matches!(err, Error::TooLate(_)));
}

#[motsu::test]
fn lease_faults_are_ruled_or_dismissed() {
    let w = world();
    let node = a(0x41);
    w.provider(node);
    let tenant = a(0x7E);
    w.fund(tenant, 1_000_000);
    for lease in [1u64, 2, 3] {
        w.token
            .sender(tenant)
            .transfer(w.leases.address(), spon(100))
            .motsu_unwrap();
        w.leases
            .sender(w.market)
            .open(
                lease,
                tenant,
                node,
                w.token.address(),
                spon(1),
                10 * HOUR,
                spon(100),
            )
            .motsu_unwrap();
    }
    let evidence = B256::repeat_byte(0xE1);
    let t = || w.ch.sender(tenant);
    let err =
        w.ch.sender(w.challenger)
            .open_challenge(kind::LEASE_FAULT, node, 1, evidence)
            .motsu_unwrap_err();
    assert!(matches!(err, Error::NotLeaseTenant(_)));
    let err = t()
        .open_challenge(kind::LEASE_FAULT, a(0x11), 1, evidence)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::UnknownNode(_)));
    let err = t()
        .open_challenge(kind::LEASE_FAULT, node, 1, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::MissingCommitment(_)));
    let faulted = t()
        .open_challenge(kind::LEASE_FAULT, node, 1, evidence)
        .motsu_unwrap();
    let err = t()
        .open_challenge(kind::LEASE_FAULT, node, 1, evidence)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::LeaseAlreadyChallenged(_)));
    assert_eq!(w.ch.sender(tenant).lease_challenge(1), faulted);
    let cleared = t()
        .open_challenge(kind::LEASE_FAULT, node, 2, evidence)
        .motsu_unwrap();
    let ignored = t()
        .open_challenge(kind::LEASE_FAULT, node, 3, evidence)
        .motsu_unwrap();

    for intruder in [tenant, node, w.guardian] {
        let err = w.ch.sender(intruder).rule(faulted, true).motsu_unwrap_err();
        assert!(matches!(err, Error::Unauthorized(_)));
    }
    w.ch.sender(w.committee).rule(faulted, true).motsu_unwrap();
    assert_eq!(w.state(faulted), state::SLASH_PENDING);
    let err =
        w.ch.sender(w.committee)
            .rule(faulted, false)
            .motsu_unwrap_err();
    assert!(matches!(err, Error::WrongState(_)));
    let before = w.balance(tenant);
    w.ch.sender(w.gov).rule(cleared, false).motsu_unwrap();
    assert_eq!(w.balance(tenant), before + bond() - bond() / U256::from(10));
    let err = w.ch.sender(w.bank).resolve(ignored).motsu_unwrap_err();
    assert!(matches!(err, Error::TooEarly(_)));
    w.miss_deadline(ignored);
    let err =
        w.ch.sender(w.committee)
            .rule(ignored, true)
            .motsu_unwrap_err();
    assert!(matches!(err, Error::TooLate(_)));
    let before = w.balance(tenant);
    w.ch.sender(w.bank).resolve(ignored).motsu_unwrap();
    assert_eq!(w.state(ignored), state::DISMISSED);
    // Unruled: the node still gets the grief penalty (F-10).
    assert_eq!(w.balance(tenant), before + bond() - bond() / U256::from(10));
    w.end_veto(faulted);
    let amount = w.ch.sender(w.bank).execute_slash(faulted).motsu_unwrap();
    assert_eq!(amount, spon(STAKE) / U256::from(20)); // 500 bps
}

#[motsu::test]
fn slashes_are_capped_per_provider_per_period() {
    let w = world();
    let node = a(0x51);
    w.provider(node);
    // Three lost GPU-work challenges of 1,000 bps under a 2,000 bps cap,
    // one after the other (one is open at a time).
    let ids: Vec<u64> = (0..3)
        .map(|_| {
            let id = w.open(kind::GPU_WORK, node);
            w.miss_deadline(id);
            w.ch.sender(w.bank).resolve(id).motsu_unwrap();
            id
        })
        .collect();
    w.end_veto(ids[2]);
    let mut bps = vec![];
    for &id in &ids {
        w.ch.sender(w.bank).execute_slash(id).motsu_unwrap();
        bps.push(w.ch.sender(w.bank).slash_usage(node).bps);
    }
    assert_eq!(bps, [1_000, 2_000, 2_000]);
    assert!(w.ch.emitted(&SlashExecuted {
        challengeId: ids[2],
        node,
        bps: 0,
        amount: U256::ZERO
    }));
    // 10% then 10% of the rest.
    let left = spon(STAKE) * U256::from(81) / U256::from(100);
    assert_eq!(w.pool(node), left);
    // A new period opens a new allowance.
    clock::advance(params::SLASH_CAP_PERIOD.default);
    let id = w.open(kind::LIVENESS, node);
    w.miss_deadline(id);
    w.ch.sender(w.bank).resolve(id).motsu_unwrap();
    w.end_veto(id);
    w.ch.sender(w.bank).execute_slash(id).motsu_unwrap();
    assert_eq!(w.ch.sender(w.bank).slash_usage(node).bps, 100);
}

#[motsu::test]
fn pause_stops_opening_and_executing_but_never_answers() {
    let w = world();
    let node = a(0x61);
    w.provider(node);
    let id = w.open(kind::LIVENESS, node);
    let err = w.ch.sender(w.committee).admin.pause().motsu_unwrap_err();
    assert!(matches!(err, AdminError::Unauthorized(_)));
    w.ch.sender(w.guardian).admin.pause().motsu_unwrap();
    let err = w.ch.sender(w.guardian).admin.unpause().motsu_unwrap_err();
    assert!(matches!(err, AdminError::Unauthorized(_)));
    let err =
        w.ch.sender(w.challenger)
            .open_challenge(kind::LIVENESS, node, 0, B256::ZERO)
            .motsu_unwrap_err();
    assert!(matches!(err, Error::EnforcedPause(_)));
    w.probe(node, &key(node), id).unwrap();
    w.ch.sender(node).answer_liveness(id).motsu_unwrap();
    w.ch.sender(w.gov).admin.unpause().motsu_unwrap();
    let err = w.ch.sender(w.gov).admin.unpause().motsu_unwrap_err();
    assert!(matches!(err, AdminError::ExpectedPause(_)));
}

#[motsu::test]
fn only_governance_configures() {
    let w = world();
    for intruder in [w.guardian, w.committee, w.challenger] {
        let c = || w.ch.sender(intruder);
        for res in [
            c().admin.set_parameter(0, U256::from(5)).motsu_res(),
            c().admin
                .set_role(roles::GUARDIAN, intruder, true)
                .motsu_res(),
            c().admin.unpause().motsu_res(),
        ] {
            assert!(matches!(res, Err(AdminError::Unauthorized(_))), "{res:?}");
        }
    }
    let g = || w.ch.sender(w.gov);
    for (id, value) in [
        (params::GPU_WORK_LOG2_N.id, 5u64),
        (params::GPU_WORK_LOG2_N.id, 17),
        (params::SEVERITY_GPU_WORK_BPS.id, 5_001),
    ] {
        let err = g()
            .admin
            .set_parameter(id, U256::from(value))
            .motsu_unwrap_err();
        assert!(matches!(err, AdminError::ParameterOutOfBounds(_)));
    }
    let err = g()
        .admin
        .set_parameter(params::COUNT as u8, U256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, AdminError::UnknownParameter(_)));
    let err = g().admin.set_role(4, a(1), true).motsu_unwrap_err();
    assert!(matches!(err, AdminError::UnknownRole(_)));
    let err = g()
        .admin
        .set_role(roles::COMMITTEE, Address::ZERO, true)
        .motsu_unwrap_err();
    assert!(matches!(err, AdminError::ZeroAddress(_)));
    g().admin
        .set_parameter(params::GPU_WORK_LOG2_N.id, U256::from(8))
        .motsu_unwrap();
    assert_eq!(
        g().admin.parameter(params::GPU_WORK_LOG2_N.id),
        U256::from(8)
    );
    assert!(w.ch.emitted(&ParameterChanged {
        id: params::GPU_WORK_LOG2_N.id,
        value: U256::from(8)
    }));
}

/// One step of a random challenge history.
#[derive(Debug, Clone)]
enum Step {
    /// Open a liveness (`gpu` false) or GPU-work challenge against node `node`.
    Open { node: usize, gpu: bool },
    /// The node answers (liveness) or commits garbage (GPU work) for the
    /// `pick`-th open challenge.
    Answer { pick: usize },
    /// Time passes.
    Wait { secs: u64 },
    /// Anyone resolves the `pick`-th challenge.
    Resolve { pick: usize },
    /// Governance vetoes the `pick`-th challenge.
    Veto { pick: usize },
    /// Anyone executes the `pick`-th challenge's slash.
    Execute { pick: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..2usize, any::<bool>()).prop_map(|(node, gpu)| Step::Open { node, gpu }),
        any::<usize>().prop_map(|pick| Step::Answer { pick }),
        (1..3 * DAY).prop_map(|secs| Step::Wait { secs }),
        any::<usize>().prop_map(|pick| Step::Resolve { pick }),
        any::<usize>().prop_map(|pick| Step::Veto { pick }),
        any::<usize>().prop_map(|pick| Step::Execute { pick }),
    ]
}

#[test]
fn inv10_challenges_resolve_once_and_slashes_are_capped() {
    let config = ProptestConfig::with_cases(cases(8));
    proptest!(config, |(steps in prop::collection::vec(step(), 1..40))| {
        // What `#[motsu::test]` does: the ecrecover precompile for probes.
        let _precompiles = motsu::prelude::deploy_precompiles();
        let w = world();
        let nodes = [a(0x71), a(0x72)];
        for &n in &nodes {
            w.provider(n);
        }
        let supply = w.token.sender(w.bank).total_supply();
        let mut ids: Vec<u64> = vec![];
        let mut answered = 0;
        for s in steps {
            let pick = |p: usize| (!ids.is_empty()).then(|| ids[p % ids.len()]);
            let before: Vec<u8> = ids.iter().map(|&id| w.state(id)).collect();
            let pools: Vec<U256> = nodes.iter().map(|&n| w.pool(n)).collect();
            match s {
                Step::Open { node, gpu } => {
                    let kind = if gpu { kind::GPU_WORK } else { kind::LIVENESS };
                    if let Ok(id) = w.ch.sender(w.challenger).open_challenge(kind, nodes[node], 0, spon_gpu_work::commitment(w.challenger, SECRET)).motsu_res() {
                        ids.push(id);
                    }
                }
                Step::Answer { pick: p } => if let Some(id) = pick(p) {
                    let node = w.ch.sender(w.gov).challenge_of(id).node;
                    if w.ch.sender(w.gov).challenge_of(id).kind == kind::LIVENESS {
                        w.probe(node, &key(node), id).unwrap();
                        if w.ch.sender(node).answer_liveness(id).motsu_res().is_ok() {
                            answered += 1;
                        }
                    } else {
                        let _ = w.ch.sender(node).commit_gpu_work(id, B256::repeat_byte(1)).motsu_res();
                    }
                }
                Step::Wait { secs } => clock::advance(secs),
                Step::Resolve { pick: p } => if let Some(id) = pick(p) {
                    let _ = w.ch.sender(w.bank).resolve(id).motsu_res();
                }
                Step::Veto { pick: p } => if let Some(id) = pick(p) {
                    let _ = w.ch.sender(w.gov).veto(id).motsu_res();
                }
                Step::Execute { pick: p } => if let Some(id) = pick(p) {
                    let _ = w.ch.sender(w.bank).execute_slash(id).motsu_res();
                }
            }
            // Final states never change; no slash without a lost challenge.
            for (i, &id) in ids.iter().enumerate() {
                let (was, now) = (before.get(i).copied().unwrap_or(state::NONE), w.state(id));
                if matches!(was, state::PASSED | state::SLASHED | state::VETOED | state::DISMISSED) {
                    prop_assert_eq!(was, now);
                }
                if now == state::SLASHED {
                    prop_assert!(matches!(was, state::SLASH_PENDING | state::SLASHED));
                }
            }
            // A pool shrinks only when a challenge against it is slashed.
            for (i, &n) in nodes.iter().enumerate() {
                if w.pool(n) < pools[i] {
                    let now_slashed = ids.iter().enumerate().any(|(j, &id)| {
                        w.ch.sender(w.gov).challenge_of(id).node == n
                            && w.state(id) == state::SLASHED
                            && before.get(j) == Some(&state::SLASH_PENDING)
                    });
                    prop_assert!(now_slashed);
                }
            }
            // Bonds: the contract holds exactly the bonds of unresolved
            // challenges (each returned or forfeited once).
            let held: U256 = ids
                .iter()
                .filter(|&&id| matches!(w.state(id), state::OPEN | state::COMMITTED | state::SAMPLED | state::SLASH_PENDING))
                .map(|_| bond())
                .sum();
            prop_assert_eq!(w.balance(w.ch.address()), held);
            // The per-period cap holds for every provider.
            for &n in &nodes {
                prop_assert!(w.ch.sender(w.gov).slash_usage(n).bps <= params::SLASH_CAP_BPS.default as u16);
            }
            // SPON is conserved.
            let total: U256 = [w.bank, w.challenger, w.market, w.treasury, nodes[0], nodes[1], w.ch.address(), w.staking.address()]
                .iter()
                .map(|&x| w.balance(x))
                .sum();
            prop_assert_eq!(total, supply);
        }
        let passed = ids.iter().filter(|&&id| w.state(id) == state::PASSED).count();
        prop_assert!(passed >= answered);
    });
}

// ---------------------------------------------------------------- findings
// Regression tests of audits/findings.md: each replays its attack through
// the entry points.

/// The SPON `who` holds plus its own active stake in its pool.
fn wealth(w: &World, who: Address) -> U256 {
    w.balance(who) + w.staking.sender(who).self_stake_of(who)
}

/// F-01: a provider that challenges itself and does not answer is slashed
/// out of its delegators' stake as well; the challenger's share must not
/// make that profitable.
#[motsu::test]
fn f01_a_self_slash_pays_the_provider_nothing() {
    let w = world();
    let (node, delegator) = (a(0x71), a(0x72));
    w.provider(node);
    w.fund(node, 10_000);
    w.fund(delegator, 900_000);
    w.staking
        .sender(delegator)
        .delegate(node, spon(900_000))
        .motsu_unwrap();
    let (before, delegated) = (
        wealth(&w, node),
        w.staking.sender(node).delegation_of(node, delegator),
    );
    for _ in 0..2 {
        let id =
            w.ch.sender(node)
                .open_challenge(
                    kind::GPU_WORK,
                    node,
                    0,
                    spon_gpu_work::commitment(node, SECRET),
                )
                .motsu_unwrap();
        w.miss_deadline(id);
        w.ch.sender(node).resolve(id).motsu_unwrap();
        w.end_veto(id);
        w.ch.sender(node).execute_slash(id).motsu_unwrap();
    }
    let after = wealth(&w, node);
    assert!(after < before, "the provider gained {}", after - before);
    // The delegator loses exactly its pro-rata part of the two 10% slashes.
    let left = w.staking.sender(node).delegation_of(node, delegator);
    assert!(left + U256::from(2) >= delegated * U256::from(81) / U256::from(100));
}

/// F-04: the registry's guardian pauses it; every node must still answer
/// its liveness challenges.
#[motsu::test]
fn f04_a_registry_pause_never_makes_a_node_lose() {
    let w = world();
    let node = a(0x73);
    w.provider(node);
    w.registry.sender(w.gov).admin.pause().motsu_unwrap();
    let id = w.open(kind::LIVENESS, node);
    let _ = w.probe(node, &key(node), id);
    let _ = w.ch.sender(node).answer_liveness(id).motsu_res();
    assert_eq!(w.state(id), state::PASSED);
}

/// F-07: one outage answered by many concurrent liveness challenges must
/// count once; a loss past the period's cap still jails.
#[motsu::test]
fn f07_one_outage_is_one_loss_and_a_capped_loss_still_jails() {
    let w = world();
    let node = a(0x74);
    w.provider(node);
    let first = w.open(kind::LIVENESS, node);
    let err =
        w.ch.sender(w.challenger)
            .open_challenge(kind::LIVENESS, node, 0, B256::ZERO)
            .motsu_unwrap_err();
    assert!(
        matches!(err, Error::ChallengeAlreadyOpen(ChallengeAlreadyOpen { challengeId, .. }) if challengeId == first),
        "{err:?}"
    );
    w.miss_deadline(first);
    w.ch.sender(w.bank).resolve(first).motsu_unwrap();
    // Resolved: the next outage may be challenged.
    let second = w.open(kind::LIVENESS, node);
    w.miss_deadline(second);
    w.ch.sender(w.bank).resolve(second).motsu_unwrap();
    w.end_veto(second);
    w.ch.sender(w.bank).execute_slash(first).motsu_unwrap();
    // The cap is used up; once the jail is over, a further loss slashes
    // nothing but jails again.
    w.ch.sender(w.gov)
        .admin
        .set_parameter(params::SLASH_CAP_BPS.id, U256::from(100))
        .motsu_unwrap();
    clock::advance(spon_staking::params::JAIL_PERIOD.default + 1);
    assert!(!w.staking.sender(node).is_jailed(node));
    w.ch.sender(w.bank).execute_slash(second).motsu_unwrap();
    assert!(w.staking.sender(node).is_jailed(node));
}

/// F-08: the probe key signs, days ahead, a probe naming the next
/// challenge id; a relayer commits it once the challenge is open.
#[motsu::test]
fn f08_a_probe_signed_before_the_challenge_answers_nothing() {
    let w = world();
    let node = a(0x75);
    w.provider(node);
    let next = w.ch.sender(w.gov).count() + 1;
    let core = w.core();
    let presigned = core.sign_probe(
        node,
        &hopper(*b"DE", 10_000),
        clock::now(MOTSU_TIME),
        U256::from(next),
        &key(node),
    );
    let id = w.open(kind::LIVENESS, node);
    assert_eq!(id, next);
    core.relay_probe(node, presigned).unwrap();
    let err = w.ch.sender(node).answer_liveness(id).motsu_unwrap_err();
    assert!(matches!(err, Error::NotAnswered(_)), "{err:?}");
}

/// F-10: a tenant's lease-fault claim that nobody rules on freezes the
/// pool's withdrawals for `rulingWindow`; that must not be free.
#[motsu::test]
fn f10_an_unruled_lease_fault_costs_the_grief_penalty() {
    let w = world();
    let node = a(0x76);
    w.provider(node);
    let tenant = a(0x7D);
    w.fund(tenant, 10_000);
    w.token
        .sender(tenant)
        .transfer(w.leases.address(), spon(100))
        .motsu_unwrap();
    w.leases
        .sender(w.market)
        .open(
            1,
            tenant,
            node,
            w.token.address(),
            spon(1),
            10 * HOUR,
            spon(100),
        )
        .motsu_unwrap();
    let before = w.balance(tenant);
    let id =
        w.ch.sender(tenant)
            .open_challenge(kind::LEASE_FAULT, node, 1, B256::repeat_byte(0xE1))
            .motsu_unwrap();
    w.miss_deadline(id);
    w.ch.sender(tenant).resolve(id).motsu_unwrap();
    assert_eq!(w.state(id), state::DISMISSED);
    assert_eq!(w.balance(tenant), before - bond() / U256::from(10));
}

/// F-09: a veto period shorter than governance needs to pass a veto
/// (vote delay, vote and timelock) is refused.
#[motsu::test]
fn f09_the_veto_period_leaves_governance_time_to_veto() {
    let w = world();
    let decision = spon_protocol::DAY * 6;
    let err =
        w.ch.sender(w.gov)
            .admin
            .set_parameter(params::VETO_PERIOD.id, U256::from(2 * DAY))
            .motsu_unwrap_err();
    assert!(
        matches!(err, AdminError::ParameterOutOfBounds(_)),
        "{err:?}"
    );
    assert!(params::VETO_PERIOD.default > decision);
}

/// F-18: n and k were bounded one by one: n = 1,024 with k = 64 asks for
/// an answer no Nitro transaction can carry, so the node could never pass.
#[motsu::test]
fn f18_a_gpu_work_answer_always_fits_a_transaction() {
    let w = world();
    let node = a(0x77);
    w.provider(node);
    for (log2_n, k) in [(16u64, 64u64), (14, 64), (6, 64), (8, 16)] {
        for (id, v) in [
            (params::GPU_WORK_LOG2_N.id, log2_n),
            (params::GPU_WORK_SAMPLES.id, k),
        ] {
            w.ch.sender(w.gov)
                .admin
                .set_parameter(id, U256::from(v))
                .motsu_unwrap();
        }
        let id = w.open(kind::GPU_WORK, node);
        let view = w.ch.sender(w.gov).gpu_work_of(id);
        let (n, k) = (view.n, u32::from(view.k));
        // proveGpuWork(uint64, bytes): selector, id, offset, length, words.
        let calldata = 4 + 3 * 32 + spon_gpu_work::answer_bytes(n, k).div_ceil(32) * 32;
        assert!(
            calldata <= spon_gpu_work::MAX_TX_DATA,
            "n {n} k {k}: {calldata} bytes"
        );
        w.miss_deadline(id);
        w.ch.sender(w.bank).resolve(id).motsu_unwrap();
    }
}

/// F-24: a commitment copied from another challenger's challenge is
/// revealed with that challenger's secret once public; the node then knew
/// the secret before committing its root.
#[motsu::test]
fn f24_a_copied_commitment_is_worthless() {
    let w = world();
    let node = a(0x78);
    w.provider(node);
    let copier = a(0xC2);
    w.fund(copier, 10_000);
    let honest = w.open(kind::GPU_WORK, node);
    let copied = w.ch.sender(w.gov).challenge_of(honest).commitment;
    let _ = w.gpu_answer(honest, node, false); // reveals SECRET in `honest`
                                               // (the node may answer one GPU-work challenge at a time: resolve it)
    w.miss_deadline(honest);
    w.ch.sender(w.bank).resolve(honest).motsu_unwrap();
    let id =
        w.ch.sender(copier)
            .open_challenge(kind::GPU_WORK, node, 0, copied)
            .motsu_unwrap();
    w.ch.sender(node)
        .commit_gpu_work(id, B256::repeat_byte(9))
        .motsu_unwrap();
    let err =
        w.ch.sender(copier)
            .reveal_sample(id, SECRET)
            .motsu_unwrap_err();
    assert!(matches!(err, Error::WrongSecret(_)), "{err:?}");
}

// ------------------------------------------------- adversarial properties

/// What the adversaries of `adversaries_never_profit_and_never_lock_a_pool`
/// do.
#[derive(Debug, Clone)]
enum Move {
    /// The provider (`friend` false) or its friend challenges the provider
    /// and will not answer (`gpu`: GPU work, else liveness).
    SelfChallenge { friend: bool, gpu: bool },
    /// An honest challenger challenges the provider, who answers a
    /// liveness challenge in time.
    Honest,
    /// The griefing tenant claims a fault on its `lease`-th lease.
    Grief { lease: usize },
    /// The whale delegates `amount` SPON (thousands) just before a reward.
    WhaleIn { amount: u64 },
    /// The whale undelegates all it has.
    WhaleOut,
    /// A griefer delegates two wei and undelegates one (a dust position in
    /// the unbonding sub-pool).
    Dust,
    /// The honest delegator undelegates `part` % of its delegation.
    DelegatorOut { part: u64 },
    /// A reward of `amount` SPON is funded.
    Reward { amount: u64 },
    /// Time passes.
    Wait { secs: u64 },
    /// Anyone resolves, then executes, every challenge it can.
    Settle,
}

fn a_move() -> impl Strategy<Value = Move> {
    prop_oneof![
        3 => (any::<bool>(), any::<bool>()).prop_map(|(friend, gpu)| Move::SelfChallenge { friend, gpu }),
        1 => Just(Move::Honest),
        1 => (0..3usize).prop_map(|lease| Move::Grief { lease }),
        1 => (1..900u64).prop_map(|amount| Move::WhaleIn { amount }),
        1 => Just(Move::WhaleOut),
        1 => Just(Move::Dust),
        1 => (1..100u64).prop_map(|part| Move::DelegatorOut { part }),
        1 => (1..5_000u64).prop_map(|amount| Move::Reward { amount }),
        3 => (1..4 * DAY).prop_map(|secs| Move::Wait { secs }),
        3 => Just(Move::Settle),
    ]
}

/// Adversarial actors against one provider's pool — the provider and a
/// friend challenging it and never answering, a griefing tenant, a whale
/// delegating around rewards — over random sequences:
/// * no participant gains from slashing its own pool: across every slash,
///   the provider and its friend together end poorer;
/// * no delegator loses more than its pro-rata share of a slash (±2 wei);
/// * no pool can be made unwithdrawable: once every challenge is over,
///   every delegation can be unbonded and every request withdrawn;
/// * SPON is conserved.
#[test]
fn adversaries_never_profit_and_never_lock_a_pool() {
    let config = ProptestConfig::with_cases(cases(8));
    proptest!(config, |(moves in prop::collection::vec(a_move(), 1..40))| {
        let _precompiles = motsu::prelude::deploy_precompiles();
        let w = world();
        let (p, friend, honest, tenant, whale, d, griefer) = (a(0x81), a(0x82), a(0x83), a(0x84), a(0x85), a(0x86), a(0x87));
        w.provider(p);
        for who in [p, friend, honest, tenant, whale, d, griefer] {
            w.fund(who, 1_000_000);
        }
        w.fund(w.bank, 0);
        w.staking.sender(w.gov).admin.set_role(spon_staking::roles::REWARDER, w.bank, true).motsu_unwrap();
        w.token.sender(w.bank).approve(w.staking.address(), U256::MAX).motsu_unwrap();
        w.staking.sender(d).delegate(p, spon(50_000)).motsu_unwrap();
        for lease in 1..=3u64 {
            w.token.sender(tenant).transfer(w.leases.address(), spon(100)).motsu_unwrap();
            w.leases.sender(w.market).open(lease, tenant, p, w.token.address(), spon(1), 10 * HOUR, spon(100)).motsu_unwrap();
        }
        let supply = w.token.sender(w.bank).total_supply();
        let coalition = |w: &World| {
            [p, friend].iter().map(|&x| w.balance(x)).fold(U256::ZERO, |s, b| s + b)
                + w.staking.sender(p).self_stake_of(p)
        };
        let mut ids: Vec<u64> = vec![];
        let mut requests: Vec<(Address, U256)> = vec![];
        for m in moves {
            match m {
                Move::SelfChallenge { friend: f, gpu } => {
                    let who = if f { friend } else { p };
                    let kind = if gpu { kind::GPU_WORK } else { kind::LIVENESS };
                    if let Ok(id) = w.ch.sender(who).open_challenge(kind, p, 0, spon_gpu_work::commitment(who, SECRET)).motsu_res() {
                        ids.push(id);
                    }
                }
                Move::Honest => {
                    if let Ok(id) = w.ch.sender(honest).open_challenge(kind::LIVENESS, p, 0, B256::ZERO).motsu_res() {
                        w.probe(p, &key(p), id).unwrap();
                        w.ch.sender(p).answer_liveness(id).motsu_unwrap();
                    }
                }
                Move::Grief { lease } => {
                    if let Ok(id) = w.ch.sender(tenant).open_challenge(kind::LEASE_FAULT, p, lease as u64 + 1, B256::repeat_byte(0xE1)).motsu_res() {
                        ids.push(id);
                    }
                }
                Move::WhaleIn { amount } => {
                    let _ = w.staking.sender(whale).delegate(p, spon(amount * 1_000)).motsu_res();
                }
                Move::WhaleOut => {
                    let held = w.staking.sender(whale).delegation_of(p, whale);
                    if let Ok(r) = w.staking.sender(whale).undelegate(p, held).motsu_res() {
                        requests.push((whale, r));
                    }
                }
                Move::Dust => {
                    if w.staking.sender(griefer).delegate(p, U256::from(2)).motsu_res().is_ok() {
                        if let Ok(r) = w.staking.sender(griefer).undelegate(p, U256::from(1)).motsu_res() {
                            requests.push((griefer, r));
                        }
                    }
                }
                Move::DelegatorOut { part } => {
                    let held = w.staking.sender(d).delegation_of(p, d);
                    if let Ok(r) = w.staking.sender(d).undelegate(p, held * U256::from(part) / U256::from(100)).motsu_res() {
                        requests.push((d, r));
                    }
                }
                Move::Reward { amount } => {
                    let _ = w.staking.sender(w.bank).notify_reward(p, spon(amount)).motsu_res();
                }
                Move::Wait { secs } => clock::advance(secs),
                Move::Settle => {
                    for &id in &ids {
                        let _ = w.ch.sender(w.bank).resolve(id).motsu_res();
                        let c = w.ch.sender(w.gov).challenge_of(id);
                        // The bond comes back to the challenger: not a gain.
                        let refund = if c.challenger == p || c.challenger == friend { c.bond } else { U256::ZERO };
                        let (wealth, mine) = (coalition(&w) + refund, w.staking.sender(d).delegation_of(p, d));
                        let used = w.ch.sender(w.gov).slash_usage(p);
                        if w.ch.sender(w.bank).execute_slash(id).motsu_res().is_ok() {
                            let after = w.ch.sender(w.gov).slash_usage(p);
                            let bps = if after.period == used.period { after.bps - used.bps } else { after.bps };
                            // No gain from slashing one's own pool.
                            prop_assert!(coalition(&w) <= wealth, "challenge {id}: the coalition gained");
                            // Pro-rata: the delegator keeps (1 − bps) of its claim, ±2 wei.
                            let kept = w.staking.sender(d).delegation_of(p, d);
                            let fair = mine * U256::from(10_000 - u64::from(bps)) / U256::from(10_000);
                            prop_assert!(kept + U256::from(2) >= fair, "kept {kept} < fair {fair} (bps {bps})");
                            // Never shares without tokens.
                            let pool2 = w.staking.sender(p).pool_of(p);
                            prop_assert!(pool2.shares.is_zero() || !pool2.tokens.is_zero());
                            prop_assert!(pool2.unbondingShares.is_zero() || !pool2.unbondingTokens.is_zero());
                        }
                    }
                }
            }
            prop_assert_eq!(w.token.sender(w.bank).total_supply(), supply);
        }
        // Every challenge ends; then nobody's stake is stuck.
        for _ in 0..3 {
            clock::advance(params::VETO_PERIOD.max + params::RULING_WINDOW.max);
            for &id in &ids {
                let _ = w.ch.sender(w.bank).resolve(id).motsu_res();
                let _ = w.ch.sender(w.bank).execute_slash(id).motsu_res();
            }
        }
        prop_assert_eq!(w.staking.sender(p).pool_of(p).openOffences, 0);
        for who in [d, whale, griefer] {
            let held = w.staking.sender(who).delegation_of(p, who);
            if !held.is_zero() {
                requests.push((who, w.staking.sender(who).undelegate(p, held).motsu_unwrap()));
            }
        }
        clock::advance(spon_staking::params::UNBONDING_PERIOD.max);
        for (who, r) in requests {
            w.staking.sender(who).withdraw(r).motsu_unwrap();
        }
        prop_assert_eq!(w.token.sender(w.bank).total_supply(), supply);
    });
}
