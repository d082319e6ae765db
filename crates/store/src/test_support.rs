//! Helpers for tests: creating a throwaway PostgreSQL database on a test server.

use std::str::FromStr;

use sqlx::any::AnyConnectOptions;
use sqlx::{AssertSqlSafe, Connection};

/// Creates database `name` on the PostgreSQL server at `server_url` (a URL without a database
/// path, such as `postgres://postgres@127.0.0.1:5432`) and returns the new database's URL.
/// `name` must be a plain identifier (ASCII letters, digits, `_`), which callers generate.
pub async fn create_postgres_database(server_url: &str, name: &str) -> crate::Result<String> {
    assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "database name must be an identifier");
    sqlx::any::install_default_drivers();
    let server = server_url.trim_end_matches('/');
    let mut conn =
        sqlx::AnyConnection::connect_with(&AnyConnectOptions::from_str(&format!("{server}/postgres"))?).await?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
    conn.close().await?;
    Ok(format!("{server}/{name}"))
}

/// Runs one SQL statement on a test database, for tests that must tamper with stored data
/// the way an attacker with database access could.
pub async fn execute(db_url: &str, sql: &str) -> crate::Result<u64> {
    let store = crate::Store::open(db_url, crate::OpenMode::Existing).await?;
    let done = sqlx::query(AssertSqlSafe(sql.to_string())).execute(&store.pool).await?;
    store.close().await;
    Ok(done.rows_affected())
}
