//! Reading the evidence tables: good tables in either language and format, and every kind of
//! bad one refused with where it is.

use super::*;

fn policy() -> Policy {
    Policy::builtin("2023".parse().unwrap()).unwrap().unwrap()
}

fn read(table: Table, text: &str) -> Result<EvidenceRows, Vec<Problem>> {
    read_evidence(table, text.as_bytes(), "t.csv", &policy(), &Default::default())
}

fn places(problems: &[Problem]) -> Vec<(ProblemCode, Option<u32>, Option<String>)> {
    problems.iter().map(|p| (p.code, p.location.row, p.location.column.clone())).collect()
}

#[test]
fn funding_reads_in_english_or_japanese_headers_in_any_order() {
    let en = "funder,category,year,amount,currency\nNIH,Cancer,2022,\"7,300,000,000\",usd\n";
    let ja = "通貨,金額,年度,分類,資金配分機関\nUSD,7300000000,2022,Cancer,NIH\n";
    let (a, b) = (read(Table::Funding, en).unwrap(), read(Table::Funding, ja).unwrap());
    assert_eq!(a, b);
    let EvidenceRows::Funding(rows) = a else { panic!("funding") };
    assert_eq!((rows[0].amount, rows[0].currency.as_str()), ("7300000000".parse().unwrap(), "USD"));
}

#[test]
fn a_workbook_and_shift_jis_text_read_the_same_as_utf8() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["領域", "設問", "点数", "回答者数"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "がん").unwrap();
    ws.write_string(1, 1, "重要度①").unwrap();
    ws.write_number(1, 2, 4.5).unwrap();
    ws.write_number(1, 3, 120).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let from_xlsx = read_evidence(Table::Survey, &bytes, "s.xlsx", &policy(), &Default::default()).unwrap();
    let text = "領域,設問,点数,回答者数\nがん,重要度①,4.5,120\n";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
    let from_sjis = read_evidence(Table::Survey, &sjis, "s.csv", &policy(), &Default::default()).unwrap();
    assert_eq!(from_xlsx, from_sjis);
    let EvidenceRows::Survey(rows) = from_xlsx else { panic!("survey") };
    assert_eq!(
        (rows[0].dimension, rows[0].area.as_str(), rows[0].respondents),
        (Dimension::DiseaseArea, "CANCER", 120)
    );
}

#[test]
fn every_bad_cell_is_located_and_nothing_is_returned() {
    let text = "funder,category,year,amount,currency\n\
                NIH,Cancer,20x2,1,USD\n\
                NIH,,2022,-5,US\n\
                NIH,Cancer,2021,1,USD\n\
                NIH,Cancer,2021,2,USD\n";
    let got = places(&read(Table::Funding, text).unwrap_err());
    assert_eq!(
        got,
        [
            (ProblemCode::NotANumber, Some(2), Some("C".into())),
            (ProblemCode::RequiredValue, Some(3), Some("B".into())),
            (ProblemCode::NotANumber, Some(3), Some("D".into())),
            (ProblemCode::InvalidArgument, Some(3), Some("E".into())),
            (ProblemCode::InvalidArgument, Some(5), Some("A".into())),
        ]
    );
}

#[test]
fn a_mapping_must_sum_to_100_onto_known_areas() {
    let ok = "source,category,target,share\nfunding,Brain Disorders,精神・神経疾患,60\nfunding,Brain Disorders,AGING_DEMENTIA,40\npublications,Oncology,がん,100\npublications,Oncology,PHARMA,100\n";
    let EvidenceRows::Mapping(rows) = read(Table::Mapping, ok).unwrap() else { panic!("mapping") };
    assert_eq!(rows.len(), 3, "one category onto two dimensions is two mappings");
    let short = "source,category,target,share\nfunding,Brain Disorders,NEURO_PSYCH,60\nfunding,Brain Disorders,AGING_DEMENTIA,30\n";
    let e = read(Table::Mapping, short).unwrap_err();
    assert_eq!(places(&e), [(ProblemCode::BadShares, Some(2), Some("D".into()))]);
    assert!(e[0].message_en.contains("90%"), "{}", e[0].message_en);
    let unknown = "source,category,target,share\npatents,X,CANCER,100\nfunding,X,NOWHERE,100\nfunding,Y,CANCER,0\n";
    let got = places(&read(Table::Mapping, unknown).unwrap_err());
    assert_eq!(
        got,
        [
            (ProblemCode::UnknownCode, Some(2), Some("A".into())),
            (ProblemCode::UnknownCode, Some(3), Some("C".into())),
            (ProblemCode::NotANumber, Some(4), Some("D".into())),
        ]
    );
}

