//! PDCA records: measures and KPIs with their targets and logic-model links, the lines serving
//! them, follow-up rounds with reported actuals and evaluations, and HQ's actions for lines.

use crate::{Result, Store, Tx};

/// A measure (施策) of a fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct MeasureRow {
    /// The year.
    pub fiscal_year: i64,
    /// Its code.
    pub code: String,
    /// 施策名.
    pub name: String,
    /// The integrated project (or category) it belongs to.
    pub project: String,
    /// Who entered it.
    pub created_by: String,
    /// When.
    pub created_at: String,
}

/// A KPI of a measure, in the RS system's shape (file 3-1).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct KpiRow {
    /// The year.
    pub fiscal_year: i64,
    /// Its code (RS: 番号).
    pub code: String,
    /// The measure it belongs to.
    pub measure: String,
    /// The ministry that reports it.
    pub ministry: String,
    /// activity, output, outcome-short, outcome-mid or outcome-long.
    pub kind: String,
    /// 活動指標／成果指標.
    pub indicator: String,
    /// 単位.
    pub unit: String,
    /// higher or lower (改善の上向き／下向き).
    pub direction: String,
    /// 出典.
    pub source: String,
    /// The baseline value, an exact decimal as text.
    pub baseline: Option<String>,
    /// The baseline's year.
    pub baseline_year: Option<i64>,
}

/// A KPI's target for one year.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct KpiTargetRow {
    /// The measure's year.
    pub fiscal_year: i64,
    /// The KPI.
    pub kpi: String,
    /// 目標年度.
    pub target_year: i64,
    /// 目標値, an exact decimal as text.
    pub value: String,
}

/// A link of the logic model: one KPI leads to another.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct KpiLinkRow {
    /// The year.
    pub fiscal_year: i64,
    /// From (an activity or output).
    pub from_kpi: String,
    /// To (an output or outcome).
    pub to_kpi: String,
}

/// A line serving a measure, through one of its KPIs or (empty `kpi`) as a whole.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct LineMeasureRow {
    /// The year.
    pub fiscal_year: i64,
    /// 府省.
    pub ministry: String,
    /// 事業番号.
    pub line_id: String,
    /// The measure.
    pub measure: String,
    /// The KPI, or empty.
    pub kpi: String,
    /// Who linked it.
    pub linked_by: String,
    /// When.
    pub linked_at: String,
}

/// A follow-up round of a fiscal year's measures.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct FollowupRoundRow {
    /// Its number.
    pub id: i64,
    /// The year followed up.
    pub fiscal_year: i64,
    /// Its title.
    pub title: String,
    /// When the ministries' reports are due (YYYY-MM-DD).
    pub report_due: String,
    /// When the Cabinet Office's evaluations are due.
    pub evaluation_due: String,
    /// open or closed.
    pub status: String,
    /// Who opened it.
    pub opened_by: String,
    /// When.
    pub opened_at: String,
}

/// A KPI's actual value for one year, as reported in a round.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ActualRow {
    /// The round.
    pub round_id: i64,
    /// The KPI.
    pub kpi: String,
    /// The year the value is for.
    pub actual_year: i64,
    /// 実績値, an exact decimal as text.
    pub value: String,
    /// Where it comes from.
    pub source: String,
    /// The ministry's comment.
    pub comment: String,
    /// Who reported it.
    pub reported_by: String,
    /// When.
    pub reported_at: String,
}

/// The Cabinet Office's evaluation of a measure in a round.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct EvaluationRow {
    /// The round.
    pub round_id: i64,
    /// The measure.
    pub measure: String,
    /// achieved, on-track, delayed or cannot-evaluate.
    pub evaluation: String,
    /// Why.
    pub reason: String,
    /// Who evaluated.
    pub evaluated_by: String,
    /// When.
    pub evaluated_at: String,
}

