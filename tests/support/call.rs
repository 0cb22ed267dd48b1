//! Fixtures for the presence and signaling specs: a meeting with accepted guests, and the
//! join / leave / participants / send / inbox / ack calls, made through the API.

use chrono::{DateTime, Utc};
use reqwest::Response;
use serde_json::{Value, json};

use super::app::{TestApp, TestUser};

/// A scheduled meeting owned by `owner` with `guest` invited (not yet answered); returns the
/// meeting id and the invitation id.
pub async fn meeting_inviting(app: &TestApp, owner: &TestUser, guest: &TestUser) -> (i64, i64) {
    let meeting_id = meeting_with(app, owner, &[]).await;
    (meeting_id, invite(app, meeting_id, owner, guest).await)
}

/// A scheduled meeting whose every guest has accepted; nobody has joined yet.
pub async fn meeting_with(app: &TestApp, owner: &TestUser, guests: &[&TestUser]) -> i64 {
    let res = app
        .post(
            "/api/meetings",
            Some(&owner.token),
            json!({"title": "Call", "scheduled_at": "2030-01-01T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let meeting_id = res.json::<Value>().await.unwrap()["meeting"]["id"]
        .as_i64()
        .unwrap();
    for guest in guests {
        let invitation_id = invite(app, meeting_id, owner, guest).await;
        let res = app
            .post(
                &format!("/api/invitations/{invitation_id}/accept"),
                Some(&guest.token),
                json!({}),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    meeting_id
}

pub async fn invite(app: &TestApp, meeting_id: i64, owner: &TestUser, guest: &TestUser) -> i64 {
    let res = app
        .post(
            &format!("/api/meetings/{meeting_id}/invite"),
            Some(&owner.token),
            json!({"invitee_user_id": guest.id}),
        )
        .await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// "Owner" and an accepted "Guest", neither in the call yet.
pub async fn owner_and_guest(app: &TestApp) -> (TestUser, TestUser, i64) {
    let owner = app.register("Owner").await;
    let guest = app.register("Guest").await;
    let meeting_id = meeting_with(app, &owner, &[&guest]).await;
    (owner, guest, meeting_id)
}

/// Owner and one guest, both in the call.
pub async fn call_of_two(app: &TestApp) -> (TestUser, TestUser, i64) {
    let (owner, guest, meeting_id) = owner_and_guest(app).await;
    joined(app, meeting_id, &owner).await;
    joined(app, meeting_id, &guest).await;
    (owner, guest, meeting_id)
}

pub async fn cancel(app: &TestApp, meeting_id: i64, owner: &TestUser) {
    let path = format!("/api/meetings/{meeting_id}/cancel");
    let res = app.post(&path, Some(&owner.token), json!({})).await;
    assert_eq!(res.status(), 200);
}

pub async fn join(app: &TestApp, meeting_id: i64, user: &TestUser) -> Response {
    let path = format!("/api/meetings/{meeting_id}/presence/join");
    app.post(&path, Some(&user.token), json!({})).await
}

/// Joins and insists that it worked.
pub async fn joined(app: &TestApp, meeting_id: i64, user: &TestUser) -> Value {
    let res = join(app, meeting_id, user).await;
    assert!(res.status().is_success(), "join: {}", res.status());
    res.json().await.unwrap()
}

pub async fn leave(app: &TestApp, meeting_id: i64, user: &TestUser) -> Response {
    let path = format!("/api/meetings/{meeting_id}/presence/leave");
    app.post(&path, Some(&user.token), json!({})).await
}

pub async fn participants(
    app: &TestApp,
    meeting_id: i64,
    user: &TestUser,
    query: &str,
) -> Response {
    let path = format!("/api/meetings/{meeting_id}/participants{query}");
    app.get(&path, Some(&user.token)).await
}

pub async fn participant_list(
    app: &TestApp,
    meeting_id: i64,
    user: &TestUser,
    query: &str,
) -> Vec<Value> {
    let res = participants(app, meeting_id, user, query).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

pub async fn send_raw(app: &TestApp, meeting_id: i64, from: &TestUser, body: Value) -> Response {
    let path = format!("/api/meetings/{meeting_id}/rtc/send");
    app.post(&path, Some(&from.token), body).await
}

/// Sends a `candidate` and returns the stored signal's id.
pub async fn send(
    app: &TestApp,
    meeting_id: i64,
    from: &TestUser,
    to: &TestUser,
    payload: Value,
) -> i64 {
    let body = json!({"to_user_id": to.id, "type": "candidate", "payload": payload});
    let res = send_raw(app, meeting_id, from, body).await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

pub async fn inbox_raw(app: &TestApp, meeting_id: i64, user: &TestUser, query: &str) -> Response {
    let path = format!("/api/meetings/{meeting_id}/rtc/inbox{query}");
    app.get(&path, Some(&user.token)).await
}

pub async fn inbox(app: &TestApp, meeting_id: i64, user: &TestUser, query: &str) -> Vec<Value> {
    let res = inbox_raw(app, meeting_id, user, query).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

pub async fn ack_raw(app: &TestApp, meeting_id: i64, user: &TestUser, body: Value) -> Response {
    let path = format!("/api/meetings/{meeting_id}/rtc/ack");
    app.post(&path, Some(&user.token), body).await
}

/// Acknowledges and returns the `acknowledged` count.
pub async fn ack(app: &TestApp, meeting_id: i64, user: &TestUser, ids: &[i64]) -> i64 {
    let res = ack_raw(app, meeting_id, user, json!({ "ids": ids })).await;
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["acknowledged"]
        .as_i64()
        .unwrap()
}

pub fn ids(signals: &[Value]) -> Vec<i64> {
    signals.iter().map(|s| s["id"].as_i64().unwrap()).collect()
}

pub fn user_ids(list: &[Value]) -> Vec<i64> {
    list.iter()
        .map(|p| p["user_id"].as_i64().unwrap())
        .collect()
}

pub fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().expect("a timestamp").parse().expect("RFC 3339")
}
