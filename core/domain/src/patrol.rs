//! 暗访巡查 plans: which sites a patrol team will visit, and when. A plan is secret from
//! everyone outside the team until the visits are recorded.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{required_text, DomainError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatrolTarget {
    pub site_id: String,
    /// Set when the team's unannounced-patrol inspection of this site was recorded.
    #[serde(default)]
    pub visited_inspection_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatrolPlan {
    pub id: String,
    pub title: String,
    /// The unit running the patrol (县安委办, or a township/department's 工作专班).
    pub organiser_unit_id: String,
    /// Person ids of the team; the only people who see the plan before it is done.
    pub team: Vec<String>,
    pub targets: Vec<PatrolTarget>,
    pub window_start: NaiveDate,
    pub window_end: NaiveDate,
}

impl PatrolPlan {
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.title, "暗访巡查名称")?;
        required_text(&self.organiser_unit_id, "组织单位")?;
        if self.team.is_empty() {
            return Err(DomainError::MissingField("暗访组成员"));
        }
        if self.targets.is_empty() {
            return Err(DomainError::MissingField("暗访对象"));
        }
        if self.window_end < self.window_start {
            return Err(DomainError::InvalidValue {
                field: "暗访时间",
                reason: "结束日期早于开始日期".into(),
            });
        }
        Ok(())
    }

    /// Records a visit; returns whether the site was one of the plan's targets.
    pub fn mark_visited(&mut self, site_id: &str, inspection_id: &str) -> bool {
        match self
            .targets
            .iter_mut()
            .find(|t| t.site_id == site_id && t.visited_inspection_id.is_none())
        {
            Some(t) => {
                t.visited_inspection_id = Some(inspection_id.to_string());
                true
            }
            None => false,
        }
    }

    /// Every target visited: the plan is no longer secret.
    pub fn is_done(&self) -> bool {
        self.targets
            .iter()
            .all(|t| t.visited_inspection_id.is_some())
    }
}
