//! Evidence to priorities (§4): HQ imports a year's evidence tables; HQ and the Cabinet Office
//! see every area's indicators and the ranked candidate priority areas; a draft policy's priority
//! items cite the candidates they rest on, with the evidence as it stood when cited.

use haibun_domain::FiscalYear;
use haibun_domain::evidence::report::{self, AreaMoney, Dimension, EvidenceReport, Inputs, Table};
use haibun_domain::policy::{Kind, Policy};
use haibun_domain::problem::ProblemCode;
use haibun_domain::workflow::YearAction;
use haibun_sheets::evidence::read_evidence;
use haibun_store::{CitationRow, EvidenceSetRow};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cycle::{check_date, check_text, event, invalid_arg};
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// Where an imported table came from: all three are required.
#[derive(Debug, Clone, Default)]
pub struct EvidenceSource {
    /// 出典: who published the figures.
    pub source: String,
    /// 時点: the date they are as of (YYYY-MM-DD).
    pub as_of: String,
    /// 利用条件: the licence or use note.
    pub licence: String,
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EvidenceImport {
    /// The table.
    pub table: String,
    /// Rows stored.
    pub rows: usize,
    /// The source row replaced, if the year held the table already.
    pub replaced: Option<EvidenceSetRow>,
}

/// A year's evidence: the tables' sources and the report computed from them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EvidenceView {
    /// The year.
    pub fiscal_year: i64,
    /// The tables held, with their sources.
    pub sets: Vec<EvidenceSetRow>,
    /// The tables the year does not hold yet.
    pub missing: Vec<&'static str>,
    /// The indicators and candidates.
    pub report: EvidenceReport,
}

/// The longest file name stored with a table.
const MAX_FILE_NAME_CHARS: usize = 255;

/// The source, date and licence checked as every free text and date is; trimmed.
fn checked_source(s: &EvidenceSource, file_name: &str) -> ServiceResult<EvidenceSource> {
    if file_name.chars().count() > MAX_FILE_NAME_CHARS || haibun_domain::text::has_control_chars(file_name) {
        return Err(invalid_arg(
            "file",
            format!("ファイル名が長すぎるか制御文字を含みます（上限 {MAX_FILE_NAME_CHARS} 字）"),
            format!("the file name is too long or holds control characters (at most {MAX_FILE_NAME_CHARS})"),
        ));
    }
    Ok(EvidenceSource {
        source: check_text("--source", &s.source, true)?,
        as_of: check_date("--as-of", &s.as_of)?,
        licence: check_text("--licence", &s.licence, true)?,
    })
}

fn decided(fy: FiscalYear) -> ServiceError {
    ServiceError::Conflict(format!(
        "{} の方針は決定済みで引用を変更できません / the {fy} policy is decided; its citations cannot change",
        fy.era_label()
    ))
}

impl Service {
    /// Imports one evidence table for a year (HQ), replacing the one held: every row, or
    /// nothing if any row is wrong (each problem located by row and column).
    pub async fn import_evidence(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        table: Table,
        source: &EvidenceSource,
        file_name: &str,
        bytes: &[u8],
    ) -> ServiceResult<EvidenceImport> {
        actor.check_year(YearAction::ImportEvidence)?;
        let policy = self.policy(fy).await?;
        let source = checked_source(source, file_name)?;
        let rows = read_evidence(table, bytes, file_name, &policy, &self.limits).map_err(ServiceError::Invalid)?;
        let set = EvidenceSetRow {
            fiscal_year: fy.year(),
            table_name: table.name().into(),
            source: source.source,
            as_of: source.as_of,
            licence: source.licence,
            file: file_name.into(),
            sha256: hex::encode(Sha256::digest(bytes)),
            row_count: rows.len() as i64,
            imported_by: actor.name.clone(),
            imported_at: now(),
        };
        let mut tx = self.store.begin().await?;
        let replaced = tx.replace_evidence(&set, &rows).await?;
        tx.append_event(&event(
            actor,
            "evidence.import",
            format!("FY{}/evidence/{}", fy.year(), table.name()),
            Some(fy),
            replaced.as_ref().map(|r| json!({"sha256": r.sha256, "rows": r.row_count, "source": r.source})),
            Some(json!({"sha256": set.sha256, "rows": set.row_count, "source": set.source, "as_of": set.as_of, "licence": set.licence, "file": file_name})),
        ))
        .await?;
        tx.commit().await?;
        Ok(EvidenceImport { table: table.name().into(), rows: rows.len(), replaced })
    }

