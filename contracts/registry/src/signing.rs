//! EIP-712 hashing of probe results, signed by a node's probe key.
//!
//! Domain: `EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)`
//! with name [`NAME`], version [`VERSION`], the chain id and the registry's
//! address. Message: [`PROBE_RESULT_TYPE`]. The probe signs
//! `keccak256(0x1901 ‖ domainSeparator ‖ structHash)` with its key; the
//! registry recovers the signer with the `ecrecover` precompile (signatures
//! with a high `s` are refused).

use alloy_primitives::{keccak256, Address, B256, U256};

/// EIP-712 domain name.
pub const NAME: &str = "SPON Registry";
/// EIP-712 domain version.
pub const VERSION: &str = "1";
/// EIP-712 type of the domain.
pub const DOMAIN_TYPE: &str =
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
/// EIP-712 type of a probe result. `challengeId` is 0 for a routine
/// measurement and the challenge's id for an answer to a liveness
/// challenge.
pub const PROBE_RESULT_TYPE: &str =
    "ProbeResult(address node,bytes32 reportHash,uint256 summary,uint256 challengeId,uint256 nonce)";

fn words(parts: &[[u8; 32]]) -> B256 {
    let mut buf = [0u8; 6 * 32];
    for (chunk, word) in buf.chunks_exact_mut(32).zip(parts) {
        chunk.copy_from_slice(word);
    }
    keccak256(&buf[..parts.len() * 32])
}

fn address_word(a: Address) -> [u8; 32] {
    B256::left_padding_from(a.as_slice()).0
}

/// The domain separator of the registry at `contract` on `chain_id`.
pub fn domain_separator(chain_id: u64, contract: Address) -> B256 {
    words(&[
        keccak256(DOMAIN_TYPE).0,
        keccak256(NAME).0,
        keccak256(VERSION).0,
        U256::from(chain_id).to_be_bytes(),
        address_word(contract),
    ])
}

/// The struct hash of one probe result.
pub fn struct_hash(
    node: Address,
    report_hash: B256,
    summary: U256,
    challenge_id: U256,
    nonce: u64,
) -> B256 {
    words(&[
        keccak256(PROBE_RESULT_TYPE).0,
        address_word(node),
        report_hash.0,
        summary.to_be_bytes(),
        challenge_id.to_be_bytes(),
        U256::from(nonce).to_be_bytes(),
    ])
}

/// The digest the probe key signs.
pub fn digest(domain_separator: B256, struct_hash: B256) -> B256 {
    let mut buf = [0u8; 66];
    buf[..2].copy_from_slice(b"\x19\x01");
    buf[2..34].copy_from_slice(domain_separator.as_slice());
    buf[34..].copy_from_slice(struct_hash.as_slice());
    keccak256(buf)
}

#[cfg(test)]
mod tests {
    use alloy_sol_types::{eip712_domain, sol, SolStruct};

    use super::*;

    sol! {
        struct ProbeResult {
            address node;
            bytes32 reportHash;
            uint256 summary;
            uint256 challengeId;
            uint256 nonce;
        }
    }

    /// The hand-rolled hashing agrees with alloy's EIP-712 implementation.
    #[test]
    fn digest_matches_alloy_eip712() {
        let contract = Address::repeat_byte(0x42);
        let msg = ProbeResult {
            node: Address::repeat_byte(7),
            reportHash: B256::repeat_byte(9),
            summary: U256::from(123_456_789u64) << 200,
            challengeId: U256::from(5),
            nonce: U256::from(3),
        };
        let domain = eip712_domain! {
            name: NAME,
            version: VERSION,
            chain_id: 412_346,
            verifying_contract: contract,
        };
        let ours = digest(
            domain_separator(412_346, contract),
            struct_hash(msg.node, msg.reportHash, msg.summary, msg.challengeId, 3),
        );
        assert_eq!(ours, msg.eip712_signing_hash(&domain));
        assert_eq!(PROBE_RESULT_TYPE, ProbeResult::eip712_encode_type());
    }
}
