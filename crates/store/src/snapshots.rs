//! HQ compilation snapshots (§2(4)): frozen copies of every line, with negotiated amounts (§2(5)).

use haibun_domain::{RequestLine, Yen};
use sqlx::AssertSqlSafe;

use crate::lines::{LINE_FIELDS, LineRow, bind_content};
use crate::{Result, Store, StoreError, StoredLine, Tx};

/// A snapshot's header.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct SnapshotRow {
    /// Its number.
    pub id: i64,
    /// Year.
    pub fiscal_year: i64,
    /// `compiled`, `submitted` or `settled`.
    pub status: String,
    /// SHA-256 of the frozen lines' canonical JSON.
    pub content_hash: String,
    /// The excluded packages and reasons, as JSON.
    pub exclusions: String,
    /// Compiled by.
    pub created_by: String,
    /// Compiled when.
    pub created_at: String,
    /// Submitted to the fiscal authority when.
    pub submitted_at: Option<String>,
    /// Settled when.
    pub settled_at: Option<String>,
}

/// A frozen line with the amount negotiated for it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotLine {
    /// The line as frozen, with its version then.
    pub line: StoredLine,
    /// The negotiated amount (査定額).
    pub negotiated: Option<Yen>,
}

#[derive(sqlx::FromRow)]
struct SnapshotLineRow {
    #[sqlx(flatten)]
    line: LineRow,
    negotiated: Option<i64>,
}

const SNAPSHOT_SELECT: &str = "SELECT id, fiscal_year, status, content_hash, exclusions, created_by, created_at, submitted_at, settled_at FROM snapshots";

impl Store {
    /// One snapshot's header.
    pub async fn snapshot(&self, id: i64) -> Result<Option<SnapshotRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!("{SNAPSHOT_SELECT} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The fiscal years that have snapshots.
    pub async fn snapshot_years(&self) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT DISTINCT fiscal_year FROM snapshots ORDER BY fiscal_year")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|(y,)| y).collect())
    }

    /// The snapshots of a year, oldest first.
    pub async fn snapshots(&self, fiscal_year: i64) -> Result<Vec<SnapshotRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!("{SNAPSHOT_SELECT} WHERE fiscal_year = $1 ORDER BY id")))
            .bind(fiscal_year)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The frozen lines of a snapshot, by ministry and line id.
    pub async fn snapshot_lines(&self, id: i64) -> Result<Vec<SnapshotLine>> {
        let sql = format!(
            "SELECT s.fiscal_year, l.ministry, l.line_id, l.version, {LINE_FIELDS}, s.created_at AS updated_at, s.created_by AS updated_by, l.negotiated FROM snapshot_lines l JOIN snapshots s ON s.id = l.snapshot_id WHERE l.snapshot_id = $1"
        );
        let rows: Vec<SnapshotLineRow> = sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_all(&self.pool).await?;
        let mut out = rows
            .into_iter()
            .map(|r| Ok(SnapshotLine { line: StoredLine::try_from(r.line)?, negotiated: r.negotiated.map(Yen) }))
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| {
            (&a.line.line.ministry, &a.line.line.line_id).cmp(&(&b.line.line.ministry, &b.line.line.line_id))
        });
        Ok(out)
    }
}

impl Tx {
    /// Creates a snapshot header; returns its number.
    pub async fn insert_snapshot(
        &mut self,
        fiscal_year: i64,
        content_hash: &str,
        exclusions: &str,
        by: &str,
        now: &str,
    ) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO snapshots (fiscal_year, status, content_hash, exclusions, created_by, created_at) VALUES ($1, 'compiled', $2, $3, $4, $5) RETURNING id")
            .bind(fiscal_year)
            .bind(content_hash.to_string())
            .bind(exclusions.to_string())
            .bind(by.to_string())
            .bind(now.to_string())
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(id)
    }

    /// Freezes one line into a snapshot.
    pub async fn insert_snapshot_line(&mut self, snapshot_id: i64, line: &RequestLine, version: i64) -> Result<()> {
        let q = sqlx::query(AssertSqlSafe(format!("INSERT INTO snapshot_lines (snapshot_id, ministry, line_id, version, {LINE_FIELDS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)")))
            .bind(snapshot_id)
            .bind(line.ministry.clone())
            .bind(line.line_id.as_str().to_string())
            .bind(version);
        bind_content(q, line).execute(&mut *self.tx).await?;
        Ok(())
    }

    /// A snapshot's header, read and locked for the rest of this transaction.
    pub async fn lock_snapshot(&mut self, id: i64) -> Result<Option<SnapshotRow>> {
        let sql = format!("{SNAPSHOT_SELECT} WHERE id = $1{}", self.for_update());
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *self.tx).await?)
    }

    /// The snapshots of a year, read inside this transaction.
    pub async fn snapshots_of(&mut self, fiscal_year: i64) -> Result<Vec<SnapshotRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!("{SNAPSHOT_SELECT} WHERE fiscal_year = $1 ORDER BY id")))
            .bind(fiscal_year)
            .fetch_all(&mut *self.tx)
            .await?)
    }

    /// The frozen lines of a snapshot that have no negotiated amount: (ministry, line id, request).
    pub async fn unnegotiated(&mut self, snapshot_id: i64) -> Result<Vec<(String, String, i64)>> {
        let mut rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT ministry, line_id, request FROM snapshot_lines WHERE snapshot_id = $1 AND negotiated IS NULL",
        )
        .bind(snapshot_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.sort();
        Ok(rows)
    }

    /// Moves a snapshot from `from` to `to` status, stamping the time; a conflict if it is not in `from`.
    pub async fn advance_snapshot(&mut self, id: i64, from: &str, to: &str, now: &str) -> Result<()> {
        let column = match to {
            "submitted" => "submitted_at",
            "settled" => "settled_at",
            other => return Err(StoreError::Corrupt(format!("unknown snapshot status {other}"))),
        };
        let done = sqlx::query(AssertSqlSafe(format!(
            "UPDATE snapshots SET status = $1, {column} = $2 WHERE id = $3 AND status = $4"
        )))
        .bind(to.to_string())
        .bind(now.to_string())
        .bind(id)
        .bind(from.to_string())
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "取りまとめ {id} は {from} ではありません / compilation {id} is not {from}"
            )));
        }
        Ok(())
    }

    /// Records the negotiated amount of a frozen line; returns the amount it replaced.
    pub async fn set_negotiated(
        &mut self,
        snapshot_id: i64,
        ministry: &str,
        line_id: &str,
        amount: Yen,
        by: &str,
        now: &str,
    ) -> Result<Option<Option<Yen>>> {
        let before: Option<(Option<i64>,)> = sqlx::query_as(
            "SELECT negotiated FROM snapshot_lines WHERE snapshot_id = $1 AND ministry = $2 AND line_id = $3",
        )
        .bind(snapshot_id)
        .bind(ministry.to_string())
        .bind(line_id.to_string())
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some((before,)) = before else { return Ok(None) };
        sqlx::query("UPDATE snapshot_lines SET negotiated = $1, negotiated_by = $2, negotiated_at = $3 WHERE snapshot_id = $4 AND ministry = $5 AND line_id = $6")
            .bind(amount.get())
            .bind(by.to_string())
            .bind(now.to_string())
            .bind(snapshot_id)
            .bind(ministry.to_string())
            .bind(line_id.to_string())
            .execute(&mut *self.tx)
            .await?;
        Ok(Some(before.map(Yen)))
    }
}
