//! The adjustment fund's follow-through: files attached to proposals, what each funded line
//! achieved, and the Cabinet Office's ex-post check of a round.

use crate::{Result, Store, Tx};

/// An attachment's description (its bytes are read on their own).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct AttachmentRow {
    /// Its number.
    pub id: i64,
    /// The proposal.
    pub proposal_id: i64,
    /// The file's name as uploaded (checked).
    pub file_name: String,
    /// Its media type.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at: String,
}

/// What a funded line achieved against the proposal's targets.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct OutcomeRow {
    /// The allocation.
    pub allocation_id: i64,
    /// met, partly or not-met.
    pub result: String,
    /// What was achieved.
    pub achieved: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: String,
}

const ATTACHMENT: &str = "id, proposal_id, file_name, content_type, size, sha256, uploaded_by, uploaded_at";

impl Store {
    /// The attachments of a round's proposals.
    pub async fn fund_attachments(&self, round_id: i64) -> Result<Vec<AttachmentRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT a.{} FROM fund_attachments a JOIN fund_proposals p ON p.id = a.proposal_id WHERE p.round_id = $1 ORDER BY a.id",
            ATTACHMENT.replace(", ", ", a.")
        )))
        .bind(round_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One attachment with its bytes.
    pub async fn fund_attachment(&self, id: i64) -> Result<Option<(AttachmentRow, Vec<u8>)>> {
        let row: Option<AttachmentRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {ATTACHMENT} FROM fund_attachments WHERE id = $1")))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let (content,): (Vec<u8>,) =
            sqlx::query_as("SELECT content FROM fund_attachments WHERE id = $1").bind(id).fetch_one(&self.pool).await?;
        Ok(Some((row, content)))
    }

    /// The outcomes recorded for a year's allocations.
    pub async fn fund_outcomes(&self, fiscal_year: i64) -> Result<Vec<OutcomeRow>> {
        Ok(sqlx::query_as(
            "SELECT o.allocation_id, o.result, o.achieved, o.recorded_by, o.recorded_at FROM fund_outcomes o JOIN fund_allocations a ON a.id = o.allocation_id WHERE a.fiscal_year = $1 ORDER BY o.allocation_id",
        )
        .bind(fiscal_year)
        .fetch_all(&self.pool)
        .await?)
    }
}

impl Tx {
    /// Stores an attachment; returns its number.
    pub async fn insert_fund_attachment(&mut self, a: &AttachmentRow, content: &[u8]) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO fund_attachments (proposal_id, file_name, content_type, size, sha256, content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(a.proposal_id)
            .bind(a.file_name.clone())
            .bind(a.content_type.clone())
            .bind(a.size)
            .bind(a.sha256.clone())
            .bind(content.to_vec())
            .bind(a.uploaded_by.clone())
            .bind(a.uploaded_at.clone())
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(id)
    }

    /// Records (or corrects) what a funded line achieved; returns the earlier record, if any.
    pub async fn set_fund_outcome(&mut self, o: &OutcomeRow) -> Result<Option<OutcomeRow>> {
        let before: Option<OutcomeRow> = sqlx::query_as(
            "SELECT allocation_id, result, achieved, recorded_by, recorded_at FROM fund_outcomes WHERE allocation_id = $1",
        )
        .bind(o.allocation_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM fund_outcomes WHERE allocation_id = $1")
            .bind(o.allocation_id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("INSERT INTO fund_outcomes (allocation_id, result, achieved, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(o.allocation_id)
            .bind(o.result.clone())
            .bind(o.achieved.clone())
            .bind(o.recorded_by.clone())
            .bind(o.recorded_at.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(before)
    }

    /// Marks a decided round's ex-post check done; false if it was not decided or already checked.
    pub async fn check_fund_round(&mut self, id: i64, note: &str, by: &str, at: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE fund_rounds SET checked_by = $1, checked_at = $2, check_note = $3 WHERE id = $4 AND status = 'decided' AND checked_at IS NULL")
            .bind(by.to_string())
            .bind(at.to_string())
            .bind(note.to_string())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A round's status (`open` or `decided`), read in this transaction with the round's row
    /// locked on PostgreSQL (SQLite's writing transactions are serial already), so that nothing
    /// is added to a round that a concurrent decision closes.
    pub async fn lock_fund_round(&mut self, id: i64) -> Result<Option<String>> {
        let lock = if self.backend == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
        let row: Option<(String,)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT status FROM fund_rounds WHERE id = $1{lock}")))
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(row.map(|r| r.0))
    }

    /// Whether a round's ex-post check is done, read in this transaction with the round's row
    /// locked on PostgreSQL, so that no outcome is changed after a concurrent check completes.
    pub async fn fund_round_checked(&mut self, id: i64) -> Result<bool> {
        let lock = if self.backend == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
        let row: Option<(Option<String>,)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT checked_at FROM fund_rounds WHERE id = $1{lock}")))
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(row.is_some_and(|r| r.0.is_some()))
    }
}
