//! Compilation (取りまとめ): cross-tabulating request lines into the totals the Cabinet Office reports.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::apportion::apportion;
use crate::fiscal_year::FiscalYear;
use crate::line::RequestLine;
use crate::money::Yen;
use crate::shares::Shares;

/// Key for lines without an integrated project.
pub const NONE: &str = "NONE";
/// Key for lines without disease-area (or purpose) shares.
pub const UNASSIGNED: &str = "UNASSIGNED";

/// Which figures a compilation shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// The lines as requested by the ministries now.
    Requested,
    /// A frozen HQ compilation snapshot.
    Compiled,
    /// After negotiation with the fiscal authority.
    Settled,
}

/// Prior-year, requested and (once settled) settled amounts of one cell of a cross-tab.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Amounts {
    /// 前年度予算額
    pub prior_year: Yen,
    /// 要求額
    pub request: Yen,
    /// 査定額: the amount settled with the fiscal authority (settled stage only)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settled: Option<Yen>,
}

impl Amounts {
    fn add(&mut self, a: Amounts) {
        self.prior_year += a.prior_year;
        self.request += a.request;
        if let Some(s) = a.settled {
            self.settled = Some(self.settled.unwrap_or_default() + s);
        }
    }
}

/// One row keyed by a single code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRow {
    /// The code.
    pub key: String,
    /// Its amounts.
    #[serde(flatten)]
    pub amounts: Amounts,
}

/// One row of the ministry × project table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MinistryProjectRow {
    /// Ministry code.
    pub ministry: String,
    /// Project code or `NONE`.
    pub project: String,
    /// Its amounts.
    #[serde(flatten)]
    pub amounts: Amounts,
}

/// One row of the project × disease-area table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectDiseaseRow {
    /// Project code or `NONE`.
    pub project: String,
    /// Disease-area code or `UNASSIGNED`.
    pub disease_area: String,
    /// Its amounts.
    #[serde(flatten)]
    pub amounts: Amounts,
}

/// The compiled cross-tabs of a fiscal year. Every breakdown sums exactly to `total`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compilation {
    /// The year.
    pub fiscal_year: FiscalYear,
    /// Which figures.
    pub stage: Stage,
    /// How many lines.
    pub lines: usize,
    /// The grand total.
    pub total: Amounts,
    /// By ministry.
    pub by_ministry: Vec<KeyRow>,
    /// By integrated project (`NONE` for lines without one).
    pub by_project: Vec<KeyRow>,
    /// By budget channel.
    pub by_channel: Vec<KeyRow>,
    /// By disease area, shares apportioned in whole yen (`UNASSIGNED` for lines without shares).
    pub by_disease_area: Vec<KeyRow>,
    /// By development purpose, likewise.
    pub by_purpose: Vec<KeyRow>,
    /// Ministry × project.
    pub by_ministry_project: Vec<MinistryProjectRow>,
    /// Project × disease area.
    pub by_project_disease_area: Vec<ProjectDiseaseRow>,
}

/// Splits a line's amounts over its shares (largest remainder, each amount on its own, so each
/// sums to the whole), or puts all under `UNASSIGNED`.
fn split(a: Amounts, shares: Option<&Shares>) -> Vec<(String, Amounts)> {
    match shares {
        None => vec![(UNASSIGNED.to_string(), a)],
        Some(s) => {
            let weights: Vec<u64> = s.pairs().iter().map(|(_, p)| u64::from(*p)).collect();
            let prior = apportion(a.prior_year, &weights);
            let req = apportion(a.request, &weights);
            let settled = a.settled.map(|v| apportion(v, &weights));
            s.pairs()
                .iter()
                .enumerate()
                .map(|(i, (code, _))| {
                    (
                        code.clone(),
                        Amounts { prior_year: prior[i], request: req[i], settled: settled.as_ref().map(|v| v[i]) },
                    )
                })
                .collect()
        }
    }
}

fn rows(map: BTreeMap<String, Amounts>) -> Vec<KeyRow> {
    map.into_iter().map(|(key, amounts)| KeyRow { key, amounts }).collect()
}

/// Compiles lines into cross-tabs; arrays are sorted by key.
pub fn compile(fiscal_year: FiscalYear, stage: Stage, lines: &[RequestLine]) -> Compilation {
    compile_amounts(fiscal_year, stage, lines.iter().map(|l| (l, None)))
}

/// Compiles settled lines: each with the amount settled for it, shown beside the request.
pub fn compile_settled(fiscal_year: FiscalYear, lines: &[(RequestLine, Yen)]) -> Compilation {
    compile_amounts(fiscal_year, Stage::Settled, lines.iter().map(|(l, s)| (l, Some(*s))))
}

