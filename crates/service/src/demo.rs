//! The demo data set: a realistic, clearly fictional (架空) year of requests, generated from a seed.

use haibun_domain::line::LineId;
use haibun_domain::policy::Kind;
use haibun_domain::{FiscalYear, Policy, RequestLine, Shares, Unit, Yen};

use haibun_domain::workflow::{Action, Role};
use haibun_store::CalendarRow;

use crate::{Actor, HearingInput, ImportRequest, InstructionInput, Service, ServiceError, ServiceResult};

/// The demo's seed; the same seed always gives the same lines.
pub const DEMO_SEED: u64 = 20_230_401;
/// How many lines the demo has.
pub const DEMO_LINES: usize = 150;

pub use haibun_domain::rng::Rng;

fn subjects(project: Option<&str>) -> &'static [&'static str] {
    match project {
        Some("PHARMA") => &[
            "次世代創薬モダリティ基盤",
            "RNA標的創薬技術",
            "医療用RIがん治療薬",
            "創薬AIプラットフォーム",
            "小児・希少疾患治療薬開発",
            "新興感染症ワクチン・治療薬",
        ],
        Some("DEVICE") => &[
            "AI診断支援医療機器",
            "手術支援ロボティクス",
            "在宅ヘルスケア機器",
            "予防・早期発見デバイス",
            "医療機器エコシステム形成",
        ],
        Some("REGEN") => {
            &["iPS細胞由来再生医療", "in vivo遺伝子治療", "細胞製造基盤技術", "疾患iPS細胞創薬", "遺伝子編集治療"]
        }
        Some("GENOME") => {
            &["全ゲノム解析情報基盤", "バイオバンク連携", "疾患レジストリ活用", "ゲノム医療実装", "医療データ連携基盤"]
        }
        Some("DISEASE") => {
            &["脳機能解明", "免疫アレルギー疾患病態解明", "生活習慣病メカニズム", "感染症研究拠点", "老化機構解明"]
        }
        Some("SEEDS") => &[
            "橋渡し研究シーズ育成",
            "臨床研究中核病院機能強化",
            "国際共同研究",
            "異分野融合シーズ探索",
            "リバーストランスレーショナル研究",
        ],
        _ => &[
            "インハウス基盤研究",
            "ムーンショット型研究開発",
            "ワクチン開発基金",
            "スタートアップ出資",
            "研究基盤整備",
        ],
    }
}

const SUFFIXES: &[&str] = &["研究開発事業", "推進事業", "実用化研究", "基盤整備事業", "プログラム"];
/// (ministry, weight): the larger research ministries file more lines.
const MINISTRIES: &[(&str, u64)] = &[("MHLW", 40), ("MEXT", 35), ("METI", 15), ("MIC", 5), ("CAO", 5)];
/// (channel, weight).
const CHANNELS: &[(&str, u64)] = &[("AMED", 70), ("INHOUSE", 12), ("FUND", 6), ("INVESTMENT", 5), ("OTHER", 7)];

