//! 工作任务交办 and 改机制 on the phone: the tasks 县安委办 assigned to my unit (as pulled from
//! the server) and my unit's proof of one — text and the files attached to
//! `EvidenceTarget::WorkTask` — and my unit's 改机制 records; each checked against the policy
//! and queued with its typed operation.

use chrono::Utc;
use rusqlite::params;

use anjian_domain::hazard::china_date;
use anjian_domain::mechanism::MechanismRecord;
use anjian_domain::policy::{self, Act, Target};
use anjian_domain::sync::entity;
use anjian_domain::sync::ops::OpBody;
use anjian_domain::task::{SubmitTaskProof, WorkTask};

use crate::error::Result;
use crate::store::{enqueue, json, new_id, not_found, Store};

impl Store {
    /// The tasks assigned to `unit_id` known on this phone, soonest deadline first.
    pub fn unit_tasks(&self, unit_id: &str) -> Result<Vec<WorkTask>> {
        let mut v: Vec<WorkTask> = crate::sync_engine::pulled(self, entity::WORK_TASK)?
            .into_iter()
            .filter(|t: &WorkTask| t.unit_ids.iter().any(|u| u == unit_id))
            .collect();
        v.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.id.cmp(&b.id)));
        Ok(v)
    }

    /// A task assigned to my unit, by id.
    pub fn my_unit_task(&self, task_id: &str) -> Result<WorkTask> {
        let me = self.actor()?;
        self.unit_tasks(&me.unit_id)?
            .into_iter()
            .find(|t| t.id == task_id)
            .ok_or_else(|| not_found("工作任务", task_id))
    }

    /// My unit reports how it handled a task: the text, and the evidence ids of its files
    /// (attached to the task first). Applied here at once and queued for the server, which
    /// dates it.
    pub fn submit_task_proof(
        &self,
        task_id: &str,
        text: &str,
        evidence: Vec<String>,
    ) -> Result<WorkTask> {
        let me = self.actor()?;
        let mut task = self.my_unit_task(task_id)?;
        let target = Target {
            unit_id: Some(&me.unit_id),
            ..Target::default()
        };
        policy::check(&me, Act::SubmitTask, &target)?;
        let proof = SubmitTaskProof {
            unit_id: me.unit_id.clone(),
            text: text.to_string(),
            evidence,
        };
        task.submit(&proof, &me.person_id, Utc::now())?;
        self.write(|tx| {
            tx.prepare_cached("UPDATE pulled_records SET data = ?3 WHERE entity = ?1 AND id = ?2")?
                .execute(params![entity::WORK_TASK, task_id, json(&task)?])?;
            enqueue(
                tx,
                &new_id(),
                task_id,
                &OpBody::SubmitTaskProof(proof.clone()),
            )
        })?;
        Ok(task)
    }
}

impl Store {
    /// Records a 改机制 record of my unit (its document is attached afterwards to
    /// `EvidenceTarget::MechanismRecord`); kept with the pulled records and queued.
    pub fn record_mechanism(&self, mut m: MechanismRecord) -> Result<MechanismRecord> {
        let me = self.actor()?;
        if m.id.trim().is_empty() {
            m.id = new_id();
        }
        if m.unit_id.trim().is_empty() {
            m.unit_id = me.unit_id.clone();
        }
        m.validate(china_date(Utc::now()))?;
        let target = Target {
            unit_id: Some(&m.unit_id),
            ..Target::default()
        };
        policy::check(&me, Act::UnitRecord, &target)?;
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO pulled_records (entity, id, version, data) VALUES (?1, ?2, 0, ?3)",
            )?
            .execute(params![entity::MECHANISM, m.id, json(&m)?])?;
            enqueue(tx, &new_id(), &m.id, &OpBody::CreateMechanism(m.clone()))
        })?;
        Ok(m)
    }

    /// 改机制 records of `unit_id` known on this phone, newest first.
    pub fn unit_mechanisms(&self, unit_id: &str) -> Result<Vec<MechanismRecord>> {
        let mut v: Vec<MechanismRecord> = crate::sync_engine::pulled(self, entity::MECHANISM)?
            .into_iter()
            .filter(|m: &MechanismRecord| m.unit_id == unit_id)
            .collect();
        v.sort_by(|a, b| b.effective_on.cmp(&a.effective_on).then(a.id.cmp(&b.id)));
        Ok(v)
    }
}
