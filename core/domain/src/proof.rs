//! Proof of hardware investment (改设施佐证) as the notice lists it — 合同、施工前中后照片、发票 —
//! and recycled photos: the same file, or the same picture re-saved, cropped or re-compressed,
//! already used as proof of something else.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::evidence::{EvidenceKind, EvidenceRecord, EvidenceStage, EvidenceTarget};

/// One part of the proof the notice asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProofPart {
    Contract,
    PhotoBefore,
    PhotoDuring,
    PhotoAfter,
    Invoice,
}

impl ProofPart {
    pub const ALL: [ProofPart; 5] = [
        ProofPart::Contract,
        ProofPart::PhotoBefore,
        ProofPart::PhotoDuring,
        ProofPart::PhotoAfter,
        ProofPart::Invoice,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ProofPart::Contract => "合同",
            ProofPart::PhotoBefore => "施工前照片",
            ProofPart::PhotoDuring => "施工中照片",
            ProofPart::PhotoAfter => "施工后照片",
            ProofPart::Invoice => "发票",
        }
    }

    /// Which part a piece of evidence is: a contract, an invoice, or a photo by its stage.
    pub fn of(kind: EvidenceKind, stage: EvidenceStage) -> Option<ProofPart> {
        match (kind, stage) {
            (EvidenceKind::Contract, _) => Some(ProofPart::Contract),
            (EvidenceKind::Invoice, _) => Some(ProofPart::Invoice),
            (EvidenceKind::Photo, EvidenceStage::Before) => Some(ProofPart::PhotoBefore),
            (EvidenceKind::Photo, EvidenceStage::During) => Some(ProofPart::PhotoDuring),
            (EvidenceKind::Photo, EvidenceStage::After) => Some(ProofPart::PhotoAfter),
            _ => None,
        }
    }
}

/// One part and the evidence that makes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartStatus {
    pub part: ProofPart,
    pub label: String,
    pub evidence_ids: Vec<String>,
}

/// Which parts a proof has and which it lacks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProofStatus {
    pub parts: Vec<PartStatus>,
    /// Labels of the parts with no evidence yet.
    pub missing: Vec<String>,
    pub complete: bool,
}

impl ProofStatus {
    /// The parts of the evidence given (the caller passes those attached to the investment).
    pub fn of<'a>(evidence: impl IntoIterator<Item = &'a EvidenceRecord>) -> ProofStatus {
        let mut by_part: HashMap<ProofPart, Vec<String>> = HashMap::new();
        for e in evidence {
            if let Some(p) = ProofPart::of(e.kind, e.stage) {
                by_part.entry(p).or_default().push(e.id.clone());
            }
        }
        let parts: Vec<PartStatus> = ProofPart::ALL
            .into_iter()
            .map(|p| PartStatus {
                part: p,
                label: p.label().to_string(),
                evidence_ids: by_part.remove(&p).unwrap_or_default(),
            })
            .collect();
        let missing: Vec<String> = parts
            .iter()
            .filter(|p| p.evidence_ids.is_empty())
            .map(|p| p.label.clone())
            .collect();
        ProofStatus {
            complete: missing.is_empty(),
            parts,
            missing,
        }
    }

    /// The refusal of a submission that lacks parts.
    pub fn refusal(&self) -> Option<String> {
        (!self.complete).then(|| format!("投入佐证不完整，缺少：{}", self.missing.join("、")))
    }
}

/// Hashes at most this many bits apart are the same picture. Measured on the shared photo
/// corpus (core/evidence/tests/phash.rs): re-compressed and cropped copies of a photo, each
/// through a phone's upload copy with its own watermark, stay within it; different photos,
/// even shots of one camera series, stay beyond it.
pub const RECYCLED_MAX_DISTANCE: u32 = 10;

/// A photo's perceptual hashes (computed by `anjian_evidence::phash`): the whole picture
/// first, then its middle views, each a 64-bit DCT hash.
pub type PhotoHashes = [u64; 4];

/// The smallest distance in bits between one photo's whole picture and any view of the
/// other: a copy cropped at the edges matches the original's middle view.
pub fn photo_distance(a: &PhotoHashes, b: &PhotoHashes) -> u32 {
    let whole_a = b.iter().map(|h| (a[0] ^ h).count_ones());
    let whole_b = a.iter().map(|h| (b[0] ^ h).count_ones());
    whole_a.chain(whole_b).min().unwrap_or(64)
}

