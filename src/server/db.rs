//! The database handle. One binary speaks SQLite and Postgres through sqlx's `Any` driver:
//! every query is written once, as plain SQL with `$1`-style placeholders (which both
//! SQLite and Postgres accept) and bound at run time, so there is no second copy of the
//! data layer per backend. Compile-time checked `query!` macros cannot serve two backends,
//! which is why they are not used. What differs per backend lives here and in
//! `migrations/<dialect>/`: the DDL, connection tuning, and (for Postgres) LISTEN/NOTIFY.
//!
//! To add a dialect (MySQL/MariaDB): a `Dialect` variant, its `migrations/<dialect>/`, its
//! connection settings below, its [`Db::row_lock`], and a placeholder rewrite (`$n` → `?`)
//! in [`Db::query`].
//! Timestamps are stored as integer milliseconds since the Unix epoch (see [`to_millis`]),
//! which every dialect stores and compares the same way.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Any, AnyPool, Executor};

use super::hub::SignalHub;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    dialect: Dialect,
    url: Arc<str>,
    /// This instance's wake-ups and memory of the database; writes that other instances must
    /// hear about announce themselves here.
    hub: Arc<SignalHub>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else {
            return Err(sqlx::Error::Configuration(
                format!("DATABASE_URL must start with sqlite: or postgres:, got {url:?}").into(),
            ));
        };
        let options = match dialect {
            Dialect::Sqlite => {
                ensure_sqlite_dir(url);
                let sep = if url.contains('?') { '&' } else { '?' };
                let url = if url.contains("mode=") {
                    url.to_string()
                } else {
                    format!("{url}{sep}mode=rwc")
                };
                AnyConnectOptions::from_str(&url)?
            }
            Dialect::Postgres => AnyConnectOptions::from_str(url)?,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(match dialect {
                Dialect::Sqlite => 8,
                Dialect::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        // WAL lets readers run beside the writer. With WAL, NORMAL sync
                        // keeps every committed row (a signal answered 201) when the server
                        // process crashes or is killed; only a power loss or OS crash can
                        // drop the last commits, and it saves an fsync on every write.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            dialect,
            url: url.into(),
            hub: Arc::new(SignalHub::new()),
        })
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.dialect {
            Dialect::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await,
            Dialect::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Appended to a `SELECT` (also one inside `INSERT … SELECT`) whose rows must stay locked
    /// until the statement's transaction commits. SQLite runs one writer at a time, so every
    /// write statement holds the whole database already.
    pub fn row_lock(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }

    pub fn hub(&self) -> &Arc<SignalHub> {
        &self.hub
    }

    /// Every statement goes through these three constructors, so a dialect that spells
    /// placeholders differently needs one rewrite here, not a change to each query. Both
    /// current dialects take `$n` as written.
    pub fn query<'q>(&self, sql: &'q str) -> Query<'q, Any, AnyArguments<'q>> {
        sqlx::query(sql)
    }

    pub fn query_as<'q, T>(&self, sql: &'q str) -> QueryAs<'q, Any, T, AnyArguments<'q>>
    where
        T: for<'r> sqlx::FromRow<'r, AnyRow>,
    {
        sqlx::query_as(sql)
    }

    pub fn query_scalar<'q, T>(&self, sql: &'q str) -> QueryScalar<'q, Any, T, AnyArguments<'q>>
    where
        (T,): for<'r> sqlx::FromRow<'r, AnyRow>,
    {
        sqlx::query_scalar(sql)
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}

fn ensure_sqlite_dir(url: &str) {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return;
    }
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        let _ = std::fs::create_dir_all(parent);
    }
}

pub fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}
