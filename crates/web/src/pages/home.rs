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
    let tasks = tasks_for(&v, &c, fy, &status.packages, &threads, status.snapshot.as_ref());
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