/// A photo's identity for matching: the file's SHA-256 (and its upload copy's) and, once the
/// server has the file, the perceptual hash of the picture.
#[derive(Debug, Clone)]
pub struct PhotoUse<'a> {
    pub evidence: &'a EvidenceRecord,
    /// Perceptual hashes of the file the server has (upload copy, else the original).
    pub phash: Option<PhotoHashes>,
}

/// The other record a recycled photo is also proof of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecycledUse {
    /// The evidence shown that is recycled.
    pub evidence_id: String,
    /// `hazard`, `hardware_investment`, `inspection` or `meeting`.
    pub other_kind: String,
    /// The other record's id, when the caller may see it (else none: only that it exists).
    pub other_id: Option<String>,
    /// The same file (SHA-256), not only the same picture.
    pub same_file: bool,
    /// Bits the perceptual hashes differ in (0 for the same file).
    pub distance: u32,
    /// The other use came first (this one is the copy).
    pub earlier: bool,
    /// The flag as a Chinese sentence.
    pub note: String,
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "hazard" => "隐患整改",
        "hardware_investment" => "设施投入佐证",
        "inspection" => "检查记录",
        "meeting" => "会议记录",
        _ => "其他记录",
    }
}

/// Photos that prove something: a hazard's rectification or an investment. Site photos of
/// an inspection are not proof and may well show the same place twice.
pub fn is_proof_photo(e: &EvidenceRecord) -> bool {
    e.kind == EvidenceKind::Photo
        && matches!(
            e.target,
            EvidenceTarget::Hazard { .. } | EvidenceTarget::HardwareInvestment { .. }
        )
}

/// Every proof photo, ready to be matched against.
pub struct RecycleIndex<'a> {
    uses: Vec<PhotoUse<'a>>,
}

impl<'a> RecycleIndex<'a> {
    pub fn new(uses: Vec<PhotoUse<'a>>) -> RecycleIndex<'a> {
        RecycleIndex {
            uses: uses
                .into_iter()
                .filter(|u| is_proof_photo(u.evidence))
                .collect(),
        }
    }

    fn get(&self, evidence_id: &str) -> Option<&PhotoUse<'a>> {
        self.uses.iter().find(|u| u.evidence.id == evidence_id)
    }

    /// The other records the photo `evidence_id` is also proof of; `visible` says whether the
    /// caller may see a record (by its `(kind, id)`).
    pub fn recycled(
        &self,
        evidence_id: &str,
        visible: &dyn Fn(&str, &str) -> bool,
    ) -> Vec<RecycledUse> {
        let Some(me) = self.get(evidence_id) else {
            return Vec::new();
        };
        let my_target = me.evidence.target.key();
        let mut out: Vec<RecycledUse> = Vec::new();
        let mut keys: Vec<(&str, &str)> = Vec::new();
        for other in &self.uses {
            let (kind, id) = other.evidence.target.key();
            if (kind, id) == my_target {
                continue;
            }
            let same_file = same_file(me.evidence, other.evidence);
            let distance = match (same_file, me.phash, other.phash) {
                (true, _, _) => 0,
                (false, Some(a), Some(b)) => photo_distance(&a, &b),
                _ => continue,
            };
            if distance > RECYCLED_MAX_DISTANCE {
                continue;
            }
            let earlier = (other.evidence.captured_at, &other.evidence.id)
                < (me.evidence.captured_at, &me.evidence.id);
            let how = if same_file {
                "同一文件"
            } else {
                "同一画面（经重新保存、裁剪或压缩）"
            };
            let note = format!(
                "疑似重复使用的照片：与{}{}的照片为{how}",
                if earlier { "较早报送" } else { "另一份" },
                kind_label(kind)
            );
            let use_ = RecycledUse {
                evidence_id: evidence_id.to_string(),
                other_kind: kind.to_string(),
                other_id: visible(kind, id).then(|| id.to_string()),
                same_file,
                distance,
                earlier,
                note,
            };
            // One line per other record: the closest photo of it.
            match keys.iter().position(|k| *k == (kind, id)) {
                Some(i) if out[i].distance <= distance => {}
                Some(i) => out[i] = use_,
                None => {
                    keys.push((kind, id));
                    out.push(use_);
                }
            }
        }
        out.sort_by(|a, b| a.distance.cmp(&b.distance).then(b.earlier.cmp(&a.earlier)));
        out
    }
}

