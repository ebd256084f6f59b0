//! The demo's evidence files: illustrative photos (never two alike), Word documents, and how
//! each is stored with its record.

use super::*;

impl Seeder<'_> {
    pub(super) fn photo(
        &mut self,
        id: &str,
        target: EvidenceTarget,
        stage: EvidenceStage,
        by: &Person,
        when: DateTime<Utc>,
        site: &Site,
    ) -> ApiResult<()> {
        let bytes = self.fresh_illustration()?;
        let point = (site.location.point.lat, site.location.point.lon);
        let file = FileKind::Photo(&bytes, stage);
        self.store_file(id, target, file, by, when, Some(point))
    }

    /// A picture unlike every one drawn before: the server flags a proof photo within
    /// `RECYCLED_MAX_DISTANCE` of another as recycled, and the demo's only recycled photo is
    /// the one copy it makes on purpose, whatever number of draws the checklists' items take.
    pub(super) fn fresh_illustration(&mut self) -> ApiResult<Vec<u8>> {
        loop {
            let bytes = illustration(self.rng.next()).map_err(demo_error)?;
            let Some(hashes) = crate::proof::hash_bytes(&bytes) else {
                return Ok(bytes);
            };
            if self
                .drawn
                .iter()
                .all(|d| photo_distance(d, &hashes) > RECYCLED_MAX_DISTANCE)
            {
                self.drawn.push(hashes);
                return Ok(bytes);
            }
        }
    }

    pub(super) fn document(
        &mut self,
        id: &str,
        target: EvidenceTarget,
        file: DocFile,
        by: &Person,
        when: DateTime<Utc>,
    ) -> ApiResult<()> {
        self.store_file(id, target, FileKind::Document(file), by, when, None)
    }

    fn audience_of(&mut self, target: &EvidenceTarget) -> ApiResult<Vec<String>> {
        let (entity, id) = target.key();
        Ok(self
            .tx
            .get_record(entity, id)?
            .map(|r| r.audience)
            .unwrap_or_else(|| vec![scope::COUNTY.to_string()]))
    }

    /// Keeps the file for the blob store (content-addressed), records the blob and the
    /// evidence record; both are seen by whoever sees the target.
    pub(super) fn store_file(
        &mut self,
        id: &str,
        target: EvidenceTarget,
        file: FileKind,
        by: &Person,
        when: DateTime<Utc>,
        point: Option<(f64, f64)>,
    ) -> ApiResult<()> {
        let mut audience = self.audience_of(&target)?;
        let (bytes, kind, content_type, stage, amount_fen) = match file {
            FileKind::Photo(b, stage) => (b, EvidenceKind::Photo, "image/jpeg", stage, None),
            FileKind::Document(d) => (
                d.bytes,
                d.kind,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                EvidenceStage::None,
                d.amount_fen,
            ),
        };
        let sha = anjian_evidence::sha256_hex(bytes);
        if !self.files.iter().any(|(s, _)| *s == sha) {
            self.files.push((sha.clone(), bytes.to_vec()));
        }
        audience.extend([scope::COUNTY.to_string(), scope::person(&by.id)]);
        audience.sort();
        audience.dedup();
        // Proof photos get their perceptual hashes, as an upload would.
        let proof = matches!(
            target,
            EvidenceTarget::Hazard { .. } | EvidenceTarget::HardwareInvestment { .. }
        );
        if proof && kind == EvidenceKind::Photo {
            if let Some(h) = crate::proof::hash_bytes(bytes) {
                crate::proof::save_hashes(self.tx, &sha, &h)?;
            }
        }
        self.tx.put_blob(&Blob {
            sha256: sha.clone(),
            size: bytes.len() as i64,
            uploaded_by: by.id.clone(),
            audience: audience.clone(),
        })?;
        let photo = kind == EvidenceKind::Photo;
        let file = EvidenceFile {
            sha256: sha,
            content_type: content_type.to_string(),
            size: bytes.len() as u64,
        };
        let rec = EvidenceRecord {
            taken_at: photo.then(|| when.with_timezone(&china()).to_rfc3339()),
            lat: point.map(|p| p.0),
            lon: point.map(|p| p.1),
            accuracy_m: point.map(|_| 8.0),
            flags: if photo { vec!["demo".into()] } else { vec![] },
            notes: if photo {
                vec!["演示数据：示意图片，非现场拍摄".into()]
            } else {
                vec![]
            },
            amount_fen,
            document_date: (!photo).then(|| anjian_domain::hazard::china_date(when)),
            ..EvidenceRecord::new(
                id.to_string(),
                kind,
                file,
                target,
                stage,
                by.id.clone(),
                when,
            )
        };
        records::save_evidence(self.tx, &rec, audience)?;
        self.summary.files += 1;
        Ok(())
    }
}

