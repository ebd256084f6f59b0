//! `anjian backup` and `anjian restore` for a county on one machine: the embedded SQLite
//! database (an online, consistent copy) and the evidence folder, into a backup folder that
//! a fresh server is restored from.
//!
//! A deployment on PostgreSQL and object storage is backed up with those systems' own tools
//! (`pg_dump` or continuous archiving, and bucket versioning): see docs/scale.md.
//!
//! Phones need nothing special after a restore: the restored database gets a new change-log
//! id, so their cursors are of another log; the server answers 410 and they pull again from
//! the start, keeping their own work.

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::storage::sqlite::SqliteDb;

/// The database file in a data folder and in a backup.
pub const DB_FILE: &str = "anjian-server.db";
/// What a backup folder holds, written last (a folder without it is not a backup).
pub const MANIFEST: &str = "anjian-backup.json";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub created_at: chrono::DateTime<Utc>,
    pub database: String,
    /// Evidence files copied, and their bytes.
    pub files: u64,
    pub bytes: u64,
}

fn io(what: &Path, e: std::io::Error) -> String {
    format!("{}：{e}", what.display())
}

fn empty_or_missing(dir: &Path) -> Result<bool, String> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(io(dir, e)),
    }
}

/// The evidence files under `blobs/` (two-character folders of files named by their hash).
fn blob_files(data: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let root = data.join("blobs");
    let mut out = Vec::new();
    let Ok(fans) = std::fs::read_dir(&root) else {
        return Ok(out);
    };
    for fan in fans {
        let fan = fan.map_err(|e| io(&root, e))?.path();
        if !fan.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&fan).map_err(|e| io(&fan, e))? {
            let path = file.map_err(|e| io(&fan, e))?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            // Only finished files: a half-written temporary copy is not evidence.
            if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
                out.push((path, name));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// Copies a file, hashing it on the way; refuses one whose bytes are not its name's hash.
fn copy_checked(from: &Path, to: &Path, sha256: &str) -> Result<u64, String> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    let mut input = std::fs::File::open(from).map_err(|e| io(from, e))?;
    let tmp = to.with_extension("tmp");
    let mut output = std::fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = input.read(&mut buf).map_err(|e| io(from, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        std::io::Write::write_all(&mut output, &buf[..n]).map_err(|e| io(&tmp, e))?;
        total += n as u64;
    }
    output.sync_all().map_err(|e| io(&tmp, e))?;
    if hex::encode(hasher.finalize()) != sha256 {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!(
            "证据文件已损坏（内容与文件名的哈希不符）：{}",
            from.display()
        ));
    }
    std::fs::rename(&tmp, to).map_err(|e| io(to, e))?;
    Ok(total)
}

fn copy_blobs(from: &Path, to: &Path) -> Result<(u64, u64), String> {
    let (mut files, mut bytes) = (0, 0);
    for (path, sha) in blob_files(from)? {
        let target = to.join("blobs").join(&sha[..2]).join(&sha);
        bytes += copy_checked(&path, &target, &sha)?;
        files += 1;
    }
    Ok((files, bytes))
}

/// Backs up a data folder (its server may keep running) into `to`, a new or empty folder.
pub fn backup(data: &Path, to: &Path) -> Result<Manifest, String> {
    let db = data.join(DB_FILE);
    if !db.is_file() {
        return Err(format!("{} 中没有服务器数据库", data.display()));
    }
    if !empty_or_missing(to)? {
        return Err(format!("备份目录须为空：{}", to.display()));
    }
    std::fs::create_dir_all(to).map_err(|e| io(to, e))?;
    // The database first: every file it names was stored before its row, so it is in the
    // folder by the time the files are copied.
    SqliteDb::backup_file(&db, &to.join(DB_FILE)).map_err(|e| format!("数据库备份失败：{e}"))?;
    let (files, bytes) = copy_blobs(data, to)?;
    let manifest = Manifest {
        created_at: Utc::now(),
        database: DB_FILE.into(),
        files,
        bytes,
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?;
    crate::write_atomically(&to.join(MANIFEST), &text).map_err(|e| io(to, e))?;
    Ok(manifest)
}

/// Restores a backup into `data`, a new or empty data folder for a fresh server.
pub fn restore(from: &Path, data: &Path) -> Result<Manifest, String> {
    let text = std::fs::read(from.join(MANIFEST))
        .map_err(|_| format!("{} 不是安检服务器的备份（缺少 {MANIFEST}）", from.display()))?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|e| format!("备份清单无法读取：{e}"))?;
    if !empty_or_missing(data)? {
        return Err(format!("恢复的目标数据目录须为空：{}", data.display()));
    }
    std::fs::create_dir_all(data).map_err(|e| io(data, e))?;
    let (files, _) = copy_blobs(from, data)?;
    if files != manifest.files {
        return Err(format!(
            "备份不完整：清单记有 {} 个证据文件，实有 {files} 个",
            manifest.files
        ));
    }
    // The database last: a data folder with a database is a server's.
    let db = data.join(DB_FILE);
    let tmp = db.with_extension("tmp");
    std::fs::copy(from.join(&manifest.database), &tmp).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, &db).map_err(|e| io(&db, e))?;
    // Opening it checks it and brings its schema up to this server's. A new change-log id:
    // the restored log reuses sequence numbers that phones already hold cursors past.
    let restored = SqliteDb::open(&db).map_err(|e| format!("恢复的数据库无法打开：{e}"))?;
    restored
        .transact(|tx| tx.renew_log_id())
        .map_err(|e| format!("恢复的数据库无法更新：{e}"))?;
    Ok(manifest)
}
