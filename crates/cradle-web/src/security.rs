//! Security headers on every response, and no caching of anything but static assets:
//! a shared ward computer must not show a family's record from its cache after sign-out.
//! Referrer-Policy is same-origin: addresses (which hold record ids) never go to other sites.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The id this server gave a request: in every log line written while it is answered (a
/// tracing span), in the `X-Request-Id` header of the answer, and in problem details as
/// `instance`, so a failure a person reports can be found in the log.
#[derive(Debug, Clone, Copy)]
pub struct RequestId(pub uuid::Uuid);

impl RequestId {
    /// The next id of this server: a random number drawn when it started, so that two
    /// servers' ids do not meet, and its count of requests scrambled by two more (times an
    /// odd number, plus another: still one id a request, but the id does not read as how
    /// busy the server is). Nothing secret rests on it, and it costs no system call (a random
    /// id for every request cost `/healthz` a tenth of its speed, `docs/performance.md`).
    fn next() -> Self {
        static SERVER: std::sync::OnceLock<(u64, u64, u64)> = std::sync::OnceLock::new();
        static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let (server, times, plus) = *SERVER.get_or_init(|| {
            let (server, scramble) = uuid::Uuid::new_v4().as_u64_pair();
            (server, scramble | 1, scramble.rotate_left(32))
        });
        let count = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self(uuid::Uuid::from_u64_pair(
            server,
            count.wrapping_mul(times).wrapping_add(plus),
        ))
    }
}

/// Gives each request its id and its span. A client's own `X-Request-Id` is not taken: what
/// reaches the log is what this server made. The path is logged without its query (which
/// may hold a name searched for), and a one-time password link without its token.
pub async fn request_span(mut request: Request, next: Next) -> Response {
    let RequestId(id) = RequestId::next();
    request.extensions_mut().insert(RequestId(id));
    let path = request.uri().path();
    let path = if path.starts_with("/password/") {
        "/password/…"
    } else {
        path
    };
    let span = tracing::info_span!("request", id = %id, method = %request.method(), path = %path);
    let started = std::time::Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::debug!(
            status = response.status().as_u16(),
            ms = started.elapsed().as_millis(),
            "answered"
        );
    });
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    if let Ok(value) = HeaderValue::from_bytes(id.hyphenated().encode_lower(&mut text).as_bytes()) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub async fn headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !is_asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses, before any handler runs, text no database can keep or no form can mean: a NUL
/// character (raw, `%00` in an address or form, `\\u0000` in JSON), and a form whose text is
/// not UTF-8. Each is a clear 400 saying why, the same on both databases, pages and API, and
/// nothing is saved (PostgreSQL refuses a NUL in text, which would otherwise fail mid-way).
pub async fn refuse_unstorable(
    request: Request,
    next: Next,
) -> Result<Response, crate::error::Failure> {
    use crate::error::{Failure, Problem};
    const NUL: &str = "The request contains a NUL character (%00 or \\u0000), which cannot be part of any text Cradle keeps. Remove it and try again.";
    let percent_nul = |text: &[u8]| text.windows(3).any(|w| w.eq_ignore_ascii_case(b"%00"));
    let json_nul = |text: &[u8]| text.windows(6).any(|w| w == b"\\u0000");
    if request
        .uri()
        .query()
        .is_some_and(|q| percent_nul(q.as_bytes()) || q.contains('\0'))
    {
        return Err(Failure(Problem::BadRequest(NUL.to_string())));
    }
    // A recording's bytes (a resumable upload's PATCH) are film, not text: they are sealed as
    // they stream through, never read whole here.
    if request.method() == axum::http::Method::PATCH
        && crate::api::recordings::is_upload_path(request.uri().path())
    {
        return Ok(next.run(request).await);
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, crate::MAX_BODY_BYTES)
        .await
        .map_err(|_| Failure(Problem::PayloadTooLarge))?;
    let encoded_nul = if is_form {
        percent_nul(&bytes)
    } else {
        json_nul(&bytes)
    };
    if bytes.contains(&0) || encoded_nul {
        return Err(Failure(Problem::BadRequest(NUL.to_string())));
    }
    if is_form {
        let readable = std::str::from_utf8(&bytes).is_ok_and(|text| {
            text.split('&')
                .flat_map(|pair| pair.split('='))
                .all(|part| {
                    percent_encoding::percent_decode_str(part)
                        .decode_utf8()
                        .is_ok()
                })
        });
        if !readable {
            return Err(Failure(Problem::BadRequest(
                "The form's text is not valid UTF-8, so it cannot be read as typed. Send it from Cradle's own page, or encode it as UTF-8.".to_string(),
            )));
        }
    }
    Ok(next
        .run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await)
}
