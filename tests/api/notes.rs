//! Mocked AI notes: built from the meeting's own data, the same for the same data, with the
//! documented sentiment rule, for the owner only, and never for a cancelled meeting.

use reqwest::Response;
use serde_json::{Value, json};

use crate::support::app::{TestApp, TestUser, expect_error, spawn};
use crate::support::recordings::{body, join, meeting};

/// An owner's meeting, the app and the owner.
struct Fixture {
    app: TestApp,
    owner: TestUser,
    id: i64,
}

impl Fixture {
    async fn new(title: &str) -> Self {
        let app = spawn().await;
        let owner = app.register("Olivia").await;
        let id = meeting(&app, &owner, title).await;
        Self { app, owner, id }
    }

    async fn owner_does(&self, action: &str) -> Response {
        let path = format!("/api/meetings/{}/{action}", self.id);
        self.app
            .post(&path, Some(&self.owner.token), json!({}))
            .await
    }

    /// Registers `name`, invites them and gives `answer` (`accept`, `reject` or `none`).
    async fn guest(&self, name: &str, answer: &str) -> TestUser {
        let user = self.app.register(name).await;
        let res = self
            .app
            .post(
                &format!("/api/meetings/{}/invite", self.id),
                Some(&self.owner.token),
                json!({"invitee_user_id": user.id}),
            )
            .await;
        let invitation = body(res, 201).await["id"].as_i64().unwrap();
        if answer != "none" {
            let path = format!("/api/invitations/{invitation}/{answer}");
            body(
                self.app.post(&path, Some(&user.token), json!({})).await,
                200,
            )
            .await;
        }
        user
    }

    async fn join(&self, user: &TestUser) {
        join(&self.app, user, self.id).await;
    }

    async fn leave(&self, user: &TestUser) {
        let path = format!("/api/meetings/{}/presence/leave", self.id);
        body(
            self.app.post(&path, Some(&user.token), json!({})).await,
            200,
        )
        .await;
    }

    async fn generate(&self) -> Value {
        body(self.owner_does("notes").await, 201).await
    }

    async fn list(&self, user: &TestUser) -> Response {
        let path = format!("/api/meetings/{}/notes", self.id);
        self.app.get(&path, Some(&user.token)).await
    }
}

#[tokio::test]
async fn note_is_built_from_the_meetings_own_data() {
    let f = Fixture::new("Roadmap sync").await;
    let ann = f.guest("Ann", "accept").await;
    body(f.owner_does("start").await, 200).await;
    f.join(&f.owner).await;
    f.join(&ann).await;
    body(f.owner_does("recordings/start").await, 201).await;
    body(f.owner_does("recordings/end").await, 200).await;

    let note = f.generate().await;
    assert_eq!(note["meeting_id"], f.id);
    let text = note["transcript_text"].as_str().unwrap();
    for needle in ["Roadmap sync", "Olivia", "Ann"] {
        assert!(text.contains(needle), "transcript lacks {needle:?}: {text}");
    }
    let points: Vec<&str> = note["key_points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        points.iter().any(|p| p.contains("2 people attended")),
        "{points:?}"
    );
    assert!(
        points.iter().any(|p| p.contains("1 accepted")),
        "{points:?}"
    );
    assert!(
        points.iter().any(|p| p.contains("Recordings: 1 finished")),
        "{points:?}"
    );
    assert!(note["created_at"].is_string());
}

#[tokio::test]
async fn same_data_gives_the_same_note() {
    let f = Fixture::new("Repeatable").await;
    let ann = f.guest("Ann", "accept").await;
    f.guest("Bob", "reject").await;
    body(f.owner_does("start").await, 200).await;
    f.join(&f.owner).await;
    f.join(&ann).await;
    // Once they have left, nothing about their stay changes any more.
    f.leave(&f.owner).await;
    f.leave(&ann).await;

    let first = f.generate().await;
    let second = f.generate().await;
    assert_ne!(first["id"], second["id"], "each call stores a new note");
    for field in ["transcript_text", "key_points", "sentiment"] {
        assert_eq!(first[field], second[field], "{field}");
    }

    // Different data gives a different note.
    f.guest("Cy", "accept").await;
    let third = f.generate().await;
    assert_ne!(first["key_points"], third["key_points"]);
}

