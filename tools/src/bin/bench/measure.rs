//! The measurements themselves: latencies of parked-poll deliveries and of the bare handler,
//! request throughput over a fixed time, sequential request latency.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use reqwest::Client;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::fixture::{World, post};

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The body of a `200` answer to `GET url`; anything else is an error.
async fn get_body(client: &Client, url: &str, token: Option<&str>) -> Result<Bytes, String> {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let res = request
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    if res.status() != 200 {
        return Err(format!("GET {url}: {}", res.status()));
    }
    res.bytes().await.map_err(|e| format!("GET {url}: {e}"))
}

async fn get_ok(client: &Client, url: &str, token: Option<&str>) -> Result<Value, String> {
    let bytes = get_body(client, url, token).await?;
    Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// `n` bare requests fired at once; each one's round trip in ms.
pub async fn ping_burst(w: &World, n: usize) -> Result<Vec<f64>, String> {
    let tasks: Vec<JoinHandle<Result<f64, String>>> = (0..n)
        .map(|_| {
            let (client, url) = (w.client.clone(), w.url("/api/ping"));
            tokio::spawn(async move {
                let began = Instant::now();
                get_ok(&client, &url, None).await?;
                Ok(ms(began.elapsed()))
            })
        })
        .collect();
    let mut samples = Vec::with_capacity(n);
    for task in tasks {
        samples.push(task.await.map_err(|e| e.to_string())??);
    }
    Ok(samples)
}

/// Parks `receiver`'s inbox poll for signals after `since`; resolves to when it answered.
fn park(w: &World, receiver: usize, since: i64, wait: u64) -> JoinHandle<Result<Instant, String>> {
    let client = w.client.clone();
    let token = w.guests[receiver].token.clone();
    let url = w.inbox_url(wait, since);
    tokio::spawn(async move {
        let body = get_ok(&client, &url, Some(&token)).await?;
        let answered = Instant::now();
        match body.as_array() {
            Some(list) if !list.is_empty() => Ok(answered),
            _ => Err(format!("a parked poll answered without its signal: {body}")),
        }
    })
}

/// Sends one signal; resolves to when the request left and when its 201 came back.
fn send(
    w: &World,
    sender: usize,
    receiver: usize,
) -> JoinHandle<Result<(Instant, Instant), String>> {
    let client = w.client.clone();
    let token = w.guests[sender].token.clone();
    let url = w.url(&format!("/api/meetings/{}/rtc/send", w.call_id));
    let body =
        json!({"to_user_id": w.guests[receiver].id, "type": "offer", "payload": {"sdp": "v=0"}});
    tokio::spawn(async move {
        let began = Instant::now();
        post(&client, url, Some(&token), body).await?;
        Ok((began, Instant::now()))
    })
}

/// One round of `pairs` (sender, receiver): every receiver parks, then every sender sends at
/// once. Each sample is from the send request leaving to its receiver's poll answering; the
/// second list holds the send requests' own round trips.
pub async fn delivery_round(
    w: &World,
    pairs: &[(usize, usize)],
) -> Result<(Vec<f64>, Vec<f64>), String> {
    let since = w.high_water().await?;
    let parked: Vec<_> = pairs.iter().map(|&(_, r)| park(w, r, since, 10)).collect();
    w.until_parked(pairs.len()).await?;
    let sent: Vec<_> = pairs.iter().map(|&(s, r)| send(w, s, r)).collect();
    let mut samples = Vec::with_capacity(pairs.len());
    let mut sends = Vec::with_capacity(pairs.len());
    for (sent, parked) in sent.into_iter().zip(parked) {
        let (began, stored) = sent.await.map_err(|e| e.to_string())??;
        let answered = parked.await.map_err(|e| e.to_string())??;
        samples.push(ms(answered.saturating_duration_since(began)));
        sends.push(ms(stored.saturating_duration_since(began)));
    }
    Ok((samples, sends))
}

pub struct ParkedMany {
    pub rss_idle_kib: u64,
    pub rss_parked_kib: u64,
    /// One delivery at a time while the others stay parked.
    pub one_by_one: Vec<f64>,
    /// The remaining receivers, all sent to at once.
    pub burst: Vec<f64>,
}

/// Parks the first `n` guests at once, reads the server's memory, then delivers to
/// `one_by_one` of them in turn and to the rest in one burst.
pub async fn parked_many(
    w: &World,
    rss: impl Fn() -> Option<u64>,
    n: usize,
    one_by_one: usize,
) -> Result<ParkedMany, String> {
    let since = w.high_water().await?;
    let rss_idle_kib = rss().unwrap_or(0);
    let mut parked: Vec<_> = (0..n).map(|r| Some(park(w, r, since, 30))).collect();
    w.until_parked(n).await?;
    let rss_parked_kib = rss().unwrap_or(0);
    let mut result = ParkedMany {
        rss_idle_kib,
        rss_parked_kib,
        one_by_one: Vec::new(),
        burst: Vec::new(),
    };
    for (r, poll) in parked.iter_mut().enumerate().take(one_by_one.min(n)) {
        let (began, _) = send(w, (r + 1) % n, r).await.map_err(|e| e.to_string())??;
        let answered = poll.take().ok_or("poll already used")?;
        let answered = answered.await.map_err(|e| e.to_string())??;
        result
            .one_by_one
            .push(ms(answered.saturating_duration_since(began)));
    }
    let rest: Vec<usize> = (one_by_one.min(n)..n).collect();
    let sent: Vec<_> = rest.iter().map(|&r| send(w, (r + 1) % n, r)).collect();
    for (r, sent) in rest.into_iter().zip(sent) {
        let (began, _) = sent.await.map_err(|e| e.to_string())??;
        let answered = parked[r].take().ok_or("poll already used")?;
        let answered = answered.await.map_err(|e| e.to_string())??;
        result
            .burst
            .push(ms(answered.saturating_duration_since(began)));
    }
    Ok(result)
}

/// Requests per second that `workers` concurrent clients complete in `duration`, each
/// repeating its own (url, token).
pub async fn throughput(
    w: &World,
    workers: Vec<(String, Option<String>)>,
    duration: Duration,
) -> Result<f64, String> {
    let requests = workers.into_iter().map(|(url, token)| {
        let client = w.client.clone();
        move || {
            let (client, url, token) = (client.clone(), url.clone(), token.clone());
            async move { get_ok(&client, &url, token.as_deref()).await.map(drop) }
        }
    });
    rate(requests.collect(), duration).await
}

/// Signals per second that concurrent (sender, receiver) workers store in `duration`.
pub async fn send_throughput(
    w: &World,
    pairs: &[(usize, usize)],
    duration: Duration,
) -> Result<f64, String> {
    let requests = pairs.iter().map(|&(s, r)| {
        let client = w.client.clone();
        let token = w.guests[s].token.clone();
        let url = w.url(&format!("/api/meetings/{}/rtc/send", w.call_id));
        let body = json!({"to_user_id": w.guests[r].id, "type": "candidate", "payload": {"n": 1}});
        move || {
            let (client, url, token, body) =
                (client.clone(), url.clone(), token.clone(), body.clone());
            async move { post(&client, url, Some(&token), body).await.map(drop) }
        }
    });
    rate(requests.collect(), duration).await
}

/// Runs each worker's request over and over, all at once, for `duration`; completed requests
/// per second over all workers.
async fn rate<F, Fut>(workers: Vec<F>, duration: Duration) -> Result<f64, String>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let began = Instant::now();
    let deadline = began + duration;
    let tasks: Vec<JoinHandle<Result<u64, String>>> = workers
        .into_iter()
        .map(|mut request| {
            tokio::spawn(async move {
                let mut done = 0;
                while Instant::now() < deadline {
                    request().await?;
                    done += 1;
                }
                Ok(done)
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.map_err(|e| e.to_string())??;
    }
    Ok(total as f64 / began.elapsed().as_secs_f64())
}

/// `n` requests one after another; each round trip in ms.
pub async fn sequential(
    client: &Client,
    url: &str,
    token: Option<&str>,
    n: usize,
) -> Result<Vec<f64>, String> {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let began = Instant::now();
        get_body(client, url, token).await?;
        samples.push(ms(began.elapsed()));
    }
    Ok(samples)
}
