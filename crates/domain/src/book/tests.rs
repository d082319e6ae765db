//! The book's tables against hand-computed figures.

use super::*;
use crate::line::RequestLine;

fn policy() -> Policy {
    Policy::builtin(FiscalYear::try_from(2023).unwrap()).unwrap().unwrap()
}

fn line(m: &str, id: &str, project: Option<&str>, prior: i64, request: i64, d: Option<&str>) -> RequestLine {
    RequestLine {
        fiscal_year: FiscalYear::try_from(2023).unwrap(),
        ministry: m.into(),
        line_id: LineId::parse(id).unwrap(),
        name: format!("事業{id}"),
        channel: "AMED".into(),
        project: project.map(Into::into),
        prior_year: Yen(prior),
        request: Yen(request),
        priority_frame: None,
        disease_areas: d.map(|d| Shares::from_code_string(d).unwrap()),
        purposes: None,
        is_new: prior == 0,
        summary: String::new(),
        kpi: String::new(),
        priority_items: Vec::new(),
        justification: String::new(),
        rs_id: String::new(),
    }
}

fn meta(stage: Stage, prior_held: &[&str]) -> BookMeta {
    BookMeta {
        audit_anchor: None,
        fiscal_year: FiscalYear::try_from(2023).unwrap(),
        stage,
        snapshot: None,
        generated_at: "2023-01-01T00:00:00Z".into(),
        generated_by: "test".into(),
        unit: ReportUnit::MillionYen,
        prior_held: prior_held.iter().map(|m| m.to_string()).collect(),
    }
}

fn amount(v: &Value) -> Yen {
    match v {
        Value::Amount(y) => *y,
        other => panic!("not an amount: {other:?}"),
    }
}

fn prior(m: &str, id: &str, amount: i64) -> PriorLine {
    PriorLine {
        ministry: m.into(),
        line_id: LineId::parse(id).unwrap(),
        name: format!("旧事業{id}"),
        channel: "AMED".into(),
        project: Some("PHARMA".into()),
        disease_areas: Some(Shares::from_code_string("CANCER:100").unwrap()),
        purposes: None,
        amount: Yen(amount),
    }
}

#[test]
fn a_held_prior_year_matches_lines_by_id_and_shows_new_and_ended_lines() {
    let p = policy();
    let current = vec![
        (line("MEXT", "1", Some("PHARMA"), 0, 1_000_001, Some("CANCER:60;INTRACTABLE:40")), Some(Yen(900_000))),
        (line("MHLW", "9", None, 5, 7, None), Some(Yen(7))),
    ];
    let held = vec![prior("MEXT", "1", 800_000), prior("MHLW", "2", 333)];
    let book = build(&p, meta(Stage::Settled, &["MEXT", "MHLW"]), &current, &held);
    let lines = book.tables.iter().find(|t| t.name == "lines").unwrap();
    let status: Vec<(&Value, &Value)> = lines.rows.iter().map(|r| (&r[1], &r[5])).collect();
    assert_eq!(
        status,
        [
            (&Value::Text("1".into()), &Value::Text("継続".into())),
            (&Value::Text("2".into()), &Value::Text("終了".into())),
            (&Value::Text("9".into()), &Value::Text("新規".into())),
        ]
    );
    // 前年度 | 要求額 | 政府予算案額 | 増減 | 前年度比 after six text columns.
    assert_eq!(amount(&lines.total[6]), Yen(800_333));
    assert_eq!(amount(&lines.total[8]), Yen(900_007));
    assert_eq!(amount(&lines.total[9]), Yen(900_007 - 800_333));
    for t in &book.tables {
        // Every summing column's total is the sum of its cells, and every table's this-year
        // total is the compilation's.
        for (c, col) in t.columns.iter().enumerate().filter(|(_, c)| c.kind.sums()) {
            if col.kind == ColumnKind::Count {
                continue;
            }
            assert_eq!(
                amount(&t.total[c]),
                t.rows.iter().map(|r| amount(&r[c])).sum::<Yen>(),
                "{} {}",
                t.sheet,
                col.ja
            );
        }
        let current_total = t
            .columns
            .iter()
            .position(|c| c.ja == "合計" || c.ja == "政府予算案額")
            .map(|c| amount(&t.total[c]))
            .unwrap();
        assert_eq!(current_total, book.compilation.total.current(), "{}", t.sheet);
    }
    let summary = &book.tables[0];
    let prior_col = summary.columns.iter().position(|c| c.ja == "前年度予算額").unwrap();
    assert_eq!(amount(&summary.total[prior_col]), Yen(800_333));
}

#[test]
fn without_a_held_prior_year_the_declared_column_is_the_prior_year() {
    let p = policy();
    let current = vec![(line("MEXT", "1", Some("PHARMA"), 400, 1_000, None), None)];
    let book = build(&p, meta(Stage::Requested, &[]), &current, &[]);
    let by_m = book.tables.iter().find(|t| t.name == "by_ministry").unwrap();
    assert_eq!(
        by_m.rows[0][1..],
        [
            Value::Amount(Yen(400)),
            Value::Amount(Yen(1_000)),
            Value::Amount(Yen(600)),
            Value::Ratio(Some((Yen(1_000), Yen(400))))
        ]
    );
    assert_eq!(Value::percent_tenths(Yen(1_000), Yen(400)), Some(2500));
    assert_eq!(Value::percent_tenths(Yen(2), Yen(3)), Some(667));
    assert_eq!(Value::percent_tenths(Yen(1), Yen(0)), None);
}

#[test]
fn units_round_half_away_from_zero_exactly() {
    assert_eq!(ReportUnit::MillionYen.round(Yen(1_499_999)), 1);
    assert_eq!(ReportUnit::MillionYen.round(Yen(1_500_000)), 2);
    assert_eq!(ReportUnit::HundredMillionYen.round(Yen(-150_000_000)), -2);
    assert_eq!(ReportUnit::Yen.round(Yen(7)), 7);
    assert_eq!("億円".parse::<ReportUnit>(), Ok(ReportUnit::HundredMillionYen));
    assert!("万円".parse::<ReportUnit>().is_err());
}

#[test]
fn the_allocations_table_marks_emergencies_and_totals_every_allocation() {
    let p = policy();
    let plan_line = |round: i64, proposal: Option<i64>, amount: i64| PlanLine {
        ministry: "MEXT".into(),
        line_id: "MEXT-0001".into(),
        name: "事業".into(),
        project: Some("PHARMA".into()),
        round,
        proposal,
        amount: Yen(amount),
        reason: "理由".into(),
    };
    let t = allocations_table(&p, &[plan_line(1, Some(7), 20_000_000), plan_line(2, None, 5_000_000)]);
    assert_eq!(t.sheet, "調整費配分");
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.rows[0][..2], [Value::Text("#1".into()), Value::Text("通常".into())]);
    assert_eq!(t.rows[1][..2], [Value::Text("#2".into()), Value::Text("緊急".into())]);
    assert_eq!(amount(&t.total[6]), Yen(25_000_000));
    assert!(
        matches!(&t.rows[0][5], Value::Text(s) if !s.is_empty() && s != "PHARMA"),
        "the project's name, not its code"
    );
}
