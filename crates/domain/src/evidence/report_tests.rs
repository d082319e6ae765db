//! The report against figures worked out by hand.

use super::*;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn crit(code: &str, weight: u32) -> Criterion {
    Criterion { code: code.into(), name_ja: code.into(), name_en: code.into(), weight }
}

fn rules(sensitivity_points: u32) -> EvidenceRules {
    EvidenceRules {
        section: "4".into(),
        window_years: 2,
        sensitivity_points,
        japan: vec!["JPN".into()],
        indicators: vec![crit(FUNDING_GAP, 60), crit(WORLD_GROWTH, 40)],
    }
}

fn money(dimension: Dimension, area: &str, request: i64, prior: i64) -> AreaMoney {
    AreaMoney {
        dimension,
        area: area.into(),
        name_ja: area.into(),
        name_en: area.into(),
        request: Yen(request),
        prior: Yen(prior),
    }
}

fn map(source: Source, category: &str, dimension: Dimension, area: &str) -> MappingRow {
    MappingRow { source, category: category.into(), dimension, shares: Shares::new(vec![(area.into(), 100)]).unwrap() }
}

fn fund(category: &str, year: i64, amount: &str, currency: &str) -> FundingRow {
    FundingRow { funder: "NIH".into(), category: category.into(), year, amount: d(amount), currency: currency.into() }
}

fn paper(field: &str, country: &str, year: i64, count: u64) -> PublicationRow {
    PublicationRow { field: field.into(), country: country.into(), year, count }
}

struct Fixture {
    areas: Vec<AreaMoney>,
    funding: Vec<FundingRow>,
    mapping: Vec<MappingRow>,
    publications: Vec<PublicationRow>,
    survey: Vec<SurveyRow>,
    rates: Vec<Rate>,
}

fn fixture() -> Fixture {
    use Dimension::*;
    Fixture {
        areas: vec![
            money(DiseaseArea, "CANCER", 300, 200),
            money(DiseaseArea, "INFECTIOUS", 100, 0),
            money(DiseaseArea, "RARE", 0, 0),
            money(Project, "PHARMA", 400, 400),
        ],
        funding: vec![
            fund("Cancer", 2021, "1", "USD"),
            fund("Cancer", 2022, "2", "USD"),
            fund("Infectious Diseases", 2022, "2", "USD"),
            fund("Something else", 2022, "1", "USD"),
        ],
        mapping: vec![
            map(Source::Funding, "Cancer", DiseaseArea, "CANCER"),
            map(Source::Funding, "Infectious Diseases", DiseaseArea, "INFECTIOUS"),
            map(Source::Publications, "Oncology", DiseaseArea, "CANCER"),
            map(Source::Publications, "Oncology", Project, "PHARMA"),
            map(Source::Publications, "Virology", DiseaseArea, "INFECTIOUS"),
        ],
        publications: vec![
            paper("Oncology", "JPN", 2020, 10),
            paper("Oncology", "USA", 2020, 90),
            paper("Oncology", "JPN", 2022, 11),
            paper("Oncology", "USA", 2022, 110),
            paper("Virology", "WORLD", 2020, 50),
            paper("Virology", "JPN", 2020, 5),
            paper("Virology", "WORLD", 2022, 50),
            paper("Virology", "JPN", 2022, 10),
        ],
        survey: vec![
            SurveyRow {
                dimension: DiseaseArea,
                area: "CANCER".into(),
                question: "Q1".into(),
                score: d("4"),
                respondents: 10,
            },
            SurveyRow {
                dimension: DiseaseArea,
                area: "CANCER".into(),
                question: "Q2".into(),
                score: d("2"),
                respondents: 30,
            },
        ],
        rates: vec![Rate { currency: "USD".into(), year: 2022, yen_per_unit: d("100") }],
    }
}

fn run(f: &Fixture, rules: &EvidenceRules) -> Result<EvidenceReport, EvidenceError> {
    build(Inputs {
        rules,
        areas: &f.areas,
        funding: &f.funding,
        mapping: &f.mapping,
        publications: &f.publications,
        survey: &f.survey,
        rates: &f.rates,
    })
}

fn area<'a>(r: &'a EvidenceReport, code: &str) -> &'a AreaEvidence {
    r.areas.iter().find(|a| a.money.area == code).unwrap()
}

