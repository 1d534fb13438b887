//! motsu tests of the governor with the real SPON token and the six
//! contracts it governs: the proposal lifecycle and every refusal, the
//! guardian, a parameter change on each contract only through an executed
//! proposal (INV-12, INV-13), and INV-12 over random histories.

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{sol, SolCall};
use motsu::prelude::*;
use proptest::prelude::*;
use spon_audits::Audits;
use spon_challenges::Challenges;
use spon_contract_kit::clock;
use spon_leases::Leases;
use spon_market::Market;
use spon_registry::Registry;
use spon_staking::Staking;
use spon_testkit::{a, cases, spon, MOTSU_TIME, SUPPLY};
use spon_token::SponToken;
use stylus_sdk::abi::Bytes;

use super::*;
use spon_contract_kit::admin::{functions, Error as AdminError};

const HOUR: u64 = 3_600;
const DAY: u64 = 24 * HOUR;
/// Enough SPON for one voter to reach the default quorum (4% of supply).
const VOTES: u64 = 50_000_000;

sol! {
    function pause();
    function unpause();
    function approvePaymentToken(address token);
}

fn now() -> u64 {
    clock::now(MOTSU_TIME)
}

/// Moves the clock to `at` (never back).
fn warp(at: u64) {
    clock::advance(at.saturating_sub(now()));
}

/// Calls of a proposal.
#[derive(Clone, Default)]
struct Calls {
    targets: Vec<Address>,
    values: Vec<U256>,
    data: Vec<Vec<u8>>,
}

impl Calls {
    fn one(target: Address, data: Vec<u8>) -> Self {
        Calls::default().and(target, data)
    }

    fn and(mut self, target: Address, data: Vec<u8>) -> Self {
        self.targets.push(target);
        self.values.push(U256::ZERO);
        self.data.push(data);
        self
    }

    fn bytes(&self) -> Vec<Bytes> {
        self.data.iter().cloned().map(Bytes).collect()
    }
}

fn set_param(id: u8, value: u64) -> Vec<u8> {
    functions::setParameterCall {
        id,
        value: U256::from(value),
    }
    .abi_encode()
}

struct World {
    token: Contract<SponToken>,
    gov: Contract<Governance>,
    bank: Address,
    guardian: Address,
    voters: [Address; 3],
}

fn world() -> World {
    let w = World {
        token: Contract::new(),
        gov: Contract::new(),
        bank: a(0xB0),
        guardian: a(0x61),
        voters: [a(0x71), a(0x72), a(0x73)],
    };
    w.token
        .sender(w.bank)
        .constructor(w.bank, SUPPLY)
        .motsu_unwrap();
    w.gov
        .sender(w.bank)
        .constructor(w.token.address())
        .motsu_unwrap();
    for v in w.voters.into_iter().chain([w.bank]) {
        if v != w.bank {
            w.token
                .sender(w.bank)
                .transfer(v, spon(VOTES))
                .motsu_unwrap();
        }
        w.token
            .sender(v)
            .approve(w.gov.address(), U256::MAX)
            .motsu_unwrap();
    }
    w
}

impl World {
    fn propose(&self, calls: &Calls) -> u64 {
        self.gov
            .sender(self.bank)
            .propose(
                calls.targets.clone(),
                calls.values.clone(),
                calls.bytes(),
                B256::repeat_byte(0xd5),
            )
            .motsu_unwrap()
    }

    fn record(&self, id: u64) -> (u64, u64, u64) {
        let view = self.gov.sender(self.bank).proposal_of(id);
        let (start, end, eta) = (view.voteStart, view.voteEnd, view.eta);
        (start, end, eta)
    }

    fn state(&self, id: u64) -> u8 {
        self.gov.sender(self.bank).state_of(id)
    }

    /// Opens the vote, votes `VOTES` for with the first voter, ends the
    /// vote, queues and unlocks the votes.
    fn pass(&self, id: u64) {
        let (start, end, _) = self.record(id);
        warp(start);
        self.gov
            .sender(self.voters[0])
            .cast_vote(id, support::FOR, spon(VOTES))
            .motsu_unwrap();
        warp(end);
        self.gov.sender(self.bank).queue(id).motsu_unwrap();
        self.gov.sender(self.voters[0]).unlock(id).motsu_unwrap();
    }

    fn execute(&self, id: u64, calls: &Calls) -> Result<(), Error> {
        self.gov
            .sender(self.bank)
            .execute(
                id,
                calls.targets.clone(),
                calls.values.clone(),
                calls.bytes(),
            )
            .motsu_res()
    }

    /// Proposes, passes, waits out the timelock and executes `calls`.
    fn enact(&self, calls: &Calls) -> u64 {
        let id = self.propose(calls);
        self.pass(id);
        warp(self.record(id).2);
        self.execute(id, calls).unwrap();
        id
    }

    fn balance(&self, who: Address) -> U256 {
        self.token.sender(who).balance_of(who)
    }
}

#[test]
fn parameter_table_is_consistent() {
    assert!(spon_contract_kit::is_table(&params::ALL));
    assert_eq!(
        params::ALL.len(),
        spon_protocol::params::Governance::ALL.len()
    );
    assert_eq!(
        functions::setParameterCall::SIGNATURE,
        "setParameter(uint8,uint256)"
    );
    assert_eq!(
        functions::setRoleCall::SIGNATURE,
        "setRole(uint8,address,bool)"
    );
    assert!(spon_contract_kit::admin::is_role_table(&roles::ALL));
}

