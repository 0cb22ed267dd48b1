//! Presence: join, leave, rejoin, who may see the participant list, and the timeout that
//! turns a silent client into one that has left.

use std::time::Duration;

use projitt_meet::domain::presence;
use serde_json::{Value, json};

use crate::support::app::{expect_error, spawn, spawn_with};
use crate::support::call::{
    cancel, inbox_raw, invite, join, joined, leave, meeting_inviting, owner_and_guest,
    participant_list as list, participants, time, user_ids,
};

#[tokio::test]
async fn first_join_is_201_and_joining_again_is_200() {
    let app = spawn().await;
    let (owner, _guest, meeting_id) = owner_and_guest(&app).await;

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
    let (_owner, guest, meeting_id) = owner_and_guest(&app).await;
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
        let invitation_id = invite(&app, meeting_id, &owner, user).await;
        let path = format!("/api/invitations/{invitation_id}/{action}");
        let res = app.post(&path, Some(&user.token), body).await;
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
    let (_owner, _guest, meeting_id) = owner_and_guest(&app).await;
    let stranger = app.register("Stranger").await;
    expect_error(join(&app, meeting_id, &stranger).await, 404, "not_found").await;
    expect_error(leave(&app, meeting_id, &stranger).await, 404, "not_found").await;
    let res = participants(&app, meeting_id, &stranger, "").await;
    expect_error(res, 404, "not_found").await;
    expect_error(join(&app, 999_999, &stranger).await, 404, "not_found").await;
    let path = format!("/api/meetings/{meeting_id}/presence/join");
    let res = app.post(&path, None, json!({})).await;
    expect_error(res, 401, "unauthenticated").await;
}

#[tokio::test]
async fn joining_a_closed_meeting_is_meeting_closed() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = owner_and_guest(&app).await;
    cancel(&app, meeting_id, &owner).await;
    expect_error(join(&app, meeting_id, &owner).await, 409, "meeting_closed").await;
    expect_error(join(&app, meeting_id, &guest).await, 409, "meeting_closed").await;
}

#[tokio::test]
async fn mark_all_left_takes_everyone_out_of_the_call() {
    // The hook that ending a meeting uses.
    let app = spawn().await;
    let (owner, guest, meeting_id) = owner_and_guest(&app).await;
    joined(&app, meeting_id, &owner).await;
    joined(&app, meeting_id, &guest).await;
    presence::mark_all_left(&app.backend, meeting_id)
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
    let (owner, guest, meeting_id) = owner_and_guest(&app).await;
    joined(&app, meeting_id, &owner).await;
    joined(&app, meeting_id, &guest).await;
    leave(&app, meeting_id, &owner).await;
    let present = presence::present_users(&app.backend, meeting_id)
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
    let (owner, guest, meeting_id) = owner_and_guest(&app).await;
    expect_error(leave(&app, meeting_id, &guest).await, 409, "not_joined").await;

    joined(&app, meeting_id, &owner).await;
    let res = leave(&app, meeting_id, &owner).await;
    assert_eq!(res.status(), 200);
    let left: Value = res.json().await.unwrap();
    assert!(!left["left_at"].is_null());
    expect_error(leave(&app, meeting_id, &owner).await, 409, "not_joined").await;
}

#[tokio::test]
async fn rejoining_clears_left_at_and_resets_joined_at() {
    let app = spawn().await;
    let (owner, _guest, meeting_id) = owner_and_guest(&app).await;
    let first = joined(&app, meeting_id, &owner).await;
    assert_eq!(leave(&app, meeting_id, &owner).await.status(), 200);
    // Timestamps may be shown to the second; make the new stay visibly later.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let res = join(&app, meeting_id, &owner).await;
    assert_eq!(res.status(), 201, "a rejoin is a new stay");
    let again: Value = res.json().await.unwrap();
    assert!(again["left_at"].is_null());
    assert!(time(&again["joined_at"]) > time(&first["joined_at"]));
    let active = list(&app, meeting_id, &owner, "?active=1").await;
    assert_eq!(user_ids(&active), vec![owner.id]);
}

