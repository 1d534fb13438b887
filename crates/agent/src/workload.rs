//! The deployment manifest's format: what a tenant asks a node to run.
//!
//! A manifest is TOML; its keccak256 is what the tenant records on chain
//! when accepting the lease, so the node runs exactly what was agreed.
//!
//! ```toml
//! # Either a container image (the container backend: Podman or Docker)…
//! image = "localhost/echo:1"
//! # …or a command from the node's own allowlist (the process backend).
//! # command = "echo-server"
//! args = ["--greeting", "hello"]
//!
//! ports = [8080]           # TCP ports the service listens on
//! gpus = 1                 # GPUs the workload is given (0: none)
//! restart = "on-failure"   # never | on-failure | always
//! max_restarts = 3
//!
//! [env]
//! GREETING = "hello"
//!
//! [resources]
//! memory_mb = 2048         # address space (process) / memory (container)
//! cpu_secs = 86400         # CPU time (process backend)
//! open_files = 1024
//! processes = 256          # container backend (pids limit)
//! ```
//!
//! The process backend runs the allowlisted command in the lease's own
//! working folder with only the manifest's environment (plus `PATH`,
//! `HOME`, `SPON_LEASE_ID`, and for each port `p` the local port it must
//! listen on, `SPON_PORT_<p>`; `PORT` is the first), limits set with
//! `setrlimit`, and its output captured. The container backend publishes
//! each port `p` on a local port of the loopback and passes the same
//! environment, where the container listens on `p` itself
//! (`SPON_PORT_<p>` is `p`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Most ports a manifest may name.
pub const MAX_PORTS: usize = 16;

/// When a workload that exited is started again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Restart {
    /// Never.
    Never,
    /// After a non-zero exit, up to `max_restarts` times.
    #[default]
    OnFailure,
    /// After any exit, up to `max_restarts` times.
    Always,
}

/// Resource limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    /// Memory in MiB (process backend: address space).
    pub memory_mb: Option<u64>,
    /// CPU seconds (process backend).
    pub cpu_secs: Option<u64>,
    /// Open files.
    pub open_files: Option<u64>,
    /// Processes (container backend).
    pub processes: Option<u64>,
}

/// A deployment manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// A container image.
    pub image: Option<String>,
    /// A command of the node's allowlist.
    pub command: Option<String>,
    /// Its arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// TCP ports the service listens on.
    #[serde(default)]
    pub ports: Vec<u16>,
    /// Environment.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// GPUs.
    #[serde(default)]
    pub gpus: u32,
    /// Restart policy.
    #[serde(default)]
    pub restart: Restart,
    /// Most restarts.
    #[serde(default = "default_restarts")]
    pub max_restarts: u32,
    /// Limits.
    #[serde(default)]
    pub resources: Resources,
}

fn default_restarts() -> u32 {
    3
}

/// Why a manifest cannot be run on this node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unrunnable {
    /// Not TOML of the manifest's shape.
    Unparsable(String),
    /// Neither `image` nor `command`, or both.
    NoWorkload,
    /// A command the node does not allow.
    NotAllowed(String),
    /// An image, and no container engine on the node.
    NoContainerEngine,
    /// A port of 0, a port named twice, or more than [`MAX_PORTS`].
    BadPorts(String),
    /// An environment variable name that is not `[A-Za-z_][A-Za-z0-9_]*`
    /// or that the runtime sets itself.
    BadEnv(String),
    /// An image that is not an image reference (`[A-Za-z0-9]` first, then
    /// `[A-Za-z0-9._/:@-]`, at most 255): it would reach the engine as a
    /// flag.
    BadImage(String),
    /// More GPUs than the node has.
    TooManyGpus {
        /// Asked for.
        asked: u32,
        /// The node's.
        have: u32,
    },
}

impl Unrunnable {
    /// The refusal's name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Unparsable(_) => "Unparsable",
            Self::NoWorkload => "NoWorkload",
            Self::NotAllowed(_) => "NotAllowed",
            Self::NoContainerEngine => "NoContainerEngine",
            Self::BadPorts(_) => "BadPorts",
            Self::BadEnv(_) => "BadEnv",
            Self::BadImage(_) => "BadImage",
            Self::TooManyGpus { .. } => "TooManyGpus",
        }
    }
}

impl std::fmt::Display for Unrunnable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self.name();
        match self {
            Self::Unparsable(why) => write!(f, "{name}: {why}"),
            Self::NoWorkload => write!(
                f,
                "{name}: a manifest names an image or a command, not both"
            ),
            Self::NotAllowed(c) => write!(f, "{name}: {c:?} is not a command this node runs"),
            Self::NoContainerEngine => write!(f, "{name}: this node runs no container engine"),
            Self::BadPorts(why) => write!(f, "{name}: {why}"),
            Self::BadEnv(v) => write!(f, "{name}: {v:?} cannot be set"),
            Self::BadImage(i) => write!(f, "{name}: {i:?} is not an image reference"),
            Self::TooManyGpus { asked, have } => {
                write!(f, "{name}: {asked} GPUs asked, the node has {have}")
            }
        }
    }
}