#[motsu::test]
fn construction_needs_the_token_and_takes_the_defaults() {
    let gov = Contract::<Governance>::new();
    let err = gov
        .sender(a(1))
        .constructor(Address::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::ZeroAddress(_)));
    let w = world();
    assert_eq!(w.gov.sender(w.bank).config(), w.token.address());
    assert_eq!(w.gov.sender(w.bank).admin.governance(), w.gov.address());
    for p in params::ALL {
        assert_eq!(
            w.gov.sender(w.bank).admin.parameter(p.id),
            U256::from(p.default)
        );
    }
    assert_eq!(w.gov.sender(w.bank).admin.parameter(99), U256::ZERO);
    assert_eq!(w.gov.sender(w.bank).state_of(1), state::NONE);
    w.gov.assert_emitted(&RoleChanged {
        role: roles::GOVERNANCE,
        account: w.gov.address(),
        enabled: true,
    });
}

#[motsu::test]
fn a_proposal_lives_from_pending_to_executed() {
    let w = world();
    let calls = Calls::one(
        w.gov.address(),
        set_param(params::VOTING_PERIOD.id, 2 * DAY),
    );
    let id = w.propose(&calls);
    assert_eq!(id, 1);
    assert_eq!(w.gov.sender(w.bank).proposal_count(), 1);
    let (start, end, eta) = w.record(id);
    assert_eq!(start, now() + params::VOTING_DELAY.default);
    assert_eq!(end, start + params::VOTING_PERIOD.default);
    assert_eq!(eta, 0);
    let view = w.gov.sender(w.bank).proposal_of(id);
    let (proposer, description, quorum, n, hash) = (
        view.proposer,
        view.descriptionHash,
        view.quorum,
        view.calls,
        view.actionsHash,
    );
    assert_eq!(proposer, w.bank);
    assert_eq!(description, B256::repeat_byte(0xd5));
    assert_eq!(quorum, SUPPLY * U256::from(400) / U256::from(10_000));
    assert_eq!(n, 1);
    assert_eq!(
        hash,
        proposal::actions_hash(&calls.targets, &calls.values, &calls.data)
    );
    w.gov.assert_emitted(&ProposalCreated {
        id,
        proposer: w.bank,
        descriptionHash: description,
        voteStart: start,
        voteEnd: end,
        quorum,
        calls: 1,
    });
    w.gov.assert_emitted(&ProposalCall {
        id,
        index: 0,
        target: w.gov.address(),
        value: U256::ZERO,
        data: calls.data[0].clone().into(),
    });
    assert_eq!(w.state(id), state::PENDING);

    warp(start);
    assert_eq!(w.state(id), state::ACTIVE);
    let [v0, v1, v2] = w.voters;
    let before = w.balance(v0);
    w.gov
        .sender(v0)
        .cast_vote(id, support::FOR, spon(30_000_000))
        .motsu_unwrap();
    w.gov
        .sender(v1)
        .cast_vote(id, support::ABSTAIN, spon(15_000_000))
        .motsu_unwrap();
    w.gov
        .sender(v2)
        .cast_vote(id, support::AGAINST, spon(29_000_000))
        .motsu_unwrap();
    w.gov.assert_emitted(&VoteCast {
        id,
        voter: v0,
        support: support::FOR,
        weight: spon(30_000_000),
    });
    assert_eq!(w.balance(v0), before - spon(30_000_000));
    assert_eq!(w.gov.sender(v0).locked(), spon(74_000_000));
    assert_eq!(w.balance(w.gov.address()), spon(74_000_000));
    assert_eq!(
        w.gov.sender(v0).votes_of(id),
        views::Votes {
            forVotes: spon(30_000_000),
            againstVotes: spon(29_000_000),
            abstainVotes: spon(15_000_000)
        }
    );
    assert_eq!(
        w.gov.sender(v0).vote_of(id, v1),
        views::Vote {
            voted: true,
            support: support::ABSTAIN,
            amount: spon(15_000_000),
            unlocked: false
        }
    );

    warp(end);
    assert_eq!(w.state(id), state::SUCCEEDED);
    let eta = w.gov.sender(v2).queue(id).motsu_unwrap();
    assert_eq!(eta, end + params::TIMELOCK_DELAY.default);
    w.gov.assert_emitted(&ProposalQueued { id, eta });
    assert_eq!(w.state(id), state::QUEUED);

    warp(eta);
    w.execute(id, &calls).unwrap();
    w.gov.assert_emitted(&ProposalExecuted { id });
    w.gov.assert_emitted(&ParameterChanged {
        id: params::VOTING_PERIOD.id,
        value: U256::from(2 * DAY),
    });
    assert_eq!(w.state(id), state::EXECUTED);
    assert_eq!(
        w.gov.sender(v0).admin.parameter(params::VOTING_PERIOD.id),
        U256::from(2 * DAY)
    );

    // Every voter takes its SPON back, once.
    for v in w.voters {
        let locked = w.gov.sender(v).vote_of(id, v).amount;
        let before = w.balance(v);
        assert_eq!(w.gov.sender(v).unlock(id).motsu_unwrap(), locked);
        assert_eq!(w.balance(v), before + locked);
        w.gov.assert_emitted(&VotesUnlocked {
            id,
            voter: v,
            amount: locked,
        });
        let err = w.gov.sender(v).unlock(id).motsu_unwrap_err();
        assert!(matches!(err, Error::NothingLocked(_)));
    }
    assert_eq!(w.gov.sender(v0).locked(), U256::ZERO);
    assert_eq!(w.balance(w.gov.address()), U256::ZERO);

    // The new voting period applies to the next proposal.
    let next = w.propose(&calls);
    let (start, end, _) = w.record(next);
    assert_eq!(end - start, 2 * DAY);
}

