//! Invitations: inviting, the inbox, the invitee's answers and who may see what.

use serde_json::json;

use crate::support::app::{TestApp, TestUser, expect_error, spawn};
use crate::support::meetings::*;

#[tokio::test]
async fn invite_by_account_stores_lowercased_email() {
    let app = spawn().await;
    let (ann, bob, m, inv) = owner_meeting_invitee(&app).await;
    assert_eq!(inv["meeting_id"], id(&m));
    assert_eq!(inv["inviter_id"], ann.id);
    assert_eq!(inv["invitee_user_id"], bob.id);
    assert_eq!(inv["invitee_email"], bob.email.to_lowercase());
    assert_eq!(inv["status"], "pending");
    assert!(inv["proposed_time"].is_null() && inv["responded_at"].is_null());
}

#[tokio::test]
async fn invite_by_email_of_account_binds_at_once() {
    let app = spawn().await;
    let (ann, bob) = (app.register("Ann").await, app.register("Bob").await);
    let m = meeting(&app, &ann, "Bind").await;
    let shouted = bob.email.to_uppercase();
    let inv = json(
        invite(&app, &ann, id(&m), json!({"invitee_email": shouted})).await,
        201,
    )
    .await;
    assert_eq!(inv["invitee_user_id"], bob.id);
    assert_eq!(inv["invitee_email"], bob.email);
    json(answer(&app, &bob, id(&inv), "accept").await, 200).await;
}

#[tokio::test]
async fn invite_by_unknown_email_binds_on_registration() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let m = meeting(&app, &ann, "Later").await;
    let inv = json(
        invite(
            &app,
            &ann,
            id(&m),
            json!({"invitee_email": "New.Person@Example.org"}),
        )
        .await,
        201,
    )
    .await;
    assert!(inv["invitee_user_id"].is_null());
    assert_eq!(inv["invitee_email"], "new.person@example.org");
    // The owner's list names an invitee only once the address belongs to an account.
    let listed = invitations_of(&app, &ann, &m).await;
    assert!(listed[0]["invitee_name"].is_null());
    let res = app
        .post(
            "/api/auth/register",
            None,
            json!({"name": "New", "email": "new.person@example.org", "password": "correct horse"}),
        )
        .await;
    let token = json(res, 201).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let inbox = json(app.get("/api/invitations", Some(&token)).await, 200).await;
    assert_eq!(inbox.as_array().unwrap().len(), 1);
    assert_eq!(inbox[0]["id"], id(&inv));
    assert_eq!(
        json(
            app.get(&format!("/api/meetings/{}", id(&m)), Some(&token))
                .await,
            200
        )
        .await["id"],
        id(&m)
    );
    let listed = invitations_of(&app, &ann, &m).await;
    assert_eq!(listed[0]["invitee_name"], "New");
    assert_eq!(listed[0]["id"], id(&inv));
}

#[tokio::test]
async fn invite_needs_a_valid_person() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let m = meeting(&app, &ann, "Who").await;
    let cases = [
        (json!({}), "invitee_user_id"),
        (json!({"invitee_email": ""}), "invitee_email"),
        (json!({"invitee_email": "not-an-email"}), "invitee_email"),
        (json!({"invitee_email": 42}), "invitee_email"),
        (json!({"invitee_user_id": 999999}), "invitee_user_id"),
        (json!({"invitee_user_id": "7"}), "invitee_user_id"),
        (json!({"invitee_user_id": ann.id}), "invitee_user_id"),
        (
            json!({"invitee_email": ann.email.to_uppercase()}),
            "invitee_email",
        ),
    ];
    for (body, field) in cases {
        let err = expect_error(
            invite(&app, &ann, id(&m), body.clone()).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(err["fields"][field].is_array(), "{field} for {body}: {err}");
    }
    let path = format!("/api/meetings/{}/invite", id(&m));
    expect_error(
        app.post_raw(&path, Some(&ann.token), "{\"invitee_email\"")
            .await,
        400,
        "bad_request",
    )
    .await;
    assert!(invitations_of(&app, &ann, &m).await.is_empty());
}

