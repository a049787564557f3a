//! Static assets built into the binary. Each is served under a name that carries a hash of
//! its content, so browsers may cache it for a year and still never use a stale copy.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

struct Asset {
    /// Name as written in the source, e.g. "nhsuk-frontend.min.css".
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

static FILES: [Asset; 6] = [
    Asset {
        name: "nhsuk-frontend.min.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/vendor/nhsuk-frontend/nhsuk-frontend.min.css"),
    },
    Asset {
        name: "nhsuk-frontend.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/vendor/nhsuk-frontend/nhsuk-frontend.min.js"),
    },
    Asset {
        name: "cradle.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/cradle.css"),
    },
    Asset {
        name: "cradle-init.mjs",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/cradle-init.mjs"),
    },
    Asset {
        name: "tus.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/vendor/tus-js-client/tus.min.js"),
    },
    Asset {
        name: "cradle-upload.mjs",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/cradle-upload.mjs"),
    },
];

/// Images the NHS stylesheet refers to by fixed path (/assets/images/…).
static IMAGES: [Asset; 10] = [
    image(
        "favicon.ico",
        "image/x-icon",
        include_bytes!("../assets/vendor/nhsuk-frontend/images/favicon.ico"),
    ),
    image(
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../assets/vendor/nhsuk-frontend/images/favicon.svg"),
    ),
    image(
        "nhsuk-icon-180.png",
        "image/png",
        include_bytes!("../assets/vendor/nhsuk-frontend/images/nhsuk-icon-180.png"),
    ),
    image(
        "nhsuk-icon-arrow-down.svg",
        "image/svg+xml",
        include_bytes!("../assets/vendor/nhsuk-frontend/images/nhsuk-icon-arrow-down.svg"),
    ),
    image(
        "nhsuk-icon-arrow-up-down.svg",
        "image/svg+xml",
        include_bytes!("../assets/vendor/nhsuk-frontend/images/nhsuk-icon-arrow-up-down.svg"),
    ),
    image(
        "nhsuk-icon-arrow-up.svg",
        "image/svg+xml",
        include_bytes!("../assets/vendor/nhsuk-frontend/images/nhsuk-icon-arrow-up.svg"),
    ),
    image(
        "nhsuk-icon-cross.svg",
        "image/svg+xml",
        include_bytes!("../assets/vendor/nhsuk-frontend/images/nhsuk-icon-cross.svg"),
    ),
    image(
        "nhsuk-icon-tick.svg",
        "image/svg+xml",
        include_bytes!("../assets/vendor/nhsuk-frontend/images/nhsuk-icon-tick.svg"),
    ),
    image(
        "nhsuk-icon-user.svg",
        "image/svg+xml",
        include_bytes!("../assets/vendor/nhsuk-frontend/images/nhsuk-icon-user.svg"),
    ),
    image(
        "nhsuk-icon-search.svg",
        "image/svg+xml",
        include_bytes!("../assets/vendor/nhsuk-frontend/images/nhsuk-icon-search.svg"),
    ),
];

const fn image(name: &'static str, content_type: &'static str, body: &'static [u8]) -> Asset {
    Asset {
        name,
        content_type,
        body,
    }
}

/// The version of the NHS design system built in, for the footer and `--version`.
pub const NHSUK_FRONTEND_VERSION: &str = include_str!("../assets/vendor/nhsuk-frontend/VERSION");

fn hashed_names() -> &'static Vec<String> {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        FILES
            .iter()
            .map(|asset| {
                let digest = hex::encode(Sha256::digest(asset.body));
                let short = digest.get(..10).unwrap_or("0");
                match asset.name.split_once('.') {
                    Some((stem, ext)) => format!("{stem}-{short}.{ext}"),
                    None => format!("{}-{short}", asset.name),
                }
            })
            .collect()
    })
}

/// The URL of an asset by its source name, e.g. `url("cradle.css")` → "/assets/cradle-1a2b3c4d5e.css".
pub fn url(name: &str) -> String {
    FILES
        .iter()
        .position(|a| a.name == name)
        .and_then(|i| hashed_names().get(i))
        .map(|hashed| format!("/assets/{hashed}"))
        .unwrap_or_else(|| format!("/assets/{name}"))
}

pub async fn serve(Path(name): Path<String>) -> Response {
    if let Some(index) = hashed_names().iter().position(|n| *n == name) {
        if let Some(asset) = FILES.get(index) {
            return respond(asset, "public, max-age=31536000, immutable");
        }
    }
    // The init module imports the NHS script by its plain name, resolved next to itself.
    if let Some(asset) = FILES.iter().find(|a| a.name == name) {
        return respond(asset, "public, max-age=3600");
    }
    StatusCode::NOT_FOUND.into_response()
}

pub async fn serve_image(Path(name): Path<String>) -> Response {
    match IMAGES.iter().find(|a| a.name == name) {
        Some(asset) => respond(asset, "public, max-age=86400"),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn respond(asset: &Asset, cache: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_urls_carry_a_content_hash() {
        let css = url("cradle.css");
        assert!(
            css.starts_with("/assets/cradle-") && css.ends_with(".css"),
            "{css}"
        );
        assert_ne!(css, "/assets/cradle.css");
    }
}
