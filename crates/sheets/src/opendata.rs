//! The settled budget as open data (オープンデータ): a Fiscal Data Package (`datapackage.json`
//! with its model of dimensions and measures, and CSV resources in UTF-8 for machines), the same
//! tables as CSV with Japanese headers and a BOM for Japanese Excel, and a README with the
//! licence and the source note.
//!
//! Amounts are whole yen. A line's disease-area and purpose amounts are apportioned from its
//! shares exactly as the compilation apportions them (each adjustment-fund allocation on its own,
//! as the compilation adds them), so every table sums to the compilation.

use haibun_domain::apportion::apportion;
use haibun_domain::compile::{NONE, UNASSIGNED};
use haibun_domain::policy::Kind;
use haibun_domain::{Policy, RequestLine, Yen};
use serde_json::{Value, json};

/// One settled line with the amounts the package publishes.
#[derive(Debug, Clone)]
pub struct OpenLine {
    /// The line as settled.
    pub line: RequestLine,
    /// 査定額: its settled amount.
    pub settled: Yen,
    /// 追加配分: what the adjustment fund allocated to it, allocation by allocation.
    pub allocations: Vec<Yen>,
}

impl OpenLine {
    /// Everything the adjustment fund allocated to the line.
    pub fn adjustment(&self) -> Yen {
        self.allocations.iter().copied().sum()
    }
}

/// The licence and the source note a deployment publishes under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Licence {
    /// A short identifier (`gov-jp-standard-2.0`, `CC-BY-4.0`, …).
    pub name: String,
    /// Its title.
    pub title: String,
    /// Where its text is.
    pub path: String,
    /// Who publishes the data (the source note names them).
    pub publisher: String,
}

impl Default for Licence {
    /// 政府標準利用規約（第2.0版）, compatible with CC BY 4.0, published by the Headquarters.
    fn default() -> Self {
        Licence {
            name: "gov-jp-standard-2.0".into(),
            title: "政府標準利用規約（第2.0版）（CC BY 4.0 互換）/ Public Data License of the Government of Japan (Version 2.0), compatible with CC BY 4.0".into(),
            path: "https://www.digital.go.jp/resources/open_data/public_data_license_v2.0".into(),
            publisher: "健康・医療戦略推進本部 / Headquarters for Healthcare Policy".into(),
        }
    }
}

/// What the package is made from.
#[derive(Debug, Clone, Copy)]
pub struct OpenDataInput<'a> {
    /// The year's policy (the code lists and their names).
    pub policy: &'a Policy,
    /// The settled compilation snapshot's number.
    pub snapshot_id: i64,
    /// Its content hash.
    pub content_hash: &'a str,
    /// The audit chain's head when the package was made (`SEQ:HASH`).
    pub audit_anchor: &'a str,
    /// When it was made (RFC 3339).
    pub created: &'a str,
    /// The licence.
    pub licence: &'a Licence,
    /// The settled lines.
    pub lines: &'a [OpenLine],
}

/// One file of the package: its path inside the package's folder and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenFile {
    /// `datapackage.json`, `data/lines.csv`, `excel/lines_ja.csv`, …
    pub path: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// The four measures: (field, Japanese header, English title, FDP phase).
const MEASURES: [(&str, &str, &str, &str); 4] = [
    ("prior_year", "前年度予算額（円）", "Prior-year budget (yen)", "approved"),
    ("request", "要求額（円）", "Request (yen)", "proposed"),
    ("settled", "査定額（円）", "Settled (yen)", "approved"),
    ("adjustment", "追加配分額（円）", "Adjustment fund allocation (yen)", "adjusted"),
];

/// A column of a table: (field, type, Japanese header, English title).
type Col = (&'static str, &'static str, &'static str, &'static str);

