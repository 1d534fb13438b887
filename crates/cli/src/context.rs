//! What every command acts through: the endpoint, the wallet, the
//! deployment's addresses, token units, and the output (human or JSON).

use std::path::PathBuf;

use alloy_primitives::{Address, U256};
use alloy_provider::Provider;
use alloy_rpc_types_eth::{Filter, Log, TransactionReceipt};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolEvent};
use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::{json, Map, Value};
use spon_client::{args::ChainArgs, bindings::Token, units, CallError, Client, Deployment};
pub use spon_client::{event, expect_event};

/// Options every command takes.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// The endpoint and the keystore.
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Deployment record with the contracts' addresses [default:
    /// deployments/<chainId>.json, the chain's id asked of the endpoint].
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "SPON_DEPLOYMENT"
    )]
    pub deployment: Option<PathBuf>,
    /// Environment variable holding the account's hex private key (used
    /// when no --keystore is given).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        default_value = "SPON_PRIVATE_KEY"
    )]
    pub private_key_env: String,
    /// Print one JSON object (for scripts) instead of text.
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,
}

impl Global {
    /// The endpoint and key options, as the deployment code takes them.
    pub fn wallet(&self) -> spon_deploy::cli::Wallet {
        spon_deploy::cli::Wallet {
            chain: self.chain.clone(),
            private_key_env: self.private_key_env.clone(),
        }
    }

    /// Where the key is looked for, for errors without one.
    pub fn key_hint(&self) -> String {
        format!(
            "set {} to the account's private key, or pass --keystore",
            self.private_key_env
        )
    }
}

/// A token the command moves: its address, symbol and decimals.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// Its address.
    pub address: Address,
    /// Its symbol.
    pub symbol: String,
    /// Its decimals.
    pub decimals: u8,
}

impl TokenInfo {
    /// `amount` with the symbol, e.g. `12.5 SPON`.
    pub fn show(&self, amount: U256) -> String {
        format!("{} {}", units::format(amount, self.decimals), self.symbol)
    }

    /// `amount` for JSON: the exact integer as text and the decimal.
    pub fn json(&self, amount: U256) -> Value {
        json!({"raw": amount.to_string(), "amount": units::format(amount, self.decimals),
               "symbol": self.symbol})
    }

    /// Parses `text` in this token's units.
    pub fn parse(&self, text: &str) -> Result<U256> {
        units::parse(text, self.decimals).with_context(|| format!("amount of {}", self.symbol))
    }
}

/// The connected client and the deployment.
pub struct Ctx {
    /// The chain client (read-only when no key was given).
    pub client: Client,
    /// The deployment's addresses.
    pub deployment: Deployment,
    /// Where the deployment record was read.
    pub record: PathBuf,
    signer: Option<PrivateKeySigner>,
    key_hint: String,
    /// JSON output.
    pub json: bool,
}

impl Ctx {
    /// Connects as `g` says; a wallet only if one is configured.
    pub async fn new(g: &Global) -> Result<Self> {
        let signer = g
            .chain
            .has_key(&g.private_key_env)
            .then(|| g.chain.signer(&g.private_key_env))
            .transpose()?;
        let client = match &signer {
            Some(s) => Client::connect(g.chain.url(), s.clone()).await?,
            None => Client::reader(g.chain.url()).await?,
        };
        let (deployment, record) = Deployment::find(g.deployment.as_deref(), &client)?;
        Ok(Self {
            client,
            deployment,
            record,
            signer,
            key_hint: g.key_hint(),
            json: g.json,
        })
    }

    /// The account acting; an error when no key was given.
    pub fn me(&self) -> Result<Address> {
        self.signer().map(|_| self.client.from)
    }

    /// The account's key, for what it signs off chain; an error when no
    /// key was given.
    pub fn signer(&self) -> Result<&PrivateKeySigner> {
        match &self.signer {
            Some(s) => Ok(s),
            None => bail!("no wallet: {}", self.key_hint),
        }
    }

    /// `who`, else the account acting.
    pub fn account(&self, who: Option<Address>) -> Result<Address> {
        who.map_or_else(|| self.me(), Ok)
    }

    /// The address of contract `name` (`market`, `spon-market`…).
    pub fn addr(&self, name: &str) -> Result<Address> {
        let package = if name.starts_with("spon-") {
            name.to_string()
        } else {
            format!("spon-{name}")
        };
        self.deployment.address(&package)
    }

    /// An address given as a contract name of the deployment or as hex.
    pub fn resolve(&self, text: &str) -> Result<Address> {
        match text.parse() {
            Ok(a) => Ok(a),
            Err(_) => self.addr(text).with_context(|| {
                format!("{text:?} is neither an address nor a contract of the deployment")
            }),
        }
    }

    /// The token `text` names: `SPON`, `tUSD` (the deployment's test
    /// token), or an address.
    pub async fn token(&self, text: &str) -> Result<TokenInfo> {
        let address = match text.to_ascii_lowercase().as_str() {
            "spon" => self.addr("token")?,
            "tusd" => self.addr("test-usd")?,
            _ => text
                .parse()
                .with_context(|| format!("{text:?} is not SPON, tUSD or a token address"))?,
        };
        self.token_at(address).await
    }

