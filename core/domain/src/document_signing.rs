//! Who signs the documents left on site and what a signed document must show: the officers
//! of a 行政检查's team, every one of them (each signs on the leader's phone in turn), and the
//! enterprise's representative or a refusal before a witness. Checked on the phone before a
//! document is made, on the server when its evidence record arrives and when the inspection
//! finishes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::checklist::Checklist;
use crate::enforcement::FieldActivity;
use crate::inspection::Inspection;
use crate::site_document::DocumentKind;
use crate::{required_text, DomainError};

/// Who signs a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Signer {
    /// 执法人员
    Officer,
    /// 被检查单位负责人 (or the person in charge on site)
    Representative,
}

impl Signer {
    pub fn label(self) -> &'static str {
        match self {
            Signer::Officer => "执法人员",
            Signer::Representative => "被检查单位负责人",
        }
    }
}

/// A signature made on the phone's screen: the image's SHA-256, who, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentSignature {
    pub signer: Signer,
    /// The officer who signed (the leader or a co-officer of the team); none for the
    /// representative, and on documents made before every officer signed (the leader's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    pub name: String,
    pub image_sha256: String,
    pub signed_at: DateTime<Utc>,
}

/// The representative refused to sign (拒签): recorded with a witness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignatureRefusal {
    pub witness: String,
    pub recorded_at: DateTime<Utc>,
}

/// What a stored document says of itself, kept on its evidence record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteDocumentInfo {
    pub kind: DocumentKind,
    pub number: String,
    pub inspection_id: String,
    /// The hazards it orders rectified or reviews.
    #[serde(default)]
    pub hazard_ids: Vec<String>,
    pub signatures: Vec<DocumentSignature>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<SignatureRefusal>,
    pub generated_at: DateTime<Utc>,
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl SiteDocumentInfo {
    /// Signed by an officer, and by the representative or refused before a witness.
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.number, "文书编号")?;
        for s in &self.signatures {
            required_text(&s.name, "签名人姓名")?;
            if !is_sha256(&s.image_sha256) {
                return Err(DomainError::InvalidValue {
                    field: "签名",
                    reason: "签名图片的 sha256 无效".into(),
                });
            }
        }
        let signed = |who| self.signatures.iter().any(|s| s.signer == who);
        let mut officers: Vec<Option<&str>> = self
            .signatures
            .iter()
            .filter(|s| s.signer == Signer::Officer)
            .map(|s| s.person_id.as_deref())
            .collect();
        let count = officers.len();
        officers.sort_unstable();
        officers.dedup();
        if officers.len() != count {
            return Err(DomainError::InvalidValue {
                field: "执法人员签名",
                reason: "同一执法人员只签名一次".into(),
            });
        }
        if !signed(Signer::Officer) {
            return Err(DomainError::MissingField("执法人员签名"));
        }
        match &self.refusal {
            Some(r) => {
                required_text(&r.witness, "拒签见证人")?;
            }
            None if !signed(Signer::Representative) => {
                return Err(DomainError::MissingField(
                    "被检查单位负责人签名（拒签的须记录见证人）",
                ))
            }
            None => {}
        }
        Ok(())
    }
}

/// A document in its place in the inspection: the 行政检查结果告知书 tells the result of a
/// finished inspection only (the phone composes it so; the server holds pushes to the same).
pub fn check_in_sequence(
    inspection: &Inspection,
    doc: &SiteDocumentInfo,
) -> Result<(), DomainError> {
    match doc.kind {
        DocumentKind::ResultNotice if inspection.finished_at.is_none() => Err(result_too_early()),
        _ => Ok(()),
    }
}

/// The refusal of a 行政检查结果告知书 before the inspection is finished.
pub(crate) fn result_too_early() -> DomainError {
    DomainError::WrongStatus {
        status: "检查进行中",
        action: "告知检查结果（检查结束后才能制作行政检查结果告知书）",
    }
}

/// A piece of evidence that is (or claims to be) a document left on site: a signed PDF of the
/// inspection it names.
pub fn check_evidence(rec: &crate::evidence::EvidenceRecord) -> Result<(), DomainError> {
    use crate::evidence::{EvidenceKind, EvidenceTarget};
    if rec.kind != EvidenceKind::SiteDocument && rec.document.is_none() {
        return Ok(());
    }
    let doc = rec
        .document
        .as_ref()
        .ok_or(DomainError::MissingField("现场执法文书的文书信息"))?;
    doc.validate()?;
    let own = matches!(&rec.target, EvidenceTarget::InspectionReport { inspection_id } if *inspection_id == doc.inspection_id);
    if rec.kind != EvidenceKind::SiteDocument || rec.content_type != "application/pdf" || !own {
        return Err(DomainError::InvalidValue {
            field: "现场执法文书",
            reason: "须为所属检查的 PDF 文件".into(),
        });
    }
    Ok(())
}

