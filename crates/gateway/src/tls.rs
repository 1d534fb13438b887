//! Mutual TLS for every connection of the market's services: the node
//! agent's manifest endpoint, the gateway's tunnel (QUIC) and tenants'
//! connections.
//!
//! A server's certificate is pinned: the registry holds the SHA-256 of its
//! DER bytes (`tlsCertHash`, set with the node's endpoint; a gateway
//! operator publishes its own), and clients accept exactly that
//! certificate. Clients present a certificate of their own (self-signed is
//! fine); the server binds it to an account through that account's
//! signature over its hash (the manifest's signature, [`crate::auth`]), so
//! no certificate authority is involved.

use std::sync::Arc;

use alloy_primitives::B256;
use anyhow::{Context, Result};
use rustls::{
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    crypto::{ring, verify_tls12_signature, verify_tls13_signature, CryptoProvider},
    pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer, ServerName, UnixTime},
    server::danger::{ClientCertVerified, ClientCertVerifier},
    ClientConfig, DigitallySignedStruct, DistinguishedName, Error, ServerConfig, SignatureScheme,
};
use sha2::{Digest, Sha256};

/// A certificate and its private key.
pub struct Identity {
    /// The certificate, DER.
    pub cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

impl Clone for Identity {
    fn clone(&self) -> Self {
        Self {
            cert: self.cert.clone(),
            key: self.key.clone_key(),
        }
    }
}

impl Identity {
    /// A new self-signed certificate for `names` (DNS names or IPs), and
    /// its PEM form (certificate then key) to keep on disk.
    ///
    /// # Errors
    /// Key generation fails.
    pub fn self_signed(names: &[&str]) -> Result<(Self, String)> {
        let names: Vec<String> = names.iter().map(|n| (*n).to_string()).collect();
        let certified =
            rcgen::generate_simple_self_signed(names).context("generating a certificate")?;
        let pem = format!(
            "{}{}",
            certified.cert.pem(),
            certified.key_pair.serialize_pem()
        );
        Ok((Self::from_pem(&pem)?, pem))
    }

    /// [`Self::self_signed`] for `names`, its PEM written to `out`; the
    /// certificate's SHA-256 (what the `cert` commands print).
    ///
    /// # Errors
    /// The certificate cannot be made or the file written.
    pub fn write_self_signed(names: &[String], out: &std::path::Path) -> Result<B256> {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let (identity, pem) = Self::self_signed(&names)?;
        // The private key is the owner's alone.
        let mut file = std::fs::OpenOptions::new();
        file.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
        std::io::Write::write_all(&mut file.open(out)?, pem.as_bytes())
            .with_context(|| format!("cannot write {}", out.display()))?;
        Ok(identity.hash())
    }

    /// Reads a certificate and its private key from PEM text.
    ///
    /// # Errors
    /// No certificate or no key in it.
    pub fn from_pem(text: &str) -> Result<Self> {
        Ok(Self {
            cert: CertificateDer::from_pem_slice(text.as_bytes())
                .context("no CERTIFICATE in the PEM text")?,
            key: PrivateKeyDer::from_pem_slice(text.as_bytes())
                .context("no PRIVATE KEY in the PEM text")?,
        })
    }

    /// The hash registered on chain: SHA-256 of the certificate's DER.
    pub fn hash(&self) -> B256 {
        cert_hash(&self.cert)
    }
}

/// SHA-256 of a certificate's DER bytes.
pub fn cert_hash(cert: &[u8]) -> B256 {
    B256::from_slice(&Sha256::digest(cert))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// Takes any client certificate whose handshake signature is valid: who
/// the tenant is comes from its signature over the certificate's hash.
#[derive(Debug)]
struct AnyClientCert(Arc<CryptoProvider>);

impl ClientCertVerifier for AnyClientCert {
    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Accepts exactly the server certificate whose SHA-256 is pinned (the
/// registry's `tlsCertHash` of the node).
#[derive(Debug)]
struct Pinned(B256, Arc<CryptoProvider>);

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if cert_hash(end_entity) == self.0 {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(Error::General(format!(
                "the node's certificate hash {} is not the registered {}",
                cert_hash(end_entity),
                self.0
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.1.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.1.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.1.signature_verification_algorithms.supported_schemes()
    }
}

/// A server side: its identity, a client certificate required, `alpn` the
/// only protocol spoken.
///
/// # Errors
/// The key does not fit the certificate.
pub fn server_config(identity: &Identity, alpn: &[u8]) -> Result<ServerConfig> {
    let provider = provider();
    let mut config = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(AnyClientCert(provider)))
        .with_single_cert(vec![identity.cert.clone()], identity.key.clone_key())
        .context("the key does not fit the certificate")?;
    config.alpn_protocols = vec![alpn.to_vec()];
    Ok(config)
}

/// A client side: `identity` presented, the server accepted only if its
/// certificate hashes to `pinned`, `alpn` the protocol asked for.
///
/// # Errors
/// The key does not fit the certificate.
pub fn client_config(identity: &Identity, pinned: B256, alpn: &[u8]) -> Result<ClientConfig> {
    let provider = provider();
    let mut config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned(pinned, provider)))
        .with_client_auth_cert(vec![identity.cert.clone()], identity.key.clone_key())
        .context("the key does not fit the certificate")?;
    config.alpn_protocols = vec![alpn.to_vec()];
    Ok(config)
}
