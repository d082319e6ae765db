//! Every kind of bad input exits 2 with a located, coded message, and leaves the database unchanged.

mod common;

use common::*;

const HEADER: &str =
    "事業番号,事業名,区分,統合プロジェクト,前年度予算額,要求額,うち重要政策推進枠,疾患領域,開発目的,新規・継続";
const GOOD_1: &str = "B-1,（架空）良い事業,AMED対象経費,医薬品,1000,1200,100,がん:60;難病:40,治療,継続";
const GOOD_2: &str = "B-2,（架空）別の事業,インハウス研究機関経費,,500,500,,,,継続";

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push_str("\r\n");
        s.push_str(r);
    }
    s.push_str("\r\n");
    s.into_bytes()
}

/// An xlsx whose 要求額 cells hold text and a date, written cell by cell as a person might.
fn workbook_with_bad_cells() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("要求一覧").unwrap();
    for (c, h) in HEADER.split(',').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    let row = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, id: &str| {
        for (c, v) in [id, "（架空）事業", "AMED", "PHARMA"].into_iter().enumerate() {
            ws.write_string(r, c as u16, v).unwrap();
        }
        ws.write_number(r, 4, 100.0).unwrap();
        ws.write_string(r, 9, "継続").unwrap();
    };
    row(ws, 1, "X-1");
    ws.write_string(1, 5, "未定").unwrap();
    row(ws, 2, "X-2");
    let date = ExcelDateTime::from_ymd(2023, 4, 1).unwrap();
    ws.write_datetime_with_format(2, 5, &date, &Format::new().set_num_format("yyyy-mm-dd")).unwrap();
    wb.save_to_buffer().unwrap()
}

/// A zip archive that is not an Excel workbook (as an .ods file is).
fn ods_like() -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    zip.start_file("content.xml", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(b"<office:document-content/>").unwrap();
    zip.finish().unwrap();
    buf.into_inner()
}