#[tokio::test]
async fn same_person_twice_is_already_invited() {
    let app = spawn().await;
    let (ann, bob, m, _) = owner_meeting_invitee(&app).await;
    for body in [
        json!({"invitee_user_id": bob.id}),
        json!({"invitee_email": bob.email.to_uppercase()}),
    ] {
        expect_error(
            invite(&app, &ann, id(&m), body).await,
            409,
            "already_invited",
        )
        .await;
    }
    json(
        invite(
            &app,
            &ann,
            id(&m),
            json!({"invitee_email": "Guest@Example.org"}),
        )
        .await,
        201,
    )
    .await;
    expect_error(
        invite(
            &app,
            &ann,
            id(&m),
            json!({"invitee_email": "guest@EXAMPLE.org"}),
        )
        .await,
        409,
        "already_invited",
    )
    .await;
    assert_eq!(invitations_of(&app, &ann, &m).await.len(), 2);
}

#[tokio::test]
async fn closed_meeting_takes_no_invitations() {
    let app = spawn().await;
    let (ann, bob) = (app.register("Ann").await, app.register("Bob").await);
    let m = meeting(&app, &ann, "Gone").await;
    meeting_action(&app, &ann, &m, "cancel").await;
    expect_error(
        invite(&app, &ann, id(&m), json!({"invitee_user_id": bob.id})).await,
        409,
        "meeting_closed",
    )
    .await;
    assert!(invitations_of(&app, &ann, &m).await.is_empty());
}

#[tokio::test]
async fn only_owner_invites_and_lists_invitations() {
    let app = spawn().await;
    let (ann, bob, m, _) = owner_meeting_invitee(&app).await;
    let eve = app.register("Eve").await;
    expect_error(
        invite(&app, &bob, id(&m), json!({"invitee_user_id": eve.id})).await,
        403,
        "forbidden",
    )
    .await;
    expect_error(
        invite(&app, &eve, id(&m), json!({"invitee_user_id": bob.id})).await,
        404,
        "not_found",
    )
    .await;
    let path = format!("/api/meetings/{}/invitations", id(&m));
    expect_error(app.get(&path, Some(&bob.token)).await, 403, "forbidden").await;
    expect_error(app.get(&path, Some(&eve.token)).await, 404, "not_found").await;
    assert_eq!(invitations_of(&app, &ann, &m).await.len(), 1);
}

