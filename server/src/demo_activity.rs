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

    /// An inspection of one of `sites` on a day between `first` and `last`.
    fn visit(
        &mut self,
        people: &People,
        leader: &Person,
        kind: InspectionKind,
        sites: &[usize],
        first: NaiveDate,
        last: NaiveDate,
    ) -> ApiResult<String> {
        let site = *self.rng.pick(sites);
        let day = self.rng.day(first, last);
        self.inspection(people, leader, kind, site, day)
    }

    /// One finished inspection of a site, every item answered; sometimes an item fails and a
    /// hazard is raised from it and carried as far as the days since allow. Returns its id.
    fn inspection(
        &mut self,
        people: &People,
        leader: &Person,
        kind: InspectionKind,
        site: usize,
        day: NaiveDate,
    ) -> ApiResult<String> {
        let site = self.sites[site].clone();
        let industry = Industry::from_code(&site.industry).map_err(demo_error)?;
        let list = self.checklists.current(industry);
        let started = at(day, 9 + self.rng.below(6) as u32, self.rng.below(60) as u32);
        let participants = vec![format!(
            "{}{}",
            SURNAMES[self.rng.below(SURNAMES.len())],
            GIVEN[self.rng.below(GIVEN.len())]
        )];
        let mut insp = Inspection::start(
            new_id(),
            kind,
            &site.id,
            &list,
            leader.actor(),
            participants,
            started,
        )
        .map_err(demo_error)?;
        let fail_rate = match kind {
            InspectionKind::UnannouncedPatrol | InspectionKind::RandomCheck => 0.7,
            _ => 0.35,
        };
        // Its legal nature as the server would decide it (in the demo's own unit and with the
        // leader's certificate, on the day of the visit).
        let unit = self
            .county
            .units()
            .into_iter()
            .find(|u| u.id == leader.unit_id);
        let target = policy::Target {
            site: Some(&site),
            on_patrol_plan: kind == InspectionKind::UnannouncedPatrol,
            officer: unit.as_ref().map(|unit| Officer {
                unit,
                certificates: &leader.certificates,
                today: day,
            }),
            ..policy::Target::default()
        };
        if let Ok(st) = policy::inspection_standing(&leader.actor(), kind, None, &target) {
            insp.activity = Some(st.activity);
            insp.in_name_of = st.in_name_of;
            insp.certificate_number = st.certificate_number;
        }
        // A 行政检查 is made with a certified colleague of the leader's body.
        if insp.activity == Some(FieldActivity::AdministrativeInspection) {
            let colleagues = demo::colleagues(&leader.unit_id);
            if let Some(c) = colleagues.get(started.timestamp() as usize % 2) {
                insp.participants = vec![c.name.clone()];
                let units: Vec<_> = unit.into_iter().collect();
                insp.officers = team::of_inspection(&insp, &units, &colleagues, &site, day)
                    .map_err(demo_error)?;
            }
        }
        // Only the items that apply to the site are asked (conditional items by its attributes).
        let attributes = list.declared_attributes(&site.attributes);
        let asked = insp.applicable_items(&list, &attributes);
        let failed: Option<&ChecklistItem> = self.rng.chance(fail_rate).then(|| {
            let (major, general): (Vec<&ChecklistItem>, Vec<&ChecklistItem>) =
                asked.iter().copied().partition(|i| i.major);
            // About one finding in seven is a 重大事故隐患 where the site's list has any.
            if general.is_empty() || (!major.is_empty() && self.rng.chance(0.15)) {
                *self
                    .rng
                    .pick(if major.is_empty() { &general } else { &major })
            } else {
                *self.rng.pick(&general)
            }
        });
        for (n, item) in asked.iter().enumerate() {
            let recorded = started + Duration::minutes(3 * n as i64 + 2);
            let (outcome, note) = match failed {
                Some(f) if f.id == item.id => (
                    ItemOutcome::Fail,
                    Some(format!("现场检查发现不符合要求：{}", item.text)),
                ),
                _ if self.rng.chance(0.04) => (ItemOutcome::NotApplicable, None),
                _ => (ItemOutcome::Pass, None),
            };
            insp.record(&list, &item.id, outcome, note, recorded)
                .map_err(demo_error)?;
        }
        let finished = started + Duration::minutes(3 * asked.len() as i64 + 10);
        insp.finish_at_site(&list, &attributes, finished)
            .map_err(demo_error)?;
        records::save_inspection(self.tx, &insp)?;
        self.summary.inspections += 1;
        *self
            .inspections_by_unit
            .entry((leader.unit_id.clone(), YearMonth::of(day)))
            .or_default() += 1;
        let photo_item = failed.unwrap_or(asked[0]);
        let target = EvidenceTarget::InspectionItem {
            inspection_id: insp.id.clone(),
            item_id: photo_item.id.clone(),
        };
        let stage = if failed.is_some() {
            EvidenceStage::Before
        } else {
            EvidenceStage::None
        };
        let id = new_id();
        self.photo(&id, target, stage, leader, started, &site)?;
        if let Some(item) = failed {
            self.hazard(people, leader, &insp, item, &site, finished)?;
        }
        Ok(insp.id)
    }

    /// A hazard from a failed item, carried through 四改 as far as the days since allow.
    fn hazard(
        &mut self,
        people: &People,
        finder: &Person,
        insp: &Inspection,
        item: &ChecklistItem,
        site: &Site,
        raised_at: DateTime<Utc>,
    ) -> ApiResult<()> {
        let id = new_id();
        let draft = HazardDraft {
            id: id.clone(),
            number: hazard_number(&id, raised_at),
            site_id: Some(site.id.clone()),
            unit_id: site.township_id.clone(),
            description: format!("{}：{}", site.name, item.text),
            location: Some(site.location.point),
            source: Some(HazardSource {
                inspection_id: insp.id.clone(),
                industry: insp.industry,
                item_id: item.id.clone(),
            }),
            level: None,
            level_reason: None,
            needs_hardware: item.major || self.rng.chance(0.25),
        };
        let raised = ledger::raise(
            draft,
            &self.checklists,
            &finder.actor(),
            raised_at,
            new_id(),
        )
        .map_err(demo_error)?;
        let mut story = Story {
            doc: HazardDoc::raised(raised),
            photos: Vec::new(),
            verifier: None,
        };
        // 移交: a finding not made in a 行政检查 is accepted by the competent unit's head,
        // whose unit then verifies it.
        let units = self.county.units();
        if let Some(r) = referral::referral_for(insp, site, &units, raised_at) {
            if let Some(to) = people.units.iter().find(|l| l.unit_id == r.to_unit_id) {
                story.doc.hazard.referral = Some(r);
                let accept_at = raised_at + Duration::minutes(30);
                story.act(HazardAction::AcceptReferral, &to.head, accept_at)?;
                story.verifier = Some(to.head.clone());
            }
        }
        let township = people
            .township(&site.township_id)
            .ok_or_else(|| demo_error(format!("未找到乡镇：{}", site.township_id)))?;
        let raised_day = anjian_domain::hazard::china_date(raised_at);
        let yesterday = self.today - Duration::days(1);
        if story.doc.hazard.level == HazardLevel::General {
            self.general_hazard(&mut story, finder, township, raised_day, yesterday)?;
        } else {
            self.major_hazard(&mut story, people, township, raised_day, yesterday)?;
        }
        records::save_hazard(self.tx, &story.doc)?;
        self.summary.hazards += 1;
        if story.doc.hazard.status != HazardStatus::Closed {
            self.summary.open_hazards += 1;
        }
        let target = EvidenceTarget::Hazard {
            hazard_id: story.doc.hazard.id.clone(),
        };
        for (photo_id, by, when) in std::mem::take(&mut story.photos) {
            self.photo(
                &photo_id,
                target.clone(),
                EvidenceStage::After,
                &by,
                when,
                site,
            )?;
        }
        if story.doc.hazard.needs_hardware && story.doc.hazard.status != HazardStatus::Registered {
            self.investment(&story.doc.hazard, township, site, raised_day, yesterday)?;
        }
        Ok(())
    }

    /// 即查即改 on the spot, or 交办 to the township with a deadline, then 整改, 提交 and 验收
    /// on the days that have passed; a few run late or are still open.
    fn general_hazard(
        &mut self,
        story: &mut Story,
        finder: &Person,
        township: &Leaders,
        raised_day: NaiveDate,
        yesterday: NaiveDate,
    ) -> ApiResult<()> {
        let raised_at = story.doc.hazard.raised_at;
        if !story.doc.hazard.needs_hardware && self.rng.chance(0.45) {
            // A referred finding is closed by the competent unit that accepted it.
            let closer = story.verifier.clone().unwrap_or(finder.clone());
            let photo = story.photo(&closer, raised_at + Duration::minutes(40));
            return story.act(
                HazardAction::CloseOnSpot {
                    note: "现场立即整改完毕，已拍照留存".into(),
                    after_evidence: vec![photo],
                },
                &closer,
                raised_at + Duration::minutes(45),
            );
        }
        let deadline = raised_day + Duration::days(7 + self.rng.below(14) as i64);
        let assigner = if finder.roles.iter().any(|r| r.may_assign()) {
            finder
        } else {
            &township.head
        };
        let assign = HazardAction::Assign {
            unit_id: township.unit_id.clone(),
            deadline,
        };
        story.act(assign, assigner, raised_at + Duration::hours(1))?;
        if story.doc.hazard.needs_hardware {
            story.hardware_measures(&township.head, raised_at + Duration::hours(2))?;
        }
        self.rectify(story, township, raised_day, deadline, yesterday)
    }

    /// 整改 by the township's deputy head, verified by its head (never the same person).
    fn rectify(
        &mut self,
        story: &mut Story,
        township: &Leaders,
        raised_day: NaiveDate,
        deadline: NaiveDate,
        yesterday: NaiveDate,
    ) -> ApiResult<()> {
        let start = raised_day + Duration::days(1 + self.rng.below(3) as i64);
        // Some of the last two weeks' assignments still wait for the township to start.
        let recent = (yesterday - raised_day).num_days() < 14;
        if start > yesterday || (recent && self.rng.chance(0.6)) {
            return Ok(());
        }
        let rectifier = &township.deputy;
        story.act(
            HazardAction::StartRectification,
            rectifier,
            at(start, 9, 30),
        )?;
        let span = (deadline - start).num_days().max(1) as usize;
        let late = self.rng.chance(0.15);
        let submit =
            start + Duration::days((self.rng.below(span) + if late { span } else { 0 }) as i64);
        if submit > yesterday || self.rng.chance(0.15) {
            return Ok(());
        }
        let photo = story.photo(rectifier, at(submit, 15, 10));
        let done = HazardAction::SubmitRectification {
            note: "已按要求完成整改，附整改后照片".into(),
            after_evidence: vec![photo],
        };
        story.act(done, rectifier, at(submit, 15, 30))?;
        let verify = submit + Duration::days(1 + self.rng.below(2) as i64);
        // Some wait for 验收 a while after their submission; the township's own findings
        // submitted in the last week wait at least three of them, so the office's ledger
        // always shows 验收 to do (the draws stay the same: only those hazards change).
        let waits = verify > yesterday || self.rng.chance(if recent { 0.5 } else { 0.1 });
        let own = story.verifier.is_none();
        let fresh = (yesterday - submit).num_days() < 7;
        if waits || (own && fresh && self.awaiting_verification < MIN_AWAITING_VERIFICATION) {
            if own {
                self.awaiting_verification += 1;
            }
            return Ok(());
        }
        let note = Some("经现场复核，整改到位，同意销号".to_string());
        let verifier = story.verifier.clone().unwrap_or(township.head.clone());
        story.act(HazardAction::Verify { note }, &verifier, at(verify, 10, 0))
    }

    /// 五落实 by the township, 临时防控措施, 一患一策 for hardware, 交办 by 县安委办, then
    /// rectification on the plan's deadline.
    fn major_hazard(
        &mut self,
        story: &mut Story,
        people: &People,
        township: &Leaders,
        raised_day: NaiveDate,
        yesterday: NaiveDate,
    ) -> ApiResult<()> {
        let plan_day = raised_day + Duration::days(1);
        if plan_day > yesterday {
            return Ok(());
        }
        let deadline = raised_day + Duration::days(20 + self.rng.below(40) as i64);
        let h = &story.doc.hazard;
        let plan = FiveImplementations {
            target: Some(format!("消除重大事故隐患，{}达到规定要求", h.description)),
            measures: Some(
                "制定专项整改方案，落实专人负责，整改期间停止相关区域作业；整改完成后申请验收"
                    .into(),
            ),
            deadline: Some(deadline),
            responsible: Some(format!(
                "{}（{}）",
                township.deputy.name, township.unit_name
            )),
            funding: Some(Funding {
                amount_fen: (20 + self.rng.below(280)) as i64 * 100_000,
                source: "企业自筹".into(),
            }),
        };
        let head = &township.head;
        story.act(HazardAction::UpdatePlan { plan }, head, at(plan_day, 10, 0))?;
        story.hardware_measures(head, at(plan_day, 10, 20))?;
        let assign = HazardAction::Assign {
            unit_id: township.unit_id.clone(),
            deadline,
        };
        story.act(assign, &people.office, at(plan_day, 16, 0))?;
        self.rectify(story, township, plan_day, deadline, yesterday)
    }

    /// Proof of hardware investment for a hazard that needs it, with the parts the notice
    /// lists: contract, photos before / during / after the works, invoice. Most are submitted
    /// a few days after the works; some still lack the invoice; one "after" photo is the
    /// previous investment's, cropped and re-saved (a recycled photo the server flags).
    fn investment(
        &mut self,
        hazard: &Hazard,
        township: &Leaders,
        site: &Site,
        raised_day: NaiveDate,
        yesterday: NaiveDate,
    ) -> ApiResult<()> {
        let day = raised_day + Duration::days(2 + self.rng.below(10) as i64);
        if day > yesterday || self.rng.chance(0.25) {
            return Ok(());
        }
        let amount_fen = (3 + self.rng.below(120)) as i64 * 100_000;
        let start = day - Duration::days(1 + self.rng.below(3) as i64);
        let lacks_invoice = self.rng.chance(0.15);
        let submit_day = day + Duration::days(1 + self.rng.below(4) as i64);
        let mut inv = HardwareInvestment {
            id: new_id(),
            unit_id: township.unit_id.clone(),
            hazard_id: Some(hazard.id.clone()),
            site_id: Some(site.id.clone()),
            description: format!("{}设施设备更换改造（隐患 {}）", site.name, hazard.number),
            amount_fen,
            invested_on: day,
            documents: (0..5).map(|_| new_id()).collect(),
            received_at: Some(at(start, 9, 30)),
            submitted_at: (!lacks_invoice && submit_day <= yesterday)
                .then(|| at(submit_day, 10, 15)),
        };
        if lacks_invoice {
            inv.documents.pop();
        }
        inv.validate().map_err(demo_error)?;
        records::save_unit_record(
            self.tx,
            entity::HARDWARE_INVESTMENT,
            &inv.id,
            &inv.unit_id,
            &inv,
        )?;
        self.summary.investments += 1;
        let target = EvidenceTarget::HardwareInvestment {
            investment_id: inv.id.clone(),
        };
        let by = &township.deputy;
        let yuan = format!("{:.2} 元", amount_fen as f64 / 100.0);
        let contract = word(
            "设施设备更换改造施工合同",
            &[
                format!("甲方：{}", township.unit_name),
                "乙方：忠县安宏消防设备安装有限公司（演示数据）".to_string(),
                format!("工程内容：{}", inv.description),
                format!("合同价款：{yuan}"),
                format!(
                    "工期：{} 至 {}",
                    start.format("%Y年%-m月%-d日"),
                    day.format("%Y年%-m月%-d日")
                ),
            ],
        )?;
        let docs = inv.documents.clone();
        let file = DocFile::new(&contract, EvidenceKind::Contract, None);
        self.document(&docs[0], target.clone(), file, by, at(start, 9, 0))?;
        for (i, (stage, when)) in [
            (EvidenceStage::Before, at(start, 9, 20)),
            (EvidenceStage::During, at(start, 15, 40)),
        ]
        .into_iter()
        .enumerate()
        {
            self.photo(&docs[1 + i], target.clone(), stage, by, when, site)?;
        }
        let after_at = at(day, 16, 0);
        match self.last_after_photo.take() {
            // The demo's one recycled photo: the previous investment's "after" picture,
            // cropped and re-saved.
            Some(previous) if !self.recycled_shown => {
                self.recycled_shown = true;
                let copy = recycled_copy(&previous)?;
                let file = FileKind::Photo(&copy, EvidenceStage::After);
                let point = (site.location.point.lat, site.location.point.lon);
                self.store_file(&docs[3], target.clone(), file, by, after_at, Some(point))?;
            }
            _ => {
                let bytes = self.fresh_illustration()?;
                let point = (site.location.point.lat, site.location.point.lon);
                let file = FileKind::Photo(&bytes, EvidenceStage::After);
                self.store_file(&docs[3], target.clone(), file, by, after_at, Some(point))?;
                self.last_after_photo = Some(bytes);
            }
        }
        if !lacks_invoice {
            let invoice = word(
                "增值税普通发票（复印件）",
                &[
                    format!("购买方：{}", township.unit_name),
                    format!("项目：{}", inv.description),
                    format!("价税合计：{yuan}"),
                    format!("开票日期：{}", day.format("%Y年%-m月%-d日")),
                ],
            )?;
            let file = DocFile::new(&invoice, EvidenceKind::Invoice, Some(amount_fen));
            self.document(&docs[4], target, file, by, after_at + Duration::minutes(30))?;
        }
        Ok(())
    }

    fn meeting(
        &mut self,
        chair: &Person,
        unit_name: &str,
        kind: MeetingKind,
        day: NaiveDate,
    ) -> ApiResult<()> {
        let held_at = at(day, 14, 30);
        let month = YearMonth::of(day);
        let attendees: Vec<String> = (0..5)
            .map(|_| {
                format!(
                    "{}{}",
                    SURNAMES[self.rng.below(SURNAMES.len())],
                    GIVEN[self.rng.below(GIVEN.len())]
                )
            })
            .collect();
        let minutes = format!(
            "传达学习上级安全生产工作部署，通报{}隐患排查整改情况，研究部署下阶段重点工作：\
             一是压实属地和部门监管责任；二是对逾期未整改隐患挂牌督办；三是做好极端天气和节假日安全防范。",
            month.label()
        );
        let m = Meeting {
            received: None,
            id: new_id(),
            kind,
            unit_id: chair.unit_id.clone(),
            title: format!("{unit_name}{}{}", month.label(), kind.label()),
            chaired_by: chair.id.clone(),
            on_behalf_of: None,
            held_at,
            attendees: attendees.clone(),
            minutes: Some(minutes.clone()),
            evidence: vec![new_id()],
        };
        m.validate().map_err(demo_error)?;
        records::save_unit_record(self.tx, entity::MEETING, &m.id, &m.unit_id, &m)?;
        self.summary.meetings += 1;
        let file = word(
            &format!("{}会议纪要", m.title),
            &[
                format!("时间：{}", day.format("%Y年%-m月%-d日 14:30")),
                format!("主持：{}", chair.name),
                format!("参加人员：{}", attendees.join("、")),
                minutes,
            ],
        )?;
        let target = EvidenceTarget::Meeting {
            meeting_id: m.id.clone(),
        };
        let file = DocFile::new(&file, EvidenceKind::OtherDocument, None);
        self.document(&m.evidence[0], target, file, chair, held_at)
    }

    /// The executive-meeting rotation from January to `last_month`, month by month as the
    /// schedule planned it (one township's turn missed in the last month, kept first in line).
    fn rotation(&mut self, people: &People, last_month: YearMonth) -> ApiResult<()> {
        let members = crate::monthly::County::load(self.tx)?.rotation_members();
        let mut given: Vec<DutyReport> = Vec::new();
        let mut month = YearMonth::new(last_month.year, 1).map_err(demo_error)?;
        loop {
            let slots = rotation::schedule(&members, &given, month.year, month.first_day());
            let meeting_day = month.first_day() + Duration::days(20 + self.rng.below(5) as i64);
            let mut skipped = false;
            for slot in slots.iter().filter(|s| s.month == month) {
                if slot.state != SlotState::Planned {
                    continue;
                }
                if month == last_month && slot.kind == ReporterKind::Township && !skipped {
                    skipped = true;
                    continue;
                }
                let (unit_id, person) = match slot.kind {
                    ReporterKind::CountyLeader => {
                        let p = [
                            &people.county_head,
                            &people.deputy_head,
                            &people.other_leader,
                        ]
                        .into_iter()
                        .find(|p| p.id == slot.member_id)
                        .ok_or_else(|| demo_error(&slot.member_name))?;
                        (COUNTY_GOVERNMENT_ID.to_string(), p)
                    }
                    _ => {
                        let l = people
                            .units
                            .iter()
                            .find(|l| l.unit_id == slot.member_id)
                            .ok_or_else(|| demo_error(&slot.member_name))?;
                        (l.unit_id.clone(), &l.head)
                    }
                };
                let report = self.duty_report(
                    ReportForum::ExecutiveMeeting,
                    month,
                    &unit_id,
                    person,
                    &slot.member_name,
                    meeting_day,
                )?;
                given.push(report);
            }
            if month == last_month {
                return Ok(());
            }
            month = month.next();
        }
    }

    /// Each unit's own monthly report and its self-assessment for `month`; a few are missing,
    /// as they would be. Some units already held this year's collective report.
    fn unit_reports_and_self_assessments(
        &mut self,
        people: &People,
        month: YearMonth,
    ) -> ApiResult<()> {
        for (i, l) in people.units.iter().enumerate() {
            // Sent with the unit's other month-end items.
            let sent_on = crate::demo_mechanism::month_end_day(i, month).min(self.today);
            if self.rng.chance(0.9) {
                let day = self
                    .rng
                    .day(month.first_day() + Duration::days(20), month.last_day());
                let name = l.unit_name.clone();
                self.duty_report(
                    ReportForum::UnitMeeting,
                    month,
                    &l.unit_id,
                    &l.head,
                    &name,
                    day,
                )?;
            }
            if self.rng.chance(0.3) {
                let day = self.rng.day(month.first_day(), month.last_day());
                let name = l.unit_name.clone();
                let forum = ReportForum::CollectiveAnnual;
                self.duty_report(forum, month, &l.unit_id, &l.head, &name, day)?;
            }
            if self.rng.chance(0.85) {
                let led = self
                    .inspections_by_unit
                    .get(&(l.unit_id.clone(), month))
                    .copied()
                    .unwrap_or(0);
                let set = anjian_domain::assessment::IndicatorSet::standard();
                let items: Vec<SelfItem> = set
                    .indicators
                    .iter()
                    .filter(|i| !i.metric.is_deduction())
                    .map(|i| {
                        let off = self.rng.below(3) as f64 * i.weight / 10.0;
                        SelfItem {
                            indicator_id: i.id.clone(),
                            score: i.weight - off,
                            note: Some(if off > 0.0 {
                                format!("{}尚有差距，下月整改", i.label)
                            } else {
                                format!("{}已按要求完成", i.label)
                            }),
                        }
                    })
                    .collect();
                let mut sa = SelfAssessment {
                    id: new_id(),
                    unit_id: l.unit_id.clone(),
                    month,
                    score: 0.0,
                    items,
                    summary: format!(
                        "{}本单位领导带队开展检查 {led} 次，按期召开安全生产工作例会，\
                         发现问题均已建立台账并按时限推进整改。",
                        month.label()
                    ),
                    submitted_by: l.head.id.clone(),
                    submitted_at: at(sent_on, 11, 0),
                    evidence: Vec::new(),
                };
                sa.validate(set).map_err(demo_error)?;
                sa.score = sa.total();
                records::save_unit_record(
                    self.tx,
                    entity::SELF_ASSESSMENT,
                    &sa.id,
                    &sa.unit_id,
                    &sa,
                )?;
                self.summary.self_assessments += 1;
            }
        }
        Ok(())
    }

    fn duty_report(
        &mut self,
        forum: ReportForum,
        month: YearMonth,
        unit_id: &str,
        person: &Person,
        who: &str,
        day: NaiveDate,
    ) -> ApiResult<DutyReport> {
        let topic = format!("{}{}履行安全生产工作职责情况", who, month.label());
        let report = DutyReport {
            id: new_id(),
            forum,
            month,
            unit_id: unit_id.to_string(),
            person_id: person.id.clone(),
            reporter_name: person.name.clone(),
            topic: topic.clone(),
            reported_on: day,
            evidence: Vec::new(),
            files: Vec::new(),
        };
        report.validate().map_err(demo_error)?;
        records::save_unit_record(self.tx, entity::DUTY_REPORT, &report.id, unit_id, &report)?;
        self.summary.duty_reports += 1;
        Ok(report)
    }

    fn photo(
        &mut self,
        id: &str,
        target: EvidenceTarget,
        stage: EvidenceStage,
        by: &Person,
        when: DateTime<Utc>,
        site: &Site,
    ) -> ApiResult<()> {
        let bytes = self.fresh_illustration()?;
        let point = (site.location.point.lat, site.location.point.lon);
        let file = FileKind::Photo(&bytes, stage);
        self.store_file(id, target, file, by, when, Some(point))
    }

    /// A picture unlike every one drawn before: the server flags a proof photo within
    /// `RECYCLED_MAX_DISTANCE` of another as recycled, and the demo's only recycled photo is
    /// the one copy it makes on purpose, whatever number of draws the checklists' items take.
    fn fresh_illustration(&mut self) -> ApiResult<Vec<u8>> {
        loop {
            let bytes = illustration(self.rng.next()).map_err(demo_error)?;
            let Some(hashes) = crate::proof::hash_bytes(&bytes) else {
                return Ok(bytes);
            };
            if self
                .drawn
                .iter()
                .all(|d| photo_distance(d, &hashes) > RECYCLED_MAX_DISTANCE)
            {
                self.drawn.push(hashes);
                return Ok(bytes);
            }
        }
    }

    fn document(
        &mut self,
        id: &str,
        target: EvidenceTarget,
        file: DocFile,
        by: &Person,
        when: DateTime<Utc>,
    ) -> ApiResult<()> {
        self.store_file(id, target, FileKind::Document(file), by, when, None)
    }

    fn audience_of(&mut self, target: &EvidenceTarget) -> ApiResult<Vec<String>> {
        let (entity, id) = target.key();
        Ok(self
            .tx
            .get_record(entity, id)?
            .map(|r| r.audience)
            .unwrap_or_else(|| vec![scope::COUNTY.to_string()]))
    }

    /// Keeps the file for the blob store (content-addressed), records the blob and the
    /// evidence record; both are seen by whoever sees the target.
    fn store_file(
        &mut self,
        id: &str,
        target: EvidenceTarget,
        file: FileKind,
        by: &Person,
        when: DateTime<Utc>,
        point: Option<(f64, f64)>,
    ) -> ApiResult<()> {
        let mut audience = self.audience_of(&target)?;
        let (bytes, kind, content_type, stage, amount_fen) = match file {
            FileKind::Photo(b, stage) => (b, EvidenceKind::Photo, "image/jpeg", stage, None),
            FileKind::Document(d) => (
                d.bytes,
                d.kind,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                EvidenceStage::None,
                d.amount_fen,
            ),
        };
        let sha = anjian_evidence::sha256_hex(bytes);
        if !self.files.iter().any(|(s, _)| *s == sha) {
            self.files.push((sha.clone(), bytes.to_vec()));
        }
        audience.extend([scope::COUNTY.to_string(), scope::person(&by.id)]);
        audience.sort();
        audience.dedup();
        // Proof photos get their perceptual hashes, as an upload would.
        let proof = matches!(
            target,
            EvidenceTarget::Hazard { .. } | EvidenceTarget::HardwareInvestment { .. }
        );
        if proof && kind == EvidenceKind::Photo {
            if let Some(h) = crate::proof::hash_bytes(bytes) {
                crate::proof::save_hashes(self.tx, &sha, &h)?;
            }
        }
        self.tx.put_blob(&Blob {
            sha256: sha.clone(),
            size: bytes.len() as i64,
            uploaded_by: by.id.clone(),
            audience: audience.clone(),
        })?;
        let photo = kind == EvidenceKind::Photo;
        let file = EvidenceFile {
            sha256: sha,
            content_type: content_type.to_string(),
            size: bytes.len() as u64,
        };
        let rec = EvidenceRecord {
            taken_at: photo.then(|| when.with_timezone(&china()).to_rfc3339()),
            lat: point.map(|p| p.0),
            lon: point.map(|p| p.1),
            accuracy_m: point.map(|_| 8.0),
            flags: if photo { vec!["demo".into()] } else { vec![] },
            notes: if photo {
                vec!["演示数据：示意图片，非现场拍摄".into()]
            } else {
                vec![]
            },
            amount_fen,
            document_date: (!photo).then(|| anjian_domain::hazard::china_date(when)),
            ..EvidenceRecord::new(
                id.to_string(),
                kind,
                file,
                target,
                stage,
                by.id.clone(),
                when,
            )
        };
        records::save_evidence(self.tx, &rec, audience)?;
        self.summary.files += 1;
        Ok(())
    }
}

