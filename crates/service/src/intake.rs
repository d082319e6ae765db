//! Importing a ministry's filled workbook or CSV: all problems or nothing written.

use std::collections::HashMap;

use haibun_domain::line::{RowContext, parse_row};
use haibun_domain::policy::Kind;
use haibun_domain::problem::{Location, Problem, ProblemCode};
use haibun_domain::workflow::Action;
use haibun_domain::{FiscalYear, Unit};
use haibun_store::LineChange;
use sha2::{Digest, Sha256};

use crate::cycle::event;
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// An import: which file, for which year and ministry, in which unit.
#[derive(Debug, Clone)]
pub struct ImportRequest<'a> {
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// The ministry, as a code or name.
    pub ministry: &'a str,
    /// The file name as the user gave it (for messages).
    pub file_name: &'a str,
    /// The file's bytes.
    pub bytes: &'a [u8],
    /// The unit given on the command line, if any.
    pub unit: Option<Unit>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// The file.
    pub file: String,
    /// The sheet read, for workbooks.
    pub sheet: Option<String>,
    /// The ministry code.
    pub ministry: String,
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// The unit amounts were read in.
    pub unit: Unit,
    /// Rows read.
    pub rows: usize,
    /// New lines.
    pub inserted: usize,
    /// Lines replaced by a new version.
    pub updated: usize,
    /// Lines already stored exactly so.
    pub unchanged: usize,
    /// SHA-256 of the file, as recorded in the audit trail.
    pub sha256: String,
}

impl Service {
    /// Reads, checks and stores a file of request lines in one transaction. On any problem,
    /// every problem is returned and nothing is written.
    pub async fn import(&self, actor: &Actor, req: ImportRequest<'_>) -> ServiceResult<ImportReport> {
        self.import_with_progress(actor, req, |_| {}).await
    }

    /// [`Service::import`], telling `progress` as each step begins (reading, storing, committing).
    pub async fn import_with_progress(
        &self,
        actor: &Actor,
        req: ImportRequest<'_>,
        mut progress: impl FnMut(ImportProgress),
    ) -> ServiceResult<ImportReport> {
        let policy = self.policy(req.fiscal_year).await?;
        let ministry = Self::ministry_code(&policy, req.ministry)?;
        actor.check_package(Action::EditLines, &ministry)?;
        progress(ImportProgress { step: ImportStep::Reading, done: 0, total: 0 });
        let started = std::time::Instant::now();
        let Parsed { sheet, unit, lines } = parse_file(&policy, &ministry, &req, &self.limits)?;
        let total = lines.len() as u64;
        tracing::debug!(lines = total, ms = started.elapsed().as_millis() as u64, "import: read and checked");

        let sha256 = hex::encode(Sha256::digest(req.bytes));
        let at = now();
        let mut tx = self.store.begin().await?;
        self.apply(&mut tx, actor, req.fiscal_year, &ministry, Action::EditLines, None).await?;
        let (mut inserted, mut updated, mut unchanged) = (Vec::new(), Vec::new(), 0usize);
        progress(ImportProgress { step: ImportStep::Storing, done: 0, total });
        let changes = tx.save_lines(&lines, &actor.name, &at).await?;
        for (line, change) in lines.iter().zip(changes) {
            match change {
                LineChange::Inserted => inserted.push(line.line_id.to_string()),
                LineChange::Updated { from } => {
                    updated.push(serde_json::json!({"line_id": line.line_id, "from_version": from}))
                }
                LineChange::Unchanged => unchanged += 1,
            }
        }
        tracing::debug!(ms = started.elapsed().as_millis() as u64, "import: stored");
        progress(ImportProgress { step: ImportStep::Committing, done: total, total });
        crate::cycle::check_year_total(&mut tx, req.fiscal_year, Location::file(req.file_name)).await?;
        let after = serde_json::json!({"file": req.file_name, "sha256": sha256, "sheet": sheet, "unit": unit.name(), "rows": lines.len(), "inserted": inserted, "updated": updated, "unchanged": unchanged});
        tx.append_event(&event(
            actor,
            "lines.import",
            format!("FY{}/{ministry}", req.fiscal_year.year()),
            Some(req.fiscal_year),
            None,
            Some(after),
        ))
        .await?;
        tx.commit().await?;
        tracing::debug!(ms = started.elapsed().as_millis() as u64, "import: committed");
        Ok(ImportReport {
            file: req.file_name.to_string(),
            sheet,
            ministry,
            fiscal_year: req.fiscal_year,
            unit,
            rows: lines.len(),
            inserted: inserted.len(),
            updated: updated.len(),
            unchanged,
            sha256,
        })
    }
}

/// A step of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStep {
    /// Reading the file and checking every row.
    Reading,
    /// Storing the lines.
    Storing,
    /// Checking the year's totals and committing.
    Committing,
}

