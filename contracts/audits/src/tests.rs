//! motsu tests of the audits contract with the real SPON token, staking,
//! registry and challenges contract: whole rounds (commit, reveal, run)
//! that open liveness and GPU-work challenges the drawn node then
//! answers, every refusal, the pool, rescheduling and access (INV-13).

use alloy_primitives::{Address, B256, U256};
use motsu::prelude::*;
use spon_challenges::Challenges;
use spon_gpu_work::{open, product, sample_entries, tree, Work};
use spon_registry::Registry;
use spon_staking::Staking;
use spon_testkit::{a, hopper, probe_key as key, spon, Core, MOTSU_TIME, SUPPLY};
use spon_token::SponToken;

use super::*;
use spon_contract_kit::admin::Error as AdminError;

const PERIOD: u64 = 24 * 3_600;
const SAMPLE_SECRET: B256 = B256::repeat_byte(0x44);

fn now() -> u64 {
    clock::now(MOTSU_TIME)
}

struct World {
    token: Contract<SponToken>,
    staking: Contract<Staking>,
    registry: Contract<Registry>,
    ch: Contract<Challenges>,
    verifier: Contract<spon_gpu_verifier::GpuVerifier>,
    audits: Contract<Audits>,
    gov: Address,
    auditors: [Address; 2],
    bank: Address,
}

fn world() -> World {
    let w = World {
        token: Contract::new(),
        staking: Contract::new(),
        registry: Contract::new(),
        ch: Contract::new(),
        verifier: Contract::new(),
        audits: Contract::new(),
        gov: a(0xA1),
        auditors: [a(0xD1), a(0xD2)],
        bank: a(0xB0),
    };
    let treasury = a(0xA2);
    w.token
        .sender(w.bank)
        .constructor(w.bank, SUPPLY)
        .motsu_unwrap();
    w.staking
        .sender(w.gov)
        .constructor(w.token.address(), w.gov, treasury)
        .motsu_unwrap();
    w.registry
        .sender(w.gov)
        .constructor(w.staking.address(), w.gov)
        .motsu_unwrap();
    w.ch.sender(w.gov)
        .constructor(
            w.token.address(),
            w.staking.address(),
            w.registry.address(),
            a(0x5E),
            w.verifier.address(),
            w.gov,
        )
        .motsu_unwrap();
    w.audits
        .sender(w.gov)
        .constructor(
            w.token.address(),
            w.staking.address(),
            w.registry.address(),
            w.ch.address(),
            w.gov,
        )
        .motsu_unwrap();
    w.staking
        .sender(w.gov)
        .admin
        .set_role(1, w.ch.address(), true)
        .motsu_unwrap();
    w.registry
        .sender(w.gov)
        .admin
        .set_role(spon_registry::roles::CHALLENGES, w.ch.address(), true)
        .motsu_unwrap();
    w.ch.sender(w.gov)
        .admin
        .set_role(spon_challenges::roles::AUDITS, w.audits.address(), true)
        .motsu_unwrap();
    w.ch.sender(w.gov)
        .admin
        .set_parameter(spon_challenges::params::GPU_WORK_LOG2_N.id, U256::from(6))
        .motsu_unwrap();
    for auditor in w.auditors {
        w.audits
            .sender(w.gov)
            .admin
            .set_role(roles::AUDITOR, auditor, true)
            .motsu_unwrap();
    }
    w.token
        .sender(w.bank)
        .approve(w.audits.address(), U256::MAX)
        .motsu_unwrap();
    w.audits.sender(w.bank).fund(spon(10_000)).motsu_unwrap();
    w
}

