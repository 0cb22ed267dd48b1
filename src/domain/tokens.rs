//! Access tokens: HS256 JWTs with `sub`, `jti`, `iat` and `exp`, and their revocation list.

use super::Backend;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::infra::config::Config;
use crate::infra::db::now_millis;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
}

impl Claims {
    pub fn user_id(&self) -> Option<i64> {
        self.sub.parse().ok()
    }
}

/// A freshly signed token and its lifetime in seconds.
pub struct Issued {
    pub token: String,
    pub expires_in: i64,
}

pub fn issue(config: &Config, user_id: i64) -> Result<Issued, AppError> {
    let now = chrono::Utc::now().timestamp();
    let expires_in = config.jwt_ttl_minutes * 60;
    let mut jti = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut jti);
    let claims = Claims {
        sub: user_id.to_string(),
        jti: jti.iter().map(|b| format!("{b:02x}")).collect(),
        iat: now,
        exp: now + expires_in,
    };
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&config.jwt_secret),
    )
    .map_err(|e| {
        tracing::error!(error = %e, "signing a token failed");
        AppError::Internal
    })?;
    Ok(Issued { token, expires_in })
}

/// Checks signature, algorithm (HS256 only, so `alg: none` fails), expiry and revocation. A
/// token found unrevoked is remembered until a revocation (see `infra::memo`).
pub async fn verify(cx: &Backend, token: &str) -> Result<Claims, AppError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub", "iat"]);
    let claims = jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(&cx.config.jwt_secret),
        &validation,
    )
    .map_err(|e| AppError::Unauthenticated(format!("The access token is not valid ({e}).")))?
    .claims;
    let memo = cx.hub.memo();
    if memo.token_unrevoked(&claims.jti) {
        return Ok(claims);
    }
    let ticket = memo.ticket();
    let revoked: Option<i64> = cx
        .db
        .query_scalar("SELECT expires_at FROM revoked_tokens WHERE jti = $1")
        .bind(&claims.jti)
        .fetch_optional(cx.db.reader())
        .await?;
    if revoked.is_some() {
        return Err(AppError::Unauthenticated(
            "The access token was revoked.".into(),
        ));
    }
    memo.remember_token_unrevoked(ticket, &claims.jti);
    Ok(claims)
}

/// Revokes a token until it would have expired anyway. Revoking twice is harmless; the
/// answer says whether this call was the one that revoked it.
pub async fn revoke(cx: &Backend, claims: &Claims) -> Result<bool, AppError> {
    let changed = cx.hub.access_changing();
    let done = cx.db
        .query(
            "INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING",
        )
        .bind(&claims.jti)
        .bind(claims.exp * 1000)
        .execute(&mut *cx.db.writer().await?)
        .await?;
    drop(changed);
    Ok(done.rows_affected() == 1)
}

/// Drops revocations of tokens that have expired by now (they fail the `exp` check anyway).
/// `exp` is in whole seconds and a token passes through the second it names, so a revocation
/// is kept until that second is over.
pub async fn prune_revoked(cx: &Backend) -> Result<u64, AppError> {
    let done = cx
        .db
        .query("DELETE FROM revoked_tokens WHERE expires_at + 1000 <= $1")
        .bind(now_millis())
        .execute(&mut *cx.db.writer().await?)
        .await?;
    Ok(done.rows_affected())
}