impl ImportStep {
    /// The step's name, in Japanese and English.
    pub fn label(self) -> &'static str {
        match self {
            ImportStep::Reading => "読込・検証 / reading",
            ImportStep::Storing => "保存 / storing",
            ImportStep::Committing => "確定 / committing",
        }
    }
}

/// How far an import has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProgress {
    /// The step.
    pub step: ImportStep,
    /// Lines stored so far.
    pub done: u64,
    /// Lines to store (0 while reading).
    pub total: u64,
}

/// A file's lines, read and checked.
#[derive(Debug)]
pub struct Parsed {
    /// The sheet read, for workbooks.
    pub sheet: Option<String>,
    /// The unit amounts were read in.
    pub unit: Unit,
    /// The lines.
    pub lines: Vec<haibun_domain::RequestLine>,
}

/// Reads a file of lines in the template's layout for one ministry and checks every row, the
/// stated units and the sheet's ministry. Every problem is returned, or the lines. Nothing is
/// stored: the import, the hostile-file tests and the fuzzer all read files through this.
pub fn parse_file(
    policy: &haibun_domain::Policy,
    ministry: &str,
    req: &ImportRequest<'_>,
    limits: &haibun_sheets::Limits,
) -> ServiceResult<Parsed> {
    let intake = haibun_sheets::read_intake(req.bytes, req.file_name, limits).map_err(ServiceError::Invalid)?;
    let mut problems = Vec::new();

    // Every unit the file states (the 単位 cell, notes in amount headers) and --unit must agree.
    let mut stated: Vec<(Unit, &Location, String)> = Vec::new();
    for (text, loc) in intake.unit_cell.iter().chain(&intake.header_units) {
        match text.parse::<Unit>() {
            Ok(u) => stated.push((u, loc, text.clone())),
            Err(_) => problems.push(Problem::new(
                ProblemCode::UnitConflict,
                loc.clone(),
                format!("単位「{text}」は 円・千円・百万円 のいずれかにしてください"),
                format!("unit \"{text}\" must be 円, 千円 or 百万円"),
            )),
        }
    }
    let unit = req.unit.or_else(|| stated.first().map(|s| s.0)).unwrap_or(Unit::ThousandYen);
    for (u, loc, text) in &stated {
        if *u != unit {
            let source = if req.unit.is_some() { "--unit" } else { "最初の単位 / the first unit" };
            problems.push(Problem::new(
                ProblemCode::UnitConflict,
                (*loc).clone(),
                format!("単位「{text}」が {source}（{}）と異なります", unit.label_ja()),
                format!("unit \"{text}\" differs from {source} ({})", unit.name()),
            ));
        }
    }
    if let Some((text, loc)) = &intake.ministry_cell {
        match policy.resolve(Kind::Ministry, text) {
            Some(code) if code == ministry => {}
            Some(code) => problems.push(Problem::new(
                ProblemCode::MinistryConflict,
                loc.clone(),
                format!("シートの府省（{text}）が取り込み先（{ministry}）と異なります"),
                format!("the sheet's ministry ({code}) differs from the one importing ({ministry})"),
            )),
            None => problems.push(Problem::new(
                ProblemCode::UnknownCode,
                loc.clone(),
                format!("府省「{text}」は方針にありません"),
                format!("unknown ministry \"{text}\""),
            )),
        }
    }
    if intake.rows.is_empty() {
        problems.push(Problem::new(
            ProblemCode::NoData,
            Location { sheet: intake.sheet.clone(), ..Location::file(req.file_name) },
            "要求行が一行もありません",
            "the file holds no request lines",
        ));
    }

    let ctx = RowContext { policy, fiscal_year: req.fiscal_year, ministry, unit };
    let mut lines = Vec::with_capacity(intake.rows.len());
    let mut first_row: HashMap<String, u32> = HashMap::new();
    for row in &intake.rows {
        match parse_row(&row.cells, &row.location, ctx) {
            Ok(line) => {
                let r = row.location.row.unwrap_or(0);
                if let Some(first) = first_row.insert(line.line_id.to_string(), r) {
                    first_row.insert(line.line_id.to_string(), first);
                    let loc = row
                        .cells
                        .iter()
                        .find(|c| c.field == haibun_domain::line::Field::LineId)
                        .map_or_else(|| row.location.clone(), |c| c.location.clone());
                    problems.push(Problem::new(
                        ProblemCode::DuplicateLineId,
                        loc,
                        format!("事業番号 {} は {first} 行目にもあります", line.line_id),
                        format!("line id {} also appears in row {first}", line.line_id),
                    ));
                } else {
                    lines.push(line);
                }
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.location.row.unwrap_or(0));
        return Err(ServiceError::Invalid(haibun_domain::problem::cap(problems)));
    }
    Ok(Parsed { sheet: intake.sheet, unit, lines })
}
