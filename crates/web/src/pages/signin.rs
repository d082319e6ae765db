//! Signing in and out, and the reader's language and unit.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use haibun_service::ServiceError;
use serde::Deserialize;

use super::*;
use crate::AppState;
use crate::error::page_error;
use crate::format::ShowUnit;
use crate::session::{SESSION_COOKIE, Viewer, is_tls, preferences};

use axum::extract::FromRequest;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    error: Option<String>,
}

pub(super) async fn login_form(headers: HeaderMap) -> Response {
    let (lang, unit) = preferences(&headers);
    render(&LoginPage { c: Chrome { lang, unit, user: None, here: "/login".into() }, error: None })
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    name: String,
    password: String,
}

pub(super) async fn login(State(st): State<AppState>, headers: HeaderMap, req: axum::extract::Request) -> Response {
    let address = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string());
    let (lang, unit) = preferences(&headers);
    let Ok(Form(form)) = Form::<LoginForm>::from_request(req, &st).await else {
        return (StatusCode::BAD_REQUEST, "bad form").into_response();
    };
    match st.svc.sign_in(form.name.trim(), &form.password, &address).await {
        Ok(signed) => {
            let secure = if is_tls(&headers) { "; Secure" } else { "" };
            let cookie =
                format!("{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=28800{secure}", signed.token);
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Err(e @ (ServiceError::Unauthenticated(_) | ServiceError::RateLimited(_))) => {
            let status = crate::error::status_of(&e);
            let msg = e.to_string();
            let c = Chrome { lang, unit, user: None, here: "/login".into() };
            let (ja, en) = msg.split_once(" / ").unwrap_or((&msg, &msg));
            let error = Some(c.t(ja, en).to_string());
            (status, render(&LoginPage { c, error })).into_response()
        }
        Err(e) => page_error(e, lang),
    }
}

pub(super) async fn logout(State(st): State<AppState>, v: Viewer, Form(f): Form<CsrfForm>) -> Response {
    if let Err(r) = csrf_ok(&v, &f.csrf) {
        return r;
    }
    let session = haibun_service::Session { actor: v.actor.clone(), csrf: v.csrf.clone() };
    if let Err(e) = st.svc.sign_out(&session, &v.token).await {
        return page_error(e, v.lang);
    }
    (
        [(header::SET_COOKIE, format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"))],
        Redirect::to("/login"),
    )
        .into_response()
}

#[derive(Deserialize)]
pub(super) struct Prefs {
    lang: Option<String>,
    unit: Option<String>,
    back: Option<String>,
}

pub(super) async fn prefs(Query(p): Query<Prefs>) -> Response {
    let mut cookies = Vec::new();
    if let Some(l) = p.lang.filter(|l| l == "ja" || l == "en") {
        cookies.push((header::SET_COOKIE, format!("haibun_lang={l}; Path=/; SameSite=Lax; Max-Age=31536000")));
    }
    if let Some(u) = p.unit.filter(|u| ShowUnit::parse(u).is_some()) {
        cookies.push((header::SET_COOKIE, format!("haibun_unit={u}; Path=/; SameSite=Lax; Max-Age=31536000")));
    }
    // Only a local path may be the way back, never another site.
    let back = p.back.filter(|b| b.starts_with('/') && !b.starts_with("//")).unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&back).into_response();
    for (k, v) in cookies {
        if let Ok(v) = v.parse() {
            res.headers_mut().append(k, v);
        }
    }
    res
}
