//! Request lines: the current version of each, and every version ever stored.

use haibun_domain::compile::Columns;
use haibun_domain::{FiscalYear, LineId, RequestLine, Shares, Yen};

use sqlx::AssertSqlSafe;

use crate::{Result, Store, StoreError, Tx, corrupt};

/// The fields of a line a compilation reads.
type CompileRow = (String, Option<String>, String, i64, i64, Option<String>, Option<String>);

/// A request line as stored, with its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLine {
    /// The line.
    pub line: RequestLine,
    /// Its version, 1 for the first.
    pub version: i64,
    /// When this version was written (RFC 3339 UTC).
    pub updated_at: String,
    /// Who wrote it.
    pub updated_by: String,
}

/// What a write did to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineChange {
    /// A new line, version 1.
    Inserted,
    /// A new version of an existing line.
    Updated {
        /// The version it replaced.
        from: i64,
    },
    /// The line was already stored exactly so; nothing was written.
    Unchanged,
}

#[derive(sqlx::FromRow)]
pub(crate) struct LineRow {
    fiscal_year: i64,
    ministry: String,
    line_id: String,
    version: i64,
    name: String,
    channel: String,
    project: Option<String>,
    prior_year: i64,
    request: i64,
    priority_frame: Option<i64>,
    disease_areas: Option<String>,
    purposes: Option<String>,
    is_new: i64,
    summary: String,
    kpi: String,
    priority_items: String,
    justification: String,
    rs_id: String,
    updated_at: String,
    updated_by: String,
}

/// Binds a line's content, in the order of [`LINE_FIELDS`].
pub(crate) fn bind_content<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    line: &RequestLine,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    q.bind(line.name.clone())
        .bind(line.channel.clone())
        .bind(line.project.clone())
        .bind(line.prior_year.get())
        .bind(line.request.get())
        .bind(line.priority_frame.map(Yen::get))
        .bind(line.disease_areas.as_ref().map(Shares::to_code_string))
        .bind(line.purposes.as_ref().map(Shares::to_code_string))
        .bind(i64::from(line.is_new))
        .bind(line.summary.clone())
        .bind(line.kpi.clone())
        .bind(line.priority_items.join(";"))
        .bind(line.justification.clone())
        .bind(line.rs_id.clone())
}

/// The columns of a line's content, shared by current lines, versions and snapshots.
pub(crate) const LINE_FIELDS: &str = "name, channel, project, prior_year, request, priority_frame, disease_areas, purposes, is_new, summary, kpi, priority_items, justification, rs_id";
pub(crate) const COLUMNS: &str = "fiscal_year, ministry, line_id, version, name, channel, project, prior_year, request, priority_frame, disease_areas, purposes, is_new, summary, kpi, priority_items, justification, rs_id, updated_at, updated_by";

/// A line's new version over the one read (`$21`): no row is updated if another writer came first.
pub(crate) const UPDATE_LINE: &str = "UPDATE request_lines SET version = $4, name = $5, channel = $6, project = $7, prior_year = $8, request = $9, priority_frame = $10, disease_areas = $11, purposes = $12, is_new = $13, summary = $14, kpi = $15, priority_items = $16, justification = $17, rs_id = $18, updated_at = $19, updated_by = $20 WHERE fiscal_year = $1 AND ministry = $2 AND line_id = $3 AND version = $21";

impl TryFrom<LineRow> for StoredLine {
    type Error = StoreError;

    fn try_from(r: LineRow) -> Result<Self> {
        let shares = |s: Option<String>| {
            s.map(|s| Shares::from_code_string(&s).map_err(|e| corrupt(format!("{}: {}", r.line_id, e.en)))).transpose()
        };
        let line = RequestLine {
            fiscal_year: FiscalYear::try_from(r.fiscal_year).map_err(corrupt)?,
            line_id: LineId::parse(&r.line_id).ok_or_else(|| corrupt(format!("line id {:?}", r.line_id)))?,
            ministry: r.ministry.clone(),
            name: r.name,
            channel: r.channel,
            project: r.project,
            prior_year: Yen(r.prior_year),
            request: Yen(r.request),
            priority_frame: r.priority_frame.map(Yen),
            disease_areas: shares(r.disease_areas.clone())?,
            purposes: shares(r.purposes.clone())?,
            is_new: r.is_new != 0,
            summary: r.summary,
            kpi: r.kpi,
            priority_items: r.priority_items.split(';').filter(|i| !i.is_empty()).map(str::to_string).collect(),
            justification: r.justification,
            rs_id: r.rs_id,
        };
        Ok(StoredLine { line, version: r.version, updated_at: r.updated_at, updated_by: r.updated_by })
    }
}

