//! `/api/auth/*`, tokens, and the contract's answers to bad input.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::support::app::{SECRET, expect_error, spawn};

#[tokio::test]
async fn register_login_me_refresh_logout() {
    let app = spawn().await;
    let res = app
        .post(
            "/api/auth/register",
            None,
            json!({"name": "Ann", "email": "Ann@Example.org", "password": "secret pass"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["user"]["name"], "Ann");
    assert_eq!(body["user"]["email"], "ann@example.org");
    assert!(body["user"]["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(body["user"].get("password_hash").is_none());

    let res = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "ANN@example.org", "password": "secret pass"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let token = res.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    let me: Value = app
        .get("/api/auth/me", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "ann@example.org");
    assert_eq!(me["name"], "Ann");
    assert!(me["id"].as_i64().is_some());

    let res = app.post("/api/auth/refresh", Some(&token), json!({})).await;
    assert_eq!(res.status(), 200);
    let fresh = res.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(fresh, token);
    expect_error(
        app.get("/api/auth/me", Some(&token)).await,
        401,
        "unauthenticated",
    )
    .await;
    assert_eq!(app.get("/api/auth/me", Some(&fresh)).await.status(), 200);

    let res = app.post("/api/auth/logout", Some(&fresh), json!({})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"message": "Logged out"})
    );
    expect_error(
        app.get("/api/auth/me", Some(&fresh)).await,
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn duplicate_email_in_another_case_is_rejected() {
    let app = spawn().await;
    let user = app.register("Bo").await;
    let res = app
        .post(
            "/api/auth/register",
            None,
            json!({"name": "Bo 2", "email": user.email.to_uppercase(), "password": "another pass"}),
        )
        .await;
    let body = expect_error(res, 422, "validation_failed").await;
    assert!(body["fields"]["email"].is_array());
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = spawn().await;
    let user = app.register("Cy").await;
    let wrong = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": user.email, "password": "not the password"}),
        )
        .await;
    let a = expect_error(wrong, 401, "invalid_credentials").await;
    let unknown = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "nobody@example.org", "password": "not the password"}),
        )
        .await;
    let b = expect_error(unknown, 401, "invalid_credentials").await;
    assert_eq!(a, b);
}

#[tokio::test]
async fn repeated_login_failures_get_429_with_retry_after() {
    let app = spawn().await;
    let user = app.register("Dee").await;
    for _ in 0..5 {
        let res = app
            .post(
                "/api/auth/login",
                None,
                json!({"email": user.email, "password": "wrong password"}),
            )
            .await;
        assert_eq!(res.status(), 401);
    }
    let res = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": user.email, "password": "correct horse"}),
        )
        .await;
    assert!(res.headers().get("retry-after").is_some());
    expect_error(res, 429, "too_many_requests").await;
}

#[tokio::test]
async fn a_burst_of_parallel_guesses_gets_no_more_tries_than_guesses_in_turn() {
    let app = spawn().await;
    let user = app.register("Eve").await;
    let guesses = (0..20).map(|i| {
        app.post(
            "/api/auth/login",
            None,
            json!({"email": user.email, "password": format!("guess number {i}")}),
        )
    });
    let mut statuses: Vec<u16> = futures::future::join_all(guesses)
        .await
        .iter()
        .map(|res| res.status().as_u16())
        .collect();
    statuses.sort();
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(wrong <= 5, "{statuses:?}");
    assert_eq!(wrong + refused, 20, "{statuses:?}");
}

#[tokio::test]
async fn one_token_refreshes_once_even_when_refreshed_twice_at_once() {
    let app = spawn().await;
    let user = app.register("Fay").await;
    let refreshes = (0..2).map(|_| app.post("/api/auth/refresh", Some(&user.token), json!({})));
    let mut statuses: Vec<u16> = futures::future::join_all(refreshes)
        .await
        .iter()
        .map(|res| res.status().as_u16())
        .collect();
    statuses.sort();
    assert_eq!(statuses, [200, 401]);
}

#[tokio::test]
async fn registration_validates_every_field() {
    let app = spawn().await;
    let res = app
        .post(
            "/api/auth/register",
            None,
            json!({"name": " ", "email": "not-an-email", "password": "short"}),
        )
        .await;
    let body = expect_error(res, 422, "validation_failed").await;
    for field in ["name", "email", "password"] {
        assert!(body["fields"][field].is_array(), "{field} in {body}");
    }
    let long_name = "x".repeat(256);
    let res = app
        .post(
            "/api/auth/register",
            None,
            json!({"name": long_name, "email": "a@b.org", "password": "long enough"}),
        )
        .await;
    assert!(expect_error(res, 422, "validation_failed").await["fields"]["name"].is_array());
    let res = app
        .post(
            "/api/auth/register",
            None,
            json!({"name": "A", "email": "a@b.org", "password": "p".repeat(1025)}),
        )
        .await;
    assert!(expect_error(res, 422, "validation_failed").await["fields"]["password"].is_array());
}

