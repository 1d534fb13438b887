//! The container backend for real: an image manifest runs in a container
//! of the engine the runtime detects (Podman, else Docker), its port
//! published on the loopback, its limits passed, its output captured, and
//! the container is gone once the runtime stops it. No image registry is
//! needed: the image is `spon-echo` and the libraries it links, imported
//! from a tarball. Where no engine answers, the test says that it skipped.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use spon_agent::{
    runtime::{self, Engine, Runtime, State},
    workload::{Offer, Spec},
};
use spon_e2e::processes::http_get;

const IMAGE: &str = "localhost/spon-echo:test";
const LEASE: u64 = 9_001;

/// `spon-echo` and every library `ldd` says it loads, under `root`.
fn image_tree(root: &Path) {
    let echo = PathBuf::from(env!("CARGO_BIN_EXE_spon-echo"));
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::copy(&echo, root.join("bin/spon-echo")).unwrap();
    let ldd = Command::new("ldd").arg(&echo).output().unwrap();
    for lib in String::from_utf8_lossy(&ldd.stdout)
        .split_whitespace()
        .filter(|w| w.starts_with('/'))
    {
        let to = root.join(lib.trim_start_matches('/'));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(lib, to).unwrap();
    }
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_image_manifest_runs_in_a_container_and_is_gone_once_stopped() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let Some(engine) = Engine::detect().await else {
            eprintln!(
                "SKIPPED: no container engine here (neither `podman info` nor `docker info` answers)"
            );
            return;
        };
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("container-backend");
        let _ = std::fs::remove_dir_all(&dir);
        let root = dir.join("image");
        image_tree(&root);
        let tar = dir.join("image.tar");
        run(
            "tar",
            &["-C", &root.display().to_string(), "-cf", &tar.display().to_string(), "."],
        );
        run(
            engine.program(),
            &[
                "import",
                "--change",
                "ENTRYPOINT [\"/bin/spon-echo\"]",
                &tar.display().to_string(),
                IMAGE,
            ],
        );

        // runc where it is installed: crun refuses a host whose cgroups are
        // in the hybrid layout (v1 controllers with a v2 mount).
        let container_runtime = Path::new("/usr/bin/runc")
            .exists()
            .then(|| "runc".to_string());
        let rt = Runtime::new(runtime::Config {
            dir: dir.join("workloads"),
            offer: Offer {
                allow: Default::default(),
                containers: false,
                gpus: 0,
            },
            containers: true,
            manifest_endpoint: None,
            container_runtime,
            uid_base: None,
        })
        .await
        .unwrap();
        assert_eq!(rt.engine(), Some(engine));
        let manifest = format!(
            "image = \"{IMAGE}\"\nargs = [\"--listen\", \"0.0.0.0:8080\"]\nports = [8080]\n\
             restart = \"never\"\n\n[env]\nGREETING = \"from a container\"\n\n\
             [resources]\nmemory_mb = 256\nprocesses = 64\nopen_files = 1024\n"
        );
        let spec = Spec::parse(&manifest, rt.offer()).unwrap();
        rt.start(LEASE, spec).unwrap();

        // Reached on its published port once the engine has started it.
        let local = rt.status(LEASE).unwrap().ports[&8080];
        let deadline = Instant::now() + Duration::from_secs(60);
        let page = loop {
            match http_get(([127, 0, 0, 1], local).into(), "/hello").await {
                Ok((_, page)) => break page,
                Err(e) => {
                    let status = rt.status(LEASE).unwrap();
                    assert!(
                        status.state == State::Running && Instant::now() < deadline,
                        "{e:#}: {status:?}\n{}",
                        rt.logs(LEASE, 4096).unwrap_or_default()
                    );
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        };
        assert!(
            page.contains("from a container") && page.contains(&format!("hello from lease {LEASE}: GET /hello")),
            "{page}"
        );
        let name = format!("spon-lease-{LEASE}");
        let limits = Command::new(engine.program())
            .args(["inspect", &name, "--format", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}"])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&limits.stdout).trim(),
            "268435456 64",
            "the manifest's memory and process limits"
        );

        // Stopped: the container is gone, its output kept.
        rt.stop(LEASE, "the lease is closed");
        let deadline = Instant::now() + Duration::from_secs(30);
        while rt.status(LEASE).unwrap().state != State::Stopped {
            assert!(Instant::now() < deadline, "{:?}", rt.status(LEASE));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let left = Command::new(engine.program())
            .args(["ps", "-a", "--filter", &format!("name={name}"), "--format", "{{.Names}}"])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&left.stdout).trim(), "", "the container is gone");
        let output = rt.logs(LEASE, 4096).unwrap();
        assert!(
            output.contains(&format!("spon-echo for lease {LEASE} listening on 0.0.0.0:8080")),
            "{output}"
        );
        eprintln!("the container backend ran {IMAGE} with {}", engine.program());
    });
}