impl World {
    fn core(&self) -> Core<'_> {
        Core {
            token: &self.token,
            staking: &self.staking,
            registry: &self.registry,
            bank: self.bank,
            gov: self.gov,
        }
    }

    /// An approved Provider node with `stake` SPON, enrolled for audits.
    fn provider(&self, node: Address, stake: u64) {
        self.core().provider(node, stake, &hopper(*b"DE", 10_000));
        self.audits.sender(self.bank).enroll(node).motsu_unwrap();
    }

    /// Both auditors commit and reveal in the current round; returns it
    /// and moves past its end.
    fn round(&self) -> u64 {
        let view = self.audits.sender(self.gov).current_round();
        let (round, commit, ends) = (view.round, view.committing, view.endsAt);
        assert!(commit);
        for (i, &auditor) in self.auditors.iter().enumerate() {
            let secret = B256::repeat_byte(i as u8 + 1);
            let c = draw::commitment(secret, auditor.as_ref());
            self.audits.sender(auditor).commit_seed(c).motsu_unwrap();
        }
        clock::advance(ends - PERIOD / 2 - now());
        for (i, &auditor) in self.auditors.iter().enumerate() {
            self.audits
                .sender(auditor)
                .reveal_seed(B256::repeat_byte(i as u8 + 1))
                .motsu_unwrap();
        }
        clock::advance(ends - now());
        round
    }

    /// The node the audit of `round` draws, computed here from the views.
    fn expected_pick(&self, round: u64) -> Option<Address> {
        let seed = self.audits.sender(self.gov).round_of(round).seed;
        let count = self.audits.sender(self.gov).node_count();
        let cap = u128::from(params::WEIGHT_CAP.default) * WEI_PER_SPON;
        draw::select(&seed, count, cap, |i| {
            let node = self.audits.sender(self.gov).node_at(i);
            let active = self.registry.sender(node).node_of(node).state == NODE_ACTIVE;
            if active {
                self.staking.sender(node).stake_of(node).to()
            } else {
                0
            }
        })
        .map(|i| self.audits.sender(self.gov).node_at(i))
    }

    fn balance(&self, who: Address) -> U256 {
        self.token.sender(who).balance_of(who)
    }

    fn answer_liveness(&self, id: u64, node: Address) {
        let hw = hopper(*b"DE", 10_000);
        let seed = self.ch.sender(node).gpu_work_of(id).seed;
        self.core()
            .commit_probe(node, &hw, now(), U256::from_be_bytes(seed.0), &key(node))
            .unwrap();
        self.ch.sender(node).answer_liveness(id).motsu_unwrap();
    }
}

#[test]
fn parameter_table_is_consistent() {
    assert!(spon_contract_kit::is_table(&params::ALL));
    assert_eq!(params::ALL.len(), spon_protocol::params::Audits::ALL.len());
}

#[motsu::test]
fn a_liveness_audit_is_answered_and_credits_uptime() {
    let w = world();
    w.audits
        .sender(w.gov)
        .admin
        .set_parameter(params::GPU_WORK_SHARE_BPS.id, U256::ZERO)
        .motsu_unwrap();
    let nodes = [a(0x11), a(0x12)];
    w.provider(nodes[0], 100_000);
    w.provider(nodes[1], 25_000);
    let round = w.round();
    let node = w.expected_pick(round).expect("a node is drawn");
    let pool = w.balance(w.audits.address());
    let id = w
        .audits
        .sender(w.auditors[0])
        .run_audit(round, B256::ZERO)
        .motsu_unwrap();
    let view = w.ch.sender(w.gov).challenge_of(id);
    let (kind, drawn, challenger, bond) = (view.kind, view.node, view.challenger, view.bond);
    assert_eq!((kind, drawn, challenger), (0, node, w.audits.address()));
    assert_eq!(w.balance(w.audits.address()), pool - bond);
    let view = w.audits.sender(w.gov).round_of(round);
    let (seed, runs) = (view.seed, view.runs);
    assert_eq!(runs, 1);
    assert!(w.audits.emitted(&AuditOpened {
        round,
        challengeId: id,
        node,
        kind,
        seed
    }));
    w.answer_liveness(id, node);
    assert_eq!(
        w.registry.sender(node).reputation_of(node).uptimeEras,
        1,
        "uptime credited"
    );
    assert_eq!(w.balance(w.audits.address()), pool - bond / U256::from(10));
    let err = w
        .audits
        .sender(w.auditors[1])
        .run_audit(round, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::AuditAlreadyRun(_)));
}

