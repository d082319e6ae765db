//! Writing the request template, and exports in exactly its format.

use haibun_domain::compile::{Amounts, Compilation};
use haibun_domain::line::{Field, to_cells};
use haibun_domain::policy::{Kind, Policy};
use haibun_domain::{FiscalYear, RequestLine, Unit};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, Format, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

/// The sheet of request lines.
pub const SHEET_LINES: &str = "要求一覧";
/// The how-to sheet.
pub const SHEET_HOWTO: &str = "記入方法";
/// The sheet listing the valid codes.
pub const SHEET_CODES: &str = "コード表";

/// Where things are on the request sheet (0-based), for writers and tests.
#[derive(Debug, Clone, Copy)]
pub struct LayoutInfo;

impl LayoutInfo {
    /// The row of the 府省 and 単位 cells.
    pub const META_ROW: u32 = 1;
    /// The header row.
    pub const HEADER_ROW: u32 = 3;
    /// The first data row.
    pub const FIRST_DATA_ROW: u32 = 4;
    /// The column of the 単位 value.
    pub const UNIT_COL: u16 = 4;
}

fn title(fy: FiscalYear) -> String {
    format!("{} 医療分野の研究開発関連予算 要求一覧（{}）", fy.era_label(), fy)
}

/// Writes the request workbook: the how-to sheet, the request sheet (with `lines`, if any) and the
/// code table, with drop-downs on the coded columns. An empty `lines` is the blank template.
pub fn write_workbook(
    policy: &Policy,
    ministry: Option<&str>,
    unit: Unit,
    lines: &[RequestLine],
) -> Result<Vec<u8>, XlsxError> {
    let fy = policy.fiscal_year;
    let mut wb = Workbook::new();
    write_howto(wb.add_worksheet().set_name(SHEET_HOWTO)?, policy, unit)?;
    let ws = wb.add_worksheet().set_name(SHEET_LINES)?;
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xE8F1FE))
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let required = head.clone().set_font_color(Color::RGB(0xC00000));
    ws.write_string_with_format(0, 0, title(fy), &bold)?;
    ws.write_string_with_format(LayoutInfo::META_ROW, 0, "府省", &bold)?;
    ws.write_string(LayoutInfo::META_ROW, 1, ministry.map(|m| policy.label_ja(Kind::Ministry, m)).unwrap_or(""))?;
    ws.write_string_with_format(LayoutInfo::META_ROW, 3, "単位", &bold)?;
    ws.write_string(LayoutInfo::META_ROW, LayoutInfo::UNIT_COL, unit.label_ja())?;
    ws.write_string(2, 0, "※ 記入方法は「記入方法」シートを参照してください。赤字の列は必須です。/ See the 記入方法 sheet; red headers are required.")?;
    for (c, f) in Field::ALL.into_iter().enumerate() {
        ws.write_string_with_format(
            LayoutInfo::HEADER_ROW,
            c as u16,
            f.header_ja(),
            if f.required() { &required } else { &head },
        )?;
        let width = match f {
            Field::Name | Field::Summary | Field::Kpi => 40.0,
            Field::DiseaseAreas | Field::Purposes | Field::Project => 24.0,
            Field::Channel => 18.0,
            _ => 14.0,
        };
        ws.set_column_width(c as u16, width)?;
    }
    ws.set_freeze_panes(LayoutInfo::FIRST_DATA_ROW, 2)?;
    let int_fmt = Format::new().set_num_format("#,##0");
    let dec_fmt = Format::new().set_num_format("#,##0.0##");
    let text_fmt = Format::new().set_num_format("@");
    for (i, line) in lines.iter().enumerate() {
        let r = LayoutInfo::FIRST_DATA_ROW + i as u32;
        for (c, (f, v)) in to_cells(line, policy, unit).into_iter().enumerate() {
            let c = c as u16;
            if v.is_empty() {
                continue;
            }
            if f.is_amount() {
                // A number cell holds a double; the decimal string converts to the nearest double,
                // whose shortest form reads back as the same string (amounts stay far below 2^53).
                let n: f64 = v.parse().expect("an exact decimal string");
                ws.write_number_with_format(r, c, n, if v.contains('.') { &dec_fmt } else { &int_fmt })?;
            } else {
                ws.write_string_with_format(r, c, v, &text_fmt)?;
            }
        }
    }
    let last = LayoutInfo::FIRST_DATA_ROW + (lines.len() as u32).max(1000) + 200;
    add_validations(ws, policy, last)?;
    write_codes(wb.add_worksheet().set_name(SHEET_CODES)?, policy)?;
    wb.worksheet_from_name(SHEET_LINES)?.set_active(true);
    wb.save_to_buffer()
}

