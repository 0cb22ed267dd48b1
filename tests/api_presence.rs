//! Presence: join, leave, rejoin, who may see the participant list, and the timeout that
//! turns a silent client into one that has left.

mod common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{TestApp, TestUser, expect_error, spawn, spawn_with};
use serde_json::{Value, json};

/// A scheduled meeting owned by `owner` with `guest` invited (not yet answered).
async fn meeting_inviting(app: &TestApp, owner: &TestUser, guest: &TestUser) -> (i64, i64) {
    let res = app
        .post(
            "/api/meetings",
            Some(&owner.token),
            json!({"title": "Stand-up", "scheduled_at": "2030-01-01T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let meeting_id = res.json::<Value>().await.unwrap()["meeting"]["id"]
        .as_i64()
        .unwrap();
    let res = app
        .post(
            &format!("/api/meetings/{meeting_id}/invite"),
            Some(&owner.token),
            json!({"invitee_user_id": guest.id}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let invitation_id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    (meeting_id, invitation_id)
}

/// Owner, an invitee who accepted, and the meeting.
async fn meeting_with_guest(app: &TestApp) -> (TestUser, TestUser, i64) {
    let owner = app.register("Owner").await;
    let guest = app.register("Guest").await;
    let (meeting_id, invitation_id) = meeting_inviting(app, &owner, &guest).await;
    let res = app
        .post(
            &format!("/api/invitations/{invitation_id}/accept"),
            Some(&guest.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    (owner, guest, meeting_id)
}

async fn join(app: &TestApp, meeting_id: i64, user: &TestUser) -> reqwest::Response {
    app.post(
        &format!("/api/meetings/{meeting_id}/presence/join"),
        Some(&user.token),
        json!({}),
    )
    .await
}

async fn leave(app: &TestApp, meeting_id: i64, user: &TestUser) -> reqwest::Response {
    app.post(
        &format!("/api/meetings/{meeting_id}/presence/leave"),
        Some(&user.token),
        json!({}),
    )
    .await
}

async fn participants(
    app: &TestApp,
    meeting_id: i64,
    user: &TestUser,
    query: &str,
) -> reqwest::Response {
    app.get(
        &format!("/api/meetings/{meeting_id}/participants{query}"),
        Some(&user.token),
    )
    .await
}

async fn list(app: &TestApp, meeting_id: i64, user: &TestUser, query: &str) -> Vec<Value> {
    let res = participants(app, meeting_id, user, query).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().expect("a timestamp").parse().expect("RFC 3339")
}

fn user_ids(list: &[Value]) -> Vec<i64> {
    list.iter()
        .map(|p| p["user_id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn first_join_is_201_and_joining_again_is_200() {
    let app = spawn().await;
    let (owner, _guest, meeting_id) = meeting_with_guest(&app).await;

    let res = join(&app, meeting_id, &owner).await;
    assert_eq!(res.status(), 201);
    let first: Value = res.json().await.unwrap();
    assert_eq!(first["meeting_id"], meeting_id);
    assert_eq!(first["user_id"], owner.id);
    assert_eq!(first["name"], "Owner");
    assert!(first["left_at"].is_null());
    assert!(first["joined_at"].as_str().unwrap().ends_with('Z'));

    let res = join(&app, meeting_id, &owner).await;
    assert_eq!(res.status(), 200);
    let again: Value = res.json().await.unwrap();
    assert_eq!(
        again["joined_at"], first["joined_at"],
        "a second join keeps the stay"
    );
}

#[tokio::test]
async fn accepted_invitee_may_join() {
    let app = spawn().await;
    let (_owner, guest, meeting_id) = meeting_with_guest(&app).await;
    assert_eq!(join(&app, meeting_id, &guest).await.status(), 201);
}

#[tokio::test]
async fn invitee_who_has_not_accepted_gets_not_accepted() {
    let app = spawn().await;
    let owner = app.register("Owner").await;
    let pending = app.register("Pending").await;
    let rejected = app.register("Rejected").await;
    let proposer = app.register("Proposer").await;
    let (meeting_id, _) = meeting_inviting(&app, &owner, &pending).await;
    for (user, action, body) in [
        (&rejected, "reject", json!({})),
        (
            &proposer,
            "propose",
            json!({"proposed_time": "2031-01-01T10:00:00Z"}),
        ),
    ] {
        let res = app
            .post(
                &format!("/api/meetings/{meeting_id}/invite"),
                Some(&owner.token),
                json!({"invitee_user_id": user.id}),
            )
            .await;
        let invitation_id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let res = app
            .post(
                &format!("/api/invitations/{invitation_id}/{action}"),
                Some(&user.token),
                body,
            )
            .await;
        assert_eq!(res.status(), 200, "{action}");
    }
    for user in [&pending, &rejected, &proposer] {
        expect_error(join(&app, meeting_id, user).await, 403, "not_accepted").await;
    }
    assert!(list(&app, meeting_id, &owner, "").await.is_empty());
}

#[tokio::test]
async fn stranger_gets_404_on_every_presence_path() {
    let app = spawn().await;
    let (_owner, _guest, meeting_id) = meeting_with_guest(&app).await;
    let stranger = app.register("Stranger").await;
    expect_error(join(&app, meeting_id, &stranger).await, 404, "not_found").await;
    expect_error(leave(&app, meeting_id, &stranger).await, 404, "not_found").await;
    expect_error(
        participants(&app, meeting_id, &stranger, "").await,
        404,
        "not_found",
    )
    .await;
    expect_error(join(&app, 999_999, &stranger).await, 404, "not_found").await;
    let res = app
        .post(
            &format!("/api/meetings/{meeting_id}/presence/join"),
            None,
            json!({}),
        )
        .await;
    expect_error(res, 401, "unauthenticated").await;
}

#[tokio::test]
async fn joining_a_closed_meeting_is_meeting_closed() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = meeting_with_guest(&app).await;
    let res = app
        .post(
            &format!("/api/meetings/{meeting_id}/cancel"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    expect_error(join(&app, meeting_id, &owner).await, 409, "meeting_closed").await;
    expect_error(join(&app, meeting_id, &guest).await, 409, "meeting_closed").await;
}

#[tokio::test]
async fn mark_all_left_takes_everyone_out_of_the_call() {
    // The hook that ending a meeting uses.
    let app = spawn().await;
    let (owner, guest, meeting_id) = meeting_with_guest(&app).await;
    join(&app, meeting_id, &owner).await;
    join(&app, meeting_id, &guest).await;
    projitt_meet::domain::presence::mark_all_left(&app.db, meeting_id)
        .await
        .unwrap();
    assert!(list(&app, meeting_id, &owner, "?active=1").await.is_empty());
    let all = list(&app, meeting_id, &owner, "").await;
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|p| !p["left_at"].is_null()));
    expect_error(leave(&app, meeting_id, &guest).await, 409, "not_joined").await;
}

#[tokio::test]
async fn present_users_lists_who_is_in_the_call_with_email() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = meeting_with_guest(&app).await;
    join(&app, meeting_id, &owner).await;
    join(&app, meeting_id, &guest).await;
    leave(&app, meeting_id, &owner).await;
    let present = projitt_meet::domain::presence::present_users(&app.db, meeting_id, 30)
        .await
        .unwrap();
    assert_eq!(present.len(), 1);
    assert_eq!(present[0].user_id, guest.id);
    assert_eq!(present[0].name, "Guest");
    assert_eq!(present[0].email, guest.email);
}

#[tokio::test]
async fn leaving_without_being_present_is_not_joined() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = meeting_with_guest(&app).await;
    expect_error(leave(&app, meeting_id, &guest).await, 409, "not_joined").await;

    join(&app, meeting_id, &owner).await;
    let res = leave(&app, meeting_id, &owner).await;
    assert_eq!(res.status(), 200);
    let left: Value = res.json().await.unwrap();
    assert!(!left["left_at"].is_null());
    expect_error(leave(&app, meeting_id, &owner).await, 409, "not_joined").await;
}

#[tokio::test]
async fn rejoining_clears_left_at_and_resets_joined_at() {
    let app = spawn().await;
    let (owner, _guest, meeting_id) = meeting_with_guest(&app).await;
    let first: Value = join(&app, meeting_id, &owner).await.json().await.unwrap();
    assert_eq!(leave(&app, meeting_id, &owner).await.status(), 200);
    // Timestamps may be shown to the second; make the new stay visibly later.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let res = join(&app, meeting_id, &owner).await;
    assert_eq!(res.status(), 201, "a rejoin is a new stay");
    let again: Value = res.json().await.unwrap();
    assert!(again["left_at"].is_null());
    assert!(time(&again["joined_at"]) > time(&first["joined_at"]));
    assert_eq!(
        user_ids(&list(&app, meeting_id, &owner, "?active=1").await),
        vec![owner.id]
    );
}

#[tokio::test]
async fn participants_are_visible_to_the_owner_and_to_present_participants_only() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = meeting_with_guest(&app).await;
    // The owner may look without joining; an invitee must be in the call.
    assert!(list(&app, meeting_id, &owner, "").await.is_empty());
    expect_error(
        participants(&app, meeting_id, &guest, "").await,
        403,
        "join_required",
    )
    .await;

    join(&app, meeting_id, &owner).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    join(&app, meeting_id, &guest).await;
    let everyone = list(&app, meeting_id, &guest, "").await;
    assert_eq!(
        user_ids(&everyone),
        vec![guest.id, owner.id],
        "newest joined_at first"
    );

    leave(&app, meeting_id, &owner).await;
    assert_eq!(
        user_ids(&list(&app, meeting_id, &guest, "?active=1").await),
        vec![guest.id]
    );
    assert_eq!(
        user_ids(&list(&app, meeting_id, &guest, "?active=0").await),
        vec![guest.id, owner.id]
    );

    leave(&app, meeting_id, &guest).await;
    expect_error(
        participants(&app, meeting_id, &guest, "").await,
        403,
        "join_required",
    )
    .await;
    assert_eq!(list(&app, meeting_id, &owner, "").await.len(), 2);
}

#[tokio::test]
async fn a_bad_active_flag_is_422() {
    let app = spawn().await;
    let (owner, _guest, meeting_id) = meeting_with_guest(&app).await;
    let body = expect_error(
        participants(&app, meeting_id, &owner, "?active=maybe").await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body["fields"]["active"].is_array());
}

#[tokio::test]
async fn silent_participant_times_out_and_left_at_is_when_they_went_silent() {
    let app = spawn_with(|c| c.presence_timeout_seconds = 1).await;
    let (owner, guest, meeting_id) = meeting_with_guest(&app).await;
    join(&app, meeting_id, &owner).await;
    let joined: Value = join(&app, meeting_id, &guest).await.json().await.unwrap();
    assert_eq!(list(&app, meeting_id, &owner, "?active=1").await.len(), 2);

    // The guest keeps polling (a heartbeat); the owner goes silent.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let res = app
            .get(
                &format!("/api/meetings/{meeting_id}/rtc/inbox"),
                Some(&guest.token),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    assert_eq!(
        user_ids(&list(&app, meeting_id, &owner, "?active=1").await),
        vec![guest.id]
    );

    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(list(&app, meeting_id, &owner, "?active=1").await.is_empty());
    let all = list(&app, meeting_id, &owner, "").await;
    let gone = all.iter().find(|p| p["user_id"] == guest.id).unwrap();
    let left_at = time(&gone["left_at"]);
    assert_eq!(
        left_at - time(&gone["last_seen_at"]),
        chrono::Duration::seconds(1)
    );
    assert!(time(&gone["last_seen_at"]) > time(&joined["last_seen_at"]));

    // A timed-out participant is out: polling does not bring them back, joining does.
    let res = app
        .get(
            &format!("/api/meetings/{meeting_id}/rtc/inbox"),
            Some(&guest.token),
        )
        .await;
    expect_error(res, 403, "join_required").await;
    expect_error(leave(&app, meeting_id, &guest).await, 409, "not_joined").await;
    assert_eq!(join(&app, meeting_id, &guest).await.status(), 201);
}

#[tokio::test]
async fn a_parked_long_poll_keeps_the_caller_present() {
    let app = spawn_with(|c| c.presence_timeout_seconds = 1).await;
    let (owner, guest, meeting_id) = meeting_with_guest(&app).await;
    join(&app, meeting_id, &guest).await;
    let started = std::time::Instant::now();
    let res = app
        .get(
            &format!("/api/meetings/{meeting_id}/rtc/inbox?wait=3"),
            Some(&guest.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(started.elapsed() >= Duration::from_secs(3));
    assert_eq!(
        user_ids(&list(&app, meeting_id, &owner, "?active=1").await),
        vec![guest.id]
    );
}
