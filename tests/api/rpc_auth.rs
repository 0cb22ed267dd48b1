//! The pages' server functions for sign-up and sign-in: the session cookie, and errors that
//! keep their status and meaning across the wire.

use leptos::server_fn::ServerFn;
use projitt_meet::error::AppError;
use projitt_meet::server_fns::auth::{CurrentUser, Login, Logout, Register};
use reqwest::Client;
use serde_json::Value;

use crate::support::app::spawn;
use crate::support::browser::browser;

async fn call(client: &Client, base: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client
        .post(format!("{base}{path}"))
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn registering_through_the_page_signs_the_browser_in() {
    let app = spawn().await;
    let browser = browser();
    let res = call(
        &browser,
        &app.base,
        Register::PATH,
        &[
            ("name", "Pat"),
            ("email", "pat@example.org"),
            ("password", "long enough"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("projitt_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain-http development cookie: {cookie}"
    );

    let me: Value = call(&browser, &app.base, CurrentUser::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Pat");
    // the same cookie works for the REST API
    let me: Value = browser
        .get(app.url("/api/auth/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "pat@example.org");

    assert_eq!(
        call(&browser, &app.base, Logout::PATH, &[]).await.status(),
        200
    );
    let me: Value = call(&browser, &app.base, CurrentUser::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me, Value::Null);

    // The server forgot the session too: a copy of the old cookie is worth nothing.
    let old_cookie = cookie.split(';').next().unwrap();
    let res = Client::new()
        .get(app.url("/api/auth/me"))
        .header("cookie", old_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn a_refused_login_keeps_its_status_and_error() {
    let app = spawn().await;
    let user = app.register("Quinn").await;
    let browser = browser();
    let res = call(
        &browser,
        &app.base,
        Login::PATH,
        &[("email", &user.email), ("password", "wrong password")],
    )
    .await;
    assert_eq!(res.status(), 401);
    assert!(res.headers().get("set-cookie").is_none());
    let error: AppError = res.json().await.unwrap();
    assert_eq!(error, AppError::InvalidCredentials);

    let res = call(
        &browser,
        &app.base,
        Register::PATH,
        &[("name", ""), ("email", "x"), ("password", "short")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let error: AppError = res.json().await.unwrap();
    assert!(
        error.field("email").is_some()
            && error.field("name").is_some()
            && error.field("password").is_some()
    );
}
