//! The follow-through of a round: files attached to proposals, what each funded line achieved
//! against the proposal's targets, and the Cabinet Office's ex-post check (事後評価).

use haibun_domain::fund::OUTCOME_RESULTS;
use haibun_domain::workflow::{Role, YearAction};
use haibun_store::{AttachmentRow, OutcomeRow};
use serde_json::json;

use super::bad;
use crate::cycle::{check_text, event};
use crate::{Actor, Service, ServiceError, ServiceResult, now};

/// The largest attachment taken, in bytes (10 MiB).
pub const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;

/// The attachment types taken, by extension, with the media type they are served as.
const ATTACHMENT_TYPES: [(&str, &str); 9] = [
    ("pdf", "application/pdf"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("csv", "text/csv"),
    ("txt", "text/plain"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
];

/// Checks an attachment's name and returns its media type: a plain file name (no directories,
/// no control characters, at most 200 characters) with one of the taken extensions.
fn attachment_type(file_name: &str) -> ServiceResult<&'static str> {
    let n = file_name.trim();
    if n.is_empty()
        || n.chars().count() > 200
        || n.contains(['/', '\\'])
        || n.starts_with('.')
        || haibun_domain::text::has_control_chars(n)
    {
        return Err(bad(
            "file",
            "添付ファイル名が不正です（フォルダ名・制御文字を含まない200文字以内の名前）",
            "the attachment's name is not a plain file name of at most 200 characters",
        ));
    }
    let ext = n.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    ATTACHMENT_TYPES.iter().find(|(e, _)| *e == ext).map(|(_, t)| *t).ok_or_else(|| {
        bad(
            "file",
            format!("添付できる形式は {} です（{n}）", ATTACHMENT_TYPES.map(|t| t.0).join(", ")),
            format!("attachments must be one of {} ({n})", ATTACHMENT_TYPES.map(|t| t.0).join(", ")),
        )
    })
}

impl Service {
    /// Attaches a file (progress evidence, research needs) to a proposal of an open round. Only
    /// its proposer (or an administrator) may; empty, oversized, oddly named or other-typed files
    /// are refused, writing nothing.
    pub async fn attach_fund(&self, actor: &Actor, proposal: i64, file_name: &str, bytes: &[u8]) -> ServiceResult<i64> {
        actor.check_year(YearAction::ProposeFund)?;
        let content_type = attachment_type(file_name)?;
        if bytes.is_empty() {
            return Err(bad("file", "添付ファイルが空です", "the attachment is empty"));
        }
        if bytes.len() > MAX_ATTACHMENT {
            return Err(bad(
                "file",
                format!("添付ファイルは {} MiB までです（{} バイト）", MAX_ATTACHMENT >> 20, bytes.len()),
                format!("attachments are at most {} MiB ({} bytes)", MAX_ATTACHMENT >> 20, bytes.len()),
            ));
        }
        self.store.ensure_initialised().await?;
        let p = self.store.fund_proposal(proposal).await?.ok_or_else(|| {
            ServiceError::not_found(format!("提案 {proposal} はありません"), format!("no proposal {proposal}"))
        })?;
        if actor.role != Role::Admin && p.proposed_by != actor.name {
            return Err(ServiceError::Forbidden(format!(
                "提案 {proposal} に添付できるのは提案者（{}）だけです / only the proposer ({}) may attach to proposal {proposal}",
                p.proposed_by, p.proposed_by
            )));
        }
        let (round, fy, _) = self.fund_round_of(p.round_id).await?;
        if round.status != "open" {
            return Err(ServiceError::Conflict(format!(
                "調整費の回 {} は決定済みです / round {} is decided",
                round.id, round.id
            )));
        }
        use sha2::{Digest, Sha256};
        let row = AttachmentRow {
            id: 0,
            proposal_id: proposal,
            file_name: file_name.trim().to_string(),
            content_type: content_type.to_string(),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256: hex::encode(Sha256::digest(bytes)),
            uploaded_by: actor.name.clone(),
            uploaded_at: now(),
        };
        let mut tx = self.store.begin().await?;
        super::still_open(&mut tx, p.round_id).await?;
        let id = tx.insert_fund_attachment(&row, bytes).await?;
        tx.append_event(&event(
            actor,
            "fund.attach",
            format!("FY{}/fund/proposal/{proposal}/attachment/{id}", fy.year()),
            Some(fy),
            None,
            Some(json!({"file": row.file_name, "size": row.size, "sha256": row.sha256})),
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The attachments of a round's proposals (without their bytes).
    pub async fn fund_attachments(&self, actor: &Actor, round_id: i64) -> ServiceResult<Vec<AttachmentRow>> {
        actor.check_read(None)?;
        self.store.ensure_initialised().await?;
        Ok(self.store.fund_attachments(round_id).await?)
    }

    /// One attachment with its bytes.
    pub async fn fund_attachment(&self, actor: &Actor, id: i64) -> ServiceResult<(AttachmentRow, Vec<u8>)> {
        actor.check_read(None)?;
        self.store.ensure_initialised().await?;
        self.store.fund_attachment(id).await?.ok_or_else(|| {
            ServiceError::not_found(format!("添付ファイル {id} はありません"), format!("no attachment {id}"))
        })
    }

    /// Records what a funded line achieved against the proposal's targets: `met`, `partly` or
    /// `not-met`, with what was achieved. A later record corrects an earlier one until the
    /// round's ex-post check is done.
    pub async fn record_fund_outcome(
        &self,
        actor: &Actor,
        allocation: i64,
        result: &str,
        achieved: &str,
    ) -> ServiceResult<()> {
        actor.check_year(YearAction::RecordFundOutcome)?;
        if !OUTCOME_RESULTS.iter().any(|r| r.0 == result) {
            return Err(bad(
                "result",
                "結果は met（目標達成）・partly（一部達成）・not-met（未達成）のいずれかです",
                "the result is met, partly or not-met",
            ));
        }
        let achieved = check_text("achieved", achieved, true)?;
        self.store.ensure_initialised().await?;
        let a = self.store.fund_allocation(allocation).await?.ok_or_else(|| {
            ServiceError::not_found(format!("配分 {allocation} はありません"), format!("no allocation {allocation}"))
        })?;
        let (round, fy, _) = self.fund_round_of(a.round_id).await?;
        let row = OutcomeRow {
            allocation_id: allocation,
            result: result.to_string(),
            achieved,
            recorded_by: actor.name.clone(),
            recorded_at: now(),
        };
        let mut tx = self.store.begin().await?;
        if tx.fund_round_checked(round.id).await? {
            return Err(ServiceError::Conflict(format!(
                "調整費の回 {} は事後評価済みです / round {}'s ex-post check is done",
                round.id, round.id
            )));
        }
        let before = tx.set_fund_outcome(&row).await?;
        tx.append_event(&event(
            actor,
            "fund.outcome",
            format!("FY{}/fund/allocation/{allocation}", fy.year()),
            Some(fy),
            before.map(|b| json!({"result": b.result, "achieved": b.achieved})),
            Some(json!({"result": row.result, "achieved": row.achieved})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Completes a decided round's ex-post check (Cabinet Office): every funded line must have
    /// its outcome recorded, and an emergency round must have had its follow-up review.
    pub async fn check_fund_round(&self, actor: &Actor, round_id: i64, note: &str) -> ServiceResult<()> {
        actor.check_year(YearAction::CheckFund)?;
        let note = check_text("note", note, true)?;
        let (round, fy, _) = self.fund_round_of(round_id).await?;
        if round.status != "decided" {
            return Err(ServiceError::Conflict(format!(
                "調整費の回 {round_id} はまだ決定されていません / round {round_id} is not decided yet"
            )));
        }
        if round.kind == "emergency" && round.reviewed_at.is_none() {
            return Err(ServiceError::Conflict(format!(
                "緊急配分 {round_id} の事後検証がまだです / emergency round {round_id} has not been reviewed yet"
            )));
        }
        let outcomes = self.store.fund_outcomes(fy.year()).await?;
        let missing: Vec<String> = self
            .store
            .fund_allocations(fy.year())
            .await?
            .iter()
            .filter(|a| a.round_id == round_id && !outcomes.iter().any(|o| o.allocation_id == a.id))
            .map(|a| format!("#{} {}/{}", a.id, a.ministry, a.line_id))
            .collect();
        if !missing.is_empty() {
            return Err(ServiceError::Conflict(format!(
                "成果が未記録の配分があります: {} / these allocations have no recorded outcome: {}",
                missing.join(", "),
                missing.join(", ")
            )));
        }
        let at = now();
        let mut tx = self.store.begin().await?;
        if !tx.check_fund_round(round_id, &note, &actor.name, &at).await? {
            return Err(ServiceError::Conflict(format!(
                "調整費の回 {round_id} は事後評価済みです / round {round_id}'s ex-post check is already done"
            )));
        }
        tx.append_event(&event(
            actor,
            "fund.check",
            format!("FY{}/fund/round/{round_id}", fy.year()),
            Some(fy),
            None,
            Some(json!({"note": note})),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_are_plain_names_of_known_types() {
        assert_eq!(attachment_type("進捗報告.PDF").unwrap(), "application/pdf");
        assert_eq!(attachment_type("needs.xlsx").unwrap().len(), 65);
        for bad in ["", "../etc/passwd.pdf", "a\\b.pdf", ".hidden.pdf", "page.html", "image.svg", "noext", "a\u{7}.pdf"]
        {
            assert!(attachment_type(bad).is_err(), "{bad:?} was taken");
        }
        assert!(attachment_type(&format!("{}.pdf", "あ".repeat(200))).is_err());
    }
}
