//! 自评 (month end): the county's scored indicators, my unit's self-assessment per indicator,
//! and the ones sent before.

use super::*;
use anjian_domain::assessment::{IndicatorSet, SelfAssessment, SelfItem};

/// One indicator a unit scores itself on (deductions are the office's and not listed).
#[derive(Debug, Clone, uniffi::Record)]
pub struct IndicatorItem {
    pub id: String,
    pub label: String,
    /// Full points.
    pub weight: f64,
}

/// The unit's score and note for one indicator, as the app fills it in.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SelfScoreInput {
    pub indicator_id: String,
    pub score: f64,
    pub note: Option<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SelfScoreItem {
    pub indicator_id: String,
    pub label: String,
    pub weight: f64,
    pub score: f64,
    pub note: Option<String>,
}

/// A self-assessment sent (or waiting to be sent) for a month.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SelfAssessmentItem {
    pub id: String,
    /// YYYY-MM
    pub month: String,
    pub total: f64,
    pub summary: String,
    pub items: Vec<SelfScoreItem>,
    pub submitted_at: SystemTime,
}

fn scored() -> impl Iterator<Item = &'static anjian_domain::assessment::Indicator> {
    IndicatorSet::standard()
        .indicators
        .iter()
        .filter(|i| !i.metric.is_deduction())
}

impl From<SelfAssessment> for SelfAssessmentItem {
    fn from(s: SelfAssessment) -> Self {
        let items = s
            .items
            .iter()
            .map(|i| {
                let ind = IndicatorSet::standard()
                    .indicators
                    .iter()
                    .find(|x| x.id == i.indicator_id);
                SelfScoreItem {
                    indicator_id: i.indicator_id.clone(),
                    label: ind.map_or_else(|| i.indicator_id.clone(), |x| x.label.clone()),
                    weight: ind.map_or(0.0, |x| x.weight),
                    score: i.score,
                    note: i.note.clone(),
                }
            })
            .collect();
        SelfAssessmentItem {
            total: s.total(),
            id: s.id,
            month: s.month.to_string(),
            summary: s.summary,
            items,
            submitted_at: s.submitted_at.into(),
        }
    }
}

/// The indicators a unit scores itself on, in the county's order.
#[uniffi::export]
pub fn self_assessment_indicators() -> Vec<IndicatorItem> {
    scored()
        .map(|i| IndicatorItem {
            id: i.id.clone(),
            label: i.label.clone(),
            weight: i.weight,
        })
        .collect()
}

#[uniffi::export]
impl AnjianStore {
    /// Sends my unit's self-assessment of `month` (YYYY-MM), one score per indicator of
    /// [`self_assessment_indicators`]; refused with the reason (an indicator missing, a score
    /// over its weight, no summary) and nothing queued.
    pub fn record_self_assessment(
        &self,
        month: String,
        items: Vec<SelfScoreInput>,
        summary: String,
    ) -> FfiResult<SelfAssessmentItem> {
        let month: YearMonth = month.parse().map_err(StoreError::from)?;
        let items = items
            .into_iter()
            .map(|i| SelfItem {
                indicator_id: i.indicator_id,
                score: i.score,
                note: i.note.filter(|n| !n.trim().is_empty()),
            })
            .collect();
        Ok(self
            .inner
            .record_self_assessment(month, items, &summary)?
            .into())
    }

    /// My unit's self-assessments known on this phone, newest month first.
    pub fn my_unit_self_assessments(&self) -> FfiResult<Vec<SelfAssessmentItem>> {
        let me = self.inner.actor()?;
        Ok(self
            .inner
            .unit_self_assessments(&me.unit_id)?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::fixtures::phone as store;

    fn full_marks_but_one() -> Vec<SelfScoreInput> {
        self_assessment_indicators()
            .into_iter()
            .enumerate()
            .map(|(n, i)| SelfScoreInput {
                score: if n == 0 { i.weight - 2.0 } else { i.weight },
                note: (n == 0).then(|| "两处隐患逾期整改".to_string()),
                indicator_id: i.id,
            })
            .collect()
    }

    #[test]
    fn a_unit_head_sends_a_self_assessment_per_indicator() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path(), &[Role::UnitHead]);
        let indicators = self_assessment_indicators();
        assert!(indicators.len() >= 3);
        let full: f64 = indicators.iter().map(|i| i.weight).sum();

        let sent = s
            .record_self_assessment(
                "2026-11".into(),
                full_marks_but_one(),
                "本月完成五查四改各项工作".into(),
            )
            .unwrap();
        assert_eq!(sent.month, "2026-11");
        assert!((sent.total - (full - 2.0)).abs() < 1e-9, "{}", sent.total);
        assert_eq!(sent.items[0].label, indicators[0].label);
        assert_eq!(sent.items[0].note.as_deref(), Some("两处隐患逾期整改"));
        assert_eq!(s.pending_changes().unwrap(), 1);

        let mine = s.my_unit_self_assessments().unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].id, sent.id);
    }

    #[test]
    fn a_bad_self_assessment_is_refused_in_chinese_and_nothing_is_queued() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path(), &[Role::UnitHead]);
        let mut missing = full_marks_but_one();
        missing.pop();
        let err = s
            .record_self_assessment("2026-11".into(), missing, "本月情况".into())
            .unwrap_err()
            .to_string();
        assert!(err.contains("须逐项打分"), "{err}");

        let mut over = full_marks_but_one();
        over[0].score = 1000.0;
        let err = s
            .record_self_assessment("2026-11".into(), over, "本月情况".into())
            .unwrap_err()
            .to_string();
        assert!(err.contains("之间"), "{err}");

        let err = s
            .record_self_assessment("2026-13".into(), full_marks_but_one(), "本月情况".into())
            .unwrap_err()
            .to_string();
        assert!(!err.is_empty());
        let err = s
            .record_self_assessment("2026-11".into(), full_marks_but_one(), "  ".into())
            .unwrap_err()
            .to_string();
        assert!(err.contains("自评情况"), "{err}");

        // A site's contact keeps no unit records.
        let other = tempfile::tempdir().unwrap();
        let contact = store(other.path(), &[Role::SiteContact]);
        assert!(contact
            .record_self_assessment("2026-11".into(), full_marks_but_one(), "本月情况".into())
            .is_err());
        assert_eq!(s.pending_changes().unwrap(), 0);
        assert!(s.my_unit_self_assessments().unwrap().is_empty());
    }
}