/// What the node offers workloads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offer {
    /// Allowed commands: name → program.
    pub allow: BTreeMap<String, std::path::PathBuf>,
    /// Whether a container engine runs.
    pub containers: bool,
    /// GPUs the node has.
    pub gpus: u32,
}

/// Prefixes of variables that load or run code in a shell, an
/// interpreter, a runtime or the C library (F-29).
const HOOK_PREFIXES: [&str; 13] = [
    "LD_", "DYLD_", "BASH", "PYTHON", "PERL", "RUBY", "NODE_", "JAVA_", "_JAVA_", "JDK_", "GLIBC_",
    "MALLOC_", "GCONV",
];

/// Variables that do the same by name, or steer where a program looks for
/// what it loads.
const HOOKS: [&str; 12] = [
    "ENV",
    "SHELLOPTS",
    "PS4",
    "IFS",
    "CDPATH",
    "BROWSER",
    "HOSTALIASES",
    "LOCALDOMAIN",
    "RES_OPTIONS",
    "LOCPATH",
    "NLSPATH",
    "TMPDIR",
];

/// Whether `name` is a variable a manifest may set: a plain name, none the
/// runtime sets itself, none that makes a program run other code.
fn settable(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with("SPON_")
        && !HOOK_PREFIXES.iter().any(|p| name.starts_with(p))
        && !HOOKS.contains(&name)
        && !matches!(name, "PATH" | "HOME" | "PORT")
}

/// Whether `image` reads as an image reference and never as a flag of the
/// engine's command line (F-28).
fn image_reference(image: &str) -> bool {
    image.len() <= 255
        && image.starts_with(|c: char| c.is_ascii_alphanumeric())
        && image
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/:@-".contains(c))
}

