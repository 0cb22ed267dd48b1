//! Signaling's access rules and the contract's answers to bad input: who may send, to whom,
//! when, and what malformed bodies and parameters get (always 4xx, never 5xx).

use serde_json::json;

use crate::support::app::{expect_error, spawn};
use crate::support::call::{
    ack_raw, call_of_two, cancel, inbox, inbox_raw, joined, leave, owner_and_guest, send_raw,
};

#[tokio::test]
async fn sender_must_be_present() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = owner_and_guest(&app).await;
    joined(&app, meeting_id, &guest).await;
    let body = json!({"to_user_id": guest.id, "type": "offer", "payload": {}});
    let res = send_raw(&app, meeting_id, &owner, body).await;
    expect_error(res, 403, "join_required").await;
    let res = inbox_raw(&app, meeting_id, &owner, "").await;
    expect_error(res, 403, "join_required").await;
    let res = ack_raw(&app, meeting_id, &owner, json!({"ids": [1]})).await;
    expect_error(res, 403, "join_required").await;
}

#[tokio::test]
async fn recipient_must_be_present() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = owner_and_guest(&app).await;
    joined(&app, meeting_id, &owner).await;
    let body = json!({"to_user_id": guest.id, "type": "offer", "payload": {}});
    let res = send_raw(&app, meeting_id, &owner, body.clone()).await;
    expect_error(res, 409, "recipient_not_present").await;

    joined(&app, meeting_id, &guest).await;
    assert_eq!(
        send_raw(&app, meeting_id, &owner, body.clone())
            .await
            .status(),
        201
    );
    leave(&app, meeting_id, &guest).await;
    let res = send_raw(&app, meeting_id, &owner, body).await;
    expect_error(res, 409, "recipient_not_present").await;
    let nobody = json!({"to_user_id": 987_654, "type": "offer", "payload": {}});
    let res = send_raw(&app, meeting_id, &owner, nobody).await;
    expect_error(res, 409, "recipient_not_present").await;
}

#[tokio::test]
async fn sending_to_yourself_is_422() {
    let app = spawn().await;
    let (owner, _guest, meeting_id) = call_of_two(&app).await;
    let body = json!({"to_user_id": owner.id, "type": "offer", "payload": {}});
    let res = send_raw(&app, meeting_id, &owner, body).await;
    let err = expect_error(res, 422, "validation_failed").await;
    assert!(err["fields"]["to_user_id"].is_array());
}

#[tokio::test]
async fn signaling_in_a_closed_meeting_is_meeting_closed() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    cancel(&app, meeting_id, &owner).await;
    let body = json!({"to_user_id": guest.id, "type": "offer", "payload": {}});
    let res = send_raw(&app, meeting_id, &owner, body).await;
    expect_error(res, 409, "meeting_closed").await;
    let res = inbox_raw(&app, meeting_id, &guest, "").await;
    expect_error(res, 409, "meeting_closed").await;
}

/// Busy callers' checks are answered from memory; a leave or a closed meeting ends that at
/// once, whoever caused it.
#[tokio::test]
async fn remembered_checks_end_with_a_leave_or_a_closed_meeting() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    let body = json!({"to_user_id": owner.id, "type": "offer", "payload": {}});
    for _ in 0..3 {
        assert_eq!(inbox(&app, meeting_id, &guest, "").await.len(), 0);
        assert_eq!(
            send_raw(&app, meeting_id, &guest, body.clone())
                .await
                .status(),
            201
        );
    }
    assert_eq!(
        ack_raw(&app, meeting_id, &guest, json!({"ids": []}))
            .await
            .status(),
        200
    );
    leave(&app, meeting_id, &guest).await;
    let res = inbox_raw(&app, meeting_id, &guest, "").await;
    expect_error(res, 403, "join_required").await;
    let res = send_raw(&app, meeting_id, &guest, body).await;
    expect_error(res, 403, "join_required").await;
    let res = ack_raw(&app, meeting_id, &guest, json!({"ids": [1]})).await;
    expect_error(res, 403, "join_required").await;

    for _ in 0..3 {
        assert_eq!(inbox(&app, meeting_id, &owner, "").await.len(), 3);
    }
    cancel(&app, meeting_id, &owner).await;
    let res = inbox_raw(&app, meeting_id, &owner, "").await;
    expect_error(res, 409, "meeting_closed").await;
}

#[tokio::test]
async fn strangers_get_404_on_signaling_paths() {
    let app = spawn().await;
    let (_owner, guest, meeting_id) = call_of_two(&app).await;
    let stranger = app.register("Stranger").await;
    let body = json!({"to_user_id": guest.id, "type": "offer", "payload": {}});
    let res = send_raw(&app, meeting_id, &stranger, body).await;
    expect_error(res, 404, "not_found").await;
    let res = inbox_raw(&app, meeting_id, &stranger, "").await;
    expect_error(res, 404, "not_found").await;
    let res = ack_raw(&app, meeting_id, &stranger, json!({"ids": [1]})).await;
    expect_error(res, 404, "not_found").await;
    let res = app
        .get(&format!("/api/meetings/{meeting_id}/rtc/inbox"), None)
        .await;
    expect_error(res, 401, "unauthenticated").await;
}

