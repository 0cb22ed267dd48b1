//! Form helpers: labelled inputs with their inline error, a form-level error banner, and
//! forms that empty themselves once what they sent is stored.

use leptos::html;
use leptos::prelude::*;

use crate::error::AppError;

/// A labelled input whose inline message comes from a 422 for the field of the same name.
/// `scope` keeps element ids apart where one form appears several times on a page.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional, into)] scope: Option<String>,
    /// For a number, which the server cannot read when empty.
    #[prop(optional)]
    required: bool,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = field_id(scope.as_deref(), name);
    let message = move || error.get().and_then(|e| e.field(name));
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                value=value
                aria-invalid=move || message().is_some().then_some("true")
                aria-describedby=error_id.clone()
            />
            <p class="field-error" id=error_id role="alert">
                {message}
            </p>
        </div>
    }
}

/// The id of a field's input; its message's id adds `-error`.
pub fn field_id(scope: Option<&str>, name: &str) -> String {
    match scope {
        Some(scope) => format!("field-{scope}-{name}"),
        None => format!("field-{name}"),
    }
}

/// The message for an error that is not about a single field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let message = move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Validation(_)))
            .map(|e| e.to_string())
    };
    view! {
        <Show when=move || message().is_some()>
            <div class="alert" role="alert">
                {message}
            </div>
        </Show>
    }
}

/// A reference for an `<ActionForm>` (its `node_ref`) that empties the form each time its
/// action's `result` (the action's `value()`) is a success: for forms whose values, once
/// stored, show elsewhere on the page (the new meeting's notice, the list of invitations), so
/// the form is ready for the next entry. A failed attempt keeps what was typed, to be
/// corrected.
pub fn cleared_on_success<T: Send + Sync + 'static>(
    result: MappedSignal<Option<Result<T, AppError>>>,
) -> NodeRef<html::Form> {
    let form = NodeRef::<html::Form>::new();
    Effect::new(move |_| {
        if result.with(|r| matches!(r, Some(Ok(_))))
            && let Some(form) = form.get_untracked()
        {
            form.reset();
            // A reset fires no `input` events, and a field that keeps its value in a signal
            // (see `LocalDateTimeField`) would send the old one again: tell every control.
            let controls = form.elements();
            for i in 0..controls.length() {
                if let (Some(control), Ok(input)) =
                    (controls.item(i), leptos::web_sys::Event::new("input"))
                {
                    let _ = control.dispatch_event(&input);
                }
            }
        }
    });
    form
}
