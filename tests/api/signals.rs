//! Signaling delivery: what a sent signal looks like, inbox isolation, acknowledgement,
//! ordering, the long-poll, a busy two-way exchange, and pruning.

use std::time::{Duration, Instant};

use projitt_meet::infra::db::Dialect;
use serde_json::{Value, json};

use crate::support::app::{TestApp, TestUser, spawn, test_config};
use crate::support::call::{
    ack, call_of_two, cancel, ids, inbox, joined, meeting_with, send, send_raw,
};

/// Sends `{"n": 0..n}` one after another, as a client does.
async fn send_numbered(app: &TestApp, meeting_id: i64, from: &TestUser, to: &TestUser, n: i64) {
    for i in 0..n {
        send(app, meeting_id, from, to, json!({ "n": i })).await;
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

/// Owner plus "Ann" and "Bob", all three in the call.
async fn call_of_three(app: &TestApp) -> (TestUser, TestUser, TestUser, i64) {
    let owner = app.register("Owner").await;
    let ann = app.register("Ann").await;
    let bob = app.register("Bob").await;
    let meeting_id = meeting_with(app, &owner, &[&ann, &bob]).await;
    for user in [&owner, &ann, &bob] {
        joined(app, meeting_id, user).await;
    }
    (owner, ann, bob, meeting_id)
}

#[tokio::test]
async fn a_sent_signal_is_201_and_reaches_the_recipient() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    let offer = json!({"sdp": "v=0...", "nested": {"list": [1, 2, 3]}});
    let body = json!({"to_user_id": guest.id, "type": "offer", "payload": offer});
    let res = send_raw(&app, meeting_id, &owner, body).await;
    assert_eq!(res.status(), 201);
    let sent: Value = res.json().await.unwrap();
    assert_eq!(sent["meeting_id"], meeting_id);
    assert_eq!(sent["from_user_id"], owner.id);
    assert_eq!(sent["to_user_id"], guest.id);
    assert_eq!(sent["type"], "offer");
    assert_eq!(sent["payload"], offer);
    assert!(sent["created_at"].as_str().unwrap().ends_with('Z'));

    assert_eq!(inbox(&app, meeting_id, &guest, "").await, vec![sent]);
}

#[tokio::test]
async fn the_inbox_never_shows_another_users_signals() {
    let app = spawn().await;
    let (owner, ann, bob, meeting_id) = call_of_three(&app).await;
    let to_ann = send(&app, meeting_id, &owner, &ann, json!({"for": "ann"})).await;
    let to_bob = send(&app, meeting_id, &ann, &bob, json!({"for": "bob"})).await;

    assert_eq!(ids(&inbox(&app, meeting_id, &ann, "").await), vec![to_ann]);
    assert_eq!(ids(&inbox(&app, meeting_id, &bob, "").await), vec![to_bob]);
    let own = inbox(&app, meeting_id, &owner, "").await;
    assert!(
        own.is_empty(),
        "the sender's own signals are not in its inbox"
    );
}

#[tokio::test]
async fn ack_is_idempotent_and_counts_only_own_signals() {
    let app = spawn().await;
    let (owner, ann, bob, meeting_id) = call_of_three(&app).await;
    let first = send(&app, meeting_id, &owner, &ann, json!({"n": 1})).await;
    let second = send(&app, meeting_id, &owner, &ann, json!({"n": 2})).await;

    assert_eq!(
        ack(&app, meeting_id, &bob, &[first, second]).await,
        0,
        "not Bob's"
    );
    assert_eq!(
        ack(&app, meeting_id, &owner, &[first]).await,
        0,
        "not the sender's"
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
    let rest = inbox(&app, meeting_id, &ann, "").await;
    assert_eq!(ids(&rest), vec![second], "never delivered again");
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
        sent.push(send(&app, meeting_id, &owner, &guest, json!({ "n": n })).await);
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
    let query = format!("?since_id={}&limit=5", sent[4]);
    assert_eq!(
        ids(&inbox(&app, meeting_id, &guest, &query).await),
        sent[5..10]
    );
    let query = format!("?since_id={}", sent[9]);
    assert_eq!(
        ids(&inbox(&app, meeting_id, &guest, &query).await),
        sent[10..]
    );
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
    let answer = tokio::time::timeout(Duration::from_secs(5), poll).await;
    let (answered_at, body) = answer.expect("answered").unwrap();
    assert!(answered_at >= sent_at, "answered only after the send");
    assert!(
        answered_at - sent_at < Duration::from_secs(2),
        "answered promptly"
    );
    assert_eq!(ids(&body), vec![id]);
}

#[tokio::test]
async fn a_woken_long_poll_answers_the_oldest_signals_exactly_as_a_read_would() {
    let app = spawn().await;
    let (owner, ann, bob, meeting_id) = call_of_three(&app).await;
    let app = &app;
    // Each sender's first send checks its access; later ones are remembered.
    send(app, meeting_id, &owner, &bob, json!({})).await;
    send(app, meeting_id, &bob, &owner, json!({})).await;
    // Bob waits only for signals beyond any that exist; Ann waits for a page of three.
    let bob_beyond = inbox(app, meeting_id, &bob, "?since_id=1000000&wait=2");
    let ann_page = inbox(app, meeting_id, &ann, "?wait=10&limit=3");
    let sends = async {
        let parked = Instant::now();
        while app.backend.hub.parked_recipients() < 2 {
            assert!(parked.elapsed() < Duration::from_secs(5), "both polls park");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        send(app, meeting_id, &ann, &bob, json!({"to": "bob"})).await;
        // Holding the writer makes the sends queue up and be stored together (on SQLite,
        // where writers take turns), so the woken poll gets several rows at once.
        let writer = app.db.writer().await.unwrap();
        let release = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            drop(writer);
        };
        let all = futures::future::join_all((0..20).map(|n| {
            let from = if n % 2 == 0 { &owner } else { &bob };
            send(app, meeting_id, from, &ann, json!({ "n": n }))
        }));
        tokio::join!(all, release).0
    };
    let (beyond, page, sent) = tokio::join!(bob_beyond, ann_page, sends);
    assert!(
        beyond.is_empty(),
        "a signal at or below since_id does not end a poll"
    );
    let stored = inbox(app, meeting_id, &ann, "?limit=500").await;
    assert_eq!(stored.len(), sent.len());
    if app.db.dialect() == Dialect::Sqlite {
        assert_eq!(
            page.len(),
            3,
            "stored together, handed over together: {page:?}"
        );
    } else {
        // Postgres writers do not take turns, so the sends may be stored one by one.
        assert!((1..=3).contains(&page.len()), "{page:?}");
    }
    assert_eq!(
        page,
        stored[..page.len()],
        "the oldest signals, exactly as stored"
    );
}

#[tokio::test]
async fn waiting_on_an_empty_inbox_returns_an_empty_list_after_the_wait() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    let started = Instant::now();
    let poll = inbox(&app, meeting_id, &owner, "?wait=1");
    // A signal for someone else must not end this poll.
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

#[tokio::test]
async fn concurrent_exchange_delivers_every_signal_exactly_once_in_order() {
    const N: i64 = 500;
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    let exchange = async {
        tokio::join!(
            send_numbered(&app, meeting_id, &owner, &guest, N),
            send_numbered(&app, meeting_id, &guest, &owner, N),
            receive_numbered(&app, meeting_id, &guest, N as usize),
            receive_numbered(&app, meeting_id, &owner, N as usize),
        )
    };
    let (_, _, to_guest, to_owner) = tokio::time::timeout(Duration::from_secs(120), exchange)
        .await
        .expect("the exchange finished");
    let expected: Vec<i64> = (0..N).collect();
    assert_eq!(to_guest, expected);
    assert_eq!(to_owner, expected);
    // Acknowledged means never again, even when reading from the start.
    assert!(inbox(&app, meeting_id, &guest, "").await.is_empty());
    assert!(inbox(&app, meeting_id, &owner, "").await.is_empty());
}

#[tokio::test]
async fn sends_that_arrive_together_are_each_stored_once_or_refused() {
    let app = spawn().await;
    let owner = app.register("Owner").await;
    let ann = app.register("Ann").await;
    let bob = app.register("Bob").await;
    let away = app.register("Away").await; // invited, never joins
    let meeting_id = meeting_with(&app, &owner, &[&ann, &bob, &away]).await;
    for user in [&owner, &ann, &bob] {
        joined(&app, meeting_id, user).await;
    }
    // Distinct payloads, identical ones (interchangeable rows), and sends nobody can take.
    let mut plan = Vec::new();
    for n in 0..25 {
        plan.push((&owner, &ann, json!({ "n": n })));
        plan.push((&bob, &ann, json!({ "n": n })));
        plan.push((&ann, &owner, json!({ "n": n })));
        plan.push((&owner, &bob, json!({ "same": true })));
        plan.push((&bob, &away, json!({ "n": n })));
    }
    let app = &app;
    let answers = futures::future::join_all(plan.iter().map(|(from, to, payload)| {
        let body = json!({"to_user_id": to.id, "type": "candidate", "payload": payload});
        async move {
            let res = send_raw(app, meeting_id, from, body).await;
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    }))
    .await;

    let mut stored: Vec<Value> = Vec::new();
    for ((from, to, payload), (status, body)) in plan.iter().zip(answers) {
        if to.id == away.id {
            assert_eq!(status, 409, "{body}");
            assert_eq!(body["error"], "recipient_not_present");
            continue;
        }
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["from_user_id"], from.id);
        assert_eq!(body["to_user_id"], to.id);
        assert_eq!(&body["payload"], payload);
        stored.push(body);
    }
    let mut all_ids = ids(&stored);
    all_ids.sort_unstable();
    all_ids.dedup();
    assert_eq!(
        all_ids.len(),
        stored.len(),
        "every send has an id of its own"
    );
    // Each inbox holds exactly the signals answered 201 for it, as answered.
    for user in [&owner, &ann, &bob] {
        let got = inbox(app, meeting_id, user, "?limit=500").await;
        let mut expected: Vec<Value> = stored
            .iter()
            .filter(|s| s["to_user_id"] == user.id)
            .cloned()
            .collect();
        expected.sort_by_key(|s| s["id"].as_i64());
        assert_eq!(got, expected);
    }
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
            .fetch_one(app.db.reader())
            .await
            .unwrap()
    };
    assert_eq!(count().await, 2, "a 201 means the row is stored");

    projitt_meet::domain::signals::prune(&app.backend)
        .await
        .unwrap();
    assert_eq!(count().await, 1);
    assert_eq!(
        ids(&inbox(&app, meeting_id, &guest, "").await),
        vec![pending]
    );

    cancel(&app, meeting_id, &owner).await;
    projitt_meet::domain::signals::prune(&app.backend)
        .await
        .unwrap();
    assert_eq!(count().await, 0);
}

#[tokio::test]
async fn a_signal_answered_201_survives_a_server_restart() {
    let app = spawn().await;
    let (owner, guest, meeting_id) = call_of_two(&app).await;
    let id = send(&app, meeting_id, &owner, &guest, json!({"sdp": "kept"})).await;

    // A second server over the same database, with nothing shared in memory.
    let db = projitt_meet::infra::db::Db::connect(app.db.url())
        .await
        .unwrap();
    let config = test_config(app.db.url(), &app.storage);
    let options = leptos::config::get_configuration(Some("Cargo.toml"))
        .unwrap()
        .leptos_options;
    let state = projitt_meet::web::state::AppState::new(options, db, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serve = projitt_meet::server::serve(listener, state, std::future::pending());
    tokio::spawn(serve);

    let url = format!("{base}/api/meetings/{meeting_id}/rtc/inbox");
    let res = app
        .client
        .get(url)
        .bearer_auth(&guest.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let got: Vec<Value> = res.json().await.unwrap();
    assert_eq!(ids(&got), vec![id]);
    assert_eq!(got[0]["payload"]["sdp"], "kept");
}
