//! The web server: the pages and the JSON API behind them, read-only.
//!
//! * Only GET and HEAD are answered; anything else is refused with 405
//!   and `Allow: GET, HEAD` before any handler runs — there is no write
//!   endpoint at all.
//! * Every answer carries a Content-Security-Policy that allows no script
//!   and no inline style (`default-src 'none'`), `X-Content-Type-Options:
//!   nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`.
//! * Query strings longer than [`MAX_QUERY`] bytes are refused (414), list
//!   limits above [`MAX_LIMIT`] are refused by name (400 `LimitTooLarge`).
//! * Each client address gets [`Settings::rate_per_sec`] requests a
//!   second (burst twice that); beyond it, 429 with `Retry-After`.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    num::NonZeroU32,
    sync::{Arc, RwLock},
};

use alloy_primitives::Address;
use axum::{
    extract::{ConnectInfo, Path, Query, Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{Html, IntoResponse, Response},
    routing::get,
    Json, Router,
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use spon_protocol::states::NodeClass;

use crate::{
    model::Model,
    pages,
    views::{self, Chain, NodeFilter, DEFAULT_LIMIT, MAX_LIMIT},
};

/// Longest query string answered, bytes.
pub const MAX_QUERY: usize = 256;

/// The CSP of every answer: nothing but this origin's stylesheet and
/// images; no script, no frames, no forms elsewhere.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                       frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// What the pages are made from: the model as of the last indexed block,
/// what was read from the chain's views, and the contracts' names; with
/// the aggregates over the whole market (overview and prices) computed
/// once per snapshot, not per request.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The market.
    pub model: Model,
    /// Head, tokens, standings.
    pub chain: Chain,
    /// Contract names by address (for proposals' calls).
    pub names: HashMap<Address, String>,
    /// The overview of `model` (computed by [`Snapshot::new`]).
    overview: Option<views::Overview>,
    /// The price series of `model` (computed by [`Snapshot::new`]).
    prices: Vec<views::PricePoint>,
}

impl Snapshot {
    /// The snapshot of `model` and `chain`, its aggregates computed.
    pub fn new(model: Model, chain: Chain, names: HashMap<Address, String>) -> Self {
        let overview = Some(views::overview(&model, &chain));
        let prices = views::prices(&model, &chain);
        Snapshot {
            model,
            chain,
            names,
            overview,
            prices,
        }
    }

    fn overview(&self) -> views::Overview {
        self.overview
            .clone()
            .unwrap_or_else(|| views::overview(&self.model, &self.chain))
    }
}

/// The snapshot the indexer publishes and the handlers read.
pub type Shared = Arc<RwLock<Arc<Snapshot>>>;

/// Server settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Requests a second per client address.
    pub rate_per_sec: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { rate_per_sec: 50 }
    }
}

#[derive(Clone)]
struct App {
    shared: Shared,
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl App {
    fn snapshot(&self) -> Arc<Snapshot> {
        self.shared.read().expect("not poisoned").clone()
    }
}

/// A refusal with its name, as JSON (API) or as a page.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    /// Its name.
    pub error: &'static str,
    /// What it means.
    pub message: String,
    #[serde(skip)]
    status: StatusCode,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
}

fn refuse(status: StatusCode, error: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        error,
        message: message.into(),
        status,
    }
}

/// `offset` and `limit` of a list, and its filters.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Rows to skip.
    pub offset: Option<usize>,
    /// Rows to return (at most [`MAX_LIMIT`]).
    pub limit: Option<usize>,
    /// Nodes: `provider` or `fizz`.
    pub class: Option<String>,
    /// Nodes: a GPU class id.
    pub gpu: Option<u16>,
}