/// The seconds the transcript gives `name` in the call.
fn seconds_in_call(note: &Value, name: &str) -> i64 {
    let text = note["transcript_text"].as_str().unwrap();
    let prefix = format!("{name} was in the call for ");
    let line = text
        .lines()
        .find_map(|line| line.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no stay of {name} in {text}"));
    line.trim_end_matches('.')
        .strip_suffix('s')
        .and_then(|secs| secs.parse().ok())
        .unwrap_or_else(|| panic!("a stay under a minute, in seconds: {line}"))
}

#[tokio::test]
async fn people_still_in_the_call_count_up_to_the_moment_the_note_is_made() {
    let f = Fixture::new("Still going").await;
    let ann = f.guest("Ann", "accept").await;
    body(f.owner_does("start").await, 200).await;
    f.join(&f.owner).await;
    f.join(&ann).await;
    // Well inside the heartbeat interval: their last sign of life is still their join.
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    f.leave(&ann).await;
    let note = f.generate().await;
    assert!(seconds_in_call(&note, "Olivia") >= 2, "{note}");
    assert!(seconds_in_call(&note, "Ann") >= 2, "{note}");
}

#[tokio::test]
async fn sentiment_is_negative_when_nobody_attended() {
    let f = Fixture::new("Empty room").await;
    f.guest("Ann", "accept").await;
    assert_eq!(f.generate().await["sentiment"], "negative");
}

#[tokio::test]
async fn sentiment_is_negative_when_most_answers_are_rejections() {
    let f = Fixture::new("Unpopular").await;
    let ann = f.guest("Ann", "accept").await;
    f.guest("Bob", "reject").await;
    f.guest("Cy", "reject").await;
    body(f.owner_does("start").await, 200).await;
    f.join(&f.owner).await;
    f.join(&ann).await;
    assert_eq!(f.generate().await["sentiment"], "negative");
}

#[tokio::test]
async fn sentiment_is_positive_when_most_accept_and_attend() {
    let f = Fixture::new("Popular").await;
    let ann = f.guest("Ann", "accept").await;
    let bob = f.guest("Bob", "accept").await;
    f.guest("Cy", "reject").await;
    f.guest("Dee", "none").await;
    body(f.owner_does("start").await, 200).await;
    for user in [&f.owner, &ann, &bob] {
        f.join(user).await;
    }
    assert_eq!(f.generate().await["sentiment"], "positive");
}

#[tokio::test]
async fn sentiment_is_neutral_when_accepted_invitees_stay_away() {
    let f = Fixture::new("Half full").await;
    for name in ["Ann", "Bob", "Cy"] {
        f.guest(name, "accept").await;
    }
    body(f.owner_does("start").await, 200).await;
    f.join(&f.owner).await;
    // 1 of 4 expected people attended: below three quarters.
    assert_eq!(f.generate().await["sentiment"], "neutral");
}

#[tokio::test]
async fn sentiment_is_neutral_without_answered_invitations() {
    let f = Fixture::new("Solo").await;
    f.guest("Ann", "none").await;
    body(f.owner_does("start").await, 200).await;
    f.join(&f.owner).await;
    assert_eq!(f.generate().await["sentiment"], "neutral");
}

#[tokio::test]
async fn cancelled_meeting_gets_no_notes() {
    let f = Fixture::new("Called off").await;
    body(f.owner_does("cancel").await, 200).await;
    expect_error(f.owner_does("notes").await, 409, "meeting_cancelled").await;
}

#[tokio::test]
async fn notes_work_after_the_meeting_ended() {
    let f = Fixture::new("Done").await;
    body(f.owner_does("start").await, 200).await;
    f.join(&f.owner).await;
    body(f.owner_does("end").await, 200).await;
    let note = f.generate().await;
    assert!(note["transcript_text"].as_str().unwrap().contains("Done"));
}

#[tokio::test]
async fn notes_list_newest_first() {
    let f = Fixture::new("History").await;
    let first = f.generate().await["id"].as_i64().unwrap();
    let second = f.generate().await["id"].as_i64().unwrap();
    let third = f.generate().await["id"].as_i64().unwrap();
    let list = body(f.list(&f.owner).await, 200).await;
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![third, second, first]);
}

#[tokio::test]
async fn notes_are_for_the_owner_only() {
    let f = Fixture::new("Private notes").await;
    let ann = f.guest("Ann", "accept").await;
    let stranger = f.app.register("Stranger").await;
    let path = format!("/api/meetings/{}/notes", f.id);

    expect_error(
        f.app.post(&path, Some(&ann.token), json!({})).await,
        403,
        "forbidden",
    )
    .await;
    expect_error(f.list(&ann).await, 403, "forbidden").await;
    expect_error(
        f.app.post(&path, Some(&stranger.token), json!({})).await,
        404,
        "not_found",
    )
    .await;
    expect_error(f.list(&stranger).await, 404, "not_found").await;
    expect_error(f.app.get(&path, None).await, 401, "unauthenticated").await;
    let list = body(f.list(&f.owner).await, 200).await;
    assert_eq!(list.as_array().map(Vec::len), Some(0), "no note was stored");
}
