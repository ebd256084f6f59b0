//! 专项检查 (special campaigns, 国办发〔2024〕54号): a campaign of 行政检查 needs a plan — scope,
//! industries, the bodies carrying it out, its period — recorded by 县安委办 or a department
//! and approved by the county government before any inspection under it. An inspection that
//! names a campaign (`Inspection.campaign_id`) outside an approved plan is refused.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::enforcement::FieldActivity;
use crate::inspection::Inspection;
use crate::org::Actor;
use crate::site::Site;
use crate::{required_text, DomainError};

/// Longest period of one plan (an annual plan).
pub const MAX_DAYS: i64 = 366;
/// Most industries and bodies one plan may name.
pub const MAX_ITEMS: usize = 32;

/// What the office or a department fills in to record a plan.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDraft {
    /// 专项检查名称
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub title: String,
    /// 检查范围和内容
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 2000, pattern = r"\S")
    )]
    pub scope: String,
    /// Checklist industry codes within the campaign.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Vec<crate::checklist::Industry>, min_items = 1, max_items = 32)
    )]
    pub industries: Vec<String>,
    /// The enforcement bodies (unit ids) carrying it out.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Vec<crate::schema_text::NonBlankId>, min_items = 1, max_items = 32)
    )]
    pub unit_ids: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// The county government's approval of a plan.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignApproval {
    /// Who approved it (a county leader).
    pub approved_by: Actor,
    /// 批准文件 (e.g. 忠府办〔2026〕12号).
    pub document: String,
    pub approved_at: DateTime<Utc>,
}

/// A recorded plan of a 专项检查, approved or waiting for approval.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignPlan {
    pub id: String,
    #[serde(flatten)]
    pub draft: CampaignDraft,
    pub recorded_by: Actor,
    pub recorded_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<CampaignApproval>,
}

impl CampaignDraft {
    /// Checks the plan's own fields (the units are checked against the organisation by the
    /// caller); returns it trimmed, its lists sorted and deduplicated.
    pub fn validate(&self) -> Result<CampaignDraft, DomainError> {
        let invalid = |field: &'static str, reason: &str| DomainError::InvalidValue {
            field,
            reason: reason.to_string(),
        };
        let title = required_text(&self.title, "专项检查名称")?;
        let scope = required_text(&self.scope, "检查范围和内容")?;
        if title.chars().count() > 100 {
            return Err(invalid("专项检查名称", "不超过 100 字"));
        }
        if scope.chars().count() > 2000 {
            return Err(invalid("检查范围和内容", "不超过 2000 字"));
        }
        let list = |v: &[String], field: &'static str| -> Result<Vec<String>, DomainError> {
            let mut out: Vec<String> = v
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            out.sort();
            out.dedup();
            if out.is_empty() {
                return Err(DomainError::MissingField(field));
            }
            if out.len() > MAX_ITEMS {
                return Err(invalid(field, "最多 32 项"));
            }
            Ok(out)
        };
        let industries = list(&self.industries, "专项检查的行业")?;
        for i in &industries {
            crate::checklist::Industry::from_code(i)?;
        }
        let unit_ids = list(&self.unit_ids, "专项检查的实施单位")?;
        if self.ends_on < self.starts_on {
            return Err(invalid("实施期间", "截止日期早于起始日期"));
        }
        if (self.ends_on - self.starts_on).num_days() >= MAX_DAYS {
            return Err(invalid("实施期间", "不超过一年"));
        }
        Ok(CampaignDraft {
            title,
            scope,
            industries,
            unit_ids,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        })
    }
}

impl CampaignPlan {
    /// Approves the plan (once): the approval is final, the plan is not changed after it.
    pub fn approve(
        &self,
        by: &Actor,
        document: &str,
        at: DateTime<Utc>,
    ) -> Result<CampaignPlan, DomainError> {
        if self.approval.is_some() {
            return Err(DomainError::WrongStatus {
                status: "已批准",
                action: "批准专项检查计划",
            });
        }
        let document = required_text(document, "批准文件")?;
        if document.chars().count() > 100 {
            return Err(DomainError::InvalidValue {
                field: "批准文件",
                reason: "不超过 100 字".into(),
            });
        }
        Ok(CampaignPlan {
            approval: Some(CampaignApproval {
                approved_by: by.clone(),
                document,
                approved_at: at,
            }),
            ..self.clone()
        })
    }

    /// 已批准 / 待批准.
    pub fn status_label(&self) -> &'static str {
        if self.approval.is_some() {
            "已批准"
        } else {
            "待批准"
        }
    }
}

/// Whether `insp` (started on `day`, China time) may be carried out under the campaign it
/// names: `plan` is the plan found under that id (none: not found or not visible).
pub fn check_inspection(
    insp: &Inspection,
    site: &Site,
    plan: Option<&CampaignPlan>,
    day: NaiveDate,
) -> Result<(), DomainError> {
    let Some(id) = insp.campaign_id.as_deref() else {
        return Ok(());
    };
    let refuse = |reason: String| Err(DomainError::NotQualified(reason));
    let Some(plan) = plan.filter(|p| p.id == id) else {
        return refuse(format!("未找到专项检查计划 {id}，不能开展专项检查"));
    };
    let title = &plan.draft.title;
    if plan.approval.is_none() {
        return refuse(format!(
            "专项检查计划“{title}”尚未经县人民政府批准，不能开展专项检查"
        ));
    }
    if insp.activity != Some(FieldActivity::AdministrativeInspection) {
        return refuse("专项检查须由执法人员以行政检查开展".into());
    }
    if day < plan.draft.starts_on || day > plan.draft.ends_on {
        return refuse(format!(
            "不在专项检查计划“{title}”的实施期间（{} 至 {}）",
            plan.draft.starts_on, plan.draft.ends_on
        ));
    }
    if !plan.draft.industries.contains(&site.industry) {
        return refuse(format!("该场所的行业不在专项检查计划“{title}”的范围内"));
    }
    if !plan.draft.unit_ids.contains(&insp.leader.unit_id) {
        return refuse(format!("本单位不是专项检查计划“{title}”的实施单位"));
    }
    Ok(())
}