#[motsu::test]
fn votes_are_refused_outside_the_vote_and_twice() {
    let w = world();
    let calls = Calls::one(w.gov.address(), set_param(params::QUORUM_BPS.id, 500));
    let id = w.propose(&calls);
    let (start, end, _) = w.record(id);
    let v = w.voters[0];
    let vote = |support, amount| {
        w.gov
            .sender(v)
            .cast_vote(id, support, amount)
            .motsu_unwrap_err()
    };
    // Before the vote opens.
    assert!(matches!(
        vote(support::FOR, spon(1)),
        Error::ProposalNotInState(ProposalNotInState {
            state: state::PENDING,
            ..
        })
    ));
    warp(start);
    assert!(matches!(vote(3, spon(1)), Error::InvalidSupport(_)));
    assert!(matches!(
        vote(support::FOR, U256::ZERO),
        Error::ZeroAmount(_)
    ));
    // More than it holds: nothing moves.
    assert!(matches!(
        vote(support::FOR, spon(VOTES + 1)),
        Error::SafeErc20FailedOperation(_)
    ));
    assert_eq!(w.gov.sender(v).vote_of(id, v), views::Vote::default());
    w.gov
        .sender(v)
        .cast_vote(id, support::FOR, spon(10))
        .motsu_unwrap();
    // Twice, even the other way.
    assert!(matches!(
        vote(support::AGAINST, spon(10)),
        Error::AlreadyVoted(AlreadyVoted { voter, .. }) if voter == v
    ));
    // Unknown proposal.
    let err = w
        .gov
        .sender(v)
        .cast_vote(99, support::FOR, spon(1))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::ProposalNotInState(ProposalNotInState {
            id: 99,
            state: state::NONE,
            ..
        })
    ));
    // SPON locked during the vote stays locked.
    let err = w.gov.sender(v).unlock(id).motsu_unwrap_err();
    assert!(matches!(err, Error::VoteNotOver(VoteNotOver { voteEnd, .. }) if voteEnd == end));
    // After the vote ends.
    warp(end);
    assert!(matches!(
        vote(support::FOR, spon(1)),
        Error::ProposalNotInState(ProposalNotInState {
            state: state::DEFEATED,
            ..
        })
    ));
    assert_eq!(w.gov.sender(v).unlock(id).motsu_unwrap(), spon(10));
    // A voter that never voted has nothing to take back.
    let err = w.gov.sender(w.voters[1]).unlock(id).motsu_unwrap_err();
    assert!(matches!(err, Error::NothingLocked(_)));
}

#[motsu::test]
fn below_quorum_or_without_majority_is_defeated_and_never_runs() {
    let w = world();
    let calls = Calls::one(w.gov.address(), set_param(params::QUORUM_BPS.id, 500));
    let quorum = SUPPLY * U256::from(400) / U256::from(10_000);
    let [v0, v1, v2] = w.voters;

    // One wei short of quorum (against votes do not count toward it).
    let short = w.propose(&calls);
    // A tie at quorum.
    let tie = w.propose(&calls);
    let (start, end, _) = w.record(short);
    warp(start);
    w.gov
        .sender(v0)
        .cast_vote(short, support::FOR, quorum - U256::from(1))
        .motsu_unwrap();
    w.gov
        .sender(v1)
        .cast_vote(short, support::AGAINST, spon(1))
        .motsu_unwrap();
    w.gov
        .sender(v0)
        .cast_vote(tie, support::FOR, spon(1))
        .motsu_unwrap();
    w.gov
        .sender(v1)
        .cast_vote(tie, support::ABSTAIN, quorum)
        .motsu_unwrap();
    w.gov
        .sender(v2)
        .cast_vote(tie, support::AGAINST, spon(1))
        .motsu_unwrap();
    warp(end);
    for id in [short, tie] {
        assert_eq!(w.state(id), state::DEFEATED);
        let err = w.gov.sender(v0).queue(id).motsu_unwrap_err();
        assert!(matches!(
            err,
            Error::ProposalNotInState(ProposalNotInState {
                state: state::DEFEATED,
                ..
            })
        ));
        let err = w.execute(id, &calls).unwrap_err();
        assert!(matches!(err, Error::ProposalNotInState(_)));
    }
    assert_eq!(
        w.gov.sender(v0).admin.parameter(params::QUORUM_BPS.id),
        U256::from(params::QUORUM_BPS.default)
    );
}

#[motsu::test]
fn execution_waits_for_the_timelock_runs_once_and_expires() {
    let w = world();
    let calls = Calls::one(w.gov.address(), set_param(params::VOTING_DELAY.id, 0));
    let id = w.propose(&calls);
    // Not before it passed.
    assert!(matches!(
        w.execute(id, &calls).unwrap_err(),
        Error::ProposalNotInState(ProposalNotInState {
            state: state::PENDING,
            ..
        })
    ));
    w.pass(id);
    let eta = w.record(id).2;
    // Queued twice: refused.
    let err = w.gov.sender(w.bank).queue(id).motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::ProposalNotInState(ProposalNotInState {
            state: state::QUEUED,
            ..
        })
    ));
    // Before the timelock.
    warp(eta - 1);
    assert!(matches!(
        w.execute(id, &calls).unwrap_err(),
        Error::TimelockNotPassed(TimelockNotPassed { eta: e, .. }) if e == eta
    ));
    // Other calls than those proposed.
    warp(eta);
    let other = Calls::one(w.gov.address(), set_param(params::VOTING_DELAY.id, HOUR));
    assert!(matches!(
        w.execute(id, &other).unwrap_err(),
        Error::ActionsMismatch(_)
    ));
    let more = calls.clone().and(w.gov.address(), set_param(0, 100));
    assert!(matches!(
        w.execute(id, &more).unwrap_err(),
        Error::ActionsMismatch(_)
    ));
    assert_eq!(w.state(id), state::QUEUED);
    w.execute(id, &calls).unwrap();
    assert_eq!(
        w.gov
            .sender(w.bank)
            .admin
            .parameter(params::VOTING_DELAY.id),
        U256::ZERO
    );
    // Twice: refused.
    assert!(matches!(
        w.execute(id, &calls).unwrap_err(),
        Error::ProposalNotInState(ProposalNotInState {
            state: state::EXECUTED,
            ..
        })
    ));

    // A queued proposal left past the grace period expires.
    let late = w.propose(&calls);
    w.pass(late);
    warp(w.record(late).2 + params::GRACE_PERIOD);
    assert_eq!(w.state(late), state::EXPIRED);
    assert!(matches!(
        w.execute(late, &calls).unwrap_err(),
        Error::ProposalNotInState(ProposalNotInState {
            state: state::EXPIRED,
            ..
        })
    ));
}