#[motsu::test]
fn a_gpu_work_audit_is_sampled_by_the_auditor_and_proven() {
    let w = world();
    w.audits
        .sender(w.gov)
        .admin
        .set_parameter(params::GPU_WORK_SHARE_BPS.id, U256::from(10_000))
        .motsu_unwrap();
    let node = a(0x21);
    w.provider(node, 50_000);
    let round = w.round();
    let auditor = w.auditors[1];
    let err = w
        .audits
        .sender(auditor)
        .run_audit(round, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::MissingCommitment(_)));
    let id = w
        .audits
        .sender(auditor)
        .run_audit(
            round,
            spon_gpu_work::commitment(w.audits.address(), SAMPLE_SECRET),
        )
        .motsu_unwrap();
    assert_eq!(w.ch.sender(w.gov).challenge_of(id).kind, 1);
    let view = w.ch.sender(node).gpu_work_of(id);
    let (seed, n, k) = (view.seed, view.n, u32::from(view.k));
    let c = product(&seed, n);
    let tree = tree(&c);
    w.ch.sender(node)
        .commit_gpu_work(id, tree.root())
        .motsu_unwrap();
    w.ch.sender(auditor)
        .reveal_sample(id, SAMPLE_SECRET)
        .motsu_unwrap();
    let sample_seed = w.ch.sender(node).gpu_work_of(id).sampleSeed;
    let answer = open(
        &tree,
        &c,
        &sample_entries(&sample_seed, n, k, &mut Work::default()),
    );
    w.ch.sender(node)
        .prove_gpu_work(id, answer.into())
        .motsu_unwrap();
    assert_eq!(
        w.ch.sender(w.gov).challenge_of(id).state,
        spon_challenges::state::PASSED
    );
    assert_eq!(w.registry.sender(node).reputation_of(node).uptimeEras, 1);
}

#[motsu::test]
fn round_refusals() {
    let w = world();
    let node = a(0x31);
    w.provider(node, 10_000);
    let (auditor, other) = (w.auditors[0], w.auditors[1]);
    let secret = B256::repeat_byte(9);
    let c = draw::commitment(secret, auditor.as_ref());
    let err = w.audits.sender(w.bank).commit_seed(c).motsu_unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)));
    let err = w
        .audits
        .sender(auditor)
        .commit_seed(B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::MissingCommitment(_)));
    let err = w
        .audits
        .sender(auditor)
        .reveal_seed(secret)
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::WrongPhase(WrongPhase { phase: 0, .. })
    ));
    w.audits.sender(auditor).commit_seed(c).motsu_unwrap();
    let err = w.audits.sender(auditor).commit_seed(c).motsu_unwrap_err();
    assert!(matches!(err, Error::AlreadyCommitted(_)));
    let err = w
        .audits
        .sender(auditor)
        .run_audit(0, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::WrongPhase(_)));
    clock::advance(PERIOD / 2);
    let err = w.audits.sender(other).commit_seed(c).motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::WrongPhase(WrongPhase { phase: 1, .. })
    ));
    let err = w
        .audits
        .sender(other)
        .reveal_seed(secret)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::NothingToReveal(_)));
    let err = w
        .audits
        .sender(auditor)
        .reveal_seed(B256::repeat_byte(8))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::WrongReveal(_)));
    w.audits.sender(auditor).reveal_seed(secret).motsu_unwrap();
    let err = w
        .audits
        .sender(auditor)
        .reveal_seed(secret)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::NothingToReveal(_)));
    let err = w
        .audits
        .sender(auditor)
        .run_audit(0, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::WrongPhase(WrongPhase { phase: 1, .. })
    ));
    clock::advance(PERIOD / 2);
    // An empty pool cannot bond.
    let pool = w.balance(w.audits.address());
    w.audits.sender(w.gov).withdraw(w.gov, pool).motsu_unwrap();
    let err = w
        .audits
        .sender(auditor)
        .run_audit(
            0,
            spon_gpu_work::commitment(w.audits.address(), SAMPLE_SECRET),
        )
        .motsu_unwrap_err();
    assert!(matches!(err, Error::InsufficientPool(_)));
    assert!(
        w.audits.sender(w.gov).round_of(0).runs == 0,
        "a refused audit can run again"
    );
    // Round 1 had no reveal: no seed.
    clock::advance(PERIOD);
    let err = w
        .audits
        .sender(auditor)
        .run_audit(1, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::NoSeed(_)));
}

