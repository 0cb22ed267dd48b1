//! Fixtures for the meeting and invitation specs: a scheduled meeting, an invitation, an
//! answered invitation, and the PUT that `app` does not offer.

use reqwest::Response;
use serde_json::{Value, json};

use super::app::{TestApp, TestUser};

/// An RFC 3339 UTC time `hours` from now (negative for the past).
pub fn hours_from_now(hours: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(hours))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

pub async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> Response {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub async fn put_raw(app: &TestApp, path: &str, token: &str, body: &'static str) -> Response {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

pub async fn json(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "status for body {body}");
    body
}

/// Creates a meeting owned by `owner` and returns the meeting object.
pub async fn meeting(app: &TestApp, owner: &TestUser, title: &str) -> Value {
    let res = app
        .post(
            "/api/meetings",
            Some(&owner.token),
            json!({"title": title, "scheduled_at": hours_from_now(24), "duration_minutes": 30}),
        )
        .await;
    json(res, 201).await["meeting"].clone()
}

pub async fn invite(app: &TestApp, owner: &TestUser, meeting_id: i64, body: Value) -> Response {
    app.post(
        &format!("/api/meetings/{meeting_id}/invite"),
        Some(&owner.token),
        body,
    )
    .await
}

/// Invites `invitee` by account and returns the invitation.
pub async fn invitation(
    app: &TestApp,
    owner: &TestUser,
    meeting_id: i64,
    invitee: &TestUser,
) -> Value {
    json(
        invite(
            app,
            owner,
            meeting_id,
            json!({"invitee_user_id": invitee.id}),
        )
        .await,
        201,
    )
    .await
}

pub async fn answer(app: &TestApp, user: &TestUser, invitation_id: i64, action: &str) -> Response {
    app.post(
        &format!("/api/invitations/{invitation_id}/{action}"),
        Some(&user.token),
        json!({}),
    )
    .await
}

/// The meeting of `owner` with `invitee` invited and accepted: (meeting, invitation).
pub async fn accepted_meeting(
    app: &TestApp,
    owner: &TestUser,
    invitee: &TestUser,
) -> (Value, Value) {
    let m = meeting(app, owner, "Planning").await;
    let inv = invitation(app, owner, m["id"].as_i64().unwrap(), invitee).await;
    let inv = json(
        answer(app, invitee, inv["id"].as_i64().unwrap(), "accept").await,
        200,
    )
    .await;
    (m, inv)
}

pub fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("an id")
}

pub async fn owner_meeting_invitee(app: &TestApp) -> (TestUser, TestUser, Value, Value) {
    let (ann, bob) = (app.register("Ann").await, app.register("Bob").await);
    let m = meeting(app, &ann, "Design").await;
    let inv = invitation(app, &ann, id(&m), &bob).await;
    (ann, bob, m, inv)
}

pub async fn meeting_action(app: &TestApp, owner: &TestUser, m: &Value, action: &str) {
    let res = app
        .post(
            &format!("/api/meetings/{}/{action}", id(m)),
            Some(&owner.token),
            json!({}),
        )
        .await;
    json(res, 200).await;
}

pub async fn propose(
    app: &TestApp,
    user: &TestUser,
    inv: &Value,
    body: Value,
) -> reqwest::Response {
    app.post(
        &format!("/api/invitations/{}/propose", id(inv)),
        Some(&user.token),
        body,
    )
    .await
}

pub async fn invitations_of(app: &TestApp, owner: &TestUser, m: &Value) -> Vec<Value> {
    let res = app
        .get(
            &format!("/api/meetings/{}/invitations", id(m)),
            Some(&owner.token),
        )
        .await;
    json(res, 200).await.as_array().unwrap().clone()
}
