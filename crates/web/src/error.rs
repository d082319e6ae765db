//! Errors as the web shows them: one mapping from service errors to HTTP statuses and JSON bodies.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use haibun_domain::Location;
use haibun_service::ServiceError;
use serde::Serialize;

use crate::session::Lang;

/// The JSON body of every API error.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The stable code, e.g. `E_FORBIDDEN`, `E_NOT_A_NUMBER`.
    pub code: String,
    /// The message in Japanese.
    pub message_ja: String,
    /// The message in English.
    pub message_en: String,
    /// Where, for input problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub location: Option<Location>,
    /// Every problem of invalid input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<haibun_domain::Problem>,
}

/// An API error: a status and the JSON body.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub ErrorBody);

fn split(msg: &str) -> (String, String) {
    msg.split_once(" / ").map_or((msg.to_string(), msg.to_string()), |(a, b)| (a.to_string(), b.to_string()))
}

/// The HTTP status of a service error.
pub fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::NotFound { .. } => StatusCode::NOT_FOUND,
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
        ServiceError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        ServiceError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ApiError {
    /// 401.
    pub fn unauthenticated() -> Self {
        ApiError(
            StatusCode::UNAUTHORIZED,
            ErrorBody {
                code: "E_UNAUTHENTICATED".into(),
                message_ja: "サインインしていないか、API トークンが無効です".into(),
                message_en: "not signed in, or the API token is invalid".into(),
                location: None,
                problems: Vec::new(),
            },
        )
    }

    /// 403 for a missing or wrong CSRF token.
    pub fn csrf() -> Self {
        ApiError(
            StatusCode::FORBIDDEN,
            ErrorBody {
                code: "E_CSRF".into(),
                message_ja: "CSRF トークンがありません、または一致しません".into(),
                message_en: "the CSRF token is missing or does not match".into(),
                location: None,
                problems: Vec::new(),
            },
        )
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let status = status_of(&e);
        let body = match &e {
            ServiceError::Invalid(problems) => {
                let first = problems.first();
                ErrorBody {
                    code: first.map_or("E_INVALID_INPUT".into(), |p| p.code.as_str().to_string()),
                    message_ja: first.map_or_else(String::new, |p| p.message_ja.clone()),
                    message_en: first.map_or_else(String::new, |p| p.message_en.clone()),
                    location: first.map(|p| p.location.clone()),
                    problems: problems.clone(),
                }
            }
            ServiceError::Internal(inner) => {
                tracing::error!(error = ?inner, "internal error");
                ErrorBody {
                    code: e.code().into(),
                    message_ja: "内部エラーが発生しました".into(),
                    message_en: "internal error".into(),
                    location: None,
                    problems: Vec::new(),
                }
            }
            other => {
                let (ja, en) = split(&other.to_string());
                ErrorBody {
                    code: other.code().into(),
                    message_ja: ja,
                    message_en: en,
                    location: None,
                    problems: Vec::new(),
                }
            }
        };
        ApiError(status, body)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
    }
}

/// A service error as a page: the status and a short bilingual explanation.
pub fn page_error(e: ServiceError, lang: Lang) -> Response {
    let ApiError(status, body) = ApiError::from(e);
    let message = if lang == Lang::En { &body.message_en } else { &body.message_ja };
    let page = crate::pages::ErrorPage {
        title: format!("{} {}", status.as_u16(), body.code),
        message: message.clone(),
        problems: body.problems,
    };
    (status, Html(askama::Template::render(&page).unwrap_or_default())).into_response()
}
