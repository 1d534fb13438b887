//! HTTP for the endpoint (axum on tokio): JSON-RPC by POST on `/`, a
//! health answer by GET on `/` and `/health`, CORS for browser dapps (any
//! origin; preflights answered), keep-alive, any number of connections at
//! once. The chain stays on the thread that called [`Node::serve`]: each
//! request body is handed to it over a channel and answered in turn, so
//! requests are serialised as a chain orders them.

use std::net::TcpListener;

use anyhow::{anyhow, Context, Result};
use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use tokio::sync::oneshot;
use tower_http::cors::CorsLayer;

use super::Node;

/// Largest request body (a raw module in `devnet_deploy` is the largest).
pub const MAX_BODY: usize = 32 << 20;

/// A request body and where its answer goes.
type Job = (Bytes, oneshot::Sender<Vec<u8>>);

type Chain = std::sync::mpsc::Sender<Job>;

async fn ask(chain: &Chain, body: Bytes) -> Option<Vec<u8>> {
    let (reply, answer) = oneshot::channel();
    chain.send((body, reply)).ok()?;
    answer.await.ok()
}

async fn rpc(State(chain): State<Chain>, body: Bytes) -> Response {
    match ask(&chain, body).await {
        Some(answer) => ([(header::CONTENT_TYPE, "application/json")], answer).into_response(),
        None => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// `{"status": "ok", "chainId": …, "block": …}` once the chain answers.
async fn health(State(chain): State<Chain>) -> Response {
    let question = br#"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"eth_blockNumber"}]"#;
    let Some(answer) = ask(&chain, Bytes::from_static(question)).await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap_or_default();
    let number = |i: usize| {
        answer[i]["result"]
            .as_str()
            .and_then(|h| u64::from_str_radix(h.trim_start_matches("0x"), 16).ok())
    };
    axum::Json(serde_json::json!({
        "status": "ok",
        "chainId": number(0),
        "block": number(1),
    }))
    .into_response()
}

impl Node {
    /// Serves JSON-RPC over HTTP on `listener` until the process ends.
    ///
    /// # Errors
    /// If the listener or the HTTP server fails.
    pub fn serve(&mut self, listener: TcpListener) -> Result<()> {
        listener.set_nonblocking(true)?;
        let (chain, jobs) = std::sync::mpsc::channel::<Job>();
        let app = Router::new()
            .route("/", get(health).post(rpc))
            .route("/health", get(health))
            .layer(DefaultBodyLimit::max(MAX_BODY))
            .layer(CorsLayer::permissive())
            .with_state(chain);
        let http = std::thread::Builder::new()
            .name("spon-devnet http".into())
            .spawn(move || -> Result<()> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(async {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    axum::serve(listener, app).await?;
                    anyhow::Ok(())
                })
            })
            .context("cannot start the HTTP thread")?;
        // Ends when the server does (it holds the only senders).
        for (body, reply) in jobs {
            let answer = serde_json::to_vec(&self.handle(&body))?;
            let _ = reply.send(answer);
        }
        http.join()
            .map_err(|_| anyhow!("the HTTP thread panicked"))?
    }
}
