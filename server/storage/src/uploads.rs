//! Resumable uploads, the stored blobs and each person's daily upload bytes: written once
//! for both backends over their [`Sql`].

use chrono::{DateTime, Utc};

use crate::sql::{columns, Arg, Cell, Sql};
use crate::{Blob, Result, Upload};

/// Uploads in progress (tus), blobs stored, and the daily quota's counts, part of every
/// transaction.
pub trait Uploads: Sql {
    fn put_upload(&mut self, u: &Upload) -> Result<()> {
        debug_assert!(u.received == 0 && u.parts.is_empty(), "a new upload");
        self.run(
            "INSERT INTO uploads (id, length, metadata, sha256, created_by, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                Arg::Text(&u.id),
                Arg::Int(u.length),
                Arg::Text(&u.metadata),
                Arg::Text(&u.sha256),
                Arg::Text(&u.created_by),
                Arg::Time(u.expires_at),
            ],
        )?;
        Ok(())
    }

    fn get_upload(&mut self, id: &str) -> Result<Option<Upload>> {
        let sql = format!("SELECT {UPLOAD} FROM uploads WHERE id = $1");
        let row = self.rows(&sql, &[Arg::Text(id)])?.into_iter().next();
        row.map(upload).transpose()
    }

    fn delete_upload(&mut self, id: &str) -> Result<()> {
        self.run("DELETE FROM uploads WHERE id = $1", &[Arg::Text(id)])?;
        Ok(())
    }

    fn expired_uploads(&mut self, now: DateTime<Utc>) -> Result<Vec<String>> {
        let sql = "SELECT id FROM uploads WHERE expires_at <= $1";
        self.rows(sql, &[Arg::Time(now)])?
            .into_iter()
            .map(|row| {
                let [id] = columns(row)?;
                id.text()
            })
            .collect()
    }

    /// The open uploads a person created (for their quota).
    fn uploads_by(&mut self, created_by: &str) -> Result<Vec<Upload>> {
        let sql = format!("SELECT {UPLOAD} FROM uploads WHERE created_by = $1");
        self.rows(&sql, &[Arg::Text(created_by)])?
            .into_iter()
            .map(upload)
            .collect()
    }

    /// Moves an upload's expiry (it was written to: idle time starts again).
    fn touch_upload(&mut self, id: &str, expires_at: DateTime<Utc>) -> Result<()> {
        self.run(
            "UPDATE uploads SET expires_at = $2 WHERE id = $1",
            &[Arg::Text(id), Arg::Time(expires_at)],
        )?;
        Ok(())
    }

    /// Records a stored part: moves the offset from `from` to `to` and appends `part` to the
    /// part list, only if the offset is still `from` (false: another writer got there first).
    /// This compare-and-set is what keeps two instances from writing one upload at once.
    fn advance_upload(&mut self, id: &str, from: i64, to: i64, part: &str) -> Result<bool> {
        let n = self.run(
            "UPDATE uploads SET received = $3, parts = parts || ' ' || $4 \
             WHERE id = $1 AND received = $2",
            &[Arg::Text(id), Arg::Int(from), Arg::Int(to), Arg::Text(part)],
        )?;
        Ok(n == 1)
    }

    fn put_blob(&mut self, b: &Blob) -> Result<()> {
        self.run(
            "INSERT INTO blobs (sha256, size, uploaded_by, audience, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (sha256) DO UPDATE SET audience = excluded.audience",
            &[
                Arg::Text(&b.sha256),
                Arg::Int(b.size),
                Arg::Text(&b.uploaded_by),
                Arg::Text(&serde_json::to_string(&b.audience)?),
                Arg::Time(Utc::now()),
            ],
        )?;
        Ok(())
    }

    fn get_blob(&mut self, sha256: &str) -> Result<Option<Blob>> {
        let row = self
            .rows(
                "SELECT sha256, size, uploaded_by, audience FROM blobs WHERE sha256 = $1",
                &[Arg::Text(sha256)],
            )?
            .into_iter()
            .next();
        row.map(|row| {
            let [sha256, size, uploaded_by, audience] = columns(row)?;
            Ok(Blob {
                sha256: sha256.text()?,
                size: size.int()?,
                uploaded_by: uploaded_by.text()?,
                audience: serde_json::from_str(&audience.text()?)?,
            })
        })
        .transpose()
    }

    /// Bytes a person's uploads declared on `day` (a China date, `YYYY-MM-DD`).
    fn uploaded_on(&mut self, person_id: &str, day: &str) -> Result<i64> {
        self.first(
            "SELECT bytes FROM upload_days WHERE person_id = $1 AND day = $2",
            &[Arg::Text(person_id), Arg::Text(day)],
        )?
        .map_or(Ok(0), Cell::int)
    }

    /// Adds to that count; the person's counts of earlier days are dropped.
    fn add_uploaded(&mut self, person_id: &str, day: &str, bytes: i64) -> Result<()> {
        self.run(
            "DELETE FROM upload_days WHERE person_id = $1 AND day < $2",
            &[Arg::Text(person_id), Arg::Text(day)],
        )?;
        self.run(
            "INSERT INTO upload_days (person_id, day, bytes) VALUES ($1, $2, $3)
             ON CONFLICT (person_id, day) DO UPDATE SET bytes = upload_days.bytes + excluded.bytes",
            &[Arg::Text(person_id), Arg::Text(day), Arg::Int(bytes)],
        )?;
        Ok(())
    }
}

impl<T: Sql> Uploads for T {}

/// The columns of `uploads`, in the order [`upload`] reads them.
const UPLOAD: &str = "id, length, metadata, sha256, created_by, expires_at, received, parts";

fn upload(row: Vec<Cell>) -> Result<Upload> {
    let [id, length, metadata, sha256, created_by, expires_at, received, parts] = columns(row)?;
    Ok(Upload {
        id: id.text()?,
        length: length.int()?,
        metadata: metadata.text()?,
        sha256: sha256.text()?,
        created_by: created_by.text()?,
        expires_at: expires_at.time()?,
        received: received.int()?,
        parts: parts.text()?,
    })
}
