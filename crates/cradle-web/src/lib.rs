//! Cradle's web front: server-rendered pages in the NHS design system and the `/api/v1` JSON
//! API. Handlers never touch the store: they ask `cradle-app`, which checks access and audits.
//!
//! Every request passes through, outermost first: security headers → error rendering (one
//! place turns failures into an NHS error page or JSON problem details) → sign-in and CSRF
//! checks (deny by default: only the public routes listed in `auth::is_public` skip them) →
//! the route, whose extractor names the permission it needs.

// The OpenAPI document is written as nested `json!` literals deeper than the default limit.
#![recursion_limit = "256"]

pub mod api;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod ecomap;
pub mod error;
pub mod json;
pub mod openapi;
pub mod pages;
pub mod proxy;
pub mod security;
mod views;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use cradle_app::Cradle;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Largest request body accepted (forms and JSON). Recordings will have their own limit.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What the handlers share, behind one pointer: axum clones the state for every layer a
/// request passes through, and a clone is then one count instead of one for each part
/// (dropping those clones was a fiftieth of a profiled API read).
#[derive(Clone)]
pub struct WebState(std::sync::Arc<WebParts>);

impl WebState {
    pub fn new(parts: WebParts) -> Self {
        Self(std::sync::Arc::new(parts))
    }
}

impl std::ops::Deref for WebState {
    type Target = WebParts;

    fn deref(&self) -> &WebParts {
        &self.0
    }
}

pub struct WebParts {
    pub app: Cradle,
    /// Mark cookies `Secure`. Off only for local development over plain HTTP.
    pub secure_cookies: bool,
    /// Shows a banner saying the data is invented.
    pub demo: bool,
    /// The API's family reads as written, by family and change count (see `api.rs`).
    pub family_json: FamilyJson,
    /// Reverse proxies whose `X-Forwarded-For` names the client (none by default).
    pub trusted_proxies: proxy::TrustedProxies,
}

/// The API's family reads as written: the record's part of each answer, serialised once per
/// change count of the family. Reading still checks access and writes the audit record every
/// time; only the writing out is saved.
#[derive(Clone)]
pub struct FamilyJson(pub std::sync::Arc<cradle_store::Copies<Vec<u8>>>);

impl Default for FamilyJson {
    fn default() -> Self {
        Self(std::sync::Arc::new(cradle_store::Copies::new(2_000)))
    }
}

pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(pages::home::home))
        .route("/login", get(pages::login::form).post(pages::login::submit))
        .route("/login/code", post(pages::login::submit_code))
        .route(
            "/password/{token}",
            get(pages::enrolment::form).post(pages::enrolment::submit),
        )
        .route("/account", get(pages::account::show))
        .route(
            "/account/second-factor",
            get(pages::account::second_factor_form).post(pages::account::set_up_second_factor),
        )
        .route(
            "/account/second-factor/off",
            post(pages::account::turn_off_second_factor),
        )
        .route("/admin/staff/{id}/link", post(pages::admin::make_link))
        .route(
            "/teams/{team}/members/{id}/link",
            post(pages::team_members::make_link),
        )
        .route("/logout", post(pages::login::logout))
        .route(
            "/families",
            get(pages::families::list).post(pages::families::create),
        )
        .route("/families/new", get(pages::families::new_form))
        .route("/families/{id}", get(pages::families::show))
        .route(
            "/families/{id}/break-glass",
            get(pages::families::break_glass_form).post(pages::families::break_glass),
        )
        .route("/families/{id}/audit", get(pages::audit::family_audit))
        .route(
            "/audit/emergency-access",
            get(pages::audit::emergency_access),
        )
        .route("/families/{id}/ecomap.svg", get(pages::network::ecomap))
        .route("/families/{id}/people", post(pages::network::add_person))
        .route(
            "/families/{id}/you-and-your-baby/{member}",
            get(pages::observations::caregiver_summary),
        )
        .route(
            "/families/{id}/notes/new",
            get(pages::observations::new_note_form),
        )
        .route("/families/{id}/notes", post(pages::observations::add_note))
        .route(
            "/families/{id}/notes/{note}",
            get(pages::observations::edit_note_form).post(pages::observations::amend_note),
        )
        .route(
            "/families/{id}/observations/{observation}",
            get(pages::observations::edit_observation_form)
                .post(pages::observations::amend_observation),
        )
        .route(
            "/families/{id}/observations/new",
            get(pages::observations::new_form),
        )
        .route(
            "/families/{id}/observations",
            post(pages::observations::create),
        )
        .route(
            "/families/{id}/enquiries/new",
            get(pages::enquiries::new_form),
        )
        .route("/families/{id}/enquiries", post(pages::enquiries::create))
        .route(
            "/families/{id}/concerns/new",
            get(pages::concerns::raise_form),
        )
        .route("/families/{id}/concerns", post(pages::concerns::raise))
        .route(
            "/families/{id}/concerns/{concern}/actions",
            get(pages::concerns::action_form).post(pages::concerns::record_action),
        )
        .route(
            "/families/{id}/plans/new",
            get(pages::care_plans::new_plan_form),
        )
        .route("/families/{id}/plans", post(pages::care_plans::create_plan))
        .route(
            "/families/{id}/plans/{plan}",
            get(pages::care_plans::plan_page),
        )
        .route(
            "/families/{id}/plans/{plan}/goals/new",
            get(pages::care_plans::new_goal_form),
        )
        .route(
            "/families/{id}/plans/{plan}/goals",
            post(pages::care_plans::add_goal),
        )
        .route(
            "/families/{id}/plans/{plan}/sessions/new",
            get(pages::care_plans::new_session_form),
        )
        .route(
            "/families/{id}/plans/{plan}/sessions",
            post(pages::care_plans::record_session),
        )
        .route(
            "/families/{id}/plans/{plan}/reviews/new",
            get(pages::care_plans::new_review_form),
        )
        .route(
            "/families/{id}/plans/{plan}/reviews",
            post(pages::care_plans::record_review),
        )
        .route(
            "/families/{id}/plans/{plan}/end",
            get(pages::care_plans::end_plan_form).post(pages::care_plans::end_plan),
        )
        .route(
            "/families/{id}/interventions/new",
            get(pages::interventions::offer_form_page),
        )
        .route(
            "/families/{id}/interventions",
            post(pages::interventions::offer),
        )
        .route(
            "/families/{id}/interventions/{intervention}/steps",
            get(pages::interventions::step_form_page).post(pages::interventions::record_step),
        )
        .route(
            "/families/{id}/interventions/{intervention}/series",
            get(pages::interventions::series_form_page).post(pages::interventions::record_series),
        )
        .route(
            "/teams/{team}/interventions/new",
            get(pages::interventions::new_catalogue_entry),
        )
        .route(
            "/teams/{team}/interventions",
            post(pages::interventions::add_catalogue_entry),
        )
        .route(
            "/teams/{team}/interventions/{entry}",
            get(pages::interventions::edit_catalogue_entry)
                .post(pages::interventions::change_catalogue_entry),
        )
        .route("/teams", get(pages::care_plans::teams_index))
        .route("/reports/partners", get(pages::reports::partner_figures))
        .route(
            "/reports/partners.csv",
            get(pages::reports::partner_figures_csv),
        )
        .route(
            "/reports/partners-by-ethnicity.csv",
            get(pages::reports::partner_figures_by_ethnicity_csv),
        )
        .route(
            "/families/{id}/details",
            get(pages::network::mother_details_form).post(pages::network::save_mother_details),
        )
        .route(
            "/groups",
            get(pages::groups::groups).post(pages::groups::create_group),
        )
        .route("/groups/new", get(pages::groups::new_group))
        .route("/groups/{group}", get(pages::groups::group))
        .route("/groups/{group}/sessions", post(pages::groups::add_session))
        .route(
            "/groups/{group}/sessions/{session}/register",
            get(pages::groups::register_form).post(pages::groups::take_register),
        )
        .route(
            "/families/{id}/groups/enrol",
            get(pages::groups::enrol_form),
        )
        .route("/families/{id}/groups", post(pages::groups::enrol))
        .route(
            "/teams/{team}/settings",
            get(pages::care_plans::team_settings).post(pages::care_plans::save_team_settings),
        )
        .route(
            "/teams/{team}/settings/pathway",
            post(pages::care_plans::save_pathway_roles),
        )
        .route(
            "/teams/{team}/questionnaires/new",
            get(pages::team_questionnaires::import_form).post(pages::team_questionnaires::import),
        )
        .route(
            "/teams/{team}/questionnaires/{definition}/retire",
            post(pages::team_questionnaires::retire),
        )
        .route(
            "/families/{id}/concerns/{concern}",
            get(pages::concerns::correct_form).post(pages::concerns::correct),
        )
        .route(
            "/families/{id}/moments/{moment}",
            get(pages::observations::edit_moment_form).post(pages::observations::amend_moment),
        )
        .route(
            "/families/{id}/concerns/{concern}/close",
            get(pages::concerns::close_form).post(pages::concerns::close),
        )
        .route(
            "/families/{id}/conversations/new",
            get(pages::conversations::new_form),
        )
        .route(
            "/families/{id}/conversations",
            post(pages::conversations::create),
        )
        .route(
            "/families/{id}/conversations/{conversation}",
            get(pages::conversations::edit_form).post(pages::conversations::save),
        )
        .route(
            "/families/{id}/people/known",
            get(pages::network::known_people),
        )
        .route(
            "/families/{id}/people/link",
            post(pages::network::link_person),
        )
        .route(
            "/families/{id}/people/new",
            get(pages::network::new_person_form),
        )
        .route(
            "/families/{id}/people/{person}",
            post(pages::network::amend_person),
        )
        .route(
            "/families/{id}/people/{person}/edit",
            get(pages::network::edit_person_form),
        )
        .route(
            "/families/{id}/people/{person}/history",
            get(pages::network::person_history),
        )
        .route(
            "/families/{id}/history/{kind}/{record}",
            get(pages::network::record_history),
        )
        .route("/families/{id}/entries", post(pages::network::add_entry))
        .route(
            "/families/{id}/relationships/{relationship}/end",
            get(pages::network::end_relationship_form).post(pages::network::end_relationship),
        )
        .route(
            "/families/{id}/child-protection",
            get(pages::network::child_protection_form).post(pages::network::set_child_protection),
        )
        .route(
            "/families/{id}/printout/{member}",
            get(pages::network::printout),
        )
        .route(
            "/families/{id}/together",
            get(pages::network::together_form),
        )
        .route(
            "/families/{id}/together/summary",
            get(pages::network::together_summary),
        )
        .route(
            "/families/{id}/people/{person}/questionnaires/new",
            get(pages::questionnaires::questionnaire_form),
        )
        .route(
            "/families/{id}/people/{person}/questionnaires",
            post(pages::questionnaires::record_questionnaire),
        )
        .route(
            "/families/{id}/questionnaires/{response}/alert-action",
            get(pages::questionnaires::alert_action_form)
                .post(pages::questionnaires::record_alert_action),
        )
        .route(
            "/families/{id}/people/{person}/pathway",
            get(pages::pathway::pathway_page).post(pages::pathway::record_step),
        )
        .route(
            "/families/{id}/people/{person}/assessment",
            get(pages::partner_assessment::assessment_form)
                .post(pages::partner_assessment::record_assessment),
        )
        .route(
            "/families/{id}/people/{person}/restrict",
            get(pages::network::restriction_form).post(pages::network::restrict),
        )
        .route(
            "/families/{id}/disclosure-actions/{action}",
            get(pages::disclosures::settle_form).post(pages::disclosures::settle),
        )
        .route(
            "/families/{id}/restrictions/{restriction}/renew",
            get(pages::network::renew_form).post(pages::network::renew),
        )
        .route(
            "/families/{id}/restrictions/{restriction}/lift",
            get(pages::network::lift_form).post(pages::network::lift),
        )
        .route(
            "/families/{id}/relationships",
            post(pages::network::add_relationship),
        )
        .route(
            "/families/{id}/relationships/new",
            get(pages::network::new_relationship_form),
        )
        .route(
            "/families/{id}/babies/{baby}/birth",
            get(pages::network::birth_form).post(pages::network::record_birth),
        )
        .route(
            "/admin/staff",
            get(pages::admin::staff_list).post(pages::admin::create_staff),
        )
        .route("/admin/staff/new", get(pages::admin::new_staff_form))
        .route(
            "/admin/staff/{id}/disable",
            post(pages::admin::disable_staff),
        )
        .route("/admin/staff/{id}/enable", post(pages::admin::enable_staff))
        .route("/admin/staff/{id}/unlock", post(pages::admin::unlock_staff))
        .route("/admin/tokens", get(pages::admin::tokens))
        .route(
            "/admin/tokens/{id}/revoke",
            post(pages::admin::revoke_token),
        )
        .route("/teams/{team}/members", get(pages::team_members::members))
        .route(
            "/teams/{team}/members/{id}/unlock",
            post(pages::team_members::unlock),
        )
        .route(
            "/admin/staff/{id}/teams",
            get(pages::admin::staff_teams_form).post(pages::admin::set_staff_teams),
        )
        .route(
            "/admin/teams",
            get(pages::admin::teams).post(pages::admin::create_team),
        )
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .route("/assets/images/{name}", get(assets::serve_image))
        .route("/assets/{name}", get(assets::serve))
        .nest("/api/v1", api::router())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::sign_in_and_csrf,
        ))
        .layer(axum::middleware::from_fn(security::refuse_unstorable))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::render_failures,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(axum::middleware::from_fn(security::request_span))
        .with_state(state)
}

/// Liveness: the process answers.
async fn health() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
async fn ready(
    axum::extract::State(state): axum::extract::State<WebState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match state.app.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database not reachable",
            )
                .into_response()
        }
    }
}

/// Serves until the process is asked to stop (Ctrl-C or SIGTERM).
pub async fn serve(state: WebState, listener: TcpListener) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
