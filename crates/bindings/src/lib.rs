//! # Bindings of the SPON contracts, for off-chain code
//!
//! One source for every tool that talks to the contracts (deployer, CLI,
//! matcher, agent, probe, tests):
//!
//! - one `sol!` module per contract (`Token`, `Staking`, `Registry`, …),
//!   generated from the JSON ABI the contract exports (`deployments/abi/`,
//!   checked against the code by `scripts/build-contracts`): call types,
//!   named view structs, events and errors, and with `#[sol(rpc)]` a
//!   contract instance over any alloy provider
//!   (`Registry::new(address, provider).nodeOf(node).call()`);
//! - [`ABIS`], the JSON files themselves, by package name;
//! - the catalogue of every custom error the contracts declare, with its
//!   doc comment, and [`decode_error`] / [`error_name`] to turn revert data
//!   into `Name(arg: value, …)` and what it means;
//! - [`record`]: the deployment record `deployments/<chainId>.json`.
// The generated instance methods take one argument per parameter.
#![allow(clippy::too_many_arguments)]

pub mod record;

use alloy_sol_types::sol;

sol!(
    #[sol(rpc)]
    Token,
    "../../deployments/abi/spon-token.json"
);
sol!(
    #[sol(rpc)]
    TestUsd,
    "../../deployments/abi/spon-test-usd.json"
);
sol!(
    #[sol(rpc)]
    Staking,
    "../../deployments/abi/spon-staking.json"
);
sol!(
    #[sol(rpc)]
    Registry,
    "../../deployments/abi/spon-registry.json"
);
sol!(
    #[sol(rpc)]
    Leases,
    "../../deployments/abi/spon-leases.json"
);
sol!(
    #[sol(rpc)]
    GpuVerifier,
    "../../deployments/abi/spon-gpu-verifier.json"
);
sol!(
    #[sol(rpc)]
    Market,
    "../../deployments/abi/spon-market.json"
);
sol!(
    #[sol(rpc)]
    Challenges,
    "../../deployments/abi/spon-challenges.json"
);
sol!(
    #[sol(rpc)]
    Audits,
    "../../deployments/abi/spon-audits.json"
);
sol!(
    #[sol(rpc)]
    Rewards,
    "../../deployments/abi/spon-rewards.json"
);
sol!(
    #[sol(rpc)]
    Governance,
    "../../deployments/abi/spon-governance.json"
);

/// The exported JSON ABI of each contract, by package name.
pub const ABIS: [(&str, &str); 10] = [
    (
        "spon-token",
        include_str!("../../../deployments/abi/spon-token.json"),
    ),
    (
        "spon-staking",
        include_str!("../../../deployments/abi/spon-staking.json"),
    ),
    (
        "spon-registry",
        include_str!("../../../deployments/abi/spon-registry.json"),
    ),
    (
        "spon-leases",
        include_str!("../../../deployments/abi/spon-leases.json"),
    ),
    (
        "spon-gpu-verifier",
        include_str!("../../../deployments/abi/spon-gpu-verifier.json"),
    ),
    (
        "spon-market",
        include_str!("../../../deployments/abi/spon-market.json"),
    ),
    (
        "spon-challenges",
        include_str!("../../../deployments/abi/spon-challenges.json"),
    ),
    (
        "spon-audits",
        include_str!("../../../deployments/abi/spon-audits.json"),
    ),
    (
        "spon-rewards",
        include_str!("../../../deployments/abi/spon-rewards.json"),
    ),
    (
        "spon-governance",
        include_str!("../../../deployments/abi/spon-governance.json"),
    ),
];