#[test]
fn money_shares_against_the_overseas_funder_by_hand() {
    let r = run(&fixture(), &rules(10)).unwrap();
    assert_eq!(r.funding_years, [("NIH".to_string(), 2022)], "only the funder's latest year counts");
    // Overseas, 2022 at 100 yen/USD: CANCER 200, INFECTIOUS 200 (the unmapped 100 is listed, not counted).
    let (c, i, rare) = (area(&r, "CANCER"), area(&r, "INFECTIOUS"), area(&r, "RARE"));
    assert_eq!((c.overseas_yen, c.overseas_share_pct), (d("200"), Some(d("50.0"))));
    assert_eq!(r.unmapped, [("funding".to_string(), "Something else".to_string())]);
    // Japan: 300 and 100 of 400 requested.
    assert_eq!((c.japan_share_pct, i.japan_share_pct), (Some(d("75.0")), Some(d("25.0"))));
    assert_eq!((c.funding_gap_pt, i.funding_gap_pt), (Some(d("-25.0")), Some(d("25.0"))));
    // An empty area: no money on either side is a zero share, not a missing one.
    assert_eq!(
        (rare.japan_share_pct, rare.overseas_share_pct, rare.funding_gap_pt),
        (Some(d("0")), Some(d("0")), Some(d("0")))
    );
    // Request change: 300 against 200 is +50 %; against no budget there is no change to show.
    assert_eq!((c.request_change_pct, i.request_change_pct), (Some(d("50.0")), None));
    // Projects: no funding category is mapped onto a project, so no overseas share (zero total).
    let pharma = area(&r, "PHARMA");
    assert_eq!((pharma.overseas_share_pct, pharma.funding_gap_pt), (None, None));
    assert_eq!((pharma.japan_share_pct, pharma.request_change_pct), (Some(d("100.0")), Some(d("0.0"))));
}

#[test]
fn publication_growth_and_japans_share_by_hand() {
    let r = run(&fixture(), &rules(10)).unwrap();
    assert_eq!(r.window, Some((2020, 2022)));
    let c = area(&r, "CANCER");
    // World 100 → 121 over two years: 10 % a year; Japan 10 → 11: √1.1 − 1 = 4.88 %.
    assert_eq!((c.world_cagr_pct, c.japan_cagr_pct), (Some(10.0), Some(4.9)));
    // Japan's share 10.0 % → 9.1 % (11/121): down 0.9 points, so the decline indicator is +0.9.
    assert_eq!(c.publications.iter().map(|p| p.japan_share_pct).collect::<Vec<_>>(), [Some(d("10.0")), Some(d("9.1"))]);
    assert_eq!(c.japan_share_change_pt, Some(d("-0.9")));
    assert_eq!(c.values[JAPAN_SHARE_DECLINE], Some(0.9));
    // Virology: an explicit WORLD row is the world total (not added to the countries).
    let i = area(&r, "INFECTIOUS");
    assert_eq!((i.world_cagr_pct, i.japan_share_change_pt), (Some(0.0), Some(d("10.0"))));
    // A field mapped onto a project counts there too; an area without papers has none.
    assert_eq!(area(&r, "PHARMA").world_cagr_pct, Some(10.0));
    assert_eq!((area(&r, "RARE").world_cagr_pct, area(&r, "RARE").publications.len()), (None, 0));
    // Survey: (4 × 10 + 2 × 30) / 40 = 2.5 over 40 respondents.
    assert_eq!((c.survey_score, c.survey_respondents), (Some(d("2.5")), 40));
}

#[test]
fn a_single_year_of_papers_has_no_growth() {
    let mut f = fixture();
    f.publications.retain(|p| p.year == 2022);
    let r = run(&f, &rules(10)).unwrap();
    let c = area(&r, "CANCER");
    assert_eq!((c.world_cagr_pct, c.japan_share_change_pt, c.publications.len()), (None, None, 1));
}

