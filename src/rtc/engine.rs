//! A running call: joins presence, owns the local media and every peer connection, and runs
//! three loops (signal inbox, presence, stats) until the page leaves. Presence decides who gets
//! a link; the inbox carries the negotiation (see `signals`).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MediaStream, MediaStreamTrack};

use super::api::{Api, ApiError};
use super::js;
use super::peer::{Peer, first_track};
use super::{CallUi, Tile};
use crate::error::ErrorCode;
use crate::model::{CallInfo, PeerMessage, Route};

pub struct Inner {
    pub me: i64,
    /// This page's id; a reload gets a new one, so the others know to start over.
    pub instance: String,
    pub ice: JsValue,
    pub api: Api,
    pub ui: CallUi,
    started: f64,
    pub st: RefCell<State>,
    next_epoch: Cell<u32>,
}

#[derive(Default)]
pub struct State {
    pub stopped: bool,
    /// The server ended the call for us (the meeting closed, or joining was refused for good):
    /// it already counts us out, so leaving says nothing more to it.
    let_go: bool,
    pub local: Option<MediaStream>,
    pub peers: HashMap<i64, Rc<Peer>>,
    pub names: HashMap<i64, String>,
    /// Users who said `bye`, with the instance that said it: no new link until they come back.
    pub gone: HashMap<i64, String>,
    outbox: VecDeque<(i64, PeerMessage, Route)>,
    pumping: bool,
    pagehide: Option<Closure<dyn FnMut(JsValue)>>,
}

/// The handle the page keeps; dropping it does nothing, `stop` or `leave` ends the call.
pub struct Call(Rc<Inner>);

impl Call {
    pub fn start(setup: &CallInfo, ui: CallUi) -> Call {
        let ice = serde_json::to_string(&setup.rtc.ice_servers)
            .ok()
            .and_then(|json| js_sys::JSON::parse(&json).ok())
            .unwrap_or_else(|| js_sys::Array::new().into());
        let inner = Rc::new(Inner {
            me: setup.user_id,
            instance: format!("{:x}", (js_sys::Math::random() * 1e15) as u64),
            ice,
            api: Api::new(setup.meeting_id),
            ui,
            started: js::now(),
            st: RefCell::new(State::default()),
            next_epoch: Cell::new(1),
        });
        let weak = Rc::downgrade(&inner);
        // A reload or closed tab never runs the page's cleanup: say goodbye from here instead.
        let on_hide = Closure::wrap(Box::new(move |_: JsValue| {
            if let Some(inner) = weak.upgrade() {
                shutdown(&inner, false);
            }
        }) as Box<dyn FnMut(JsValue)>);
        if let Some(w) = web_sys::window() {
            let _ =
                w.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
        }
        inner.st.borrow_mut().pagehide = Some(on_hide);
        spawn_local(run(inner.clone()));
        Call(inner)
    }

    pub fn set_muted(&self, muted: bool) {
        self.set_enabled("audio", !muted);
        self.0.ui.muted.try_set(muted);
        broadcast_state(&self.0);
    }

    pub fn set_camera_off(&self, off: bool) {
        self.set_enabled("video", !off);
        self.0.ui.camera_off.try_set(off);
        broadcast_state(&self.0);
    }

    fn set_enabled(&self, kind: &str, enabled: bool) {
        if let Some(t) = self
            .0
            .st
            .borrow()
            .local
            .as_ref()
            .and_then(|s| first_track(s, kind))
        {
            t.set_enabled(enabled);
        }
    }

    /// Ends the call and waits until the server knows, so a rejoin right after cannot race it.
    pub async fn leave(self) {
        let byes = shutdown(&self.0, true);
        if !let_go(&self.0) {
            farewell(self.0, byes).await;
        }
    }

    /// Ends the call without waiting (the page is going away).
    pub fn stop(self) {
        let byes = shutdown(&self.0, true);
        if !let_go(&self.0) {
            spawn_local(farewell(self.0, byes));
        }
    }
}

/// The goodbyes, one after the other, then the leave: the server refuses a goodbye from
/// someone no longer present.
async fn farewell(inner: Rc<Inner>, byes: Vec<Bye>) {
    for bye in byes {
        say_bye(&inner, bye).await;
    }
    let _ = inner.api.leave().await;
}

