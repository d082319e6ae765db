//! The line pages: detail with history and amount diffs, the edit form (the same checks as an
//! import, errors beside each field, and a version conflict shown with both versions), and new lines.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haibun_domain::line::{Field, to_cells};
use haibun_domain::workflow::Action;
use haibun_domain::{FiscalYear, Unit, Yen};
use haibun_service::{LinePatch, ServiceError};

use crate::AppState;
use crate::error::page_error;
use crate::pages::{Chrome, render};
use crate::session::Viewer;

/// One field of the form: key, Japanese and English labels, value, and its problem if any.
pub struct FormField {
    key: &'static str,
    label: &'static str,
    value: String,
    error: Option<String>,
    theirs: Option<String>,
}

/// One version in the history, with what changed from the one before.
pub struct Version {
    version: i64,
    at: String,
    by: String,
    changes: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "line.html")]
struct LinePage {
    c: Chrome,
    fy: FiscalYear,
    ministry: String,
    line_id: Option<String>,
    version: i64,
    fields: Vec<FormField>,
    editable: bool,
    conflict: bool,
    problems: Vec<String>,
    history: Vec<Version>,
    /// The policy check's findings on this line.
    findings: Vec<crate::pages::review::FindingView>,
    /// The classifier's suggestions, with earlier decisions on them.
    suggestions: Option<haibun_service::LineSuggestions>,
    /// What last year's follow-up carries into this line (its action, KPIs short), to answer.
    carried: Option<haibun_domain::review::Carried>,
    /// Its budget and execution by year, as RS 2-1 files report them.
    rs: Vec<haibun_service::RsBudgetRecord>,
}

impl LinePage {
    /// The fields with a problem, for the summary above the form: (key, label, problem).
    fn field_errors(&self) -> Vec<(&str, &str, &str)> {
        self.fields.iter().filter_map(|f| f.error.as_deref().map(|e| (f.key, f.label, e))).collect()
    }
}

fn field_label(f: Field) -> &'static str {
    match f {
        Field::PriorYear => "前年度予算額（円）",
        Field::Request => "要求額（円）",
        Field::PriorityFrame => "うち重要政策推進枠（円）",
        other => other.header_ja(),
    }
}

fn form_fields(values: &[(Field, String)], skip_id: bool) -> Vec<FormField> {
    values
        .iter()
        .filter(|(f, _)| !(skip_id && *f == Field::LineId))
        .map(|(f, v)| FormField { key: f.key(), label: field_label(*f), value: v.clone(), error: None, theirs: None })
        .collect()
}

fn patch_from(form: &HashMap<String, String>, with_id: bool) -> LinePatch {
    LinePatch {
        fields: Field::ALL
            .into_iter()
            .filter(|f| with_id || *f != Field::LineId)
            .filter_map(|f| form.get(f.key()).map(|v| (f, v.clone())))
            .collect(),
    }
}

/// Puts each problem beside the field it names (`--request` → `request`); the rest go on top.
fn attach(fields: &mut [FormField], problems: Vec<haibun_domain::Problem>, c: &Chrome) -> Vec<String> {
    let mut general = Vec::new();
    for p in problems {
        let key = p.location.field.as_deref().map(|f| f.trim_start_matches("--").replace('-', "_"));
        let msg = c.t(&p.message_ja, &p.message_en).to_string();
        match fields.iter_mut().find(|f| Some(f.key) == key.as_deref()) {
            Some(f) => f.error = Some(format!("[{}] {msg}", p.code)),
            None => general.push(format!("[{}] {msg}", p.code)),
        }
    }
    general
}

