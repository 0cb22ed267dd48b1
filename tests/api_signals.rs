//! Signaling: send, the long-polled inbox, acknowledgement, ordering, isolation, and the
//! contract's answers to bad input.

mod common;

use std::time::{Duration, Instant};

use common::{TestApp, TestUser, expect_error, spawn};
use serde_json::{Value, json};

/// A meeting whose owner has invited every guest, each guest having accepted; nobody has
/// joined yet.
async fn meeting_with(app: &TestApp, owner: &TestUser, guests: &[&TestUser]) -> i64 {
    let res = app
        .post(
            "/api/meetings",
            Some(&owner.token),
            json!({"title": "Call", "scheduled_at": "2030-01-01T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let meeting_id = res.json::<Value>().await.unwrap()["meeting"]["id"]
        .as_i64()
        .unwrap();
    for guest in guests {
        let res = app
            .post(
                &format!("/api/meetings/{meeting_id}/invite"),
                Some(&owner.token),
                json!({"invitee_user_id": guest.id}),
            )
            .await;
        let invitation_id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let res = app
            .post(
                &format!("/api/invitations/{invitation_id}/accept"),
                Some(&guest.token),
                json!({}),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    meeting_id
}

/// Owner and one guest, both in the call.
async fn call_of_two(app: &TestApp) -> (TestUser, TestUser, i64) {
    let owner = app.register("Owner").await;
    let guest = app.register("Guest").await;
    let meeting_id = meeting_with(app, &owner, &[&guest]).await;
    join(app, meeting_id, &owner).await;
    join(app, meeting_id, &guest).await;
    (owner, guest, meeting_id)
}

async fn join(app: &TestApp, meeting_id: i64, user: &TestUser) {
    let res = app
        .post(
            &format!("/api/meetings/{meeting_id}/presence/join"),
            Some(&user.token),
            json!({}),
        )
        .await;
    assert!(res.status().is_success(), "join: {}", res.status());
}

async fn send_raw(
    app: &TestApp,
    meeting_id: i64,
    from: &TestUser,
    body: Value,
) -> reqwest::Response {
    app.post(
        &format!("/api/meetings/{meeting_id}/rtc/send"),
        Some(&from.token),
        body,
    )
    .await
}

/// Sends and returns the stored signal's id.
async fn send(
    app: &TestApp,
    meeting_id: i64,
    from: &TestUser,
    to: &TestUser,
    payload: Value,
) -> i64 {
    let res = send_raw(
        app,
        meeting_id,
        from,
        json!({"to_user_id": to.id, "type": "candidate", "payload": payload}),
    )
    .await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn inbox_raw(
    app: &TestApp,
    meeting_id: i64,
    user: &TestUser,
    query: &str,
) -> reqwest::Response {
    app.get(
        &format!("/api/meetings/{meeting_id}/rtc/inbox{query}"),
        Some(&user.token),
    )
    .await
}

async fn inbox(app: &TestApp, meeting_id: i64, user: &TestUser, query: &str) -> Vec<Value> {
    let res = inbox_raw(app, meeting_id, user, query).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn ack(app: &TestApp, meeting_id: i64, user: &TestUser, ids: &[i64]) -> i64 {
    let res = app
        .post(
            &format!("/api/meetings/{meeting_id}/rtc/ack"),
            Some(&user.token),
            json!({"ids": ids}),
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["acknowledged"]
        .as_i64()
        .unwrap()
}

fn ids(signals: &[Value]) -> Vec<i64> {
    signals.iter().map(|s| s["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn a_sent_signal_is_201_and_reaches_the_recipient() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    let offer = json!({"sdp": "v=0...", "nested": {"list": [1, 2, 3]}});
    let res = send_raw(
        &app,
        meeting_id,
        &owner,
        json!({"to_user_id": guest.id, "type": "offer", "payload": offer}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let sent: Value = res.json().await.unwrap();
    assert_eq!(sent["meeting_id"], meeting_id);
    assert_eq!(sent["from_user_id"], owner.id);
    assert_eq!(sent["to_user_id"], guest.id);
    assert_eq!(sent["type"], "offer");
    assert_eq!(sent["payload"], offer);
    assert!(sent["created_at"].as_str().unwrap().ends_with('Z'));

    let got = inbox(&app, meeting_id, &guest, "").await;
    assert_eq!(got, vec![sent]);
}

#[tokio::test]
async fn sender_must_be_present() {
    let app = spawn().await;
    let owner = app.register("Owner").await;
    let guest = app.register("Guest").await;
    let meeting_id = meeting_with(&app, &owner, &[&guest]).await;
    join(&app, meeting_id, &guest).await;
    let body = json!({"to_user_id": guest.id, "type": "offer", "payload": {}});
    expect_error(
        send_raw(&app, meeting_id, &owner, body).await,
        403,
        "join_required",
    )
    .await;
    expect_error(
        inbox_raw(&app, meeting_id, &owner, "").await,
        403,
        "join_required",
    )
    .await;
}

#[tokio::test]
async fn recipient_must_be_present() {
    let app = spawn().await;
    let owner = app.register("Owner").await;
    let guest = app.register("Guest").await;
    let meeting_id = meeting_with(&app, &owner, &[&guest]).await;
    join(&app, meeting_id, &owner).await;
    let body = json!({"to_user_id": guest.id, "type": "offer", "payload": {}});
    expect_error(
        send_raw(&app, meeting_id, &owner, body.clone()).await,
        409,
        "recipient_not_present",
    )
    .await;

    join(&app, meeting_id, &guest).await;
    assert_eq!(
        send_raw(&app, meeting_id, &owner, body.clone())
            .await
            .status(),
        201
    );
    app.post(
        &format!("/api/meetings/{meeting_id}/presence/leave"),
        Some(&guest.token),
        json!({}),
    )
    .await;
    expect_error(
        send_raw(&app, meeting_id, &owner, body).await,
        409,
        "recipient_not_present",
    )
    .await;
    let nobody = json!({"to_user_id": 987_654, "type": "offer", "payload": {}});
    expect_error(
        send_raw(&app, meeting_id, &owner, nobody).await,
        409,
        "recipient_not_present",
    )
    .await;
}

#[tokio::test]
async fn sending_to_yourself_is_422() {
    let app = spawn().await;
    let (owner, _guest, meeting_id) = call_of_two(&app).await;
    let body = json!({"to_user_id": owner.id, "type": "offer", "payload": {}});
    let err = expect_error(
        send_raw(&app, meeting_id, &owner, body).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(err["fields"]["to_user_id"].is_array());
}

#[tokio::test]
async fn signaling_in_a_closed_meeting_is_meeting_closed() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    let res = app
        .post(
            &format!("/api/meetings/{meeting_id}/cancel"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body = json!({"to_user_id": guest.id, "type": "offer", "payload": {}});
    expect_error(
        send_raw(&app, meeting_id, &owner, body).await,
        409,
        "meeting_closed",
    )
    .await;
    expect_error(
        inbox_raw(&app, meeting_id, &guest, "").await,
        409,
        "meeting_closed",
    )
    .await;
}

#[tokio::test]
async fn strangers_get_404_on_signaling_paths() {
    let app = spawn().await;
    let (_owner, guest, meeting_id) = call_of_two(&app).await;
    let stranger = app.register("Stranger").await;
    let body = json!({"to_user_id": guest.id, "type": "offer", "payload": {}});
    expect_error(
        send_raw(&app, meeting_id, &stranger, body).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        inbox_raw(&app, meeting_id, &stranger, "").await,
        404,
        "not_found",
    )
    .await;
    let res = app
        .post(
            &format!("/api/meetings/{meeting_id}/rtc/ack"),
            Some(&stranger.token),
            json!({"ids": [1]}),
        )
        .await;
    expect_error(res, 404, "not_found").await;
    let res = app
        .get(&format!("/api/meetings/{meeting_id}/rtc/inbox"), None)
        .await;
    expect_error(res, 401, "unauthenticated").await;
}

#[tokio::test]
async fn the_inbox_never_shows_another_users_signals() {
    let app = spawn().await;
    let owner = app.register("Owner").await;
    let ann = app.register("Ann").await;
    let bob = app.register("Bob").await;
    let meeting_id = meeting_with(&app, &owner, &[&ann, &bob]).await;
    for user in [&owner, &ann, &bob] {
        join(&app, meeting_id, user).await;
    }
    let to_ann = send(&app, meeting_id, &owner, &ann, json!({"for": "ann"})).await;
    let to_bob = send(&app, meeting_id, &ann, &bob, json!({"for": "bob"})).await;

    assert_eq!(ids(&inbox(&app, meeting_id, &ann, "").await), vec![to_ann]);
    assert_eq!(ids(&inbox(&app, meeting_id, &bob, "").await), vec![to_bob]);
    assert!(
        inbox(&app, meeting_id, &owner, "").await.is_empty(),
        "the sender's own signals are not in its inbox"
    );
}

#[tokio::test]
async fn ack_is_idempotent_and_counts_only_own_signals() {
    let app = spawn().await;
    let owner = app.register("Owner").await;
    let ann = app.register("Ann").await;
    let bob = app.register("Bob").await;
    let meeting_id = meeting_with(&app, &owner, &[&ann, &bob]).await;
    for user in [&owner, &ann, &bob] {
        join(&app, meeting_id, user).await;
    }
    let first = send(&app, meeting_id, &owner, &ann, json!({"n": 1})).await;
    let second = send(&app, meeting_id, &owner, &ann, json!({"n": 2})).await;

    assert_eq!(
        ack(&app, meeting_id, &bob, &[first, second]).await,
        0,
        "not Bob's to acknowledge"
    );
    assert_eq!(
        ack(&app, meeting_id, &owner, &[first]).await,
        0,
        "the sender cannot acknowledge"
    );
    assert_eq!(
        ids(&inbox(&app, meeting_id, &ann, "").await),
        vec![first, second]
    );

    assert_eq!(
        ack(&app, meeting_id, &ann, &[first, first, 999_999]).await,
        1
    );
    assert_eq!(
        ack(&app, meeting_id, &ann, &[first]).await,
        0,
        "the second time counts 0"
    );
    assert_eq!(
        ids(&inbox(&app, meeting_id, &ann, "").await),
        vec![second],
        "never delivered again"
    );
    assert_eq!(ack(&app, meeting_id, &ann, &[first, second]).await, 1);
    assert!(inbox(&app, meeting_id, &ann, "").await.is_empty());
    assert_eq!(ack(&app, meeting_id, &ann, &[]).await, 0);
}

#[tokio::test]
async fn signals_between_a_pair_keep_send_order_and_since_id_and_limit_apply() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    let mut sent = Vec::new();
    for n in 0..12 {
        sent.push(send(&app, meeting_id, &owner, &guest, json!({"n": n})).await);
    }
    let all = inbox(&app, meeting_id, &guest, "").await;
    assert_eq!(ids(&all), sent);
    let order: Vec<i64> = all
        .iter()
        .map(|s| s["payload"]["n"].as_i64().unwrap())
        .collect();
    assert_eq!(order, (0..12).collect::<Vec<_>>());

    let page = inbox(&app, meeting_id, &guest, "?limit=5").await;
    assert_eq!(ids(&page), sent[..5]);
    let next = inbox(
        &app,
        meeting_id,
        &guest,
        &format!("?since_id={}&limit=5", sent[4]),
    )
    .await;
    assert_eq!(ids(&next), sent[5..10]);
    let rest = inbox(&app, meeting_id, &guest, &format!("?since_id={}", sent[9])).await;
    assert_eq!(ids(&rest), sent[10..]);
}

#[tokio::test]
async fn a_parked_long_poll_is_answered_promptly_after_a_send() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    let poll_url = app.url(&format!("/api/meetings/{meeting_id}/rtc/inbox?wait=20"));
    let client = app.client.clone();
    let token = guest.token.clone();
    let poll = tokio::spawn(async move {
        let res = client
            .get(poll_url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: Vec<Value> = res.json().await.unwrap();
        (Instant::now(), body)
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!poll.is_finished(), "an empty inbox holds the request");

    let sent_at = Instant::now();
    let id = send(&app, meeting_id, &owner, &guest, json!({"hello": true})).await;
    let (answered_at, body) = tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .unwrap()
        .unwrap();
    assert!(answered_at >= sent_at, "answered only after the send");
    assert!(
        answered_at - sent_at < Duration::from_secs(2),
        "answered promptly"
    );
    assert_eq!(ids(&body), vec![id]);
}

#[tokio::test]
async fn waiting_on_an_empty_inbox_returns_an_empty_list_after_the_wait() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    // A signal for someone else must not wake this poll.
    let started = Instant::now();
    let poll = inbox(&app, meeting_id, &owner, "?wait=1");
    let other = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        send(&app, meeting_id, &owner, &guest, json!({})).await
    };
    let (got, _) = tokio::join!(poll, other);
    assert!(got.is_empty());
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "waited {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
}

/// Sends `{"n": 0..n}` one after another, as a client does.
async fn send_numbered(app: &TestApp, meeting_id: i64, from: &TestUser, to: &TestUser, n: i64) {
    for i in 0..n {
        send(app, meeting_id, from, to, json!({"n": i})).await;
    }
}

/// Long-polls and acknowledges like a client until `n` signals arrived; returns their `n`s.
async fn receive_numbered(app: &TestApp, meeting_id: i64, user: &TestUser, n: usize) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut since = 0;
    while seen.len() < n {
        let query = format!("?since_id={since}&wait=10&limit=500");
        let got = inbox(app, meeting_id, user, &query).await;
        assert!(
            !got.is_empty(),
            "the exchange stalled after {} signals",
            seen.len()
        );
        let got_ids = ids(&got);
        since = *got_ids.last().unwrap();
        assert_eq!(
            ack(app, meeting_id, user, &got_ids).await,
            got_ids.len() as i64
        );
        seen.extend(got.iter().map(|s| s["payload"]["n"].as_i64().unwrap()));
    }
    seen
}

#[tokio::test]
async fn concurrent_exchange_delivers_every_signal_exactly_once_in_order() {
    const N: i64 = 500;
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;

    let (_, _, to_guest, to_owner) = tokio::time::timeout(Duration::from_secs(120), async {
        tokio::join!(
            send_numbered(&app, meeting_id, &owner, &guest, N),
            send_numbered(&app, meeting_id, &guest, &owner, N),
            receive_numbered(&app, meeting_id, &guest, N as usize),
            receive_numbered(&app, meeting_id, &owner, N as usize)
        )
    })
    .await
    .expect("the exchange finished");
    let expected: Vec<i64> = (0..N).collect();
    assert_eq!(to_guest, expected);
    assert_eq!(to_owner, expected);
    // Acknowledged means never again, even from the start.
    assert!(inbox(&app, meeting_id, &guest, "").await.is_empty());
    assert!(inbox(&app, meeting_id, &owner, "").await.is_empty());
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

    let cases = [
        (
            json!({"to_user_id": "two", "type": "offer", "payload": {}}),
            "to_user_id",
        ),
        (json!({"type": "offer", "payload": {}}), "to_user_id"),
        (
            json!({"to_user_id": guest.id, "type": "hello", "payload": {}}),
            "type",
        ),
        (
            json!({"to_user_id": guest.id, "type": 3, "payload": {}}),
            "type",
        ),
        (json!({"to_user_id": guest.id, "type": "offer"}), "payload"),
        (
            json!({"to_user_id": guest.id, "type": "offer", "payload": "sdp"}),
            "payload",
        ),
        (
            json!({"to_user_id": guest.id, "type": "offer", "payload": [1, 2]}),
            "payload",
        ),
        (
            json!({"to_user_id": guest.id, "type": "offer", "payload": null}),
            "payload",
        ),
        (json!([1, 2]), "body"),
    ];
    for (body, field) in cases {
        let err = expect_error(
            send_raw(&app, meeting_id, &owner, body.clone()).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(
            err["fields"][field].is_array(),
            "{body} should name {field}: {err}"
        );
    }

    // {"s":"…"} is 8 bytes around the string: exactly 64 KiB passes, one byte more fails.
    let fits = json!({"s": "x".repeat(64 * 1024 - 8)});
    assert_eq!(
        send_raw(
            &app,
            meeting_id,
            &owner,
            json!({"to_user_id": guest.id, "type": "offer", "payload": fits})
        )
        .await
        .status(),
        201
    );
    let over = json!({"s": "x".repeat(64 * 1024 - 7)});
    let err = expect_error(
        send_raw(
            &app,
            meeting_id,
            &owner,
            json!({"to_user_id": guest.id, "type": "offer", "payload": over}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
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
        let err = expect_error(
            inbox_raw(&app, meeting_id, &guest, query).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(
            err["fields"][field].is_array(),
            "{query} should name {field}: {err}"
        );
    }
    assert_eq!(
        inbox_raw(&app, meeting_id, &guest, "?since_id=0&limit=500&wait=0")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn bad_ack_bodies_are_4xx() {
    let app = spawn().await;
    let (_owner, guest, meeting_id) = call_of_two(&app).await;
    let path = format!("/api/meetings/{meeting_id}/rtc/ack");
    expect_error(
        app.post_raw(&path, Some(&guest.token), "{\"ids\": [1,")
            .await,
        400,
        "bad_request",
    )
    .await;
    for body in [
        json!({}),
        json!({"ids": "1,2"}),
        json!({"ids": ["a"]}),
        json!({"ids": [1.5]}),
    ] {
        let err = expect_error(
            app.post(&path, Some(&guest.token), body.clone()).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(
            err["fields"]["ids"].is_array() || err["fields"]["ids[0]"].is_array(),
            "{body}: {err}"
        );
    }
    let too_many: Vec<i64> = (1..=1001).collect();
    expect_error(
        app.post(&path, Some(&guest.token), json!({"ids": too_many}))
            .await,
        422,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn acknowledged_signals_and_those_of_closed_meetings_are_pruned() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    let acked = send(&app, meeting_id, &owner, &guest, json!({})).await;
    let pending = send(&app, meeting_id, &owner, &guest, json!({})).await;
    ack(&app, meeting_id, &guest, &[acked]).await;
    let count = || async {
        app.db
            .query_scalar::<i64>("SELECT COUNT(*) FROM rtc_signals")
            .fetch_one(app.db.pool())
            .await
            .unwrap()
    };
    assert_eq!(count().await, 2, "a 201 means the row is stored");

    projitt_meet::domain::signals::prune(&app.db).await.unwrap();
    assert_eq!(count().await, 1);
    assert_eq!(
        ids(&inbox(&app, meeting_id, &guest, "").await),
        vec![pending]
    );

    let res = app
        .post(
            &format!("/api/meetings/{meeting_id}/cancel"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    projitt_meet::domain::signals::prune(&app.db).await.unwrap();
    assert_eq!(count().await, 0);
}
