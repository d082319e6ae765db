//! Who is asking: the session cookie for pages, an API token (or the session with its CSRF
//! header) for the API; and the reader's language and unit.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use haibun_service::{Actor, Session};

use crate::AppState;
use crate::error::ApiError;
use crate::format::ShowUnit;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "haibun_session";

/// The reader's language: Japanese unless English was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 日本語
    Ja,
    /// English
    En,
}

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The reader's language and unit, from their cookies.
pub fn preferences(headers: &HeaderMap) -> (Lang, ShowUnit) {
    let lang = if cookie(headers, "haibun_lang").as_deref() == Some("en") { Lang::En } else { Lang::Ja };
    let unit = cookie(headers, "haibun_unit").and_then(|u| ShowUnit::parse(&u)).unwrap_or(ShowUnit::Million);
    (lang, unit)
}

/// Whether the request came over TLS (directly or through a proxy that says so).
pub fn is_tls(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

/// A signed-in person using the pages.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Who.
    pub actor: Actor,
    /// The CSRF token every form must carry.
    pub csrf: String,
    /// The session secret (for signing out).
    pub token: String,
    /// Language.
    pub lang: Lang,
    /// Unit for amounts.
    pub unit: ShowUnit,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let to_login = || Redirect::to("/login").into_response();
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else { return Err(to_login()) };
        let session: Option<Session> =
            state.svc.session(&token).await.map_err(|e| crate::error::page_error(e, Lang::Ja))?;
        let Some(session) = session else { return Err(to_login()) };
        let (lang, unit) = preferences(&parts.headers);
        Ok(Viewer { actor: session.actor, csrf: session.csrf, token, lang, unit })
    }
}

/// The caller of an API route: a bearer API token, or a browser session that sends its CSRF
/// token in `X-CSRF-Token` for anything but a read.
#[derive(Debug, Clone)]
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Caller(caller(parts, state, false).await?.0))
    }
}

/// A [`Caller`] with the data version when the request began, read with the token in one query:
/// for the reads answered from what is kept per data version.
#[derive(Debug, Clone)]
pub struct CallerAt(pub Actor, pub i64);

impl FromRequestParts<AppState> for CallerAt {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (actor, version) = caller(parts, state, true).await?;
        let version = match version {
            Some(v) => v,
            None => state.svc.data_version().await?,
        };
        Ok(CallerAt(actor, version))
    }
}

/// Who calls, from a bearer token or a session; with a token and `with_version`, also the data
/// version, read in the same query.
async fn caller(parts: &Parts, state: &AppState, with_version: bool) -> Result<(Actor, Option<i64>), ApiError> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(token) = bearer {
        let found = if with_version {
            state.svc.token_actor_at(token).await?.map(|(a, v)| (a, Some(v)))
        } else {
            state.svc.token_actor(token).await?.map(|a| (a, None))
        };
        return found.ok_or_else(ApiError::unauthenticated);
    }
    if let Some(token) = cookie(&parts.headers, SESSION_COOKIE)
        && let Some(session) = state.svc.session(&token).await?
    {
        let safe = matches!(parts.method, Method::GET | Method::HEAD);
        let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
        if !safe && sent != Some(session.csrf.as_str()) {
            return Err(ApiError::csrf());
        }
        return Ok((session.actor, None));
    }
    Err(ApiError::unauthenticated())
}
