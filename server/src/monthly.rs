//! 月述考 on the server: the county's records loaded once (as the county office sees them, so
//! secret patrols in progress stay out), then the domain's rules: duty tables, the 述职
//! rotation, the monthly assessment, 月清零, the annual roll-up, and the ledgers and notices
//! built from them. The `anjian report` command runs the same code on a data folder.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use anjian_domain::assessment::{
    self, AnnualScore, AssessmentData, IndicatorSet, MonthlyAssessment, SelfAssessment,
};
use anjian_domain::duty::{self, Activity, PersonDuty, QuotaSet};
use anjian_domain::evidence::EvidenceRecord;
use anjian_domain::hazard::{china_date, Hazard};
use anjian_domain::inspection::{Inspection, InspectionKind};
use anjian_domain::month::YearMonth;
use anjian_domain::month_end::{self, DueRules, MonthEndSubmission, SubmissionStatus, Submitted};
use anjian_domain::org::{Person, Role, Unit, UnitKind};
use anjian_domain::proof::{ProofPart, ProofStatus};
use anjian_domain::received::doubt_note;
use anjian_domain::records::{AccountabilityRecord, HardwareInvestment, Meeting};
use anjian_domain::rotation::{self, DutyReport, ReporterKind, RotationMember, RotationSlot};
use anjian_domain::site::Site;
use anjian_domain::site_document::SiteDocumentInfo;
use anjian_domain::sync::entity;
use anjian_reports::notices::{Issue, PatrolFinding};
use anjian_reports::table::Table;
use anjian_reports::{ledgers, notices, xlsx, Directory};

use crate::error::{ApiError, ApiResult};
use crate::records::HazardDoc;
use crate::scope::{self, Caller};
use crate::storage::Tx;

/// Everything of the county the monthly machinery reads.
pub struct County {
    pub units: Vec<Unit>,
    pub people: Vec<Person>,
    pub sites: Vec<Site>,
    pub inspections: Vec<Inspection>,
    pub hazards: Vec<Hazard>,
    pub meetings: Vec<Meeting>,
    pub investments: Vec<HardwareInvestment>,
    pub reports: Vec<DutyReport>,
    pub self_assessments: Vec<SelfAssessment>,
    pub evidence: Vec<EvidenceRecord>,
    /// Recycled-photo flags of proof photos, by evidence id.
    pub recycled: HashMap<String, Vec<String>>,
    /// 月底报送 submitted explicitly (履职纪实, or a note such as 本月无投入).
    pub submissions: Vec<MonthEndSubmission>,
    /// Published months: their assessment as frozen.
    pub frozen: HashMap<YearMonth, MonthlyAssessment>,
    /// 提醒约谈、追责问责 (deducted in 月考, and the rules' suggestions skip those answered).
    pub accountability: Vec<AccountabilityRecord>,
    /// 工作任务交办.
    pub tasks: Vec<anjian_domain::task::WorkTask>,
    /// 改机制.
    pub mechanisms: Vec<anjian_domain::mechanism::MechanismRecord>,
    /// 时间存疑 notes of hazards (their receipts stay with the stored hazard), by hazard id.
    pub hazard_doubts: HashMap<String, String>,
}

/// The recycled-photo flags of every proof photo (the office's ledger names no record).
fn recycled_notes(tx: &mut dyn Tx) -> ApiResult<HashMap<String, Vec<String>>> {
    let photos = crate::proof::ProofPhotos::load(tx, None)?;
    let index = photos.index();
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for e in photos.all() {
        for u in photos.recycled(&index, &[e]) {
            out.entry(e.id.clone()).or_default().push(u.note);
        }
    }
    Ok(out)
}

fn all<T: DeserializeOwned>(tx: &mut dyn Tx, entity: &str) -> ApiResult<Vec<T>> {
    let view = [scope::ALL.to_string(), scope::COUNTY.to_string()];
    crate::records::decoded(tx, entity, Some(&view))
}