#[motsu::test]
fn a_reverting_call_reverts_the_whole_execution() {
    let w = world();
    // The second call is out of bounds: the first must not apply either.
    let calls = Calls::one(w.gov.address(), set_param(params::VOTING_DELAY.id, HOUR))
        .and(w.gov.address(), set_param(params::QUORUM_BPS.id, 1));
    let id = w.enact_failing(&calls);
    assert!(matches!(id, Error::ParameterOutOfBounds(_)));
    // A call to another contract that reverts: its revert data comes back.
    let calls = Calls::one(w.token.address(), pause());
    let err = w.enact_failing(&calls);
    assert!(matches!(
        err,
        Error::CallReverted(CallReverted { index, target, .. }) if index.is_zero() && target == w.token.address()
    ));
    // The governor's own functions other than the admin's, or those with
    // malformed arguments or value.
    let mut long = set_param(params::VOTING_DELAY.id, HOUR);
    long.push(0);
    let mut wide = set_param(params::VOTING_DELAY.id, HOUR);
    wide[35 - 1] = 1; // id 256 + 1
    let mut paid = Calls::one(w.gov.address(), set_param(params::VOTING_DELAY.id, HOUR));
    paid.values[0] = U256::from(1);
    for calls in [
        Calls::one(w.gov.address(), vec![0xde, 0xad, 0xbe, 0xef]),
        Calls::one(w.gov.address(), long),
        Calls::one(w.gov.address(), wide),
        Calls::one(w.gov.address(), vec![1, 2]),
        paid,
    ] {
        assert!(matches!(
            w.enact_failing(&calls),
            Error::UnsupportedSelfCall(_)
        ));
    }
    assert_eq!(
        w.gov
            .sender(w.bank)
            .admin
            .parameter(params::VOTING_DELAY.id),
        U256::from(params::VOTING_DELAY.default)
    );
}

fn pause() -> Vec<u8> {
    pauseCall {}.abi_encode()
}

impl World {
    /// Passes `calls` and returns why executing them fails; the proposal
    /// stays queued.
    fn enact_failing(&self, calls: &Calls) -> Error {
        let id = self.propose(calls);
        self.pass(id);
        warp(self.record(id).2);
        let err = self.execute(id, calls).unwrap_err();
        assert_eq!(self.state(id), state::QUEUED);
        err
    }
}

#[motsu::test]
fn proposals_are_checked_when_made() {
    let w = world();
    let t = w.gov.address();
    let propose = |who: Address, targets: Vec<Address>, values: Vec<U256>, data: Vec<Vec<u8>>| {
        w.gov
            .sender(who)
            .propose(
                targets,
                values,
                data.into_iter().map(Bytes).collect(),
                B256::ZERO,
            )
            .motsu_unwrap_err()
    };
    assert!(matches!(
        propose(w.bank, vec![], vec![], vec![]),
        Error::InvalidProposalLength(_)
    ));
    assert!(matches!(
        propose(w.bank, vec![t], vec![], vec![vec![]]),
        Error::InvalidProposalLength(_)
    ));
    let n = params::MAX_CALLS + 1;
    assert!(matches!(
        propose(w.bank, vec![t; n], vec![U256::ZERO; n], vec![vec![]; n]),
        Error::InvalidProposalLength(_)
    ));
    assert!(matches!(
        propose(w.bank, vec![Address::ZERO], vec![U256::ZERO], vec![vec![]]),
        Error::ZeroAddress(_)
    ));
    assert!(matches!(
        propose(
            w.bank,
            vec![t],
            vec![U256::ZERO],
            vec![vec![0; params::MAX_CALLDATA + 1]]
        ),
        Error::CalldataTooLong(_)
    ));
    // Below the proposal threshold.
    let poor = a(0x99);
    assert!(matches!(
        propose(poor, vec![t], vec![U256::ZERO], vec![vec![]]),
        Error::BelowProposalThreshold(BelowProposalThreshold { balance, threshold, .. })
            if balance.is_zero() && threshold == spon(params::PROPOSAL_THRESHOLD.default)
    ));
    assert_eq!(w.gov.sender(w.bank).proposal_count(), 0);
}

#[motsu::test]
fn only_the_proposer_cancels_and_only_while_pending() {
    let w = world();
    let calls = Calls::one(w.gov.address(), set_param(params::QUORUM_BPS.id, 500));
    let id = w.propose(&calls);
    let err = w.gov.sender(w.voters[0]).cancel(id).motsu_unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)));
    w.gov.sender(w.bank).cancel(id).motsu_unwrap();
    w.gov.assert_emitted(&ProposalCanceled { id });
    assert_eq!(w.state(id), state::CANCELED);
    let err = w.gov.sender(w.bank).cancel(id).motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::ProposalNotInState(ProposalNotInState {
            state: state::CANCELED,
            ..
        })
    ));

    let id = w.propose(&calls);
    warp(w.record(id).0);
    let err = w.gov.sender(w.bank).cancel(id).motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::ProposalNotInState(ProposalNotInState {
            state: state::ACTIVE,
            ..
        })
    ));
}

