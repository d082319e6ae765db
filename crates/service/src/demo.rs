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

/// Who or what a demo line's summary is about, how it works and to what end: varied by line, so
/// the demo's texts are not near-duplicates of each other.
const TARGETS: &[&str] = &[
    "大学・研究機関の研究者",
    "国内の医療機関",
    "製薬企業とアカデミア",
    "新興企業",
    "地域の中核病院",
    "患者と家族",
    "若手研究者",
    "臨床現場",
    "産学官の共同体",
    "海外の研究拠点",
    "自治体と保健所",
];
const METHODS: &[&str] = &[
    "公募による研究課題の採択",
    "多施設共同の臨床研究",
    "企業との共同開発",
    "海外機関との共同研究",
    "基盤設備の整備と共用",
    "専門人材の育成と派遣",
    "データの収集と解析",
    "専門家による技術的助言",
    "試作と非臨床評価",
    "規制当局との事前相談",
    "標準化と品質評価",
    "実証試験の実施",
    "研究拠点間のネットワーク化",
];
const OUTCOMES: &[&str] =
    &["実用化", "早期の薬事承認", "社会実装", "成果の最大化", "国際競争力の強化", "普及と定着", "効率的な推進"];

/// Shares split evenly over `codes` (the first takes the remainder), or none.
fn even_shares(codes: Vec<String>) -> Option<Shares> {
    if codes.is_empty() {
        return None;
    }
    let n = codes.len() as u8;
    let each = 100 / n;
    let pairs =
        codes.into_iter().enumerate().map(|(i, c)| (c, if i == 0 { 100 - each * (n - 1) } else { each })).collect();
    Shares::new(pairs).ok()
}

/// The priority items a demo line may serve: its project's (with areas related to it), or for a
/// line outside the projects, those of the area its channel belongs to.
fn item_choices(policy: &Policy, project: Option<&str>, channel: &str) -> Vec<String> {
    policy
        .priority_items()
        .into_iter()
        .filter(|(owner, _)| match project {
            Some(p) => *owner == p,
            None => policy.areas.iter().any(|a| a.code == *owner && a.channels.iter().any(|c| c == channel)),
        })
        .map(|(_, i)| i.id.clone())
        .collect()
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
    let mut names: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
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
            } else {
                // Drawn and dropped, so the sequence (and so every amount) stays as it was:
                // integrated projects are AMED-consolidated budget (§4), so other channels have none.
                if rng.below(3) == 0 {
                    let _ = rng.pick(&projects);
                }
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
            let purposes = (i < purposes.len() || rng.below(10) < 8 || channel == "AMED")
                .then(|| random_shares(&mut rng, &purposes, 2, purposes.get(i).copied()));
            let n = next_id.entry(ministry.clone()).or_insert(0);
            *n += 1;
            let subject = rng.pick(subjects(project.as_deref()));
            // A ministry does not file two lines under one name: the next suffix if it is taken.
            let drawn = SUFFIXES.iter().position(|x| x == rng.pick(SUFFIXES)).unwrap_or(0);
            let suffix = (0..SUFFIXES.len())
                .map(|k| SUFFIXES[(drawn + k) % SUFFIXES.len()])
                .find(|x| !names.contains(&(ministry.clone(), format!("{subject}{x}"))))
                .unwrap_or(SUFFIXES[drawn]);
            names.insert((ministry.clone(), format!("{subject}{suffix}")));
            // A disease-related AMED line names its disease areas (§4): from its subject's words.
            let disease_areas = match disease_areas {
                None if channel == "AMED" => even_shares(
                    haibun_domain::review::disease_areas_in(policy, subject).into_iter().map(|(a, _)| a).collect(),
                ),
                other => other,
            };
            // Each line serves a priority item of its project (or of the area of its channel).
            let items = item_choices(policy, project.as_deref(), &channel);
            let priority_items: Vec<String> =
                items.get(i % items.len().max(1)).map(|id| vec![id.clone()]).unwrap_or_default();
            let priority_frame = if priority_items.is_empty() { None } else { priority_frame };
            let grows = is_new || request * 100 > prior * 110;
            // Strides coprime with each list's length: no two of the first 1001 lines share all three.
            let (target, method, outcome) = (
                TARGETS[(i * 7 + 3) % TARGETS.len()],
                METHODS[(i * 5 + 1) % METHODS.len()],
                OUTCOMES[(i * 3) % OUTCOMES.len()],
            );
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
                summary: match i % 4 {
                    0 => format!("{target}を対象に、{method}により{subject}の{outcome}を図る。"),
                    1 => format!("{subject}について、{method}を通じて{target}と連携し、{outcome}につなげる。"),
                    2 => format!("{method}を中心に据え、{target}が取り組む{subject}を支援して{outcome}を目指す。"),
                    _ => format!("本事業では{subject}に関し{target}の参画を得て{method}を進め、{outcome}を実現する。"),
                },
                kpi: format!(
                    "令和{}年度までに{subject}の成果を{}件創出",
                    policy.fiscal_year.year() - 2018 + 2,
                    rng.between(3, 30)
                ),
                justification: if grows {
                    format!(
                        "（架空）研究者等への調査と海外動向の分析から、{subject}の{outcome}には拡充が必要と判断した。"
                    )
                } else {
                    String::new()
                },
                priority_items,
                // A fictional RS id (予算事業ID) for every line, so RS files can be matched.
                rs_id: format!("{:07}", 9_000_000 + i),
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
        let mut lines = generate(&policy, DEMO_SEED, DEMO_LINES);
        // A few lines planted so that `haibun check` has something of every kind to show.
        lines.extend(crate::demo_planted::planted(fy).into_iter().map(|(_, l)| l));
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
        let pdca = self.load_demo_pdca(fy, &lines, today).await?;
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
        let evidence = self.load_demo_evidence(fy, today).await?;
        Ok(format!(
            "{imported} 事業/lines, {} 利用者/users; MEXT・METI 了解済/consented, MHLW 見直し中/under revision, MIC 報告済/reported, CAO 作成中・期限超過/drafting, overdue; {fund}; {pdca}; {evidence}",
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