fn convert(rows: Vec<LineRow>) -> Result<Vec<StoredLine>> {
    rows.into_iter().map(StoredLine::try_from).collect()
}

impl Store {
    /// The current lines of a year, optionally of one ministry, ordered by ministry and line id.
    pub async fn lines(&self, fiscal_year: FiscalYear, ministry: Option<&str>) -> Result<Vec<StoredLine>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM request_lines WHERE fiscal_year = $1 AND (CAST($2 AS TEXT) IS NULL OR ministry = $2) ORDER BY ministry, line_id"
        );
        let rows: Vec<LineRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(fiscal_year.year())
            .bind(ministry.map(str::to_string))
            .fetch_all(&self.pool)
            .await?;
        // Sorted here too, so the order is the same whatever collation the database uses.
        let mut lines = convert(rows)?;
        lines.sort_by(|a, b| (&a.line.ministry, &a.line.line_id).cmp(&(&b.line.ministry, &b.line.line_id)));
        Ok(lines)
    }

    /// The current lines of a year (optionally of one ministry) straight into the compiler's
    /// columns: only the columns a compilation reads, streamed, never a `RequestLine` per row.
    pub async fn compile_columns(&self, fiscal_year: FiscalYear, ministry: Option<&str>) -> Result<Columns> {
        use futures_util::TryStreamExt;
        let mut cols = Columns::with_capacity(0, false);
        let mut rows = sqlx::query_as::<_, CompileRow>(
            "SELECT ministry, project, channel, prior_year, request, disease_areas, purposes FROM request_lines WHERE fiscal_year = $1 AND (CAST($2 AS TEXT) IS NULL OR ministry = $2)",
        )
        .bind(fiscal_year.year())
        .bind(ministry.map(str::to_string))
        .fetch(&self.pool);
        while let Some((m, project, channel, prior, request, diseases, purposes)) = rows.try_next().await? {
            cols.push_stored(
                &m,
                project.as_deref(),
                &channel,
                Yen(prior),
                Yen(request),
                None,
                diseases.as_deref(),
                purposes.as_deref(),
            )
            .map_err(|e| corrupt(format!("{m}: {e}")))?;
        }
        Ok(cols)
    }

    /// The adjustment fund's allocations of a year as columns: each allocation's amount as the
    /// request, under its target line's classification (optionally of one ministry).
    pub async fn adjustment_columns(&self, fiscal_year: FiscalYear, ministry: Option<&str>) -> Result<Columns> {
        let rows: Vec<CompileRow> = sqlx::query_as(
            "SELECT r.ministry, r.project, r.channel, 0 AS prior_year, a.amount, r.disease_areas, r.purposes FROM fund_allocations a JOIN request_lines r ON r.fiscal_year = a.fiscal_year AND r.ministry = a.ministry AND r.line_id = a.line_id WHERE a.fiscal_year = $1 AND (CAST($2 AS TEXT) IS NULL OR a.ministry = $2)",
        )
        .bind(fiscal_year.year())
        .bind(ministry.map(str::to_string))
        .fetch_all(&self.pool)
        .await?;
        let mut cols = Columns::with_capacity(rows.len(), false);
        for (m, project, channel, prior, amount, diseases, purposes) in rows {
            cols.push_stored(
                &m,
                project.as_deref(),
                &channel,
                Yen(prior),
                Yen(amount),
                None,
                diseases.as_deref(),
                purposes.as_deref(),
            )
            .map_err(|e| corrupt(format!("{m}: {e}")))?;
        }
        Ok(cols)
    }

    /// Every allocation the adjustment fund made in a year, one by one: (ministry, line id, yen),
    /// in the order they were made.
    pub async fn adjustment_allocations(&self, fiscal_year: FiscalYear) -> Result<Vec<(String, String, i64)>> {
        let rows: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT ministry, line_id, amount FROM fund_allocations WHERE fiscal_year = $1 ORDER BY id")
                .bind(fiscal_year.year())
                .fetch_all(&self.pool)
                .await?;
        Ok(rows)
    }

    /// Every stored version of one line, oldest first.
    pub async fn line_history(
        &self,
        fiscal_year: FiscalYear,
        ministry: &str,
        line_id: &str,
    ) -> Result<Vec<StoredLine>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM request_line_versions WHERE fiscal_year = $1 AND ministry = $2 AND line_id = $3 ORDER BY version"
        );
        let rows: Vec<LineRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(fiscal_year.year())
            .bind(ministry)
            .bind(line_id)
            .fetch_all(&self.pool)
            .await?;
        convert(rows)
    }
}