impl ListQuery {
    fn bounds(&self) -> Result<(usize, usize), Refusal> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if limit > MAX_LIMIT {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "LimitTooLarge",
                format!("limit {limit} is above the most a page holds, {MAX_LIMIT}"),
            ));
        }
        Ok((self.offset.unwrap_or(0), limit))
    }

    fn node_filter(&self) -> Result<NodeFilter, Refusal> {
        let class = match self.class.as_deref() {
            None => None,
            Some(c) => Some(
                NodeClass::from_name(c)
                    .filter(|k| *k != NodeClass::None)
                    .ok_or_else(|| {
                        refuse(
                            StatusCode::BAD_REQUEST,
                            "UnknownClass",
                            format!("class {c:?} is neither provider nor fizz"),
                        )
                    })?,
            ),
        };
        Ok(NodeFilter {
            class,
            gpu_model: self.gpu,
        })
    }
}

/// A page of rows and how many there are.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    /// Rows skipped.
    pub offset: usize,
    /// Rows asked for.
    pub limit: usize,
    /// Rows in all.
    pub total: usize,
    /// The rows.
    pub rows: Vec<T>,
}

fn not_found(what: String) -> Refusal {
    refuse(StatusCode::NOT_FOUND, "NotFound", what)
}

fn page_not_found(s: &Snapshot, what: String) -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(pages::not_found(s.chain.head, &what).into_string()),
    )
        .into_response()
}

/// Refuses every method but GET and HEAD, long queries and clients over
/// their rate; adds the security headers to every answer.
/// Clients the rate limiter tracks before it forgets the idle ones.
pub const LIMITER_CLIENTS: usize = 4_096;

/// The rate limit's key for a client address: an IPv4 address, or the /64
/// network of an IPv6 address (one host holds a whole /64, so a limit per
/// IPv6 address would be no limit).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
    }
}

async fn guard(State(app): State<App>, req: Request, next: Next) -> Response {
    let mut resp = if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "ReadOnly",
            format!(
                "{} is refused: the console is read-only (GET and HEAD only)",
                req.method()
            ),
        )
        .into_response();
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        r
    } else if req.uri().query().is_some_and(|q| q.len() > MAX_QUERY) {
        refuse(
            StatusCode::URI_TOO_LONG,
            "QueryTooLong",
            format!("query strings are at most {MAX_QUERY} bytes"),
        )
        .into_response()
    } else {
        let ip = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| client_key(c.0.ip()));
        // The limiter keeps a state per client: forget the idle ones before
        // the table grows past what a flood of addresses could make it.
        if app.limiter.len() > LIMITER_CLIENTS {
            app.limiter.retain_recent();
        }
        match app.limiter.check_key(&ip) {
            Ok(()) => next.run(req).await,
            Err(_) => {
                let mut r = refuse(
                    StatusCode::TOO_MANY_REQUESTS,
                    "RateLimited",
                    "too many requests from this address: retry in a second",
                )
                .into_response();
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                r
            }
        }
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    resp
}

/// The router: pages, API and stylesheet, behind [`guard`].
pub fn router(shared: Shared, settings: Settings) -> Router {
    let rate = NonZeroU32::new(settings.rate_per_sec.max(1)).expect("at least 1");
    let burst = rate.saturating_mul(NonZeroU32::new(2).expect("2"));
    let app = App {
        shared,
        limiter: Arc::new(RateLimiter::keyed(
            Quota::per_second(rate).allow_burst(burst),
        )),
    };
    Router::new()
        .route("/", get(overview_page))
        .route("/nodes", get(nodes_page))
        .route("/nodes/{address}", get(node_page))
        .route("/orders", get(orders_page))
        .route("/orders/{id}", get(order_page))
        .route("/leases", get(leases_page))
        .route("/leases/{id}", get(lease_page))
        .route("/challenges", get(challenges_page))
        .route("/proposals", get(proposals_page))
        .route("/api", get(api_page))
        .route("/api/overview", get(overview_api))
        .route("/api/nodes", get(nodes_api))
        .route("/api/nodes/{address}", get(node_api))
        .route("/api/orders", get(orders_api))
        .route("/api/orders/{id}", get(order_api))
        .route("/api/leases", get(leases_api))
        .route("/api/leases/{id}", get(lease_api))
        .route("/api/challenges", get(challenges_api))
        .route("/api/proposals", get(proposals_api))
        .route("/api/prices", get(prices_api))
        .route("/console.css", get(css))
        .route("/health", get(health))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

async fn fallback(State(app): State<App>, req: Request) -> Response {
    let s = app.snapshot();
    if req.uri().path().starts_with("/api/") {
        not_found(format!("no such API route {}", req.uri().path())).into_response()
    } else {
        page_not_found(&s, format!("There is no page {}.", req.uri().path()))
    }
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        pages::CSS,
    )
}

