//! Sites, checklists and inspections, as the app sees them.

use super::*;

#[derive(Debug, Clone, uniffi::Record)]
pub struct IndustrySummary {
    pub code: String,
    pub name: String,
    pub version: String,
    pub item_count: u32,
    pub major_count: u32,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ChecklistItemRecord {
    pub id: String,
    pub section: String,
    pub text: String,
    pub basis: String,
    pub major: bool,
    /// Checked against the official text of its basis.
    pub verified: bool,
    /// 已核对：来源（日期） / 未核对：原因.
    pub verification: String,
    /// The site attribute it depends on, as users say it (使用液氨制冷); none when it always
    /// applies.
    pub condition: Option<String>,
}

/// A site attribute a checklist declares (场所属性).
#[derive(Debug, Clone, uniffi::Record)]
pub struct ConditionRecord {
    pub code: String,
    pub label: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ChecklistRecord {
    pub industry: String,
    pub name: String,
    pub version: String,
    pub major_hazard_standard: String,
    /// The site attributes its conditional items depend on.
    pub conditions: Vec<ConditionRecord>,
    pub items: Vec<ChecklistItemRecord>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SiteInput {
    pub name: String,
    /// Industry code (see `list_industries`).
    pub industry: String,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: Option<f64>,
    pub township_id: String,
    pub department_id: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// 场所属性: condition codes of the industry's checklist (see `ChecklistRecord.conditions`).
    #[uniffi(default)]
    pub attributes: Vec<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SiteRecord {
    pub id: String,
    pub name: String,
    pub industry: String,
    pub industry_name: String,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: Option<f64>,
    pub township_id: String,
    pub department_id: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub attributes: Vec<String>,
    /// The attributes as users say them (使用液氨制冷).
    pub attribute_labels: Vec<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ItemResultRecord {
    pub item_id: String,
    pub outcome: ItemOutcome,
    pub note: Option<String>,
    pub recorded_at: SystemTime,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct InspectionRecord {
    pub id: String,
    pub kind: InspectionKind,
    pub kind_label: String,
    pub site_id: String,
    pub industry: String,
    pub checklist_version: String,
    pub leader_name: String,
    pub participants: Vec<String>,
    pub started_at: SystemTime,
    pub finished_at: Option<SystemTime>,
    pub total_items: u32,
    pub answered_items: u32,
    pub failed_item_ids: Vec<String>,
    pub results: Vec<ItemResultRecord>,
    /// Its legal nature (行政检查, 督查暗访, 巡查报告, 技术服务); none on records made before.
    pub activity_label: Option<String>,
    /// A 行政检查's enforcement body, in whose name it is made.
    pub in_name_of: Option<String>,
    /// The leader's enforcement certificate shown.
    pub certificate_number: Option<String>,
}

/// One of the signed-in person's enforcement certificates (行政执法证) and where it stands.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CertificateRecord {
    pub number: String,
    pub issued_by: String,
    pub valid_from: String,
    pub valid_until: String,
    /// Industry names it covers.
    pub fields: Vec<String>,
    /// 有效 / N 天后到期 / 已过期 / 尚未生效
    pub status_label: String,
    /// Expired or expiring within the warning window: show it ahead.
    pub needs_attention: bool,
    /// Usable for a 行政检查 today.
    pub usable: bool,
}

impl From<Site> for SiteRecord {
    fn from(s: Site) -> Self {
        let list = checklist::Industry::from_code(&s.industry)
            .ok()
            .map(checklist::compiled_for);
        let industry_name = list.map(|l| l.name.clone()).unwrap_or_default();
        let attribute_labels = s
            .attributes
            .iter()
            .map(|a| {
                list.and_then(|l| l.condition(a))
                    .map_or_else(|| a.clone(), |c| c.label.clone())
            })
            .collect();
        SiteRecord {
            id: s.id,
            name: s.name,
            industry: s.industry,
            industry_name,
            lat: s.location.point.lat,
            lon: s.location.point.lon,
            radius_m: s.location.radius_m,
            township_id: s.township_id,
            department_id: s.department_id,
            address: s.address,
            contact_name: s.contact_name,
            contact_phone: s.contact_phone,
            attributes: s.attributes,
            attribute_labels,
        }
    }
}

impl AnjianStore {
    /// An inspection as the app shows it, counted against the checklist version it was made
    /// with and the items that apply to its site.
    pub(crate) fn inspection_record(&self, i: Inspection) -> InspectionRecord {
        let list = self.inner().checklists().for_inspection(&i);
        let attributes = self
            .inner
            .inspection_scope(&i)
            .map(|(_, a)| a)
            .unwrap_or_default();
        let score = i.score(&list, &attributes);
        let total = score.applicable as u32;
        let failed_item_ids = i
            .failed_items(&list)
            .into_iter()
            .map(|(item, _)| item.id.clone())
            .collect();
        InspectionRecord {
            kind_label: i.kind.label().to_string(),
            activity_label: i.activity.map(|a| a.label().to_string()),
            in_name_of: i.in_name_of.clone(),
            certificate_number: i.certificate_number.clone(),
            total_items: total,
            answered_items: total - score.unanswered as u32,
            failed_item_ids,
            results: i
                .results
                .iter()
                .map(|(id, r)| ItemResultRecord {
                    item_id: id.clone(),
                    outcome: r.outcome,
                    note: r.note.clone(),
                    recorded_at: r.recorded_at.into(),
                })
                .collect(),
            id: i.id,
            kind: i.kind,
            site_id: i.site_id,
            industry: i.industry.code().to_string(),
            checklist_version: i.checklist_version,
            leader_name: i.leader.name,
            participants: i.participants,
            started_at: i.started_at.into(),
            finished_at: i.finished_at.map(Into::into),
        }
    }
}

pub(crate) fn industry_summary(c: &checklist::Checklist) -> IndustrySummary {
    IndustrySummary {
        code: c.industry.code().to_string(),
        name: c.name.clone(),
        version: c.version.clone(),
        item_count: c.items.len() as u32,
        major_count: c.major_count() as u32,
    }
}

pub(crate) fn checklist_record(c: &checklist::Checklist) -> ChecklistRecord {
    checklist_record_of(c, c.items.iter())
}

fn checklist_record_of<'a>(
    c: &checklist::Checklist,
    items: impl Iterator<Item = &'a checklist::ChecklistItem>,
) -> ChecklistRecord {
    ChecklistRecord {
        industry: c.industry.code().to_string(),
        name: c.name.clone(),
        version: c.version.clone(),
        major_hazard_standard: c.major_hazard_standard.clone(),
        conditions: c
            .conditions
            .iter()
            .map(|k| ConditionRecord {
                code: k.code.clone(),
                label: k.label.clone(),
            })
            .collect(),
        items: items
            .map(|i| ChecklistItemRecord {
                id: i.id.clone(),
                section: i.section.clone(),
                text: i.text.clone(),
                basis: i.basis.clone(),
                major: i.major,
                verified: i.verified.is_some(),
                verification: i.verification_label(),
                condition: i
                    .applies_if
                    .as_deref()
                    .and_then(|code| c.condition(code))
                    .map(|k| k.label.clone()),
            })
            .collect(),
    }
}

#[uniffi::export]
impl AnjianStore {
    /// The manual's industries with the sizes of their current checklists on this device
    /// (compiled, or published by the office and pulled).
    pub fn industries(&self) -> Vec<IndustrySummary> {
        self.inner()
            .checklists()
            .all()
            .iter()
            .map(|c| industry_summary(c))
            .collect()
    }

    /// The current checklist of one industry on this device.
    pub fn checklist(&self, industry: String) -> FfiResult<ChecklistRecord> {
        let c = self
            .inner()
            .checklists()
            .by_code(&industry)
            .map_err(StoreError::from)?;
        Ok(checklist_record(&c))
    }

    /// The checklist version an inspection was made with, as asked at its site: the items
    /// that apply to the site's attributes (conditional items of attributes it lacks are left
    /// out, and are recorded 不适用 when the inspection is finished).
    pub fn inspection_checklist(&self, inspection_id: String) -> FfiResult<ChecklistRecord> {
        let insp = self.inner.inspection(&inspection_id)?;
        let (list, attributes) = self.inner.inspection_scope(&insp)?;
        let items = insp.applicable_items(&list, &attributes);
        Ok(checklist_record_of(&list, items.into_iter()))
    }

    pub fn add_site(&self, input: SiteInput) -> FfiResult<SiteRecord> {
        let site = Site {
            id: String::new(),
            name: input.name,
            industry: input.industry,
            location: SiteLocation::circle(input.lat, input.lon, input.radius_m),
            township_id: input.township_id,
            department_id: input.department_id,
            address: input.address,
            contact_name: input.contact_name,
            contact_phone: input.contact_phone,
            attributes: input.attributes,
        };
        Ok(self.inner.add_site(site)?.into())
    }

    pub fn list_sites(&self, township_id: Option<String>) -> FfiResult<Vec<SiteRecord>> {
        Ok(self
            .inner
            .sites(township_id.as_deref())?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub fn start_inspection(
        &self,
        kind: InspectionKind,
        site_id: String,
        participants: Vec<String>,
    ) -> FfiResult<InspectionRecord> {
        let i = self.inner.start_inspection(kind, &site_id, participants)?;
        Ok(self.inspection_record(i))
    }

    /// 联合检查: one visit with the other enforcement bodies named (unit ids).
    pub fn start_joint_inspection(
        &self,
        kind: InspectionKind,
        site_id: String,
        participants: Vec<String>,
        joint_unit_ids: Vec<String>,
    ) -> FfiResult<InspectionRecord> {
        let i = self
            .inner
            .start_joint_inspection(kind, &site_id, participants, joint_unit_ids)?;
        Ok(self.inspection_record(i))
    }

    /// Warnings to show before visiting a site: the annual cap reached, another body's recent
    /// visit.
    pub fn visit_warnings(&self, site_id: String) -> FfiResult<Vec<String>> {
        Ok(self.inner.visit_warnings(&site_id)?)
    }

    /// 扫码入企: the site a scanned code names, verified offline with the county's key.
    pub fn site_from_code(&self, scanned: String) -> FfiResult<SiteRecord> {
        Ok(self.inner.site_from_code(&scanned)?.into())
    }

    /// 扫码入企: starts an inspection of the site whose code was scanned.
    pub fn start_inspection_from_code(
        &self,
        scanned: String,
        kind: InspectionKind,
        participants: Vec<String>,
    ) -> FfiResult<InspectionRecord> {
        let i = self
            .inner
            .start_inspection_from_code(&scanned, kind, participants)?;
        Ok(self.inspection_record(i))
    }

    pub fn record_item(
        &self,
        inspection_id: String,
        item_id: String,
        outcome: ItemOutcome,
        note: Option<String>,
    ) -> FfiResult<InspectionRecord> {
        let i = self
            .inner
            .record_item(&inspection_id, &item_id, outcome, note)?;
        Ok(self.inspection_record(i))
    }

    pub fn finish_inspection(&self, inspection_id: String) -> FfiResult<InspectionRecord> {
        let i = self.inner.finish_inspection(&inspection_id)?;
        Ok(self.inspection_record(i))
    }

    pub fn inspection(&self, inspection_id: String) -> FfiResult<InspectionRecord> {
        let i = self.inner.inspection(&inspection_id)?;
        Ok(self.inspection_record(i))
    }

    /// The signed-in person's enforcement certificates, each with its status today; an
    /// expired one stops 行政检查 (the phone refuses before queuing, as the server does).
    pub fn my_certificates(&self) -> FfiResult<Vec<CertificateRecord>> {
        Ok(self
            .inner
            .my_certificates()?
            .into_iter()
            .map(|(c, s)| CertificateRecord {
                fields: c
                    .fields
                    .iter()
                    .map(|f| {
                        checklist::compiled_by_code(f)
                            .map(|l| l.name.clone())
                            .unwrap_or_else(|_| f.clone())
                    })
                    .collect(),
                number: c.number,
                issued_by: c.issued_by,
                valid_from: c.valid_from.to_string(),
                valid_until: c.valid_until.to_string(),
                status_label: s.label(),
                needs_attention: !matches!(s, anjian_domain::enforcement::CertificateStatus::Valid),
                usable: s.usable(),
            })
            .collect())
    }
}
