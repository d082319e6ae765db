//! Home: my tasks by role, and the year at a glance.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use haibun_domain::FiscalYear;
use haibun_domain::compile::Amounts;
use haibun_domain::policy::Kind;
use haibun_domain::workflow::{Role, Status};
use haibun_service::{AnswerRow, InstructionRow, PackageStatus, ServiceError};

use super::*;
use crate::AppState;
use crate::error::page_error;
use crate::session::Viewer;

struct Task {
    text: String,
    link: String,
    due: Option<String>,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    fy: FiscalYear,
    tasks: Vec<Task>,
    packages: Vec<PackageStatus>,
    calendar: Option<haibun_service::CalendarRow>,
    snapshot: Option<haibun_service::SnapshotRow>,
    by_ministry: Vec<(String, String, Amounts)>,
    by_project: Vec<(String, String, Amounts)>,
    total: Amounts,
}

pub(super) async fn home(State(st): State<AppState>, v: Viewer) -> Response {
    let fy = current_year();
    let c = Chrome::of(&v, "/");
    let result = async {
        let status = st.svc.status(&v.actor, fy, &haibun_service::today()).await?;
        let policy = st.svc.policy(fy).await?;
        let compiled = st.svc.compile(&v.actor, fy).await?;
        let threads = st.svc.instruction_threads(&v.actor, fy, None).await?;
        Ok::<_, ServiceError>((status, policy, compiled, threads))
    }
    .await;
    let (status, policy, compiled, threads) = match result {
        Ok(r) => r,
        Err(e) => return page_error(e, v.lang),
    };
    let mut tasks = tasks_for(&v, &c, fy, &status.packages, &threads, status.snapshot.as_ref());
    // The adjustment fund is not a ministry's business (its users may not read it).
    if v.actor.role != Role::Ministry {
        match st.svc.fund_state(&v.actor, fy, &haibun_service::today()).await {
            Ok(fund) => tasks.extend(fund_tasks(&v, &c, fy, &fund)),
            Err(e) => return page_error(e, v.lang),
        }
    }
    match pdca_tasks(&st, &v, &c, fy).await {
        Ok(t) => tasks.extend(t),
        Err(e) => return page_error(e, v.lang),
    }
    render(&HomePage {
        by_ministry: labelled(&policy, Kind::Ministry, &compiled.by_ministry),
        by_project: labelled(&policy, Kind::Project, &compiled.by_project),
        total: compiled.total,
        c,
        fy,
        tasks,
        packages: status.packages,
        calendar: status.calendar,
        snapshot: status.snapshot,
    })
}

