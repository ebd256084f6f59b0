//! Who may do what: one table of role × act × reach, checked by the server's one apply path
//! before any rule of the workflow, and by the phone before it queues an operation (so the
//! app offers only what the person may do). A refusal names the act and the role, never the
//! record: it reveals nothing the caller may not read.

use serde::Serialize;

use crate::access;
use crate::enforcement::{activities_for, FieldActivity, Officer, OFFICER_ROLES};
use crate::hazard::{Hazard, HazardAction};
use crate::inspection::InspectionKind;
use crate::org::{Actor, Role};
use crate::site::Site;
use crate::DomainError;

/// What someone wants to do, at the grain the policy decides on. The app asks which of
/// [`Act::ON_HAZARD`] it may offer on a hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum Act {
    CreateSite,
    /// Correct a site's contact, address, position or attributes.
    EditSite,
    /// One of the notice's 五查 (who the notice asks to do it).
    Inspect(InspectionKind),
    /// A field activity by its legal nature (who the law lets do it): both must allow a visit.
    InspectAs(FieldActivity),
    /// Record items of, or finish, an inspection.
    RecordFindings,
    RaiseHazard,
    Reclassify,
    /// 五落实, 一患一策, 临时防控措施.
    PlanRectification,
    Assign,
    CloseOnSpot,
    /// Start and submit a rectification.
    Rectify,
    /// Verify or reject a submitted rectification.
    Verify,
    /// 受理移交: accept a finding referred to the caller's unit.
    AcceptReferral,
    AttachEvidence,
    /// Meetings, hardware-investment proof, duty reports, self-assessments.
    UnitRecord,
    Accountability,
    /// 委托技术服务: engage a third party or experts for sites of the department.
    Engage,
    /// Keep the county's expert pool (专家库).
    KeepExperts,
    /// 工作任务交办: assign a task, accept or return a unit's proof.
    AssignTask,
    /// Submit a unit's proof of a task assigned to it.
    SubmitTask,
    /// Record a 专项检查 plan.
    RecordCampaignPlan,
    /// Approve a 专项检查 plan (the county government).
    ApproveCampaignPlan,
    /// Set a unit's group chat robot for reminders (钉钉 / 企业微信).
    ConfigureReminders,
    /// Read the reminders' delivery log.
    ReadReminderLog,
    /// Send a complaint or suggestion (投诉建议) in one's own name.
    SendFeedback,
    /// Read and reply to every complaint and suggestion.
    ReplyFeedback,
    /// Hand a 投诉举报 left through a site's code over (交办) to an enforcement body.
    AssignComplaint,
    /// Mark one's own reminder read.
    ReadReminder,
}

impl Act {
    /// The workflow acts on a raised hazard, in the order the app offers them.
    pub const ON_HAZARD: [Act; 8] = [
        Act::Reclassify,
        Act::PlanRectification,
        Act::Assign,
        Act::CloseOnSpot,
        Act::Rectify,
        Act::Verify,
        Act::AcceptReferral,
        Act::AttachEvidence,
    ];

    pub fn for_hazard_action(a: &HazardAction) -> Act {
        match a {
            HazardAction::Reclassify { .. } => Act::Reclassify,
            HazardAction::UpdatePlan { .. }
            | HazardAction::SetHardwarePlan { .. }
            | HazardAction::SetTemporaryMeasures { .. } => Act::PlanRectification,
            HazardAction::Assign { .. } => Act::Assign,
            HazardAction::CloseOnSpot { .. } => Act::CloseOnSpot,
            HazardAction::StartRectification | HazardAction::SubmitRectification { .. } => {
                Act::Rectify
            }
            HazardAction::Verify { .. } | HazardAction::Reject { .. } => Act::Verify,
            HazardAction::AcceptReferral => Act::AcceptReferral,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Act::CreateSite => "登记场所",
            Act::EditSite => "修改场所信息",
            Act::Inspect(InspectionKind::LeaderSupervision) => "开展督查",
            Act::Inspect(InspectionKind::RoutineCheck) => "开展排查",
            Act::Inspect(InspectionKind::UnannouncedPatrol) => "开展暗访巡查",
            Act::Inspect(InspectionKind::RandomCheck) => "开展随机抽查",
            Act::Inspect(InspectionKind::ProfessionalAssessment) => "开展专业评估检查",
            Act::InspectAs(FieldActivity::AdministrativeInspection) => "开展行政检查",
            Act::InspectAs(FieldActivity::WorkSupervision) => "开展督查暗访",
            Act::InspectAs(FieldActivity::PatrolReport) => "开展巡查并报告",
            Act::InspectAs(FieldActivity::TechnicalSupport) => "受委托开展技术服务",
            Act::RecordFindings => "填写检查结果",
            Act::RaiseHazard => "登记隐患",
            Act::Reclassify => "调整隐患等级",
            Act::PlanRectification => "填报整改方案",
            Act::Assign => "交办",
            Act::CloseOnSpot => "即查即改销号",
            Act::Rectify => "整改",
            Act::Verify => "验收",
            Act::AcceptReferral => "受理移交",
            Act::AttachEvidence => "上传证据",
            Act::UnitRecord => "报送本单位记录",
            Act::Accountability => "登记约谈问责",
            Act::Engage => "委托第三方机构或专家",
            Act::KeepExperts => "维护专家库",
            Act::AssignTask => "交办、审核工作任务",
            Act::SubmitTask => "报送任务办理情况",
            Act::RecordCampaignPlan => "登记专项检查计划",
            Act::ApproveCampaignPlan => "批准专项检查计划",
            Act::ConfigureReminders => "配置提醒工作群",
            Act::ReadReminderLog => "查看提醒发送记录",
            Act::SendFeedback => "提交投诉建议",
            Act::ReplyFeedback => "答复投诉建议",
            Act::AssignComplaint => "交办投诉举报",
            Act::ReadReminder => "标记提醒已读",
        }
    }
}

