//! The probe against the whole protocol on the devnet over JSON-RPC: its
//! signed reports are accepted by the registry and move the node's tier;
//! it answers liveness and GPU-work challenges and wins them; a tampered
//! product loses; it commits one probe in each rewards era.

use alloy_primitives::{keccak256, Address, B256};
use spon_client::{
    bindings::{Challenges as C, Registry as R, Rewards},
    Client,
};
use spon_e2e::{
    rpc::{key, probe_signer, world, World, DAY},
    spon, HOPPER,
};
use spon_probe::{
    gpu::{Found, GpuFacts},
    net::PeerFigures,
    prove::Answer,
    report::{self, Backend, Measurement, Report, Settings},
    service::{Action, Probe},
    stats::Stats,
};
use spon_protocol::states::ChallengeState;

const PASSED: u8 = ChallengeState::Passed as u8;
const SLASH_PENDING: u8 = ChallengeState::SlashPending as u8;

async fn probe_of(w: &World, n: usize) -> Probe {
    let signer = probe_signer(n);
    w.fund(signer.address()).await.unwrap();
    let client = Client::connect(&w.url, signer.clone()).await.unwrap();
    let settings = Settings {
        runs: 2,
        cpu_gemm_n: 64,
        cpu_copy_bytes: 1 << 16,
        cpu_only: true,
        ..Settings::default()
    };
    Probe::new(
        client,
        signer,
        w.nodes[n].address(),
        (w.registry, w.challenges),
        settings,
        w.dir.join(format!("reports-{n}")),
        0,
    )
}

/// A report as an 8 × H100 node with a 9.4 Gbit/s peer would produce (the
/// devnet machine has no GPU; the figures are the fixture's, the path to
/// the chain is the real one).
fn hopper_report(node: Address, created: u64) -> Report {
    let s = |x: f64| Stats::of(&[x, x]).unwrap();
    let gpus: Vec<GpuFacts> = (0..8)
        .map(|index| GpuFacts {
            index,
            name: "NVIDIA H100 80GB HBM3".into(),
            uuid: format!("GPU-{index}"),
            pci_bus_id: format!("00000000:{index:02X}:00.0"),
            pci_device_id: 0x2330_10de,
            vram_mib: u64::from(HOPPER.vram_mib),
            sm_clock_max_mhz: 1_980,
            mem_clock_max_mhz: 2_619,
            compute_capability: "9.0".into(),
        })
        .collect();
    let measurements: Vec<Measurement> = (0..8)
        .flat_map(|g| {
            [
                ("gemm_fp16", 700.0, "TFLOP/s"),
                ("device_memory", 2_900.0, "GB/s"),
            ]
            .map(|(name, x, unit)| Measurement {
                name: name.into(),
                gpu: Some(g),
                unit: unit.into(),
                size: 8192,
                stats: s(x),
            })
        })
        .collect();
    let network = vec![PeerFigures {
        peer: "peer.example:8651".into(),
        latency_us: s(800.0),
        bandwidth_mbps: s(9_400.0),
    }];
    let devices = Found {
        driver: "550.54.15".into(),
        cuda_driver: 12_040,
        gpus,
    };
    let summary = report::summarise(
        Backend::Cuda,
        created,
        Some(&devices),
        &measurements,
        &network,
    );
    Report {
        schema: report::SCHEMA.into(),
        node,
        created,
        backend: Backend::Cuda,
        no_gpu: None,
        devices: Some(devices),
        cpu_cores: 224,
        measurements,
        network,
        declared: Some((&HOPPER).into()),
        summary,
    }
}

#[test]
fn reports_are_accepted_by_the_registry_and_move_the_tier() {
    let (w, rt) = world("probe-reports");
    rt.block_on(async {
        let probe = probe_of(&w, 0).await;
        let node = probe.node;
        let tier = |w: &World| {
            let client = &probe.client;
            let registry = w.registry;
            async move {
                client
                    .view(registry, R::tierOfCall { node })
                    .await
                    .unwrap()
                    .tier
            }
        };
        let before = probe
            .client
            .view(w.registry, R::probeOfCall { node })
            .await
            .unwrap();

        // A GPU report that backs the declared 8 × Hopper: trusted tier.
        let gpu = hopper_report(node, probe.client.now().await.unwrap());
        assert_eq!(gpu.verifies_declared(), Some(true));
        probe.commit_report(&gpu, 0).await.unwrap();
        let on_chain = probe
            .client
            .view(w.registry, R::probeOfCall { node })
            .await
            .unwrap();
        assert_eq!(on_chain.probe.reportHash, gpu.hash());
        assert_eq!(on_chain.probe.summary, gpu.packed_summary());
        assert_eq!(
            on_chain.probe.nextNonce,
            before.probe.nextNonce + 1,
            "nonce"
        );
        let trusted = tier(&w).await;
        assert!(trusted <= 6, "trusted tier, got {trusted}");

        // The real measurement of this machine: the CPU, no GPU, said
        // plainly; the registry accepts it and the node is no longer
        // trusted for its GPU spec.
        let cpu = probe.commit(0, false).await.unwrap();
        assert_eq!(cpu.backend, Backend::Cpu);
        assert!(cpu.no_gpu.is_some());
        let on_chain = probe
            .client
            .view(w.registry, R::probeOfCall { node })
            .await
            .unwrap();
        assert_eq!(on_chain.probe.reportHash, cpu.hash());
        assert_eq!(tier(&w).await, 7, "untrusted");

        // The kept report is the committed bytes, served by hash.
        let path = probe.reports.join(format!("{}.json", cpu.hash()));
        assert_eq!(keccak256(std::fs::read(&path).unwrap()), cpu.hash());
        let (status, body) =
            spon_probe::serve::answer(&probe.reports, &format!("/reports/{}", cpu.hash()));
        assert_eq!((status.as_u16(), keccak256(body)), (200, cpu.hash()));

        // A report signed by another key is refused, by name.
        let stranger = Probe::new(
            probe.client.clone(),
            key("stranger"),
            node,
            (w.registry, w.challenges),
            Settings::default(),
            probe.reports.clone(),
            0,
        );
        let refused = stranger.commit_report(&gpu, 0).await.unwrap_err();
        assert!(
            format!("{refused:#}").contains("refused: WrongSigner"),
            "{refused:#}"
        );
    });
}

