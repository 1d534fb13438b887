//! One scenario, two hosts: the SPON token and staking contracts driven by
//! the same calldata under motsu (native code, dispatched by the SDK's ABI
//! router, cross-contract calls through motsu's VM) and on the devnet (the
//! release WASM from `scripts/build-contracts`, through the `vm_hooks`
//! host). Contracts sit at the same addresses on both, with the same chain
//! id and block time, so every step must give the same success, the same
//! return or revert bytes and, when it succeeds, the same logs per
//! contract: constructors, ERC-20 transfers and allowances, an EIP-2612
//! permit (EIP-712 digest, `ecrecover`), a stake that pulls SPON through a
//! nested `transferFrom`, views, an unstake request stamped with the block
//! time, and refusals (custom errors with arguments, state untouched).

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolConstructor};
use motsu::prelude::*;
use spon_devnet::Chain;
use spon_staking::Staking;
use spon_token::SponToken;
use stylus_sdk::abi::Router;

use spon_bindings::{Staking as Stake, Token};

const TOKEN: Address = Address::new([0x70; 20]);
const STAKING: Address = Address::new([0x57; 20]);
/// motsu's block time (2025-01-01), used by both hosts.
const BLOCK_TIME: u64 = 1_735_689_600;

/// What one call gave.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    success: bool,
    output: Vec<u8>,
    /// Logs of a successful call: per contract (token, staking), topics
    /// and data, in order.
    logs: [Vec<(Vec<B256>, Vec<u8>)>; 2],
}

/// A host the scenario runs on.
trait Host {
    fn name(&self) -> &'static str;
    fn call(&mut self, from: Address, to: Address, data: Vec<u8>) -> Outcome;
}

struct Motsu {
    token: Contract<SponToken>,
    staking: Contract<Staking>,
}

/// Routes `data` to the contract's ABI router as `from`, rolling state
/// back on a revert as a failed transaction is: `(success, output)`.
macro_rules! route {
    ($contract:expr, $ty:ty, $from:expr, $data:expr) => {{
        let data: &[u8] = $data;
        let selector = u32::from_be_bytes(data[..4].try_into().expect("selector"));
        // The dispatch of the SDK's `router_entrypoint`.
        let result = {
            let mut call = $contract.sender($from);
            let storage: &mut $ty = &mut *call;
            let routed = if selector == stylus_sdk::abi::CONSTRUCTOR_SELECTOR {
                <$ty as Router<$ty>>::constructor(storage, &data[4..])
            } else {
                <$ty as Router<$ty>>::route(storage, selector, &data[4..])
            };
            routed
                .or_else(|| <$ty as Router<$ty>>::fallback(storage, data))
                .unwrap_or_else(|| Err(Vec::new()))
        };
        match result.motsu_res() {
            Ok(out) => (true, out),
            Err(revert) => (false, revert),
        }
    }};
}

impl Host for Motsu {
    fn name(&self) -> &'static str {
        "motsu"
    }

    fn call(&mut self, from: Address, to: Address, data: Vec<u8>) -> Outcome {
        let before = [
            self.token.all_events().len(),
            self.staking.all_events().len(),
        ];
        let (success, output) = match to {
            TOKEN => route!(self.token, SponToken, from, &data),
            STAKING => route!(self.staking, Staking, from, &data),
            _ => panic!("no contract at {to}"),
        };
        let mut logs: [Vec<_>; 2] = Default::default();
        if success {
            let all = [self.token.all_events(), self.staking.all_events()];
            for (i, events) in all.iter().enumerate() {
                logs[i] = events[before[i]..]
                    .iter()
                    .map(|e| (e.topics().to_vec(), e.data.to_vec()))
                    .collect();
            }
        }
        Outcome {
            success,
            output,
            logs,
        }
    }
}

struct Devnet(Chain);

impl Host for Devnet {
    fn name(&self) -> &'static str {
        "devnet"
    }

    fn call(&mut self, from: Address, to: Address, data: Vec<u8>) -> Outcome {
        let out = self.0.transact(from, to, &data, U256::ZERO).unwrap();
        let mut logs: [Vec<_>; 2] = Default::default();
        for log in &out.logs {
            let i = usize::from(log.address == STAKING);
            logs[i].push((log.topics.clone(), log.data.clone()));
        }
        Outcome {
            success: out.success,
            output: out.output,
            logs,
        }
    }
}

fn module(package: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../target/stylus/{package}.wasm",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run scripts/build-contracts)"))
}

