//! The demo's adjustment fund (fictional): a pool, a decided round with an outcome recorded but
//! its ex-post check outstanding, an open round fully scored and waiting for HQ, and an emergency
//! allocation waiting for the Cabinet Office's review. Everything goes through the real use cases
//! as the demo users who would do it.

use haibun_domain::{RequestLine, Yen};

use crate::fund::{PlanChange, ProposalInput};
use crate::{Service, ServiceResult};

/// The demo's pool: ¥3bn (the real fund is about ¥17.5bn a year; the demo's lines are fewer).
const DEMO_POOL: i64 = 3_000_000_000;

fn proposal(l: &RequestLine, requested: i64, min: i64, items: &[&str]) -> ProposalInput {
    ProposalInput {
        ministry: l.ministry.clone(),
        line_id: l.line_id.to_string(),
        requested,
        min,
        rationale: format!("（架空）{} の中間評価で前倒しが有効と判断", l.name),
        evidence: "（架空）中間評価 A、目標症例数の8割を登録済".into(),
        needs: "（架空）臨床試験の症例追加と解析体制の強化".into(),
        urgency: "（架空）年度内に次の段階へ進むため".into(),
        priority_items: items.iter().map(|s| s.to_string()).collect(),
        targets: "（架空）年度内に症例登録を完了し、主要評価項目の解析に着手する".into(),
    }
}

impl Service {
    /// Loads the demo's fund. Returns a one-line summary.
    pub(crate) async fn load_demo_fund(&self, lines: &[RequestLine]) -> ServiceResult<String> {
        let Some(first) = lines.first() else { return Ok(String::new()) };
        let fy = first.fiscal_year;
        let (hq, co, pd) = (
            self.actor(Some("hq-kobayashi")).await?,
            self.actor(Some("co-yamada")).await?,
            self.actor(Some("amed-nakamura")).await?,
        );
        // The AMED lines of the ministries whose requests are in (CAO is still drafting).
        let amed: Vec<&RequestLine> = lines
            .iter()
            .filter(|l| l.channel == "AMED" && ["MEXT", "MHLW", "METI"].contains(&l.ministry.as_str()))
            .collect();
        if amed.len() < 8 {
            return Ok(String::new());
        }
        self.set_fund_pool(&hq, fy, Yen(DEMO_POOL)).await?;
        let score = |progress: i64, needs: i64| {
            vec![
                ("PROGRESS".to_string(), progress),
                ("NEEDS".to_string(), needs),
                ("URGENCY".to_string(), 3),
                ("PRIORITY".to_string(), 3),
            ]
        };

        // Round 1: decided, one change with its reason, one outcome recorded, check outstanding.
        let first = self.open_fund_round(&co, fy, "president", "（架空）第1回（理事長裁量型）").await?;
        let mut ids = Vec::new();
        for (i, (requested, min)) in [
            (800_000_000, 400_000_000),
            (600_000_000, 600_000_000),
            (500_000_000, 200_000_000),
            (400_000_000, 100_000_000),
        ]
        .into_iter()
        .enumerate()
        {
            let items: &[&str] = if i == 0 { &["PHARMA-01"] } else { &[] };
            ids.push(self.propose_fund(&pd, first, &proposal(amed[i], requested, min, items)).await?);
        }
        for (id, (p, n)) in ids.iter().zip([(5, 5), (4, 3), (3, 4), (2, 2)]) {
            self.score_fund(&co, *id, &score(p, n)).await?;
        }
        let change = PlanChange {
            proposal: ids[3],
            amount: 0,
            reason: "（架空）他府省の同種事業と重複するため今回は見送り".into(),
        };
        let rows = self.decide_fund(&hq, first, &[change], None).await?;
        if let Some(row) = rows.first() {
            self.record_fund_outcome(&pd, row.id, "partly", "（架空）症例登録 120/150 例、解析は次年度").await?;
        }

        // Round 2: open, every proposal scored, the plan waiting for HQ's decision.
        let second = self.open_fund_round(&co, fy, "top-down", "（架空）第2回（トップダウン型）再生・細胞医療").await?;
        for (i, (requested, min)) in
            [(700_000_000, 300_000_000), (500_000_000, 500_000_000), (300_000_000, 100_000_000)].into_iter().enumerate()
        {
            let id = self.propose_fund(&pd, second, &proposal(amed[4 + i], requested, min, &[])).await?;
            self.score_fund(&co, id, &score(4 - i as i64, 3)).await?;
        }

        // An emergency allocation, its review due within the policy's days.
        let emergency = self
            .emergency_fund(
                &hq,
                fy,
                "（架空）新興感染症の発生に伴う緊急の研究開発",
                &amed[7].ministry,
                amed[7].line_id.as_str(),
                200_000_000,
            )
            .await?;
        Ok(format!(
            "調整費/fund: 第1回 決定済・事後評価待ち/decided, check outstanding (#{first}), 第2回 評価済・決定待ち/scored, awaiting HQ (#{second}), 緊急配分/emergency (#{emergency})"
        ))
    }
}
