//! Deployment manifests posted by tenants, and the checks the agent makes
//! before taking one.
//!
//! The tenant posts `{"lease_id", "manifest", "signature"}` over mutual TLS
//! (see [`crate::tls`]). The signature is the tenant account's EIP-191
//! signature of [`digest`]: it binds the manifest's hash and the client
//! certificate of the connection to the lease, so neither can be swapped
//! by someone else. The agent takes the manifest only if the lease is its
//! node's, the signer is the lease's tenant, and `keccak256(manifest)` is
//! the manifest hash the tenant recorded on chain when accepting.

use std::path::{Path, PathBuf};

use alloy_primitives::{keccak256, Address, Bytes, B256};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::workload::Unrunnable;

/// What a tenant posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// The lease (its order's id).
    pub lease_id: u64,
    /// The deployment manifest, as recorded by hash on chain.
    pub manifest: String,
    /// The tenant's EIP-191 signature of [`digest`], 65 bytes.
    pub signature: Bytes,
}

/// The lease as the chain holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// Its tenant.
    pub tenant: Address,
    /// Its node.
    pub node: Address,
    /// The manifest hash the tenant recorded when accepting.
    pub manifest_hash: B256,
    /// Its state as of now (`spon_protocol::states::LeaseState`).
    pub state: u8,
}

/// Why a manifest is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not JSON of the expected shape, or too large.
    Malformed(String),
    /// No such lease on chain.
    UnknownLease(u64),
    /// The lease is another node's.
    NotOurLease(u64),
    /// The signature is not the lease tenant's for this manifest and
    /// client certificate.
    NotTenant {
        /// Who signed (zero if unrecoverable).
        signer: Address,
        /// The lease's tenant.
        tenant: Address,
    },
    /// The manifest does not hash to the lease's on-chain manifest hash.
    ManifestMismatch {
        /// keccak256 of what was posted.
        posted: B256,
        /// What the chain holds.
        recorded: B256,
    },
    /// The manifest is the lease's, and this node cannot run it.
    Unrunnable(Unrunnable),
    /// The lease is closed, ended or out of funds (its state).
    LeaseNotActive(u64, u8),
}

impl Refusal {
    /// The error's name, as the endpoint reports it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "Malformed",
            Self::UnknownLease(_) => "UnknownLease",
            Self::NotOurLease(_) => "NotOurLease",
            Self::NotTenant { .. } => "NotTenant",
            Self::ManifestMismatch { .. } => "ManifestMismatch",
            Self::Unrunnable(u) => u.name(),
            Self::LeaseNotActive(..) => "LeaseNotActive",
        }
    }

    /// The HTTP status of the refusal.
    pub fn status(&self) -> u16 {
        match self {
            Self::Malformed(_) => 400,
            Self::UnknownLease(_) => 404,
            Self::NotOurLease(_) | Self::NotTenant { .. } => 403,
            Self::ManifestMismatch { .. } | Self::LeaseNotActive(..) => 409,
            Self::Unrunnable(_) => 422,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "Malformed: {why}"),
            Self::UnknownLease(id) => write!(f, "UnknownLease: no lease {id}"),
            Self::NotOurLease(id) => write!(f, "NotOurLease: lease {id} is another node's"),
            Self::NotTenant { signer, tenant } => {
                write!(
                    f,
                    "NotTenant: signed by {signer}, the lease's tenant is {tenant}"
                )
            }
            Self::ManifestMismatch { posted, recorded } => write!(
                f,
                "ManifestMismatch: the manifest hashes to {posted}, the lease records {recorded}"
            ),
            Self::Unrunnable(u) => u.fmt(f),
            Self::LeaseNotActive(id, state) => write!(
                f,
                "LeaseNotActive: lease {id} is {}",
                spon_protocol::states::LeaseState::name_of(*state)
            ),
        }
    }
}

