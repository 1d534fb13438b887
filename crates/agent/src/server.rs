//! The manifest endpoint: HTTP/1.1 over mutual TLS.
//!
//! - `POST /manifests` with a [`Post`] body: `201` with the [`Taken`]
//!   record (and the workload started by the [`Runtime`]), or the
//!   refusal's status with `{"error": name, "detail": text}`;
//! - `GET /leases/<id>`: the workload's [`crate::runtime::Status`];
//! - `GET /leases/<id>/logs?bytes=N`: the last N bytes of its output
//!   (64 KiB by default, at most 1 MiB).
//!
//! Both reads carry the lease tenant's signature of
//! [`manifest::read_digest`] in `x-spon-signature` (hex). Also the
//! tenant's side, [`post`] and [`request`] (over any stream: a direct
//! connection, or a gateway's stream to a Fizz node).

use std::{path::PathBuf, sync::Arc};

use alloy_primitives::hex;

use alloy_primitives::{Address, B256};
use anyhow::{anyhow, Context, Result};
use http_body_util::{BodyExt, Full, Limited};
use hyper::{body::Bytes, server::conn::http1, service::service_fn, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use spon_client::{
    bindings::{Leases, Market},
    Client,
};
use spon_gateway::tenant::host_of;
use tokio::{
    io::{AsyncRead, AsyncWrite},
    net::{TcpListener, TcpStream},
};
use tokio_rustls::{TlsAcceptor, TlsConnector};
use tracing::{info, warn};

use crate::{
    manifest::{self, Lease, Post, Refusal, Scope, Taken},
    runtime::Runtime,
    tls::{self, cert_hash, Identity},
    workload::Spec,
};

/// Largest manifest post taken (1 MiB).
const MAX_BODY: usize = 1 << 20;

/// What the endpoint needs.
pub struct Endpoint {
    /// Reads the chain.
    pub client: Client,
    /// The market.
    pub market: Address,
    /// The leases contract.
    pub leases: Address,
    /// The node.
    pub node: Address,
    /// Where taken manifests are recorded.
    pub dir: PathBuf,
    /// Runs taken manifests.
    pub runtime: Arc<Runtime>,
}

impl Endpoint {
    /// Lease `id` as the chain holds it (none if unknown).
    ///
    /// # Errors
    /// An RPC failure.
    pub async fn lease(&self, id: u64) -> Result<Option<Lease>> {
        let lease = self
            .client
            .view(self.leases, Leases::leaseOfCall { lease_id: id })
            .await?
            .lease;
        if lease.node == Address::ZERO {
            return Ok(None);
        }
        let order = self
            .client
            .view(self.market, Market::orderOfCall { order_id: id })
            .await?
            .order;
        Ok(Some(Lease {
            tenant: lease.tenant,
            node: lease.node,
            manifest_hash: order.manifestHash,
            state: lease.state,
        }))
    }

    /// Handles one post from a connection whose client certificate hashes
    /// to `client_cert`.
    async fn handle(&self, body: &[u8], client_cert: B256) -> Result<Result<Taken, Refusal>> {
        let post: Post = match serde_json::from_slice(body) {
            Ok(p) => p,
            Err(e) => return Ok(Err(Refusal::Malformed(e.to_string()))),
        };
        let scope = Scope {
            chain_id: self.client.chain_id,
            market: self.market,
            node: self.node,
        };
        let lease = self.lease(post.lease_id).await?;
        let checked = scope.check(&post, client_cert, lease).and_then(|lease| {
            Spec::parse(&post.manifest, self.runtime.offer())
                .map(|spec| (lease, spec))
                .map_err(Refusal::Unrunnable)
        });
        Ok(match checked {
            Ok((lease, spec)) => {
                let taken = Taken {
                    lease_id: post.lease_id,
                    tenant: lease.tenant,
                    manifest_hash: lease.manifest_hash,
                    manifest: post.manifest,
                };
                let path = manifest::record(&self.dir, &taken)?;
                info!(lease = taken.lease_id, tenant = %taken.tenant, path = %path.display(), "manifest taken");
                self.runtime.start(taken.lease_id, spec)?;
                Ok(taken)
            }
            Err(refusal) => {
                warn!(lease = post.lease_id, "manifest refused: {refusal}");
                Err(refusal)
            }
        })
    }
}

fn json(status: u16, value: &serde_json::Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(value.to_string())));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        "content-type",
        "application/json".parse().expect("a header value"),
    );
    response
}

fn refused(r: &Refusal) -> Response<Full<Bytes>> {
    json(
        r.status(),
        &serde_json::json!({"error": r.name(), "detail": r.to_string()}),
    )
}

/// Largest slice of output one read returns (1 MiB).
const MAX_LOGS: u64 = 1 << 20;

