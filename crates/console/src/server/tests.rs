//! The router in process: read-only whatever the method, security
//! headers on every answer, bounded queries, the rate limit, and pages
//! that show what the model holds.

use std::net::{IpAddr, SocketAddr};

use alloy_primitives::Address;
use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use spon_node::hardware::gpu;
use tower::ServiceExt;

use super::*;
use crate::synthetic::{hw, lease_logs, node_logs, order_log};

const ROUTES: [&str; 22] = [
    "/",
    "/nodes",
    "/nodes/0x0000000000000000000000000000000000000001",
    "/orders",
    "/orders/1",
    "/leases",
    "/leases/1",
    "/challenges",
    "/proposals",
    "/api",
    "/api/overview",
    "/api/nodes",
    "/api/nodes/0x0000000000000000000000000000000000000001",
    "/api/orders",
    "/api/orders/1",
    "/api/leases",
    "/api/leases/1",
    "/api/challenges",
    "/api/proposals",
    "/api/prices",
    "/console.css",
    "/health",
];

fn shared() -> Shared {
    let node = Address::with_last_byte(1);
    let token = Address::with_last_byte(0x70);
    let mut model = Model::default();
    for l in node_logs(node, &hw(gpu::HOPPER, 8)) {
        model.apply(1, &l);
    }
    model.apply(2, &order_log(1, token, 4));
    for l in lease_logs(1, 1, 1, node, token) {
        model.apply(3, &l);
    }
    let mut chain = Chain {
        head: 3,
        now: 1_500,
        ..Chain::default()
    };
    chain.tokens.insert(
        token,
        views::TokenInfo {
            symbol: "tUSD".into(),
            decimals: 0,
        },
    );
    Arc::new(RwLock::new(Arc::new(Snapshot::new(
        model,
        chain,
        HashMap::new(),
    ))))
}

async fn send(app: &Router, method: &str, uri: &str) -> Response {
    app.clone()
        .oneshot(
            Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap()
}

async fn text(r: Response) -> String {
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn app() -> Router {
    router(
        shared(),
        Settings {
            rate_per_sec: 10_000,
        },
    )
}

#[tokio::test]
async fn every_route_refuses_every_write_method() {
    let app = app();
    for route in ROUTES.iter().chain(&["/no-such-page", "/api/no-such"]) {
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"] {
            let r = send(&app, method, route).await;
            assert_eq!(
                r.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {route}"
            );
            assert_eq!(r.headers()[header::ALLOW], "GET, HEAD");
            assert_eq!(r.headers()[header::CONTENT_SECURITY_POLICY], CSP);
            assert!(text(r).await.contains("\"error\":\"ReadOnly\""));
        }
    }
}

#[tokio::test]
async fn every_route_answers_get_and_head_with_the_security_headers() {
    let app = app();
    for route in ROUTES {
        for method in ["GET", "HEAD"] {
            let r = send(&app, method, route).await;
            assert_eq!(r.status(), StatusCode::OK, "{method} {route}");
            let h = r.headers();
            assert_eq!(h[header::CONTENT_SECURITY_POLICY], CSP);
            assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        }
    }
    // No page carries a script.
    for route in ROUTES.iter().filter(|r| !r.starts_with("/api/")) {
        let body = text(send(&app, "GET", route).await).await;
        assert!(!body.contains("<script"), "{route}");
    }
}

#[tokio::test]
async fn queries_are_bounded_and_refusals_named() {
    let app = app();
    let r = send(&app, "GET", "/api/nodes?limit=201").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(text(r).await.contains("LimitTooLarge"));
    let r = send(
        &app,
        "GET",
        &format!("/api/orders?offset={}", "9".repeat(300)),
    )
    .await;
    assert_eq!(r.status(), StatusCode::URI_TOO_LONG);
    let r = send(&app, "GET", "/api/nodes?class=whale").await;
    assert!(text(r).await.contains("UnknownClass"));
    let r = send(&app, "GET", "/api/nodes/0xnot-an-address").await;
    assert!(text(r).await.contains("BadAddress"));
    let r = send(&app, "GET", "/api/orders/77").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(text(r).await.contains("NotFound"));
    let r = send(
        &app,
        "GET",
        "/nodes/0x0000000000000000000000000000000000000009",
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_client_over_its_rate_is_told_to_retry() {
    let app = router(shared(), Settings { rate_per_sec: 2 });
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(send(&app, "GET", "/health").await.status());
    }
    // A burst of twice the rate, then 429.
    assert_eq!(&statuses[..4], &[StatusCode::OK; 4]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
}

#[test]
fn ipv6_clients_are_limited_by_their_64() {
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    assert_eq!(
        client_key(ip("2001:db8:1:2:aaaa::1")),
        client_key(ip("2001:db8:1:2:ffff::9"))
    );
    assert_eq!(client_key(ip("2001:db8:1:2:ffff::9")), ip("2001:db8:1:2::"));
    assert_ne!(
        client_key(ip("2001:db8:1:2::1")),
        client_key(ip("2001:db8:1:3::1"))
    );
    assert_eq!(client_key(ip("192.0.2.7")), ip("192.0.2.7"));
    assert_eq!(client_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
}

#[tokio::test]
async fn each_client_has_its_own_limit() {
    let app = router(shared(), Settings { rate_per_sec: 1 });
    let from = |ip: &str| {
        Request::builder()
            .uri("/health")
            .extension(axum::extract::ConnectInfo(SocketAddr::new(
                ip.parse().unwrap(),
                40_000,
            )))
            .body(Body::empty())
            .unwrap()
    };
    let status = |ip: &'static str| {
        let app = app.clone();
        async move { app.oneshot(from(ip)).await.unwrap().status() }
    };
    assert_eq!(status("192.0.2.1").await, StatusCode::OK);
    assert_eq!(status("192.0.2.1").await, StatusCode::OK);
    assert_eq!(status("192.0.2.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(status("192.0.2.2").await, StatusCode::OK);
    assert_eq!(status("2001:db8::1").await, StatusCode::OK);
    assert_eq!(status("2001:db8::2").await, StatusCode::OK);
    assert_eq!(status("2001:db8::3").await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn pages_show_model_names_amounts_and_utilisation() {
    let app = app();
    let overview: serde_json::Value =
        serde_json::from_str(&text(send(&app, "GET", "/api/overview").await).await).unwrap();
    assert_eq!(overview["gpus_available"], 8);
    assert_eq!(overview["gpus_leased"], 4);
    assert_eq!(overview["utilisation_percent"], 50.0);
    assert_eq!(overview["gpus_by_model"][0]["model"], "NVIDIA H100 / H200");
    let page = text(send(&app, "GET", "/").await).await;
    assert!(page.contains("NVIDIA H100 / H200"));
    assert!(page.contains("50%"));
    let node = text(
        send(
            &app,
            "GET",
            "/nodes/0x0000000000000000000000000000000000000001",
        )
        .await,
    )
    .await;
    assert!(node.contains("8 × NVIDIA H100 / H200"));
    assert!(node.contains("href=\"/leases/1\""));
    let lease = text(send(&app, "GET", "/leases/1").await).await;
    assert!(lease.contains("8 tUSD"), "{lease}");
}