fn weighted<'a>(rng: &mut Rng, items: &'a [(&'a str, u64)]) -> &'a str {
    let total: u64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.below(total);
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    items[0].0
}

fn random_shares(rng: &mut Rng, codes: &[&str], max_parts: u64, first: Option<&str>) -> Shares {
    let parts = 1 + rng.below(max_parts) as usize;
    let mut chosen: Vec<&str> = first.into_iter().collect();
    while chosen.len() < parts {
        let c = *rng.pick(codes);
        if !chosen.contains(&c) {
            chosen.push(c);
        }
    }
    let mut left = 100u8;
    let mut pairs = Vec::new();
    for (i, c) in chosen.iter().enumerate() {
        let pct = if i + 1 == chosen.len() {
            left
        } else {
            (10 + rng.below(u64::from(left) - 10 * (chosen.len() - i) as u64 + 1) as u8).min(left - 10)
        };
        left -= pct;
        pairs.push((c.to_string(), pct));
    }
    Shares::new(pairs).expect("generated shares sum to 100")
}

/// Generates `count` fictional lines for `policy`'s year. The first lines cycle through every
/// project, channel, disease area and purpose, so each appears with money.
pub fn generate(policy: &Policy, seed: u64, count: usize) -> Vec<RequestLine> {
    let mut rng = Rng::new(seed);
    let projects = policy.codes(Kind::Project);
    let channels = policy.codes(Kind::Channel);
    let diseases = policy.codes(Kind::DiseaseArea);
    let purposes = policy.codes(Kind::Purpose);
    let mut next_id: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    (0..count)
        .map(|i| {
            let ministry = weighted(&mut rng, MINISTRIES).to_string();
            let channel = if i < channels.len() {
                channels[i]
            } else if i < channels.len() + projects.len() {
                "AMED"
            } else {
                weighted(&mut rng, CHANNELS)
            }
            .to_string();
            let project = if channel == "AMED" {
                let k = i.wrapping_sub(channels.len());
                Some(if k < projects.len() { projects[k] } else { *rng.pick(&projects) }.to_string())
            } else if rng.below(3) == 0 {
                Some(rng.pick(&projects).to_string())
            } else {
                None
            };
            let is_new = rng.below(5) == 0;
            // Amounts in whole thousands of yen, as budget documents count; prior year 30M–9B yen.
            let prior = if is_new { 0 } else { rng.between(30_000, 9_000_000) * 1_000 };
            let request = if is_new {
                rng.between(20_000, 3_000_000) * 1_000
            } else {
                prior / 1000 * rng.between(85, 135) / 100 * 1_000
            };
            let priority_frame = (rng.below(10) < 3).then(|| request / 1000 * rng.between(10, 40) / 100 * 1_000);
            let disease_areas = (i < diseases.len() || rng.below(10) < 7)
                .then(|| random_shares(&mut rng, &diseases, 3, diseases.get(i).copied()));
            let purposes = (i < purposes.len() || rng.below(10) < 8)
                .then(|| random_shares(&mut rng, &purposes, 2, purposes.get(i).copied()));
            let n = next_id.entry(ministry.clone()).or_insert(0);
            *n += 1;
            let subject = rng.pick(subjects(project.as_deref()));
            let suffix = rng.pick(SUFFIXES);
            RequestLine {
                fiscal_year: policy.fiscal_year,
                line_id: LineId::parse(&format!("{ministry}-{:03}", *n)).expect("generated id"),
                ministry,
                name: format!("（架空）{subject}{suffix}"),
                channel,
                project,
                prior_year: Yen(prior),
                request: Yen(request),
                priority_frame: priority_frame.map(Yen),
                disease_areas,
                purposes,
                is_new,
                summary: format!("（架空のデモデータ）{subject}に関する研究開発を推進する。"),
                kpi: format!(
                    "令和{}年度までに{subject}の成果を{}件創出",
                    policy.fiscal_year.year() - 2018 + 2,
                    rng.between(3, 30)
                ),
                priority_items: Vec::new(),
                justification: String::new(),
            }
        })
        .collect()
}

/// The demo's users, one or more for every role: (name, role, ministry).
pub const DEMO_USERS: &[(&str, Role, Option<&str>)] = &[
    ("admin", Role::Admin, None),
    ("cao-ito", Role::Ministry, Some("CAO")),
    ("mic-takahashi", Role::Ministry, Some("MIC")),
    ("mext-tanaka", Role::Ministry, Some("MEXT")),
    ("mhlw-sato", Role::Ministry, Some("MHLW")),
    ("meti-suzuki", Role::Ministry, Some("METI")),
    ("co-yamada", Role::CabinetOffice, None),
    ("hq-kobayashi", Role::Hq, None),
    ("mof-watanabe", Role::Fiscal, None),
    ("amed-nakamura", Role::AmedPd, None),
    ("viewer-kato", Role::Viewer, None),
];

/// The demo password of a demo user (fictional data only; printed by `haibun demo`).
pub fn demo_password(name: &str) -> String {
    format!("demo-{name}-2023")
}

pub(crate) fn shift(today: &str, days: i64) -> ServiceResult<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(today, &format).map_err(|e| ServiceError::Internal(e.into()))?;
    let d = d
        .checked_add(time::Duration::days(days))
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("date out of range")))?;
    Ok(format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
}