const LINE_COLS: [Col; 11] = [
    ("fiscal_year", "integer", "年度", "Fiscal year"),
    ("ministry_code", "string", "府省コード", "Ministry code"),
    ("ministry_name", "string", "府省", "Ministry"),
    ("line_id", "string", "事業番号", "Line id"),
    ("line_name", "string", "事業名", "Line name"),
    ("rs_id", "string", "予算事業ID", "RS budget line id"),
    ("project_code", "string", "統合プロジェクトコード", "Integrated project code"),
    ("project_name", "string", "統合プロジェクト", "Integrated project"),
    ("channel_code", "string", "区分コード", "Budget channel code"),
    ("channel_name", "string", "区分", "Budget channel"),
    ("is_new", "boolean", "新規", "New line"),
];

const CODE_COLS: [Col; 3] = [
    ("code", "string", "コード", "Code"),
    ("name_ja", "string", "名称", "Name (Japanese)"),
    ("name_en", "string", "名称（英語）", "Name (English)"),
];

/// The code a list adds for "none", with its Japanese and English names.
type NoneCode = Option<(&'static str, &'static str, &'static str)>;

/// The code lists: (resource name, kind, Japanese title, English title, the code for none).
const CODE_LISTS: [(&str, Kind, &str, &str, NoneCode); 5] = [
    ("ministries", Kind::Ministry, "府省", "Ministries", None),
    (
        "projects",
        Kind::Project,
        "統合プロジェクト",
        "Integrated projects",
        Some((NONE, "統合プロジェクト外", "Outside the integrated projects")),
    ),
    ("channels", Kind::Channel, "区分", "Budget channels", None),
    (
        "disease_area_codes",
        Kind::DiseaseArea,
        "疾患領域",
        "Disease areas",
        Some((UNASSIGNED, "割当なし", "Unassigned")),
    ),
    ("purpose_codes", Kind::Purpose, "開発目的", "Development purposes", Some((UNASSIGNED, "割当なし", "Unassigned"))),
];

/// A table: its rows as text cells, one column list.
struct Table {
    cols: Vec<Col>,
    rows: Vec<Vec<String>>,
}

fn measure_cols() -> impl Iterator<Item = Col> {
    MEASURES.iter().map(|&(f, ja, en, _)| (f, "integer", ja, en))
}

/// The four measures of a line.
fn measures(l: &OpenLine) -> [Yen; 4] {
    [l.line.prior_year, l.line.request, l.settled, l.adjustment()]
}

/// The rows of a line spread over its shares (or one `UNASSIGNED` row at 100 %).
fn share_rows(policy: &Policy, kind: Kind, l: &OpenLine) -> Vec<Vec<String>> {
    let shares = match kind {
        Kind::DiseaseArea => l.line.disease_areas.as_ref(),
        _ => l.line.purposes.as_ref(),
    };
    let pairs: Vec<(String, u8)> = shares.map_or_else(|| vec![(UNASSIGNED.to_string(), 100)], |s| s.pairs().to_vec());
    let weights: Vec<u64> = pairs.iter().map(|(_, p)| u64::from(*p)).collect();
    let mut parts: Vec<Vec<Yen>> = measures(l)[..3].iter().map(|&m| apportion(m, &weights)).collect();
    // The allocations each on its own, as the compilation apportions them, then added.
    let mut adjustment = vec![Yen::ZERO; weights.len()];
    for a in &l.allocations {
        for (sum, part) in adjustment.iter_mut().zip(apportion(*a, &weights)) {
            *sum += part;
        }
    }
    parts.push(adjustment);
    pairs
        .iter()
        .enumerate()
        .map(|(i, (code, pct))| {
            let name =
                if code == UNASSIGNED { "割当なし".to_string() } else { policy.label_ja(kind, code).to_string() };
            let mut row = vec![
                l.line.fiscal_year.year().to_string(),
                l.line.ministry.clone(),
                l.line.line_id.as_str().to_string(),
                code.clone(),
                name,
                pct.to_string(),
            ];
            row.extend(parts.iter().map(|p| p[i].get().to_string()));
            row
        })
        .collect()
}

fn tables(input: &OpenDataInput<'_>) -> Vec<(&'static str, &'static str, &'static str, Table)> {
    let p = input.policy;
    let mut line_cols: Vec<Col> = LINE_COLS.to_vec();
    line_cols.extend(measure_cols());
    let lines = Table {
        cols: line_cols,
        rows: input
            .lines
            .iter()
            .map(|l| {
                let project = l.line.project.as_deref().unwrap_or(NONE);
                let project_name = if project == NONE {
                    "統合プロジェクト外".to_string()
                } else {
                    p.label_ja(Kind::Project, project).to_string()
                };
                let mut row = vec![
                    l.line.fiscal_year.year().to_string(),
                    l.line.ministry.clone(),
                    p.label_ja(Kind::Ministry, &l.line.ministry).to_string(),
                    l.line.line_id.as_str().to_string(),
                    l.line.name.clone(),
                    l.line.rs_id.clone(),
                    project.to_string(),
                    project_name,
                    l.line.channel.clone(),
                    p.label_ja(Kind::Channel, &l.line.channel).to_string(),
                    l.line.is_new.to_string(),
                ];
                row.extend(measures(l).iter().map(|y| y.get().to_string()));
                row
            })
            .collect(),
    };
    let share_table = |kind: Kind, code: Col, name: Col| {
        let mut cols: Vec<Col> = vec![LINE_COLS[0], LINE_COLS[1], LINE_COLS[3], code, name];
        cols.push(("share_percent", "integer", "割合（％）", "Share (percent)"));
        cols.extend(measure_cols());
        Table { cols, rows: input.lines.iter().flat_map(|l| share_rows(p, kind, l)).collect() }
    };
    let mut out = vec![
        ("lines", "事業別", "Budget lines", lines),
        (
            "disease_areas",
            "事業別・疾患領域別",
            "Lines by disease area",
            share_table(
                Kind::DiseaseArea,
                ("disease_area_code", "string", "疾患領域コード", "Disease area code"),
                ("disease_area_name", "string", "疾患領域", "Disease area"),
            ),
        ),
        (
            "purposes",
            "事業別・開発目的別",
            "Lines by development purpose",
            share_table(
                Kind::Purpose,
                ("purpose_code", "string", "開発目的コード", "Development purpose code"),
                ("purpose_name", "string", "開発目的", "Development purpose"),
            ),
        ),
    ];
    for (name, kind, ja, en, none) in CODE_LISTS {
        let mut rows: Vec<Vec<String>> = p
            .entries(kind)
            .into_iter()
            .map(|e| vec![e.code.to_string(), e.label_ja.to_string(), e.label_en.to_string()])
            .collect();
        if let Some((c, ja_none, en_none)) = none {
            rows.push(vec![c.to_string(), ja_none.to_string(), en_none.to_string()]);
        }
        out.push((name, ja, en, Table { cols: CODE_COLS.to_vec(), rows }));
    }
    out
}

/// The machine-readable CSV: UTF-8 without BOM, LF, values as they are.
fn data_csv(t: &Table) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(t.cols.iter().map(|c| c.0)).expect("CSV to memory");
    for r in &t.rows {
        w.write_record(r).expect("CSV to memory");
    }
    w.into_inner().expect("CSV to memory")
}

