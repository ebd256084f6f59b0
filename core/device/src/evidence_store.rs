//! Evidence on the device: a photo or document is checked, its original kept byte for byte,
//! its derived files made (upload copy, thumbnail), and its record written with an outbox
//! entry, tied to what it proves. Files live in `evidence/` beside the database, named by
//! SHA-256.

use std::path::{Path, PathBuf};

use anjian_domain::evidence::{
    EvidenceFile, EvidenceKind, EvidenceRecord, EvidenceStage, EvidenceTarget,
};
use anjian_domain::location;
use anjian_domain::site::Site;
use anjian_domain::DomainError;
use anjian_evidence::document::{self, DocumentKind};
use anjian_evidence::photo::{self, DeriveOptions};
use anjian_evidence::watermark::{Watermark, WatermarkFont};
use anjian_evidence::{timecheck, write_atomically};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Result, StoreError};
use crate::store::{enqueue, from_json, json, new_id, not_found, Store};
use anjian_domain::sync::ops::OpBody;

const FONT_KEY: &str = "watermark_font";

/// The files of one piece of evidence on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFiles {
    pub original: PathBuf,
    pub upload: Option<PathBuf>,
    pub thumbnail: Option<PathBuf>,
}

fn add_flag(rec: &mut EvidenceRecord, code: &str, note: String) {
    rec.flags.push(code.to_string());
    rec.notes.push(note);
}

/// Writes an evidence record's row (new, or pulled again from the server).
pub(crate) fn upsert_evidence_row(tx: &Connection, rec: &EvidenceRecord) -> Result<()> {
    let (target_type, target_id) = rec.target.key();
    let stage = serde_json::to_value(rec.stage)?
        .as_str()
        .unwrap_or("none")
        .to_string();
    tx.prepare_cached(
        "INSERT INTO evidence (id, sha256, target_type, target_id, stage, captured_at, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(id) DO UPDATE SET data = excluded.data",
    )?
    .execute(params![rec.id, rec.sha256, target_type, target_id, stage, rec.captured_at.to_rfc3339(), json(rec)?])?;
    Ok(())
}

impl Store {
    pub fn evidence_dir(&self) -> PathBuf {
        self.dir().join("evidence")
    }

    /// Where the files of a piece of evidence are (the original keeps its content type).
    pub fn evidence_files(&self, rec: &EvidenceRecord) -> EvidenceFiles {
        let dir = self.evidence_dir().join(&rec.sha256[..2]);
        let ext = match rec.content_type.as_str() {
            "image/jpeg" => "jpg",
            "image/png" => "png",
            "application/pdf" => "pdf",
            _ => "bin",
        };
        let photo = rec.kind == EvidenceKind::Photo;
        EvidenceFiles {
            original: dir.join(format!("{}.{ext}", rec.sha256)),
            upload: photo.then(|| dir.join(format!("{}.upload.jpg", rec.sha256))),
            thumbnail: photo.then(|| dir.join(format!("{}.thumb.jpg", rec.sha256))),
        }
    }

