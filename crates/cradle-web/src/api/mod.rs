//! The JSON API under `/api/v1`: the same use-cases, access rules and audit as the pages.
//! Errors are `application/problem+json` (see `error.rs`). Each area's file declares its
//! operations (`#[utoipa::path]`), its request types and its routes; the OpenAPI document is
//! generated from those declarations (`openapi.rs` adds what holds for every operation).

use crate::error::{Failure, Problem};
use crate::WebState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// (method, path) of every API operation, as the OpenAPI document writes them. A new
/// operation goes here as well as in its area's `routes()`: the test
/// `api::the_openapi_document_describes_every_operation_and_every_operation_exists` fails
/// until both agree, and the access tests try every operation listed here.
pub const OPERATIONS: [(&str, &str); 89] = [
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/teams"),
    ("get", "/api/v1/families"),
    ("post", "/api/v1/families"),
    ("get", "/api/v1/families/{id}"),
    ("post", "/api/v1/families/{id}/break-glass"),
    ("get", "/api/v1/families/{id}/audit"),
    ("get", "/api/v1/staff"),
    ("post", "/api/v1/staff"),
    ("post", "/api/v1/staff/{id}/disable"),
    ("post", "/api/v1/staff/{id}/enable"),
    ("post", "/api/v1/staff/{id}/teams"),
    ("get", "/api/v1/families/{id}/ecomap.svg"),
    ("post", "/api/v1/families/{id}/people"),
    ("post", "/api/v1/families/{id}/conversations"),
    ("post", "/api/v1/families/{id}/concerns"),
    ("post", "/api/v1/families/{id}/enquiries"),
    ("post", "/api/v1/families/{id}/disclosure-actions/{action}"),
    ("post", "/api/v1/families/{id}/observations"),
    ("post", "/api/v1/families/{id}/notes"),
    ("post", "/api/v1/families/{id}/notes/{note}"),
    ("post", "/api/v1/families/{id}/moments/{moment}"),
    ("post", "/api/v1/families/{id}/concerns/{concern}"),
    ("post", "/api/v1/families/{id}/observations/{observation}"),
    ("post", "/api/v1/families/{id}/concerns/{concern}/actions"),
    ("post", "/api/v1/families/{id}/concerns/{concern}/close"),
    ("post", "/api/v1/families/{id}/filming-consents"),
    (
        "post",
        "/api/v1/families/{id}/filming-consents/{consent}/withdraw",
    ),
    ("post", "/api/v1/families/{id}/recordings"),
    (
        "head",
        "/api/v1/families/{id}/recordings/{recording}/upload",
    ),
    (
        "patch",
        "/api/v1/families/{id}/recordings/{recording}/upload",
    ),
    ("get", "/api/v1/families/{id}/recordings/{recording}/film"),
    ("get", "/api/v1/families/{id}/recordings/{recording}/poster"),
    ("get", "/api/v1/teams/{id}/recording-retention"),
    ("post", "/api/v1/teams/{id}/recording-retention"),
    ("get", "/api/v1/teams/{id}/coding-schemes"),
    ("get", "/api/v1/teams/{id}/coding-schemes/{scheme}"),
    ("post", "/api/v1/teams/{id}/coding-schemes/{scheme}/codes"),
    ("get", "/api/v1/families/{id}/recordings/{recording}/coding"),
    (
        "post",
        "/api/v1/families/{id}/recordings/{recording}/coding",
    ),
    (
        "post",
        "/api/v1/families/{id}/recordings/{recording}/coding/{event}",
    ),
    (
        "get",
        "/api/v1/families/{id}/recordings/{recording}/agreement",
    ),
    (
        "get",
        "/api/v1/families/{id}/recordings/{recording}/coding.eaf",
    ),
    (
        "get",
        "/api/v1/families/{id}/recordings/{recording}/coding.csv",
    ),
    (
        "post",
        "/api/v1/families/{id}/recordings/{recording}/coding/import",
    ),
    (
        "post",
        "/api/v1/families/{id}/recordings/{recording}/delete",
    ),
    ("post", "/api/v1/families/{id}/conversations/{conversation}"),
    ("get", "/api/v1/families/{id}/known-people"),
    ("post", "/api/v1/families/{id}/people/link"),
    ("post", "/api/v1/families/{id}/people/{person}"),
    ("get", "/api/v1/families/{id}/people/{person}/history"),
    ("get", "/api/v1/families/{id}/history/{kind}/{record}"),
    ("post", "/api/v1/families/{id}/people/{person}/restrictions"),
    (
        "post",
        "/api/v1/families/{id}/restrictions/{restriction}/renew",
    ),
    (
        "post",
        "/api/v1/families/{id}/restrictions/{restriction}/lift",
    ),
    ("post", "/api/v1/families/{id}/relationships"),
    ("post", "/api/v1/families/{id}/relationships/{relationship}"),
    ("post", "/api/v1/families/{id}/babies/{baby}/birth"),
    ("post", "/api/v1/families/{id}/plans"),
    ("post", "/api/v1/families/{id}/plans/{plan}/goals"),
    ("post", "/api/v1/families/{id}/plans/{plan}/sessions"),
    ("post", "/api/v1/families/{id}/plans/{plan}/reviews"),
    ("post", "/api/v1/families/{id}/plans/{plan}/end"),
    ("get", "/api/v1/teams/{id}/settings"),
    ("post", "/api/v1/teams/{id}/settings"),
    ("get", "/api/v1/teams/{id}/interventions"),
    ("post", "/api/v1/teams/{id}/interventions"),
    ("post", "/api/v1/teams/{id}/interventions/{entry}"),
    ("post", "/api/v1/families/{id}/interventions"),
    (
        "post",
        "/api/v1/families/{id}/interventions/{intervention}/steps",
    ),
    (
        "post",
        "/api/v1/families/{id}/interventions/{intervention}/series",
    ),
    ("post", "/api/v1/families/{id}/people/{person}/pathway"),
    ("post", "/api/v1/families/{id}/people/{person}/assessments"),
    ("get", "/api/v1/teams/{id}/pathway-roles"),
    ("post", "/api/v1/teams/{id}/pathway-roles"),
    ("get", "/api/v1/teams/{id}/questionnaires"),
    ("post", "/api/v1/teams/{id}/questionnaires"),
    (
        "post",
        "/api/v1/teams/{id}/questionnaires/{definition}/retire",
    ),
    ("get", "/api/v1/questionnaires"),
    (
        "post",
        "/api/v1/families/{id}/people/{person}/questionnaires",
    ),
    (
        "post",
        "/api/v1/families/{id}/questionnaires/{response}/alert-action",
    ),
    ("get", "/api/v1/groups"),
    ("post", "/api/v1/groups"),
    ("get", "/api/v1/groups/{group}"),
    ("post", "/api/v1/groups/{group}/sessions"),
    ("post", "/api/v1/groups/{group}/sessions/{session}/register"),
    ("post", "/api/v1/families/{id}/groups"),
    ("post", "/api/v1/families/{id}/details"),
];

