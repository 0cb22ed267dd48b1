//! The real server binary as a child process over a database that outlives it, for the specs
//! that need signals: SIGTERM for graceful shutdown, SIGKILL for durability.

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use projitt_meet::infra::db::Db;
use reqwest::Client;
use serde_json::{Value, json};

pub const SECRET: &str = "process-test-secret-0123456789abcdefghij";

/// A database (and storage folder) that several server processes can use one after another.
pub struct Store {
    pub database_url: String,
    pub dir: PathBuf,
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

/// A fresh SQLite file, or a fresh database on the `TEST_DATABASE_URL` Postgres server.
pub async fn fresh_store() -> Store {
    let dir = std::env::temp_dir().join(unique("projitt_proc"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let database_url = match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = unique("projitt_p");
            let admin = Db::connect(&admin_url).await.expect("TEST_DATABASE_URL");
            admin
                .query(&format!("CREATE DATABASE {name}"))
                .execute(&mut *admin.writer().await.unwrap())
                .await
                .expect("create database");
            admin.close().await;
            let (base, _) = admin_url.rsplit_once('/').expect("database URL has a path");
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}", dir.join("app.db").display()),
    };
    Store { database_url, dir }
}

pub struct Server {
    child: Child,
    pub base: String,
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

impl Server {
    /// Starts the binary on `store` and waits until `/api/health` answers.
    pub async fn start(store: &Store, env: &[(&str, &str)]) -> Server {
        let addr = format!("127.0.0.1:{}", free_port());
        let mut command = Command::new(env!("CARGO_BIN_EXE_projitt-meet"));
        command
            // Away from the repository, so a developer's `.env` does not leak in.
            .current_dir(&store.dir)
            .env("LEPTOS_SITE_ADDR", &addr)
            .env("LEPTOS_OUTPUT_NAME", "projitt-meet")
            .env(
                "LEPTOS_SITE_ROOT",
                concat!(env!("CARGO_MANIFEST_DIR"), "/target/site"),
            )
            .env("DATABASE_URL", &store.database_url)
            .env("JWT_SECRET", SECRET)
            .env("STORAGE_DIR", store.dir.join("app"))
            .env("PUBLIC_URL", format!("http://{addr}"))
            .env("RUST_LOG", "warn")
            .env_remove("APP_ENV")
            .env_remove("COOKIE_SECURE")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("start the server binary");
        let server = Server {
            child,
            base: format!("http://{addr}"),
        };
        server.wait_healthy().await;
        server
    }

    async fn wait_healthy(&self) {
        let client = Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(res) = client.get(self.url("/api/health")).send().await
                && res.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server at {} did not become healthy", self.base);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL: no chance to flush or finish anything.
    pub fn kill_9(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// SIGTERM: the graceful path.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits up to `limit` for the process to exit.
    pub async fn exit_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A user signed up over the API.
#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub token: String,
}

pub async fn register(client: &Client, server: &Server, name: &str) -> User {
    let email = format!("{}@example.org", unique(&name.to_lowercase()));
    let res = client
        .post(server.url("/api/auth/register"))
        .json(&json!({"name": name, "email": email, "password": "correct horse"}))
        .send()
        .await
        .expect("register");
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.expect("json");
    User {
        id: body["user"]["id"].as_i64().expect("id"),
        token: body["access_token"].as_str().expect("token").to_string(),
    }
}

/// POSTs `body` as `user` and returns the status and the JSON answer.
pub async fn post(
    client: &Client,
    server: &Server,
    user: &User,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let res = client
        .post(server.url(path))
        .bearer_auth(&user.token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub async fn get(client: &Client, server: &Server, user: &User, path: &str) -> (u16, Value) {
    let res = client
        .get(server.url(path))
        .bearer_auth(&user.token)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A meeting of `owner` whose `guests` have all accepted, with everyone present in the call.
pub async fn call(client: &Client, server: &Server, owner: &User, guests: &[User]) -> i64 {
    let (status, body) = post(
        client,
        server,
        owner,
        "/api/meetings",
        json!({"title": "Durable call", "scheduled_at": "2030-01-01T10:00:00Z", "duration_minutes": 60}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let meeting = body["meeting"]["id"].as_i64().expect("meeting id");
    for guest in guests {
        let path = format!("/api/meetings/{meeting}/invite");
        let (status, invitation) = post(
            client,
            server,
            owner,
            &path,
            json!({"invitee_user_id": guest.id}),
        )
        .await;
        assert_eq!(status, 201, "{invitation}");
        let id = invitation["id"].as_i64().expect("invitation id");
        let path = format!("/api/invitations/{id}/accept");
        assert_eq!(post(client, server, guest, &path, json!({})).await.0, 200);
    }
    let path = format!("/api/meetings/{meeting}/start");
    assert_eq!(post(client, server, owner, &path, json!({})).await.0, 200);
    for user in std::iter::once(owner).chain(guests) {
        join(client, server, user, meeting).await;
    }
    meeting
}

pub async fn join(client: &Client, server: &Server, user: &User, meeting: i64) {
    let path = format!("/api/meetings/{meeting}/presence/join");
    let (status, body) = post(client, server, user, &path, json!({})).await;
    assert!(status == 200 || status == 201, "join: {status} {body}");
}