fn tasks_for(
    v: &Viewer,
    c: &Chrome,
    fy: FiscalYear,
    packages: &[PackageStatus],
    threads: &[(InstructionRow, Vec<AnswerRow>)],
    snapshot: Option<&haibun_service::SnapshotRow>,
) -> Vec<Task> {
    let link = |m: &str| format!("/years/{}/packages/{m}", fy.year());
    let mut tasks = Vec::new();
    match v.actor.role {
        Role::Ministry => {
            for p in packages {
                let text = match p.status {
                    Status::Drafting => c.t(
                        "要求を登録し、内閣府へ提出する",
                        "Enter the requests and submit them to the Cabinet Office",
                    ),
                    Status::RevisionInstructed => {
                        c.t("見直し指示に回答し、対応状況を報告する", "Answer the instructions and report back")
                    }
                    _ => continue,
                };
                tasks.push(Task {
                    text: format!("{} — {}", p.ministry, text),
                    link: link(&p.ministry),
                    due: p.due.clone(),
                    overdue: p.overdue,
                });
            }
            for (i, answers) in threads.iter().filter(|(_, a)| a.is_empty()) {
                let _ = answers;
                tasks.push(Task {
                    text: format!("{} #{}: {}", c.t("未回答の指示", "Instruction to answer"), i.id, i.text),
                    link: link(&i.ministry),
                    due: i.due.clone(),
                    overdue: false,
                });
            }
        }
        Role::CabinetOffice | Role::Admin => {
            for p in packages {
                let text = match p.status {
                    Status::Submitted => c.t("ヒアリングを行い記録する", "Hold and record the hearing"),
                    Status::HearingHeld => c.t("見直しを指示するか了解する", "Instruct a revision or consent"),
                    Status::RevisionReported => c.t("対応状況を確認し了解する", "Review the report and consent"),
                    _ => continue,
                };
                tasks.push(Task {
                    text: format!("{} — {}", p.ministry, text),
                    link: link(&p.ministry),
                    due: p.due.clone(),
                    overdue: p.overdue,
                });
            }
        }
        Role::Hq => {
            let waiting = packages.iter().filter(|p| !p.status.is_final()).count();
            let text = if snapshot.is_some() {
                c.t("取りまとめの提出・確定", "Submit or settle the compilation").to_string()
            } else if waiting == 0 {
                c.t(
                    "全府省の了解が揃いました。取りまとめを確定できます",
                    "Every package is consented: the compilation can be frozen",
                )
                .to_string()
            } else {
                format!(
                    "{} {waiting}",
                    c.t("取りまとめ待ち: 未了解の府省", "Before compiling: packages not yet consented:")
                )
            };
            tasks.push(Task { text, link: format!("/years/{}/compile", fy.year()), due: None, overdue: false });
        }
        Role::Fiscal => {
            if snapshot.is_some_and(|s| s.status == "submitted") {
                tasks.push(Task {
                    text: c
                        .t(
                            "提出された取りまとめの査定額を記録する",
                            "Record negotiated amounts for the submitted compilation",
                        )
                        .into(),
                    link: format!("/years/{}/compile", fy.year()),
                    due: None,
                    overdue: false,
                });
            }
        }
        Role::AmedPd | Role::Viewer => {}
    }
    tasks
}

/// The adjustment fund's tasks of the viewer's role: scoring and deciding open rounds, reviewing
/// emergencies, recording outcomes and completing ex-post checks, each with its deadline.
fn fund_tasks(v: &Viewer, c: &Chrome, fy: FiscalYear, fund: &haibun_service::FundState) -> Vec<Task> {
    use haibun_domain::fund::RoundPhase;
    let link = |id: i64| format!("/years/{}/fund/rounds/{id}", fy.year());
    let role = v.actor.role;
    let mut tasks = Vec::new();
    for (r, s) in fund.rounds.iter().zip(&fund.phases) {
        let mut add = |text: String, due: Option<String>, overdue: bool| {
            tasks.push(Task {
                text: format!("{} #{} {}: {text}", c.t("調整費", "Fund"), r.id, r.title),
                link: link(r.id),
                due,
                overdue,
            })
        };
        let outcomes_missing = fund
            .allocations
            .iter()
            .any(|a| a.round_id == r.id && !fund.outcomes.iter().any(|o| o.allocation_id == a.id));
        let check_overdue = fund.overdue_checks.contains(&r.id);
        match (role, s.phase) {
            (Role::CabinetOffice | Role::Hq | Role::Admin, RoundPhase::Open) if r.kind == "regular" => {
                add(c.t("提案を評価する", "Score the proposals").into(), None, false)
            }
            (Role::Hq | Role::Admin, RoundPhase::Scored) => {
                add(c.t("配分案を確認し決定する", "Review the plan and decide").into(), None, false)
            }
            (Role::AmedPd, RoundPhase::Open | RoundPhase::Scored) => {
                add(c.t("提案を受付中", "Taking proposals").into(), None, false)
            }
            _ => {}
        }
        if r.kind == "emergency" && r.reviewed_at.is_none() && matches!(role, Role::CabinetOffice | Role::Admin) {
            add(
                c.t("緊急配分を事後検証する", "Review the emergency allocation").into(),
                r.review_due.clone(),
                fund.overdue_reviews.contains(&r.id),
            );
        }
        if matches!(s.phase, RoundPhase::Decided | RoundPhase::Reviewed) {
            if outcomes_missing && matches!(role, Role::AmedPd | Role::Admin) {
                add(
                    c.t("配分先の成果を記録する", "Record the funded lines' outcomes").into(),
                    s.check_due.clone(),
                    check_overdue,
                );
            }
            let ready = !outcomes_missing && (r.kind == "regular" || r.reviewed_at.is_some());
            if ready && matches!(role, Role::CabinetOffice | Role::Admin) {
                add(c.t("事後評価を完了する", "Complete the ex-post check").into(), s.check_due.clone(), check_overdue);
            }
        }
    }
    tasks
}

