//! A devnet over JSON-RPC with the whole protocol deployed by spon-deploy
//! and handed to the governor, and helpers that act as wallets do (alloy's
//! provider and local signers): three Provider nodes staked, probed and
//! approved by an executed governance proposal, and a funded tenant. The
//! world of the end-to-end story and of the matcher's integration tests.

use std::{net::TcpListener, path::PathBuf};

use alloy_network::{EthereumWallet, TransactionBuilder};
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_provider::{Provider, ProviderBuilder, RootProvider};
use alloy_rpc_types_eth::{Filter, TransactionRequest};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolEvent};
use anyhow::{anyhow, ensure, Result};
use k256::ecdsa::SigningKey;
use spon_deploy::{
    plan::{Contract, Settings},
    rpc::{Key, Rpc},
    run::{run, Options},
};
use spon_devnet::rpc::Node;
use spon_node::Hardware;

use crate::{
    address_of, error_name, hopper_order, sign_probe, ProbeResult, SponChallenges as Challenges,
    SponGovernance as Governance, SponMarket as Market, SponRegistry as Registry,
    SponStaking as Staking, SponToken as Token, HOPPER,
};
use crate::{rtx40, rtx_order};

use spon_protocol::WEI_PER_SPON as SPON;
/// Seconds in a day.
pub const DAY: u64 = 86_400;

/// A deterministic test key named `name`.
pub fn key(name: &str) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&keccak256(format!("spon test key {name}"))).expect("a valid key")
}

/// The probe key of node `n`.
fn probe_key(n: usize) -> SigningKey {
    SigningKey::from_slice(keccak256(format!("spon probe key {n}")).as_slice())
        .expect("a valid key")
}

/// The probe key of node `n` as a wallet signer (for the probe service).
pub fn probe_signer(n: usize) -> PrivateKeySigner {
    PrivateKeySigner::from_signing_key(probe_key(n))
}

/// `n` whole SPON, in wei.
pub fn spon(n: u128) -> U256 {
    U256::from(n * SPON)
}

/// A provider over plain HTTP, no fillers.
pub fn provider(url: &str) -> RootProvider {
    ProviderBuilder::new()
        .disable_recommended_fillers()
        .on_http(url.parse().expect("a valid URL"))
}

