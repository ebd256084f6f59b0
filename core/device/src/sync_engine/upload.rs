//! Evidence files to the server by tus: HEAD by SHA-256 first, resumable PATCHes from the
//! stored upload URL, thumbnails → upload copies → originals.

use super::*;

/// Bytes per PATCH. Sent without a per-chunk checksum: the server keeps whatever arrives
/// before a connection drops, so a cut wastes almost nothing; the whole file's SHA-256 is
/// verified by the server on the last byte.
pub const CHUNK: usize = 1024 * 1024;

impl Store {
    /// Files not yet on the server, in upload order.
    pub fn pending_files(&self, include_originals: bool) -> Result<Vec<PendingFile>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT sha256, path, size, evidence_id, priority, error FROM upload_queue
                 WHERE done = 0 AND (?1 OR priority < 2) ORDER BY priority, rowid",
            )?;
            let rows = stmt.query_map([include_originals], |r| {
                Ok(PendingFile {
                    sha256: r.get(0)?,
                    path: r.get(1)?,
                    size: r.get::<_, i64>(2)? as u64,
                    evidence_id: r.get(3)?,
                    priority: r.get(4)?,
                    error: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    pub(super) fn upload(
        &self,
        opts: SyncOptions,
        run: &mut Run<'_>,
    ) -> std::result::Result<(), Stop> {
        let (http, server, progress) = (&run.http, run.server.as_str(), run.progress);
        let files = self.pending_files(opts.include_originals)?;
        let bytes_total: u64 = files.iter().map(|f| f.size).sum();
        let mut bytes_done = 0u64;
        for (i, file) in files.iter().enumerate() {
            self.check_cancel()?;
            let report_progress = |done: u64| {
                progress(Progress {
                    phase: Phase::Upload,
                    records_done: i as u64,
                    records_total: files.len() as u64,
                    bytes_done: done,
                    bytes_total,
                    current_file: Some(file.path.clone()),
                })
            };
            let sent = self.upload_one(http, server, file, &|n| report_progress(bytes_done + n))?;
            bytes_done += file.size;
            run.report.uploaded_files += 1;
            run.report.uploaded_bytes += sent;
        }
        Ok(())
    }

    /// Uploads one file (HEAD first: the server may have it already). Returns bytes sent.
    pub(super) fn upload_one(
        &self,
        http: &Client,
        server: &str,
        file: &PendingFile,
        progress: &dyn Fn(u64),
    ) -> std::result::Result<u64, Stop> {
        let head =
            self.send(self.authed(http.head(format!("{server}/v1/blobs/{}", file.sha256)))?)?;
        if head.status() == StatusCode::OK {
            self.write(|tx| {
                Ok(tx.execute(
                    "UPDATE upload_queue SET done = 1 WHERE sha256 = ?1",
                    [&file.sha256],
                )?)
            })?;
            return Ok(0);
        }
        let stored_url: Option<String> = self.read(|c| {
            Ok(c.query_row(
                "SELECT url FROM upload_queue WHERE sha256 = ?1",
                [&file.sha256],
                |r| r.get(0),
            )?)
        })?;
        let mut offset: Option<u64> = None;
        let mut url = stored_url;
        if let Some(u) = &url {
            let resp = self.send(
                self.authed(http.head(format!("{server}{u}")))?
                    .header("Tus-Resumable", "1.0.0"),
            )?;
            if resp.status() == StatusCode::OK {
                offset = resp
                    .headers()
                    .get("Upload-Offset")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok());
            } else {
                url = None;
            }
        }
        let url = match (url, offset) {
            (Some(u), Some(_)) => u,
            _ => {
                let meta = format!(
                    "sha256 {},filename {}",
                    base64::engine::general_purpose::STANDARD.encode(&file.sha256),
                    base64::engine::general_purpose::STANDARD.encode(
                        std::path::Path::new(&file.path)
                            .file_name()
                            .map(|n| n.to_string_lossy().to_string())
                            .unwrap_or_default()
                    )
                );
                let resp = self.send(
                    self.authed(http.post(format!("{server}/v1/uploads")))?
                        .header("Tus-Resumable", "1.0.0")
                        .header("Upload-Length", file.size.to_string())
                        .header("Upload-Metadata", meta),
                )?;
                if resp.status() != StatusCode::CREATED {
                    let message = server_message(resp);
                    self.write(|tx| {
                        Ok(tx.execute(
                            "UPDATE upload_queue SET error = ?2 WHERE sha256 = ?1",
                            params![file.sha256, message],
                        )?)
                    })?;
                    return Err(Stop::Offline(message));
                }
                let location = resp
                    .headers()
                    .get("Location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                // Store the URL before sending bytes: a killed app resumes this upload.
                self.write(|tx| {
                    Ok(tx.execute(
                        "UPDATE upload_queue SET url = ?2 WHERE sha256 = ?1",
                        params![file.sha256, location],
                    )?)
                })?;
                offset = Some(0);
                location
            }
        };
        let mut offset = offset.unwrap_or(0);
        let mut f = std::fs::File::open(&file.path).map_err(|e| Stop::Store(e.into()))?;
        let mut sent = 0u64;
        let mut buf = vec![0u8; CHUNK];
        while offset < file.size {
            self.check_cancel()?;
            f.seek(SeekFrom::Start(offset))
                .map_err(|e| Stop::Store(e.into()))?;
            let n = read_full(&mut f, &mut buf).map_err(|e| Stop::Store(e.into()))?;
            if n == 0 {
                return Err(Stop::Store(StoreError::Invalid {
                    field: "证据文件",
                    reason: format!("{} 比记录的短", file.path),
                }));
            }
            let chunk = &buf[..n];
            let resp = self.send(
                self.authed(http.patch(format!("{server}{url}")))?
                    .header("Tus-Resumable", "1.0.0")
                    .header("Upload-Offset", offset.to_string())
                    .header("Content-Type", "application/offset+octet-stream")
                    .body(chunk.to_vec()),
            )?;
            sent += n as u64;
            match resp.status() {
                StatusCode::NO_CONTENT => {
                    offset = resp
                        .headers()
                        .get("Upload-Offset")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(offset + n as u64);
                    progress(offset);
                }
                StatusCode::CONFLICT => {
                    // Out of step (an earlier chunk landed after all): ask where we are.
                    let head = self.send(
                        self.authed(http.head(format!("{server}{url}")))?
                            .header("Tus-Resumable", "1.0.0"),
                    )?;
                    offset = head
                        .headers()
                        .get("Upload-Offset")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                }
                s if s.as_u16() == 460 && offset + n as u64 >= file.size => {
                    // The whole file does not hash to its name: the local copy is damaged.
                    let message = server_message(resp);
                    self.write(|tx| {
                        Ok(tx.execute(
                            "UPDATE upload_queue SET error = ?2, url = NULL WHERE sha256 = ?1",
                            params![file.sha256, message],
                        )?)
                    })?;
                    return Ok(sent);
                }
                s if s.as_u16() == 460 => continue,
                StatusCode::NOT_FOUND | StatusCode::GONE => {
                    self.write(|tx| {
                        Ok(tx.execute(
                            "UPDATE upload_queue SET url = NULL WHERE sha256 = ?1",
                            [&file.sha256],
                        )?)
                    })?;
                    return Err(Stop::Offline("上传已过期，下次同步将重新上传".into()));
                }
                _ => return Err(Stop::Offline(server_message(resp))),
            }
        }
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE upload_queue SET done = 1, error = NULL WHERE sha256 = ?1",
                [&file.sha256],
            )?)
        })?;
        Ok(sent)
    }
}

pub(super) fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let k = f.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    Ok(n)
}
