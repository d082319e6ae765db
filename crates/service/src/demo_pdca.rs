//! The demo's PDCA (fictional): three measures with KPIs of three ministries and the logic
//! model, lines linked to them, and a follow-up round part-way through — MEXT and METI have
//! reported two years of actuals, MHLW's reports are overdue, one measure is evaluated and one
//! line has HQ's action. Everything goes through the real use cases as the demo users.

use haibun_domain::{FiscalYear, RequestLine, Yen};

use crate::pdca::{KpiInput, MeasureInput};
use crate::{Service, ServiceResult};

/// (code, name, project).
const MEASURES: [(&str, &str, &str); 3] = [
    ("M-PHARMA-01", "（架空）創薬標的の探索から臨床試験への橋渡しを加速する", "PHARMA"),
    ("M-REGEN-01", "（架空）再生・細胞医療の製造技術を確立し実用化を進める", "REGEN"),
    ("M-GENOME-01", "（架空）全ゲノム解析の結果を臨床と研究に還元する", "GENOME"),
];

/// (code, measure, ministry, kind, indicator, unit, direction, baseline, targets).
type Kpi = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<(&'static str, i64)>,
    &'static [(i64, &'static str)],
);

const KPIS: [Kpi; 5] = [
    (
        "K-PH-ACT",
        "M-PHARMA-01",
        "MEXT",
        "activity",
        "（架空）創薬支援の課題数",
        "件",
        "higher",
        None,
        &[(2021, "40"), (2022, "45"), (2023, "50")],
    ),
    (
        "K-PH-OUT",
        "M-PHARMA-01",
        "MHLW",
        "outcome-short",
        "（架空）企業への導出件数",
        "件",
        "higher",
        Some(("10", 2020)),
        &[(2021, "13"), (2022, "16"), (2023, "20")],
    ),
    (
        "K-RG-OUT",
        "M-REGEN-01",
        "MEXT",
        "output",
        "（架空）非臨床 POC の取得数",
        "件",
        "higher",
        None,
        &[(2021, "5"), (2022, "8"), (2023, "10")],
    ),
    (
        "K-RG-OC",
        "M-REGEN-01",
        "METI",
        "outcome-mid",
        "（架空）細胞製品 1 ロットあたりの製造費",
        "百万円",
        "lower",
        Some(("30", 2020)),
        &[(2021, "28"), (2022, "25"), (2023, "20")],
    ),
    (
        "K-GN-OUT",
        "M-GENOME-01",
        "MHLW",
        "output",
        "（架空）全ゲノム解析の症例数",
        "症例",
        "higher",
        None,
        &[(2021, "5000"), (2022, "10000"), (2023, "15000")],
    ),
];

/// Two years of actuals: (KPI, year, value, comment).
const ACTUALS: [(&str, i64, &str, &str); 6] = [
    ("K-PH-ACT", 2021, "42", ""),
    ("K-PH-ACT", 2022, "44", "（架空）公募の採択が 1 件少なかった"),
    ("K-RG-OUT", 2021, "6", ""),
    ("K-RG-OUT", 2022, "8", ""),
    ("K-RG-OC", 2021, "27.5", ""),
    ("K-RG-OC", 2022, "24.8", "（架空）自動培養装置の導入による"),
];

