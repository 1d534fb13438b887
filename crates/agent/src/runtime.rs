//! The orchestrator: runs each lease's workload from its taken manifest,
//! stops it when the lease stops being active on chain, restarts it as its
//! policy says, and tells the tunnel where its services listen.
//!
//! Two backends ([`Backend`]): a container engine (Podman or Docker,
//! detected at start) for `image` manifests, and the process backend for
//! `command` manifests on machines without one. Each lease has its own
//! folder under the runtime's: `work/` (the process's working folder),
//! `output.log` (everything it printed, every start appended) and
//! `status.json` (its [`Status`]).

use std::{
    collections::{BTreeMap, HashMap},
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{ExitStatus, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use alloy_primitives::Address;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use spon_client::{bindings::Leases, Client};
use spon_gateway::{auth::Refusal, node::Services};
use spon_protocol::states::LeaseState;
use tokio::{process::Command, sync::watch};
use tracing::{info, warn};

use crate::workload::{Offer, Restart, Spec};

/// A container's process limit (`--ulimit nproc`) when its manifest sets
/// none: the engines' defaults can exceed what a host lets the OCI runtime
/// set.
pub const DEFAULT_PROCESSES: u64 = 4_096;

/// How long a stopped workload has to exit after SIGTERM before SIGKILL.
pub const GRACE: Duration = Duration::from_secs(5);

/// A container engine's command-line program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// `podman`.
    Podman,
    /// `docker`.
    Docker,
}

impl Engine {
    /// The program.
    pub fn program(self) -> &'static str {
        match self {
            Self::Podman => "podman",
            Self::Docker => "docker",
        }
    }

    /// The first engine that answers `info` on this machine.
    pub async fn detect() -> Option<Self> {
        for engine in [Self::Podman, Self::Docker] {
            let answered = Command::new(engine.program())
                .arg("info")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .await;
            if answered.is_ok_and(|s| s.success()) {
                return Some(engine);
            }
        }
        None
    }
}

/// Which backend runs a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// An allowlisted command, as a process of this machine.
    Process,
    /// An image, in the container engine.
    Container,
}

/// A workload's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Running.
    Running,
    /// Exited; waiting to start again.
    Restarting,
    /// Exited, not to start again.
    Exited,
    /// Stopped by the runtime (see `reason`).
    Stopped,
}

/// What `GET /leases/<id>` answers and `status.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The lease.
    pub lease: u64,
    /// Its backend.
    pub backend: Backend,
    /// Its state.
    pub state: State,
    /// The running process (or the engine's client of the container).
    pub pid: Option<u32>,
    /// Times started.
    pub starts: u32,
    /// How its last run ended (`exit 0`, `signal 9`).
    pub last_exit: Option<String>,
    /// Why it was stopped.
    pub reason: Option<String>,
    /// Manifest port → the local port it is reached at.
    pub ports: BTreeMap<u16, u16>,
}

/// The runtime's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The lease folders' parent.
    pub dir: PathBuf,
    /// What workloads may use (the allowlist, GPUs; `containers` is
    /// filled by [`Runtime::new`]).
    pub offer: Offer,
    /// `false`: never use a container engine even if one runs.
    pub containers: bool,
    /// The agent's manifest endpoint (port 0 of every lease through the
    /// tunnel).
    pub manifest_endpoint: Option<SocketAddr>,
    /// The OCI runtime the engine runs containers with (`--runtime`),
    /// none for its default.
    pub container_runtime: Option<String>,
    /// Process workloads run as user and group `base + lease % 65,536`,
    /// each lease its own, never the agent's (which needs root); none: as
    /// the agent's user.
    pub uid_base: Option<u32>,
}

/// The first of the users process workloads run as when the agent runs as
/// root (F-31): far above the users a system creates, one per lease.
pub const WORKLOAD_UID_BASE: u32 = 1_500_000_000;

/// The user and group lease `lease`'s process runs as, from `base`.
pub fn workload_uid(base: u32, lease: u64) -> u32 {
    base.saturating_add(u32::try_from(lease % 65_536).expect("below 2^16"))
}

struct Workload {
    status: Arc<Mutex<Status>>,
    stop: watch::Sender<Option<String>>,
}

/// The orchestrator.
pub struct Runtime {
    config: Config,
    engine: Option<Engine>,
    workloads: Mutex<HashMap<u64, Workload>>,
}

/// How a process ended, in words.
fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(sig)) => format!("signal {sig}"),
        _ => "unknown".into(),
    }
}