#[tokio::test]
async fn bad_send_bodies_are_4xx_never_5xx() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    let path = format!("/api/meetings/{meeting_id}/rtc/send");
    let res = app
        .post_raw(&path, Some(&owner.token), "{\"to_user_id\": ")
        .await;
    expect_error(res, 400, "bad_request").await;

    let to = guest.id;
    let cases = [
        (
            json!({"to_user_id": "two", "type": "offer", "payload": {}}),
            "to_user_id",
        ),
        (json!({"type": "offer", "payload": {}}), "to_user_id"),
        (
            json!({"to_user_id": to, "type": "hello", "payload": {}}),
            "type",
        ),
        (json!({"to_user_id": to, "type": 3, "payload": {}}), "type"),
        (json!({"to_user_id": to, "type": "offer"}), "payload"),
        (
            json!({"to_user_id": to, "type": "offer", "payload": "sdp"}),
            "payload",
        ),
        (
            json!({"to_user_id": to, "type": "offer", "payload": [1, 2]}),
            "payload",
        ),
        (
            json!({"to_user_id": to, "type": "offer", "payload": null}),
            "payload",
        ),
        (json!([1, 2]), "body"),
    ];
    for (body, field) in cases {
        let res = send_raw(&app, meeting_id, &owner, body.clone()).await;
        let err = expect_error(res, 422, "validation_failed").await;
        assert!(
            err["fields"][field].is_array(),
            "{body} should name {field}: {err}"
        );
    }
}

#[tokio::test]
async fn a_payload_over_64_kib_is_422() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    // {"s":"…"} adds 8 bytes around the string: exactly 64 KiB passes, one byte more fails.
    let fits = json!({"s": "x".repeat(64 * 1024 - 8)});
    let body = json!({"to_user_id": guest.id, "type": "offer", "payload": fits});
    assert_eq!(send_raw(&app, meeting_id, &owner, body).await.status(), 201);
    let over = json!({"s": "x".repeat(64 * 1024 - 7)});
    let body = json!({"to_user_id": guest.id, "type": "offer", "payload": over});
    let res = send_raw(&app, meeting_id, &owner, body).await;
    let err = expect_error(res, 422, "validation_failed").await;
    assert!(err["fields"]["payload"].is_array());
}

#[tokio::test]
async fn bad_inbox_parameters_are_422() {
    let app = spawn().await;
    let (_owner, guest, meeting_id) = call_of_two(&app).await;
    for (query, field) in [
        ("?since_id=abc", "since_id"),
        ("?since_id=-1", "since_id"),
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
        ("?limit=ten", "limit"),
        ("?wait=31", "wait"),
        ("?wait=-1", "wait"),
        ("?wait=1.5", "wait"),
        ("?wait=99999999999999999999999", "wait"),
    ] {
        let res = inbox_raw(&app, meeting_id, &guest, query).await;
        let err = expect_error(res, 422, "validation_failed").await;
        assert!(
            err["fields"][field].is_array(),
            "{query} should name {field}: {err}"
        );
    }
    let res = inbox_raw(&app, meeting_id, &guest, "?since_id=0&limit=500&wait=0").await;
    assert_eq!(res.status(), 200);
    // The contract's own template, left blank: every value takes its default.
    let res = inbox_raw(&app, meeting_id, &guest, "?since_id=&limit=&wait=").await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn bad_ack_bodies_are_4xx() {
    let app = spawn().await;
    let (_owner, guest, meeting_id) = call_of_two(&app).await;
    let path = format!("/api/meetings/{meeting_id}/rtc/ack");
    let res = app
        .post_raw(&path, Some(&guest.token), "{\"ids\": [1,")
        .await;
    expect_error(res, 400, "bad_request").await;
    for body in [
        json!({}),
        json!({"ids": "1,2"}),
        json!({"ids": ["a"]}),
        json!({"ids": [1.5]}),
    ] {
        let res = ack_raw(&app, meeting_id, &guest, body.clone()).await;
        let err = expect_error(res, 422, "validation_failed").await;
        let fields = err["fields"].as_object().unwrap();
        assert!(fields.keys().any(|k| k.starts_with("ids")), "{body}: {err}");
    }
    let too_many: Vec<i64> = (1..=1001).collect();
    let res = ack_raw(&app, meeting_id, &guest, json!({ "ids": too_many })).await;
    expect_error(res, 422, "validation_failed").await;
}
