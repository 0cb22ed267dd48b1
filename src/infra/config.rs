//! Settings, read once at start-up from the environment (and `.env`, via dotenvy).

use std::path::{Path, PathBuf};

use rand::RngCore;

const MIN_SECRET_BYTES: usize = 32;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub jwt_secret: Vec<u8>,
    pub jwt_ttl_minutes: i64,
    pub storage_dir: PathBuf,
    pub production: bool,
    pub presence_timeout_seconds: i64,
    /// The `ICE_SERVERS` JSON list, handed to the call page as it is.
    pub ice_servers: String,
    pub cookie_secure: bool,
    /// Where the app is reached, for absolute links (`join_link`, calendar URLs).
    pub public_url: String,
}

impl Config {
    /// Reads the settings; `Err` explains what is wrong in words for the operator.
    pub fn from_env() -> Result<Self, String> {
        let _ = dotenvy::dotenv();
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let production = match var("APP_ENV").as_deref() {
            None | Some("development") => false,
            Some("production") => true,
            Some(other) => {
                return Err(format!(
                    "APP_ENV must be development or production, not {other:?}"
                ));
            }
        };
        let storage_dir = PathBuf::from(var("STORAGE_DIR").unwrap_or_else(|| "storage/app".into()));
        let jwt_secret = match var("JWT_SECRET") {
            Some(secret) if secret.len() >= MIN_SECRET_BYTES => secret.into_bytes(),
            Some(_) if production => {
                return Err(format!(
                    "JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes in production"
                ));
            }
            None if production => return Err("JWT_SECRET is required in production".into()),
            Some(secret) => {
                tracing::warn!(
                    "JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes; fine for development only"
                );
                secret.into_bytes()
            }
            None => dev_secret(&storage_dir)?,
        };
        let site_addr = var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let ice_servers = var("ICE_SERVERS").unwrap_or_else(|| "[]".into());
        if !serde_json::from_str::<serde_json::Value>(&ice_servers).is_ok_and(|v| v.is_array()) {
            return Err("ICE_SERVERS must be a JSON list, for example [{\"urls\":\"stun:stun.example.org\"}]".into());
        }
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://storage/app.db".into()),
            jwt_secret,
            jwt_ttl_minutes: parse_num(var("JWT_TTL_MINUTES"), "JWT_TTL_MINUTES", 60)?,
            storage_dir,
            production,
            presence_timeout_seconds: parse_num(
                var("PRESENCE_TIMEOUT_SECONDS"),
                "PRESENCE_TIMEOUT_SECONDS",
                30,
            )?,
            ice_servers,
            cookie_secure: match var("COOKIE_SECURE").as_deref() {
                None => production,
                Some(v) => matches!(v, "1" | "true" | "on" | "yes"),
            },
            public_url: var("PUBLIC_URL").unwrap_or_else(|| format!("http://{site_addr}")),
        })
    }

    pub fn recordings_dir(&self) -> PathBuf {
        self.storage_dir.join("recordings")
    }
}

fn parse_num(value: Option<String>, name: &str, default: i64) -> Result<i64, String> {
    match value {
        None => Ok(default),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{name} must be a positive whole number, not {v:?}")),
        },
    }
}

/// Development without `JWT_SECRET`: a random secret kept under the storage folder, so that
/// tokens survive a restart.
fn dev_secret(storage_dir: &Path) -> Result<Vec<u8>, String> {
    let path = storage_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read(&path)
        && existing.len() >= MIN_SECRET_BYTES
    {
        return Ok(existing);
    }
    let mut bytes = [0u8; 48];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::create_dir_all(storage_dir)
        .and_then(|_| std::fs::write(&path, &secret))
        .map_err(|e| {
            format!(
                "cannot write the development JWT secret to {}: {e}",
                path.display()
            )
        })?;
    tracing::warn!(
        "JWT_SECRET is not set: generated a development secret in {}",
        path.display()
    );
    Ok(secret.into_bytes())
}
