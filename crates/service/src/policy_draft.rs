//! A new year's policy while it is a draft (opened from the year before): HQ replaces its text,
//! checked exactly as a built-in policy is, and then decides it. Every change is audited with
//! the digests of the text before and after.

use haibun_domain::FiscalYear;
use haibun_domain::policy::Policy;
use haibun_domain::workflow::YearAction;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cycle::{event, invalid_arg};
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// The largest policy text taken (the FY2023 policy is about 100 KB).
pub const MAX_POLICY_BYTES: usize = 2 * 1024 * 1024;

fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl Service {
    /// A year's policy status: `draft` or `decided`, and the year it was copied from.
    pub async fn policy_status(&self, fy: FiscalYear) -> ServiceResult<(String, Option<i64>)> {
        self.policy(fy).await?;
        Ok(self.store.policy_status(fy.year()).await?.unwrap_or_else(|| ("decided".into(), None)))
    }

    /// Replaces a draft policy's text (HQ). The text must be UTF-8 TOML that reads as a policy
    /// of this year; otherwise every problem is reported, located, and nothing is written.
    pub async fn replace_policy_draft(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        file_name: &str,
        bytes: &[u8],
    ) -> ServiceResult<()> {
        actor.check_year(YearAction::DraftPolicy)?;
        let (status, _) = self.policy_status(fy).await?;
        if status != "draft" {
            return Err(ServiceError::Conflict(format!(
                "{} の方針は決定済みで変更できません / the {fy} policy is decided and cannot change",
                fy.era_label()
            )));
        }
        if bytes.len() > MAX_POLICY_BYTES {
            return Err(invalid_arg(
                "--file",
                format!("方針のファイルが大きすぎます（{} バイト、上限 {MAX_POLICY_BYTES}）", bytes.len()),
                format!("the policy file is too large ({} bytes, at most {MAX_POLICY_BYTES})", bytes.len()),
            ));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            invalid_arg(
                "--file",
                format!("方針は UTF-8 の TOML で書きます（{} バイト目が不正）", e.valid_up_to()),
                format!("the policy must be UTF-8 TOML (invalid at byte {})", e.valid_up_to()),
            )
        })?;
        let policy = Policy::from_toml(text, file_name).map_err(ServiceError::Invalid)?;
        if policy.fiscal_year != fy {
            return Err(invalid_arg(
                "fiscal_year",
                format!(
                    "方針の fiscal_year が {} です（{} の方針を指定してください）",
                    policy.fiscal_year.year(),
                    fy.year()
                ),
                format!("the policy's fiscal_year is {}, not {}", policy.fiscal_year.year(), fy.year()),
            ));
        }
        // Citations of priority items the new text no longer has go with them (listed in the audit).
        let stale: Vec<_> = self
            .store
            .citations(fy.year())
            .await?
            .into_iter()
            .filter(|c| policy.priority_item(&c.item_id).is_none())
            .collect();
        let mut tx = self.store.begin().await?;
        let before = tx.policy_text(fy.year()).await?.unwrap_or_default();
        if !tx.replace_policy_draft(fy.year(), file_name, text, &now()).await? {
            return Err(ServiceError::Conflict(format!(
                "{} の方針は決定済みです / the {fy} policy is decided",
                fy.era_label()
            )));
        }
        for c in &stale {
            tx.delete_citation(c.fiscal_year, &c.item_id, &c.dimension, &c.area).await?;
        }
        let dropped: Vec<String> = stale.iter().map(|c| format!("{} → {}", c.item_id, c.area)).collect();
        tx.append_event(&event(
            actor,
            "policy.replace",
            format!("FY{}/policy", fy.year()),
            Some(fy),
            Some(json!({"sha256": digest(&before)})),
            Some(json!({"sha256": digest(text), "source_file": file_name, "name_ja": policy.name_ja, "dropped_citations": dropped})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Decides a draft policy (HQ): from then on it cannot change.
    pub async fn decide_policy(&self, actor: &Actor, fy: FiscalYear) -> ServiceResult<()> {
        actor.check_year(YearAction::DraftPolicy)?;
        self.policy(fy).await?;
        let mut tx = self.store.begin().await?;
        let text = tx.policy_text(fy.year()).await?.unwrap_or_default();
        if !tx.decide_policy(fy.year()).await? {
            return Err(ServiceError::Conflict(format!(
                "{} の方針は決定済みです / the {fy} policy is already decided",
                fy.era_label()
            )));
        }
        tx.append_event(&event(
            actor,
            "policy.decide",
            format!("FY{}/policy", fy.year()),
            Some(fy),
            Some(json!({"status": "draft"})),
            Some(json!({"status": "decided", "sha256": digest(&text)})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
