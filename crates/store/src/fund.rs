//! The adjustment fund: pool, rounds, proposals, scores and allocations.

use crate::{Result, Store, Tx};

/// A round as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct RoundRow {
    /// Its number.
    pub id: i64,
    /// The year.
    pub fiscal_year: i64,
    /// regular or emergency.
    pub kind: String,
    /// president (理事長裁量型), top-down (トップダウン型) or emergency.
    pub round_type: String,
    /// Its title.
    pub title: String,
    /// Why (required for emergencies).
    pub reason: String,
    /// open or decided.
    pub status: String,
    /// Who opened it.
    pub opened_by: String,
    /// When.
    pub opened_at: String,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<String>,
    /// The emergency follow-up review's deadline.
    pub review_due: Option<String>,
    /// Who reviewed it.
    pub reviewed_by: Option<String>,
    /// When.
    pub reviewed_at: Option<String>,
    /// The review's note.
    pub review_note: Option<String>,
    /// Who completed the ex-post check (事後評価).
    pub checked_by: Option<String>,
    /// When.
    pub checked_at: Option<String>,
    /// The check's note.
    pub check_note: Option<String>,
}

/// A proposal as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ProposalRow {
    /// Its number.
    pub id: i64,
    /// The round.
    pub round_id: i64,
    /// The target line's ministry.
    pub ministry: String,
    /// The target line.
    pub line_id: String,
    /// Yen requested.
    pub requested: i64,
    /// The least useful amount.
    pub min_amount: i64,
    /// Why.
    pub rationale: String,
    /// Progress evidence.
    pub evidence: String,
    /// Research needs.
    pub needs: String,
    /// Urgency.
    pub urgency: String,
    /// Priority item ids served, `;`-separated.
    pub priority_items: String,
    /// What the money is to achieve, checked after the year.
    pub targets: String,
    /// Who proposed it.
    pub proposed_by: String,
    /// When.
    pub proposed_at: String,
}

/// An allocation as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct AllocationRow {
    /// Its number.
    pub id: i64,
    /// The round.
    pub round_id: i64,
    /// The target line's ministry.
    pub ministry: String,
    /// The target line.
    pub line_id: String,
    /// The proposal it funds, if any (emergencies have none).
    pub proposal_id: Option<i64>,
    /// Yen allocated.
    pub amount: i64,
    /// What the optimiser's plan gave, where HQ changed it.
    pub planned: Option<i64>,
    /// Why (the plan, or HQ's reason for a change).
    pub reason: String,
    /// Who decided.
    pub decided_by: String,
    /// When.
    pub decided_at: String,
}

/// A floor or cap HQ set on a round's plan.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct RoundConstraintRow {
    /// The round.
    pub round_id: i64,
    /// floor or cap.
    pub kind: String,
    /// project, disease_area, priority_item or ministry.
    pub dimension: String,
    /// The code in that dimension.
    pub code: String,
    /// Yen.
    pub amount: i64,
}

const ROUND: &str = "id, fiscal_year, kind, round_type, title, reason, status, opened_by, opened_at, decided_by, decided_at, review_due, reviewed_by, reviewed_at, review_note, checked_by, checked_at, check_note";
const PROPOSAL: &str = "id, round_id, ministry, line_id, requested, min_amount, rationale, evidence, needs, urgency, priority_items, targets, proposed_by, proposed_at";
const ALLOCATION: &str =
    "id, round_id, ministry, line_id, proposal_id, amount, planned, reason, decided_by, decided_at";