impl County {
    pub fn load(tx: &mut dyn Tx) -> ApiResult<County> {
        let docs: Vec<HazardDoc> = all(tx, entity::HAZARD)?;
        let hazard_doubts = docs
            .iter()
            .filter_map(|d| Some((d.hazard.id.clone(), doubt_note(d.received.as_ref())?)))
            .collect();
        Ok(County {
            units: all(tx, entity::UNIT)?,
            people: all(tx, entity::PERSON)?,
            sites: all(tx, entity::SITE)?,
            inspections: all(tx, entity::INSPECTION)?,
            hazards: docs.into_iter().map(|d| d.hazard).collect(),
            hazard_doubts,
            meetings: all(tx, entity::MEETING)?,
            investments: all(tx, entity::HARDWARE_INVESTMENT)?,
            reports: all(tx, entity::DUTY_REPORT)?,
            self_assessments: all(tx, entity::SELF_ASSESSMENT)?,
            evidence: all(tx, entity::EVIDENCE)?,
            recycled: recycled_notes(tx)?,
            submissions: all(tx, entity::MONTH_END)?,
            frozen: crate::api::publish::frozen(tx)?,
            accountability: all(tx, entity::ACCOUNTABILITY)?,
            tasks: all(tx, entity::WORK_TASK)?,
            mechanisms: all(tx, entity::MECHANISM)?,
        })
    }

