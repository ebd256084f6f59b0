//! Uploads begun before the blob store kept their bytes in one file, `uploads/<id>.part` in
//! the data folder, and their rows have offset 0 and no parts. At start each such file is
//! moved into the blob store as parts and the row's offset set to its size, so the phone
//! resumes where it was; the SHA-256 is still checked when the last byte arrives.
//!
//! A file is deleted only once all its bytes are read and recorded. One that cannot be read,
//! has no upload row, or does not fit its row stays where it is, and is logged.

use std::path::{Path, PathBuf};

use crate::storage::Upload;
use crate::tus::PART_BYTES;
use crate::AppState;

/// What the migration did with the old part files it found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// Uploads now resumable from the blob store, with the bytes moved.
    pub moved: Vec<(String, i64)>,
    /// Files left in place (unreadable, unknown, or not fitting their upload).
    pub kept: Vec<PathBuf>,
}

/// The old part files in the data folder: (upload id, path).
fn part_files(data_dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(data_dir.join("uploads")) else {
        return Vec::new();
    };
    let mut found: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "part"))
        .filter_map(|p| Some((p.file_stem()?.to_str()?.to_string(), p)))
        .collect();
    found.sort();
    found
}

/// Moves every old part file of the data folder into the blob store (see the module).
pub async fn migrate(state: &AppState) -> Migrated {
    let mut out = Migrated::default();
    for (id, path) in part_files(&state.data_dir) {
        match migrate_one(state, &id, &path).await {
            Ok(received) => {
                tracing::info!(upload = %id, received, "old upload part moved into the blob store");
                out.moved.push((id, received));
            }
            Err(why) => {
                tracing::warn!(file = %path.display(), why, "old upload part left in place");
                out.kept.push(path);
            }
        }
    }
    out
}

async fn migrate_one(state: &AppState, id: &str, path: &Path) -> Result<i64, String> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| format!("cannot be read: {e}"))?;
    let key = id.to_string();
    let upload: Upload = state
        .read(move |tx| Ok(tx.get_upload(&key)?))
        .await
        .map_err(|e| e.message)?
        .ok_or("no upload has this id")?;
    let len = bytes.len() as i64;
    if len > upload.length {
        return Err(format!(
            "{len} bytes, more than the upload's {}",
            upload.length
        ));
    }
    // Bytes already moved (an earlier start stopped part-way) are not stored twice.
    let mut from = upload.received;
    if from > len {
        return Err(format!(
            "the upload already has {from} bytes, the file {len}"
        ));
    }
    for chunk in bytes[from as usize..].chunks(PART_BYTES) {
        let to = from + chunk.len() as i64;
        let name = state
            .blobs
            .put_part(id, from, bytes::Bytes::copy_from_slice(chunk))
            .await
            .map_err(|e| format!("blob store: {e}"))?;
        let (key, part) = (id.to_string(), name.clone());
        let recorded = state
            .write(move |tx| Ok(tx.advance_upload(&key, from, to, &part)?))
            .await
            .map_err(|e| e.message)?;
        if !recorded {
            state.blobs.delete_part(id, &name).await;
            return Err("the upload moved on meanwhile".into());
        }
        from = to;
    }
    tokio::fs::remove_file(path)
        .await
        .map_err(|e| format!("moved, but not removed: {e}"))?;
    Ok(from)
}