#[tokio::test]
async fn inbox_lists_callers_invitations_with_meeting_summary() {
    let app = spawn().await;
    let (ann, bob, m, inv) = owner_meeting_invitee(&app).await;
    let other = meeting(&app, &ann, "Other").await;
    let inv2 = invitation(&app, &ann, id(&other), &bob).await;
    json(answer(&app, &bob, id(&inv2), "reject").await, 200).await;
    let all = json(app.get("/api/invitations", Some(&bob.token)).await, 200).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let pending = json(
        app.get("/api/invitations?status=pending", Some(&bob.token))
            .await,
        200,
    )
    .await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    let item = &pending[0];
    assert_eq!(item["id"], id(&inv));
    assert_eq!(item["status"], "pending");
    assert_eq!(item["meeting"]["id"], id(&m));
    assert_eq!(item["meeting"]["title"], "Design");
    assert_eq!(item["meeting"]["owner_id"], ann.id);
    assert_eq!(item["meeting"]["owner_name"], "Ann");
    assert_eq!(item["meeting"]["status"], "scheduled");
    let rejected = json(
        app.get("/api/invitations?status=rejected", Some(&bob.token))
            .await,
        200,
    )
    .await;
    assert_eq!(rejected[0]["id"], id(&inv2));
    // The owner's own inbox holds nothing: they sent these, they did not receive them.
    assert_eq!(
        json(app.get("/api/invitations", Some(&ann.token)).await, 200).await,
        json!([])
    );
    let err = expect_error(
        app.get("/api/invitations?status=maybe", Some(&bob.token))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(err["fields"]["status"].is_array());
}

#[tokio::test]
async fn invitee_may_change_their_mind() {
    let app = spawn().await;
    let (_, bob, _, inv) = owner_meeting_invitee(&app).await;
    let accepted = json(answer(&app, &bob, id(&inv), "accept").await, 200).await;
    assert_eq!(accepted["status"], "accepted");
    assert!(accepted["responded_at"].as_str().is_some());
    let rejected = json(answer(&app, &bob, id(&inv), "reject").await, 200).await;
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(
        json(answer(&app, &bob, id(&inv), "accept").await, 200).await["status"],
        "accepted"
    );
}

#[tokio::test]
async fn owner_cannot_answer_invitation() {
    let app = spawn().await;
    let (ann, _, _, inv) = owner_meeting_invitee(&app).await;
    for action in ["accept", "reject"] {
        expect_error(answer(&app, &ann, id(&inv), action).await, 403, "forbidden").await;
    }
    expect_error(
        propose(
            &app,
            &ann,
            &inv,
            json!({"proposed_time": hours_from_now(5)}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn other_invitee_cannot_answer_and_stranger_gets_404() {
    let app = spawn().await;
    let (ann, _, m, inv) = owner_meeting_invitee(&app).await;
    let (cat, eve) = (app.register("Cat").await, app.register("Eve").await);
    invitation(&app, &ann, id(&m), &cat).await;
    expect_error(
        answer(&app, &cat, id(&inv), "accept").await,
        403,
        "forbidden",
    )
    .await;
    for action in ["accept", "reject", "proposal/accept", "proposal/decline"] {
        expect_error(answer(&app, &eve, id(&inv), action).await, 404, "not_found").await;
    }
    expect_error(
        propose(
            &app,
            &eve,
            &inv,
            json!({"proposed_time": hours_from_now(5)}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    expect_error(answer(&app, &eve, 999999, "accept").await, 404, "not_found").await;
    expect_error(answer(&app, &eve, -1, "accept").await, 404, "not_found").await;
    let res = app
        .post("/api/invitations/x1/accept", Some(&eve.token), json!({}))
        .await;
    expect_error(res, 404, "not_found").await;
    assert_eq!(invitations_of(&app, &ann, &m).await[0]["status"], "pending");
}

#[tokio::test]
async fn closed_meeting_takes_no_answers() {
    let app = spawn().await;
    let (ann, bob, m, inv) = owner_meeting_invitee(&app).await;
    meeting_action(&app, &ann, &m, "start").await;
    meeting_action(&app, &ann, &m, "end").await;
    for action in ["accept", "reject"] {
        expect_error(
            answer(&app, &bob, id(&inv), action).await,
            409,
            "meeting_closed",
        )
        .await;
    }
    expect_error(
        propose(
            &app,
            &bob,
            &inv,
            json!({"proposed_time": hours_from_now(5)}),
        )
        .await,
        409,
        "meeting_closed",
    )
    .await;
    assert_eq!(invitations_of(&app, &ann, &m).await[0]["status"], "pending");
}

async fn withdraw(app: &TestApp, user: &TestUser, invitation: i64) -> reqwest::Response {
    app.client
        .delete(app.url(&format!("/api/invitations/{invitation}")))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn owner_withdraws_an_invitation_and_the_invitee_no_longer_sees_the_meeting() {
    let app = spawn().await;
    let (ann, bob, m, inv) = owner_meeting_invitee(&app).await;
    let meeting_path = format!("/api/meetings/{}", id(&m));
    json(app.get(&meeting_path, Some(&bob.token)).await, 200).await;

    assert_eq!(withdraw(&app, &ann, id(&inv)).await.status(), 204);
    assert!(invitations_of(&app, &ann, &m).await.is_empty());
    expect_error(
        app.get(&meeting_path, Some(&bob.token)).await,
        404,
        "not_found",
    )
    .await;
    let inbox = json(app.get("/api/invitations", Some(&bob.token)).await, 200).await;
    assert_eq!(inbox, json!([]));
    // Too late to answer, or to withdraw again.
    expect_error(
        answer(&app, &bob, id(&inv), "accept").await,
        404,
        "not_found",
    )
    .await;
    expect_error(withdraw(&app, &ann, id(&inv)).await, 404, "not_found").await;
    // The same person can be invited again.
    json(
        invite(&app, &ann, id(&m), json!({"invitee_user_id": bob.id})).await,
        201,
    )
    .await;
}

#[tokio::test]
async fn rejected_and_proposed_invitations_can_be_withdrawn_accepted_ones_cannot() {
    let app = spawn().await;
    let (ann, bob, m, inv) = owner_meeting_invitee(&app).await;
    json(answer(&app, &bob, id(&inv), "accept").await, 200).await;
    expect_error(
        withdraw(&app, &ann, id(&inv)).await,
        409,
        "already_accepted",
    )
    .await;
    assert_eq!(invitations_of(&app, &ann, &m).await.len(), 1);

    json(answer(&app, &bob, id(&inv), "reject").await, 200).await;
    assert_eq!(withdraw(&app, &ann, id(&inv)).await.status(), 204);

    let again = json(
        invite(&app, &ann, id(&m), json!({"invitee_user_id": bob.id})).await,
        201,
    )
    .await;
    let path = format!("/api/invitations/{}/propose", id(&again));
    let body = json!({"proposed_time": hours_from_now(48), "comment": "Later?"});
    json(app.post(&path, Some(&bob.token), body).await, 200).await;
    assert_eq!(withdraw(&app, &ann, id(&again)).await.status(), 204);
    assert!(invitations_of(&app, &ann, &m).await.is_empty());
}

#[tokio::test]
async fn only_the_owner_withdraws_and_only_while_the_meeting_is_open() {
    let app = spawn().await;
    let (ann, bob, m, inv) = owner_meeting_invitee(&app).await;
    let eve = app.register("Eve").await;
    expect_error(withdraw(&app, &bob, id(&inv)).await, 403, "forbidden").await;
    expect_error(withdraw(&app, &eve, id(&inv)).await, 404, "not_found").await;
    meeting_action(&app, &ann, &m, "cancel").await;
    expect_error(withdraw(&app, &ann, id(&inv)).await, 409, "meeting_closed").await;
    assert_eq!(invitations_of(&app, &ann, &m).await.len(), 1);
}

/// An accept and a withdrawal that race: either the accept lands first and the invitation
/// stays (409 for the withdrawal), or the withdrawal does and the accept finds nothing (404);
/// never both, and never a 5xx.
#[tokio::test]
async fn an_accept_racing_a_withdrawal_gets_a_clear_answer() {
    let app = spawn().await;
    for _ in 0..15 {
        let (ann, bob, m, inv) = owner_meeting_invitee(&app).await;
        let (accepted, withdrawn) = tokio::join!(
            answer(&app, &bob, id(&inv), "accept"),
            withdraw(&app, &ann, id(&inv))
        );
        let left = invitations_of(&app, &ann, &m).await;
        match (accepted.status().as_u16(), withdrawn.status().as_u16()) {
            (200, 409) => assert_eq!(left.len(), 1),
            (404, 204) => assert!(left.is_empty()),
            other => panic!("accept and withdraw answered {other:?}"),
        }
    }
}

/// An invitee who rejected while in the call is still present; withdrawing their invitation
/// takes them out of it, and their next poll is refused.
#[tokio::test]
async fn a_withdrawn_invitee_still_in_the_call_leaves_it() {
    let app = spawn().await;
    let (ann, bob, m, inv) = owner_meeting_invitee(&app).await;
    let mid = id(&m);
    json(answer(&app, &bob, id(&inv), "accept").await, 200).await;
    for who in [&ann, &bob] {
        let path = format!("/api/meetings/{mid}/presence/join");
        let res = app.post(&path, Some(&who.token), json!({})).await;
        assert!(res.status().is_success(), "{}", res.status());
    }
    let inbox = format!("/api/meetings/{mid}/rtc/inbox?wait=0");
    json(app.get(&inbox, Some(&bob.token)).await, 200).await;
    json(answer(&app, &bob, id(&inv), "reject").await, 200).await;
    assert!(present(&app, &ann, mid).await.contains(&bob.id));

    assert_eq!(withdraw(&app, &ann, id(&inv)).await.status(), 204);
    assert_eq!(present(&app, &ann, mid).await, [ann.id]);
    expect_error(app.get(&inbox, Some(&bob.token)).await, 404, "not_found").await;
}

/// The ids of those present in meeting `mid`, as its owner `owner` sees them.
async fn present(app: &TestApp, owner: &TestUser, mid: i64) -> Vec<i64> {
    let path = format!("/api/meetings/{mid}/participants?active=1");
    let list = json(app.get(&path, Some(&owner.token)).await, 200).await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["user_id"].as_i64().unwrap())
        .collect()
}