#[motsu::test]
fn own_settings_change_only_through_a_proposal() {
    let w = world();
    let outsider = a(0x42);
    for who in [w.bank, w.guardian, outsider] {
        let err = w
            .gov
            .sender(who)
            .admin
            .set_parameter(params::QUORUM_BPS.id, U256::from(500))
            .motsu_unwrap_err();
        assert!(matches!(err, AdminError::Unauthorized(_)));
        let err = w
            .gov
            .sender(who)
            .admin
            .set_role(roles::GOVERNANCE, who, true)
            .motsu_unwrap_err();
        assert!(matches!(err, AdminError::Unauthorized(_)));
        let err = w.gov.sender(who).admin.pause().motsu_unwrap_err();
        assert!(matches!(err, AdminError::Unauthorized(_)));
    }
    // Its governance cannot be handed over, not even by a proposal.
    let hand_over = Calls::one(
        w.gov.address(),
        functions::setRoleCall {
            role: roles::GOVERNANCE,
            account: outsider,
            enabled: true,
        }
        .abi_encode(),
    );
    assert!(matches!(
        w.enact_failing(&hand_over),
        Error::UnsupportedSelfCall(_)
    ));
    assert_eq!(w.gov.sender(w.bank).admin.governance(), w.gov.address());
    // Paused by a proposal, the governor takes only a proposal to unpause.
    let pause = Calls::one(w.gov.address(), functions::pauseCall {}.abi_encode());
    w.enact(&pause);
    assert!(w.gov.sender(w.bank).admin.paused());
    let err = w
        .gov
        .sender(w.bank)
        .propose(
            pause.targets.clone(),
            pause.values.clone(),
            pause.bytes(),
            B256::ZERO,
        )
        .motsu_unwrap_err();
    assert!(matches!(err, Error::EnforcedPause(_)));
    w.enact(&Calls::one(
        w.gov.address(),
        functions::unpauseCall {}.abi_encode(),
    ));
    assert!(!w.gov.sender(w.bank).admin.paused());
    // Bounds hold for proposals too; unknown ids are refused.
    let bad = Calls::one(w.gov.address(), set_param(9, 1));
    assert!(matches!(w.enact_failing(&bad), Error::UnknownParameter(_)));
}

/// The six governed contracts, each with the governor as governance.
struct Governed {
    w: World,
    staking: Contract<Staking>,
    registry: Contract<Registry>,
    market: Contract<Market>,
    leases: Contract<Leases>,
    challenges: Contract<Challenges>,
    verifier: Contract<spon_gpu_verifier::GpuVerifier>,
    audits: Contract<Audits>,
}

fn governed() -> Governed {
    let w = world();
    let g = Governed {
        staking: Contract::new(),
        registry: Contract::new(),
        market: Contract::new(),
        leases: Contract::new(),
        challenges: Contract::new(),
        verifier: Contract::new(),
        audits: Contract::new(),
        w,
    };
    let (spon, gov, treasury, d) = (g.w.token.address(), g.w.gov.address(), a(0xE1), a(0xD0));
    g.staking
        .sender(d)
        .constructor(spon, gov, treasury)
        .motsu_unwrap();
    g.registry
        .sender(d)
        .constructor(g.staking.address(), gov)
        .motsu_unwrap();
    g.leases
        .sender(d)
        .constructor(spon, g.registry.address(), gov, treasury)
        .motsu_unwrap();
    g.market
        .sender(d)
        .constructor(
            spon,
            g.registry.address(),
            g.staking.address(),
            g.leases.address(),
            gov,
        )
        .motsu_unwrap();
    g.challenges
        .sender(d)
        .constructor(
            spon,
            g.staking.address(),
            g.registry.address(),
            g.leases.address(),
            g.verifier.address(),
            gov,
        )
        .motsu_unwrap();
    g.audits
        .sender(d)
        .constructor(
            spon,
            g.staking.address(),
            g.registry.address(),
            g.challenges.address(),
            gov,
        )
        .motsu_unwrap();
    g
}

