//! Sign-in records: password hashes, sessions, API tokens and sign-in attempts.

use crate::{Result, Store, Tx, UserRow};

/// A live session: who, and the CSRF token its forms must carry.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    /// The user.
    pub user_name: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// When it expires (Unix seconds).
    pub expires_at: i64,
}

impl Store {
    /// A user's password hash, if one is set.
    pub async fn password_hash(&self, name: &str) -> Result<Option<String>> {
        let row: Option<(Option<String>,)> = sqlx::query_as("SELECT password_hash FROM users WHERE name = $1")
            .bind(name.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|(h,)| h))
    }

    /// Failed sign-in attempts since `since` (Unix seconds) for a user name, and for an address.
    pub async fn failed_attempts(&self, name: &str, address: &str, since: i64) -> Result<(i64, i64)> {
        let (by_user,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sign_in_attempts WHERE user_name = $1 AND at >= $2 AND succeeded = 0")
                .bind(name.to_string())
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
        let (by_address,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sign_in_attempts WHERE address = $1 AND at >= $2 AND succeeded = 0")
                .bind(address.to_string())
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
        Ok((by_user, by_address))
    }

    /// The live session with this token hash at `now` (Unix seconds).
    pub async fn session(&self, token_hash: &str, now: i64) -> Result<Option<(SessionRow, UserRow)>> {
        let s: Option<SessionRow> = sqlx::query_as(
            "SELECT user_name, csrf, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash.to_string())
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(s) = s else { return Ok(None) };
        Ok(self.user(&s.user_name).await?.map(|u| (s, u)))
    }

    /// The user an API token belongs to.
    pub async fn token_user_at(&self, token_hash: &str) -> Result<Option<(UserRow, i64)>> {
        let row: Option<(String, String, Option<String>, String, i64)> = sqlx::query_as(
            "SELECT u.name, u.role, u.ministry, u.created_at, h.seq FROM api_tokens t JOIN users u ON u.name = t.user_name CROSS JOIN audit_head h WHERE t.token_hash = $1 AND h.id = 1",
        )
        .bind(token_hash.to_string())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(name, role, ministry, created_at, seq)| (UserRow { name, role, ministry, created_at }, seq)))
    }

    /// The user an API token names, if any.
    pub async fn token_user(&self, token_hash: &str) -> Result<Option<UserRow>> {
        // One query: every API request runs it.
        Ok(sqlx::query_as(
            "SELECT u.name, u.role, u.ministry, u.created_at FROM api_tokens t JOIN users u ON u.name = t.user_name WHERE t.token_hash = $1",
        )
        .bind(token_hash.to_string())
        .fetch_optional(&self.pool)
        .await?)
    }
}

impl Tx {
    /// Sets a user's password hash.
    pub async fn set_password_hash(&mut self, name: &str, hash: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE name = $2")
            .bind(hash.to_string())
            .bind(name.to_string())
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a sign-in attempt.
    pub async fn record_attempt(&mut self, name: &str, address: &str, at: i64, succeeded: bool) -> Result<()> {
        sqlx::query("INSERT INTO sign_in_attempts (user_name, address, at, succeeded) VALUES ($1, $2, $3, $4)")
            .bind(name.to_string())
            .bind(address.to_string())
            .bind(at)
            .bind(i64::from(succeeded))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Starts a session.
    pub async fn insert_session(
        &mut self,
        token_hash: &str,
        user: &str,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_name, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash.to_string())
        .bind(user.to_string())
        .bind(csrf.to_string())
        .bind(now)
        .bind(expires_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Ends a session (and clears expired ones).
    pub async fn delete_session(&mut self, token_hash: &str, now: i64) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1 OR expires_at <= $2")
            .bind(token_hash.to_string())
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Stores an API token's hash.
    pub async fn insert_api_token(&mut self, token_hash: &str, user: &str, label: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO api_tokens (token_hash, user_name, label, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash.to_string())
            .bind(user.to_string())
            .bind(label.to_string())
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
