//! The call's WebRTC mesh. `CallUi` is the plain, serializable view state the page renders (on
//! both sides); everything that touches browser APIs lives in the `hydrate`-only submodules.
//!
//! Signaling goes straight to the REST API with same-origin `fetch` (the session cookie
//! authenticates it) rather than through server functions: the inbox is a long poll that must
//! be abortable when the page goes away, and `fetch` with an `AbortSignal` gives exactly that.
//!
//! What the pages say to each other through the inbox is `model::PeerMessage` (the protocol,
//! documented there and in docs/API.md).

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
mod api;
#[cfg(feature = "hydrate")]
mod engine;
#[cfg(feature = "hydrate")]
mod js;
#[cfg(feature = "hydrate")]
mod media;
#[cfg(feature = "hydrate")]
mod peer;
#[cfg(feature = "hydrate")]
mod presence;
#[cfg(feature = "hydrate")]
mod signals;

#[cfg(feature = "hydrate")]
pub use engine::Call;

/// One remote participant as their tile shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    pub user_id: i64,
    pub name: String,
    /// The RTCPeerConnection's `connectionState`.
    pub state: String,
    /// Inbound video `framesDecoded`, refreshed every second.
    pub frames: u64,
    pub muted: bool,
    pub camera_off: bool,
}

/// The page's view of the call; the engine writes it, the page reads it.
#[derive(Clone, Copy)]
pub struct CallUi {
    pub tiles: RwSignal<Vec<Tile>>,
    /// Set when the camera or microphone cannot be used: the call continues receive-only.
    pub media_note: RwSignal<Option<String>>,
    /// A problem that stops the call (e.g. joining was refused).
    pub error: RwSignal<Option<String>>,
    pub has_audio: RwSignal<bool>,
    pub has_video: RwSignal<bool>,
    pub muted: RwSignal<bool>,
    pub camera_off: RwSignal<bool>,
    /// Milliseconds from entering the page until every link was first connected.
    pub connected_ms: RwSignal<Option<u64>>,
}

impl CallUi {
    pub fn new() -> Self {
        Self {
            tiles: RwSignal::new(Vec::new()),
            media_note: RwSignal::new(None),
            error: RwSignal::new(None),
            has_audio: RwSignal::new(false),
            has_video: RwSignal::new(false),
            muted: RwSignal::new(false),
            camera_off: RwSignal::new(false),
            connected_ms: RwSignal::new(None),
        }
    }
}

impl Default for CallUi {
    fn default() -> Self {
        Self::new()
    }
}