enum FileKind<'a> {
    Photo(&'a [u8], EvidenceStage),
    Document(DocFile<'a>),
}

/// A Word file: what it is (contract, invoice, minutes), with the amount an invoice proves.
struct DocFile<'a> {
    bytes: &'a [u8],
    kind: EvidenceKind,
    amount_fen: Option<i64>,
}

impl<'a> DocFile<'a> {
    fn new(bytes: &'a [u8], kind: EvidenceKind, amount_fen: Option<i64>) -> DocFile<'a> {
        DocFile {
            bytes,
            kind,
            amount_fen,
        }
    }
}

/// A photo cropped at the edges and re-saved: how a recycled "after" photo is made.
fn recycled_copy(jpeg: &[u8]) -> ApiResult<Vec<u8>> {
    let (img, _) = photo::decode_scaled(jpeg, 100_000).map_err(demo_error)?;
    let (x0, y0) = (img.width * 6 / 100, img.height * 6 / 100);
    let (w, h) = (img.width - 2 * x0, img.height - 2 * y0);
    let mut pixels = Vec::with_capacity(w * h * 3);
    for y in y0..y0 + h {
        let row = (y * img.width + x0) * 3;
        pixels.extend_from_slice(&img.pixels[row..row + w * 3]);
    }
    photo::encode(
        &Rgb {
            width: w,
            height: h,
            pixels,
        },
        70,
    )
    .map_err(demo_error)
}

/// A hazard's story as it is told: the document with its events, and the after-photos its
/// actions cite (id, who took it, when), written once the hazard is saved.
struct Story {
    doc: HazardDoc,
    photos: Vec<(String, Person, DateTime<Utc>)>,
    /// The competent unit's head who verifies a referred finding (移交).
    verifier: Option<Person>,
}

impl Story {
    fn photo(&mut self, by: &Person, when: DateTime<Utc>) -> String {
        let id = new_id();
        self.photos.push((id.clone(), by.clone(), when));
        id
    }

