//! haibun's use cases. The CLI and the web call these and nothing below them: every use case
//! checks who may do it, runs in one transaction, and appends one audit event.

mod actor;
mod auth;
mod backup;
mod book;
mod classify;
mod cycle;
mod db_copy;
pub mod demo;
mod demo_evidence;
mod demo_fund;
mod demo_pdca;
pub mod demo_planted;
mod error;
mod evidence;
mod evidence_book;
mod followup;
mod fund;
mod intake;
mod lines;
mod memo;
mod next_year;
mod opendata;
pub mod ops;
mod pdca;
mod policy_draft;
mod review;
mod rs;
mod rs_kpi;
mod settlement;
mod status;
mod year;

use haibun_store::{OpenMode, Store};

pub use actor::Actor;
pub use auth::{MAX_FAILED_PER_ADDRESS, Session, SignedIn};
pub use backup::CopyReport;
pub use book::PriorImportReport;
pub use classify::{LineSuggestions, PendingSuggestions, YearClassification};
pub use cycle::{HearingInput, InstructionInput, PackageState};
pub use db_copy::{DbCopyReport, masked as masked_url};
pub use demo_evidence::{DEMO_EVIDENCE, DEMO_SOURCE};
pub use error::{ServiceError, ServiceResult};
pub use evidence::{EvidenceImport, EvidenceSource, EvidenceView};
pub use evidence_book::{shown as evidence_shown, shown_f as evidence_shown_f};
pub use followup::FollowupView;
pub use fund::{
    ExecutionPlan, FundState, MAX_ATTACHMENT, PlanChange, ProposalInput, RoundDetail, RoundStatus, plan_digest,
};
pub use haibun_store::CopyProgress;
pub use haibun_store::{CitationRow, EvidenceSetRow};
pub use intake::{ImportProgress, ImportReport, ImportRequest, ImportStep, Parsed, parse_file as parse_request_file};
pub use lines::LinePatch;
pub use next_year::OpenYearReport;
pub use pdca::{ActualView, KpiInput, KpiView, MeasureInput, MeasureView};
pub use review::{OverlapView, YearReview};
pub use rs::RsBudgetReport;
pub use rs_kpi::RsKpiReport;
pub use status::{PackageStatus, YearStatus};
pub use year::{AuditReport, ExportFormat, InitReport};

pub use haibun_domain as domain;
pub use haibun_sheets::Limits;
pub use haibun_sheets::opendata::{Licence, OpenFile};
pub use haibun_store::GENESIS_HASH;
pub use haibun_store::{
    ActualRow, AllocationRow, AnswerRow, AttachmentRow, AuditEvent, Backend, CalendarRow, ChainBreak, EvaluationRow,
    FollowupRoundRow, HearingRow, InstructionRow, KpiLinkRow, KpiRow, KpiTargetRow, LineActionRow, LineMeasureRow,
    MeasureRow, OutcomeRow, OverlapDecisionRow, ProposalRow, ResponseRow, RoundRow, RsBudgetRecord, SnapshotRow,
    StoredLine, UserRow,
};
pub use opendata::OpenData;

/// The entry point to every use case, over one database.
#[derive(Debug, Clone)]
pub struct Service {
    store: Store,
    memo: std::sync::Arc<memo::Memo>,
    limits: haibun_sheets::Limits,
    licence: std::sync::Arc<Licence>,
}

impl Service {
    /// Opens the database named by `--db` (a path or URL). `create` allows creating a new SQLite file.
    pub async fn open(db: &str, create: bool) -> ServiceResult<Service> {
        let store = Store::open(db, if create { OpenMode::Create } else { OpenMode::Existing }).await?;
        Ok(Service { store, memo: Default::default(), limits: Default::default(), licence: Default::default() })
    }

    /// The same service with other limits on the files it reads.
    pub fn with_limits(self, limits: haibun_sheets::Limits) -> Service {
        Service { limits, ..self }
    }

    /// The same service publishing open data under another licence and publisher.
    pub fn with_licence(self, licence: Licence) -> Service {
        Service { licence: std::sync::Arc::new(licence), ..self }
    }

    /// The licence and publisher open data is published under.
    pub fn licence(&self) -> &Licence {
        &self.licence
    }

    /// The limits on the files this service reads.
    pub fn limits(&self) -> &haibun_sheets::Limits {
        &self.limits
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// Closes the database cleanly.
    pub async fn close(&self) {
        self.store.close().await;
    }
}

/// Today's date (UTC), YYYY-MM-DD.
pub fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A document of tables, ready to write as a workbook or a printable page.
#[derive(Debug, Clone)]
pub struct Printable {
    /// The title.
    pub title: String,
    /// The cover's lines.
    pub cover: Vec<(String, String)>,
    /// The tables.
    pub tables: Vec<haibun_domain::book::Table>,
    /// The unit of the amounts.
    pub unit: haibun_domain::book::ReportUnit,
    /// The footer.
    pub footer: String,
}

impl Printable {
    /// The document, borrowed for a writer.
    pub fn document(&self) -> haibun_sheets::book::Document<'_> {
        haibun_sheets::book::Document {
            title: &self.title,
            cover: &self.cover,
            tables: &self.tables,
            unit: self.unit,
            footer: &self.footer,
        }
    }
}

/// The current time as RFC 3339 UTC, the one clock every record uses.
pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("formatting the current time")
}
