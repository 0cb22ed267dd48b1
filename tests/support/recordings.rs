//! Fixtures for the recording and notes specs: a started meeting with people present, and
//! recordings started and ended through the API.

use reqwest::Response;
use serde_json::{Value, json};

use super::app::{TestApp, TestUser, spawn};

pub async fn body(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let value: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "status for body {value}");
    value
}

pub async fn meeting(app: &TestApp, owner: &TestUser, title: &str) -> i64 {
    let at = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let res = app
        .post(
            "/api/meetings",
            Some(&owner.token),
            json!({"title": title, "scheduled_at": at, "duration_minutes": 30}),
        )
        .await;
    body(res, 201).await["meeting"]["id"].as_i64().unwrap()
}

pub async fn start_meeting(app: &TestApp, owner: &TestUser, meeting_id: i64) {
    let res = app
        .post(
            &format!("/api/meetings/{meeting_id}/start"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    body(res, 200).await;
}

/// Invites `user` and has them accept.
pub async fn accepted(app: &TestApp, owner: &TestUser, meeting_id: i64, user: &TestUser) {
    let res = app
        .post(
            &format!("/api/meetings/{meeting_id}/invite"),
            Some(&owner.token),
            json!({"invitee_user_id": user.id}),
        )
        .await;
    let invitation = body(res, 201).await["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/invitations/{invitation}/accept"),
            Some(&user.token),
            json!({}),
        )
        .await;
    body(res, 200).await;
}

pub async fn join(app: &TestApp, user: &TestUser, meeting_id: i64) {
    let res = app
        .post(
            &format!("/api/meetings/{meeting_id}/presence/join"),
            Some(&user.token),
            json!({}),
        )
        .await;
    assert!(res.status().is_success(), "join answered {}", res.status());
}

/// A started meeting titled `title` with the owner present; returns (app, owner, meeting id).
pub async fn running_meeting(title: &str) -> (TestApp, TestUser, i64) {
    let app = spawn().await;
    let owner = app.register("Olivia").await;
    let id = meeting(&app, &owner, title).await;
    start_meeting(&app, &owner, id).await;
    join(&app, &owner, id).await;
    (app, owner, id)
}

/// Makes the recordings folder unwritable (a plain file where the folder should be: even root
/// cannot write into it) until the returned path is removed.
pub fn block_storage(app: &TestApp) -> std::path::PathBuf {
    let blocker = app.storage.join("app").join("recordings");
    std::fs::create_dir_all(blocker.parent().unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&blocker);
    std::fs::write(&blocker, b"not a folder").unwrap();
    blocker
}

pub async fn start_recording(app: &TestApp, owner: &TestUser, meeting_id: i64) -> Value {
    let path = format!("/api/meetings/{meeting_id}/recordings/start");
    body(app.post(&path, Some(&owner.token), json!({})).await, 201).await
}

pub async fn end_recording(app: &TestApp, owner: &TestUser, meeting_id: i64) -> Response {
    let path = format!("/api/meetings/{meeting_id}/recordings/end");
    app.post(&path, Some(&owner.token), json!({})).await
}

/// A meeting with one ended recording; returns the app, owner, meeting id and recording.
pub async fn ended_recording(title: &str) -> (TestApp, TestUser, i64, Value) {
    let (app, owner, id) = running_meeting(title).await;
    start_recording(&app, &owner, id).await;
    let recording = body(end_recording(&app, &owner, id).await, 200).await;
    (app, owner, id, recording)
}

pub fn file_on_disk(app: &TestApp, recording: &Value) -> std::path::PathBuf {
    app.storage
        .join("app")
        .join(recording["file_path"].as_str().unwrap())
}
