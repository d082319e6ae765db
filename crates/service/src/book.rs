//! The budget book of any stage, and the prior year's settled budget it is compared against.

use haibun_domain::book::{Book, BookMeta, PriorLine, ReportUnit, SnapshotRef};
use haibun_domain::money::YEAR_MAX;
use haibun_domain::workflow::YearAction;
use haibun_domain::{FiscalYear, Stage, Yen};
use haibun_store::{PriorImport, PriorSourceRow};
use sha2::{Digest, Sha256};

use crate::cycle::event;
use crate::intake::{ImportRequest, Parsed, parse_file};
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// What a prior-year import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PriorImportReport {
    /// The file.
    pub file: String,
    /// The ministry code.
    pub ministry: String,
    /// The year that holds the prior budget.
    pub fiscal_year: FiscalYear,
    /// Lines now held for the ministry.
    pub lines: usize,
    /// Lines replaced (held before this import).
    pub replaced: u64,
    /// Their total, in yen.
    pub total: Yen,
    /// SHA-256 of the file.
    pub sha256: String,
}

impl Service {
    /// Holds a ministry's prior-year settled budget (前年度予算) for `req.fiscal_year`, read from a
    /// file in the request template's layout whose 要求額 column holds the settled amounts. The
    /// ministry's previously held lines are replaced in one transaction; on any problem nothing is
    /// written.
    pub async fn import_prior(&self, actor: &Actor, req: ImportRequest<'_>) -> ServiceResult<PriorImportReport> {
        actor.check_year(YearAction::ImportPriorBudget)?;
        let policy = self.policy(req.fiscal_year).await?;
        let ministry = Self::ministry_code(&policy, req.ministry)?;
        let Parsed { sheet, unit, lines } = parse_file(&policy, &ministry, &req, &self.limits)?;
        let prior: Vec<PriorLine> = lines
            .into_iter()
            .map(|l| PriorLine {
                ministry: l.ministry,
                line_id: l.line_id,
                name: l.name,
                channel: l.channel,
                project: l.project,
                disease_areas: l.disease_areas,
                purposes: l.purposes,
                amount: l.request,
            })
            .collect();
        let total = prior.iter().try_fold(0i64, |t, p| t.checked_add(p.amount.get())).filter(|t| *t <= YEAR_MAX.get());
        let Some(total) = total.map(Yen) else {
            return Err(ServiceError::Invalid(vec![haibun_domain::Problem::new(
                haibun_domain::ProblemCode::AmountTooLarge,
                haibun_domain::Location::file(req.file_name),
                format!("前年度予算の合計が上限（{}円）を超えます", YEAR_MAX.get()),
                format!("the prior-year total exceeds the limit ({} yen)", YEAR_MAX.get()),
            )]));
        };
        let sha256 = hex::encode(Sha256::digest(req.bytes));
        let at = now();
        let mut tx = self.store.begin().await?;
        let import = PriorImport { source_file: req.file_name, source_sha256: &sha256, at: &at, by: &actor.name };
        let replaced = tx.replace_prior_lines(req.fiscal_year, &ministry, &prior, import).await?;
        let after = serde_json::json!({"file": req.file_name, "sha256": sha256, "sheet": sheet, "unit": unit.name(), "lines": prior.len(), "total": total, "replaced": replaced});
        tx.append_event(&event(
            actor,
            "prior.import",
            format!("FY{}/prior/{ministry}", req.fiscal_year.year()),
            Some(req.fiscal_year),
            None,
            Some(after),
        ))
        .await?;
        tx.commit().await?;
        Ok(PriorImportReport {
            file: req.file_name.to_string(),
            ministry,
            fiscal_year: req.fiscal_year,
            lines: prior.len(),
            replaced,
            total,
            sha256,
        })
    }

    /// Which ministries' prior-year budgets are held, from which files.
    pub async fn prior_sources(&self, fy: FiscalYear) -> ServiceResult<Vec<PriorSourceRow>> {
        self.policy(fy).await?;
        Ok(self.store.prior_sources(fy).await?)
    }

    /// The budget book of a stage: the actor's current requests (a ministry user's book covers its
    /// own lines), a compiled snapshot (the latest, or `snapshot_id`), or the settled budget.
    pub async fn book(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        stage: Stage,
        snapshot_id: Option<i64>,
        unit: ReportUnit,
    ) -> ServiceResult<Book> {
        let policy = self.policy(fy).await?;
        let (snapshot, current) = match stage {
            Stage::Requested => {
                if snapshot_id.is_some() {
                    return Err(ServiceError::Invalid(vec![haibun_domain::Problem::new(
                        haibun_domain::ProblemCode::InvalidArgument,
                        haibun_domain::Location::field("--snapshot-id"),
                        "要求段階（requested）には取りまとめ番号を指定できません",
                        "--snapshot-id applies to the compiled and settled stages, not requested",
                    )]));
                }
                let lines = self.lines(actor, fy, None).await?;
                (None, lines.into_iter().map(|l| (l, None)).collect::<Vec<_>>())
            }
            Stage::Compiled | Stage::Settled => {
                let snap = self.snapshot_of(fy, snapshot_id).await?;
                if stage == Stage::Settled && snap.status != "settled" {
                    return Err(ServiceError::Conflict(format!(
                        "取りまとめ #{} はまだ査定が確定していません（状態: {}）/ compilation #{} is not settled yet (status: {})",
                        snap.id, snap.status, snap.id, snap.status
                    )));
                }
                let lines = self.store.snapshot_lines(snap.id).await?;
                let current = lines
                    .into_iter()
                    .map(|l| {
                        let settled = (stage == Stage::Settled).then(|| l.negotiated.unwrap_or(l.line.line.request));
                        (l.line.line, settled)
                    })
                    .collect::<Vec<_>>();
                (Some(SnapshotRef { id: snap.id, content_hash: snap.content_hash, status: snap.status }), current)
            }
        };
        let mut prior = self.store.prior_lines(fy).await?;
        let mut prior_held: Vec<String> = self.store.prior_sources(fy).await?.into_iter().map(|s| s.ministry).collect();
        if stage == Stage::Requested
            && let Some(scope) = actor.read_scope()
        {
            prior.retain(|p| p.ministry == scope);
            prior_held.retain(|m| m == scope);
        }
        let meta = BookMeta {
            fiscal_year: fy,
            stage,
            snapshot,
            generated_at: now(),
            generated_by: actor.name.clone(),
            unit,
            prior_held,
            audit_anchor: Some(self.store.audit_anchor().await?),
        };
        let mut book = haibun_domain::book::build(&policy, meta, &current, &prior);
        // The adjustment fund's allocations (追加配分) of the year, as far as the actor reads.
        let scope = actor.read_scope();
        let allocations: Vec<_> = self
            .store
            .fund_allocations(fy.year())
            .await?
            .into_iter()
            .filter(|a| scope.is_none_or(|m| a.ministry == m))
            .collect();
        if !allocations.is_empty() {
            let lines = self.store.lines(fy, scope).await?;
            let table = haibun_domain::book::allocations_table(&policy, &crate::fund::plan_lines(&lines, &allocations));
            book.tables.push(table);
        }
        Ok(book)
    }
}
