//! The deployment run on the in-process chain with the real modules
//! (`target/stylus/`, from scripts/build-contracts): everything deployed,
//! wired and handed to the governor; a re-run sends nothing; a run cut
//! short resumes without deploying anything twice.

use std::{cell::Cell, collections::HashMap, path::PathBuf};

use alloy_primitives::{keccak256, Address, U256};
use alloy_sol_types::SolCall;
use anyhow::{bail, Result};
use spon_deploy::{
    bindings::{error_name, Staking},
    plan::{self, Addresses, Contract, Settings, Wire},
    record::Record,
    run::{run, Action, Options},
    Backend, Receipt,
};
use spon_devnet::{Chain, CHAIN_ID};

/// The in-process chain as a deployment backend. It has no transaction
/// hashes: each transaction is named by the hash of what it sent and
/// the block.
struct Devnet {
    chain: Chain,
    deployer: Address,
    deploys: HashMap<String, usize>,
    sends: usize,
    /// Fail every transaction after this many (a run cut short).
    budget: Cell<Option<usize>>,
    /// Deploy as cargo-stylus 0.10 does with `--wasm-file`: creation and
    /// activation, no constructor; this account calls it first, with
    /// itself as treasury and governance.
    front_runner: Option<Address>,
}

impl Devnet {
    fn new() -> Self {
        Devnet {
            chain: Chain::new(),
            deployer: Address::with_last_byte(0xD0),
            deploys: HashMap::new(),
            sends: 0,
            budget: Cell::new(None),
            front_runner: None,
        }
    }

    fn spend(&self) -> Result<()> {
        match self.budget.get() {
            Some(0) => bail!("connection lost"),
            Some(n) => self.budget.set(Some(n - 1)),
            None => {}
        }
        Ok(())
    }

    fn receipt(&mut self, to: Address, data: &[u8]) -> Receipt {
        let block = self.chain.block_number;
        self.chain.advance(1);
        let mut id = to.to_vec();
        id.extend_from_slice(data);
        id.extend_from_slice(&block.to_be_bytes());
        Receipt {
            tx_hash: keccak256(id),
            block,
        }
    }
}

impl Backend for Devnet {
    fn chain_id(&mut self) -> Result<u64> {
        Ok(CHAIN_ID)
    }

    fn deployer(&self) -> Address {
        self.deployer
    }

    fn code(&mut self, address: Address) -> Result<Vec<u8>> {
        Ok(self.chain.code(address))
    }

    fn deploy(
        &mut self,
        package: &str,
        wasm: &[u8],
        _signature: &str,
        _args: &[String],
        encoded: &[u8],
    ) -> Result<(Address, Receipt)> {
        self.spend()?;
        let address = self.chain.deploy(wasm)?;
        let data = stylus_artifact::constructor_call(encoded);
        if let Some(thief) = self.front_runner {
            // The deployment left the constructor open; the thief calls
            // it as planned but for itself as treasury and governance.
            let mine = [self.deployer.into_word(), settings().treasury.into_word()];
            let mut stolen = encoded.to_vec();
            for word in stolen.chunks_mut(32) {
                if mine.iter().any(|m| m.as_slice() == &word[..]) {
                    word.copy_from_slice(thief.into_word().as_slice());
                }
            }
            let out = self.chain.transact(
                thief,
                address,
                &stylus_artifact::constructor_call(&stolen),
                U256::ZERO,
            )?;
            assert!(out.success, "the open constructor takes anyone's call");
            *self.deploys.entry(package.to_string()).or_default() += 1;
            return Ok((address, self.receipt(address, &data)));
        }
        let out = self
            .chain
            .transact(self.deployer, address, &data, U256::ZERO)?;
        if !out.success {
            bail!("constructor of {package}: {}", error_name(&out.output));
        }
        *self.deploys.entry(package.to_string()).or_default() += 1;
        Ok((address, self.receipt(address, &data)))
    }

    fn call(&mut self, to: Address, data: &[u8]) -> Result<Vec<u8>> {
        let out = self.chain.view(self.deployer, to, data)?;
        if !out.success {
            bail!("call reverted: {}", error_name(&out.output));
        }
        Ok(out.output)
    }

