//! Times the API accepts stay within the years that RFC 3339 and iCalendar can write, so every
//! answer and calendar file holds a well-formed time (found by the schemathesis run).

use serde_json::json;

use crate::support::app::{expect_error, spawn};
use crate::support::meetings::*;

/// Four-digit years, but an offset carries them past 9999 or before 0000 in UTC.
const OUT_OF_RANGE: [&str; 3] = [
    "9999-12-31T23:59:59-23:59",
    "0000-01-01T00:00:00+00:01",
    "9999-12-31T00:00:00Z",
];

#[tokio::test]
async fn meeting_times_outside_writable_years_are_refused() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let m = meeting(&app, &ann, "Edge").await;
    for time in OUT_OF_RANGE {
        let body = json!({"title": "Far", "scheduled_at": time, "duration_minutes": 30});
        let err = expect_error(
            app.post("/api/meetings", Some(&ann.token), body).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(err["fields"]["scheduled_at"].is_array(), "{time}: {err}");
        let path = format!("/api/meetings/{}", id(&m));
        let err = expect_error(
            put(&app, &path, &ann.token, json!({"scheduled_at": time})).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(err["fields"]["scheduled_at"].is_array(), "{time}: {err}");
    }
}

#[tokio::test]
async fn proposed_times_outside_writable_years_are_refused() {
    let app = spawn().await;
    let (_, bob, _, inv) = owner_meeting_invitee(&app).await;
    for time in ["9999-12-31T23:59:59-23:59", "9999-12-31T00:00:00Z"] {
        let path = format!("/api/invitations/{}/propose", id(&inv));
        let err = expect_error(
            app.post(&path, Some(&bob.token), json!({"proposed_time": time}))
                .await,
            422,
            "validation_failed",
        )
        .await;
        assert!(err["fields"]["proposed_time"].is_array(), "{time}: {err}");
    }
}

#[tokio::test]
async fn the_last_accepted_time_still_ends_within_year_9999() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let body =
        json!({"title": "Last", "scheduled_at": "9999-12-30T23:59:59Z", "duration_minutes": 1440});
    let res = app.post("/api/meetings", Some(&ann.token), body).await;
    let created = json(res, 201).await;
    assert_eq!(created["meeting"]["scheduled_at"], "9999-12-30T23:59:59Z");
    let path = format!("/api/meetings/{}/calendar.ics", id(&created["meeting"]));
    let ics = app.get(&path, Some(&ann.token)).await.text().await.unwrap();
    assert!(ics.contains("DTEND:99991231T235959Z"), "{ics}");

    let body =
        json!({"title": "First", "scheduled_at": "0000-01-01T00:00:00Z", "duration_minutes": 1});
    let created = json(app.post("/api/meetings", Some(&ann.token), body).await, 201).await;
    assert_eq!(created["meeting"]["scheduled_at"], "0000-01-01T00:00:00Z");
}

#[tokio::test]
async fn a_blank_time_is_called_empty() {
    let app = spawn().await;
    let (ann, bob, m, inv) = owner_meeting_invitee(&app).await;
    let meeting_path = format!("/api/meetings/{}", id(&m));
    let propose_path = format!("/api/invitations/{}/propose", id(&inv));
    for blank in ["", "  "] {
        let create = json!({"title": "Blank", "scheduled_at": blank, "duration_minutes": 30});
        let answers = [
            (
                "scheduled_at",
                app.post("/api/meetings", Some(&ann.token), create).await,
            ),
            (
                "scheduled_at",
                put(
                    &app,
                    &meeting_path,
                    &ann.token,
                    json!({"scheduled_at": blank}),
                )
                .await,
            ),
            (
                "proposed_time",
                app.post(
                    &propose_path,
                    Some(&bob.token),
                    json!({"proposed_time": blank}),
                )
                .await,
            ),
        ];
        for (field, res) in answers {
            let err = expect_error(res, 422, "validation_failed").await;
            assert_eq!(
                err["fields"][field],
                json!(["must not be empty"]),
                "{blank:?}: {err}"
            );
        }
    }
}