/// The CSV for Japanese Excel: a BOM, CRLF, Japanese headers, and text that Excel would take
/// for a formula made inert (as in every CSV haibun writes).
fn excel_csv(t: &Table) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
    w.write_record(t.cols.iter().map(|c| c.2)).expect("CSV to memory");
    for r in &t.rows {
        let cells = r
            .iter()
            .zip(&t.cols)
            .map(|(v, c)| if c.1 == "string" { crate::write::escape_csv_cell(v.clone()) } else { v.clone() });
        w.write_record(cells).expect("CSV to memory");
    }
    w.flush().expect("CSV to memory");
    drop(w);
    out
}

fn schema(name: &str, t: &Table) -> Value {
    let fields: Vec<Value> = t
        .cols
        .iter()
        .map(|&(f, ty, ja, en)| {
            let mut v = json!({ "name": f, "type": ty, "title": format!("{ja} / {en}") });
            if ty == "boolean" {
                v["trueValues"] = json!(["true"]);
                v["falseValues"] = json!(["false"]);
            }
            if matches!(f, "fiscal_year" | "ministry_code" | "line_id" | "code") {
                v["constraints"] = json!({ "required": true });
            }
            v
        })
        .collect();
    let fk = |field: &str, resource: &str| json!({ "fields": field, "reference": { "resource": resource, "fields": "code" } });
    let line_key = json!({ "fields": ["ministry_code", "line_id"], "reference": { "resource": "lines", "fields": ["ministry_code", "line_id"] } });
    match name {
        "lines" => json!({
            "fields": fields,
            "primaryKey": ["ministry_code", "line_id"],
            "foreignKeys": [fk("ministry_code", "ministries"), fk("project_code", "projects"), fk("channel_code", "channels")],
        }),
        "disease_areas" => json!({
            "fields": fields,
            "primaryKey": ["ministry_code", "line_id", "disease_area_code"],
            "foreignKeys": [line_key, fk("disease_area_code", "disease_area_codes")],
        }),
        "purposes" => json!({
            "fields": fields,
            "primaryKey": ["ministry_code", "line_id", "purpose_code"],
            "foreignKeys": [line_key, fk("purpose_code", "purpose_codes")],
        }),
        _ => json!({ "fields": fields, "primaryKey": ["code"] }),
    }
}

