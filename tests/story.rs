//! The market's story end to end, on the devnet over JSON-RPC, every step
//! sent as a wallet sends it (alloy provider, local signers, signed
//! transactions): the protocol deployed and handed to the governor by
//! spon-deploy; three Provider nodes staked, probed and approved by an
//! executed proposal; a SPON transfer and a relayed EIP-2612 permit; a
//! Fizz node behind a Provider gateway; a delegation; an order matched by
//! the matcher, accepted and settled with no fee, to the wei; Test USD (6
//! decimals) allowed by a proposal, an order in it settled with the 2% fee
//! to the treasury, to the unit; liveness
//! challenges — the honest node answers, the silent one loses and is
//! slashed after the veto period, its delegator losing pro rata; GPU-work
//! challenges — an honest node passes, a cheating one is refused and
//! loses; unbonding and withdrawal; a proposal changing a market parameter.

use alloy_primitives::{Address, B256, U256};
use alloy_signer::SignerSync;
use alloy_sol_types::{eip712_domain, sol, SolCall, SolEvent, SolStruct};
use spon_e2e::{
    rpc::{key, spon, world, World, DAY},
    SponChallenges as C, SponMarket as M, SponRegistry as R, SponStaking as S, SponTestUsd as U,
    SponToken as T, HOPPER,
};
use spon_gpu_work::{open as gpu_open, product, sample_entries, tree as gpu_tree, Work};
use spon_matcher::{config::Config, service};

sol! {
    /// EIP-2612's permit message.
    struct Permit {
        address owner;
        address spender;
        uint256 value;
        uint256 nonce;
        uint256 deadline;
    }
}

async fn balance(w: &World, who: Address) -> U256 {
    w.view(w.token, T::balanceOfCall { account: who })
        .await
        .unwrap()
        .balance
}

async fn challenge_state(w: &World, id: u64) -> u8 {
    w.view(w.challenges, C::challengeOfCall { id })
        .await
        .unwrap()
        .challenge
        .state
}