/// The devnet, the deployed contracts and the test's accounts.
pub struct World {
    /// The devnet's endpoint.
    pub url: String,
    /// Deployed everything; holds the SPON supply and votes.
    pub deployer: PrivateKeySigner,
    /// Holds 1,000,000 SPON, approved to the market.
    pub tenant: PrivateKeySigner,
    /// Three approved, probed Provider nodes (8 × Hopper, Germany).
    pub nodes: Vec<PrivateKeySigner>,
    /// SPON.
    pub token: Address,
    /// The registry.
    pub registry: Address,
    /// Staking.
    pub staking: Address,
    /// The market.
    pub market: Address,
    /// The leases contract.
    pub leases: Address,
    /// The challenges contract.
    pub challenges: Address,
    /// Node rewards per era.
    pub rewards: Address,
    /// The governor (governance of every contract).
    pub governor: Address,
    /// Every deployed contract, by package name (`spon-registry`, …).
    pub contracts: Vec<(&'static str, Address)>,
    /// This world's folder under `target/rpc-tests`.
    pub dir: PathBuf,
}

impl World {
    /// The deployment record spon-deploy wrote (`deployments/<chainId>.json`).
    pub fn record(&self) -> PathBuf {
        std::fs::read_dir(self.dir.join("deployments"))
            .expect("spon-deploy wrote its folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "json"))
            .expect("spon-deploy wrote a record")
    }

    /// The world of the deployment spon-deploy recorded under
    /// `dir/deployments` on the chain at `url`: its contracts, the deployer,
    /// the tenant's and the three Provider nodes' keys (nothing sent).
    ///
    /// # Errors
    /// No record, or one without a contract of the protocol.
    pub fn attach(url: String, deployer: PrivateKeySigner, dir: PathBuf) -> Result<World> {
        let mut w = World {
            url,
            deployer,
            tenant: key("tenant"),
            nodes: (0..3).map(|n| key(&format!("node {n}"))).collect(),
            token: Address::ZERO,
            registry: Address::ZERO,
            staking: Address::ZERO,
            market: Address::ZERO,
            leases: Address::ZERO,
            challenges: Address::ZERO,
            rewards: Address::ZERO,
            governor: Address::ZERO,
            contracts: Vec::new(),
            dir,
        };
        let record = spon_client::Deployment::load(&w.record())?;
        for c in Contract::ALL {
            w.contracts
                .push((c.package(), record.address(c.package())?));
        }
        let of = |c: Contract| record.address(c.package());
        w.token = of(Contract::Token)?;
        w.registry = of(Contract::Registry)?;
        w.staking = of(Contract::Staking)?;
        w.market = of(Contract::Market)?;
        w.leases = of(Contract::Leases)?;
        w.challenges = of(Contract::Challenges)?;
        w.rewards = of(Contract::Rewards)?;
        w.governor = of(Contract::Governance)?;
        Ok(w)
    }

    /// The three Provider nodes staked and proposed (8 × Hopper, Germany)
    /// and approved by an executed proposal; the tenant funded with SPON
    /// approved to the market. The nodes' probes are the caller's.
    ///
    /// # Errors
    /// A refused transaction.
    pub async fn populate(&self) -> Result<()> {
        for n in 0..self.nodes.len() {
            self.fund(self.nodes[n].address()).await?;
            self.provider_node(n, &HOPPER).await?;
        }
        let approvals = self
            .nodes
            .iter()
            .map(|n| {
                (
                    self.registry,
                    Registry::approveProviderCall {
                        node: n.address(),
                        hardware: U256::from_be_bytes(HOPPER.pack()),
                    }
                    .abi_encode(),
                )
            })
            .collect();
        self.govern(approvals).await?;
        self.fund(self.tenant.address()).await?;
        self.give(&self.tenant, spon(1_000_000), self.market).await
    }

    /// Sends `call` to `to` from `from` as a wallet would (fees, nonce and
    /// gas filled by alloy); the market's refusals are named.
    pub async fn send<C: SolCall>(
        &self,
        from: &PrivateKeySigner,
        to: Address,
        call: C,
    ) -> Result<()> {
        self.send_logs(from, to, call).await.map(|_| ())
    }

    /// As [`World::send`]; returns the transaction's logs.
    pub async fn send_logs<C: SolCall>(
        &self,
        from: &PrivateKeySigner,
        to: Address,
        call: C,
    ) -> Result<Vec<alloy_primitives::LogData>> {
        let p = ProviderBuilder::new()
            .wallet(EthereumWallet::from(from.clone()))
            .on_http(self.url.parse()?);
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_input(Bytes::from(call.abi_encode()));
        let pending = p.send_transaction(tx).await.map_err(|e| {
            match e.as_error_resp().and_then(|r| r.as_revert_data()) {
                Some(data) => anyhow!("{}: {}", C::SIGNATURE, error_name(&data)),
                None => anyhow!("{}: {e}", C::SIGNATURE),
            }
        })?;
        let receipt = pending.get_receipt().await?;
        ensure!(receipt.status(), "{} reverted", C::SIGNATURE);
        Ok(receipt
            .inner
            .logs()
            .iter()
            .map(|l| l.inner.data.clone())
            .collect())
    }

    /// The decoded answer of the view `call` on `to`.
    pub async fn view<C: SolCall>(&self, to: Address, call: C) -> Result<C::Return> {
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_input(Bytes::from(call.abi_encode()));
        let out = provider(&self.url).call(&tx).await?;
        Ok(C::abi_decode_returns(&out, true)?)
    }

    /// `eth_call` of `data` to `to`: the raw answer.
    pub async fn call_raw(&self, to: Address, data: Vec<u8>) -> Result<Bytes> {
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_input(Bytes::from(data));
        Ok(provider(&self.url).call(&tx).await?)
    }

    /// A raw JSON-RPC request to the devnet.
    pub async fn rpc(
        &self,
        method: &'static str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value> {
        Ok(provider(&self.url)
            .raw_request(method.into(), params)
            .await?)
    }

    /// Moves the devnet's clock `secs` seconds forward.
    pub async fn travel(&self, secs: u64) -> Result<()> {
        self.rpc("evm_increaseTime", serde_json::json!([secs]))
            .await?;
        self.rpc("evm_mine", serde_json::json!([])).await?;
        Ok(())
    }

    /// Runs `calls` through a governance proposal: propose, vote with the
    /// deployer's SPON, queue, execute (time travel between).
    pub async fn govern(&self, calls: Vec<(Address, Vec<u8>)>) -> Result<()> {
        let gov = self.governor;
        let targets: Vec<Address> = calls.iter().map(|c| c.0).collect();
        let values = vec![U256::ZERO; calls.len()];
        let calldatas: Vec<Bytes> = calls.into_iter().map(|c| c.1.into()).collect();
        self.send(
            &self.deployer,
            gov,
            Governance::proposeCall {
                targets: targets.clone(),
                values: values.clone(),
                calldatas: calldatas.clone(),
                description_hash: keccak256("approve the test's Provider nodes"),
            },
        )
        .await?;
        let id = self
            .view(gov, Governance::proposalCountCall {})
            .await?
            .proposalCount;
        self.travel(DAY + 60).await?;
        let votes = spon(100_000_000);
        self.send(
            &self.deployer,
            self.token,
            Token::approveCall {
                spender: gov,
                value: votes,
            },
        )
        .await?;
        self.send(
            &self.deployer,
            gov,
            Governance::castVoteCall {
                id,
                support: 1,
                amount: votes,
            },
        )
        .await?;
        self.travel(3 * DAY + 60).await?;
        self.send(&self.deployer, gov, Governance::queueCall { id })
            .await?;
        self.travel(2 * DAY + 60).await?;
        self.send(
            &self.deployer,
            gov,
            Governance::executeCall {
                id,
                targets,
                values,
                calldatas,
            },
        )
        .await
    }

    /// Makes node `n` a staked Provider node declaring `hw` (approval
    /// comes by proposal).
    pub async fn provider_node(&self, n: usize, hw: &Hardware) -> Result<()> {
        let node = &self.nodes[n];
        self.give(node, spon(50_000), self.staking).await?;
        self.send(
            node,
            self.staking,
            Staking::stakeCall {
                amount: spon(50_000),
            },
        )
        .await?;
        self.send(
            node,
            self.registry,
            Registry::proposeProviderCall {
                hardware: U256::from_be_bytes(hw.pack()),
                endpoint: "https://node.example/manifests".into(),
                tls_cert_hash: B256::repeat_byte(7),
                probe_key: address_of(&probe_key(n)),
            },
        )
        .await
    }

    /// Commits a fresh probe of node `n`'s hardware `hw` answering
    /// challenge `challenge` (0: none) by naming its seed, signed by its
    /// probe key; sent by the node.
    pub async fn probe(&self, n: usize, hw: &Hardware, challenge: u64) -> Result<()> {
        let node = &self.nodes[n];
        let a = node.address();
        let answers = if challenge == 0 {
            U256::ZERO
        } else {
            let work = self
                .view(self.challenges, Challenges::gpuWorkOfCall { id: challenge })
                .await?
                .gpuWork;
            U256::from_be_bytes(work.seed.0)
        };
        let nonce = self
            .view(self.registry, Registry::probeOfCall { node: a })
            .await?
            .probe
            .nextNonce;
        let summary = spon_probe::report::simulated(hw, self.now().await?);
        let message = ProbeResult {
            node: a,
            reportHash: B256::repeat_byte(0xAB),
            summary: U256::from_be_bytes(summary.pack()),
            challengeId: answers,
            nonce: U256::from(nonce),
        };
        let signature = sign_probe(&probe_key(n), self.registry, &message);
        self.send(
            node,
            self.registry,
            Registry::commitProbeCall {
                node: a,
                report_hash: message.reportHash,
                summary: message.summary,
                challenge_id: message.challengeId,
                nonce,
                signature: signature.into(),
            },
        )
        .await
    }

    /// A Fizz node keyed by `name` (one RTX 40 in the US), staked with
    /// 5,000 SPON and registered behind `gateway`, appended to `nodes`
    /// (its probe key that of its place there) and probed if `probe`.
    ///
    /// # Errors
    /// A refused transaction.
    pub async fn fizz_node(
        &mut self,
        name: &str,
        gateway: Address,
        probe: bool,
    ) -> Result<PrivateKeySigner> {
        let k = key(name);
        let index = self.nodes.len();
        self.nodes.push(k.clone());
        self.fund(k.address()).await?;
        self.give(&k, spon(5_000), self.staking).await?;
        self.send(
            &k,
            self.staking,
            Staking::stakeCall {
                amount: spon(5_000),
            },
        )
        .await?;
        let hw = rtx40(*b"US");
        self.send(
            &k,
            self.registry,
            Registry::registerFizzCall {
                hardware: U256::from_be_bytes(hw.pack()),
                probe_key: probe_signer(index).address(),
                gateway,
            },
        )
        .await?;
        if probe {
            self.probe(index, &hw, 0).await?;
        }
        Ok(k)
    }

    /// An order for one RTX 40 anywhere, in SPON, up to 10 SPON an hour
    /// for an hour; its id.
    ///
    /// # Errors
    /// A refused transaction.
    pub async fn rtx_order(&self) -> Result<u64> {
        self.order_of(rtx_order()).await
    }

    /// An order for 4 Hopper GPUs in SPON; its id.
    pub async fn order(&self) -> Result<u64> {
        self.order_of(hopper_order()).await
    }

    /// The tenant's order for `requirements` in SPON, up to 10 SPON an
    /// hour for an hour, 10 SPON deposited; its id.
    async fn order_of(&self, requirements: U256) -> Result<u64> {
        self.send(
            &self.tenant,
            self.market,
            Market::createOrderCall {
                requirements,
                payment_token: self.token,
                max_price_per_hour: spon(10),
                duration_secs: 3_600,
                deposit: spon(10),
            },
        )
        .await?;
        Ok(self
            .view(self.market, Market::countsCall {})
            .await?
            .counts
            .orders)
    }

    /// Node `node` bids `price` per hour on `order`; returns the bid id.
    pub async fn bid(&self, order: u64, node: usize, price: u128) -> Result<u64> {
        self.send(
            &self.nodes[node],
            self.market,
            Market::placeBidCall {
                order_id: order,
                price_per_hour: U256::from(price),
            },
        )
        .await?;
        Ok(self
            .view(self.market, Market::countsCall {})
            .await?
            .counts
            .bids)
    }

    /// The tenant proposes `bid` for its `order` (as any account may).
    pub async fn propose(&self, order: u64, bid: u64) -> Result<()> {
        self.send(
            &self.tenant,
            self.market,
            Market::proposeMatchCall {
                order_id: order,
                bid_id: bid,
            },
        )
        .await
    }

    /// The tenant accepts `order`'s proposed bid with the hash of
    /// `manifest`: the lease opens.
    pub async fn accept(&self, order: u64, manifest: &[u8]) -> Result<()> {
        self.send(
            &self.tenant,
            self.market,
            Market::acceptMatchCall {
                order_id: order,
                manifest_hash: keccak256(manifest),
            },
        )
        .await
    }

    /// The bid proposed on chain for `order` (0: none).
    pub async fn proposed(&self, order: u64) -> Result<u64> {
        Ok(self
            .view(self.market, Market::orderOfCall { order_id: order })
            .await?
            .order
            .proposedBid)
    }

    /// `(order, bid)` of every MatchProposed sent by `from`.
    pub async fn proposals_by(&self, from: Address) -> Result<Vec<(u64, u64)>> {
        let filter = Filter::new()
            .address(self.market)
            .event_signature(Market::MatchProposed::SIGNATURE_HASH)
            .from_block(0);
        let logs = provider(&self.url).get_logs(&filter).await?;
        Ok(logs
            .iter()
            .filter_map(|l| Market::MatchProposed::decode_log(&l.inner, true).ok())
            .filter(|e| e.proposer == from)
            .map(|e| (e.orderId, e.bidId))
            .collect())
    }

    /// Gives `who` `amount` SPON from the deployer, and has it approve
    /// `spender` for all of its SPON.
    pub async fn give(&self, who: &PrivateKeySigner, amount: U256, spender: Address) -> Result<()> {
        let to = who.address();
        self.send(
            &self.deployer,
            self.token,
            Token::transferCall { to, value: amount },
        )
        .await?;
        self.send(
            who,
            self.token,
            Token::approveCall {
                spender,
                value: U256::MAX,
            },
        )
        .await
    }

    /// `account`'s balance of `token`.
    pub async fn balance(&self, token: Address, account: Address) -> Result<U256> {
        Ok(self
            .view(token, Token::balanceOfCall { account })
            .await?
            .balance)
    }

    /// The latest block's timestamp.
    pub async fn now(&self) -> Result<u64> {
        let block = provider(&self.url)
            .get_block_by_number(Default::default(), false.into())
            .await?
            .ok_or_else(|| anyhow!("no latest block"))?;
        Ok(block.header.timestamp)
    }

    /// Deploys Test USD (6 decimals, open mint) and has governance allow
    /// it as a payment token; its address.
    pub async fn allowed_test_usd(&self) -> Result<Address> {
        let usd: Address = provider(&self.url)
            .raw_request(
                "devnet_deploy".into(),
                (
                    Bytes::from(crate::artifact("spon-test-usd")?),
                    Bytes::new(),
                    self.deployer.address(),
                ),
            )
            .await?;
        self.govern(vec![(
            self.market,
            Market::approvePaymentTokenCall { token: usd }.abi_encode(),
        )])
        .await?;
        Ok(usd)
    }

    /// Gives `who` 100 ETH for fees.
    pub async fn fund(&self, who: Address) -> Result<()> {
        self.rpc(
            "anvil_setBalance",
            serde_json::json!([who, "0x56bc75e2d63100000"]),
        )
        .await?;
        Ok(())
    }
}

/// Starts a devnet, deploys and wires everything with spon-deploy, and
/// sets up three approved, probed Provider nodes and a funded tenant.
pub fn world(name: &str) -> (World, tokio::runtime::Runtime) {
    world_at(name, "127.0.0.1:0")
}

/// [`world`], its devnet listening on `bind` (an address other hosts of
/// a test reach, such as a veth's).
pub fn world_at(name: &str, bind: &str) -> (World, tokio::runtime::Runtime) {
    let listener = TcpListener::bind(bind).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        Node::new(spon_devnet::Chain::devnet().expect("predeploys")).serve(listener)
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let deployer = key("deployer");
    rt.block_on(provider(&url).raw_request::<_, serde_json::Value>(
        "anvil_setBalance".into(),
        serde_json::json!([deployer.address(), "0x56bc75e2d63100000"]),
    ))
    .unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = root.join("target/rpc-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let settings = Settings {
        treasury: deployer.address(),
        guardian: Address::with_last_byte(0x61),
        supply: spon(1_000_000_000),
        committee: Address::ZERO,
    };
    let opts = Options {
        artifacts: root.join("target/stylus"),
        out: dir.join("deployments"),
        dry_run: false,
        commit: "test".into(),
    };
    // spon-deploy drives its own runtime: run it outside ours.
    let mut chain = Rpc::new(
        &url,
        Key::Hex(alloy_primitives::hex::encode_prefixed(deployer.to_bytes())),
    )
    .unwrap();
    run(&mut chain, settings, &opts, &mut |_, _| {}).unwrap();
    let w = World::attach(url, deployer, dir).unwrap();
    rt.block_on(async {
        w.populate().await?;
        for n in 0..w.nodes.len() {
            w.probe(n, &HOPPER, 0).await?;
        }
        anyhow::Ok(())
    })
    .unwrap();
    (w, rt)
}