/// Every custom error the contracts declare: `(package, declaration,
/// doc comment)`, collected from `contracts/*/src/errors.rs` at build time.
const DECLARED: &[(&str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/errors.rs"));

/// The standard errors the contracts raise through OpenZeppelin's ERC-20,
/// ERC-2612 and ECDSA code (names and arguments as EIP-6093 and
/// OpenZeppelin define them).
const STANDARD: &[(&str, &str, &str)] = &[
    (
        "",
        "ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
        "`sender` holds `balance` tokens but the transfer needs `needed`.",
    ),
    (
        "",
        "ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
        "`spender` may move only `allowance` tokens but needs `needed`: approve it first.",
    ),
    (
        "",
        "ERC20InvalidSender(address sender)",
        "Tokens cannot come from `sender`.",
    ),
    (
        "",
        "ERC20InvalidReceiver(address receiver)",
        "Tokens cannot go to `receiver` (the zero address).",
    ),
    (
        "",
        "ERC20InvalidApprover(address approver)",
        "`approver` cannot approve.",
    ),
    (
        "",
        "ERC20InvalidSpender(address spender)",
        "`spender` cannot be approved (the zero address).",
    ),
    (
        "",
        "ERC2612ExpiredSignature(uint256 deadline)",
        "The permit's `deadline` has passed.",
    ),
    (
        "",
        "ERC2612InvalidSigner(address signer, address owner)",
        "The permit was signed by `signer`, not by the owner `owner`.",
    ),
    (
        "",
        "ECDSAInvalidSignature()",
        "The signature does not recover to an address.",
    ),
    (
        "",
        "ECDSAInvalidSignatureS(bytes32 s)",
        "The signature's `s` is in the upper half of the curve order.",
    ),
    (
        "",
        "SafeErc20FailedOperation(address token)",
        "A transfer of the ERC-20 token `token` failed: check the balance and the approval.",
    ),
];

/// A custom error decoded from revert data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Its name, e.g. `PriceTooHigh`.
    pub name: String,
    /// Its arguments: `(name, value)`, numbers in decimal.
    pub args: Vec<(String, String)>,
    /// What it means, from the declaration's doc comment.
    pub meaning: String,
}

impl std::fmt::Display for Decoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}(", self.name)?;
        for (i, (name, value)) in self.args.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{name}: {value}")?;
        }
        write!(f, ")")
    }
}

/// The package whose exported ABI declares the function `signature`.
fn package_of(signature: &str) -> Option<&'static str> {
    ABIS.iter().find_map(|(package, json)| {
        let abi = serde_json::from_str::<alloy_json_abi::JsonAbi>(json).ok()?;
        abi.functions()
            .any(|f| f.signature() == signature)
            .then_some(*package)
    })
}

/// The name of the function a contract declares with `selector`, e.g.
/// `approveProvider` (the first found, in [`ABIS`] order).
pub fn function_name(selector: [u8; 4]) -> Option<String> {
    ABIS.iter().find_map(|(_, json)| {
        let abi = serde_json::from_str::<alloy_json_abi::JsonAbi>(json).ok()?;
        abi.functions()
            .find(|f| f.selector() == selector)
            .map(|f| f.name.clone())
    })
}

/// Word `i` of `args`, if present.
fn word(args: &[u8], i: usize) -> Option<&[u8]> {
    args.get(i * 32..i * 32 + 32)
}

/// The value of one argument of type `ty` at head word `i`.
fn value(ty: &str, args: &[u8], i: usize) -> Option<String> {
    use alloy_primitives::{Address, I256, U256};
    let w = word(args, i)?;
    Some(match ty {
        "address" => Address::from_slice(&w[12..]).to_checksum(None),
        "bool" => (w[31] != 0).to_string(),
        "bytes" | "string" => {
            let at = usize::try_from(U256::from_be_slice(w)).ok()?;
            let len = usize::try_from(U256::from_be_slice(args.get(at..at + 32)?)).ok()?;
            let raw = args.get(at + 32..at + 32 + len)?;
            if ty == "string" {
                format!("{:?}", String::from_utf8_lossy(raw))
            } else {
                match raw.get(..4) {
                    Some(_) => format!(
                        "{} (0x{})",
                        error_name(raw),
                        alloy_primitives::hex::encode(raw)
                    ),
                    None => format!("0x{}", alloy_primitives::hex::encode(raw)),
                }
            }
        }
        t if t.starts_with("uint") => U256::from_be_slice(w).to_string(),
        t if t.starts_with("int") => I256::from_be_bytes::<32>(w.try_into().ok()?).to_string(),
        _ => format!("0x{}", alloy_primitives::hex::encode(w)),
    })
}

