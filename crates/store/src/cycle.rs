//! The coordination cycle's records: users, packages, hearings, instructions and answers, calendars.

use sqlx::AssertSqlSafe;

use crate::{Result, Store, StoreError, Tx};

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    /// Unique name.
    pub name: String,
    /// Role name.
    pub role: String,
    /// Ministry code, for ministry users.
    pub ministry: Option<String>,
    /// When created.
    pub created_at: String,
}

/// A ministry's package for a fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PackageRow {
    /// Year.
    pub fiscal_year: i64,
    /// Ministry code.
    pub ministry: String,
    /// Status name.
    pub status: String,
    /// Version, for optimistic concurrency.
    pub version: i64,
    /// Why it is excluded, if it is.
    pub exclusion_reason: Option<String>,
    /// When last changed.
    pub updated_at: String,
    /// By whom.
    pub updated_by: String,
}

/// A recorded hearing.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct HearingRow {
    /// Id.
    pub id: i64,
    /// Year.
    pub fiscal_year: i64,
    /// Ministry code.
    pub ministry: String,
    /// Date held, or scheduled (YYYY-MM-DD).
    pub held_on: String,
    /// 1 once held, 0 while only scheduled.
    pub held: i64,
    /// Where.
    pub place: String,
    /// Who attended.
    pub attendees: String,
    /// Minutes.
    pub minutes: String,
    /// Recorded by.
    pub recorded_by: String,
    /// Recorded when.
    pub recorded_at: String,
}

/// An instruction to revise (見直し指示).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct InstructionRow {
    /// Id.
    pub id: i64,
    /// Year.
    pub fiscal_year: i64,
    /// Ministry code.
    pub ministry: String,
    /// The line it concerns, or none for the whole package.
    pub line_id: Option<String>,
    /// The round of instructions it belongs to, from 1.
    pub round: i64,
    /// What to do.
    pub text: String,
    /// A target amount in yen, if given.
    pub target_amount: Option<i64>,
    /// Due date (YYYY-MM-DD), if given.
    pub due: Option<String>,
    /// Issued by.
    pub issued_by: String,
    /// Issued when.
    pub issued_at: String,
}

/// An answer to an instruction.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct AnswerRow {
    /// Id.
    pub id: i64,
    /// The instruction answered.
    pub instruction_id: i64,
    /// The answer.
    pub text: String,
    /// The version of the instructed line when answered, if the instruction names a line.
    pub line_version: Option<i64>,
    /// By whom.
    pub answered_by: String,
    /// When.
    pub answered_at: String,
}

/// A fiscal year's calendar (dates YYYY-MM-DD).
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct CalendarRow {
    /// Year.
    pub fiscal_year: i64,
    /// Submission deadline (提出期限).
    pub submission_deadline: String,
    /// Hearings start.
    pub hearing_start: String,
    /// Hearings end.
    pub hearing_end: String,
    /// Consent deadline (了解期限).
    pub consent_deadline: String,
    /// HQ compilation date (取りまとめ日).
    pub compilation_date: String,
}

impl Store {
    /// A user by name.
    pub async fn user(&self, name: &str) -> Result<Option<UserRow>> {
        Ok(sqlx::query_as("SELECT name, role, ministry, created_at FROM users WHERE name = $1")
            .bind(name.to_string())
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Every user, by name.
    pub async fn users(&self) -> Result<Vec<UserRow>> {
        Ok(sqlx::query_as("SELECT name, role, ministry, created_at FROM users ORDER BY name")
            .fetch_all(&self.pool)
            .await?)
    }

    /// Every package of a year.
    pub async fn packages(&self, fiscal_year: i64) -> Result<Vec<PackageRow>> {
        let mut rows: Vec<PackageRow> = sqlx::query_as("SELECT fiscal_year, ministry, status, version, exclusion_reason, updated_at, updated_by FROM packages WHERE fiscal_year = $1")
            .bind(fiscal_year)
            .fetch_all(&self.pool)
            .await?;
        rows.sort_by(|a, b| a.ministry.cmp(&b.ministry));
        Ok(rows)
    }

    /// The hearings of a year, optionally of one ministry, in id order.
    pub async fn hearings(&self, fiscal_year: i64, ministry: Option<&str>) -> Result<Vec<HearingRow>> {
        Ok(sqlx::query_as("SELECT id, fiscal_year, ministry, held_on, held, place, attendees, minutes, recorded_by, recorded_at FROM hearings WHERE fiscal_year = $1 AND (CAST($2 AS TEXT) IS NULL OR ministry = $2) ORDER BY id")
            .bind(fiscal_year)
            .bind(ministry.map(str::to_string))
            .fetch_all(&self.pool)
            .await?)
    }

    /// The instructions of a year, optionally of one ministry, in id order.
    pub async fn instructions(&self, fiscal_year: i64, ministry: Option<&str>) -> Result<Vec<InstructionRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "{INSTRUCTION_SELECT} WHERE fiscal_year = $1 AND (CAST($2 AS TEXT) IS NULL OR ministry = $2) ORDER BY id"
        )))
        .bind(fiscal_year)
        .bind(ministry.map(str::to_string))
        .fetch_all(&self.pool)
        .await?)
    }

    /// The answers of a year's instructions, in id order.
    pub async fn answers(&self, fiscal_year: i64) -> Result<Vec<AnswerRow>> {
        Ok(sqlx::query_as("SELECT a.id, a.instruction_id, a.text, a.line_version, a.answered_by, a.answered_at FROM answers a JOIN instructions i ON i.id = a.instruction_id WHERE i.fiscal_year = $1 ORDER BY a.id")
            .bind(fiscal_year)
            .fetch_all(&self.pool)
            .await?)
    }

    /// A year's calendar.
    pub async fn calendar(&self, fiscal_year: i64) -> Result<Option<CalendarRow>> {
        Ok(sqlx::query_as("SELECT fiscal_year, submission_deadline, hearing_start, hearing_end, consent_deadline, compilation_date FROM calendars WHERE fiscal_year = $1")
            .bind(fiscal_year)
            .fetch_optional(&self.pool)
            .await?)
    }
}

