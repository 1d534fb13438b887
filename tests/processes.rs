//! The market's services as an operator runs them: each binary its own
//! process started with its flags and config files, its output in a log
//! file of its own, watched for early exits, and stopped (killed) when the
//! [`Services`] that started it is dropped — by the end of a run, an
//! error or an interrupt alike — or, on Linux, when the process that
//! started it dies.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{bail, ensure, Context, Result};
use tokio::process::{Child, Command};

/// Lines of a log shown when its process fails.
const TAIL_LINES: usize = 20;

/// `items` as a command line.
pub fn args<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Vec<OsString> {
    items.into_iter().map(|s| s.as_ref().into()).collect()
}

/// A key as the services read it from their environment.
pub fn hex_key(k: &alloy_signer_local::PrivateKeySigner) -> String {
    alloy_primitives::hex::encode_prefixed(k.to_bytes())
}

/// Processes started from the binaries next to the running one.
pub struct Services {
    /// The folder of their files; logs are under `logs/`.
    pub dir: PathBuf,
    bins: PathBuf,
    running: Vec<(String, Child)>,
}

impl Services {
    /// Services whose files go under `dir` (made anew: what a previous run
    /// left there is removed).
    ///
    /// # Errors
    /// The folder cannot be made.
    pub fn new(dir: PathBuf) -> Result<Self> {
        let exe = std::env::current_exe()?;
        let bins = exe.parent().context("the binary's folder")?.to_path_buf();
        Self::with_bins(dir, bins)
    }