/// Whether a 行政检查 may be finished: it needs its signed 现场检查记录 made after the last
/// result of an item that applies to the site (so the record shows every result; the items
/// that do not apply are answered 不适用 when it finishes). Other activities need none.
pub fn check_finish(
    inspection: &Inspection,
    list: &Checklist,
    site_attributes: &[String],
    docs: &[&SiteDocumentInfo],
) -> Result<(), DomainError> {
    if inspection.activity != Some(FieldActivity::AdministrativeInspection) {
        return Ok(());
    }
    let last_result = inspection
        .applicable_items(list, site_attributes)
        .iter()
        .filter_map(|i| inspection.results.get(&i.id))
        .map(|r| r.recorded_at)
        .max();
    let records: Vec<&&SiteDocumentInfo> = docs
        .iter()
        .filter(|d| {
            d.kind == DocumentKind::InspectionRecord
                && d.inspection_id == inspection.id
                && d.validate().is_ok()
                && last_result.is_none_or(|t| d.generated_at >= t)
        })
        .collect();
    if records
        .iter()
        .any(|d| check_officer_signatures(inspection, d).is_ok())
    {
        return Ok(());
    }
    match records.last() {
        Some(d) => check_officer_signatures(inspection, d),
        None => Err(DomainError::NotQualified(
            "行政检查须先制作现场检查记录并由执法人员和被检查单位负责人签名（拒签的须记录见证人），才能完成".into(),
        )),
    }
}

/// An officer of a 行政检查's team, who signs its documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSigner {
    pub person_id: String,
    pub name: String,
    pub certificate_number: String,
}

/// Every officer of a 行政检查 signs its documents (《行政处罚法》第四十二条: no fewer than two
/// officers; a record signed by one is not valid): the leader first, then the team.
pub fn team_signers(inspection: &Inspection) -> Vec<TeamSigner> {
    if inspection.activity != Some(FieldActivity::AdministrativeInspection) {
        return Vec::new();
    }
    std::iter::once(TeamSigner {
        person_id: inspection.leader.person_id.clone(),
        name: inspection.leader.name.clone(),
        certificate_number: inspection.certificate_number.clone().unwrap_or_default(),
    })
    .chain(inspection.officers.iter().map(|o| TeamSigner {
        person_id: o.person_id.clone(),
        name: o.name.clone(),
        certificate_number: o.certificate_number.clone(),
    }))
    .collect()
}

/// The team's officers who have not signed `doc` yet. An officer's signature without a person
/// (a document made before every officer signed) is the leader's.
pub fn unsigned_officers(inspection: &Inspection, doc: &SiteDocumentInfo) -> Vec<TeamSigner> {
    let signed: Vec<&str> = doc
        .signatures
        .iter()
        .filter(|s| s.signer == Signer::Officer)
        .map(|s| {
            s.person_id
                .as_deref()
                .unwrap_or(inspection.leader.person_id.as_str())
        })
        .collect();
    team_signers(inspection)
        .into_iter()
        .filter(|o| !signed.contains(&o.person_id.as_str()))
        .collect()
}

