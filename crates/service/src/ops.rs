//! What an operator asks of a running haibun: is the process up, can it reach its database, is
//! the schema the one this build expects. These answer without a user: they say nothing of the
//! data.

use crate::Service;

/// The schema version this build expects (its newest migration).
pub use haibun_store::SCHEMA_VERSION;

/// This build's version and the schema it expects, as `haibun --version` and the admin page show them.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (schema 15)");

/// What `/readyz` reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Readiness {
    /// Ready to serve: the database answers and its schema is the expected one.
    pub ready: bool,
    /// `ok`, or why not (the database unreachable, not initialised, or at another schema).
    pub reason: String,
    /// The schema version applied to the database, if it could be read.
    pub schema: Option<i64>,
    /// The schema version this build expects.
    pub expected_schema: i64,
}

impl Service {
    /// Whether this process can serve: the database reachable and its schema current.
    pub async fn readiness(&self) -> Readiness {
        let (ready, reason, schema) = match self.store.applied_schema_version().await {
            Ok(Some(v)) if v == SCHEMA_VERSION => (true, "ok".to_string(), Some(v)),
            Ok(Some(v)) => (false, format!("schema {v}, expected {SCHEMA_VERSION}: run haibun init"), Some(v)),
            Ok(None) => (false, "not initialised: run haibun init".to_string(), None),
            Err(e) => (false, format!("database unreachable: {e}"), None),
        };
        Readiness { ready, reason, schema, expected_schema: SCHEMA_VERSION }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_names_the_schema_it_expects() {
        assert!(VERSION.ends_with(&format!("(schema {SCHEMA_VERSION})")), "{VERSION}");
    }
}
