//! Proof photos on the server: each photo file's perceptual hashes, computed when the file
//! arrives (the server's own, never the phone's claim), and the index that finds a photo
//! already used as proof of another hazard or investment — the same file, or the same
//! picture re-saved, cropped or re-compressed.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use anjian_domain::evidence::EvidenceRecord;
use anjian_domain::proof::{PhotoHashes, PhotoUse, ProofStatus, RecycleIndex, RecycledUse};
use anjian_domain::sync::entity;

use crate::error::{ApiError, ApiResult};
use crate::scope::Caller;
use crate::storage::{StoredRecord, Tx};

/// The stored hashes of one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PhotoHashDoc {
    sha256: String,
    /// Hex, whole picture first.
    hashes: Vec<String>,
}

/// Hashes a photo file's bytes; `None` for what is not a decodable JPEG (documents).
pub fn hash_bytes(bytes: &[u8]) -> Option<PhotoHashes> {
    anjian_evidence::phash::of_jpeg(bytes).ok()
}

/// Stores a file's hashes (no one's audience: the server alone reads them).
pub fn save_hashes(tx: &mut dyn Tx, sha256: &str, hashes: &PhotoHashes) -> ApiResult<()> {
    let doc = PhotoHashDoc {
        sha256: sha256.to_string(),
        hashes: hashes.iter().map(|h| format!("{h:016x}")).collect(),
    };
    let previous = tx
        .get_record(entity::PHOTO_HASH, sha256)?
        .map_or(0, |r| r.version);
    tx.put_record(&StoredRecord {
        entity: entity::PHOTO_HASH.to_string(),
        id: sha256.to_string(),
        version: previous + 1,
        data: serde_json::to_value(&doc).map_err(ApiError::internal)?,
        audience: Vec::new(),
        deleted: false,
    })?;
    Ok(())
}

fn load_hashes(tx: &mut dyn Tx) -> ApiResult<HashMap<String, PhotoHashes>> {
    let mut out = HashMap::new();
    for rec in tx.list_records(entity::PHOTO_HASH, None)? {
        let doc: PhotoHashDoc = serde_json::from_value(rec.data).map_err(ApiError::internal)?;
        let parsed: Option<Vec<u64>> = doc
            .hashes
            .iter()
            .map(|h| u64::from_str_radix(h, 16).ok())
            .collect();
        if let Some(Ok(h)) = parsed.map(PhotoHashes::try_from) {
            out.insert(doc.sha256, h);
        }
    }
    Ok(out)
}

/// Every evidence record with whether the caller may see it, and every photo's hashes:
/// loaded once per request, then asked about the photos shown.
pub struct ProofPhotos {
    evidence: Vec<(EvidenceRecord, bool)>,
    hashes: HashMap<String, PhotoHashes>,
}

impl ProofPhotos {
    /// `caller`: whose sight decides which other records a flag may name (none: the server's
    /// own rules, which see everything).
    pub fn load(tx: &mut dyn Tx, caller: Option<&Caller>) -> ApiResult<ProofPhotos> {
        let seen: Option<HashSet<String>> = match caller {
            Some(c) => Some(
                tx.list_records(entity::EVIDENCE, Some(&c.principals()))?
                    .into_iter()
                    .map(|r| r.id)
                    .collect(),
            ),
            None => None,
        };
        let mut evidence = Vec::new();
        for rec in tx.list_records(entity::EVIDENCE, None)? {
            if rec.deleted {
                continue;
            }
            let ev: EvidenceRecord =
                serde_json::from_value(rec.data).map_err(ApiError::internal)?;
            let visible = seen.as_ref().is_none_or(|s| s.contains(&rec.id));
            evidence.push((ev, visible));
        }
        Ok(ProofPhotos {
            evidence,
            hashes: load_hashes(tx)?,
        })
    }

    /// Every live evidence record.
    pub fn all(&self) -> impl Iterator<Item = &EvidenceRecord> {
        self.evidence.iter().map(|(e, _)| e)
    }

    /// The evidence attached to a record (`target` as `EvidenceTarget::key`).
    pub fn of_target(&self, kind: &str, id: &str) -> Vec<&EvidenceRecord> {
        self.evidence
            .iter()
            .map(|(e, _)| e)
            .filter(|e| e.target.key() == (kind, id))
            .collect()
    }

    /// The proof parts of an investment.
    pub fn investment_status(&self, investment_id: &str) -> ProofStatus {
        ProofStatus::of(self.of_target(entity::HARDWARE_INVESTMENT, investment_id))
    }

    /// The matching index over every proof photo.
    pub fn index(&self) -> RecycleIndex<'_> {
        RecycleIndex::new(
            self.evidence
                .iter()
                .map(|(e, _)| PhotoUse {
                    evidence: e,
                    phash: e
                        .upload_sha256
                        .as_ref()
                        .and_then(|s| self.hashes.get(s))
                        .or_else(|| self.hashes.get(&e.sha256))
                        .copied(),
                })
                .collect(),
        )
    }

    /// Recycled-photo flags of the given evidence, naming other records only to a caller who
    /// may see them.
    pub fn recycled(
        &self,
        index: &RecycleIndex<'_>,
        evidence: &[&EvidenceRecord],
    ) -> Vec<RecycledUse> {
        let visible = |kind: &str, id: &str| {
            self.evidence
                .iter()
                .any(|(e, seen)| *seen && e.target.key() == (kind, id))
        };
        evidence
            .iter()
            .flat_map(|e| index.recycled(&e.id, &visible))
            .collect()
    }
}
