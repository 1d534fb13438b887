//! The deployment on a real endpoint: alloy for calls and transactions,
//! `cargo stylus deploy` for the contracts themselves, on every chain (the
//! devnet included: it holds StylusDeployer as Nitro's dev nodes do).
//!
//! cargo-stylus must be [`PINNED_CARGO_STYLUS`]: its `deploy --wasm-file
//! --constructor-signature` creates, activates and constructs a contract
//! in one transaction through StylusDeployer. The 0.10 line takes the same
//! flags and never calls the constructor (plain creation, then
//! activation), which would leave each contract to whoever constructs it
//! first; other versions are refused before anything is sent.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use alloy_network::{EthereumWallet, ReceiptResponse, TransactionBuilder};
use alloy_primitives::{Address, Bytes, B256};
use alloy_provider::{Provider, ProviderBuilder};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_signer_local::PrivateKeySigner;
use alloy_transport_http::reqwest::Url;
use anyhow::{anyhow, bail, Context, Result};

use crate::{bindings::error_name, Backend, Receipt};

/// The cargo-stylus version `spon-deploy` runs (`cargo install --locked
/// cargo-stylus --version 0.6.3`; `scripts/setup` installs it).
pub const PINNED_CARGO_STYLUS: &str = "0.6.3";

/// How `cargo stylus deploy` gets the key.
#[derive(Debug, Clone)]
pub enum Key {
    /// A hex private key (from the environment).
    Hex(String),
    /// An encrypted JSON keystore and its password.
    Keystore {
        /// The keystore file.
        path: PathBuf,
        /// Its password.
        password: String,
    },
}

/// A JSON-RPC endpoint and the deploying key.
pub struct Rpc {
    url: Url,
    key: Key,
    signer: PrivateKeySigner,
    runtime: tokio::runtime::Runtime,
    /// Whether the cargo-stylus command was found to be the pinned
    /// version (asked once, before the first deployment).
    checked: bool,
    /// `cargo stylus` (or another command that takes the same arguments).
    pub cargo_stylus: Vec<String>,
    /// Extra arguments for `cargo stylus deploy` (deployer contract, fees).
    pub deploy_args: Vec<String>,
}

/// A new file holding `contents` that only this user can read, in a fresh
/// private folder (keys, passwords, the module); removed when dropped.
struct PrivateFile {
    path: PathBuf,
    /// Its folder (mode 0700), removed with it.
    _dir: tempfile::TempDir,
}

