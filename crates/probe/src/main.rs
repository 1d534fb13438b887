//! `spon-probe`: measures a SPON node's GPUs (or its CPU where there is
//! none), commits signed reports to the registry, answers challenges and
//! serves its reports to auditors.

use std::{path::PathBuf, time::Duration};

use alloy_primitives::Address;
use alloy_provider::Provider;
use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use spon_client::{args::ChainArgs, Client, Deployment};
use spon_probe::{
    report::{self, Settings},
    service::Probe,
};

/// Environment variable holding the probe key.
const KEY_ENV: &str = "SPON_PROBE_KEY";

/// The SPON GPU probe.
///
/// Detects GPUs through NVML and benchmarks them through CUDA (dense GEMM
/// in FP32/FP16/BF16, device-memory and host↔device bandwidth); where no
/// GPU is found it says so and measures the CPU instead. Network figures
/// come from peers running `spon-probe peer`. Reports are versioned JSON;
/// their keccak256 and packed summary are committed to the registry,
/// signed by the node's probe key (SPON_PROBE_KEY or --keystore), which
/// also pays the gas.
#[derive(Parser, Debug)]
#[command(version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Measure this machine and print the report (nothing is sent).
    Measure {
        #[command(flatten)]
        measure: Bench,
        /// The node the report is for.
        #[arg(long, default_value_t = Address::ZERO)]
        node: Address,
        /// Also write the report to this file.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Measure, keep the report, sign it and commit it to the registry.
    Commit {
        #[command(flatten)]
        chain: Chain,
        #[command(flatten)]
        measure: Bench,
        /// Name this challenge in the commitment (a liveness answer).
        #[arg(long, default_value_t = 0)]
        challenge: u64,
    },
    /// Answer the challenges opened against the node (liveness with a
    /// fresh probe; GPU work by computing C = A·B, committing its root
    /// within the timed deadline and opening the sampled entries), commit a probe in each rewards era (the
    /// node's check-in needs one), and serve reports to auditors.
    Watch {
        #[command(flatten)]
        chain: Chain,
        #[command(flatten)]
        measure: Bench,
        /// Seconds between rounds.
        #[arg(long, default_value_t = 5)]
        interval_secs: u64,
        /// Stop after this many rounds (default: until ctrl-c).
        #[arg(long)]
        rounds: Option<u64>,
        /// Serve the reports on this address while watching.
        #[arg(long)]
        serve: Option<String>,
    },
    /// Serve kept reports to auditors: GET /reports/<hash>.
    Serve {
        /// Listen address.
        #[arg(long, default_value = "127.0.0.1:8650")]
        listen: String,
        /// The directory of kept reports.
        #[arg(long, default_value = "spon-probe-reports")]
        reports: PathBuf,
    },
    /// Answer other nodes' network measurements (ping echo and upload sink).
    Peer {
        /// Listen address.
        #[arg(long, default_value = "0.0.0.0:8651")]
        listen: String,
    },
    /// Time the GPU-work prover at each size: C = A·B on the GPU (the
    /// NVRTC kernel) and on every CPU core, C's Merkle root, the time to a
    /// committed root; and check C against the verifier's entries. Prints
    /// a Markdown table (nothing is sent).
    GpuWork {
        /// Matrix sizes (powers of two, 8 to 65,536).
        #[arg(default_values_t = [1_024u32, 4_096, 8_192])]
        sizes: Vec<u32>,
        /// Largest size the CPU prover is timed at (it needs minutes past
        /// 8,192).
        #[arg(long, default_value_t = 8_192)]
        cpu_max: u32,
        /// Time the CPU prover only.
        #[arg(long)]
        cpu_only: bool,
    },
}

