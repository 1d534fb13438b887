//! The manifest endpoint: HTTP/1.1 over mutual TLS. `POST /manifests` with
//! a [`Post`] body; `201` with the [`Taken`] record, or the refusal's
//! status with `{"error": name, "detail": text}`. Also the tenant's side,
//! [`post`].

use std::{path::PathBuf, sync::Arc};

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
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};
use tracing::{info, warn};

use crate::{
    manifest::{self, Lease, Post, Refusal, Scope, Taken},
    tls::{self, cert_hash, Identity},
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
}

impl Endpoint {
    /// Lease `id` as the chain holds it (none if unknown).
    ///
    /// # Errors
    /// An RPC failure.
    pub async fn lease(&self, id: u64) -> Result<Option<Lease>> {
        let parties = self
            .client
            .view(self.leases, Leases::partiesOfCall { lease_id: id })
            .await?
            .parties;
        if parties.node == Address::ZERO {
            return Ok(None);
        }
        let order = self
            .client
            .view(self.market, Market::orderOfCall { order_id: id })
            .await?
            .order;
        Ok(Some(Lease {
            tenant: parties.tenant,
            node: parties.node,
            manifest_hash: order.manifestHash,
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
        Ok(match scope.check(&post, client_cert, lease) {
            Ok(lease) => {
                let taken = Taken {
                    lease_id: post.lease_id,
                    tenant: lease.tenant,
                    manifest_hash: lease.manifest_hash,
                    manifest: post.manifest,
                };
                let path = manifest::record(&self.dir, &taken)?;
                info!(lease = taken.lease_id, tenant = %taken.tenant, path = %path.display(), "manifest taken");
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

async fn respond(
    endpoint: &Endpoint,
    req: Request<hyper::body::Incoming>,
    client_cert: B256,
) -> Response<Full<Bytes>> {
    if req.method() != hyper::Method::POST || req.uri().path() != "/manifests" {
        return json(
            404,
            &serde_json::json!({"error": "NotFound", "detail": "POST /manifests"}),
        );
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
        Ok(Err(r)) => json(
            r.status(),
            &serde_json::json!({"error": r.name(), "detail": r.to_string()}),
        ),
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
    let acceptor = TlsAcceptor::from(Arc::new(tls::server_config(identity)?));
    loop {
        let (stream, from) = listener.accept().await?;
        let (acceptor, endpoint) = (acceptor.clone(), endpoint.clone());
        tokio::spawn(async move {
            let tls = match acceptor.accept(stream).await {
                Ok(t) => t,
                Err(e) => return warn!(%from, "TLS handshake refused: {e}"),
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
    let connector = TlsConnector::from(Arc::new(tls::client_config(identity, pinned)?));
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("cannot reach {addr}"))?;
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h).to_string();
    let name = ServerName::try_from(host).map_err(|e| anyhow!("bad host in {addr}: {e}"))?;
    let tls = connector
        .connect(name, stream)
        .await
        .context("TLS handshake with the node")?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await?;
    tokio::spawn(conn);
    let req = Request::post("/manifests")
        .header("host", addr)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(serde_json::to_vec(post)?)))?;
    let response = sender.send_request(req).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((
        status,
        serde_json::from_slice(&body).context("the node's answer is not JSON")?,
    ))
}