/// How far a grant reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// Anywhere in the county.
    County,
    /// The caller's own unit: its territory (属地) or sector (属事), its hazards and records.
    OwnUnit,
    /// The caller's own enterprise (site contacts).
    OwnSite,
    /// What the caller leads or raised themselves.
    OwnWork,
    /// The sites of a patrol plan the caller is on the team of.
    PatrolPlan,
    /// Sites within the powers of the caller's unit as an enforcement body, with a valid
    /// enforcement certificate of the caller covering the site's industry.
    Enforcement,
    /// Sites of an engagement (委托) of the caller's institution or of the caller as an
    /// expert, within its industries and period.
    Engagement,
    /// Hazards referred (移交) to the caller's unit.
    ReferredToUnit,
}

impl Reach {
    pub fn label(self) -> &'static str {
        match self {
            Reach::County => "全县",
            Reach::OwnUnit => "本单位属地、属事范围",
            Reach::OwnSite => "本企业（场所）",
            Reach::OwnWork => "本人带队或登记的",
            Reach::PatrolPlan => "本人所在暗访组计划内的场所",
            Reach::Enforcement => "本单位执法范围内、持有效执法证",
            Reach::Engagement => "受委托的场所、行业和期限内",
            Reach::ReferredToUnit => "移交本单位的",
        }
    }
}

/// One line of the policy: these roles may do this act within this reach.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Grant {
    pub act: Act,
    pub roles: &'static [Role],
    pub reach: Reach,
}

const COUNTY_LEADERS: &[Role] = &[
    Role::CountyHead,
    Role::CountyDeputyHead,
    Role::CountyOtherLeader,
];
const COUNTY_BODIES: &[Role] = &[
    Role::CountyHead,
    Role::CountyDeputyHead,
    Role::CountyOtherLeader,
    Role::SafetyOfficeStaff,
    Role::SupervisionStaff,
];
const OFFICE: &[Role] = &[Role::SafetyOfficeStaff];
const UNIT_STAFF: &[Role] = &[Role::UnitHead, Role::UnitDeputyHead, Role::Inspector];
const UNIT_FIELD: &[Role] = &[
    Role::UnitHead,
    Role::UnitDeputyHead,
    Role::Inspector,
    Role::PatrolMember,
];
const UNIT_LEADERS: &[Role] = &[Role::UnitHead, Role::UnitDeputyHead];
/// Everyone but the enterprise's own contact (the last role) takes part in inspections.
const INSPECTING: &[Role] = match Role::ALL.split_last() {
    Some((Role::SiteContact, staff)) => staff,
    _ => panic!("Role::ALL must end with SiteContact"),
};
const EVERYONE: &[Role] = &Role::ALL;

use Act::*;
use Reach::*;

const ENGAGED: &[Role] = &[Role::ThirdPartyAssessor, Role::Expert];

