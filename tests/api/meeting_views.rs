//! The caller's meeting list (scope, status, sorting, pages) and the calendar file.

use serde_json::{Value, json};

use crate::support::app::{TestApp, TestUser, expect_error, spawn};
use crate::support::meetings::*;

async fn create_at(app: &TestApp, owner: &TestUser, title: &str, when: &str) -> Value {
    let res = app
        .post(
            "/api/meetings",
            Some(&owner.token),
            json!({"title": title, "scheduled_at": when, "duration_minutes": 30}),
        )
        .await;
    json(res, 201).await["meeting"].clone()
}

async fn list(app: &TestApp, user: &TestUser, query: &str) -> Value {
    json(
        app.get(&format!("/api/meetings{query}"), Some(&user.token))
            .await,
        200,
    )
    .await
}

fn titles(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["title"].as_str().unwrap().to_string())
        .collect()
}

/// Ann owns b (2030-02), A (2030-01), c (2030-03); Bob owns "Bob's" (2030-04) and invites Ann.
async fn fixture(app: &TestApp) -> (TestUser, TestUser, Value) {
    let (ann, bob) = (app.register("Ann").await, app.register("Bob").await);
    create_at(app, &ann, "b", "2030-02-01T00:00:00Z").await;
    create_at(app, &ann, "A", "2030-01-01T00:00:00Z").await;
    create_at(app, &ann, "c", "2030-03-01T00:00:00Z").await;
    let theirs = create_at(app, &bob, "Bob's", "2030-04-01T00:00:00Z").await;
    invitation(app, &bob, id(&theirs), &ann).await;
    (ann, bob, theirs)
}

#[tokio::test]
async fn list_holds_owned_and_invited_with_roles() {
    let app = spawn().await;
    let (ann, bob, theirs) = fixture(&app).await;
    let page = list(&app, &ann, "").await;
    assert_eq!(page["total"], 4);
    assert_eq!(page["current_page"], 1);
    assert_eq!(page["per_page"], 10);
    assert_eq!(page["last_page"], 1);
    // Default: scheduled_at, newest first.
    assert_eq!(titles(&page), ["Bob's", "c", "b", "A"]);
    let invited = &page["data"][0];
    assert_eq!(invited["role"], "invitee");
    assert_eq!(invited["id"], id(&theirs));
    assert_eq!(invited["invitation"]["status"], "pending");
    assert!(invited["invitation"]["id"].as_i64().is_some());
    assert_eq!(page["data"][1]["role"], "owner");
    assert!(page["data"][1].get("invitation").is_none());
    // Bob sees only his own meeting.
    assert_eq!(titles(&list(&app, &bob, "").await), ["Bob's"]);
}

#[tokio::test]
async fn list_scope_filters_owned_and_invited() {
    let app = spawn().await;
    let (ann, _, _) = fixture(&app).await;
    assert_eq!(
        titles(&list(&app, &ann, "?scope=owned&sort_dir=asc").await),
        ["A", "b", "c"]
    );
    assert_eq!(titles(&list(&app, &ann, "?scope=invited").await), ["Bob's"]);
    assert_eq!(list(&app, &ann, "?scope=all").await["total"], 4);
}

#[tokio::test]
async fn list_status_filter() {
    let app = spawn().await;
    let (ann, _, _) = fixture(&app).await;
    let page = list(&app, &ann, "?scope=owned").await;
    let c = page["data"][0].clone();
    let res = app
        .post(
            &format!("/api/meetings/{}/cancel", id(&c)),
            Some(&ann.token),
            json!({}),
        )
        .await;
    json(res, 200).await;
    assert_eq!(titles(&list(&app, &ann, "?status=cancelled").await), ["c"]);
    assert_eq!(list(&app, &ann, "?status=scheduled").await["total"], 3);
    assert_eq!(list(&app, &ann, "?status=started").await["total"], 0);
}

#[tokio::test]
async fn list_sorts_by_whitelisted_columns() {
    let app = spawn().await;
    let (ann, _, _) = fixture(&app).await;
    assert_eq!(
        titles(&list(&app, &ann, "?sort_by=title&sort_dir=asc").await),
        ["A", "b", "Bob's", "c"]
    );
    assert_eq!(
        titles(&list(&app, &ann, "?sort_by=title&sort_dir=desc").await),
        ["c", "Bob's", "b", "A"]
    );
    assert_eq!(
        titles(&list(&app, &ann, "?sort_by=created_at&sort_dir=asc").await),
        ["b", "A", "c", "Bob's"]
    );
    assert_eq!(
        titles(&list(&app, &ann, "?sort_by=scheduled_at&sort_dir=asc").await),
        ["A", "b", "c", "Bob's"]
    );
    assert_eq!(list(&app, &ann, "?sort_by=status").await["total"], 4);
}

