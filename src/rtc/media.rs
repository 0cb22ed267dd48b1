//! Local media (camera and microphone, or a plain note when there are none) and putting
//! streams into the page's `<video>` elements.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};

use super::engine::{Inner, stopped};
use super::js;
use super::peer::{Peer, first_track};

pub async fn open_media(inner: &Rc<Inner>) {
    let result = async {
        let devices = web_sys::window()
            .ok_or_else(|| JsValue::from_str("no window"))?
            .navigator()
            .media_devices()?;
        let c = MediaStreamConstraints::new();
        c.set_audio(&JsValue::TRUE);
        c.set_video(&JsValue::TRUE);
        let p = devices.get_user_media_with_constraints(&c)?;
        let s = wasm_bindgen_futures::JsFuture::from(p).await?;
        s.dyn_into::<MediaStream>()
    }
    .await;
    match result {
        Ok(stream) => {
            if stopped(inner) {
                for t in stream.get_tracks().iter() {
                    if let Ok(t) = t.dyn_into::<MediaStreamTrack>() {
                        t.stop();
                    }
                }
                return;
            }
            inner
                .ui
                .has_audio
                .try_set(first_track(&stream, "audio").is_some());
            inner
                .ui
                .has_video
                .try_set(first_track(&stream, "video").is_some());
            inner.st.borrow_mut().local = Some(stream);
            attach_local_preview(inner);
        }
        Err(e) => {
            let why = js::get_str(&e, "name").unwrap_or_else(|| js::describe(&e));
            inner.ui.media_note.try_set(Some(format!(
                "Your camera and microphone are not available ({why}). You can still see and hear the others."
            )));
        }
    }
}

pub fn attach_local_preview(inner: &Inner) {
    let st = inner.st.borrow();
    let (Some(stream), Some(doc)) = (
        st.local.as_ref(),
        web_sys::window().and_then(|w| w.document()),
    ) else {
        return;
    };
    if let Some(el) = doc.get_element_by_id("local-video")
        && js::get(&el, "srcObject") != JsValue::from(stream)
    {
        js::set(&el, "muted", &JsValue::TRUE);
        js::set(&el, "srcObject", stream);
        play(el.into());
    }
}

/// Shows the link's remote stream in its tile, once the tile exists.
pub fn attach_video(peer: &Peer) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(el) = doc.get_element_by_id(&format!("video-{}", peer.uid))
        && js::get(&el, "srcObject") != JsValue::from(&peer.remote_stream)
    {
        js::set(&el, "srcObject", &peer.remote_stream);
        play(el.into());
    }
}

/// Starts playback; when the autoplay policy refuses sound, plays muted rather than not at all.
fn play(el: JsValue) {
    spawn_local(async move {
        if js::call(&el, "play", &[]).await.is_err() {
            js::set(&el, "muted", &JsValue::TRUE);
            let _ = js::call(&el, "play", &[]).await;
        }
    });
}
