//! A year's evidence tables (§4), each replaced whole by an import, and the evidence a
//! policy's priority items cite.

use haibun_domain::Shares;
use haibun_domain::evidence::Rate;
use haibun_domain::evidence::report::{
    Dimension, EvidenceData, EvidenceRows, FundingRow, MappingRow, PublicationRow, Source, SurveyRow, Table,
};
use rust_decimal::Decimal;

use crate::{Result, Store, StoreError, Tx};

/// Where a table came from and who imported it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct EvidenceSetRow {
    /// The year whose evidence it is.
    pub fiscal_year: i64,
    /// Which table (`funding`, `mapping`, …).
    pub table_name: String,
    /// 出典: who published the figures.
    pub source: String,
    /// 時点: the date the figures are as of.
    pub as_of: String,
    /// 利用条件: the licence or use note.
    pub licence: String,
    /// The file imported.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Rows stored.
    pub row_count: i64,
    /// Who imported it.
    pub imported_by: String,
    /// When.
    pub imported_at: String,
}

/// A priority item citing a candidate area.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct CitationRow {
    /// The policy's year.
    pub fiscal_year: i64,
    /// The priority item.
    pub item_id: String,
    /// `disease_area` or `project`.
    pub dimension: String,
    /// The area's code.
    pub area: String,
    /// The year of the evidence report cited.
    pub evidence_year: i64,
    /// The candidate's rank when cited.
    pub cited_rank: i64,
    /// The candidate's evidence when cited (JSON).
    pub basis: String,
    /// Who cited it.
    pub cited_by: String,
    /// When.
    pub cited_at: String,
}

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {v}"))
}

fn decimal(v: &str) -> Result<Decimal> {
    v.parse().map_err(|_| corrupt("decimal", v))
}

fn dimension(v: &str) -> Result<Dimension> {
    Dimension::parse(v).ok_or_else(|| corrupt("dimension", v))
}

const TABLES: [(Table, &str); 5] = [
    (Table::Funding, "evidence_funding"),
    (Table::Mapping, "evidence_mapping"),
    (Table::Publications, "evidence_publications"),
    (Table::Survey, "evidence_survey"),
    (Table::Rates, "evidence_rates"),
];