#[tokio::test]
async fn missing_fields_and_wrong_types_are_422() {
    let app = spawn().await;
    let res = app
        .post(
            "/api/auth/register",
            None,
            json!({"name": "A", "password": "long enough"}),
        )
        .await;
    assert!(expect_error(res, 422, "validation_failed").await["fields"]["email"].is_array());
    let res = app
        .post(
            "/api/auth/register",
            None,
            json!({"name": 5, "email": "a@b.org", "password": "long enough"}),
        )
        .await;
    assert!(expect_error(res, 422, "validation_failed").await["fields"]["name"].is_array());
    let res = app.post("/api/auth/login", None, json!(["a", "b"])).await;
    expect_error(res, 422, "validation_failed").await;
}

#[tokio::test]
async fn malformed_json_is_400_and_oversized_body_is_413() {
    let app = spawn().await;
    expect_error(
        app.post_raw("/api/auth/register", None, "{\"name\": ")
            .await,
        400,
        "bad_request",
    )
    .await;
    expect_error(
        app.post_raw("/api/auth/login", None, "{} trailing").await,
        400,
        "bad_request",
    )
    .await;
    let big = format!(
        "{{\"name\": \"{}\", \"email\": \"a@b.org\", \"password\": \"long enough\"}}",
        "x".repeat(300 * 1024)
    );
    expect_error(
        app.post_raw("/api/auth/register", None, big).await,
        413,
        "payload_too_large",
    )
    .await;
    // nothing was stored by any of these
    let count: i64 = app
        .db
        .query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn unknown_api_path_is_json_404() {
    let app = spawn().await;
    expect_error(app.get("/api/no/such/thing", None).await, 404, "not_found").await;
}

#[tokio::test]
async fn health_reports_the_database() {
    let app = spawn().await;
    let res = app.get("/api/health", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"status": "ok", "db": "ok"})
    );
}

fn sign(claims: Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .unwrap()
}

#[tokio::test]
async fn bad_tokens_are_401() {
    let app = spawn().await;
    let user = app.register("Eve").await;
    let now = chrono::Utc::now().timestamp();
    let claims = |iat: i64, exp: i64| json!({"sub": user.id.to_string(), "jti": "abc", "iat": iat, "exp": exp});

    // a well-formed token from our secret works, so the failures below are about the flaw
    assert_eq!(
        app.get("/api/auth/me", Some(&sign(claims(now, now + 600), SECRET)))
            .await
            .status(),
        200
    );

    let expired = sign(claims(now - 7200, now - 3600), SECRET);
    let other_key = sign(
        claims(now, now + 600),
        b"another-secret-of-enough-length-000000",
    );
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims(now, now + 600).to_string());
    let alg_none = format!("{header}.{payload}.");
    let good = sign(claims(now, now + 600), SECRET);
    let mut parts: Vec<String> = good.split('.').map(String::from).collect();
    parts[1] = URL_SAFE_NO_PAD
        .encode(json!({"sub": "999", "jti": "abc", "iat": now, "exp": now + 600}).to_string());
    let tampered = parts.join(".");
    for (what, token) in [
        ("expired", expired),
        ("other key", other_key),
        ("alg none", alg_none),
        ("tampered", tampered),
        ("garbage", "garbage".into()),
    ] {
        let res = app.get("/api/auth/me", Some(&token)).await;
        assert_eq!(res.status(), 401, "{what}");
        expect_error(res, 401, "unauthenticated").await;
    }
    // missing, and not a Bearer header
    expect_error(app.get("/api/auth/me", None).await, 401, "unauthenticated").await;
    let res = app
        .client
        .get(app.url("/api/auth/me"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    expect_error(res, 401, "unauthenticated").await;
}

#[tokio::test]
async fn email_invitations_bind_on_registration() {
    let app = spawn().await;
    let owner = app.register("Owner").await;
    let now = chrono::Utc::now().timestamp_millis();
    let meeting_id: i64 = app
        .db
        .query_scalar("INSERT INTO meetings (owner_id, title, scheduled_at, duration_minutes, join_code, created_at, updated_at) VALUES ($1, 'Sync', $2, 30, 'code-abcdefghijk', $2, $2) RETURNING id")
        .bind(owner.id)
        .bind(now)
        .fetch_one(&mut *app.db.writer().await.unwrap())
        .await
        .unwrap();
    app.db
        .query("INSERT INTO invitations (meeting_id, inviter_id, invitee_email, created_at) VALUES ($1, $2, 'late@example.org', $3)")
        .bind(meeting_id)
        .bind(owner.id)
        .bind(now)
        .execute(&mut *app.db.writer().await.unwrap())
        .await
        .unwrap();
    let res = app
        .post(
            "/api/auth/register",
            None,
            json!({"name": "Late", "email": "Late@Example.org", "password": "long enough"}),
        )
        .await;
    let new_id = res.json::<Value>().await.unwrap()["user"]["id"]
        .as_i64()
        .unwrap();
    let bound: Option<i64> = app
        .db
        .query_scalar("SELECT invitee_user_id FROM invitations WHERE meeting_id = $1")
        .bind(meeting_id)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(bound, Some(new_id));
}