fn list_validation(range: &str, title: &str, message: &str) -> Result<DataValidation, XlsxError> {
    DataValidation::new().allow_list_formula(Formula::new(range)).set_error_title(title)?.set_error_message(message)
}

fn add_validations(ws: &mut Worksheet, policy: &Policy, last: u32) -> Result<(), XlsxError> {
    let first = LayoutInfo::FIRST_DATA_ROW;
    let col = |f: Field| Field::ALL.iter().position(|g| *g == f).expect("field") as u16;
    let n = |k: Kind| policy.codes(k).len() + 1;
    let v = list_validation(
        &format!("='{SHEET_CODES}'!$B$2:$B${}", n(Kind::Channel)),
        "区分",
        "コード表の区分から選んでください / choose a channel from the code table",
    )?;
    ws.add_data_validation(first, col(Field::Channel), last, col(Field::Channel), &v)?;
    let v = list_validation(
        &format!("='{SHEET_CODES}'!$E$2:$E${}", n(Kind::Project)),
        "統合プロジェクト",
        "コード表の統合プロジェクトから選んでください / choose an integrated project",
    )?;
    ws.add_data_validation(first, col(Field::Project), last, col(Field::Project), &v)?;
    let v = DataValidation::new()
        .allow_list_strings(&["新規", "継続"])?
        .set_error_message("新規 か 継続 / new or continuing")?;
    ws.add_data_validation(first, col(Field::New), last, col(Field::New), &v)?;
    let v = DataValidation::new()
        .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
        .set_error_title("金額")?
        .set_error_message("0以上の数値を入力してください / enter a number of 0 or more")?;
    ws.add_data_validation(first, col(Field::PriorYear), last, col(Field::PriorityFrame), &v)?;
    let v = DataValidation::new().allow_list_strings(&["円", "千円", "百万円"])?;
    ws.add_data_validation(LayoutInfo::META_ROW, LayoutInfo::UNIT_COL, LayoutInfo::META_ROW, LayoutInfo::UNIT_COL, &v)?;
    Ok(())
}

fn write_codes(ws: &mut Worksheet, policy: &Policy) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let lists =
        [(Kind::Channel, 0u16), (Kind::Project, 3), (Kind::DiseaseArea, 6), (Kind::Purpose, 9), (Kind::Ministry, 12)];
    for (kind, c) in lists {
        let (ja, en) = kind.names();
        ws.write_string_with_format(0, c, format!("{ja} コード / {en} code"), &bold)?;
        ws.write_string_with_format(0, c + 1, format!("{ja}（記入する名称）"), &bold)?;
        ws.set_column_width(c, 18.0)?;
        ws.set_column_width(c + 1, 28.0)?;
        for (i, e) in policy.entries(kind).iter().enumerate() {
            ws.write_string(i as u32 + 1, c, e.code)?;
            ws.write_string(i as u32 + 1, c + 1, e.label_ja)?;
        }
    }
    // The §5 priority items, for the 重点項目 column.
    let c = 15u16;
    ws.write_string_with_format(0, c, "重点項目 番号 / priority item id", &bold)?;
    ws.write_string_with_format(0, c + 1, "重点項目（§5）", &bold)?;
    ws.set_column_width(c, 18.0)?;
    ws.set_column_width(c + 1, 60.0)?;
    for (i, (_, item)) in policy.priority_items().iter().enumerate() {
        ws.write_string(i as u32 + 1, c, &item.id)?;
        ws.write_string(i as u32 + 1, c + 1, &item.text_ja)?;
    }
    Ok(())
}

