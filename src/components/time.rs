//! Times in the browser's time zone. The server renders UTC (it cannot know the reader's
//! zone); once hydrated, the browser switches the text to local time. Date-time inputs are
//! local and are sent to the server as UTC.

use chrono::{DateTime, Local, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use leptos::prelude::*;

use crate::error::AppError;

/// A point in time, in the reader's time zone after hydration.
#[component]
pub fn LocalTime(at: DateTime<Utc>) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let text = move || {
        if hydrated.get() {
            // With the offset, so nobody wonders which zone the time is in.
            at.with_timezone(&Local)
                .format("%a %-d %b %Y, %H:%M UTC%:z")
                .to_string()
        } else {
            at.format("%a %-d %b %Y, %H:%M UTC").to_string()
        }
    };
    view! { <time datetime=at.to_rfc3339_opts(SecondsFormat::Secs, true)>{text}</time> }
}

/// `YYYY-MM-DDTHH:MM` (a datetime-local value, in the browser's zone) → RFC 3339 UTC.
pub fn local_input_to_utc(value: &str) -> Option<String> {
    let naive = NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M").ok()?;
    let local = Local.from_local_datetime(&naive).earliest()?;
    Some(
        local
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

/// The datetime-local value for a UTC time, in the browser's zone.
pub fn utc_to_local_input(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A labelled local date-time input. The form receives `name` as UTC (RFC 3339) in a
/// hidden field, so the server never guesses the browser's zone.
#[component]
pub fn LocalDateTimeField(
    label: &'static str,
    name: &'static str,
    #[prop(optional)] initial: Option<DateTime<Utc>>,
    #[prop(optional, into)] scope: Option<String>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = super::form::field_id(scope.as_deref(), name);
    let error_id = format!("{id}-error");
    let local = RwSignal::new(String::new());
    // The local value depends on the browser's zone, so it is filled in after hydration.
    Effect::new(move |_| {
        if let Some(at) = initial {
            local.set(utc_to_local_input(at));
        }
    });
    let utc = move || local_input_to_utc(&local.get()).unwrap_or_else(|| local.get());
    let message = move || error.get().and_then(|e| e.field(name));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type="datetime-local"
                prop:value=move || local.get()
                on:input=move |ev| local.set(event_target_value(&ev))
                aria-invalid=move || message().is_some().then_some("true")
                aria-describedby=error_id.clone()
            />
            <input type="hidden" name=name prop:value=utc />
            <p class="field-error" id=error_id role="alert">
                {message}
            </p>
        </div>
    }
}
