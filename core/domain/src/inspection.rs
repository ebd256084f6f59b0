//! 五查: inspections of the five kinds, worked through a checklist.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::checklist::{self, Checklist, ChecklistItem};
use crate::enforcement::FieldActivity;
use crate::org::Actor;
use crate::{required_text, DomainError};

/// The five kinds of inspection of the notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum InspectionKind {
    /// 县领导带队实地督查
    LeaderSupervision,
    /// 部门和乡镇常态化排查
    RoutineCheck,
    /// 暗访巡查: unannounced; secret from the visited units until the visit is recorded.
    UnannouncedPatrol,
    /// 督查办随机抽查
    RandomCheck,
    /// 专业机构评估检查
    ProfessionalAssessment,
}

impl InspectionKind {
    pub const ALL: [InspectionKind; 5] = [
        InspectionKind::LeaderSupervision,
        InspectionKind::RoutineCheck,
        InspectionKind::UnannouncedPatrol,
        InspectionKind::RandomCheck,
        InspectionKind::ProfessionalAssessment,
    ];

    pub fn label(self) -> &'static str {
        match self {
            InspectionKind::LeaderSupervision => "督查",
            InspectionKind::RoutineCheck => "排查",
            InspectionKind::UnannouncedPatrol => "暗访",
            InspectionKind::RandomCheck => "抽查",
            InspectionKind::ProfessionalAssessment => "专业评估",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            InspectionKind::LeaderSupervision => "leader_supervision",
            InspectionKind::RoutineCheck => "routine_check",
            InspectionKind::UnannouncedPatrol => "unannounced_patrol",
            InspectionKind::RandomCheck => "random_check",
            InspectionKind::ProfessionalAssessment => "professional_assessment",
        }
    }

    pub fn from_code(code: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or_else(|| DomainError::InvalidValue {
                field: "检查类型",
                reason: format!("未知检查类型 {code}"),
            })
    }
}

/// The result of one checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ItemOutcome {
    /// 合格
    Pass,
    /// 不合格
    Fail,
    /// 不适用
    NotApplicable,
}

