//! The benchmarks' seeded generator of request lines of a realistic shape (5 ministries, 6
//! projects, 7 disease areas with 1–3 shares, 4 purposes with 1–2 shares, text summaries), shared
//! by `haibun-bench` and `haibun-import-bench` (each includes it with `#[path]`).

use haibun_domain::policy::{Kind, Policy};
use haibun_domain::rng::Rng;
use haibun_domain::{LineId, RequestLine, Shares, Yen};

/// Picks `k` distinct codes and whole percents summing to 100.
fn shares(rng: &mut Rng, codes: &[&str], k: usize) -> Shares {
    let mut pool: Vec<&str> = codes.to_vec();
    let mut picked = Vec::new();
    for _ in 0..k {
        picked.push(pool.remove(rng.below(pool.len() as u64) as usize).to_string());
    }
    let pct: Vec<u8> = match k {
        1 => vec![100],
        2 => {
            let a = 10 + 5 * rng.below(17) as u8;
            vec![a, 100 - a]
        }
        _ => {
            let a = 10 + rng.below(51) as u8;
            let b = 10 + rng.below(u64::from(81 - a)) as u8;
            vec![a, b, 100 - a - b]
        }
    };
    Shares::new(picked.into_iter().zip(pct).collect()).expect("valid generated shares")
}

const PHRASES: [&str; 8] = [
    "革新的な医薬品の創出に向けた基盤技術の開発",
    "疾患の早期診断を可能とする医療機器の研究",
    "再生・細胞医療の実用化を加速する研究開発",
    "ゲノム・データを活用した個別化医療の推進",
    "感染症に対するワクチン・治療薬の研究開発",
    "臨床研究の質の向上と国際共同研究の推進",
    "若手研究者の育成と研究基盤の整備",
    "産学官連携による実用化支援",
];

const PREFIXES: [&str; 20] = [
    "高精度",
    "低侵襲",
    "次世代",
    "多機能",
    "大規模",
    "長期",
    "迅速",
    "安全",
    "小型",
    "高効率",
    "新規",
    "統合",
    "自動",
    "遠隔",
    "個別化",
    "標準",
    "省力",
    "高品質",
    "国際",
    "地域",
];
const OBJECTS: [&str; 15] = [
    "細胞",
    "抗体",
    "画像",
    "遺伝子",
    "血液",
    "組織",
    "蛋白質",
    "代謝物",
    "神経",
    "免疫",
    "微生物",
    "薬剤",
    "装置",
    "試料",
    "臓器",
];
const NOUNS: [&str; 10] = ["解析", "計測", "評価", "製造", "探索", "予測", "検出", "培養", "診断", "設計"];
const TARGETS: [&str; 11] = [
    "大学・研究機関",
    "医療機関",
    "製薬企業",
    "新興企業",
    "中核病院",
    "患者団体",
    "若手研究者",
    "臨床現場",
    "産学官の共同体",
    "海外拠点",
    "自治体",
];
const METHODS: [&str; 13] = [
    "公募による課題の採択",
    "多施設共同研究",
    "企業との共同開発",
    "海外機関との共同研究",
    "設備の共用",
    "人材の育成",
    "データの収集",
    "専門家の助言",
    "非臨床評価",
    "事前相談",
    "品質評価",
    "実証試験",
    "拠点間の連携",
];
const OUTCOMES: [&str; 7] = ["実用化", "薬事承認", "社会実装", "成果の最大化", "国際競争力の強化", "普及", "効率化"];