impl Endpoint {
    /// Answers `GET /leases/<id>[/logs]`, its tenant's signature checked.
    async fn read(
        &self,
        req: &Request<hyper::body::Incoming>,
        id: u64,
        logs: bool,
        client_cert: B256,
    ) -> Result<Response<Full<Bytes>>> {
        let signature = req
            .headers()
            .get("x-spon-signature")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| hex::decode(v).ok())
            .unwrap_or_default();
        let scope = Scope {
            chain_id: self.client.chain_id,
            market: self.market,
            node: self.node,
        };
        if let Err(r) = scope.check_read(id, &signature, client_cert, self.lease(id).await?) {
            warn!(lease = id, "read refused: {r}");
            return Ok(refused(&r));
        }
        if !logs {
            return Ok(match self.runtime.status(id) {
                Some(s) => json(200, &serde_json::to_value(s)?),
                None => json(
                    404,
                    &serde_json::json!({"error": "NoWorkload", "detail": format!("NoWorkload: no manifest of lease {id} was taken")}),
                ),
            });
        }
        let bytes = req
            .uri()
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("bytes=")))
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(64 * 1024)
            .min(MAX_LOGS);
        Ok(match self.runtime.logs(id, bytes) {
            Ok(text) => {
                let mut r = Response::new(Full::new(Bytes::from(text)));
                r.headers_mut().insert(
                    "content-type",
                    "text/plain; charset=utf-8".parse().expect("a header value"),
                );
                r
            }
            Err(e) => json(
                404,
                &serde_json::json!({"error": "NoWorkload", "detail": format!("NoWorkload: {e:#}")}),
            ),
        })
    }
}

async fn respond(
    endpoint: &Endpoint,
    req: Request<hyper::body::Incoming>,
    client_cert: B256,
) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    let lease_read = path.strip_prefix("/leases/").and_then(|rest| {
        let (id, logs) = match rest.strip_suffix("/logs") {
            Some(id) => (id, true),
            None => (rest, false),
        };
        Some((id.parse::<u64>().ok()?, logs))
    });
    match (req.method(), lease_read) {
        (&hyper::Method::GET, Some((id, logs))) => {
            return match endpoint.read(&req, id, logs, client_cert).await {
                Ok(r) => r,
                Err(e) => json(
                    503,
                    &serde_json::json!({"error": "ChainUnavailable", "detail": format!("{e:#}")}),
                ),
            };
        }
        (&hyper::Method::POST, None) if path == "/manifests" => {}
        _ => {
            return json(
                404,
                &serde_json::json!({"error": "NotFound", "detail": "POST /manifests, GET /leases/<id>, GET /leases/<id>/logs"}),
            )
        }
    }
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            let refusal =
                Refusal::Malformed(format!("body unreadable or over {MAX_BODY} bytes: {e}"));
            return json(
                400,
                &serde_json::json!({"error": refusal.name(), "detail": refusal.to_string()}),
            );
        }
    };
    match endpoint.handle(&body, client_cert).await {
        Ok(Ok(taken)) => json(
            201,
            &serde_json::to_value(taken).expect("a record serialises"),
        ),
        Ok(Err(r)) => refused(&r),
        Err(e) => json(
            503,
            &serde_json::json!({"error": "ChainUnavailable", "detail": format!("{e:#}")}),
        ),
    }
}

/// Serves `endpoint` on `listener` with `identity` until the task is dropped.
///
/// # Errors
/// The TLS configuration or the listener fails.
pub async fn serve(
    listener: TcpListener,
    identity: &Identity,
    endpoint: Arc<Endpoint>,
) -> Result<()> {
    let acceptor = TlsAcceptor::from(Arc::new(tls::server_config(identity, b"http/1.1")?));
    loop {
        let Some((stream, from)) = spon_gateway::gateway::accept(&listener).await else {
            continue;
        };
        let (acceptor, endpoint) = (acceptor.clone(), endpoint.clone());
        tokio::spawn(async move {
            let handshake = tokio::time::timeout(
                spon_gateway::gateway::OPENING_TIMEOUT,
                acceptor.accept(stream),
            );
            let tls = match handshake.await {
                Ok(Ok(t)) => t,
                Ok(Err(e)) => return warn!(%from, "TLS handshake refused: {e}"),
                Err(_) => return warn!(%from, "TLS handshake timed out"),
            };
            let Some(cert) = tls.get_ref().1.peer_certificates().and_then(|c| c.first()) else {
                return warn!(%from, "no client certificate");
            };
            let client_cert = cert_hash(cert);
            let service = service_fn(move |req| {
                let endpoint = endpoint.clone();
                async move {
                    Ok::<_, std::convert::Infallible>(respond(&endpoint, req, client_cert).await)
                }
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await
            {
                warn!(%from, "manifest connection ended: {e}");
            }
        });
    }
}

/// The tenant's side: posts `post` to the node at `addr` (host:port), whose
/// certificate must hash to `pinned` (the registry's `tlsCertHash`),
/// presenting `identity`. Returns the status and the JSON answer.
///
/// # Errors
/// The connection or the TLS handshake fails (a certificate that is not
/// the pinned one included).
pub async fn post(
    addr: &str,
    pinned: B256,
    identity: &Identity,
    post: &Post,
) -> Result<(u16, serde_json::Value)> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("cannot reach {addr}"))?;
    post_over(stream, host_of(addr), pinned, identity, post).await
}

