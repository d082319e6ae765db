//! A fiscal year's set-up and read-outs: init, policy, template, compilation, export.

use haibun_domain::compile::compile_columns;
use haibun_domain::policy::Kind;
use haibun_domain::problem::{Location, Problem, ProblemCode};
use haibun_domain::{Compilation, FiscalYear, Policy, RequestLine, Stage, Unit};
use haibun_store::StoredLine;
use std::sync::Arc;

use crate::cycle::event;
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// What `init` did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InitReport {
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// Whether the policy was stored now (false: it was there already).
    pub policy_stored: bool,
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditReport {
    /// The hash chain.
    pub chain: haibun_store::ChainReport,
    /// Snapshots whose frozen lines no longer match their content hash.
    pub altered_snapshots: Vec<i64>,
}

impl AuditReport {
    /// Whether everything verified.
    pub fn ok(&self) -> bool {
        self.chain.broken.is_none() && self.altered_snapshots.is_empty()
    }
}

/// The formats lines are exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The request workbook.
    Xlsx,
    /// CSV, UTF-8 with BOM.
    Csv,
}

fn internal(e: impl Into<anyhow::Error>) -> ServiceError {
    ServiceError::Internal(e.into())
}

impl Service {
    /// Creates the schema and stores the year's built-in policy. Running it again is harmless.
    pub async fn init(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<InitReport> {
        let Some(builtin) = Policy::builtin(fy) else {
            return Err(ServiceError::not_found(
                format!("{} の方針は組み込まれていません（組み込み: 2023）", fy.era_label()),
                format!("no built-in policy for {fy} (built in: 2023)"),
            ));
        };
        let policy = builtin.map_err(ServiceError::Invalid)?;
        let (file, text) = haibun_domain::policy::builtin_source(fy).expect("checked above");
        self.store.migrate().await?;
        let stored = match self.store_policy(actor, fy, file, text, &policy).await {
            // Another process initialising at the same moment stored it first: it is there now.
            Err(ServiceError::Conflict(_)) => self.store_policy(actor, fy, file, text, &policy).await?,
            other => other?,
        };
        Ok(InitReport { fiscal_year: fy, policy_stored: stored })
    }

    /// Stores the year's policy unless it is stored; whether it was stored now.
    async fn store_policy(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        file: &str,
        text: &str,
        policy: &Policy,
    ) -> ServiceResult<bool> {
        let mut tx = self.store.begin().await?;
        let stored = tx.put_policy_if_absent(fy.year(), file, text, &now()).await?;
        if stored {
            let after = serde_json::json!({"source_file": file, "name_ja": policy.name_ja, "projects": policy.codes(Kind::Project)});
            tx.append_event(&event(
                actor,
                "policy.store",
                format!("FY{}/policy", fy.year()),
                Some(fy),
                None,
                Some(after),
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// The stored policy of a year.
    pub async fn policy(&self, fy: FiscalYear) -> ServiceResult<Arc<Policy>> {
        Ok(self.policy_at(fy).await?.0)
    }

    /// The year's policy and the data version it was read at: parsed once per version and kept
    /// (any process's write changes the version, so a replaced policy is read again).
    pub(crate) async fn policy_at(&self, fy: FiscalYear) -> ServiceResult<(Arc<Policy>, i64)> {
        let version = self.store.data_version().await?;
        Ok((self.policy_at_version(fy, version).await?, version))
    }

    /// The year's policy as kept for data version `version` (read now if not kept).
    async fn policy_at_version(&self, fy: FiscalYear, version: i64) -> ServiceResult<Arc<Policy>> {
        if let Some(p) = self.memo.policy(fy.year(), version) {
            return Ok(p);
        }
        let policy = self.read_policy(fy).await?;
        Ok(self.memo.keep_policy(fy.year(), version, policy))
    }

    async fn read_policy(&self, fy: FiscalYear) -> ServiceResult<Policy> {
        let Some((file, text)) = self.store.policy_toml(fy.year()).await? else {
            return Err(ServiceError::not_found(
                format!(
                    "{} の方針が登録されていません（`haibun init --fy {}` を実行してください）",
                    fy.era_label(),
                    fy.year()
                ),
                format!("no policy stored for {fy} (run `haibun init --fy {}`)", fy.year()),
            ));
        };
        Policy::from_toml(&text, &file).map_err(|p| {
            internal(anyhow::anyhow!(
                "stored policy is invalid: {}",
                p.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
            ))
        })
    }

    /// Resolves a ministry code or name in the year's policy.
    pub fn ministry_code(policy: &Policy, given: &str) -> ServiceResult<String> {
        policy.resolve(Kind::Ministry, given).ok_or_else(|| {
            let valid = policy.codes(Kind::Ministry).join(", ");
            ServiceError::Invalid(vec![Problem::new(
                ProblemCode::UnknownCode,
                Location::field("--ministry"),
                format!("府省「{given}」は方針にありません（有効: {valid}）"),
                format!("unknown ministry \"{given}\" (valid: {valid})"),
            )])
        })
    }

    /// The blank request workbook of a year, for a ministry if given.
    pub async fn template(&self, fy: FiscalYear, ministry: Option<&str>, unit: Unit) -> ServiceResult<Vec<u8>> {
        let policy = self.policy(fy).await?;
        let ministry = ministry.map(|m| Self::ministry_code(&policy, m)).transpose()?;
        haibun_sheets::write_workbook(&policy, ministry.as_deref(), unit, &[]).map_err(internal)
    }

    /// Resolves the ministry a read names, limited to what the actor may read: a ministry user
    /// reads only its own ministry, and naming another is forbidden.
    pub(crate) fn read_scope(actor: &Actor, policy: &Policy, ministry: Option<&str>) -> ServiceResult<Option<String>> {
        let ministry = ministry.map(|m| Self::ministry_code(policy, m)).transpose()?;
        if ministry.is_some() {
            actor.check_read(ministry.as_deref())?;
        }
        Ok(ministry.or_else(|| actor.read_scope().map(str::to_string)))
    }

    /// The current lines of a year, optionally of one ministry, as far as the actor may read them.
    pub async fn lines(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: Option<&str>,
    ) -> ServiceResult<Vec<RequestLine>> {
        Ok(self.stored_lines(actor, fy, ministry).await?.into_iter().map(|s| s.line).collect())
    }

    /// The current lines with their versions.
    pub async fn stored_lines(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: Option<&str>,
    ) -> ServiceResult<Vec<StoredLine>> {
        let policy = self.policy(fy).await?;
        let scope = Self::read_scope(actor, &policy, ministry)?;
        Ok(self.store.lines(fy, scope.as_deref()).await?)
    }

    /// The compilation of the lines as requested now (a ministry user's covers its own lines).
    /// Computed once per data version and reading scope, and kept: any process's write changes
    /// the version, so a kept compilation is never served after a change.
    pub async fn compile(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<Arc<Compilation>> {
        let (policy, version) = self.policy_at(fy).await?;
        let scope = Self::read_scope(actor, &policy, None)?;
        if let Some(c) = self.memo.compilation(fy.year(), scope.as_deref(), version) {
            return Ok(c);
        }
        let cols = self.store.compile_columns(fy, scope.as_deref()).await?;
        let c = compile_columns(fy, Stage::Requested, &cols);
        let adj = self.store.adjustment_columns(fy, scope.as_deref()).await?;
        let c = if adj.is_empty() { c } else { c.with_adjustment(&compile_columns(fy, Stage::Requested, &adj)) };
        Ok(self.memo.keep_compilation(fy.year(), scope.as_deref(), version, c))
    }

    /// [`Service::compile`] as the JSON the API sends, likewise made once per data version.
    pub async fn compile_json(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<Arc<Vec<u8>>> {
        let version = self.store.data_version().await?;
        self.compile_json_at(actor, fy, version).await
    }

    /// [`Service::compile_json`] for a request that began at data version `version` (read with
    /// its credentials, [`Service::token_actor_at`]): nothing more is read when it is kept.
    pub async fn compile_json_at(&self, actor: &Actor, fy: FiscalYear, version: i64) -> ServiceResult<Arc<Vec<u8>>> {
        let policy = self.policy_at_version(fy, version).await?;
        let scope = Self::read_scope(actor, &policy, None)?;
        if let Some(json) = self.memo.compilation_json(fy.year(), scope.as_deref(), version) {
            return Ok(json);
        }
        let c = self.compile(actor, fy).await?;
        let json = serde_json::to_vec(&*c).map_err(|e| internal(anyhow::anyhow!(e)))?;
        // Kept under the version read first: were there a write in between, the next request
        // reads the newer version and makes it again.
        Ok(self.memo.keep_compilation_json(fy.year(), scope.as_deref(), version, json))
    }

    /// The stored lines in exactly the template's format, so that importing the export changes nothing.
    pub async fn export(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: Option<&str>,
        format: ExportFormat,
        unit: Unit,
    ) -> ServiceResult<Vec<u8>> {
        let policy = self.policy(fy).await?;
        let ministry = Self::read_scope(actor, &policy, ministry)?;
        let lines: Vec<RequestLine> =
            self.store.lines(fy, ministry.as_deref()).await?.into_iter().map(|s| s.line).collect();
        match format {
            ExportFormat::Xlsx => {
                haibun_sheets::write_workbook(&policy, ministry.as_deref(), unit, &lines).map_err(internal)
            }
            ExportFormat::Csv => Ok(haibun_sheets::write_csv(&policy, ministry.as_deref(), unit, &lines)),
        }
    }

    /// Every stored version of one line, oldest first.
    pub async fn line_history(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: &str,
        line_id: &str,
    ) -> ServiceResult<Vec<StoredLine>> {
        let policy = self.policy(fy).await?;
        let ministry = Self::ministry_code(&policy, ministry)?;
        actor.check_read(Some(&ministry))?;
        let id = haibun_domain::LineId::parse(line_id).ok_or_else(|| {
            ServiceError::not_found(format!("事業 {line_id} はありません"), format!("no line {line_id}"))
        })?;
        let history = self.store.line_history(fy, &ministry, id.as_str()).await?;
        if history.is_empty() {
            return Err(ServiceError::not_found(
                format!("{ministry} の事業 {line_id} はありません"),
                format!("{ministry} has no line {line_id}"),
            ));
        }
        Ok(history)
    }

    /// The audit events, optionally of one year. Ministry users may not read the whole trail.
    pub async fn audit_events(
        &self,
        actor: &Actor,
        fy: Option<FiscalYear>,
    ) -> ServiceResult<Vec<haibun_store::AuditEvent>> {
        actor.check_read(None)?;
        self.store.ensure_initialised().await?;
        Ok(self.store.events(fy.map(FiscalYear::year)).await?)
    }

    /// The audit chain's head as an anchor, `SEQ:HASH`: note it elsewhere (the budget book's cover
    /// prints it too) and pass it to a later `verify --anchor`.
    pub async fn audit_anchor(&self, actor: &Actor) -> ServiceResult<String> {
        actor.check_read(None)?;
        self.store.ensure_initialised().await?;
        Ok(self.store.audit_anchor().await?)
    }

    /// Recomputes the audit chain (optionally against a head hash noted earlier) and re-hashes
    /// every compilation snapshot's frozen lines.
    pub async fn verify_audit(&self, actor: &Actor, anchor: Option<&str>) -> ServiceResult<AuditReport> {
        actor.check_read(None)?;
        // An anchor is `SEQ:HASH` (as `audit anchor` prints it) or a bare hash: 64 hex digits.
        if let Some(a) = anchor {
            let hash_ok = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
            let ok = match a.trim().split_once(':') {
                Some((seq, hash)) => !seq.is_empty() && seq.bytes().all(|b| b.is_ascii_digit()) && hash_ok(hash),
                None => hash_ok(a.trim()),
            };
            if !ok {
                return Err(crate::cycle::invalid_arg(
                    "--anchor",
                    format!("控えは「番号:ハッシュ」（audit anchor の出力）かハッシュ 64 桁で指定します: {a}"),
                    format!("an anchor is SEQ:HASH (as `audit anchor` prints it) or a 64-digit hash: {a}"),
                ));
            }
        }
        self.store.ensure_initialised().await?;
        let chain = self.store.verify_chain(anchor).await?;
        let mut altered_snapshots = Vec::new();
        for fy in self.store.snapshot_years().await? {
            for snap in self.store.snapshots(fy).await? {
                let lines: Vec<StoredLine> =
                    self.store.snapshot_lines(snap.id).await?.into_iter().map(|l| l.line).collect();
                if crate::settlement::content_hash(&lines) != snap.content_hash {
                    altered_snapshots.push(snap.id);
                }
            }
        }
        Ok(AuditReport { chain, altered_snapshots })
    }
}
