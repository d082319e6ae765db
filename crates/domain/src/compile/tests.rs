//! The columnar compiler against the plain definition and hand-computed figures.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::apportion::apportion;
use crate::line::LineId;
use crate::shares::Shares;

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
        priority_items: Vec::new(),
        justification: String::new(),
        rs_id: String::new(),
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

/// The plain definition: every cell a map entry, every split by [`apportion`].
fn reference(lines: &[RequestLine]) -> BTreeMap<(String, String, String), (i64, i64)> {
    let mut m = BTreeMap::from([(("total".to_string(), String::new(), String::new()), (0, 0))]);
    let mut add = |t: &str, k: &str, s: &str, a: (i64, i64)| {
        let e = m.entry((t.to_string(), k.to_string(), s.to_string())).or_insert((0, 0));
        e.0 += a.0;
        e.1 += a.1;
    };
    for l in lines {
        let a = (l.prior_year.get(), l.request.get());
        let p = l.project.clone().unwrap_or_else(|| NONE.into());
        add("total", "", "", a);
        add("m", &l.ministry, "", a);
        add("p", &p, "", a);
        add("c", &l.channel, "", a);
        add("mp", &l.ministry, &p, a);
        add("mc", &l.ministry, &l.channel, a);
        for (t, shares) in [("d", &l.disease_areas), ("u", &l.purposes)] {
            match shares {
                None => {
                    add(t, UNASSIGNED, "", a);
                    if t == "d" {
                        add("pd", &p, UNASSIGNED, a);
                    }
                }
                Some(s) => {
                    let w: Vec<u64> = s.pairs().iter().map(|(_, p)| u64::from(*p)).collect();
                    let (pr, rq) = (apportion(l.prior_year, &w), apportion(l.request, &w));
                    for (i, (code, _)) in s.pairs().iter().enumerate() {
                        add(t, code, "", (pr[i].get(), rq[i].get()));
                        if t == "d" {
                            add("pd", &p, code, (pr[i].get(), rq[i].get()));
                        }
                    }
                }
            }
        }
    }
    m
}

fn flatten(c: &Compilation) -> BTreeMap<(String, String, String), (i64, i64)> {
    let mut m = BTreeMap::new();
    let v = |a: &Amounts| (a.prior_year.get(), a.request.get());
    m.insert(("total".into(), String::new(), String::new()), v(&c.total));
    for (t, rows) in [
        ("m", &c.by_ministry),
        ("p", &c.by_project),
        ("c", &c.by_channel),
        ("d", &c.by_disease_area),
        ("u", &c.by_purpose),
    ] {
        for r in rows {
            m.insert((t.into(), r.key.clone(), String::new()), v(&r.amounts));
        }
    }
    for r in &c.by_ministry_project {
        m.insert(("mp".into(), r.ministry.clone(), r.project.clone()), v(&r.amounts));
    }
    for r in &c.by_ministry_channel {
        m.insert(("mc".into(), r.ministry.clone(), r.channel.clone()), v(&r.amounts));
    }
    for r in &c.by_project_disease_area {
        m.insert(("pd".into(), r.project.clone(), r.disease_area.clone()), v(&r.amounts));
    }
    m
}

fn shares_strategy(codes: &'static [&'static str]) -> impl Strategy<Value = Option<Shares>> {
    prop::option::of(prop::sample::subsequence(codes, 1..=codes.len()).prop_flat_map(|picked| {
        let n = picked.len();
        prop::collection::vec(1u8..=40, n).prop_map(move |raw| {
            // Scale to whole percents summing to 100, each at least 1.
            let sum: u32 = raw.iter().map(|&r| u32::from(r)).sum();
            let mut pct: Vec<u8> = raw.iter().map(|&r| ((u32::from(r) * 100) / sum).max(1) as u8).collect();
            let s: i32 = pct.iter().map(|&p| i32::from(p)).sum();
            let last = pct.len() - 1;
            pct[last] = (i32::from(pct[last]) + 100 - s).max(1) as u8;
            let fixed: i32 = pct.iter().map(|&p| i32::from(p)).sum();
            if fixed != 100 {
                pct = vec![0; n];
                pct[0] = 100;
            }
            let pairs: Vec<(String, u8)> =
                picked.iter().zip(pct).filter(|(_, p)| *p > 0).map(|(c, p)| (c.to_string(), p)).collect();
            Shares::new(pairs).expect("valid shares")
        })
    }))
}

proptest! {
    #[test]
    fn the_columnar_compile_equals_the_plain_definition(
        raw in prop::collection::vec((
            prop::sample::select(vec!["MEXT", "MHLW", "METI", "CAO"]),
            prop::option::of(prop::sample::select(vec!["PHARMA", "REGEN", "GENOME"])),
            prop::sample::select(vec!["AMED", "INHOUSE"]),
            0i64..=10_000_000_000_000,
            0i64..=10_000_000_000_000,
            shares_strategy(&["CANCER", "INTRACTABLE", "INFECTIOUS", "AGING"]),
            shares_strategy(&["DIAGNOSIS", "TREATMENT", "PREVENTION"]),
        ), 0..40)
    ) {
        let lines: Vec<RequestLine> = raw.into_iter().enumerate().map(|(i, (m, p, c, prior, req, d, u))| {
            let mut l = line(m, &i.to_string(), p, req, None);
            l.prior_year = Yen(prior);
            l.channel = c.into();
            l.disease_areas = d;
            l.purposes = u;
            l
        }).collect();
        let c = compile(FiscalYear::try_from(2023).unwrap(), Stage::Requested, &lines);
        prop_assert_eq!(flatten(&c), reference(&lines));
    }

    #[test]
    fn apportioning_by_percent_equals_the_general_rule(amount in -1_000_000_000_000i64..=1_000_000_000_000_000_000, d in shares_strategy(&["A", "B", "C", "D", "E", "F", "G"])) {
        if let Some(s) = d {
            let pct: Vec<u8> = s.pairs().iter().map(|(_, p)| *p).collect();
            let mut out = [0i64; MAX_SHARES];
            apportion_pct(amount, &pct, &mut out);
            let w: Vec<u64> = pct.iter().map(|&p| u64::from(p)).collect();
            let expected: Vec<i64> = apportion(Yen(amount), &w).into_iter().map(Yen::get).collect();
            prop_assert_eq!(&out[..pct.len()], &expected[..]);
        }
    }
}

#[test]
fn stored_shares_that_do_not_sum_to_100_are_refused_and_add_nothing() {
    let mut cols = Columns::with_capacity(1, false);
    let y = Yen(1);
    assert!(cols.push_stored("MEXT", None, "AMED", y, y, None, Some("CANCER:60;AGING:30"), None).is_err());
    assert!(cols.push_stored("MEXT", None, "AMED", y, y, None, None, Some("X:1:2")).is_err());
    assert!(cols.is_empty());
    cols.push_stored("MEXT", None, "AMED", y, Yen(3), None, Some("CANCER:50;AGING:50"), None).unwrap();
    let c = compile_columns(FiscalYear::try_from(2023).unwrap(), Stage::Requested, &cols);
    assert_eq!(c.by_disease_area.iter().map(|r| r.amounts.request.get()).collect::<Vec<_>>(), [1, 2]);
}
