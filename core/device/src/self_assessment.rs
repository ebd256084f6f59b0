//! 自评 on the phone: my unit's own assessment of a month, a score and a note per indicator of
//! the county's set (not one total), checked as the server checks it and queued for 县安委办.
//! The total and who sent it when are the server's; the phone keeps its copy beside the
//! pulled ones so the screen shows what was sent before it syncs.

use chrono::Utc;
use rusqlite::params;

use anjian_domain::assessment::{IndicatorSet, SelfAssessment, SelfItem};
use anjian_domain::month::YearMonth;
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::sync::entity;
use anjian_domain::sync::ops::OpBody;

use crate::error::Result;
use crate::store::{enqueue, json, new_id, Store};

impl Store {
    /// Sends my unit's self-assessment of `month`: every scored indicator once, within its
    /// weight, with the summary. Refused (nothing queued) when an indicator is missing, out of
    /// range or repeated, or when the signed-in person may not keep the unit's records.
    pub fn record_self_assessment(
        &self,
        month: YearMonth,
        items: Vec<SelfItem>,
        summary: &str,
    ) -> Result<SelfAssessment> {
        let me = self.actor()?;
        let mut sa = SelfAssessment {
            id: new_id(),
            unit_id: me.unit_id.clone(),
            month,
            score: 0.0,
            items,
            summary: summary.trim().to_string(),
            submitted_by: me.person_id.clone(),
            submitted_at: Utc::now(),
            evidence: Vec::new(),
        };
        sa.validate(IndicatorSet::standard())?;
        sa.score = sa.total();
        let target = Target {
            unit_id: Some(&sa.unit_id),
            ..Target::default()
        };
        policy::check(&me, Act::UnitRecord, &target)?;
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO pulled_records (entity, id, version, data) VALUES (?1, ?2, 0, ?3)",
            )?
            .execute(params![entity::SELF_ASSESSMENT, sa.id, json(&sa)?])?;
            enqueue(
                tx,
                &new_id(),
                &sa.id,
                &OpBody::CreateSelfAssessment(sa.clone()),
            )
        })?;
        Ok(sa)
    }

    /// Self-assessments of `unit_id` known on this phone, newest month first and, within a
    /// month, the latest sent first.
    pub fn unit_self_assessments(&self, unit_id: &str) -> Result<Vec<SelfAssessment>> {
        let mut v: Vec<SelfAssessment> = crate::sync_engine::pulled(self, entity::SELF_ASSESSMENT)?
            .into_iter()
            .filter(|s: &SelfAssessment| s.unit_id == unit_id)
            .collect();
        v.sort_by(|a, b| {
            b.month
                .cmp(&a.month)
                .then(b.submitted_at.cmp(&a.submitted_at))
                .then(a.id.cmp(&b.id))
        });
        Ok(v)
    }
}