    fn send(&mut self, to: Address, data: &[u8]) -> Result<Receipt> {
        self.spend()?;
        let out = self.chain.transact(self.deployer, to, data, U256::ZERO)?;
        if !out.success {
            bail!("reverted: {}", error_name(&out.output));
        }
        self.sends += 1;
        Ok(self.receipt(to, data))
    }
}

fn settings() -> Settings {
    Settings {
        treasury: Address::with_last_byte(0xE1),
        guardian: Address::with_last_byte(0x61),
        supply: U256::from(1_000_000_000u64) * U256::from(10u64).pow(U256::from(18)),
        committee: Address::with_last_byte(0xC0),
    }
}

fn options(tag: &str, dry_run: bool) -> Options {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = root.join("target/deploy-tests").join(tag);
    Options {
        artifacts: root.join("target/stylus"),
        out,
        dry_run,
        commit: "test".into(),
    }
}

fn fresh(tag: &str) -> Options {
    let o = options(tag, false);
    let _ = std::fs::remove_dir_all(&o.out);
    o
}

/// Runs and returns the record and every step's action.
fn deploy(chain: &mut Devnet, opts: &Options) -> (Result<Record>, Vec<(String, Action)>) {
    let mut steps = Vec::new();
    let r = run(chain, settings(), opts, &mut |s, a| {
        steps.push((s.to_string(), a.clone()))
    });
    (r, steps)
}

fn assert_wired(chain: &mut Devnet, record: &Record) {
    let s = settings();
    let governor = record.of(Contract::Governance).unwrap();
    for w in plan::wiring(&s) {
        let target = record.of(w.target()).unwrap();
        let answer = chain.call(target, &w.probe(&s, record).unwrap()).unwrap();
        assert!(Wire::is_done(&answer).unwrap(), "{}", w.name());
    }
    for c in plan::GOVERNED {
        let target = record.of(c).unwrap();
        let governance = chain
            .call(target, &Staking::governanceCall {}.abi_encode())
            .unwrap();
        let holder = Staking::governanceCall::abi_decode_returns(&governance, true).unwrap();
        assert_eq!(holder.governance, governor, "{}", c.package());
    }
}

#[test]
fn deploys_wires_and_hands_over_then_a_rerun_sends_nothing() {
    let opts = fresh("full");
    let mut chain = Devnet::new();
    let (record, steps) = deploy(&mut chain, &opts);
    let record = record.unwrap();
    let wiring = plan::wiring(&settings());
    assert_eq!(steps.len(), Contract::ALL.len() + wiring.len());
    assert!(steps[..Contract::ALL.len()]
        .iter()
        .all(|(_, a)| matches!(a, Action::Deployed(_))));
    assert!(steps[Contract::ALL.len()..]
        .iter()
        .all(|(_, a)| *a == Action::Sent));
    assert_eq!(record.contracts.len(), Contract::ALL.len());
    assert_eq!(record.wiring.len(), wiring.len());
    for d in record.contracts.values() {
        assert_eq!(keccak256(chain.chain.code(d.address)), d.code_hash);
    }
    assert_wired(&mut chain, &record);

    // The deployer governs nothing any more.
    let staking = record.of(Contract::Staking).unwrap();
    let set = Staking::setParameterCall {
        id: 0,
        value: U256::from(86_400 * 20),
    };
    let refused = chain.send(staking, &set.abi_encode()).unwrap_err();
    assert!(refused.to_string().contains("Unauthorized"), "{refused}");

    // The record on disk is the one returned.
    let path = opts.out.join(format!("{CHAIN_ID}.json"));
    let saved = Record::load(&path, CHAIN_ID, &settings()).unwrap().unwrap();
    assert_eq!(saved, record);

    // Again: everything is found done, nothing is sent.
    let sends = chain.sends;
    let (again, steps) = deploy(&mut chain, &opts);
    assert_eq!(again.unwrap(), record);
    assert!(steps.iter().all(|(_, a)| *a == Action::Done), "{steps:?}");
    assert_eq!(chain.sends, sends);
    assert!(chain.deploys.values().all(|&n| n == 1));

    // Other settings are another deployment: refused, not mixed.
    let other = Settings {
        treasury: Address::with_last_byte(0xE2),
        ..settings()
    };
    let err = run(&mut chain, other, &opts, &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("other settings"), "{err}");
}

