//! Frames: a big-endian `u32` length, then that many bytes of JSON. Each
//! stream opens with one frame each way, then carries the service's bytes
//! untouched.
//!
//! - node → gateway, first stream of a tunnel: [`Hello`]; answer
//!   [`Answer`];
//! - gateway → node, one stream per tenant connection: [`Open`]; answer
//!   [`Answer`];
//! - tenant → gateway (or a Provider node's agent): [`Connect`]; answer
//!   [`Answer`]; for port 0, the node's [`NodeCert`] follows.

use alloy_primitives::{Address, Bytes};
use anyhow::{bail, Context, Result};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::auth::Refusal;

/// Largest frame read (16 KiB): a frame is a handful of fields.
pub const MAX_FRAME: u32 = 16 * 1024;

/// ALPN of the node tunnel (QUIC).
pub const TUNNEL_ALPN: &[u8] = b"spon-tunnel/1";
/// ALPN of a tenant's connection (TLS over TCP).
pub const CONNECT_ALPN: &[u8] = b"spon-connect/1";

/// A node opening its tunnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// The node's registry account.
    pub node: Address,
    /// Its EIP-191 signature of [`crate::auth::node_digest`].
    pub signature: Bytes,
}

/// The gateway asking a node for a lease's service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Open {
    /// The lease.
    pub lease_id: u64,
    /// The service's port as the manifest names it (0: the agent's
    /// manifest endpoint).
    pub port: u16,
}

/// A tenant asking for a lease's service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connect {
    /// The lease.
    pub lease_id: u64,
    /// The service's port as the manifest names it (0: the node agent's
    /// manifest endpoint).
    pub port: u16,
    /// The lease tenant's EIP-191 signature of
    /// [`crate::auth::tenant_digest`].
    pub signature: Bytes,
}

/// What a node sends first on a stream to port 0 (its agent's manifest
/// endpoint): the certificate that endpoint presents, signed by the node's
/// registry key, so that a tenant can pin it end to end through the
/// gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeCert {
    /// The node.
    pub node: Address,
    /// SHA-256 of its certificate.
    pub cert: alloy_primitives::B256,
    /// The node's EIP-191 signature of [`crate::auth::node_cert_digest`].
    pub signature: Bytes,
}

/// The answer to any opening frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    /// Taken: the service's bytes follow.
    Ok,
    /// Refused, with the refusal's name and what it means.
    Refused {
        /// [`Refusal::name`].
        error: String,
        /// [`Refusal`]'s text.
        detail: String,
    },
}

impl From<&Refusal> for Answer {
    fn from(r: &Refusal) -> Self {
        Self::Refused {
            error: r.name().into(),
            detail: r.to_string(),
        }
    }
}

impl Answer {
    /// `Ok(())`, or the refusal as an error that names it.
    ///
    /// # Errors
    /// The answer is a refusal.
    pub fn into_result(self) -> Result<()> {
        match self {
            Self::Ok => Ok(()),
            Self::Refused { detail, .. } => bail!("refused: {detail}"),
        }
    }
}

/// Writes `value` as one frame.
///
/// # Errors
/// The stream fails.
pub async fn write<W: AsyncWrite + Unpin, T: Serialize>(w: &mut W, value: &T) -> Result<()> {
    let body = serde_json::to_vec(value)?;
    let len = u32::try_from(body.len()).context("frame too large")?;
    w.write_all(&len.to_be_bytes()).await?;
    w.write_all(&body).await?;
    w.flush().await?;
    Ok(())
}

/// Reads one frame as `T`.
///
/// # Errors
/// The stream fails or ends, the frame is over [`MAX_FRAME`] or not the
/// JSON of a `T`.
pub async fn read<R: AsyncRead + Unpin, T: DeserializeOwned>(r: &mut R) -> Result<T> {
    let len = r
        .read_u32()
        .await
        .context("the stream ended before a frame")?;
    if len > MAX_FRAME {
        bail!("a frame of {len} bytes (at most {MAX_FRAME})");
    }
    let mut body = vec![0; len as usize];
    r.read_exact(&mut body).await?;
    serde_json::from_slice(&body).context("a frame that is not the expected JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_round_trip_and_oversized_ones_are_refused() {
        let (mut a, mut b) = tokio::io::duplex(1 << 16);
        let connect = Connect {
            lease_id: 7,
            port: 8080,
            signature: Bytes::from_static(&[1; 65]),
        };
        write(&mut a, &connect).await.unwrap();
        write(&mut a, &Answer::from(&Refusal::UnknownLease(7)))
            .await
            .unwrap();
        assert_eq!(read::<_, Connect>(&mut b).await.unwrap(), connect);
        let answer: Answer = read(&mut b).await.unwrap();
        assert_eq!(
            answer,
            Answer::Refused {
                error: "UnknownLease".into(),
                detail: "UnknownLease: no lease 7".into()
            }
        );
        assert!(answer.into_result().is_err());
        a.write_all(&(MAX_FRAME + 1).to_be_bytes()).await.unwrap();
        let err = read::<_, Answer>(&mut b).await.unwrap_err();
        assert!(err.to_string().contains("at most"), "{err}");
    }
}
