//! The server as a real process: SIGTERM finishes what is in flight and releases parked polls;
//! SIGKILL under load loses nothing that was answered 201. Runs on SQLite, and on Postgres when
//! `TEST_DATABASE_URL` is set.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};

use crate::support::process::{Server, User, call, fresh_store, get, join, post, register};

fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(45))
        .build()
        .expect("client")
}

#[tokio::test]
async fn sigterm_finishes_in_flight_requests_and_releases_parked_polls() {
    let store = fresh_store().await;
    let mut server = Server::start(&store, &[]).await;
    let http = client();
    let owner = register(&http, &server, "Owner").await;
    let guest = register(&http, &server, "Guest").await;
    let meeting = call(&http, &server, &owner, std::slice::from_ref(&guest)).await;

    let parked = tokio::spawn({
        let (http, url, token) = (http.clone(), server.url(""), guest.token.clone());
        async move {
            let res = http
                .get(format!("{url}/api/meetings/{meeting}/rtc/inbox?wait=30"))
                .bearer_auth(token)
                .send()
                .await
                .expect("the parked poll is answered");
            (res.status().as_u16(), res.text().await.unwrap_or_default())
        }
    });
    // Password hashing keeps a sign-up busy for a while: it is in flight at the signal.
    let in_flight = tokio::spawn({
        let (http, url) = (http.clone(), server.url("/api/auth/register"));
        async move {
            http.post(url)
                .json(&json!({"name": "Late", "email": "late@example.org", "password": "correct horse"}))
                .send()
                .await
                .map(|res| res.status().as_u16())
        }
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        !parked.is_finished(),
        "the poll is parked before the signal"
    );

    let signalled = Instant::now();
    server.terminate();
    let (status, body) = tokio::time::timeout(Duration::from_secs(5), parked)
        .await
        .expect("the parked poll is released well before its 30 s wait")
        .expect("no panic");
    assert_eq!((status, body.as_str()), (200, "[]"));
    assert!(signalled.elapsed() < Duration::from_secs(5));
    let in_flight = in_flight.await.expect("no panic");
    assert_eq!(in_flight.ok(), Some(201), "the in-flight sign-up completes");
    let exit = server.exit_within(Duration::from_secs(10)).await;
    assert!(
        exit.is_some_and(|s| s.success()),
        "clean exit, got {exit:?}"
    );
}

/// One signal as a test client saw it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Seen {
    id: i64,
    from: i64,
    to: i64,
    seq: i64,
}

impl Seen {
    fn from_json(signal: &Value) -> Seen {
        Seen {
            id: signal["id"].as_i64().expect("id"),
            from: signal["from_user_id"].as_i64().expect("from"),
            to: signal["to_user_id"].as_i64().expect("to"),
            seq: signal["payload"]["seq"]
                .as_i64()
                .expect("seq in the payload"),
        }
    }
}

#[derive(Default)]
struct Ledger {
    /// Answered 201.
    sent: Vec<Seen>,
    /// Delivered by an inbox poll before the kill, in delivery order.
    delivered: Vec<Seen>,
    /// Acknowledged with a 200 before the kill.
    acked: HashSet<i64>,
    server_errors: usize,
}

const SENDERS_STOP_AFTER: Duration = Duration::from_secs(20);

/// Sends to the other participants in turn, numbering each pair's signals, until the server
/// stops answering.
async fn sender(
    http: Client,
    base: String,
    meeting: i64,
    me: User,
    others: Vec<i64>,
    ledger: Arc<Mutex<Ledger>>,
) {
    let started = Instant::now();
    let mut seq = 0i64;
    while started.elapsed() < SENDERS_STOP_AFTER {
        let to = others[(seq as usize) % others.len()];
        let res = http
            .post(format!("{base}/api/meetings/{meeting}/rtc/send"))
            .bearer_auth(&me.token)
            .json(&json!({"to_user_id": to, "type": "candidate", "payload": {"seq": seq, "pad": "x".repeat(200)}}))
            .send()
            .await;
        let Ok(res) = res else { return };
        let status = res.status().as_u16();
        let Ok(body) = res.json::<Value>().await else {
            return;
        };
        let mut ledger = ledger.lock().expect("ledger");
        match status {
            201 => ledger.sent.push(Seen::from_json(&body)),
            500.. => ledger.server_errors += 1,
            other => panic!("send answered {other}: {body}"),
        }
        seq += 1;
    }
}

