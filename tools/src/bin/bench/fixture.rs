//! The load's cast: an owner with many meetings and one started call holding many accepted,
//! present guests, built through the API, except that guest accounts are inserted directly
//! (one real Argon2 hash, copied) and their tokens minted, since hashing a thousand passwords
//! would only measure Argon2. Also the bulk seeding of `rtc_signals`.

use std::sync::Arc;
use std::time::Duration;

use projitt_meet::domain::tokens;
use projitt_meet::infra::db::{Db, now_millis};
use reqwest::Client;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::server::{self, Server};

pub const PASSWORD: &str = "benchmark password";

pub struct User {
    pub id: i64,
    pub token: String,
}

pub struct World {
    pub client: Client,
    pub base: String,
    pub db: Db,
    pub owner: User,
    pub owner_email: String,
    pub guests: Vec<User>,
    /// The started call every guest has joined.
    pub call_id: i64,
    /// The owner's other meetings (ids are consecutive), home of the seeded foreign rows.
    pub other_meetings: (i64, i64),
}

pub fn client() -> Result<Client, String> {
    Client::builder()
        .tcp_nodelay(true)
        .pool_idle_timeout(Duration::from_secs(60))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| format!("HTTP client: {e}"))
}

/// A POST that must succeed; returns its JSON body.
pub async fn post(
    client: &Client,
    url: String,
    token: Option<&str>,
    body: Value,
) -> Result<Value, String> {
    let mut request = client.post(&url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let res = request
        .send()
        .await
        .map_err(|e| format!("POST {url}: {e}"))?;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(format!("POST {url}: {status} {body}"));
    }
    Ok(body)
}

/// Runs `job` for each item, `width` at a time.
async fn each<T, F, Fut>(items: Vec<T>, width: usize, job: F) -> Result<(), String>
where
    T: Send + 'static,
    F: Fn(T) -> Fut,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let gate = Arc::new(Semaphore::new(width.max(1)));
    let mut tasks = JoinSet::new();
    for item in items {
        let permit = Arc::clone(&gate)
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let work = job(item);
        tasks.spawn(async move {
            let result = work.await;
            drop(permit);
            result
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.map_err(|e| format!("task: {e}"))??;
    }
    Ok(())
}

pub async fn build(srv: &Server, guests: usize, meetings: usize) -> Result<World, String> {
    let client = client()?;
    let base = srv.base.clone();
    let dir_url = server::database_url(srv.dir());
    let db = Db::connect(&dir_url)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let config = server::config(srv.dir());

    let owner_email = "owner@bench.example".to_string();
    let body = post(
        &client,
        format!("{base}/api/auth/register"),
        None,
        json!({"name": "Owner", "email": owner_email, "password": PASSWORD}),
    )
    .await?;
    let owner = User {
        id: body["user"]["id"].as_i64().ok_or("no user id")?,
        token: body["access_token"].as_str().ok_or("no token")?.to_string(),
    };
    let hash: String = db
        .query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(owner.id)
        .fetch_one(db.reader())
        .await
        .map_err(|e| e.to_string())?;

    let mut guest_users = Vec::with_capacity(guests);
    let now = now_millis();
    for chunk_start in (0..guests).step_by(200) {
        let chunk = (chunk_start..guests.min(chunk_start + 200)).collect::<Vec<_>>();
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${}, $1, $2)", 3 + 2 * i, 4 + 2 * i))
            .collect();
        let sql = format!(
            "INSERT INTO users (name, email, password_hash, created_at) VALUES {} RETURNING id",
            values.join(", ")
        );
        let mut query = db.query_scalar::<i64>(&sql).bind(&hash).bind(now);
        for n in &chunk {
            query = query
                .bind(format!("Guest {n}"))
                .bind(format!("guest{n}@bench.example"));
        }
        for id in query
            .fetch_all(&mut *db.writer().await.map_err(|e| e.to_string())?)
            .await
            .map_err(|e| e.to_string())?
        {
            let token = tokens::issue(&config, id)
                .map_err(|e| format!("token: {e:?}"))?
                .token;
            guest_users.push(User { id, token });
        }
    }

    let create = |title: String| {
        post(
            &client,
            format!("{base}/api/meetings"),
            Some(&owner.token),
            json!({"title": title, "scheduled_at": "2030-01-01T10:00:00Z", "duration_minutes": 60}),
        )
    };
    let call = create("The call".into()).await?;
    let call_id = call["meeting"]["id"].as_i64().ok_or("no meeting id")?;
    let mut others = Vec::new();
    for n in 1..meetings.max(2) {
        let made = create(format!("Meeting {n}")).await?;
        others.push(made["meeting"]["id"].as_i64().ok_or("no meeting id")?);
    }
    let first = others.first().copied().unwrap_or(call_id + 1);
    let last = others.last().copied().unwrap_or(first);
    if last - first + 1 != others.len() as i64 {
        return Err("meeting ids are not consecutive".into());
    }

    let invites: Vec<(i64, String)> = guest_users
        .iter()
        .map(|g| (g.id, g.token.clone()))
        .collect();
    each(invites, 8, |(guest_id, guest_token)| {
        let (client, base, owner_token) = (client.clone(), base.clone(), owner.token.clone());
        async move {
            let invitation = post(
                &client,
                format!("{base}/api/meetings/{call_id}/invite"),
                Some(&owner_token),
                json!({"invitee_user_id": guest_id}),
            )
            .await?;
            let id = invitation["id"].as_i64().ok_or("no invitation id")?;
            let accept = format!("{base}/api/invitations/{id}/accept");
            post(&client, accept, Some(&guest_token), json!({})).await?;
            Ok(())
        }
    })
    .await?;
    post(
        &client,
        format!("{base}/api/meetings/{call_id}/start"),
        Some(&owner.token),
        json!({}),
    )
    .await?;
    let mut joiners: Vec<String> = guest_users.iter().map(|g| g.token.clone()).collect();
    joiners.push(owner.token.clone());
    each(joiners, 8, |token| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let url = format!("{base}/api/meetings/{call_id}/presence/join");
            post(&client, url, Some(&token), json!({}))
                .await
                .map(|_| ())
        }
    })
    .await?;

    Ok(World {
        client,
        base,
        db,
        owner,
        owner_email,
        guests: guest_users,
        call_id,
        other_meetings: (first, last),
    })
}

