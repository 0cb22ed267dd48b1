//! Hardening around every route: security headers with a per-request CSP nonce, the refusal of
//! cross-site state changes, request time limits, and the JSON nesting limit.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;

use super::state::AppState;
use crate::error::{AppError, ErrorCode};

/// The session cookie's name; a request carrying it is authenticated by the browser itself.
pub const SESSION_COOKIE: &str = "projitt_session";
/// Every request must have its response head ready within this time; a long-poll route
/// adds its longest wait on top (see `rest::router`).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Deeper JSON is refused before it is parsed: nothing in the API nests anywhere near this.
pub const MAX_JSON_DEPTH: usize = 64;

/// This response's CSP nonce, handed from the header middleware to the page renderer through
/// the request's extensions.
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);

impl CspNonce {
    fn generate() -> Self {
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(
            bytes
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                .into(),
        )
    }
}

/// Renders pages with the nonce of their response, so the hydration script and the inline
/// resource scripts are the only scripts the policy lets run. Call it in the Leptos context.
pub fn provide_page_nonce() {
    use leptos::prelude::{provide_context, use_context};
    let nonce = use_context::<Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(value)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(value));
    }
}

/// The Content-Security-Policy for one response. Development also lets the auto-reload
/// script reach `cargo leptos watch` over a websocket.
pub fn content_security_policy(nonce: &str, production: bool) -> String {
    let connect = if production {
        "'self'"
    } else {
        "'self' ws: wss:"
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         connect-src {connect}; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; \
         style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; \
         base-uri 'self'; form-action 'self'"
    )
}

/// Adds the security headers to every response.
pub async fn security_headers(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = CspNonce::generate();
    let policy = content_security_policy(&nonce.0, state.config().production);
    request.extensions_mut().insert(nonce);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    let fixed: [(HeaderName, &'static str); 4] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(self), microphone=(self), geolocation=()",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    // Pages, server-function answers and API answers carry someone's data: none of it may come
    // back from the browser's cache (or its history) once they have signed out of a shared
    // computer. Static files set their own caching.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses state-changing requests that another site's page made the browser send: every
/// unsafe server-function call, and unsafe REST calls that ride on the session cookie. A
/// Bearer token is never attached by a browser on its own, so those calls need no check.
pub async fn same_origin_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if needs_origin_check(request.method(), request.uri().path(), request.headers())
        && !same_origin(request.headers(), request.uri(), &state.config().public_url)
    {
        return AppError::forbidden(
            ErrorCode::CrossSiteRequest,
            "This request came from another site and was refused.",
        )
        .into_response();
    }
    next.run(request).await
}

fn needs_origin_check(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    if matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return false;
    }
    if path.starts_with("/rpc/") {
        return true;
    }
    path.starts_with("/api/")
        && !headers.contains_key(header::AUTHORIZATION)
        && has_session_cookie(headers)
}

fn has_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| {
            pair.trim()
                .split_once('=')
                .is_some_and(|(name, _)| name == SESSION_COOKIE)
        })
}

/// True when the browser says the request comes from our own origin: the `Origin` header names
/// the configured public URL or the host the request was sent to. Without `Origin` (clients
/// that are not browsers), only an explicit `Sec-Fetch-Site: cross-site` is refused.
fn same_origin(headers: &HeaderMap, uri: &axum::http::Uri, public_url: &str) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return headers
            .get("sec-fetch-site")
            .is_none_or(|site| site.as_bytes() != b"cross-site");
    };
    let Some(origin) = origin.to_str().ok().and_then(|o| url::Url::parse(o).ok()) else {
        // Includes `Origin: null` (sandboxed frames, some redirects).
        return false;
    };
    let Some(origin_host) = origin.host_str() else {
        return false;
    };
    if url::Url::parse(public_url).is_ok_and(|public| public.origin() == origin.origin()) {
        return true;
    }
    let authority = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()));
    let Some(authority) = authority.and_then(|a| a.parse::<axum::http::uri::Authority>().ok())
    else {
        return false;
    };
    let default_port = origin.port_or_known_default();
    authority.host().eq_ignore_ascii_case(origin_host)
        && authority.port_u16().or(default_port) == default_port
}

/// Answers 503 when a handler has not produced its response head within `limit`. Each group
/// of routes gets its own limit as a layer, `from_fn_with_state(limit, time_limit)`:
/// [`REQUEST_TIMEOUT`] for most, longer for the inbox long-poll (see `rest::router`).
pub async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    tokio::time::timeout(limit, next.run(request))
        .await
        .unwrap_or_else(|_| {
            tracing::warn!(?limit, "request timed out");
            AppError::Unavailable("The server took too long to answer. Please try again.".into())
                .into_response()
        })
}

