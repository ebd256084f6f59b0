//! The documents left on site (现场检查记录, 责令限期整改指令书, 整改复查意见书,
//! 行政检查结果告知书): made offline from the inspection, signed on the screen, stored as
//! evidence of the inspection.

use super::*;
use anjian_domain::site_document::{DocumentKind, Signer};
use chrono::{DateTime, Utc};

use crate::site_documents::{CoOfficerSignature, DocumentRequest};

/// A signature on a document: who, when, and its image's SHA-256.
#[derive(Debug, Clone, uniffi::Record)]
pub struct DocumentSignatureItem {
    pub signer: Signer,
    pub signer_label: String,
    pub name: String,
    pub image_sha256: String,
    pub signed_at: SystemTime,
}

/// A document left on site, with the path of its PDF (to share or print).
#[derive(Debug, Clone, uniffi::Record)]
pub struct SiteDocumentItem {
    pub evidence_id: String,
    pub kind: DocumentKind,
    /// 现场检查记录 …
    pub title: String,
    /// 文号: （忠）应急责改〔2026〕1001号
    pub number: String,
    pub inspection_id: String,
    pub hazard_ids: Vec<String>,
    pub signatures: Vec<DocumentSignatureItem>,
    /// The witness of a refusal to sign (拒签), if the representative refused.
    pub refusal_witness: Option<String>,
    /// The PDF's SHA-256, as the server checks it.
    pub sha256: String,
    pub pdf_path: String,
    pub generated_at: SystemTime,
}

/// What the officer fills in before a document is made. Signature images are PNG files the
/// signature pad wrote (never bytes across the FFI).
#[derive(Debug, Clone, uniffi::Record)]
pub struct SiteDocumentRequest {
    pub inspection_id: String,
    pub kind: DocumentKind,
    pub representative: String,
    pub statement: Option<String>,
    pub officer_signature_path: String,
    pub officer_signed_at: SystemTime,
    /// Every other officer of the team, signing on this phone in turn (`documentSigners`).
    pub co_officer_signatures: Vec<CoOfficerSignatureInput>,
    /// None when the representative refused to sign: then `refusal_witness` is required.
    pub representative_signature_path: Option<String>,
    pub representative_signed_at: Option<SystemTime>,
    pub refusal_witness: Option<String>,
}

/// A co-officer's signature, drawn on the leader's phone: who (a person of the team), the PNG
/// the pad wrote, and when.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CoOfficerSignatureInput {
    pub person_id: String,
    pub signature_path: String,
    pub signed_at: SystemTime,
}

/// An officer who signs the documents of a 行政检查, with the certificate shown.
#[derive(Debug, Clone, uniffi::Record)]
pub struct DocumentSignerItem {
    pub person_id: String,
    pub name: String,
    pub certificate_number: String,
    /// The leading officer (the signed-in one, who makes the document).
    pub leader: bool,
}

/// A document's title (现场检查记录 ...), for the app's choices before one is made.
#[uniffi::export]
pub fn document_kind_title(kind: DocumentKind) -> String {
    kind.title().to_string()
}

fn utc(t: SystemTime) -> DateTime<Utc> {
    DateTime::<Utc>::from(t)
}

fn item(store: &Store, rec: EvidenceRecord) -> Option<SiteDocumentItem> {
    let doc = rec.document.clone()?;
    Some(SiteDocumentItem {
        pdf_path: store.evidence_files(&rec).original.display().to_string(),
        evidence_id: rec.id,
        kind: doc.kind,
        title: doc.kind.title().to_string(),
        number: doc.number,
        inspection_id: doc.inspection_id,
        hazard_ids: doc.hazard_ids,
        signatures: doc
            .signatures
            .into_iter()
            .map(|s| DocumentSignatureItem {
                signer: s.signer,
                signer_label: s.signer.label().to_string(),
                name: s.name,
                image_sha256: s.image_sha256,
                signed_at: s.signed_at.into(),
            })
            .collect(),
        refusal_witness: doc.refusal.map(|r| r.witness),
        sha256: rec.sha256,
        generated_at: doc.generated_at.into(),
    })
}

#[uniffi::export]
impl AnjianStore {
    /// Makes a document of the signed-in officer's 行政检查, signed by the officer and the
    /// enterprise's representative (or refused before a witness), as a PDF kept as evidence
    /// of the inspection. Needs the CJK font (`setWatermarkFont`).
    pub fn make_site_document(&self, request: SiteDocumentRequest) -> FfiResult<SiteDocumentItem> {
        let rec = self.inner.make_site_document(&DocumentRequest {
            inspection_id: request.inspection_id,
            kind: request.kind,
            representative: request.representative,
            statement: request.statement,
            officer_signature: PathBuf::from(request.officer_signature_path),
            officer_signed_at: utc(request.officer_signed_at),
            co_officer_signatures: request
                .co_officer_signatures
                .into_iter()
                .map(|c| CoOfficerSignature {
                    person_id: c.person_id,
                    png: PathBuf::from(c.signature_path),
                    signed_at: utc(c.signed_at),
                })
                .collect(),
            representative_signature: request.representative_signature_path.map(PathBuf::from),
            representative_signed_at: request.representative_signed_at.map(utc),
            refusal_witness: request.refusal_witness,
        })?;
        Ok(item(&self.inner, rec).expect("a document record"))
    }

    /// The officers who sign the documents of an inspection, the leader first: the app asks
    /// each in turn (the co-officers sign on the leader's phone). Empty unless a 行政检查.
    pub fn document_signers(&self, inspection_id: String) -> FfiResult<Vec<DocumentSignerItem>> {
        Ok(self
            .inner
            .document_signers(&inspection_id)?
            .into_iter()
            .enumerate()
            .map(|(n, s)| DocumentSignerItem {
                person_id: s.person_id,
                name: s.name,
                certificate_number: s.certificate_number,
                leader: n == 0,
            })
            .collect())
    }

    /// The documents of an inspection, oldest first.
    pub fn site_documents(&self, inspection_id: String) -> FfiResult<Vec<SiteDocumentItem>> {
        Ok(self
            .inner
            .site_documents(&inspection_id)?
            .into_iter()
            .filter_map(|r| item(&self.inner, r))
            .collect())
    }
}
