//! The call page's one server call: everything the page needs before it can join, in a single
//! round trip (who am I, which meeting, may I join, which ICE servers to use).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::CallInfo;

#[server(prefix = "/rpc")]
pub async fn call_setup(meeting_id: i64) -> Result<CallInfo, AppError> {
    use crate::domain::access;
    let (state, auth) = super::ctx::user().await?;
    let seen = access::meeting_for(&state.backend, auth.user.id, meeting_id).await?;
    // The same rule the presence API applies, so the page says "no" before it tries.
    let reason = seen.join_refusal().map(|refusal| refusal.to_string());
    // TURN credentials only for those who may join.
    let rtc = match reason {
        None => crate::domain::ice::servers(state.config(), auth.user.id, chrono::Utc::now()),
        Some(_) => Default::default(),
    };
    Ok(CallInfo {
        meeting_id,
        title: seen.meeting.title,
        user_id: auth.user.id,
        user_name: auth.user.name,
        may_join: reason.is_none(),
        reason,
        rtc,
    })
}