/// Long-polls and acknowledges, until the server stops answering.
async fn receiver(http: Client, base: String, meeting: i64, me: User, ledger: Arc<Mutex<Ledger>>) {
    let started = Instant::now();
    let mut since = 0i64;
    while started.elapsed() < SENDERS_STOP_AFTER {
        let url = format!("{base}/api/meetings/{meeting}/rtc/inbox?since_id={since}&wait=2");
        let Ok(res) = http.get(url).bearer_auth(&me.token).send().await else {
            return;
        };
        let Ok(batch) = res.json::<Vec<Value>>().await else {
            return;
        };
        let batch: Vec<Seen> = batch.iter().map(Seen::from_json).collect();
        let Some(last) = batch.last() else { continue };
        since = last.id;
        let ids: Vec<i64> = batch.iter().map(|s| s.id).collect();
        ledger.lock().expect("ledger").delivered.extend(batch);
        let ack = http
            .post(format!("{base}/api/meetings/{meeting}/rtc/ack"))
            .bearer_auth(&me.token)
            .json(&json!({ "ids": ids }))
            .send()
            .await;
        match ack {
            Ok(res) if res.status() == 200 => ledger.lock().expect("ledger").acked.extend(ids),
            _ => return,
        }
    }
}

/// Everything still in `user`'s inbox, acknowledged as it is read.
async fn drain(http: &Client, server: &Server, meeting: i64, user: &User) -> Vec<Seen> {
    let mut all = Vec::new();
    loop {
        let path = format!("/api/meetings/{meeting}/rtc/inbox?limit=500");
        let (status, batch) = get(http, server, user, &path).await;
        assert_eq!(status, 200, "{batch}");
        let batch: Vec<Seen> = batch
            .as_array()
            .expect("a list")
            .iter()
            .map(Seen::from_json)
            .collect();
        if batch.is_empty() {
            return all;
        }
        let ids: Vec<i64> = batch.iter().map(|s| s.id).collect();
        let path = format!("/api/meetings/{meeting}/rtc/ack");
        let (status, body) = post(http, server, user, &path, json!({ "ids": ids })).await;
        assert_eq!(
            (status, body["acknowledged"].as_u64()),
            (200, Some(ids.len() as u64))
        );
        all.extend(batch);
    }
}

/// Per (sender, recipient), the sequence numbers in the order given.
fn by_pair(signals: &[Seen]) -> BTreeMap<(i64, i64), Vec<i64>> {
    let mut pairs: BTreeMap<(i64, i64), Vec<i64>> = BTreeMap::new();
    for s in signals {
        pairs.entry((s.from, s.to)).or_default().push(s.seq);
    }
    pairs
}

fn strictly_increasing(seqs: &[i64]) -> bool {
    seqs.windows(2).all(|w| w[0] < w[1])
}

