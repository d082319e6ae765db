//! HQ compilation snapshots (§2(4)), the fiscal authority's negotiated amounts and settlement (§2(5)).

use haibun_domain::workflow::YearAction;
use haibun_domain::{Compilation, FiscalYear, LineId, Stage, Yen, compile, compile_settled};
use haibun_store::{SnapshotRow, StoredLine};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cycle::event;
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// SHA-256 of the canonical JSON of the frozen lines (with their versions), hex.
pub(crate) fn content_hash(lines: &[StoredLine]) -> String {
    let canonical: Vec<_> = lines.iter().map(|s| json!({"version": s.version, "line": s.line})).collect();
    hex::encode(Sha256::digest(serde_json::to_vec(&canonical).expect("lines serialise")))
}

impl Service {
    /// Freezes the HQ compilation: allowed only when every package with lines is consented or
    /// excluded, and not once the year's compilation has gone to the fiscal authority. Excluded
    /// packages' lines are left out. Returns the snapshot's number.
    pub async fn compile_snapshot(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<i64> {
        actor.check_year(YearAction::CompileSnapshot)?;
        self.policy(fy).await?;
        let at = now();
        let mut tx = self.store.begin().await?;
        if let Some(done) = tx.snapshots_of(fy.year()).await?.into_iter().find(|s| s.status != "compiled") {
            return Err(ServiceError::Conflict(format!(
                "取りまとめ #{} は既に {} です。新たな取りまとめはできません / compilation #{} is already {}; no new compilation can be made",
                done.id, done.status, done.id, done.status
            )));
        }
        // Packages are read and locked inside the transaction, so none can change until the snapshot is made.
        let packages = tx.lock_packages(fy.year()).await?;
        let status_of =
            |m: &str| packages.iter().find(|p| p.ministry == m).map_or("drafting", |p| p.status.as_str()).to_string();
        let mut with_lines: Vec<String> = Vec::new();
        for line in self.store.lines(fy, None).await? {
            if !with_lines.contains(&line.line.ministry) {
                with_lines.push(line.line.ministry.clone());
            }
        }
        let waiting: Vec<String> = packages
            .iter()
            .map(|p| p.ministry.clone())
            .chain(with_lines.iter().cloned())
            .filter(|m| !matches!(status_of(m).as_str(), "consented" | "excluded"))
            .map(|m| format!("{m} ({})", status_of(&m)))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !waiting.is_empty() {
            let list = waiting.join(", ");
            return Err(ServiceError::Conflict(format!(
                "了解も除外もされていない府省があります: {list} / packages neither consented nor excluded: {list}"
            )));
        }
        let excluded: Vec<_> = packages
            .iter()
            .filter(|p| p.status == "excluded")
            .map(|p| json!({"ministry": p.ministry, "reason": p.exclusion_reason}))
            .collect();
        let consented: Vec<&str> =
            packages.iter().filter(|p| p.status == "consented").map(|p| p.ministry.as_str()).collect();
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
        let after = json!({"snapshot": id, "lines": lines.len(), "request_total": total, "content_hash": hash, "ministries": consented, "excluded": serde_json::from_str::<serde_json::Value>(&exclusions).unwrap_or_default()});
        tx.append_event(&event(
            actor,
            "compilation.snapshot",
            format!("FY{}/snapshot/{id}", fy.year()),
            Some(fy),
            None,
            Some(after),
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(crate) async fn snapshot_of(&self, fy: FiscalYear, id: Option<i64>) -> ServiceResult<SnapshotRow> {
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

    /// The lines behind a compilation: the actor's current lines, or a snapshot's frozen lines.
    pub async fn compilation_lines(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        snapshot: Option<i64>,
    ) -> ServiceResult<Vec<haibun_domain::RequestLine>> {
        match snapshot {
            None => self.lines(actor, fy, None).await,
            Some(id) => {
                let snap = self.snapshot_of(fy, Some(id)).await?;
                Ok(self.store.snapshot_lines(snap.id).await?.into_iter().map(|l| l.line.line).collect())
            }
        }
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

    /// Records the negotiated amount (査定額) of a line of the submitted snapshot (§2(5)); it cannot
    /// exceed the request. `ministry` may be omitted when the line id is unique in the snapshot.
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
        let latest = self.snapshot_of(fy, None).await?;
        let id = LineId::parse(line_id).ok_or_else(|| {
            ServiceError::not_found(format!("事業 {line_id} はありません"), format!("no line {line_id}"))
        })?;
        let mut tx = self.store.begin().await?;
        // The snapshot stays locked until commit, so settlement cannot happen in between.
        let snap = tx
            .lock_snapshot(latest.id)
            .await?
            .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("snapshot vanished")))?;
        if snap.status != "submitted" {
            return Err(not_submitted(&snap));
        }
        let lines = self.store.snapshot_lines(snap.id).await?;
        let matches: Vec<_> = lines
            .iter()
            .filter(|l| l.line.line.line_id == id && ministry.as_deref().is_none_or(|m| l.line.line.ministry == m))
            .collect();
        let target = match matches.as_slice() {
            [one] => &one.line.line,
            [] => {
                return Err(ServiceError::not_found(
                    format!("取りまとめ {} に事業 {id} はありません", snap.id),
                    format!("compilation {} has no line {id}", snap.id),
                ));
            }
            _ => {
                return Err(ServiceError::Conflict(format!(
                    "事業 {id} は複数の府省にあります。--ministry を指定してください / line {id} exists in several ministries: give --ministry"
                )));
            }
        };
        if amount > target.request {
            return Err(ServiceError::Invalid(vec![haibun_domain::Problem::new(
                haibun_domain::ProblemCode::InvalidArgument,
                haibun_domain::Location::field("--amount"),
                format!("査定額（{amount}）が要求額（{}）を超えています", target.request),
                format!("the negotiated amount ({}) exceeds the request ({})", amount.get(), target.request.get()),
            )]));
        }
        let before = tx.set_negotiated(snap.id, &target.ministry, id.as_str(), amount, &actor.name, &now()).await?;
        let Some(before) = before else {
            return Err(ServiceError::not_found(
                format!("取りまとめ {} に事業 {id} はありません", snap.id),
                format!("compilation {} has no line {id}", snap.id),
            ));
        };
        tx.append_event(&event(
            actor,
            "line.negotiate",
            format!("FY{}/snapshot/{}/{}/{id}", fy.year(), snap.id, target.ministry),
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
        let latest = self.snapshot_of(fy, None).await?;
        let at = now();
        let mut tx = self.store.begin().await?;
        let snap = tx
            .lock_snapshot(latest.id)
            .await?
            .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("snapshot vanished")))?;
        if snap.status != "submitted" {
            return Err(not_submitted(&snap));
        }
        let missing = tx.unnegotiated(snap.id).await?;
        if !missing.is_empty() && !accept_requested {
            let n = missing.len();
            let head = missing.iter().take(10).map(|(m, l, _)| format!("{m}/{l}")).collect::<Vec<_>>().join(", ");
            return Err(ServiceError::Conflict(format!(
                "査定額のない事業が {n} 件あります: {head}（要求額どおりとするには --accept-requested）/ {n} lines have no negotiated amount: {head} (--accept-requested settles them as requested)"
            )));
        }
        for (m, l, request) in &missing {
            tx.set_negotiated(snap.id, m, l, Yen(*request), &actor.name, &at).await?;
        }
        tx.advance_snapshot(snap.id, "submitted", "settled", &at).await?;
        let accepted: Vec<String> = missing.iter().map(|(m, l, _)| format!("{m}/{l}")).collect();
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

fn not_submitted(snap: &SnapshotRow) -> ServiceError {
    ServiceError::Conflict(format!(
        "取りまとめ {} は財政当局へ提出中ではありません（状態: {}）/ compilation {} is not with the fiscal authority (status: {})",
        snap.id, snap.status, snap.id, snap.status
    ))
}