impl Store {
    /// The tables imported for a year, with their sources.
    pub async fn evidence_sets(&self, fiscal_year: i64) -> Result<Vec<EvidenceSetRow>> {
        Ok(sqlx::query_as(
            "SELECT fiscal_year, table_name, source, as_of, licence, file, sha256, row_count, imported_by, imported_at FROM evidence_sets WHERE fiscal_year = $1 ORDER BY table_name",
        )
        .bind(fiscal_year)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every evidence table of a year.
    pub async fn evidence(&self, fiscal_year: i64) -> Result<EvidenceData> {
        let mut data = EvidenceData::default();
        let funding: Vec<(String, String, i64, String, String)> = sqlx::query_as(
            "SELECT funder, category, year, amount, currency FROM evidence_funding WHERE fiscal_year = $1 ORDER BY funder, category, year",
        )
        .bind(fiscal_year)
        .fetch_all(&self.pool)
        .await?;
        for (funder, category, year, amount, currency) in funding {
            data.funding.push(FundingRow { funder, category, year, amount: decimal(&amount)?, currency });
        }
        let mapping: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT source, category, dimension, shares FROM evidence_mapping WHERE fiscal_year = $1 ORDER BY source, category, dimension",
        )
        .bind(fiscal_year)
        .fetch_all(&self.pool)
        .await?;
        for (source, category, dim, shares) in mapping {
            data.mapping.push(MappingRow {
                source: Source::parse(&source).ok_or_else(|| corrupt("source", &source))?,
                category,
                dimension: dimension(&dim)?,
                shares: Shares::from_code_string(&shares).map_err(|_| corrupt("shares", &shares))?,
            });
        }
        let publications: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT field, country, year, papers FROM evidence_publications WHERE fiscal_year = $1 ORDER BY field, country, year",
        )
        .bind(fiscal_year)
        .fetch_all(&self.pool)
        .await?;
        for (field, country, year, papers) in publications {
            let count = u64::try_from(papers).map_err(|_| corrupt("papers", &papers.to_string()))?;
            data.publications.push(PublicationRow { field, country, year, count });
        }
        let survey: Vec<(String, String, String, String, i64)> = sqlx::query_as(
            "SELECT dimension, area, question, score, respondents FROM evidence_survey WHERE fiscal_year = $1 ORDER BY dimension, area, question",
        )
        .bind(fiscal_year)
        .fetch_all(&self.pool)
        .await?;
        for (dim, area, question, score, respondents) in survey {
            data.survey.push(SurveyRow {
                dimension: dimension(&dim)?,
                area,
                question,
                score: decimal(&score)?,
                respondents: u32::try_from(respondents)
                    .map_err(|_| corrupt("respondents", &respondents.to_string()))?,
            });
        }
        let rates: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT currency, year, yen_per_unit FROM evidence_rates WHERE fiscal_year = $1 ORDER BY currency, year",
        )
        .bind(fiscal_year)
        .fetch_all(&self.pool)
        .await?;
        for (currency, year, rate) in rates {
            data.rates.push(Rate { currency, year, yen_per_unit: decimal(&rate)? });
        }
        Ok(data)
    }

    /// The citations of a year's policy, by item and area.
    pub async fn citations(&self, fiscal_year: i64) -> Result<Vec<CitationRow>> {
        Ok(sqlx::query_as(
            "SELECT fiscal_year, item_id, dimension, area, evidence_year, cited_rank, basis, cited_by, cited_at FROM policy_citations WHERE fiscal_year = $1 ORDER BY item_id, dimension, area",
        )
        .bind(fiscal_year)
        .fetch_all(&self.pool)
        .await?)
    }
}

