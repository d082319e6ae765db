//! The demo's evidence tables (illustrative, fictional figures; see `demo-evidence/README.md`),
//! imported by HQ through the same import a user runs.

use haibun_domain::FiscalYear;
use haibun_domain::evidence::report::Table;

use crate::{EvidenceSource, Service, ServiceResult};

/// The demo's tables, in the order they are imported (rates before the money they convert).
pub const DEMO_EVIDENCE: [(Table, &str, &str); 5] = [
    (Table::Rates, "rates.csv", include_str!("../demo-evidence/rates.csv")),
    (Table::Funding, "funding.csv", include_str!("../demo-evidence/funding.csv")),
    (Table::Mapping, "mapping.csv", include_str!("../demo-evidence/mapping.csv")),
    (Table::Publications, "publications.csv", include_str!("../demo-evidence/publications.csv")),
    (Table::Survey, "survey.csv", include_str!("../demo-evidence/survey.csv")),
];

/// The source note every demo table carries.
pub const DEMO_SOURCE: &str =
    "例示・架空のデータ（公表値ではありません）/ illustrative, fictional figures (not published data)";

impl Service {
    /// Imports the demo's evidence for `fy` as HQ; returns a line for the demo's summary.
    pub(crate) async fn load_demo_evidence(&self, fy: FiscalYear, today: &str) -> ServiceResult<String> {
        let hq = self.actor(Some("hq-kobayashi")).await?;
        let source = EvidenceSource {
            source: DEMO_SOURCE.into(),
            as_of: today.into(),
            licence: "haibun のデモ用。引用不可 / for the haibun demo only; not to be quoted".into(),
        };
        let mut rows = 0;
        for (table, file, text) in DEMO_EVIDENCE {
            rows += self.import_evidence(&hq, fy, table, &source, file, text.as_bytes()).await?.rows;
        }
        Ok(format!("エビデンス（例示）/ illustrative evidence {rows} 行/rows"))
    }
}