/// HQ's action for a line after a round.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct LineActionRow {
    /// The round.
    pub round_id: i64,
    /// The line's year.
    pub fiscal_year: i64,
    /// 府省.
    pub ministry: String,
    /// 事業番号.
    pub line_id: String,
    /// continue, expand, reduce, review or end.
    pub action: String,
    /// 反映額 in yen (negative for a reduction).
    pub amount: i64,
    /// Why.
    pub reason: String,
    /// Who decided.
    pub decided_by: String,
    /// When.
    pub decided_at: String,
}

pub(crate) const KPI_COLUMNS: &str =
    "fiscal_year, code, measure, ministry, kind, indicator, unit, direction, source, baseline, baseline_year";
const ROUND_COLUMNS: &str = "id, fiscal_year, title, report_due, evaluation_due, status, opened_by, opened_at";
const ACTUAL_COLUMNS: &str = "round_id, kpi, actual_year, value, source, comment, reported_by, reported_at";
const EVALUATION_COLUMNS: &str = "round_id, measure, evaluation, reason, evaluated_by, evaluated_at";
const ACTION_COLUMNS: &str = "round_id, fiscal_year, ministry, line_id, action, amount, reason, decided_by, decided_at";

impl Store {
    /// A year's measures, by code.
    pub async fn measures(&self, fiscal_year: i64) -> Result<Vec<MeasureRow>> {
        Ok(sqlx::query_as("SELECT fiscal_year, code, name, project, created_by, created_at FROM measures WHERE fiscal_year = $1 ORDER BY code")
            .bind(fiscal_year)
            .fetch_all(&self.pool)
            .await?)
    }

    /// A year's KPIs, by code.
    pub async fn kpis(&self, fiscal_year: i64) -> Result<Vec<KpiRow>> {
        let sql = format!("SELECT {KPI_COLUMNS} FROM kpis WHERE fiscal_year = $1 ORDER BY code");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(fiscal_year).fetch_all(&self.pool).await?)
    }

    /// A year's KPI targets, by KPI and target year.
    pub async fn kpi_targets(&self, fiscal_year: i64) -> Result<Vec<KpiTargetRow>> {
        Ok(sqlx::query_as("SELECT fiscal_year, kpi, target_year, value FROM kpi_targets WHERE fiscal_year = $1 ORDER BY kpi, target_year")
            .bind(fiscal_year)
            .fetch_all(&self.pool)
            .await?)
    }

    /// A year's logic-model links.
    pub async fn kpi_links(&self, fiscal_year: i64) -> Result<Vec<KpiLinkRow>> {
        Ok(sqlx::query_as(
            "SELECT fiscal_year, from_kpi, to_kpi FROM kpi_links WHERE fiscal_year = $1 ORDER BY from_kpi, to_kpi",
        )
        .bind(fiscal_year)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A year's links of lines to measures.
    pub async fn line_measures(&self, fiscal_year: i64) -> Result<Vec<LineMeasureRow>> {
        Ok(sqlx::query_as("SELECT fiscal_year, ministry, line_id, measure, kpi, linked_by, linked_at FROM line_measures WHERE fiscal_year = $1 ORDER BY ministry, line_id, measure, kpi")
            .bind(fiscal_year)
            .fetch_all(&self.pool)
            .await?)
    }

    /// A year's follow-up rounds, oldest first (every year's when `None`).
    pub async fn followup_rounds(&self, fiscal_year: Option<i64>) -> Result<Vec<FollowupRoundRow>> {
        let sql = format!(
            "SELECT {ROUND_COLUMNS} FROM followup_rounds WHERE (CAST($1 AS BIGINT) IS NULL OR fiscal_year = $1) ORDER BY id"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(fiscal_year).fetch_all(&self.pool).await?)
    }

    /// One follow-up round.
    pub async fn followup_round(&self, id: i64) -> Result<Option<FollowupRoundRow>> {
        let sql = format!("SELECT {ROUND_COLUMNS} FROM followup_rounds WHERE id = $1");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await?)
    }

    /// A round's reported actuals, by KPI and year.
    pub async fn kpi_actuals(&self, round_id: i64) -> Result<Vec<ActualRow>> {
        let sql = format!("SELECT {ACTUAL_COLUMNS} FROM kpi_actuals WHERE round_id = $1 ORDER BY kpi, actual_year");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(round_id).fetch_all(&self.pool).await?)
    }

    /// A round's evaluations, by measure.
    pub async fn measure_evaluations(&self, round_id: i64) -> Result<Vec<EvaluationRow>> {
        let sql = format!("SELECT {EVALUATION_COLUMNS} FROM measure_evaluations WHERE round_id = $1 ORDER BY measure");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(round_id).fetch_all(&self.pool).await?)
    }

    /// The actions recorded for a year's lines, by round and line.
    pub async fn line_actions(&self, fiscal_year: i64) -> Result<Vec<LineActionRow>> {
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM line_actions WHERE fiscal_year = $1 ORDER BY round_id, ministry, line_id"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(fiscal_year).fetch_all(&self.pool).await?)
    }
}

