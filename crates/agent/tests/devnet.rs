//! The agent against the whole protocol on the devnet over JSON-RPC: it
//! bids on an order its pricing takes and skips one it does not, wins the
//! lease, and takes the tenant's manifest over mutual TLS only when it is
//! the one whose hash the tenant recorded on chain, runs it, shows its
//! status to its tenant alone and stops it when the tenant closes the
//! lease; and it checks its node
//! in for each era once the era's probe is committed, and claims the era's
//! reward into its pool when it is claimable.

use std::sync::Arc;

use alloy_primitives::{keccak256, B256, U256};
use alloy_signer::SignerSync;
use spon_agent::{
    bidder::{Bidder, Outcome},
    manifest::{digest, read_digest, Post},
    pricing::{Pricing, Rule, Skip},
    rewards::{EraRewards, Step},
    runtime::{self, Runtime, State},
    server::{self, Endpoint},
    tls::Identity,
    workload::Offer,
};
use spon_client::{
    bindings::{Leases, Market, Registry, Rewards, Token},
    Client,
};
use spon_e2e::{
    rpc::{world, World, DAY},
    spon,
};

fn pricing(w: &World, floor_spon: u64) -> Pricing {
    Pricing {
        max_leases: 2,
        rules: vec![Rule {
            token: w.token,
            floor_per_gpu_hour: spon(floor_spon),
            gpu_model: None,
            region: Some("DE".into()),
        }],
    }
}

fn signed(w: &World, lease_id: u64, manifest: &str, cert: B256) -> Post {
    let d = digest(
        spon_devnet::CHAIN_ID,
        w.market,
        lease_id,
        keccak256(manifest.as_bytes()),
        cert,
    );
    Post {
        lease_id,
        manifest: manifest.into(),
        signature: w
            .tenant
            .sign_message_sync(d.as_slice())
            .unwrap()
            .as_bytes()
            .to_vec()
            .into(),
    }
}

#[test]
fn the_agent_bids_wins_and_takes_only_the_recorded_manifest() {
    let (w, rt) = world("agent");
    rt.block_on(async {
        let node = Client::connect(&w.url, w.nodes[0].clone()).await.unwrap();
        // The endpoint's certificate, registered on chain by the node.
        let (identity, _) = Identity::self_signed(&["localhost"]).unwrap();
        node.send(
            w.registry,
            Registry::setEndpointCall {
                endpoint: "https://localhost/manifests".into(),
                tls_cert_hash: identity.hash(),
            },
        )
        .await
        .unwrap();

        // An order of 4 × Hopper at up to 10 SPON/h: at 2 SPON per
        // GPU-hour the agent bids 8; a second agent with a 3 SPON floor
        // (12 > 10) skips it.
        let order = w.order().await.unwrap();
        let mut bidder = Bidder::new(node.clone(), (w.market, w.registry), pricing(&w, 2), 0);
        assert_eq!(
            bidder.round().await.unwrap(),
            vec![(order, Outcome::Bid(spon(8)))]
        );
        assert_eq!(bidder.round().await.unwrap(), vec![], "each order once");
        let dear = Client::connect(&w.url, w.nodes[1].clone()).await.unwrap();
        let mut other = Bidder::new(dear, (w.market, w.registry), pricing(&w, 3), 0);
        assert_eq!(
            other.round().await.unwrap(),
            vec![(
                order,
                Outcome::Skipped(Skip::AboveMax {
                    price: spon(12),
                    max: spon(10)
                })
            )]
        );

        // Matched and accepted with the manifest's hash: lease `order`.
        let bid = node
            .view(
                w.market,
                Market::liveBidOfCall {
                    order_id: order,
                    node: node.from,
                },
            )
            .await
            .unwrap()
            .liveBid;
        w.propose(order, bid).await.unwrap();
        let manifest = "command = \"sleep\"\nargs = [\"600\"]\ngpus = 4\n";
        w.accept(order, manifest.as_bytes()).await.unwrap();

        // The endpoint, over mutual TLS.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = format!("localhost:{}", listener.local_addr().unwrap().port());
        let dir = w.dir.join("manifests");
        let runtime = Runtime::new(runtime::Config {
            dir: w.dir.join("workloads"),
            offer: Offer {
                allow: [("sleep".to_string(), "/bin/sleep".into())].into(),
                containers: false,
                gpus: 8,
            },
            containers: false,
            manifest_endpoint: None,
            container_runtime: None,
            uid_base: None,
        })
        .await
        .unwrap();
        let endpoint = Arc::new(Endpoint {
            client: node.clone(),
            market: w.market,
            leases: w.leases,
            node: node.from,
            dir: dir.clone(),
            runtime: runtime.clone(),
        });
        tokio::spawn(async move { server::serve(listener, &identity, endpoint).await });
        // The endpoint as a client reads it: the generated binding decodes
        // the named struct.
        let endpoint = w
            .view(w.registry, Registry::endpointOfCall { node: node.from })
            .await
            .unwrap()
            .endpoint;
        let (url, pinned) = (endpoint.uri, endpoint.tlsCertHash);
        assert_eq!(url, "https://localhost/manifests");
        let (tenant_tls, _) = Identity::self_signed(&["tenant"]).unwrap();
        let cert = tenant_tls.hash();

        let (status, body) = server::post(
            &addr,
            pinned,
            &tenant_tls,
            &signed(&w, order, manifest, cert),
        )
        .await
        .unwrap();
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["tenant"], serde_json::json!(w.tenant.address()));
        let kept: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(format!("{order}.json"))).unwrap())
                .unwrap();
        assert_eq!(kept["manifest"], manifest);
        // Taken and run: its tenant reads its status; a stranger cannot.
        let read = |key: &alloy_signer_local::PrivateKeySigner, cert: B256| {
            let d = read_digest(spon_devnet::CHAIN_ID, w.market, order, cert);
            let sig = key.sign_message_sync(d.as_slice()).unwrap();
            hyper::Request::get(format!("/leases/{order}"))
                .header(
                    "x-spon-signature",
                    alloy_primitives::hex::encode(sig.as_bytes()),
                )
                .body(http_body_util::Full::new(hyper::body::Bytes::new()))
                .unwrap()
        };
        let status_now = || async {
            let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
            let (status, body) = server::request(
                stream,
                "localhost",
                pinned,
                &tenant_tls,
                read(&w.tenant, cert),
            )
            .await
            .unwrap();
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&body).unwrap(),
            )
        };
        let (status, body) = status_now().await;
        assert_eq!(
            (status, body["state"].as_str()),
            (200, Some("running")),
            "{body}"
        );
        let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let (status, body) = server::request(
            stream,
            "localhost",
            pinned,
            &tenant_tls,
            read(&w.nodes[1], cert),
        )
        .await
        .unwrap();
        assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));

        // Another manifest, even signed by the tenant, is refused.
        let swapped = signed(&w, order, "image: miner\n", cert);
        let (status, body) = server::post(&addr, pinned, &tenant_tls, &swapped)
            .await
            .unwrap();
        assert_eq!(
            (status, body["error"].as_str()),
            (409, Some("ManifestMismatch")),
            "{body}"
        );
        // Signed for another client certificate: not the tenant's post.
        let (status, body) = server::post(
            &addr,
            pinned,
            &tenant_tls,
            &signed(&w, order, manifest, B256::ZERO),
        )
        .await
        .unwrap();
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("NotTenant")),
            "{body}"
        );
        // An unknown lease.
        let (status, body) =
            server::post(&addr, pinned, &tenant_tls, &signed(&w, 999, manifest, cert))
                .await
                .unwrap();
        assert_eq!(
            (status, body["error"].as_str()),
            (404, Some("UnknownLease")),
            "{body}"
        );
        // A node whose certificate is not the registered one: no handshake.
        let err = server::post(
            &addr,
            B256::repeat_byte(7),
            &tenant_tls,
            &signed(&w, order, manifest, cert),
        )
        .await
        .unwrap_err();
        assert!(
            format!("{err:#}").contains("is not the registered"),
            "{err:#}"
        );

        // The tenant closes the lease: the next watch of the chain stops
        // the workload.
        assert_eq!(
            runtime.reconcile(&node, w.leases).await.unwrap(),
            Vec::<u64>::new()
        );
        w.send(
            &w.tenant,
            w.leases,
            Leases::closeLeaseCall { lease_id: order },
        )
        .await
        .unwrap();
        assert_eq!(
            runtime.reconcile(&node, w.leases).await.unwrap(),
            vec![order]
        );
        for _ in 0..100 {
            if runtime.status(order).unwrap().state == State::Stopped {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let (_, body) = status_now().await;
        assert_eq!(body["state"], "stopped", "{body}");
        assert_eq!(body["reason"], "the lease is closed", "{body}");
    });
}

