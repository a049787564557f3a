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
pub mod form;
pub mod json;
pub mod openapi;
pub mod pages;
pub mod proxy;
pub mod security;
mod views;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
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
        // Families and the people around the baby.
        .merge(pages::families::routes())
        .merge(pages::network::routes())
        .merge(pages::audit::routes())
        .merge(pages::disclosures::routes())
        // Relationship work.
        .merge(pages::conversations::routes())
        .merge(pages::concerns::routes())
        .merge(pages::observations::routes())
        .merge(pages::video::routes())
        .merge(pages::enquiries::routes())
        // Care plans and interventions.
        .merge(pages::care_plans::routes())
        .merge(pages::interventions::routes())
        // Partner pathway and questionnaires.
        .merge(pages::pathway::routes())
        .merge(pages::partner_assessment::routes())
        .merge(pages::questionnaires::routes())
        .merge(pages::team_questionnaires::routes())
        // Groups.
        .merge(pages::groups::routes())
        // Reports.
        .merge(pages::reports::routes())
        // Signing in and accounts.
        .merge(pages::home::routes())
        .merge(pages::login::routes())
        .merge(pages::enrolment::routes())
        .merge(pages::account::routes())
        // Administration.
        .merge(pages::admin::routes())
        .merge(pages::team_members::routes())
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .route("/assets/images/{name}", get(assets::serve_image))
        .route("/assets/{name}", get(assets::serve))
        .merge(api::router())
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