/// A workbook whose 要求額 is a formula saved without its result (as some tools write them).
fn workbook_with_unsaved_formula() -> Vec<u8> {
    use rust_xlsxwriter::{Formula, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("要求一覧").unwrap();
    for (c, h) in HEADER.split(',').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (c, v) in ["F-1", "（架空）事業", "INHOUSE"].into_iter().enumerate() {
        ws.write_string(1, c as u16, v).unwrap();
    }
    ws.write_formula(1, 5, Formula::new("=E2*2")).unwrap();
    ws.write_string(1, 9, "継続").unwrap();
    haibun_testkit::strip_formula_results(&wb.save_to_buffer().unwrap())
}

/// (case, file name, bytes, expected codes with the location text each must carry)
type Case = (&'static str, &'static str, Vec<u8>, Vec<(&'static str, &'static str)>);

fn cases() -> Vec<Case> {
    let bad_row = |cells: &str| csv(&[GOOD_1, cells]);
    vec![
        (
            "unknown code",
            "a.csv",
            bad_row("B-3,事業,XYZ,,1,1,,,,継続"),
            vec![("E_UNKNOWN_CODE", "3行/row 3 C列/column C 項目/field「区分」")],
        ),
        (
            "unknown disease area",
            "a.csv",
            bad_row("B-3,事業,AMED,PHARMA,1,1,,骨折:100,,継続"),
            vec![("E_UNKNOWN_CODE", "3行/row 3 H列/column H")],
        ),
        (
            "shares not 100",
            "a.csv",
            bad_row("B-3,事業,AMED,PHARMA,1,1,,がん:60;難病:30,,継続"),
            vec![("E_BAD_SHARES", "3行/row 3 H列/column H")],
        ),
        (
            "negative amount",
            "a.csv",
            bad_row("B-3,事業,AMED,PHARMA,-1,1,,,,継続"),
            vec![("E_NEGATIVE_AMOUNT", "3行/row 3 E列/column E 項目/field「前年度予算額」")],
        ),
        (
            "fractional yen",
            "a.csv",
            bad_row("B-3,事業,AMED,PHARMA,1,1.0005,,,,継続"),
            vec![("E_FRACTIONAL_YEN", "3行/row 3 F列/column F")],
        ),
        (
            "text in amount",
            "a.csv",
            bad_row("B-3,事業,AMED,PHARMA,1,未定,,,,継続"),
            vec![("E_NOT_A_NUMBER", "3行/row 3 F列/column F")],
        ),
        (
            "missing required column",
            "a.csv",
            "事業番号,事業名,区分,統合プロジェクト,新規・継続\r\nB-3,事業,AMED,PHARMA,継続\r\n".as_bytes().to_vec(),
            vec![("E_MISSING_COLUMN", "1行/row 1 項目/field「要求額」")],
        ),
        (
            "priority frame above request",
            "a.csv",
            bad_row("B-3,事業,AMED,PHARMA,1,100,101,,,継続"),
            vec![("E_PRIORITY_FRAME_ABOVE_REQUEST", "3行/row 3 G列/column G")],
        ),
        (
            "unknown priority item",
            "a.csv",
            "事業番号,事業名,区分,統合プロジェクト,要求額,新規・継続,重点項目\r\nB-3,事業,AMED,PHARMA,1,継続,PHARMA-01;NOPE-99\r\n"
                .as_bytes()
                .to_vec(),
            vec![("E_UNKNOWN_CODE", "2行/row 2 G列/column G 項目/field「重点項目」")],
        ),
        (
            "duplicate line id",
            "a.csv",
            bad_row("B-1,事業,AMED,PHARMA,1,1,,,,継続"),
            vec![("E_DUPLICATE_LINE_ID", "3行/row 3 A列/column A")],
        ),
        ("empty file", "empty.csv", Vec::new(), vec![("E_EMPTY_FILE", "empty.csv")]),
        ("white space only", "blank.xlsx", b" \r\n ".to_vec(), vec![("E_EMPTY_FILE", "blank.xlsx")]),
        (
            "an image named .xlsx",
            "photo.xlsx",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            vec![("E_NOT_A_SPREADSHEET", "photo.xlsx")],
        ),
        (
            "binary named .csv",
            "data.csv",
            b"%PDF-1.7\n\x00\x01\x02\xff\xfe".to_vec(),
            vec![("E_NOT_A_SPREADSHEET", "data.csv")],
        ),
        (
            "a broken zip",
            "broken.xlsx",
            b"PK\x03\x04garbage that is not a zip archive".to_vec(),
            vec![("E_UNREADABLE_WORKBOOK", "broken.xlsx")],
        ),
        (
            "neither UTF-8 nor Shift_JIS",
            "latin.csv",
            [HEADER.as_bytes(), b"\r\n\x80\x80\xfd\xfe\r\n"].concat(),
            vec![("E_BAD_ENCODING", "latin.csv")],
        ),
        ("no header", "a.csv", b"foo,bar\r\n1,2\r\n".to_vec(), vec![("E_NO_HEADER_ROW", "a.csv")]),
        (
            "unknown column",
            "a.csv",
            "事業番号,事業名,区分,要求額,新規・継続,備考\r\nB-3,事業,INHOUSE,1,継続,メモ\r\n".as_bytes().to_vec(),
            vec![("E_UNKNOWN_COLUMN", "1行/row 1 F列/column F 項目/field「備考」")],
        ),
        (
            "every problem of a file, not the first",
            "many.csv",
            csv(&["B-3,事業,XYZ,,1,1,,,,継続", "B-4,事業,AMED,PHARMA,abc,-5,,,,未定"]),
            vec![
                ("E_UNKNOWN_CODE", "2行/row 2 C列/column C"),
                ("E_NOT_A_NUMBER", "3行/row 3 E列/column E"),
                ("E_NEGATIVE_AMOUNT", "3行/row 3 F列/column F"),
                ("E_UNKNOWN_CODE", "3行/row 3 J列/column J"),
            ],
        ),
        (
            "text and a date in amount cells of a workbook",
            "cells.xlsx",
            workbook_with_bad_cells(),
            vec![
                ("E_NOT_A_NUMBER", "シート/sheet「要求一覧」 2行/row 2 F列/column F"),
                ("E_NOT_A_NUMBER", "シート/sheet「要求一覧」 3行/row 3 F列/column F"),
            ],
        ),
        (
            "a unit in a header that disagrees with the 単位 cell",
            "hdr.csv",
            "単位,千円\r\n事業番号,事業名,区分,要求額（百万円）,新規・継続\r\nB-3,事業,INHOUSE,1,継続\r\n"
                .as_bytes()
                .to_vec(),
            vec![("E_UNIT_CONFLICT", "2行/row 2 D列/column D")],
        ),
        (
            "an unsupported unit in a header",
            "oku.csv",
            "事業番号,事業名,区分,要求額(億円),新規・継続\r\nB-3,事業,INHOUSE,1,継続\r\n".as_bytes().to_vec(),
            vec![("E_UNIT_CONFLICT", "1行/row 1 D列/column D")],
        ),
        (
            "separators that do not group by three",
            "sep.csv",
            bad_row("B-3,事業,INHOUSE,,\"1,5\",1,,,,継続"),
            vec![("E_NOT_A_NUMBER", "3行/row 3 E列/column E")],
        ),
        (
            "broken UTF-8",
            "broken-utf8.csv",
            [HEADER.as_bytes(), b"\r\nB-3,\xE4\xBA\x8B\xE6\xA5,INHOUSE,,1,1,,,,\xE7\xB6\x99\xE7\xB6\x9A\r\n"].concat(),
            vec![("E_BAD_ENCODING", "broken-utf8.csv")],
        ),
        (
            "a UTF-16 file",
            "u16.csv",
            [b"\xFF\xFE".as_slice(), b"a\0,\0b\0"].concat(),
            vec![("E_BAD_ENCODING", "u16.csv")],
        ),
        ("an OpenDocument file", "sheet.ods", ods_like(), vec![("E_NOT_A_SPREADSHEET", "sheet.ods")]),
        (
            "a formula whose result was not saved",
            "formula.xlsx",
            workbook_with_unsaved_formula(),
            vec![("E_NOT_A_NUMBER", "2行/row 2 F列/column F")],
        ),
        (
            "a unit cell that disagrees with --unit",
            "unit.csv",
            [b"\xEF\xBB\xBF\xE5\x8D\x98\xE4\xBD\x8D,\xE5\x86\x86\r\n".as_slice(), &csv(&[GOOD_1])].concat(),
            vec![("E_UNIT_CONFLICT", "1行/row 1 B列/column B")],
        ),
    ]
}

fn each_kind_of_bad_input_exits_2_with_a_located_message_and_writes_nothing(db: Db) {
    let t = initialised(db);
    import(&t, &file(&t, "good.csv", &csv(&[GOOD_1, GOOD_2])), "MEXT");
    let before = state(&t);
    assert_eq!(before.0.len(), 2);
    for (case, name, bytes, expected) in cases() {
        let path = file(&t, name, &bytes);
        let mut args = vec!["import", path.as_str(), "--fy", "2023", "--ministry", "MEXT"];
        if case.starts_with("a unit cell") {
            args.extend(["--unit", "thousand-yen"]);
        }
        let out = haibun(&t, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{case}: {stderr}");
        assert!(stderr.contains("nothing was written"), "{case}: {stderr}");
        let problem_lines: Vec<&str> = stderr.lines().filter(|l| l.trim_start().starts_with("[E_")).collect();
        assert_eq!(problem_lines.len(), expected.len(), "{case}: {stderr}");
        for (line, (code, at)) in problem_lines.iter().zip(&expected) {
            assert!(line.contains(code) && line.contains(at), "{case}: expected {code} at {at} in\n{line}");
            assert!(line.contains(" / "), "{case}: Japanese and English: {line}");
        }
        assert_eq!(state(&t), before, "{case}: the database is unchanged");
    }
}

fn unknown_ministry_and_missing_files_are_refused(db: Db) {
    let t = initialised(db);
    let path = file(&t, "good.csv", &csv(&[GOOD_1]));
    let before = state(&t);
    let out = haibun(&t, &["import", &path, "--fy", "2023", "--ministry", "XYZ"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E_UNKNOWN_CODE"));
    let out = haibun(&t, &["import", "no-such-file.xlsx", "--fy", "2023", "--ministry", "MEXT"]);
    assert_eq!(out.status.code(), Some(5));
    let out = haibun(&t, &["import", &path, "--fy", "2031", "--ministry", "MEXT"]);
    assert_eq!(out.status.code(), Some(5), "{}", String::from_utf8_lossy(&out.stderr));
    let out = haibun(&t, &["import", &path, "--fy", "R5", "--ministry", "MEXT"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(state(&t), before);
}

on_both_databases!(
    each_kind_of_bad_input_exits_2_with_a_located_message_and_writes_nothing,
    unknown_ministry_and_missing_files_are_refused,
);

#[test]
fn a_missing_database_is_not_created_by_a_read() {
    let t = TestDb::new(Db::Sqlite);
    let out = haibun(&t, &["compile", "--fy", "2023"]);
    assert_eq!(out.status.code(), Some(5), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!t.path("haibun.db").exists(), "no database file was created");
}
