//! The registry's EIP-712 probe message and its signature by the node's
//! probe key.

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolStruct;
use anyhow::Result;

alloy_sol_types::sol! {
    /// The registry's EIP-712 probe message (type `ProbeResult`, domain
    /// "SPON Registry" version 1 of the registry's chain and address).
    #[derive(Debug, PartialEq, Eq)]
    struct ProbeResult {
        address node;
        bytes32 reportHash;
        uint256 summary;
        uint256 challengeId;
        uint256 nonce;
    }
}

impl ProbeResult {
    /// The message for `node`'s report `report_hash` with packed `summary`,
    /// answering `challenge` (0: none; for a liveness challenge, its seed
    /// as a `uint256`), at the registry's `nonce`.
    pub fn new(
        node: Address,
        report_hash: B256,
        summary: U256,
        challenge: U256,
        nonce: u64,
    ) -> Self {
        Self {
            node,
            reportHash: report_hash,
            summary,
            challengeId: challenge,
            nonce: U256::from(nonce),
        }
    }

    /// The digest a wallet signs: `keccak256(0x1901 ‖ domainSeparator ‖
    /// hashStruct(message))`, with the separator the registry reports.
    pub fn digest(&self, domain_separator: B256) -> B256 {
        let mut bytes = [0u8; 66];
        bytes[..2].copy_from_slice(&[0x19, 0x01]);
        bytes[2..34].copy_from_slice(domain_separator.as_slice());
        bytes[34..].copy_from_slice(self.eip712_hash_struct().as_slice());
        keccak256(bytes)
    }

    /// `key`'s signature of the message, `r ‖ s ‖ v` with `v` 27 or 28.
    ///
    /// # Errors
    /// The signer fails (it does not for a local key).
    pub fn sign(&self, key: &PrivateKeySigner, domain_separator: B256) -> Result<[u8; 65]> {
        use alloy_signer::SignerSync;
        Ok(key
            .sign_hash_sync(&self.digest(domain_separator))?
            .as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_sol_types::eip712_domain;

    #[test]
    fn the_digest_is_eip712_and_the_signature_recovers_the_probe_key() {
        let key = PrivateKeySigner::from_bytes(&keccak256("probe key")).unwrap();
        let registry = Address::with_last_byte(0x42);
        let domain = eip712_domain! {
            name: "SPON Registry",
            version: "1",
            chain_id: 412_346,
            verifying_contract: registry,
        };
        let message = ProbeResult::new(
            Address::with_last_byte(7),
            B256::repeat_byte(1),
            U256::from(9),
            U256::from(3),
            4,
        );
        let separator = domain.hash_struct();
        assert_eq!(
            message.digest(separator),
            message.eip712_signing_hash(&domain)
        );
        let signature = message.sign(&key, separator).unwrap();
        assert!(signature[64] == 27 || signature[64] == 28);
        let parsed = alloy_primitives::PrimitiveSignature::try_from(&signature[..]).unwrap();
        let signer = parsed
            .recover_address_from_prehash(&message.digest(separator))
            .unwrap();
        assert_eq!(signer, key.address());
    }
}
