//! Bindings of the calls the deployment makes, generated from the ABIs
//! the contracts export (`deployments/abi/`, checked against the code by
//! `scripts/build-contracts`).

use alloy_sol_types::sol;

sol!(Staking, "../../deployments/abi/spon-staking.json");
sol!(Registry, "../../deployments/abi/spon-registry.json");
sol!(Leases, "../../deployments/abi/spon-leases.json");
sol!(Market, "../../deployments/abi/spon-market.json");
sol!(Challenges, "../../deployments/abi/spon-challenges.json");
sol!(Audits, "../../deployments/abi/spon-audits.json");
sol!(Governance, "../../deployments/abi/spon-governance.json");

/// The exported JSON ABI of each contract, by package name.
pub const ABIS: [(&str, &str); 8] = [
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
        "spon-governance",
        include_str!("../../../deployments/abi/spon-governance.json"),
    ),
];

/// The name and arguments of the custom error in revert `data`, from the
/// exported ABIs; else the raw data in hex.
pub fn error_name(data: &[u8]) -> String {
    if data.len() >= 4 {
        for (_, json) in ABIS {
            let Ok(abi) = serde_json::from_str::<alloy_json_abi::JsonAbi>(json) else {
                continue;
            };
            for error in abi.errors() {
                if error.selector().as_slice() == &data[..4] {
                    return format!(
                        "{}(0x{})",
                        error.name,
                        alloy_primitives::hex::encode(&data[4..])
                    );
                }
            }
        }
    }
    format!("revert 0x{}", alloy_primitives::hex::encode(data))
}
