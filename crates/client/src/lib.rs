//! What the SPON off-chain tools (probe, agent, CLI, matcher) share to act
//! on the chain as a wallet does:
//!
//! - [`args::ChainArgs`]: the `--rpc-url` and wallet flags of every
//!   binary, and the account's key from an environment variable or an
//!   encrypted JSON keystore (password from a file or a prompt);
//! - [`Client`]: a provider that signs locally and fills nonce, gas and
//!   fees, whose [`Client::send`] estimates first so that a refusal comes
//!   back as the contract's custom error name ([`Refused`]) and nothing is
//!   sent;
//! - [`Deployment`]: the contract addresses of a `deployments/<chainId>.json`
//!   written by `scripts/deploy`, found from the endpoint's chain id;
//! - [`units`]: token amounts as decimal text and back.

pub mod args;
pub mod units;

use std::path::{Path, PathBuf};

use alloy_network::{EthereumWallet, TransactionBuilder};
use alloy_primitives::{Address, Bytes};
use alloy_provider::{DynProvider, Provider, ProviderBuilder};
use alloy_rpc_types_eth::{TransactionReceipt, TransactionRequest};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolEvent};
use anyhow::{anyhow, bail, Context, Result};
use spon_bindings::record::{self, Record};
pub use spon_bindings::{self as bindings, decode_error, error_name, Decoded};

/// The folder of deployment records, `<chainId>.json` each, relative to
/// where the tools run (the repository's root).
pub const DEPLOYMENTS: &str = "deployments";

/// The first `E` a transaction logged.
pub fn event<E: SolEvent>(r: &TransactionReceipt) -> Option<E> {
    r.inner
        .logs()
        .iter()
        .find_map(|l| E::decode_log_data(l.data(), true).ok())
}

/// The first `E` a transaction logged; an error naming it if none.
///
/// # Errors
/// The receipt holds no `E`.
pub fn expect_event<E: SolEvent>(r: &TransactionReceipt) -> Result<E> {
    event(r).with_context(|| format!("no {} in the receipt", E::SIGNATURE))
}

