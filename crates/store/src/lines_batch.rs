//! A whole file of one ministry's lines written at once (an import): the ministry's current lines
//! read in one query, new lines and the history written in multi-row `INSERT`s, each changed line
//! updated with its version checked. The outcome is exactly that of writing the lines one by one
//! with [`Tx::save_line`], in far fewer round trips to the database.

use std::collections::{HashMap, HashSet};

use haibun_domain::RequestLine;
use sqlx::AssertSqlSafe;

use crate::lines::{COLUMNS, LineChange, LineRow, StoredLine, UPDATE_LINE, bind_content};
use crate::{Result, StoreError, Tx};

/// Rows per multi-row `INSERT` (20 values each) on PostgreSQL, well inside its parameter limit.
const BATCH_POSTGRES: usize = 500;
/// Rows per multi-row `INSERT` on SQLite (placeholders `?`, see [`Tx::insert_lines`]).
const BATCH_SQLITE: usize = 100;

impl Tx {
    /// Writes `lines` (one ministry's, of one year) as [`Tx::save_line`] would one by one, with
    /// no expected versions: each is inserted, updated to a new version, or left unchanged.
    pub async fn save_lines(&mut self, lines: &[RequestLine], by: &str, now: &str) -> Result<Vec<LineChange>> {
        let Some(first) = lines.first() else { return Ok(Vec::new()) };
        let ids: HashSet<&str> = lines.iter().map(|l| l.line_id.as_str()).collect();
        let one_ministry = lines.iter().all(|l| l.fiscal_year == first.fiscal_year && l.ministry == first.ministry);
        if !one_ministry || ids.len() != lines.len() {
            // Not one file's worth: line by line.
            let mut changes = Vec::with_capacity(lines.len());
            for l in lines {
                changes.push(self.save_line(l, None, by, now).await?);
            }
            return Ok(changes);
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM request_lines WHERE fiscal_year = $1 AND ministry = $2{}",
            self.for_update()
        );
        let rows: Vec<LineRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(first.fiscal_year.year())
            .bind(first.ministry.clone())
            .fetch_all(&mut *self.tx)
            .await?;
        let mut current = HashMap::with_capacity(rows.len());
        for row in rows {
            let stored = StoredLine::try_from(row)?;
            current.insert(stored.line.line_id.as_str().to_string(), stored);
        }
        let (mut changes, mut inserted, mut history) = (Vec::with_capacity(lines.len()), Vec::new(), Vec::new());
        for line in lines {
            match current.get(line.line_id.as_str()) {
                None => {
                    changes.push(LineChange::Inserted);
                    inserted.push((line, 1));
                    history.push((line, 1));
                }
                Some(stored) if stored.line == *line => changes.push(LineChange::Unchanged),
                Some(stored) => {
                    let version = stored.version + 1;
                    let q = sqlx::query(UPDATE_LINE)
                        .bind(line.fiscal_year.year())
                        .bind(line.ministry.clone())
                        .bind(line.line_id.as_str().to_string())
                        .bind(version);
                    let done = bind_content(q, line)
                        .bind(now.to_string())
                        .bind(by.to_string())
                        .bind(stored.version)
                        .execute(&mut *self.tx)
                        .await?;
                    if done.rows_affected() != 1 {
                        return Err(StoreError::Conflict(format!(
                            "{}: 同時に更新されました / updated concurrently",
                            line.line_id
                        )));
                    }
                    changes.push(LineChange::Updated { from: stored.version });
                    history.push((line, version));
                }
            }
        }
        let batch = if self.backend == crate::Backend::Postgres { BATCH_POSTGRES } else { BATCH_SQLITE };
        for chunk in inserted.chunks(batch) {
            self.insert_lines("request_lines", chunk, by, now).await?;
        }
        for chunk in history.chunks(batch) {
            self.insert_lines("request_line_versions", chunk, by, now).await?;
        }
        Ok(changes)
    }

    /// One multi-row `INSERT` of lines, each at its version, into `table` (the current lines or
    /// their history, which share the columns).
    async fn insert_lines(&mut self, table: &str, rows: &[(&RequestLine, i64)], by: &str, now: &str) -> Result<()> {
        let per_row = COLUMNS.split(',').count();
        let mut sql = format!("INSERT INTO {table} ({COLUMNS}) VALUES ");
        for r in 0..rows.len() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            // SQLite takes anonymous `?` placeholders in order: sqlx asks SQLite for each
            // parameter's name, a linear scan of the named ones, so `$n` would make binding a
            // statement quadratic in its parameters.
            let params: Vec<String> = (1..=per_row)
                .map(|c| {
                    if self.backend == crate::Backend::Sqlite {
                        "?".to_string()
                    } else {
                        format!("${}", r * per_row + c)
                    }
                })
                .collect();
            sql.push_str(&params.join(", "));
            sql.push(')');
        }
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (line, version) in rows {
            q = q
                .bind(line.fiscal_year.year())
                .bind(line.ministry.clone())
                .bind(line.line_id.as_str().to_string())
                .bind(*version);
            q = bind_content(q, line).bind(now.to_string()).bind(by.to_string());
        }
        let done = q.execute(&mut *self.tx).await?;
        if done.rows_affected() != rows.len() as u64 {
            return Err(StoreError::Conflict(format!("{table}: 同時に更新されました / updated concurrently")));
        }
        Ok(())
    }
}