fn same_file(a: &EvidenceRecord, b: &EvidenceRecord) -> bool {
    a.sha256 == b.sha256 || (a.upload_sha256.is_some() && a.upload_sha256 == b.upload_sha256)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::EvidenceFile;

    fn ev(
        id: &str,
        target: EvidenceTarget,
        kind: EvidenceKind,
        stage: EvidenceStage,
    ) -> EvidenceRecord {
        EvidenceRecord::new(
            id.into(),
            kind,
            EvidenceFile {
                sha256: format!("{id:0>64}"),
                content_type: "image/jpeg".into(),
                size: 10,
            },
            target,
            stage,
            "p".into(),
            "2026-11-20T02:00:00Z".parse().unwrap(),
        )
    }

    fn inv() -> EvidenceTarget {
        EvidenceTarget::HardwareInvestment {
            investment_id: "inv-1".into(),
        }
    }

    #[test]
    fn a_proof_lacking_parts_names_them() {
        let list = [
            ev("c", inv(), EvidenceKind::Contract, EvidenceStage::None),
            ev("b", inv(), EvidenceKind::Photo, EvidenceStage::Before),
            ev("a", inv(), EvidenceKind::Photo, EvidenceStage::After),
            ev("x", inv(), EvidenceKind::OtherDocument, EvidenceStage::None),
        ];
        let s = ProofStatus::of(&list);
        assert!(!s.complete);
        assert_eq!(s.missing, vec!["施工中照片", "发票"]);
        assert_eq!(
            s.refusal().unwrap(),
            "投入佐证不完整，缺少：施工中照片、发票"
        );
        let mut full = list.to_vec();
        full.push(ev("d", inv(), EvidenceKind::Photo, EvidenceStage::During));
        full.push(ev("i", inv(), EvidenceKind::Invoice, EvidenceStage::None));
        let s = ProofStatus::of(&full);
        assert!(s.complete && s.refusal().is_none(), "{s:?}");
    }

    #[test]
    fn the_same_file_or_a_near_picture_elsewhere_is_flagged() {
        let hazard = EvidenceTarget::Hazard {
            hazard_id: "h-1".into(),
        };
        let old = ev("old", hazard, EvidenceKind::Photo, EvidenceStage::After);
        let mut same = ev("same", inv(), EvidenceKind::Photo, EvidenceStage::After);
        same.sha256 = old.sha256.clone();
        let near = ev("near", inv(), EvidenceKind::Photo, EvidenceStage::During);
        let far = ev("far", inv(), EvidenceKind::Photo, EvidenceStage::Before);
        let mut old = old;
        old.captured_at = "2026-10-01T00:00:00Z".parse().unwrap();
        let h = |x: u64| Some([x, !x, !x, !x]);
        let index = RecycleIndex::new(vec![
            PhotoUse {
                evidence: &old,
                phash: h(0xFFFF_0000_FFFF_0000),
            },
            PhotoUse {
                evidence: &same,
                phash: h(0xFFFF_0000_FFFF_0000),
            },
            PhotoUse {
                evidence: &near,
                phash: h(0xFFFF_0000_FFFF_00FF),
            },
            PhotoUse {
                evidence: &far,
                phash: h(0x0F0F_0F0F_0F0F_0F0F),
            },
        ]);
        let all = |_: &str, _: &str| true;
        let r = index.recycled("same", &all);
        assert_eq!(r.len(), 1, "{r:?}");
        assert!(r[0].same_file && r[0].earlier && r[0].other_id.as_deref() == Some("h-1"));
        assert!(r[0].note.contains("较早报送隐患整改"), "{}", r[0].note);
        let r = index.recycled("near", &all);
        assert_eq!((r[0].distance, r[0].same_file), (8, false));
        assert!(index.recycled("far", &all).is_empty());
        // The earlier use is flagged too, as the original; a caller who may not see the
        // other record learns only that it exists.
        let r = index.recycled("old", &|_, _| false);
        assert_eq!(r.len(), 1, "one line for the investment: {r:?}");
        assert!(
            !r[0].earlier && r[0].other_id.is_none() && r[0].same_file,
            "{r:?}"
        );
        // Photos of the same investment are not each other's copies.
        assert!(index
            .recycled("near", &all)
            .iter()
            .all(|u| u.other_kind == "hazard"));
    }
}