/// A line's name and summary, from its own stream (so the amounts do not depend on the text):
/// six technical words (of 3 000), who, how and to what end. Every hundredth line copies the
/// line fifty before it with one word changed: the near-duplicates overlap detection must find.
fn text(seed: u64, i: usize) -> (String, String) {
    let of = |j: usize| {
        let mut r = Rng::new(seed ^ (j as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5EED);
        let word = |r: &mut Rng| format!("{}{}{}", r.pick(&PREFIXES), r.pick(&OBJECTS), r.pick(&NOUNS));
        let words: Vec<String> = (0..6).map(|_| word(&mut r)).collect();
        let (t, m, o) = (*r.pick(&TARGETS), *r.pick(&METHODS), *r.pick(&OUTCOMES));
        (words, t, m, o, word(&mut r))
    };
    let planted = i >= 50 && i.is_multiple_of(100);
    let (mut w, t, m, o, spare) = of(if planted { i - 50 } else { i });
    if planted {
        w[3] = spare;
    }
    let name = format!("{}{}事業", w[0], w[1]);
    let summary =
        format!("{}、{}及び{}について{t}が{m}を行い、{}と{}を通じて{o}を目指す。", w[2], w[3], w[4], w[5], w[0]);
    (name, summary)
}

/// `n` lines of a realistic shape, seeded.
pub fn generate(policy: &Policy, seed: u64, n: usize) -> Vec<RequestLine> {
    let mut rng = Rng::new(seed);
    let fy = policy.fiscal_year;
    let ministries: Vec<&str> = policy.codes(Kind::Ministry).into_iter().take(5).collect();
    let projects = policy.codes(Kind::Project);
    let diseases = policy.codes(Kind::DiseaseArea);
    let purposes = policy.codes(Kind::Purpose);
    (0..n)
        .map(|i| {
            let ministry = ministries[rng.below(ministries.len() as u64) as usize];
            let channel = match rng.below(100) {
                0..70 => "AMED",
                70..85 => "INHOUSE",
                85..92 => "FUND",
                _ => "OTHER",
            };
            let project = (channel == "AMED" || rng.below(2) == 0)
                .then(|| projects[rng.below(projects.len() as u64) as usize].to_string());
            // Log-uniform from ¥10 million to ¥50 billion, in thousands of yen.
            let exp = 7.0 + (rng.below(1_000_000) as f64 / 1_000_000.0) * 3.7;
            let request = (10f64.powf(exp) as i64 / 1_000) * 1_000;
            let is_new = rng.below(5) == 0;
            let prior = if is_new { 0 } else { (request / 1_000 * (80 + rng.below(41) as i64) / 100) * 1_000 };
            let disease_areas = (rng.below(10) != 0).then(|| {
                let k = 1 + rng.below(3) as usize;
                shares(&mut rng, &diseases, k)
            });
            let purpose_shares = (rng.below(10) != 0).then(|| {
                let k = 1 + rng.below(2) as usize;
                shares(&mut rng, &purposes, k)
            });
            let _ = rng.below(PHRASES.len() as u64); // drawn as before, so the amounts stay as they were
            let (name, summary) = text(seed, i);
            RequestLine {
                fiscal_year: fy,
                ministry: ministry.to_string(),
                line_id: LineId::parse(&format!("{ministry}-{i:07}")).expect("id"),
                name,
                channel: channel.to_string(),
                project,
                prior_year: Yen(prior),
                request: Yen(request),
                priority_frame: None,
                disease_areas,
                purposes: purpose_shares,
                is_new,
                summary,
                kpi: "成果目標: 論文数・特許出願数・臨床試験の開始件数".to_string(),
                priority_items: Vec::new(),
                justification: String::new(),
                rs_id: String::new(),
            }
        })
        .collect()
}

/// `n` lines of one ministry, as its request template would hold them (ids `MINISTRY-0000001`…).
#[allow(dead_code, reason = "each benchmark binary uses a different part of this file")]
pub fn generate_for(policy: &Policy, seed: u64, n: usize, ministry: &str) -> Vec<RequestLine> {
    let mut lines = generate(policy, seed, n);
    for (i, l) in lines.iter_mut().enumerate() {
        l.ministry = ministry.to_string();
        l.line_id = LineId::parse(&format!("{ministry}-{i:07}")).expect("id");
    }
    lines
}

/// The machine, for the record: CPU model, cores and memory.
#[allow(dead_code, reason = "each benchmark binary uses a different part of this file")]
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0)))
        .unwrap_or(0);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{cpu}, {cores} cores, {} GiB", mem / 1024 / 1024)
}
