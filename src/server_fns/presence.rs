//! The pages' calls for presence: join, leave and who is here now.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Participant;

#[server(prefix = "/rpc")]
pub async fn join_meeting(meeting_id: i64) -> Result<Participant, AppError> {
    let (state, auth) = super::ctx::user().await?;
    let (participant, _) = crate::domain::presence::join(
        &state.db,
        auth.user.id,
        meeting_id,
        state.config.presence_timeout_seconds,
    )
    .await?;
    Ok(participant)
}

#[server(prefix = "/rpc")]
pub async fn leave_meeting(meeting_id: i64) -> Result<Participant, AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::presence::leave(
        &state.db,
        auth.user.id,
        meeting_id,
        state.config.presence_timeout_seconds,
    )
    .await
}

/// Who is present right now, newest first; `None` when the caller may not see it yet (an
/// invitee who is not in the call), which the page shows as a hint rather than an error.
#[server(prefix = "/rpc")]
pub async fn present_participants(meeting_id: i64) -> Result<Option<Vec<Participant>>, AppError> {
    let (state, auth) = super::ctx::user().await?;
    match crate::domain::presence::participants(
        &state.db,
        auth.user.id,
        meeting_id,
        true,
        state.config.presence_timeout_seconds,
    )
    .await
    {
        Ok(list) => Ok(Some(list)),
        Err(AppError::Forbidden { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}
