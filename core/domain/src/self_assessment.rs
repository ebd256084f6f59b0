//! 自评: a township's or department's own monthly assessment, sent to 县安委办 at month end —
//! a score and a note per indicator of the county's indicator set (not one total), so the
//! office reads its own score and the unit's side by side, indicator by indicator.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::assessment::IndicatorSet;
use crate::month::YearMonth;
use crate::{required_text, DomainError};

/// Longest note per indicator.
pub const MAX_NOTE: usize = 500;

/// The unit's score and note for one indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SelfItem {
    /// An indicator id of `core/domain/data/assessment_indicators.toml`.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub indicator_id: String,
    /// 0 to the indicator's weight.
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0))]
    pub score: f64,
    /// What the unit did (or why points are missing).
    #[serde(default)]
    pub note: Option<String>,
}

/// A unit's own monthly assessment (自评), sent to 县安委办.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SelfAssessment {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub unit_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^\s*(20[0-9]{2}|2100)-(0?[1-9]|1[0-2])\s*$", example = "2026-11"))]
    pub month: YearMonth,
    /// The total: the sum of `items` (the server computes it).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0, maximum = 100.0))]
    pub score: f64,
    /// One per scored indicator of the county's set (deductions are the office's).
    #[serde(default)]
    pub items: Vec<SelfItem>,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub summary: String,
    /// Who and when are the server's (the month-end submission's time).
    #[serde(default)]
    pub submitted_by: String,
    #[serde(default)]
    pub submitted_at: DateTime<Utc>,
    #[serde(default)]
    pub evidence: Vec<String>,
}

fn invalid(field: &'static str, reason: String) -> DomainError {
    DomainError::InvalidValue { field, reason }
}

impl SelfAssessment {
    /// Each scored indicator once, within its weight; the total is their sum.
    pub fn validate(&self, set: &IndicatorSet) -> Result<(), DomainError> {
        required_text(&self.unit_id, "自评单位")?;
        required_text(&self.summary, "自评情况")?;
        for item in &self.items {
            let Some(ind) = set.indicators.iter().find(|i| i.id == item.indicator_id) else {
                return Err(invalid(
                    "自评指标",
                    format!("没有指标 {}", item.indicator_id),
                ));
            };
            if ind.metric.is_deduction() {
                return Err(invalid(
                    "自评指标",
                    format!("“{}”由县安委办核定，不自评", ind.label),
                ));
            }
            if !item.score.is_finite() || item.score < 0.0 || item.score > ind.weight {
                return Err(invalid(
                    "自评得分",
                    format!("“{}”须在 0 至 {} 之间", ind.label, ind.weight),
                ));
            }
            if item
                .note
                .as_ref()
                .is_some_and(|n| n.chars().count() > MAX_NOTE)
            {
                return Err(invalid(
                    "自评说明",
                    format!("“{}”不超过 {MAX_NOTE} 字", ind.label),
                ));
            }
            if self
                .items
                .iter()
                .filter(|i| i.indicator_id == item.indicator_id)
                .count()
                > 1
            {
                return Err(invalid("自评指标", format!("“{}”重复", ind.label)));
            }
        }
        let missing: Vec<&str> = set
            .indicators
            .iter()
            .filter(|i| !i.metric.is_deduction())
            .filter(|i| !self.items.iter().any(|x| x.indicator_id == i.id))
            .map(|i| i.label.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(invalid(
                "自评",
                format!("须逐项打分，尚缺：{}", missing.join("、")),
            ));
        }
        Ok(())
    }

    /// The total of the items (two decimals), as the server records it.
    pub fn total(&self) -> f64 {
        (self.items.iter().map(|i| i.score).sum::<f64>() * 100.0).round() / 100.0
    }

    pub fn item(&self, indicator_id: &str) -> Option<&SelfItem> {
        self.items.iter().find(|i| i.indicator_id == indicator_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(set: &IndicatorSet) -> SelfAssessment {
        SelfAssessment {
            id: "sa".into(),
            unit_id: "t1".into(),
            month: "2026-11".parse().unwrap(),
            score: 0.0,
            items: set
                .indicators
                .iter()
                .filter(|i| !i.metric.is_deduction())
                .map(|i| SelfItem {
                    indicator_id: i.id.clone(),
                    score: i.weight - 1.0,
                    note: Some(format!("{}基本完成", i.label)),
                })
                .collect(),
            summary: "本月工作基本完成".into(),
            submitted_by: String::new(),
            submitted_at: DateTime::<Utc>::default(),
            evidence: vec![],
        }
    }

    #[test]
    fn a_self_assessment_scores_every_indicator_within_its_weight() {
        let set = IndicatorSet::standard();
        let sa = full(set);
        assert!(sa.validate(set).is_ok());
        let n = sa.items.len() as f64;
        assert_eq!(sa.total(), set.total_weight() - n);
        let mut missing = sa.clone();
        missing.items.remove(0);
        let e = missing.validate(set).unwrap_err().to_string();
        assert!(e.contains("须逐项打分，尚缺：履职纪实完成情况"), "{e}");
        let mut over = sa.clone();
        over.items[0].score = 99.0;
        assert!(over
            .validate(set)
            .unwrap_err()
            .to_string()
            .contains("须在 0 至"));
        let mut twice = sa.clone();
        twice.items.push(twice.items[0].clone());
        assert!(twice
            .validate(set)
            .unwrap_err()
            .to_string()
            .contains("重复"));
        let mut unknown = sa.clone();
        unknown.items[0].indicator_id = "nope".into();
        assert!(unknown
            .validate(set)
            .unwrap_err()
            .to_string()
            .contains("没有指标"));
        if let Some(d) = set.indicators.iter().find(|i| i.metric.is_deduction()) {
            let mut deduction = sa.clone();
            deduction.items.push(SelfItem {
                indicator_id: d.id.clone(),
                score: 0.0,
                note: None,
            });
            let e = deduction.validate(set).unwrap_err().to_string();
            assert!(e.contains("由县安委办核定"), "{e}");
        }
    }
}
