//! `/api/meetings` and the meeting-scoped actions: create, list, read, edit, start, end,
//! cancel and the calendar file.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiJson, ApiPath, ApiQuery, MeetingId};
use crate::domain::calendar;
use crate::domain::meetings::{self, ListQuery, MeetingChanges, NewMeeting};
use crate::error::AppError;
use crate::model::{Meeting, MeetingCreated, MeetingListItem, Page};
use crate::web::auth::AuthUser;
use crate::web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(create))
        .routes(routes!(show))
        .routes(routes!(update))
        .routes(routes!(start))
        .routes(routes!(end))
        .routes(routes!(cancel))
        .routes(routes!(ics))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct CreateBody {
    /// Trimmed; 1..255 characters.
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    title: String,
    /// RFC 3339 (e.g. `2030-01-01T10:00:00Z`) or `YYYY-MM-DD HH:MM:SS` in UTC; 0000-01-01 to 9999-12-30 UTC.
    #[schema(format = "date-time")]
    scheduled_at: String,
    #[schema(minimum = 1, maximum = 1440)]
    duration_minutes: i64,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct UpdateBody {
    /// Trimmed; 1..255 characters.
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    title: Option<String>,
    /// RFC 3339 (e.g. `2030-01-01T10:00:00Z`) or `YYYY-MM-DD HH:MM:SS` in UTC; 0000-01-01 to 9999-12-30 UTC.
    #[schema(format = "date-time")]
    scheduled_at: Option<String>,
    #[schema(minimum = 1, maximum = 1440)]
    duration_minutes: Option<i64>,
}

#[utoipa::path(
    post,
    path = "/meetings",
    operation_id = "create_meeting",
    tag = "meetings",
    summary = "Schedule a meeting",
    request_body = CreateBody,
    responses(
        (status = 201, description = "The meeting and the absolute URL of its call page.", body = MeetingCreated),
    ),
)]
async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<CreateBody>,
) -> Result<(StatusCode, Json<MeetingCreated>), AppError> {
    let input = NewMeeting {
        title: body.title,
        scheduled_at: body.scheduled_at,
        duration_minutes: body.duration_minutes,
    };
    let meeting = meetings::create(&state.backend, auth.user.id, input).await?;
    let join_link = meetings::join_link(state.config(), &meeting);
    Ok((
        StatusCode::CREATED,
        Json(MeetingCreated { meeting, join_link }),
    ))
}

#[utoipa::path(
    get,
    path = "/meetings",
    operation_id = "list_meetings",
    tag = "meetings",
    summary = "The meetings the caller owns or is invited to",
    params(
        ("scope" = Option<crate::model::MeetingScope>, Query, description = "owned, invited or all (default all)"),
        ("status" = Option<crate::model::MeetingStatus>, Query, description = "Only meetings in this status"),
        ("sort_by" = Option<crate::model::MeetingSort>, Query, description = "Default scheduled_at. `upcoming`: scheduled and started meetings first, soonest first, then ended and cancelled ones, latest first (`sort_dir` does not apply)"),
        ("sort_dir" = Option<crate::model::SortDir>, Query, description = "Default desc"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 2147483647, description = "Page number, from 1 (default 1)"),
        ("per_page" = Option<i64>, Query, minimum = 1, maximum = 100, description = "Items per page, 1..100 (default 10)"),
    ),
    responses(
        (status = 200, description = "One page of meetings, each with the caller's role and, for an invitee, their invitation.", body = Page<MeetingListItem>),
    ),
)]
async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<MeetingListItem>>, AppError> {
    Ok(Json(
        meetings::list(&state.backend, auth.user.id, query).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/meetings/{id}",
    operation_id = "get_meeting",
    tag = "meetings",
    summary = "One meeting (owner or invitee)",
    params(
        MeetingId,
    ),
    responses(
        (status = 200, description = "The meeting.", body = Meeting),
    ),
)]
async fn show(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
) -> Result<Json<Meeting>, AppError> {
    Ok(Json(meetings::get(&state.backend, auth.user.id, id).await?))
}

#[utoipa::path(
    put,
    path = "/meetings/{id}",
    operation_id = "update_meeting",
    tag = "meetings",
    summary = "Edit a meeting (owner)",
    params(
        MeetingId,
    ),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The edited meeting.", body = Meeting),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
        (status = 409, description = "meeting_closed: the meeting has ended or was cancelled.", body = super::schemas::ErrorBody),
    ),
)]
async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
    ApiJson(body): ApiJson<UpdateBody>,
) -> Result<Json<Meeting>, AppError> {
    let changes = MeetingChanges {
        title: body.title,
        scheduled_at: body.scheduled_at,
        duration_minutes: body.duration_minutes,
    };
    Ok(Json(
        meetings::update(&state.backend, auth.user.id, id, changes).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/meetings/{id}/start",
    operation_id = "start_meeting",
    tag = "meetings",
    summary = "scheduled → started (owner)",
    params(
        MeetingId,
    ),
    responses(
        (status = 200, description = "The started meeting.", body = Meeting),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
        (status = 409, description = "already_started, already_ended or meeting_cancelled.", body = super::schemas::ErrorBody),
    ),
)]
async fn start(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
) -> Result<Json<Meeting>, AppError> {
    Ok(Json(
        meetings::start(&state.backend, auth.user.id, id).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/meetings/{id}/end",
    operation_id = "end_meeting",
    tag = "meetings",
    summary = "started → ended (owner); ends the running recording and everyone's presence",
    params(
        MeetingId,
    ),
    responses(
        (status = 200, description = "The ended meeting.", body = Meeting),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
        (status = 409, description = "not_started or already_ended.", body = super::schemas::ErrorBody),
    ),
)]
async fn end(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
) -> Result<Json<Meeting>, AppError> {
    Ok(Json(meetings::end(&state.backend, auth.user.id, id).await?))
}

#[utoipa::path(
    post,
    path = "/meetings/{id}/cancel",
    operation_id = "cancel_meeting",
    tag = "meetings",
    summary = "scheduled → cancelled (owner)",
    params(
        MeetingId,
    ),
    responses(
        (status = 200, description = "The cancelled meeting.", body = Meeting),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
        (status = 409, description = "already_started, already_ended or meeting_cancelled.", body = super::schemas::ErrorBody),
    ),
)]
async fn cancel(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
) -> Result<Json<Meeting>, AppError> {
    Ok(Json(
        meetings::cancel(&state.backend, auth.user.id, id).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/meetings/{id}/calendar.ics",
    operation_id = "meeting_calendar",
    tag = "meetings",
    summary = "The meeting as an iCalendar file (owner or invitee)",
    params(
        MeetingId,
    ),
    responses(
        (status = 200, description = "One VEVENT with the title, start, duration, URL and organizer.", body = String, content_type = "text/calendar"),
    ),
)]
async fn ics(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
) -> Result<impl IntoResponse, AppError> {
    let body = calendar::ics(&state.backend, auth.user.id, id).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"meeting-{id}.ics\""),
            ),
        ],
        body,
    ))
}
