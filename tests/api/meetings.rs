//! `/api/meetings`: creating, reading, editing and the status machine.

use serde_json::{Value, json};

use crate::support::app::{TestApp, TestUser, expect_error, spawn};
use crate::support::meetings::*;

#[tokio::test]
async fn create_returns_meeting_and_working_join_link() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let res = app
        .post(
            "/api/meetings",
            Some(&ann.token),
            json!({"title": "  Weekly sync  ", "scheduled_at": "2030-01-02T10:00:00+02:00", "duration_minutes": 45}),
        )
        .await;
    let body = json(res, 201).await;
    let m = &body["meeting"];
    assert_eq!(m["title"], "Weekly sync");
    assert_eq!(m["scheduled_at"], "2030-01-02T08:00:00Z");
    assert_eq!(m["duration_minutes"], 45);
    assert_eq!(m["status"], "scheduled");
    assert_eq!(m["owner_id"], ann.id);
    assert!(m["started_at"].is_null() && m["ended_at"].is_null());
    let code = m["join_code"].as_str().unwrap();
    assert!(code.len() >= 12);
    assert!(
        code.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
    assert_eq!(body["join_link"], format!("{}/join/{code}", app.base));
}

#[tokio::test]
async fn create_reads_plain_datetime_as_utc() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let res = app
        .post(
            "/api/meetings",
            Some(&ann.token),
            json!({"title": "T", "scheduled_at": "2030-05-06 07:08:09", "duration_minutes": 1}),
        )
        .await;
    assert_eq!(
        json(res, 201).await["meeting"]["scheduled_at"],
        "2030-05-06T07:08:09Z"
    );
}

#[tokio::test]
async fn join_codes_are_unique() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let a = meeting(&app, &ann, "A").await;
    let b = meeting(&app, &ann, "B").await;
    assert_ne!(a["join_code"], b["join_code"]);
}