#[test]
fn the_probe_answers_challenges_and_a_tampered_product_loses() {
    let (w, rt) = world("probe-challenges");
    rt.block_on(async {
        let challenger = key("challenger");
        w.fund(challenger.address()).await.unwrap();
        w.give(&challenger, spon(10_000), w.challenges)
            .await
            .unwrap();
        let secret = B256::repeat_byte(0x5e);
        let open = |kind: u8, node: Address| C::openChallengeCall {
            kind,
            node,
            lease_id: 0,
            commitment: if kind == 1 {
                spon_gpu_work::commitment(challenger.address(), secret)
            } else {
                B256::ZERO
            },
        };
        let state = |id: u64| {
            let w = &w;
            async move {
                w.view(w.challenges, C::challengeOfCall { id })
                    .await
                    .unwrap()
                    .challenge
                    .state
            }
        };
        let count = || async { w.view(w.challenges, C::countCall {}).await.unwrap().count };

        // Liveness: the watching probe commits a fresh probe naming the
        // challenge and answers it.
        let mut honest = probe_of(&w, 0).await;
        w.send(&challenger, w.challenges, open(0, honest.node))
            .await
            .unwrap();
        let liveness = count().await;
        assert_eq!(
            honest.round().await.unwrap(),
            vec![Action::AnsweredLiveness(liveness)]
        );
        assert_eq!(state(liveness).await, PASSED);

        // GPU work: commit C's root, wait for the sample, open the rows.
        w.send(&challenger, w.challenges, open(1, honest.node))
            .await
            .unwrap();
        let work = count().await;
        assert_eq!(
            honest.round().await.unwrap(),
            vec![Action::CommittedGpuWork(work)]
        );
        assert_eq!(
            honest.round().await.unwrap(),
            vec![],
            "waits for the sample"
        );
        w.send(
            &challenger,
            w.challenges,
            C::revealSampleCall { id: work, secret },
        )
        .await
        .unwrap();
        assert_eq!(
            honest.round().await.unwrap(),
            vec![Action::ProvedGpuWork(work)]
        );
        assert_eq!(state(work).await, PASSED);
        // Over: nothing more to do.
        assert_eq!(honest.round().await.unwrap(), vec![]);

        // A node that tampers with C: its opened entries are refused by name
        // and it loses when the window closes.
        let cheat = probe_of(&w, 1).await;
        w.send(&challenger, w.challenges, open(1, cheat.node))
            .await
            .unwrap();
        let id = count().await;
        let Answer {
            n, mut c, backend, ..
        } = cheat.compute(id).await.unwrap();
        for v in &mut c {
            *v ^= 1;
        }
        let tampered = Answer {
            tree: spon_gpu_work::tree(&c),
            n,
            c,
            backend,
        };
        cheat.commit_gpu_work(id, &tampered).await.unwrap();
        w.send(
            &challenger,
            w.challenges,
            C::revealSampleCall { id, secret },
        )
        .await
        .unwrap();
        let refused = cheat.prove_gpu_work(id, &tampered).await.unwrap_err();
        assert!(format!("{refused:#}").contains("WrongEntry"), "{refused:#}");
        w.travel(3_601).await.unwrap();
        w.send(&challenger, w.challenges, C::resolveCall { id })
            .await
            .unwrap();
        assert_eq!(state(id).await, SLASH_PENDING);
    });
}

#[test]
fn the_probe_commits_once_in_each_era() {
    let (w, rt) = world("probe-eras");
    rt.block_on(async {
        let node = w.nodes[0].address();
        let probe = probe_of(&w, 0).await.with_rewards(w.rewards);
        let latest = || async {
            let p = w.view(w.registry, R::probeOfCall { node }).await.unwrap();
            spon_node::ProbeSummary::unpack(&p.probe.summary.to_be_bytes()).timestamp
        };
        // The set-up probed the node in this era already.
        assert!(!probe.era_probe(w.rewards).await.unwrap());
        let before = latest().await;
        w.travel(DAY).await.unwrap();
        assert!(probe.era_probe(w.rewards).await.unwrap());
        assert!(!probe.era_probe(w.rewards).await.unwrap());
        let era = w
            .view(w.rewards, Rewards::currentEraCall {})
            .await
            .unwrap()
            .currentEra;
        let after = latest().await;
        assert!(
            after > before && after >= era.startsAt,
            "{before} {after} {}",
            era.startsAt
        );
    });
}
