//! The database handle. One binary speaks SQLite and Postgres through sqlx's `Any` driver:
//! every query is written once, as plain SQL with `$1`-style placeholders (which both
//! SQLite and Postgres accept) and bound at run time, so there is no second copy of the
//! data layer per backend. Compile-time checked `query!` macros cannot serve two backends,
//! which is why they are not used. What differs per backend lives here and in
//! `migrations/<dialect>/`: the DDL, connection tuning, and (for Postgres) LISTEN/NOTIFY.
//!
//! To add a dialect (MySQL/MariaDB): a `Dialect` variant, its `migrations/<dialect>/`, its
//! connection settings below, its [`Db::row_lock`], [`Db::share_lock`] and [`Db::bytewise`],
//! and a placeholder rewrite (`$n` → `?`) in [`Db::query`].
//! Timestamps are stored as integer milliseconds since the Unix epoch (see [`to_millis`]),
//! which every dialect stores and compares the same way.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor};
use tokio::sync::OwnedMutexGuard;

use crate::error::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    /// Runs reads. On SQLite its connections are read-only (`query_only`), so a write sent
    /// here by mistake fails loudly instead of queueing for the write lock.
    reader: AnyPool,
    /// Runs writes, and every transaction (see [`Db::writer`]).
    writer: WriteSide,
    dialect: Dialect,
    url: Arc<str>,
}

#[derive(Clone)]
enum WriteSide {
    /// Postgres runs writers side by side, from the pool that also reads.
    Pool(AnyPool),
    /// SQLite admits one writer at a time, and a connection that finds the lock taken waits
    /// in SQLite's busy handler, which sleeps 1, 2, 5, 10… ms between tries. So every write
    /// goes through one connection, and writers take turns holding it: each goes as soon as
    /// the previous one is done. Being the only writer, it also keeps its page cache, which
    /// SQLite empties whenever another connection has written.
    Turns(Arc<tokio::sync::Mutex<AnyConnection>>),
}

impl std::fmt::Debug for WriteSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Pool(_) => "Pool",
            Self::Turns(_) => "Turns",
        })
    }
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
                if url.contains(":memory:") || url.contains("mode=memory") {
                    return Err(sqlx::Error::Configuration(
                        "an in-memory SQLite database is not supported: each connection would \
                         see its own; name a file, e.g. sqlite://storage/app.db"
                            .into(),
                    ));
                }
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
        let (reader, writer) = match dialect {
            Dialect::Sqlite => {
                // The writer connects first: it creates the file and switches it to WAL.
                let mut writer = AnyConnection::connect_with(&options).await?;
                prepare(&mut writer, dialect, Access::ReadWrite).await?;
                let reader = connect_pool(&options, dialect, 8, Access::ReadOnly).await?;
                let writer = WriteSide::Turns(Arc::new(tokio::sync::Mutex::new(writer)));
                (reader, writer)
            }
            Dialect::Postgres => {
                let pool = connect_pool(&options, dialect, 16, Access::ReadWrite).await?;
                (pool.clone(), WriteSide::Pool(pool))
            }
        };
        Ok(Self {
            reader,
            writer,
            dialect,
            url: url.into(),
        })
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.dialect {
            Dialect::Sqlite => SQLITE_MIGRATIONS.run(&mut *self.writer().await?).await,
            Dialect::Postgres => POSTGRES_MIGRATIONS.run(&mut *self.writer().await?).await,
        }
    }

    /// The pool for statements that only read.
    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }

    /// A connection for statements that write, and for transactions; on SQLite, after the
    /// writers before it are done. Hold it only for the statements: no other work while it
    /// is held.
    pub async fn writer(&self) -> Result<Writer, sqlx::Error> {
        Ok(match &self.writer {
            WriteSide::Pool(pool) => Writer::Pooled(pool.acquire().await?),
            WriteSide::Turns(conn) => Writer::Turn(conn.clone().lock_owned().await),
        })
    }

    /// Closes the pools; SQLite's write connection closes when the last handle is dropped.
    pub async fn close(&self) {
        if let WriteSide::Pool(pool) = &self.writer {
            pool.close().await;
        }
        self.reader.close().await;
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Appended to a `SELECT` (also one inside `INSERT … SELECT`) whose rows of the table
    /// aliased `alias` must stay locked until the statement's transaction commits. SQLite runs
    /// one writer at a time, so every write statement holds the whole database already.
    pub fn row_lock(&self, alias: &str) -> String {
        match self.dialect {
            Dialect::Sqlite => String::new(),
            Dialect::Postgres => format!(" FOR UPDATE OF {alias}"),
        }
    }

    /// Like [`Db::row_lock`], for a row that is only read: it holds off an `UPDATE` of the
    /// row until the statement's transaction commits, but not the key-share locks that
    /// foreign-key checks take on it (a stored signal's check on its meeting, say).
    pub fn share_lock(&self, alias: &str) -> String {
        match self.dialect {
            Dialect::Sqlite => String::new(),
            Dialect::Postgres => format!(" FOR SHARE OF {alias}"),
        }
    }

    /// `expr` (text) as SQLite compares it: byte by byte, and only ASCII letters having a
    /// case for `LOWER`. Postgres would otherwise follow the database's locale, so ordering by
    /// it would differ between the two.
    pub fn bytewise(&self, expr: &str) -> String {
        match self.dialect {
            Dialect::Sqlite => expr.to_string(),
            Dialect::Postgres => format!("{expr} COLLATE \"C\""),
        }
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
            .execute(&self.reader)
            .await
            .map(|_| ())
    }
}

/// A turn at writing, from [`Db::writer`]; statements run on `&mut *writer`.
pub enum Writer {
    Pooled(PoolConnection<Any>),
    Turn(OwnedMutexGuard<AnyConnection>),
}

impl std::ops::Deref for Writer {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            Self::Pooled(conn) => conn,
            Self::Turn(conn) => conn,
        }
    }
}

impl std::ops::DerefMut for Writer {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Self::Pooled(conn) => conn,
            Self::Turn(conn) => conn,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadOnly,
    ReadWrite,
}

async fn connect_pool(
    options: &AnyConnectOptions,
    dialect: Dialect,
    max_connections: u32,
    access: Access,
) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| Box::pin(prepare(conn, dialect, access)))
        .connect_with(options.clone())
        .await
}

async fn prepare(
    conn: &mut AnyConnection,
    dialect: Dialect,
    access: Access,
) -> Result<(), sqlx::Error> {
    if dialect == Dialect::Sqlite {
        // WAL lets readers run beside the writer. With WAL, NORMAL sync keeps every committed
        // row (a signal answered 201) when the server process crashes or is killed; only a
        // power loss or OS crash can drop the last commits, and it saves an fsync on every
        // write.
        conn.execute(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )
        .await?;
        if access == Access::ReadOnly {
            conn.execute("PRAGMA query_only = ON;").await?;
        }
    }
    Ok(())
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

/// A database failure as the app reports it: logged here with where it happened, and hidden
/// from clients (503 when the database is unreachable, else 500).
impl From<sqlx::Error> for AppError {
    #[track_caller]
    fn from(err: sqlx::Error) -> Self {
        let at = std::panic::Location::caller();
        match err {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::error!(error = %err, %at, "database unavailable");
                AppError::Unavailable(
                    "The database is unavailable right now. Please try again.".into(),
                )
            }
            _ => {
                tracing::error!(error = %err, %at, "database error");
                AppError::Internal
            }
        }
    }
}
