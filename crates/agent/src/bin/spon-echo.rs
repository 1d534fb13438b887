//! `spon-echo`: a small service to lease — the demo's and the tests'
//! workload, and what the tunnel bench measures against.
//!
//! It listens on `--listen` (default `127.0.0.1:$PORT`, the port the
//! agent's runtime gives it). A connection that opens with an HTTP request
//! line is answered in HTTP/1.1 (`200`, a line naming the lease and the
//! request, `$GREETING` if set), one response per request while the
//! client keeps the connection; any other connection is echoed byte for
//! byte until the client closes it. Each connection is logged on stdout,
//! which the agent captures for `spon lease logs`.

use std::env;

use anyhow::{Context, Result};
use clap::Parser;
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
};

/// HTTP methods that mark a connection as HTTP.
const METHODS: [&[u8]; 6] = [b"GET ", b"POST", b"HEAD", b"PUT ", b"DELE", b"OPTI"];

/// Longest request head read (16 KiB).
const MAX_HEAD: usize = 16 * 1024;

/// A small service to lease: HTTP requests are answered with a line
/// naming the lease (and `$GREETING`), any other TCP stream is echoed.
#[derive(Parser, Debug)]
#[command(version, about, long_about)]
struct Cli {
    /// Where to listen, HOST:PORT [default: 127.0.0.1:$PORT, the port the
    /// agent's runtime gives the workload].
    #[arg(long)]
    listen: Option<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let addr = match Cli::parse().listen {
        Some(a) => a,
        None => format!(
            "127.0.0.1:{}",
            env::var("PORT").context("no --listen and no $PORT")?
        ),
    };
    let listener = TcpListener::bind(&addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let lease = env::var("SPON_LEASE_ID").unwrap_or_else(|_| "none".into());
    let greeting = env::var("GREETING").ok();
    println!(
        "spon-echo for lease {lease} listening on {}",
        listener.local_addr()?
    );
    loop {
        let (stream, from) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let (lease, greeting) = (lease.clone(), greeting.clone());
        tokio::spawn(async move {
            match serve(stream, &lease, greeting.as_deref()).await {
                Ok(kind) => println!("{from}: {kind}"),
                Err(e) => println!("{from}: {e:#}"),
            }
        });
    }
}

async fn serve(stream: TcpStream, lease: &str, greeting: Option<&str>) -> Result<String> {
    let mut stream = BufReader::new(stream);
    let head = stream.fill_buf().await?;
    if head.len() >= 4 && METHODS.contains(&&head[..4]) {
        let mut served = 0;
        while let Some(line) = request(&mut stream).await? {
            let mut body = format!("hello from lease {lease}: {line}\n");
            if let Some(g) = greeting {
                body = format!("{g}\n{body}");
            }
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            stream.get_mut().write_all(response.as_bytes()).await?;
            served += 1;
        }
        return Ok(format!("{served} HTTP requests"));
    }
    // The bytes already buffered are echoed first.
    let pending = stream.buffer().to_vec();
    let (mut read, mut write) = stream.into_inner().into_split();
    write.write_all(&pending).await?;
    let mut echoed = pending.len() as u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = read.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        write.write_all(&buf[..n]).await?;
        echoed += n as u64;
    }
    Ok(format!("echoed {echoed} bytes"))
}

/// The next request's line (its head read through, its body skipped), none
/// at the end of the connection.
async fn request(stream: &mut BufReader<TcpStream>) -> Result<Option<String>> {
    let mut line = String::new();
    let mut length = 0usize;
    let mut first = None;
    let mut read = 0;
    loop {
        line.clear();
        let n = stream.read_line(&mut line).await?;
        read += n;
        if n == 0 {
            return Ok(None);
        }
        anyhow::ensure!(read <= MAX_HEAD, "a request head over {MAX_HEAD} bytes");
        let text = line.trim_end();
        if first.is_none() {
            first = Some(text.to_string());
            continue;
        }
        if text.is_empty() {
            break;
        }
        if let Some((name, value)) = text.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().context("content-length")?;
            }
        }
    }
    let mut body = vec![0u8; length.min(1 << 20)];
    stream.read_exact(&mut body).await?;
    Ok(first.map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" ")))
}