impl ItemOutcome {
    pub fn label(self) -> &'static str {
        match self {
            ItemOutcome::Pass => "合格",
            ItemOutcome::Fail => "不合格",
            ItemOutcome::NotApplicable => "不适用",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ItemOutcome::Pass => "pass",
            ItemOutcome::Fail => "fail",
            ItemOutcome::NotApplicable => "not_applicable",
        }
    }

    pub fn from_code(code: &str) -> Result<Self, DomainError> {
        [
            ItemOutcome::Pass,
            ItemOutcome::Fail,
            ItemOutcome::NotApplicable,
        ]
        .into_iter()
        .find(|o| o.code() == code)
        .ok_or_else(|| DomainError::InvalidValue {
            field: "检查结果",
            reason: format!("未知结果 {code}"),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemResult {
    pub outcome: ItemOutcome,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// One inspection of a site, by a leader with participants, against one checklist version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inspection {
    pub id: String,
    pub kind: InspectionKind,
    pub site_id: String,
    pub industry: checklist::Industry,
    pub checklist_version: String,
    pub leader: Actor,
    /// Names of the other members of the team.
    pub participants: Vec<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub results: BTreeMap<String, ItemResult>,
    /// Its legal nature; records from before it was kept have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<FieldActivity>,
    /// A 行政检查's enforcement body, in whose name it is made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_name_of: Option<String>,
    /// The leader's enforcement certificate shown (亮证).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_number: Option<String>,
    /// A 行政检查's other officers with their certificates, resolved from `participants`
    /// (`crate::team`); set by the phone and again by the server.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub officers: Vec<crate::team::TeamOfficer>,
    /// A joint inspection (联合检查): the other enforcement bodies taking part (unit ids). It
    /// is one visit to the enterprise, counted once for each body.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joint_unit_ids: Vec<String>,
    /// A 技术服务 assessment: the engagement (委托) it was made under, set by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagement_id: Option<String>,
    /// The engaging department its findings are referred to, set by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commissioned_by: Option<String>,
    /// A 专项检查: the approved campaign plan it is carried out under (`crate::campaign`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<String>,
    /// The 投诉举报 (a complaint left through the site's code, handed over to the body) this
    /// 行政检查 answers: its 任务来源 (`complaint::check_inspection`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint_id: Option<String>,
    /// When the server received it, and its 时间存疑 flags (set by the server only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<crate::received::Receipt>,
}

impl Inspection {
    pub fn start(
        id: String,
        kind: InspectionKind,
        site_id: &str,
        list: &Checklist,
        leader: Actor,
        participants: Vec<String>,
        at: DateTime<Utc>,
    ) -> Result<Inspection, DomainError> {
        let site_id = required_text(site_id, "检查场所")?;
        let participants = participants
            .into_iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        Ok(Inspection {
            received: None,
            id,
            kind,
            site_id,
            industry: list.industry,
            checklist_version: list.version.clone(),
            leader,
            participants,
            started_at: at,
            finished_at: None,
            results: BTreeMap::new(),
            activity: None,
            in_name_of: None,
            certificate_number: None,
            officers: Vec::new(),
            joint_unit_ids: Vec::new(),
            engagement_id: None,
            commissioned_by: None,
            campaign_id: None,
            complaint_id: None,
        })
    }

    /// Each method that reads items takes the checklist version the inspection was made with,
    /// as its store or server resolves it (`ChecklistRegistry::for_inspection`).
    fn assert_list(&self, list: &Checklist) {
        debug_assert_eq!(
            list.industry, self.industry,
            "checklist of another industry"
        );
    }

    /// Records (or corrects) the result of one item. A failed item needs a note saying what
    /// was found.
    pub fn record<'l>(
        &mut self,
        list: &'l Checklist,
        item_id: &str,
        outcome: ItemOutcome,
        note: Option<String>,
        at: DateTime<Utc>,
    ) -> Result<&'l ChecklistItem, DomainError> {
        self.assert_list(list);
        if self.finished_at.is_some() {
            return Err(DomainError::InspectionFinished);
        }
        let item = list.item(item_id)?;
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if outcome == ItemOutcome::Fail && note.is_none() {
            return Err(DomainError::MissingField("不合格项的问题描述"));
        }
        self.results.insert(
            item.id.clone(),
            ItemResult {
                outcome,
                note,
                recorded_at: at,
            },
        );
        Ok(item)
    }

    pub fn unanswered(&self, list: &Checklist) -> usize {
        self.assert_list(list);
        list.items
            .iter()
            .filter(|i| !self.results.contains_key(&i.id))
            .count()
    }

    /// Finishes the inspection; every item must have a result (不适用 counts).
    pub fn finish(&mut self, list: &Checklist, at: DateTime<Utc>) -> Result<(), DomainError> {
        if self.finished_at.is_some() {
            return Err(DomainError::InspectionFinished);
        }
        let missing = self.unanswered(list);
        if missing > 0 {
            return Err(DomainError::InspectionIncomplete(missing));
        }
        self.finished_at = Some(at);
        Ok(())
    }

    /// The items this inspection asks at a site with these attributes (see
    /// [`Checklist::applicable_items`]): the unconditional items, the conditional ones whose
    /// attribute the site has, and any conditional item already answered otherwise than 不适用.
    /// A site without attributes sees the unconditional items.
    pub fn applicable_items<'l>(
        &self,
        list: &'l Checklist,
        site_attributes: &[String],
    ) -> Vec<&'l ChecklistItem> {
        self.assert_list(list);
        list.items
            .iter()
            .filter(|i| {
                i.applies_to(site_attributes)
                    || self
                        .results
                        .get(&i.id)
                        .is_some_and(|r| r.outcome != ItemOutcome::NotApplicable)
            })
            .collect()
    }

    /// Applicable items still without a result.
    pub fn unanswered_at_site(&self, list: &Checklist, site_attributes: &[String]) -> usize {
        self.applicable_items(list, site_attributes)
            .iter()
            .filter(|i| !self.results.contains_key(&i.id))
            .count()
    }

    /// Finishes an inspection of a site with these attributes: every applicable item must
    /// have a result; the items that do not apply are recorded as 不适用 with the reason (so
    /// the record stays complete for readers that know nothing of site attributes).
    pub fn finish_at_site(
        &mut self,
        list: &Checklist,
        site_attributes: &[String],
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        if self.finished_at.is_some() {
            return Err(DomainError::InspectionFinished);
        }
        list.check_attributes(site_attributes)?;
        let missing = self.unanswered_at_site(list, site_attributes);
        if missing > 0 {
            return Err(DomainError::InspectionIncomplete(missing));
        }
        for item in &list.items {
            if self.results.contains_key(&item.id) {
                continue;
            }
            let condition = item
                .applies_if
                .as_deref()
                .and_then(|c| list.condition(c))
                .map(|c| c.label.as_str())
                .unwrap_or("适用条件");
            self.results.insert(
                item.id.clone(),
                ItemResult {
                    outcome: ItemOutcome::NotApplicable,
                    note: Some(format!("场所不涉及“{condition}”")),
                    recorded_at: at,
                },
            );
        }
        self.finish(list, at)
    }

    /// The inspection's score at a site with these attributes: only the applicable items
    /// count, and 不适用 answers count neither way.
    pub fn score(&self, list: &Checklist, site_attributes: &[String]) -> InspectionScore {
        let mut score = InspectionScore::default();
        for item in self.applicable_items(list, site_attributes) {
            score.applicable += 1;
            match self.results.get(&item.id).map(|r| r.outcome) {
                Some(ItemOutcome::Pass) => score.passed += 1,
                Some(ItemOutcome::Fail) => {
                    score.failed += 1;
                    if item.major {
                        score.major_failed += 1;
                    }
                }
                Some(ItemOutcome::NotApplicable) => score.not_applicable += 1,
                None => score.unanswered += 1,
            }
        }
        score
    }

    /// The failed items, in checklist order.
    pub fn failed_items<'l>(&self, list: &'l Checklist) -> Vec<(&'l ChecklistItem, &ItemResult)> {
        self.assert_list(list);
        list.items
            .iter()
            .filter_map(|i| {
                self.results
                    .get(&i.id)
                    .filter(|r| r.outcome == ItemOutcome::Fail)
                    .map(|r| (i, r))
            })
            .collect()
    }
}