async fn load(
    st: &AppState,
    v: &Viewer,
    fy: FiscalYear,
    ministry: &str,
    line_id: &str,
) -> Result<(Vec<(Field, String)>, i64, Vec<Version>, bool), ServiceError> {
    let policy = st.svc.policy(fy).await?;
    let history = st.svc.line_history(&v.actor, fy, ministry, line_id).await?;
    let mut versions = Vec::new();
    let mut prev: Option<Vec<(Field, String)>> = None;
    for h in &history {
        let cells = to_cells(&h.line, &policy, Unit::Yen);
        let changes = match &prev {
            None => Vec::new(),
            Some(before) => before
                .iter()
                .zip(&cells)
                .filter(|(a, b)| a.1 != b.1)
                .map(|((f, a), (_, b))| (f.header_ja().to_string(), a.clone(), b.clone()))
                .collect(),
        };
        versions.push(Version { version: h.version, at: h.updated_at.clone(), by: h.updated_by.clone(), changes });
        prev = Some(cells);
    }
    let last = history.last().expect("history is never empty");
    versions.reverse();
    let status =
        st.svc.packages(&v.actor, fy).await?.into_iter().find(|p| p.ministry == last.line.ministry).map(|p| p.status);
    let s = status.unwrap_or(haibun_domain::workflow::Status::Drafting);
    let own = v.actor.ministry.as_deref().is_none_or(|m| m == last.line.ministry);
    let editable =
        Action::EditLines.roles().contains(&v.actor.role) && Action::EditLines.from_states().contains(&s) && own;
    Ok((to_cells(&last.line, &policy, Unit::Yen), last.version, versions, editable))
}

/// GET the line's page.
pub async fn show(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, ministry, line_id)): Path<(i64, String, String)>,
) -> Response {
    let Ok(fy) = FiscalYear::try_from(fy) else { return StatusCode::NOT_FOUND.into_response() };
    match load(&st, &v, fy, &ministry, &line_id).await {
        Ok((cells, version, history, editable)) => {
            let findings = match crate::pages::review::findings_for(&st, &v, fy, &ministry, Some(&line_id)).await {
                Ok(f) => f,
                Err(e) => return page_error(e, v.lang),
            };
            let suggestions = match st.svc.line_suggestions(&v.actor, fy, &ministry, &line_id).await {
                Ok(s) => Some(s),
                Err(e) => return page_error(e, v.lang),
            };
            let rs = match st.svc.line_rs_budget(&v.actor, fy, &ministry, &line_id).await {
                Ok(r) => r,
                Err(e) => return page_error(e, v.lang),
            };
            let carried = match st.svc.followup_carried(&v.actor, fy).await {
                Ok(all) => all.into_iter().find(|x| x.ministry == ministry && x.line_id == line_id),
                Err(e) => return page_error(e, v.lang),
            };
            let c = Chrome::of(&v, format!("/years/{}/packages/{ministry}/lines/{line_id}", fy.year()));
            render(&LinePage {
                c,
                fy,
                ministry,
                line_id: Some(line_id),
                version,
                fields: form_fields(&cells, true),
                editable,
                conflict: false,
                problems: Vec::new(),
                history,
                findings,
                suggestions,
                carried,
                rs,
            })
        }
        Err(e) => page_error(e, v.lang),
    }
}

/// POST an edit, naming the version the editor read.
pub async fn update(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, ministry, line_id)): Path<(i64, String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if form.get("csrf") != Some(&v.csrf) {
        return page_error(
            ServiceError::Forbidden("CSRF トークンが一致しません / the CSRF token does not match".into()),
            v.lang,
        );
    }
    let Ok(fy) = FiscalYear::try_from(fy) else { return StatusCode::NOT_FOUND.into_response() };
    let read: i64 = form.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let patch = patch_from(&form, false);
    let result = st.svc.update_line(&v.actor, fy, &ministry, &line_id, read, &patch).await;
    let here = format!("/years/{}/packages/{ministry}/lines/{line_id}", fy.year());
    let err = match result {
        Ok(_) => return Redirect::to(&here).into_response(),
        Err(e @ (ServiceError::Conflict(_) | ServiceError::Invalid(_))) => e,
        Err(e) => return page_error(e, v.lang),
    };
    let (cells, version, history, editable) = match load(&st, &v, fy, &ministry, &line_id).await {
        Ok(r) => r,
        Err(e) => return page_error(e, v.lang),
    };
    let c = Chrome::of(&v, here);
    let mine: Vec<(Field, String)> =
        cells.iter().map(|(f, theirs)| (*f, form.get(f.key()).cloned().unwrap_or_else(|| theirs.clone()))).collect();
    let mut fields = form_fields(&mine, true);
    let (conflict, status, problems) = match err {
        ServiceError::Conflict(_) => {
            // Show the stored version beside what the editor typed; submitting again now names
            // the stored version, so saving is a deliberate choice to overwrite it.
            for (f, (_, theirs)) in fields.iter_mut().zip(cells.iter().filter(|(f, _)| *f != Field::LineId)) {
                if &f.value != theirs {
                    f.theirs = Some(theirs.clone());
                }
            }
            (true, StatusCode::CONFLICT, Vec::new())
        }
        ServiceError::Invalid(p) => {
            let general = attach(&mut fields, p, &c);
            (false, StatusCode::UNPROCESSABLE_ENTITY, general)
        }
        _ => unreachable!("matched above"),
    };
    let version = if conflict { version } else { read };
    (
        status,
        render(&LinePage {
            c,
            fy,
            ministry,
            line_id: Some(line_id),
            version,
            fields,
            editable,
            conflict,
            problems,
            history,
            findings: Vec::new(),
            suggestions: None,
            carried: None,
            rs: Vec::new(),
        }),
    )
        .into_response()
}