impl Tx {
    /// Adds a measure; false if the year has one with that code.
    pub async fn insert_measure(&mut self, m: &MeasureRow) -> Result<bool> {
        let exists = sqlx::query("SELECT 1 FROM measures WHERE fiscal_year = $1 AND code = $2")
            .bind(m.fiscal_year)
            .bind(m.code.clone())
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_some() {
            return Ok(false);
        }
        sqlx::query("INSERT INTO measures (fiscal_year, code, name, project, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(m.fiscal_year)
            .bind(m.code.clone())
            .bind(m.name.clone())
            .bind(m.project.clone())
            .bind(m.created_by.clone())
            .bind(m.created_at.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(true)
    }

    /// Adds a KPI with its targets; false if the year has one with that code.
    pub async fn insert_kpi(&mut self, k: &KpiRow, targets: &[KpiTargetRow]) -> Result<bool> {
        let exists = sqlx::query("SELECT 1 FROM kpis WHERE fiscal_year = $1 AND code = $2")
            .bind(k.fiscal_year)
            .bind(k.code.clone())
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_some() {
            return Ok(false);
        }
        let sql = format!("INSERT INTO kpis ({KPI_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(k.fiscal_year)
            .bind(k.code.clone())
            .bind(k.measure.clone())
            .bind(k.ministry.clone())
            .bind(k.kind.clone())
            .bind(k.indicator.clone())
            .bind(k.unit.clone())
            .bind(k.direction.clone())
            .bind(k.source.clone())
            .bind(k.baseline.clone())
            .bind(k.baseline_year)
            .execute(&mut *self.tx)
            .await?;
        for t in targets {
            sqlx::query("INSERT INTO kpi_targets (fiscal_year, kpi, target_year, value) VALUES ($1, $2, $3, $4)")
                .bind(t.fiscal_year)
                .bind(t.kpi.clone())
                .bind(t.target_year)
                .bind(t.value.clone())
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(true)
    }

    /// Adds a KPI or brings a stored one to `k` with `targets`: `Some(false)` if it was
    /// changed, `Some(true)` if it was already so, `None` if it is new.
    pub async fn put_kpi(&mut self, k: &KpiRow, targets: &[KpiTargetRow]) -> Result<Option<bool>> {
        let sql = format!("SELECT {KPI_COLUMNS} FROM kpis WHERE fiscal_year = $1 AND code = $2");
        let current: Option<KpiRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(k.fiscal_year)
            .bind(k.code.clone())
            .fetch_optional(&mut *self.tx)
            .await?;
        let Some(current) = current else {
            self.insert_kpi(k, targets).await?;
            return Ok(None);
        };
        let stored: Vec<KpiTargetRow> = sqlx::query_as("SELECT fiscal_year, kpi, target_year, value FROM kpi_targets WHERE fiscal_year = $1 AND kpi = $2 ORDER BY target_year")
            .bind(k.fiscal_year)
            .bind(k.code.clone())
            .fetch_all(&mut *self.tx)
            .await?;
        let mut wanted = targets.to_vec();
        wanted.sort_by_key(|t| t.target_year);
        if current == *k && stored == wanted {
            return Ok(Some(true));
        }
        sqlx::query("UPDATE kpis SET measure = $3, ministry = $4, kind = $5, indicator = $6, unit = $7, direction = $8, source = $9, baseline = $10, baseline_year = $11 WHERE fiscal_year = $1 AND code = $2")
            .bind(k.fiscal_year)
            .bind(k.code.clone())
            .bind(k.measure.clone())
            .bind(k.ministry.clone())
            .bind(k.kind.clone())
            .bind(k.indicator.clone())
            .bind(k.unit.clone())
            .bind(k.direction.clone())
            .bind(k.source.clone())
            .bind(k.baseline.clone())
            .bind(k.baseline_year)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM kpi_targets WHERE fiscal_year = $1 AND kpi = $2")
            .bind(k.fiscal_year)
            .bind(k.code.clone())
            .execute(&mut *self.tx)
            .await?;
        for t in &wanted {
            sqlx::query("INSERT INTO kpi_targets (fiscal_year, kpi, target_year, value) VALUES ($1, $2, $3, $4)")
                .bind(t.fiscal_year)
                .bind(t.kpi.clone())
                .bind(t.target_year)
                .bind(t.value.clone())
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(Some(false))
    }

    /// Adds a logic-model link; false if it was there.
    pub async fn insert_kpi_link(&mut self, l: &KpiLinkRow) -> Result<bool> {
        let exists = sqlx::query("SELECT 1 FROM kpi_links WHERE fiscal_year = $1 AND from_kpi = $2 AND to_kpi = $3")
            .bind(l.fiscal_year)
            .bind(l.from_kpi.clone())
            .bind(l.to_kpi.clone())
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_some() {
            return Ok(false);
        }
        sqlx::query("INSERT INTO kpi_links (fiscal_year, from_kpi, to_kpi) VALUES ($1, $2, $3)")
            .bind(l.fiscal_year)
            .bind(l.from_kpi.clone())
            .bind(l.to_kpi.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(true)
    }

    /// Links a line to a measure (or one of its KPIs); false if it was linked.
    pub async fn insert_line_measure(&mut self, l: &LineMeasureRow) -> Result<bool> {
        let exists = sqlx::query("SELECT 1 FROM line_measures WHERE fiscal_year = $1 AND ministry = $2 AND line_id = $3 AND measure = $4 AND kpi = $5")
            .bind(l.fiscal_year)
            .bind(l.ministry.clone())
            .bind(l.line_id.clone())
            .bind(l.measure.clone())
            .bind(l.kpi.clone())
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_some() {
            return Ok(false);
        }
        sqlx::query("INSERT INTO line_measures (fiscal_year, ministry, line_id, measure, kpi, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(l.fiscal_year)
            .bind(l.ministry.clone())
            .bind(l.line_id.clone())
            .bind(l.measure.clone())
            .bind(l.kpi.clone())
            .bind(l.linked_by.clone())
            .bind(l.linked_at.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(true)
    }

    /// Opens a follow-up round; returns its number.
    pub async fn insert_followup_round(&mut self, r: &FollowupRoundRow) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO followup_rounds (fiscal_year, title, report_due, evaluation_due, status, opened_by, opened_at) VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id")
            .bind(r.fiscal_year)
            .bind(r.title.clone())
            .bind(r.report_due.clone())
            .bind(r.evaluation_due.clone())
            .bind(r.opened_by.clone())
            .bind(r.opened_at.clone())
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(id)
    }

    /// A follow-up round read in this transaction, its row locked on PostgreSQL (so that a
    /// report or evaluation cannot slip past its closing).
    pub async fn lock_followup_round(&mut self, id: i64) -> Result<Option<FollowupRoundRow>> {
        let lock = if self.backend == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
        let sql = format!("SELECT {ROUND_COLUMNS} FROM followup_rounds WHERE id = $1{lock}");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *self.tx).await?)
    }

    /// Closes an open round; false if it was not open.
    pub async fn close_followup_round(&mut self, id: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE followup_rounds SET status = 'closed' WHERE id = $1 AND status = 'open'")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records (or replaces) a KPI's actual for a year in a round; returns the one replaced.
    pub async fn set_kpi_actual(&mut self, a: &ActualRow) -> Result<Option<ActualRow>> {
        let sql =
            format!("SELECT {ACTUAL_COLUMNS} FROM kpi_actuals WHERE round_id = $1 AND kpi = $2 AND actual_year = $3");
        let before: Option<ActualRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(a.round_id)
            .bind(a.kpi.clone())
            .bind(a.actual_year)
            .fetch_optional(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM kpi_actuals WHERE round_id = $1 AND kpi = $2 AND actual_year = $3")
            .bind(a.round_id)
            .bind(a.kpi.clone())
            .bind(a.actual_year)
            .execute(&mut *self.tx)
            .await?;
        let sql = format!("INSERT INTO kpi_actuals ({ACTUAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(a.round_id)
            .bind(a.kpi.clone())
            .bind(a.actual_year)
            .bind(a.value.clone())
            .bind(a.source.clone())
            .bind(a.comment.clone())
            .bind(a.reported_by.clone())
            .bind(a.reported_at.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(before)
    }

    /// Records (or replaces) a measure's evaluation in a round; returns the one replaced.
    pub async fn set_measure_evaluation(&mut self, e: &EvaluationRow) -> Result<Option<EvaluationRow>> {
        let sql = format!("SELECT {EVALUATION_COLUMNS} FROM measure_evaluations WHERE round_id = $1 AND measure = $2");
        let before: Option<EvaluationRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(e.round_id)
            .bind(e.measure.clone())
            .fetch_optional(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM measure_evaluations WHERE round_id = $1 AND measure = $2")
            .bind(e.round_id)
            .bind(e.measure.clone())
            .execute(&mut *self.tx)
            .await?;
        let sql = format!("INSERT INTO measure_evaluations ({EVALUATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(e.round_id)
            .bind(e.measure.clone())
            .bind(e.evaluation.clone())
            .bind(e.reason.clone())
            .bind(e.evaluated_by.clone())
            .bind(e.evaluated_at.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(before)
    }

    /// Records (or replaces) HQ's action for a line in a round; returns the one replaced.
    pub async fn set_line_action(&mut self, a: &LineActionRow) -> Result<Option<LineActionRow>> {
        let sql =
            format!("SELECT {ACTION_COLUMNS} FROM line_actions WHERE round_id = $1 AND ministry = $2 AND line_id = $3");
        let before: Option<LineActionRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(a.round_id)
            .bind(a.ministry.clone())
            .bind(a.line_id.clone())
            .fetch_optional(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM line_actions WHERE round_id = $1 AND ministry = $2 AND line_id = $3")
            .bind(a.round_id)
            .bind(a.ministry.clone())
            .bind(a.line_id.clone())
            .execute(&mut *self.tx)
            .await?;
        let sql = format!("INSERT INTO line_actions ({ACTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(a.round_id)
            .bind(a.fiscal_year)
            .bind(a.ministry.clone())
            .bind(a.line_id.clone())
            .bind(a.action.clone())
            .bind(a.amount)
            .bind(a.reason.clone())
            .bind(a.decided_by.clone())
            .bind(a.decided_at.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(before)
    }
}