/// The policy. A visit to a site needs both an `Inspect` line (the notice's 五查) and an
/// `InspectAs` line (its legal nature, 国办发〔2024〕54号). Third-party assessors work only
/// where a department engages them (委托技术服务).
pub const POLICY: &[Grant] = &[
    Grant {
        act: CreateSite,
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: CreateSite,
        roles: UNIT_STAFF,
        reach: OwnUnit,
    },
    Grant {
        act: EditSite,
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: EditSite,
        roles: UNIT_STAFF,
        reach: OwnUnit,
    },
    Grant {
        act: Inspect(InspectionKind::LeaderSupervision),
        roles: COUNTY_LEADERS,
        reach: County,
    },
    Grant {
        act: Inspect(InspectionKind::LeaderSupervision),
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: Inspect(InspectionKind::RoutineCheck),
        roles: UNIT_FIELD,
        reach: OwnUnit,
    },
    Grant {
        act: Inspect(InspectionKind::UnannouncedPatrol),
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: Inspect(InspectionKind::UnannouncedPatrol),
        roles: &[Role::PatrolMember, Role::UnitHead, Role::UnitDeputyHead],
        reach: OwnUnit,
    },
    Grant {
        act: Inspect(InspectionKind::UnannouncedPatrol),
        roles: &[Role::PatrolMember],
        reach: PatrolPlan,
    },
    Grant {
        act: Inspect(InspectionKind::RandomCheck),
        roles: &[Role::SupervisionStaff],
        reach: County,
    },
    Grant {
        act: Inspect(InspectionKind::RandomCheck),
        roles: COUNTY_LEADERS,
        reach: County,
    },
    Grant {
        act: Inspect(InspectionKind::ProfessionalAssessment),
        roles: UNIT_STAFF,
        reach: OwnUnit,
    },
    Grant {
        act: Inspect(InspectionKind::ProfessionalAssessment),
        roles: &[Role::Expert],
        reach: OwnUnit,
    },
    Grant {
        act: Inspect(InspectionKind::ProfessionalAssessment),
        roles: ENGAGED,
        reach: Engagement,
    },
    Grant {
        act: InspectAs(FieldActivity::AdministrativeInspection),
        roles: OFFICER_ROLES,
        reach: Enforcement,
    },
    Grant {
        act: InspectAs(FieldActivity::WorkSupervision),
        roles: COUNTY_BODIES,
        reach: County,
    },
    Grant {
        act: InspectAs(FieldActivity::PatrolReport),
        roles: &[
            Role::PatrolMember,
            Role::UnitHead,
            Role::UnitDeputyHead,
            Role::Inspector,
        ],
        reach: OwnUnit,
    },
    Grant {
        act: InspectAs(FieldActivity::PatrolReport),
        roles: &[Role::PatrolMember],
        reach: PatrolPlan,
    },
    Grant {
        act: InspectAs(FieldActivity::TechnicalSupport),
        roles: &[Role::Expert],
        reach: OwnUnit,
    },
    Grant {
        act: InspectAs(FieldActivity::TechnicalSupport),
        roles: ENGAGED,
        reach: Engagement,
    },
    Grant {
        act: RecordFindings,
        roles: INSPECTING,
        reach: OwnWork,
    },
    Grant {
        act: RaiseHazard,
        roles: INSPECTING,
        reach: OwnWork,
    },
    Grant {
        act: RaiseHazard,
        roles: COUNTY_BODIES,
        reach: County,
    },
    Grant {
        act: RaiseHazard,
        roles: UNIT_FIELD,
        reach: OwnUnit,
    },
    Grant {
        act: Reclassify,
        roles: COUNTY_BODIES,
        reach: County,
    },
    Grant {
        act: Reclassify,
        roles: UNIT_STAFF,
        reach: OwnUnit,
    },
    Grant {
        act: Reclassify,
        roles: INSPECTING,
        reach: OwnWork,
    },
    Grant {
        act: PlanRectification,
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: PlanRectification,
        roles: UNIT_FIELD,
        reach: OwnUnit,
    },
    Grant {
        act: PlanRectification,
        roles: &[Role::SiteContact],
        reach: OwnSite,
    },
    Grant {
        act: Assign,
        roles: COUNTY_BODIES,
        reach: County,
    },
    Grant {
        act: Assign,
        roles: UNIT_LEADERS,
        reach: OwnUnit,
    },
    Grant {
        act: CloseOnSpot,
        roles: INSPECTING,
        reach: OwnWork,
    },
    Grant {
        act: CloseOnSpot,
        roles: UNIT_FIELD,
        reach: OwnUnit,
    },
    Grant {
        act: CloseOnSpot,
        roles: COUNTY_BODIES,
        reach: County,
    },
    Grant {
        act: Rectify,
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: Rectify,
        roles: UNIT_FIELD,
        reach: OwnUnit,
    },
    Grant {
        act: Rectify,
        roles: &[Role::SiteContact],
        reach: OwnSite,
    },
    Grant {
        act: Verify,
        roles: COUNTY_BODIES,
        reach: County,
    },
    Grant {
        act: Verify,
        roles: UNIT_STAFF,
        reach: OwnUnit,
    },
    Grant {
        act: Verify,
        roles: INSPECTING,
        reach: OwnWork,
    },
    Grant {
        act: AcceptReferral,
        roles: UNIT_STAFF,
        reach: ReferredToUnit,
    },
    Grant {
        act: AttachEvidence,
        roles: COUNTY_BODIES,
        reach: County,
    },
    Grant {
        act: AttachEvidence,
        roles: EVERYONE,
        reach: OwnUnit,
    },
    Grant {
        act: AttachEvidence,
        roles: EVERYONE,
        reach: OwnWork,
    },
    Grant {
        act: AttachEvidence,
        roles: &[Role::SiteContact],
        reach: OwnSite,
    },
    Grant {
        act: UnitRecord,
        roles: COUNTY_BODIES,
        reach: County,
    },
    Grant {
        act: UnitRecord,
        roles: UNIT_STAFF,
        reach: OwnUnit,
    },
    Grant {
        act: Accountability,
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: Engage,
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: Engage,
        roles: UNIT_LEADERS,
        reach: OwnUnit,
    },
    Grant {
        act: KeepExperts,
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: AssignTask,
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: SubmitTask,
        roles: UNIT_STAFF,
        reach: OwnUnit,
    },
    Grant {
        act: RecordCampaignPlan,
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: RecordCampaignPlan,
        roles: UNIT_LEADERS,
        reach: OwnUnit,
    },
    Grant {
        act: ApproveCampaignPlan,
        roles: &[Role::CountyHead, Role::CountyDeputyHead],
        reach: County,
    },
    Grant {
        act: ConfigureReminders,
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: ReadReminderLog,
        roles: COUNTY_BODIES,
        reach: County,
    },
    Grant {
        act: ReadReminderLog,
        roles: UNIT_LEADERS,
        reach: OwnUnit,
    },
    Grant {
        act: SendFeedback,
        roles: EVERYONE,
        reach: OwnWork,
    },
    Grant {
        act: ReplyFeedback,
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: AssignComplaint,
        roles: OFFICE,
        reach: County,
    },
    Grant {
        act: ReadReminder,
        roles: EVERYONE,
        reach: OwnWork,
    },
];