#[motsu::test]
fn every_contract_changes_a_parameter_only_through_an_executed_proposal() {
    let g = governed();
    let w = &g.w;
    // (contract, parameter id, new value, its value now).
    let param = |c: usize| -> U256 {
        match c {
            0 => g.staking.sender(w.bank).admin.parameter(0),
            1 => g.registry.sender(w.bank).admin.parameter(0),
            2 => g.market.sender(w.bank).admin.parameter(0),
            3 => g.leases.sender(w.bank).admin.parameter(0),
            4 => g.challenges.sender(w.bank).admin.parameter(0),
            _ => g.audits.sender(w.bank).admin.parameter(0),
        }
    };
    let targets = [
        g.staking.address(),
        g.registry.address(),
        g.market.address(),
        g.leases.address(),
        g.challenges.address(),
        g.audits.address(),
    ];
    let wanted: [u64; 6] = [
        spon_staking::params::UNBONDING_PERIOD.default + DAY,
        1,
        spon_market::params::BID_WINDOW.default * 2,
        100,
        spon_challenges::params::CHALLENGE_BOND.default * 2,
        spon_audits::params::GPU_WORK_SHARE_BPS.default / 2,
    ];
    let defaults: Vec<U256> = (0..6).map(param).collect();
    for (c, v) in wanted.iter().enumerate() {
        assert_ne!(defaults[c], U256::from(*v));
    }
    // Nobody else: not the deployer, not a large holder, not the guardian.
    for who in [a(0xD0), w.bank, w.guardian, w.voters[0]] {
        assert!(g
            .staking
            .sender(who)
            .admin
            .set_parameter(0, U256::from(wanted[0]))
            .motsu_res()
            .is_err());
        assert!(g
            .registry
            .sender(who)
            .admin
            .set_parameter(0, U256::from(wanted[1]))
            .motsu_res()
            .is_err());
        assert!(g
            .market
            .sender(who)
            .admin
            .set_parameter(0, U256::from(wanted[2]))
            .motsu_res()
            .is_err());
        assert!(g
            .leases
            .sender(who)
            .admin
            .set_parameter(0, U256::from(wanted[3]))
            .motsu_res()
            .is_err());
        assert!(g
            .challenges
            .sender(who)
            .admin
            .set_parameter(0, U256::from(wanted[4]))
            .motsu_res()
            .is_err());
        assert!(g
            .audits
            .sender(who)
            .admin
            .set_parameter(0, U256::from(wanted[5]))
            .motsu_res()
            .is_err());
    }
    let unchanged: Vec<U256> = (0..6).map(param).collect();
    assert_eq!(unchanged, defaults);

    // One proposal changing all six, plus a payment token on the market.
    let usdc = a(0x5D);
    let mut calls = Calls::default();
    for (c, target) in targets.iter().enumerate() {
        calls = calls.and(*target, set_param(0, wanted[c]));
    }
    calls = calls.and(
        g.market.address(),
        approvePaymentTokenCall { token: usdc }.abi_encode(),
    );
    let id = w.propose(&calls);
    w.pass(id);
    // Queued but not yet executed: still nothing changed.
    assert_eq!((0..6).map(param).collect::<Vec<_>>(), defaults);
    warp(w.record(id).2);
    w.execute(id, &calls).unwrap();
    for (c, v) in wanted.iter().enumerate() {
        assert_eq!(param(c), U256::from(*v), "contract {c}");
    }
    assert!(g.market.sender(w.bank).is_payment_token(usdc));
}

impl Governed {
    /// Each governed contract with its guardian role id.
    fn guardians(&self) -> [(Address, u8); 6] {
        [
            (self.staking.address(), spon_staking::roles::GUARDIAN),
            (self.registry.address(), spon_registry::roles::GUARDIAN),
            (self.market.address(), spon_market::roles::GUARDIAN),
            (self.leases.address(), spon_leases::roles::GUARDIAN),
            (self.challenges.address(), spon_challenges::roles::GUARDIAN),
            (self.audits.address(), spon_audits::roles::GUARDIAN),
        ]
    }

    /// Gives every governed contract's guardian role to the guardian, by
    /// one executed proposal (as a deployment's hand-over leaves it).
    fn appoint_guardian(&self) {
        let mut calls = Calls::default();
        for (target, role) in self.guardians() {
            calls = calls.and(
                target,
                functions::setRoleCall {
                    role,
                    account: self.w.guardian,
                    enabled: true,
                }
                .abi_encode(),
            );
        }
        self.w.enact(&calls);
    }

    fn paused(&self) -> [bool; 6] {
        let b = self.w.bank;
        [
            self.staking.sender(b).admin.paused(),
            self.registry.sender(b).admin.paused(),
            self.market.sender(b).admin.paused(),
            self.leases.sender(b).admin.paused(),
            self.challenges.sender(b).admin.paused(),
            self.audits.sender(b).admin.paused(),
        ]
    }

    /// `who` calls `pause` (or `unpause`) on governed contract `i`.
    fn set_paused(&self, i: usize, who: Address, on: bool) -> Result<(), AdminError> {
        fn go(a: &mut spon_contract_kit::admin::Admin, on: bool) -> Result<(), AdminError> {
            if on {
                a.pause()
            } else {
                a.unpause()
            }
        }
        match i {
            0 => go(&mut self.staking.sender(who).admin, on),
            1 => go(&mut self.registry.sender(who).admin, on),
            2 => go(&mut self.market.sender(who).admin, on),
            3 => go(&mut self.leases.sender(who).admin, on),
            4 => go(&mut self.challenges.sender(who).admin, on),
            _ => go(&mut self.audits.sender(who).admin, on),
        }
    }
}

#[motsu::test]
fn the_guardian_only_pauses_and_a_proposal_unpauses() {
    let g = governed();
    let w = &g.w;
    g.appoint_guardian();
    let outsider = a(0x42);
    for i in 0..6 {
        for who in [outsider, w.bank] {
            assert!(matches!(
                g.set_paused(i, who, true),
                Err(AdminError::Unauthorized(_))
            ));
        }
        g.set_paused(i, w.guardian, true).unwrap();
        // Pausing twice is refused; the guardian cannot lift it.
        assert!(matches!(
            g.set_paused(i, w.guardian, true),
            Err(AdminError::EnforcedPause(_))
        ));
        assert!(matches!(
            g.set_paused(i, w.guardian, false),
            Err(AdminError::Unauthorized(_))
        ));
    }
    assert_eq!(g.paused(), [true; 6]);
    g.staking.assert_emitted(&Paused {
        account: w.guardian,
    });
    // Only a proposal lifts the pause.
    let mut unpause = Calls::default();
    for (target, _) in g.guardians() {
        unpause = unpause.and(target, unpauseCall {}.abi_encode());
    }
    w.enact(&unpause);
    assert_eq!(g.paused(), [false; 6]);
}

