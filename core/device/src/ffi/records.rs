//! A unit's own records: meetings (with minutes) and proof of hardware investment. Their
//! files (minutes, contracts, invoices, photos) are attached with `attachDocument` /
//! `attachPhoto` to `EvidenceTarget.Meeting` / `EvidenceTarget.HardwareInvestment`.

use super::*;
use anjian_domain::records::{HardwareInvestment, Meeting, MeetingKind};

/// A meeting as the app fills it in.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MeetingInput {
    pub kind: MeetingKind,
    pub title: String,
    /// When it was held (RFC 3339); empty for now.
    pub held_at: Option<String>,
    pub attendees: Vec<String>,
    pub minutes: Option<String>,
    /// 委托: the person id of the principal whose 安委会 meeting this chair held.
    pub on_behalf_of: Option<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct MeetingRecord {
    pub id: String,
    pub kind: MeetingKind,
    pub kind_label: String,
    pub unit_id: String,
    pub title: String,
    pub chaired_by: String,
    pub on_behalf_of: Option<String>,
    pub held_at: String,
    pub attendees: Vec<String>,
    pub minutes: Option<String>,
}

impl From<Meeting> for MeetingRecord {
    fn from(m: Meeting) -> Self {
        MeetingRecord {
            kind_label: m.kind.label().to_string(),
            id: m.id,
            kind: m.kind,
            unit_id: m.unit_id,
            title: m.title,
            chaired_by: m.chaired_by,
            on_behalf_of: m.on_behalf_of,
            held_at: m.held_at.to_rfc3339(),
            attendees: m.attendees,
            minutes: m.minutes,
        }
    }
}

/// Proof of a hardware investment as the app fills it in (改设施).
#[derive(Debug, Clone, uniffi::Record)]
pub struct InvestmentInput {
    pub description: String,
    pub amount_fen: i64,
    /// YYYY-MM-DD
    pub invested_on: String,
    pub hazard_id: Option<String>,
    pub site_id: Option<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct InvestmentRecord {
    pub id: String,
    pub unit_id: String,
    pub description: String,
    pub amount_fen: i64,
    pub invested_on: String,
    pub hazard_id: Option<String>,
    pub site_id: Option<String>,
    /// When the server received it / its submission (RFC 3339); none until synced.
    pub received_at: Option<String>,
    pub submitted_at: Option<String>,
    /// Parts of the proof not attached yet (合同、施工前照片、施工中照片、施工后照片、发票).
    pub missing_parts: Vec<String>,
}

impl From<HardwareInvestment> for InvestmentRecord {
    fn from(i: HardwareInvestment) -> Self {
        InvestmentRecord {
            received_at: i.received_at.map(|t| t.to_rfc3339()),
            submitted_at: i.submitted_at.map(|t| t.to_rfc3339()),
            missing_parts: Vec::new(),
            id: i.id,
            unit_id: i.unit_id,
            description: i.description,
            amount_fen: i.amount_fen,
            invested_on: i.invested_on.to_string(),
            hazard_id: i.hazard_id,
            site_id: i.site_id,
        }
    }
}

#[uniffi::export]
impl AnjianStore {
    /// Records a meeting of my unit, chaired by me.
    pub fn record_meeting(&self, input: MeetingInput) -> FfiResult<MeetingRecord> {
        let held_at = match input.held_at.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(t) => crate::store::parse_time(t.trim()).map_err(|_| StoreError::Invalid {
                field: "会议时间",
                reason: format!("“{t}”不是有效的时间"),
            })?,
            None => chrono::Utc::now(),
        };
        let meeting = Meeting {
            received: None,
            id: String::new(),
            kind: input.kind,
            unit_id: String::new(),
            title: input.title,
            chaired_by: String::new(),
            on_behalf_of: input.on_behalf_of.filter(|p| !p.trim().is_empty()),
            held_at,
            attendees: input.attendees,
            minutes: input.minutes,
            evidence: Vec::new(),
        };
        Ok(self.inner.record_meeting(meeting)?.into())
    }

    /// Records proof of a hardware investment of my unit.
    pub fn record_hardware_investment(
        &self,
        input: InvestmentInput,
    ) -> FfiResult<InvestmentRecord> {
        let inv = HardwareInvestment {
            id: String::new(),
            unit_id: String::new(),
            hazard_id: input.hazard_id.filter(|h| !h.trim().is_empty()),
            site_id: input.site_id.filter(|s| !s.trim().is_empty()),
            description: input.description,
            amount_fen: input.amount_fen,
            invested_on: parse_date(&input.invested_on, "投入日期")?,
            documents: Vec::new(),
            received_at: None,
            submitted_at: None,
        };
        Ok(self.inner.record_hardware_investment(inv)?.into())
    }

    /// My unit's meetings known on this phone, newest first.
    pub fn my_unit_meetings(&self) -> FfiResult<Vec<MeetingRecord>> {
        let me = self.inner.actor()?;
        Ok(self
            .inner
            .meetings(&me.unit_id)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// My unit's hardware investments known on this phone, newest first, each with the
    /// parts of its proof still missing.
    pub fn my_unit_investments(&self) -> FfiResult<Vec<InvestmentRecord>> {
        let me = self.inner.actor()?;
        let mut out = Vec::new();
        for inv in self.inner.hardware_investments(&me.unit_id)? {
            let missing = self.inner.investment_proof(&inv.id)?.missing;
            let mut rec = InvestmentRecord::from(inv);
            rec.missing_parts = missing;
            out.push(rec);
        }
        Ok(out)
    }

    /// 月底报送: sends the investment's proof to 县安委办 once every part (合同、施工前中后照片、
    /// 发票) is attached; refused, naming the missing parts, before that.
    pub fn submit_hardware_investment(&self, investment_id: String) -> FfiResult<InvestmentRecord> {
        Ok(self
            .inner
            .submit_hardware_investment(&investment_id)?
            .into())
    }
}