#[tokio::test]
async fn participants_are_visible_to_the_owner_and_accepted_invitees_before_they_join() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = owner_and_guest(&app).await;
    // The owner and an accepted invitee may look without joining: whether anyone is in the
    // call is what tells them to join.
    assert!(list(&app, meeting_id, &owner, "").await.is_empty());
    assert!(list(&app, meeting_id, &guest, "").await.is_empty());
    // An invitee who has not accepted may not.
    let undecided = app.register("Undecided").await;
    invite(&app, meeting_id, &owner, &undecided).await;
    let res = participants(&app, meeting_id, &undecided, "").await;
    expect_error(res, 403, "not_accepted").await;

    joined(&app, meeting_id, &owner).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    joined(&app, meeting_id, &guest).await;
    let everyone = list(&app, meeting_id, &guest, "").await;
    assert_eq!(
        user_ids(&everyone),
        vec![guest.id, owner.id],
        "newest joined_at first"
    );

    leave(&app, meeting_id, &owner).await;
    let active = list(&app, meeting_id, &guest, "?active=1").await;
    assert_eq!(user_ids(&active), vec![guest.id]);
    let all = list(&app, meeting_id, &guest, "?active=0").await;
    assert_eq!(user_ids(&all), vec![guest.id, owner.id]);

    // Having left, the accepted invitee still sees who is in the call.
    leave(&app, meeting_id, &guest).await;
    assert_eq!(list(&app, meeting_id, &guest, "?active=1").await.len(), 0);
    assert_eq!(list(&app, meeting_id, &owner, "").await.len(), 2);
}

#[tokio::test]
async fn a_bad_active_flag_is_422() {
    let app = spawn().await;
    let (owner, _guest, meeting_id) = owner_and_guest(&app).await;
    let res = participants(&app, meeting_id, &owner, "?active=maybe").await;
    let body = expect_error(res, 422, "validation_failed").await;
    assert!(body["fields"]["active"].is_array());
}

#[tokio::test]
async fn silent_participant_times_out_and_left_at_is_when_they_went_silent() {
    let app = spawn_with(|c| c.presence_timeout_seconds = 1).await;
    let (owner, guest, meeting_id) = owner_and_guest(&app).await;
    joined(&app, meeting_id, &owner).await;
    let first_seen = joined(&app, meeting_id, &guest).await;
    assert_eq!(list(&app, meeting_id, &owner, "?active=1").await.len(), 2);

    // The guest keeps polling (a heartbeat); the owner goes silent.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(inbox_raw(&app, meeting_id, &guest, "").await.status(), 200);
    }
    let active = list(&app, meeting_id, &owner, "?active=1").await;
    assert_eq!(user_ids(&active), vec![guest.id]);

    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(list(&app, meeting_id, &owner, "?active=1").await.is_empty());
    let all = list(&app, meeting_id, &owner, "").await;
    let gone = all.iter().find(|p| p["user_id"] == guest.id).unwrap();
    let silent_for = time(&gone["left_at"]) - time(&gone["last_seen_at"]);
    assert_eq!(silent_for, chrono::Duration::seconds(1));
    assert!(time(&gone["last_seen_at"]) > time(&first_seen["last_seen_at"]));

    // A timed-out participant is out: polling does not bring them back, joining does.
    let res = inbox_raw(&app, meeting_id, &guest, "").await;
    expect_error(res, 403, "join_required").await;
    expect_error(leave(&app, meeting_id, &guest).await, 409, "not_joined").await;
    assert_eq!(join(&app, meeting_id, &guest).await.status(), 201);
}

#[tokio::test]
async fn a_parked_long_poll_keeps_the_caller_present() {
    let app = spawn_with(|c| c.presence_timeout_seconds = 1).await;
    let (owner, guest, meeting_id) = owner_and_guest(&app).await;
    joined(&app, meeting_id, &guest).await;
    let started = std::time::Instant::now();
    let res = inbox_raw(&app, meeting_id, &guest, "?wait=3").await;
    assert_eq!(res.status(), 200);
    assert!(started.elapsed() >= Duration::from_secs(3));
    let active = list(&app, meeting_id, &owner, "?active=1").await;
    assert_eq!(user_ids(&active), vec![guest.id]);
}
