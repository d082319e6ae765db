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

/// Serves the application on `addr` until SIGTERM or Ctrl-C, then stops accepting, lets the
/// requests in flight finish, and returns.
pub async fn serve(svc: Service, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving");
    axum::serve(listener, router(svc).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(stop_signal())
        .await?;
    tracing::info!("stopped after finishing the requests in flight");
    Ok(())
}

/// SIGTERM (as systemd and container runtimes stop a service) or Ctrl-C.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("stop signal received: finishing the requests in flight");
}