mod admin;
mod care_plans;
mod coding;
mod families;
mod groups;
mod input;
mod pathway;
mod people;
pub(crate) mod recordings;
mod relationship_work;
mod video;

/// The API's routes, taken from the same declarations as its description.
pub fn router() -> Router<WebState> {
    documented().split_for_parts().0
}

/// The part of the API document generated from the handlers and their types.
pub fn generated_document() -> utoipa::openapi::OpenApi {
    documented().into_openapi()
}

fn documented() -> OpenApiRouter<WebState> {
    OpenApiRouter::new().nest("/api/v1", areas())
}

fn areas() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .merge(admin::routes())
        .merge(care_plans::routes())
        .merge(groups::routes())
        .merge(pathway::routes())
        .merge(people::routes())
        .merge(relationship_work::routes())
        .merge(video::routes())
        .merge(recordings::routes())
        .merge(coding::routes())
        .merge(families::routes())
        .routes(routes!(crate::openapi::document))
}

pub(crate) fn team_id(text: &str) -> Result<cradle_domain::TeamId, Failure> {
    text.parse::<uuid::Uuid>()
        .map(cradle_domain::TeamId)
        .map_err(|_| Failure(Problem::NotFound))
}

pub(crate) fn record_id(text: &str) -> Result<uuid::Uuid, Failure> {
    text.parse::<uuid::Uuid>()
        .map_err(|_| Failure(Problem::NotFound))
}