#[motsu::test]
fn enrolment_and_skipped_audits() {
    let w = world();
    let err = w.audits.sender(w.bank).enroll(a(0x41)).motsu_unwrap_err();
    assert!(matches!(err, Error::NodeNotActive(_)));
    let node = a(0x42);
    w.provider(node, 10_000);
    let err = w.audits.sender(w.bank).enroll(node).motsu_unwrap_err();
    assert!(matches!(err, Error::AlreadyEnrolled(_)));
    // A suspended node is never drawn: the audit is skipped.
    w.registry
        .sender(w.gov)
        .set_suspended(node, true)
        .motsu_unwrap();
    let round = w.round();
    let id = w
        .audits
        .sender(w.auditors[0])
        .run_audit(
            round,
            spon_gpu_work::commitment(w.audits.address(), SAMPLE_SECRET),
        )
        .motsu_unwrap();
    assert_eq!(id, 0);
    let view = w.audits.sender(w.gov).round_of(round);
    let (seed, runs) = (view.seed, view.runs);
    assert_eq!(runs, 1);
    assert!(w.audits.emitted(&AuditSkipped { round, seed }));
}

#[motsu::test]
fn a_new_period_starts_with_the_next_round() {
    let w = world();
    let view = w.audits.sender(w.gov).current_round();
    let (round, ends) = (view.round, view.endsAt);
    clock::advance(PERIOD / 4);
    w.audits
        .sender(w.gov)
        .set_round_period(4 * 3_600)
        .motsu_unwrap();
    let current = || {
        let r = w.audits.sender(w.gov).current_round();
        (r.round, r.committing, r.endsAt)
    };
    assert_eq!(current(), (round, true, ends));
    clock::advance(ends - now());
    assert_eq!(current(), (round + 1, true, ends + 4 * 3_600));
    clock::advance(2 * 3_600);
    assert!(!w.audits.sender(w.gov).current_round().committing);
    let err = w
        .audits
        .sender(w.gov)
        .set_round_period(60)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::RoundPeriodOutOfBounds(_)));
    let err = w
        .audits
        .sender(w.bank)
        .set_round_period(PERIOD)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)));
}

#[motsu::test]
fn only_governance_configures() {
    let w = world();
    for intruder in [w.auditors[0], w.bank] {
        let x = || w.audits.sender(intruder);
        for res in [
            x().admin
                .set_parameter(1, U256::ZERO)
                .motsu_res()
                .map_err(Error::from),
            x().admin
                .set_role(roles::AUDITOR, intruder, true)
                .motsu_res()
                .map_err(Error::from),
            x().withdraw(intruder, U256::from(1)).motsu_res(),
            x().admin.pause().motsu_res().map_err(Error::from),
            x().admin.unpause().motsu_res().map_err(Error::from),
        ] {
            assert!(matches!(res, Err(Error::Unauthorized(_))), "{res:?}");
        }
    }
    let g = || w.audits.sender(w.gov);
    let err = g().admin.set_role(7, a(1), true).motsu_unwrap_err();
    assert!(matches!(err, AdminError::UnknownRole(_)));
    g().admin
        .set_role(roles::AUDITOR, w.auditors[0], false)
        .motsu_unwrap();
    assert!(!g().admin.has_role(roles::AUDITOR, w.auditors[0]));
    g().admin.pause().motsu_unwrap();
    let err = w.audits.sender(w.bank).enroll(a(3)).motsu_unwrap_err();
    assert!(matches!(err, Error::EnforcedPause(_)));
    let err = g().withdraw(w.gov, spon(10_001)).motsu_unwrap_err();
    assert!(matches!(err, Error::InsufficientPool(_)));
}

