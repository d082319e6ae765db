//! Editing one line with optimistic concurrency.

use haibun_domain::line::{CellValue, Field, RawCell, RowContext, parse_row, to_cells};
use haibun_domain::policy::Policy;
use haibun_domain::problem::Location;
use haibun_domain::workflow::Action;
use haibun_domain::{FiscalYear, LineId, Unit};
use haibun_store::{LineChange, Tx};
use serde_json::json;

use crate::cycle::event;
use crate::{Actor, Service, ServiceError, ServiceResult};

/// Changes to one line: each field given as a person would type it (amounts in yen).
#[derive(Debug, Clone, Default)]
pub struct LinePatch {
    /// Field → new text; an empty text clears an optional field.
    pub fields: Vec<(Field, String)>,
}

impl Service {
    /// Changes one line. `read_version` is the version the editor read; if the line changed since,
    /// nothing is written and a conflict (exit 3, HTTP 409) is returned. Returns the new version.
    pub async fn update_line(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: &str,
        line_id: &str,
        read_version: i64,
        patch: &LinePatch,
    ) -> ServiceResult<i64> {
        let policy = self.policy(fy).await?;
        let ministry = Self::ministry_code(&policy, ministry)?;
        actor.check_package(Action::EditLines, &ministry)?;
        let id = LineId::parse(line_id).ok_or_else(|| {
            ServiceError::not_found(format!("事業 {line_id} はありません"), format!("no line {line_id}"))
        })?;
        let mut tx = self.store.begin().await?;
        let (version, change) =
            self.update_line_in(&mut tx, actor, &policy, &ministry, &id, read_version, patch).await?;
        if let Some((before, after)) = change {
            let target = format!("FY{}/{ministry}/{id}", fy.year());
            tx.append_event(&event(actor, "line.update", target, Some(fy), Some(before), Some(after))).await?;
        }
        tx.commit().await?;
        Ok(version)
    }

    /// [`Service::update_line`] inside `tx`, for a use case that writes more in the same
    /// transaction; `ministry` is a checked code. Nothing is committed and nothing audited: the
    /// line before and after, if it changed, is returned for the caller's one audit event.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn update_line_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        policy: &Policy,
        ministry: &str,
        id: &LineId,
        read_version: i64,
        patch: &LinePatch,
    ) -> ServiceResult<(i64, Option<(serde_json::Value, serde_json::Value)>)> {
        let fy = policy.fiscal_year;
        let (ministry, line_id) = (ministry.to_string(), id.as_str());
        self.apply(tx, actor, fy, &ministry, Action::EditLines, None).await?;
        let current = tx.line(fy, &ministry, id).await?.ok_or_else(|| {
            ServiceError::not_found(
                format!("{ministry} の事業 {line_id} はありません"),
                format!("{ministry} has no line {line_id}"),
            )
        })?;
        // The edited line goes through the same parsing and checks as an imported row.
        let at = Location { field: None, ..Location::field("--line") };
        let cells: Vec<RawCell> = to_cells(&current.line, policy, Unit::Yen)
            .into_iter()
            .map(|(field, text)| {
                let text = patch.fields.iter().rev().find(|(f, _)| *f == field).map_or(text, |(_, t)| t.clone());
                let value = if text.is_empty() { CellValue::Empty } else { CellValue::Text(text) };
                RawCell { field, value, location: Location::field(format!("--{}", field.key().replace('_', "-"))) }
            })
            .collect();
        if patch.fields.iter().any(|(f, _)| *f == Field::LineId) {
            return Err(ServiceError::Conflict("事業番号は変更できません / a line id cannot be changed".into()));
        }
        let ctx = RowContext { policy, fiscal_year: fy, ministry: &ministry, unit: Unit::Yen };
        let line = parse_row(&cells, &at, ctx).map_err(ServiceError::Invalid)?;
        let change = tx.save_line(&line, Some(read_version), &actor.name, &crate::now()).await?;
        crate::cycle::check_year_total(tx, fy, Location::field("--request")).await?;
        let version = match change {
            LineChange::Updated { from } => from + 1,
            LineChange::Unchanged | LineChange::Inserted => current.version,
        };
        let audit = (change != LineChange::Unchanged).then(|| {
            (json!({"version": current.version, "line": current.line}), json!({"version": version, "line": line}))
        });
        Ok((version, audit))
    }

    /// Adds one line, checked exactly as an imported row; an id already in use is a conflict.
    /// Returns the new line's id.
    pub async fn create_line(
        &self,
        actor: &Actor,
        fy: FiscalYear,
        ministry: &str,
        patch: &LinePatch,
    ) -> ServiceResult<String> {
        let policy = self.policy(fy).await?;
        let ministry = Self::ministry_code(&policy, ministry)?;
        actor.check_package(Action::EditLines, &ministry)?;
        let cells: Vec<RawCell> = Field::ALL
            .into_iter()
            .map(|field| {
                let text =
                    patch.fields.iter().rev().find(|(f, _)| *f == field).map(|(_, t)| t.clone()).unwrap_or_default();
                let value = if text.trim().is_empty() { CellValue::Empty } else { CellValue::Text(text) };
                RawCell { field, value, location: Location::field(format!("--{}", field.key().replace('_', "-"))) }
            })
            .collect();
        let ctx = RowContext { policy: &policy, fiscal_year: fy, ministry: &ministry, unit: Unit::Yen };
        let line = parse_row(&cells, &Location::field("--line"), ctx).map_err(ServiceError::Invalid)?;
        let mut tx = self.store.begin().await?;
        self.apply(&mut tx, actor, fy, &ministry, Action::EditLines, None).await?;
        if tx.line(fy, &ministry, &line.line_id).await?.is_some() {
            return Err(ServiceError::Conflict(format!(
                "事業番号 {} は既にあります / line id {} is already in use",
                line.line_id, line.line_id
            )));
        }
        tx.save_line(&line, None, &actor.name, &crate::now()).await?;
        crate::cycle::check_year_total(&mut tx, fy, Location::field("--request")).await?;
        tx.append_event(&event(
            actor,
            "line.create",
            format!("FY{}/{ministry}/{}", fy.year(), line.line_id),
            Some(fy),
            None,
            Some(json!({"version": 1, "line": line})),
        ))
        .await?;
        tx.commit().await?;
        Ok(line.line_id.to_string())
    }
}
