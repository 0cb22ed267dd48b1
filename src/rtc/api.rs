//! The signaling and presence endpoints of the REST API, called with same-origin `fetch`.
//! Every request of a running call but the presence ones shares one `AbortController`, so
//! leaving cancels the long poll at once instead of letting it hang for up to 25 seconds.

use std::cell::RefCell;

use js_sys::Promise;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestCredentials, RequestInit, Response};

use crate::error::ErrorCode;
use crate::model::{Participant, PeerMessage, Route, Signal};

#[derive(Debug)]
pub enum ApiError {
    /// The call is shutting down; not a failure.
    Aborted,
    /// The server answered with an error status; `code` is the API's error code.
    Status {
        code: ErrorCode,
        message: String,
    },
    Network(String),
}

impl ApiError {
    pub fn message(&self) -> String {
        match self {
            ApiError::Aborted => "stopped".into(),
            ApiError::Status { message, .. } => message.clone(),
            ApiError::Network(m) => m.clone(),
        }
    }
}

/// How long leaving waits for a join still on its way.
const JOIN_WAIT_MS: i32 = 5_000;

pub struct Api {
    base: String,
    abort: AbortController,
    /// The latest join's request. A join is never aborted, as the server may have it already;
    /// the leave waits for it, or a join that arrives after the leave would count us present
    /// again.
    joining: RefCell<Option<Promise>>,
}

impl Api {
    pub fn new(meeting_id: i64) -> Self {
        Self {
            base: format!("/api/meetings/{meeting_id}"),
            abort: AbortController::new().expect("AbortController is available in every browser"),
            joining: RefCell::new(None),
        }
    }

    pub fn abort(&self) {
        self.abort.abort();
    }

    pub async fn join(&self) -> Result<(), ApiError> {
        let sent = self.fetch("POST", "/presence/join", None, false)?;
        *self.joining.borrow_mut() = Some(sent.clone());
        self.answer::<serde_json::Value>(sent).await.map(|_| ())
    }

    /// Once the server has answered the latest join, or a few seconds have passed (a join
    /// that never gets an answer must not keep the user in the call). Not tied to the abort
    /// signal, and `keepalive` so it completes even while the page unloads.
    pub async fn leave(&self) -> Result<(), ApiError> {
        let joining = self.joining.borrow_mut().take();
        if let Some(joining) = joining {
            let first = js_sys::Array::of2(&joining, &super::js::timer(JOIN_WAIT_MS));
            let _ = JsFuture::from(Promise::race(&first)).await;
        }
        self.request::<serde_json::Value>("POST", "/presence/leave", None, false)
            .await
            .map(|_| ())
    }

    pub async fn participants(&self) -> Result<Vec<Participant>, ApiError> {
        self.request("GET", "/participants?active=1", None, true)
            .await
    }

    pub async fn inbox(&self, since_id: i64) -> Result<Vec<Signal>, ApiError> {
        let path = format!("/rtc/inbox?since_id={since_id}&wait=25&limit=200");
        self.request("GET", &path, None, true).await
    }

    pub async fn ack(&self, ids: &[i64]) -> Result<(), ApiError> {
        let body = serde_json::json!({ "ids": ids });
        self.request::<serde_json::Value>("POST", "/rtc/ack", Some(body), true)
            .await
            .map(|_| ())
    }

    /// `abortable: false` for the goodbyes sent while the call shuts down.
    pub async fn send(
        &self,
        to: i64,
        message: &PeerMessage,
        route: &Route,
        abortable: bool,
    ) -> Result<(), ApiError> {
        let body = serde_json::json!({
            "to_user_id": to,
            "type": message.kind(),
            "payload": message.payload(route),
        });
        self.request::<serde_json::Value>("POST", "/rtc/send", Some(body), abortable)
            .await
            .map(|_| ())
    }

    async fn request<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
        abortable: bool,
    ) -> Result<T, ApiError> {
        let sent = self.fetch(method, path, body, abortable)?;
        self.answer(sent).await
    }

    /// Sends a request; the promise settles with its response.
    fn fetch(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
        abortable: bool,
    ) -> Result<Promise, ApiError> {
        let window = web_sys::window().ok_or_else(|| ApiError::Network("no window".into()))?;
        let init = RequestInit::new();
        init.set_method(method);
        init.set_credentials(RequestCredentials::SameOrigin);
        let headers = Headers::new().map_err(|e| ApiError::Network(super::js::describe(&e)))?;
        let _ = headers.set("Accept", "application/json");
        if let Some(body) = body {
            let _ = headers.set("Content-Type", "application/json");
            init.set_body(&JsValue::from_str(&body.to_string()));
        }
        init.set_headers(&headers);
        if abortable {
            init.set_signal(Some(&self.abort.signal()));
        } else {
            super::js::set(&init, "keepalive", &JsValue::TRUE);
        }
        let url = format!("{}{}", self.base, path);
        Ok(window.fetch_with_str_and_init(&url, &init))
    }

    async fn answer<T: DeserializeOwned>(&self, sent: Promise) -> Result<T, ApiError> {
        let res = JsFuture::from(sent).await.map_err(|e| self.failure(&e))?;
        let res: Response = res
            .dyn_into()
            .map_err(|_| ApiError::Network("not a response".into()))?;
        let status = res.status();
        let text = match res.text() {
            Ok(p) => JsFuture::from(p).await.map_err(|e| self.failure(&e))?,
            Err(e) => return Err(self.failure(&e)),
        };
        let text = text.as_string().unwrap_or_default();
        if !(200..300).contains(&status) {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            return Err(ApiError::Status {
                code: ErrorCode::parse(&field("error")),
                message: field("message"),
            });
        }
        serde_json::from_str(&text)
            .map_err(|e| ApiError::Network(format!("unexpected answer: {e}")))
    }

    fn failure(&self, e: &JsValue) -> ApiError {
        if self.abort.signal().aborted() {
            ApiError::Aborted
        } else {
            ApiError::Network(super::js::describe(e))
        }
    }
}