/// What `/health` answers.
#[derive(Debug, Serialize)]
pub struct Health {
    /// Always `ok` when answering.
    pub status: &'static str,
    /// Latest block indexed.
    pub block: u64,
    /// Events indexed.
    pub events: u64,
}

async fn health(State(app): State<App>) -> Json<Health> {
    let s = app.snapshot();
    Json(Health {
        status: "ok",
        block: s.chain.head,
        events: s.model.events,
    })
}

async fn overview_page(State(app): State<App>) -> Html<String> {
    let s = app.snapshot();
    Html(pages::overview(&s.overview(), &s.prices).into_string())
}

async fn overview_api(State(app): State<App>) -> Json<views::Overview> {
    Json(app.snapshot().overview())
}

async fn prices_api(State(app): State<App>) -> Json<Vec<views::PricePoint>> {
    Json(app.snapshot().prices.clone())
}

fn node_list(s: &Snapshot, q: &ListQuery) -> Result<Page<views::NodeRow>, Refusal> {
    let (offset, limit) = q.bounds()?;
    let (rows, total) = views::nodes(&s.model, &s.chain, q.node_filter()?, offset, limit);
    Ok(Page {
        offset,
        limit,
        total,
        rows,
    })
}

async fn nodes_api(
    State(app): State<App>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<views::NodeRow>>, Refusal> {
    Ok(Json(node_list(&app.snapshot(), &q)?))
}

async fn nodes_page(
    State(app): State<App>,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, Refusal> {
    let s = app.snapshot();
    let p = node_list(&s, &q)?;
    Ok(Html(
        pages::nodes(s.chain.head, &p.rows, p.offset, p.limit, p.total).into_string(),
    ))
}

fn parse_address(text: &str) -> Result<Address, Refusal> {
    text.parse().map_err(|_| {
        refuse(
            StatusCode::BAD_REQUEST,
            "BadAddress",
            format!("{text:?} is not an address (0x and 40 hex digits)"),
        )
    })
}

async fn node_api(
    State(app): State<App>,
    Path(address): Path<String>,
) -> Result<Json<views::NodeDetail>, Refusal> {
    let s = app.snapshot();
    let a = parse_address(&address)?;
    views::node_detail(&s.model, &s.chain, a)
        .map(Json)
        .ok_or_else(|| not_found(format!("no node {a}")))
}

async fn node_page(State(app): State<App>, Path(address): Path<String>) -> Response {
    let s = app.snapshot();
    let a = match parse_address(&address) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    match views::node_detail(&s.model, &s.chain, a) {
        Some(n) => Html(pages::node(s.chain.head, &n).into_string()).into_response(),
        None => page_not_found(&s, format!("No node {a} is registered.")),
    }
}

/// A newest-first page of ids from `map`, rendered with `row`.
fn list<V, T>(
    map: &std::collections::BTreeMap<u64, V>,
    q: &ListQuery,
    row: impl Fn(u64) -> Option<T>,
) -> Result<Page<T>, Refusal> {
    let (offset, limit) = q.bounds()?;
    Ok(Page {
        offset,
        limit,
        total: map.len(),
        rows: views::page(map, offset, limit)
            .into_iter()
            .filter_map(row)
            .collect(),
    })
}

fn order_list(s: &Snapshot, q: &ListQuery) -> Result<Page<views::OrderRow>, Refusal> {
    list(&s.model.orders, q, |id| {
        views::order_row(&s.model, &s.chain, id)
    })
}

async fn orders_api(
    State(app): State<App>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<views::OrderRow>>, Refusal> {
    Ok(Json(order_list(&app.snapshot(), &q)?))
}

async fn orders_page(
    State(app): State<App>,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, Refusal> {
    let s = app.snapshot();
    let p = order_list(&s, &q)?;
    Ok(Html(
        pages::orders(s.chain.head, &p.rows, p.offset, p.limit, p.total).into_string(),
    ))
}

async fn order_api(
    State(app): State<App>,
    Path(id): Path<u64>,
) -> Result<Json<views::OrderDetail>, Refusal> {
    let s = app.snapshot();
    views::order_detail(&s.model, &s.chain, id)
        .map(Json)
        .ok_or_else(|| not_found(format!("no order {id}")))
}

async fn order_page(State(app): State<App>, Path(id): Path<u64>) -> Response {
    let s = app.snapshot();
    match views::order_detail(&s.model, &s.chain, id) {
        Some(o) => Html(pages::order(s.chain.head, &o).into_string()).into_response(),
        None => page_not_found(&s, format!("No order #{id}.")),
    }
}

fn lease_list(s: &Snapshot, q: &ListQuery) -> Result<Page<views::LeaseRow>, Refusal> {
    list(&s.model.leases, q, |id| {
        views::lease_row(&s.model, &s.chain, id)
    })
}

async fn leases_api(
    State(app): State<App>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<views::LeaseRow>>, Refusal> {
    Ok(Json(lease_list(&app.snapshot(), &q)?))
}

async fn leases_page(
    State(app): State<App>,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, Refusal> {
    let s = app.snapshot();
    let p = lease_list(&s, &q)?;
    Ok(Html(
        pages::leases(s.chain.head, &p.rows, p.offset, p.limit, p.total).into_string(),
    ))
}

async fn lease_api(
    State(app): State<App>,
    Path(id): Path<u64>,
) -> Result<Json<views::LeaseRow>, Refusal> {
    let s = app.snapshot();
    views::lease_row(&s.model, &s.chain, id)
        .map(Json)
        .ok_or_else(|| not_found(format!("no lease {id}")))
}

async fn lease_page(State(app): State<App>, Path(id): Path<u64>) -> Response {
    let s = app.snapshot();
    match views::lease_row(&s.model, &s.chain, id) {
        Some(l) => Html(pages::lease(s.chain.head, &l).into_string()).into_response(),
        None => page_not_found(&s, format!("No lease #{id}.")),
    }
}

fn challenge_list(s: &Snapshot, q: &ListQuery) -> Result<Page<views::ChallengeRow>, Refusal> {
    list(&s.model.challenges, q, |id| {
        views::challenge_row(&s.model, &s.chain, id)
    })
}

async fn challenges_api(
    State(app): State<App>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<views::ChallengeRow>>, Refusal> {
    Ok(Json(challenge_list(&app.snapshot(), &q)?))
}

async fn challenges_page(
    State(app): State<App>,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, Refusal> {
    let s = app.snapshot();
    let p = challenge_list(&s, &q)?;
    Ok(Html(
        pages::challenges(s.chain.head, &p.rows, p.offset, p.limit, p.total).into_string(),
    ))
}

fn proposal_list(s: &Snapshot, q: &ListQuery) -> Result<Page<views::ProposalRow>, Refusal> {
    list(&s.model.proposals, q, |id| {
        views::proposal_row(&s.model, &s.chain, id, &s.names)
    })
}

async fn proposals_api(
    State(app): State<App>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<views::ProposalRow>>, Refusal> {
    Ok(Json(proposal_list(&app.snapshot(), &q)?))
}

async fn proposals_page(
    State(app): State<App>,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, Refusal> {
    let s = app.snapshot();
    let p = proposal_list(&s, &q)?;
    Ok(Html(
        pages::proposals(s.chain.head, &p.rows, p.offset, p.limit, p.total).into_string(),
    ))
}

async fn api_page(State(app): State<App>) -> Html<String> {
    Html(pages::api(app.snapshot().chain.head).into_string())
}

#[cfg(test)]
mod tests;
