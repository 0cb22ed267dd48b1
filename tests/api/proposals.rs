//! Time proposals: the invitee proposes another time, the owner takes it or declines it.

use serde_json::json;

use crate::support::app::{expect_error, spawn};
use crate::support::meetings::*;

#[tokio::test]
async fn propose_records_time_and_comment() {
    let app = spawn().await;
    let (_, bob, _, inv) = owner_meeting_invitee(&app).await;
    let res = propose(
        &app,
        &bob,
        &inv,
        json!({"proposed_time": "2099-01-01 09:30:00", "comment": " Mornings suit me "}),
    )
    .await;
    let proposed = json(res, 200).await;
    assert_eq!(proposed["status"], "proposed");
    assert_eq!(proposed["proposed_time"], "2099-01-01T09:30:00Z");
    assert_eq!(proposed["comment"], "Mornings suit me");
}

#[tokio::test]
async fn propose_rejects_bad_input_and_keeps_invitation() {
    let app = spawn().await;
    let (ann, bob, m, inv) = owner_meeting_invitee(&app).await;
    let cases = [
        (
            json!({"proposed_time": hours_from_now(-1)}),
            "proposed_time",
        ),
        (json!({"proposed_time": "next week"}), "proposed_time"),
        (json!({"proposed_time": 12}), "proposed_time"),
        (json!({}), "proposed_time"),
        (
            json!({"proposed_time": hours_from_now(3), "comment": "x".repeat(501)}),
            "comment",
        ),
        (
            json!({"proposed_time": hours_from_now(3), "comment": 5}),
            "comment",
        ),
    ];
    for (body, field) in cases {
        let err = expect_error(
            propose(&app, &bob, &inv, body.clone()).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(err["fields"][field].is_array(), "{field} for {body}: {err}");
    }
    let path = format!("/api/invitations/{}/propose", id(&inv));
    expect_error(
        app.post_raw(&path, Some(&bob.token), "{]").await,
        400,
        "bad_request",
    )
    .await;
    let stored = &invitations_of(&app, &ann, &m).await[0];
    assert_eq!(stored["status"], "pending");
    assert!(stored["proposed_time"].is_null());
    // The limit itself is fine.
    json(
        propose(
            &app,
            &bob,
            &inv,
            json!({"proposed_time": hours_from_now(3), "comment": "x".repeat(500)}),
        )
        .await,
        200,
    )
    .await;
}

#[tokio::test]
async fn accepting_proposal_moves_meeting_and_accepts_invitation() {
    let app = spawn().await;
    let (ann, bob, m, inv) = owner_meeting_invitee(&app).await;
    json(
        propose(
            &app,
            &bob,
            &inv,
            json!({"proposed_time": "2099-02-03T04:05:06+01:00"}),
        )
        .await,
        200,
    )
    .await;
    let res = answer(&app, &ann, id(&inv), "proposal/accept").await;
    let body = json(res, 200).await;
    assert_eq!(body["meeting"]["id"], id(&m));
    assert_eq!(body["meeting"]["scheduled_at"], "2099-02-03T03:05:06Z");
    assert_eq!(body["invitation"]["status"], "accepted");
    let stored = json(
        app.get(&format!("/api/meetings/{}", id(&m)), Some(&bob.token))
            .await,
        200,
    )
    .await;
    assert_eq!(stored["scheduled_at"], "2099-02-03T03:05:06Z");
    expect_error(
        answer(&app, &ann, id(&inv), "proposal/accept").await,
        409,
        "no_proposal",
    )
    .await;
}

#[tokio::test]
async fn declining_proposal_returns_invitation_to_pending() {
    let app = spawn().await;
    let (ann, bob, m, inv) = owner_meeting_invitee(&app).await;
    json(
        propose(
            &app,
            &bob,
            &inv,
            json!({"proposed_time": hours_from_now(48)}),
        )
        .await,
        200,
    )
    .await;
    let declined = json(answer(&app, &ann, id(&inv), "proposal/decline").await, 200).await;
    assert_eq!(declined["status"], "pending");
    assert!(declined["proposed_time"].is_null());
    let stored = json(
        app.get(&format!("/api/meetings/{}", id(&m)), Some(&ann.token))
            .await,
        200,
    )
    .await;
    assert_eq!(stored["scheduled_at"], m["scheduled_at"]);
    expect_error(
        answer(&app, &ann, id(&inv), "proposal/decline").await,
        409,
        "no_proposal",
    )
    .await;
}

#[tokio::test]
async fn proposal_answers_need_a_proposal_and_the_owner() {
    let app = spawn().await;
    let (ann, bob, _, inv) = owner_meeting_invitee(&app).await;
    for action in ["proposal/accept", "proposal/decline"] {
        expect_error(
            answer(&app, &ann, id(&inv), action).await,
            409,
            "no_proposal",
        )
        .await;
    }
    json(
        propose(
            &app,
            &bob,
            &inv,
            json!({"proposed_time": hours_from_now(48)}),
        )
        .await,
        200,
    )
    .await;
    for action in ["proposal/accept", "proposal/decline"] {
        expect_error(answer(&app, &bob, id(&inv), action).await, 403, "forbidden").await;
    }
}

#[tokio::test]
async fn proposal_accept_only_while_scheduled() {
    let app = spawn().await;
    let (ann, bob, m, inv) = owner_meeting_invitee(&app).await;
    json(
        propose(
            &app,
            &bob,
            &inv,
            json!({"proposed_time": hours_from_now(48)}),
        )
        .await,
        200,
    )
    .await;
    meeting_action(&app, &ann, &m, "start").await;
    expect_error(
        answer(&app, &ann, id(&inv), "proposal/accept").await,
        409,
        "already_started",
    )
    .await;
    meeting_action(&app, &ann, &m, "end").await;
    expect_error(
        answer(&app, &ann, id(&inv), "proposal/accept").await,
        409,
        "meeting_closed",
    )
    .await;
    let stored = json(
        app.get(&format!("/api/meetings/{}", id(&m)), Some(&ann.token))
            .await,
        200,
    )
    .await;
    assert_eq!(stored["scheduled_at"], m["scheduled_at"]);
    assert_eq!(
        invitations_of(&app, &ann, &m).await[0]["status"],
        "proposed"
    );
}

/// The owner takes a proposal just as the meeting starts (in another tab, say): either the
/// proposal goes first, or it is refused for the reason the contract names.
#[tokio::test]
async fn accepting_a_proposal_while_the_meeting_starts_is_already_started_if_too_late() {
    let app = spawn().await;
    let (ann, bob) = (app.register("Ann").await, app.register("Bob").await);
    for _ in 0..15 {
        let m = meeting(&app, &ann, "Race").await;
        let inv = invitation(&app, &ann, id(&m), &bob).await;
        json(
            propose(
                &app,
                &bob,
                &inv,
                json!({"proposed_time": hours_from_now(5)}),
            )
            .await,
            200,
        )
        .await;
        let (accept, start) = (
            format!("/api/invitations/{}/proposal/accept", id(&inv)),
            format!("/api/meetings/{}/start", id(&m)),
        );
        let (accepted, started) = tokio::join!(
            app.post(&accept, Some(&ann.token), json!({})),
            app.post(&start, Some(&ann.token), json!({})),
        );
        assert_eq!(started.status(), 200);
        if accepted.status() != 200 {
            expect_error(accepted, 409, "already_started").await;
        }
    }
}
