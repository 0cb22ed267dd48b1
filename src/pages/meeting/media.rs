//! The owner's recordings (start, stop, list, download) and AI notes (generate, latest,
//! history).

use leptos::prelude::*;

use crate::components::badge::Badge;
use crate::components::form::FormError;
use crate::components::time::LocalTime;
use crate::error::AppError;
use crate::model::{Meeting, MeetingStatus, Note};
use crate::server_fns::notes::{GenerateNotes, list_notes};
use crate::server_fns::recordings::{StartRecording, StopRecording, list_recordings};

#[component]
pub fn Recordings(meeting: Meeting) -> impl IntoView {
    let id = meeting.id;
    let start = ServerAction::<StartRecording>::new();
    let stop = ServerAction::<StopRecording>::new();
    let recordings = Resource::new(move || (start.version().get(), stop.version().get()), move |_| list_recordings(id, None));
    let error: Signal<Option<AppError>> =
        Signal::derive(move || start.value().get().and_then(Result::err).or_else(|| stop.value().get().and_then(Result::err)));
    let busy = move || start.pending().get() || stop.pending().get();
    let started = meeting.status == MeetingStatus::Started;
    view! {
        <section class="card" aria-labelledby="recordings-heading">
            <h2 id="recordings-heading">"Recordings"</h2>
            <Transition fallback=|| view! { <p class="muted" aria-busy="true">"Loading…"</p> }>
                {move || recordings.get().map(|result| match result {
                    Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(page) => {
                        let running = page.data.iter().any(|r| r.ended_at.is_none());
                        view! {
                            <div class="actions">
                                {(started && !running).then(|| view! {
                                    <button class="btn" disabled=busy on:click=move |_| { start.dispatch(StartRecording { meeting_id: id }); }>
                                        "Start recording"
                                    </button>
                                })}
                                {running.then(|| view! {
                                    <span class="rec" role="status">"● Recording"</span>
                                    <button class="btn btn-danger" disabled=busy on:click=move |_| { stop.dispatch(StopRecording { meeting_id: id }); }>
                                        "Stop recording"
                                    </button>
                                })}
                                {(!started && !running).then(|| view! { <span class="muted small">"Start the meeting to record it."</span> })}
                            </div>
                            {page.data.is_empty().then(|| view! { <p class="empty">"No recordings yet."</p> })}
                            <ul class="recording-list">
                                {page.data.into_iter().map(|r| view! {
                                    <li>
                                        <span>"Recording #" {r.id} " · " <LocalTime at=r.started_at /></span>
                                        <span class="muted small">{format!(" · {} participant(s)", r.participants.len())}</span>
                                        {match r.ended_at {
                                            Some(_) => view! {
                                                " " <a href=format!("/api/recordings/{}/download", r.id) download="">"Download"</a>
                                                <span class="muted small">{r.size_bytes.map(|b| format!(" ({b} bytes)"))}</span>
                                            }.into_any(),
                                            None => view! { <span class="muted small">" · in progress"</span> }.into_any(),
                                        }}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                })}
            </Transition>
            <FormError error />
        </section>
    }
}

#[component]
pub fn Notes(meeting_id: i64, cancelled: bool) -> impl IntoView {
    let generate = ServerAction::<GenerateNotes>::new();
    let notes = Resource::new(move || generate.version().get(), move |_| list_notes(meeting_id));
    let error = Signal::derive(move || generate.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="notes-heading">
            <h2 id="notes-heading">"AI notes"</h2>
            {(!cancelled).then(|| view! {
                <button class="btn" disabled=move || generate.pending().get() on:click=move |_| { generate.dispatch(GenerateNotes { meeting_id }); }>
                    {move || if generate.pending().get() { "Generating…" } else { "Generate notes" }}
                </button>
            })}
            <FormError error />
            <Transition fallback=|| view! { <p class="muted" aria-busy="true">"Loading…"</p> }>
                {move || notes.get().map(|result| match result {
                    Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">"No notes yet. Generate them after the meeting."</p> }.into_any(),
                    Ok(mut list) => {
                        let latest = list.remove(0);
                        view! {
                            <NoteView note=latest />
                            {(!list.is_empty()).then(|| view! {
                                <details class="history">
                                    <summary>{format!("Earlier notes ({})", list.len())}</summary>
                                    {list.into_iter().map(|note| view! { <NoteView note /> }).collect_view()}
                                </details>
                            })}
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn NoteView(note: Note) -> impl IntoView {
    view! {
        <article class="note" data-note-id=note.id>
            <p class="small muted">
                <LocalTime at=note.created_at /> " · sentiment " <Badge text=note.sentiment.as_str() />
            </p>
            <h3>"Key points"</h3>
            <ul>{note.key_points.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            <h3>"Transcript"</h3>
            <pre class="transcript">{note.transcript_text}</pre>
        </article>
    }
}