    /// 月底报送 of `month`: each township's and department's items (or one unit's), with due
    /// dates from data, when each was sent and late flags.
    pub fn month_end(
        &self,
        unit: Option<&str>,
        month: YearMonth,
        today: NaiveDate,
    ) -> Vec<SubmissionStatus> {
        let mut units: Vec<&Unit> = self
            .units
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::Township | UnitKind::Department))
            .filter(|u| unit.is_none_or(|x| u.id == x))
            .collect();
        units.sort_by(|a, b| a.id.cmp(&b.id));
        let ids: Vec<&str> = units.iter().map(|u| u.id.as_str()).collect();
        let sent = Submitted {
            submissions: &self.submissions,
            self_assessments: &self.self_assessments,
            investments: &self.investments,
            reports: &self.reports,
        };
        month_end::statuses(DueRules::standard(), &ids, month, &sent, today)
    }

    /// One investment's proof for the ledger: its files, missing parts, recycled photos.
    pub fn investment_proof(&self, investment_id: &str) -> ledgers::InvestmentProof {
        let mine: Vec<&EvidenceRecord> = self
            .evidence
            .iter()
            .filter(|e| e.target.key() == (entity::HARDWARE_INVESTMENT, investment_id))
            .collect();
        let status = ProofStatus::of(mine.iter().copied());
        ledgers::InvestmentProof {
            files: mine
                .iter()
                .map(|e| {
                    ProofPart::of(e.kind, e.stage)
                        .map_or(e.kind.label(), ProofPart::label)
                        .to_string()
                })
                .collect(),
            missing: status.missing,
            recycled: mine
                .iter()
                .flat_map(|e| self.recycled.get(&e.id).cloned().unwrap_or_default())
                .collect(),
        }
    }

    pub fn unit(&self, id: &str) -> ApiResult<&Unit> {
        self.units
            .iter()
            .find(|u| u.id == id)
            .ok_or_else(|| ApiError::not_found(format!("未找到单位：{id}")))
    }

    pub fn directory(&self) -> Directory {
        Directory {
            units: self
                .units
                .iter()
                .map(|u| (u.id.clone(), u.name.clone()))
                .collect(),
            sites: self
                .sites
                .iter()
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect(),
            people: self
                .people
                .iter()
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect(),
            inspection_kinds: self
                .inspections
                .iter()
                .map(|i| (i.id.clone(), i.kind))
                .collect(),
            time_doubts: self.time_doubts(),
        }
    }

    /// 时间存疑 notes of every record that has one: hazards, inspections, meetings.
    fn time_doubts(&self) -> HashMap<String, String> {
        let inspections = self
            .inspections
            .iter()
            .filter_map(|i| Some((i.id.clone(), doubt_note(i.received.as_ref())?)));
        let meetings = self
            .meetings
            .iter()
            .filter_map(|m| Some((m.id.clone(), doubt_note(m.received.as_ref())?)));
        let mut out = self.hazard_doubts.clone();
        out.extend(inspections.chain(meetings));
        out
    }

    /// Duty activities: finished inspections by who led them, meetings by who chaired them,
    /// each with the number of evidence items backing it.
    pub fn activities(&self) -> Vec<Activity> {
        duty::derive_activities(
            &self.inspections,
            &self.meetings,
            &self.sites,
            &self.evidence,
        )
    }

    fn patrol_inspections(&self) -> HashSet<String> {
        self.inspections
            .iter()
            .filter(|i| {
                matches!(
                    i.kind,
                    InspectionKind::UnannouncedPatrol | InspectionKind::RandomCheck
                )
            })
            .map(|i| i.id.clone())
            .collect()
    }

    /// Runs `f` over the assessment's view of the county.
    pub(crate) fn with_assessment<T>(&self, f: impl FnOnce(&AssessmentData<'_>) -> T) -> T {
        let activities = self.activities();
        let patrols = self.patrol_inspections();
        let organisers = self
            .inspections
            .iter()
            .filter(|i| patrols.contains(&i.id))
            .map(|i| (i.id.as_str(), i.leader.unit_id.as_str()))
            .collect();
        let data = AssessmentData::new(
            QuotaSet::standard(),
            &self.units,
            &self.people,
            &self.hazards,
            &activities,
            &self.investments,
            &self.reports,
            &self.self_assessments,
            &patrols,
        )
        .with_accountability(&self.accountability)
        .with_patrol_organisers(organisers);
        f(&data)
    }

    /// The month's assessment: as published when it was (later records change only months
    /// not published, or re-opened), else computed now.
    pub fn assessment(&self, month: YearMonth, today: NaiveDate) -> MonthlyAssessment {
        match self.frozen.get(&month) {
            Some(a) => a.clone(),
            None => self.live_assessment(month, today),
        }
    }

    /// The month's assessment computed from the records as they are.
    pub fn live_assessment(&self, month: YearMonth, today: NaiveDate) -> MonthlyAssessment {
        self.with_assessment(|d| {
            assessment::assess_month(IndicatorSet::standard(), d, month, today)
        })
    }

    pub fn annual(&self, year: i32, today: NaiveDate) -> Vec<AnnualScore> {
        self.with_assessment(|d| assessment::assess_year(IndicatorSet::standard(), d, year, today))
    }

    /// The duty table of the month for one unit, or every township and department.
    pub fn duty(&self, unit: Option<&str>, month: YearMonth, today: NaiveDate) -> Vec<PersonDuty> {
        self.duty_of(&self.activities(), unit, month, today)
    }

    pub(crate) fn duty_of(
        &self,
        activities: &[Activity],
        unit: Option<&str>,
        month: YearMonth,
        today: NaiveDate,
    ) -> Vec<PersonDuty> {
        let by_unit = duty::activities_by_unit(activities);
        let units: Vec<&Unit> = self
            .units
            .iter()
            .filter(|u| unit.is_none_or(|id| u.id == id))
            .collect();
        duty::duty_table(
            QuotaSet::standard(),
            &units,
            &self.people,
            &by_unit,
            month,
            today,
        )
    }

    /// 月清零: findings of a unit still open at month end.
    pub fn month_clear(&self, unit: &str, month: YearMonth, today: NaiveDate) -> Vec<Hazard> {
        self.with_assessment(|d| {
            d.month_clear(unit, month, today)
                .into_iter()
                .cloned()
                .collect()
        })
    }

    /// Who reports at the executive meeting, in the county's list order: county leaders by
    /// rank, townships by division code, departments by code.
    pub fn rotation_members(&self) -> Vec<RotationMember> {
        let rank = |p: &Person| {
            p.roles
                .iter()
                .filter_map(|r| match r {
                    Role::CountyHead => Some(0),
                    Role::CountyDeputyHead => Some(1),
                    Role::CountyOtherLeader => Some(2),
                    _ => None,
                })
                .min()
        };
        let mut leaders: Vec<(u8, &Person)> = self
            .people
            .iter()
            .filter_map(|p| rank(p).map(|r| (r, p)))
            .collect();
        leaders.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
        let mut out: Vec<RotationMember> = leaders
            .into_iter()
            .map(|(_, p)| RotationMember {
                id: p.id.clone(),
                name: p.name.clone(),
                kind: ReporterKind::CountyLeader,
            })
            .collect();
        for (kind, rk) in [
            (UnitKind::Township, ReporterKind::Township),
            (UnitKind::Department, ReporterKind::Department),
        ] {
            let mut units: Vec<&Unit> = self.units.iter().filter(|u| u.kind == kind).collect();
            units.sort_by(|a, b| a.code.cmp(&b.code).then(a.id.cmp(&b.id)));
            out.extend(units.into_iter().map(|u| RotationMember {
                id: u.id.clone(),
                name: u.name.clone(),
                kind: rk,
            }));
        }
        out
    }

    pub fn rotation(&self, year: i32, today: NaiveDate) -> Vec<RotationSlot> {
        rotation::schedule(&self.rotation_members(), &self.reports, year, today)
    }

    /// Hazards a unit must rectify (or all).
    fn hazards_of(&self, unit: Option<&str>) -> Vec<&Hazard> {
        self.hazards
            .iter()
            .filter(|h| unit.is_none_or(|u| h.rectifying_unit() == u || h.unit_id == u))
            .collect()
    }

    fn scope_name(&self, unit: Option<&str>) -> String {
        match unit {
            Some(u) => self
                .unit(u)
                .map(|u| u.name.clone())
                .unwrap_or_else(|_| u.to_string()),
            None => "忠县".to_string(),
        }
    }

    /// 检查记录台账: the inspections a unit led, took part in (联合检查) or that were made at a
    /// site of its township; of one month when given; oldest first.
    fn inspection_ledger(
        &self,
        unit: Option<&str>,
        month: Option<YearMonth>,
        dir: &Directory,
    ) -> Table {
        let township: HashMap<&str, &str> = self
            .sites
            .iter()
            .map(|s| (s.id.as_str(), s.township_id.as_str()))
            .collect();
        let mut rows: Vec<&Inspection> = self
            .inspections
            .iter()
            .filter(|i| {
                unit.is_none_or(|u| {
                    i.leader.unit_id == u
                        || i.joint_unit_ids.iter().any(|j| j == u)
                        || township.get(i.site_id.as_str()) == Some(&u)
                })
            })
            .filter(|i| month.is_none_or(|m| m.contains(china_date(i.started_at))))
            .collect();
        rows.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
        let period = month.map_or(String::new(), |m| format!("（{}）", m.label()));
        let mut documents: HashMap<String, Vec<&SiteDocumentInfo>> = HashMap::new();
        for d in self.evidence.iter().filter_map(|e| e.document.as_ref()) {
            documents
                .entry(d.inspection_id.clone())
                .or_default()
                .push(d);
        }
        documents
            .values_mut()
            .for_each(|ds| ds.sort_by_key(|d| d.generated_at));
        anjian_reports::inspections::inspection_ledger(
            &rows,
            &documents,
            dir,
            &self.scope_name(unit),
            &period,
        )
    }

    fn issuer(&self) -> String {
        self.units
            .iter()
            .find(|u| u.kind == UnitKind::SafetyCommitteeOffice)
            .map_or_else(|| "县安全生产委员会办公室".to_string(), |u| u.name.clone())
    }

    /// The files, by name. `unit` limits ledgers to one unit.
    pub fn export(
        &self,
        file: ExportFile,
        q: &ExportParams,
        today: NaiveDate,
    ) -> ApiResult<Vec<u8>> {
        let dir = self.directory();
        let unit = q.unit.as_deref();
        if let Some(u) = unit {
            self.unit(u)?;
        }
        let scope_name = self.scope_name(unit);
        let month = q.month.unwrap_or_else(|| YearMonth::of(today));
        let sheet = |t: Table| xlsx::workbook(&[t]).map_err(ApiError::internal);
        match file {
            ExportFile::ProblemLedger => sheet(ledgers::problem_ledger(
                &self.hazards_of(unit),
                &dir,
                &scope_name,
                today,
            )),
            ExportFile::MajorHazards => sheet(ledgers::major_hazard_ledger(
                &self.hazards_of(unit),
                &dir,
                &scope_name,
                today,
            )),
            ExportFile::Hardware => {
                let hazards: HashMap<&str, &Hazard> =
                    self.hazards.iter().map(|h| (h.id.as_str(), h)).collect();
                let inv: Vec<&HardwareInvestment> = self
                    .investments
                    .iter()
                    .filter(|i| unit.is_none_or(|u| i.unit_id == u))
                    .filter(|i| q.month.is_none_or(|m| m.contains(i.proof_date())))
                    .collect();
                let proofs: HashMap<&str, ledgers::InvestmentProof> = inv
                    .iter()
                    .map(|i| (i.id.as_str(), self.investment_proof(&i.id)))
                    .collect();
                sheet(ledgers::hardware_ledger(
                    &inv,
                    &hazards,
                    &proofs,
                    &dir,
                    &scope_name,
                ))
            }
            ExportFile::MonthEnd => sheet(ledgers::month_end_ledger(
                &self.month_end(unit, month, today),
                &dir,
                month,
                &scope_name,
            )),
            ExportFile::Duty => {
                let activities = self.activities();
                let by_id: HashMap<&str, &Activity> =
                    activities.iter().map(|a| (a.id.as_str(), a)).collect();
                let table = self.duty_of(&activities, unit, month, today);
                sheet(ledgers::duty_ledger(&table, &by_id, month, &scope_name))
            }
            ExportFile::Accountability => sheet(self.accountability_ledger(unit, q.month, &dir)),
            ExportFile::Mechanism => sheet(self.mechanism_ledger(unit, q.month, &dir)),
            ExportFile::Inspections => sheet(self.inspection_ledger(unit, q.month, &dir)),
            ExportFile::Tasks => {
                let rows = crate::api::tasks::rows(&self.tasks, unit, None, today);
                sheet(crate::api::tasks::task_ledger(&rows, &dir, &scope_name))
            }
            ExportFile::Scores => {
                let a = self.assessment(month, today);
                xlsx::workbook(&[
                    ledgers::scores_ledger(&a),
                    anjian_reports::self_assessed::self_vs_assessed(&a),
                ])
                .map_err(ApiError::internal)
            }
            ExportFile::Annual => {
                let year = q.year.unwrap_or(month.year);
                sheet(ledgers::annual_ledger(&self.annual(year, today), year))
            }
            ExportFile::AssessmentNotice => {
                let issue = Issue {
                    issuer: self.issuer(),
                    number: q.number.clone().unwrap_or_else(|| {
                        format!("忠安委办〔{}〕{}号", today.format("%Y"), month.month)
                    }),
                    date: today,
                };
                notices::assessment_notice(&self.assessment(month, today), &issue)
                    .to_bytes()
                    .map_err(ApiError::internal)
            }
            ExportFile::PatrolNotice => {
                // A unit's 工作专班 notice, or (no unit) the county office's.
                let office = self.office_id();
                let organiser_id = unit.map(str::to_string).or(office.clone());
                let county = organiser_id == office;
                let unit_name = organiser_id
                    .as_deref()
                    .map(|u| dir.unit(u))
                    .unwrap_or_default();
                let organiser = notices::Organiser {
                    name: if county {
                        "县安委办".to_string()
                    } else {
                        format!("{unit_name}安全生产工作专班")
                    },
                    county,
                };
                let year = today.format("%Y");
                let issue = Issue {
                    issuer: if county {
                        self.issuer()
                    } else {
                        unit_name.clone()
                    },
                    number: q.number.clone().unwrap_or_else(|| {
                        if county {
                            format!("忠安委办〔{year}〕{}号", month.month + 50)
                        } else {
                            format!("{unit_name}安专班〔{year}〕{}号", month.month)
                        }
                    }),
                    date: today,
                };
                let (patrols, sites, findings) =
                    self.patrol_findings(month, today, &dir, organiser_id.as_deref());
                notices::patrol_notice(month, &organiser, patrols, sites, &findings, &issue)
                    .to_bytes()
                    .map_err(ApiError::internal)
            }
        }
    }

    /// The unit of 县安委办, if the county has one.
    fn office_id(&self) -> Option<String> {
        self.units
            .iter()
            .find(|u| u.kind == UnitKind::SafetyCommitteeOffice)
            .map(|u| u.id.clone())
    }

    /// The month's finished unannounced patrols organised by `organiser` (the unit of the
    /// patrol's leader), the sites they visited and what they found.
    fn patrol_findings(
        &self,
        month: YearMonth,
        today: NaiveDate,
        dir: &Directory,
        organiser: Option<&str>,
    ) -> (usize, usize, Vec<PatrolFinding>) {
        let visits: Vec<&Inspection> = self
            .inspections
            .iter()
            .filter(|i| i.kind == InspectionKind::UnannouncedPatrol)
            .filter(|i| organiser.is_none_or(|o| i.leader.unit_id == o))
            .filter(|i| i.finished_at.is_some_and(|f| month.contains(china_date(f))))
            .collect();
        let ids: HashSet<&str> = visits.iter().map(|i| i.id.as_str()).collect();
        let sites: HashSet<&str> = visits.iter().map(|i| i.site_id.as_str()).collect();
        let mut found: Vec<&Hazard> = self
            .hazards
            .iter()
            .filter(|h| {
                h.source
                    .as_ref()
                    .is_some_and(|s| ids.contains(s.inspection_id.as_str()))
            })
            .collect();
        found.sort_by_key(|h| (h.raised_at, h.number.clone()));
        let findings = found
            .into_iter()
            .map(|h| PatrolFinding {
                unit: dir.unit(h.rectifying_unit()),
                site: dir.site(h.site_id.as_deref()),
                description: h.description.clone(),
                level: h.level.label().to_string(),
                deadline: h.deadline(),
                status: if h.is_overdue(today) {
                    format!("{}（逾期）", h.status.label())
                } else {
                    h.status.label().to_string()
                },
            })
            .collect();
        // Count patrol outings as distinct (leader, day) pairs.
        let outings: HashSet<(&str, NaiveDate)> = visits
            .iter()
            .map(|i| (i.leader.person_id.as_str(), china_date(i.started_at)))
            .collect();
        (outings.len(), sites.len(), findings)
    }
}

