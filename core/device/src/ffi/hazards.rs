//! The hazard ledger and its workflow, as the app sees them.

use super::*;
use anjian_domain::policy::Act;

/// What an inspector fills in to raise a hazard. From a failed checklist item, give
/// `inspection_id` and `item_id`; the level then follows the item unless overridden with a
/// reason.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HazardInput {
    pub description: String,
    pub site_id: Option<String>,
    /// Responsible unit; empty takes the site's township (属地).
    pub unit_id: Option<String>,
    pub inspection_id: Option<String>,
    pub item_id: Option<String>,
    pub level: Option<HazardLevel>,
    pub level_reason: Option<String>,
    pub needs_hardware: bool,
}

/// 五落实 as the app edits it (`None` leaves a field as it is) and reads it back on the hazard.
/// Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct FivePlanInput {
    pub target: Option<String>,
    pub measures: Option<String>,
    pub deadline: Option<String>,
    pub responsible: Option<String>,
    pub funding_fen: Option<i64>,
    pub funding_source: Option<String>,
}

/// One workflow action on a hazard.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum HazardCommand {
    Reclassify {
        level: HazardLevel,
        reason: String,
    },
    UpdatePlan {
        plan: FivePlanInput,
    },
    SetHardwarePlan {
        plan: String,
    },
    SetTemporaryMeasures {
        measures: String,
    },
    Assign {
        unit_id: String,
        deadline: String,
    },
    CloseOnSpot {
        note: String,
        after_evidence: Vec<String>,
    },
    StartRectification,
    SubmitRectification {
        note: String,
        after_evidence: Vec<String>,
    },
    Verify {
        note: Option<String>,
    },
    Reject {
        reason: String,
    },
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct HazardRecord {
    pub id: String,
    pub number: String,
    pub description: String,
    pub site_id: Option<String>,
    pub unit_id: String,
    pub rectifying_unit_id: String,
    pub inspection_id: Option<String>,
    pub item_id: Option<String>,
    pub level: HazardLevel,
    pub level_label: String,
    pub level_reason: Option<String>,
    pub needs_hardware: bool,
    pub status: HazardStatus,
    pub status_label: String,
    pub overdue: bool,
    pub deadline: Option<String>,
    pub plan: FivePlanInput,
    /// What 五落实 still misses, as the notice names it (整改目标, 整改措施 ...).
    pub plan_missing: Vec<String>,
    pub hardware_plan: Option<String>,
    pub temporary_measures: Option<String>,
    pub rectified_by: Option<String>,
    pub rectification_note: Option<String>,
    pub after_evidence: Vec<String>,
    pub rejections: u32,
    pub raised_by_name: String,
    pub raised_at: SystemTime,
    pub closed_at: Option<SystemTime>,
    pub version: u64,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct HazardEventRecord {
    pub id: String,
    pub label: String,
    pub from_status: Option<HazardStatus>,
    pub to_status: HazardStatus,
    pub actor_name: String,
    pub at: SystemTime,
    pub version: u64,
    /// The action's details as JSON (for the history screen).
    pub detail_json: String,
}

#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct LedgerQuery {
    pub status: Option<HazardStatus>,
    pub level: Option<HazardLevel>,
    pub unit_id: Option<String>,
    pub site_id: Option<String>,
    pub overdue_only: bool,
}

impl FivePlanInput {
    fn into_domain(self) -> Result<FiveImplementations, StoreError> {
        let funding = match (self.funding_fen, self.funding_source) {
            (Some(amount_fen), Some(source)) => Some(Funding { amount_fen, source }),
            (None, None) => None,
            _ => {
                return Err(StoreError::Invalid {
                    field: "整改资金",
                    reason: "金额和资金来源须同时填写".into(),
                })
            }
        };
        Ok(FiveImplementations {
            target: self.target,
            measures: self.measures,
            deadline: self
                .deadline
                .as_deref()
                .map(|d| parse_date(d, "整改时限"))
                .transpose()?,
            responsible: self.responsible,
            funding,
        })
    }
}

impl HazardCommand {
    fn into_action(self) -> Result<HazardAction, StoreError> {
        Ok(match self {
            HazardCommand::Reclassify { level, reason } => {
                HazardAction::Reclassify { level, reason }
            }
            HazardCommand::UpdatePlan { plan } => HazardAction::UpdatePlan {
                plan: plan.into_domain()?,
            },
            HazardCommand::SetHardwarePlan { plan } => HazardAction::SetHardwarePlan { plan },
            HazardCommand::SetTemporaryMeasures { measures } => {
                HazardAction::SetTemporaryMeasures { measures }
            }
            HazardCommand::Assign { unit_id, deadline } => HazardAction::Assign {
                unit_id,
                deadline: parse_date(&deadline, "交办时限")?,
            },
            HazardCommand::CloseOnSpot {
                note,
                after_evidence,
            } => HazardAction::CloseOnSpot {
                note,
                after_evidence,
            },
            HazardCommand::StartRectification => HazardAction::StartRectification,
            HazardCommand::SubmitRectification {
                note,
                after_evidence,
            } => HazardAction::SubmitRectification {
                note,
                after_evidence,
            },
            HazardCommand::Verify { note } => HazardAction::Verify { note },
            HazardCommand::Reject { reason } => HazardAction::Reject { reason },
        })
    }
}