    /// The watermark font the platform provides (e.g. /system/fonts/NotoSansCJK-Regular.ttc).
    pub fn set_watermark_font(&self, path: &Path, index: u32) -> Result<()> {
        WatermarkFont::load(path, index)?;
        let value = json(&(path.display().to_string(), index))?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![FONT_KEY, value],
            )?;
            Ok(())
        })
    }

    /// The CJK font's path and face index, as the app set it (watermarks and documents).
    pub(crate) fn cjk_font_path(&self) -> Result<Option<(String, u32)>> {
        let value: Option<String> = self.read(|c| {
            Ok(c.query_row(
                "SELECT value FROM sync_state WHERE key = ?1",
                [FONT_KEY],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        value.map(|v| from_json(&v)).transpose()
    }

    fn watermark_font(&self) -> Result<Option<WatermarkFont>> {
        match self.cjk_font_path()? {
            None => Ok(None),
            Some((path, index)) => Ok(Some(WatermarkFont::load(Path::new(&path), index)?)),
        }
    }

    /// The site a target is at, and the hazard number for the watermark.
    fn target_context(
        &self,
        c: &Connection,
        target: &EvidenceTarget,
    ) -> Result<(Option<Site>, Option<String>)> {
        let site = |id: &str| -> Result<Option<Site>> {
            let data: Option<String> = c
                .query_row("SELECT data FROM sites WHERE id = ?1", [id], |r| r.get(0))
                .optional()?;
            data.map(|d| from_json(&d)).transpose()
        };
        match target {
            EvidenceTarget::InspectionItem {
                inspection_id,
                item_id,
            } => {
                let insp = Store::load_inspection(c, inspection_id)?;
                self.checklists().for_inspection(&insp).item(item_id)?;
                Ok((site(&insp.site_id)?, None))
            }
            EvidenceTarget::Hazard { hazard_id } => {
                let h = Store::load_hazard(c, hazard_id)?;
                let s = match &h.site_id {
                    Some(id) => site(id)?,
                    None => None,
                };
                Ok((s, Some(h.number)))
            }
            EvidenceTarget::HardwareInvestment { investment_id } => {
                let found: Option<String> = c
                    .query_row(
                        "SELECT id FROM hardware_investments WHERE id = ?1",
                        [investment_id],
                        |r| r.get(0),
                    )
                    .optional()?;
                found.ok_or_else(|| not_found("硬件投入", investment_id))?;
                Ok((None, None))
            }
            EvidenceTarget::InspectionReport { inspection_id } => {
                let insp = Store::load_inspection(c, inspection_id)?;
                Ok((site(&insp.site_id)?, None))
            }
            EvidenceTarget::Meeting { meeting_id } => {
                let found: Option<String> = c
                    .query_row("SELECT id FROM meetings WHERE id = ?1", [meeting_id], |r| {
                        r.get(0)
                    })
                    .optional()?;
                found.ok_or_else(|| not_found("会议", meeting_id))?;
                Ok((None, None))
            }
            EvidenceTarget::WorkTask { task_id, .. } => {
                let found: Option<String> = c
                    .query_row(
                        "SELECT id FROM pulled_records WHERE entity = 'work_task' AND id = ?1",
                        [task_id],
                        |r| r.get(0),
                    )
                    .optional()?;
                found.ok_or_else(|| not_found("工作任务", task_id))?;
                Ok((None, None))
            }
            EvidenceTarget::MechanismRecord { record_id } => {
                let found: Option<String> = c
                    .query_row(
                        "SELECT id FROM pulled_records WHERE entity = 'mechanism_record' AND id = ?1",
                        [record_id],
                        |r| r.get(0),
                    )
                    .optional()?;
                found.ok_or_else(|| not_found("改机制记录", record_id))?;
                Ok((None, None))
            }
        }
    }

    /// Earliest "before" photo time of a hazard (its EXIF time, else when it was captured).
    fn earliest_before(c: &Connection, hazard_id: &str) -> Result<Option<DateTime<Utc>>> {
        let mut stmt = c.prepare("SELECT data FROM evidence WHERE target_type = 'hazard' AND target_id = ?1 AND stage = 'before'")?;
        let rows = stmt.query_map([hazard_id], |r| r.get::<_, String>(0))?;
        let mut earliest: Option<DateTime<Utc>> = None;
        for row in rows {
            let rec: EvidenceRecord = from_json(&row?)?;
            let t = rec
                .taken_at
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(rec.captured_at);
            earliest = Some(earliest.map_or(t, |e| e.min(t)));
        }
        Ok(earliest)
    }

    pub(crate) fn insert_evidence(&self, rec: &EvidenceRecord) -> Result<()> {
        let files = self.evidence_files(rec);
        // Thumbnails first, then upload copies, then originals (documents are their own proof).
        let mut queue = vec![(
            rec.sha256.clone(),
            files.original.clone(),
            if rec.kind == EvidenceKind::Photo {
                2
            } else {
                1
            },
        )];
        if let (Some(sha), Some(path)) = (&rec.upload_sha256, &files.upload) {
            queue.push((sha.clone(), path.clone(), 1));
        }
        if let (Some(sha), Some(path)) = (&rec.thumb_sha256, &files.thumbnail) {
            queue.push((sha.clone(), path.clone(), 0));
        }
        let sizes: Vec<u64> = queue
            .iter()
            .map(|(_, p, _)| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .collect();
        self.write(|tx| {
            upsert_evidence_row(tx, rec)?;
            for ((sha, path, priority), size) in queue.iter().zip(&sizes) {
                tx.execute(
                    "INSERT OR IGNORE INTO upload_queue (sha256, path, size, priority, evidence_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![sha, path.display().to_string(), *size as i64, priority, rec.id],
                )?;
            }
            enqueue(tx, &new_id(), &rec.id, &OpBody::AttachEvidence(rec.clone()))
        })
    }

    /// Attaches a photo (a file path from the camera) to what it proves. Refused files write
    /// nothing; accepted ones keep their original bytes and get flags for anything doubtful.
    pub fn attach_photo(
        &self,
        path: &Path,
        target: EvidenceTarget,
        stage: EvidenceStage,
    ) -> Result<EvidenceRecord> {
        let actor = self.actor()?;
        let bytes = anjian_evidence::read_limited(path, photo::MAX_FILE_BYTES)?;
        let report = photo::inspect_bytes(&bytes)?;
        let (site, hazard_number) = self.read(|c| self.target_context(c, &target))?;
        if stage != EvidenceStage::None
            && !matches!(
                target,
                EvidenceTarget::Hazard { .. } | EvidenceTarget::HardwareInvestment { .. }
            )
        {
            return Err(DomainError::InvalidValue {
                field: "照片阶段",
                reason: "整改前中后照片须关联隐患或硬件投入".into(),
            }
            .into());
        }
        let captured_at = Utc::now();
        let mut rec = EvidenceRecord {
            taken_at: report.taken_at.clone(),
            lat: report.lat,
            lon: report.lon,
            accuracy_m: report.accuracy_m,
            flags: report.flags.clone(),
            notes: report.notes.clone(),
            ..EvidenceRecord::new(
                new_id(),
                EvidenceKind::Photo,
                EvidenceFile {
                    sha256: report.sha256.clone(),
                    content_type: report.content_type.to_string(),
                    size: report.size,
                },
                target.clone(),
                stage,
                actor.person_id.clone(),
                captured_at,
            )
        };
        if let Some(site) = &site {
            let point = report
                .lat
                .zip(report.lon)
                .map(|(lat, lon)| anjian_domain::site::GeoPoint { lat, lon });
            if let check @ location::LocationCheck::OutsideSite { .. } =
                location::check(point, report.accuracy_m, &site.location)
            {
                add_flag(&mut rec, "location_outside", check.label());
            }
        }
        let photo_time = report
            .meta
            .taken_local
            .map(|l| (l, report.meta.taken_offset));
        for f in timecheck::check(photo_time, captured_at, None) {
            let code = serde_json::to_value(&f)?
                .get("code")
                .and_then(|c| c.as_str())
                .unwrap_or("time")
                .to_string();
            add_flag(&mut rec, &code, f.message());
        }
        if let (EvidenceTarget::Hazard { hazard_id }, EvidenceStage::After) = (&target, stage) {
            let before = self.read(|c| Self::earliest_before(c, hazard_id))?;
            let after = photo_time
                .map(|(l, o)| timecheck::photo_instant(l, o).0)
                .unwrap_or(captured_at);
            if let Some(f) = timecheck::check_stage_order(before, after) {
                add_flag(&mut rec, "after_before_before", f.message());
            }
        }
        // Files first (atomically, named by content), then the record: a crash in between
        // leaves an unreferenced file, never a record without its file.
        let files = self.evidence_files(&rec);
        let dir = files
            .original
            .parent()
            .expect("evidence folder")
            .to_path_buf();
        std::fs::create_dir_all(&dir)?;
        if !files.original.exists() {
            write_atomically(&files.original, &bytes)?;
        }
        let mut opts = DeriveOptions::default();
        if let Some(font) = self.watermark_font()? {
            let place = match (report.lat, report.lon) {
                (Some(lat), Some(lon)) => format!("{lat:.6}°, {lon:.6}°"),
                _ => "无定位".into(),
            };
            let mut lines = vec![
                format!(
                    "时间：{}",
                    captured_at
                        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("valid"))
                        .format("%Y-%m-%d %H:%M:%S")
                ),
                format!(
                    "地点：{}（{place}）",
                    site.as_ref().map(|s| s.name.as_str()).unwrap_or("")
                ),
                format!("检查人员：{}", actor.name),
            ];
            if let Some(n) = &hazard_number {
                lines.push(format!("隐患编号：{n}（{}）", stage.label()));
            }
            opts.watermark = Some(Watermark::new(font, lines));
        }
        let (report2, written) = photo::ingest_bytes(&bytes, report, &dir, &opts)?;
        if report2.flags.iter().any(|f| f == "truncated") {
            add_flag(
                &mut rec,
                "truncated",
                photo::flag_message("truncated").into(),
            );
        }
        rec.upload_sha256 = Some(anjian_evidence::sha256_hex(&std::fs::read(
            &written.upload,
        )?));
        rec.thumb_sha256 = Some(anjian_evidence::sha256_hex(&std::fs::read(
            &written.thumbnail,
        )?));
        self.insert_evidence(&rec)?;
        Ok(rec)
    }

    /// Attaches a contract, invoice or other proof (PDF or image) with its amount and date.
    pub fn attach_document(
        &self,
        path: &Path,
        target: EvidenceTarget,
        kind: DocumentKind,
        amount_fen: Option<i64>,
        date: Option<NaiveDate>,
    ) -> Result<EvidenceRecord> {
        let actor = self.actor()?;
        let today = anjian_domain::hazard::china_date(Utc::now());
        let report = document::inspect_document(path, kind, amount_fen, date, today)?;
        self.read(|c| self.target_context(c, &target))?;
        let bytes = std::fs::read(path)?;
        let kind = match kind {
            DocumentKind::Contract => EvidenceKind::Contract,
            DocumentKind::Invoice => EvidenceKind::Invoice,
            DocumentKind::Other => EvidenceKind::OtherDocument,
        };
        let file = EvidenceFile {
            sha256: report.sha256.clone(),
            content_type: report.content_type.to_string(),
            size: report.size,
        };
        let rec = EvidenceRecord {
            notes: report
                .flags
                .iter()
                .map(|_| "PDF 文件不完整（缺少结束标记）".to_string())
                .collect(),
            flags: report.flags,
            amount_fen,
            document_date: date,
            ..EvidenceRecord::new(
                new_id(),
                kind,
                file,
                target,
                EvidenceStage::None,
                actor.person_id,
                Utc::now(),
            )
        };
        let files = self.evidence_files(&rec);
        std::fs::create_dir_all(files.original.parent().expect("evidence folder"))?;
        if !files.original.exists() {
            write_atomically(&files.original, &bytes)?;
        }
        self.insert_evidence(&rec)?;
        Ok(rec)
    }

    pub fn evidence(&self, id: &str) -> Result<EvidenceRecord> {
        self.read(|c| {
            let data: Option<String> = c
                .query_row("SELECT data FROM evidence WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?;
            from_json(&data.ok_or_else(|| not_found("证据", id))?)
        })
    }

    /// Evidence of one target (`hazard`, `inspection`, `hardware_investment`, `meeting`).
    pub fn evidence_for(&self, target_type: &str, target_id: &str) -> Result<Vec<EvidenceRecord>> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT data FROM evidence WHERE target_type = ?1 AND target_id = ?2 ORDER BY captured_at")?;
            let rows = stmt.query_map([target_type, target_id], |r| r.get::<_, String>(0))?;
            rows.map(|r| from_json(&r?)).collect()
        })
    }

    /// Every id must be an "after" photo of this hazard on this device.
    pub(crate) fn require_after_photos(
        c: &Connection,
        hazard_id: &str,
        ids: &[String],
    ) -> Result<()> {
        for id in ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            let row: Option<(String, String, String)> = c
                .query_row(
                    "SELECT target_type, target_id, stage FROM evidence WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            match row {
                Some((t, h, s)) if t == "hazard" && h == hazard_id && s == "after" => {}
                Some(_) => {
                    return Err(StoreError::Invalid {
                        field: "整改后照片",
                        reason: format!("{id} 不是本隐患的整改后照片"),
                    })
                }
                None => return Err(not_found("整改后照片", id)),
            }
        }
        Ok(())
    }
}