/// A free local TCP port (bound and released).
fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Runtime {
    /// A runtime for `config`, the container engine detected unless
    /// `config.containers` is off.
    ///
    /// # Errors
    /// The folder cannot be made.
    pub async fn new(mut config: Config) -> Result<Arc<Self>> {
        std::fs::create_dir_all(&config.dir)
            .with_context(|| format!("cannot create {}", config.dir.display()))?;
        let engine = if config.containers {
            Engine::detect().await
        } else {
            None
        };
        config.offer.containers = engine.is_some();
        if config.uid_base.is_none() && !config.offer.allow.is_empty() {
            warn!(
                "process workloads run as the agent's own user: run the agent as root to give \
                 each lease a user of its own"
            );
        }
        match engine {
            Some(e) => info!(engine = e.program(), "container backend ready"),
            None => info!("no container engine: the process backend runs allowlisted commands"),
        }
        Ok(Arc::new(Self {
            config,
            engine,
            workloads: Mutex::new(HashMap::new()),
        }))
    }

    /// What the node offers manifests.
    pub fn offer(&self) -> &Offer {
        &self.config.offer
    }

    /// The container engine, if any.
    pub fn engine(&self) -> Option<Engine> {
        self.engine
    }

    fn folder(&self, lease: u64) -> PathBuf {
        lease_folder(&self.config.dir, lease)
    }

    /// The lease's workload's status, if it has one.
    pub fn status(&self, lease: u64) -> Option<Status> {
        let workloads = self.workloads.lock().expect("not poisoned");
        let status = workloads
            .get(&lease)?
            .status
            .lock()
            .expect("not poisoned")
            .clone();
        Some(status)
    }

    /// The last `max` bytes of the lease's workload's output.
    ///
    /// # Errors
    /// The workload never started.
    pub fn logs(&self, lease: u64, max: u64) -> Result<String> {
        use std::io::{Read, Seek, SeekFrom};
        let path = self.folder(lease).join("output.log");
        let mut file =
            std::fs::File::open(&path).with_context(|| format!("no output of lease {lease}"))?;
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(len.saturating_sub(max)))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Starts the workload of `spec` for `lease`, unless one runs already.
    ///
    /// # Errors
    /// Its folder or ports cannot be made.
    pub fn start(self: &Arc<Self>, lease: u64, spec: Spec) -> Result<()> {
        let mut workloads = self.workloads.lock().expect("not poisoned");
        if let Some(w) = workloads.get(&lease) {
            let state = w.status.lock().expect("not poisoned").state;
            if matches!(state, State::Running | State::Restarting) {
                return Ok(());
            }
        }
        let folder = self.folder(lease);
        std::fs::create_dir_all(folder.join("work"))
            .with_context(|| format!("cannot create {}", folder.display()))?;
        if let (Some(base), None) = (self.config.uid_base, &spec.image) {
            // Its folder is crossed, not read, by others; its working
            // folder is its own user's alone.
            use std::os::unix::fs::{chown, PermissionsExt};
            let uid = workload_uid(base, lease);
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o711))?;
            chown(folder.join("work"), Some(uid), Some(uid))?;
            std::fs::set_permissions(folder.join("work"), std::fs::Permissions::from_mode(0o700))?;
        }
        let ports = spec
            .ports
            .iter()
            .map(|&p| Ok((p, free_port()?)))
            .collect::<Result<BTreeMap<_, _>>>()?;
        let backend = if spec.image.is_some() {
            Backend::Container
        } else {
            Backend::Process
        };
        let status = Arc::new(Mutex::new(Status {
            lease,
            backend,
            state: State::Running,
            pid: None,
            starts: 0,
            last_exit: None,
            reason: None,
            ports,
        }));
        let (stop, stopped) = watch::channel(None);
        workloads.insert(
            lease,
            Workload {
                status: status.clone(),
                stop,
            },
        );
        let runtime = self.clone();
        tokio::spawn(async move { runtime.supervise(lease, spec, status, stopped).await });
        Ok(())
    }

    /// Stops the lease's workload (if running), `reason` recorded.
    pub fn stop(&self, lease: u64, reason: &str) {
        if let Some(w) = self.workloads.lock().expect("not poisoned").get(&lease) {
            w.stop.send_replace(Some(reason.to_string()));
        }
    }

    /// Leases whose workloads run or wait to restart.
    pub fn live(&self) -> Vec<u64> {
        let workloads = self.workloads.lock().expect("not poisoned");
        let mut ids: Vec<u64> = workloads
            .iter()
            .filter(|(_, w)| {
                matches!(
                    w.status.lock().expect("not poisoned").state,
                    State::Running | State::Restarting
                )
            })
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids
    }

    fn record(&self, status: &Mutex<Status>) {
        let status = status.lock().expect("not poisoned").clone();
        let path = self.folder(status.lease).join("status.json");
        let tmp = path.with_extension("json.tmp");
        let written = serde_json::to_vec_pretty(&status)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(&tmp, bytes))
            .and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = written {
            warn!(lease = status.lease, "cannot write {}: {e}", path.display());
        }
    }

    fn command(&self, lease: u64, spec: &Spec, ports: &BTreeMap<u16, u16>) -> Result<Command> {
        let folder = self.folder(lease);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(folder.join("output.log"))?;
        // A process listens on its local port; a container on the
        // manifest's own port, published on the local one.
        let container = spec.image.is_some();
        let inside = |p: &u16, local: &u16| if container { *p } else { *local };
        let mut env: Vec<(String, String)> = vec![("SPON_LEASE_ID".into(), lease.to_string())];
        for (p, local) in ports {
            env.push((format!("SPON_PORT_{p}"), inside(p, local).to_string()));
        }
        if let Some((p, local)) = ports.iter().next() {
            env.push(("PORT".into(), inside(p, local).to_string()));
        }
        env.extend(spec.env.iter().map(|(k, v)| (k.clone(), v.clone())));
        let mut cmd = match (&spec.image, &spec.command, self.engine) {
            (Some(image), _, Some(engine)) => {
                let mut cmd = Command::new(engine.program());
                cmd.args(["run", "--rm", "--name", &container_name(lease)]);
                if let Some(runtime) = &self.config.container_runtime {
                    cmd.arg(format!("--runtime={runtime}"));
                }
                // The engines' default limits may exceed what this
                // machine lets a process raise to; none above the agent's.
                let open_files = spec
                    .resources
                    .open_files
                    .map_or(hard_limit(libc::RLIMIT_NOFILE), |n| {
                        n.min(hard_limit(libc::RLIMIT_NOFILE))
                    });
                let processes = spec
                    .resources
                    .processes
                    .unwrap_or(DEFAULT_PROCESSES)
                    .min(hard_limit(libc::RLIMIT_NPROC));
                for (name, n) in [("nofile", open_files), ("nproc", processes)] {
                    let n = if n == libc::RLIM_INFINITY {
                        "-1".to_string()
                    } else {
                        n.to_string()
                    };
                    cmd.arg(format!("--ulimit={name}={n}:{n}"));
                }
                for (p, local) in ports {
                    cmd.arg("-p").arg(format!("127.0.0.1:{local}:{p}"));
                }
                for (k, v) in &env {
                    cmd.arg("-e").arg(format!("{k}={v}"));
                }
                let r = spec.resources;
                if let Some(mb) = r.memory_mb {
                    cmd.arg(format!("--memory={mb}m"));
                }
                if let Some(n) = r.processes {
                    cmd.arg(format!("--pids-limit={n}"));
                }
                if spec.gpus > 0 {
                    match engine {
                        Engine::Docker => cmd.arg(format!("--gpus={}", spec.gpus)),
                        Engine::Podman => cmd.arg("--device=nvidia.com/gpu=all"),
                    };
                }
                cmd.arg(image).args(&spec.args);
                cmd
            }
            (None, Some(name), _) => {
                let program = self
                    .config
                    .offer
                    .allow
                    .get(name)
                    .with_context(|| format!("{name:?} is not allowed"))?;
                let mut cmd = Command::new(program);
                cmd.args(&spec.args)
                    .env_clear()
                    .env("PATH", "/usr/local/bin:/usr/bin:/bin")
                    .env("HOME", folder.join("work"))
                    .envs(env)
                    .current_dir(folder.join("work"));
                limit(
                    &mut cmd,
                    spec.resources,
                    self.config.uid_base.map(|b| workload_uid(b, lease)),
                );
                cmd
            }
            _ => anyhow::bail!("no backend runs this manifest"),
        };
        cmd.stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        Ok(cmd)
    }

    async fn supervise(
        self: Arc<Self>,
        lease: u64,
        spec: Spec,
        status: Arc<Mutex<Status>>,
        mut stopped: watch::Receiver<Option<String>>,
    ) {
        let ports = status.lock().expect("not poisoned").ports.clone();
        loop {
            let child = self
                .command(lease, &spec, &ports)
                .and_then(|mut c| c.spawn().context("cannot start the workload"));
            let mut child = match child {
                Ok(c) => c,
                Err(e) => {
                    warn!(lease, "{e:#}");
                    let mut s = status.lock().expect("not poisoned");
                    s.state = State::Exited;
                    s.last_exit = Some(format!("not started: {e:#}"));
                    drop(s);
                    self.record(&status);
                    return;
                }
            };
            {
                let mut s = status.lock().expect("not poisoned");
                s.state = State::Running;
                s.pid = child.id();
                s.starts += 1;
            }
            self.record(&status);
            info!(lease, pid = ?child.id(), "workload started");
            tokio::select! {
                exit = child.wait() => {
                    let how = exit.map_or_else(|e| format!("unknown: {e}"), describe);
                    let success = exit_ok(&how);
                    let starts = {
                        let mut s = status.lock().expect("not poisoned");
                        s.last_exit = Some(how.clone());
                        s.pid = None;
                        s.starts
                    };
                    let again = match spec.restart {
                        Restart::Never => false,
                        Restart::OnFailure => !success,
                        Restart::Always => true,
                    } && starts <= spec.max_restarts;
                    info!(lease, %how, again, "workload exited");
                    status.lock().expect("not poisoned").state =
                        if again { State::Restarting } else { State::Exited };
                    self.record(&status);
                    if !again {
                        return;
                    }
                    let wait = Duration::from_secs(1 << starts.min(5));
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        _ = stopped.changed() => {
                            self.stopped(&status, &stopped);
                            return;
                        }
                    }
                }
                _ = stopped.changed() => {
                    self.terminate(lease, &mut child).await;
                    self.stopped(&status, &stopped);
                    return;
                }
            }
        }
    }

    fn stopped(&self, status: &Mutex<Status>, stopped: &watch::Receiver<Option<String>>) {
        {
            let mut s = status.lock().expect("not poisoned");
            s.state = State::Stopped;
            s.pid = None;
            s.reason = stopped.borrow().clone();
            info!(lease = s.lease, reason = ?s.reason, last_exit = ?s.last_exit, "workload stopped");
        }
        self.record(status);
    }

    async fn terminate(&self, lease: u64, child: &mut tokio::process::Child) {
        let container = self.engine.filter(|_| {
            self.status(lease)
                .is_some_and(|s| s.backend == Backend::Container)
        });
        if let Some(engine) = container {
            // `stop` gives it its grace; `rm -f` takes it even if the
            // engine had not started it yet (an image still loading).
            let name = container_name(lease);
            let grace = GRACE.as_secs().to_string();
            for args in [vec!["stop", "-t", &grace, &name], vec!["rm", "-f", &name]] {
                let _ = Command::new(engine.program())
                    .args(args)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .await;
            }
        } else if let Some(pid) = child.id() {
            signal_group(pid, libc::SIGTERM);
        }
        let exit = match tokio::time::timeout(GRACE, child.wait()).await {
            Ok(exit) => exit,
            Err(_) => {
                if container.is_some() {
                    let _ = child.start_kill();
                } else if let Some(pid) = child.id() {
                    signal_group(pid, libc::SIGKILL);
                }
                child.wait().await
            }
        };
        let how = exit.map_or_else(|e| format!("unknown: {e}"), describe);
        if let Some(w) = self.workloads.lock().expect("not poisoned").get(&lease) {
            w.status.lock().expect("not poisoned").last_exit = Some(how);
        }
    }

    /// Stops the workloads of leases no longer active on chain (closed,
    /// ended, out of funds); returns the leases stopped.
    ///
    /// # Errors
    /// The chain cannot be read (nothing is stopped on a failed read).
    pub async fn reconcile(&self, client: &Client, leases: Address) -> Result<Vec<u64>> {
        let mut stopped = Vec::new();
        for lease in self.live() {
            let state = client
                .view(leases, Leases::leaseOfCall { lease_id: lease })
                .await?
                .lease
                .state;
            if state != LeaseState::Active as u8 {
                let reason = format!("the lease is {}", LeaseState::name_of(state));
                self.stop(lease, &reason);
                stopped.push(lease);
            }
        }
        Ok(stopped)
    }
}