/// The Fiscal Data Package model: what is measured (in yen) and along which dimensions.
fn model() -> Value {
    let mut measures = serde_json::Map::new();
    for (f, ja, en, phase) in MEASURES {
        measures.insert(
            f.into(),
            json!({ "source": f, "resource": "lines", "currency": "JPY", "direction": "expenditure", "phase": phase, "title": format!("{ja} / {en}") }),
        );
    }
    let dim = |code: &str, name: Option<&str>, resource: &str, kind: &str, class: Option<&str>| {
        let mut attrs = serde_json::Map::new();
        attrs.insert("code".into(), json!({ "source": code, "resource": resource }));
        if let Some(n) = name {
            attrs.insert("name".into(), json!({ "source": n, "resource": resource, "labelfor": "code" }));
        }
        let mut d = json!({ "attributes": attrs, "primaryKey": "code", "dimensionType": kind });
        if let Some(c) = class {
            d["classificationType"] = json!(c);
        }
        d
    };
    json!({
        "measures": measures,
        "dimensions": {
            "fiscal_year": dim("fiscal_year", None, "lines", "datetime", None),
            "ministry": dim("ministry_code", Some("ministry_name"), "lines", "entity", Some("administrative")),
            "integrated_project": dim("project_code", Some("project_name"), "lines", "classification", Some("functional")),
            "channel": dim("channel_code", Some("channel_name"), "lines", "classification", Some("economic")),
            "disease_area": dim("disease_area_code", Some("disease_area_name"), "disease_areas", "classification", Some("functional")),
            "purpose": dim("purpose_code", Some("purpose_name"), "purposes", "classification", Some("functional")),
            "line": {
                "attributes": {
                    "ministry_code": { "source": "ministry_code", "resource": "lines" },
                    "line_id": { "source": "line_id", "resource": "lines" },
                    "name": { "source": "line_name", "resource": "lines", "labelfor": "line_id" },
                },
                "primaryKey": ["ministry_code", "line_id"],
                "dimensionType": "activity",
            },
        },
    })
}

/// The title of the package: 令和5年度 医療分野の研究開発関連予算（査定後）.
pub fn title(policy: &Policy) -> String {
    format!(
        "{} 医療分野の研究開発関連予算（査定後）/ FY{} medical R&D budget (settled)",
        policy.fiscal_year.era_label(),
        policy.fiscal_year.year()
    )
}

