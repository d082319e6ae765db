//! The coordination cycle's commands: users, packages, hearings, instructions, status, calendar.

use haibun_domain::workflow::{Action, Role};
use haibun_service::{Actor, CalendarRow, HearingInput, InstructionInput, Service};

use crate::cli::{CalendarCommand, Format, HearingCommand, PackageCommand, UserCommand};
use crate::commands::yen_arg;
use crate::output::{CliError, invalid};

/// `haibun user …`
pub async fn user(svc: &Service, actor: &Actor, command: UserCommand) -> Result<(), CliError> {
    match command {
        UserCommand::Add { name, role, ministry } => {
            let role: Role =
                role.parse().map_err(|e: haibun_domain::workflow::RoleError| invalid("--role", &e.to_string()))?;
            svc.add_user(actor, &name, role, ministry.as_deref()).await?;
            println!(
                "利用者を追加しました / user added: {name} ({role}{})",
                ministry.map(|m| format!(", {m}")).unwrap_or_default()
            );
        }
        UserCommand::Password { name, password } => {
            let password = match password {
                Some(p) => p,
                None => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .map_err(|source| CliError::Io { path: "stdin".into(), source })?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            svc.set_password(actor, &name, &password).await?;
            println!("パスワードを設定しました / password set: {name}");
        }
        UserCommand::List => {
            for u in svc.users(actor).await? {
                println!("{:<20} {:<15} {}", u.name, u.role, u.ministry.unwrap_or_default());
            }
        }
    }
    Ok(())
}

/// `haibun package …`
pub async fn package(svc: &Service, actor: &Actor, command: PackageCommand) -> Result<(), CliError> {
    let (args, action, reason) = match command {
        PackageCommand::Submit(p) => (p, Action::Submit, None),
        PackageCommand::Report(p) => (p, Action::Report, None),
        PackageCommand::Consent(p) => (p, Action::Consent, None),
        PackageCommand::Exclude { package, reason } => (package, Action::Exclude, Some(reason)),
    };
    let status = svc.package_action(actor, args.fy, &args.ministry, action, reason.as_deref()).await?;
    println!("{} {}: {} → {}（{}）", args.fy, args.ministry, action, status, status.name_ja());
    Ok(())
}

/// `haibun hearing …`
pub async fn hearing(svc: &Service, actor: &Actor, command: HearingCommand) -> Result<(), CliError> {
    match command {
        HearingCommand::Schedule { package, date, place } => {
            let id = svc.schedule_hearing(actor, package.fy, &package.ministry, &date, &place).await?;
            println!("ヒアリングを予定しました / hearing scheduled: #{id} {} {} {date}", package.fy, package.ministry);
        }
        HearingCommand::Record { package, date, place, attendees, minutes } => {
            let minutes = match minutes {
                Some(path) => {
                    let bytes = std::fs::read(&path)
                        .map_err(|source| CliError::Io { path: path.display().to_string(), source })?;
                    String::from_utf8(bytes).map_err(|_| {
                        invalid("--minutes", "議事録は UTF-8 のテキストにしてください / minutes must be UTF-8 text")
                    })?
                }
                None => String::new(),
            };
            let id = svc
                .record_hearing(actor, package.fy, &package.ministry, HearingInput { date, place, attendees, minutes })
                .await?;
            println!("ヒアリングを記録しました / hearing recorded: #{id} {} {}", package.fy, package.ministry);
        }
        HearingCommand::List { fy } => {
            for h in svc.hearings(actor, fy).await? {
                let state = if h.held == 1 { "実施済/held" } else { "予定/scheduled" };
                println!("#{} {} {} {state} {} {}", h.id, h.held_on, h.ministry, h.place, h.attendees);
            }
        }
    }
    Ok(())
}

/// `haibun instruct`
pub async fn instruct(
    svc: &Service,
    actor: &Actor,
    fy: haibun_domain::FiscalYear,
    ministry: &str,
    input: InstructionInput,
) -> Result<(), CliError> {
    let id = svc.instruct(actor, fy, ministry, input).await?;
    println!("見直しを指示しました / instruction issued: #{id}");
    Ok(())
}

/// Parses an optional yen amount argument for `instruct`.
pub fn target(amount: Option<&str>) -> Result<Option<haibun_domain::Yen>, CliError> {
    amount.map(|a| yen_arg("--target-amount", a)).transpose()
}

/// `haibun instructions`
pub async fn instructions(
    svc: &Service,
    actor: &Actor,
    fy: haibun_domain::FiscalYear,
    ministry: Option<&str>,
    format: Format,
) -> Result<(), CliError> {
    let threads = svc.instruction_threads(actor, fy, ministry).await?;
    if format == Format::Json {
        let v: Vec<_> = threads.iter().map(|(i, a)| serde_json::json!({"instruction": i, "answers": a})).collect();
        println!("{}", serde_json::to_string_pretty(&v).expect("serialises"));
        return Ok(());
    }
    for (i, answers) in threads {
        println!(
            "#{} [{} 第{}回/round {}] {} {}: {}",
            i.id,
            i.ministry,
            i.round,
            i.round,
            i.line_id.as_deref().unwrap_or("（全体/package）"),
            i.due.as_deref().unwrap_or(""),
            i.text
        );
        for a in answers {
            println!("    ↳ {} ({}): {}", a.answered_by, a.answered_at, a.text);
        }
    }
    Ok(())
}

/// `haibun status`
pub async fn status(
    svc: &Service,
    actor: &Actor,
    fy: haibun_domain::FiscalYear,
    today: Option<String>,
    format: Format,
) -> Result<(), CliError> {
    let today = today.unwrap_or_else(haibun_service::today);
    let s = svc.status(actor, fy, &today).await?;
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&s).expect("serialises"));
        return Ok(());
    }
    println!("{} 状況 / status on {}", s.fiscal_year, s.today);
    match &s.calendar {
        Some(c) => println!(
            "日程/calendar: 提出期限/submission {} · ヒアリング/hearings {}〜{} · 了解期限/consent {} · 取りまとめ/compilation {}",
            c.submission_deadline, c.hearing_start, c.hearing_end, c.consent_deadline, c.compilation_date
        ),
        None => println!("日程は未設定です / no calendar set (haibun calendar set)"),
    }
    for p in &s.packages {
        let flag = if p.overdue { "  ⚠ 期限超過/OVERDUE" } else { "" };
        println!(
            "  {:<6} {} {:>4} 事業/lines  待ち/waits for: {} / {}{}{}",
            p.ministry,
            crate::render::pad(&format!("{}（{}）", p.status, p.status.name_ja()), 34),
            p.lines,
            p.waits_for_ja,
            p.waits_for_en,
            p.due.as_deref().map(|d| format!("  期限/due {d}")).unwrap_or_default(),
            flag
        );
    }
    if let Some(snap) = &s.snapshot {
        println!("取りまとめ/compilation #{}: {} ({})", snap.id, snap.status, snap.created_at);
    }
    Ok(())
}

/// `haibun calendar …`
pub async fn calendar(svc: &Service, actor: &Actor, command: CalendarCommand) -> Result<(), CliError> {
    let CalendarCommand::Set {
        fy,
        submission_deadline,
        hearing_start,
        hearing_end,
        consent_deadline,
        compilation_date,
    } = command;
    svc.set_calendar(
        actor,
        CalendarRow {
            fiscal_year: fy.year(),
            submission_deadline,
            hearing_start,
            hearing_end,
            consent_deadline,
            compilation_date,
        },
    )
    .await?;
    println!("日程を設定しました / calendar set: {fy}");
    Ok(())
}
