//! Lines planted in the demo on purpose, each showing one thing the policy check finds (their
//! names say so: （架空・点検例）). Every other demo line is clean, so `haibun check` on the demo
//! shows exactly these.

use haibun_domain::{FiscalYear, LineId, RequestLine, Shares, Yen};

/// A clean AMED line of `ministry`: SEEDS, linked to its first item, a treatment purpose, no
/// disease words, the same amount as last year, a KPI.
fn clean(fy: FiscalYear, ministry: &str, id: &str, name: &str, summary: &str) -> RequestLine {
    RequestLine {
        fiscal_year: fy,
        ministry: ministry.into(),
        line_id: LineId::parse(id).expect("a planted id"),
        name: format!("（架空・点検例）{name}"),
        channel: "AMED".into(),
        project: Some("SEEDS".into()),
        prior_year: Yen(100_000_000),
        request: Yen(100_000_000),
        priority_frame: None,
        disease_areas: None,
        purposes: Some(Shares::new(vec![("TREATMENT".into(), 100)]).expect("100%")),
        is_new: false,
        summary: summary.into(),
        kpi: "（架空）令和7年度までに成果を5件創出".into(),
        priority_items: vec!["SEEDS-01".into()],
        justification: String::new(),
        rs_id: String::new(),
    }
}

/// The planted lines, with the check each shows: (check code, line).
pub fn planted(fy: FiscalYear) -> Vec<(&'static str, RequestLine)> {
    let cao = |id: &str, name: &str, summary: &str| clean(fy, "CAO", id, name, summary);
    vec![
        (
            "PROJECT_CLASSIFICATION",
            RequestLine {
                project: None,
                priority_items: vec![],
                ..cao(
                    "CAO-901",
                    "研究開発成果展開推進事業",
                    "研究成果を社会に還元するため、公募により課題を選び支援する。",
                )
            },
        ),
        (
            "AMED_CONSOLIDATION",
            RequestLine {
                channel: "INHOUSE".into(),
                project: Some("GENOME".into()),
                priority_items: vec!["GENOME-01".into()],
                ..cao(
                    "CAO-902",
                    "所内ゲノム解析基盤運営費",
                    "研究所内の解析装置を維持し、所内の研究者に解析環境を提供する。",
                )
            },
        ),
        (
            "DISEASE_AREA_MANAGEMENT",
            cao(
                "CAO-903",
                "高齢者疾患横断研究推進事業",
                "認知症と糖尿病の合併例を対象に、共通する病態を横断的に調べる。",
            ),
        ),
        (
            "DEVELOPMENT_PURPOSE",
            RequestLine {
                purposes: None,
                ..cao("CAO-904", "研究支援人材確保事業", "研究現場を支える技術職員を確保し、機器の運用を安定させる。")
            },
        ),
        (
            "NEW_LINE_KPI",
            RequestLine {
                is_new: true,
                prior_year: Yen::ZERO,
                kpi: String::new(),
                justification: "（架空）研究者等への調査で、支援を求める声が多数寄せられた。".into(),
                ..cao("CAO-905", "新規研究支援窓口整備事業", "研究者からの相談に一元的に応じる窓口を新たに設ける。")
            },
        ),
        (
            "EVIDENCE_BASED_PRIORITY",
            RequestLine {
                is_new: true,
                prior_year: Yen::ZERO,
                ..cao("CAO-906", "研究成果発信強化事業", "研究成果を国内外へ発信する仕組みを新たに整える。")
            },
        ),
        (
            "INCREASE_JUSTIFICATION",
            RequestLine {
                request: Yen(150_000_000),
                ..cao("CAO-907", "研究機器共用化推進事業", "高額な研究機器を複数の機関で共同利用できるようにする。")
            },
        ),
        (
            "PRIORITY_FRAME_LINK",
            RequestLine {
                channel: "OTHER".into(),
                project: None,
                priority_items: vec![],
                priority_frame: Some(Yen(20_000_000)),
                ..cao("CAO-908", "研究開発評価体制整備事業", "研究開発の評価を行う体制を整え、評価者を育てる。")
            },
        ),
        (
            "PRIORITY_ITEM_ALIGNMENT",
            RequestLine {
                project: Some("DEVICE".into()),
                priority_items: vec![],
                ..cao("CAO-909", "機器開発周辺環境整備事業", "開発に携わる者の連絡会を開き、情報を交換する場を設ける。")
            },
        ),
        (
            "PROJECT_MISMATCH",
            RequestLine {
                project: Some("DEVICE".into()),
                priority_items: vec!["DEVICE-01".into()],
                ..cao(
                    "CAO-910",
                    "次世代治療用ベクター製造事業",
                    "iPS細胞と in vivo遺伝子治療に用いるベクターの製造開発と臨床開発を進める。",
                )
            },
        ),
        (
            "REGEN_STRONG_PROMOTION",
            RequestLine {
                project: Some("REGEN".into()),
                priority_items: vec!["REGEN-03".into()],
                prior_year: Yen(60_000_000_000),
                request: Yen(1_000_000_000),
                ..clean(
                    fy,
                    "MHLW",
                    "MHLW-901",
                    "再生医療研究拠点整備事業（縮小）",
                    "拠点整備の完了に伴い、運営費のみを計上し事業を縮小する。",
                )
            },
        ),
        (
            "OVERLAP_CANDIDATE",
            clean(
                fy,
                "MEXT",
                "MEXT-901",
                "医療研究データ利活用促進事業",
                "大学病院が保有する診療データを匿名化して研究者が利用できる環境を整え、データ利活用の人材を育成する。",
            ),
        ),
        (
            "OVERLAP_CANDIDATE",
            clean(
                fy,
                "MHLW",
                "MHLW-902",
                "医療研究データ利活用推進事業",
                "大学病院が保有する診療データを匿名化し研究者が利用できる環境を整え、データ利活用の人材を育成する。",
            ),
        ),
    ]
}