/// The source note a reuser quotes (出典の記載例).
pub fn source_note(input: &OpenDataInput<'_>) -> String {
    format!(
        "出典：{}「{}」（haibun 取りまとめ #{}、内容ハッシュ {}）/ Source: {}, \"{}\" (haibun compilation #{}, content hash {})",
        input.licence.publisher,
        title(input.policy),
        input.snapshot_id,
        input.content_hash,
        input.licence.publisher,
        title(input.policy),
        input.snapshot_id,
        input.content_hash
    )
}

/// Every file of the package, `datapackage.json` first.
pub fn package(input: &OpenDataInput<'_>) -> Vec<OpenFile> {
    let fy = input.policy.fiscal_year.year();
    let tables = tables(input);
    let mut files = Vec::new();
    let mut resources = Vec::new();
    for (name, ja, en, t) in &tables {
        let path = format!("data/{name}.csv");
        resources.push(json!({
            "profile": "tabular-data-resource",
            "name": name,
            "title": format!("{ja} / {en}"),
            "path": path,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema(name, t),
        }));
        files.push(OpenFile { path, bytes: data_csv(t) });
        files.push(OpenFile { path: format!("excel/{name}_ja.csv"), bytes: excel_csv(t) });
    }
    let note = source_note(input);
    let descriptor = json!({
        "profile": "tabular-data-package",
        "name": format!("haibun-fy{fy}-settled"),
        // The compilation it is made of and the audit head it was made at (allocations may follow).
        "id": format!(
            "urn:haibun:fy{fy}:compilation:{}:{}:audit:{}",
            input.snapshot_id,
            input.content_hash,
            input.audit_anchor.split(':').next().unwrap_or_default()
        ),
        "title": title(input.policy),
        "description": format!(
            "{}の医療分野の研究開発関連予算を、事業ごとに前年度予算額・要求額・査定額・調整費の追加配分額（円）で示す。疾患領域別・開発目的別の額は各事業の割合で按分（合計は一致）。Excel 用の日本語見出し・BOM 付き CSV を excel/ に置く。/ The settled medical R&D budget by line: prior year, request, settled and adjustment-fund allocation in yen; disease-area and purpose amounts apportioned by each line's shares (they sum exactly); CSV with Japanese headers and a BOM for Excel in excel/.",
            input.policy.fiscal_year.era_label()
        ),
        "created": input.created,
        "countryCode": "JP",
        "granularity": "aggregated",
        "fiscalPeriod": { "start": format!("{fy}-04-01"), "end": format!("{}-03-31", fy + 1) },
        "licenses": [{ "name": input.licence.name, "title": input.licence.title, "path": input.licence.path }],
        "sources": [{ "title": note }],
        "contributors": [{ "title": input.licence.publisher, "role": "publisher" }],
        "keywords": ["医療分野の研究開発", "予算", "medical R&D", "budget", "Japan"],
        "haibun": { "compilation": input.snapshot_id, "content_hash": input.content_hash, "audit_anchor": input.audit_anchor, "policy": input.policy.name_ja },
        "model": model(),
        "resources": resources,
    });
    let mut json = serde_json::to_vec_pretty(&descriptor).expect("JSON to memory");
    json.push(b'\n');
    files.insert(0, OpenFile { path: "datapackage.json".into(), bytes: json });
    let readme = format!(
        "{}\r\n\r\nライセンス / Licence: {}\r\n{}\r\n\r\n{}\r\n\r\ndata/     機械判読用 CSV（UTF-8、BOM なし、見出しは英字）と datapackage.json（Fiscal Data Package）/ machine-readable CSV (UTF-8) described by datapackage.json\r\nexcel/    同じ表の Excel 用 CSV（UTF-8 BOM 付き、日本語見出し）/ the same tables for Japanese Excel (BOM, Japanese headers)\r\n金額はすべて円 / all amounts in yen. 監査証跡 / audit anchor: {}\r\nExcel で CSV を直接開くと、先頭が 0 の番号（予算事業ID など）の 0 が落ちます。「データ」→「テキストまたは CSV から」で列を文字列として読み込んでください / opening a CSV directly in Excel drops the leading zeros of ids; import it as text (Data > From Text/CSV) to keep them\r\n",
        title(input.policy),
        input.licence.title,
        input.licence.path,
        note,
        input.audit_anchor
    );
    let mut readme_bytes = b"\xEF\xBB\xBF".to_vec();
    readme_bytes.extend(readme.into_bytes());
    files.push(OpenFile { path: "README.txt".into(), bytes: readme_bytes });
    files
}