impl Tx {
    /// Replaces a year's table with `rows` and records where they came from; returns the
    /// source row replaced, if any.
    pub async fn replace_evidence(
        &mut self,
        set: &EvidenceSetRow,
        rows: &EvidenceRows,
    ) -> Result<Option<EvidenceSetRow>> {
        let fy = set.fiscal_year;
        let before: Option<EvidenceSetRow> = sqlx::query_as(
            "SELECT fiscal_year, table_name, source, as_of, licence, file, sha256, row_count, imported_by, imported_at FROM evidence_sets WHERE fiscal_year = $1 AND table_name = $2",
        )
        .bind(fy)
        .bind(set.table_name.clone())
        .fetch_optional(&mut *self.tx)
        .await?;
        let table = TABLES.iter().find(|(t, _)| t.name() == set.table_name).map(|(_, n)| *n);
        let table = table.ok_or_else(|| corrupt("evidence table", &set.table_name))?;
        // The name comes from the fixed list above, never from input.
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE fiscal_year = $1")))
            .bind(fy)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM evidence_sets WHERE fiscal_year = $1 AND table_name = $2")
            .bind(fy)
            .bind(set.table_name.clone())
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT INTO evidence_sets (fiscal_year, table_name, source, as_of, licence, file, sha256, row_count, imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(fy)
        .bind(set.table_name.clone())
        .bind(set.source.clone())
        .bind(set.as_of.clone())
        .bind(set.licence.clone())
        .bind(set.file.clone())
        .bind(set.sha256.clone())
        .bind(set.row_count)
        .bind(set.imported_by.clone())
        .bind(set.imported_at.clone())
        .execute(&mut *self.tx)
        .await?;
        match rows {
            EvidenceRows::Funding(rows) => {
                for r in rows {
                    sqlx::query("INSERT INTO evidence_funding (fiscal_year, funder, category, year, amount, currency) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(fy).bind(r.funder.clone()).bind(r.category.clone()).bind(r.year).bind(r.amount.to_string()).bind(r.currency.clone())
                        .execute(&mut *self.tx).await?;
                }
            }
            EvidenceRows::Mapping(rows) => {
                for r in rows {
                    sqlx::query("INSERT INTO evidence_mapping (fiscal_year, source, category, dimension, shares) VALUES ($1, $2, $3, $4, $5)")
                        .bind(fy).bind(r.source.name()).bind(r.category.clone()).bind(r.dimension.name()).bind(r.shares.to_code_string())
                        .execute(&mut *self.tx).await?;
                }
            }
            EvidenceRows::Publications(rows) => {
                for r in rows {
                    sqlx::query("INSERT INTO evidence_publications (fiscal_year, field, country, year, papers) VALUES ($1, $2, $3, $4, $5)")
                        .bind(fy).bind(r.field.clone()).bind(r.country.clone()).bind(r.year).bind(r.count as i64)
                        .execute(&mut *self.tx).await?;
                }
            }
            EvidenceRows::Survey(rows) => {
                for r in rows {
                    sqlx::query("INSERT INTO evidence_survey (fiscal_year, dimension, area, question, score, respondents) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(fy).bind(r.dimension.name()).bind(r.area.clone()).bind(r.question.clone()).bind(r.score.to_string()).bind(i64::from(r.respondents))
                        .execute(&mut *self.tx).await?;
                }
            }
            EvidenceRows::Rates(rows) => {
                for r in rows {
                    sqlx::query("INSERT INTO evidence_rates (fiscal_year, currency, year, yen_per_unit) VALUES ($1, $2, $3, $4)")
                        .bind(fy).bind(r.currency.clone()).bind(r.year).bind(r.yen_per_unit.to_string())
                        .execute(&mut *self.tx).await?;
                }
            }
        }
        Ok(before)
    }

    /// Stores a citation, replacing the same item's citation of the same area, if the year's
    /// policy is still a draft (checked in the same statements, so a decision that lands first
    /// wins); whether it was stored.
    pub async fn put_citation(&mut self, c: &CitationRow) -> Result<bool> {
        if !self.delete_citation(c.fiscal_year, &c.item_id, &c.dimension, &c.area).await?.0 {
            return Ok(false);
        }
        let done = sqlx::query(
            "INSERT INTO policy_citations (fiscal_year, item_id, dimension, area, evidence_year, cited_rank, basis, cited_by, cited_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM policies WHERE fiscal_year = $1 AND status = 'draft')",
        )
        .bind(c.fiscal_year)
        .bind(c.item_id.clone())
        .bind(c.dimension.clone())
        .bind(c.area.clone())
        .bind(c.evidence_year)
        .bind(c.cited_rank)
        .bind(c.basis.clone())
        .bind(c.cited_by.clone())
        .bind(c.cited_at.clone())
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a citation if the year's policy is still a draft: (whether the policy is a
    /// draft, whether a citation was removed).
    pub async fn delete_citation(
        &mut self,
        fiscal_year: i64,
        item_id: &str,
        dimension: &str,
        area: &str,
    ) -> Result<(bool, bool)> {
        let draft: Option<(String,)> = sqlx::query_as("SELECT status FROM policies WHERE fiscal_year = $1")
            .bind(fiscal_year)
            .fetch_optional(&mut *self.tx)
            .await?;
        if draft.is_none_or(|d| d.0 != "draft") {
            return Ok((false, false));
        }
        let done = sqlx::query(
            "DELETE FROM policy_citations WHERE fiscal_year = $1 AND item_id = $2 AND dimension = $3 AND area = $4 AND EXISTS (SELECT 1 FROM policies WHERE fiscal_year = $1 AND status = 'draft')",
        )
        .bind(fiscal_year)
        .bind(item_id.to_string())
        .bind(dimension.to_string())
        .bind(area.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok((true, done.rows_affected() > 0))
    }
}
