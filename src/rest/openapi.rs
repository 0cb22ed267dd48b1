//! `GET /api/openapi.json`: the OpenAPI document of the HTTP contract, generated from the
//! handlers' `#[utoipa::path]` attributes and the shared model types.

use std::sync::LazyLock;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use super::schemas;
use crate::error::AppError;
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(serve))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Projitt Meet API",
        description = "Schedule meetings, invite people, and meet over a WebRTC mesh signaled \
                       through a polled inbox. Errors share one body: `{error, message, fields?}`.",
    ),
    paths(
        super::health::health,
        serve,
        super::auth::register,
        super::auth::login,
        super::auth::me,
        super::auth::refresh,
        super::auth::logout,
        super::meetings::list,
        super::meetings::create,
        super::meetings::show,
        super::meetings::update,
        super::meetings::start,
        super::meetings::end,
        super::meetings::cancel,
        super::meetings::ics,
        super::invitations::invite,
        super::invitations::for_meeting,
        super::invitations::inbox,
        super::invitations::accept,
        super::invitations::reject,
        super::invitations::propose,
        super::invitations::accept_proposal,
        super::invitations::decline_proposal,
        super::invitations::withdraw,
        super::presence::join,
        super::presence::leave,
        super::presence::participants,
        super::signals::send,
        super::signals::inbox,
        super::signals::ack,
        super::recordings::list,
        super::recordings::start,
        super::recordings::end,
        super::recordings::show,
        super::recordings::download,
        super::notes::generate,
        super::notes::list,
    ),
    security(("bearer" = [])),
    components(schemas(
        schemas::ErrorBody,
        crate::model::MeetingScope,
        crate::model::MeetingSort,
        crate::model::RecordingSort,
        crate::model::SortDir,
        crate::model::ActiveFlag
    )),
    modifiers(&BearerScheme, &ExtractorErrors),
    tags(
        (name = "auth", description = "Accounts and access tokens"),
        (name = "meetings", description = "Scheduling and the meeting's life cycle"),
        (name = "invitations", description = "Invitations, answers and proposed times"),
        (name = "presence", description = "Who is in the call"),
        (name = "signaling", description = "WebRTC signaling over a polled inbox"),
        (name = "recordings", description = "Mocked recordings and their manifests"),
        (name = "notes", description = "Mocked AI notes"),
        (name = "service", description = "Health and this document"),
    ),
)]
pub(crate) struct ApiDoc;

/// Built once: the document only changes when the code does.
static DOCUMENT: LazyLock<Result<String, String>> =
    LazyLock::new(|| ApiDoc::openapi().to_json().map_err(|e| e.to_string()));

#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi_document",
    tag = "service",
    security(()),
    responses((status = 200, description = "This OpenAPI 3.1 document.", body = Object)),
)]
async fn serve() -> Result<impl IntoResponse, AppError> {
    match &*DOCUMENT {
        Ok(json) => Ok(([(header::CONTENT_TYPE, "application/json")], json.clone())),
        Err(e) => {
            tracing::error!(error = %e, "the OpenAPI document does not serialize");
            Err(AppError::Internal)
        }
    }
}

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The errors that the shared extractors answer before a handler runs, added to every
/// operation that uses them, so each handler's attribute lists only its own rules' errors.
struct ExtractorErrors;

impl Modify for ExtractorErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let public = SecurityRequirement::default();
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                // No `security` of its own means the document's bearer requirement applies.
                let signed_in = op
                    .security
                    .as_ref()
                    .is_none_or(|reqs| !reqs.iter().any(|r| r == &public));
                let has_body = op.request_body.is_some();
                let params = op.parameters.as_deref().unwrap_or_default();
                let located = |at: ParameterIn| {
                    params
                        .iter()
                        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == at))
                };
                let (has_path, has_query) =
                    (located(ParameterIn::Path), located(ParameterIn::Query));
                if signed_in {
                    add_error(
                        op,
                        401,
                        "unauthenticated: the bearer token is missing, malformed, expired or revoked.",
                    );
                }
                if has_path {
                    add_error(
                        op,
                        404,
                        "not_found: no such resource, or one the caller may not see.",
                    );
                }
                if has_body {
                    add_error(op, 400, "bad_request: the body is not valid JSON.");
                    add_error(op, 413, "payload_too_large: the body is over 256 KiB.");
                    add_error(
                        op,
                        415,
                        "unsupported_media_type: the body is not sent as JSON.",
                    );
                }
                if has_body || has_query {
                    add_error(op, 422, "validation_failed: `fields` names each bad field.");
                }
                if signed_in || has_body {
                    add_error(op, 503, "service_unavailable: the database is unreachable.");
                }
            }
        }
    }
}

/// Adds an error response unless the handler documented that status itself.
fn add_error(op: &mut Operation, status: u16, description: &str) {
    let key = status.to_string();
    if op.responses.responses.contains_key(&key) {
        return;
    }
    let response = ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build();
    op.responses.responses.insert(key, response.into());
}