fn spon(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

/// The scenario: every call's outcome, labelled.
fn scenario(host: &mut impl Host) -> Vec<(&'static str, Outcome)> {
    let owner = PrivateKeySigner::from_bytes(&B256::repeat_byte(0x11)).unwrap();
    let alice = owner.address();
    let bob = Address::new([0xB0; 20]);
    let governance = Address::new([0x60; 20]);
    let mut steps = Vec::new();
    let mut step = |label, from, to, data: Vec<u8>| {
        let out = host.call(from, to, data);
        steps.push((label, out.clone()));
        out
    };

    step(
        "token constructor",
        alice,
        TOKEN,
        stylus_artifact::constructor_call(
            &Token::constructorCall {
                treasury: alice,
                supply: spon(1_000_000),
            }
            .abi_encode(),
        ),
    );
    step(
        "staking constructor",
        alice,
        STAKING,
        stylus_artifact::constructor_call(
            &Stake::constructorCall {
                spon: TOKEN,
                governance,
                treasury: alice,
            }
            .abi_encode(),
        ),
    );
    step(
        "constructor again",
        alice,
        TOKEN,
        stylus_artifact::constructor_call(
            &Token::constructorCall {
                treasury: bob,
                supply: spon(1),
            }
            .abi_encode(),
        ),
    );
    step(
        "transfer",
        alice,
        TOKEN,
        Token::transferCall {
            to: bob,
            value: spon(1_000),
        }
        .abi_encode(),
    );
    step(
        "transfer beyond the balance",
        bob,
        TOKEN,
        Token::transferCall {
            to: alice,
            value: spon(1_001),
        }
        .abi_encode(),
    );
    step(
        "balanceOf",
        bob,
        TOKEN,
        Token::balanceOfCall { account: bob }.abi_encode(),
    );
    step(
        "transferFrom without allowance",
        bob,
        TOKEN,
        Token::transferFromCall {
            from: alice,
            to: bob,
            value: U256::from(1),
        }
        .abi_encode(),
    );

    // EIP-2612: alice lets staking spend for her by signature, bob relays.
    let domain = step(
        "DOMAIN_SEPARATOR",
        bob,
        TOKEN,
        Token::DOMAIN_SEPARATORCall {}.abi_encode(),
    )
    .output;
    let value = spon(500);
    let deadline = U256::from(BLOCK_TIME + 3_600);
    let typehash = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)",
    );
    let mut fields = typehash.to_vec();
    for word in [
        alice.into_word(),
        STAKING.into_word(),
        value.into(),
        B256::ZERO,
        deadline.into(),
    ] {
        fields.extend_from_slice(word.as_slice());
    }
    let mut digest = vec![0x19, 0x01];
    digest.extend_from_slice(&domain);
    digest.extend_from_slice(keccak256(&fields).as_slice());
    let sig = owner.sign_hash_sync(&keccak256(&digest)).unwrap();
    let permit = Token::permitCall {
        owner: alice,
        spender: STAKING,
        value,
        deadline,
        v: 27 + u8::from(sig.v()),
        r: sig.r().into(),
        s: sig.s().into(),
    };
    step("permit", bob, TOKEN, permit.abi_encode());
    step("permit replayed", bob, TOKEN, permit.abi_encode());
    step(
        "allowance",
        bob,
        TOKEN,
        Token::allowanceCall {
            owner: alice,
            spender: STAKING,
        }
        .abi_encode(),
    );

    // Staking pulls SPON from the staker through a nested transferFrom.
    step(
        "stake zero",
        alice,
        STAKING,
        Stake::stakeCall { amount: U256::ZERO }.abi_encode(),
    );
    step(
        "stake beyond the allowance",
        alice,
        STAKING,
        Stake::stakeCall { amount: spon(501) }.abi_encode(),
    );
    step(
        "stake",
        alice,
        STAKING,
        Stake::stakeCall { amount: spon(400) }.abi_encode(),
    );
    step(
        "stakeOf",
        bob,
        STAKING,
        Stake::stakeOfCall { provider: alice }.abi_encode(),
    );
    step(
        "balanceOf staking",
        bob,
        TOKEN,
        Token::balanceOfCall { account: STAKING }.abi_encode(),
    );
    step(
        "requestUnstake",
        alice,
        STAKING,
        Stake::requestUnstakeCall { amount: spon(100) }.abi_encode(),
    );
    step(
        "unbondingRequest",
        bob,
        STAKING,
        Stake::unbondingRequestCall {
            request_id: U256::from(1),
        }
        .abi_encode(),
    );
    step(
        "withdraw before the end of unbonding",
        alice,
        STAKING,
        Stake::withdrawCall {
            request_id: U256::from(1),
        }
        .abi_encode(),
    );
    step(
        "setParameter by a stranger",
        bob,
        STAKING,
        Stake::setParameterCall {
            id: 0,
            value: U256::from(1),
        }
        .abi_encode(),
    );
    step("config", bob, STAKING, Stake::configCall {}.abi_encode());
    steps
}

#[motsu::test]
fn the_same_calls_give_the_same_bytes_under_motsu_and_on_the_devnet(
    token: Contract<SponToken>,
    staking: Contract<Staking>,
) {
    // motsu puts each fixture at a fresh address: the same contracts at
    // the scenario's addresses instead.
    drop((token, staking));
    VM::context().set_chain_id(spon_devnet::CHAIN_ID);
    let mut motsu = Motsu {
        token: Contract::new_at(TOKEN),
        staking: Contract::new_at(STAKING),
    };
    let mut chain = Chain::new();
    chain.timestamp = BLOCK_TIME;
    chain.deploy_at(TOKEN, &module("spon-token")).unwrap();
    chain.deploy_at(STAKING, &module("spon-staking")).unwrap();
    let mut devnet = Devnet(chain);

    let native = scenario(&mut motsu);
    let wasm = scenario(&mut devnet);
    assert_eq!(native.len(), wasm.len());
    let mut refused = 0;
    for ((label, a), (_, b)) in native.iter().zip(&wasm) {
        assert_eq!(
            a,
            b,
            "{label}: {} and {} differ",
            motsu.name(),
            devnet.name()
        );
        refused += usize::from(!a.success);
    }
    // The scenario covers both ways a call ends.
    assert!(refused >= 7, "{refused} refusals");
    assert!(native
        .iter()
        .any(|(_, o)| o.logs[0].len() + o.logs[1].len() >= 2));
}