/// GET the form for a new line.
pub async fn new_form(v: Viewer, Path((fy, ministry)): Path<(i64, String)>) -> Response {
    let Ok(fy) = FiscalYear::try_from(fy) else { return StatusCode::NOT_FOUND.into_response() };
    let empty: Vec<(Field, String)> = Field::ALL.into_iter().map(|f| (f, String::new())).collect();
    let c = Chrome::of(&v, format!("/years/{}/packages/{ministry}/lines/new", fy.year()));
    render(&LinePage {
        c,
        fy,
        ministry,
        line_id: None,
        version: 0,
        fields: form_fields(&empty, false),
        editable: true,
        conflict: false,
        problems: Vec::new(),
        history: Vec::new(),
        findings: Vec::new(),
        suggestions: None,
        carried: None,
        rs: Vec::new(),
    })
}

/// POST a new line.
pub async fn create(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, ministry)): Path<(i64, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if form.get("csrf") != Some(&v.csrf) {
        return page_error(
            ServiceError::Forbidden("CSRF トークンが一致しません / the CSRF token does not match".into()),
            v.lang,
        );
    }
    let Ok(fy) = FiscalYear::try_from(fy) else { return StatusCode::NOT_FOUND.into_response() };
    match st.svc.create_line(&v.actor, fy, &ministry, &patch_from(&form, true)).await {
        Ok(id) => Redirect::to(&format!("/years/{}/packages/{ministry}/lines/{id}", fy.year())).into_response(),
        Err(ServiceError::Invalid(p)) => {
            let c = Chrome::of(&v, format!("/years/{}/packages/{ministry}/lines/new", fy.year()));
            let typed: Vec<(Field, String)> =
                Field::ALL.into_iter().map(|f| (f, form.get(f.key()).cloned().unwrap_or_default())).collect();
            let mut fields = form_fields(&typed, false);
            let problems = attach(&mut fields, p, &c);
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&LinePage {
                    c,
                    fy,
                    ministry,
                    line_id: None,
                    version: 0,
                    fields,
                    editable: true,
                    conflict: false,
                    problems,
                    history: Vec::new(),
                    findings: Vec::new(),
                    suggestions: None,
                    carried: None,
                    rs: Vec::new(),
                }),
            )
                .into_response()
        }
        Err(e) => page_error(e, v.lang),
    }
}

/// POST a decision on a suggestion: `kind`, `code`, `decision` (accept or reject), `reason`.
pub async fn suggestion(
    State(st): State<AppState>,
    v: Viewer,
    Path((fy, ministry, line_id)): Path<(i64, String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if form.get("csrf") != Some(&v.csrf) {
        return page_error(
            ServiceError::Forbidden("CSRF トークンが一致しません / the CSRF token does not match".into()),
            v.lang,
        );
    }
    let Ok(fy) = FiscalYear::try_from(fy) else { return StatusCode::NOT_FOUND.into_response() };
    let get = |k: &str| form.get(k).map_or("", String::as_str);
    let accept = get("decision") == "accept";
    match st
        .svc
        .decide_suggestion(&v.actor, fy, &ministry, &line_id, get("kind"), get("code"), accept, get("reason"))
        .await
    {
        Ok(()) => Redirect::to(&format!("/years/{}/packages/{ministry}/lines/{line_id}#suggestions", fy.year()))
            .into_response(),
        Err(e) => page_error(e, v.lang),
    }
}
