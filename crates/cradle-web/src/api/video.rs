//! Video feedback in the API: consent to film recorded and withdrawn, with the same checks
//! and audit as the pages (the family read returns every consent as `filming_consents`).

use super::input::{checked, date_boxes, path_ids, ApiBody, FamilyPath};
use super::record_id;
use crate::auth::{ChangeRecords, FamilyScoped};
use crate::error::Failure;
use crate::json::Json;
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cradle_domain::filming::{
    ConsentGiven, FilmingConsent, FilmingConsentInput, FilmingPurpose, ViewingScope,
    WithdrawalInput,
};
use cradle_domain::Problems;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(record_filming_consent))
        .routes(routes!(withdraw_filming_consent))
}

const TAG: &str = "Video feedback";

path_ids!(
    /// One of the family's consents to film.
    ConsentPath {
        /// The family's id.
        id,
        /// The consent's id.
        consent,
    }
);

/// Consent to film, as the family gave it.
#[derive(Deserialize, ToSchema)]
struct FilmingConsentRecord {
    /// Who will be on film with the baby: "mother" or people's ids. Nobody marked do not
    /// contact or do not involve (422).
    on_film: Vec<String>,
    /// Who consented for the baby: "mother" or people's ids, each with parental
    /// responsibility recorded on their relationship with a baby (422 otherwise).
    for_baby: Vec<String>,
    /// Each use the family agreed to, separately.
    purposes: Vec<FilmingPurpose>,
    /// Who may view the film.
    scope: ViewingScope,
    /// How consent was given and where it is kept.
    given: ConsentGiven,
    /// When consent was given: not in the future.
    #[schema(format = Date)]
    given_on: String,
    /// The last day the consent covers filming and viewing: after `given_on`.
    #[schema(format = Date)]
    expires_on: String,
}

impl ApiBody for FilmingConsentRecord {
    type Input = FilmingConsentInput;

    fn into_input(self) -> Result<FilmingConsentInput, Failure> {
        let mut problems = Problems::default();
        let (given_day, given_month, given_year) =
            date_boxes("given_on", &self.given_on, &mut problems);
        let (expires_day, expires_month, expires_year) =
            date_boxes("expires_on", &self.expires_on, &mut problems);
        let input = FilmingConsentInput {
            on_film: self.on_film,
            for_baby: self.for_baby,
            purposes: self.purposes.iter().map(|p| p.code().to_string()).collect(),
            scope: self.scope.code().to_string(),
            given: self.given.code().to_string(),
            given_day,
            given_month,
            given_year,
            expires_day,
            expires_month,
            expires_year,
        };
        checked(input, problems)
    }
}

/// Record consent to film
///
/// Before anything is filmed: who is on film, who consented for the baby (only those with
/// parental responsibility), each use agreed separately, who may view, how it was given, and
/// until when it lasts. Audited.
#[utoipa::path(post, path = "/families/{id}/filming-consents", tag = TAG, params(FamilyPath),
    request_body = FilmingConsentRecord,
    responses(
        (status = 201, description = "The consent", body = FilmingConsent),
        (status = 404, description = "No such family"),
        (status = 422, description = "The consent has problems; nothing was saved"),
    ))]
async fn record_filming_consent(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<FilmingConsentRecord>,
) -> Result<Response, Failure> {
    let input = body.into_input()?;
    let consent = state
        .app
        .record_filming_consent(&staff.actor, &access, &input)
        .await
        .map_err(FilmingConsentRecord::fields)?;
    Ok((StatusCode::CREATED, Json(consent)).into_response())
}

/// Consent withdrawn.
#[derive(Deserialize, ToSchema)]
struct ConsentWithdrawing {
    /// The day it was withdrawn: not before it was given, not in the future.
    #[schema(format = Date)]
    withdrawn_on: String,
    /// Why, in the family's words where they gave a reason.
    #[schema(max_length = 1000)]
    reason: String,
}

/// Withdraw consent to film
///
/// From then on nothing may be filmed or viewed under it. The consent is kept, with the day,
/// the reason and who recorded it. Audited.
#[utoipa::path(post, path = "/families/{id}/filming-consents/{consent}/withdraw", tag = TAG,
    params(ConsentPath),
    request_body = ConsentWithdrawing,
    responses(
        (status = 200, description = "The consent, withdrawn", body = FilmingConsent),
        (status = 404, description = "No such family or consent"),
        (status = 409, description = "The consent was withdrawn already"),
        (status = 422, description = "The withdrawal has problems; nothing was saved"),
    ))]
async fn withdraw_filming_consent(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, consent)): Path<(String, String)>,
    Json(body): Json<ConsentWithdrawing>,
) -> Result<Response, Failure> {
    let consent = record_id(&consent)?;
    let mut problems = Problems::default();
    let (on_day, on_month, on_year) = date_boxes("withdrawn_on", &body.withdrawn_on, &mut problems);
    let input = checked(
        WithdrawalInput {
            on_day,
            on_month,
            on_year,
            reason: body.reason,
        },
        problems,
    )?;
    let withdrawn = state
        .app
        .withdraw_filming_consent(&staff.actor, &access, consent, &input)
        .await?;
    Ok(Json(withdrawn).into_response())
}
