//! A decided adjustment-fund round's execution plan (実行計画) as tables.

use std::collections::BTreeMap;

use super::{Column, ColumnKind, Table, Value, label, ordered, total_row};
use crate::compile::NONE;
use crate::money::Yen;
use crate::policy::{Kind, Policy};

/// One funded line of a round's execution plan (実行計画).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLine {
    /// 府省
    pub ministry: String,
    /// 事業番号
    pub line_id: String,
    /// 事業名 (empty if the line is no longer stored)
    pub name: String,
    /// 統合プロジェクト
    pub project: Option<String>,
    /// The round that allocated it.
    pub round: i64,
    /// The proposal funded (none for an emergency allocation).
    pub proposal: Option<i64>,
    /// 配分額
    pub amount: Yen,
    /// Why: the plan, HQ's reason for a change, or the emergency.
    pub reason: String,
}

/// The tables of an execution plan: the funded lines, and the amounts by integrated project.
pub fn execution_plan_tables(policy: &Policy, lines: &[PlanLine]) -> Vec<Table> {
    let columns = vec![
        Column::new("府省", "ministry", ColumnKind::Text),
        Column::new("事業番号", "line id", ColumnKind::Text),
        Column::new("事業名", "name", ColumnKind::Text),
        Column::new("統合プロジェクト", "integrated project", ColumnKind::Text),
        Column::new("提案", "proposal", ColumnKind::Text),
        Column::new("配分額", "allocated", ColumnKind::Amount),
        Column::new("理由", "reason", ColumnKind::Text),
    ];
    let rows: Vec<Vec<Value>> = lines
        .iter()
        .map(|l| {
            vec![
                Value::Text(label(policy, Kind::Ministry, &l.ministry)),
                Value::Text(l.line_id.clone()),
                Value::Text(l.name.clone()),
                Value::Text(l.project.as_deref().map(|p| label(policy, Kind::Project, p)).unwrap_or_default()),
                Value::Text(l.proposal.map(|p| format!("#{p}")).unwrap_or_else(|| "緊急".into())),
                Value::Amount(l.amount),
                Value::Text(l.reason.clone()),
            ]
        })
        .collect();
    let total = total_row(&columns, &rows);
    let funded = Table {
        sheet: "実行計画",
        name: "execution_plan",
        title_ja: "実行計画（対象事業と配分額）".into(),
        title_en: "Execution plan: the target lines and the amount for each".into(),
        columns,
        rows,
        total,
    };
    let mut by_project: BTreeMap<String, Yen> = BTreeMap::new();
    for l in lines {
        *by_project.entry(l.project.clone().unwrap_or_else(|| NONE.to_string())).or_default() += l.amount;
    }
    let columns = vec![
        Column::new("統合プロジェクト", "integrated project", ColumnKind::Text),
        Column::new("配分額", "allocated", ColumnKind::Amount),
    ];
    let rows: Vec<Vec<Value>> = ordered(policy, Kind::Project, by_project.keys().cloned())
        .into_iter()
        .map(|p| vec![Value::Text(label(policy, Kind::Project, &p)), Value::Amount(by_project[&p])])
        .collect();
    let total = total_row(&columns, &rows);
    let projects = Table {
        sheet: "統合プロジェクト別",
        name: "execution_plan_by_project",
        title_ja: "統合プロジェクト別の配分額".into(),
        title_en: "Allocated by integrated project".into(),
        columns,
        rows,
        total,
    };
    vec![funded, projects]
}

/// The year's allocations from the adjustment fund (追加配分) as one table of the budget book:
/// each with its round, marked 緊急 (emergency) where HQ allocated without a round's plan.
pub fn allocations_table(policy: &Policy, lines: &[PlanLine]) -> Table {
    let columns = vec![
        Column::new("回", "round", ColumnKind::Text),
        Column::new("種別", "kind", ColumnKind::Text),
        Column::new("府省", "ministry", ColumnKind::Text),
        Column::new("事業番号", "line id", ColumnKind::Text),
        Column::new("事業名", "name", ColumnKind::Text),
        Column::new("統合プロジェクト", "integrated project", ColumnKind::Text),
        Column::new("追加配分額", "allocated", ColumnKind::Amount),
        Column::new("理由", "reason", ColumnKind::Text),
    ];
    let rows: Vec<Vec<Value>> = lines
        .iter()
        .map(|l| {
            vec![
                Value::Text(format!("#{}", l.round)),
                Value::Text(if l.proposal.is_some() { "通常" } else { "緊急" }.into()),
                Value::Text(label(policy, Kind::Ministry, &l.ministry)),
                Value::Text(l.line_id.clone()),
                Value::Text(l.name.clone()),
                Value::Text(l.project.as_deref().map(|p| label(policy, Kind::Project, p)).unwrap_or_default()),
                Value::Amount(l.amount),
                Value::Text(l.reason.clone()),
            ]
        })
        .collect();
    let total = total_row(&columns, &rows);
    Table {
        sheet: "調整費配分",
        name: "adjustment_fund",
        title_ja: "調整費による追加配分（緊急: 推進本部の緊急配分）".into(),
        title_en: "Additional allocations from the adjustment fund (emergency: HQ's emergency allocations)".into(),
        columns,
        rows,
        total,
    }
}