/// What the tenant signs: `keccak256("SPON manifest v1" ‖ chainId ‖ market
/// ‖ leaseId ‖ manifestHash ‖ sha256(client certificate))`, integers
/// big-endian (`chainId` 32 bytes, `leaseId` 8).
pub fn digest(
    chain_id: u64,
    market: Address,
    lease_id: u64,
    manifest_hash: B256,
    client_cert: B256,
) -> B256 {
    let mut buf = b"SPON manifest v1".to_vec();
    buf.extend_from_slice(&B256::left_padding_from(&chain_id.to_be_bytes())[..]);
    buf.extend_from_slice(market.as_slice());
    buf.extend_from_slice(&lease_id.to_be_bytes());
    buf.extend_from_slice(manifest_hash.as_slice());
    buf.extend_from_slice(client_cert.as_slice());
    keccak256(buf)
}

/// What the tenant signs to read its lease's workload (status, output),
/// sent as the `x-spon-signature` header: `keccak256("SPON lease read v1"
/// ‖ chainId ‖ market ‖ leaseId ‖ sha256(client certificate))`.
pub fn read_digest(chain_id: u64, market: Address, lease_id: u64, client_cert: B256) -> B256 {
    let mut buf = b"SPON lease read v1".to_vec();
    buf.extend_from_slice(&B256::left_padding_from(&chain_id.to_be_bytes())[..]);
    buf.extend_from_slice(market.as_slice());
    buf.extend_from_slice(&lease_id.to_be_bytes());
    buf.extend_from_slice(client_cert.as_slice());
    keccak256(buf)
}

/// The deployment the checks are made for.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// The chain.
    pub chain_id: u64,
    /// The market contract.
    pub market: Address,
    /// The agent's node.
    pub node: Address,
}

impl Scope {
    /// Checks a request to read lease `id`'s workload, signed
    /// `signature` ([`read_digest`]) over a connection whose client
    /// certificate hashes to `client_cert`.
    ///
    /// # Errors
    /// The [`Refusal`]: lease, node, tenant.
    pub fn check_read(
        &self,
        id: u64,
        signature: &[u8],
        client_cert: B256,
        lease: Option<Lease>,
    ) -> Result<Lease, Refusal> {
        let lease = lease.ok_or(Refusal::UnknownLease(id))?;
        if lease.node != self.node {
            return Err(Refusal::NotOurLease(id));
        }
        let digest = read_digest(self.chain_id, self.market, id, client_cert);
        let signer = spon_gateway::auth::signer(signature, digest);
        if signer != lease.tenant {
            return Err(Refusal::NotTenant {
                signer,
                tenant: lease.tenant,
            });
        }
        Ok(lease)
    }

    /// Checks `post`, received over a connection whose client certificate
    /// hashes to `client_cert`, against `lease` (none: not on chain).
    ///
    /// # Errors
    /// The [`Refusal`], first failing check first: lease, node, tenant,
    /// manifest hash.
    pub fn check(
        &self,
        post: &Post,
        client_cert: B256,
        lease: Option<Lease>,
    ) -> Result<Lease, Refusal> {
        let lease = lease.ok_or(Refusal::UnknownLease(post.lease_id))?;
        if lease.node != self.node {
            return Err(Refusal::NotOurLease(post.lease_id));
        }
        let posted = keccak256(post.manifest.as_bytes());
        let signed = digest(
            self.chain_id,
            self.market,
            post.lease_id,
            posted,
            client_cert,
        );
        let signer = spon_gateway::auth::signer(&post.signature, signed);
        if signer != lease.tenant {
            return Err(Refusal::NotTenant {
                signer,
                tenant: lease.tenant,
            });
        }
        if posted != lease.manifest_hash {
            return Err(Refusal::ManifestMismatch {
                posted,
                recorded: lease.manifest_hash,
            });
        }
        if lease.state != spon_protocol::states::LeaseState::Active as u8 {
            return Err(Refusal::LeaseNotActive(post.lease_id, lease.state));
        }
        Ok(lease)
    }
}

/// A taken manifest, as recorded for the runtime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taken {
    /// The lease.
    pub lease_id: u64,
    /// Its tenant.
    pub tenant: Address,
    /// keccak256 of the manifest.
    pub manifest_hash: B256,
    /// The manifest.
    pub manifest: String,
}