    /// A year's evidence report (Cabinet Office, HQ): every disease area's and project's
    /// indicators with their inputs, and the ranked candidates, by the weights of the year's policy.
    pub async fn evidence_report(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<EvidenceView> {
        actor.check_year(YearAction::ViewEvidence)?;
        let policy = self.policy(fy).await?;
        let rules = policy.evidence.clone().ok_or_else(|| {
            invalid_arg(
                "evidence",
                format!("{} の方針に [evidence]（指標と重み）がありません", fy.era_label()),
                format!("the {fy} policy has no [evidence] section (indicators and weights)"),
            )
        })?;
        let compiled = self.compile(actor, fy).await?;
        let money = |dimension: Dimension, kind: Kind, rows: &[haibun_domain::compile::KeyRow]| {
            policy
                .entries(kind)
                .into_iter()
                .map(|e| {
                    let a = rows.iter().find(|r| r.key == e.code).map(|r| r.amounts).unwrap_or_default();
                    AreaMoney {
                        dimension,
                        area: e.code.into(),
                        name_ja: e.label_ja.into(),
                        name_en: e.label_en.into(),
                        request: a.request,
                        prior: a.prior_year,
                    }
                })
                .collect::<Vec<_>>()
        };
        let mut areas = money(Dimension::DiseaseArea, Kind::DiseaseArea, &compiled.by_disease_area);
        areas.extend(money(Dimension::Project, Kind::Project, &compiled.by_project));
        let data = self.store.evidence(fy.year()).await?;
        let report = report::build(Inputs {
            rules: &rules,
            areas: &areas,
            funding: &data.funding,
            mapping: &data.mapping,
            publications: &data.publications,
            survey: &data.survey,
            rates: &data.rates,
        })
        .map_err(|e| ServiceError::invalid(ProblemCode::InvalidArgument, "rates", e.to_string(), e.to_string()))?;
        let sets = self.store.evidence_sets(fy.year()).await?;
        let missing =
            Table::ALL.iter().map(|t| t.name()).filter(|t| !sets.iter().any(|s| s.table_name == *t)).collect();
        Ok(EvidenceView { fiscal_year: fy.year(), sets, missing, report })
    }

    /// The evidence a year's policy cites, by priority item (Cabinet Office, HQ).
    pub async fn policy_citations(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<Vec<CitationRow>> {
        actor.check_year(YearAction::ViewEvidence)?;
        self.policy(fy).await?;
        Ok(self.store.citations(fy.year()).await?)
    }

    /// Makes a draft policy's priority item cite a candidate area of the year's evidence (HQ):
    /// the candidate's rank, index and evidence are stored with the citation as they are now.
    pub async fn cite_evidence(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        item_id: &str,
        area: &str,
    ) -> ServiceResult<CitationRow> {
        actor.check_year(YearAction::DraftPolicy)?;
        let (policy, item) = self.draft_item(fy, item_id).await?;
        let view = self.evidence_report(actor, fy).await?;
        let code = [Kind::DiseaseArea, Kind::Project].iter().find_map(|k| policy.resolve(*k, area));
        let candidate = view.report.candidates.iter().find(|c| Some(&c.area) == code.as_ref()).ok_or_else(|| {
            invalid_arg(
                "--area",
                format!("「{area}」は候補領域（疾患領域・統合プロジェクト）にありません"),
                format!("\"{area}\" is not a candidate area (disease area or integrated project)"),
            )
        })?;
        let evidence = view
            .report
            .areas
            .iter()
            .find(|a| a.money.area == candidate.area && a.money.dimension == candidate.dimension);
        let row = CitationRow {
            fiscal_year: fy.year(),
            item_id: item,
            dimension: candidate.dimension.name().into(),
            area: candidate.area.clone(),
            evidence_year: fy.year(),
            cited_rank: candidate.rank as i64,
            basis: json!({"candidate": candidate, "evidence": evidence, "weights": view.report.weights, "sources": view.sets})
                .to_string(),
            cited_by: actor.name.clone(),
            cited_at: now(),
        };
        let mut tx = self.store.begin().await?;
        if !tx.put_citation(&row).await? {
            return Err(decided(fy));
        }
        tx.append_event(&event(
            actor,
            "policy.cite",
            format!("FY{}/policy/{}", fy.year(), row.item_id),
            Some(fy),
            None,
            Some(
                json!({"dimension": row.dimension, "area": row.area, "rank": row.cited_rank, "index": candidate.index}),
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Withdraws a citation from a draft policy's priority item (HQ); returns the item's id as
    /// the policy writes it.
    pub async fn uncite_evidence(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        item_id: &str,
        area: &str,
    ) -> ServiceResult<String> {
        actor.check_year(YearAction::DraftPolicy)?;
        let (policy, item) = self.draft_item(fy, item_id).await?;
        let found = [(Kind::DiseaseArea, Dimension::DiseaseArea), (Kind::Project, Dimension::Project)]
            .iter()
            .find_map(|(k, d)| policy.resolve(*k, area).map(|c| (*d, c)));
        let mut tx = self.store.begin().await?;
        let removed = match &found {
            Some((d, code)) => match tx.delete_citation(fy.year(), &item, d.name(), code).await? {
                (false, _) => return Err(decided(fy)),
                (true, removed) => removed,
            },
            None => false,
        };
        if !removed {
            return Err(invalid_arg(
                "--area",
                format!("{item} は「{area}」を引用していません"),
                format!("{item} does not cite \"{area}\""),
            ));
        }
        let (d, code) = found.expect("removed implies found");
        tx.append_event(&event(
            actor,
            "policy.uncite",
            format!("FY{}/policy/{item}", fy.year()),
            Some(fy),
            Some(json!({"dimension": d.name(), "area": code})),
            None,
        ))
        .await?;
        tx.commit().await?;
        Ok(item)
    }

    /// A draft policy and one of its priority items' id, or why not.
    async fn draft_item(&self, fy: FiscalYear, item_id: &str) -> ServiceResult<(std::sync::Arc<Policy>, String)> {
        let (status, _) = self.policy_status(fy).await?;
        if status != "draft" {
            return Err(decided(fy));
        }
        let policy = self.policy(fy).await?;
        let item = policy.priority_item(item_id).map(|i| i.id.clone()).ok_or_else(|| {
            invalid_arg(
                "--item",
                format!("重点項目「{item_id}」は {} の方針にありません", fy.era_label()),
                format!("the priority item \"{item_id}\" is not in the {fy} policy"),
            )
        })?;
        Ok((policy, item))
    }
}
