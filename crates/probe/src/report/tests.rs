use super::*;
use crate::gpu::GpuFacts;

fn stats(median: f64) -> Stats {
    Stats::of(&[median * 0.99, median, median * 1.01]).unwrap()
}

fn gpu(index: u32) -> GpuFacts {
    GpuFacts {
        index,
        name: "NVIDIA H100 80GB HBM3".into(),
        uuid: format!("GPU-{index}"),
        pci_bus_id: format!("00000000:{index:02X}:00.0"),
        pci_device_id: 0x2330_10de,
        vram_mib: 81_559,
        sm_clock_max_mhz: 1_980,
        mem_clock_max_mhz: 2_619,
        compute_capability: "9.0".into(),
    }
}

#[test]
fn a_gpu_summary_sums_tensor_throughput_and_keeps_the_slowest_memory() {
    let found = Found {
        driver: "550.54.15".into(),
        cuda_driver: 12_040,
        gpus: vec![gpu(0), gpu(1)],
    };
    let mut m = Vec::new();
    for (g, fp16, bf16, memory) in [(0, 700.0, 690.0, 2_900.0), (1, 650.0, 660.0, 2_800.0)] {
        m.push(measurement(
            "gemm_fp16",
            Some(g),
            "TFLOP/s",
            8192,
            stats(fp16),
        ));
        m.push(measurement(
            "gemm_bf16",
            Some(g),
            "TFLOP/s",
            8192,
            stats(bf16),
        ));
        m.push(measurement(
            "device_memory",
            Some(g),
            "GB/s",
            1 << 30,
            stats(memory),
        ));
    }
    let peer = |bw: f64, lat: f64| PeerFigures {
        peer: "p".into(),
        latency_us: stats(lat),
        bandwidth_mbps: stats(bw),
    };
    let s = summarise(
        Backend::Cuda,
        1_700,
        Some(&found),
        &m,
        &[peer(9_000.0, 300.0), peer(8_000.0, 900.0)],
    );
    assert_eq!(
        s,
        ProbeSummary {
            timestamp: 1_700,
            gemm_gflops: 1_360_000,
            mem_bandwidth_gbps: 2_800,
            vram_mib: 163_118,
            gpu_count: 2,
            net_bandwidth_mbps: 8_000,
            latency_us: 900,
            flags: FLAG_GPU,
        }
    );
    assert_eq!(ProbeSummary::unpack(&s.pack()), s);
}

#[test]
fn the_cpu_backend_says_so_and_claims_no_gpu() {
    let m = vec![
        measurement("cpu_gemm_fp32", None, "GFLOP/s", 256, stats(80.0)),
        measurement("cpu_memory", None, "GB/s", 1 << 20, stats(12.5)),
    ];
    let s = summarise(Backend::Cpu, 5, None, &m, &[]);
    assert_eq!(
        (
            s.gemm_gflops,
            s.mem_bandwidth_gbps,
            s.gpu_count,
            s.vram_mib,
            s.flags
        ),
        (80, 12, 0, 0, 0)
    );
    assert!(!s.on_gpu());
}

#[tokio::test]
async fn a_cpu_only_report_is_honest_and_its_hash_is_of_its_bytes() {
    let settings = Settings {
        runs: 2,
        cpu_gemm_n: 64,
        cpu_copy_bytes: 1 << 16,
        cpu_only: true,
        ..Settings::default()
    };
    let declared = Hardware {
        gpu_model: spon_node::hardware::gpu::HOPPER,
        gpu_count: 1,
        vram_mib: 81_920,
        bandwidth_mbps: 10_000,
        ..Hardware::default()
    };
    let report = measure(
        &settings,
        Address::with_last_byte(9),
        42,
        Some(&declared),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        (report.schema.as_str(), report.backend),
        (SCHEMA, Backend::Cpu)
    );
    assert!(report.no_gpu.as_deref().unwrap().contains("--cpu-only"));
    assert!(report.devices.is_none());
    assert_eq!(report.measurements.len(), 2);
    assert!(report
        .measurements
        .iter()
        .all(|m| m.stats.runs == 2 && m.stats.min > 0.0));
    assert_eq!(report.summary.flags, 0);
    // A CPU measurement never backs a GPU spec.
    assert_eq!(report.verifies_declared(), Some(false));
    let bytes = report.to_bytes();
    let back: Report = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(back, report);
    assert_eq!(back.to_bytes(), bytes);
    assert_eq!(report.hash(), keccak256(&bytes));
}

#[test]
fn figures_saturate_at_the_packed_limits() {
    let m = vec![measurement(
        "cpu_gemm_fp32",
        None,
        "GFLOP/s",
        1,
        stats(1e12),
    )];
    assert_eq!(
        summarise(Backend::Cpu, 0, None, &m, &[]).gemm_gflops,
        u32::MAX
    );
}

#[tokio::test]
async fn a_simulated_report_says_so_and_verifies_what_is_declared() {
    use spon_node::hardware::gpu;
    for class in [gpu::HOPPER, gpu::BLACKWELL, gpu::RTX_40, gpu::APPLE] {
        let declared = Hardware {
            gpu_model: class,
            gpu_count: 4,
            vram_mib: 24_576,
            bandwidth_mbps: 1_000,
            ..Hardware::default()
        };
        let settings = Settings {
            simulate: true,
            ..Settings::default()
        };
        let report = measure(
            &settings,
            Address::with_last_byte(3),
            7,
            Some(&declared),
            false,
        )
        .await
        .unwrap();
        assert_eq!(report.backend, Backend::Simulated);
        assert!(report.measurements.is_empty() && report.devices.is_none());
        assert_eq!(report.verifies_declared(), Some(true), "class {class}");
        assert_eq!(
            report.summary.gemm_gflops,
            4 * reference(class).0,
            "class {class}"
        );
        assert_eq!(report.summary.timestamp, 7);
    }
    let refused = measure(
        &Settings {
            simulate: true,
            ..Settings::default()
        },
        Address::ZERO,
        0,
        None,
        false,
    )
    .await;
    assert!(refused.is_err(), "nothing declared, nothing to simulate");
}

proptest::proptest! {
    /// Whatever a node declares, the simulated summary verifies it (the
    /// devnet's stand-in never makes a node look worse than it said), and
    /// states no more GPUs or memory than declared.
    #[test]
    fn a_simulated_summary_verifies_exactly_what_is_declared(
        gpu_model in proptest::prelude::any::<u16>(),
        gpu_count in 0u16..=1_024,
        vram_mib in 0u32..=1 << 20,
        bandwidth_mbps in proptest::prelude::any::<u32>(),
        created in proptest::prelude::any::<u64>(),
    ) {
        let spec = Hardware {
            gpu_model,
            gpu_count,
            vram_mib,
            bandwidth_mbps,
            ..Hardware::default()
        };
        let s = simulated(&spec, created);
        proptest::prop_assert!(s.verifies(&spec));
        proptest::prop_assert_eq!(s.gpu_count, gpu_count);
        proptest::prop_assert_eq!(u64::from(s.vram_mib), spec.total_vram_mib().min(u64::from(u32::MAX)));
        proptest::prop_assert_eq!(s.net_bandwidth_mbps, bandwidth_mbps);
        proptest::prop_assert_eq!(s.timestamp, created);
    }
}
