//! `/api/meetings` and the meeting-scoped actions: create, list, read, edit, start, end,
//! cancel and the calendar file.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::{ApiJson, ApiPath, ApiQuery};
use crate::domain::calendar;
use crate::domain::meetings::{self, ListQuery, MeetingChanges, NewMeeting};
use crate::error::AppError;
use crate::model::{Meeting, MeetingListItem, Page};
use crate::server::auth::AuthUser;
use crate::server::state::AppState;
use crate::server_fns::meetings::MeetingCreated;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list).post(create))
        .route("/meetings/{id}", get(show).put(update))
        .route("/meetings/{id}/start", post(start))
        .route("/meetings/{id}/end", post(end))
        .route("/meetings/{id}/cancel", post(cancel))
        .route("/meetings/{id}/calendar.ics", get(ics))
}

#[derive(Deserialize)]
struct CreateBody {
    title: String,
    scheduled_at: String,
    duration_minutes: i64,
}

#[derive(Deserialize)]
struct UpdateBody {
    title: Option<String>,
    scheduled_at: Option<String>,
    duration_minutes: Option<i64>,
}

#[derive(Deserialize)]
struct ListParams {
    scope: Option<String>,
    status: Option<String>,
    sort_by: Option<String>,
    sort_dir: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

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
    let meeting = meetings::create(&state.db, auth.user.id, input).await?;
    let join_link = meetings::join_link(&state.config, &meeting);
    Ok((
        StatusCode::CREATED,
        Json(MeetingCreated { meeting, join_link }),
    ))
}

async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<Page<MeetingListItem>>, AppError> {
    let query = ListQuery {
        scope: p.scope,
        status: p.status,
        sort_by: p.sort_by,
        sort_dir: p.sort_dir,
        page: p.page,
        per_page: p.per_page,
    };
    Ok(Json(meetings::list(&state.db, auth.user.id, query).await?))
}

async fn show(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Meeting>, AppError> {
    Ok(Json(meetings::get(&state.db, auth.user.id, id).await?))
}

async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UpdateBody>,
) -> Result<Json<Meeting>, AppError> {
    let changes = MeetingChanges {
        title: body.title,
        scheduled_at: body.scheduled_at,
        duration_minutes: body.duration_minutes,
    };
    Ok(Json(
        meetings::update(&state.db, auth.user.id, id, changes).await?,
    ))
}

async fn start(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Meeting>, AppError> {
    Ok(Json(meetings::start(&state.db, auth.user.id, id).await?))
}

async fn end(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Meeting>, AppError> {
    Ok(Json(
        meetings::end(&state.db, &state.config, auth.user.id, id).await?,
    ))
}

async fn cancel(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Meeting>, AppError> {
    Ok(Json(meetings::cancel(&state.db, auth.user.id, id).await?))
}

async fn ics(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<impl IntoResponse, AppError> {
    let body = calendar::ics(&state.db, &state.config, auth.user.id, id).await?;
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
