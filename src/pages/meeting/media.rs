//! The owner's recordings (start, stop, list, download) and AI notes (generate, latest,
//! history). Their data comes with the page; each action reloads it.

use leptos::prelude::*;

use super::Changed;
use crate::components::badge::Badge;
use crate::components::form::FormError;
use crate::components::time::LocalTime;
use crate::error::AppError;
use crate::model::{Meeting, MeetingStatus, Note, Recording, plural};
use crate::server_fns::notes::GenerateNotes;
use crate::server_fns::recordings::{StartRecording, StopRecording};

#[component]
pub fn Recordings(meeting: Meeting, recordings: Vec<Recording>) -> impl IntoView {
    let id = meeting.id;
    let start = ServerAction::<StartRecording>::new();
    let stop = ServerAction::<StopRecording>::new();
    let changed = expect_context::<Changed>();
    changed.after(*start);
    changed.after(*stop);
    let error: Signal<Option<AppError>> = Signal::derive(move || {
        start
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| stop.value().get().and_then(Result::err))
    });
    let busy = move || start.pending().get() || stop.pending().get();
    let started = meeting.status == MeetingStatus::Started;
    let running = recordings.iter().any(|r| r.ended_at.is_none());
    let empty = if meeting.status.is_closed() {
        "No recordings were made."
    } else {
        "No recordings yet."
    };
    view! {
        <section class="card" aria-labelledby="recordings-heading">
            <h2 id="recordings-heading">"Recordings"</h2>
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
                {(meeting.status == MeetingStatus::Scheduled).then(|| view! { <span class="muted small">"Start the meeting to record it."</span> })}
            </div>
            <FormError error />
            {recordings.is_empty().then(|| view! { <p class="empty">{empty}</p> })}
            <ul class="recording-list">
                {recordings.into_iter().map(|r| view! {
                    <li>
                        <span>"Recording #" {r.id} " · " <LocalTime at=r.started_at /></span>
                        <span class="muted small">{format!(" · {}", plural(r.participants.len(), "participant", "participants"))}</span>
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
        </section>
    }
}

#[component]
pub fn Notes(meeting_id: i64, cancelled: bool, notes: Vec<Note>) -> impl IntoView {
    let generate = ServerAction::<GenerateNotes>::new();
    expect_context::<Changed>().after(*generate);
    let error = Signal::derive(move || generate.value().get().and_then(Result::err));
    let mut notes = notes.into_iter();
    let latest = notes.next();
    let earlier: Vec<Note> = notes.collect();
    view! {
        <section class="card" aria-labelledby="notes-heading">
            <h2 id="notes-heading">"AI notes"</h2>
            {(!cancelled).then(|| view! {
                <button class="btn" disabled=move || generate.pending().get() on:click=move |_| { generate.dispatch(GenerateNotes { meeting_id }); }>
                    {move || if generate.pending().get() { "Generating…" } else { "Generate notes" }}
                </button>
            })}
            <FormError error />
            {match latest {
                None if cancelled => view! { <p class="empty">"A cancelled meeting has no notes."</p> }.into_any(),
                None => view! { <p class="empty">"No notes yet. Generate them after the meeting."</p> }.into_any(),
                Some(note) => view! { <NoteView note /> }.into_any(),
            }}
            {(!earlier.is_empty()).then(|| view! {
                <details class="history">
                    <summary>{format!("Earlier notes ({})", earlier.len())}</summary>
                    {earlier.into_iter().map(|note| view! { <NoteView note /> }).collect_view()}
                </details>
            })}
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
