//! The audit trail: an append-only hash chain of events, written in the transaction of the change.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Result, Store, Tx};

/// The head's row.
const HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";

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

/// The canonical bytes of an event as stored: a compact JSON array of its columns in a fixed
/// order, with `before` and `after` as the exact stored JSON text.
fn canonical(r: &EventRow) -> String {
    serde_json::json!([r.seq, r.at, r.actor, r.role, r.action, r.entity, r.fiscal_year, r.before_json, r.after_json])
        .to_string()
}

/// The chain hash of an event: SHA-256 of the previous hash and the canonical event, hex.
fn chain_hash(prev_hash: &str, r: &EventRow) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical(r).as_bytes());
    hex::encode(h.finalize())
}

/// What verifying the chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Events checked (the head's sequence number).
    pub events: i64,
    /// The head's hash: note it elsewhere, and pass it to a later verify as an anchor.
    pub head_hash: String,
    /// The first break, if any.
    pub broken: Option<ChainBreak>,
}

impl ChainReport {
    /// The head as an anchor to note elsewhere: `SEQ:HASH`.
    pub fn anchor(&self) -> String {
        format!("{}:{}", self.events, self.head_hash)
    }
}

/// The first event of the chain that does not verify, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    /// The event's sequence number (or the head's, for a missing tail).
    pub seq: i64,
    /// What is wrong, Japanese / English.
    pub reason: String,
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
        let row = EventRow {
            seq,
            at: e.at.clone(),
            actor: e.actor.clone(),
            role: e.role.clone(),
            action: e.action.clone(),
            entity: e.entity.clone(),
            fiscal_year: e.fiscal_year,
            before_json: e.before.as_ref().map(|v| v.to_string()),
            after_json: e.after.as_ref().map(|v| v.to_string()),
            prev_hash: prev_hash.clone(),
            hash: String::new(),
        };
        let hash = chain_hash(&prev_hash, &row);
        sqlx::query("INSERT INTO audit_events (seq, at, actor, role, action, entity, fiscal_year, before_json, after_json, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(seq)
            .bind(e.at.clone())
            .bind(e.actor.clone())
            .bind(e.role.clone())
            .bind(e.action.clone())
            .bind(e.entity.clone())
            .bind(e.fiscal_year)
            .bind(row.before_json)
            .bind(row.after_json)
            .bind(prev_hash)
            .bind(hash.clone())
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(hash).execute(&mut *self.tx).await?;
        Ok(seq)
    }
}

impl Store {
    /// The head of the chain as an anchor to note elsewhere: `SEQ:HASH`.
    pub async fn audit_anchor(&self) -> Result<String> {
        let (seq, hash): (i64, String) = sqlx::query_as(HEAD).fetch_one(&self.pool).await?;
        Ok(format!("{seq}:{hash}"))
    }

    /// Recomputes the whole chain up to its recorded head. `anchor`, a head hash noted earlier
    /// (for instance printed by a previous verify and kept elsewhere), must still be in the chain:
    /// that catches a trail rewritten from some point on, which no in-database check can.
    pub async fn verify_chain(&self, anchor: Option<&str>) -> Result<ChainReport> {
        // The head first: events committed after it are simply not part of this check, so a
        // concurrent append can never look like a missing event.
        // The head and the events are read in one snapshot (SQLite: one read transaction; PostgreSQL:
        // repeatable read), so an event beyond the head can only be one the head was wound back over.
        let mut tx = self.pool.begin().await?;
        if self.backend == crate::Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
        }
        let (head_seq, head_hash): (i64, String) = sqlx::query_as(HEAD).fetch_one(&mut *tx).await?;
        let all: Vec<EventRow> = sqlx::query_as("SELECT seq, at, actor, role, action, entity, fiscal_year, before_json, after_json, prev_hash, hash FROM audit_events ORDER BY seq")
            .fetch_all(&mut *tx)
            .await?;
        tx.rollback().await?;
        if let Some(beyond) = all.iter().find(|r| r.seq > head_seq) {
            let reason = format!(
                "記録上の最終 {head_seq} より後に事象があります（先頭の巻き戻し）/ events stand after the recorded head {head_seq} (the head was wound back)"
            );
            return Ok(ChainReport {
                events: head_seq,
                head_hash,
                broken: Some(ChainBreak { seq: beyond.seq, reason }),
            });
        }
        let rows = all;
        let report =
            |broken: Option<ChainBreak>| ChainReport { events: head_seq, head_hash: head_hash.clone(), broken };
        // An anchor is `SEQ:HASH` (as `haibun audit anchor` prints it) or a bare hash.
        let (anchor_seq, anchor_hash) = match anchor.map(|a| a.trim()) {
            Some(a) => match a.split_once(':') {
                Some((seq, hash)) => (seq.parse::<i64>().ok(), Some(hash)),
                None => (None, Some(a)),
            },
            None => (None, None),
        };
        if let Some(seq) = anchor_seq
            && seq > head_seq
        {
            let reason = format!(
                "控えの事象 {seq} がありません（連鎖は {head_seq} で終わっています: 末尾の削除）/ the anchored event {seq} is gone (the chain ends at {head_seq}: its tail was cut)"
            );
            return Ok(report(Some(ChainBreak { seq: head_seq + 1, reason })));
        }
        let mut prev = GENESIS_HASH.to_string();
        let mut expected_seq = 1;
        // The empty chain's anchor, `0:` and the genesis hash, holds as long as the chain does.
        let mut anchored = anchor.is_none() || (anchor_seq == Some(0) && anchor_hash == Some(GENESIS_HASH));
        for r in &rows {
            let broken = |reason: &str| Some(ChainBreak { seq: r.seq, reason: reason.to_string() });
            if r.seq != expected_seq {
                let reason =
                    format!("事象 {expected_seq} がありません（削除）/ event {expected_seq} is missing (deleted)");
                return Ok(report(Some(ChainBreak { seq: expected_seq, reason })));
            }
            if r.prev_hash != prev {
                return Ok(report(broken(
                    "直前の事象のハッシュと一致しません / does not link to the previous event's hash",
                )));
            }
            if chain_hash(&prev, r) != r.hash {
                return Ok(report(broken(
                    "内容がハッシュと一致しません（改ざん）/ content does not match its hash (altered)",
                )));
            }
            if anchor_seq == Some(r.seq) && anchor_hash != Some(r.hash.as_str()) {
                return Ok(report(broken(
                    "控えのハッシュと一致しません（書き換え）/ does not match the anchor noted for it (rewritten)",
                )));
            }
            anchored |= anchor_hash == Some(r.hash.as_str()) && anchor_seq.is_none_or(|s| s == r.seq);
            prev = r.hash.clone();
            expected_seq += 1;
        }
        if head_seq != expected_seq - 1 || head_hash != prev {
            let reason = format!(
                "末尾の事象がありません（記録上の最終は {head_seq}）/ events at the end are missing (the head records {head_seq})"
            );
            return Ok(report(Some(ChainBreak { seq: expected_seq, reason })));
        }
        if !anchored {
            let reason = "控えのハッシュが連鎖にありません（書き換え）/ the noted hash is not in the chain (rewritten)"
                .to_string();
            return Ok(report(Some(ChainBreak { seq: 0, reason })));
        }
        Ok(report(None))
    }

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
