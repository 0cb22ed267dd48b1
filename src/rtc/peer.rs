//! One link of the mesh: an `RTCPeerConnection` to one other participant, with the state the
//! perfect-negotiation pattern needs (polite/impolite, making-offer, ignored offers) and the
//! ICE candidates that arrived before the remote description.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MediaStream, MediaStreamTrack, RtcConfiguration, RtcPeerConnection};

use super::engine::{self, Inner};
use super::js;
use crate::model::PeerMessage;

pub struct Peer {
    pub uid: i64,
    pub epoch: u32,
    pub pc: RtcPeerConnection,
    /// The lower user id makes the offers; the other side is polite and yields on glare.
    pub offerer: bool,
    pub polite: bool,
    pub making_offer: Cell<bool>,
    pub ignore_offer: Cell<bool>,
    pub pending: RefCell<Vec<JsValue>>,
    /// The offering side's id for this connection: signals for an older one are dropped.
    pub link: RefCell<Option<String>>,
    /// The remote page instance, once it has spoken.
    pub remote_instance: RefCell<Option<String>>,
    pub remote_stream: MediaStream,
    /// When this connection was created.
    pub since: Cell<f64>,
    /// When this connection was last seen connected (or created, or asked for a fresh
    /// negotiation): how long it has been down.
    pub up_at: Cell<f64>,
    pub state: RefCell<String>,
    pub frames: Cell<u64>,
    pub muted: Cell<bool>,
    pub camera_off: Cell<bool>,
    closures: RefCell<Vec<EventHandler>>,
}

/// An event callback handed to the browser; kept alive as long as its connection.
type EventHandler = Closure<dyn FnMut(JsValue)>;

impl Peer {
    pub fn new(
        inner: &Rc<Inner>,
        uid: i64,
        epoch: u32,
        local: Option<&MediaStream>,
    ) -> Result<Rc<Peer>, JsValue> {
        let cfg = js_sys::Object::new();
        js::set(&cfg, "iceServers", &inner.ice);
        let pc =
            RtcPeerConnection::new_with_configuration(cfg.unchecked_ref::<RtcConfiguration>())?;
        let offerer = inner.me < uid;
        let peer = Rc::new(Peer {
            uid,
            epoch,
            pc,
            offerer,
            polite: !offerer,
            making_offer: Cell::new(false),
            ignore_offer: Cell::new(false),
            pending: RefCell::new(Vec::new()),
            link: RefCell::new(offerer.then(|| format!("{}-{epoch}", inner.instance))),
            remote_instance: RefCell::new(None),
            remote_stream: MediaStream::new()?,
            since: Cell::new(js::now()),
            up_at: Cell::new(js::now()),
            state: RefCell::new("new".into()),
            frames: Cell::new(0),
            muted: Cell::new(false),
            camera_off: Cell::new(false),
            closures: RefCell::new(Vec::new()),
        });
        peer.wire(Rc::downgrade(inner));
        if offerer {
            // Adding the transceivers fires `negotiationneeded`, which sends the offer.
            for kind in ["audio", "video"] {
                let track = local.and_then(|s| first_track(s, kind));
                let init = js_sys::Object::new();
                let arg = match (&track, local) {
                    (Some(t), Some(s)) => {
                        js::set(&init, "direction", &"sendrecv".into());
                        js::set(&init, "streams", &js_sys::Array::of1(s));
                        JsValue::from(t)
                    }
                    _ => {
                        js::set(&init, "direction", &"recvonly".into());
                        JsValue::from_str(kind)
                    }
                };
                js::call_sync(&peer.pc, "addTransceiver", &[arg, init.into()])?;
            }
        }
        Ok(peer)
    }

