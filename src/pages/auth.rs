//! `/login` and `/register`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::form::{Field, FormError};
use crate::session::use_session;

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = use_session().login;
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Title text="Log in · Projitt Meet" />
        <section class="card auth-card">
            <h1>"Log in"</h1>
            <ActionForm action=action>
                <NextField />
                <Field label="Email" name="email" kind="email" autocomplete="email" error />
                <Field
                    label="Password"
                    name="password"
                    kind="password"
                    autocomplete="current-password"
                    error
                />
                <FormError error />
                <button type="submit" class="btn" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Logging in…" } else { "Log in" }}
                </button>
            </ActionForm>
            <p class="muted">"New here? " <A href=with_next("/register")>"Create an account"</A></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = use_session().register;
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Title text="Sign up · Projitt Meet" />
        <section class="card auth-card">
            <h1>"Create your account"</h1>
            <ActionForm action=action>
                <NextField />
                <Field label="Name" name="name" autocomplete="name" error />
                <Field label="Email" name="email" kind="email" autocomplete="email" error />
                <Field
                    label="Password"
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    error
                />
                <FormError error />
                <button type="submit" class="btn" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating account…" } else { "Sign up" }}
                </button>
            </ActionForm>
            <p class="muted">"Already have an account? " <A href=with_next("/login")>"Log in"</A></p>
        </section>
    }
}

/// Carries `?next=` (where to go after signing in) through the form.
#[component]
fn NextField() -> impl IntoView {
    let query = use_query_map();
    view! { <input type="hidden" name="next" value=move || query.read().get("next").unwrap_or_default() /> }
}

fn with_next(page: &'static str) -> impl Fn() -> String + Send + Sync + 'static {
    let query = use_query_map();
    move || match query.read().get("next") {
        Some(next) => format!(
            "{page}?next={}",
            next.replace('%', "%25")
                .replace('&', "%26")
                .replace('?', "%3F")
        ),
        None => page.to_string(),
    }
}
