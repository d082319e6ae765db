//! Service errors: each kind maps once to an exit code (and later an HTTP status).

use haibun_domain::Problem;
use haibun_store::StoreError;

/// What a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input is invalid; every problem found, each located.
    #[error("入力に誤りがあります（{} 件）/ invalid input ({} problems)", .0.len(), .0.len())]
    Invalid(Vec<Problem>),
    /// Something named does not exist.
    #[error("{ja} / {en}")]
    NotFound {
        /// Japanese.
        ja: String,
        /// English.
        en: String,
    },
    /// The state does not allow it, or a concurrent write won.
    #[error("{0}")]
    Conflict(String),
    /// No valid credentials.
    #[error("認証されていません / not signed in: {0}")]
    Unauthenticated(String),
    /// Too many failed attempts.
    #[error("{0}")]
    RateLimited(String),
    /// The actor may not do this.
    #[error("権限がありません / forbidden: {0}")]
    Forbidden(String),
    /// A fault inside haibun or its database; details are logged, not shown.
    #[error("内部エラーが発生しました / internal error: {0}")]
    Internal(#[source] anyhow::Error),
}

/// Shorthand for service results.
pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    /// One invalid input: its code, the field it was given in, and what is wrong in both languages.
    pub fn invalid(
        code: haibun_domain::ProblemCode,
        field: &str,
        ja: impl Into<String>,
        en: impl Into<String>,
    ) -> ServiceError {
        ServiceError::Invalid(vec![haibun_domain::Problem::new(code, haibun_domain::Location::field(field), ja, en)])
    }

    /// The process exit code: 1 internal, 2 invalid input, 3 conflict, 4 forbidden, 5 not found.
    pub fn exit_code(&self) -> u8 {
        match self {
            ServiceError::Internal(_) => 1,
            ServiceError::Invalid(_) => 2,
            ServiceError::Conflict(_) => 3,
            ServiceError::Forbidden(_) | ServiceError::Unauthenticated(_) | ServiceError::RateLimited(_) => 4,
            ServiceError::NotFound { .. } => 5,
        }
    }

    /// The stable code of the error kind.
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::Internal(_) => "E_INTERNAL",
            ServiceError::Invalid(_) => "E_INVALID_INPUT",
            ServiceError::Conflict(_) => "E_CONFLICT",
            ServiceError::Forbidden(_) => "E_FORBIDDEN",
            ServiceError::Unauthenticated(_) => "E_UNAUTHENTICATED",
            ServiceError::RateLimited(_) => "E_RATE_LIMITED",
            ServiceError::NotFound { .. } => "E_NOT_FOUND",
        }
    }

    /// A not-found error with its two messages.
    pub fn not_found(ja: impl Into<String>, en: impl Into<String>) -> Self {
        ServiceError::NotFound { ja: ja.into(), en: en.into() }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Missing(_) | StoreError::NotInitialised => {
                let msg = e.to_string();
                let (ja, en) =
                    msg.split_once(" / ").map_or((msg.clone(), msg.clone()), |(a, b)| (a.to_string(), b.to_string()));
                ServiceError::NotFound { ja, en }
            }
            StoreError::Conflict(m) => ServiceError::Conflict(m),
            other => ServiceError::Internal(other.into()),
        }
    }
}
