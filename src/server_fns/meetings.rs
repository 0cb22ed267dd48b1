//! The pages' calls for meetings: list, read, create, edit and the status changes. Each one
//! finds the caller and hands over to `domain::meetings`, like the REST handlers do.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{
    JoinTarget, Meeting, MeetingCreated, MeetingDetail, MeetingListItem, MeetingPageData,
    MeetingScope, MeetingSort, MeetingStatus, Page, SortDir,
};

#[server(prefix = "/rpc")]
pub async fn list_meetings(
    scope: Option<MeetingScope>,
    status: Option<MeetingStatus>,
    sort_by: Option<MeetingSort>,
    sort_dir: Option<SortDir>,
    page: Option<i64>,
    per_page: Option<i64>,
) -> Result<Page<MeetingListItem>, AppError> {
    use crate::domain::meetings::{ListQuery, list};
    let (state, auth) = super::ctx::user().await?;
    let query = ListQuery {
        scope: scope.map(Into::into),
        status: status.map(Into::into),
        sort_by: sort_by.map(Into::into),
        sort_dir: sort_dir.map(Into::into),
        page,
        per_page,
    };
    list(&state.backend, auth.user.id, query).await
}

#[server(prefix = "/rpc")]
pub async fn get_meeting(id: i64) -> Result<MeetingDetail, AppError> {
    use crate::domain::{access, invitations, meetings};
    let (state, auth) = super::ctx::user().await?;
    let seen = access::meeting_for(&state.backend, auth.user.id, id).await?;
    let invitations = if seen.is_owner() {
        invitations::for_meeting(&state.backend, auth.user.id, id).await?
    } else {
        Vec::new()
    };
    Ok(MeetingDetail {
        join_link: meetings::join_link(state.config(), &seen.meeting),
        meeting: seen.meeting,
        role: seen.role,
        invitation: seen.invitation,
        invitations,
    })
}

/// `scheduled_at` is RFC 3339 or `YYYY-MM-DD HH:MM:SS` (UTC), as in the API.
#[server(prefix = "/rpc")]
pub async fn create_meeting(
    title: String,
    scheduled_at: String,
    duration_minutes: i64,
) -> Result<MeetingCreated, AppError> {
    use crate::domain::meetings::{self, NewMeeting};
    let (state, auth) = super::ctx::user().await?;
    let input = NewMeeting {
        title,
        scheduled_at,
        duration_minutes,
    };
    let meeting = meetings::create(&state.backend, auth.user.id, input).await?;
    let join_link = meetings::join_link(state.config(), &meeting);
    Ok(MeetingCreated { meeting, join_link })
}

#[server(prefix = "/rpc")]
pub async fn update_meeting(
    id: i64,
    title: Option<String>,
    scheduled_at: Option<String>,
    duration_minutes: Option<i64>,
) -> Result<Meeting, AppError> {
    use crate::domain::meetings::{MeetingChanges, update};
    let (state, auth) = super::ctx::user().await?;
    let changes = MeetingChanges {
        title,
        scheduled_at,
        duration_minutes,
    };
    update(&state.backend, auth.user.id, id, changes).await
}

#[server(prefix = "/rpc")]
pub async fn start_meeting(id: i64) -> Result<Meeting, AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::meetings::start(&state.backend, auth.user.id, id).await
}

#[server(prefix = "/rpc")]
pub async fn end_meeting(id: i64) -> Result<Meeting, AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::meetings::end(&state.backend, auth.user.id, id).await
}

#[server(prefix = "/rpc")]
pub async fn cancel_meeting(id: i64) -> Result<Meeting, AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::meetings::cancel(&state.backend, auth.user.id, id).await
}

#[server(prefix = "/rpc")]
pub async fn resolve_join_code(code: String) -> Result<JoinTarget, AppError> {
    let (state, auth) = super::ctx::user().await?;
    let seen = crate::domain::access::meeting_by_code(&state.backend, auth.user.id, &code).await?;
    let blocked = seen.join_refusal().map(|refusal| refusal.to_string());
    Ok(JoinTarget {
        meeting_id: seen.meeting.id,
        title: seen.meeting.title,
        blocked,
    })
}

#[server(prefix = "/rpc")]
pub async fn meeting_page(id: i64) -> Result<MeetingPageData, AppError> {
    use crate::domain::{meetings, notes, recordings};
    let (state, auth) = super::ctx::user().await?;
    // The revision is read before the data it stands for, so that a change in between shows as
    // a newer revision (the page reloads) instead of being missed. It is sent only once
    // `get_meeting` has found that the caller may see the meeting.
    let revision = meetings::revision(&state.backend, id).await?;
    let detail = get_meeting(id).await?;
    if detail.role != crate::model::Role::Owner {
        return Ok(MeetingPageData {
            detail,
            recordings: Vec::new(),
            notes: Vec::new(),
            revision,
        });
    }
    let query = recordings::ListQuery {
        page: Some(1),
        per_page: Some(100),
        sort_by: None,
        sort_dir: None,
    };
    let recordings = recordings::list(&state.backend, auth.user.id, id, query)
        .await?
        .data;
    let notes = notes::list(&state.backend, auth.user.id, id).await?;
    Ok(MeetingPageData {
        detail,
        recordings,
        notes,
        revision,
    })
}
