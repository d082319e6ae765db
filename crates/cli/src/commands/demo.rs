//! `haibun demo`: the fictional FY2023 data set on an embedded SQLite file.

use std::path::Path;

use haibun_domain::FiscalYear;
use haibun_service::Service;

use crate::output::CliError;
use crate::render;

/// The demo's database when `--db` is not given.
pub const DEMO_DB: &str = "haibun-demo.db";

/// Creates the demo database if it is absent, prints its users and the FY2023 compilation, and
/// serves it (unless `no_serve`).
pub async fn run(
    db: Option<&str>,
    addr: std::net::SocketAddr,
    no_serve: bool,
    configure: impl FnOnce(Service) -> Service,
) -> Result<(), CliError> {
    let db = db.unwrap_or(DEMO_DB);
    let fy = FiscalYear::try_from(2023).expect("2023 is a valid year");
    let fresh = !db.contains("://") && !Path::new(db).exists();
    let svc = configure(Service::open(db, true).await?);
    let actor = svc.actor(None).await?;
    svc.init(&actor, fy).await?;
    if fresh || svc.lines(&actor, fy, None).await?.is_empty() {
        let summary = svc.load_demo(&actor, fy, &haibun_service::today()).await?;
        println!("デモデータ（架空）を作成しました / created the fictional demo data: {db} — {summary}\n");
    } else {
        println!("既存のデモデータを使います / using the existing demo data: {db}\n");
    }
    let c = svc.compile(&actor, fy).await?;
    print!("{}", render::compilation_text(&c, &*svc.policy(fy).await?));
    println!("\nデモの利用者（架空）/ demo users (fictional) — パスワード / password:");
    for (name, role, ministry) in haibun_service::demo::DEMO_USERS {
        println!(
            "  {name:<15} {:<15} {:<5} {}",
            role.name(),
            ministry.unwrap_or(""),
            haibun_service::demo::demo_password(name)
        );
    }
    if no_serve {
        svc.close().await;
        return Ok(());
    }
    println!("\nブラウザで開いてください / open in a browser: http://{addr}/  （終了は Ctrl+C / stop with Ctrl+C）");
    haibun_web::serve(svc, addr, Vec::new()).await.map_err(|source| CliError::Io { path: addr.to_string(), source })
}
