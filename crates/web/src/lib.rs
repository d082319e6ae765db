//! haibun's web application: Japanese-first HTML pages and the JSON API under `/api/v1`, both
//! calling the same `service` use cases as the command line.

#![expect(
    clippy::result_large_err,
    reason = "handlers answer with a Response or an API error; boxing them gains nothing on a request path"
)]

mod admin;
mod api;
mod api_errors;
mod charts;
mod drill;
mod error;
mod format;
mod lines;
mod pages;
mod proxy;
mod session;
mod suggestions;

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use haibun_service::Service;

pub use api::openapi_paths;

/// A page of the user guide (Markdown) as the HTML `/help` serves, and its title: raw HTML shown
/// as text, relative links and images under `/help/`.
pub fn guide_html(markdown: &str) -> (String, String) {
    pages::help::to_html(markdown)
}

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
        .layer(axum::middleware::from_fn(request_log))
}

/// Gives every request an id (the caller's `X-Request-Id` if it is a plain token, else a new
/// one), runs it inside a span carrying the id, method and path, so every log line written while
/// it is served names it, logs its status and duration, and returns the id in `X-Request-Id`.
async fn request_log(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use tracing::Instrument;
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map_or_else(new_request_id, str::to_string);
    let span = tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let start = std::time::Instant::now();
    let mut res = next.run(req).instrument(span.clone()).await;
    let status = res.status().as_u16();
    span.in_scope(|| tracing::info!(status, ms = start.elapsed().as_millis() as u64, "answered"));
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// A request id unique across processes and restarts: the process's start, its id, a counter.
fn new_request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = *START
        .get_or_init(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()));
    format!("{start:x}-{:x}-{:x}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
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
/// requests in flight finish, and returns. Behind a reverse proxy named in `trusted_proxies`, a
/// request's client is the one its `X-Forwarded-For` names (see the `proxy` module).
pub async fn serve(svc: Service, addr: SocketAddr, trusted_proxies: Vec<std::net::IpAddr>) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, ?trusted_proxies, "serving");
    let trusted = std::sync::Arc::new(trusted_proxies);
    let app = router(svc).layer(axum::middleware::from_fn_with_state(trusted, proxy::client_address));
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
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