impl Service {
    /// Loads the demo of `fy`, part-way through the cycle on `today`: users for every role, a
    /// calendar around today, each ministry's lines imported by its own user through the real
    /// intake (one workbook each), and packages at different stages: MEXT and METI consented,
    /// MHLW under revision, MIC reported back, CAO still drafting past its deadline (overdue).
    pub async fn load_demo(&self, admin: &Actor, fy: FiscalYear, today: &str) -> ServiceResult<String> {
        let policy = self.policy(fy).await?;
        for (name, role, ministry) in DEMO_USERS {
            self.add_user(admin, name, *role, *ministry).await?;
            self.set_password(admin, name, &demo_password(name)).await?;
        }
        let cal = CalendarRow {
            fiscal_year: fy.year(),
            submission_deadline: shift(today, -30)?,
            hearing_start: shift(today, -25)?,
            hearing_end: shift(today, -10)?,
            consent_deadline: shift(today, 14)?,
            compilation_date: shift(today, 21)?,
        };
        let co = self.actor(Some("co-yamada")).await?;
        self.set_calendar(&co, cal).await?;
        let lines = generate(&policy, DEMO_SEED, DEMO_LINES);
        let mut imported = 0;
        for ministry in policy.codes(Kind::Ministry) {
            let mine: Vec<RequestLine> = lines.iter().filter(|l| l.ministry == ministry).cloned().collect();
            let Some((user, _, _)) = DEMO_USERS.iter().find(|(_, _, m)| *m == Some(ministry)) else { continue };
            if mine.is_empty() {
                continue;
            }
            let staff = self.actor(Some(user)).await?;
            let bytes = haibun_sheets::write_workbook(&policy, Some(ministry), Unit::ThousandYen, &mine)
                .map_err(|e| ServiceError::Internal(e.into()))?;
            let file = format!("demo-{}-{ministry}.xlsx", fy.year());
            imported += self
                .import(
                    &staff,
                    ImportRequest { fiscal_year: fy, ministry, file_name: &file, bytes: &bytes, unit: None },
                )
                .await?
                .rows;
        }
        self.load_demo_prior_budget(&co, &policy, &lines).await?;
        let hearing = |d: i64| -> ServiceResult<HearingInput> {
            Ok(HearingInput {
                date: shift(today, d)?,
                place: "内閣府 会議室（架空）".into(),
                attendees: "内閣府 健康・医療戦略推進事務局、所管課".into(),
                minutes: "（架空）要求内容の説明と質疑。".into(),
            })
        };
        for (ministry, user, day) in [
            ("MEXT", "mext-tanaka", -24),
            ("METI", "meti-suzuki", -20),
            ("MHLW", "mhlw-sato", -18),
            ("MIC", "mic-takahashi", -15),
        ] {
            let staff = self.actor(Some(user)).await?;
            self.package_action(&staff, fy, ministry, Action::Submit, None).await?;
            self.record_hearing(&co, fy, ministry, hearing(day)?).await?;
        }
        self.package_action(&co, fy, "MEXT", Action::Consent, None).await?;
        for (ministry, user) in [("METI", "meti-suzuki"), ("MIC", "mic-takahashi")] {
            let staff = self.actor(Some(user)).await?;
            let first = lines.iter().find(|l| l.ministry == ministry).map(|l| l.line_id.to_string());
            let id = self
                .instruct(
                    &co,
                    fy,
                    ministry,
                    InstructionInput {
                        line_id: first,
                        text: "（架空）前年度比の増額理由と成果目標を具体的に説明すること。".into(),
                        target_amount: None,
                        due: Some(shift(today, 3)?),
                    },
                )
                .await?;
            self.answer(&staff, id, "（架空）増額理由と KPI を事業概要に追記しました。").await?;
            self.package_action(&staff, fy, ministry, Action::Report, None).await?;
        }
        self.package_action(&co, fy, "METI", Action::Consent, None).await?;
        let mhlw: Vec<String> =
            lines.iter().filter(|l| l.ministry == "MHLW").take(2).map(|l| l.line_id.to_string()).collect();
        for (i, line) in mhlw.into_iter().enumerate() {
            let target = lines
                .iter()
                .find(|l| l.line_id.as_str() == line)
                .map(|l| Yen(l.request.get() / 1_000 * 90 / 100 * 1_000));
            let text = if i == 0 {
                "（架空）AMED 対象経費への集約を検討し、統合プロジェクトの分類を見直すこと。"
            } else {
                "（架空）要求額を前年度並みに見直すこと。"
            };
            self.instruct(
                &co,
                fy,
                "MHLW",
                InstructionInput {
                    line_id: Some(line),
                    text: text.into(),
                    target_amount: if i == 1 { target } else { None },
                    due: Some(shift(today, 7)?),
                },
            )
            .await?;
        }
        let fund = self.load_demo_fund(&lines).await?;
        Ok(format!(
            "{imported} 事業/lines, {} 利用者/users; MEXT・METI 了解済/consented, MHLW 見直し中/under revision, MIC 報告済/reported, CAO 作成中・期限超過/drafting, overdue; {fund}",
            DEMO_USERS.len()
        ))
    }
}

