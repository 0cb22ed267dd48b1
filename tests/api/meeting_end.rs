//! Ending a meeting closes what only lives while it runs: the recording and presence.
//! Cancelling one lets everyone in its call go as well.

use serde_json::json;

use crate::support::app::{TestApp, TestUser, expect_error, spawn};
use crate::support::meetings::*;

#[tokio::test]
async fn ending_meeting_ends_recording_and_marks_everyone_left() {
    let app = spawn().await;
    let (ann, bob) = (app.register("Ann").await, app.register("Bob").await);
    let (m, _) = accepted_meeting(&app, &ann, &bob).await;
    let base = format!("/api/meetings/{}", id(&m));
    meeting_action(&app, &ann, &m, "start").await;
    join_all(&app, &base, [&ann, &bob]).await;
    let rec = json(
        app.post(
            &format!("{base}/recordings/start"),
            Some(&ann.token),
            json!({}),
        )
        .await,
        201,
    )
    .await;
    assert!(rec["ended_at"].is_null());

    meeting_action(&app, &ann, &m, "end").await;

    let rec = json(
        app.get(&format!("/api/recordings/{}", id(&rec)), Some(&ann.token))
            .await,
        200,
    )
    .await;
    assert!(rec["ended_at"].as_str().is_some(), "{rec}");
    assert!(rec["file_path"].as_str().is_some(), "{rec}");
    assert_nobody_present(&app, &base, &ann).await;
    assert_everyone_left(&app, &base, &ann, 2).await;
    expect_error(
        app.post(
            &format!("{base}/recordings/end"),
            Some(&ann.token),
            json!({}),
        )
        .await,
        409,
        "no_active_recording",
    )
    .await;
}

#[tokio::test]
async fn ending_meeting_without_recording_or_participants_works() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let m = meeting(&app, &ann, "Quiet").await;
    let base = format!("/api/meetings/{}", id(&m));
    meeting_action(&app, &ann, &m, "start").await;
    let ended = json(
        app.post(&format!("{base}/end"), Some(&ann.token), json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(ended["status"], "ended");
}

#[tokio::test]
async fn cancelling_meeting_marks_everyone_left() {
    let app = spawn().await;
    let (ann, bob) = (app.register("Ann").await, app.register("Bob").await);
    let (m, _) = accepted_meeting(&app, &ann, &bob).await;
    let base = format!("/api/meetings/{}", id(&m));
    join_all(&app, &base, [&ann, &bob]).await;
    meeting_action(&app, &ann, &m, "cancel").await;
    assert_everyone_left(&app, &base, &ann, 2).await;
    // Nobody is let back in.
    expect_error(
        app.post(
            &format!("{base}/presence/join"),
            Some(&bob.token),
            json!({}),
        )
        .await,
        409,
        "meeting_closed",
    )
    .await;
}

/// A join or a recording start that passes its checks just before the meeting ends must not
/// be stored after the end has let everyone go and ended the recording. The requests race
/// for real, so each round may order them differently; none may break the rule.
#[tokio::test]
async fn joins_and_recording_starts_racing_the_end_leave_nothing_running() {
    let app = spawn().await;
    let (ann, bob) = (app.register("Ann").await, app.register("Bob").await);
    for _ in 0..15 {
        let (m, _) = accepted_meeting(&app, &ann, &bob).await;
        let base = format!("/api/meetings/{}", id(&m));
        meeting_action(&app, &ann, &m, "start").await;
        join_all(&app, &base, [&ann]).await;
        let (join, record, end) = (
            format!("{base}/presence/join"),
            format!("{base}/recordings/start"),
            format!("{base}/end"),
        );
        let (joined, recording, ended) = tokio::join!(
            app.post(&join, Some(&bob.token), json!({})),
            app.post(&record, Some(&ann.token), json!({})),
            app.post(&end, Some(&ann.token), json!({})),
        );
        assert_eq!(ended.status(), 200);
        assert!(
            [201, 409].contains(&joined.status().as_u16()),
            "join: {}",
            joined.status()
        );
        assert!(
            [201, 409].contains(&recording.status().as_u16()),
            "recording: {}",
            recording.status()
        );
        assert_nobody_present(&app, &base, &ann).await;
        let recordings = json(
            app.get(&format!("{base}/recordings"), Some(&ann.token))
                .await,
            200,
        )
        .await;
        assert!(
            recordings["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["ended_at"].as_str().is_some()),
            "{recordings}"
        );
    }
}

async fn join_all<const N: usize>(app: &TestApp, base: &str, users: [&TestUser; N]) {
    for user in users {
        let res = app
            .post(
                &format!("{base}/presence/join"),
                Some(&user.token),
                json!({}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
}

async fn assert_nobody_present(app: &TestApp, base: &str, owner: &TestUser) {
    let active = json(
        app.get(&format!("{base}/participants?active=1"), Some(&owner.token))
            .await,
        200,
    )
    .await;
    assert_eq!(active, json!([]));
}

/// All `n` who ever joined are listed, each with a `left_at`.
async fn assert_everyone_left(app: &TestApp, base: &str, owner: &TestUser, n: usize) {
    let everyone = json(
        app.get(&format!("{base}/participants"), Some(&owner.token))
            .await,
        200,
    )
    .await;
    let list = everyone.as_array().unwrap();
    assert_eq!(list.len(), n, "{everyone}");
    assert!(
        list.iter().all(|p| p["left_at"].as_str().is_some()),
        "{everyone}"
    );
}
