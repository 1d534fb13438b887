//! Sending `proposeMatch`: the matcher's own nonce counter, gas
//! estimation (which also asks the market whether it would accept the
//! proposal), EIP-1559 fees, signing locally so the transaction's hash is
//! recorded before it is sent, and retries with exponential backoff on
//! RPC errors (never on a refusal).

use std::{future::Future, time::Duration};

use alloy_eips::eip2718::Encodable2718;
use alloy_network::{Ethereum, EthereumWallet, TransactionBuilder};
use alloy_primitives::{Address, Bytes, B256};
use alloy_provider::Provider;
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::SolCall;
use anyhow::{anyhow, Context, Result};
use tracing::{debug, warn};

use spon_bindings::Market;

use crate::store::{Sent, Store};

/// Delays between retries: `base`, doubling, at most `max`, `attempts`
/// tries in all.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// First delay.
    pub base: Duration,
    /// Largest delay.
    pub max: Duration,
    /// Tries in all (at least one).
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_millis(200),
            max: Duration::from_secs(10),
            attempts: 6,
        }
    }
}

impl Backoff {
    /// The delay after failed try `n` (0-based).
    pub fn delay(&self, n: u32) -> Duration {
        self.base
            .saturating_mul(2u32.saturating_pow(n.min(31)))
            .min(self.max)
    }

    /// Runs `op` until it succeeds, it fails with an error `fatal` says
    /// not to retry, or the tries are spent; the last error is returned.
    ///
    /// # Errors
    /// `op`'s last error.
    pub async fn retry<T, F, Fut>(
        &self,
        what: &str,
        fatal: impl Fn(&anyhow::Error) -> bool,
        mut op: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut n = 0;
        loop {
            match op().await {
                Ok(v) => return Ok(v),
                Err(e) if fatal(&e) || n + 1 >= self.attempts.max(1) => return Err(e),
                Err(e) => {
                    let wait = self.delay(n);
                    warn!(what, error = %format!("{e:#}"), retry_in = ?wait, "RPC error; retrying");
                    tokio::time::sleep(wait).await;
                    n += 1;
                }
            }
        }
    }
}

/// The account's next nonce, kept by the matcher (one transaction at a
/// time, so no gaps): read from the chain when unknown or after the chain
/// disagreed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Nonces {
    next: Option<u64>,
}

impl Nonces {
    /// The nonce to use, reading the chain's count with `fetch` if unknown.
    ///
    /// # Errors
    /// `fetch`'s error.
    pub async fn peek<F: Future<Output = Result<u64>>>(&mut self, fetch: F) -> Result<u64> {
        if let Some(n) = self.next {
            return Ok(n);
        }
        let n = fetch.await?;
        self.next = Some(n);
        Ok(n)
    }

    /// The nonce was used by a sent transaction.
    pub fn used(&mut self, nonce: u64) {
        self.next = Some(nonce + 1);
    }

    /// Forget the count (the chain refused a nonce): read it again.
    pub fn reset(&mut self) {
        self.next = None;
    }
}

/// What became of a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Mined and succeeded.
    Proposed(B256),
    /// The market refuses it (named custom error), found before sending.
    Refused(String),
    /// Mined but reverted (another matcher's proposal landed first).
    Reverted(B256),
    /// Not mined in time: left pending, recorded.
    Pending(B256),
    /// `--dry-run`: not sent.
    DryRun,
}

/// The market's custom error an RPC error carries, if it is a revert.
fn refusal(e: &alloy_transport::TransportError) -> Option<String> {
    let data = e.as_error_resp()?.as_revert_data()?;
    Some(spon_client::error_name(&data))
}

/// Sends proposals for one account.
pub struct Submitter<P> {
    provider: P,
    wallet: EthereumWallet,
    from: Address,
    market: Address,
    chain_id: u64,
    nonces: Nonces,
    /// Retries of RPC calls.
    pub backoff: Backoff,
    /// How long to wait for a receipt.
    pub confirm_timeout: Duration,
    /// Estimate and log, send nothing.
    pub dry_run: bool,
}

/// Named so the retry loop stops at once on refusals.
#[derive(Debug)]
struct Refusal(String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused: {}", self.0)
    }
}

