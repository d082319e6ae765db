//! Signing in: passwords (argon2id), server-side sessions, API tokens, and rate limiting.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use haibun_domain::workflow::Role;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cycle::event;
use crate::{Actor, Service, ServiceError, ServiceResult};

/// How long a session lasts: one working day.
pub const SESSION_SECONDS: i64 = 8 * 3600;
/// Failed sign-ins allowed per user name within [`ATTEMPT_WINDOW_SECONDS`].
pub const MAX_FAILED_ATTEMPTS: i64 = 5;
/// Failed sign-ins allowed per address within the window: higher, because many people may sign in
/// from one office network or through one proxy, yet low enough to stop guessing across names.
pub const MAX_FAILED_PER_ADDRESS: i64 = 50;
/// The window failed sign-ins are counted over.
pub const ATTEMPT_WINDOW_SECONDS: i64 = 15 * 60;
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A new session: the secret for the cookie, and the CSRF token its forms carry.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The session secret (only its hash is stored).
    pub token: String,
    /// The CSRF token.
    pub csrf: String,
    /// Who signed in.
    pub actor: Actor,
}

/// A live session's actor and CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who.
    pub actor: Actor,
    /// The CSRF token its forms must carry.
    pub csrf: String,
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// 32 random bytes as hex, from the operating system's generator.
fn secret() -> ServiceResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ServiceError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn to_actor(u: haibun_store::UserRow) -> ServiceResult<Actor> {
    let role: Role = u.role.parse().map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(Actor { name: u.name, role, ministry: u.ministry })
}

impl Service {
    /// Sets a password (argon2id): administrators for anyone, every user for themself.
    pub async fn set_password(&self, actor: &Actor, name: &str, password: &str) -> ServiceResult<()> {
        if actor.name != name {
            actor.check_year(haibun_domain::workflow::YearAction::ManageUsers)?;
        }
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(crate::cycle::invalid_arg(
                "--password",
                format!("パスワードは{MIN_PASSWORD_CHARS}文字以上にしてください"),
                format!("a password needs at least {MIN_PASSWORD_CHARS} characters"),
            ));
        }
        let hash = Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("hashing: {e}")))?
            .to_string();
        let mut tx = self.store.begin().await?;
        if !tx.set_password_hash(name, &hash).await? {
            return Err(ServiceError::not_found(
                format!("利用者 {name} は登録されていません"),
                format!("no user named {name}"),
            ));
        }
        tx.append_event(&event(actor, "user.password", format!("user/{name}"), None, None, None)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Signs in with a password. Every attempt is recorded; after [`MAX_FAILED_ATTEMPTS`] failures
    /// for the user name, or [`MAX_FAILED_PER_ADDRESS`] from the address, within the window,
    /// further attempts are refused.
    pub async fn sign_in(&self, name: &str, password: &str, address: &str) -> ServiceResult<SignedIn> {
        self.store.ensure_initialised().await?;
        let now = unix_now();
        let (by_user, by_address) = self.store.failed_attempts(name, address, now - ATTEMPT_WINDOW_SECONDS).await?;
        if by_user >= MAX_FAILED_ATTEMPTS || by_address >= MAX_FAILED_PER_ADDRESS {
            return Err(ServiceError::RateLimited(format!(
                "失敗が続いたため、{} 分後に再度お試しください / too many failed sign-ins; try again in {} minutes",
                ATTEMPT_WINDOW_SECONDS / 60,
                ATTEMPT_WINDOW_SECONDS / 60
            )));
        }
        // The hash is checked even for unknown users, so timing does not tell which names exist.
        const DUMMY: &str =
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ";
        let stored = self.store.password_hash(name).await?;
        let ok = Argon2::default().verify_password(password.as_bytes(), stored.as_deref().unwrap_or(DUMMY)).is_ok()
            && stored.is_some();
        let mut tx = self.store.begin().await?;
        tx.record_attempt(name, address, now, ok).await?;
        if !ok {
            tx.commit().await?;
            return Err(ServiceError::Unauthenticated(
                "利用者名またはパスワードが違います / wrong user name or password".into(),
            ));
        }
        let user =
            self.store.user(name).await?.ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("user vanished")))?;
        let actor = to_actor(user)?;
        let (token, csrf) = (secret()?, secret()?);
        tx.insert_session(&digest(&token), name, &csrf, now, now + SESSION_SECONDS).await?;
        tx.append_event(&event(
            &actor,
            "session.start",
            format!("user/{name}"),
            None,
            None,
            Some(json!({"address": address})),
        ))
        .await?;
        tx.commit().await?;
        Ok(SignedIn { token, csrf, actor })
    }

    /// The session a cookie's secret names, if it is live.
    pub async fn session(&self, token: &str) -> ServiceResult<Option<Session>> {
        match self.store.session(&digest(token), unix_now()).await? {
            Some((s, u)) => Ok(Some(Session { actor: to_actor(u)?, csrf: s.csrf })),
            None => Ok(None),
        }
    }

    /// Ends a session.
    pub async fn sign_out(&self, session: &Session, token: &str) -> ServiceResult<()> {
        let mut tx = self.store.begin().await?;
        tx.delete_session(&digest(token), unix_now()).await?;
        tx.append_event(&event(
            &session.actor,
            "session.end",
            format!("user/{}", session.actor.name),
            None,
            None,
            None,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates an API token for the actor; the secret is returned once and only its hash is kept.
    pub async fn create_api_token(&self, actor: &Actor, label: &str) -> ServiceResult<String> {
        self.store.ensure_initialised().await?;
        if self.store.user(&actor.name).await?.is_none() {
            return Err(ServiceError::not_found(
                format!("利用者 {} は登録されていません（--as で利用者を指定）", actor.name),
                format!("no user named {} (name one with --as)", actor.name),
            ));
        }
        let token = format!("hb_{}", secret()?);
        let mut tx = self.store.begin().await?;
        tx.insert_api_token(&digest(&token), &actor.name, label, unix_now()).await?;
        tx.append_event(&event(
            actor,
            "token.create",
            format!("user/{}", actor.name),
            None,
            None,
            Some(json!({"label": label})),
        ))
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The actor an API token belongs to.
    pub async fn token_actor(&self, token: &str) -> ServiceResult<Option<Actor>> {
        self.store.token_user(&digest(token)).await?.map(to_actor).transpose()
    }

    /// The user an API token names and the data version at this moment, in one query.
    pub async fn token_actor_at(&self, token: &str) -> ServiceResult<Option<(Actor, i64)>> {
        match self.store.token_user_at(&digest(token)).await? {
            Some((user, version)) => Ok(Some((to_actor(user)?, version))),
            None => Ok(None),
        }
    }

    /// The data version: the audit chain's head, which every write of every process advances.
    pub async fn data_version(&self) -> ServiceResult<i64> {
        Ok(self.store.data_version().await?)
    }
}
