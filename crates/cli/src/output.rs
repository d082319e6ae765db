//! Errors as the command line reports them, and safe file output.

use std::io::Write;
use std::path::Path;

use haibun_service::ServiceError;

/// Anything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A use case failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// `audit verify` found a broken chain.
    #[error("監査証跡が壊れています: 事象 {seq}: {reason} / the audit chain is broken at event {seq}: {reason}")]
    AuditBroken {
        /// The first broken event.
        seq: i64,
        /// Why.
        reason: String,
    },
    /// `check` found errors.
    #[error("点検で誤り（error）が {0} 件見つかりました / the check found {0} error(s)")]
    Findings(usize),
    /// A file could not be read or written.
    #[error("ファイル {path} を扱えません: {source} / cannot use file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl CliError {
    /// The exit code: 1 internal, 2 invalid input, 3 conflict, 4 forbidden, 5 not found.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Service(e) => e.exit_code(),
            CliError::AuditBroken { .. } | CliError::Findings(_) => 1,
            CliError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => 5,
            CliError::Io { .. } => 2,
        }
    }
}

/// Prints an error to stderr: every problem of invalid input on its own line, with its location.
pub fn report_error(e: &CliError) {
    let mut err = std::io::stderr().lock();
    match e {
        CliError::Service(ServiceError::Invalid(problems)) => {
            let _ = writeln!(
                err,
                "エラー/error: 入力に誤りがあります（{n} 件）。何も登録していません。/ invalid input ({n} problems); nothing was written.",
                n = problems.len()
            );
            for p in problems {
                let _ = writeln!(err, "  {p}");
            }
        }
        CliError::Service(ServiceError::Internal(inner)) => {
            tracing::error!(error = ?inner, "internal error");
            let _ = writeln!(
                err,
                "エラー/error [E_INTERNAL]: 内部エラーが発生しました。何も登録していません。/ internal error; nothing was written: {inner:#}"
            );
        }
        CliError::Service(s) => {
            let _ = writeln!(err, "エラー/error [{}]: {s}", s.code());
        }
        CliError::Io { .. } => {
            let _ = writeln!(err, "エラー/error [E_IO]: {e}");
        }
        CliError::AuditBroken { .. } => {
            let _ = writeln!(err, "エラー/error [E_AUDIT_BROKEN]: {e}");
        }
        CliError::Findings(_) => {
            let _ = writeln!(err, "点検/check [E_CHECK_ERRORS]: {e}");
        }
    }
}

/// An invalid command-line value, as an input problem of its own field.
pub fn invalid(field: &str, message: &str) -> CliError {
    use haibun_domain::problem::{Location, Problem, ProblemCode};
    let (ja, en) = message.split_once(" / ").unwrap_or((message, message));
    ServiceError::Invalid(vec![Problem::new(ProblemCode::InvalidArgument, Location::field(field), ja, en)]).into()
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so that a failure
/// never leaves a half-written file behind.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let io = |source| CliError::Io { path: path.display().to_string(), source };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
