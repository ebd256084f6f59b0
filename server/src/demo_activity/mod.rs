//! A lived-in demo county: last month and this month of what Zhong County's people would have
//! recorded — inspections led item by item, hazards raised from failed items and carried
//! through 四改 (即查即改, 交办, 五落实, 一患一策, 整改, 验收), meetings, hardware investment with
//! its proof, an executive-meeting rotation since January, unit duty reports and
//! self-assessments — so `anjian serve --demo` opens on real ledgers, duty tables and scores.
//!
//! Everything passes the domain's own rules (inspections answered item by item and finished,
//! hazards moved only by the state machine, records validated), dated in the past. Evidence
//! files are generated: illustrative pictures, flagged as demo data in their notes, and Word
//! files (minutes, acceptance forms) with real content. Seeded from a fixed number: the same
//! day gives the same activity (only the record ids differ).

mod files;
mod hazards;
mod work_records;

use files::{word, DocFile, FileKind};

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};

use anjian_domain::assessment::{SelfAssessment, SelfItem};
use anjian_domain::checklist::{ChecklistItem, ChecklistRegistry, Industry};
use anjian_domain::county::{self, County, COUNTY_GOVERNMENT_ID, SAFETY_OFFICE_ID};
use anjian_domain::enforcement::{FieldActivity, Officer};
use anjian_domain::evidence::{
    EvidenceFile, EvidenceKind, EvidenceRecord, EvidenceStage, EvidenceTarget,
};
use anjian_domain::hazard::{
    hazard_number, FiveImplementations, Funding, Hazard, HazardAction, HazardDraft, HazardLevel,
    HazardSource, HazardStatus,
};
use anjian_domain::inspection::{Inspection, InspectionKind, ItemOutcome};
use anjian_domain::month::YearMonth;
use anjian_domain::org::{Person, Role};
use anjian_domain::patrol::{PatrolPlan, PatrolTarget};
use anjian_domain::policy;
use anjian_domain::proof::{photo_distance, PhotoHashes, RECYCLED_MAX_DISTANCE};
use anjian_domain::records::{HardwareInvestment, Meeting, MeetingKind};
use anjian_domain::referral;
use anjian_domain::rotation::{self, DutyReport, ReportForum, ReporterKind, SlotState};
use anjian_domain::site::Site;
use anjian_domain::sync::entity;
use anjian_domain::team;
use anjian_evidence::photo::{self, Rgb};
use anjian_reports::docx::{Document, Para};

use crate::demo::{self, DemoAccount};
use crate::error::{ApiError, ApiResult};
use crate::records::{self, HazardDoc};
use crate::scope;
use crate::storage::{Blob, Tx};
use anjian_domain::ledger;

/// What was seeded, for the start-up message.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ActivitySummary {
    pub people: usize,
    pub inspections: usize,
    pub hazards: usize,
    pub open_hazards: usize,
    pub meetings: usize,
    pub investments: usize,
    pub duty_reports: usize,
    pub self_assessments: usize,
    pub files: usize,
    pub accountability: usize,
    pub tasks: usize,
    pub mechanisms: usize,
    pub month_end: usize,
    pub complaints: usize,
}