#[test]
fn the_agent_checks_in_each_era_and_claims_into_its_pool() {
    let (w, rt) = world("agent-rewards");
    rt.block_on(async {
        w.send(
            &w.deployer,
            w.token,
            Token::approveCall {
                spender: w.rewards,
                value: U256::MAX,
            },
        )
        .await?;
        w.send(
            &w.deployer,
            w.rewards,
            Rewards::fundCall {
                amount: spon(20_000),
            },
        )
        .await?;
        let node = w.nodes[0].address();
        let client = Client::connect(&w.url, w.nodes[0].clone()).await?;
        let mut rewards = EraRewards::new(client, w.rewards).await?;

        // Probed in this era by the set-up: checked in once.
        let steps = rewards.round().await?;
        let first = match steps[..] {
            [Step::CheckedIn { era, points }] if points > 0 => era,
            _ => panic!("{steps:?}"),
        };
        assert_eq!(rewards.round().await?, []);

        // The next era: no check-in before its probe.
        w.travel(DAY).await?;
        let steps = rewards.round().await?;
        assert!(
            matches!(&steps[..], [Step::NotYet(e)] if e.starts_with("NotEligible(")),
            "{steps:?}"
        );
        w.probe(0, &spon_e2e::HOPPER, 0).await?;
        let steps = rewards.round().await?;
        assert!(
            matches!(steps[..], [Step::CheckedIn { era, .. }] if era == first + 1),
            "{steps:?}"
        );

        // A day later the first era is claimable: the node was alone in
        // it, so its pool gets the whole budget.
        w.travel(DAY).await?;
        w.probe(0, &spon_e2e::HOPPER, 0).await?;
        let steps = rewards.round().await?;
        assert!(
            matches!(steps[..], [Step::CheckedIn { era, .. }, Step::Paid { era: paid, amount }]
                if era == first + 2 && paid == first && amount == spon(10_000)),
            "{steps:?}"
        );
        let c = w
            .view(w.rewards, Rewards::checkInOfCall { era: first, node })
            .await?
            .checkIn;
        assert_eq!(c.amount, spon(10_000));

        // A restarted agent finds what it still has to claim.
        let client = Client::connect(&w.url, w.nodes[0].clone()).await?;
        let mut again = EraRewards::new(client, w.rewards).await?;
        assert_eq!(again.round().await?, []);
        w.travel(DAY).await?;
        let steps = again.round().await?;
        assert!(
            steps.contains(&Step::Paid {
                era: first + 1,
                amount: spon(10_000),
            }),
            "{steps:?}"
        );
        anyhow::Ok(())
    })
    .unwrap();
}