/// Records `taken` as `<dir>/<lease id>.json` (replacing an earlier post
/// of the same lease); returns the file.
///
/// # Errors
/// The file cannot be written.
pub fn record(dir: &Path, taken: &Taken) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("{}.json", taken.lease_id));
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(taken)?)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_signer::SignerSync;
    use alloy_signer_local::PrivateKeySigner;

    const CERT: B256 = B256::repeat_byte(0xce);

    fn setup() -> (Scope, PrivateKeySigner, Lease, Post) {
        let tenant = PrivateKeySigner::from_bytes(&keccak256("tenant")).unwrap();
        let scope = Scope {
            chain_id: 412_346,
            market: Address::with_last_byte(0x3a),
            node: Address::with_last_byte(0x0d),
        };
        let manifest = "image: vllm/vllm-openai\ngpus: 8\n".to_string();
        let hash = keccak256(manifest.as_bytes());
        let lease = Lease {
            tenant: tenant.address(),
            node: scope.node,
            manifest_hash: hash,
            state: spon_protocol::states::LeaseState::Active as u8,
        };
        let sig = tenant
            .sign_message_sync(digest(scope.chain_id, scope.market, 7, hash, CERT).as_slice())
            .unwrap();
        let post = Post {
            lease_id: 7,
            manifest,
            signature: sig.as_bytes().to_vec().into(),
        };
        (scope, tenant, lease, post)
    }

    #[test]
    fn the_tenants_manifest_for_the_nodes_lease_is_taken() {
        let (scope, _, lease, post) = setup();
        assert_eq!(scope.check(&post, CERT, Some(lease)), Ok(lease));
    }

    #[test]
    fn each_failed_check_is_named() {
        let (scope, _, lease, post) = setup();
        assert_eq!(
            scope.check(&post, CERT, None),
            Err(Refusal::UnknownLease(7))
        );
        let theirs = Lease {
            node: Address::with_last_byte(1),
            ..lease
        };
        assert_eq!(
            scope.check(&post, CERT, Some(theirs)),
            Err(Refusal::NotOurLease(7))
        );
        // Another connection's certificate: the signature no longer fits.
        assert!(matches!(
            scope.check(&post, B256::ZERO, Some(lease)),
            Err(Refusal::NotTenant { .. })
        ));
        // A different manifest, signed by the tenant: the hash differs.
        let tenant = PrivateKeySigner::from_bytes(&keccak256("tenant")).unwrap();
        let other = "image: evil\n".to_string();
        let sig = tenant
            .sign_message_sync(
                digest(
                    scope.chain_id,
                    scope.market,
                    7,
                    keccak256(other.as_bytes()),
                    CERT,
                )
                .as_slice(),
            )
            .unwrap();
        let swapped = Post {
            manifest: other,
            signature: sig.as_bytes().to_vec().into(),
            ..post.clone()
        };
        let refusal = scope.check(&swapped, CERT, Some(lease)).unwrap_err();
        assert_eq!(
            (refusal.name(), refusal.status()),
            ("ManifestMismatch", 409)
        );
        let garbage = Post {
            signature: Bytes::from_static(&[1, 2, 3]),
            ..post
        };
        assert_eq!(
            scope.check(&garbage, CERT, Some(lease)),
            Err(Refusal::NotTenant {
                signer: Address::ZERO,
                tenant: lease.tenant
            })
        );
    }

    /// F-30: a lease closed (or ended, or dry) keeps its tenant, node and
    /// manifest hash on chain: its manifest posted again would start its
    /// workload again, for nothing.
    #[test]
    fn f30_a_manifest_for_a_lease_no_longer_active_is_refused() {
        let (scope, _, lease, post) = setup();
        for state in [
            spon_protocol::states::LeaseState::InsufficientFunds,
            spon_protocol::states::LeaseState::Ended,
            spon_protocol::states::LeaseState::Closed,
        ] {
            let lease = Lease {
                state: state as u8,
                ..lease
            };
            let refused = scope.check(&post, CERT, Some(lease)).unwrap_err();
            assert_eq!(refused.name(), "LeaseNotActive", "{state:?}");
            assert_eq!(refused.status(), 409);
        }
        assert!(scope.check(&post, CERT, Some(lease)).is_ok());
    }
}