    /// As [`Self::new`], the binaries taken from `bins`.
    ///
    /// # Errors
    /// The folder cannot be made.
    pub fn with_bins(dir: PathBuf, bins: PathBuf) -> Result<Self> {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("logs"))
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Self {
            dir,
            bins,
            running: Vec::new(),
        })
    }

    /// Where the binaries are taken from.
    pub fn bin(&self, bin: &str) -> PathBuf {
        self.bins.join(bin)
    }

    /// The log file of the process named `name`.
    pub fn log(&self, name: &str) -> PathBuf {
        log_path(&self.dir, name)
    }

    fn command(
        &self,
        name: &str,
        bin: &str,
        args: &[OsString],
        env: &[(&str, String)],
    ) -> Result<Command> {
        self.command_in(name, None, bin, args, env)
    }

    /// `bin`'s command, in network namespace `netns` if given (through
    /// `ip netns exec`, which execs it: the process is `bin` itself).
    fn command_in(
        &self,
        name: &str,
        netns: Option<&str>,
        bin: &str,
        args: &[OsString],
        env: &[(&str, String)],
    ) -> Result<Command> {
        let path = self.bins.join(bin);
        ensure!(
            path.exists(),
            "{} is missing: build the binaries first (scripts/bins)",
            path.display()
        );
        let log = std::fs::File::create(self.log(name))?;
        let mut cmd = match netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]).arg(&path);
                c
            }
            None => Command::new(&path),
        };
        cmd.args(args)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .env_remove("SPON_RPC_URL")
            .env_remove("SPON_DEPLOYMENT")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        // Killed with its parent even when the parent cannot drop it (a
        // SIGKILL): no service outlives the run that started it.
        #[cfg(target_os = "linux")]
        // SAFETY: prctl is async-signal-safe and touches no memory of the
        // parent; it runs in the child between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        Ok(cmd)
    }

    /// Starts `bin` with `args` and `env` as the long-running process
    /// `name`.
    ///
    /// # Errors
    /// The binary is missing or cannot start.
    pub fn start(
        &mut self,
        name: &str,
        bin: &str,
        args: &[OsString],
        env: &[(&str, String)],
    ) -> Result<()> {
        let child = self
            .command(name, bin, args, env)?
            .spawn()
            .with_context(|| format!("cannot start {bin}"))?;
        self.running.push((name.to_string(), child));
        Ok(())
    }

    /// As [`Self::start`], in network namespace `netns`.
    ///
    /// # Errors
    /// The binary is missing or cannot start.
    pub fn start_in(
        &mut self,
        netns: &str,
        name: &str,
        bin: &str,
        args: &[OsString],
        env: &[(&str, String)],
    ) -> Result<()> {
        let child = self
            .command_in(name, Some(netns), bin, args, env)?
            .spawn()
            .with_context(|| format!("cannot start {bin} in {netns}"))?;
        self.running.push((name.to_string(), child));
        Ok(())
    }

    /// Runs `bin` to its end as the step `name`: whether it succeeded, and
    /// what it printed (also in its log).
    ///
    /// # Errors
    /// The binary is missing or cannot start.
    pub async fn output(
        &self,
        name: &str,
        bin: &str,
        args: &[OsString],
        env: &[(&str, String)],
    ) -> Result<(bool, String)> {
        let status = self
            .command(name, bin, args, env)?
            .status()
            .await
            .with_context(|| format!("cannot run {bin}"))?;
        Ok((
            status.success(),
            std::fs::read_to_string(self.log(name)).unwrap_or_default(),
        ))
    }

    /// Runs `bin` to its end as the step `name`; its output goes to its
    /// log, which is shown if it fails.
    ///
    /// # Errors
    /// The binary is missing, cannot start or fails.
    pub async fn run(
        &self,
        name: &str,
        bin: &str,
        args: &[OsString],
        env: &[(&str, String)],
    ) -> Result<()> {
        if !self.output(name, bin, args, env).await?.0 {
            bail!("{name} failed:\n{}", self.tail(name));
        }
        Ok(())
    }

    /// Stops the process `name`.
    ///
    /// # Errors
    /// No such process.
    pub async fn stop(&mut self, name: &str) -> Result<()> {
        let i = self
            .running
            .iter()
            .position(|(n, _)| n == name)
            .with_context(|| format!("no process {name}"))?;
        let (_, mut child) = self.running.remove(i);
        child.kill().await?;
        Ok(())
    }

    /// Fails if a started process has exited, with the end of its log.
    ///
    /// # Errors
    /// A process has stopped.
    pub fn check(&mut self) -> Result<()> {
        for (name, child) in &mut self.running {
            if let Some(status) = child.try_wait()? {
                bail!("{name} stopped ({status}):\n{}", tail(&self.dir, name));
            }
        }
        Ok(())
    }

    /// The names of the running processes, in the order they started.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.running.iter().map(|(n, _)| n.as_str())
    }

    /// Waits up to `timeout` for a line of `name`'s log containing
    /// `needle`; the line.
    ///
    /// # Errors
    /// Not seen in time, or the process stopped first.
    pub async fn line(&mut self, name: &str, needle: &str, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let text = std::fs::read_to_string(self.log(name)).unwrap_or_default();
            if let Some(line) = text.lines().find(|l| l.contains(needle)) {
                return Ok(line.to_string());
            }
            self.check()?;
            ensure!(
                Instant::now() < deadline,
                "{name} did not log {needle:?} within {timeout:?}:\n{}",
                self.tail(name)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The last lines of `name`'s log.
    pub fn tail(&self, name: &str) -> String {
        tail(&self.dir, name)
    }
}

fn log_path(dir: &Path, name: &str) -> PathBuf {
    dir.join("logs")
        .join(format!("{}.log", name.replace([' ', '/'], "-")))
}

fn tail(dir: &Path, name: &str) -> String {
    let path = log_path(dir, name);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(TAIL_LINES);
    format!(
        "  (from {})\n  {}",
        path.display(),
        lines[from..].join("\n  ")
    )
}

/// Polls `done` every 100 ms until it holds, for at most `timeout`;
/// `what` names the wait in the error.
///
/// # Errors
/// `done` failed, or did not hold in time.
pub async fn until<F, Fut>(what: &str, timeout: Duration, mut done: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let deadline = Instant::now() + timeout;
    while !done().await? {
        ensure!(Instant::now() < deadline, "{what}: not within {timeout:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// One `GET path` of the HTTP service at `addr`: its status and body.
///
/// # Errors
/// The connection fails or closes early, or no answer within a minute.
pub async fn http_get(addr: std::net::SocketAddr, path: &str) -> Result<(u16, String)> {
    let answer = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?
        .get(format!("http://{addr}{path}"))
        .send()
        .await?;
    Ok((answer.status().as_u16(), answer.text().await?))
}