/// [`post`] over `stream` (a TCP connection, or a gateway's stream to a
/// Fizz node).
///
/// # Errors
/// As [`post`], or the answer is not JSON.
pub async fn post_over<S>(
    stream: S,
    host: &str,
    pinned: B256,
    identity: &Identity,
    post: &Post,
) -> Result<(u16, serde_json::Value)>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let req = Request::post("/manifests")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(serde_json::to_vec(post)?)))?;
    let (status, body) = request(stream, host, pinned, identity, req).await?;
    Ok((
        status,
        serde_json::from_slice(&body).context("the node's answer is not JSON")?,
    ))
}

/// What the node answered to its tenant's reads of a lease's workload.
#[derive(Debug, Clone)]
pub struct Reads {
    /// `GET /leases/<id>`: status, and the [`crate::runtime::Status`] or
    /// the refusal, JSON.
    pub status: (u16, serde_json::Value),
    /// `GET /leases/<id>/logs`: status, and the output's last bytes (or the
    /// refusal, JSON).
    pub logs: (u16, Bytes),
}

/// The tenant's side of the reads of lease `lease_id`'s workload, over
/// `stream`: its status and the last `bytes` bytes of its output, with
/// `signature`, the tenant's signature of [`manifest::read_digest`] for
/// `identity`'s certificate.
///
/// # Errors
/// As [`request`], or the status is not JSON.
pub async fn read_workload<S>(
    stream: S,
    host: &str,
    pinned: B256,
    identity: &Identity,
    lease_id: u64,
    bytes: u64,
    signature: &[u8],
) -> Result<Reads>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let get = |path: String| {
        Request::get(path)
            .header("x-spon-signature", hex::encode(signature))
            .body(Full::new(Bytes::new()))
    };
    let answers = exchange(
        stream,
        host,
        pinned,
        identity,
        vec![
            get(format!("/leases/{lease_id}"))?,
            get(format!("/leases/{lease_id}/logs?bytes={bytes}"))?,
        ],
    )
    .await?;
    let [(code, status), logs]: [(u16, Bytes); 2] = answers
        .try_into()
        .map_err(|_| anyhow!("the node answered too few requests"))?;
    Ok(Reads {
        status: (
            code,
            serde_json::from_slice(&status).context("the node's status is not JSON")?,
        ),
        logs,
    })
}

/// The tenant's side of any request to a node's manifest endpoint, over
/// `stream` (a TCP connection, or a gateway's stream to a Fizz node): TLS
/// with `identity`, the endpoint's certificate pinned to `pinned`. Returns
/// the status and the body.
///
/// # Errors
/// The TLS handshake fails (a certificate that is not the pinned one
/// included), or the connection is lost.
pub async fn request<S>(
    stream: S,
    host: &str,
    pinned: B256,
    identity: &Identity,
    req: Request<Full<Bytes>>,
) -> Result<(u16, Bytes)>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    exchange(stream, host, pinned, identity, vec![req])
        .await?
        .pop()
        .ok_or_else(|| anyhow!("no answer"))
}

/// `reqs` in turn over one TLS connection on `stream`; their statuses and
/// bodies.
async fn exchange<S>(
    stream: S,
    host: &str,
    pinned: B256,
    identity: &Identity,
    reqs: Vec<Request<Full<Bytes>>>,
) -> Result<Vec<(u16, Bytes)>>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let connector =
        TlsConnector::from(Arc::new(tls::client_config(identity, pinned, b"http/1.1")?));
    let host = host.trim_matches(|c| c == '[' || c == ']').to_string();
    let name = ServerName::try_from(host.clone()).map_err(|e| anyhow!("bad host {host}: {e}"))?;
    let tls = connector
        .connect(name, stream)
        .await
        .context("TLS handshake with the node")?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await?;
    tokio::spawn(conn);
    let mut answers = Vec::with_capacity(reqs.len());
    for mut req in reqs {
        req.headers_mut()
            .insert("host", host.parse().context("a host header")?);
        sender.ready().await?;
        let response = sender.send_request(req).await?;
        let status = response.status().as_u16();
        answers.push((status, response.into_body().collect().await?.to_bytes()));
    }
    Ok(answers)
}