impl Store {
    /// The year's pool, if set.
    pub async fn fund_pool(&self, fiscal_year: i64) -> Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT pool FROM fund_pools WHERE fiscal_year = $1")
            .bind(fiscal_year)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.0))
    }

    /// The rounds of a year, oldest first.
    pub async fn fund_rounds(&self, fiscal_year: i64) -> Result<Vec<RoundRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ROUND} FROM fund_rounds WHERE fiscal_year = $1 ORDER BY id"
        )))
        .bind(fiscal_year)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One round.
    pub async fn fund_round(&self, id: i64) -> Result<Option<RoundRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {ROUND} FROM fund_rounds WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The proposals of a round.
    pub async fn fund_proposals(&self, round_id: i64) -> Result<Vec<ProposalRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PROPOSAL} FROM fund_proposals WHERE round_id = $1 ORDER BY id"
        )))
        .bind(round_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One proposal.
    pub async fn fund_proposal(&self, id: i64) -> Result<Option<ProposalRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {PROPOSAL} FROM fund_proposals WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// One allocation.
    pub async fn fund_allocation(&self, id: i64) -> Result<Option<AllocationRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {ALLOCATION} FROM fund_allocations WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Scores of a round's proposals: (proposal, criterion, score).
    pub async fn fund_scores(&self, round_id: i64) -> Result<Vec<(i64, String, i64)>> {
        Ok(sqlx::query_as("SELECT s.proposal_id, s.criterion, s.score FROM fund_scores s JOIN fund_proposals p ON p.id = s.proposal_id WHERE p.round_id = $1 ORDER BY s.proposal_id, s.criterion")
            .bind(round_id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// HQ's floors and caps on a round.
    pub async fn fund_round_constraints(&self, round_id: i64) -> Result<Vec<RoundConstraintRow>> {
        Ok(sqlx::query_as("SELECT round_id, kind, dimension, code, amount FROM fund_round_constraints WHERE round_id = $1 ORDER BY dimension, code, kind")
            .bind(round_id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Every allocation of a year.
    pub async fn fund_allocations(&self, fiscal_year: i64) -> Result<Vec<AllocationRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ALLOCATION} FROM fund_allocations WHERE fiscal_year = $1 ORDER BY id"
        )))
        .bind(fiscal_year)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// A new round.
#[derive(Debug, Clone)]
pub struct NewRound<'a> {
    /// The year.
    pub fiscal_year: i64,
    /// regular or emergency.
    pub kind: &'a str,
    /// president, top-down or emergency.
    pub round_type: &'a str,
    /// Title.
    pub title: &'a str,
    /// Reason.
    pub reason: &'a str,
    /// Who.
    pub by: &'a str,
    /// When.
    pub at: &'a str,
}

impl Tx {
    /// Sets the year's pool; returns the previous one.
    pub async fn set_fund_pool(&mut self, fiscal_year: i64, pool: i64, by: &str, at: &str) -> Result<Option<i64>> {
        let before: Option<(i64,)> = sqlx::query_as("SELECT pool FROM fund_pools WHERE fiscal_year = $1")
            .bind(fiscal_year)
            .fetch_optional(&mut *self.tx)
            .await?;
        // Updated in place, so a decision waiting on the row's lock sees the new pool, not none.
        let updated = sqlx::query("UPDATE fund_pools SET pool = $1, set_by = $2, set_at = $3 WHERE fiscal_year = $4")
            .bind(pool)
            .bind(by.to_string())
            .bind(at.to_string())
            .bind(fiscal_year)
            .execute(&mut *self.tx)
            .await?;
        if updated.rows_affected() == 0 {
            sqlx::query("INSERT INTO fund_pools (fiscal_year, pool, set_by, set_at) VALUES ($1, $2, $3, $4)")
                .bind(fiscal_year)
                .bind(pool)
                .bind(by.to_string())
                .bind(at.to_string())
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(before.map(|b| b.0))
    }

    /// The year's pool and what is allocated of it, read in this transaction; the pool row is
    /// locked on PostgreSQL so that two decisions cannot both spend the same money.
    pub async fn lock_fund(&mut self, fiscal_year: i64) -> Result<(Option<i64>, i64)> {
        let lock = if self.backend == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
        let pool: Option<(i64,)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT pool FROM fund_pools WHERE fiscal_year = $1{lock}")))
                .bind(fiscal_year)
                .fetch_optional(&mut *self.tx)
                .await?;
        let amounts: Vec<(i64,)> = sqlx::query_as("SELECT amount FROM fund_allocations WHERE fiscal_year = $1")
            .bind(fiscal_year)
            .fetch_all(&mut *self.tx)
            .await?;
        Ok((pool.map(|p| p.0), amounts.iter().map(|a| a.0).sum()))
    }

    /// Opens a round (decided at once for emergencies, with a review deadline).
    pub async fn insert_fund_round(&mut self, r: &NewRound<'_>, review_due: Option<&str>) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO fund_rounds (fiscal_year, kind, round_type, title, reason, status, opened_by, opened_at, review_due) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8) RETURNING id")
            .bind(r.fiscal_year)
            .bind(r.kind.to_string())
            .bind(r.round_type.to_string())
            .bind(r.title.to_string())
            .bind(r.reason.to_string())
            .bind(r.by.to_string())
            .bind(r.at.to_string())
            .bind(review_due.map(str::to_string))
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(id)
    }

    /// Marks an open round decided; false if it was not open (someone decided first).
    pub async fn decide_fund_round(&mut self, id: i64, by: &str, at: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE fund_rounds SET status = 'decided', decided_by = $1, decided_at = $2 WHERE id = $3 AND status = 'open'")
            .bind(by.to_string())
            .bind(at.to_string())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the follow-up review of an emergency round; false if already reviewed.
    pub async fn review_fund_round(&mut self, id: i64, note: &str, by: &str, at: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE fund_rounds SET reviewed_by = $1, reviewed_at = $2, review_note = $3 WHERE id = $4 AND kind = 'emergency' AND reviewed_at IS NULL")
            .bind(by.to_string())
            .bind(at.to_string())
            .bind(note.to_string())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Sets (or, with `None`, removes) a floor or cap on a round.
    pub async fn set_fund_round_constraint(
        &mut self,
        c: &RoundConstraintRow,
        amount: Option<i64>,
        by: &str,
        at: &str,
    ) -> Result<()> {
        sqlx::query(
            "DELETE FROM fund_round_constraints WHERE round_id = $1 AND kind = $2 AND dimension = $3 AND code = $4",
        )
        .bind(c.round_id)
        .bind(c.kind.clone())
        .bind(c.dimension.clone())
        .bind(c.code.clone())
        .execute(&mut *self.tx)
        .await?;
        if let Some(amount) = amount {
            sqlx::query("INSERT INTO fund_round_constraints (round_id, kind, dimension, code, amount, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(c.round_id)
                .bind(c.kind.clone())
                .bind(c.dimension.clone())
                .bind(c.code.clone())
                .bind(amount)
                .bind(by.to_string())
                .bind(at.to_string())
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Stores a proposal.
    pub async fn insert_fund_proposal(&mut self, p: &ProposalRow) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO fund_proposals (round_id, ministry, line_id, requested, min_amount, rationale, evidence, needs, urgency, priority_items, targets, proposed_by, proposed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id")
            .bind(p.round_id)
            .bind(p.ministry.clone())
            .bind(p.line_id.clone())
            .bind(p.requested)
            .bind(p.min_amount)
            .bind(p.rationale.clone())
            .bind(p.evidence.clone())
            .bind(p.needs.clone())
            .bind(p.urgency.clone())
            .bind(p.priority_items.clone())
            .bind(p.targets.clone())
            .bind(p.proposed_by.clone())
            .bind(p.proposed_at.clone())
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(id)
    }

    /// Sets a proposal's score on a criterion (a later score replaces an earlier one).
    pub async fn set_fund_score(
        &mut self,
        proposal: i64,
        criterion: &str,
        score: i64,
        by: &str,
        at: &str,
    ) -> Result<()> {
        sqlx::query("DELETE FROM fund_scores WHERE proposal_id = $1 AND criterion = $2")
            .bind(proposal)
            .bind(criterion.to_string())
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT INTO fund_scores (proposal_id, criterion, score, scored_by, scored_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(proposal)
        .bind(criterion.to_string())
        .bind(score)
        .bind(by.to_string())
        .bind(at.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Stores an allocation.
    pub async fn insert_fund_allocation(&mut self, fiscal_year: i64, a: &AllocationRow) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO fund_allocations (round_id, fiscal_year, ministry, line_id, proposal_id, amount, planned, reason, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
            .bind(a.round_id)
            .bind(fiscal_year)
            .bind(a.ministry.clone())
            .bind(a.line_id.clone())
            .bind(a.proposal_id)
            .bind(a.amount)
            .bind(a.planned)
            .bind(a.reason.clone())
            .bind(a.decided_by.clone())
            .bind(a.decided_at.clone())
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(id)
    }
}
