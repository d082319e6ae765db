//! `haibun demo`: the fictional FY2023 data set on an embedded SQLite file.

use std::path::Path;

use haibun_domain::FiscalYear;
use haibun_service::Service;

use crate::output::CliError;
use crate::render;

/// The demo's database when `--db` is not given.
pub const DEMO_DB: &str = "haibun-demo.db";

/// Creates the demo database if it is absent, then prints the FY2023 status and compilation.
pub async fn run(db: Option<&str>) -> Result<(), CliError> {
    let db = db.unwrap_or(DEMO_DB);
    let fy = FiscalYear::try_from(2023).expect("2023 is a valid year");
    let fresh = !db.contains("://") && !Path::new(db).exists();
    let svc = Service::open(db, true).await?;
    let actor = svc.actor(None).await?;
    svc.init(&actor, fy).await?;
    if fresh || svc.lines(&actor, fy, None).await?.is_empty() {
        let summary = svc.load_demo(&actor, fy, &haibun_service::today()).await?;
        println!("デモデータ（架空）を作成しました / created the fictional demo data: {db} — {summary}\n");
    } else {
        println!("既存のデモデータを使います / using the existing demo data: {db}\n");
    }
    let c = svc.compile(&actor, fy).await?;
    print!("{}", render::compilation_text(&c, &svc.policy(fy).await?));
    svc.close().await;
    Ok(())
}
