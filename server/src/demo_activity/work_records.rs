//! The demo's records around the hazards: hardware investment with its proof, meetings, the
//! executive-meeting rotation, duty reports and self-assessments.

use super::*;

impl Seeder<'_> {
    /// Proof of hardware investment for a hazard that needs it, with the parts the notice
    /// lists: contract, photos before / during / after the works, invoice. Most are submitted
    /// a few days after the works; some still lack the invoice; one "after" photo is the
    /// previous investment's, cropped and re-saved (a recycled photo the server flags).
    pub(super) fn investment(
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
        // Some lack the invoice, at least one of the first few whatever the draws.
        let lacks_invoice =
            self.rng.chance(0.15) || (self.lacking_invoice == 0 && self.summary.investments >= 2);
        self.lacking_invoice += usize::from(lacks_invoice);
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

    pub(super) fn meeting(
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
    pub(super) fn rotation(&mut self, people: &People, last_month: YearMonth) -> ApiResult<()> {
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
    pub(super) fn unit_reports_and_self_assessments(
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