#[test]
fn candidates_are_ranked_with_their_evidence_and_sensitivity() {
    // Gap −25 / 25 / 0 scales to 0 / 1 / 0.5; growth 10 / 0 / none to 1 / 0 / 0.
    // 60/40: CANCER 0 + 40 = 40, INFECTIOUS 60 + 0 = 60, RARE 30 + 0 = 30.
    let r = run(&fixture(), &rules(30)).unwrap();
    let disease: Vec<(&str, f64, usize)> = r
        .candidates
        .iter()
        .filter(|c| c.dimension == Dimension::DiseaseArea)
        .map(|c| (c.area.as_str(), c.index, c.rank))
        .collect();
    assert_eq!(disease, [("INFECTIOUS", 60.0, 1), ("CANCER", 40.0, 2), ("RARE", 30.0, 3)]);
    let cancer = r.candidates.iter().find(|c| c.area == "CANCER").unwrap();
    assert_eq!(cancer.contributions[WORLD_GROWTH], 40.0);
    // Growth 70 (60/70 of 130): CANCER 53.8 beats INFECTIOUS 46.2; growth 10: CANCER 14.3 is last.
    let growth = cancer.moves.iter().find(|m| m.indicator == WORLD_GROWTH).unwrap();
    assert_eq!((growth.up, growth.down), (1, 3));
    // The project dimension is ranked on its own.
    let pharma = r.candidates.iter().find(|c| c.area == "PHARMA").unwrap();
    assert_eq!((pharma.rank, pharma.dimension), (1, Dimension::Project));
}

#[test]
fn a_missing_rate_stops_the_report_and_no_evidence_is_an_empty_ranking() {
    let mut f = fixture();
    f.funding.push(fund("Cancer", 2022, "1", "EUR"));
    assert_eq!(run(&f, &rules(10)), Err(EvidenceError::NoRate { currency: "EUR".into(), year: 2022 }));
    let empty = Fixture {
        areas: fixture().areas,
        funding: vec![],
        mapping: vec![],
        publications: vec![],
        survey: vec![],
        rates: vec![],
    };
    let r = run(&empty, &rules(10)).unwrap();
    assert_eq!((r.window, r.funding_years.len(), r.unmapped.len()), (None, 0, 0));
    assert!(r.candidates.iter().all(|c| c.index == 0.0), "no evidence ranks nobody above anybody");
}

#[test]
fn the_policy_rules_are_checked() {
    let mut bad = rules(10);
    bad.window_years = 0;
    bad.indicators = vec![crit("NOPE", 0), crit(SURVEY, 0)];
    bad.japan = vec![" ".into()];
    let problems = super::super::rules_problems(&bad);
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert!(super::super::rules_problems(&rules(10)).is_empty());
}

#[test]
fn a_field_reporting_its_world_total_is_never_divided_by_countries_alone() {
    let mut f = fixture();
    // Virology reports WORLD for 2020 and 2022; add a Japan count for 2021 with no WORLD row.
    f.publications.push(paper("Virology", "JPN", 2021, 7));
    f.publications.push(paper("Virology", "USA", 2021, 40));
    let r = run(&f, &rules(10)).unwrap();
    let i = area(&r, "INFECTIOUS");
    let years: Vec<i64> = i.publications.iter().map(|p| p.year).collect();
    assert_eq!(years, [2020, 2022], "2021 has no world total for Virology, so it is left out, Japan too");
    // Full-width field names are the same field.
    f.publications.push(paper("Ｏｎｃｏｌｏｇｙ", "JPN", 2021, 10));
    f.publications.push(paper("Oncology", "USA", 2021, 90));
    let r = run(&f, &rules(10)).unwrap();
    let c = area(&r, "CANCER");
    assert_eq!(c.publications[1].japan_share_pct, Some(d("10.0")), "{:?}", c.publications);
}

#[test]
fn overseas_yen_rounds_half_up_and_stray_codes_are_listed() {
    let mut f = fixture();
    f.rates[0].yen_per_unit = d("0.25");
    // 2 USD × 0.25 = 0.5 yen: half up to 1 (not to even, 0).
    let r = run(&f, &rules(10)).unwrap();
    assert_eq!(area(&r, "CANCER").overseas_yen, d("1"));
    // A mapping onto a code the policy has no longer is listed and not counted in the shares.
    f.mapping.push(map(Source::Funding, "Something else", Dimension::DiseaseArea, "GONE"));
    let r = run(&f, &rules(10)).unwrap();
    assert!(r.unmapped.contains(&("mapping".to_string(), "GONE".to_string())), "{:?}", r.unmapped);
    assert_eq!(area(&r, "CANCER").overseas_share_pct, Some(d("50.0")), "shares are of the policy's areas");
}

#[test]
fn huge_weights_neither_overflow_nor_pass_the_policy_check() {
    let mut big = rules(u32::MAX);
    big.indicators = vec![crit(FUNDING_GAP, u32::MAX), crit(WORLD_GROWTH, u32::MAX)];
    let r = run(&fixture(), &big).unwrap();
    assert_eq!(r.candidates.len(), 4, "computed without overflow");
    assert_eq!(super::super::rules_problems(&big).len(), 1, "but refused as policy data");
}
