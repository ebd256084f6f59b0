//! 月述: duty reports (述职) and the rotation of the county executive meeting.
//!
//! Every month 1 county leader, 2 townships and 1 department report at the executive meeting
//! (县政府常务会). The schedule is derived, never stored: whoever reported longest ago (or
//! never) goes first, ties in the county's list order. That keeps the rotation fair — no one
//! reports twice before everyone of their kind has reported — and it survives units being
//! added: a new unit has never reported, like everyone still waiting in the current round, so it
//! joins that round (after those listed before it) and reports before anyone's second turn.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::month::YearMonth;
use crate::{required_text, DomainError};

/// Where a duty report was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportForum {
    /// 县政府常务会: the rotation.
    ExecutiveMeeting,
    /// 党委（组）会或行政班子会: each unit's monthly report by one responsible person.
    UnitMeeting,
    /// 班子成员集体述职: at least once a year.
    CollectiveAnnual,
}

impl ReportForum {
    pub fn label(self) -> &'static str {
        match self {
            ReportForum::ExecutiveMeeting => "县政府常务会述职",
            ReportForum::UnitMeeting => "单位班子会述职",
            ReportForum::CollectiveAnnual => "班子集体述职",
        }
    }
}

/// Who reports at the executive meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReporterKind {
    CountyLeader,
    Township,
    Department,
}

impl ReporterKind {
    pub const ALL: [ReporterKind; 3] = [
        ReporterKind::CountyLeader,
        ReporterKind::Township,
        ReporterKind::Department,
    ];

    /// How many of this kind report each month.
    pub fn per_month(self) -> usize {
        match self {
            ReporterKind::CountyLeader => 1,
            ReporterKind::Township => 2,
            ReporterKind::Department => 1,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReporterKind::CountyLeader => "县政府领导",
            ReporterKind::Township => "乡镇（街道）",
            ReporterKind::Department => "行业部门",
        }
    }
}

/// A duty report that was given, with its file (the report text, minutes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyReport {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub id: String,
    pub forum: ReportForum,
    /// The month reported for; the report's date must fall in it (for the annual collective
    /// report: in its year).
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^\s*(20[0-9]{2}|2100)-(0?[1-9]|1[0-2])\s*$", example = "2026-11"))]
    pub month: YearMonth,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub unit_id: String,
    /// The person who reported (the unit's head at the executive meeting).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub person_id: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub reporter_name: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub topic: String,
    pub reported_on: NaiveDate,
    /// Evidence ids of the report file and minutes.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Files uploaded with the report (its text, minutes), stored by content hash. Only the
    /// server adds these, after the report is recorded.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub files: Vec<ReportFile>,
}

/// A file of a duty report as the server stored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportFile {
    /// SHA-256 of the bytes (hex): the file is `GET /v1/blobs/{sha256}`.
    pub sha256: String,
    /// The name it was uploaded under.
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// Person id of who uploaded it.
    pub uploaded_by: String,
    pub uploaded_at: chrono::DateTime<chrono::Utc>,
}

impl DutyReport {
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.unit_id, "述职单位")?;
        required_text(&self.person_id, "述职人")?;
        required_text(&self.reporter_name, "述职人姓名")?;
        required_text(&self.topic, "述职内容")?;
        let in_period = match self.forum {
            ReportForum::CollectiveAnnual => self.reported_on.year() == self.month.year,
            _ => self.month.contains(self.reported_on),
        };
        if !in_period {
            return Err(DomainError::InvalidValue {
                field: "述职日期",
                reason: format!("{} 不在 {} 内", self.reported_on, self.month.label()),
            });
        }
        Ok(())
    }
}

