//! On the phone, offline: my duty status (履职纪实) from the inspections I led and the meetings
//! I chaired on this device or pulled from the server, judged by the same domain rules as the
//! county office's duty table; and my unit's open hazards with their deadlines.

use chrono::NaiveDate;

use anjian_domain::duty::{self, Activity, QuotaSet, QuotaStatus};
use anjian_domain::evidence::EvidenceRecord;
use anjian_domain::hazard::Hazard;
use anjian_domain::org::{Unit, UnitKind};

use crate::error::{Result, StoreError};
use crate::store::{from_json, LedgerFilter, Store};

impl Store {
    /// The kind of a unit, from the organisation tree pulled from the server.
    fn unit_kind(&self, unit_id: &str) -> Result<UnitKind> {
        let unit: Option<Unit> = self.units()?.into_iter().find(|u| u.id == unit_id);
        unit.map(|u| u.kind).ok_or_else(|| StoreError::Invalid {
            field: "单位",
            reason: "本机还没有单位信息，请先同步".into(),
        })
    }

    /// The activities of a unit known to this device (recorded here or pulled), derived by
    /// the same rule as the county office's duty table.
    fn unit_activities(&self, unit_id: &str) -> Result<Vec<Activity>> {
        let inspections: Vec<_> = self
            .inspections(None)?
            .into_iter()
            .filter(|i| i.leader.unit_id == unit_id)
            .collect();
        // Meetings recorded here, and those pulled from the server.
        let meetings = self.meetings(unit_id)?;
        let evidence: Vec<EvidenceRecord> = self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT data FROM evidence WHERE target_type IN ('inspection', 'meeting')",
            )?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|r| from_json(&r?)).collect()
        })?;
        let sites = self.sites(None)?;
        Ok(duty::derive_activities(
            &inspections,
            &meetings,
            &sites,
            &evidence,
        ))
    }

    /// My duties for the periods containing `day`, as of `today`: required vs done, met /
    /// missed / in progress, with the records that count.
    pub fn my_duty(
        &self,
        day: NaiveDate,
        today: NaiveDate,
    ) -> Result<(Vec<QuotaStatus>, Vec<Activity>)> {
        let me = self.actor()?;
        let kind = self.unit_kind(&me.unit_id)?;
        let activities = self.unit_activities(&me.unit_id)?;
        let statuses = duty::evaluate(
            QuotaSet::standard(),
            &me.person_id,
            &me.unit_id,
            kind,
            &me.roles,
            &activities,
            day,
            today,
        );
        Ok((statuses, activities))
    }

    /// My unit's hazards still open: overdue first, then by deadline.
    pub fn my_unit_open_hazards(&self, today: NaiveDate) -> Result<Vec<Hazard>> {
        let me = self.actor()?;
        self.ledger(
            &LedgerFilter {
                unit_id: Some(me.unit_id),
                open_only: true,
                ..LedgerFilter::default()
            },
            today,
        )
    }
}
