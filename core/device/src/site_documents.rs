//! The documents left on site, made offline on the phone: composed by the domain
//! (`site_document`), drawn to PDF (`anjian-paper`) with the signatures drawn on the screen,
//! and stored as evidence of the inspection, so that the PDF syncs and uploads like a photo
//! (checked by its SHA-256 on the server) and names its hazards.

use std::path::{Path, PathBuf};

use anjian_domain::evidence::{
    EvidenceFile, EvidenceKind, EvidenceRecord, EvidenceStage, EvidenceTarget,
};
use anjian_domain::hazard::{china_date, Hazard, HazardStatus};
use anjian_domain::patrol::PatrolPlan;
use anjian_domain::site_document::{
    self, DocumentKind, DocumentSignature, Facts, OfficerOnSite, SignatureRefusal, Signer,
    SiteDocumentInfo,
};
use anjian_domain::sync::entity;
use anjian_domain::task_source::TaskSource;
use anjian_domain::visits;
use anjian_evidence::{sha256_hex, write_atomically};
use anjian_paper::{CjkFont, SignatureImage};
use chrono::{DateTime, Datelike, Utc};
use rusqlite::Connection;

use crate::error::{Result, StoreError};
use crate::store::{from_json, new_id, Store};

/// What the officer asks for: which document, who signs, with which images.
#[derive(Debug, Clone)]
pub struct DocumentRequest {
    pub inspection_id: String,
    pub kind: DocumentKind,
    /// 被检查单位负责人 (or the person in charge on site).
    pub representative: String,
    /// What the representative said, for the record (当事人意见).
    pub statement: Option<String>,
    /// The officer's signature: a PNG from the screen, and when it was made.
    pub officer_signature: PathBuf,
    pub officer_signed_at: DateTime<Utc>,
    /// The other officers of the team, each signing on this phone in turn (every officer of a
    /// 行政检查 signs its documents).
    pub co_officer_signatures: Vec<CoOfficerSignature>,
    /// The representative's; `None` when they refused before `refusal_witness`.
    pub representative_signature: Option<PathBuf>,
    pub representative_signed_at: Option<DateTime<Utc>>,
    pub refusal_witness: Option<String>,
}

/// A co-officer's signature made on the leader's phone.
#[derive(Debug, Clone)]
pub struct CoOfficerSignature {
    pub person_id: String,
    pub png: PathBuf,
    pub signed_at: DateTime<Utc>,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        field,
        reason: reason.into(),
    }
}

fn hash_file(path: &Path) -> Result<String> {
    let len = std::fs::metadata(path)
        .map_err(|e| invalid("签名图片", format!("{}：{e}", path.display())))?
        .len();
    if len > anjian_paper::MAX_SIGNATURE_BYTES {
        return Err(invalid("签名图片", "文件过大"));
    }
    Ok(sha256_hex(&std::fs::read(path)?))
}

impl Store {
    /// The site documents of an inspection (evidence records with their document), oldest
    /// first.
    pub fn site_documents(&self, inspection_id: &str) -> Result<Vec<EvidenceRecord>> {
        self.read(|c| Self::documents_of(c, inspection_id))
    }

