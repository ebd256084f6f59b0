//! A unit's own records kept on the phone: meetings with their minutes (会议纪要) and proof of
//! hardware investment (改设施: contracts, invoices, photos before / during / after). Each is
//! checked against the access policy and queued for the server with its typed operation.

use rusqlite::params;

use anjian_domain::policy::{self, Act, Target};
use anjian_domain::proof::ProofStatus;
use anjian_domain::records::{HardwareInvestment, Meeting};
use anjian_domain::sync::ops::{OpBody, SubmitInvestment};

use crate::error::{Result, StoreError};
use crate::store::{enqueue, from_json, json, new_id, not_found, Store};

impl Store {
    /// Records a meeting of the signed-in person's unit, chaired by them unless another chair
    /// is named (委托: `on_behalf_of` is then the principal).
    pub fn record_meeting(&self, mut meeting: Meeting) -> Result<Meeting> {
        let me = self.actor()?;
        if meeting.id.trim().is_empty() {
            meeting.id = new_id();
        }
        if meeting.unit_id.trim().is_empty() {
            meeting.unit_id = me.unit_id.clone();
        }
        if meeting.chaired_by.trim().is_empty() {
            meeting.chaired_by = me.person_id.clone();
        }
        meeting.validate()?;
        let target = Target {
            unit_id: Some(&meeting.unit_id),
            ..Target::default()
        };
        policy::check(&me, Act::UnitRecord, &target)?;
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO meetings (id, unit_id, kind, held_at, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                meeting.id,
                meeting.unit_id,
                json(&meeting.kind)?,
                meeting.held_at.to_rfc3339(),
                json(&meeting)?
            ])?;
            enqueue(tx, &new_id(), &meeting.id, &OpBody::CreateMeeting(meeting.clone()))
        })?;
        Ok(meeting)
    }

    /// Records proof of a hardware investment of the signed-in person's unit; its contracts,
    /// invoices and photos are attached to it as evidence.
    pub fn record_hardware_investment(
        &self,
        mut inv: HardwareInvestment,
    ) -> Result<HardwareInvestment> {
        let me = self.actor()?;
        if inv.id.trim().is_empty() {
            inv.id = new_id();
        }
        if inv.unit_id.trim().is_empty() {
            inv.unit_id = me.unit_id.clone();
        }
        inv.validate()?;
        if let Some(h) = &inv.hazard_id {
            self.hazard(h)?;
        }
        let target = Target {
            unit_id: Some(&inv.unit_id),
            ..Target::default()
        };
        policy::check(&me, Act::UnitRecord, &target)?;
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO hardware_investments (id, unit_id, hazard_id, amount_fen, invested_on, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                inv.id,
                inv.unit_id,
                inv.hazard_id,
                inv.amount_fen,
                inv.invested_on.to_string(),
                json(&inv)?
            ])?;
            enqueue(tx, &new_id(), &inv.id, &OpBody::CreateHardwareInvestment(inv.clone()))
        })?;
        Ok(inv)
    }

    /// Meetings of a unit known here (recorded on this phone or pulled), newest first.
    pub fn meetings(&self, unit_id: &str) -> Result<Vec<Meeting>> {
        let mut out: Vec<Meeting> = self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT data FROM meetings WHERE unit_id = ?1
                 UNION ALL SELECT data FROM pulled_records WHERE entity = 'meeting'",
            )?;
            let rows = stmt.query_map(params![unit_id], |r| r.get::<_, String>(0))?;
            rows.map(|r| from_json(&r?)).collect()
        })?;
        out.retain(|m: &Meeting| m.unit_id == unit_id);
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out.dedup_by(|a, b| a.id == b.id);
        out.sort_by_key(|m| std::cmp::Reverse(m.held_at));
        Ok(out)
    }

    /// Hardware investments of a unit known here, newest first (the server's copy, with its
    /// received and submitted times, over this phone's own).
    pub fn hardware_investments(&self, unit_id: &str) -> Result<Vec<HardwareInvestment>> {
        let mut out: Vec<(HardwareInvestment, i64)> = self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT data, 1 FROM hardware_investments WHERE unit_id = ?1
                 UNION ALL SELECT data, 0 FROM pulled_records WHERE entity = 'hardware_investment'",
            )?;
            let rows = stmt.query_map(params![unit_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?;
            rows.map(|r| {
                let (data, local) = r?;
                Ok((from_json(&data)?, local))
            })
            .collect()
        })?;
        out.retain(|(i, _)| i.unit_id == unit_id);
        out.sort_by(|a, b| (&a.0.id, a.1).cmp(&(&b.0.id, b.1)));
        out.dedup_by(|a, b| a.0.id == b.0.id);
        let mut out: Vec<HardwareInvestment> = out.into_iter().map(|(i, _)| i).collect();
        out.sort_by_key(|i| std::cmp::Reverse(i.invested_on));
        Ok(out)
    }

    /// Which parts of an investment's proof this phone has attached (合同、施工前中后照片、发票).
    pub fn investment_proof(&self, investment_id: &str) -> Result<ProofStatus> {
        let evidence = self.evidence_for("hardware_investment", investment_id)?;
        Ok(ProofStatus::of(&evidence))
    }

    /// 月底报送: sends an investment's proof to 县安委办 once every part is attached. The
    /// server dates it by when the submission arrives and checks the parts again.
    pub fn submit_hardware_investment(&self, investment_id: &str) -> Result<HardwareInvestment> {
        let me = self.actor()?;
        let inv = self
            .hardware_investments(&me.unit_id)?
            .into_iter()
            .find(|i| i.id == investment_id)
            .ok_or_else(|| not_found("设施投入", investment_id))?;
        let target = Target {
            unit_id: Some(&inv.unit_id),
            ..Target::default()
        };
        policy::check(&me, Act::UnitRecord, &target)?;
        if inv.submitted_at.is_some() {
            return Err(StoreError::Invalid {
                field: "设施投入佐证",
                reason: "已报送".into(),
            });
        }
        if let Some(reason) = self.investment_proof(investment_id)?.refusal() {
            return Err(StoreError::Invalid {
                field: "设施投入佐证",
                reason,
            });
        }
        self.write(|tx| {
            let body = OpBody::SubmitHardwareInvestment(SubmitInvestment {});
            enqueue(tx, &new_id(), &inv.id, &body)
        })?;
        Ok(inv)
    }
}