#[tokio::test]
async fn create_rejects_bad_input_without_creating() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let t = Some(ann.token.as_str());
    let when = hours_from_now(1);
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"title": "", "scheduled_at": when, "duration_minutes": 10}),
            "title",
        ),
        (
            json!({"title": "   ", "scheduled_at": when, "duration_minutes": 10}),
            "title",
        ),
        (
            json!({"title": "x".repeat(256), "scheduled_at": when, "duration_minutes": 10}),
            "title",
        ),
        (
            json!({"title": "ok", "scheduled_at": "tomorrow", "duration_minutes": 10}),
            "scheduled_at",
        ),
        (
            json!({"title": "ok", "scheduled_at": "2030-01-02", "duration_minutes": 10}),
            "scheduled_at",
        ),
        (
            json!({"title": "ok", "scheduled_at": 1234, "duration_minutes": 10}),
            "scheduled_at",
        ),
        (
            json!({"title": "ok", "scheduled_at": when, "duration_minutes": 0}),
            "duration_minutes",
        ),
        (
            json!({"title": "ok", "scheduled_at": when, "duration_minutes": 1441}),
            "duration_minutes",
        ),
        (
            json!({"title": "ok", "scheduled_at": when, "duration_minutes": "ten"}),
            "duration_minutes",
        ),
        (
            json!({"title": "ok", "scheduled_at": when, "duration_minutes": 1.5}),
            "duration_minutes",
        ),
        (
            json!({"title": "ok", "scheduled_at": when, "duration_minutes": 1e30}),
            "duration_minutes",
        ),
        (
            json!({"scheduled_at": when, "duration_minutes": 10}),
            "title",
        ),
        (
            json!({"title": "ok", "duration_minutes": 10}),
            "scheduled_at",
        ),
        (
            json!({"title": "ok", "scheduled_at": when}),
            "duration_minutes",
        ),
        (
            json!({"title": null, "scheduled_at": when, "duration_minutes": 10}),
            "title",
        ),
    ];
    for (body, field) in cases {
        let res = app.post("/api/meetings", t, body.clone()).await;
        let err = expect_error(res, 422, "validation_failed").await;
        assert!(
            err["fields"][field].is_array(),
            "{field} named for {body}: {err}"
        );
    }
    expect_error(
        app.post_raw("/api/meetings", t, "{\"title\": ").await,
        400,
        "bad_request",
    )
    .await;
    expect_error(
        app.post_raw("/api/meetings", t, "[1, 2]").await,
        422,
        "validation_failed",
    )
    .await;
    expect_error(
        app.post("/api/meetings", None, json!({})).await,
        401,
        "unauthenticated",
    )
    .await;
    let list = json(app.get("/api/meetings", t).await, 200).await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn owner_and_invitee_can_read_meeting_stranger_gets_404() {
    let app = spawn().await;
    let (ann, bob, eve) = (
        app.register("Ann").await,
        app.register("Bob").await,
        app.register("Eve").await,
    );
    let m = meeting(&app, &ann, "Private").await;
    let path = format!("/api/meetings/{}", id(&m));
    assert_eq!(json(app.get(&path, Some(&ann.token)).await, 200).await, m);
    invitation(&app, &ann, id(&m), &bob).await;
    assert_eq!(
        json(app.get(&path, Some(&bob.token)).await, 200).await["id"],
        id(&m)
    );
    expect_error(app.get(&path, Some(&eve.token)).await, 404, "not_found").await;
    expect_error(
        app.get("/api/meetings/999999", Some(&ann.token)).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.get("/api/meetings/abc", Some(&ann.token)).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn owner_updates_any_field() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let m = meeting(&app, &ann, "Old").await;
    let path = format!("/api/meetings/{}", id(&m));
    let updated = json(
        put(&app, &path, &ann.token, json!({"title": " New "})).await,
        200,
    )
    .await;
    assert_eq!(updated["title"], "New");
    assert_eq!(updated["duration_minutes"], m["duration_minutes"]);
    assert_eq!(updated["scheduled_at"], m["scheduled_at"]);
    let updated = json(
        put(
            &app,
            &path,
            &ann.token,
            json!({"scheduled_at": "2031-03-04 05:06:07", "duration_minutes": 90}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(updated["title"], "New");
    assert_eq!(updated["scheduled_at"], "2031-03-04T05:06:07Z");
    assert_eq!(updated["duration_minutes"], 90);
    assert_eq!(
        json(app.get(&path, Some(&ann.token)).await, 200).await,
        updated
    );
}

#[tokio::test]
async fn update_rejects_bad_input_and_keeps_meeting() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let m = meeting(&app, &ann, "Keep").await;
    let path = format!("/api/meetings/{}", id(&m));
    for (body, field) in [
        (json!({"title": ""}), "title"),
        (json!({"title": 5}), "title"),
        (json!({"scheduled_at": "soon"}), "scheduled_at"),
        (json!({"duration_minutes": -5}), "duration_minutes"),
        (json!({"duration_minutes": "5"}), "duration_minutes"),
        (
            json!({"title": "fine", "duration_minutes": 5000}),
            "duration_minutes",
        ),
    ] {
        let err = expect_error(
            put(&app, &path, &ann.token, body).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(err["fields"][field].is_array(), "{err}");
    }
    expect_error(
        put_raw(&app, &path, &ann.token, "{nope").await,
        400,
        "bad_request",
    )
    .await;
    assert_eq!(json(app.get(&path, Some(&ann.token)).await, 200).await, m);
}

#[tokio::test]
async fn invitee_cannot_update_or_change_status() {
    let app = spawn().await;
    let (ann, bob) = (app.register("Ann").await, app.register("Bob").await);
    let (m, _) = accepted_meeting(&app, &ann, &bob).await;
    let path = format!("/api/meetings/{}", id(&m));
    expect_error(
        put(&app, &path, &bob.token, json!({"title": "Mine"})).await,
        403,
        "forbidden",
    )
    .await;
    for action in ["start", "end", "cancel"] {
        let res = app
            .post(&format!("{path}/{action}"), Some(&bob.token), json!({}))
            .await;
        expect_error(res, 403, "forbidden").await;
    }
    assert_eq!(json(app.get(&path, Some(&ann.token)).await, 200).await, m);
}

#[tokio::test]
async fn stranger_cannot_change_meeting() {
    let app = spawn().await;
    let (ann, eve) = (app.register("Ann").await, app.register("Eve").await);
    let m = meeting(&app, &ann, "Mine").await;
    let path = format!("/api/meetings/{}", id(&m));
    expect_error(
        put(&app, &path, &eve.token, json!({"title": "x"})).await,
        404,
        "not_found",
    )
    .await;
    for action in ["start", "end", "cancel"] {
        let res = app
            .post(&format!("{path}/{action}"), Some(&eve.token), json!({}))
            .await;
        expect_error(res, 404, "not_found").await;
    }
    expect_error(
        app.get(&format!("{path}/calendar.ics"), Some(&eve.token))
            .await,
        404,
        "not_found",
    )
    .await;
}

async fn act(app: &TestApp, user: &TestUser, m: &Value, action: &str) -> reqwest::Response {
    app.post(
        &format!("/api/meetings/{}/{action}", id(m)),
        Some(&user.token),
        json!({}),
    )
    .await
}

#[tokio::test]
async fn start_then_end_stamps_times() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let m = meeting(&app, &ann, "Run").await;
    let started = json(act(&app, &ann, &m, "start").await, 200).await;
    assert_eq!(started["status"], "started");
    assert!(started["started_at"].as_str().unwrap().ends_with('Z'));
    assert!(started["ended_at"].is_null());
    let ended = json(act(&app, &ann, &m, "end").await, 200).await;
    assert_eq!(ended["status"], "ended");
    assert_eq!(ended["started_at"], started["started_at"]);
    assert!(ended["ended_at"].as_str().is_some());
}

#[tokio::test]
async fn start_conflicts_name_the_state() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let m = meeting(&app, &ann, "Once").await;
    json(act(&app, &ann, &m, "start").await, 200).await;
    expect_error(act(&app, &ann, &m, "start").await, 409, "already_started").await;
    json(act(&app, &ann, &m, "end").await, 200).await;
    expect_error(act(&app, &ann, &m, "start").await, 409, "already_ended").await;
    let c = meeting(&app, &ann, "Called off").await;
    json(act(&app, &ann, &c, "cancel").await, 200).await;
    expect_error(act(&app, &ann, &c, "start").await, 409, "meeting_cancelled").await;
}

#[tokio::test]
async fn end_requires_started_meeting() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let m = meeting(&app, &ann, "Not yet").await;
    expect_error(act(&app, &ann, &m, "end").await, 409, "not_started").await;
    json(act(&app, &ann, &m, "start").await, 200).await;
    json(act(&app, &ann, &m, "end").await, 200).await;
    expect_error(act(&app, &ann, &m, "end").await, 409, "already_ended").await;
}

#[tokio::test]
async fn cancel_only_from_scheduled() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let m = meeting(&app, &ann, "Maybe").await;
    let cancelled = json(act(&app, &ann, &m, "cancel").await, 200).await;
    assert_eq!(cancelled["status"], "cancelled");
    expect_error(
        act(&app, &ann, &m, "cancel").await,
        409,
        "meeting_cancelled",
    )
    .await;
    let s = meeting(&app, &ann, "Running").await;
    json(act(&app, &ann, &s, "start").await, 200).await;
    expect_error(act(&app, &ann, &s, "cancel").await, 409, "already_started").await;
}

#[tokio::test]
async fn closed_meeting_cannot_be_updated() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    for close in ["cancel", "end"] {
        let m = meeting(&app, &ann, "Closing").await;
        if close == "end" {
            json(act(&app, &ann, &m, "start").await, 200).await;
        }
        let closed = json(act(&app, &ann, &m, close).await, 200).await;
        let path = format!("/api/meetings/{}", id(&m));
        expect_error(
            put(&app, &path, &ann.token, json!({"title": "Again"})).await,
            409,
            "meeting_closed",
        )
        .await;
        assert_eq!(
            json(app.get(&path, Some(&ann.token)).await, 200).await,
            closed
        );
    }
}