    pub(crate) fn documents_of(c: &Connection, inspection_id: &str) -> Result<Vec<EvidenceRecord>> {
        let mut stmt = c.prepare_cached(
            "SELECT data FROM evidence WHERE target_type = 'inspection' AND target_id = ?1 ORDER BY captured_at, id",
        )?;
        let rows = stmt.query_map([inspection_id], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for data in rows {
            let rec: EvidenceRecord = from_json(&data?)?;
            if rec.document.is_some() {
                out.push(rec);
            }
        }
        Ok(out)
    }

    /// A 行政检查 finishes only with its signed 现场检查记录 showing every result: the id of
    /// the latest one (sent with the finish for the server to check), or the refusal.
    pub(crate) fn record_to_finish(
        c: &Connection,
        insp: &anjian_domain::inspection::Inspection,
        list: &anjian_domain::checklist::Checklist,
        attributes: &[String],
    ) -> Result<Option<String>> {
        let docs = Self::documents_of(c, &insp.id)?;
        let infos: Vec<_> = docs.iter().filter_map(|d| d.document.as_ref()).collect();
        site_document::check_finish(insp, list, attributes, &infos)?;
        Ok(docs
            .iter()
            .rev()
            .find(|d| {
                d.document
                    .as_ref()
                    .is_some_and(|i| i.kind == DocumentKind::InspectionRecord)
            })
            .map(|d| d.id.clone()))
    }

    /// This officer's documents of a kind in a year, on this phone (for the 文号's serial).
    fn count_in_year(
        c: &Connection,
        person_id: &str,
        kind: DocumentKind,
        year: i32,
    ) -> Result<u32> {
        let mut stmt =
            c.prepare_cached("SELECT data FROM evidence WHERE target_type = 'inspection'")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut n = 0;
        for data in rows {
            let rec: EvidenceRecord = from_json(&data?)?;
            if rec.captured_by == person_id
                && rec
                    .document
                    .as_ref()
                    .is_some_and(|d| d.kind == kind && china_date(d.generated_at).year() == year)
            {
                n += 1;
            }
        }
        Ok(n)
    }

    /// The hazards of a site (every hazard this phone holds about it), in number order.
    fn hazards_at(c: &Connection, site_id: &str) -> Result<Vec<Hazard>> {
        let mut stmt = c.prepare_cached("SELECT data FROM hazards ORDER BY number")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for data in rows {
            let h: Hazard = from_json(&data?)?;
            if h.site_id.as_deref() == Some(site_id) {
                out.push(h);
            }
        }
        Ok(out)
    }

    /// The finished 行政检查 I led whose result is not told yet (no 行政检查结果告知书 on this
    /// phone), oldest first: 今日 lists them so the 反馈 step is not forgotten.
    pub fn results_to_tell(&self) -> Result<Vec<anjian_domain::inspection::Inspection>> {
        let me = self.actor()?;
        let mut mine: Vec<_> = self
            .inspections(None)?
            .into_iter()
            .filter(|i| i.leader.person_id == me.person_id && site_document::tells_result(i))
            .collect();
        mine.sort_by_key(|i| i.finished_at);
        self.read(|c| {
            let mut owed = Vec::new();
            for insp in mine {
                let docs = Self::documents_of(c, &insp.id)?;
                let infos: Vec<&SiteDocumentInfo> =
                    docs.iter().filter_map(|d| d.document.as_ref()).collect();
                if site_document::result_notice_among(&infos).is_none() {
                    owed.push(insp);
                }
            }
            Ok(owed)
        })
    }

    /// The officers who sign a document of an inspection, the leader first (none unless it is a
    /// 行政检查): the app asks each in turn on this phone.
    pub fn document_signers(&self, inspection_id: &str) -> Result<Vec<site_document::TeamSigner>> {
        let insp = self.read(|c| Self::load_inspection(c, inspection_id))?;
        Ok(site_document::team_signers(&insp))
    }

    /// Makes, signs and stores a document of a 行政检查 led by the signed-in officer, signed by
    /// every officer of its team. The 责令限期整改指令书 lists the inspection's open hazards,
    /// each with its deadline; the 整改复查意见书 reviews the hazards of the latest order; the
    /// 行政检查结果告知书 tells the finished inspection's result, citing the latest record and
    /// order. Nothing is stored when any part is refused.
    pub fn make_site_document(&self, req: &DocumentRequest) -> Result<EvidenceRecord> {
        let actor = self.actor()?;
        let font = self
            .cjk_font()?
            .ok_or_else(|| invalid("字体", "未设置中文字体（setWatermarkFont），不能生成文书"))?;
        let at = Utc::now();
        let (insp, site, attributes, at_site, made, count) = self.read(|c| {
            let insp = Self::load_inspection(c, &req.inspection_id)?;
            let list = self.checklists().for_inspection(&insp);
            let attributes = Self::inspection_site_attributes(c, &insp, &list)?;
            let site = Self::load_site(c, &insp.site_id)?;
            let at_site = Self::hazards_at(c, &insp.site_id)?;
            let made: Vec<SiteDocumentInfo> = Self::documents_of(c, &insp.id)?
                .into_iter()
                .filter_map(|r| r.document)
                .collect();
            let count = Self::count_in_year(c, &actor.person_id, req.kind, china_date(at).year())?;
            Ok((insp, site, attributes, at_site, made, count))
        })?;
        // The latest document of a kind made in this inspection, as a later one cites it.
        let latest = |kind: DocumentKind| made.iter().rev().find(|d| d.kind == kind);
        fn issued(d: &SiteDocumentInfo) -> site_document::Issued<'_> {
            site_document::Issued {
                number: &d.number,
                date: china_date(d.generated_at),
                hazard_ids: &d.hazard_ids,
            }
        }
        let plans: Vec<PatrolPlan> = crate::sync_engine::pulled(self, entity::PATROL_PLAN)?;
        let source = TaskSource::of(&insp, &at_site, &plans);
        let past = self.inspections(Some(&insp.site_id))?;
        let visits_in_year = visits::inspections_in_year(
            &insp.leader.unit_id,
            &insp.site_id,
            china_date(insp.started_at).year(),
            &past,
        );
        let hazards: Vec<Hazard> = at_site
            .into_iter()
            .filter(|h| {
                h.source
                    .as_ref()
                    .is_some_and(|s| s.inspection_id == insp.id)
            })
            .collect();
        if insp.leader.person_id != actor.person_id {
            return Err(invalid(
                "执法人员",
                "只有带队的执法人员能制作本次检查的文书",
            ));
        }
        let certificate = insp
            .certificate_number
            .clone()
            .ok_or_else(|| invalid("执法证", "本次检查不是行政检查，不制作现场执法文书"))?;
        let list = self.checklists().for_inspection(&insp);
        let officers: Vec<OfficerOnSite> = std::iter::once(OfficerOnSite {
            name: actor.name.clone(),
            certificate_number: certificate,
        })
        .chain(insp.officers.iter().map(|o| OfficerOnSite {
            name: o.name.clone(),
            certificate_number: o.certificate_number.clone(),
        }))
        .collect();
        let facts = Facts {
            inspection: &insp,
            checklist: &list,
            site: &site,
            site_attributes: &attributes,
            officers: &officers,
            representative: &req.representative,
            statement: req.statement.as_deref(),
            at,
            count_in_year: count + 1,
            source,
            visits_in_year,
        };
        let draft = match req.kind {
            DocumentKind::InspectionRecord => site_document::inspection_record(&facts)?,
            DocumentKind::RectificationOrder => {
                let open: Vec<&Hazard> = hazards
                    .iter()
                    .filter(|h| h.status != HazardStatus::Closed)
                    .collect();
                site_document::rectification_order(&facts, &open)?
            }
            DocumentKind::ReviewOpinion => {
                let order = latest(DocumentKind::RectificationOrder).ok_or_else(|| {
                    invalid("整改复查意见书", "本次检查尚未下达责令限期整改指令书")
                })?;
                let ordered: Vec<&Hazard> = hazards
                    .iter()
                    .filter(|h| order.hazard_ids.contains(&h.id))
                    .collect();
                site_document::review_opinion(
                    &facts,
                    &order.number,
                    china_date(order.generated_at),
                    &ordered,
                )?
            }
            DocumentKind::ResultNotice => {
                let record = latest(DocumentKind::InspectionRecord)
                    .ok_or_else(|| invalid("行政检查结果告知书", "本次检查尚未制作现场检查记录"))?;
                let order = latest(DocumentKind::RectificationOrder).map(issued);
                let raised: Vec<&Hazard> = hazards.iter().collect();
                site_document::result_notice(&facts, &issued(record), order.as_ref(), &raised)?
            }
        };

        let representative = req.representative.trim().to_string();
        let mut signatures = vec![DocumentSignature {
            signer: Signer::Officer,
            person_id: Some(actor.person_id.clone()),
            name: actor.name.clone(),
            image_sha256: hash_file(&req.officer_signature)?,
            signed_at: req.officer_signed_at,
        }];
        let mut images = vec![SignatureImage {
            signer: Signer::Officer,
            name: &actor.name,
            png: &req.officer_signature,
            signed_at: req.officer_signed_at,
        }];
        for co in &req.co_officer_signatures {
            let officer = insp
                .officers
                .iter()
                .find(|o| o.person_id == co.person_id)
                .ok_or_else(|| {
                    invalid(
                        "执法人员签名",
                        format!("{}不是本次行政检查的执法人员，不能签名", co.person_id),
                    )
                })?;
            signatures.push(DocumentSignature {
                signer: Signer::Officer,
                person_id: Some(officer.person_id.clone()),
                name: officer.name.clone(),
                image_sha256: hash_file(&co.png)?,
                signed_at: co.signed_at,
            });
            images.push(SignatureImage {
                signer: Signer::Officer,
                name: &officer.name,
                png: &co.png,
                signed_at: co.signed_at,
            });
        }
        let refusal = match (&req.representative_signature, &req.refusal_witness) {
            (Some(path), None) => {
                let signed_at = req.representative_signed_at.unwrap_or(at);
                signatures.push(DocumentSignature {
                    signer: Signer::Representative,
                    person_id: None,
                    name: representative.clone(),
                    image_sha256: hash_file(path)?,
                    signed_at,
                });
                images.push(SignatureImage {
                    signer: Signer::Representative,
                    name: &representative,
                    png: path,
                    signed_at,
                });
                None
            }
            (None, Some(witness)) => Some(SignatureRefusal {
                witness: witness.trim().to_string(),
                recorded_at: at,
            }),
            (Some(_), Some(_)) => return Err(invalid("签名", "已签名的文书不能同时记录拒签")),
            (None, None) => {
                return Err(invalid(
                    "签名",
                    "须有被检查单位负责人签名，拒签的须记录见证人",
                ))
            }
        };
        let info = SiteDocumentInfo {
            kind: req.kind,
            number: draft.number.clone(),
            inspection_id: insp.id.clone(),
            hazard_ids: draft.hazard_ids.clone(),
            signatures,
            refusal,
            generated_at: at,
        };
        info.validate()?;
        site_document::check_officer_signatures(&insp, &info)?;
        let pdf = anjian_paper::render(&draft, &font, &images, info.refusal.as_ref())
            .map_err(|e| invalid("文书", e.to_string()))?;

        let rec = EvidenceRecord {
            document_date: Some(draft.date),
            document: Some(info),
            ..EvidenceRecord::new(
                new_id(),
                EvidenceKind::SiteDocument,
                EvidenceFile {
                    sha256: sha256_hex(&pdf),
                    content_type: "application/pdf".into(),
                    size: pdf.len() as u64,
                },
                EvidenceTarget::InspectionReport {
                    inspection_id: insp.id.clone(),
                },
                EvidenceStage::None,
                actor.person_id,
                at,
            )
        };
        let files = self.evidence_files(&rec);
        std::fs::create_dir_all(files.original.parent().expect("evidence folder"))?;
        if !files.original.exists() {
            write_atomically(&files.original, &pdf)?;
        }
        self.insert_evidence(&rec)?;
        Ok(rec)
    }

    /// The CJK font set for watermarks and documents.
    fn cjk_font(&self) -> Result<Option<CjkFont>> {
        match self.cjk_font_path()? {
            None => Ok(None),
            Some((path, index)) => Ok(Some(
                CjkFont::load(Path::new(&path), index)
                    .map_err(|e| invalid("字体", e.to_string()))?,
            )),
        }
    }
}