#[tokio::test]
async fn kill_9_under_load_loses_no_answered_signal_and_keeps_everything_created() {
    let store = fresh_store().await;
    let mut server = Server::start(&store, &[]).await;
    let http = client();
    let mut users = Vec::new();
    for name in ["Owner", "Ada", "Bo", "Cy"] {
        users.push(register(&http, &server, name).await);
    }
    let owner = users[0].clone();
    let meeting = call(&http, &server, &owner, &users[1..]).await;

    // Things created before the crash that must still be there after it.
    let (status, other) = post(
        &http,
        &server,
        &owner,
        "/api/meetings",
        json!({"title": "Next week", "scheduled_at": "2030-02-01T10:00:00Z", "duration_minutes": 30}),
    )
    .await;
    assert_eq!(status, 201);
    let other_meeting = other["meeting"]["id"].as_i64().expect("id");
    let path = format!("/api/meetings/{other_meeting}/invite");
    let (status, invitation) = post(
        &http,
        &server,
        &owner,
        &path,
        json!({"invitee_email": "later@example.org"}),
    )
    .await;
    assert_eq!(status, 201);
    let path = format!("/api/meetings/{meeting}/recordings/start");
    let (status, recording) = post(&http, &server, &owner, &path, json!({})).await;
    assert_eq!(status, 201, "{recording}");

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut tasks = Vec::new();
    for user in &users {
        let others: Vec<i64> = users
            .iter()
            .map(|u| u.id)
            .filter(|id| *id != user.id)
            .collect();
        tasks.push(tokio::spawn(sender(
            http.clone(),
            server.base.clone(),
            meeting,
            user.clone(),
            others,
            ledger.clone(),
        )));
        tasks.push(tokio::spawn(receiver(
            http.clone(),
            server.base.clone(),
            meeting,
            user.clone(),
            ledger.clone(),
        )));
    }
    // Kill mid-way: once a good number of signals were answered, with senders still going.
    let deadline = Instant::now() + Duration::from_secs(15);
    while ledger.lock().expect("ledger").sent.len() < 200 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill_9();
    for task in tasks {
        task.await.expect("a client task panicked");
    }
    let ledger = Arc::try_unwrap(ledger)
        .ok()
        .expect("tasks done")
        .into_inner()
        .expect("ledger");
    assert!(
        ledger.sent.len() >= 100,
        "only {} signals were sent before the kill",
        ledger.sent.len()
    );
    assert_eq!(ledger.server_errors, 0, "5xx under load");

    println!(
        "{} signals answered 201 before the kill; {} delivered and {} acknowledged by then",
        ledger.sent.len(),
        ledger.delivered.len(),
        ledger.acked.len()
    );

    let server = Server::start(&store, &[]).await;
    let mut drained = Vec::new();
    for user in &users {
        join(&http, &server, user, meeting).await;
        drained.extend(drain(&http, &server, meeting, user).await);
    }
    for user in &users {
        let path = format!("/api/meetings/{meeting}/rtc/inbox");
        let (_, rest) = get(&http, &server, user, &path).await;
        assert_eq!(rest, json!([]), "acknowledged signals never come back");
    }

    // Every 201 is delivered: before the kill, or from the restarted server's inbox.
    let delivered: HashMap<i64, Seen> = ledger
        .delivered
        .iter()
        .chain(&drained)
        .map(|s| (s.id, *s))
        .collect();
    for sent in &ledger.sent {
        assert_eq!(
            delivered.get(&sent.id),
            Some(sent),
            "signal {} was lost",
            sent.id
        );
    }
    // Exactly once after acks: an acknowledged signal is not delivered again, and nothing is
    // delivered twice by one server's inbox.
    for s in &drained {
        assert!(
            !ledger.acked.contains(&s.id),
            "acked signal {} came back",
            s.id
        );
    }
    let unique_before: HashSet<i64> = ledger.delivered.iter().map(|s| s.id).collect();
    assert_eq!(
        unique_before.len(),
        ledger.delivered.len(),
        "a duplicate before the kill"
    );
    let unique_after: HashSet<i64> = drained.iter().map(|s| s.id).collect();
    assert_eq!(
        unique_after.len(),
        drained.len(),
        "a duplicate after the restart"
    );
    // In order per pair, within each delivery stream and in the store's id order.
    for (pair, seqs) in by_pair(&ledger.delivered)
        .into_iter()
        .chain(by_pair(&drained))
    {
        assert!(
            strictly_increasing(&seqs),
            "pair {pair:?} out of order: {seqs:?}"
        );
    }
    let mut stored: Vec<Seen> = delivered.into_values().collect();
    stored.sort_by_key(|s| s.id);
    for (pair, seqs) in by_pair(&stored) {
        assert!(
            strictly_increasing(&seqs),
            "pair {pair:?} stored out of order: {seqs:?}"
        );
    }

    // What existed before the crash is all still there.
    let (status, m) = get(&http, &server, &owner, &format!("/api/meetings/{meeting}")).await;
    assert_eq!((status, m["status"].as_str()), (200, Some("started")));
    let path = format!("/api/meetings/{other_meeting}/invitations");
    let (status, invitations) = get(&http, &server, &owner, &path).await;
    assert_eq!(status, 200);
    assert!(
        invitations
            .as_array()
            .is_some_and(|l| l.iter().any(|i| i["id"] == invitation["id"])),
        "{invitations}"
    );
    let (status, recordings) = get(
        &http,
        &server,
        &owner,
        &format!("/api/meetings/{meeting}/recordings"),
    )
    .await;
    assert_eq!((status, recordings["total"].as_i64()), (200, Some(1)));
    assert_eq!(recordings["data"][0]["id"], recording["id"]);
    let path = format!("/api/meetings/{meeting}/invitations");
    let (_, guests) = get(&http, &server, &owner, &path).await;
    assert_eq!(guests.as_array().map(Vec::len), Some(3), "{guests}");
}