#[test]
fn a_run_cut_short_resumes_without_deploying_twice() {
    let opts = fresh("resume");
    let mut chain = Devnet::new();
    let total = Contract::ALL.len() + plan::wiring(&settings()).len();
    // Cut after 3 deployments, then after 5 more transactions.
    for budget in [3, 5] {
        chain.budget.set(Some(budget));
        let (r, _) = deploy(&mut chain, &opts);
        assert!(format!("{:#}", r.unwrap_err()).contains("connection lost"));
    }
    let saved = Record::load(
        &opts.out.join(format!("{CHAIN_ID}.json")),
        CHAIN_ID,
        &settings(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(saved.contracts.len() + saved.wiring.len(), 8);

    // The dry run says what is left.
    let (r, steps) = deploy(&mut chain, &options("resume", true));
    r.unwrap();
    let would = steps.iter().filter(|(_, a)| *a == Action::Would).count();
    assert_eq!(would, total - 8);

    chain.budget.set(None);
    let (r, steps) = deploy(&mut chain, &opts);
    let record = r.unwrap();
    let done = steps.iter().filter(|(_, a)| *a == Action::Done).count();
    assert_eq!(done, 8);
    assert_eq!(chain.deploys.len(), Contract::ALL.len());
    assert!(
        chain.deploys.values().all(|&n| n == 1),
        "{:?}",
        chain.deploys
    );
    assert_wired(&mut chain, &record);
}

/// F-27: a deployment that leaves a constructor uncalled (cargo-stylus
/// 0.10's `deploy --wasm-file`) hands the contract to whoever calls it
/// first: here the SPON supply goes to the thief. spon-deploy reads each
/// contract's constructed state before recording it or sending anything
/// more, and stops.
#[test]
fn a_contract_constructed_by_someone_else_is_refused_before_anything_is_sent() {
    let opts = fresh("front-run");
    let mut chain = Devnet::new();
    let thief = Address::with_last_byte(0x66);
    chain.front_runner = Some(thief);
    let (r, steps) = deploy(&mut chain, &opts);
    let err = format!("{:#}", r.unwrap_err());
    assert!(err.contains("spon-token"), "{err}");
    assert!(err.contains("not constructed as planned"), "{err}");
    assert!(err.contains("balanceOf(treasury"), "{err}");
    assert!(steps.is_empty(), "{steps:?}");
    assert_eq!(chain.sends, 0);
    // Nothing recorded: a re-run deploys afresh.
    let path = opts.out.join(format!("{CHAIN_ID}.json"));
    let saved = Record::load(&path, CHAIN_ID, &settings()).unwrap();
    assert!(
        saved.as_ref().is_none_or(|r| r.contracts.is_empty()),
        "{saved:?}"
    );

    // Each governed contract is caught the same way (its governance).
    let s = settings();
    let mut record = Record::new(CHAIN_ID, chain.deployer, s);
    for c in Contract::ALL {
        let checks = c.checks(chain.deployer, &s, &record).unwrap();
        if plan::GOVERNED.contains(&c) {
            assert!(checks.iter().any(|k| k.what == "governance()"), "{c:?}");
        }
        record.contracts.insert(
            c.package().into(),
            spon_deploy::record::Deployed {
                address: Address::with_last_byte(c as u8 + 1),
                tx_hash: Default::default(),
                block: 0,
                code_hash: Default::default(),
                commit: String::new(),
            },
        );
    }
}

#[test]
fn constructors_match_the_exported_abis() {
    for (c, (package, json)) in Contract::ALL.iter().zip(spon_deploy::bindings::ABIS) {
        assert_eq!(c.package(), package);
        let abi: alloy_json_abi::JsonAbi = serde_json::from_str(json).unwrap();
        let inputs = &abi.constructor.as_ref().unwrap().inputs;
        let expected: Vec<&str> = c
            .constructor()
            .iter()
            .map(|a| {
                if *a == plan::Arg::Supply {
                    "uint256"
                } else {
                    "address"
                }
            })
            .collect();
        let types: Vec<&str> = inputs.iter().map(|p| p.ty.as_str()).collect();
        assert_eq!(types, expected, "{package}");
    }
}