/// One who takes part in the rotation: a county leader (person id) or a unit (unit id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationMember {
    pub id: String,
    pub name: String,
    pub kind: ReporterKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SlotState {
    /// 已述职, with the report.
    Reported { report_id: String },
    /// 待述职 (this month or later).
    Planned,
    /// 未述职: the month passed without the report; the member stays first in line.
    Missed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotationSlot {
    pub month: YearMonth,
    pub kind: ReporterKind,
    pub member_id: String,
    pub member_name: String,
    #[serde(flatten)]
    pub state: SlotState,
}

/// The executive-meeting schedule of `year`, from every executive-meeting report ever recorded
/// (earlier years decide who is first in January). Members are in the county's list order.
pub fn schedule(
    members: &[RotationMember],
    reports: &[DutyReport],
    year: i32,
    today: NaiveDate,
) -> Vec<RotationSlot> {
    let member_of = |r: &DutyReport| -> Option<&RotationMember> {
        members
            .iter()
            .find(|m| m.kind == ReporterKind::CountyLeader && m.id == r.person_id)
            .or_else(|| {
                members
                    .iter()
                    .find(|m| m.kind != ReporterKind::CountyLeader && m.id == r.unit_id)
            })
    };
    let mut executive: Vec<(&DutyReport, &RotationMember)> = reports
        .iter()
        .filter(|r| r.forum == ReportForum::ExecutiveMeeting)
        .filter_map(|r| member_of(r).map(|m| (r, m)))
        .collect();
    executive.sort_by_key(|(r, _)| (r.month, r.reported_on));

    // The month each member last reported (or was planned to).
    let mut last: HashMap<&str, YearMonth> = HashMap::new();
    for (r, m) in &executive {
        if r.month.year < year {
            last.insert(m.id.as_str(), r.month);
        }
    }
    let current = YearMonth::of(today);
    let mut slots = Vec::new();
    for month in YearMonth::year_months(year) {
        for kind in ReporterKind::ALL {
            let given: Vec<&(&DutyReport, &RotationMember)> = executive
                .iter()
                .filter(|(r, m)| r.month == month && m.kind == kind)
                .collect();
            for (r, m) in &given {
                slots.push(RotationSlot {
                    month,
                    kind,
                    member_id: m.id.clone(),
                    member_name: m.name.clone(),
                    state: SlotState::Reported {
                        report_id: r.id.clone(),
                    },
                });
            }
            let taken: Vec<&str> = given.iter().map(|(_, m)| m.id.as_str()).collect();
            let mut queue: Vec<(usize, &RotationMember)> = members
                .iter()
                .enumerate()
                .filter(|(_, m)| m.kind == kind && !taken.contains(&m.id.as_str()))
                .collect();
            queue.sort_by_key(|(pos, m)| (last.get(m.id.as_str()).copied(), *pos));
            let open = kind.per_month().saturating_sub(given.len());
            for (_, m) in queue.into_iter().take(open) {
                let missed = month < current;
                slots.push(RotationSlot {
                    month,
                    kind,
                    member_id: m.id.clone(),
                    member_name: m.name.clone(),
                    state: if missed {
                        SlotState::Missed
                    } else {
                        SlotState::Planned
                    },
                });
                if !missed {
                    last.insert(m.id.as_str(), month);
                }
            }
            for (_, m) in &given {
                last.insert(m.id.as_str(), month);
            }
        }
    }
    slots
}

/// The unit's own monthly report (本单位每月1名负责同志述职), if recorded.
pub fn unit_monthly_report<'a>(
    reports: &'a [DutyReport],
    unit_id: &str,
    month: YearMonth,
) -> Option<&'a DutyReport> {
    reports
        .iter()
        .find(|r| r.forum == ReportForum::UnitMeeting && r.unit_id == unit_id && r.month == month)
}

/// Whether the unit's leadership reported collectively in `year` (at least once a year).
pub fn collective_report_done(reports: &[DutyReport], unit_id: &str, year: i32) -> bool {
    reports.iter().any(|r| {
        r.forum == ReportForum::CollectiveAnnual && r.unit_id == unit_id && r.month.year == year
    })
}
