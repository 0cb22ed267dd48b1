//! The browser bundle under `/pkg`: served precompressed (brotli, gzip) when the client
//! accepts it, cached for a year under content-hashed names and revalidated otherwise.
//!
//! The build (cargo-leptos with `hash-files`) names every file of the bundle after its content
//! (`projitt-meet.<hash>.wasm`, and the lazily loaded modules of `--split`) and records the
//! main ones in `hash.txt` next to the server binary; a release build with `--precompress`
//! also writes `.br` and `.gz` siblings of every file.

use std::path::PathBuf;

use axum::Router;
use axum::extract::Request;
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

/// `/pkg/*` from `<site-root>/<site-pkg-dir>`.
pub fn pkg_router<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let dir = PathBuf::from(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    files_router(dir)
}

fn files_router<S: Clone + Send + Sync + 'static>(dir: PathBuf) -> Router<S> {
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_control))
}

/// Whether a file name carries a content hash the way cargo-leptos writes one: a segment of 22
/// URL-safe base64 characters (an MD5 digest) between dots, as in `app.<hash>.wasm`.
fn is_content_hashed(name: &str) -> bool {
    let segments: Vec<&str> = name.split('.').collect();
    segments.len() >= 3
        && segments[1..segments.len() - 1].iter().any(|segment| {
            segment.len() == 22
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

async fn cache_control(request: Request, next: Next) -> Response {
    let name = request.uri().path().rsplit('/').next().unwrap_or_default();
    let hashed = is_content_hashed(name);
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

    const HASH: &str = "Tq5S9HWhbQ4PEYGIP8-qEQ";

    #[test]
    fn content_hashes_are_recognised_in_every_bundle_file_name() {
        assert!(is_content_hashed(&format!("projitt-meet.{HASH}.wasm")));
        assert!(is_content_hashed(&format!(
            "projitt-meet_bg.wasm.d.{HASH}.ts"
        )));
        assert!(is_content_hashed(&format!("chunk_5.{HASH}.wasm")));
        assert!(!is_content_hashed("projitt-meet.wasm"));
        assert!(!is_content_hashed(&format!("{HASH}.js")));
        assert!(!is_content_hashed(
            "projitt-meet.Tq5S9HWhbQ4PEYGIP8-qE.wasm"
        ));
        assert!(!is_content_hashed(
            "projitt-meet.Tq5S9HWhbQ4PEYGIP8+qEQ.wasm"
        ));
    }

    #[tokio::test]
    async fn precompressed_copies_are_served_to_clients_that_accept_them() {
        let dir = std::env::temp_dir().join(format!("pkg-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let hashed = format!("/app.{HASH}.wasm");
        std::fs::write(dir.join(&hashed[1..]), b"raw wasm").unwrap();
        std::fs::write(dir.join(format!("{}.br", &hashed[1..])), b"brotli wasm").unwrap();
        std::fs::write(dir.join(format!("{}.gz", &hashed[1..])), b"gzip wasm").unwrap();
        std::fs::write(dir.join("plain.js"), b"plain").unwrap();
        let app: Router = files_router(dir.clone());

        let br = get(&app, &hashed, Some("gzip, deflate, br")).await;
        assert_eq!(br.status(), StatusCode::OK);
        assert_eq!(header(&br, CONTENT_ENCODING), "br");
        assert_eq!(header(&br, CACHE_CONTROL), IMMUTABLE);
        assert!(header(&br, VARY).contains("accept-encoding"));
        assert_eq!(body(br).await, b"brotli wasm");

        let gz = get(&app, &hashed, Some("gzip")).await;
        assert_eq!(header(&gz, CONTENT_ENCODING), "gzip");
        assert_eq!(body(gz).await, b"gzip wasm");

        let raw = get(&app, &hashed, None).await;
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
