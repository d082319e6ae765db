//! haibun's web application: Japanese-first HTML pages and the JSON API under `/api/v1`, both
//! calling the same `service` use cases as the command line.

#![expect(
    clippy::result_large_err,
    reason = "handlers answer with a Response or an API error; boxing them gains nothing on a request path"
)]

mod admin;
mod api;
mod charts;
mod drill;
mod error;
mod format;
mod lines;
mod pages;
mod session;
mod suggestions;

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use haibun_service::Service;

pub use api::openapi_paths;

/// The Digital Agency design tokens (vendored from `@digital-go-jp/design-tokens`).
pub const TOKENS_CSS: &str = include_str!("../static/tokens.css");

/// What every handler gets.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The use cases.
    pub svc: Service,
}

/// The whole application: pages, static files, the API and its OpenAPI document, with the
/// security headers on every response.
pub fn router(svc: Service) -> Router {
    // An upload may be as large as the file limit, plus room for the form around it.
    let upload_limit = svc.limits().file_bytes.saturating_add(64 << 10);
    let state = AppState { svc };
    Router::new()
        .merge(pages::routes(upload_limit))
        .merge(api::routes(upload_limit))
        .with_state(state)
        .layer(axum::middleware::map_response(security_headers))
}

/// Strict defaults for every response: no inline script, no framing, no sniffing.
async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    res
}

/// Serves the application on `addr` until the process is stopped.
pub async fn serve(svc: Service, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving");
    axum::serve(listener, router(svc).into_make_service_with_connect_info::<SocketAddr>()).await
}
