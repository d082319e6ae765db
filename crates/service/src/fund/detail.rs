//! Everything a round's page shows: its phase, proposals with their scores and attachments, its
//! allocations with their outcomes, and the policy's criteria.

use haibun_domain::fund::{RoundFacts, RoundPhase, expost_due};
use haibun_domain::policy::Criterion;
use haibun_store::{AllocationRow, AttachmentRow, OutcomeRow, ProposalRow, RoundRow};

use super::{all_scored, rules};
use crate::{Actor, Service, ServiceResult};

/// A round as its page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RoundDetail {
    /// The round.
    pub round: RoundRow,
    /// Where it stands.
    pub phase: RoundPhase,
    /// The ex-post check's deadline, once decided.
    pub check_due: Option<String>,
    /// The proposals.
    pub proposals: Vec<ProposalRow>,
    /// Their scores: (proposal, criterion, score).
    pub scores: Vec<(i64, String, i64)>,
    /// Files attached to the proposals.
    pub attachments: Vec<AttachmentRow>,
    /// What the round allocated.
    pub allocations: Vec<AllocationRow>,
    /// What the funded lines achieved.
    pub outcomes: Vec<OutcomeRow>,
    /// The policy's criteria.
    pub criteria: Vec<Criterion>,
    /// Scores run from 0 to this.
    pub score_max: u8,
}

impl Service {
    /// A round with everything its page shows.
    pub async fn fund_round(&self, actor: &Actor, round_id: i64) -> ServiceResult<RoundDetail> {
        actor.check_read(None)?;
        let (round, fy, policy) = self.fund_round_of(round_id).await?;
        let rules = rules(&policy)?;
        let proposals = self.store.fund_proposals(round_id).await?;
        let scores = self.store.fund_scores(round_id).await?;
        let attachments = self.store.fund_attachments(round_id).await?;
        let allocations: Vec<AllocationRow> =
            self.store.fund_allocations(fy.year()).await?.into_iter().filter(|a| a.round_id == round_id).collect();
        let outcomes: Vec<OutcomeRow> = self
            .store
            .fund_outcomes(fy.year())
            .await?
            .into_iter()
            .filter(|o| allocations.iter().any(|a| a.id == o.allocation_id))
            .collect();
        let fully_scored = all_scored(rules, &proposals, &scores);
        let phase = RoundPhase::of(RoundFacts {
            emergency: round.kind == "emergency",
            decided: round.status == "decided",
            fully_scored,
            reviewed: round.reviewed_at.is_some(),
            checked: round.checked_at.is_some(),
        });
        let check_due = (round.status == "decided").then(|| expost_due(fy, rules.expost_check_days));
        Ok(RoundDetail {
            round,
            phase,
            check_due,
            proposals,
            scores,
            attachments,
            allocations,
            outcomes,
            criteria: rules.criteria.clone(),
            score_max: rules.score_max,
        })
    }
}