    /// The token at `address`.
    pub async fn token_at(&self, address: Address) -> Result<TokenInfo> {
        let symbol = self
            .client
            .view(address, Token::symbolCall {})
            .await
            .with_context(|| format!("{address} is not an ERC-20 token"))?
            .symbol;
        let decimals = self
            .client
            .view(address, Token::decimalsCall {})
            .await?
            .decimals;
        Ok(TokenInfo {
            address,
            symbol,
            decimals,
        })
    }

    /// Checks that the account holds `amount` of `token` and that `spender`
    /// may take it; approves it first if `approve`, else says how.
    pub async fn ensure_funds(
        &self,
        token: &TokenInfo,
        spender: Address,
        spender_name: &str,
        amount: U256,
        approve: bool,
    ) -> Result<()> {
        let me = self.me()?;
        let balance = self
            .client
            .view(token.address, Token::balanceOfCall { account: me })
            .await?
            .balance;
        if balance < amount {
            bail!(
                "insufficient balance: {me} holds {} but this needs {}",
                token.show(balance),
                token.show(amount)
            );
        }
        let allowance = self
            .client
            .view(token.address, Token::allowanceCall { owner: me, spender })
            .await?
            .allowance;
        if allowance < amount {
            if !approve {
                bail!(
                    "missing approval: the {spender_name} contract may spend {} of yours but this needs \
                     {}; run `spon token approve {spender_name} {} --token {}` or add --approve",
                    token.show(allowance),
                    token.show(amount),
                    units::format(amount, token.decimals),
                    token.symbol
                );
            }
            self.send(
                token.address,
                Token::approveCall {
                    spender,
                    value: amount,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// Sends `call` to `to` from the account, with a spinner on a terminal
    /// while it is mined.
    pub async fn send<C: SolCall>(&self, to: Address, call: C) -> Result<TransactionReceipt> {
        self.me()?;
        let spinner =
            (!self.json && std::io::IsTerminal::is_terminal(&std::io::stderr())).then(|| {
                let s = indicatif::ProgressBar::new_spinner();
                s.set_message(format!("{} …", C::SIGNATURE));
                s.enable_steady_tick(std::time::Duration::from_millis(100));
                s
            });
        let r = self.client.send(to, call).await;
        if let Some(s) = spinner {
            s.finish_and_clear();
        }
        r.map_err(CallError::into_anyhow)
    }

    /// The view `call` on `to`.
    pub async fn view<C: SolCall>(&self, to: Address, call: C) -> Result<C::Return> {
        self.client
            .view(to, call)
            .await
            .map_err(CallError::into_anyhow)
    }

    /// Every `E` that `address` logged since its deployment.
    pub async fn events<E: SolEvent>(&self, contract: &str) -> Result<Vec<(E, Log)>> {
        let (address, block) = self.deployment.contract(&format!("spon-{contract}"))?;
        let filter = Filter::new()
            .address(address)
            .event_signature(E::SIGNATURE_HASH)
            .from_block(block);
        let logs = self.client.provider().get_logs(&filter).await?;
        logs.into_iter()
            .map(|l| Ok((E::decode_log_data(l.data(), true)?, l)))
            .collect()
    }
}

/// A command's result: lines for people, an object for scripts.
#[derive(Default)]
pub struct Out {
    lines: Vec<String>,
    json: Map<String, Value>,
}

impl Out {
    /// A field: `key` with `value` in JSON, `human` in text.
    pub fn kv(&mut self, key: &str, value: impl Into<Value>, human: impl std::fmt::Display) {
        self.lines.push(format!("{key:<20} {human}"));
        self.json.insert(key.into(), value.into());
    }

    /// A field shown the same in both.
    pub fn field(&mut self, key: &str, value: impl std::fmt::Display) {
        let v = value.to_string();
        self.kv(key, v.clone(), v);
    }

    /// A line of text only.
    pub fn line(&mut self, text: impl Into<String>) {
        self.lines.push(text.into());
    }

    /// A JSON member only.
    pub fn data(&mut self, key: &str, value: Value) {
        self.json.insert(key.into(), value);
    }

    /// The transaction that did it.
    pub fn tx(&mut self, r: &TransactionReceipt) {
        self.kv(
            "tx",
            json!({"hash": r.transaction_hash, "block": r.block_number, "gasUsed": r.gas_used}),
            format!(
                "{} (block {}, {} gas)",
                r.transaction_hash,
                r.block_number.unwrap_or_default(),
                r.gas_used
            ),
        );
    }

    /// Its JSON object.
    pub fn json_value(&self) -> Value {
        Value::Object(self.json.clone())
    }

    /// Its text lines.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Prints it.
    pub fn print(self, json: bool) {
        if json {
            println!("{}", Value::Object(self.json));
        } else {
            for l in self.lines {
                println!("{l}");
            }
        }
    }
}
