//! The audit trail: an append-only hash chain of events, written in the transaction of the change.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Result, Store, Tx};

/// The previous hash of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event to append.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewEvent {
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Who acted.
    pub actor: String,
    /// In which role.
    pub role: String,
    /// What was done, e.g. `line.import`.
    pub action: String,
    /// What it was done to, e.g. `FY2023/MEXT`.
    pub entity: String,
    /// The fiscal year concerned, if any.
    pub fiscal_year: Option<i64>,
    /// The state before, as JSON.
    pub before: Option<serde_json::Value>,
    /// The state after, as JSON.
    pub after: Option<serde_json::Value>,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// Its place in the chain, from 1.
    pub seq: i64,
    /// The event.
    #[serde(flatten)]
    pub event: NewEvent,
    /// The hash of the event before it.
    pub prev_hash: String,
    /// SHA-256 of `prev_hash ‖ canonical event`, hex.
    pub hash: String,
}

/// The canonical bytes of an event: compact JSON with fields in a fixed order.
pub fn canonical(seq: i64, e: &NewEvent) -> String {
    serde_json::json!([seq, e.at, e.actor, e.role, e.action, e.entity, e.fiscal_year, e.before, e.after]).to_string()
}

/// The chain hash of an event.
pub fn chain_hash(prev_hash: &str, seq: i64, e: &NewEvent) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical(seq, e).as_bytes());
    hex::encode(h.finalize())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    at: String,
    actor: String,
    role: String,
    action: String,
    entity: String,
    fiscal_year: Option<i64>,
    before_json: Option<String>,
    after_json: Option<String>,
    prev_hash: String,
    hash: String,
}

impl Tx {
    /// Appends an event to the chain; returns its sequence number.
    pub async fn append_event(&mut self, e: &NewEvent) -> Result<i64> {
        // Updating the head first takes its row lock, so concurrent appenders queue here.
        let (seq, prev_hash): (i64, String) =
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *self.tx)
                .await?;
        let hash = chain_hash(&prev_hash, seq, e);
        sqlx::query("INSERT INTO audit_events (seq, at, actor, role, action, entity, fiscal_year, before_json, after_json, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(seq)
            .bind(e.at.clone())
            .bind(e.actor.clone())
            .bind(e.role.clone())
            .bind(e.action.clone())
            .bind(e.entity.clone())
            .bind(e.fiscal_year)
            .bind(e.before.as_ref().map(|v| v.to_string()))
            .bind(e.after.as_ref().map(|v| v.to_string()))
            .bind(prev_hash)
            .bind(hash.clone())
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(hash).execute(&mut *self.tx).await?;
        Ok(seq)
    }
}

impl Store {
    /// Events in order, optionally of one fiscal year.
    pub async fn events(&self, fiscal_year: Option<i64>) -> Result<Vec<AuditEvent>> {
        let rows: Vec<EventRow> = sqlx::query_as("SELECT seq, at, actor, role, action, entity, fiscal_year, before_json, after_json, prev_hash, hash FROM audit_events WHERE (CAST($1 AS BIGINT) IS NULL OR fiscal_year = $1) ORDER BY seq")
            .bind(fiscal_year)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|r| {
                let json = |s: Option<String>| {
                    s.map(|s| {
                        serde_json::from_str(&s).map_err(|e| crate::corrupt(format!("audit event {}: {e}", r.seq)))
                    })
                    .transpose()
                };
                Ok(AuditEvent {
                    seq: r.seq,
                    event: NewEvent {
                        at: r.at,
                        actor: r.actor,
                        role: r.role,
                        action: r.action,
                        entity: r.entity,
                        fiscal_year: r.fiscal_year,
                        before: json(r.before_json)?,
                        after: json(r.after_json)?,
                    },
                    prev_hash: r.prev_hash,
                    hash: r.hash,
                })
            })
            .collect()
    }
}
