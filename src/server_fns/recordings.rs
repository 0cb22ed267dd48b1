//! The pages' calls for recordings: start, stop and the list.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{Page, Recording};

#[server(prefix = "/rpc")]
pub async fn start_recording(meeting_id: i64) -> Result<Recording, AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::recordings::start(&state.backend, auth.user.id, meeting_id).await
}

#[server(prefix = "/rpc")]
pub async fn stop_recording(meeting_id: i64) -> Result<Recording, AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::recordings::end(&state.backend, auth.user.id, meeting_id).await
}

/// The newest recordings first.
#[server(prefix = "/rpc")]
pub async fn list_recordings(
    meeting_id: i64,
    page: Option<i64>,
) -> Result<Page<Recording>, AppError> {
    use crate::domain::recordings::{ListQuery, list};
    use crate::model::{RecordingSort, SortDir};
    let (state, auth) = super::ctx::user().await?;
    let query = ListQuery {
        page,
        per_page: Some(20),
        sort_by: Some(RecordingSort::CreatedAt.into()),
        sort_dir: Some(SortDir::Desc.into()),
    };
    list(&state.backend, auth.user.id, meeting_id, query).await
}
