//! Small status labels.

use leptos::prelude::*;

/// A colored label for a meeting or invitation status (`scheduled`, `accepted`, …).
#[component]
pub fn Badge(#[prop(into)] text: String) -> impl IntoView {
    let class = format!("badge badge-{text}");
    view! { <span class=class>{text}</span> }
}