/// PDCA's tasks of the viewer's role in the year's open follow-up rounds: a ministry's KPIs to
/// report, the Cabinet Office's measures to evaluate, HQ's evaluated measures whose lines have no
/// action yet; and a ministry's lines whose follow-up from last year awaits its response.
async fn pdca_tasks(st: &AppState, v: &Viewer, c: &Chrome, fy: FiscalYear) -> Result<Vec<Task>, ServiceError> {
    let today = haibun_service::today();
    let role = v.actor.role;
    let mut tasks = Vec::new();
    for r in st.svc.followup_rounds(Some(fy)).await?.into_iter().filter(|r| r.status == "open") {
        let f = st.svc.followup(&v.actor, r.id).await?;
        let link = format!("/followup/{}", r.id);
        let late = |due: &str| today.as_str() > due;
        if matches!(role, Role::Ministry | Role::Admin) {
            for (m, k) in &f.unreported {
                tasks.push(Task {
                    text: format!(
                        "{} #{}: {m} {k} {}",
                        c.t("フォローアップ", "Follow-up"),
                        r.id,
                        c.t("の実績を報告する", "— report its actuals")
                    ),
                    link: link.clone(),
                    due: Some(r.report_due.clone()),
                    overdue: late(&r.report_due),
                });
            }
        }
        if matches!(role, Role::CabinetOffice | Role::Admin) {
            for m in &f.unevaluated {
                tasks.push(Task {
                    text: format!(
                        "{} #{}: {m} {}",
                        c.t("フォローアップ", "Follow-up"),
                        r.id,
                        c.t("を評価する", "— evaluate it")
                    ),
                    link: link.clone(),
                    due: Some(r.evaluation_due.clone()),
                    overdue: late(&r.evaluation_due),
                });
            }
        }
        if matches!(role, Role::Hq | Role::Admin) {
            for m in f.measures.iter().filter(|m| m.evaluation.is_some()) {
                for l in m
                    .lines
                    .iter()
                    .filter(|l| !f.actions.iter().any(|a| a.ministry == l.ministry && a.line_id == l.line_id))
                {
                    tasks.push(Task {
                        text: format!(
                            "{} #{}: {}/{} {}",
                            c.t("フォローアップ", "Follow-up"),
                            r.id,
                            l.ministry,
                            l.line_id,
                            c.t("への対応を記録する", "— record its action")
                        ),
                        link: link.clone(),
                        due: None,
                        overdue: false,
                    });
                }
            }
        }
    }
    if role == Role::Ministry {
        let own = v.actor.ministry.clone().unwrap_or_default();
        for x in st
            .svc
            .followup_carried(&v.actor, fy)
            .await?
            .into_iter()
            .filter(|x| x.ministry == own && x.response.is_none())
        {
            if x.action.is_none() && x.short_kpis.is_empty() {
                continue;
            }
            tasks.push(Task {
                text: format!(
                    "{}/{} {}",
                    x.ministry,
                    x.line_id,
                    c.t("前年度のフォローアップへの対応方針を記す", "— state the response to last year's follow-up")
                ),
                link: format!("/years/{}/packages/{}/lines/{}#followup", fy.year(), x.ministry, x.line_id),
                due: None,
                overdue: false,
            });
        }
    }
    Ok(tasks)
}
