//! Evidence someone else captured. Pulled evidence records name their files by SHA-256; the
//! files come from the server when a person opens them (a reviewer looking at a hazard's
//! after-photos before 验收), are checked against their hash, and are kept where this
//! device keeps its own evidence, so the second look works offline.

use std::io::{Read, Write};
use std::path::PathBuf;

use anjian_domain::evidence::{EvidenceKind, EvidenceRecord};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};
use crate::store::Store;
use crate::sync_engine::{client, network_message, server_message};

/// Which file of a piece of evidence to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum EvidenceFile {
    /// The small picture for lists.
    Thumbnail,
    /// The reduced copy for full-screen viewing (photos); the file itself for documents.
    Upload,
    /// The file as captured.
    Original,
}

impl Store {
    /// The local path of one file of a piece of evidence, downloading it from the server
    /// first when this device does not have it. A photo without the asked-for derivative
    /// falls back to the next larger file.
    pub fn fetch_evidence_file(&self, evidence_id: &str, which: EvidenceFile) -> Result<PathBuf> {
        let rec = self.evidence(evidence_id)?;
        let (sha, path) = file_of(self, &rec, which);
        if path.exists() {
            return Ok(path);
        }
        let server = self
            .get_setting("server")?
            .ok_or(StoreError::LoginExpired)?;
        let token = self.get_setting("token")?.ok_or(StoreError::LoginExpired)?;
        let resp = client()
            .get(format!("{server}/v1/blobs/{sha}"))
            .bearer_auth(token)
            .send()
            .map_err(|e| StoreError::Offline(network_message(&e)))?;
        match resp.status() {
            StatusCode::OK => {}
            StatusCode::UNAUTHORIZED => return Err(StoreError::LoginExpired),
            StatusCode::NOT_FOUND => {
                return Err(StoreError::Invalid {
                    field: "证据文件",
                    reason: "服务器上还没有该文件（拍摄人的手机尚未上传），请稍后再看".into(),
                })
            }
            s if s.is_server_error() => return Err(StoreError::Offline(server_message(resp))),
            _ => {
                return Err(StoreError::Invalid {
                    field: "证据文件",
                    reason: server_message(resp),
                })
            }
        }
        save_checked(resp, &sha, &path)?;
        Ok(path)
    }
}

/// The SHA-256 and local path of the file asked for (or the next larger one that exists).
fn file_of(store: &Store, rec: &EvidenceRecord, which: EvidenceFile) -> (String, PathBuf) {
    let files = store.evidence_files(rec);
    if rec.kind == EvidenceKind::Photo {
        if which == EvidenceFile::Thumbnail {
            if let (Some(sha), Some(path)) = (&rec.thumb_sha256, &files.thumbnail) {
                return (sha.clone(), path.clone());
            }
        }
        if which != EvidenceFile::Original {
            if let (Some(sha), Some(path)) = (&rec.upload_sha256, &files.upload) {
                return (sha.clone(), path.clone());
            }
        }
    }
    (rec.sha256.clone(), files.original)
}

/// Streams the body to a temporary file beside `path`, hashing as it goes; only a file
/// whose hash matches is moved into place.
fn save_checked(mut body: reqwest::blocking::Response, sha: &str, path: &PathBuf) -> Result<()> {
    let dir = path.parent().expect("evidence files live in a folder");
    std::fs::create_dir_all(dir)?;
    let part = path.with_extension("part");
    let mut tmp = std::fs::File::create(&part)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = body.read(&mut buf).map_err(|e| {
            let _ = std::fs::remove_file(&part);
            StoreError::Offline(format!("下载中断，请重试（{e}）"))
        })?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        tmp.write_all(&buf[..n])?;
    }
    let got = hex::encode(hasher.finalize());
    if got != sha {
        let _ = std::fs::remove_file(&part);
        return Err(StoreError::Invalid {
            field: "证据文件",
            reason: format!("下载的文件与登记的 SHA-256 不符（{got}），已丢弃"),
        });
    }
    tmp.sync_all()?;
    drop(tmp);
    std::fs::rename(&part, path)?;
    Ok(())
}
