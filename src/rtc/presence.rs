//! The loops that keep the mesh in shape: presence (who should have a link) and, every second,
//! stats for the tiles plus recovery of links that failed or never came up.

use std::collections::HashMap;
use std::rc::Rc;

use super::engine::{self, Inner, create_peer, publish, remove_peer, send_on_link, stopped};
use super::js;
use super::media::{attach_local_preview, attach_video};
use super::peer::Peer;
use crate::model::PeerMessage;

/// Presence decides the mesh: a link for every present participant, none for the rest.
pub async fn presence_loop(inner: Rc<Inner>) {
    let mut backoff = 1000;
    while !stopped(&inner) {
        let asked = js::now();
        match inner.api.participants().await {
            // No longer counted present: the meeting may have closed (which lets everyone go).
            Ok(list) if !list.iter().any(|p| p.user_id == inner.me) => {
                if !engine::lost_presence(&inner, &mut backoff).await {
                    break;
                }
            }
            Ok(list) => {
                backoff = 1000;
                sync_presence(&inner, list, asked);
                js::sleep(js::jitter(1000)).await;
            }
            Err(e) => {
                if !engine::after_failure(&inner, &e, &mut backoff).await {
                    break;
                }
            }
        }
    }
}

fn sync_presence(inner: &Rc<Inner>, list: Vec<crate::model::Participant>, asked: f64) {
    let present: HashMap<i64, String> = list
        .into_iter()
        .filter(|p| p.user_id != inner.me)
        .map(|p| (p.user_id, p.name))
        .collect();
    let (missing, vanished) = {
        let mut st = inner.st.borrow_mut();
        for (uid, name) in &present {
            st.names.insert(*uid, name.clone());
        }
        st.gone.retain(|uid, _| present.contains_key(uid));
        let missing: Vec<i64> = present
            .keys()
            .filter(|uid| !st.peers.contains_key(uid) && !st.gone.contains_key(uid))
            .copied()
            .collect();
        // A link made after this poll was asked may be to someone the answer does not know yet.
        let vanished: Vec<i64> = st
            .peers
            .values()
            .filter(|p| !present.contains_key(&p.uid) && p.since.get() < asked)
            .map(|p| p.uid)
            .collect();
        (missing, vanished)
    };
    for uid in vanished {
        remove_peer(inner, uid);
    }
    for uid in missing {
        create_peer(inner, uid, None, true);
    }
    publish(inner);
}

/// Every second: decoded-frame counts for the tiles, late video attachment, and recovery of
/// links that failed or never came up.
pub async fn stats_loop(inner: Rc<Inner>) {
    while !stopped(&inner) {
        js::sleep(1000).await;
        attach_local_preview(&inner);
        let peers: Vec<Rc<Peer>> = inner.st.borrow().peers.values().cloned().collect();
        for p in peers {
            if let Some(n) = p.frames_decoded().await {
                p.frames.set(n);
            }
            // Replaced or removed while its stats were read: not ours to repair any more.
            if engine::peer(&inner, p.uid, p.epoch).is_none() {
                continue;
            }
            attach_video(&p);
            recover(&inner, &p);
        }
        publish(&inner);
    }
}

fn recover(inner: &Rc<Inner>, p: &Rc<Peer>) {
    let state = p.connection_state();
    if stopped(inner) {
        return;
    }
    let now = js::now();
    if state == "connected" {
        p.up_at.set(now);
        return;
    }
    // Down for this long; a link that never came up, since it was made.
    let down = now - p.up_at.get();
    // "failed" does not come back by itself; "disconnected" (a network blip) often does.
    let give_up = if state == "failed" { 2_000.0 } else { 10_000.0 };
    if p.offerer && down > give_up {
        // Start this link over.
        let remote = p.remote_instance.borrow().clone();
        create_peer(inner, p.uid, remote, false);
    } else if !p.offerer
        && down > 4_000.0
        && (state == "failed" || !p.has_remote_description() || down > 10_000.0)
    {
        // Ask the offering side for a fresh offer; again later if the link stays down.
        p.up_at.set(now);
        send_on_link(inner, p.uid, p.epoch, PeerMessage::Hello);
    }
}
