//! Browser sessions (tower-sessions) kept in our own `sessions` table through [`Db`], so the
//! same store works on every database we support and survives restarts. A session read once is
//! remembered (see `infra::memo`) until any session is saved or deleted.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use std::sync::Arc;

use super::db::{Db, now_millis};
use super::hub::SignalHub;

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
    /// Remembers sessions read, and forgets them (here and on other instances) on a change.
    hub: Arc<SignalHub>,
}

impl DbSessionStore {
    pub fn new(db: Db, hub: Arc<SignalHub>) -> Self {
        Self { db, hub }
    }

    /// Deletes sessions that have expired; run from the background janitor.
    pub async fn prune(&self) -> Result<u64, sqlx::Error> {
        let done = self
            .db
            .query("DELETE FROM sessions WHERE expiry_date < $1")
            .bind(now_millis())
            .execute(&mut *self.db.writer().await?)
            .await?;
        Ok(done.rows_affected())
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn encode(record: &Record) -> session_store::Result<(String, i64)> {
    let data = serde_json::to_string(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let expiry =
        record.expiry_date.unix_timestamp() * 1000 + i64::from(record.expiry_date.millisecond());
    Ok((data, expiry))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let (data, expiry) = encode(record)?;
        loop {
            let inserted = self
                .db
                .query("INSERT INTO sessions (id, data, expiry_date) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
                .bind(record.id.to_string())
                .bind(&data)
                .bind(expiry)
                .execute(&mut *self.db.writer().await.map_err(backend)?)
                .await
                .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default(); // an id collision: draw another
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (data, expiry) = encode(record)?;
        let changed = self.hub.access_changing();
        self.db
            .query(
                "INSERT INTO sessions (id, data, expiry_date) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date",
            )
            .bind(record.id.to_string())
            .bind(data)
            .bind(expiry)
            .execute(&mut *self.db.writer().await.map_err(backend)?)
            .await
            .map_err(backend)?;
        drop(changed);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let memo = self.hub.memo();
        if let Some(record) = memo.session(&id.to_string())
            && record.expiry_date > time::OffsetDateTime::now_utc()
        {
            return Ok(Some(record));
        }
        let ticket = memo.ticket();
        let row: Option<(String, i64)> = self
            .db
            .query_as("SELECT data, expiry_date FROM sessions WHERE id = $1 AND expiry_date > $2")
            .bind(id.to_string())
            .bind(now_millis())
            .fetch_optional(self.db.reader())
            .await
            .map_err(backend)?;
        let Some((data, expiry)) = row else {
            return Ok(None);
        };
        let data =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(expiry) * 1_000_000)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let record = Record {
            id: *id,
            data,
            expiry_date,
        };
        memo.remember_session(ticket, &record);
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let changed = self.hub.access_changing();
        self.db
            .query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *self.db.writer().await.map_err(backend)?)
            .await
            .map_err(backend)?;
        drop(changed);
        Ok(())
    }
}