/// A document of a 行政检查 is signed as an officer only by the officers of its team, each
/// under the name the team records, and by every one of them.
pub fn check_officer_signatures(
    inspection: &Inspection,
    doc: &SiteDocumentInfo,
) -> Result<(), DomainError> {
    let team = team_signers(inspection);
    if team.is_empty() {
        return Ok(());
    }
    for s in doc
        .signatures
        .iter()
        .filter(|s| s.signer == Signer::Officer)
    {
        let id = s
            .person_id
            .as_deref()
            .unwrap_or(inspection.leader.person_id.as_str());
        if !team
            .iter()
            .any(|o| o.person_id == id && o.name == s.name.trim())
        {
            return Err(DomainError::NotQualified(format!(
                "{}不是本次行政检查的执法人员，不能作为执法人员在文书上签名",
                s.name.trim()
            )));
        }
    }
    let missing = unsigned_officers(inspection, doc);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DomainError::NotQualified(format!(
            "{}尚缺执法人员{}的签名：参加行政检查的每名执法人员都须签名",
            doc.kind.title(),
            missing
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>()
                .join("、")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(signer: Signer) -> DocumentSignature {
        DocumentSignature {
            signer,
            person_id: None,
            name: "韩磊".into(),
            image_sha256: "a".repeat(64),
            signed_at: Utc::now(),
        }
    }

    fn team_inspection() -> Inspection {
        use crate::checklist::Industry;
        use crate::org::{Actor, Role};
        let mut i = Inspection::start(
            "i1".into(),
            crate::inspection::InspectionKind::RoutineCheck,
            "s1",
            crate::checklist::compiled_for(Industry::Fire),
            Actor {
                person_id: "p-lead".into(),
                name: "许峰".into(),
                unit_id: "dept-zjw".into(),
                roles: vec![Role::Inspector],
            },
            vec!["王强".into()],
            Utc::now(),
        )
        .unwrap();
        i.activity = Some(FieldActivity::AdministrativeInspection);
        i.certificate_number = Some("渝0001".into());
        i.officers = vec![crate::team::TeamOfficer {
            person_id: "p-wq".into(),
            name: "王强".into(),
            unit_id: "dept-zjw".into(),
            certificate_number: "渝0002".into(),
        }];
        i
    }

    fn officer(person: Option<&str>, name: &str) -> DocumentSignature {
        DocumentSignature {
            person_id: person.map(str::to_string),
            name: name.into(),
            ..signed(Signer::Officer)
        }
    }

    #[test]
    fn every_officer_of_the_team_signs_and_no_one_else_signs_as_an_officer() {
        let insp = team_inspection();
        assert_eq!(
            team_signers(&insp)
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>(),
            ["许峰", "王强"]
        );
        let mut info = SiteDocumentInfo {
            kind: DocumentKind::InspectionRecord,
            number: "（忠）住建检记〔2026〕1001号".into(),
            inspection_id: insp.id.clone(),
            hazard_ids: vec![],
            signatures: vec![
                officer(Some("p-lead"), "许峰"),
                signed(Signer::Representative),
            ],
            refusal: None,
            generated_at: Utc::now(),
        };
        info.validate().unwrap();
        // The leader alone: 王强 still must sign, and finishing is refused with his name.
        assert_eq!(
            unsigned_officers(&insp, &info)
                .iter()
                .map(|o| o.person_id.as_str())
                .collect::<Vec<_>>(),
            ["p-wq"]
        );
        let err = check_officer_signatures(&insp, &info)
            .unwrap_err()
            .to_string();
        assert!(err.contains("尚缺执法人员王强的签名"), "{err}");
        // A signature without a person (made before co-signing) is the leader's.
        info.signatures[0].person_id = None;
        assert_eq!(unsigned_officers(&insp, &info).len(), 1);
        // Someone not on the team, or under another name, is refused.
        info.signatures.push(officer(Some("p-other"), "网格员老陈"));
        let err = check_officer_signatures(&insp, &info)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("网格员老陈不是本次行政检查的执法人员"),
            "{err}"
        );
        info.signatures.pop();
        info.signatures.push(officer(Some("p-wq"), "王二"));
        assert!(check_officer_signatures(&insp, &info).is_err());
        info.signatures.pop();
        // Both officers: complete. The same officer twice is not a second signature.
        info.signatures.push(officer(Some("p-wq"), "王强"));
        check_officer_signatures(&insp, &info).unwrap();
        assert!(unsigned_officers(&insp, &info).is_empty());
        info.signatures.push(officer(Some("p-wq"), "王强"));
        assert!(info.validate().is_err());
        // Other activities have no team to sign.
        let mut patrol = insp.clone();
        patrol.activity = Some(FieldActivity::PatrolReport);
        assert!(team_signers(&patrol).is_empty());
    }

    #[test]
    fn a_document_needs_the_officer_and_the_representative_or_a_witness() {
        let mut info = SiteDocumentInfo {
            kind: DocumentKind::InspectionRecord,
            number: "（忠）应急检记〔2026〕1号".into(),
            inspection_id: "i1".into(),
            hazard_ids: vec![],
            signatures: vec![signed(Signer::Officer)],
            refusal: None,
            generated_at: Utc::now(),
        };
        assert_eq!(
            info.validate().unwrap_err().to_string(),
            "请填写被检查单位负责人签名（拒签的须记录见证人）"
        );
        info.refusal = Some(SignatureRefusal {
            witness: " ".into(),
            recorded_at: Utc::now(),
        });
        assert_eq!(info.validate().unwrap_err().to_string(), "请填写拒签见证人");
        info.refusal = None;
        info.signatures.push(signed(Signer::Representative));
        info.validate().unwrap();
        info.signatures[0].image_sha256 = "not a hash".into();
        assert!(info.validate().is_err());
        info.signatures.remove(0);
        assert_eq!(
            info.validate().unwrap_err().to_string(),
            "请填写执法人员签名"
        );
    }
}