impl Tx {
    /// The prior-year and requested amounts of every current line of a year, read inside this transaction.
    pub async fn year_amounts(&mut self, fiscal_year: FiscalYear) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as("SELECT prior_year, request FROM request_lines WHERE fiscal_year = $1")
            .bind(fiscal_year.year())
            .fetch_all(&mut *self.tx)
            .await?)
    }

    /// The current lines of one ministry, read inside this transaction, by line id.
    pub async fn lines_of(&mut self, fiscal_year: FiscalYear, ministry: &str) -> Result<Vec<StoredLine>> {
        let sql = format!("SELECT {COLUMNS} FROM request_lines WHERE fiscal_year = $1 AND ministry = $2");
        let rows: Vec<LineRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(fiscal_year.year())
            .bind(ministry.to_string())
            .fetch_all(&mut *self.tx)
            .await?;
        let mut lines = convert(rows)?;
        lines.sort_by(|a, b| a.line.line_id.cmp(&b.line.line_id));
        Ok(lines)
    }

    /// The current version of one line, read inside this transaction.
    pub async fn line(
        &mut self,
        fiscal_year: FiscalYear,
        ministry: &str,
        line_id: &LineId,
    ) -> Result<Option<StoredLine>> {
        let sql =
            format!("SELECT {COLUMNS} FROM request_lines WHERE fiscal_year = $1 AND ministry = $2 AND line_id = $3");
        let row: Option<LineRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(fiscal_year.year())
            .bind(ministry)
            .bind(line_id.as_str())
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(StoredLine::try_from).transpose()
    }

    /// Writes `line` as a new line, or as the next version of the stored one if it differs.
    ///
    /// `expected_version` is the version the writer read (`None` for "whatever is stored", as an
    /// import does); if the stored version differs, nothing is written and
    /// [`StoreError::Conflict`] is returned.
    pub async fn save_line(
        &mut self,
        line: &RequestLine,
        expected_version: Option<i64>,
        by: &str,
        now: &str,
    ) -> Result<LineChange> {
        let current = self.line(line.fiscal_year, &line.ministry, &line.line_id).await?;
        let (change, version) = match &current {
            None => {
                if let Some(v) = expected_version.filter(|v| *v != 0) {
                    return Err(StoreError::Conflict(format!(
                        "{} は存在しません（版 {v} を想定）/ {} does not exist (expected version {v})",
                        line.line_id, line.line_id
                    )));
                }
                (LineChange::Inserted, 1)
            }
            Some(stored) => {
                if let Some(v) = expected_version
                    && v != stored.version
                {
                    return Err(StoreError::Conflict(format!(
                        "{}: 読んだ版 {v}、現在の版 {} / read version {v}, current version {}",
                        line.line_id, stored.version, stored.version
                    )));
                }
                if stored.line == *line {
                    return Ok(LineChange::Unchanged);
                }
                (LineChange::Updated { from: stored.version }, stored.version + 1)
            }
        };
        let values = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20";
        let write = match change {
            LineChange::Inserted => format!("INSERT INTO request_lines ({COLUMNS}) VALUES ({values})"),
            _ => UPDATE_LINE.to_string(),
        };
        let history = format!("INSERT INTO request_line_versions ({COLUMNS}) VALUES ({values})");
        let expected = (change != LineChange::Inserted).then_some(version - 1);
        for (sql, expected) in [(write, expected), (history, None)] {
            let q = sqlx::query(AssertSqlSafe(sql))
                .bind(line.fiscal_year.year())
                .bind(line.ministry.clone())
                .bind(line.line_id.as_str().to_string())
                .bind(version);
            let mut q = bind_content(q, line).bind(now.to_string()).bind(by.to_string());
            if let Some(v) = expected {
                q = q.bind(v);
            }
            let done = q.execute(&mut *self.tx).await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict(format!(
                    "{}: 同時に更新されました / updated concurrently",
                    line.line_id
                )));
            }
        }
        Ok(change)
    }
}
