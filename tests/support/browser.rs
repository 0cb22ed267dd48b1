//! A client that behaves like a browser towards the pages: it keeps cookies, follows no
//! redirects, and signs up through the page's server function.

use leptos::server_fn::ServerFn;
use projitt_meet::server_fns::auth::Register;
use reqwest::{Client, Response};

pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Signs up through the page's server function, as the browser does; `origin` is sent as the
/// `Origin` header.
pub async fn register_via_page(client: &Client, base: &str, email: &str, origin: &str) -> Response {
    client
        .post(format!("{base}{}", Register::PATH))
        .header("accept", "application/json")
        .header("origin", origin)
        .form(&[
            ("name", "Pat"),
            ("email", email),
            ("password", "long enough"),
        ])
        .send()
        .await
        .expect("request")
}

/// Asserts that `res` sets the session cookie `HttpOnly`, `SameSite=Lax` and `Secure`.
pub fn assert_secure_session_cookie(res: &Response) {
    let cookie = header(res, "set-cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(
            cookie.split("; ").any(|a| a == attribute),
            "{attribute} in {cookie}"
        );
    }
}

pub fn header<'a>(res: &'a Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header on {}", res.url()))
}