/// Decodes revert `data` against the declared errors. `call`, the
/// signature of the refused function, picks its contract's wording where
/// two contracts declare the same error.
pub fn decode_error(call: Option<&str>, data: &[u8]) -> Option<Decoded> {
    let selector = data.get(..4)?;
    let package = call.and_then(package_of);
    let mut found: Option<Decoded> = None;
    for (pkg, decl, doc) in DECLARED.iter().chain(STANDARD) {
        let (name, rest) = decl.split_once('(')?;
        let params: Vec<(&str, &str)> = rest
            .trim_end_matches(')')
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.trim().split_once(' ').unwrap_or((p.trim(), "")))
            .collect();
        let types: Vec<&str> = params.iter().map(|p| p.0).collect();
        let signature = format!("{name}({})", types.join(","));
        if &alloy_primitives::keccak256(signature.as_bytes())[..4] != selector {
            continue;
        }
        let args = params
            .iter()
            .enumerate()
            .map(|(i, (ty, n))| (n.to_string(), value(ty, &data[4..], i).unwrap_or_default()))
            .collect();
        let decoded = Decoded {
            name: name.to_string(),
            args,
            meaning: doc.to_string(),
        };
        if package.is_none_or(|p| p == *pkg) {
            return Some(decoded);
        }
        found.get_or_insert(decoded);
    }
    found
}

/// The custom error in revert `data`, named with its arguments, e.g.
/// `PriceTooHigh(price: 12, max: 10)`; else the raw data in hex.
pub fn error_name(data: &[u8]) -> String {
    match decode_error(None, data) {
        Some(d) => d.to_string(),
        None => format!("revert 0x{}", alloy_primitives::hex::encode(data)),
    }
}

#[cfg(test)]
mod tests {
    use alloy_sol_types::SolError;

    use super::*;

    #[test]
    fn every_exported_error_is_declared_and_explained() {
        for (package, json) in ABIS {
            let abi: alloy_json_abi::JsonAbi = serde_json::from_str(json).unwrap();
            for error in abi.errors() {
                let mut data = error.selector().to_vec();
                data.resize(4 + 32 * error.inputs.len(), 0);
                let d = decode_error(None, &data)
                    .unwrap_or_else(|| panic!("{package}: {} is not declared", error.name));
                assert_eq!(d.name, error.name);
                assert!(
                    !d.meaning.is_empty(),
                    "{package}: {} has no doc",
                    error.name
                );
            }
        }
    }

    #[test]
    fn functions_are_named_by_selector() {
        use alloy_sol_types::SolCall;
        let selector = Registry::approveProviderCall::SELECTOR;
        assert_eq!(function_name(selector).as_deref(), Some("approveProvider"));
        assert_eq!(function_name([0xde, 0xad, 0xbe, 0xef]), None);
    }

    #[test]
    fn arguments_are_named_and_decoded() {
        let data = Market::PriceTooHigh {
            _0: alloy_primitives::U256::from(12),
            _1: alloy_primitives::U256::from(10),
        }
        .abi_encode();
        assert_eq!(error_name(&data), "PriceTooHigh(price: 12, max: 10)");
        let d = decode_error(Some("placeBid(uint64,uint256)"), &data).unwrap();
        assert!(d.meaning.contains("maximum"), "{}", d.meaning);
        assert_eq!(error_name(&[1, 2]), "revert 0x0102");
    }

    #[test]
    fn the_called_contract_picks_the_wording() {
        let data = Staking::InsufficientStake {
            _0: alloy_primitives::U256::from(5),
            _1: alloy_primitives::U256::from(3),
        }
        .abi_encode();
        let staking = decode_error(Some("requestUnstake(uint256)"), &data).unwrap();
        let registry = decode_error(
            Some("proposeProvider(uint256,string,bytes32,address)"),
            &data,
        )
        .unwrap();
        assert_eq!(staking.args[0], ("requested".into(), "5".into()));
        assert_eq!(registry.args[0], ("stake".into(), "5".into()));
        assert_ne!(staking.meaning, registry.meaning);
    }

    #[test]
    fn nested_revert_reasons_are_decoded() {
        let inner = Market::UnknownOrder { _0: 9 }.abi_encode();
        let data = Governance::CallReverted {
            _0: alloy_primitives::U256::from(1),
            _1: alloy_primitives::Address::ZERO,
            _2: inner.into(),
        }
        .abi_encode();
        assert!(
            error_name(&data).contains("reason: UnknownOrder(orderId: 9)"),
            "{}",
            error_name(&data)
        );
    }
}