impl Service {
    /// Holds a fictional FY(n-1) settled budget for the demo year, through the same import a
    /// coordinator uses: each continuing line at its declared prior-year amount, and a few lines that
    /// ended last year, so the book shows new, continuing and ended lines.
    async fn load_demo_prior_budget(&self, co: &Actor, policy: &Policy, lines: &[RequestLine]) -> ServiceResult<()> {
        let fy = policy.fiscal_year;
        for ministry in policy.codes(Kind::Ministry) {
            let mut prior: Vec<RequestLine> = lines
                .iter()
                .filter(|l| l.ministry == ministry && !l.is_new)
                .map(|l| RequestLine {
                    request: l.prior_year,
                    prior_year: Yen::ZERO,
                    priority_frame: None,
                    ..l.clone()
                })
                .collect();
            let ended: Vec<RequestLine> = prior
                .iter()
                .take(2)
                .enumerate()
                .map(|(i, l)| RequestLine {
                    line_id: haibun_domain::LineId::parse(&format!("{ministry}-E{:02}", i + 1)).expect("a valid id"),
                    name: format!("{}（前年度で終了）", l.name),
                    ..l.clone()
                })
                .collect();
            prior.extend(ended);
            if prior.is_empty() {
                continue;
            }
            let bytes = haibun_sheets::write_workbook(policy, Some(ministry), Unit::ThousandYen, &prior)
                .map_err(|e| ServiceError::Internal(e.into()))?;
            let file = format!("demo-{}-settled-{ministry}.xlsx", fy.year() - 1);
            self.import_prior(
                co,
                ImportRequest { fiscal_year: fy, ministry, file_name: &file, bytes: &bytes, unit: None },
            )
            .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_covers_every_code_and_is_deterministic() {
        let policy = Policy::builtin(FiscalYear::try_from(2023).unwrap()).unwrap().unwrap();
        let a = generate(&policy, DEMO_SEED, DEMO_LINES);
        assert_eq!(a, generate(&policy, DEMO_SEED, DEMO_LINES));
        let c = haibun_domain::compile(policy.fiscal_year, haibun_domain::Stage::Requested, &a);
        let keys = |rows: &[haibun_domain::compile::KeyRow]| rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>();
        for code in policy.codes(Kind::Project) {
            assert!(keys(&c.by_project).contains(&code.to_string()), "{code}");
        }
        for (kind, rows) in
            [(Kind::Channel, &c.by_channel), (Kind::DiseaseArea, &c.by_disease_area), (Kind::Purpose, &c.by_purpose)]
        {
            for code in policy.codes(kind) {
                assert!(keys(rows).contains(&code.to_string()), "{code}");
            }
        }
        for m in ["CAO", "MIC", "MEXT", "MHLW", "METI"] {
            assert!(keys(&c.by_ministry).contains(&m.to_string()), "{m}");
        }
        assert!(a.iter().all(|l| l.priority_frame.is_none_or(|f| f <= l.request)));
    }
}