/// Seeds the activity of the month before `now` and of the current month up to yesterday
/// (China time) into a store that holds the freshly seeded demo county.
/// Returns what was seeded and the files to put into the blob store (by SHA-256), which the
/// caller stores once the transaction has committed.
pub fn seed(tx: &mut dyn Tx, now: DateTime<Utc>) -> ApiResult<(ActivitySummary, Files)> {
    let today = anjian_domain::hazard::china_date(now);
    let mut s = Seeder {
        tx,
        files: Vec::new(),
        rng: Rng(0x5A17_2026),
        today,
        county: county::zhong_county(),
        sites: demo::sites(county::zhong_county()),
        summary: ActivitySummary::default(),
        inspections_by_unit: HashMap::new(),
        last_after_photo: None,
        recycled_shown: false,
        drawn: Vec::new(),
        checklists: ChecklistRegistry::new(),
        awaiting_verification: 0,
        lacking_invoice: 0,
    };
    let people = s.people()?;
    let current = YearMonth::of(today);
    for month in [current.prev(), current] {
        let last = month.last_day().min(today - Duration::days(1));
        if last < month.first_day() {
            continue;
        }
        s.month_of_unit_work(&people, month, last)?;
        s.month_of_county_work(&people, month, last)?;
    }
    s.rotation(&people, current.prev())?;
    s.unit_reports_and_self_assessments(&people, current.prev())?;
    let senders: Vec<(String, String)> = people
        .units
        .iter()
        .map(|l| (l.unit_id.clone(), l.head.id.clone()))
        .collect();
    s.summary.month_end = crate::demo_mechanism::seed_month_end(s.tx, &senders, current.prev())?;
    s.summary.accountability =
        crate::demo_mechanism::seed_accountability(s.tx, &people.office, now)?;
    s.summary.tasks = crate::demo_mechanism::seed_tasks(s.tx, &people.office, now)?;
    s.summary.mechanisms = crate::demo_mechanism::seed_mechanisms(s.tx, now)?;
    s.summary.complaints = crate::demo_complaints::seed(s.tx, &s.sites, &people.office, now)?;
    Ok((s.summary, s.files))
}

/// A unit's head and deputy head, and the sites it answers for.
struct Leaders {
    unit_id: String,
    unit_name: String,
    head: Person,
    deputy: Person,
    township: bool,
    sites: Vec<usize>,
}

/// County-level people the demo acts through.
struct People {
    units: Vec<Leaders>,
    county_head: Person,
    deputy_head: Person,
    other_leader: Person,
    office: Person,
    supervision: Person,
}

impl People {
    fn township(&self, unit_id: &str) -> Option<&Leaders> {
        self.units
            .iter()
            .find(|l| l.township && l.unit_id == unit_id)
    }
}

/// splitmix64: small, deterministic, good enough to vary a demo.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// A day in `first..=last`.
    fn day(&mut self, first: NaiveDate, last: NaiveDate) -> NaiveDate {
        let span = (last - first).num_days().max(0) as usize + 1;
        first + Duration::days(self.below(span) as i64)
    }
}

/// China Standard Time (UTC+8), the county's clock.
fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// An instant on a China calendar day.
fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    china()
        .from_local_datetime(&day.and_hms_opt(hour, minute, 0).expect("valid time"))
        .single()
        .expect("fixed offset")
        .with_timezone(&Utc)
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn demo_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("演示数据生成失败：{e}"))
}

const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "周", "谭", "向", "冉", "秦", "彭", "邓", "熊", "罗",
];
const GIVEN: [&str; 20] = [
    "德明", "光荣", "晓东", "春梅", "永红", "建军", "国华", "泽宇", "海燕", "立新", "文斌", "兴平",
    "继红", "远航", "学军", "丽娟", "长林", "玉成", "新民", "思源",
];

/// Files by SHA-256.
pub type Files = Vec<(String, Vec<u8>)>;

struct Seeder<'a> {
    tx: &'a mut dyn Tx,
    files: Files,
    rng: Rng,
    today: NaiveDate,
    county: &'static County,
    sites: Vec<Site>,
    summary: ActivitySummary,
    /// Inspections led by each unit's people per month, for the self-assessments.
    inspections_by_unit: HashMap<(String, YearMonth), usize>,
    /// The latest investment's "after" photo, and whether the one recycled copy was made.
    last_after_photo: Option<Vec<u8>>,
    recycled_shown: bool,
    /// The perceptual hashes of the pictures drawn so far, so no two look alike by chance.
    drawn: Vec<PhotoHashes>,
    /// The demo seeds an empty county: the compiled checklist versions.
    checklists: ChecklistRegistry,
    /// Rectifications of the townships' own findings left waiting for 验收.
    awaiting_verification: usize,
    /// Investments whose proof still lacks the invoice.
    lacking_invoice: usize,
}