impl PrivateFile {
    fn new(name: &str, contents: &[u8]) -> Result<Self> {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let dir = tempfile::Builder::new()
            .prefix("spon-deploy-")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()?;
        let path = dir.path().join(name);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        std::io::Write::write_all(&mut f, contents)?;
        Ok(PrivateFile { path, _dir: dir })
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

/// The text after `label` on a line of `output` (colours stripped).
fn field(output: &str, label: &str) -> Option<String> {
    let plain: String = {
        // Drop ANSI escape sequences (`ESC [ ... m`).
        let mut out = String::with_capacity(output.len());
        let mut chars = output.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    plain.lines().find_map(|line| {
        let rest = line.split_once(label)?.1;
        rest.split_whitespace().next().map(str::to_string)
    })
}

/// The address and transaction hash `cargo stylus deploy` printed.
///
/// # Errors
/// If either is missing.
pub fn parse_deploy_output(output: &str) -> Result<(Address, B256)> {
    let address = field(output, "deployed code at address:")
        .context("cargo stylus printed no 'deployed code at address'")?
        .parse()
        .context("the deployed address does not parse")?;
    let tx = field(output, "deployment tx hash:")
        .context("cargo stylus printed no 'deployment tx hash'")?
        .parse()
        .context("the deployment tx hash does not parse")?;
    Ok((address, tx))
}

impl Rpc {
    /// Connects lazily to `url` with `key`.
    ///
    /// # Errors
    /// A bad URL or key, or a keystore that does not decrypt.
    pub fn new(url: &str, key: Key) -> Result<Self> {
        let signer = match &key {
            Key::Hex(hex) => hex
                .trim()
                .parse::<PrivateKeySigner>()
                .map_err(|e| anyhow!("the private key does not parse: {e}"))?,
            Key::Keystore { path, password } => PrivateKeySigner::decrypt_keystore(path, password)
                .with_context(|| format!("cannot decrypt {}", path.display()))?,
        };
        Ok(Rpc {
            url: url.parse().with_context(|| format!("bad RPC URL {url}"))?,
            key,
            signer,
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
            checked: false,
            cargo_stylus: vec!["cargo".into(), "stylus".into()],
            deploy_args: Vec::new(),
        })
    }

    fn provider(&self) -> impl Provider {
        // `new()` comes with the recommended fillers (nonce, gas, chain id).
        ProviderBuilder::new()
            .wallet(EthereumWallet::from(self.signer.clone()))
            .on_http(self.url.clone())
    }

    /// Refuses a cargo-stylus that is not [`PINNED_CARGO_STYLUS`], with
    /// the reason; asked once.
    fn check_cargo_stylus(&mut self) -> Result<()> {
        if self.checked {
            return Ok(());
        }
        let (program, pre) = self
            .cargo_stylus
            .split_first()
            .context("empty cargo-stylus command")?;
        let out = Command::new(program)
            .args(pre)
            .arg("--version")
            .output()
            .with_context(|| {
                format!(
                    "cannot run {}: install cargo-stylus {PINNED_CARGO_STYLUS} \
                     (cargo install --locked cargo-stylus --version {PINNED_CARGO_STYLUS}; \
                     scripts/setup does)",
                    self.cargo_stylus.join(" ")
                )
            })?;
        let text = String::from_utf8_lossy(&out.stdout);
        check_version(&text)?;
        self.checked = true;
        Ok(())
    }

    fn receipt(&self, tx_hash: B256) -> Result<Receipt> {
        let p = self.provider();
        let r = self
            .runtime
            .block_on(p.get_transaction_receipt(tx_hash))?
            .with_context(|| format!("no receipt for {tx_hash}"))?;
        Ok(Receipt {
            tx_hash,
            block: r.block_number().unwrap_or_default(),
        })
    }
}

/// Sends `tx` and waits for its receipt; a reverted transaction is an
/// error.
async fn mined(
    p: &impl Provider,
    tx: TransactionRequest,
) -> Result<alloy_rpc_types_eth::TransactionReceipt> {
    let pending = p.send_transaction(tx).await.map_err(explain)?;
    let r = pending.get_receipt().await.map_err(|e| anyhow!(e))?;
    if !r.status() {
        bail!("transaction {} reverted", r.transaction_hash());
    }
    Ok(r)
}

/// The custom error an RPC error carries, named from the ABIs.
fn explain(e: alloy_transport::TransportError) -> anyhow::Error {
    match e.as_error_resp().and_then(|p| p.as_revert_data()) {
        Some(data) => anyhow!("reverted: {}", error_name(&data)),
        None => anyhow!(e),
    }
}

/// Accepts the output of `cargo stylus --version` only for
/// [`PINNED_CARGO_STYLUS`].
///
/// # Errors
/// Another version, or no version, with why it matters.
pub fn check_version(output: &str) -> Result<()> {
    let version = output
        .split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .unwrap_or("(not found)");
    if version != PINNED_CARGO_STYLUS {
        bail!(
            "cargo-stylus {version} found; spon-deploy needs {PINNED_CARGO_STYLUS}: its \
             `deploy --wasm-file --constructor-signature` deploys, activates and constructs \
             each contract in one transaction through StylusDeployer, while 0.10.x takes \
             the same flags and never calls the constructor, leaving the contract to \
             whoever calls it first (for the token: who receives the whole supply). \
             Install it with `cargo install --locked cargo-stylus --version \
             {PINNED_CARGO_STYLUS}` (scripts/setup does)"
        );
    }
    Ok(())
}

impl Backend for Rpc {
    fn chain_id(&mut self) -> Result<u64> {
        let p = self.provider();
        self.runtime
            .block_on(p.get_chain_id())
            .with_context(|| format!("no answer from {}", self.url))
    }

    fn deployer(&self) -> Address {
        self.signer.address()
    }

    fn code(&mut self, address: Address) -> Result<Vec<u8>> {
        let p = self.provider();
        Ok(self
            .runtime
            .block_on(async { p.get_code_at(address).await })?
            .to_vec())
    }

    fn deploy(
        &mut self,
        package: &str,
        wasm: &[u8],
        signature: &str,
        args: &[String],
        _encoded: &[u8],
    ) -> Result<(Address, Receipt)> {
        self.check_cargo_stylus()?;
        // cargo-stylus reads the module from a file: the exact bytes given.
        let module = PrivateFile::new(&format!("{package}.wasm"), wasm)?;
        let (program, pre) = self
            .cargo_stylus
            .split_first()
            .context("empty cargo-stylus command")?;
        let mut cmd = Command::new(program);
        cmd.args(pre)
            .arg("deploy")
            .arg("--endpoint")
            .arg(self.url.as_str())
            .arg("--wasm-file")
            .arg(module.path())
            .arg("--no-verify");
        let _secret = match &self.key {
            Key::Hex(hex) => {
                let f = PrivateFile::new("key", hex.trim().as_bytes())?;
                cmd.arg("--private-key-path").arg(f.path());
                f
            }
            Key::Keystore { path, password } => {
                let f = PrivateFile::new("password", password.as_bytes())?;
                cmd.arg("--keystore-path")
                    .arg(path)
                    .arg("--keystore-password-path")
                    .arg(f.path());
                f
            }
        };
        cmd.args(&self.deploy_args)
            .arg("--constructor-signature")
            .arg(signature)
            .arg("--constructor-args")
            .args(args);
        let out = cmd
            .output()
            .with_context(|| format!("cannot run {}", self.cargo_stylus.join(" ")))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if !out.status.success() {
            bail!("cargo stylus deploy of {package} failed:\n{text}");
        }
        let (address, tx) = parse_deploy_output(&text)?;
        Ok((address, self.receipt(tx)?))
    }

    fn call(&mut self, to: Address, data: &[u8]) -> Result<Vec<u8>> {
        let p = self.provider();
        let tx = TransactionRequest::default()
            .with_from(self.signer.address())
            .with_to(to)
            .with_input(Bytes::copy_from_slice(data));
        Ok(self
            .runtime
            .block_on(async { p.call(&tx).await })
            .map_err(explain)?
            .to_vec())
    }

    fn send(&mut self, to: Address, data: &[u8]) -> Result<Receipt> {
        let p = self.provider();
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_input(Bytes::copy_from_slice(data));
        let r = self.runtime.block_on(mined(&p, tx))?;
        Ok(Receipt {
            tx_hash: r.transaction_hash(),
            block: r.block_number().unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_cargo_stylus_prints() {
        let out = "stripped custom section from user wasm to remove any sensitive data\n\
            contract size: 20.5 KiB (20985 bytes)\n\
            wasm data fee: 0.000118 ETH (originally 0.000099 ETH with 20% bump)\n\
            deployed code at address: \u{1b}[38;5;183m0xab8e440727a38bbb180f7032ca4a8009e7b52b80\u{1b}[0;0m with 5271784 gas\n\
            deployment tx hash: 0x721dc5c9c177448a4a929e56f0a0b161ef8ccb666646cb7b0b6e67ed39266f0c\n";
        let (address, tx) = parse_deploy_output(out).unwrap();
        assert_eq!(
            address,
            "0xab8e440727a38bbb180f7032ca4a8009e7b52b80"
                .parse::<Address>()
                .unwrap()
        );
        assert_eq!(
            tx,
            "0x721dc5c9c177448a4a929e56f0a0b161ef8ccb666646cb7b0b6e67ed39266f0c"
                .parse::<B256>()
                .unwrap()
        );
        assert!(parse_deploy_output("error: insufficient funds").is_err());
    }

    #[test]
    fn only_the_pinned_cargo_stylus_is_run() {
        check_version("cargo-stylus 0.6.3\n").unwrap();
        for other in ["cargo-stylus 0.10.10\n", "cargo-stylus 0.6.2", "", "error"] {
            let e = check_version(other).unwrap_err().to_string();
            assert!(e.contains("needs 0.6.3"), "{e}");
            assert!(e.contains("never calls the constructor"), "{e}");
        }
    }

    #[test]
    fn secrets_are_private_and_removed() {
        use std::os::unix::fs::PermissionsExt;
        let f = PrivateFile::new("key", b"0x01").unwrap();
        let path = f.path().to_path_buf();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir = std::fs::metadata(path.parent().unwrap()).unwrap();
        assert_eq!(dir.permissions().mode() & 0o777, 0o700);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "0x01");
        drop(f);
        assert!(!path.exists());
    }
}