/// The package as one zip archive (for the web page's download).
pub fn zip(files: &[OpenFile]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for f in files {
        w.start_file(f.path.as_str(), opts).expect("zip to memory");
        w.write_all(&f.bytes).expect("zip to memory");
    }
    w.finish().expect("zip to memory").into_inner()
}

#[cfg(test)]
mod tests {
    use haibun_domain::compile::compile;
    use haibun_domain::{FiscalYear, LineId, Shares};

    use super::*;

    fn line(request: i64, diseases: &[(&str, u8)]) -> RequestLine {
        RequestLine {
            fiscal_year: FiscalYear::try_from(2023).unwrap(),
            ministry: "MEXT".into(),
            line_id: LineId::parse("MEXT-1").unwrap(),
            name: "x".into(),
            channel: "AMED".into(),
            project: None,
            prior_year: Yen(7),
            request: Yen(request),
            priority_frame: None,
            disease_areas: Some(Shares::new(diseases.iter().map(|(c, p)| (c.to_string(), *p)).collect()).unwrap()),
            purposes: None,
            is_new: false,
            summary: String::new(),
            kpi: String::new(),
            priority_items: Vec::new(),
            justification: String::new(),
            rs_id: String::new(),
        }
    }

    /// Two one-yen allocations on a line shared 50/50: the compilation gives both yen to the
    /// first area (each allocation apportioned on its own); the open data must say the same.
    #[test]
    fn allocations_are_apportioned_one_by_one_as_the_compilation_does() {
        let policy = Policy::builtin(FiscalYear::try_from(2023).unwrap()).unwrap().unwrap();
        let l = line(101, &[("CANCER", 50), ("INTRACTABLE", 50)]);
        let open = OpenLine { line: l.clone(), settled: Yen(99), allocations: vec![Yen(1), Yen(1)] };
        let rows = share_rows(&policy, Kind::DiseaseArea, &open);
        let adjustment: Vec<&str> = rows.iter().map(|r| r[9].as_str()).collect();
        // The compilation of the allocations (each as a line of its own under the same shares).
        let adj = compile(
            l.fiscal_year,
            haibun_domain::Stage::Requested,
            &[line(1, &[("CANCER", 50), ("INTRACTABLE", 50)]), line(1, &[("CANCER", 50), ("INTRACTABLE", 50)])],
        );
        let want: Vec<String> = adj.by_disease_area.iter().map(|r| r.amounts.request.get().to_string()).collect();
        assert_eq!(adjustment, want);
        assert_eq!(adjustment, ["2", "0"]);
        // Every measure's parts sum to the line's.
        for (col, whole) in [(6, 7), (7, 101), (8, 99), (9, 2)] {
            assert_eq!(rows.iter().map(|r| r[col].parse::<i64>().unwrap()).sum::<i64>(), whole, "column {col}");
        }
        assert_eq!(rows[0][7], "51", "the odd yen of the request to the earlier share");
    }

    /// A line without shares is one UNASSIGNED row at 100 %.
    #[test]
    fn a_line_without_shares_is_unassigned_whole() {
        let policy = Policy::builtin(FiscalYear::try_from(2023).unwrap()).unwrap().unwrap();
        let open = OpenLine { line: line(10, &[("CANCER", 100)]), settled: Yen(10), allocations: vec![] };
        let rows = share_rows(&policy, Kind::Purpose, &open);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0][3].as_str(), rows[0][5].as_str(), rows[0][9].as_str()), (UNASSIGNED, "100", "0"));
    }
}
