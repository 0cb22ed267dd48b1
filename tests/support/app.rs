//! Test fixtures: the real router on a port-0 listener over a fresh database. With
//! `TEST_DATABASE_URL=postgres://…` every app gets a fresh Postgres database on that server;
//! otherwise a fresh SQLite file.

use std::path::PathBuf;

use leptos::config::get_configuration;
use projitt_meet::domain::Backend;
use projitt_meet::infra::config::Config;
use projitt_meet::infra::db::Db;
use projitt_meet::server;
use projitt_meet::web::state::AppState;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

pub const SECRET: &[u8] = b"integration-test-secret-0123456789abcdef";

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub db: Db,
    /// The rules' context the server runs with (its hub, queues and settings).
    pub backend: Backend,
    pub storage: PathBuf,
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh, empty database URL for one app.
async fn fresh_database() -> (String, PathBuf) {
    let dir = std::env::temp_dir().join(unique("projitt_test"));
    std::fs::create_dir_all(&dir).unwrap();
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            assert!(
                admin_url.starts_with("postgres"),
                "TEST_DATABASE_URL must be a postgres:// URL"
            );
            let name = unique("projitt_t");
            let admin = Db::connect(&admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            admin
                .query(&format!("CREATE DATABASE {name}"))
                .execute(&mut *admin.writer().await.unwrap())
                .await
                .unwrap();
            admin.close().await;
            let (base, _) = admin_url.rsplit_once('/').expect("database URL has a path");
            (format!("{base}/{name}"), dir)
        }
        _ => (format!("sqlite://{}", dir.join("app.db").display()), dir),
    }
}

pub fn test_config(database_url: &str, storage: &std::path::Path) -> Config {
    Config::new(database_url, storage.join("app"), SECRET)
}

pub async fn spawn() -> TestApp {
    spawn_with(|_| {}).await
}

/// Starts an app after `adjust` has changed its settings.
pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let (url, storage) = fresh_database().await;
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let mut config = test_config(&url, &storage);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    config.public_url = format!("http://{addr}");
    adjust(&mut config);
    let options = get_configuration(Some("Cargo.toml"))
        .unwrap()
        .leptos_options;
    let state = AppState::new(options, db.clone(), config);
    let backend = state.backend.clone();
    tokio::spawn(server::serve(listener, state, std::future::pending()));
    TestApp {
        base: format!("http://{addr}"),
        client: Client::new(),
        db,
        backend,
        storage,
    }
}

/// A registered user and their token.
pub struct TestUser {
    pub id: i64,
    pub email: String,
    pub token: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        let mut req = self.client.post(self.url(path)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    /// Posts raw bytes as JSON, for malformed and oversized bodies.
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        let mut req = self
            .client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    pub async fn register(&self, name: &str) -> TestUser {
        let email = format!("{}@example.org", unique(&name.to_lowercase()));
        let res = self
            .post(
                "/api/auth/register",
                None,
                json!({"name": name, "email": email, "password": "correct horse"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.unwrap();
        TestUser {
            id: body["user"]["id"].as_i64().unwrap(),
            email,
            token: body["access_token"].as_str().unwrap().to_string(),
        }
    }
}

/// Asserts the status and the `error` code of a contract error, and returns its body.
pub async fn expect_error(res: Response, status: u16, code: &str) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "status for body {body}");
    assert_eq!(body["error"], code, "error code in {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a message in {body}"
    );
    body
}
