//! `haibun demo`: the fictional FY2023 data set on an embedded SQLite file.

use std::path::Path;

use haibun_domain::FiscalYear;
use haibun_service::{Actor, Service};

use crate::output::CliError;
use crate::render;

/// The demo's database when `--db` is not given.
pub const DEMO_DB: &str = "haibun-demo.db";

/// Creates the demo database if it is absent, then prints the FY2023 compilation.
pub async fn run(actor: &Actor, db: Option<&str>) -> Result<(), CliError> {
    let db = db.unwrap_or(DEMO_DB);
    let fy = FiscalYear::try_from(2023).expect("2023 is a valid year");
    let fresh = !db.contains("://") && !Path::new(db).exists();
    let svc = Service::open(db, true).await?;
    svc.init(actor, fy).await?;
    if fresh || svc.lines(fy, None).await?.is_empty() {
        let reports = svc.load_demo(actor, fy).await?;
        let lines: usize = reports.iter().map(|r| r.rows).sum();
        println!(
            "デモデータ（架空）を作成しました / created the fictional demo data: {db} — {lines} 事業/lines, {} 府省/ministries\n",
            reports.len()
        );
    } else {
        println!("既存のデモデータを使います / using the existing demo data: {db}\n");
    }
    let c = svc.compile(fy).await?;
    print!("{}", render::compilation_text(&c, &svc.policy(fy).await?));
    svc.close().await;
    Ok(())
}
