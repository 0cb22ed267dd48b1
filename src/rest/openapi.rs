//! `GET /api/openapi.json`: the OpenAPI document of the HTTP contract, generated from the
//! handlers' `#[utoipa::path]` attributes (gathered by the routers that serve them) and the
//! shared model types.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::schemas;
use crate::error::AppError;
use crate::web::state::AppState;

/// `GET /openapi.json`, served from what [`publish`] stored.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(serve))
}

/// The document's frame: its title, security scheme, shared schemas and tags. The paths come
/// from the routers themselves (`rest::router`), so routes and document share one list.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Projitt Meet API",
        description = "Schedule meetings, invite people, and meet over a WebRTC mesh signaled \
                       through a polled inbox. Errors share one body: `{error, message, fields?}`.",
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
    modifiers(&BearerScheme),
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
static DOCUMENT: OnceLock<Result<String, String>> = OnceLock::new();

/// Completes the document that the routers assembled (each operation gets the errors of the
/// shared extractors) and keeps it for [`serve`].
pub fn publish(mut doc: utoipa::openapi::OpenApi) {
    DOCUMENT.get_or_init(|| {
        ExtractorErrors.modify(&mut doc);
        doc.to_json().map_err(|e| e.to_string())
    });
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi_document",
    tag = "service",
    security(()),
    responses((status = 200, description = "This OpenAPI 3.1 document.", body = Object)),
)]
async fn serve() -> Result<impl IntoResponse, AppError> {
    match DOCUMENT.get() {
        Some(Ok(json)) => Ok(([(header::CONTENT_TYPE, "application/json")], json.clone())),
        None => {
            tracing::error!("the OpenAPI document was not published");
            Err(AppError::Internal)
        }
        Some(Err(e)) => {
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
