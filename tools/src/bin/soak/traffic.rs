//! The soak's clients: API calls with a tally of answers, the meetings they meet in, and the
//! senders and receivers that exchange numbered signals.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};
use tokio::sync::Mutex;

#[derive(Default)]
pub struct Tally {
    pub requests: AtomicU64,
    pub server_errors: AtomicU64,
    pub other_errors: AtomicU64,
    pub transport_errors: AtomicU64,
}

impl Tally {
    fn count(&self, status: u16) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if status >= 500 {
            self.server_errors.fetch_add(1, Ordering::Relaxed);
        } else if status >= 400 {
            self.other_errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

pub struct Api {
    pub http: Client,
    pub base: String,
    pub tally: Tally,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<(u16, Value), String> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| {
            self.tally.transport_errors.fetch_add(1, Ordering::Relaxed);
            format!("{path}: {e}")
        })?;
        let status = response.status().as_u16();
        self.tally.count(status);
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> Result<(u16, Value), String> {
        self.call(reqwest::Method::POST, path, Some(token), Some(body))
            .await
    }

    async fn expect(
        &self,
        path: &str,
        token: &str,
        body: Value,
        ok: &[u16],
    ) -> Result<Value, String> {
        let (status, answer) = self.post(path, token, body).await?;
        if ok.contains(&status) {
            Ok(answer)
        } else {
            Err(format!("{path} answered {status}: {answer}"))
        }
    }
}

#[derive(Clone)]
pub struct Member {
    pub id: i64,
    pub token: String,
}

pub async fn register(api: &Api, n: usize) -> Result<Member, String> {
    let body = json!({"name": format!("Soak {n}"), "email": format!("soak{n}@example.org"), "password": "soak password"});
    let (status, answer) = api
        .call(
            reqwest::Method::POST,
            "/api/auth/register",
            None,
            Some(body),
        )
        .await?;
    match (
        status,
        answer["user"]["id"].as_i64(),
        answer["access_token"].as_str(),
    ) {
        (201, Some(id), Some(token)) => Ok(Member {
            id,
            token: token.to_string(),
        }),
        _ => Err(format!("register answered {status}: {answer}")),
    }
}

/// A started meeting of four, everyone joined.
pub async fn meeting(api: &Api, members: &[Member]) -> Result<i64, String> {
    let owner = &members[0];
    let body =
        json!({"title": "Soak", "scheduled_at": "2030-01-01T10:00:00Z", "duration_minutes": 600});
    let created = api
        .expect("/api/meetings", &owner.token, body, &[201])
        .await?;
    let id = created["meeting"]["id"].as_i64().ok_or("no meeting id")?;
    for guest in &members[1..] {
        let path = format!("/api/meetings/{id}/invite");
        let invitation = api
            .expect(
                &path,
                &owner.token,
                json!({"invitee_user_id": guest.id}),
                &[201],
            )
            .await?;
        let invitation = invitation["id"].as_i64().ok_or("no invitation id")?;
        let path = format!("/api/invitations/{invitation}/accept");
        api.expect(&path, &guest.token, json!({}), &[200]).await?;
    }
    api.expect(
        &format!("/api/meetings/{id}/start"),
        &owner.token,
        json!({}),
        &[200],
    )
    .await?;
    for member in members {
        let path = format!("/api/meetings/{id}/presence/join");
        api.expect(&path, &member.token, json!({}), &[200, 201])
            .await?;
    }
    Ok(id)
}

/// What the clients saw: signal id → (from, to, seq) when answered 201, and how many times
/// each id was delivered.
#[derive(Default)]
pub struct Ledger {
    pub sent: HashMap<i64, (i64, i64, u64)>,
    pub received: HashMap<i64, u32>,
    pub out_of_order: u64,
    pub send_latencies_ms: Vec<u64>,
}

pub async fn sender(
    api: Arc<Api>,
    meeting: i64,
    me: Member,
    others: Vec<i64>,
    period: Duration,
    stop: Arc<AtomicBool>,
    ledger: Arc<Mutex<Ledger>>,
) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let path = format!("/api/meetings/{meeting}/rtc/send");
    let mut seq = 0u64;
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        let to = others[usize::try_from(seq).unwrap_or(0) % others.len()];
        let body = json!({"to_user_id": to, "type": "candidate", "payload": {"seq": seq, "candidate": "candidate:1 1 udp 2122260223 10.0.0.1 54321 typ host"}});
        let started = Instant::now();
        if let Ok((201, answer)) = api.post(&path, &me.token, body).await
            && let Some(id) = answer["id"].as_i64()
        {
            let mut ledger = ledger.lock().await;
            ledger.sent.insert(id, (me.id, to, seq));
            ledger
                .send_latencies_ms
                .push(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        }
        seq += 1;
    }
}

pub async fn receiver(
    api: Arc<Api>,
    meeting: i64,
    me: Member,
    stop: Arc<AtomicBool>,
    ledger: Arc<Mutex<Ledger>>,
) {
    let mut since = 0i64;
    let mut last_seq: HashMap<i64, u64> = HashMap::new();
    while !stop.load(Ordering::Relaxed) {
        let path = format!("/api/meetings/{meeting}/rtc/inbox?since_id={since}&wait=5&limit=500");
        let Ok((200, batch)) = api
            .call(reqwest::Method::GET, &path, Some(&me.token), None)
            .await
        else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        let batch = batch.as_array().cloned().unwrap_or_default();
        if batch.is_empty() {
            continue;
        }
        let mut ids = Vec::with_capacity(batch.len());
        {
            let mut ledger = ledger.lock().await;
            for signal in &batch {
                let (Some(id), Some(from), Some(seq)) = (
                    signal["id"].as_i64(),
                    signal["from_user_id"].as_i64(),
                    signal["payload"]["seq"].as_u64(),
                ) else {
                    continue;
                };
                *ledger.received.entry(id).or_default() += 1;
                if last_seq
                    .insert(from, seq)
                    .is_some_and(|previous| previous >= seq)
                {
                    ledger.out_of_order += 1;
                }
                ids.push(id);
                since = since.max(id);
            }
        }
        let _ = api
            .post(
                &format!("/api/meetings/{meeting}/rtc/ack"),
                &me.token,
                json!({ "ids": ids }),
            )
            .await;
    }
}
