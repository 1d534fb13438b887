//! Reports served to auditors over HTTP: `GET /reports/<hash>` answers the
//! exact bytes whose `keccak256` the registry holds (`<hash>` with or
//! without `0x` and `.json`).

use std::{convert::Infallible, path::PathBuf, sync::Arc};

use alloy_primitives::B256;
use anyhow::Result;
use http_body_util::Full;
use hyper::{body::Bytes, server::conn::http1, service::service_fn, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The response to a request for `path` from the reports in `dir`.
pub fn answer(dir: &std::path::Path, path: &str) -> (StatusCode, Vec<u8>) {
    let Some(name) = path.strip_prefix("/reports/") else {
        return (StatusCode::NOT_FOUND, b"try /reports/<hash>\n".to_vec());
    };
    let Ok(hash) = name.trim_end_matches(".json").parse::<B256>() else {
        return (StatusCode::BAD_REQUEST, b"not a 32-byte hash\n".to_vec());
    };
    match std::fs::read(dir.join(format!("{hash}.json"))) {
        Ok(bytes) => (StatusCode::OK, bytes),
        Err(_) => (
            StatusCode::NOT_FOUND,
            format!("no report {hash}\n").into_bytes(),
        ),
    }
}

/// Serves the reports in `dir` on `listener` until the task is dropped.
///
/// # Errors
/// The listener fails.
pub async fn serve(listener: TcpListener, dir: PathBuf) -> Result<()> {
    let dir = Arc::new(dir);
    loop {
        let (stream, _) = listener.accept().await?;
        let dir = dir.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                let (status, body) = answer(&dir, req.uri().path());
                let mut response = Response::new(Full::new(Bytes::from(body)));
                *response.status_mut() = status;
                if status == StatusCode::OK {
                    response.headers_mut().insert(
                        "content-type",
                        "application/json".parse().expect("a header value"),
                    );
                }
                async move { Ok::<_, Infallible>(response) }
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!("report connection ended: {e}");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    #[test]
    fn a_kept_report_is_served_by_its_hash_and_nothing_else() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        let bytes = b"{\"schema\":\"spon-probe/1\"}".to_vec();
        let hash = keccak256(&bytes);
        std::fs::write(dir.join(format!("{hash}.json")), &bytes).unwrap();
        assert_eq!(
            answer(dir, &format!("/reports/{hash}")),
            (StatusCode::OK, bytes.clone())
        );
        let bare = format!("/reports/{}.json", alloy_primitives::hex::encode(hash));
        assert_eq!(answer(dir, &bare).0, StatusCode::OK);
        assert_eq!(
            answer(dir, &format!("/reports/{}", B256::ZERO)).0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            answer(dir, "/reports/../../etc/passwd").0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(answer(dir, "/").0, StatusCode::NOT_FOUND);
    }
}