#[motsu::test]
fn the_guardian_vetoes_a_pending_slash() {
    let g = governed();
    let w = &g.w;
    let gov = w.gov.address();
    g.appoint_guardian();
    // Wiring as the deployment does it (the governor holds governance).
    g.staking
        .sender(gov)
        .admin
        .set_role(
            spon_staking::roles::CHALLENGES,
            g.challenges.address(),
            true,
        )
        .motsu_unwrap();
    g.registry
        .sender(gov)
        .admin
        .set_role(
            spon_registry::roles::CHALLENGES,
            g.challenges.address(),
            true,
        )
        .motsu_unwrap();
    let core = spon_testkit::Core {
        token: &w.token,
        staking: &g.staking,
        registry: &g.registry,
        bank: w.bank,
        gov,
    };
    let node = a(0x12);
    core.provider(node, 100_000, &spon_testkit::hopper(*b"DE", 10_000));
    let challenger = w.voters[1];
    w.token
        .sender(challenger)
        .approve(g.challenges.address(), U256::MAX)
        .motsu_unwrap();
    let id = g
        .challenges
        .sender(challenger)
        .open_challenge(0, node, 0, B256::ZERO)
        .motsu_unwrap();
    // Unanswered: the slash is scheduled.
    let deadline = g.challenges.sender(w.bank).challenge_of(id).deadline;
    warp(deadline + 1);
    g.challenges.sender(w.bank).resolve(id).motsu_unwrap();
    let pending = spon_challenges::state::SLASH_PENDING;
    assert_eq!(g.challenges.sender(w.bank).challenge_of(id).state, pending);
    // Nobody but the guardian (or governance) vetoes.
    let err = g.challenges.sender(challenger).veto(id).motsu_unwrap_err();
    assert!(matches!(
        err,
        spon_challenges::errors::Error::Unauthorized(_)
    ));
    let stake = g.staking.sender(node).stake_of(node);
    g.challenges.sender(w.guardian).veto(id).motsu_unwrap();
    let vetoed = spon_challenges::state::VETOED;
    assert_eq!(g.challenges.sender(w.bank).challenge_of(id).state, vetoed);
    assert_eq!(g.staking.sender(node).stake_of(node), stake);
}

#[derive(Debug, Clone)]
enum Step {
    Propose,
    Vote {
        voter: usize,
        pick: usize,
        support: u8,
        amount: u64,
    },
    Wait {
        secs: u64,
    },
    Queue {
        pick: usize,
    },
    Execute {
        pick: usize,
    },
    Unlock {
        voter: usize,
        pick: usize,
    },
    Direct {
        voter: usize,
    },
}

/// Mostly for, sometimes against, abstain or an invalid choice.
fn choice() -> impl Strategy<Value = u8> {
    prop_oneof![4 => Just(support::FOR), 1 => Just(support::AGAINST), 1 => Just(support::ABSTAIN), 1 => Just(3)]
}

fn step() -> impl Strategy<Value = Step> {
    // Weighted so that histories often reach queueing and execution.
    prop_oneof![
        1 => Just(Step::Propose),
        4 => (0..3usize, any::<usize>(), choice(), VOTES / 5..VOTES).prop_map(|(voter, pick, support, amount)| {
            Step::Vote { voter, pick, support, amount }
        }),
        4 => (HOUR..DAY).prop_map(|secs| Step::Wait { secs }),
        2 => any::<usize>().prop_map(|pick| Step::Queue { pick }),
        2 => any::<usize>().prop_map(|pick| Step::Execute { pick }),
        2 => (0..3usize, any::<usize>()).prop_map(|(voter, pick)| Step::Unlock { voter, pick }),
        1 => (0..3usize).prop_map(|voter| Step::Direct { voter }),
    ]
}

/// Proposals in one history: few, so that votes meet on them.
const MAX_PROPOSALS: usize = 3;

/// What the test knows of a proposal.
#[derive(Default)]
struct Model {
    calls: Calls,
    /// for, against, abstain.
    tally: [U256; 3],
    /// Per voter: locked amount, taken back.
    locks: [(U256, bool); 3],
    executed: bool,
}

