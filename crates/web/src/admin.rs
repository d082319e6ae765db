//! Administration: users and roles, and the fiscal year's calendar.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use haibun_domain::FiscalYear;
use haibun_domain::workflow::{Role, YearAction};
use haibun_service::{CalendarRow, ServiceError, UserRow};
use serde::Deserialize;

use crate::AppState;
use crate::error::page_error;
use crate::pages::{Chrome, render};
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    c: Chrome,
    fy: FiscalYear,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    calendar: Option<CalendarRow>,
    can_users: bool,
    can_calendar: bool,
    version: &'static str,
}

fn year() -> FiscalYear {
    FiscalYear::try_from(haibun_domain::policy::BUILTIN.last().map_or(2023, |b| b.0)).expect("built-in year")
}

/// GET the administration page.
pub async fn page(State(st): State<AppState>, v: Viewer) -> Response {
    let fy = year();
    let result = async {
        Ok::<_, ServiceError>((
            st.svc.users(&v.actor).await?,
            st.svc.status(&v.actor, fy, &haibun_service::today()).await?.calendar,
        ))
    }
    .await;
    let (users, calendar) = match result {
        Ok(r) => r,
        Err(e) => return page_error(e, v.lang),
    };
    render(&AdminPage {
        c: Chrome::of(&v, "/admin"),
        fy,
        users,
        roles: Role::ALL.iter().map(|r| (r.name(), r.name_ja())).collect(),
        calendar,
        can_users: YearAction::ManageUsers.roles().contains(&v.actor.role),
        can_calendar: YearAction::SetCalendar.roles().contains(&v.actor.role),
        version: haibun_service::ops::VERSION,
    })
}

#[derive(Deserialize)]
pub struct NewUser {
    csrf: String,
    name: String,
    role: String,
    ministry: String,
    password: String,
}

/// POST a new user with a password.
pub async fn add_user(State(st): State<AppState>, v: Viewer, Form(f): Form<NewUser>) -> Response {
    if f.csrf != v.csrf {
        return page_error(
            ServiceError::Forbidden("CSRF トークンが一致しません / the CSRF token does not match".into()),
            v.lang,
        );
    }
    let role: Role = match f.role.parse() {
        Ok(r) => r,
        Err(e) => {
            return page_error(
                ServiceError::invalid(
                    haibun_domain::ProblemCode::InvalidArgument,
                    "role",
                    e.to_string(),
                    e.to_string(),
                ),
                v.lang,
            );
        }
    };
    let ministry = Some(f.ministry.trim()).filter(|m| !m.is_empty());
    let result = async {
        st.svc.add_user(&v.actor, &f.name, role, ministry).await?;
        st.svc.set_password(&v.actor, f.name.trim(), &f.password).await
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/admin").into_response(),
        Err(e) => page_error(e, v.lang),
    }
}

#[derive(Deserialize)]
pub struct CalendarForm {
    csrf: String,
    submission_deadline: String,
    hearing_start: String,
    hearing_end: String,
    consent_deadline: String,
    compilation_date: String,
}

/// POST the year's calendar.
pub async fn set_calendar(State(st): State<AppState>, v: Viewer, Form(f): Form<CalendarForm>) -> Response {
    if f.csrf != v.csrf {
        return page_error(
            ServiceError::Forbidden("CSRF トークンが一致しません / the CSRF token does not match".into()),
            v.lang,
        );
    }
    let row = CalendarRow {
        fiscal_year: year().year(),
        submission_deadline: f.submission_deadline,
        hearing_start: f.hearing_start,
        hearing_end: f.hearing_end,
        consent_deadline: f.consent_deadline,
        compilation_date: f.compilation_date,
    };
    match st.svc.set_calendar(&v.actor, row).await {
        Ok(()) => Redirect::to("/admin").into_response(),
        Err(e) => page_error(e, v.lang),
    }
}