fn write_howto(ws: &mut Worksheet, policy: &Policy, unit: Unit) -> Result<(), XlsxError> {
    let fy = policy.fiscal_year;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    ws.set_column_width(0, 22.0)?;
    ws.set_column_width(1, 90.0)?;
    ws.write_string_with_format(0, 0, format!("{} 記入方法 / How to fill in this workbook", title(fy)), &bold)?;
    let general = [
        format!("「{SHEET_LINES}」シートの{}行目以降に、医療分野の研究開発関連予算の要求を1行に1事業ずつ記入してください（資源配分方針 §2(1): 全ての要求を内閣府へ提出）。", LayoutInfo::FIRST_DATA_ROW + 1),
        format!("金額の単位は「{SHEET_LINES}」シートの「単位」欄（既定: {}）です。円・千円・百万円から選べます。1円未満の端数になる金額は受け付けません。", unit.label_ja()),
        format!(
            "見出し（{} … {}）は変更しないでください。列の順序は入れ替えても構いません。見出しのない列に値を書くとエラーになります。",
            Field::ALL[0].header_ja(),
            Field::ALL[Field::ALL.len() - 1].header_ja()
        ),
        "区分・統合プロジェクト・新規・継続はドロップダウンから選んでください。有効な値は「コード表」シートにあります（コードでも名称でも受け付けます）。".to_string(),
        "疾患領域と開発目的は「名称:割合」をセミコロンで区切って書き、割合（整数 %）の合計を100にしてください。例: がん:60;難病:40。一つだけなら名称のみ（100%）でも構いません。".to_string(),
        "取り込み時の誤りはすべて、シート・行・列・項目とともに一覧で示され、その場合は何も登録されません。同じ事業番号を再度取り込むと、その事業の新しい版として置き換わります。".to_string(),
    ];
    let mut r = 2;
    for (i, text) in general.iter().enumerate() {
        ws.write_string(r, 0, format!("{}.", i + 1))?;
        ws.write_string_with_format(r, 1, text, &wrap)?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "列 / column", &bold)?;
    ws.write_string_with_format(r, 1, "書き方 / what to write", &bold)?;
    r += 1;
    for f in Field::ALL {
        let how = match f {
            Field::LineId => {
                "府省内・年度内で一意の番号（必須）。同じ番号の再取り込みは置き換え。/ unique within ministry and year (required)"
            }
            Field::Name => "事業の名称（必須）/ the line's name (required)",
            Field::Channel => {
                "AMED対象経費・インハウス研究機関経費・基金・政府出資・その他（必須）/ budget channel (required)"
            }
            Field::Project => {
                "６つの統合プロジェクトのいずれか。区分が AMED対象経費 の場合は必須 / one of the six integrated projects; required for AMED"
            }
            Field::PriorYear => {
                "前年度の当初予算額。新規事業は空欄（0）/ prior-year initial budget; blank (0) for new lines"
            }
            Field::Request => "要求額（必須）/ the amount requested (required)",
            Field::PriorityFrame => {
                "要求額のうち重要政策推進枠で要望する額。要求額以下 / the part under the priority frame; at most the request"
            }
            Field::DiseaseAreas => "例: がん:60;難病:40（合計100）/ e.g. CANCER:60;INTRACTABLE:40 (sum 100)",
            Field::Purposes => "例: 診断:30;治療:70（合計100）/ e.g. DIAGNOSIS:30;TREATMENT:70 (sum 100)",
            Field::New => "新規 または 継続（必須）/ new or continuing (required)",
            Field::Summary => "事業の概要 / summary",
            Field::Kpi => "成果目標（KPI）/ outcome targets",
            Field::PriorityItems => {
                "この事業が資する§5の重点項目の番号をセミコロンで区切って（例: PHARMA-01;REGEN-05）。番号は「コード表」シート。重要政策推進枠で要望する事業は必須 / the §5 priority items served, e.g. PHARMA-01;REGEN-05 (see the code sheet); needed for priority-frame requests"
            }
            Field::Justification => {
                "新規・増額の理由と根拠（研究者等への調査、論文調査、海外動向など）/ why the line is new or grows, and the evidence"
            }
            Field::RsId => {
                "行政事業レビュー（RSシステム）の予算事業ID。RS の CSV との照合に使う / the line's id in the RS system, to match RS files"
            }
        };
        ws.write_string(r, 0, f.header_ja())?;
        ws.write_string_with_format(r, 1, how, &wrap)?;
        r += 1;
    }
    Ok(())
}