/// What to measure.
#[derive(Args, Debug)]
struct Bench {
    /// Repetitions of every benchmark (the report keeps their spread).
    #[arg(long, default_value_t = 5)]
    runs: u32,
    /// GPU GEMM matrix order.
    #[arg(long, default_value_t = 8192)]
    gemm_n: usize,
    /// GEMMs per timed GPU run.
    #[arg(long, default_value_t = 20)]
    gemm_iters: u32,
    /// CPU GEMM matrix order (CPU backend).
    #[arg(long, default_value_t = 1024)]
    cpu_gemm_n: usize,
    /// MiB per memory copy (GPU: device and host copies; CPU: the copy).
    #[arg(long, default_value_t = 256)]
    copy_mib: usize,
    /// A peer running `spon-probe peer` (host:port); repeatable.
    #[arg(long = "peer")]
    peers: Vec<String>,
    /// MiB per upload to a peer.
    #[arg(long, default_value_t = 64)]
    upload_mib: u64,
    /// Measure the CPU even if a GPU is found.
    #[arg(long)]
    cpu_only: bool,
    /// Measure nothing: report the node's declared hardware at its GPU
    /// class's reference figures (the report says `"backend":
    /// "simulated"`); GPU-work answers run on the CPU. For a spon-devnet
    /// standing in for GPUs it does not have: refused on any other chain.
    #[arg(long, conflicts_with = "cpu_only")]
    simulate: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

impl Bench {
    fn settings(&self) -> Settings {
        Settings {
            runs: self.runs,
            gpu_gemm_n: self.gemm_n,
            gpu_gemm_iters: self.gemm_iters,
            gpu_copy_bytes: self.copy_mib << 20,
            cpu_gemm_n: self.cpu_gemm_n,
            cpu_copy_bytes: self.copy_mib << 20,
            peers: self.peers.clone(),
            upload_bytes: self.upload_mib << 20,
            cpu_only: self.cpu_only,
            simulate: self.simulate,
            ..Settings::default()
        }
    }
}

/// Where the node and its contracts are.
#[derive(Args, Debug)]
struct Chain {
    #[command(flatten)]
    chain: ChainArgs,
    /// The deployment record from scripts/deploy (contract addresses)
    /// [default: deployments/<chainId>.json, the chain's id asked of the
    /// endpoint].
    #[arg(long, env = "SPON_DEPLOYMENT")]
    deployment: Option<PathBuf>,
    /// The node probed (its registry address).
    #[arg(long)]
    node: Address,
    /// Where reports are kept.
    #[arg(long, default_value = "spon-probe-reports")]
    reports: PathBuf,
}

impl Chain {
    async fn probe(&self, measure: &Bench) -> Result<Probe> {
        let key = self.chain.signer(KEY_ENV)?;
        let client = Client::connect(self.chain.url(), key.clone()).await?;
        if measure.simulate {
            let version = client.provider().get_client_version().await?;
            anyhow::ensure!(
                version.starts_with("spon-devnet/"),
                "--simulate is refused: {} is not a spon-devnet (it is {version}); a real node's probe measures its GPUs",
                self.chain.url()
            );
        }
        let (deployment, _) = Deployment::find(self.deployment.as_deref(), &client)?;
        let (challenges, start) = deployment.contract("spon-challenges")?;
        let probe = Probe::new(
            client,
            key,
            self.node,
            (deployment.address("spon-registry")?, challenges),
            measure.settings(),
            self.reports.clone(),
            start,
        );
        // Deployments from before the rewards contract have none.
        Ok(match deployment.address("spon-rewards") {
            Ok(rewards) => probe.with_rewards(rewards),
            Err(_) => probe,
        })
    }
}

async fn listener(addr: &str) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

/// `spon-probe gpu-work`: the prover's times per backend and size.
fn gpu_work(sizes: &[u32], cpu_max: u32, cpu_only: bool) -> Result<()> {
    use spon_probe::{gpu::Cuda, prove::Answer};
    if let Some(n) = sizes.iter().find(|&&n| !spon_gpu_work::valid_size(n)) {
        anyhow::bail!("{n} is not a GPU-work size (a power of two, 8 to 65,536)");
    }
    let gpu = if cpu_only {
        None
    } else {
        match Cuda::open(0) {
            Ok(gpu) => Some(gpu),
            Err(e) => {
                eprintln!("no GPU: {e:#}; timing the CPU prover only");
                None
            }
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    println!(
        "| backend | n | C = A·B | int8 TOPS | Merkle root | to a committed root | C agrees with the verifier |"
    );
    println!("|---|---|---|---|---|---|---|");
    for &n in sizes {
        let backends = [
            gpu.as_ref().map(|g| (Some(g), "cuda".to_string())),
            (n <= cpu_max).then(|| {
                (
                    None,
                    format!("cpu ({threads} threads, {})", spon_gpu_work::cpu::simd()),
                )
            }),
        ];
        for (device, name) in backends.into_iter().flatten() {
            let seed = alloy_primitives::keccak256(n.to_be_bytes());
            let (answer, t) = Answer::timed(&seed, n, device)?;
            let ops = 2.0 * f64::from(n).powi(3);
            println!(
                "| {name} | {n} | {:.1} ms | {:.3} | {:.1} ms | {:.1} ms | {} |",
                t.product.as_secs_f64() * 1e3,
                ops / t.product.as_secs_f64() / 1e12,
                t.hashing.as_secs_f64() * 1e3,
                (t.product + t.hashing).as_secs_f64() * 1e3,
                if answer.agrees_with_the_verifier(&seed, 64) {
                    "yes"
                } else {
                    "NO"
                },
            );
        }
    }
    Ok(())
}

fn main() -> Result<()> {
    spon_client::init_logging("spon_probe=info");
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match cli.command {
            Command::Measure { measure, node, out } => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)?
                    .as_secs();
                let report =
                    report::measure(&measure.settings(), node, now, None, !measure.quiet).await?;
                let bytes = report.to_bytes();
                if let Some(path) = out {
                    std::fs::write(&path, &bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                println!("{}", String::from_utf8(bytes)?);
            }
            Command::Commit {
                chain,
                measure,
                challenge,
            } => {
                let probe = chain.probe(&measure).await?;
                let report = probe.commit(challenge, !measure.quiet).await?;
                println!(
                    "{}",
                    serde_json::json!({
                        "node": probe.node,
                        "reportHash": report.hash(),
                        "summary": report.summary,
                        "backend": report.backend,
                        "noGpu": report.no_gpu,
                        "verifiesDeclared": report.verifies_declared(),
                    })
                );
            }
            Command::Watch {
                chain,
                measure,
                interval_secs,
                rounds,
                serve,
            } => {
                let mut probe = chain.probe(&measure).await?;
                if let Some(addr) = serve {
                    let l = listener(&addr).await?;
                    tokio::spawn(spon_probe::serve::serve(l, chain.reports.clone()));
                }
                probe
                    .run(Duration::from_secs(interval_secs), rounds)
                    .await?;
            }
            Command::Serve { listen, reports } => {
                spon_probe::serve::serve(listener(&listen).await?, reports).await?;
            }
            Command::Peer { listen } => {
                spon_probe::net::serve(listener(&listen).await?).await?;
            }
            Command::GpuWork {
                sizes,
                cpu_max,
                cpu_only,
            } => gpu_work(&sizes, cpu_max, cpu_only)?,
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