/// The container of a lease.
fn container_name(lease: u64) -> String {
    format!("spon-lease-{lease}")
}

fn exit_ok(how: &str) -> bool {
    how == "exit 0"
}

fn signal_group(pid: u32, signal: i32) {
    if let Ok(pid) = i32::try_from(pid) {
        // SAFETY: kill(2) with a negative pid signals the process group the
        // workload leads (it called setsid); no memory is touched.
        unsafe {
            libc::kill(-pid, signal);
        }
    }
}

/// This process's hard limit of `resource` (`RLIM_INFINITY`: none).
fn hard_limit(resource: libc::__rlimit_resource_t) -> u64 {
    let mut rl = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct it is given and nothing else.
    if unsafe { libc::getrlimit(resource, &mut rl) } == 0 {
        rl.rlim_max
    } else {
        libc::RLIM_INFINITY
    }
}

/// The process backend's limits: its own session (so that a stop signals
/// every process it started), `setrlimit` for what the manifest limits,
/// and, given `uid`, that user and group alone (no supplementary groups).
fn limit(cmd: &mut Command, r: crate::workload::Resources, uid: Option<u32>) {
    let limits: Vec<(libc::__rlimit_resource_t, u64)> = [
        (
            libc::RLIMIT_AS,
            r.memory_mb.map(|mb| mb.saturating_mul(1 << 20)),
        ),
        (libc::RLIMIT_CPU, r.cpu_secs),
        (libc::RLIMIT_NOFILE, r.open_files),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v?)))
    .collect();
    // SAFETY: between fork and exec only async-signal-safe calls are made
    // (setsid, setrlimit, setgroups, setgid, setuid) on values computed
    // before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            for &(resource, value) in &limits {
                let rl = libc::rlimit {
                    rlim_cur: value,
                    rlim_max: value,
                };
                if libc::setrlimit(resource, &rl) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            if let Some(id) = uid {
                if libc::setgroups(0, std::ptr::null()) == -1
                    || libc::setgid(id) == -1
                    || libc::setuid(id) == -1
                {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}

impl Services for Runtime {
    fn resolve(&self, lease: u64, port: u16) -> Result<SocketAddr, Refusal> {
        let none = Refusal::NoService { lease, port };
        if port == 0 {
            return self.config.manifest_endpoint.ok_or(none);
        }
        let status = self.status(lease).ok_or(none.clone())?;
        if status.state != State::Running {
            return Err(none);
        }
        let local = status.ports.get(&port).ok_or(none)?;
        Ok(SocketAddr::from(([127, 0, 0, 1], *local)))
    }
}

/// Where a lease's folder is under `dir` (for operators and tests).
pub fn lease_folder(dir: &Path, lease: u64) -> PathBuf {
    dir.join(format!("lease-{lease}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime_config(dir: &Path) -> Config {
        Config {
            dir: dir.to_path_buf(),
            offer: Offer {
                allow: [
                    ("sh".to_string(), PathBuf::from("/bin/sh")),
                    ("sleep".to_string(), PathBuf::from("/bin/sleep")),
                ]
                .into(),
                containers: false,
                gpus: 0,
            },
            containers: false,
            manifest_endpoint: None,
            container_runtime: None,
            uid_base: None,
        }
    }

    fn spec(text: &str, rt: &Runtime) -> Spec {
        Spec::parse(text, rt.offer()).unwrap()
    }

    async fn until(rt: &Runtime, lease: u64, what: impl Fn(&Status) -> bool) -> Status {
        for _ in 0..200 {
            if let Some(s) = rt.status(lease).filter(|s| what(s)) {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("lease {lease}: {:?}", rt.status(lease));
    }

    #[tokio::test]
    async fn the_process_backend_runs_limits_captures_and_stops_a_workload() {
        let dir = std::env::temp_dir().join(format!("spon-runtime-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let rt = Runtime::new(runtime_config(&dir)).await.unwrap();
        // Its environment is the manifest's and the runtime's alone; its
        // limits are set; its output is captured; it runs in its folder.
        let script = "echo \"lease=$SPON_LEASE_ID port=$SPON_PORT_8080 first=$PORT greeting=$GREETING user=${USER:-unset}\"; ulimit -n; ulimit -v; pwd; exec sleep 60";
        let text = format!(
            "command = \"sh\"\nargs = [\"-c\", {script:?}]\nports = [8080]\n[env]\nGREETING = \"hi\"\n[resources]\nopen_files = 77\nmemory_mb = 256\n"
        );
        rt.start(7, spec(&text, &rt)).unwrap();
        let running = until(&rt, 7, |s| s.state == State::Running && s.pid.is_some()).await;
        let local = running.ports[&8080];
        assert_eq!(
            rt.resolve(7, 8080).unwrap(),
            SocketAddr::from(([127, 0, 0, 1], local))
        );
        assert_eq!(
            rt.resolve(7, 22),
            Err(Refusal::NoService { lease: 7, port: 22 })
        );
        let mut output = String::new();
        for _ in 0..100 {
            output = rt.logs(7, 4096).unwrap();
            if output.lines().count() >= 4 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let lines: Vec<&str> = output.lines().collect();
        assert_eq!(
            lines[0],
            format!("lease=7 port={local} first={local} greeting=hi user=unset")
        );
        assert_eq!(lines[1], "77");
        assert_eq!(lines[2], (256 * 1024).to_string());
        assert!(lines[3].ends_with("lease-7/work"), "{}", lines[3]);
        // Stopped: its whole process group ends within the grace period.
        let pid = running.pid.unwrap();
        rt.stop(7, "the lease is closed");
        let stopped = until(&rt, 7, |s| s.state == State::Stopped).await;
        assert_eq!(stopped.reason.as_deref(), Some("the lease is closed"));
        assert_eq!(stopped.last_exit.as_deref(), Some("signal 15"));
        assert!(rt.resolve(7, 8080).is_err());
        assert!(!Path::new(&format!("/proc/{pid}")).exists());
        let recorded: Status =
            serde_json::from_slice(&std::fs::read(dir.join("lease-7/status.json")).unwrap())
                .unwrap();
        assert_eq!(recorded, stopped);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn restarts_follow_the_policy() {
        let dir = std::env::temp_dir().join(format!("spon-restarts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let rt = Runtime::new(runtime_config(&dir)).await.unwrap();
        let failing = "command = \"sh\"\nargs = [\"-c\", \"exit 3\"]\nmax_restarts = 1\n";
        rt.start(1, spec(failing, &rt)).unwrap();
        let s = until(&rt, 1, |s| s.state == State::Exited).await;
        assert_eq!((s.starts, s.last_exit.as_deref()), (2, Some("exit 3")));
        let done = "command = \"sh\"\nargs = [\"-c\", \"exit 0\"]\n";
        rt.start(2, spec(done, &rt)).unwrap();
        let s = until(&rt, 2, |s| s.state == State::Exited).await;
        assert_eq!((s.starts, s.last_exit.as_deref()), (1, Some("exit 0")));
        let never = "command = \"sh\"\nargs = [\"-c\", \"exit 1\"]\nrestart = \"never\"\n";
        rt.start(3, spec(never, &rt)).unwrap();
        let s = until(&rt, 3, |s| s.state == State::Exited).await;
        assert_eq!(s.starts, 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// F-31: a process workload runs as its lease's own user, not the
    /// agent's: the agent's environment (its key) and another lease's
    /// working folder are closed to it.
    #[tokio::test]
    async fn f31_a_process_workload_runs_as_its_leases_own_user() {
        // SAFETY: geteuid reads the process's credentials.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("SKIPPED: giving each lease a user of its own needs root");
            return;
        }
        let dir = std::env::temp_dir().join(format!("spon-runtime-uid-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let base = WORKLOAD_UID_BASE;
        let rt = Runtime::new(Config {
            uid_base: Some(base),
            ..runtime_config(&dir)
        })
        .await
        .unwrap();
        rt.start(8, spec("command = \"sleep\"\nargs = [\"60\"]\n", &rt))
            .unwrap();
        std::fs::write(dir.join("lease-8/work/secret"), "lease 8's").unwrap();
        let script = "id -u; id -g; cat /proc/$PPID/environ >/dev/null 2>&1 && echo environ-read || echo environ-closed; cat ../../lease-8/work/secret 2>/dev/null || echo other-closed; touch mine && echo wrote";
        let text = format!("command = \"sh\"\nargs = [\"-c\", {script:?}]\nrestart = \"never\"\n");
        rt.start(7, spec(&text, &rt)).unwrap();
        until(&rt, 7, |s| s.state == State::Exited).await;
        let out = rt.logs(7, 4096).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        let uid = workload_uid(base, 7).to_string();
        assert_eq!(
            lines,
            [
                uid.as_str(),
                uid.as_str(),
                "environ-closed",
                "other-closed",
                "wrote"
            ],
            "{out}"
        );
        rt.stop(8, "test over");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