impl Spec {
    /// Parses and checks `text` against what the node offers.
    ///
    /// # Errors
    /// The first reason it cannot run here.
    pub fn parse(text: &str, offer: &Offer) -> Result<Self, Unrunnable> {
        let spec: Self = toml::from_str(text).map_err(|e| Unrunnable::Unparsable(e.to_string()))?;
        if let Some(image) = spec.image.as_ref().filter(|i| !image_reference(i)) {
            return Err(Unrunnable::BadImage(image.clone()));
        }
        match (&spec.image, &spec.command) {
            (Some(_), None) if !offer.containers => return Err(Unrunnable::NoContainerEngine),
            (None, Some(c)) if !offer.allow.contains_key(c) => {
                return Err(Unrunnable::NotAllowed(c.clone()))
            }
            (Some(_), None) | (None, Some(_)) => {}
            _ => return Err(Unrunnable::NoWorkload),
        }
        if spec.ports.len() > MAX_PORTS {
            return Err(Unrunnable::BadPorts(format!(
                "{} ports, at most {MAX_PORTS}",
                spec.ports.len()
            )));
        }
        let mut seen = spec.ports.clone();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() != spec.ports.len() || seen.first() == Some(&0) {
            return Err(Unrunnable::BadPorts(format!(
                "ports {:?}: each once, none 0",
                spec.ports
            )));
        }
        if let Some(bad) = spec.env.keys().find(|k| !settable(k)) {
            return Err(Unrunnable::BadEnv(bad.clone()));
        }
        if spec.gpus > offer.gpus {
            return Err(Unrunnable::TooManyGpus {
                asked: spec.gpus,
                have: offer.gpus,
            });
        }
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer() -> Offer {
        Offer {
            allow: [("echo".to_string(), "/bin/echo".into())].into(),
            containers: false,
            gpus: 1,
        }
    }

    #[test]
    fn a_documented_manifest_parses() {
        let spec = Spec::parse(
            "command = \"echo\"\nargs = [\"hi\"]\nports = [8080, 9090]\ngpus = 1\nrestart = \"always\"\n[env]\nGREETING = \"hello\"\n[resources]\nmemory_mb = 64\n",
            &offer(),
        )
        .unwrap();
        assert_eq!(spec.ports, [8080, 9090]);
        assert_eq!(spec.restart, Restart::Always);
        assert_eq!(spec.max_restarts, 3);
        assert_eq!(spec.resources.memory_mb, Some(64));
        assert_eq!(spec.env["GREETING"], "hello");
    }

    #[test]
    fn what_cannot_run_here_is_named() {
        let refused = |text: &str| Spec::parse(text, &offer()).unwrap_err().name();
        assert_eq!(refused("command = "), "Unparsable");
        assert_eq!(refused("command = \"echo\"\nshell = true"), "Unparsable");
        assert_eq!(refused("ports = [1]"), "NoWorkload");
        assert_eq!(refused("command = \"echo\"\nimage = \"x\""), "NoWorkload");
        assert_eq!(refused("command = \"sh\""), "NotAllowed");
        assert_eq!(refused("image = \"localhost/x\""), "NoContainerEngine");
        assert_eq!(refused("command = \"echo\"\nports = [0]"), "BadPorts");
        assert_eq!(refused("command = \"echo\"\nports = [80, 80]"), "BadPorts");
        assert_eq!(
            refused("command = \"echo\"\n[env]\nLD_PRELOAD = \"x\""),
            "BadEnv"
        );
        assert_eq!(
            refused("command = \"echo\"\n[env]\nSPON_PORT_1 = \"2\""),
            "BadEnv"
        );
        assert_eq!(
            refused("command = \"echo\"\n[env]\n\"A B\" = \"2\""),
            "BadEnv"
        );
        assert_eq!(refused("command = \"echo\"\ngpus = 2"), "TooManyGpus");
    }

    proptest::proptest! {
        /// A manifest the node takes never asks for more than it offers:
        /// a command of its allowlist or an image only where an engine
        /// runs, at most its GPUs, each port once and none 0.
        #[test]
        fn a_taken_manifest_stays_within_the_offer(
            image: bool,
            command in proptest::option::of(proptest::sample::select(vec!["echo", "sh", "miner"])),
            gpus in 0u32..6,
            have in 0u32..6,
            containers: bool,
            ports in proptest::collection::vec(0u16..4, 0..4),
        ) {
            let mut text = String::new();
            if image {
                text.push_str("image = \"localhost/x:1\"\n");
            }
            if let Some(c) = command {
                text.push_str(&format!("command = \"{c}\"\n"));
            }
            text.push_str(&format!("gpus = {gpus}\nports = {ports:?}\n"));
            let offer = Offer { gpus: have, containers, ..offer() };
            if let Ok(spec) = Spec::parse(&text, &offer) {
                proptest::prop_assert!(spec.gpus <= have);
                proptest::prop_assert!(spec.image.is_some() != spec.command.is_some());
                proptest::prop_assert!(spec.image.is_none() || containers);
                proptest::prop_assert!(spec.command.as_ref().is_none_or(|c| offer.allow.contains_key(c)));
                let mut unique = spec.ports.clone();
                unique.sort_unstable();
                unique.dedup();
                proptest::prop_assert!(unique.len() == spec.ports.len() && !unique.contains(&0));
            }
        }
    }

    /// F-28: an image that reads as an engine flag (`--privileged`,
    /// `--volume=/:/host`) would make the tenant's first argument the image
    /// and the flag the engine's: root on the node.
    #[test]
    fn f28_an_image_is_never_read_as_an_engine_flag() {
        let offer = Offer {
            containers: true,
            ..offer()
        };
        for image in [
            "--privileged",
            "--volume=/:/host",
            "-v/:/h",
            "a b",
            "",
            "x;y",
        ] {
            let text = format!("image = {image:?}\nargs = [\"alpine\"]\n");
            let refused = Spec::parse(&text, &offer).map(|_| ()).unwrap_err();
            assert_eq!(refused.name(), "BadImage", "{image:?}: {refused}");
        }
        for image in [
            "localhost/echo:1",
            "docker.io/library/alpine:3.20",
            "ghcr.io/org/app@sha256:0123456789abcdef",
        ] {
            let text = format!("image = {image:?}\n");
            assert!(Spec::parse(&text, &offer).is_ok(), "{image}");
        }
    }

    /// F-29: variables that make an interpreter or the C library run
    /// code of the tenant's choosing in an allowlisted program.
    #[test]
    fn f29_interpreter_hooks_cannot_be_set() {
        for name in [
            "BASH_ENV",
            "ENV",
            "SHELLOPTS",
            "PS4",
            "IFS",
            "PERL5OPT",
            "PERL5LIB",
            "PYTHONSTARTUP",
            "PYTHONWARNINGS",
            "BROWSER",
            "NODE_OPTIONS",
            "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS",
            "JDK_JAVA_OPTIONS",
            "RUBYOPT",
            "GCONV_PATH",
            "GLIBC_TUNABLES",
            "MALLOC_CONF",
            "HOSTALIASES",
            "LOCPATH",
            "NLSPATH",
            "TMPDIR",
        ] {
            let text = format!("command = \"echo\"\n[env]\n{name} = \"x\"\n");
            let refused = Spec::parse(&text, &offer()).map(|_| ()).unwrap_err();
            assert_eq!(refused.name(), "BadEnv", "{name}");
        }
        let kept = "command = \"echo\"\n[env]\nGREETING = \"hi\"\nMODEL_PATH = \"/m\"\n";
        assert!(Spec::parse(kept, &offer()).is_ok());
    }
}
