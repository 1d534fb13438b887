//! The endpoint and wallet flags every SPON binary takes, declared once:
//! `--rpc-url` (or `SPON_RPC_URL`), and the account as an encrypted JSON
//! `--keystore` (password from `--password-file`, or asked on a terminal)
//! or else a hex private key in the environment variable the binary names
//! (`SPON_PRIVATE_KEY` for `spon`, `SPON_AGENT_KEY`, `SPON_PROBE_KEY`,
//! `SPON_MATCHER_KEY`, `SPON_DEPLOYER_KEY`).

use std::path::PathBuf;

use alloy_signer_local::PrivateKeySigner;
use anyhow::{bail, Context, Result};
use clap::Args;

/// Where the flags are listed in `--help`.
const HEADING: &str = "Chain and wallet";

/// The endpoint used when none is given: a local node (the devnet).
pub const DEFAULT_RPC_URL: &str = "http://127.0.0.1:8547";

/// The chain endpoint and the account's key.
#[derive(Args, Debug, Clone)]
pub struct ChainArgs {
    /// JSON-RPC endpoint of the chain [default: http://127.0.0.1:8547, a
    /// local node; for spon-matcher, its --config file's `rpc` first].
    #[arg(
        long,
        alias = "rpc",
        global = true,
        env = "SPON_RPC_URL",
        help_heading = HEADING
    )]
    pub rpc_url: Option<String>,
    /// Encrypted JSON keystore of the account (the password is read from
    /// --password-file, or asked for on a terminal) [default: a hex private
    /// key in the environment: SPON_PRIVATE_KEY for spon (see
    /// --private-key-env), SPON_DEPLOYER_KEY, SPON_AGENT_KEY,
    /// SPON_PROBE_KEY, SPON_MATCHER_KEY].
    #[arg(long, global = true, help_heading = HEADING)]
    pub keystore: Option<PathBuf>,
    /// File holding the keystore's password.
    #[arg(long, global = true, requires = "keystore", help_heading = HEADING)]
    pub password_file: Option<PathBuf>,
}

impl ChainArgs {
    /// The endpoint: `--rpc-url`, else [`DEFAULT_RPC_URL`].
    pub fn url(&self) -> &str {
        self.rpc_url.as_deref().unwrap_or(DEFAULT_RPC_URL)
    }

    /// The keystore's password, if a keystore was given: from
    /// `--password-file` (one line), else asked for on the terminal.
    ///
    /// # Errors
    /// An unreadable password file, or no terminal to ask on.
    pub fn password(&self) -> Result<Option<String>> {
        let Some(path) = &self.keystore else {
            return Ok(None);
        };
        let password = match &self.password_file {
            Some(f) => std::fs::read_to_string(f)
                .with_context(|| format!("cannot read {}", f.display()))?
                .trim_end_matches(['\r', '\n'])
                .to_string(),
            None if std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
                rpassword::prompt_password(format!("password of {}: ", path.display()))?
            }
            None => bail!("--keystore needs --password-file when not run in a terminal"),
        };
        Ok(Some(password))
    }

    /// The account's key: the keystore if given, else the hex private key
    /// in the environment variable `env`.
    ///
    /// # Errors
    /// No key, an unreadable or undecryptable keystore, a malformed key.
    pub fn signer(&self, env: &str) -> Result<PrivateKeySigner> {
        if let (Some(path), Some(password)) = (&self.keystore, self.password()?) {
            return PrivateKeySigner::decrypt_keystore(path, password)
                .with_context(|| format!("cannot decrypt {}", path.display()));
        }
        let hex = std::env::var(env).map_err(|_| {
            anyhow::anyhow!("no key: set {env} to the account's private key, or pass --keystore")
        })?;
        hex.trim()
            .parse()
            .map_err(|e| anyhow::anyhow!("{env} does not parse as a private key: {e}"))
    }

    /// Whether a key is configured: a keystore, or `env` set.
    pub fn has_key(&self, env: &str) -> bool {
        self.keystore.is_some() || std::env::var_os(env).is_some()
    }
}
