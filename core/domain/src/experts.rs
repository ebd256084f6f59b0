//! 专家库: the county's pool of safety experts, kept current by 县安委办 (the notice: 实时更新县级
//! 专家库人员名单, the list printed as its annex). An entry may be linked to the expert's own
//! account, through which the expert joins assessments under a department's engagement.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::checklist::Industry;
use crate::{required_text, DomainError};

/// Bounds on one entry (outside input).
pub const MAX_TEXT: usize = 200;
pub const MAX_INDUSTRIES: usize = 21;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Expert {
    /// Empty: the server assigns one.
    #[serde(default)]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub name: String,
    /// 工作单位.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub employer: String,
    /// 职称（职务）, e.g. 高级工程师.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub title: String,
    /// 专业特长, e.g. 危险化学品储存、工艺安全.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub specialty: String,
    /// 行业领域 (checklist codes).
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Vec<crate::checklist::Industry>, min_items = 1)
    )]
    pub industries: Vec<String>,
    /// 联系电话: 7 to 15 digits.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^(\D*\d){7,15}\D*$"))]
    pub phone: String,
    /// 聘期: available from, until (none: open-ended).
    pub available_from: NaiveDate,
    #[serde(default)]
    pub available_until: Option<NaiveDate>,
    /// The expert's own account (person id), if they have one.
    #[serde(default)]
    pub person_id: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Set by the server when 县安委办 retires the entry (出库), with the reason.
    #[serde(default)]
    pub retired_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub retired_reason: Option<String>,
    /// Set by the server.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

fn bounded(value: &str, field: &'static str) -> Result<(), DomainError> {
    if value.chars().count() > MAX_TEXT {
        return Err(DomainError::InvalidValue {
            field,
            reason: format!("不超过 {MAX_TEXT} 字"),
        });
    }
    Ok(())
}

impl Expert {
    pub fn validate(&self) -> Result<(), DomainError> {
        for (v, f) in [
            (&self.name, "专家姓名"),
            (&self.employer, "工作单位"),
            (&self.title, "职称（职务）"),
            (&self.specialty, "专业特长"),
        ] {
            required_text(v, f)?;
            bounded(v, f)?;
        }
        if let Some(n) = &self.note {
            bounded(n, "备注")?;
        }
        if self.industries.is_empty() {
            return Err(DomainError::MissingField("行业领域"));
        }
        if self.industries.len() > MAX_INDUSTRIES {
            return Err(DomainError::InvalidValue {
                field: "行业领域",
                reason: "重复或过多".into(),
            });
        }
        for i in &self.industries {
            Industry::from_code(i)?;
        }
        let digits = self.phone.chars().filter(char::is_ascii_digit).count();
        if !(7..=15).contains(&digits) || self.phone.chars().count() > 30 {
            return Err(DomainError::InvalidValue {
                field: "联系电话",
                reason: "须为 7 至 15 位数字".into(),
            });
        }
        if self
            .available_until
            .is_some_and(|u| u < self.available_from)
        {
            return Err(DomainError::InvalidValue {
                field: "聘期",
                reason: "结束日期早于开始日期".into(),
            });
        }
        Ok(())
    }

    /// In the pool (not retired) and within the appointment on `day`.
    pub fn available_on(&self, day: NaiveDate) -> bool {
        self.retired_at.is_none()
            && self.available_from <= day
            && self.available_until.is_none_or(|u| day <= u)
    }

    /// Available for the whole of a period (an engagement's).
    pub fn available_for(&self, start: NaiveDate, end: NaiveDate) -> bool {
        self.retired_at.is_none()
            && self.available_from <= start
            && self.available_until.is_none_or(|u| end <= u)
    }

    /// 在库 / 已出库 / 聘期未到 / 聘期已满, on `day`.
    pub fn status_label(&self, day: NaiveDate) -> &'static str {
        if self.retired_at.is_some() {
            "已出库"
        } else if day < self.available_from {
            "聘期未到"
        } else if self.available_until.is_some_and(|u| u < day) {
            "聘期已满"
        } else {
            "在库"
        }
    }

    /// The industries by name, joined for a sheet (城镇燃气、危险化学品).
    pub fn industry_names(&self) -> String {
        self.industries
            .iter()
            .map(|c| {
                Industry::from_code(c).map_or(c.clone(), |i| {
                    crate::checklist::compiled_for(i).name.clone()
                })
            })
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// The annex's columns, in its order.
pub const ANNEX_COLUMNS: [&str; 9] = [
    "序号",
    "姓名",
    "工作单位",
    "职称（职务）",
    "专业特长",
    "行业领域",
    "联系电话",
    "聘期",
    "状态",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn expert() -> Expert {
        Expert {
            id: "x1".into(),
            name: "杨帆".into(),
            employer: "重庆化工职业学院".into(),
            title: "高级工程师".into(),
            specialty: "危险化学品储存与工艺安全".into(),
            industries: vec!["hazchem".into(), "industrial".into()],
            phone: "138-2330-1234".into(),
            available_from: d("2026-01-01"),
            available_until: Some(d("2027-12-31")),
            person_id: Some("person-expert".into()),
            note: None,
            retired_at: None,
            retired_reason: None,
            updated_at: None,
        }
    }

    #[test]
    fn an_entry_is_checked_and_its_appointment_decides_availability() {
        let e = expert();
        assert!(e.validate().is_ok());
        assert_eq!(e.industry_names(), "危险化学品、工贸（粉尘涉爆等）");
        assert!(e.available_on(d("2026-06-01")));
        assert!(!e.available_on(d("2028-01-01")));
        assert_eq!(e.status_label(d("2028-01-01")), "聘期已满");
        assert_eq!(e.status_label(d("2025-12-01")), "聘期未到");
        assert!(e.available_for(d("2026-03-01"), d("2026-12-31")));
        assert!(!e.available_for(d("2027-03-01"), d("2028-02-01")));
        let mut retired = e.clone();
        retired.retired_at = Some(Utc::now());
        assert!(!retired.available_on(d("2026-06-01")));
        assert_eq!(retired.status_label(d("2026-06-01")), "已出库");
        let mut bad = expert();
        bad.phone = "12".into();
        assert!(bad.validate().unwrap_err().to_string().contains("联系电话"));
        let mut bad = expert();
        bad.specialty = " ".into();
        assert!(bad.validate().unwrap_err().to_string().contains("专业特长"));
        let mut bad = expert();
        bad.available_until = Some(d("2025-01-01"));
        assert!(bad.validate().unwrap_err().to_string().contains("聘期"));
    }
}