/// What an act is aimed at: the facts the policy needs, gathered by the caller of [`check`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Target<'a> {
    pub site: Option<&'a Site>,
    pub hazard: Option<&'a Hazard>,
    /// The unit a record belongs to (a meeting's, a hazard's responsible unit when raising).
    pub unit_id: Option<&'a str>,
    /// Who leads the inspection, or raised the hazard.
    pub owner_id: Option<&'a str>,
    /// The caller is on the team of a patrol plan that lists the site.
    pub on_patrol_plan: bool,
    /// The caller's unit and certificates, for a 行政检查.
    pub officer: Option<Officer<'a>>,
    /// The engagements (委托) the caller is part of, and today, for a 技术服务.
    pub engagements: Option<(&'a [crate::engagement::Engagement], chrono::NaiveDate)>,
}

fn site_of_unit(site: &Site, unit_id: &str) -> bool {
    site.township_id == unit_id || site.department_id.as_deref() == Some(unit_id)
}

/// Whether `reach` covers `target` for `who`.
pub fn reaches(who: &Actor, reach: Reach, t: &Target) -> bool {
    match reach {
        County => access::is_county_level(who),
        OwnUnit => {
            if access::is_site_contact(who) {
                return false;
            }
            let mine = who.unit_id.as_str();
            let site_ok = t.site.map(|s| site_of_unit(s, mine));
            let unit_ok = t.unit_id.map(|u| u == mine);
            let hazard_ok = t.hazard.map(|h| {
                h.unit_id == mine
                    || h.assigned_unit_id.as_deref() == Some(mine)
                    || h.referral.as_ref().is_some_and(|r| r.to_unit_id == mine)
            });
            // Every fact given must agree except that a hazard of my unit counts wherever
            // its site lies (交办 to my unit).
            match hazard_ok {
                Some(true) => true,
                Some(false) => site_ok == Some(true),
                None => {
                    site_ok != Some(false)
                        && unit_ok != Some(false)
                        && (site_ok.is_some() || unit_ok.is_some())
                }
            }
        }
        OwnSite => {
            access::is_site_contact(who)
                && (t.site.is_some_and(|s| s.id == who.unit_id)
                    || t.hazard
                        .is_some_and(|h| h.site_id.as_deref() == Some(who.unit_id.as_str())))
        }
        OwnWork => t.owner_id == Some(who.person_id.as_str()),
        PatrolPlan => t.on_patrol_plan,
        ReferredToUnit => t
            .hazard
            .and_then(|h| h.referral.as_ref())
            .is_some_and(|r| r.to_unit_id == who.unit_id && !access::is_site_contact(who)),
        Enforcement => match (t.officer, t.site) {
            (Some(o), Some(s)) => o.unit.id == who.unit_id && o.standing(s).is_ok(),
            _ => false,
        },
        Reach::Engagement => match (t.engagements, t.site) {
            (Some((list, today)), Some(s)) => list.iter().any(|e| e.grants(who, s, today)),
            _ => false,
        },
    }
}

