//! The signal inbox: a long poll that hands each signal, in order, to the link it belongs to,
//! then acknowledges the batch. Negotiation follows the perfect-negotiation pattern: the
//! impolite side (the offerer, lower user id) ignores a colliding offer, the polite side rolls
//! its own back (implicitly, in `setRemoteDescription`).

use std::rc::Rc;

use super::engine::{self, Inner, create_peer, publish, remove_peer, stopped};
use super::js;
use crate::model::{PeerMessage, Route, Signal, SignalType};

/// The most ids one acknowledgement may carry (the API's limit).
const MAX_ACK: usize = 1000;

pub async fn inbox_loop(inner: Rc<Inner>) {
    let mut since_id = 0;
    let mut backoff = 500;
    // Handled but not yet acknowledged: a failed acknowledgement goes again with the next, so
    // no handled signal stays on the server for a later page of ours to read again.
    let mut unacked: Vec<i64> = Vec::new();
    while !stopped(&inner) {
        match inner.api.inbox(since_id).await {
            Ok(signals) => {
                backoff = 500;
                for s in signals {
                    since_id = since_id.max(s.id);
                    unacked.push(s.id);
                    handle(&inner, s).await;
                    if stopped(&inner) {
                        return;
                    }
                }
                if !unacked.is_empty() {
                    let batch = unacked.len().min(MAX_ACK);
                    if inner.api.ack(&unacked[..batch]).await.is_ok() {
                        unacked.drain(..batch);
                    }
                }
            }
            Err(e) => {
                if !engine::after_failure(&inner, &e, &mut backoff).await {
                    break;
                }
            }
        }
    }
}

/// Says on the console why a signal was not acted on, so that a client that speaks the
/// protocol wrongly (docs/SIGNALING.md) shows why instead of a link that never comes up.
fn ignored(s: &Signal, why: &str) {
    leptos::logging::log!(
        "signal {} ({} from user {}) ignored: {why}",
        s.id,
        s.kind,
        s.from_user_id
    );
}

async fn handle(inner: &Rc<Inner>, s: Signal) {
    let uid = s.from_user_id;
    let Some((route, message)) = PeerMessage::read(s.kind, &s.payload) else {
        return ignored(&s, "a candidate of an unknown `kind`");
    };
    let Route { from, to, link } = route;
    // Meant for an earlier page of ours (before a reload): not ours to act on.
    if to.as_ref().is_some_and(|to| *to != inner.instance) {
        return ignored(&s, "meant for another page (`to`) of this user");
    }
    let current = inner.st.borrow().peers.get(&uid).cloned();
    let known = current
        .as_ref()
        .and_then(|c| c.remote_instance.borrow().clone());
    let new_instance = known.as_deref().is_some_and(|k| k != from);

    if message == PeerMessage::Bye {
        if !new_instance {
            inner.st.borrow_mut().gone.insert(uid, from);
            remove_peer(inner, uid);
        }
        return;
    }
    let announces = matches!(message, PeerMessage::Offer { .. } | PeerMessage::Hello);
    if announces {
        let mut st = inner.st.borrow_mut();
        if st.gone.get(&uid).is_some_and(|g| *g == from) {
            return ignored(&s, "from a page that said `bye`");
        }
        st.gone.remove(&uid);
    } else if new_instance {
        return ignored(
            &s,
            "from a new page (`from`) that has not sent an offer or `hello`",
        );
    } else if inner.st.borrow().gone.contains_key(&uid) {
        return ignored(&s, "from a user who said `bye` and has not come back");
    }

    let offerer = inner.me < uid;
    let peer = match current {
        Some(c) if !new_instance => c,
        // The other side is new (or was reloaded): a fresh link.
        _ if announces => match create_peer(inner, uid, Some(from.clone()), false) {
            Some(c) => c,
            None => return,
        },
        _ => {
            return ignored(
                &s,
                "no link to this user yet: it starts with an offer or `hello`",
            );
        }
    };
    if peer.remote_instance.borrow().is_none() {
        *peer.remote_instance.borrow_mut() = Some(from.clone());
    }

    match message {
        PeerMessage::Hello => {
            // The answering side is waiting for an offer. A link that is up, or too young to
            // judge, stays; otherwise the offerer starts it over.
            let fresh = js::now() - peer.since.get() < 3_000.0;
            if offerer && !fresh && peer.connection_state() != "connected" {
                create_peer(inner, uid, Some(from), false);
            }
        }
        PeerMessage::State { muted, camera_off } => {
            peer.muted.set(muted);
            peer.camera_off.set(camera_off);
            publish(inner);
        }
        PeerMessage::Ice { candidate } => {
            if link != *peer.link.borrow() {
                return ignored(&s, "a candidate for another link (`link`)");
            }
            let cand = js::from_json(&candidate);
            if !peer.has_remote_description() {
                peer.pending.borrow_mut().push(cand);
            } else if let Err(e) = js::call(&peer.pc, "addIceCandidate", &[cand]).await
                && !peer.ignore_offer.get()
            {
                leptos::logging::warn!("ICE candidate refused: {}", js::describe(&e));
            }
        }
        PeerMessage::Offer { sdp } | PeerMessage::Answer { sdp } => {
            let is_offer = s.kind == SignalType::Offer;
            let mut peer = peer;
            if is_offer && !offerer && link.is_some() && *peer.link.borrow() != link {
                // An offer for a new connection from the offering side: answer it on a new one.
                if peer.link.borrow().is_some() {
                    match create_peer(inner, uid, Some(from), false) {
                        Some(c) => peer = c,
                        None => return,
                    }
                }
                *peer.link.borrow_mut() = link.clone();
            } else if link != *peer.link.borrow() {
                return ignored(&s, "a description for another link (`link`)");
            }
            describe(inner, &peer, &sdp, is_offer).await;
        }
        PeerMessage::Bye => {}
    }
}

async fn describe(
    inner: &Rc<Inner>,
    peer: &Rc<super::peer::Peer>,
    sdp: &serde_json::Value,
    is_offer: bool,
) {
    let collision = is_offer && (peer.making_offer.get() || peer.signaling_state() != "stable");
    peer.ignore_offer.set(!peer.polite && collision);
    if peer.ignore_offer.get() {
        return;
    }
    if !is_offer && peer.signaling_state() != "have-local-offer" {
        return; // an answer to an offer this link no longer has
    }
    if let Err(e) = js::call(&peer.pc, "setRemoteDescription", &[js::from_json(sdp)]).await {
        leptos::logging::warn!("remote description refused: {}", js::describe(&e));
        return;
    }
    if is_offer {
        let local = inner.st.borrow().local.clone();
        peer.attach_local(local.as_ref()).await;
        if js::call(&peer.pc, "setLocalDescription", &[]).await.is_ok()
            && let Some(desc) = js::to_json(&js::get(&peer.pc, "localDescription"))
        {
            engine::send_on_link(
                inner,
                peer.uid,
                peer.epoch,
                PeerMessage::Answer { sdp: desc },
            );
        }
    }
    let pending: Vec<_> = peer.pending.borrow_mut().drain(..).collect();
    for cand in pending {
        let _ = js::call(&peer.pc, "addIceCandidate", &[cand]).await;
    }
}
