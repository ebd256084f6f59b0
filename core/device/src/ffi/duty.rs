//! My duty status this month (履职纪实), offline.

use super::*;

/// One duty of my roles for its period (履职纪实).
#[derive(Debug, Clone, uniffi::Record)]
pub struct DutyStatusRecord {
    /// What the notice requires ("带队开展实地督查").
    pub label: String,
    /// Activity code (`led_inspection`, `special_meeting`, ...).
    pub activity: String,
    /// "每月1次"
    pub requirement: String,
    pub period_start: String,
    pub period_end: String,
    pub required: u32,
    pub done: u32,
    pub state: QuotaState,
    /// 已完成 / 未完成 / 进行中
    pub state_label: String,
    /// The records that count.
    pub records: Vec<DutyActivityRecord>,
}

/// A recorded activity that counts for a duty.
#[derive(Debug, Clone, uniffi::Record)]
pub struct DutyActivityRecord {
    pub id: String,
    /// `inspection` or `meeting`.
    pub source: String,
    pub title: String,
    pub date: String,
    pub evidence_count: u32,
}

#[uniffi::export]
impl AnjianStore {
    /// My duty status (履职纪实), offline: each duty of my roles for the periods containing
    /// `month` ("2026-11"; this month when absent), required vs done, with the records.
    pub fn my_duty_status(&self, month: Option<String>) -> FfiResult<Vec<DutyStatusRecord>> {
        let today = store::today();
        let day = match month {
            Some(m) => {
                let m: YearMonth = m.parse().map_err(StoreError::from)?;
                if m.contains(today) {
                    today
                } else {
                    m.last_day()
                }
            }
            None => today,
        };
        let (statuses, activities) = self.inner.my_duty(day, today)?;
        Ok(statuses
            .into_iter()
            .map(|s| DutyStatusRecord {
                label: s.quota.label.clone(),
                activity: serde_json::to_value(s.quota.activity)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                requirement: format!("{}{}次", s.quota.period.label(), s.quota.count),
                period_start: s.period_start.to_string(),
                period_end: s.period_end.to_string(),
                required: s.required,
                done: s.done,
                state: s.state,
                state_label: s.state.label().to_string(),
                records: s
                    .activity_ids
                    .iter()
                    .filter_map(|id| activities.iter().find(|a| &a.id == id))
                    .map(|a| DutyActivityRecord {
                        id: a.id.clone(),
                        source: a.source.clone(),
                        title: a.title.clone(),
                        date: a.date.to_string(),
                        evidence_count: a.evidence_count,
                    })
                    .collect(),
            })
            .collect())
    }
}
