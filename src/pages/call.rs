//! `/meetings/:id/call`: the call itself. The server renders the frame (title, controls, an
//! empty grid); after hydration `rtc::Call` joins, opens the camera and builds the mesh.

use crate::components::error_view::ErrorView;
use crate::components::not_found::NotFound;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::model::CallInfo;
use crate::rtc::{CallUi, Tile};
use crate::server_fns::call::call_setup;

#[component]
pub fn CallPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let setup = Resource::new(id, |id| async move {
        match id {
            Some(id) => call_setup(id).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading…"</p> }>
            {move || {
                setup.get().map(|r| match r {
                    Ok(Some(s)) if s.may_join => view! { <CallRoom setup=s /> }.into_any(),
                    Ok(Some(s)) => {
                        view! {
                            <section class="call-closed">
                                <h1>{s.title}</h1>
                                <p class="alert" role="alert">{s.reason.unwrap_or_default()}</p>
                                <a href=format!("/meetings/{}", s.meeting_id)>"Back to the meeting"</a>
                            </section>
                        }
                            .into_any()
                    }
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                })
            }}
        </Suspense>
    }
}

#[component]
fn CallRoom(setup: CallInfo) -> impl IntoView {
    let ui = CallUi::new();
    #[cfg(feature = "hydrate")]
    let meeting_id = setup.meeting_id;

    #[cfg(feature = "hydrate")]
    let call = StoredValue::new_local(None::<crate::rtc::Call>);
    #[cfg(feature = "hydrate")]
    {
        let setup = setup.clone();
        // Effects run only in the browser, after hydration.
        Effect::new(move |_| {
            if call.with_value(|c| c.is_none()) {
                call.set_value(Some(crate::rtc::Call::start(&setup, ui)));
            }
        });
        on_cleanup(move || {
            if let Some(c) = call.try_update_value(|c| c.take()).flatten() {
                c.stop();
            }
        });
    }

    let toggle_mute = move |_| {
        let muted = !ui.muted.get_untracked();
        #[cfg(feature = "hydrate")]
        call.with_value(|c| {
            if let Some(c) = c {
                c.set_muted(muted);
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = muted;
    };
    let toggle_camera = move |_| {
        let off = !ui.camera_off.get_untracked();
        #[cfg(feature = "hydrate")]
        call.with_value(|c| {
            if let Some(c) = c {
                c.set_camera_off(off);
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = off;
    };
    // The call has stopped for good; its alert says why.
    let stopped = move || ui.error.with(Option::is_some);
    let leaving = RwSignal::new(false);
    let leave = move |_| {
        leaving.set(true);
        #[cfg(feature = "hydrate")]
        {
            let navigate = leptos_router::hooks::use_navigate();
            let back = format!("/meetings/{meeting_id}");
            let c = call.try_update_value(|c| c.take()).flatten();
            leptos::task::spawn_local(async move {
                if let Some(c) = c {
                    c.leave().await;
                }
                navigate(&back, Default::default());
            });
        }
    };

    view! {
        <section
            class="call"
            data-testid="call"
            data-user-id=setup.user_id
            data-connected-ms=move || ui.connected_ms.get().map(|ms| ms.to_string())
        >
            <header class="call-head">
                <h1>{setup.title.clone()}</h1>
                // Nothing to wait for once the call has stopped (its alert says why).
                <Show when=move || !stopped()>
                    <p class="muted" aria-live="polite">
                        {move || match ui.tiles.with(Vec::len) {
                            0 => "Waiting for others to join…".to_string(),
                            1 => "1 other person in the call".to_string(),
                            n => format!("{n} other people in the call"),
                        }}
                    </p>
                </Show>
            </header>
            {move || ui.error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            {move || ui.media_note.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            // A stopped call has turned camera and microphone off: only its alert and the way
            // back are left.
            <Show when=move || !stopped()>
                <div class="call-grid">
                    <figure class="tile local" data-testid="local-tile">
                        <video id="local-video" muted=true autoplay=true playsinline=true></video>
                        <figcaption>
                            <span class="tile-name">{setup.user_name.clone()} " (you)"</span>
                            <Show when=move || ui.muted.get()>
                                <span class="tile-badge">"Muted"</span>
                            </Show>
                        </figcaption>
                    </figure>
                    <For each=move || ui.tiles.get() key=|t| t.user_id let:tile>
                        <RemoteTile user_id=tile.user_id ui=ui />
                    </For>
                </div>
            </Show>
            // Each button's label says what it will do; a pressed state as well would read
            // "Unmute, pressed" to a screen reader.
            <div class="call-controls" role="toolbar" aria-label="Call controls">
                <Show when=move || !stopped()>
                    <button
                        type="button"
                        class="btn btn-quiet"
                        disabled=move || !ui.has_audio.get()
                        on:click=toggle_mute
                    >
                        {move || if ui.muted.get() { "Unmute" } else { "Mute" }}
                    </button>
                    <button
                        type="button"
                        class="btn btn-quiet"
                        disabled=move || !ui.has_video.get()
                        on:click=toggle_camera
                    >
                        {move || if ui.camera_off.get() { "Camera on" } else { "Camera off" }}
                    </button>
                </Show>
                // Once the call has stopped (its alert says why), leaving is only going back.
                <button
                    type="button"
                    class=move || if stopped() { "btn" } else { "btn btn-danger" }
                    disabled=move || leaving.get()
                    on:click=leave
                >
                    {move || if stopped() { "Back to the meeting" } else { "Leave" }}
                </button>
            </div>
        </section>
    }
}

/// One remote participant; reads its fields from the shared tile list so that a state change
/// updates the attributes in place instead of rebuilding the `<video>`.
#[component]
fn RemoteTile(user_id: i64, ui: CallUi) -> impl IntoView {
    let tile = move || {
        ui.tiles
            .with(|ts| ts.iter().find(|t| t.user_id == user_id).cloned())
    };
    let field = move |f: fn(&Tile) -> String| move || tile().map(|t| f(&t)).unwrap_or_default();
    let muted = move || tile().is_some_and(|t| t.muted);
    view! {
        <figure
            class="tile remote"
            data-testid="remote-tile"
            data-user-id=user_id
            data-connection-state=field(|t| t.state.clone())
            data-frames-decoded=field(|t| t.frames.to_string())
            data-muted=move || muted().to_string()
            data-camera-off=field(|t| t.camera_off.to_string())
        >
            <video id=format!("video-{user_id}") autoplay=true playsinline=true></video>
            <figcaption>
                <span class="tile-name">{field(|t| t.name.clone())}</span>
                <Show when=muted>
                    <span class="tile-badge" data-testid="muted-indicator">"Muted"</span>
                </Show>
                <span class="tile-state">{field(|t| t.state.clone())}</span>
            </figcaption>
        </figure>
    }
}