#[test]
fn inv12_only_executed_proposals_change_parameters_once_with_quorum_and_timelock() {
    let config = ProptestConfig::with_cases(cases(32));
    proptest!(config, |(steps in prop::collection::vec(step(), 20..80))| {
        let g = governed();
        let w = &g.w;
        // Shorter delays (through a proposal too), so that histories
        // reach execution often.
        w.enact(
            &Calls::one(w.gov.address(), set_param(params::VOTING_DELAY.id, 0))
                .and(w.gov.address(), set_param(params::VOTING_PERIOD.id, DAY))
                .and(w.gov.address(), set_param(params::TIMELOCK_DELAY.id, HOUR)),
        );
        let staking = g.staking.address();
        let period = |g: &Governed| g.staking.sender(w.bank).admin.parameter(0);
        let mut expected = period(&g);
        let mut ps: Vec<(u64, Model)> = vec![];
        for s in steps {
            let pick = |p: usize, n: usize| (n > 0).then(|| p % n);
            match s {
                Step::Propose if ps.len() < MAX_PROPOSALS => {
                    // Each proposal sets a value of its own: which one ran is visible.
                    let value = spon_staking::params::UNBONDING_PERIOD.default + ps.len() as u64 + 1;
                    let calls = Calls::one(staking, set_param(0, value));
                    let id = w.propose(&calls);
                    ps.push((id, Model { calls, ..Model::default() }));
                }
                Step::Vote { voter, pick: p, support, amount } => if let Some(i) = pick(p, ps.len()) {
                    let (id, m) = &mut ps[i];
                    let amount = spon(amount);
                    let active = w.state(*id) == state::ACTIVE;
                    let holds = w.balance(w.voters[voter]) >= amount;
                    let res = w.gov.sender(w.voters[voter]).cast_vote(*id, support, amount).motsu_res();
                    let fresh = m.locks[voter].0.is_zero();
                    prop_assert_eq!(res.is_ok(), active && support < 3 && !amount.is_zero() && fresh && holds);
                    if res.is_ok() {
                        m.tally[usize::from(support)] += amount;
                        m.locks[voter].0 = amount;
                    }
                },
                Step::Wait { secs } => clock::advance(secs),
                Step::Queue { pick: p } => if let Some(i) = pick(p, ps.len()) {
                    let (id, m) = &ps[i];
                    let ok = w.gov.sender(w.bank).queue(*id).motsu_res().is_ok();
                    let (_, end, _) = w.record(*id);
                    let quorum = w.gov.sender(w.bank).proposal_of(*id).quorum;
                    if ok {
                        prop_assert!(now() >= end);
                        prop_assert!(m.tally[1] + m.tally[2] >= quorum && m.tally[1] > m.tally[0]);
                    }
                },
                Step::Execute { pick: p } => if let Some(i) = pick(p, ps.len()) {
                    let (id, m) = &mut ps[i];
                    let ok = w.execute(*id, &m.calls).is_ok();
                    let (_, _, eta) = w.record(*id);
                    if ok {
                        // At most once, after quorum, majority and timelock.
                        prop_assert!(!m.executed);
                        let quorum = w.gov.sender(w.bank).proposal_of(*id).quorum;
                        prop_assert!(m.tally[1] + m.tally[2] >= quorum && m.tally[1] > m.tally[0]);
                        prop_assert!(eta != 0 && now() >= eta);
                        m.executed = true;
                        prop_assert!(w.execute(*id, &m.calls).is_err());
                        expected = U256::from_be_slice(&m.calls.data[0][36..68]);
                    }
                },
                Step::Unlock { voter, pick: p } => if let Some(i) = pick(p, ps.len()) {
                    let (id, m) = &mut ps[i];
                    let res = w.gov.sender(w.voters[voter]).unlock(*id).motsu_res();
                    let (_, end, _) = w.record(*id);
                    let (amount, taken) = m.locks[voter];
                    prop_assert_eq!(res.is_ok(), !amount.is_zero() && !taken && now() >= end);
                    if let Ok(back) = res {
                        prop_assert_eq!(back, amount);
                        m.locks[voter].1 = true;
                    }
                },
                Step::Propose => {}
                Step::Direct { voter } => {
                    let res = g.staking.sender(w.voters[voter]).admin.set_parameter(0, U256::from(DAY * 2)).motsu_res();
                    prop_assert!(res.is_err());
                }
            }
            // Only executed proposals changed the parameter.
            prop_assert_eq!(period(&g), expected);
            // Each proposal's tally is exactly the votes counted once; the
            // governor holds exactly the SPON still locked.
            let mut locked = U256::ZERO;
            for (id, m) in &ps {
                let view = w.gov.sender(w.bank).votes_of(*id);
                let (f, ag, ab) = (view.forVotes, view.againstVotes, view.abstainVotes);
                prop_assert_eq!([ag, f, ab], m.tally);
                locked += m.locks.iter().filter(|l| !l.1).map(|l| l.0).sum::<U256>();
            }
            prop_assert_eq!(w.gov.sender(w.bank).locked(), locked);
            prop_assert_eq!(w.balance(w.gov.address()), locked);
        }
    });
}

// ---------------------------------------------------------------- findings
// Regression tests of audits/findings.md: each replays its attack through
// the entry points.

sol! {
    function transfer(address to, uint256 amount);
}

/// F-16: a passed proposal transfers the governor's SPON, votes locked on
/// a running proposal included; those voters could never unlock.
#[motsu::test]
fn f16_a_proposal_cannot_spend_locked_votes() {
    let w = world();
    let treasury = spon(100);
    w.token
        .sender(w.bank)
        .transfer(w.gov.address(), treasury)
        .motsu_unwrap();
    let thief = a(0x66);
    let spend = |amount| {
        Calls::one(
            w.token.address(),
            transferCall { to: thief, amount }.abi_encode(),
        )
    };
    let greedy = spend(treasury + spon(1));
    let id = w.propose(&greedy);
    w.pass(id);
    // Meanwhile a second proposal's vote runs with the second voter's SPON.
    let other = w.propose(&Calls::one(
        w.gov.address(),
        set_param(params::QUORUM_BPS.id, 500),
    ));
    let (start, end, _) = w.record(other);
    warp(start);
    w.gov
        .sender(w.voters[1])
        .cast_vote(other, support::FOR, spon(VOTES))
        .motsu_unwrap();
    warp(w.record(id).2);
    let err = w.execute(id, &greedy).unwrap_err();
    assert!(matches!(err, Error::LockedVotesSpent(_)), "{err:?}");
    assert_eq!(w.balance(thief), U256::ZERO);
    // The treasury itself may be spent.
    w.enact(&spend(treasury));
    assert_eq!(w.balance(thief), treasury);
    warp(end);
    w.gov.sender(w.voters[1]).unlock(other).motsu_unwrap();
    assert_eq!(w.balance(w.voters[1]), spon(VOTES));
}

/// F-09: the governor's delays must leave time to veto a slash: a vote
/// lengthened past the bound is refused.
#[motsu::test]
fn f09_the_governor_stays_fast_enough_to_veto() {
    let w = world();
    let slow = Calls::one(
        w.gov.address(),
        set_param(params::VOTING_PERIOD.id, 30 * DAY),
    );
    let err = w.enact_failing(&slow);
    assert!(matches!(err, Error::ParameterOutOfBounds(_)), "{err:?}");
    let decision: u64 = [
        params::VOTING_DELAY,
        params::VOTING_PERIOD,
        params::TIMELOCK_DELAY,
    ]
    .iter()
    .map(|p| p.max)
    .sum();
    assert!(decision <= spon_protocol::MAX_DECISION_TIME);
    assert_eq!(
        w.gov
            .sender(w.bank)
            .admin
            .parameter(params::VOTING_PERIOD.id),
        U256::from(params::VOTING_PERIOD.default)
    );
}
