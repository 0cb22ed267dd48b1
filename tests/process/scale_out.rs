//! Two real server processes on one Postgres database: a signal sent through one wakes the
//! inbox long-poll parked on the other, also after the listening connection was lost.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use projitt_meet::infra::db::Db;
use reqwest::Client;
use serde_json::{Value, json};

const SECRET: &str = "scale-out-test-secret-0123456789abcdef";

/// A server process, killed when dropped (also when the test panics).
struct Instance {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("bound address").port()
}

fn scratch_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "projitt_scale_{tag}_{}_{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

async fn start(database_url: &str, dir: &Path, name: &str) -> Instance {
    let port = free_port();
    let storage = dir.join(name);
    let log = dir.join(format!("{name}.log"));
    let out = std::fs::File::create(&log).expect("log file");
    let err = out.try_clone().expect("log file");
    let child = Command::new(env!("CARGO_BIN_EXE_projitt-meet"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", database_url)
        .env("JWT_SECRET", SECRET)
        .env("STORAGE_DIR", &storage)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "projitt-meet")
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("start the server binary");
    let mut instance = Instance {
        child,
        base: format!("http://127.0.0.1:{port}"),
        log,
    };
    let client = Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(status)) = instance.child.try_wait() {
            panic!("{name} exited with {status}: {}", read_log(&instance.log));
        }
        let health = client
            .get(format!("{}/api/health", instance.base))
            .send()
            .await;
        if health.is_ok_and(|r| r.status() == 200) {
            return instance;
        }
        assert!(
            Instant::now() < deadline,
            "{name} not healthy in 60 s: {}",
            read_log(&instance.log)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

async fn call(client: &Client, base: &str, path: &str, token: Option<&str>, body: Value) -> Value {
    let mut request = client.post(format!("{base}{path}")).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let res = request.send().await.expect("request");
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "POST {path}: {status} {body}");
    body
}

async fn register(client: &Client, base: &str, name: &str) -> (i64, String) {
    let email = format!("{name}-{}@example.org", std::process::id());
    let body = call(
        client,
        base,
        "/api/auth/register",
        None,
        json!({"name": name, "email": email, "password": "correct horse"}),
    )
    .await;
    let id = body["user"]["id"].as_i64().expect("user id");
    let token = body["access_token"].as_str().expect("token").to_string();
    (id, token)
}

/// Parks `token`'s inbox poll on `base` and returns its answer and how long it took.
fn park(
    client: &Client,
    base: &str,
    meeting_id: i64,
    token: &str,
) -> tokio::task::JoinHandle<(Value, Duration)> {
    let request = client
        .get(format!(
            "{base}/api/meetings/{meeting_id}/rtc/inbox?wait=10"
        ))
        .bearer_auth(token);
    tokio::spawn(async move {
        let began = Instant::now();
        let res = request.send().await.expect("inbox poll");
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.expect("inbox JSON");
        (body, began.elapsed())
    })
}

/// Gives a just-spawned poll time to reach its wait, so the send below really has to wake it.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn changes_through_one_instance_reach_another_signals_and_access() {
    let admin_url = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => url,
        _ => {
            eprintln!(
                "scale-out needs PostgreSQL: set TEST_DATABASE_URL (source scripts/pg.sh && pg_start); \
                 SQLite serves one process, so there is nothing to cross"
            );
            return;
        }
    };
    let admin = Db::connect(&admin_url)
        .await
        .expect("connect TEST_DATABASE_URL");
    let name = format!(
        "projitt_scale_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .subsec_nanos()
    );
    admin
        .query(&format!("CREATE DATABASE {name}"))
        .execute(&mut *admin.writer().await.unwrap())
        .await
        .expect("create database");
    let (server, _) = admin_url.rsplit_once('/').expect("database URL has a path");
    let database_url = format!("{server}/{name}");

    let dir = scratch_dir("two");
    // A first, alone, so the schema is migrated once before B starts.
    let a = start(&database_url, &dir, "a").await;
    let b = start(&database_url, &dir, "b").await;
    let client = Client::new();

    let (_, owner) = register(&client, &a.base, "owner").await;
    let (guest_id, guest) = register(&client, &a.base, "guest").await;
    let meeting = call(
        &client,
        &a.base,
        "/api/meetings",
        Some(&owner),
        json!({"title": "Across", "scheduled_at": "2030-01-01T10:00:00Z", "duration_minutes": 30}),
    )
    .await;
    let meeting_id = meeting["meeting"]["id"].as_i64().expect("meeting id");
    let invitation = call(
        &client,
        &a.base,
        &format!("/api/meetings/{meeting_id}/invite"),
        Some(&owner),
        json!({"invitee_user_id": guest_id}),
    )
    .await;
    let invitation_id = invitation["id"].as_i64().expect("invitation id");
    call(
        &client,
        &a.base,
        &format!("/api/invitations/{invitation_id}/accept"),
        Some(&guest),
        json!({}),
    )
    .await;
    call(
        &client,
        &a.base,
        &format!("/api/meetings/{meeting_id}/start"),
        Some(&owner),
        json!({}),
    )
    .await;
    let join = format!("/api/meetings/{meeting_id}/presence/join");
    call(&client, &a.base, &join, Some(&owner), json!({})).await;
    call(&client, &b.base, &join, Some(&guest), json!({})).await;
    let send = format!("/api/meetings/{meeting_id}/rtc/send");

    // The guest waits on B; the owner sends through A.
    let parked = park(&client, &b.base, meeting_id, &guest);
    settle().await;
    let sent_at = Instant::now();
    let sent = call(
        &client,
        &a.base,
        &send,
        Some(&owner),
        json!({"to_user_id": guest_id, "type": "offer", "payload": {"sdp": "first"}}),
    )
    .await;
    let (inbox, _) = parked.await.expect("poll task");
    let delivered_in = sent_at.elapsed();
    assert_eq!(inbox.as_array().map(Vec::len), Some(1), "{inbox}");
    assert_eq!(inbox[0]["id"], sent["id"]);
    assert_eq!(inbox[0]["payload"]["sdp"], "first");
    assert!(
        delivered_in < Duration::from_secs(2),
        "B answered {delivered_in:?} after A stored the signal (its poll waits 10 s otherwise)"
    );
    let ack = format!("/api/meetings/{meeting_id}/rtc/ack");
    call(
        &client,
        &b.base,
        &ack,
        Some(&guest),
        json!({"ids": [sent["id"]]}),
    )
    .await;

    // B's listening connection dies, and while it cannot reconnect a signal is sent: that
    // NOTIFY is lost for good. B must still answer once it is back, long before `wait` ends.
    // A sends it while the database refuses new connections, so A must not need one: it
    // first serves a burst of requests at once, which leaves its pool as many open
    // connections as a busy instance keeps (a send may use three at once).
    let burst = (0..8).map(|_| {
        client
            .get(format!("{}/api/meetings/{meeting_id}/participants", a.base))
            .bearer_auth(&owner)
            .send()
    });
    for res in futures::future::join_all(burst).await {
        assert_eq!(res.expect("participants").status(), 200);
    }
    let parked = park(&client, &b.base, meeting_id, &guest);
    settle().await;
    admin
        .query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .execute(&mut *admin.writer().await.unwrap())
        .await
        .expect("refuse new connections");
    let killed: Vec<i64> = admin
        .query_scalar(
            "SELECT pid::int8 FROM pg_stat_activity \
             WHERE datname = $1 AND query LIKE 'LISTEN%' AND pg_terminate_backend(pid)",
        )
        .bind(&name)
        .fetch_all(&mut *admin.writer().await.unwrap())
        .await
        .expect("terminate listeners");
    assert_eq!(killed.len(), 2, "one listener per instance");
    let began = Instant::now();
    let second = call(
        &client,
        &a.base,
        &send,
        Some(&owner),
        json!({"to_user_id": guest_id, "type": "candidate", "payload": {"n": 2}}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    admin
        .query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .execute(&mut *admin.writer().await.unwrap())
        .await
        .expect("accept connections again");
    let (inbox, _) = parked.await.expect("poll task");
    let recovered_in = began.elapsed();
    assert_eq!(inbox.as_array().map(Vec::len), Some(1), "{inbox}");
    assert_eq!(inbox[0]["id"], second["id"], "{inbox}");
    assert!(
        recovered_in < Duration::from_secs(8),
        "B answered {recovered_in:?} after its listener dropped; a missed wake-up waits the full 10 s"
    );

    // And the feed works again after the reconnect.
    call(
        &client,
        &b.base,
        &ack,
        Some(&guest),
        json!({"ids": [second["id"]]}),
    )
    .await;
    let parked = park(&client, &b.base, meeting_id, &guest);
    settle().await;
    let sent_at = Instant::now();
    let third = call(
        &client,
        &a.base,
        &send,
        Some(&owner),
        json!({"to_user_id": guest_id, "type": "answer", "payload": {"n": 3}}),
    )
    .await;
    let (inbox, _) = parked.await.expect("poll task");
    assert_eq!(inbox[0]["id"], third["id"], "{inbox}");
    assert!(
        sent_at.elapsed() < Duration::from_secs(2),
        "{:?}",
        sent_at.elapsed()
    );

    // What B remembers about access (a token not revoked, a participant in an open meeting)
    // is dropped when A changes it. First B learns both: the owner's empty-inbox poll and
    // the guest's profile are answered there.
    let inbox = format!("/api/meetings/{meeting_id}/rtc/inbox");
    assert_eq!(get_status(&client, &b.base, &inbox, &owner).await, 200);
    assert_eq!(get_status(&client, &b.base, &inbox, &owner).await, 200);
    call(
        &client,
        &a.base,
        &format!("/api/meetings/{meeting_id}/end"),
        Some(&owner),
        json!({}),
    )
    .await;
    let closed_in = status_becomes(&client, &b.base, &inbox, &owner, 409).await;
    assert!(closed_in < Duration::from_secs(2), "{closed_in:?}");

    assert_eq!(
        get_status(&client, &b.base, "/api/auth/me", &guest).await,
        200
    );
    assert_eq!(
        get_status(&client, &b.base, "/api/auth/me", &guest).await,
        200
    );
    call(
        &client,
        &a.base,
        "/api/auth/logout",
        Some(&guest),
        json!({}),
    )
    .await;
    let revoked_in = status_becomes(&client, &b.base, "/api/auth/me", &guest, 401).await;
    assert!(revoked_in < Duration::from_secs(2), "{revoked_in:?}");

    drop(a);
    drop(b);
    admin.close().await;
}

async fn get_status(client: &Client, base: &str, path: &str, token: &str) -> u16 {
    let res = client
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    res.status().as_u16()
}

/// Asks until `path` answers `status` (for at most 5 s) and says how long that took.
async fn status_becomes(
    client: &Client,
    base: &str,
    path: &str,
    token: &str,
    status: u16,
) -> Duration {
    let began = Instant::now();
    loop {
        let got = get_status(client, base, path, token).await;
        if got == status {
            return began.elapsed();
        }
        assert!(
            began.elapsed() < Duration::from_secs(5),
            "GET {path} on the other instance still answers {got}, not {status}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