/// Logs to standard error (coloured on a terminal) at the levels of
/// `RUST_LOG`, else `default` (e.g. `spon_probe=info`).
pub fn init_logging(default: &str) {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| default.into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

/// A contract refused a call: the call's signature and the custom error
/// (name and arguments) decoded with what it means.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{call} refused: {error}{}", if meaning.is_empty() { String::new() } else { format!(" — {meaning}") })]
pub struct Refused {
    /// The refused function's signature.
    pub call: &'static str,
    /// The decoded custom error, e.g. `TooEarly(challengeId: 3, at: 1700000000)`.
    pub error: String,
    /// What the error means (its declaration's doc comment; empty when the
    /// error is unknown).
    pub meaning: String,
}

/// Why a call through [`Client`] failed: the contract refused it (a
/// caller may go on), or anything else.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// See [`Refused`].
    #[error(transparent)]
    Refused(#[from] Refused),
    /// An RPC failure, a transaction mined but reverted, an undecodable
    /// answer.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl CallError {
    /// As an `anyhow` error whose [`Refused`] a caller several layers up
    /// can still find with `downcast_ref::<Refused>()` (where it only
    /// reports the error).
    pub fn into_anyhow(self) -> anyhow::Error {
        match self {
            CallError::Refused(r) => anyhow::Error::new(r),
            CallError::Failed(e) => e,
        }
    }
}

/// An RPC error of `C`: [`Refused`] when it carries revert data.
fn named<C: SolCall>(e: alloy_transport::TransportError) -> CallError {
    match e.as_error_resp().and_then(|r| r.as_revert_data()) {
        Some(data) => {
            let decoded = decode_error(Some(C::SIGNATURE), &data);
            CallError::Refused(Refused {
                call: C::SIGNATURE,
                error: decoded
                    .as_ref()
                    .map_or_else(|| error_name(&data), ToString::to_string),
                meaning: decoded.map(|d| d.meaning).unwrap_or_default(),
            })
        }
        None => CallError::Failed(anyhow!("{}: {e}", C::SIGNATURE)),
    }
}

/// An account acting on one chain.
#[derive(Clone)]
pub struct Client {
    provider: DynProvider,
    /// The account.
    pub from: Address,
    /// The chain's id.
    pub chain_id: u64,
}

impl Client {
    /// Connects to `url` to act as `signer`.
    ///
    /// # Errors
    /// A bad URL or no answer.
    pub async fn connect(url: &str, signer: PrivateKeySigner) -> Result<Self> {
        let from = signer.address();
        let provider = ProviderBuilder::new()
            .wallet(EthereumWallet::from(signer))
            .on_http(url.parse().with_context(|| format!("bad RPC URL {url}"))?)
            .erased();
        Self::with(url, provider, from).await
    }

    /// Connects to `url` to read only: [`Client::send`] has no key to sign
    /// with and fails (`from` is the zero address).
    ///
    /// # Errors
    /// A bad URL or no answer.
    pub async fn reader(url: &str) -> Result<Self> {
        let provider = ProviderBuilder::new()
            .on_http(url.parse().with_context(|| format!("bad RPC URL {url}"))?)
            .erased();
        Self::with(url, provider, Address::ZERO).await
    }

    async fn with(url: &str, provider: DynProvider, from: Address) -> Result<Self> {
        let chain_id = provider
            .get_chain_id()
            .await
            .with_context(|| format!("no answer from {url}"))?;
        Ok(Self {
            provider,
            from,
            chain_id,
        })
    }

    /// The provider, to read the chain directly.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// Sends `call` to `to` and waits for its receipt. The call is estimated
    /// first: a contract's refusal comes back as [`Refused`] and nothing is
    /// sent.
    ///
    /// # Errors
    /// [`CallError::Refused`]; [`CallError::Failed`] for an RPC failure or
    /// a transaction mined but reverted.
    pub async fn send<C: SolCall>(
        &self,
        to: Address,
        call: C,
    ) -> Result<TransactionReceipt, CallError> {
        let tx = TransactionRequest::default()
            .with_from(self.from)
            .with_to(to)
            .with_input(Bytes::from(call.abi_encode()));
        let pending = self
            .provider
            .send_transaction(tx)
            .await
            .map_err(named::<C>)?;
        let receipt = pending
            .get_receipt()
            .await
            .with_context(|| format!("no receipt for {}", C::SIGNATURE))?;
        if !receipt.status() {
            return Err(anyhow!(
                "{} reverted in transaction {}",
                C::SIGNATURE,
                receipt.transaction_hash
            )
            .into());
        }
        Ok(receipt)
    }

    /// The result of the view `call` on `to`.
    ///
    /// # Errors
    /// [`CallError::Refused`]; [`CallError::Failed`] for an RPC failure or
    /// an undecodable answer.
    pub async fn view<C: SolCall>(&self, to: Address, call: C) -> Result<C::Return, CallError> {
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_input(Bytes::from(call.abi_encode()));
        let out = self.provider.call(&tx).await.map_err(named::<C>)?;
        Ok(C::abi_decode_returns(&out, true).with_context(|| {
            format!("{} answered {} undecodable bytes", C::SIGNATURE, out.len())
        })?)
    }

    /// The timestamp of the latest block.
    ///
    /// # Errors
    /// An RPC failure.
    pub async fn now(&self) -> Result<u64> {
        let block = self
            .provider
            .get_block_by_number(
                alloy_rpc_types_eth::BlockNumberOrTag::Latest,
                alloy_rpc_types_eth::BlockTransactionsKind::Hashes,
            )
            .await?
            .context("no latest block")?;
        Ok(block.header.timestamp)
    }
}

/// The contracts of one deployment.
#[derive(Debug, Clone)]
pub struct Deployment {
    record: Record,
}

impl Deployment {
    /// The deployment record of `client`'s chain: `path` if given, else
    /// `deployments/<chainId>.json` of the chain the endpoint answers for;
    /// refused if it is another chain's. Returns where it was read.
    ///
    /// # Errors
    /// No such record, unreadable, or of another chain.
    pub fn find(path: Option<&Path>, client: &Client) -> Result<(Self, PathBuf)> {
        let path = path.map_or_else(
            || record::path_for(Path::new(DEPLOYMENTS), client.chain_id),
            Path::to_path_buf,
        );
        if !path.exists() {
            bail!(
                "no deployment record {} for chain {}: deploy with `spon deploy`, or pass \
                 --deployment",
                path.display(),
                client.chain_id
            );
        }
        let deployment = Self::load(&path)?;
        deployment.check(client)?;
        Ok((deployment, path))
    }

    /// Reads a `deployments/<chainId>.json` written by `scripts/deploy`.
    ///
    /// # Errors
    /// Unreadable, or not a deployment record.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let record: Record = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a deployment record", path.display()))?;
        Ok(Self { record })
    }

    /// The address and deployment block of `contract` (a package name such
    /// as `spon-market`).
    ///
    /// # Errors
    /// The record has no such contract.
    pub fn contract(&self, contract: &str) -> Result<(Address, u64)> {
        self.record
            .contracts
            .get(contract)
            .map(|c| (c.address, c.block))
            .with_context(|| format!("the deployment has no {contract}"))
    }

    /// The address of `contract`.
    ///
    /// # Errors
    /// The record has no such contract.
    pub fn address(&self, contract: &str) -> Result<Address> {
        self.contract(contract).map(|c| c.0)
    }

    /// The chain the contracts are on.
    pub fn chain_id(&self) -> u64 {
        self.record.chain_id
    }

    /// Refuses a client on another chain than the record's.
    ///
    /// # Errors
    /// The chains differ.
    pub fn check(&self, client: &Client) -> Result<()> {
        if client.chain_id != self.chain_id() {
            bail!(
                "wrong network: the endpoint is chain {} but the deployment record is for chain {}",
                client.chain_id,
                self.chain_id()
            );
        }
        Ok(())
    }
}