const INSTRUCTION_SELECT: &str = "SELECT id, fiscal_year, ministry, line_id, round, text, target_amount, due, issued_by, issued_at FROM instructions";

impl Tx {
    /// Adds a user; a user of that name existing already is a conflict.
    pub async fn insert_user(&mut self, name: &str, role: &str, ministry: Option<&str>, now: &str) -> Result<()> {
        let exists = sqlx::query("SELECT 1 FROM users WHERE name = $1")
            .bind(name.to_string())
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!("利用者 {name} は既に存在します / user {name} exists already")));
        }
        sqlx::query("INSERT INTO users (name, role, ministry, created_at) VALUES ($1, $2, $3, $4)")
            .bind(name.to_string())
            .bind(role.to_string())
            .bind(ministry.map(str::to_string))
            .bind(now.to_string())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// A package, read and locked for the rest of this transaction; a package never touched
    /// before is created as `drafting` (version 1) first, so there is always a row to lock.
    pub async fn lock_package(&mut self, fiscal_year: i64, ministry: &str, by: &str, now: &str) -> Result<PackageRow> {
        sqlx::query("INSERT INTO packages (fiscal_year, ministry, status, version, exclusion_reason, updated_at, updated_by) VALUES ($1, $2, 'drafting', 1, NULL, $3, $4) ON CONFLICT DO NOTHING")
            .bind(fiscal_year)
            .bind(ministry.to_string())
            .bind(now.to_string())
            .bind(by.to_string())
            .execute(&mut *self.tx)
            .await?;
        let sql = format!(
            "SELECT fiscal_year, ministry, status, version, exclusion_reason, updated_at, updated_by FROM packages WHERE fiscal_year = $1 AND ministry = $2{}",
            self.for_update()
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(fiscal_year)
            .bind(ministry.to_string())
            .fetch_one(&mut *self.tx)
            .await?)
    }

    /// Every package of a year, locked for the rest of this transaction.
    pub async fn lock_packages(&mut self, fiscal_year: i64) -> Result<Vec<PackageRow>> {
        let sql = format!(
            "SELECT fiscal_year, ministry, status, version, exclusion_reason, updated_at, updated_by FROM packages WHERE fiscal_year = $1{}",
            self.for_update()
        );
        let mut rows: Vec<PackageRow> =
            sqlx::query_as(AssertSqlSafe(sql)).bind(fiscal_year).fetch_all(&mut *self.tx).await?;
        rows.sort_by(|a, b| a.ministry.cmp(&b.ministry));
        Ok(rows)
    }

    /// Writes a package's new status. `read_version` is the version the caller read (the row
    /// exists: [`Tx::lock_package`] creates it); if another writer changed it since, nothing is
    /// written and a conflict is returned.
    pub async fn put_package(&mut self, p: &PackageRow, read_version: i64) -> Result<()> {
        let done = sqlx::query("UPDATE packages SET status = $3, version = version + 1, exclusion_reason = $4, updated_at = $5, updated_by = $6 WHERE fiscal_year = $1 AND ministry = $2 AND version = $7")
            .bind(p.fiscal_year)
            .bind(p.ministry.clone())
            .bind(p.status.clone())
            .bind(p.exclusion_reason.clone())
            .bind(p.updated_at.clone())
            .bind(p.updated_by.clone())
            .bind(read_version)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "{} の状態が同時に変更されました / the package of {} was changed concurrently",
                p.ministry, p.ministry
            )));
        }
        Ok(())
    }

    /// Records a hearing (scheduled or held); returns its id.
    pub async fn insert_hearing(&mut self, h: &HearingRow) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO hearings (fiscal_year, ministry, held_on, held, place, attendees, minutes, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
            .bind(h.fiscal_year)
            .bind(h.ministry.clone())
            .bind(h.held_on.clone())
            .bind(h.held)
            .bind(h.place.clone())
            .bind(h.attendees.clone())
            .bind(h.minutes.clone())
            .bind(h.recorded_by.clone())
            .bind(h.recorded_at.clone())
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(id)
    }

    /// The package's hearing that is scheduled and not yet held, if any.
    pub async fn scheduled_hearing(&mut self, fiscal_year: i64, ministry: &str) -> Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM hearings WHERE fiscal_year = $1 AND ministry = $2 AND held = 0 ORDER BY id DESC LIMIT 1",
        )
        .bind(fiscal_year)
        .bind(ministry.to_string())
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Marks a scheduled hearing held, with what was recorded.
    pub async fn mark_hearing_held(&mut self, id: i64, h: &HearingRow) -> Result<()> {
        sqlx::query("UPDATE hearings SET held = 1, held_on = $1, place = $2, attendees = $3, minutes = $4, recorded_by = $5, recorded_at = $6 WHERE id = $7")
            .bind(h.held_on.clone())
            .bind(h.place.clone())
            .bind(h.attendees.clone())
            .bind(h.minutes.clone())
            .bind(h.recorded_by.clone())
            .bind(h.recorded_at.clone())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// The highest instruction round of a package so far (0 if none).
    pub async fn last_round(&mut self, fiscal_year: i64, ministry: &str) -> Result<i64> {
        let (round,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(round) FROM instructions WHERE fiscal_year = $1 AND ministry = $2")
                .bind(fiscal_year)
                .bind(ministry.to_string())
                .fetch_one(&mut *self.tx)
                .await?;
        Ok(round.unwrap_or(0))
    }

    /// Records an instruction; returns its id.
    pub async fn insert_instruction(&mut self, i: &InstructionRow) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO instructions (fiscal_year, ministry, line_id, round, text, target_amount, due, issued_by, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
            .bind(i.fiscal_year)
            .bind(i.ministry.clone())
            .bind(i.line_id.clone())
            .bind(i.round)
            .bind(i.text.clone())
            .bind(i.target_amount)
            .bind(i.due.clone())
            .bind(i.issued_by.clone())
            .bind(i.issued_at.clone())
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(id)
    }

    /// One instruction, read inside this transaction.
    pub async fn instruction(&mut self, id: i64) -> Result<Option<InstructionRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!("{INSTRUCTION_SELECT} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    /// Instructions of the latest round of a package that have no answer yet.
    pub async fn unanswered(&mut self, fiscal_year: i64, ministry: &str, round: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT i.id FROM instructions i WHERE i.fiscal_year = $1 AND i.ministry = $2 AND i.round = $3 AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.instruction_id = i.id) ORDER BY i.id")
            .bind(fiscal_year)
            .bind(ministry.to_string())
            .bind(round)
            .fetch_all(&mut *self.tx)
            .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Records an answer; returns its id.
    pub async fn insert_answer(&mut self, a: &AnswerRow) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO answers (instruction_id, text, line_version, answered_by, answered_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(a.instruction_id)
            .bind(a.text.clone())
            .bind(a.line_version)
            .bind(a.answered_by.clone())
            .bind(a.answered_at.clone())
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(id)
    }

    /// Sets a year's calendar, replacing any.
    pub async fn put_calendar(&mut self, c: &CalendarRow) -> Result<()> {
        sqlx::query("DELETE FROM calendars WHERE fiscal_year = $1").bind(c.fiscal_year).execute(&mut *self.tx).await?;
        sqlx::query("INSERT INTO calendars (fiscal_year, submission_deadline, hearing_start, hearing_end, consent_deadline, compilation_date) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(c.fiscal_year)
            .bind(c.submission_deadline.clone())
            .bind(c.hearing_start.clone())
            .bind(c.hearing_end.clone())
            .bind(c.consent_deadline.clone())
            .bind(c.compilation_date.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
