//! HQ compilation snapshots (§2(4)), the fiscal authority's negotiated amounts and settlement (§2(5)).

use haibun_domain::workflow::{Status, YearAction};
use haibun_domain::{Compilation, FiscalYear, LineId, Stage, Yen, compile, compile_settled};
use haibun_store::{SnapshotRow, StoredLine};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cycle::event;
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// SHA-256 of the canonical JSON of the frozen lines (with their versions), hex.
fn content_hash(lines: &[StoredLine]) -> String {
    let canonical: Vec<_> = lines.iter().map(|s| json!({"version": s.version, "line": s.line})).collect();
    hex::encode(Sha256::digest(serde_json::to_vec(&canonical).expect("lines serialise")))
}

impl Service {
    /// Freezes the HQ compilation: allowed only when every package with lines is consented or
    /// excluded. Excluded packages' lines are left out. Returns the snapshot's number.
    pub async fn compile_snapshot(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<i64> {
        actor.check_year(YearAction::CompileSnapshot)?;
        let packages = self.packages(actor, fy).await?;
        let waiting: Vec<String> = packages
            .iter()
            .filter(|p| !p.status.is_final())
            .map(|p| format!("{} ({})", p.ministry, p.status))
            .collect();
        if !waiting.is_empty() {
            let list = waiting.join(", ");
            return Err(ServiceError::Conflict(format!(
                "了解も除外もされていない府省があります: {list} / packages neither consented nor excluded: {list}"
            )));
        }
        let excluded: Vec<_> = packages
            .iter()
            .filter(|p| p.status == Status::Excluded)
            .map(|p| json!({"ministry": p.ministry, "reason": p.exclusion_reason}))
            .collect();
        let consented: Vec<&str> =
            packages.iter().filter(|p| p.status == Status::Consented).map(|p| p.ministry.as_str()).collect();
        let at = now();
        let mut tx = self.store.begin().await?;
        // Read inside the transaction, so the frozen lines are exactly what the hash covers.
        let mut lines = Vec::new();
        for m in &consented {
            lines.extend(tx.lines_of(fy, m).await?);
        }
        let hash = content_hash(&lines);
        let exclusions = serde_json::Value::Array(excluded).to_string();
        let id = tx.insert_snapshot(fy.year(), &hash, &exclusions, &actor.name, &at).await?;
        for s in &lines {
            tx.insert_snapshot_line(id, &s.line, s.version).await?;
        }
        let total: Yen = lines.iter().map(|s| s.line.request).sum();
        tx.append_event(&event(actor, "compilation.snapshot", format!("FY{}/snapshot/{id}", fy.year()), Some(fy), None, Some(json!({"snapshot": id, "lines": lines.len(), "request_total": total, "content_hash": hash, "ministries": consented, "excluded": serde_json::from_str::<serde_json::Value>(&exclusions).unwrap_or_default()})))).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn snapshot_of(&self, fy: FiscalYear, id: Option<i64>) -> ServiceResult<SnapshotRow> {
        self.policy(fy).await?;
        let found = match id {
            Some(id) => self.store.snapshot(id).await?.filter(|s| s.fiscal_year == fy.year()),
            None => self.store.snapshots(fy.year()).await?.pop(),
        };
        found.ok_or_else(|| match id {
            Some(id) => ServiceError::not_found(
                format!("{} の取りまとめ {id} はありません", fy.era_label()),
                format!("no compilation snapshot {id} for {fy}"),
            ),
            None => ServiceError::not_found(
                format!("{} の取りまとめはまだありません", fy.era_label()),
                format!("no compilation snapshot for {fy} yet"),
            ),
        })
    }

    /// The snapshots of a year.
    pub async fn snapshots(&self, fy: FiscalYear) -> ServiceResult<Vec<SnapshotRow>> {
        self.policy(fy).await?;
        Ok(self.store.snapshots(fy.year()).await?)
    }

    /// A snapshot's compilation: stage `compiled`, or `settled` (with settled amounts) once settled.
    /// Anyone may read it: a compiled snapshot is the joint request of all ministries.
    pub async fn snapshot_compilation(
        &self,
        fy: FiscalYear,
        id: Option<i64>,
    ) -> ServiceResult<(SnapshotRow, Compilation)> {
        let snap = self.snapshot_of(fy, id).await?;
        let lines = self.store.snapshot_lines(snap.id).await?;
        let c = if snap.status == "settled" {
            let settled: Vec<_> = lines
                .into_iter()
                .map(|l| {
                    let n = l.negotiated.unwrap_or(l.line.line.request);
                    (l.line.line, n)
                })
                .collect();
            compile_settled(fy, &settled)
        } else {
            compile(fy, Stage::Compiled, &lines.into_iter().map(|l| l.line.line).collect::<Vec<_>>())
        };
        Ok((snap, c))
    }

    /// Marks a compiled snapshot submitted to the fiscal authority (§2(4)).
    pub async fn submit_snapshot(&self, actor: &Actor, fy: FiscalYear, id: Option<i64>) -> ServiceResult<i64> {
        actor.check_year(YearAction::SubmitSnapshot)?;
        let snap = self.snapshot_of(fy, id).await?;
        let mut tx = self.store.begin().await?;
        tx.advance_snapshot(snap.id, "compiled", "submitted", &now()).await?;
        tx.append_event(&event(
            actor,
            "compilation.submit",
            format!("FY{}/snapshot/{}", fy.year(), snap.id),
            Some(fy),
            Some(json!({"status": "compiled"})),
            Some(json!({"status": "submitted"})),
        ))
        .await?;
        tx.commit().await?;
        Ok(snap.id)
    }

    /// Records the negotiated amount (査定額) of a line of the submitted snapshot (§2(5)).
    /// `ministry` may be omitted when the line id is unique in the snapshot.
    pub async fn negotiate(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: Option<&str>,
        line_id: &str,
        amount: Yen,
    ) -> ServiceResult<()> {
        actor.check_year(YearAction::Negotiate)?;
        let policy = self.policy(fy).await?;
        let ministry = ministry.map(|m| Self::ministry_code(&policy, m)).transpose()?;
        let snap = self.snapshot_of(fy, None).await?;
        if snap.status != "submitted" {
            return Err(ServiceError::Conflict(format!(
                "取りまとめ {} は財政当局へ提出されていません（状態: {}）/ compilation {} is not submitted to the fiscal authority (status: {})",
                snap.id, snap.status, snap.id, snap.status
            )));
        }
        let id = LineId::parse(line_id).ok_or_else(|| {
            ServiceError::not_found(format!("事業 {line_id} はありません"), format!("no line {line_id}"))
        })?;
        let lines = self.store.snapshot_lines(snap.id).await?;
        let matches: Vec<_> = lines
            .iter()
            .filter(|l| l.line.line.line_id == id && ministry.as_deref().is_none_or(|m| l.line.line.ministry == m))
            .collect();
        let target = match matches.as_slice() {
            [one] => one.line.line.ministry.clone(),
            [] => {
                return Err(ServiceError::not_found(
                    format!("取りまとめ {} に事業 {line_id} はありません", snap.id),
                    format!("compilation {} has no line {line_id}", snap.id),
                ));
            }
            _ => {
                return Err(ServiceError::Conflict(format!(
                    "事業 {line_id} は複数の府省にあります。--ministry を指定してください / line {line_id} exists in several ministries: give --ministry"
                )));
            }
        };
        let mut tx = self.store.begin().await?;
        let before = tx.set_negotiated(snap.id, &target, line_id, amount, &actor.name, &now()).await?.flatten();
        tx.append_event(&event(
            actor,
            "line.negotiate",
            format!("FY{}/snapshot/{}/{target}/{line_id}", fy.year(), snap.id),
            Some(fy),
            Some(json!({"negotiated": before})),
            Some(json!({"negotiated": amount})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Settles the year: the submitted snapshot's negotiated amounts become the budget.
    /// Every line must have a negotiated amount, unless `accept_requested` settles the lines
    /// without one at their requested amount, each recorded as such.
    pub async fn settle(&self, actor: &Actor, fy: FiscalYear, accept_requested: bool) -> ServiceResult<i64> {
        actor.check_year(YearAction::Settle)?;
        let snap = self.snapshot_of(fy, None).await?;
        if snap.status != "submitted" {
            return Err(ServiceError::Conflict(format!(
                "取りまとめ {} は財政当局へ提出されていません（状態: {}）/ compilation {} is not submitted to the fiscal authority (status: {})",
                snap.id, snap.status, snap.id, snap.status
            )));
        }
        let missing: Vec<_> = self
            .store
            .snapshot_lines(snap.id)
            .await?
            .into_iter()
            .filter(|l| l.negotiated.is_none())
            .map(|l| l.line.line)
            .collect();
        if !missing.is_empty() && !accept_requested {
            let n = missing.len();
            let head =
                missing.iter().take(10).map(|l| format!("{}/{}", l.ministry, l.line_id)).collect::<Vec<_>>().join(", ");
            return Err(ServiceError::Conflict(format!(
                "査定額のない事業が {n} 件あります: {head}（要求額どおりとするには --accept-requested）/ {n} lines have no negotiated amount: {head} (--accept-requested settles them as requested)"
            )));
        }
        let at = now();
        let mut tx = self.store.begin().await?;
        for l in &missing {
            tx.set_negotiated(snap.id, &l.ministry, l.line_id.as_str(), l.request, &actor.name, &at).await?;
        }
        tx.advance_snapshot(snap.id, "submitted", "settled", &at).await?;
        let accepted: Vec<String> = missing.iter().map(|l| format!("{}/{}", l.ministry, l.line_id)).collect();
        tx.append_event(&event(
            actor,
            "year.settle",
            format!("FY{}/snapshot/{}", fy.year(), snap.id),
            Some(fy),
            Some(json!({"status": "submitted"})),
            Some(json!({"status": "settled", "settled_as_requested": accepted})),
        ))
        .await?;
        tx.commit().await?;
        Ok(snap.id)
    }
}
