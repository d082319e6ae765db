//! Open data (オープンデータ): the settled budget as a Fiscal Data Package and as CSV for Excel,
//! under the deployment's licence, each publication recorded in the audit trail.

use haibun_domain::workflow::YearAction;
use haibun_domain::{FiscalYear, Yen};
use haibun_sheets::opendata::{OpenDataInput, OpenFile, OpenLine, package};
use haibun_store::NewEvent;
use std::collections::{BTreeSet, HashMap};

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cycle::event;
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// A year's settled budget as open data.
#[derive(Debug, Clone)]
pub struct OpenData {
    /// The settled compilation snapshot it is made from.
    pub snapshot_id: i64,
    /// Its title.
    pub title: String,
    /// Its files, `datapackage.json` first.
    pub files: Vec<OpenFile>,
}

impl OpenData {
    /// The whole package as one zip archive.
    pub fn zip(&self) -> Vec<u8> {
        haibun_sheets::opendata::zip(&self.files)
    }
}

impl Service {
    /// The settled budget of `fy` as open data: the latest compilation snapshot, which must be
    /// settled, with each line's settled amount and the adjustment fund's allocations to it.
    /// HQ's (and the administrator's) to publish; recorded in the audit trail with every file's
    /// SHA-256, so a published copy can be traced back to what it was made from.
    ///
    /// `deliver` is given the package inside the transaction that records it: what it returns
    /// is returned with the package, and if it fails nothing is recorded. (A caller writing files
    /// stages them there and puts them in place after this returns.)
    pub async fn open_data<T, E: From<ServiceError>>(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        deliver: impl FnOnce(&OpenData) -> Result<T, E>,
    ) -> Result<(OpenData, T), E> {
        let (data, record) = self.build_open_data(actor, fy).await?;
        let mut tx = self.store.begin().await.map_err(ServiceError::from)?;
        tx.append_event(&record).await.map_err(ServiceError::from)?;
        let delivered = deliver(&data)?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok((data, delivered))
    }

    /// The package and the audit event that records it.
    async fn build_open_data(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<(OpenData, NewEvent)> {
        actor.check_year(YearAction::PublishOpenData)?;
        let policy = self.policy(fy).await?;
        let snap = match self.store.snapshots(fy.year()).await?.pop() {
            Some(s) if s.status == "settled" => s,
            last => {
                let (ja, en) = last.map_or_else(
                    || ("取りまとめがまだありません".to_string(), "there is no compilation yet".to_string()),
                    |s| {
                        (
                            format!("取りまとめ #{} の状態: {}", s.id, s.status),
                            format!("compilation #{} is {}", s.id, s.status),
                        )
                    },
                );
                return Err(ServiceError::Conflict(format!(
                    "{} の予算はまだ確定していません（{ja}）。オープンデータは確定後に作れます / the {fy} budget is not settled yet ({en}); open data is made from the settled budget",
                    fy.era_label()
                )));
            }
        };
        let mut allocated: HashMap<(String, String), Vec<Yen>> = HashMap::new();
        for (m, id, yen) in self.store.adjustment_allocations(fy).await? {
            allocated.entry((m, id)).or_default().push(Yen(yen));
        }
        let lines: Vec<OpenLine> = self
            .store
            .snapshot_lines(snap.id)
            .await?
            .into_iter()
            .map(|l| {
                let line = l.line.line;
                let allocations =
                    allocated.remove(&(line.ministry.clone(), line.line_id.as_str().to_string())).unwrap_or_default();
                OpenLine { settled: l.negotiated.unwrap_or(line.request), allocations, line }
            })
            .collect();
        // Allocations to a line outside the settled budget would be lost from the totals: refuse.
        let missing: Vec<String> =
            allocated.keys().map(|(m, id)| format!("{m}/{id}")).collect::<BTreeSet<_>>().into_iter().collect();
        if !missing.is_empty() {
            let list = missing.join(", ");
            return Err(ServiceError::Conflict(format!(
                "調整費の配分先が確定予算にありません: {list} / adjustment-fund allocations to lines outside the settled budget: {list}"
            )));
        }
        let anchor = self.store.audit_anchor().await?;
        let created = now();
        let files = package(&OpenDataInput {
            policy: &policy,
            snapshot_id: snap.id,
            content_hash: &snap.content_hash,
            audit_anchor: &anchor,
            created: &created,
            licence: self.licence(),
            lines: &lines,
        });
        let digests: serde_json::Map<String, serde_json::Value> =
            files.iter().map(|f| (f.path.clone(), json!(hex::encode(Sha256::digest(&f.bytes))))).collect();
        let record = event(
            actor,
            "opendata.publish",
            format!("FY{}/snapshot/{}/opendata", fy.year(), snap.id),
            Some(fy),
            None,
            Some(
                json!({ "snapshot": snap.id, "licence": self.licence().name, "lines": lines.len(), "sha256": digests }),
            ),
        );
        Ok((OpenData { snapshot_id: snap.id, title: haibun_sheets::opendata::title(&policy), files }, record))
    }
}