impl std::error::Error for Refusal {}

fn is_refusal(e: &anyhow::Error) -> bool {
    e.is::<Refusal>()
}

impl<P: Provider<Ethereum>> Submitter<P> {
    /// A submitter sending from `wallet`'s default signer to `market`.
    pub fn new(provider: P, wallet: EthereumWallet, market: Address, chain_id: u64) -> Self {
        let from = alloy_network::NetworkWallet::<Ethereum>::default_signer_address(&wallet);
        Submitter {
            provider,
            wallet,
            from,
            market,
            chain_id,
            nonces: Nonces::default(),
            backoff: Backoff::default(),
            confirm_timeout: Duration::from_secs(60),
            dry_run: false,
        }
    }

    /// The sending account.
    pub fn from(&self) -> Address {
        self.from
    }

    /// Whether `sent` (recorded before a restart, or earlier) is settled:
    /// mined, or unknown to the endpoint (never sent: the matcher stopped
    /// between recording and sending; or dropped). One the endpoint still
    /// holds as pending is not, and must not be sent again.
    ///
    /// # Errors
    /// RPC errors.
    pub async fn settled(&self, sent: &Sent) -> Result<bool> {
        let p = &self.provider;
        let receipt = self
            .backoff
            .retry(
                "receipt",
                |_| false,
                || async { Ok(p.get_transaction_receipt(sent.tx_hash).await?) },
            )
            .await?;
        if receipt.is_some() {
            return Ok(true);
        }
        let known = self
            .backoff
            .retry(
                "transaction",
                |_| false,
                || async { Ok(p.get_transaction_by_hash(sent.tx_hash).await?) },
            )
            .await?;
        Ok(known.is_none())
    }

    /// Proposes bid `bid_id` for order `order_id`: estimates (a refusal
    /// stops here), signs, records the transaction in `store`, sends it and
    /// waits for its receipt.
    ///
    /// # Errors
    /// RPC errors after the retries, database errors.
    pub async fn propose(&mut self, store: &Store, order_id: u64, bid_id: u64) -> Result<Outcome> {
        let input = Bytes::from(Market::proposeMatchCall { order_id, bid_id }.abi_encode());
        let request = TransactionRequest::default()
            .with_from(self.from)
            .with_to(self.market)
            .with_input(input);
        let p = &self.provider;
        let estimate = self
            .backoff
            .retry("estimateGas", is_refusal, || async {
                match p.estimate_gas(&request).await {
                    Ok(g) => Ok(g),
                    Err(e) => match refusal(&e) {
                        Some(name) => Err(anyhow!(Refusal(name))),
                        None => Err(anyhow!(e)),
                    },
                }
            })
            .await;
        let gas = match estimate {
            Ok(g) => g,
            Err(e) => {
                return match e.downcast::<Refusal>() {
                    Ok(Refusal(name)) => Ok(Outcome::Refused(name)),
                    Err(e) => Err(e),
                };
            }
        };
        if self.dry_run {
            debug!(order_id, bid_id, gas, "dry run: not sent");
            return Ok(Outcome::DryRun);
        }
        let fees = self
            .backoff
            .retry(
                "fees",
                |_| false,
                || async { Ok(p.estimate_eip1559_fees(None).await?) },
            )
            .await?;
        let mut resets = 0;
        loop {
            let from = self.from;
            let nonce = self
                .nonces
                .peek(self.backoff.retry(
                    "nonce",
                    |_| false,
                    || async { Ok(p.get_transaction_count(from).pending().await?) },
                ))
                .await?;
            let envelope = request
                .clone()
                .with_nonce(nonce)
                .with_chain_id(self.chain_id)
                .with_gas_limit(gas.saturating_add(gas / 4))
                .with_max_fee_per_gas(fees.max_fee_per_gas)
                .with_max_priority_fee_per_gas(fees.max_priority_fee_per_gas)
                .build(&self.wallet)
                .await
                .context("cannot sign the proposal")?;
            let tx_hash = *envelope.tx_hash();
            store.record_sent(
                order_id,
                Sent {
                    bid_id,
                    tx_hash,
                    nonce,
                },
            )?;
            let raw = envelope.encoded_2718();
            let sent = self
                .backoff
                .retry("sendRawTransaction", nonce_refused, || async {
                    match p.send_raw_transaction(&raw).await {
                        Ok(_) => Ok(()),
                        Err(e) if e.to_string().contains("already known") => Ok(()),
                        Err(e) => Err(anyhow!(e)),
                    }
                })
                .await;
            match sent {
                Ok(()) => {
                    self.nonces.used(nonce);
                    return self.confirm(store, order_id, tx_hash).await;
                }
                Err(e) if nonce_refused(&e) && resets < 3 => {
                    warn!(nonce, error = %e, "the chain refused the nonce; reading it again");
                    store.forget_sent(order_id)?;
                    self.nonces.reset();
                    resets += 1;
                }
                Err(e) => {
                    store.forget_sent(order_id)?;
                    return Err(e);
                }
            }
        }
    }