/// Whether no array or object in `json` nests deeper than `max`. A linear scan that skips
/// strings, run before parsing so a deeply nested body costs nothing but this pass.
pub fn json_depth_within(json: &[u8], max: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in json {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return false;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn allowed(pairs: &[(&'static str, &'static str)]) -> bool {
        let uri = axum::http::Uri::from_static("/rpc/x");
        same_origin(&headers(pairs), &uri, "https://meet.example.org")
    }

    #[test]
    fn own_origin_by_public_url_or_host_is_allowed() {
        assert!(allowed(&[("origin", "https://meet.example.org")]));
        assert!(allowed(&[("origin", "https://meet.example.org:443")]));
        assert!(allowed(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ]));
        assert!(allowed(&[
            ("origin", "http://LOCALHOST"),
            ("host", "localhost:80")
        ]));
        assert!(allowed(&[]), "non-browser clients send no Origin");
    }

    #[test]
    fn foreign_null_or_mismatched_origins_are_refused() {
        assert!(!allowed(&[
            ("origin", "https://evil.example"),
            ("host", "meet.example.org")
        ]));
        assert!(!allowed(&[
            ("origin", "null"),
            ("host", "meet.example.org")
        ]));
        assert!(!allowed(&[
            ("origin", "http://127.0.0.1:3001"),
            ("host", "127.0.0.1:3000")
        ]));
        assert!(
            !allowed(&[("origin", "http://meet.example.org")]),
            "scheme differs"
        );
        assert!(!allowed(&[("sec-fetch-site", "cross-site")]));
    }

    #[test]
    fn only_unsafe_rpc_and_cookie_authenticated_api_calls_are_checked() {
        let cookie = headers(&[("cookie", "theme=dark; projitt_session=abc")]);
        let bearer = headers(&[
            ("cookie", "projitt_session=abc"),
            ("authorization", "Bearer t"),
        ]);
        let none = HeaderMap::new();
        assert!(needs_origin_check(&Method::POST, "/rpc/login", &none));
        assert!(!needs_origin_check(
            &Method::GET,
            "/rpc/current_user",
            &none
        ));
        assert!(needs_origin_check(&Method::PUT, "/api/meetings/1", &cookie));
        assert!(!needs_origin_check(
            &Method::PUT,
            "/api/meetings/1",
            &bearer
        ));
        assert!(!needs_origin_check(&Method::POST, "/api/auth/login", &none));
        assert!(!needs_origin_check(&Method::GET, "/api/meetings", &cookie));
    }

    #[test]
    fn json_nesting_is_measured_outside_strings() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(json_depth_within(nested(64).as_bytes(), 64));
        assert!(!json_depth_within(nested(65).as_bytes(), 64));
        let in_string = format!(r#"{{"a":"{}\"{}"}}"#, "[".repeat(100), "{".repeat(100));
        assert!(json_depth_within(in_string.as_bytes(), 2));
        assert!(!json_depth_within(br#"{"a":{"b":{"c":1}}}"#, 2));
    }

    #[test]
    fn the_policy_carries_the_nonce_and_allows_websockets_in_development_only() {
        let dev = content_security_policy("abc", false);
        let prod = content_security_policy("abc", true);
        assert!(prod.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"));
        let script_src = prod.split(';').find(|d| d.contains("script-src"));
        assert!(script_src.is_some_and(|d| !d.contains("unsafe-inline")));
        assert!(!prod.contains("ws:"));
        assert!(dev.contains("connect-src 'self' ws: wss:"));
        assert!(prod.contains("frame-ancestors 'none'"));
    }

    fn slow_app(limit: Duration) -> Router {
        let slow = || async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            "late"
        };
        Router::new()
            .route("/api/slow", get(slow))
            .layer(axum::middleware::from_fn_with_state(limit, time_limit))
    }

    async fn status_and_body(app: Router, path: &str) -> (u16, String) {
        let request = Request::get(path).body(Body::empty()).expect("request");
        let response = app.oneshot(request).await.expect("infallible");
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn a_slow_handler_is_cut_off_with_503() {
        let (status, body) =
            status_and_body(slow_app(Duration::from_millis(50)), "/api/slow").await;
        assert_eq!(status, 503);
        assert!(body.contains("service_unavailable"), "{body}");
        let (status, body) = status_and_body(slow_app(Duration::from_secs(5)), "/api/slow").await;
        assert_eq!(
            (status, body.as_str()),
            (200, "late"),
            "within its limit it answers"
        );
    }
}
