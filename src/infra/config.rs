//! Settings, read once at start-up from the environment (and `.env`, via dotenvy).

use std::path::{Path, PathBuf};

use rand::RngCore;

use crate::model::IceServer;

const MIN_SECRET_BYTES: usize = 32;
const DEFAULT_JWT_TTL_MINUTES: i64 = 60;
const DEFAULT_PRESENCE_TIMEOUT_SECONDS: i64 = 30;
const DEFAULT_SITE_ADDR: &str = "127.0.0.1:3000";
/// How long issued TURN credentials stay valid: a long call outlives none of it.
const DEFAULT_TURN_TTL_SECONDS: i64 = 4 * 3600;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub jwt_secret: Vec<u8>,
    pub jwt_ttl_minutes: i64,
    pub storage_dir: PathBuf,
    pub production: bool,
    pub presence_timeout_seconds: i64,
    /// The static `ICE_SERVERS` list (STUN, or TURN with fixed credentials).
    pub ice_servers: Vec<IceServer>,
    /// A TURN server that shares our secret and takes short-lived credentials.
    pub turn: Option<Turn>,
    pub cookie_secure: bool,
    /// Where the app is reached, for absolute links (`join_link`, calendar URLs).
    pub public_url: String,
}

/// A TURN server that checks credentials made with a secret it shares with us (the "TURN REST
/// API": coturn's `use-auth-secret` with `static-auth-secret`).
#[derive(Clone, Debug)]
pub struct Turn {
    /// `turn:` and `turns:` URLs, e.g. `turn:turn.example.org:3478?transport=udp`.
    pub urls: Vec<String>,
    pub secret: Vec<u8>,
    pub ttl_seconds: i64,
}

impl Config {
    /// Every other setting at its default, as with an empty environment in development: for
    /// what reads no environment (the tests, the tools).
    pub fn new(
        database_url: impl Into<String>,
        storage_dir: impl Into<PathBuf>,
        jwt_secret: &[u8],
    ) -> Self {
        Self {
            database_url: database_url.into(),
            jwt_secret: jwt_secret.to_vec(),
            jwt_ttl_minutes: DEFAULT_JWT_TTL_MINUTES,
            storage_dir: storage_dir.into(),
            production: false,
            presence_timeout_seconds: DEFAULT_PRESENCE_TIMEOUT_SECONDS,
            ice_servers: Vec::new(),
            turn: None,
            cookie_secure: false,
            public_url: format!("http://{DEFAULT_SITE_ADDR}"),
        }
    }

    /// Reads the settings; `Err` explains what is wrong in words for the operator.
    pub fn from_env() -> Result<Self, String> {
        let _ = dotenvy::dotenv();
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// The settings from `lookup` (an environment); a blank value counts as unset.
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
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
        let site_addr = var("LEPTOS_SITE_ADDR").unwrap_or_else(|| DEFAULT_SITE_ADDR.into());
        let ice_servers = match var("ICE_SERVERS") {
            None => Vec::new(),
            Some(list) => serde_json::from_str(&list).map_err(|e| {
                format!(
                    "ICE_SERVERS must be a JSON list of {{\"urls\", \"username\"?, \"credential\"?}}, \
                     for example [{{\"urls\":\"stun:stun.example.org\"}}] ({e})"
                )
            })?,
        };
        let turn = match (var("TURN_URLS"), var("TURN_SECRET")) {
            (None, None) => None,
            (Some(urls), Some(secret)) => Some(Turn {
                urls: turn_urls(&urls)?,
                secret: secret.into_bytes(),
                ttl_seconds: parse_num(
                    var("TURN_TTL_SECONDS"),
                    "TURN_TTL_SECONDS",
                    DEFAULT_TURN_TTL_SECONDS,
                )?,
            }),
            (Some(_), None) => {
                return Err(
                    "TURN_URLS needs TURN_SECRET, the secret the TURN server shares".into(),
                );
            }
            (None, Some(_)) => {
                return Err("TURN_SECRET needs TURN_URLS, where the TURN server is reached".into());
            }
        };
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://storage/app.db".into()),
            jwt_secret,
            jwt_ttl_minutes: parse_num(
                var("JWT_TTL_MINUTES"),
                "JWT_TTL_MINUTES",
                DEFAULT_JWT_TTL_MINUTES,
            )?,
            storage_dir,
            production,
            presence_timeout_seconds: parse_num(
                var("PRESENCE_TIMEOUT_SECONDS"),
                "PRESENCE_TIMEOUT_SECONDS",
                DEFAULT_PRESENCE_TIMEOUT_SECONDS,
            )?,
            ice_servers,
            turn,
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

/// `TURN_URLS`: `turn:` or `turns:` URLs, separated by commas or spaces.
fn turn_urls(list: &str) -> Result<Vec<String>, String> {
    let urls: Vec<String> = list
        .split([',', ' '])
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .map(str::to_string)
        .collect();
    match urls
        .iter()
        .find(|url| !(url.starts_with("turn:") || url.starts_with("turns:")))
    {
        Some(url) => Err(format!("TURN_URLS takes turn: or turns: URLs, not {url:?}")),
        None => Ok(urls),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Result<Config, String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .chain(&[("JWT_SECRET", "a-secret-of-at-least-32-bytes-for-tests")])
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn turn_is_off_unless_both_its_urls_and_secret_are_set() {
        assert!(with(&[]).unwrap().turn.is_none());
        let turn = with(&[
            (
                "TURN_URLS",
                "turn:turn.example.org:3478, turns:turn.example.org:443?transport=tcp",
            ),
            ("TURN_SECRET", "shared"),
        ])
        .unwrap()
        .turn
        .unwrap();
        assert_eq!(
            turn.urls,
            [
                "turn:turn.example.org:3478",
                "turns:turn.example.org:443?transport=tcp"
            ]
        );
        assert_eq!(turn.secret, b"shared");
        assert_eq!(turn.ttl_seconds, DEFAULT_TURN_TTL_SECONDS);
    }

    #[test]
    fn a_half_or_wrong_turn_setting_is_refused_in_words() {
        let refused = |vars: &[(&str, &str)]| with(vars).err().unwrap();
        assert!(refused(&[("TURN_URLS", "turn:t.example.org")]).contains("TURN_SECRET"));
        assert!(refused(&[("TURN_SECRET", "shared")]).contains("TURN_URLS"));
        let wrong = refused(&[("TURN_URLS", "stun:t.example.org"), ("TURN_SECRET", "s")]);
        assert!(wrong.contains("turn: or turns:"), "{wrong}");
        let ttl = refused(&[
            ("TURN_URLS", "turn:t.example.org"),
            ("TURN_SECRET", "s"),
            ("TURN_TTL_SECONDS", "soon"),
        ]);
        assert!(ttl.contains("TURN_TTL_SECONDS"), "{ttl}");
    }

    #[test]
    fn ice_servers_take_a_url_or_a_list_of_them() {
        let config = with(&[(
            "ICE_SERVERS",
            r#"[{"urls":"stun:a.example.org"},{"urls":["turn:b.example.org"],"username":"u","credential":"c"}]"#,
        )])
        .unwrap();
        assert_eq!(config.ice_servers[0].urls, ["stun:a.example.org"]);
        assert_eq!(config.ice_servers[1].username.as_deref(), Some("u"));
        let wrong = with(&[("ICE_SERVERS", r#"{"urls":"stun:a.example.org"}"#)])
            .err()
            .unwrap();
        assert!(wrong.contains("ICE_SERVERS must be a JSON list"), "{wrong}");
    }
}