    fn wire(self: &Rc<Self>, inner: Weak<Inner>) {
        let (uid, epoch) = (self.uid, self.epoch);
        let on = |name: &str, f: Box<dyn FnMut(JsValue)>| {
            let closure = Closure::wrap(f);
            js::set(&self.pc, name, closure.as_ref());
            self.closures.borrow_mut().push(closure);
        };
        let w = inner.clone();
        on(
            "onicecandidate",
            Box::new(move |ev: JsValue| {
                let cand = js::get(&ev, "candidate");
                if cand.is_null() || cand.is_undefined() {
                    return;
                }
                if let (Some(inner), Some(c)) = (w.upgrade(), js::to_json(&cand)) {
                    engine::send_on_link(&inner, uid, epoch, PeerMessage::Ice { candidate: c });
                }
            }),
        );
        let w = inner.clone();
        on(
            "onnegotiationneeded",
            Box::new(move |_| {
                if let Some(inner) = w.upgrade() {
                    leptos::task::spawn_local(engine::negotiate(inner, uid, epoch));
                }
            }),
        );
        let w = inner.clone();
        on(
            "ontrack",
            Box::new(move |ev: JsValue| {
                let Some(inner) = w.upgrade() else { return };
                let Some(peer) = engine::peer(&inner, uid, epoch) else {
                    return;
                };
                if let Ok(track) = js::get(&ev, "track").dyn_into::<MediaStreamTrack>() {
                    peer.remote_stream.add_track(&track);
                }
                super::media::attach_video(&peer);
            }),
        );
        let w = inner;
        on(
            "onconnectionstatechange",
            Box::new(move |_| {
                if let Some(inner) = w.upgrade() {
                    engine::on_state_change(&inner, uid, epoch);
                }
            }),
        );
    }

    pub fn connection_state(&self) -> String {
        js::get_str(&self.pc, "connectionState").unwrap_or_else(|| "closed".into())
    }

    pub fn signaling_state(&self) -> String {
        js::get_str(&self.pc, "signalingState").unwrap_or_else(|| "closed".into())
    }

    pub fn has_remote_description(&self) -> bool {
        let d = js::get(&self.pc, "remoteDescription");
        !(d.is_null() || d.is_undefined())
    }

    /// Gives the transceivers the remote offer created our camera and microphone to send.
    pub async fn attach_local(&self, local: Option<&MediaStream>) {
        let Some(local) = local else { return };
        let Ok(list) = js::call_sync(&self.pc, "getTransceivers", &[]) else {
            return;
        };
        for t in js_sys::Array::from(&list).iter() {
            let sender = js::get(&t, "sender");
            if !js::get(&sender, "track").is_null() {
                continue;
            }
            let kind = js::get_str(&js::get(&js::get(&t, "receiver"), "track"), "kind");
            if let Some(track) = kind.and_then(|k| first_track(local, &k)) {
                let _ = js::call(&sender, "replaceTrack", &[track.into()]).await;
                js::set(&t, "direction", &"sendrecv".into());
            }
        }
    }

    /// Inbound video frames decoded so far, from `getStats`.
    pub async fn frames_decoded(&self) -> Option<u64> {
        let report = js::call(&self.pc, "getStats", &[]).await.ok()?;
        let map: js_sys::Map = report.unchecked_into();
        let mut frames = None;
        map.for_each(&mut |v, _| {
            let inbound = js::get_str(&v, "type").as_deref() == Some("inbound-rtp");
            let video = js::get_str(&v, "kind").as_deref() == Some("video");
            if inbound && video {
                let n = js::get(&v, "framesDecoded").as_f64().unwrap_or(0.0) as u64;
                frames = Some(frames.unwrap_or(0) + n);
            }
        });
        frames
    }

    /// Detaches the handlers before closing, so no closure runs after it is dropped.
    pub fn close(&self) {
        for name in [
            "onicecandidate",
            "onnegotiationneeded",
            "ontrack",
            "onconnectionstatechange",
        ] {
            js::set(&self.pc, name, &JsValue::NULL);
        }
        self.pc.close();
        for t in self.remote_stream.get_tracks().iter() {
            if let Ok(t) = t.dyn_into::<MediaStreamTrack>() {
                t.stop();
            }
        }
        self.closures.borrow_mut().clear();
    }
}

pub fn first_track(stream: &MediaStream, kind: &str) -> Option<MediaStreamTrack> {
    let tracks = if kind == "audio" {
        stream.get_audio_tracks()
    } else {
        stream.get_video_tracks()
    };
    tracks.get(0).dyn_into::<MediaStreamTrack>().ok()
}
