//! The demo's inspections and the hazards found in them, carried through 四改 by the state
//! machine: 即查即改, 交办, 移交, 五落实, 一患一策, 整改 and 验收.

use super::*;

impl Seeder<'_> {
    /// An inspection of one of `sites` on a day between `first` and `last`.
    pub(super) fn visit(
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
    pub(super) fn inspection(
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
