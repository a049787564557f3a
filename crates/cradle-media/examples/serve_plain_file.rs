//! The yardstick for Cradle's playback benchmark (`scripts/bench-recordings`): one file served
//! as it is, unencrypted, by axum with tower-http's `ServeFile` (which answers range requests),
//! on the address given. Cradle's film endpoint, which opens sealed chunks and audits every
//! request, is measured against it.
//!
//! Usage: serve_plain_file <file> <address>

#![allow(clippy::expect_used)]

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().expect("the file to serve");
    let address = args
        .next()
        .expect("the address to listen on, such as 127.0.0.1:8090");
    let router =
        axum::Router::new().route_service("/film", tower_http::services::ServeFile::new(file));
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .expect("the address to listen on");
    axum::serve(listener, router).await.expect("serving");
}
