//! The pages' call for presence: who is here now. (The call page joins and leaves through
//! the REST API, next to its signaling.)

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::HereNow;

#[server(prefix = "/rpc")]
pub async fn who_is_here(meeting_id: i64) -> Result<HereNow, AppError> {
    let (state, auth) = super::ctx::user().await?;
    let access =
        crate::domain::access::meeting_for(&state.backend, auth.user.id, meeting_id).await?;
    let participants =
        match crate::domain::presence::participants(&state.backend, auth.user.id, meeting_id, true)
            .await
        {
            Ok(list) => Some(list),
            Err(AppError::Forbidden { .. }) => None,
            Err(other) => return Err(other),
        };
    Ok(HereNow {
        status: access.meeting.status,
        participants,
        revision: crate::domain::meetings::revision(&state.backend, meeting_id).await?,
    })
}
