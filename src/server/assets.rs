//! The browser bundle under `/pkg`: served precompressed (brotli, gzip) when the client
//! accepts it, cached for a year under content-hashed names and revalidated otherwise.
//!
//! The build (cargo-leptos with `hash-files`) names the script, wasm and stylesheet after
//! their content and records the hashes in `hash.txt` next to the server binary; a release
//! build with `--precompress` also writes `.br` and `.gz` siblings of every file.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use leptos::prelude::LeptosOptions;
use tower_http::services::ServeDir;

/// A year: the name changes whenever the content does.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Unhashed names may change content under the same URL: ask the server every time (a
/// `304 Not Modified` when nothing changed).
const REVALIDATE: &str = "no-cache";

/// The record of hashed names the build left next to this binary, if any.
fn hash_file(options: &LeptosOptions) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(options.hash_file.as_ref()))
}

/// Pages link the hashed file names exactly when the build produced them: the record is
/// there. A build without hashing leaves none, and the plain names are served.
pub fn with_detected_hashing(mut options: LeptosOptions) -> LeptosOptions {
    options.hash_files = hash_file(&options).is_some_and(|path| path.is_file());
    options
}

/// The content hashes of the current bundle (`wasm: <hash>` lines in the record).
fn current_hashes(options: &LeptosOptions) -> Vec<String> {
    if !options.hash_files {
        return Vec::new();
    }
    let text = hash_file(options)
        .and_then(|path| std::fs::read_to_string(path).ok())
        .unwrap_or_default();
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(_, hash)| hash.trim().to_owned())
        .filter(|hash| !hash.is_empty())
        .collect()
}

/// `/pkg/*` from `<site-root>/<site-pkg-dir>`.
pub fn pkg_router<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let dir = PathBuf::from(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    files_router(dir, current_hashes(options))
}

/// The files under `dir`; names that carry one of `hashes` are cached for a year.
fn files_router<S: Clone + Send + Sync + 'static>(dir: PathBuf, hashes: Vec<String>) -> Router<S> {
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let hashes: Arc<[String]> = hashes.into();
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(hashes, cache_control))
}

async fn cache_control(
    State(hashes): State<Arc<[String]>>,
    request: Request,
    next: Next,
) -> Response {
    let name = request.uri().path().rsplit('/').next().unwrap_or_default();
    let hashed = name
        .split('.')
        .any(|part| hashes.iter().any(|hash| hash == part));
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let policy = if hashed { IMMUTABLE } else { REVALIDATE };
        let headers = response.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(policy));
        // The same URL answers brotli, gzip or plain bytes: caches must keep them apart.
        if !headers.contains_key(VARY) {
            headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING};
    use tower::ServiceExt;

    use super::*;

    async fn get(app: &Router, path: &str, encoding: Option<&str>) -> Response {
        let mut request = Request::get(path);
        if let Some(encoding) = encoding {
            request = request.header(ACCEPT_ENCODING, encoding);
        }
        app.clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    async fn body(response: Response) -> Vec<u8> {
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    fn header(response: &Response, name: axum::http::HeaderName) -> &str {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    #[tokio::test]
    async fn precompressed_copies_are_served_to_clients_that_accept_them() {
        let dir = std::env::temp_dir().join(format!("pkg-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("app.h4sh.wasm"), b"raw wasm").unwrap();
        std::fs::write(dir.join("app.h4sh.wasm.br"), b"brotli wasm").unwrap();
        std::fs::write(dir.join("app.h4sh.wasm.gz"), b"gzip wasm").unwrap();
        std::fs::write(dir.join("plain.js"), b"plain").unwrap();
        let app: Router = files_router(dir.clone(), vec!["h4sh".into()]);

        let br = get(&app, "/app.h4sh.wasm", Some("gzip, deflate, br")).await;
        assert_eq!(br.status(), StatusCode::OK);
        assert_eq!(header(&br, CONTENT_ENCODING), "br");
        assert_eq!(header(&br, CACHE_CONTROL), IMMUTABLE);
        assert!(header(&br, VARY).contains("accept-encoding"));
        assert_eq!(body(br).await, b"brotli wasm");

        let gz = get(&app, "/app.h4sh.wasm", Some("gzip")).await;
        assert_eq!(header(&gz, CONTENT_ENCODING), "gzip");
        assert_eq!(body(gz).await, b"gzip wasm");

        let raw = get(&app, "/app.h4sh.wasm", None).await;
        assert_eq!(header(&raw, CONTENT_ENCODING), "");
        assert_eq!(header(&raw, CACHE_CONTROL), IMMUTABLE);
        assert_eq!(body(raw).await, b"raw wasm");

        // Without a content hash in its name, a file is revalidated on every use.
        let plain = get(&app, "/plain.js", Some("br")).await;
        assert_eq!(plain.status(), StatusCode::OK);
        assert_eq!(header(&plain, CACHE_CONTROL), REVALIDATE);
        assert_eq!(body(plain).await, b"plain");

        let missing = get(&app, "/app.other.wasm", Some("br")).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(header(&missing, CACHE_CONTROL), "");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