impl World {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The call's inbox poll: signals after `since`, parked up to `wait` seconds.
    pub fn inbox_url(&self, wait: u64, since: i64) -> String {
        self.url(&format!(
            "/api/meetings/{}/rtc/inbox?wait={wait}&since_id={since}",
            self.call_id
        ))
    }

    pub async fn delete_signals(&self) -> Result<(), String> {
        self.db
            .query("DELETE FROM rtc_signals")
            .execute(&mut *self.db.writer().await.map_err(|e| e.to_string())?)
            .await
            .map(drop)
            .map_err(|e| format!("deleting signals: {e}"))
    }

    pub async fn signal_rows(&self) -> Result<i64, String> {
        self.db
            .query_scalar("SELECT COUNT(*) FROM rtc_signals")
            .fetch_one(self.db.reader())
            .await
            .map_err(|e| e.to_string())
    }

    /// The newest signal id: polls from here on see only what is sent after now.
    pub async fn high_water(&self) -> Result<i64, String> {
        let max: Option<i64> = self
            .db
            .query_scalar("SELECT MAX(id) FROM rtc_signals")
            .fetch_one(self.db.reader())
            .await
            .map_err(|e| e.to_string())?;
        Ok(max.unwrap_or(0))
    }

    /// Grows `rtc_signals` to `rows`: nine in ten are unacknowledged rows of the owner's other
    /// meetings, one in ten an acknowledged row in the call's inbox of `receiver`.
    pub async fn seed_signals(&self, rows: i64, receiver: i64) -> Result<(), String> {
        let have = self.signal_rows().await?;
        let (first, last) = self.other_meetings;
        let guests = self.guests.len().max(1) as i64;
        let first_guest = self.guests.first().map_or(self.owner.id, |g| g.id);
        let mut done = have;
        while done < rows {
            let batch = (rows - done).min(200_000);
            self.db
                .query(
                    "WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2) \
                     INSERT INTO rtc_signals (meeting_id, from_user_id, to_user_id, type, payload, created_at, acked_at) \
                     SELECT CASE WHEN i % 10 = 0 THEN $3 ELSE $4 + (i % $5) END, $6, \
                            CASE WHEN i % 10 = 0 THEN $7 ELSE $8 + (i % $9) END, 'candidate', \
                            '{\"candidate\":\"candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host\"}', $10, \
                            CASE WHEN i % 10 = 0 THEN $10 ELSE NULL END \
                     FROM n",
                )
                .bind(done)
                .bind(done + batch)
                .bind(self.call_id)
                .bind(first)
                .bind(last - first + 1)
                .bind(self.owner.id)
                .bind(receiver)
                .bind(first_guest)
                .bind(guests)
                .bind(now_millis())
                .execute(&mut *self.db.writer().await.map_err(|e| e.to_string())?)
                .await
                .map_err(|e| format!("seeding signals: {e}"))?;
            done += batch;
        }
        // Fresh statistics, and the bulk insert moved out of the write-ahead log and written
        // to disk, as a long-running database would have them: otherwise the kernel is still
        // writing back the seeding's hundreds of megabytes while the next stage measures.
        for statement in ["ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"] {
            self.db
                .query(statement)
                .execute(&mut *self.db.writer().await.map_err(|e| e.to_string())?)
                .await
                .map_err(|e| format!("{statement}: {e}"))?;
        }
        tokio::task::spawn_blocking(|| {
            // SAFETY: sync(2) takes no arguments and only flushes the kernel's dirty buffers.
            unsafe { libc::sync() }
        })
        .await
        .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// How many recipients have a parked poll on the server.
    pub async fn parked(&self) -> Result<usize, String> {
        let text = self
            .client
            .get(self.url("/bench/parked"))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        text.trim().parse().map_err(|_| format!("parked: {text:?}"))
    }

    /// Waits until exactly `count` recipients are parked (at most 30 s).
    pub async fn until_parked(&self, count: usize) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let now = self.parked().await?;
            if now == count {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!("{now} parked polls, expected {count}"));
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}