#[test]
fn empty_headerless_hostile_and_mislabelled_files_are_refused() {
    let p = policy();
    let code = |bytes: &[u8], file: &str| {
        read_evidence(Table::Rates, bytes, file, &p, &Default::default()).unwrap_err()[0].code
    };
    assert_eq!(code(b"", "r.csv"), ProblemCode::EmptyFile);
    assert_eq!(code(b"currency,year,yen_per_unit\n", "r.csv"), ProblemCode::NoData);
    assert_eq!(code(b"currency,year\nUSD,2022\n", "r.csv"), ProblemCode::MissingColumn);
    assert_eq!(
        code(b"currency,year,yen_per_unit,\xe9\x80\x9a\xe8\xb2\xa8\nUSD,2022,1,x\n", "r.csv"),
        ProblemCode::DuplicateColumn
    );
    assert_eq!(code(b"\xff\xfec\x00u\x00", "r.csv"), ProblemCode::BadEncoding);
    assert_eq!(code(b"currency\x00,year\n", "r.csv"), ProblemCode::NotASpreadsheet);
    assert_eq!(code(b"PK\x03\x04 not really a zip", "r.xlsx"), ProblemCode::UnreadableWorkbook);
    let huge = format!("currency,year,yen_per_unit\nUSD,2022,{}\n", "9".repeat(40));
    assert_eq!(code(huge.as_bytes(), "r.csv"), ProblemCode::NotANumber);
    let long = format!("field,country,year,count\n{},JPN,2022,1\n", "x".repeat(201));
    assert_eq!(
        read_evidence(Table::Publications, long.as_bytes(), "p.csv", &p, &Default::default()).unwrap_err()[0].code,
        ProblemCode::BadText
    );
    let rows = read_evidence(
        Table::Rates,
        b"currency,year,yen_per_unit\r\nUSD,2022,131.5\nEUR,2022,138\r\n",
        "r.csv",
        &p,
        &Default::default(),
    );
    assert_eq!(rows.unwrap().len(), 2, "mixed line endings read");
}

#[test]
fn numbers_take_thousands_commas_only_and_error_cells_are_refused() {
    for (raw, want) in
        [("7,300,000", Some("7300000")), ("１２３", Some("123")), ("-1.50", Some("-1.50")), ("131.5", Some("131.5"))]
    {
        assert_eq!(plain_number(raw), want.map(|w| w.parse().unwrap()), "{raw}");
    }
    for raw in ["131,5", "1,23", ",100", "1__0", "1_000", "1e3", "1.", ".5", "1 000", "", "--1"] {
        assert_eq!(plain_number(raw), None, "{raw}");
    }
    // A workbook cell holding an error value is refused where it stands.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["currency", "year", "yen_per_unit"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "USD").unwrap();
    ws.write_number(1, 1, 2022).unwrap();
    ws.write_formula(1, 2, rust_xlsxwriter::Formula::new("=1/0").set_result("#DIV/0!")).unwrap();
    let e = read_evidence(Table::Rates, &wb.save_to_buffer().unwrap(), "r.xlsx", &policy(), &Default::default())
        .unwrap_err();
    assert_eq!(places(&e), [(ProblemCode::NotANumber, Some(2), Some("C".into()))], "{e:?}");
}

#[test]
fn japan_written_two_ways_is_one_country() {
    let text = "field,country,year,count\nOncology,JPN,2022,5\nOncology,Japan,2022,5\nOncology,USA,2022,5\n";
    let e = read(Table::Publications, text).unwrap_err();
    assert_eq!(places(&e), [(ProblemCode::InvalidArgument, Some(3), Some("A".into()))]);
}