/// Counts over the applicable items of one inspection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionScore {
    pub applicable: usize,
    pub passed: usize,
    pub failed: usize,
    pub major_failed: usize,
    pub not_applicable: usize,
    pub unanswered: usize,
}

impl InspectionScore {
    /// 合格率 in percent over the items judged (passed + failed); `None` when none was.
    pub fn pass_rate(&self) -> Option<f64> {
        let judged = self.passed + self.failed;
        (judged > 0).then(|| self.passed as f64 * 100.0 / judged as f64)
    }
}

/// A 行政检查 by an inspector of `unit` at site `s1` with `industry`'s checklist (unit tests of
/// the rules that read an inspection's body, activity and team).
#[cfg(test)]
pub(crate) fn administrative_for_test(
    unit: &str,
    industry: crate::checklist::Industry,
) -> Inspection {
    let mut i = Inspection::start(
        "i1".into(),
        InspectionKind::RoutineCheck,
        "s1",
        crate::checklist::compiled_for(industry),
        crate::org::Actor {
            person_id: "p".into(),
            name: "马骏".into(),
            unit_id: unit.into(),
            roles: vec![crate::org::Role::Inspector],
        },
        vec![],
        chrono::Utc::now(),
    )
    .unwrap();
    i.activity = Some(crate::enforcement::FieldActivity::AdministrativeInspection);
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::Industry;
    use crate::org::Role;

    fn leader() -> Actor {
        Actor {
            person_id: "p1".into(),
            name: "张明".into(),
            unit_id: "u1".into(),
            roles: vec![Role::UnitDeputyHead],
        }
    }

    #[test]
    fn failed_item_needs_a_note_and_unknown_item_is_refused() {
        let now = Utc::now();
        let list = checklist::compiled_for(Industry::Gas);
        let mut insp = Inspection::start(
            "i1".into(),
            InspectionKind::RoutineCheck,
            "s1",
            list,
            leader(),
            vec!["李华".into(), " ".into()],
            now,
        )
        .unwrap();
        assert_eq!(insp.participants, vec!["李华".to_string()]);
        assert_eq!(
            insp.record(list, "GAS-001", ItemOutcome::Fail, Some("  ".into()), now),
            Err(DomainError::MissingField("不合格项的问题描述"))
        );
        assert!(matches!(
            insp.record(list, "FIR-001", ItemOutcome::Pass, None, now),
            Err(DomainError::UnknownChecklistItem { .. })
        ));
        assert!(insp.results.is_empty());
    }

    #[test]
    fn finishing_requires_every_item_and_freezes_the_results() {
        let now = Utc::now();
        let list = checklist::compiled_for(Industry::Fire);
        let mut insp = Inspection::start(
            "i1".into(),
            InspectionKind::UnannouncedPatrol,
            "s1",
            list,
            leader(),
            vec![],
            now,
        )
        .unwrap();
        let total = list.items.len();
        insp.record(
            list,
            "FIR-001",
            ItemOutcome::Fail,
            Some("安全出口上锁".into()),
            now,
        )
        .unwrap();
        assert_eq!(
            insp.finish(list, now),
            Err(DomainError::InspectionIncomplete(total - 1))
        );
        let ids: Vec<String> = list.items.iter().map(|i| i.id.clone()).collect();
        for id in ids.iter().skip(1) {
            insp.record(list, id, ItemOutcome::NotApplicable, None, now)
                .unwrap();
        }
        insp.finish(list, now).unwrap();
        assert_eq!(insp.failed_items(list).len(), 1);
        assert_eq!(
            insp.record(list, "FIR-002", ItemOutcome::Pass, None, now),
            Err(DomainError::InspectionFinished)
        );
    }

    #[test]
    fn an_inspection_asks_and_scores_only_the_items_that_apply_to_the_site() {
        let now = Utc::now();
        let list = checklist::compiled_for(Industry::Industrial);
        let start = || {
            Inspection::start(
                "i1".into(),
                InspectionKind::RoutineCheck,
                "s1",
                list,
                leader(),
                vec![],
                now,
            )
            .unwrap()
        };
        let ammonia = vec!["liquid_ammonia".to_string()];
        let mut plain = start();
        let all = list.items.len();
        let asked = plain.applicable_items(list, &[]);
        assert!(asked.len() < all);
        assert!(asked.iter().all(|i| i.applies_if.is_none()));
        let with_ammonia = plain.applicable_items(list, &ammonia);
        assert!(with_ammonia.iter().any(|i| i.id == "IND-012"));
        assert_eq!(plain.unanswered_at_site(list, &[]), asked.len());

        // A site without attributes: answering the unconditional items is enough; the rest
        // are recorded as 不适用 with the reason and do not count in the score.
        let ids: Vec<String> = asked.iter().map(|i| i.id.clone()).collect();
        for (n, id) in ids.iter().enumerate() {
            let (outcome, note) = if n == 0 {
                (ItemOutcome::Fail, Some("未签订安全管理协议".to_string()))
            } else {
                (ItemOutcome::Pass, None)
            };
            plain.record(list, id, outcome, note, now).unwrap();
        }
        assert_eq!(
            plain
                .finish_at_site(list, &["bakery".into()], now)
                .unwrap_err()
                .to_string(),
            "场所属性无效：工贸（粉尘涉爆等） 的检查表没有场所属性 bakery"
        );
        plain.finish_at_site(list, &[], now).unwrap();
        assert_eq!(
            plain.unanswered(list),
            0,
            "the record is complete for old readers"
        );
        assert_eq!(
            plain.results["IND-012"].note.as_deref(),
            Some("场所不涉及“使用液氨制冷”")
        );
        let score = plain.score(list, &[]);
        assert_eq!(score.applicable, ids.len());
        assert_eq!((score.failed, score.major_failed), (1, 1));
        assert_eq!(score.passed, ids.len() - 1);
        assert_eq!(score.unanswered, 0);

        // A site using liquid ammonia must answer the ammonia items too.
        let mut cold = start();
        for id in &ids {
            cold.record(list, id, ItemOutcome::Pass, None, now).unwrap();
        }
        let missing = with_ammonia.len() - ids.len();
        assert_eq!(
            cold.finish_at_site(list, &ammonia, now),
            Err(DomainError::InspectionIncomplete(missing))
        );
        assert_eq!(cold.score(list, &ammonia).unanswered, missing);
        assert_eq!(cold.score(list, &ammonia).pass_rate(), Some(100.0));
    }
}