impl Service {
    /// Loads the demo's measures, links and follow-up round, before the packages move on (a
    /// line is linked while its package may be edited). Returns a one-line summary.
    pub(crate) async fn load_demo_pdca(
        &self,
        fy: FiscalYear,
        lines: &[RequestLine],
        today: &str,
    ) -> ServiceResult<String> {
        let (co, hq) = (self.actor(Some("co-yamada")).await?, self.actor(Some("hq-kobayashi")).await?);
        for (code, name, project) in MEASURES {
            self.add_measure(&co, fy, &MeasureInput { code: code.into(), name: name.into(), project: project.into() })
                .await?;
        }
        for (code, measure, ministry, kind, indicator, unit, direction, baseline, targets) in KPIS {
            let input = KpiInput {
                code: code.into(),
                measure: measure.into(),
                ministry: ministry.into(),
                kind: kind.into(),
                indicator: indicator.into(),
                unit: unit.into(),
                direction: direction.into(),
                source: "（架空）所管府省調べ".into(),
                baseline: baseline.map(|(v, y)| (v.to_string(), y)),
                targets: targets.iter().map(|(y, v)| (*y, v.to_string())).collect(),
            };
            self.add_kpi(&co, fy, &input).await?;
        }
        self.link_kpis(&co, fy, "K-PH-ACT", "K-PH-OUT").await?;
        self.link_kpis(&co, fy, "K-RG-OUT", "K-RG-OC").await?;
        // Each KPI's ministry links its first line of the measure's project.
        let mut linked = Vec::new();
        for (code, measure, ministry, ..) in KPIS {
            let project = MEASURES.iter().find(|m| m.0 == measure).map(|m| m.2);
            let Some(line) = lines.iter().find(|l| l.ministry == ministry && l.project.as_deref() == project) else {
                continue;
            };
            let staff = self.actor(Some(staff_of(ministry))).await?;
            self.link_line(&staff, fy, ministry, line.line_id.as_str(), measure, Some(code)).await?;
            linked.push(line);
        }
        let round = self
            .open_followup(
                &co,
                fy,
                "（架空）令和4年度フォローアップ（中間）",
                &crate::demo::shift(today, -3)?,
                &crate::demo::shift(today, 14)?,
            )
            .await?;
        for (kpi, year, value, comment) in ACTUALS {
            let ministry = KPIS.iter().find(|k| k.0 == kpi).map_or("", |k| k.2);
            let staff = self.actor(Some(staff_of(ministry))).await?;
            self.report_actual(&staff, round, kpi, year, value, "（架空）所管府省調べ", comment).await?;
        }
        self.evaluate_measure(&co, round, "M-REGEN-01", "on-track", "（架空）POC 取得と製造費の低減がともに計画どおり")
            .await?;
        if let Some(regen) = linked.iter().find(|l| l.project.as_deref() == Some("REGEN")) {
            self.record_line_action(
                &hq,
                round,
                &regen.ministry,
                regen.line_id.as_str(),
                "expand",
                Yen(100_000_000),
                "（架空）順調のため、製造技術の実証を拡充する",
            )
            .await?;
        }
        // Last year's execution of the linked lines, as a (fictional) RS 2-1 file reports it.
        let mut csv = String::from(
            "\u{feff}シート種別,事業年度,予算事業ID,事業名,府省庁,予算年度,当初予算（合計）,補正予算（合計）,前年度からの繰越し（合計）,予備費等（合計）,計（歳出予算現額合計）,執行額（合計）,執行率,翌年度への繰越し(合計）,翌年度要求額（合計）,主な増減理由,会計区分",
        );
        let mut seen = std::collections::BTreeSet::new();
        let with_budget =
            linked.iter().filter(|l| !l.rs_id.is_empty() && l.prior_year.get() > 0 && seen.insert(&l.rs_id));
        for (i, l) in with_budget.enumerate() {
            let budget = l.prior_year.get();
            let executed = budget / 1000 * (88 + i as i64 % 10) / 100 * 1000;
            // 執行率 as RS files write it, a ratio to five places, in integer arithmetic.
            let rate = i128::from(executed) * 100_000 / i128::from(budget);
            csv.push_str(&format!(
                "\r\n事業,{},{},（架空）{},{},{},{budget},0,0,0,{budget},{executed},{}.{:05},0,{},（架空）前年度並み,",
                fy.year() - 1,
                l.rs_id,
                l.name.replace([',', '"'], " "),
                l.ministry,
                fy.year() - 1,
                rate / 100_000,
                rate % 100_000,
                l.request.get(),
            ));
        }
        let rs = self.import_rs_budget(&co, "demo-2-1_RS.csv", csv.as_bytes()).await?;
        Ok(format!(
            "{} 施策/measures, {} 指標/KPIs, フォローアップ #{round}, RS 2-1 {} 行/rows",
            MEASURES.len(),
            KPIS.len(),
            rs.stored
        ))
    }
}

/// The demo user who reports for a ministry.
fn staff_of(ministry: &str) -> &'static str {
    crate::demo::DEMO_USERS.iter().find(|(_, _, m)| *m == Some(ministry)).map_or("admin", |(n, _, _)| n)
}