fn compile_amounts<'a>(
    fiscal_year: FiscalYear,
    stage: Stage,
    lines: impl Iterator<Item = (&'a RequestLine, Option<Yen>)>,
) -> Compilation {
    let mut count = 0;
    let mut total = Amounts { settled: (stage == Stage::Settled).then_some(Yen::ZERO), ..Amounts::default() };
    let mut by_ministry = BTreeMap::<String, Amounts>::new();
    let mut by_project = BTreeMap::<String, Amounts>::new();
    let mut by_channel = BTreeMap::<String, Amounts>::new();
    let mut by_disease = BTreeMap::<String, Amounts>::new();
    let mut by_purpose = BTreeMap::<String, Amounts>::new();
    let mut by_min_proj = BTreeMap::<(String, String), Amounts>::new();
    let mut by_proj_dis = BTreeMap::<(String, String), Amounts>::new();
    for (line, settled) in lines {
        count += 1;
        let a = Amounts { prior_year: line.prior_year, request: line.request, settled };
        let project = line.project.clone().unwrap_or_else(|| NONE.to_string());
        total.add(a);
        by_ministry.entry(line.ministry.clone()).or_default().add(a);
        by_project.entry(project.clone()).or_default().add(a);
        by_channel.entry(line.channel.clone()).or_default().add(a);
        by_min_proj.entry((line.ministry.clone(), project.clone())).or_default().add(a);
        for (code, part) in split(a, line.disease_areas.as_ref()) {
            by_disease.entry(code.clone()).or_default().add(part);
            by_proj_dis.entry((project.clone(), code)).or_default().add(part);
        }
        for (code, part) in split(a, line.purposes.as_ref()) {
            by_purpose.entry(code).or_default().add(part);
        }
    }
    Compilation {
        fiscal_year,
        stage,
        lines: count,
        total,
        by_ministry: rows(by_ministry),
        by_project: rows(by_project),
        by_channel: rows(by_channel),
        by_disease_area: rows(by_disease),
        by_purpose: rows(by_purpose),
        by_ministry_project: by_min_proj
            .into_iter()
            .map(|((ministry, project), amounts)| MinistryProjectRow { ministry, project, amounts })
            .collect(),
        by_project_disease_area: by_proj_dis
            .into_iter()
            .map(|((project, disease_area), amounts)| ProjectDiseaseRow { project, disease_area, amounts })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::LineId;

    fn line(ministry: &str, id: &str, project: Option<&str>, request: i64, diseases: Option<&str>) -> RequestLine {
        RequestLine {
            fiscal_year: FiscalYear::try_from(2023).unwrap(),
            ministry: ministry.into(),
            line_id: LineId::parse(id).unwrap(),
            name: format!("line {id}"),
            channel: "AMED".into(),
            project: project.map(Into::into),
            prior_year: Yen(request / 2),
            request: Yen(request),
            priority_frame: None,
            disease_areas: diseases.map(|d| Shares::from_code_string(d).unwrap()),
            purposes: None,
            is_new: false,
            summary: String::new(),
            kpi: String::new(),
        }
    }

    #[test]
    fn every_breakdown_sums_to_the_total() {
        let lines = vec![
            line("MEXT", "1", Some("PHARMA"), 1_000_001, Some("CANCER:60;INTRACTABLE:40")),
            line("MHLW", "1", None, 333, Some("CANCER:33;LIFESTYLE:33;INFECTIOUS:34")),
            line("MHLW", "2", Some("REGEN"), 7, None),
        ];
        let c = compile(FiscalYear::try_from(2023).unwrap(), Stage::Requested, &lines);
        assert_eq!(c.total.request, Yen(1_000_341));
        let sum = |rows: &[KeyRow]| rows.iter().map(|r| r.amounts.request).sum::<Yen>();
        for rows in [&c.by_ministry, &c.by_project, &c.by_channel, &c.by_disease_area, &c.by_purpose] {
            assert_eq!(sum(rows), c.total.request);
        }
        assert_eq!(c.by_project_disease_area.iter().map(|r| r.amounts.prior_year).sum::<Yen>(), c.total.prior_year);
        assert_eq!(c.by_project.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["NONE", "PHARMA", "REGEN"]);
        assert_eq!(c.by_purpose, vec![KeyRow { key: "UNASSIGNED".into(), amounts: c.total }]);
        let cancer = c.by_disease_area.iter().find(|r| r.key == "CANCER").unwrap();
        assert_eq!(cancer.amounts.request, Yen(600_001 + 110));
        assert!(serde_json::to_value(&c).unwrap()["total"].get("settled").is_none());
    }

    #[test]
    fn settled_amounts_appear_beside_requests_and_sum_to_their_total() {
        let lines = vec![
            (line("MEXT", "1", Some("PHARMA"), 1_000, Some("CANCER:50;INTRACTABLE:50")), Yen(901)),
            (line("MHLW", "1", None, 10, None), Yen(7)),
        ];
        let c = compile_settled(FiscalYear::try_from(2023).unwrap(), &lines);
        assert_eq!(c.stage, Stage::Settled);
        assert_eq!(c.total.settled, Some(Yen(908)));
        let sum = |rows: &[KeyRow]| rows.iter().map(|r| r.amounts.settled.unwrap()).sum::<Yen>();
        assert_eq!(sum(&c.by_disease_area), Yen(908));
        assert_eq!(sum(&c.by_ministry), Yen(908));
        assert_eq!(c.by_project_disease_area.iter().map(|r| r.amounts.settled.unwrap()).sum::<Yen>(), Yen(908));
    }
}
