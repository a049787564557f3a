//! The HTML pages, one module per area. Each handler takes a `Staff<Need>` extractor that
//! names the permission it needs, asks `cradle-app` to do the work, and renders a template.

pub mod admin;
pub mod audit;
pub mod concerns;
pub mod conversations;
pub mod enquiries;
pub mod families;
pub mod home;
pub mod login;
pub mod network;
pub mod observations;
pub mod timeline;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// After a successful form: go to the next page with GET (post/redirect/get).
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