    /// 临时防控措施 always, and 一患一策 when the problem is in hardware.
    fn hardware_measures(&mut self, by: &Person, when: DateTime<Utc>) -> ApiResult<()> {
        let measures = "设置警戒区域和警示标志，安排专人值守巡查，暂停相关作业".to_string();
        self.act(HazardAction::SetTemporaryMeasures { measures }, by, when)?;
        if self.doc.hazard.needs_hardware {
            let plan = "先标后本：立即落实临时防控措施，限期完成设施设备更换改造并验收".into();
            let action = HazardAction::SetHardwarePlan { plan };
            self.act(action, by, when + Duration::minutes(20))?;
        }
        Ok(())
    }

    /// One action through the state machine, recorded as an event.
    fn act(&mut self, action: HazardAction, by: &Person, when: DateTime<Utc>) -> ApiResult<()> {
        let step = ledger::act(&self.doc.hazard, action, &by.actor(), when, new_id())
            .map_err(demo_error)?;
        self.doc.push(step);
        Ok(())
    }
}

/// A short Word file: a title and its paragraphs.
fn word(title: &str, lines: &[String]) -> ApiResult<Vec<u8>> {
    let mut doc = Document {
        title: title.to_string(),
        author: "忠县安全生产委员会办公室（演示数据）".into(),
        blocks: Vec::new(),
    };
    doc.push(Para::title(title));
    for l in lines {
        doc.push(Para::body(l.clone()));
    }
    doc.to_bytes().map_err(demo_error)
}

/// An illustrative 640×480 picture (sky, hills, a building) varied by `seed`: the demo's
/// stand-in for a phone photo, always flagged as demo data.
fn illustration(seed: u64) -> Result<Vec<u8>, anjian_evidence::EvidenceError> {
    let (w, h) = (640usize, 480usize);
    let hue = |shift: u32| ((seed >> shift) & 0x3f) as i32;
    let horizon = 200 + (seed % 80) as usize;
    let (bx, bw, bh) = (
        60 + (seed >> 8) as usize % 360,
        120 + (seed >> 16) as usize % 120,
        80 + (seed >> 24) as usize % 120,
    );
    // The hills' outline, once per column (sin per pixel made the demo slow to seed).
    let ridge: Vec<usize> = (0..w)
        .map(|x| {
            let dip = (x as f64 / 90.0 + hue(4) as f64).sin() * 30.0;
            (horizon as f64 - dip).max(0.0) as usize
        })
        .collect();
    let wall = [200 - hue(10), 190 - hue(12), 175].map(|c| c.clamp(0, 255) as u8);
    let mut pixels = vec![0u8; w * h * 3];
    for (y, row) in pixels.chunks_exact_mut(w * 3).enumerate() {
        let t = y as i32 * 80 / horizon as i32;
        let sky = [120 + t, 160 + t / 2, 215].map(|c| c.clamp(0, 255) as u8);
        let g = (y - horizon.min(y)) as i32 / 4;
        let ground = [70 + hue(20) / 2 + g / 3, 110 + g / 2, 60 + hue(28) / 3]
            .map(|c| c.clamp(0, 255) as u8);
        let building_row = y + bh >= horizon + 40 && y < horizon + 40;
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            let rgb = if building_row && (bx..bx + bw).contains(&x) {
                wall
            } else if y < ridge[x] {
                sky
            } else {
                ground
            };
            px.copy_from_slice(&rgb);
        }
    }
    // Equipment in front: boxes of a few colours, placed by the seed, so that no two
    // pictures share a layout (the server would rightly take them for one photo re-used).
    let mut r = seed | 1;
    let mut next = |n: usize| {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        (r % n as u64) as usize
    };
    let palette = [
        [200, 40, 40],
        [120, 120, 125],
        [225, 180, 40],
        [40, 80, 160],
        [30, 30, 30],
    ];
    for _ in 0..5 {
        let (bw, bh) = (30 + next(160), 20 + next(140));
        let (x0, y0) = (next(w - bw), next(h - bh));
        let colour = palette[next(palette.len())];
        let line: Vec<u8> = colour.iter().copied().cycle().take(bw * 3).collect();
        for y in y0..y0 + bh {
            pixels[(y * w + x0) * 3..(y * w + x0 + bw) * 3].copy_from_slice(&line);
        }
    }
    photo::encode(
        &Rgb {
            width: w,
            height: h,
            pixels,
        },
        80,
    )
}