/// How many recent rectifications at least wait for 验收 in the demo.
const MIN_AWAITING_VERIFICATION: usize = 3;

impl Seeder<'_> {
    /// A head and a deputy head for every township and department (the demo accounts where
    /// they exist), and the county-level people.
    fn people(&mut self) -> ApiResult<People> {
        let accounts = demo::accounts();
        let account = |role: Role, unit_id: &str| -> Option<&DemoAccount> {
            accounts
                .iter()
                .find(|a| a.role == role && (unit_id.is_empty() || a.unit_id == unit_id))
        };
        let person_of = |a: &DemoAccount| Person {
            id: demo::person_id(a.username),
            name: a.name.to_string(),
            unit_id: a.unit_id.clone(),
            roles: vec![a.role],
            industries: vec![],
            portfolio: None,
            phone: None,
            certificates: demo::certificates(&demo::person_id(a.username), &a.unit_id, a.role),
        };
        let mut units = Vec::new();
        let mut n = 0usize;
        let townships = self
            .county
            .townships
            .iter()
            .map(|t| (t.code.clone(), t.name.clone(), true));
        let departments = self
            .county
            .departments
            .iter()
            .map(|d| (County::department_id(&d.code), d.name.clone(), false));
        for (unit_id, unit_name, township) in townships.chain(departments).collect::<Vec<_>>() {
            let mut leader = |role: Role, title: &str| -> ApiResult<Person> {
                if let Some(a) = account(role, &unit_id) {
                    return Ok(person_of(a));
                }
                n += 1;
                let p = Person {
                    id: format!("person-{unit_id}-{title}"),
                    name: format!(
                        "{}{}",
                        SURNAMES[(n * 7) % SURNAMES.len()],
                        GIVEN[(n * 3 + n / GIVEN.len()) % GIVEN.len()]
                    ),
                    unit_id: unit_id.clone(),
                    roles: vec![role],
                    industries: vec![],
                    portfolio: None,
                    phone: Some(format!("1380233{:04}", 1000 + n)),
                    certificates: demo::certificates(
                        &format!("person-{unit_id}-{title}"),
                        &unit_id,
                        role,
                    ),
                };
                records::save_person(self.tx, &p)?;
                self.summary.people += 1;
                Ok(p)
            };
            let head = leader(Role::UnitHead, "head")?;
            let deputy = leader(Role::UnitDeputyHead, "deputy")?;
            let sites = self
                .sites
                .iter()
                .enumerate()
                .filter(|(_, s)| {
                    if township {
                        s.township_id == unit_id
                    } else {
                        s.department_id.as_deref() == Some(unit_id.as_str())
                    }
                })
                .map(|(i, _)| i)
                .collect();
            units.push(Leaders {
                unit_id,
                unit_name,
                head,
                deputy,
                township,
                sites,
            });
        }
        let county_person = |role: Role| -> ApiResult<Person> {
            account(role, "")
                .map(person_of)
                .ok_or_else(|| demo_error(format!("缺少演示账号：{}", role.label())))
        };
        Ok(People {
            units,
            county_head: county_person(Role::CountyHead)?,
            deputy_head: county_person(Role::CountyDeputyHead)?,
            other_leader: county_person(Role::CountyOtherLeader)?,
            office: county_person(Role::SafetyOfficeStaff)?,
            supervision: county_person(Role::SupervisionStaff)?,
        })
    }

    /// Each township's and department's own month: the head leads an inspection, the deputy
    /// head makes special checks and holds the regular meeting, the head a special meeting
    /// now and then; departments visit their sector for guidance.
    fn month_of_unit_work(
        &mut self,
        people: &People,
        month: YearMonth,
        last: NaiveDate,
    ) -> ApiResult<()> {
        let finished_month = last == month.last_day();
        let first = month.first_day();
        for l in &people.units {
            if l.sites.is_empty() {
                continue;
            }
            if self.rng.chance(if finished_month { 0.85 } else { 0.6 }) {
                self.visit(
                    people,
                    &l.head,
                    InspectionKind::LeaderSupervision,
                    &l.sites,
                    first,
                    last,
                )?;
            }
            let checks = match self.rng.below(10) {
                0..=5 => 2,
                6..=8 => 1,
                _ => 0,
            };
            for _ in 0..checks {
                self.visit(
                    people,
                    &l.deputy,
                    InspectionKind::RoutineCheck,
                    &l.sites,
                    first,
                    last,
                )?;
            }
            if !l.township && self.rng.chance(0.4) {
                self.visit(
                    people,
                    &l.head,
                    InspectionKind::ProfessionalAssessment,
                    &l.sites,
                    first,
                    last,
                )?;
            }
            if self.rng.chance(0.85) {
                let day = self.rng.day(first, last);
                self.meeting(&l.deputy, &l.unit_name, MeetingKind::RegularMeeting, day)?;
            }
            if self.rng.chance(0.45) {
                let day = self.rng.day(first, last);
                self.meeting(&l.head, &l.unit_name, MeetingKind::SpecialMeeting, day)?;
            }
        }
        Ok(())
    }

    /// The county's month: leaders' supervision visits and meetings, 县安委办's unannounced
    /// patrol (its plan revealed once every visit is recorded) and 督查办's random check.
    fn month_of_county_work(
        &mut self,
        people: &People,
        month: YearMonth,
        last: NaiveDate,
    ) -> ApiResult<()> {
        let first = month.first_day();
        let county_name = "忠县人民政府";
        let all_sites: Vec<usize> = (0..self.sites.len()).collect();
        for (leader, meeting) in [
            (&people.deputy_head, MeetingKind::RegularMeeting),
            (&people.other_leader, MeetingKind::SituationAnalysis),
        ] {
            self.visit(
                people,
                leader,
                InspectionKind::LeaderSupervision,
                &all_sites,
                first,
                last,
            )?;
            let day = self.rng.day(first, last);
            self.meeting(leader, county_name, meeting, day)?;
        }
        if last == month.last_day() {
            self.visit(
                people,
                &people.county_head,
                InspectionKind::LeaderSupervision,
                &all_sites,
                first,
                last,
            )?;
            if month.month.is_multiple_of(3) || self.rng.chance(0.3) {
                let day = self.rng.day(first, last);
                self.meeting(
                    &people.county_head,
                    county_name,
                    MeetingKind::SafetyCommittee,
                    day,
                )?;
            }
            self.visit(
                people,
                &people.supervision,
                InspectionKind::RandomCheck,
                &all_sites,
                first,
                last,
            )?;
        }
        // One patrol a month by 县安委办: four sites in different townships.
        let mut targets: Vec<usize> = Vec::new();
        while targets.len() < 4 {
            let s = *self.rng.pick(&all_sites);
            if targets
                .iter()
                .all(|t| self.sites[*t].township_id != self.sites[s].township_id)
            {
                targets.push(s);
            }
        }
        let window_start = self.rng.day(first, last);
        let mut plan = PatrolPlan {
            id: new_id(),
            title: format!("{}县安委办安全生产暗访巡查", month.label()),
            organiser_unit_id: SAFETY_OFFICE_ID.to_string(),
            team: vec![people.office.id.clone()],
            targets: Vec::new(),
            window_start,
            window_end: (window_start + Duration::days(2)).min(last),
        };
        for (i, site) in targets.into_iter().enumerate() {
            let day = (window_start + Duration::days(i as i64 / 2)).min(plan.window_end);
            let kind = InspectionKind::UnannouncedPatrol;
            let insp = self.inspection(people, &people.office, kind, site, day)?;
            plan.targets.push(PatrolTarget {
                site_id: self.sites[site].id.clone(),
                visited_inspection_id: Some(insp),
            });
        }
        records::save_patrol(self.tx, &plan)?;
        Ok(())
    }
}