/// A goodbye to one participant: their user id, and their page instance when known. It names
/// that page, so a page of theirs opened later (a reload) does not take it for itself when it
/// reads the signals nobody acknowledged.
type Bye = (i64, Option<String>);

async fn say_bye(inner: &Inner, (to, instance): Bye) {
    let route = Route {
        from: inner.instance.clone(),
        to: instance,
        link: None,
    };
    let _ = inner.api.send(to, &PeerMessage::Bye, &route, false).await;
}

/// Stops every loop, request, connection and track. Returns whom to say `bye` to; on
/// `pagehide` the goodbyes go out here, as keep-alive requests, and presence simply times out
/// if the page does not come back.
fn shutdown(inner: &Rc<Inner>, caller_says_bye: bool) -> Vec<Bye> {
    let (peers, local, hide) = {
        let mut st = inner.st.borrow_mut();
        if st.stopped {
            return Vec::new();
        }
        st.stopped = true;
        st.outbox.clear();
        (
            std::mem::take(&mut st.peers),
            st.local.take(),
            st.pagehide.take(),
        )
    };
    inner.api.abort();
    if let (Some(w), Some(h)) = (web_sys::window(), hide.as_ref()) {
        let _ = w.remove_event_listener_with_callback("pagehide", h.as_ref().unchecked_ref());
    }
    // The listener may be the closure running right now: free it on a later turn.
    spawn_local(async move { drop(hide) });
    for p in peers.values() {
        p.close();
    }
    if let Some(local) = local {
        for t in local.get_tracks().iter() {
            if let Ok(t) = t.dyn_into::<MediaStreamTrack>() {
                t.stop();
            }
        }
    }
    // Nothing left to mute or turn off.
    inner.ui.has_audio.try_set(false);
    inner.ui.has_video.try_set(false);
    let byes: Vec<Bye> = peers
        .values()
        .map(|p| (p.uid, p.remote_instance.borrow().clone()))
        .collect();
    if caller_says_bye {
        return byes;
    }
    // All at once: the page is unloading, and only requests already started get out.
    for bye in byes {
        let inner = inner.clone();
        spawn_local(async move { say_bye(&inner, bye).await });
    }
    Vec::new()
}

pub fn stopped(inner: &Inner) -> bool {
    inner.st.borrow().stopped
}

fn let_go(inner: &Inner) -> bool {
    inner.st.borrow().let_go
}

/// Ends the call as on leaving, minus the goodbyes (the server would refuse them now), and
/// puts `message` on the page.
fn end_call(inner: &Rc<Inner>, message: String) {
    shutdown(inner, true);
    inner.st.borrow_mut().let_go = true;
    inner.ui.tiles.try_set(Vec::new());
    inner.ui.error.try_set(Some(message));
}

/// Whether `e` says the meeting has ended or was cancelled; if so the call ends with the
/// server's message.
pub fn ended_by(inner: &Rc<Inner>, e: &ApiError) -> bool {
    match e {
        ApiError::Status {
            code: ErrorCode::MeetingClosed,
            message,
        } => {
            end_call(inner, message.clone());
            true
        }
        _ => false,
    }
}

/// Joins again after the server stopped counting us present (a sleeping laptop, a throttled
/// tab, or the meeting closing, which lets everyone go). `false` once the call has ended:
/// the meeting closed, or joining is refused for good (say, the invitation was declined in
/// another tab). A failure that may pass (the network, a busy server) keeps the call going.
async fn rejoin(inner: &Rc<Inner>) -> bool {
    match inner.api.join().await {
        Err(e) if ended_by(inner, &e) => false,
        Err(ApiError::Status { code, message }) if refused_for_good(code) => {
            end_call(
                inner,
                format!("You can no longer join this call: {message}"),
            );
            false
        }
        _ => !stopped(inner),
    }
}

/// What a polling loop does when its request failed: joins again if the server no longer
/// counts us present, then waits out `backoff`, which grows. `false` when the loop should stop:
/// the call is shutting down, or has just ended, as it does when the server refuses for good
/// (say, the session ended in another tab: 401).
pub async fn after_failure(inner: &Rc<Inner>, e: &ApiError, backoff: &mut i32) -> bool {
    match e {
        ApiError::Aborted => false,
        e if ended_by(inner, e) => false,
        ApiError::Status {
            code: ErrorCode::JoinRequired,
            ..
        } => lost_presence(inner, backoff).await,
        ApiError::Status { code, message } if refused_for_good(*code) => {
            end_call(inner, format!("The call stopped: {message}"));
            false
        }
        _ => {
            wait_out(backoff).await;
            true
        }
    }
}

