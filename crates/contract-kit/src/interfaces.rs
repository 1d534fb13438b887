//! The calls SPON contracts make to each other, each interface declared
//! once (methods a contract does not call cost it no code).
//!
//! [`sol_abi!`](crate::sol_abi) turns each interface into a caller struct
//! whose calls are encoded and decoded word by word (every argument and
//! result here is a word type), without alloy's generic encoder and
//! decoder in each contract. Views that return a named struct in the
//! callee's ABI are declared with the struct's fields as a tuple: a struct
//! of fixed-size fields is encoded exactly as that tuple.
//! `tests::interfaces_match_the_exported_abis` checks every method against
//! the callee's `deployments/abi/*.json`.

crate::sol_abi! {
    /// The registry, called by the market, leases, challenges, audits and
    /// rewards.
    interface IRegistry {
        function nodeOf(address node) external view returns (uint8, uint8, uint256, uint256, address, address);
        function probeOf(address node) external view returns (uint256, bytes32, uint256, uint64);
        function tierOf(address node) external view returns (uint8);
        function reputationOf(address node) external view returns (uint64, uint64, uint64, uint64, uint64);
        function recordChallenge(address node, bool lost) external;
        function leaseOpened(address node) external;
        function leaseClosed(address node, uint8 outcome) external;
    }

    /// The staking contract, called by the registry, market, challenges,
    /// audits and rewards.
    interface IStaking {
        function stakeOf(address provider) external view returns (uint256);
        function selfStakeOf(address provider) external view returns (uint256);
        function isJailed(address provider) external view returns (bool);
        function standingOf(address provider) external view returns (uint256, uint256, bool);
        function openOffence(address provider, uint256 challenge_id) external;
        function closeOffence(uint256 challenge_id) external;
        function slash(address provider, uint16 bps, uint256 challenge_id, address challenger, uint16 challenger_share_bps) external returns (uint256);
        function poolOf(address provider) external view returns (uint256, uint256, uint256, uint256, uint64, uint64);
        function notifyReward(address provider, uint256 amount) external;
    }

    /// The leases contract, called by the market and challenges.
    interface ILeases {
        function open(uint64 lease_id, address tenant, address node, address token, uint256 price_per_hour, uint64 duration, uint256 funded) external;
        function partiesOf(uint64 lease_id) external view returns (address, address);
    }

    /// The challenges contract, called by audits.
    interface IChallenges {
        function parameter(uint8 id) external view returns (uint256);
        function openChallenge(uint8 kind, address node, uint64 lease_id, bytes32 commitment) external returns (uint64);
    }
}

#[cfg(test)]
mod tests {
    use alloy_json_abi::{JsonAbi, Param};

    /// Canonical types of `params`, a single struct output flattened to
    /// its fields (encoded the same when they are fixed-size).
    fn types(params: &[Param]) -> Vec<String> {
        match params {
            [only] if only.ty == "tuple" => only.components.iter().map(|c| c.ty.clone()).collect(),
            _ => params.iter().map(|p| p.ty.clone()).collect(),
        }
    }

    #[test]
    fn interfaces_match_the_exported_abis() {
        let source = include_str!("interfaces.rs");
        let start = source.find("sol_abi! {").unwrap() + "sol_abi! {".len();
        let end = source.find("\n}\n").unwrap();
        let file: syn_solidity::File = syn::parse_str(&source[start..end]).unwrap();
        let mut checked = 0;
        for item in &file.items {
            let syn_solidity::Item::Contract(interface) = item else {
                panic!("only interfaces");
            };
            let package = match interface.name.to_string().as_str() {
                "IRegistry" => "spon-registry",
                "IStaking" => "spon-staking",
                "ILeases" => "spon-leases",
                "IChallenges" => "spon-challenges",
                other => panic!("no callee for {other}"),
            };
            let path = format!(
                "{}/../../deployments/abi/{package}.json",
                env!("CARGO_MANIFEST_DIR")
            );
            let abi: JsonAbi =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            for f in &interface.body {
                let syn_solidity::Item::Function(f) = f else {
                    continue;
                };
                let name = f.name.as_ref().unwrap().to_string();
                let exported = &abi
                    .function(&name)
                    .unwrap_or_else(|| panic!("{package} has no {name}"))[0];
                let inputs: Vec<String> = f.parameters.iter().map(|p| p.ty.to_string()).collect();
                let outputs: Vec<String> = f
                    .returns
                    .iter()
                    .flat_map(|r| r.returns.iter().map(|p| p.ty.to_string()))
                    .collect();
                assert_eq!(inputs, types(&exported.inputs), "{package} {name} inputs");
                assert_eq!(
                    outputs,
                    types(&exported.outputs),
                    "{package} {name} outputs"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 20);
    }
}