/// The downloadable files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFile {
    ProblemLedger,
    MajorHazards,
    Hardware,
    Duty,
    Scores,
    Annual,
    AssessmentNotice,
    PatrolNotice,
    MonthEnd,
    Accountability,
    Tasks,
    Mechanism,
    Inspections,
}

impl ExportFile {
    pub const ALL: [ExportFile; 13] = [
        ExportFile::ProblemLedger,
        ExportFile::MajorHazards,
        ExportFile::Hardware,
        ExportFile::Duty,
        ExportFile::Scores,
        ExportFile::Annual,
        ExportFile::AssessmentNotice,
        ExportFile::PatrolNotice,
        ExportFile::MonthEnd,
        ExportFile::Accountability,
        ExportFile::Tasks,
        ExportFile::Mechanism,
        ExportFile::Inspections,
    ];

    /// The file name in URLs and on disk.
    pub fn file_name(self) -> &'static str {
        match self {
            ExportFile::ProblemLedger => "problem-ledger.xlsx",
            ExportFile::MajorHazards => "major-hazards.xlsx",
            ExportFile::Hardware => "hardware-investment.xlsx",
            ExportFile::Duty => "duty-records.xlsx",
            ExportFile::Scores => "monthly-scores.xlsx",
            ExportFile::Annual => "annual-assessment.xlsx",
            ExportFile::AssessmentNotice => "assessment-notice.docx",
            ExportFile::PatrolNotice => "patrol-notice.docx",
            ExportFile::MonthEnd => "month-end-submissions.xlsx",
            ExportFile::Accountability => "accountability.xlsx",
            ExportFile::Tasks => "tasks.xlsx",
            ExportFile::Mechanism => "mechanism.xlsx",
            ExportFile::Inspections => "inspections.xlsx",
        }
    }

    /// The Chinese name for the download (Content-Disposition).
    pub fn title(self) -> &'static str {
        match self {
            ExportFile::ProblemLedger => "问题清单台账",
            ExportFile::MajorHazards => "重大隐患台账",
            ExportFile::Hardware => "设施设备投入台账",
            ExportFile::Duty => "履职纪实表",
            ExportFile::Scores => "月度考核得分",
            ExportFile::Annual => "年度目标考核",
            ExportFile::AssessmentNotice => "考核通报",
            ExportFile::PatrolNotice => "暗访通报",
            ExportFile::MonthEnd => "月底报送情况",
            ExportFile::Accountability => "约谈问责台账",
            ExportFile::Tasks => "工作任务清单",
            ExportFile::Mechanism => "改机制台账",
            ExportFile::Inspections => "检查记录台账",
        }
    }

    pub fn from_name(name: &str) -> Option<ExportFile> {
        ExportFile::ALL.into_iter().find(|f| f.file_name() == name)
    }

    pub fn content_type(self) -> &'static str {
        if self.file_name().ends_with(".docx") {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        } else {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
    }

    /// Files only the county level may take: county-wide scores and the office's notices are
    /// read by everyone; ledgers of another unit are not.
    pub fn per_unit(self) -> bool {
        matches!(
            self,
            ExportFile::ProblemLedger
                | ExportFile::MajorHazards
                | ExportFile::Hardware
                | ExportFile::Duty
                | ExportFile::MonthEnd
                | ExportFile::Accountability
                | ExportFile::Tasks
                | ExportFile::Mechanism
                | ExportFile::Inspections
        )
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ExportParams {
    /// "2026-11"; default: this month.
    #[param(value_type = Option<String>, pattern = r"^\s*(20[0-9]{2}|2100)-(0?[1-9]|1[0-2])\s*$")]
    pub month: Option<YearMonth>,
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// One unit's ledger; township and department callers always get their own.
    pub unit: Option<String>,
    /// 发文字号 of a notice.
    pub number: Option<String>,
}

/// The unit a caller's per-unit request is limited to: county-level callers choose (or take
/// the whole county), everyone else gets their own unit, and asking for another is refused.
pub fn unit_scope(caller: &Caller, asked: Option<&str>) -> ApiResult<Option<String>> {
    if caller.is_county_level() {
        return Ok(asked.map(str::to_string));
    }
    match asked {
        Some(u) if u != caller.person.unit_id => Err(ApiError::forbidden("无权查看其他单位的记录")),
        _ => Ok(Some(caller.person.unit_id.clone())),
    }
}