pub(super) enum FileKind<'a> {
    Photo(&'a [u8], EvidenceStage),
    Document(DocFile<'a>),
}

/// A Word file: what it is (contract, invoice, minutes), with the amount an invoice proves.
pub(super) struct DocFile<'a> {
    bytes: &'a [u8],
    kind: EvidenceKind,
    amount_fen: Option<i64>,
}

impl<'a> DocFile<'a> {
    pub(super) fn new(bytes: &'a [u8], kind: EvidenceKind, amount_fen: Option<i64>) -> DocFile<'a> {
        DocFile {
            bytes,
            kind,
            amount_fen,
        }
    }
}

/// A short Word file: a title and its paragraphs.
pub(super) fn word(title: &str, lines: &[String]) -> ApiResult<Vec<u8>> {
    let mut doc = Document {
        title: title.to_string(),
        author: "忠县安全生产委员会办公室（演示数据）".into(),
        blocks: Vec::new(),
    };
    doc.push(Para::title(title));
    for l in lines {
        doc.push(Para::body(l.clone()));
    }
    doc.to_bytes().map_err(demo_error)
}

/// An illustrative 640×480 picture (sky, hills, a building) varied by `seed`: the demo's
/// stand-in for a phone photo, always flagged as demo data.
fn illustration(seed: u64) -> Result<Vec<u8>, anjian_evidence::EvidenceError> {
    let (w, h) = (640usize, 480usize);
    let hue = |shift: u32| ((seed >> shift) & 0x3f) as i32;
    let horizon = 200 + (seed % 80) as usize;
    let (bx, bw, bh) = (
        60 + (seed >> 8) as usize % 360,
        120 + (seed >> 16) as usize % 120,
        80 + (seed >> 24) as usize % 120,
    );
    // The hills' outline, once per column (sin per pixel made the demo slow to seed).
    let ridge: Vec<usize> = (0..w)
        .map(|x| {
            let dip = (x as f64 / 90.0 + hue(4) as f64).sin() * 30.0;
            (horizon as f64 - dip).max(0.0) as usize
        })
        .collect();
    let wall = [200 - hue(10), 190 - hue(12), 175].map(|c| c.clamp(0, 255) as u8);
    let mut pixels = vec![0u8; w * h * 3];
    for (y, row) in pixels.chunks_exact_mut(w * 3).enumerate() {
        let t = y as i32 * 80 / horizon as i32;
        let sky = [120 + t, 160 + t / 2, 215].map(|c| c.clamp(0, 255) as u8);
        let g = (y - horizon.min(y)) as i32 / 4;
        let ground = [70 + hue(20) / 2 + g / 3, 110 + g / 2, 60 + hue(28) / 3]
            .map(|c| c.clamp(0, 255) as u8);
        let building_row = y + bh >= horizon + 40 && y < horizon + 40;
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            let rgb = if building_row && (bx..bx + bw).contains(&x) {
                wall
            } else if y < ridge[x] {
                sky
            } else {
                ground
            };
            px.copy_from_slice(&rgb);
        }
    }
    // Equipment in front: boxes of a few colours, placed by the seed, so that no two
    // pictures share a layout (the server would rightly take them for one photo re-used).
    let mut r = seed | 1;
    let mut next = |n: usize| {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        (r % n as u64) as usize
    };
    let palette = [
        [200, 40, 40],
        [120, 120, 125],
        [225, 180, 40],
        [40, 80, 160],
        [30, 30, 30],
    ];
    for _ in 0..5 {
        let (bw, bh) = (30 + next(160), 20 + next(140));
        let (x0, y0) = (next(w - bw), next(h - bh));
        let colour = palette[next(palette.len())];
        let line: Vec<u8> = colour.iter().copied().cycle().take(bw * 3).collect();
        for y in y0..y0 + bh {
            pixels[(y * w + x0) * 3..(y * w + x0 + bw) * 3].copy_from_slice(&line);
        }
    }
    photo::encode(
        &Rgb {
            width: w,
            height: h,
            pixels,
        },
        80,
    )
}