    async fn confirm(&self, store: &Store, order_id: u64, tx_hash: B256) -> Result<Outcome> {
        let p = &self.provider;
        let deadline = tokio::time::Instant::now() + self.confirm_timeout;
        loop {
            if let Some(r) = p.get_transaction_receipt(tx_hash).await.ok().flatten() {
                store.forget_sent(order_id)?;
                return Ok(if r.status() {
                    Outcome::Proposed(tx_hash)
                } else {
                    Outcome::Reverted(tx_hash)
                });
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(Outcome::Pending(tx_hash));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// Whether the chain refused the transaction's nonce.
fn nonce_refused(e: &anyhow::Error) -> bool {
    let text = format!("{e:#}").to_lowercase();
    text.contains("nonce too low")
        || text.contains("nonce too high")
        || text.contains("invalid nonce")
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let b = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_millis(700),
            attempts: 5,
        };
        let delays: Vec<u128> = (0..5).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(delays, vec![100, 200, 400, 700, 700]);
        assert_eq!(b.delay(u32::MAX), Duration::from_millis(700));
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn retry_stops_on_success_on_fatal_errors_and_after_the_last_try() {
        let b = Backoff {
            base: Duration::from_millis(10),
            max: Duration::from_millis(10),
            attempts: 3,
        };
        let tries = Cell::new(0);
        // Succeeds on the second try.
        let v = rt()
            .block_on(b.retry(
                "t",
                |_| false,
                || {
                    tries.set(tries.get() + 1);
                    let n = tries.get();
                    async move {
                        if n < 2 {
                            Err(anyhow!("flaky"))
                        } else {
                            Ok(n)
                        }
                    }
                },
            ))
            .unwrap();
        assert_eq!(v, 2);
        // Gives up after three tries with the last error.
        tries.set(0);
        let e = rt()
            .block_on(b.retry(
                "t",
                |_| false,
                || {
                    tries.set(tries.get() + 1);
                    async { Err::<(), _>(anyhow!("down")) }
                },
            ))
            .unwrap_err();
        assert_eq!((tries.get(), e.to_string()), (3, "down".to_string()));
        // A refusal is not retried.
        tries.set(0);
        let e = rt()
            .block_on(b.retry("t", is_refusal, || {
                tries.set(tries.get() + 1);
                async { Err::<(), _>(anyhow!(Refusal("ScoreNotBetter".into()))) }
            }))
            .unwrap_err();
        assert_eq!(tries.get(), 1);
        assert!(is_refusal(&e));
    }

    #[test]
    fn nonces_are_read_once_then_counted_and_reread_after_a_refusal() {
        let rt = rt();
        let mut n = Nonces::default();
        assert_eq!(rt.block_on(n.peek(async { Ok(5) })).unwrap(), 5);
        n.used(5);
        // Known: the chain is not asked.
        assert_eq!(
            rt.block_on(n.peek(async { Err(anyhow!("not asked")) }))
                .unwrap(),
            6
        );
        n.reset();
        assert_eq!(rt.block_on(n.peek(async { Ok(9) })).unwrap(), 9);
        assert!(nonce_refused(&anyhow!(
            "server returned: nonce too low: next 9"
        )));
        assert!(!nonce_refused(&anyhow!("connection refused")));
    }
}