/// `sort_by=upcoming` (what the meetings page shows): the meetings still to come or under
/// way, soonest first, then the ended and cancelled ones, latest first, across pages.
#[tokio::test]
async fn upcoming_lists_coming_meetings_soonest_first_then_past_ones_latest_first() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let mut made = Vec::new();
    for (title, when) in [
        ("ended early", "2030-01-01T09:00:00Z"),
        ("later", "2030-03-01T09:00:00Z"),
        ("cancelled", "2030-05-01T09:00:00Z"),
        ("started", "2030-04-01T09:00:00Z"),
        ("sooner", "2030-02-01T09:00:00Z"),
        ("ended late", "2030-06-01T09:00:00Z"),
    ] {
        made.push((title, id(&create_at(&app, &ann, title, when).await)));
    }
    for (title, id) in &made {
        let steps: &[&str] = match *title {
            "ended early" | "ended late" => &["start", "end"],
            "started" => &["start"],
            "cancelled" => &["cancel"],
            _ => &[],
        };
        for step in steps {
            let path = format!("/api/meetings/{id}/{step}");
            json(app.post(&path, Some(&ann.token), json!({})).await, 200).await;
        }
    }
    let expected = [
        "sooner",
        "later",
        "started",
        "ended late",
        "cancelled",
        "ended early",
    ];
    // sort_dir does not turn it around.
    for dir in ["", "&sort_dir=asc", "&sort_dir=desc"] {
        assert_eq!(
            titles(&list(&app, &ann, &format!("?sort_by=upcoming{dir}")).await),
            expected,
            "{dir}"
        );
    }
    let first = list(&app, &ann, "?sort_by=upcoming&per_page=4").await;
    let second = list(&app, &ann, "?sort_by=upcoming&per_page=4&page=2").await;
    assert_eq!([titles(&first), titles(&second)].concat(), expected);
}

/// Case folds ASCII letters only, and the rest compares byte by byte, on every database:
/// PostgreSQL's locale would fold `É` and skip spaces and punctuation.
#[tokio::test]
async fn title_order_is_the_same_on_every_database() {
    let app = spawn().await;
    let ann = app.register("Ann").await;
    let titles_in = ["éa", "Éb", "a b", "ab", "a-c", "Zed", "z"];
    for title in titles_in {
        create_at(&app, &ann, title, "2030-01-01T00:00:00Z").await;
    }
    let mut expected = titles_in.to_vec();
    expected.sort_by_key(|t| t.to_ascii_lowercase());
    assert_eq!(
        expected,
        ["a b", "a-c", "ab", "z", "Zed", "Éb", "éa"],
        "the rule itself"
    );
    assert_eq!(
        titles(&list(&app, &ann, "?sort_by=title&sort_dir=asc").await),
        expected
    );
}

#[tokio::test]
async fn list_paginates() {
    let app = spawn().await;
    let (ann, _, _) = fixture(&app).await;
    let first = list(&app, &ann, "?per_page=3&sort_dir=asc").await;
    assert_eq!(titles(&first), ["A", "b", "c"]);
    assert_eq!(first["last_page"], 2);
    assert_eq!(first["total"], 4);
    let second = list(&app, &ann, "?per_page=3&page=2&sort_dir=asc").await;
    assert_eq!(titles(&second), ["Bob's"]);
    assert_eq!(second["current_page"], 2);
    assert!(titles(&list(&app, &ann, "?per_page=3&page=9").await).is_empty());
    // Empty values count as absent, numbers too.
    let blank = list(
        &app,
        &ann,
        "?page=&per_page=&status=&scope=&sort_by=&sort_dir=",
    )
    .await;
    assert_eq!(blank, list(&app, &ann, "").await);
    assert_eq!(blank["current_page"], 1);
    assert_eq!(blank["per_page"], 10);
}

#[tokio::test]
async fn list_rejects_unknown_parameters_values() {
    let app = spawn().await;
    let (ann, _, _) = fixture(&app).await;
    for (query, field) in [
        ("?scope=mine", "scope"),
        ("?status=done", "status"),
        ("?sort_by=owner_id", "sort_by"),
        ("?sort_by=title;DROP TABLE meetings", "sort_by"),
        ("?sort_dir=up", "sort_dir"),
        ("?page=0", "page"),
        ("?page=abc", "page"),
        ("?per_page=101", "per_page"),
        ("?per_page=0", "per_page"),
        ("?per_page=1.5", "per_page"),
    ] {
        let res = app
            .get(&format!("/api/meetings{query}"), Some(&ann.token))
            .await;
        let err = expect_error(res, 422, "validation_failed").await;
        assert!(
            err["fields"][field].is_array(),
            "{field} for {query}: {err}"
        );
    }
    assert_eq!(list(&app, &ann, "").await["total"], 4);
    expect_error(app.get("/api/meetings", None).await, 401, "unauthenticated").await;
}

#[tokio::test]
async fn calendar_file_has_one_event_with_the_meeting() {
    let app = spawn().await;
    let (ann, bob) = (app.register("Ann").await, app.register("Bob").await);
    let res = app
        .post(
            "/api/meetings",
            Some(&ann.token),
            json!({"title": "Roadmap review", "scheduled_at": "2030-01-02T10:00:00Z", "duration_minutes": 90}),
        )
        .await;
    let created = json(res, 201).await;
    let m = &created["meeting"];
    invitation(&app, &ann, id(m), &bob).await;
    for user in [&ann, &bob] {
        let res = app
            .get(
                &format!("/api/meetings/{}/calendar.ics", id(m)),
                Some(&user.token),
            )
            .await;
        assert_eq!(res.status(), 200);
        let ctype = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ctype.starts_with("text/calendar"), "{ctype}");
        let ics = res.text().await.unwrap();
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.starts_with("BEGIN:VCALENDAR"), "{ics}");
        assert_eq!(unfolded.matches("BEGIN:VEVENT").count(), 1, "{ics}");
        assert!(unfolded.contains("SUMMARY:Roadmap review"), "{ics}");
        assert!(unfolded.contains("DTSTART:20300102T100000Z"), "{ics}");
        assert!(unfolded.contains("DTEND:20300102T113000Z"), "{ics}");
        assert!(
            unfolded.contains(&format!("URL:{}", created["join_link"].as_str().unwrap())),
            "{ics}"
        );
        assert!(unfolded.contains("ORGANIZER;CN=Ann:mailto:"), "{ics}");
        assert!(unfolded.to_lowercase().contains(&ann.email), "{ics}");
    }
}