/// F-05 (audits): a node drawn by an audit enters Maintenance before the
/// audit runs, to dodge it.
#[motsu::test]
fn f05_maintenance_does_not_dodge_an_audit() {
    let w = world();
    w.audits
        .sender(w.gov)
        .admin
        .set_parameter(params::GPU_WORK_SHARE_BPS.id, U256::ZERO)
        .motsu_unwrap();
    let node = a(0x31);
    w.provider(node, 50_000);
    let round = w.round();
    assert_eq!(w.expected_pick(round), Some(node));
    w.registry.sender(node).set_maintenance(true).motsu_unwrap();
    let res = w
        .audits
        .sender(w.auditors[0])
        .run_audit(round, B256::ZERO)
        .motsu_res();
    let id = res.expect("the audit opens");
    assert_eq!(w.ch.sender(node).challenge_of(id).node, node);
}

/// F-19: sybil enrolments of nodes with (almost) no stake dilute the
/// list for good: most draws are rejected and audits are skipped.
#[motsu::test]
fn f19_the_audit_list_cannot_be_diluted_for_good() {
    let w = world();
    let (sybil, honest) = (a(0x51), a(0x52));
    w.core().provider(sybil, 10_000, &hopper(*b"DE", 10_000));
    w.staking
        .sender(sybil)
        .request_unstake(spon(9_000))
        .motsu_unwrap();
    // A node under the least audit stake is refused.
    let err = w.audits.sender(w.bank).enroll(sybil).motsu_unwrap_err();
    assert!(matches!(err, Error::StakeTooLow(_)), "{err:?}");
    w.provider(honest, 50_000);
    // One that falls under it once listed is pruned by anyone.
    w.staking
        .sender(honest)
        .request_unstake(spon(45_000))
        .motsu_unwrap();
    let err = w.audits.sender(w.bank).prune(1).motsu_unwrap_err();
    assert!(matches!(err, Error::UnknownIndex(_)), "{err:?}");
    w.audits.sender(w.bank).prune(0).motsu_unwrap();
    assert_eq!(w.audits.sender(w.bank).node_count(), 0);
    // And may enroll again once staked again.
    w.token
        .sender(w.bank)
        .transfer(honest, spon(45_000))
        .motsu_unwrap();
    w.staking.sender(honest).stake(spon(45_000)).motsu_unwrap();
    w.audits.sender(w.bank).enroll(honest).motsu_unwrap();
    let err = w.audits.sender(w.bank).prune(0).motsu_unwrap_err();
    assert!(matches!(err, Error::StillEligible(_)), "{err:?}");
}

/// F-05 (re-roll): a past round's audit runs only in the next round; the
/// draw of an older one can no longer be re-rolled by enrolments.
#[motsu::test]
fn f05_a_past_round_expires() {
    let w = world();
    w.provider(a(0x53), 50_000);
    let round = w.round();
    clock::advance(PERIOD);
    let err = w
        .audits
        .sender(w.auditors[0])
        .run_audit(round, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::AuditExpired(_)), "{err:?}");
}

/// F-20: one audit per round network-wide makes the uptime bars
/// unreachable at scale; governance must be able to run more.
#[motsu::test]
fn f20_a_round_runs_as_many_audits_as_governance_sets() {
    let w = world();
    w.audits
        .sender(w.gov)
        .admin
        .set_parameter(params::GPU_WORK_SHARE_BPS.id, U256::ZERO)
        .motsu_unwrap();
    let _ = w
        .audits
        .sender(w.gov)
        .admin
        .set_parameter(params::AUDITS_PER_ROUND.id, U256::from(3))
        .motsu_res();
    let nodes = [a(0x61), a(0x62), a(0x63)];
    for n in nodes {
        w.provider(n, 100_000);
    }
    let round = w.round();
    let mut answered = 0;
    for _ in 0..3 {
        let id = w
            .audits
            .sender(w.auditors[0])
            .run_audit(round, B256::ZERO)
            .motsu_unwrap();
        if id != 0 {
            let node = w.ch.sender(w.gov).challenge_of(id).node;
            w.answer_liveness(id, node);
            answered += 1;
        }
    }
    assert!(answered >= 2, "{answered} audits answered");
    let err = w
        .audits
        .sender(w.auditors[0])
        .run_audit(round, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::AuditAlreadyRun(_)));
}