/// What a spreadsheet program takes as the start of a formula in a CSV cell.
pub(crate) const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Puts `'` before text that a spreadsheet program would otherwise run as a formula (CSV injection).
pub(crate) fn escape_csv_cell(v: String) -> String {
    if v.starts_with(FORMULA_STARTS) || (v.starts_with('\'') && v[1..].starts_with(FORMULA_STARTS)) {
        format!("'{v}")
    } else {
        v
    }
}

/// Writes lines as CSV (UTF-8 with BOM, CRLF, which Japanese Excel opens correctly) in the
/// template's layout: the 府省 and 単位 rows, the header row, then one row per line.
pub fn write_csv(policy: &Policy, ministry: Option<&str>, unit: Unit, lines: &[RequestLine]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().flexible(true).terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let written = (|| -> csv::Result<()> {
            w.write_record(["府省", ministry.map(|m| policy.label_ja(Kind::Ministry, m)).unwrap_or("")])?;
            w.write_record(["単位", unit.label_ja()])?;
            w.write_record(Field::ALL.map(Field::header_ja))?;
            for line in lines {
                w.write_record(
                    to_cells(line, policy, unit)
                        .into_iter()
                        .map(|(f, v)| if f.is_amount() { v } else { escape_csv_cell(v) }),
                )?;
            }
            w.flush()?;
            Ok(())
        })();
        written.expect("writing CSV to memory cannot fail");
    }
    out
}

/// The compilation as CSV in whole yen: one row per cell of every breakdown (`settled` is empty
/// before the settled stage).
pub fn compilation_csv(c: &Compilation) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["fiscal_year", "stage", "breakdown", "key", "sub_key", "prior_year", "request", "settled"])
        .expect("CSV to memory");
    let fy = c.fiscal_year.year().to_string();
    let stage = serde_json::to_value(c.stage).expect("stage").as_str().unwrap_or_default().to_string();
    let mut row = |breakdown: &str, key: &str, sub: &str, a: &Amounts| {
        w.write_record([
            fy.as_str(),
            stage.as_str(),
            breakdown,
            key,
            sub,
            &a.prior_year.get().to_string(),
            &a.request.get().to_string(),
            &a.settled.map(|s| s.get().to_string()).unwrap_or_default(),
        ])
        .expect("CSV to memory");
    };
    row("total", "", "", &c.total);
    for (name, rows) in [
        ("by_ministry", &c.by_ministry),
        ("by_project", &c.by_project),
        ("by_channel", &c.by_channel),
        ("by_disease_area", &c.by_disease_area),
        ("by_purpose", &c.by_purpose),
    ] {
        for r in rows {
            row(name, &r.key, "", &r.amounts);
        }
    }
    for r in &c.by_ministry_project {
        row("by_ministry_project", &r.ministry, &r.project, &r.amounts);
    }
    for r in &c.by_project_disease_area {
        row("by_project_disease_area", &r.project, &r.disease_area, &r.amounts);
    }
    String::from_utf8(w.into_inner().expect("CSV to memory")).expect("UTF-8")
}