/// Calls every view of every deployed contract (arguments: the first
/// node's address, 1, zeros) and decodes its answer with `alloy-dyn-abi`
/// from `deployments/abi/<contract>.json`; checks the struct results carry
/// their field names and the registry's endpoint reads back. Returns how
/// many views answered.
async fn every_view_decodes(w: &World) -> anyhow::Result<usize> {
    use alloy_dyn_abi::{DynSolType, DynSolValue, FunctionExt, JsonAbiExt, Specifier};
    use alloy_json_abi::{JsonAbi, StateMutability};
    let node = w.nodes[0].address();
    let sample = |ty: &DynSolType| -> DynSolValue {
        match ty {
            DynSolType::Address => DynSolValue::Address(node),
            DynSolType::Uint(bits) => DynSolValue::Uint(U256::from(1), *bits),
            DynSolType::Bool => DynSolValue::Bool(false),
            DynSolType::FixedBytes(n) => DynSolValue::FixedBytes(B256::ZERO, *n),
            DynSolType::Bytes => DynSolValue::Bytes(Vec::new()),
            DynSolType::String => DynSolValue::String(String::new()),
            other => panic!("no sample argument of type {other}"),
        }
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut answered = 0;
    for (package, at) in &w.contracts {
        let path = root.join(format!("deployments/abi/{package}.json"));
        let abi: JsonAbi = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        for f in abi.functions() {
            let view = matches!(
                f.state_mutability,
                StateMutability::View | StateMutability::Pure
            );
            if !view || f.outputs.is_empty() {
                continue;
            }
            let args = f
                .inputs
                .iter()
                .map(|p| Ok(sample(&p.resolve()?)))
                .collect::<anyhow::Result<Vec<_>>>()?;
            // A view may refuse these arguments (an unknown lease): its
            // refusal is not an answer to decode.
            let Ok(out) = w.call_raw(*at, f.abi_encode_input(&args)?).await else {
                continue;
            };
            let values = f
                .abi_decode_output(&out, true)
                .map_err(|e| anyhow::anyhow!("{package} {}: {e}", f.signature()))?;
            for (param, value) in f.outputs.iter().zip(&values) {
                if param.ty == "tuple" {
                    let DynSolValue::CustomStruct { prop_names, .. } = value else {
                        anyhow::bail!(
                            "{package} {}: {value:?} is not a named struct",
                            f.signature()
                        );
                    };
                    assert_eq!(prop_names.len(), param.components.len());
                    assert!(
                        !param.name.is_empty(),
                        "{package} {}: unnamed",
                        f.signature()
                    );
                }
            }
            if f.name == "endpointOf" {
                let DynSolValue::CustomStruct {
                    prop_names, tuple, ..
                } = &values[0]
                else {
                    unreachable!("checked above")
                };
                assert_eq!(prop_names[0], "uri");
                assert!(
                    tuple[0]
                        .as_str()
                        .is_some_and(|uri| uri.starts_with("https://")),
                    "{tuple:?}"
                );
            }
            answered += 1;
        }
    }
    Ok(answered)
}

#[test]
fn the_whole_market_through_json_rpc() {
    let (w, rt) = world("story");
    rt.block_on(async {
        // A transfer, and a permit signed off chain and relayed by another.
        let (alice, relayer, spender) = (key("alice"), key("relayer"), Address::repeat_byte(0x5e));
        for k in [&alice, &relayer] {
            w.fund(k.address()).await?;
        }
        w.send(
            &w.deployer,
            w.token,
            T::transferCall {
                to: alice.address(),
                value: spon(1_000),
            },
        )
        .await?;
        assert_eq!(balance(&w, alice.address()).await, spon(1_000));
        let deadline = U256::from(w.now().await? + 3_600);
        let permit = Permit {
            owner: alice.address(),
            spender,
            value: spon(250),
            nonce: U256::ZERO,
            deadline,
        };
        let domain = eip712_domain! {
            name: "SPON",
            version: "1",
            chain_id: spon_devnet::CHAIN_ID,
            verifying_contract: w.token,
        };
        let sig = alice.sign_hash_sync(&permit.eip712_signing_hash(&domain))?;
        w.send(
            &relayer,
            w.token,
            T::permitCall {
                owner: alice.address(),
                spender,
                value: spon(250),
                deadline,
                v: 27 + u8::from(sig.v()),
                r: sig.r().into(),
                s: sig.s().into(),
            },
        )
        .await?;
        let allowance = w
            .view(
                w.token,
                T::allowanceCall {
                    owner: alice.address(),
                    spender,
                },
            )
            .await?
            .allowance;
        assert_eq!(allowance, spon(250));

        // A Fizz node behind node 0 as its gateway: active at once.
        let fizz = key("fizz");
        w.fund(fizz.address()).await?;
        w.give(&fizz, spon(500), w.staking).await?;
        w.send(&fizz, w.staking, S::stakeCall { amount: spon(500) })
            .await?;
        let home = spon_node::Hardware {
            gpu_count: 1,
            vram_mib: 24_564,
            cpu_cores: 16,
            ram_gib: 64,
            storage_gib: 2_000,
            bandwidth_mbps: 500,
            ..HOPPER
        };
        w.send(
            &fizz,
            w.registry,
            R::registerFizzCall {
                hardware: U256::from_be_bytes(home.pack()),
                probe_key: Address::repeat_byte(0xF1),
                gateway: w.nodes[0].address(),
            },
        )
        .await?;
        let state = w
            .view(
                w.registry,
                R::nodeOfCall {
                    node: fizz.address(),
                },
            )
            .await?
            .node
            .state;
        assert_eq!(state, 2, "active");

        // A delegation to node 1.
        let delegator = key("delegator");
        w.fund(delegator.address()).await?;
        w.give(&delegator, spon(10_000), w.staking).await?;
        let node1 = w.nodes[1].address();
        w.send(
            &delegator,
            w.staking,
            S::delegateCall {
                provider: node1,
                amount: spon(10_000),
            },
        )
        .await?;

        // An order in SPON, two bids, the matcher's proposal, acceptance,
        // and settlement after the hour: no fee on SPON, to the wei.
        let order = w.order().await?;
        w.bid(order, 0, 9 * 10u128.pow(18)).await?;
        let best = w.bid(order, 1, 7 * 10u128.pow(18)).await?;
        let matcher = key("story matcher");
        w.fund(matcher.address()).await?;
        let config = Config {
            rpc: w.url.clone(),
            market: Some(w.market),
            db: w.dir.join("matcher.redb"),
            ..Config::default()
        };
        let mut m = service::connect(&config, matcher).await?;
        assert_eq!(m.round().await?, 1);
        assert_eq!(w.proposed(order).await?, best);
        w.send(
            &w.tenant,
            w.market,
            M::acceptMatchCall {
                order_id: order,
                manifest_hash: B256::repeat_byte(0x4d),
            },
        )
        .await?;
        let (tenant_before, node_before, treasury_before) = (
            balance(&w, w.tenant.address()).await,
            balance(&w, node1).await,
            balance(&w, w.deployer.address()).await,
        );
        w.travel(3_600).await?;
        w.send(
            &relayer,
            w.leases,
            spon_e2e::SponLeases::settleCall { lease_id: order },
        )
        .await?;
        assert_eq!(
            balance(&w, node1).await - node_before,
            spon(7),
            "7 SPON an hour, one hour"
        );
        assert_eq!(
            balance(&w, w.tenant.address()).await - tenant_before,
            spon(3),
            "the rest of the deposit"
        );
        assert_eq!(
            balance(&w, w.deployer.address()).await,
            treasury_before,
            "no fee on SPON"
        );

        // An order in Test USD (6 decimals), allowed by a proposal: the
        // node is paid the whole bid price, the tenant pays the 2% fee on
        // top of it to the treasury, to the unit.
        let usd = w.allowed_test_usd().await?;
        // Six days of voting and timelock passed: fresh probes.
        for n in 0..w.nodes.len() {
            w.probe(n, &HOPPER, 0).await?;
        }
        let dollars = |n: u64| U256::from(n * 1_000_000);
        w.send(
            &w.tenant,
            usd,
            U::mintCall {
                to: w.tenant.address(),
                value: dollars(1_000),
            },
        )
        .await?;
        w.send(
            &w.tenant,
            usd,
            U::approveCall {
                spender: w.market,
                value: U256::MAX,
            },
        )
        .await?;
        // The same requirements as the SPON order: 4 × Hopper in Germany.
        let requirements = w
            .view(w.market, M::orderOfCall { order_id: order })
            .await?
            .order
            .requirements;
        w.send(
            &w.tenant,
            w.market,
            M::createOrderCall {
                requirements,
                payment_token: usd,
                max_price_per_hour: dollars(10),
                duration_secs: 3_600,
                deposit: dollars(10),
            },
        )
        .await?;
        let usd_order = w.view(w.market, M::countsCall {}).await?.counts.orders;
        w.send(
            &w.nodes[0],
            w.market,
            M::placeBidCall {
                order_id: usd_order,
                price_per_hour: dollars(6),
            },
        )
        .await?;
        assert_eq!(m.round().await?, 1);
        w.send(
            &w.tenant,
            w.market,
            M::acceptMatchCall {
                order_id: usd_order,
                manifest_hash: B256::repeat_byte(0x4e),
            },
        )
        .await?;
        let usd_balance = |who: Address| {
            let w = &w;
            async move {
                w.view(usd, U::balanceOfCall { account: who })
                    .await
                    .unwrap()
                    .balance
            }
        };
        let (tenant_before, node_before, treasury_before) = (
            usd_balance(w.tenant.address()).await,
            usd_balance(w.nodes[0].address()).await,
            usd_balance(w.deployer.address()).await,
        );
        w.travel(3_600).await?;
        w.send(
            &relayer,
            w.leases,
            spon_e2e::SponLeases::settleCall {
                lease_id: usd_order,
            },
        )
        .await?;
        // 6 tUSD for the hour to the node, 2% on top (120,000 units) to
        // the treasury: the tenant's 10 tUSD escrow returns 3.88.
        assert_eq!(
            usd_balance(w.nodes[0].address()).await - node_before,
            dollars(6)
        );
        assert_eq!(
            usd_balance(w.deployer.address()).await - treasury_before,
            U256::from(120_000)
        );
        assert_eq!(
            usd_balance(w.tenant.address()).await - tenant_before,
            U256::from(3_880_000)
        );

        // Liveness challenges: node 2 answers with a fresh signed probe
        // naming the challenge; node 1 stays silent and loses.
        let challenger = key("challenger");
        w.fund(challenger.address()).await?;
        w.give(&challenger, spon(10_000), w.challenges).await?;
        let open = |node: Address| C::openChallengeCall {
            kind: 0,
            node,
            lease_id: 0,
            commitment: B256::ZERO,
        };
        w.send(&challenger, w.challenges, open(w.nodes[2].address()))
            .await?;
        let honest = w.view(w.challenges, C::countCall {}).await?.count;
        w.probe(2, &HOPPER, honest).await?;
        w.send(&relayer, w.challenges, C::answerLivenessCall { id: honest })
            .await?;
        assert_eq!(challenge_state(&w, honest).await, 4, "passed");

        w.send(&challenger, w.challenges, open(node1)).await?;
        let silent = w.view(w.challenges, C::countCall {}).await?.count;
        w.travel(3_601).await?;
        let logs = w
            .send_logs(&relayer, w.challenges, C::resolveCall { id: silent })
            .await?;
        assert!(logs
            .iter()
            .any(|l| l.topics().first() == Some(&C::SlashScheduled::SIGNATURE_HASH)));
        assert_eq!(challenge_state(&w, silent).await, 5, "slash pending");
        let early = w
            .send(&relayer, w.challenges, C::executeSlashCall { id: silent })
            .await;
        assert!(format!("{:#}", early.unwrap_err()).contains("TooEarly"));
        w.travel(spon_protocol::MAX_DECISION_TIME + DAY + 1).await?;
        w.send(&relayer, w.challenges, C::executeSlashCall { id: silent })
            .await?;
        assert_eq!(challenge_state(&w, silent).await, 6, "slashed");
        // 1% of the pool: the delegator keeps 9,900 of its 10,000.
        let kept = w
            .view(
                w.staking,
                S::delegationOfCall {
                    provider: node1,
                    delegator: delegator.address(),
                },
            )
            .await?
            .delegation;
        assert_eq!(kept, spon(9_900));

        // GPU-work challenges: node 0 computes C = A·B honestly and passes;
        // node 2 commits a wrong C, its opened entries are refused with
        // `WrongEntry`, and it loses when the window closes.
        let secret = B256::repeat_byte(0x5e);
        for (n, cheat) in [(0usize, false), (2, true)] {
            let node = w.nodes[n].address();
            let open = C::openChallengeCall {
                kind: 1,
                node,
                lease_id: 0,
                commitment: spon_gpu_work::commitment(challenger.address(), secret),
            };
            w.send(&challenger, w.challenges, open).await?;
            let id = w.view(w.challenges, C::countCall {}).await?.count;
            let work = w.view(w.challenges, C::gpuWorkOfCall { id }).await?.gpuWork;
            let (seed, size, samples) = (work.seed, work.n, u32::from(work.k));
            let mut c = product(&seed, size);
            if cheat {
                for v in &mut c {
                    *v ^= 1;
                }
            }
            let tree = gpu_tree(&c);
            w.send(
                &w.nodes[n],
                w.challenges,
                C::commitGpuWorkCall {
                    id,
                    root: tree.root(),
                },
            )
            .await?;
            w.send(
                &challenger,
                w.challenges,
                C::revealSampleCall { id, secret },
            )
            .await?;
            let sample_seed = w
                .view(w.challenges, C::gpuWorkOfCall { id })
                .await?
                .gpuWork
                .sampleSeed;
            let cells = sample_entries(&sample_seed, size, samples, &mut Work::default());
            let answer = C::proveGpuWorkCall {
                id,
                answer: gpu_open(&tree, &c, &cells).into(),
            };
            let proved = w.send(&w.nodes[n], w.challenges, answer).await;
            if cheat {
                assert!(format!("{:#}", proved.unwrap_err()).contains("WrongEntry"));
                w.travel(3_601).await?;
                w.send(&relayer, w.challenges, C::resolveCall { id })
                    .await?;
                assert_eq!(challenge_state(&w, id).await, 5, "lost: slash pending");
            } else {
                proved?;
                assert_eq!(challenge_state(&w, id).await, 4, "passed");
            }
        }

        // Unbonding and withdrawal after the unbonding period.
        let logs = w
            .send_logs(
                &delegator,
                w.staking,
                S::undelegateCall {
                    provider: node1,
                    amount: kept,
                },
            )
            .await?;
        let started = logs
            .iter()
            .find_map(|l| S::UnbondingStarted::decode_log_data(l, true).ok())
            .expect("UnbondingStarted");
        let withdraw = S::withdrawCall {
            request_id: started.requestId,
        };
        let early = w.send(&delegator, w.staking, withdraw.clone()).await;
        assert!(format!("{:#}", early.unwrap_err()).contains("UnbondingNotFinished"));
        w.travel(14 * DAY + 1).await?;
        let before = balance(&w, delegator.address()).await;
        w.send(&delegator, w.staking, withdraw).await?;
        assert_eq!(balance(&w, delegator.address()).await - before, spon(9_900));

        // A proposal changes the market's bid window.
        let window = U256::from(7_200);
        w.govern(vec![(
            w.market,
            M::setParameterCall {
                id: 0,
                value: window,
            }
            .abi_encode(),
        )])
        .await?;
        assert_eq!(
            w.view(w.market, M::parameterCall { id: 0 })
                .await?
                .parameter,
            window
        );

        // Every view of every contract, called as a dapp calls it and
        // decoded by alloy's dynamic ABI decoder from the exported JSON ABI
        // alone (not the generated bindings): struct results by field name.
        let decoded = every_view_decodes(&w).await?;
        assert!(decoded >= 60, "{decoded} views decoded");

        // The generated `#[sol(rpc)]` bindings, as a dapp in Rust uses them:
        // a contract instance over a provider, views read by field name.
        let registry = R::new(w.registry, spon_e2e::rpc::provider(&w.url));
        let who = w.nodes[0].address();
        let node = registry.nodeOf(who).call().await?.node;
        let same = w.view(w.registry, R::nodeOfCall { node: who }).await?.node;
        assert_ne!(node.class, 0, "a registered node");
        assert_eq!(
            (node.state, node.class, node.hardware, node.probeKey),
            (same.state, same.class, same.hardware, same.probeKey)
        );
        anyhow::Ok(())
    })
    .unwrap();
}
