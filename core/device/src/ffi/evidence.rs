//! Photos and documents: attached by file path, fetched on demand.

use super::*;

/// A photo or document as the app shows it, with the paths of its files.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EvidenceItem {
    pub id: String,
    pub sha256: String,
    pub kind: EvidenceKind,
    pub stage: EvidenceStage,
    pub stage_label: String,
    pub target: EvidenceTarget,
    pub taken_at: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub flags: Vec<String>,
    /// Chinese sentences for the flags (位置异常, 无定位, 时间异常 ...).
    pub notes: Vec<String>,
    pub amount_fen: Option<i64>,
    pub document_date: Option<String>,
    pub original_path: String,
    pub upload_path: Option<String>,
    pub thumbnail_path: Option<String>,
}

/// Contract, invoice, or other proof.
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum DocumentType {
    Contract,
    Invoice,
    Other,
}

pub(crate) fn evidence_item(store: &Store, rec: EvidenceRecord) -> EvidenceItem {
    let files = store.evidence_files(&rec);
    let path = |p: &std::path::Path| p.display().to_string();
    EvidenceItem {
        kind: rec.kind,
        stage_label: rec.stage.label().to_string(),
        original_path: path(&files.original),
        upload_path: files.upload.as_deref().map(path),
        thumbnail_path: files.thumbnail.as_deref().map(path),
        document_date: rec.document_date.map(|d| d.to_string()),
        id: rec.id,
        sha256: rec.sha256,
        stage: rec.stage,
        target: rec.target,
        taken_at: rec.taken_at,
        lat: rec.lat,
        lon: rec.lon,
        accuracy_m: rec.accuracy_m,
        flags: rec.flags,
        notes: rec.notes,
        amount_fen: rec.amount_fen,
    }
}

#[uniffi::export]
impl AnjianStore {
    /// The CJK font for photo watermarks (a platform path; .ttc face index).
    pub fn set_watermark_font(&self, path: String, index: u32) -> FfiResult<()> {
        Ok(self
            .inner
            .set_watermark_font(std::path::Path::new(&path), index)?)
    }

    /// Attaches a photo the camera wrote at `path` (never bytes across the FFI). The original
    /// is kept byte for byte; an upload copy and a thumbnail are made; doubtful location or
    /// time is flagged, never silently accepted.
    pub fn attach_photo(
        &self,
        path: String,
        target: EvidenceTarget,
        stage: EvidenceStage,
    ) -> FfiResult<EvidenceItem> {
        let rec = self
            .inner
            .attach_photo(std::path::Path::new(&path), target, stage)?;
        Ok(evidence_item(&self.inner, rec))
    }

    /// Attaches a contract, invoice or other proof (PDF or image) with its amount and date.
    pub fn attach_document(
        &self,
        path: String,
        target: EvidenceTarget,
        kind: DocumentType,
        amount_fen: Option<i64>,
        date: Option<String>,
    ) -> FfiResult<EvidenceItem> {
        let date = date.as_deref().map(|d| parse_date(d, "日期")).transpose()?;
        let kind = match kind {
            DocumentType::Contract => anjian_evidence::document::DocumentKind::Contract,
            DocumentType::Invoice => anjian_evidence::document::DocumentKind::Invoice,
            DocumentType::Other => anjian_evidence::document::DocumentKind::Other,
        };
        let rec = self.inner.attach_document(
            std::path::Path::new(&path),
            target,
            kind,
            amount_fen,
            date,
        )?;
        Ok(evidence_item(&self.inner, rec))
    }

    /// Evidence of one target, oldest first.
    pub fn evidence_for(&self, target: EvidenceTarget) -> FfiResult<Vec<EvidenceItem>> {
        let (t, id) = target.key();
        Ok(self
            .inner
            .evidence_for(t, id)?
            .into_iter()
            .map(|r| evidence_item(&self.inner, r))
            .collect())
    }

    /// The local path of a file of a piece of evidence, downloaded from the server (and
    /// checked against its SHA-256) when someone else captured it. Blocks on the network:
    /// call it off the main thread. Offline → `Offline`; not uploaded yet → `InvalidInput`.
    pub fn fetch_evidence(
        &self,
        evidence_id: String,
        file: crate::evidence_fetch::EvidenceFile,
    ) -> FfiResult<String> {
        let path = self.inner.fetch_evidence_file(&evidence_id, file)?;
        Ok(path.display().to_string())
    }
}
