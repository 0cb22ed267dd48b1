//! Accounts: registration, login and lookup. Passwords are kept only as Argon2id hashes.

use super::Backend;
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use sqlx::Connection as _;

use super::validate::{Checks, is_email};
use crate::error::AppError;
use crate::infra::db::{from_millis, now_millis};
use crate::model::User;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    name: String,
    email: String,
    created_at: i64,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            name: r.name,
            email: r.email,
            created_at: from_millis(r.created_at),
        }
    }
}

pub struct Registration {
    pub name: String,
    pub email: String,
    pub password: String,
}

/// Creates the account and hands it any invitations already sent to its email address.
pub async fn register(cx: &Backend, input: Registration) -> Result<User, AppError> {
    let mut checks = Checks::new();
    let name = checks.text("name", &input.name, 1, 255);
    let email = checks.email("email", &input.email);
    // Passwords are not trimmed: spaces are characters like any other.
    let len = input.password.chars().count();
    if !(8..=1024).contains(&len) {
        checks.fail("password", "must be between 8 and 1024 characters");
    }
    checks.finish()?;
    if find_by_email(cx, &email).await?.is_some() {
        return Err(AppError::invalid("email", "is already registered"));
    }
    let hash = hash_password(input.password).await?;
    let now = now_millis();
    let mut writer = cx.db.writer().await?;
    let mut tx = writer.begin().await?;
    let id: i64 = cx.db
        .query_scalar("INSERT INTO users (name, email, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(&name)
        .bind(&email)
        .bind(&hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| on_unique(e, AppError::invalid("email", "is already registered")))?;
    bind_invitations(cx, &mut *tx, &email).await?;
    tx.commit().await?;
    drop(writer);
    // Once more now that the account is visible: an invitation stored while the transaction
    // ran was not there for it to bind, and looked for the account before it was committed.
    // The account exists either way, so a failure here is logged, not answered.
    let bound = match cx.db.writer().await {
        Ok(mut writer) => bind_invitations(cx, &mut *writer, &email).await,
        Err(e) => Err(e.into()),
    };
    if let Err(e) = bound {
        tracing::error!(error = %e, "binding invitations to a new account");
    }
    Ok(User {
        id,
        name,
        email,
        created_at: from_millis(now),
    })
}

/// Hands the account registered with `email`, if there is one, the invitations sent to that
/// address while it had none. Registration runs this in its transaction and again once that
/// is committed; storing an invitation for an address with no account runs it right after.
/// As each side looks for the other only after its own write is committed, one of them sees
/// the other however the two interleave, and no invitation is left unbound.
pub async fn bind_invitations<'c>(
    cx: &Backend,
    conn: impl sqlx::Executor<'c, Database = sqlx::Any>,
    email: &str,
) -> Result<u64, AppError> {
    let done = cx
        .db
        .query(
            "UPDATE invitations SET invitee_user_id = (SELECT id FROM users WHERE email = $1) \
             WHERE invitee_email = $1 AND invitee_user_id IS NULL \
             AND EXISTS (SELECT 1 FROM users WHERE email = $1)",
        )
        .bind(email)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Signs in with email and password, under the login throttle. `client` identifies the
/// caller's address for the per-client limit.
pub async fn login(
    cx: &Backend,
    email: &str,
    password: &str,
    client: &str,
) -> Result<User, AppError> {
    let attempt = cx.throttle.attempt(email, client)?;
    match check_credentials(cx, email, password).await {
        Ok(user) => {
            attempt.succeeded();
            Ok(user)
        }
        Err(AppError::InvalidCredentials) => {
            attempt.failed();
            Err(AppError::InvalidCredentials)
        }
        Err(other) => Err(other),
    }
}

/// An unknown email and a wrong password get the same answer and take about the same time.
async fn check_credentials(cx: &Backend, email: &str, password: &str) -> Result<User, AppError> {
    let email = email.trim().to_lowercase();
    // No account has an address that is not one (see `register`).
    let row: Option<(i64, String)> = if is_email(&email) {
        cx.db
            .query_as("SELECT id, password_hash FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(cx.db.reader())
            .await?
    } else {
        None
    };
    let (id, hash) = match row {
        Some(found) => found,
        None => (0, DUMMY_HASH.to_string()),
    };
    let ok = verify_password(password.to_string(), hash).await?;
    if !ok || id == 0 {
        return Err(AppError::InvalidCredentials);
    }
    get(cx, id).await?.ok_or(AppError::InvalidCredentials)
}

/// A user by id. Accounts never change once registered, so a user read once is remembered
/// (see `infra::memo`).
pub async fn get(cx: &Backend, id: i64) -> Result<Option<User>, AppError> {
    let memo = cx.hub.memo();
    if let Some(user) = memo.user(id) {
        return Ok(Some(user));
    }
    let ticket = memo.ticket();
    let row: Option<UserRow> = cx
        .db
        .query_as("SELECT id, name, email, created_at FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(cx.db.reader())
        .await?;
    let user = row.map(User::from);
    if let Some(user) = &user {
        memo.remember_user(ticket, user);
    }
    Ok(user)
}

pub async fn find_by_email(cx: &Backend, email: &str) -> Result<Option<User>, AppError> {
    let row: Option<UserRow> = cx
        .db
        .query_as("SELECT id, name, email, created_at FROM users WHERE email = $1")
        .bind(email.trim().to_lowercase())
        .fetch_optional(cx.db.reader())
        .await?;
    Ok(row.map(User::from))
}

/// A unique-constraint violation becomes the given answer; anything else stays internal.
pub fn on_unique(err: sqlx::Error, answer: AppError) -> AppError {
    match &err {
        sqlx::Error::Database(db_err) if db_err.is_unique_violation() => answer,
        _ => err.into(),
    }
}

// Hashing is CPU-bound (tens of milliseconds), so it runs off the async workers.
async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| internal("password hashing task", e))?
    .map_err(|e| internal("password hashing", e))
}

async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash)?;
        Ok::<_, argon2::password_hash::Error>(
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
        )
    })
    .await
    .map_err(|e| internal("password check task", e))?
    .map_err(|e| internal("stored password hash", e))
}

fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "{what} failed");
    AppError::Internal
}

/// A real Argon2id hash of a random string, checked when the email is unknown so that the
/// answer takes as long as for a known email.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$hvGCvE8VwZ2cJyoQWpgKHv6y8bXbIRkZ4ZtRqFaj7Mc";
