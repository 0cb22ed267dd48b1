//! Browser-facing hardening: security headers and the CSP nonce, refusal of cross-site state
//! changes, the session cookie's attributes, and the JSON nesting limit.

use leptos::server_fn::ServerFn;
use reqwest::Response;
use serde_json::{Value, json};

use crate::support::app::{expect_error, spawn, spawn_with};
use crate::support::browser::{assert_secure_session_cookie, browser, header, register_via_page};
use crate::support::call::call_of_two;

const EVIL: &str = "https://evil.example";

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn().await;
    for path in [
        "/login",
        "/api/health",
        "/api/no-such-thing",
        "/no-such-page",
    ] {
        let res = app.get(path, None).await;
        let csp = header(&res, "content-security-policy");
        for directive in [
            "default-src 'self'",
            "'wasm-unsafe-eval'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob: mediastream:",
        ] {
            assert!(
                csp.contains(directive),
                "{path}: {directive} missing from {csp}"
            );
        }
        let script_src = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .expect("a script-src");
        assert!(!script_src.contains("unsafe-inline"), "{script_src}");
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert_eq!(
            header(&res, "referrer-policy"),
            "strict-origin-when-cross-origin"
        );
        assert_eq!(
            header(&res, "permissions-policy"),
            "camera=(self), microphone=(self), geolocation=()"
        );
        assert_eq!(header(&res, "x-frame-options"), "DENY");
    }
}

#[tokio::test]
async fn nothing_signed_in_users_see_may_be_kept_in_a_browser_cache() {
    let app = spawn().await;
    let user = app.register("Cache").await;
    let client = browser();
    let res = register_via_page(&client, &app.base, "cached@example.org", &app.base).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "cache-control"),
        "no-store",
        "a server function's answer"
    );
    // Pages, signed in and not, and the API.
    for path in ["/meetings", "/login", "/no-such-page"] {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(header(&res, "cache-control"), "no-store", "{path}");
    }
    for path in ["/api/auth/me", "/api/meetings", "/api/no-such-thing"] {
        let res = app.get(path, Some(&user.token)).await;
        assert_eq!(header(&res, "cache-control"), "no-store", "{path}");
    }
}

fn nonce_of(res: &Response) -> String {
    let csp = header(res, "content-security-policy");
    let start = csp.find("'nonce-").expect("a nonce in the policy") + "'nonce-".len();
    csp[start..]
        .split('\'')
        .next()
        .expect("closing quote")
        .to_string()
}

#[tokio::test]
async fn page_scripts_carry_the_nonce_of_their_own_response() {
    let app = spawn().await;
    for path in ["/login", "/no-such-page"] {
        let first = app.get(path, None).await;
        let second = app.get(path, None).await;
        let nonce = nonce_of(&first);
        assert_ne!(nonce, nonce_of(&second), "a fresh nonce per response");
        assert!(nonce.len() >= 22, "at least 128 bits: {nonce}");
        let html = first.text().await.expect("html");
        let scripts: Vec<&str> = html.split("<script").skip(1).collect();
        assert!(!scripts.is_empty(), "{path} has its hydration script");
        for script in scripts {
            let tag = script.split('>').next().unwrap_or_default();
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: <script{tag}>"
            );
        }
    }
}

#[tokio::test]
async fn cross_site_server_function_call_is_refused() {
    let app = spawn().await;
    let client = browser();
    let res = register_via_page(&client, &app.base, "victim@example.org", EVIL).await;
    let body = expect_error(res, 403, "cross_site_request").await;
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("another site"))
    );
    let res = register_via_page(&client, &app.base, "victim@example.org", "null").await;
    expect_error(res, 403, "cross_site_request").await;

    // Nothing happened: the same sign-up from our own pages still works.
    let res = register_via_page(&client, &app.base, "victim@example.org", &app.base).await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, "set-cookie").starts_with("projitt_session="));
}

#[tokio::test]
async fn cookie_authenticated_rest_writes_from_another_site_are_refused() {
    let app = spawn().await;
    let client = browser();
    let res = register_via_page(&client, &app.base, "pat@example.org", &app.base).await;
    assert_eq!(res.status(), 200);
    let meeting = json!({"title": "Planning", "scheduled_at": "2030-01-01T10:00:00Z", "duration_minutes": 30});
    let create = |origin: &'static str| {
        client
            .post(app.url("/api/meetings"))
            .header("origin", origin)
            .json(&meeting)
            .send()
    };

    expect_error(
        create(EVIL).await.expect("request"),
        403,
        "cross_site_request",
    )
    .await;
    let list: Value = client
        .get(app.url("/api/meetings"))
        .header("origin", EVIL)
        .send()
        .await
        .expect("reads are not refused")
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 0, "the refused write changed nothing");

    let own = client
        .post(app.url("/api/meetings"))
        .header("origin", &app.base)
        .json(&meeting)
        .send()
        .await
        .expect("request");
    assert_eq!(own.status(), 201);
    let plain = client
        .post(app.url("/api/meetings"))
        .json(&meeting)
        .send()
        .await;
    assert_eq!(
        plain.expect("request").status(),
        201,
        "clients without Origin are not browsers"
    );
}