/// The server no longer counts us present: joins again, then waits out `backoff`. `false`
/// once the call has ended.
pub async fn lost_presence(inner: &Rc<Inner>, backoff: &mut i32) -> bool {
    if !rejoin(inner).await {
        return false;
    }
    wait_out(backoff).await;
    true
}

async fn wait_out(backoff: &mut i32) {
    js::sleep(js::jitter(*backoff)).await;
    *backoff = (*backoff * 2).min(10_000);
}

/// The API's error codes that say "no" for good: signed out, not (or no longer) allowed, no
/// such meeting. Anything else, including an answer that is not the API's own (a proxy's 502
/// while an instance restarts), may pass, and is retried.
fn refused_for_good(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::Unauthenticated
            | ErrorCode::Forbidden
            | ErrorCode::NotFound
            | ErrorCode::NotAccepted
    )
}

async fn run(inner: Rc<Inner>) {
    super::media::open_media(&inner).await;
    if stopped(&inner) {
        return;
    }
    if let Err(e) = inner.api.join().await {
        if !matches!(e, ApiError::Aborted) {
            end_call(&inner, format!("Could not join the call: {}", e.message()));
        }
        shutdown(&inner, true);
        return;
    }
    // Left while the join was on its way.
    if stopped(&inner) {
        return;
    }
    spawn_local(super::signals::inbox_loop(inner.clone()));
    spawn_local(super::presence::presence_loop(inner.clone()));
    spawn_local(super::presence::stats_loop(inner));
}

pub fn peer(inner: &Inner, uid: i64, epoch: u32) -> Option<Rc<Peer>> {
    inner
        .st
        .borrow()
        .peers
        .get(&uid)
        .filter(|p| p.epoch == epoch)
        .cloned()
}

/// A fresh link to `uid`, replacing any old one. The answering side says `hello` so the
/// offering side (re)offers even if it has not noticed us yet.
pub fn create_peer(
    inner: &Rc<Inner>,
    uid: i64,
    remote_instance: Option<String>,
    hello: bool,
) -> Option<Rc<Peer>> {
    if stopped(inner) {
        return None;
    }
    remove_peer(inner, uid);
    let epoch = inner.next_epoch.get();
    inner.next_epoch.set(epoch + 1);
    let local = inner.st.borrow().local.clone();
    let peer = match Peer::new(inner, uid, epoch, local.as_ref()) {
        Ok(p) => p,
        Err(e) => {
            leptos::logging::warn!("could not create a peer connection: {}", js::describe(&e));
            return None;
        }
    };
    *peer.remote_instance.borrow_mut() = remote_instance;
    inner.st.borrow_mut().peers.insert(uid, peer.clone());
    if hello && !peer.offerer {
        send_on_link(inner, uid, epoch, PeerMessage::Hello);
    }
    publish(inner);
    Some(peer)
}

pub fn remove_peer(inner: &Rc<Inner>, uid: i64) {
    let old = inner.st.borrow_mut().peers.remove(&uid);
    if let Some(old) = old {
        old.close();
        publish(inner);
    }
}

/// Queues a signal on the current link to `uid`, stamped with both instances and the link id.
pub fn send_on_link(inner: &Rc<Inner>, uid: i64, epoch: u32, message: PeerMessage) {
    let Some(p) = peer(inner, uid, epoch) else {
        return;
    };
    let route = Route {
        from: inner.instance.clone(),
        to: p.remote_instance.borrow().clone(),
        link: p.link.borrow().clone(),
    };
    let mut st = inner.st.borrow_mut();
    if st.stopped {
        return;
    }
    st.outbox.push_back((uid, message, route));
    if !st.pumping {
        st.pumping = true;
        spawn_local(pump(inner.clone()));
    }
}

