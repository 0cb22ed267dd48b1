//! The pages' calls for AI notes: generate one and read the history.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Note;

#[server(prefix = "/rpc")]
pub async fn generate_notes(meeting_id: i64) -> Result<Note, AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::notes::generate(&state.backend, auth.user.id, meeting_id).await
}

/// Newest first.
#[server(prefix = "/rpc")]
pub async fn list_notes(meeting_id: i64) -> Result<Vec<Note>, AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::notes::list(&state.backend, auth.user.id, meeting_id).await
}