#[tokio::test]
async fn bearer_token_writes_are_not_subject_to_the_origin_check() {
    let app = spawn().await;
    let user = app.register("Api").await;
    let res = app
        .client
        .post(app.url("/api/meetings"))
        .bearer_auth(&user.token)
        .header("origin", EVIL)
        .json(&json!({"title": "Scripted", "scheduled_at": "2030-01-01T10:00:00Z", "duration_minutes": 30}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn session_cookie_is_secure_in_production() {
    let app = spawn_with(|c| {
        c.production = true;
        c.cookie_secure = true;
    })
    .await;
    let res = register_via_page(&browser(), &app.base, "prod@example.org", &app.base).await;
    assert_eq!(res.status(), 200);
    assert_secure_session_cookie(&res);
    let csp = res
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        !csp.contains("ws:"),
        "no dev websocket in production: {csp}"
    );
}

/// A signal whose payload nests `depth` objects deep.
fn nested(to: i64, depth: usize) -> String {
    let payload = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    format!(r#"{{"to_user_id": {to}, "type": "candidate", "payload": {payload}}}"#)
}

#[tokio::test]
async fn json_nested_deeper_than_64_levels_is_a_400() {
    let app = spawn().await;
    let (owner, guest, meeting) = call_of_two(&app).await;
    let path = format!("/api/meetings/{meeting}/rtc/send");
    let body = |depth| nested(guest.id, depth);

    // The body object is one level, so a payload 63 deep is at the limit.
    let res = app.post_raw(&path, Some(&owner.token), body(63)).await;
    assert_eq!(res.status(), 201, "deep but allowed");
    let res = app.post_raw(&path, Some(&owner.token), body(64)).await;
    let err = expect_error(res, 400, "bad_request").await;
    assert!(
        err["message"].as_str().is_some_and(|m| m.contains("64")),
        "{err}"
    );
    let res = app.post_raw(&path, Some(&owner.token), body(10_000)).await;
    expect_error(res, 400, "bad_request").await;
    // The depth counts structure only: brackets inside strings are text.
    let text =
        json!({"to_user_id": guest.id, "type": "candidate", "payload": {"sdp": "[".repeat(500)}});
    let res = app.post(&path, Some(&owner.token), text).await;
    assert_eq!(res.status(), 201);
}

/// SQLite stores a NUL character in text and PostgreSQL refuses it: every text input refuses
/// it up front, so both databases give the same 4xx instead of a 500 on one of them.
#[tokio::test]
async fn nul_characters_get_the_same_4xx_on_every_database() {
    let app = spawn().await;
    let owner = app.register("Nia").await;
    let guest = app.register("Oto").await;

    let res = app
        .post(
            "/api/auth/register",
            None,
            json!({"name": "Pat\u{0}", "email": "pat@example.org", "password": "long enough"}),
        )
        .await;
    let body = expect_error(res, 422, "validation_failed").await;
    assert_eq!(body["fields"]["name"][0], "must not contain NUL characters");
    let res = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": format!("{}\u{0}", owner.email), "password": "correct horse"}),
        )
        .await;
    expect_error(res, 401, "invalid_credentials").await;

    let meeting = json!({"title": "Plan\u{0}ning", "scheduled_at": "2030-01-01T10:00:00Z", "duration_minutes": 30});
    let res = app.post("/api/meetings", Some(&owner.token), meeting).await;
    let body = expect_error(res, 422, "validation_failed").await;
    assert!(body["fields"]["title"].is_array(), "{body}");

    let meeting = json!({"title": "Planning", "scheduled_at": "2030-01-01T10:00:00Z", "duration_minutes": 30});
    let res = app.post("/api/meetings", Some(&owner.token), meeting).await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["meeting"]["id"]
        .as_i64()
        .unwrap();
    let res = app
        .post(
            &format!("/api/meetings/{id}/invite"),
            Some(&owner.token),
            json!({"invitee_email": format!("{}\u{0}", guest.email)}),
        )
        .await;
    expect_error(res, 422, "validation_failed").await;
    let res = app
        .post(
            &format!("/api/meetings/{id}/invite"),
            Some(&owner.token),
            json!({"invitee_user_id": guest.id}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let invitation = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/invitations/{invitation}/propose"),
            Some(&guest.token),
            json!({"proposed_time": "2030-01-02T10:00:00Z", "comment": "later\u{0}"}),
        )
        .await;
    let body = expect_error(res, 422, "validation_failed").await;
    assert!(body["fields"]["comment"].is_array(), "{body}");

    // A join link with a NUL in its code names no meeting.
    let client = browser();
    let res = register_via_page(&client, &app.base, "pat@example.org", &app.base).await;
    assert_eq!(res.status(), 200);
    let res = client
        .post(app.url(projitt_meet::server_fns::meetings::ResolveJoinCode::PATH))
        .header("accept", "application/json")
        .header("origin", &app.base)
        .form(&[("code", "abc\u{0}def")])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, json!({"NotFound": "No such meeting."}));

    // Nothing stored was touched: the meeting and the invitation are as they were.
    let res = app
        .get(&format!("/api/meetings/{id}"), Some(&owner.token))
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["title"], "Planning");
    let res = app.get("/api/invitations", Some(&guest.token)).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body[0]["status"], "pending", "{body}");
}