/// Sends queued signals one at a time, so each pair's signals reach the server in order.
/// A send that may pass (the network, a busy or restarting server) is tried again after a
/// growing wait, before the next one goes: a lost offer or answer would otherwise hold the link
/// up until its restart, 10 s on. A refusal by the rules (the recipient left, say) drops it.
async fn pump(inner: Rc<Inner>) {
    'queue: loop {
        let next = inner.st.borrow_mut().outbox.pop_front();
        let Some((to, message, route)) = next else {
            break;
        };
        let mut backoff = 250;
        for attempt in 1..=SEND_TRIES {
            match inner.api.send(to, &message, &route, true).await {
                Ok(()) => break,
                Err(ApiError::Aborted) => break 'queue,
                Err(e) if attempt < SEND_TRIES && may_pass(&e) => {
                    wait_out(&mut backoff).await;
                    if stopped(&inner) {
                        break 'queue;
                    }
                }
                Err(e) => {
                    leptos::logging::warn!("signal not sent: {}", e.message());
                    break;
                }
            }
        }
    }
    inner.st.borrow_mut().pumping = false;
}

/// How often one signal is tried (the waits between come to about 2 s).
const SEND_TRIES: u32 = 4;

/// Whether a failed request may succeed when tried again: no answer, or one that is not a
/// refusal by the API's rules (a 5xx, a 429, or a proxy's page).
fn may_pass(e: &ApiError) -> bool {
    match e {
        ApiError::Network(_) => true,
        ApiError::Status { code, .. } => matches!(
            code,
            ErrorCode::ServiceUnavailable
                | ErrorCode::InternalError
                | ErrorCode::TooManyRequests
                | ErrorCode::Unknown
        ),
        ApiError::Aborted => false,
    }
}

pub async fn negotiate(inner: Rc<Inner>, uid: i64, epoch: u32) {
    let Some(p) = peer(&inner, uid, epoch) else {
        return;
    };
    p.making_offer.set(true);
    let done = js::call(&p.pc, "setLocalDescription", &[]).await;
    if done.is_ok()
        && let Some(desc) = js::to_json(&js::get(&p.pc, "localDescription"))
    {
        send_on_link(&inner, uid, epoch, PeerMessage::description(desc));
    }
    p.making_offer.set(false);
}

pub fn broadcast_state(inner: &Rc<Inner>) {
    let peers: Vec<(i64, u32)> = inner
        .st
        .borrow()
        .peers
        .values()
        .map(|p| (p.uid, p.epoch))
        .collect();
    for (uid, epoch) in peers {
        send_state(inner, uid, epoch);
    }
}

pub fn send_state(inner: &Rc<Inner>, uid: i64, epoch: u32) {
    let muted = inner.ui.muted.try_get_untracked().unwrap_or(false);
    let camera_off = inner.ui.camera_off.try_get_untracked().unwrap_or(false);
    send_on_link(inner, uid, epoch, PeerMessage::State { muted, camera_off });
}

pub fn on_state_change(inner: &Rc<Inner>, uid: i64, epoch: u32) {
    let Some(p) = peer(inner, uid, epoch) else {
        return;
    };
    let state = p.connection_state();
    // On every (re)connection: a state signal lost while the link was down goes again.
    if state == "connected" && *p.state.borrow() != "connected" {
        send_state(inner, uid, epoch);
    }
    *p.state.borrow_mut() = state;
    publish(inner);
}

/// Writes the links' current state into the page's tiles.
pub fn publish(inner: &Inner) {
    let st = inner.st.borrow();
    if st.stopped {
        return;
    }
    let mut tiles: Vec<Tile> = st
        .peers
        .values()
        .map(|p| Tile {
            user_id: p.uid,
            name: st
                .names
                .get(&p.uid)
                .cloned()
                .unwrap_or_else(|| format!("User {}", p.uid)),
            state: p.state.borrow().clone(),
            frames: p.frames.get(),
            muted: p.muted.get(),
            camera_off: p.camera_off.get(),
        })
        .collect();
    tiles.sort_by_key(|t| t.user_id);
    let all_up = !tiles.is_empty() && tiles.iter().all(|t| t.state == "connected");
    if all_up
        && inner
            .ui
            .connected_ms
            .try_get_untracked()
            .flatten()
            .is_none()
    {
        inner
            .ui
            .connected_ms
            .try_set(Some((js::now() - inner.started).round() as u64));
    }
    inner.ui.tiles.try_update(|old| {
        if *old != tiles {
            *old = tiles;
        }
    });
}