pub(crate) fn hazard_record(h: Hazard, today: NaiveDate) -> HazardRecord {
    HazardRecord {
        overdue: h.is_overdue(today),
        deadline: h.deadline().map(|d| d.to_string()),
        rectifying_unit_id: h.rectifying_unit().to_string(),
        level_label: h.level.label().to_string(),
        status_label: h.status.label().to_string(),
        plan_missing: h.plan.missing().into_iter().map(str::to_string).collect(),
        plan: FivePlanInput {
            target: h.plan.target,
            measures: h.plan.measures,
            deadline: h.plan.deadline.map(|d| d.to_string()),
            responsible: h.plan.responsible,
            funding_fen: h.plan.funding.as_ref().map(|f| f.amount_fen),
            funding_source: h.plan.funding.map(|f| f.source),
        },
        inspection_id: h.source.as_ref().map(|s| s.inspection_id.clone()),
        item_id: h.source.map(|s| s.item_id),
        id: h.id,
        number: h.number,
        description: h.description,
        site_id: h.site_id,
        unit_id: h.unit_id,
        level: h.level,
        level_reason: h.level_reason,
        needs_hardware: h.needs_hardware,
        status: h.status,
        hardware_plan: h.hardware_plan,
        temporary_measures: h.temporary_measures,
        rectified_by: h.rectified_by,
        rectification_note: h.rectification_note,
        after_evidence: h.after_evidence,
        rejections: h.rejections,
        raised_by_name: h.raised_by.name,
        raised_at: h.raised_at.into(),
        closed_at: h.closed_at.map(Into::into),
        version: h.version,
    }
}

impl From<HazardEvent> for HazardEventRecord {
    fn from(e: HazardEvent) -> Self {
        HazardEventRecord {
            label: e.label().to_string(),
            detail_json: e
                .action
                .as_ref()
                .and_then(|a| serde_json::to_string(a).ok())
                .unwrap_or_else(|| "{}".into()),
            id: e.id,
            from_status: e.from,
            to_status: e.to,
            actor_name: e.actor.name,
            at: e.at.into(),
            version: e.version,
        }
    }
}

#[uniffi::export]
impl AnjianStore {
    pub fn raise_hazard(&self, input: HazardInput) -> FfiResult<HazardRecord> {
        let source = match (input.inspection_id, input.item_id) {
            (Some(inspection_id), Some(item_id)) => {
                let insp = self.inner.inspection(&inspection_id)?;
                Some(HazardSource {
                    inspection_id,
                    industry: insp.industry,
                    item_id,
                })
            }
            (None, None) => None,
            _ => {
                return Err(StoreError::Invalid {
                    field: "隐患来源",
                    reason: "检查和检查项须同时填写".into(),
                }
                .into())
            }
        };
        let draft = HazardDraft {
            id: String::new(),
            number: String::new(),
            site_id: input.site_id,
            unit_id: input.unit_id.unwrap_or_default(),
            description: input.description,
            location: None,
            source,
            level: input.level,
            level_reason: input.level_reason,
            needs_hardware: input.needs_hardware,
        };
        Ok(hazard_record(
            self.inner.raise_hazard(draft)?,
            store::today(),
        ))
    }

    pub fn act_on_hazard(
        &self,
        hazard_id: String,
        command: HazardCommand,
    ) -> FfiResult<HazardRecord> {
        let action = command.into_action()?;
        Ok(hazard_record(
            self.inner.act_on_hazard(&hazard_id, action)?,
            store::today(),
        ))
    }

    pub fn hazard(&self, hazard_id: String) -> FfiResult<HazardRecord> {
        Ok(hazard_record(
            self.inner.hazard(&hazard_id)?,
            store::today(),
        ))
    }

    pub fn hazard_history(&self, hazard_id: String) -> FfiResult<Vec<HazardEventRecord>> {
        Ok(self
            .inner
            .hazard_events(&hazard_id)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The hazard ledger (隐患台账), overdue first.
    pub fn ledger(&self, query: LedgerQuery) -> FfiResult<Vec<HazardRecord>> {
        let today = store::today();
        let filter = LedgerFilter {
            status: query.status,
            level: query.level,
            unit_id: query.unit_id,
            site_id: query.site_id,
            overdue_only: query.overdue_only,
            open_only: false,
        };
        Ok(self
            .inner
            .ledger(&filter, today)?
            .into_iter()
            .map(|h| hazard_record(h, today))
            .collect())
    }

    /// My unit's hazards still open (the rectifying unit is mine): overdue first, then by
    /// deadline.
    pub fn my_unit_open_hazards(&self) -> FfiResult<Vec<HazardRecord>> {
        let today = store::today();
        Ok(self
            .inner
            .my_unit_open_hazards(today)?
            .into_iter()
            .map(|h| hazard_record(h, today))
            .collect())
    }
}

#[uniffi::export]
impl AnjianStore {
    /// What the signed-in person may do on this hazard under the access policy (the server
    /// checks the same policy; the workflow's own rules, such as 五落实, still apply).
    pub fn allowed_hazard_actions(&self, hazard_id: String) -> FfiResult<Vec<Act>> {
        let store = &self.inner;
        let who = store.actor()?;
        let hazard = store.hazard(&hazard_id)?;
        Ok(Act::ON_HAZARD
            .into_iter()
            .filter(|&act| store.hazard_act_permitted(&who, &hazard, act))
            .collect())
    }

    /// The inspection kinds the signed-in person may start at this site.
    pub fn inspection_kinds_for(&self, site_id: String) -> FfiResult<Vec<InspectionKind>> {
        Ok(self.inner.inspection_kinds_for(&site_id)?)
    }
}
