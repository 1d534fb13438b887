//! The governor's real WASM on the in-process chain: a proposal that
//! changes a staking parameter and one of the governor's own goes from
//! proposal to execution through the exported ABIs, and nothing else can
//! change them.

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use spon_devnet::Chain;
use spon_e2e::{a, deploy, send, SponGovernance as G, SponStaking as S, SponToken as T, SPON};

const DAY: u64 = 86_400;

/// The name of the custom error `call` reverts with.
fn refusal<C: SolCall>(chain: &mut Chain, from: Address, to: Address, call: &C) -> String {
    match send(chain, from, to, call).unwrap().result {
        Ok(_) => panic!("{} was not refused", C::SIGNATURE),
        Err(e) => e,
    }
}

fn ok<C: SolCall>(chain: &mut Chain, from: Address, to: Address, call: &C) -> C::Return {
    match send(chain, from, to, call).unwrap().result {
        Ok(r) => r,
        Err(e) => panic!("{} refused: {e}", C::SIGNATURE),
    }
}

#[test]
fn a_proposal_changes_parameters_on_the_real_wasm() {
    let mut chain = Chain::new();
    let (bank, voter, guardian, treasury) = (a(0xB0), a(0x71), a(0x61), a(0xA2));
    let token = deploy(
        &mut chain,
        "spon-token",
        bank,
        &T::constructorCall {
            treasury: bank,
            supply: SPON * U256::from(1_000_000_000u64),
        },
    )
    .unwrap();
    let gov = deploy(
        &mut chain,
        "spon-governance",
        bank,
        &G::constructorCall { spon: token },
    )
    .unwrap();
    let staking = deploy(
        &mut chain,
        "spon-staking",
        bank,
        &S::constructorCall {
            spon: token,
            governance: gov,
            treasury,
        },
    )
    .unwrap();
    let votes = SPON * U256::from(50_000_000u64);
    ok(
        &mut chain,
        bank,
        token,
        &T::transferCall {
            to: voter,
            value: votes,
        },
    );
    ok(
        &mut chain,
        voter,
        token,
        &T::approveCall {
            spender: gov,
            value: votes,
        },
    );

    // Directly: refused, even for the holder of most SPON.
    let direct = S::setParameterCall {
        id: 0,
        value: U256::from(15 * DAY),
    };
    assert!(refusal(&mut chain, bank, staking, &direct).starts_with("Unauthorized("));
    let own = G::setParameterCall {
        id: 2,
        value: U256::from(DAY),
    };
    assert!(refusal(&mut chain, bank, gov, &own).starts_with("Unauthorized("));

    // Through a proposal: two calls to staking (a parameter, and the
    // guardian role), one to the governor itself.
    let appoint = S::setRoleCall {
        role: spon_protocol::roles::Staking::Guardian as u8,
        account: guardian,
        enabled: true,
    };
    let targets = vec![staking, staking, gov];
    let values = vec![U256::ZERO; 3];
    let calldatas: Vec<Bytes> = vec![
        direct.abi_encode().into(),
        appoint.abi_encode().into(),
        own.abi_encode().into(),
    ];
    let propose = G::proposeCall {
        targets: targets.clone(),
        values: values.clone(),
        calldatas: calldatas.clone(),
        description_hash: B256::repeat_byte(1),
    };
    let sent = send(&mut chain, bank, gov, &propose).unwrap();
    let id = sent.result.unwrap().propose;
    println!(
        "propose (3 calls): {} instructions",
        sent.outcome.instructions
    );
    chain.advance(DAY);
    let vote = G::castVoteCall {
        id,
        support: 1,
        amount: votes,
    };
    let sent = send(&mut chain, voter, gov, &vote).unwrap();
    assert!(sent.result.is_ok(), "{:?}", sent.result.err());
    println!("castVote: {} instructions", sent.outcome.instructions);
    // Twice: refused.
    assert!(refusal(&mut chain, voter, gov, &vote).starts_with("AlreadyVoted("));
    chain.advance(3 * DAY);
    ok(&mut chain, bank, gov, &G::queueCall { id });
    let execute = G::executeCall {
        id,
        targets,
        values,
        calldatas,
    };
    assert!(refusal(&mut chain, bank, gov, &execute).starts_with("TimelockNotPassed("));
    chain.advance(2 * DAY);
    let sent = send(&mut chain, bank, gov, &execute).unwrap();
    assert!(sent.result.is_ok(), "{:?}", sent.result.err());
    println!(
        "execute (3 calls): {} instructions",
        sent.outcome.instructions
    );
    let period = ok(&mut chain, bank, staking, &S::parameterCall { id: 0 }).parameter;
    assert_eq!(period, U256::from(15 * DAY));
    let delay = ok(&mut chain, bank, gov, &G::parameterCall { id: 2 }).parameter;
    assert_eq!(delay, U256::from(DAY));
    assert_eq!(ok(&mut chain, bank, gov, &G::stateOfCall { id }).state, 6);
    assert!(refusal(&mut chain, bank, gov, &execute).starts_with("ProposalNotInState("));

    // The voter takes its SPON back.
    ok(&mut chain, voter, gov, &G::unlockCall { id });
    let balance = ok(
        &mut chain,
        voter,
        token,
        &T::balanceOfCall { account: voter },
    )
    .balance;
    assert_eq!(balance, votes);

    // The guardian pauses staking; only governance could lift it.
    ok(&mut chain, guardian, staking, &S::pauseCall {});
    assert!(ok(&mut chain, bank, staking, &S::pausedCall {}).paused);
    assert!(refusal(&mut chain, guardian, staking, &S::unpauseCall {}).starts_with("Unauthorized("));
}
