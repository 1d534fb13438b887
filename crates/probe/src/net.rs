//! Network figures to configured peers: round-trip latency of one-byte
//! pings and the throughput of a bulk upload, against a peer that runs
//! `spon-probe peer` (this module's [`serve`]).
//!
//! Protocol over TCP: the client sends `P` and then one byte per ping,
//! each echoed; or `B`, a big-endian `u64` length and that many bytes,
//! answered by one `D` once all have arrived.

use std::time::Instant;

use anyhow::{ensure, Context, Result};
use serde::{Deserialize, Serialize};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

use crate::stats::Stats;

/// Largest upload a peer accepts (4 GiB).
const MAX_UPLOAD: u64 = 1 << 32;

/// One peer's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerFigures {
    /// The peer, host:port.
    pub peer: String,
    /// Round-trip time of one-byte pings, microseconds.
    pub latency_us: Stats,
    /// Upload throughput, Mbit/s.
    pub bandwidth_mbps: Stats,
}

/// Answers probes on `listener` until the task is dropped.
///
/// # Errors
/// The listener fails.
pub async fn serve(listener: TcpListener) -> Result<()> {
    loop {
        let (mut conn, from) = listener.accept().await?;
        tokio::spawn(async move {
            if let Err(e) = answer(&mut conn).await {
                tracing::debug!(%from, "probe connection ended: {e:#}");
            }
        });
    }
}

async fn answer(conn: &mut TcpStream) -> Result<()> {
    conn.set_nodelay(true)?;
    match conn.read_u8().await? {
        b'P' => loop {
            let Ok(byte) = conn.read_u8().await else {
                return Ok(());
            };
            conn.write_u8(byte).await?;
        },
        b'B' => {
            let len = conn.read_u64().await?;
            ensure!(len <= MAX_UPLOAD, "upload of {len} bytes refused");
            let copied =
                tokio::io::copy(&mut (&mut *conn).take(len), &mut tokio::io::sink()).await?;
            ensure!(copied == len, "upload cut short");
            conn.write_u8(b'D').await?;
            Ok(())
        }
        other => anyhow::bail!("unknown request {other:#x}"),
    }
}

/// Measures `peer`: `pings` round trips and `runs` uploads of `bytes`.
///
/// # Errors
/// The peer cannot be reached or breaks the protocol.
pub async fn measure(peer: &str, pings: u32, bytes: u64, runs: u32) -> Result<PeerFigures> {
    let connect = || async {
        let conn = TcpStream::connect(peer)
            .await
            .with_context(|| format!("cannot reach peer {peer}"))?;
        conn.set_nodelay(true)?;
        anyhow::Ok(conn)
    };
    let mut conn = connect().await?;
    conn.write_u8(b'P').await?;
    let mut rtts = Vec::new();
    for i in 0..pings {
        let start = Instant::now();
        conn.write_u8(i as u8).await?;
        ensure!(
            conn.read_u8().await? == i as u8,
            "peer {peer} echoed a wrong byte"
        );
        rtts.push(start.elapsed().as_secs_f64() * 1e6);
    }
    let chunk = vec![0x5a; 1 << 20];
    let mut rates = Vec::new();
    for _ in 0..runs {
        let mut conn = connect().await?;
        let start = Instant::now();
        conn.write_u8(b'B').await?;
        conn.write_u64(bytes).await?;
        let mut left = bytes;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            conn.write_all(&chunk[..n]).await?;
            left -= n as u64;
        }
        ensure!(
            conn.read_u8().await? == b'D',
            "peer {peer} did not confirm the upload"
        );
        rates.push(bytes as f64 * 8.0 / start.elapsed().as_secs_f64() / 1e6);
    }
    Ok(PeerFigures {
        peer: peer.to_string(),
        latency_us: Stats::of(&rtts).context("no pings")?,
        bandwidth_mbps: Stats::of(&rates).context("no uploads")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_peer_answers_pings_and_uploads() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = tokio::spawn(serve(listener));
        let figures = measure(&addr, 20, 3 << 20, 3).await.unwrap();
        assert_eq!(
            (figures.latency_us.runs, figures.bandwidth_mbps.runs),
            (20, 3)
        );
        assert!(figures.latency_us.min > 0.0 && figures.bandwidth_mbps.min > 0.0);
        server.abort();
    }

    #[tokio::test]
    async fn an_unreachable_peer_is_named() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        drop(listener);
        let err = measure(&addr, 1, 1, 1).await.unwrap_err();
        assert!(format!("{err:#}").contains(&format!("cannot reach peer {addr}")));
    }
}