/// Whether `who` may do `act` on `target`.
pub fn permits(who: &Actor, act: Act, target: &Target) -> bool {
    POLICY.iter().any(|g| {
        g.act == act
            && who.roles.iter().any(|r| g.roles.contains(r))
            && reaches(who, g.reach, target)
    })
}

/// [`permits`], as the refusal a user reads.
pub fn check(who: &Actor, act: Act, target: &Target) -> Result<(), DomainError> {
    if permits(who, act, target) {
        Ok(())
    } else {
        Err(DomainError::NotPermitted {
            role: who.roles_label(),
            action: act.label(),
        })
    }
}

/// How a visit is carried out: its legal nature and, for a 行政检查, in whose name and with
/// which certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub activity: FieldActivity,
    pub in_name_of: Option<String>,
    pub certificate_number: Option<String>,
}

/// Whether `who` may carry out an inspection of `kind` at the target's site, and as what.
/// `requested` is the activity the device asked for (none: the first lawful one). An officer
/// of an enforcement body with powers over the site's industry visits it as a 行政检查 whatever
/// the visit is called, so their certificate must be valid.
pub fn inspection_standing(
    who: &Actor,
    kind: InspectionKind,
    requested: Option<FieldActivity>,
    t: &Target,
) -> Result<Standing, DomainError> {
    let lawful = activities_for(kind);
    if let Some(a) = requested.filter(|a| !lawful.contains(a)) {
        return Err(DomainError::InvalidValue {
            field: "检查性质",
            reason: format!("{}不能以{}方式开展", kind.label(), a.label()),
        });
    }
    let refused = || DomainError::NotPermitted {
        role: who.roles_label(),
        action: Act::Inspect(kind).label(),
    };
    if !permits(who, Inspect(kind), t) {
        return Err(refused());
    }
    let admin = FieldActivity::AdministrativeInspection;
    let officer = who.roles.iter().any(|r| OFFICER_ROLES.contains(r));
    if let (Some(o), Some(site), true) = (t.officer, t.site, officer) {
        if lawful.contains(&admin) && o.unit.id == who.unit_id && o.body_covers(site) {
            if requested.is_some_and(|a| a != admin) {
                return Err(DomainError::NotQualified(format!(
                    "{}对该行业有执法权，到企业检查即为行政检查，须以行政检查开展",
                    o.unit.name
                )));
            }
            let cert = o.standing(site)?;
            return Ok(Standing {
                activity: admin,
                in_name_of: o
                    .unit
                    .enforcement
                    .as_ref()
                    .map(|b| b.name_of_record.clone()),
                certificate_number: Some(cert.number.clone()),
            });
        }
    }
    lawful
        .iter()
        .copied()
        .filter(|a| requested.is_none_or(|r| r == *a))
        .find(|a| permits(who, InspectAs(*a), t))
        .map(|activity| Standing {
            activity,
            in_name_of: None,
            certificate_number: None,
        })
        .ok_or_else(|| match requested {
            Some(a) => DomainError::NotPermitted {
                role: who.roles_label(),
                action: InspectAs(a).label(),
            },
            None => refused(),
        })
}

/// The inspection kinds `who` may start at the target's site (the app offers these).
pub fn inspection_kinds(who: &Actor, t: &Target) -> Vec<InspectionKind> {
    InspectionKind::ALL
        .into_iter()
        .filter(|k| inspection_standing(who, *k, None, t).is_ok())
        .collect()
}

/// The policy as a Markdown table (docs/security.md carries it; a test keeps them equal).
pub fn markdown_table() -> String {
    let mut out = String::from("| act | roles | reach |\n|---|---|---|\n");
    for g in POLICY {
        let roles: Vec<&str> = if g.roles.len() == Role::ALL.len() {
            vec!["任何角色"]
        } else {
            g.roles.iter().map(|r| r.label()).collect()
        };
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            g.act.label(),
            roles.join("、"),
            g.reach.label()
        ));
    }
    out
}
