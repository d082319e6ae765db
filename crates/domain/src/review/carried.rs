//! What last year's follow-up (§6 PDCA) carries into this year's request: HQ's action for a
//! line and the KPIs it served that fell short. Two checks read it: a line whose action was to
//! reduce or end it must not ask for more than last year (ACTION_NOT_FOLLOWED), and a line whose
//! KPIs fell short must state how it responds (KPI_SHORTFALL_RESPONSE).

use serde::Serialize;

use super::Ctx;
use crate::pdca::LineAction;
use crate::{RequestLine, Yen};

/// Last year's follow-up as it bears on one line of this year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Carried {
    /// 府省.
    pub ministry: String,
    /// 事業番号.
    pub line_id: String,
    /// HQ's action for the line, if one was recorded.
    pub action: Option<LineAction>,
    /// Its amount to reflect (反映額).
    pub amount: Yen,
    /// Its reason.
    pub reason: String,
    /// The KPIs the line served that fell short of their targets.
    pub short_kpis: Vec<String>,
    /// The ministry's stated response in this year's request, if any.
    pub response: Option<String>,
    /// The line's settled amount last year, if the year was settled: what "grows" is measured
    /// against (the request's own prior-year figure is the ministry's to edit).
    pub settled: Option<Yen>,
}

pub(super) fn check(ctx: &mut Ctx<'_>, lines: &[RequestLine], carried: &[Carried]) {
    for c in carried {
        let Some(line) = lines.iter().find(|l| l.ministry == c.ministry && l.line_id.as_str() == c.line_id) else {
            continue;
        };
        let base = c.settled.unwrap_or(line.prior_year);
        if let Some(a) = c.action.filter(|a| a.must_not_grow())
            && line.request > base
        {
            ctx.push(
                "ACTION_NOT_FOLLOWED",
                Some(line),
                Some("request"),
                format!(
                    "前年度のフォローアップで「{}」（反映額 {}円）とされましたが、要求額（{}円）が前年度の確定額（{}円）を上回っています。理由: {}",
                    a.name_ja(),
                    c.amount,
                    line.request,
                    base,
                    c.reason
                ),
                format!(
                    "last year's follow-up decided to {a} this line (amount {} yen), yet the request ({} yen) exceeds last year's settled amount ({} yen); reason: {}",
                    c.amount.get(),
                    line.request.get(),
                    base.get(),
                    c.reason
                ),
                Vec::new(),
            );
        }
        let answered = c.response.as_deref().is_some_and(|r| !r.trim().is_empty());
        if !c.short_kpis.is_empty() && !answered {
            ctx.push(
                "KPI_SHORTFALL_RESPONSE",
                Some(line),
                Some("pdca_response"),
                format!(
                    "前年度の指標 {} が目標に届いていませんが、対応方針が記載されていません",
                    c.short_kpis.join("・")
                ),
                format!("last year's KPIs {} fell short, and no response is stated", c.short_kpis.join(", ")),
                c.short_kpis.clone(),
            );
        }
    }
}
