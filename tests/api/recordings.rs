//! Recordings with mocked media: who is snapshotted, one at a time, the manifest file, its
//! download (with Range), and what happens when storage or the file is gone.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::support::app::{expect_error, spawn};
use crate::support::recordings::*;

fn user_ids(recording: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = recording["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["user_id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn snapshot_lists_who_is_present_at_start() {
    let (app, owner, id) = running_meeting("Design review").await;
    let (ann, late) = (app.register("Ann").await, app.register("Late").await);
    accepted(&app, &owner, id, &ann).await;
    accepted(&app, &owner, id, &late).await;
    join(&app, &ann, id).await;

    let recording = start_recording(&app, &owner, id).await;
    let mut expected = vec![owner.id, ann.id];
    expected.sort();
    assert_eq!(user_ids(&recording), expected);
    assert!(recording["ended_at"].is_null() && recording["file_path"].is_null());
    let ann_entry = recording["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["user_id"] == ann.id)
        .unwrap();
    assert_eq!(ann_entry["name"], "Ann");
    assert_eq!(ann_entry["email"], ann.email.as_str());

    // Joining later does not change the snapshot.
    join(&app, &late, id).await;
    let rid = recording["id"].as_i64().unwrap();
    let shown = body(
        app.get(&format!("/api/recordings/{rid}"), Some(&owner.token))
            .await,
        200,
    )
    .await;
    assert_eq!(user_ids(&shown), expected);
}

#[tokio::test]
async fn one_recording_at_a_time() {
    let (app, owner, id) = running_meeting("Standup").await;
    start_recording(&app, &owner, id).await;
    let again = app
        .post(
            &format!("/api/meetings/{id}/recordings/start"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    expect_error(again, 409, "recording_in_progress").await;

    body(end_recording(&app, &owner, id).await, 200).await;
    start_recording(&app, &owner, id).await;
}

#[tokio::test]
async fn recording_needs_a_started_meeting() {
    let app = spawn().await;
    let owner = app.register("Olivia").await;
    let id = meeting(&app, &owner, "Not yet").await;
    let res = app
        .post(
            &format!("/api/meetings/{id}/recordings/start"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    expect_error(res, 409, "not_started").await;
}

#[tokio::test]
async fn ending_with_nothing_running_is_no_active_recording() {
    let (app, owner, id) = running_meeting("Quiet").await;
    expect_error(
        end_recording(&app, &owner, id).await,
        409,
        "no_active_recording",
    )
    .await;
}

#[tokio::test]
async fn end_writes_a_manifest_naming_the_meeting_and_participants() {
    let (app, owner, id) = running_meeting("Quarterly planning").await;
    let ann = app.register("Ann").await;
    accepted(&app, &owner, id, &ann).await;
    join(&app, &ann, id).await;
    let started = start_recording(&app, &owner, id).await;
    let rid = started["id"].as_i64().unwrap();

    let recording = body(end_recording(&app, &owner, id).await, 200).await;
    assert_eq!(recording["id"], rid);
    assert!(recording["ended_at"].is_string());
    let file_path = recording["file_path"].as_str().unwrap();
    let prefix = format!("recordings/meeting-{id}-{rid}-");
    let stamp = file_path
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(".txt"))
        .unwrap_or_else(|| panic!("unexpected file_path {file_path}"));
    assert!(
        chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ").is_ok(),
        "{stamp}"
    );

    let text = std::fs::read_to_string(file_on_disk(&app, &recording)).unwrap();
    assert_eq!(recording["size_bytes"].as_i64().unwrap(), text.len() as i64);
    for needle in [
        "Quarterly planning",
        "Olivia",
        "Ann",
        ann.email.as_str(),
        "Duration",
    ] {
        assert!(text.contains(needle), "manifest lacks {needle:?}:\n{text}");
    }
    assert!(text.contains(&format!("Meeting id: {id}")), "{text}");
}

#[tokio::test]
async fn download_streams_the_file_as_an_attachment() {
    let (app, owner, _, recording) = ended_recording("Download me").await;
    let rid = recording["id"].as_i64().unwrap();
    let on_disk = std::fs::read(file_on_disk(&app, &recording)).unwrap();

    let res = app
        .get(
            &format!("/api/recordings/{rid}/download"),
            Some(&owner.token),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let name = recording["file_path"]
        .as_str()
        .unwrap()
        .trim_start_matches("recordings/");
    assert!(
        disposition.contains(&format!("filename=\"{name}\"")),
        "{disposition}"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), on_disk.as_slice());
}

#[tokio::test]
async fn range_request_gives_206_and_the_right_bytes() {
    let (app, owner, _, recording) = ended_recording("Ranged").await;
    let rid = recording["id"].as_i64().unwrap();
    let on_disk = std::fs::read(file_on_disk(&app, &recording)).unwrap();

    let res = app
        .client
        .get(app.url(&format!("/api/recordings/{rid}/download")))
        .bearer_auth(&owner.token)
        .header(header::RANGE, "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    let range = res.headers()[header::CONTENT_RANGE]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(range, format!("bytes 10-19/{}", on_disk.len()));
    assert!(res.headers().contains_key(header::CONTENT_DISPOSITION));
    assert_eq!(res.bytes().await.unwrap().as_ref(), &on_disk[10..20]);
}

#[tokio::test]
async fn deleted_file_is_file_unavailable() {
    let (app, owner, _, recording) = ended_recording("Gone").await;
    let rid = recording["id"].as_i64().unwrap();
    std::fs::remove_file(file_on_disk(&app, &recording)).unwrap();
    let res = app
        .get(
            &format!("/api/recordings/{rid}/download"),
            Some(&owner.token),
        )
        .await;
    expect_error(res, 404, "file_unavailable").await;
}

#[tokio::test]
async fn running_recording_has_no_file_to_download() {
    let (app, owner, id) = running_meeting("Still rolling").await;
    let rid = start_recording(&app, &owner, id).await["id"]
        .as_i64()
        .unwrap();
    let res = app
        .get(
            &format!("/api/recordings/{rid}/download"),
            Some(&owner.token),
        )
        .await;
    expect_error(res, 404, "file_unavailable").await;
}

#[tokio::test]
async fn unwritable_storage_is_503_and_the_recording_can_be_ended_later() {
    let (app, owner, id) = running_meeting("Full disk").await;
    let rid = start_recording(&app, &owner, id).await["id"]
        .as_i64()
        .unwrap();
    let blocker = block_storage(&app);

    expect_error(
        end_recording(&app, &owner, id).await,
        503,
        "service_unavailable",
    )
    .await;
    let shown = body(
        app.get(&format!("/api/recordings/{rid}"), Some(&owner.token))
            .await,
        200,
    )
    .await;
    assert!(shown["ended_at"].is_null(), "still running: {shown}");

    std::fs::remove_file(&blocker).unwrap();
    let ended = body(end_recording(&app, &owner, id).await, 200).await;
    assert_eq!(ended["id"], rid);
    assert!(file_on_disk(&app, &ended).is_file());
}

#[tokio::test]
async fn ending_a_meeting_while_storage_is_down_still_lets_everyone_go() {
    // The owner is in the call.
    let (app, owner, id) = running_meeting("Full disk at the end").await;
    let rid = start_recording(&app, &owner, id).await["id"]
        .as_i64()
        .unwrap();
    let blocker = block_storage(&app);

    // The manifest cannot be written, and the answer says so; the meeting has ended all the
    // same, and nobody is kept in its call.
    expect_error(
        app.post(
            &format!("/api/meetings/{id}/end"),
            Some(&owner.token),
            json!({}),
        )
        .await,
        503,
        "service_unavailable",
    )
    .await;
    let meeting = body(
        app.get(&format!("/api/meetings/{id}"), Some(&owner.token))
            .await,
        200,
    )
    .await;
    assert_eq!(meeting["status"], "ended");
    let present = body(
        app.get(
            &format!("/api/meetings/{id}/participants?active=1"),
            Some(&owner.token),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(present, json!([]));

    std::fs::remove_file(&blocker).unwrap();
    let ended = body(end_recording(&app, &owner, id).await, 200).await;
    assert_eq!(ended["id"], rid);
    assert!(file_on_disk(&app, &ended).is_file());
}

#[tokio::test]
async fn recordings_are_for_the_owner_only() {
    let (app, owner, id, recording) = ended_recording("Private").await;
    let rid = recording["id"].as_i64().unwrap();
    let (ann, stranger) = (app.register("Ann").await, app.register("Stranger").await);
    accepted(&app, &owner, id, &ann).await;

    let paths = [
        format!("/api/meetings/{id}/recordings"),
        format!("/api/recordings/{rid}"),
        format!("/api/recordings/{rid}/download"),
    ];
    for path in &paths {
        expect_error(app.get(path, Some(&ann.token)).await, 403, "forbidden").await;
        expect_error(app.get(path, Some(&stranger.token)).await, 404, "not_found").await;
        expect_error(app.get(path, None).await, 401, "unauthenticated").await;
    }
    for action in ["start", "end"] {
        let path = format!("/api/meetings/{id}/recordings/{action}");
        expect_error(
            app.post(&path, Some(&ann.token), json!({})).await,
            403,
            "forbidden",
        )
        .await;
        expect_error(
            app.post(&path, Some(&stranger.token), json!({})).await,
            404,
            "not_found",
        )
        .await;
    }
    let missing = app.get("/api/recordings/999999", Some(&owner.token)).await;
    expect_error(missing, 404, "not_found").await;
}

#[tokio::test]
async fn list_is_paginated_and_sorted() {
    let (app, owner, id) = running_meeting("Many takes").await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(
            start_recording(&app, &owner, id).await["id"]
                .as_i64()
                .unwrap(),
        );
        body(end_recording(&app, &owner, id).await, 200).await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let list = |query: &'static str| {
        let (app, token) = (&app, owner.token.clone());
        async move {
            let res = app
                .get(
                    &format!("/api/meetings/{id}/recordings{query}"),
                    Some(&token),
                )
                .await;
            body(res, 200).await
        }
    };
    let page_ids = |page: &Value| -> Vec<i64> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect()
    };

    let default = list("").await;
    assert_eq!(
        page_ids(&default),
        ids.iter().rev().copied().collect::<Vec<_>>()
    );
    assert_eq!(
        (default["total"].as_i64(), default["current_page"].as_i64()),
        (Some(3), Some(1))
    );
    let asc = list("?sort_by=started_at&sort_dir=asc").await;
    assert_eq!(page_ids(&asc), ids);
    let ended_desc = list("?sort_by=ended_at&sort_dir=desc").await;
    assert_eq!(
        page_ids(&ended_desc),
        ids.iter().rev().copied().collect::<Vec<_>>()
    );
    let second = list("?sort_dir=asc&per_page=2&page=2").await;
    assert_eq!(page_ids(&second), vec![ids[2]]);
    assert_eq!(
        (second["last_page"].as_i64(), second["per_page"].as_i64()),
        (Some(2), Some(2))
    );
}

#[tokio::test]
async fn bad_list_query_values_are_422() {
    let (app, owner, id) = running_meeting("Picky").await;
    for (query, field) in [
        ("sort_by=title", "sort_by"),
        ("sort_dir=up", "sort_dir"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("page=abc", "page"),
    ] {
        let res = app
            .get(
                &format!("/api/meetings/{id}/recordings?{query}"),
                Some(&owner.token),
            )
            .await;
        let err = expect_error(res, 422, "validation_failed").await;
        assert!(err["fields"][field].is_array(), "{query}: {err}");
    }
}

#[tokio::test]
async fn ending_the_meeting_ends_the_recording_and_writes_its_file() {
    let (app, owner, id) = running_meeting("Wrap-up").await;
    let rid = start_recording(&app, &owner, id).await["id"]
        .as_i64()
        .unwrap();
    let res = app
        .post(
            &format!("/api/meetings/{id}/end"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    body(res, 200).await;

    let recording = body(
        app.get(&format!("/api/recordings/{rid}"), Some(&owner.token))
            .await,
        200,
    )
    .await;
    assert!(recording["ended_at"].is_string(), "{recording}");
    let text = std::fs::read_to_string(file_on_disk(&app, &recording)).unwrap();
    assert!(text.contains("Wrap-up"), "{text}");
    // The recording ended with the meeting, so there is nothing left to end.
    expect_error(
        end_recording(&app, &owner, id).await,
        409,
        "no_active_recording",
    )
    .await;
}
