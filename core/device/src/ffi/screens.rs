//! What the field app's screens ask of the store beyond single records: the site list with
//! distances, the kinds of inspection my roles lead, inspections left half done, the location
//! check against a site, my patrol plans, the actions my roles may take on a hazard now, units
//! for filters and 交办, the app's own settings, and logging out without losing anything.
//! Everything here reads the local store: it answers offline.

use std::collections::HashMap;

use anjian_domain::hazard::{Hazard, HazardLevel, HazardStatus};
use anjian_domain::location::{self, LocationCheck};
use anjian_domain::org::Actor;
use anjian_domain::patrol::PatrolPlan;
use anjian_domain::policy::Act;
use anjian_domain::site::GeoPoint;

use super::{AnjianStore, FfiResult, InspectionRecord, SiteRecord};
use crate::store::{self, LedgerFilter};

/// What the 场所 screen filters by. Empty fields filter nothing; with a position the list
/// comes nearest first, otherwise by name.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct SiteQuery {
    /// Part of the name or address.
    pub text: Option<String>,
    pub township_id: Option<String>,
    pub industry: Option<String>,
    pub near_lat: Option<f64>,
    pub near_lon: Option<f64>,
}

/// One row of the site list.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SiteListItem {
    pub site: SiteRecord,
    pub township_name: Option<String>,
    /// Metres from the position in the query.
    pub distance_m: Option<f64>,
    pub open_hazards: u32,
    pub overdue_hazards: u32,
}

/// A unit of the organisation tree, for filters and 交办.
#[derive(Debug, Clone, uniffi::Record)]
pub struct UnitRecord {
    pub id: String,
    pub name: String,
    /// `township`, `department`, `safety_committee_office` ...
    pub kind: String,
    pub kind_label: String,
}

/// Where I am against a site, for the inspection screen.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SiteLocationCheck {
    pub at_site: bool,
    pub distance_m: Option<f64>,
    /// The site's radius plus the accuracy credited.
    pub allowed_m: Option<f64>,
    pub accuracy_m: Option<f64>,
    /// The position came from a mock-location provider.
    pub mock: bool,
    /// The verdict in Chinese, e.g. 位置正常（距场所 35 米）.
    pub label: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct PatrolTargetRecord {
    pub site_id: String,
    /// Empty when the site is not on this device.
    pub site_name: Option<String>,
    pub visited: bool,
}

/// A patrol plan of a team I am on (暗访巡查), secret to the team until done.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PatrolPlanRecord {
    pub id: String,
    pub title: String,
    pub window_start: String,
    pub window_end: String,
    pub targets: Vec<PatrolTargetRecord>,
    pub visited: u32,
}

/// One step of the hazard workflow the app offers as a button: the access policy's act
/// (`allowed_hazard_actions`) narrowed by the hazard's status, level and who rectified it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HazardStep {
    Reclassify,
    UpdatePlan,
    SetHardwarePlan,
    SetTemporaryMeasures,
    Assign,
    CloseOnSpot,
    StartRectification,
    SubmitRectification,
    Verify,
    Reject,
    AttachEvidence,
}

impl HazardStep {
    fn act(self) -> Act {
        match self {
            HazardStep::Reclassify => Act::Reclassify,
            HazardStep::UpdatePlan
            | HazardStep::SetHardwarePlan
            | HazardStep::SetTemporaryMeasures => Act::PlanRectification,
            HazardStep::Assign => Act::Assign,
            HazardStep::CloseOnSpot => Act::CloseOnSpot,
            HazardStep::StartRectification | HazardStep::SubmitRectification => Act::Rectify,
            HazardStep::Verify | HazardStep::Reject => Act::Verify,
            HazardStep::AttachEvidence => Act::AttachEvidence,
        }
    }
}

/// What the app tells before logging out.
#[derive(Debug, Clone, uniffi::Record)]
pub struct LogoutCheck {
    pub pending_changes: u64,
    pub pending_files: u64,
    /// A Chinese warning when something is not yet on the server; none when all is synced.
    pub warning: Option<String>,
}

/// The steps that fit `hazard` now by its status, level and rectifier (before the policy).
pub fn steps_for_status(hazard: &Hazard, actor: &Actor) -> Vec<HazardStep> {
    use HazardStatus::*;
    use HazardStep as S;
    let mut out = Vec::new();
    let planning = matches!(hazard.status, Registered | Assigned | Rectifying);
    if matches!(hazard.status, Registered | Assigned) {
        out.push(S::Assign);
    }
    if planning {
        if hazard.level == HazardLevel::Major {
            out.push(S::UpdatePlan);
        }
        if hazard.needs_hardware {
            out.push(S::SetHardwarePlan);
            out.push(S::SetTemporaryMeasures);
        }
        out.push(S::Reclassify);
    }
    if matches!(hazard.status, Registered | Assigned) {
        if hazard.level == HazardLevel::General {
            out.push(S::CloseOnSpot);
        }
        out.push(S::StartRectification);
    }
    if hazard.status == Rectifying {
        out.push(S::SubmitRectification);
    }
    if hazard.status == Submitted
        && hazard.rectified_by.as_deref() != Some(actor.person_id.as_str())
    {
        out.push(S::Verify);
        out.push(S::Reject);
    }
    if hazard.status != Closed {
        out.push(S::AttachEvidence);
    }
    // 移交: enforcement acts wait for the competent unit's acceptance and are then its own.
    if hazard
        .referral
        .as_ref()
        .is_some_and(|r| r.is_pending() || r.to_unit_id != actor.unit_id)
    {
        out.retain(|s| !matches!(s, S::CloseOnSpot | S::Verify | S::Reject));
    }
    out
}

fn label_check(check: &LocationCheck, accuracy_m: Option<f64>, mock: bool) -> SiteLocationCheck {
    let (at_site, distance_m, allowed_m) = match check {
        LocationCheck::AtSite { distance_m } => (true, Some(*distance_m), None),
        LocationCheck::OutsideSite {
            distance_m,
            allowed_m,
        } => (false, Some(*distance_m), Some(*allowed_m)),
        LocationCheck::NullIsland | LocationCheck::NoFix => (false, None, None),
    };
    let mut label = check.label();
    if let Some(a) = accuracy_m {
        label.push_str(&format!("，定位精度 ±{a:.0} 米"));
    }
    if mock {
        label.push_str("；定位来自模拟位置，不能作为到场依据");
    }
    SiteLocationCheck {
        at_site: at_site && !mock,
        distance_m,
        allowed_m,
        accuracy_m,
        mock,
        label,
    }
}

const APP_SETTING_PREFIX: &str = "app.";

fn unit_record(u: anjian_domain::org::Unit) -> UnitRecord {
    UnitRecord {
        kind: serde_json::to_value(u.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        kind_label: u.kind.label().to_string(),
        id: u.id,
        name: u.name,
    }
}

#[uniffi::export]
impl AnjianStore {
    /// The site list: filtered by text, township and industry; nearest first when a position
    /// is given. Each row carries the site's open and overdue hazards.
    pub fn find_sites(&self, query: SiteQuery) -> FfiResult<Vec<SiteListItem>> {
        let s = self.inner();
        let today = store::today();
        let units: HashMap<String, String> =
            s.units()?.into_iter().map(|u| (u.id, u.name)).collect();
        let open = s.ledger(
            &LedgerFilter {
                status: None,
                level: None,
                unit_id: None,
                site_id: None,
                overdue_only: false,
                open_only: true,
            },
            today,
        )?;
        let mut counts: HashMap<String, (u32, u32)> = HashMap::new();
        for h in &open {
            if let Some(site) = &h.site_id {
                let c = counts.entry(site.clone()).or_default();
                c.0 += 1;
                if h.is_overdue(today) {
                    c.1 += 1;
                }
            }
        }
        let text = query
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let here = match (query.near_lat, query.near_lon) {
            (Some(lat), Some(lon)) if lat.is_finite() && lon.is_finite() => {
                Some(GeoPoint { lat, lon })
            }
            _ => None,
        };
        let mut rows: Vec<SiteListItem> = s
            .sites(query.township_id.as_deref().filter(|t| !t.is_empty()))?
            .into_iter()
            .filter(|site| {
                query
                    .industry
                    .as_deref()
                    .filter(|i| !i.is_empty())
                    .is_none_or(|i| site.industry == i)
            })
            .filter(|site| {
                text.is_none_or(|t| {
                    site.name.contains(t) || site.address.as_deref().is_some_and(|a| a.contains(t))
                })
            })
            .map(|site| {
                let (open_hazards, overdue_hazards) =
                    counts.get(&site.id).copied().unwrap_or_default();
                SiteListItem {
                    distance_m: here.map(|p| location::distance_m(p, site.location.point)),
                    township_name: units.get(&site.township_id).cloned(),
                    open_hazards,
                    overdue_hazards,
                    site: site.into(),
                }
            })
            .collect();
        if here.is_some() {
            rows.sort_by(|a, b| {
                a.distance_m
                    .unwrap_or(f64::MAX)
                    .total_cmp(&b.distance_m.unwrap_or(f64::MAX))
            });
        }
        Ok(rows)
    }

    pub fn site(&self, site_id: String) -> FfiResult<SiteRecord> {
        Ok(self.inner().site(&site_id)?.into())
    }

    /// A site's history: its inspections on this device, newest first.
    pub fn site_inspections(&self, site_id: String) -> FfiResult<Vec<InspectionRecord>> {
        Ok(self
            .inner()
            .inspections(Some(&site_id))?
            .into_iter()
            .map(|i| self.inspection_record(i))
            .collect())
    }

    /// The organisation's units known on this device, by name.
    pub fn units(&self) -> FfiResult<Vec<UnitRecord>> {
        Ok(self.inner().units()?.into_iter().map(unit_record).collect())
    }

    /// 联合检查: the other enforcement bodies with powers over a site (its industry, and for a
    /// township its own territory), by name — the ones a joint inspection there may name.
    pub fn joint_bodies(&self, site_id: String) -> FfiResult<Vec<UnitRecord>> {
        let me = self.inner().actor()?;
        let site = self.inner().site(&site_id)?;
        Ok(self
            .inner()
            .units()?
            .into_iter()
            .filter(|u| u.id != me.unit_id)
            .filter(|u| u.enforcement.as_ref().is_some_and(|b| b.covers(u, &site)))
            .map(unit_record)
            .collect())
    }

    /// My inspections not yet finished, newest first: the app reopens them after being killed.
    pub fn open_inspections(&self) -> FfiResult<Vec<InspectionRecord>> {
        let me = self.inner().actor()?;
        Ok(self
            .inner()
            .inspections(None)?
            .into_iter()
            .filter(|i| i.finished_at.is_none() && i.leader.person_id == me.person_id)
            .map(|i| self.inspection_record(i))
            .collect())
    }

    /// The finished 行政检查 I led whose result is not told yet (no 行政检查结果告知书).
    pub fn results_to_tell(&self) -> FfiResult<Vec<InspectionRecord>> {
        Ok(self
            .inner()
            .results_to_tell()?
            .into_iter()
            .map(|i| self.inspection_record(i))
            .collect())
    }

    /// Where I am (from the phone, with its accuracy and whether it is a mock location)
    /// against a site's radius or boundary.
    pub fn check_location(
        &self,
        site_id: String,
        lat: f64,
        lon: f64,
        accuracy_m: Option<f64>,
        mock: bool,
    ) -> FfiResult<SiteLocationCheck> {
        let site = self.inner().site(&site_id)?;
        let check = location::check(Some(GeoPoint { lat, lon }), accuracy_m, &site.location);
        Ok(label_check(&check, accuracy_m, mock))
    }

    /// Patrol plans of teams I am on, current and upcoming first (pulled from the server).
    pub fn my_patrol_plans(&self) -> FfiResult<Vec<PatrolPlanRecord>> {
        let me = self.inner().actor()?;
        let mut plans: Vec<PatrolPlan> =
            crate::sync_engine::pulled(self.inner(), anjian_domain::sync::entity::PATROL_PLAN)?;
        plans.retain(|p| p.team.contains(&me.person_id));
        plans.sort_by(|a, b| b.window_end.cmp(&a.window_end));
        let s = self.inner();
        Ok(plans
            .into_iter()
            .map(|p| {
                let targets: Vec<PatrolTargetRecord> = p
                    .targets
                    .iter()
                    .map(|t| PatrolTargetRecord {
                        site_name: s.site(&t.site_id).ok().map(|site| site.name),
                        site_id: t.site_id.clone(),
                        visited: t.visited_inspection_id.is_some(),
                    })
                    .collect();
                PatrolPlanRecord {
                    visited: targets.iter().filter(|t| t.visited).count() as u32,
                    id: p.id,
                    title: p.title,
                    window_start: p.window_start.to_string(),
                    window_end: p.window_end.to_string(),
                    targets,
                }
            })
            .collect())
    }

    /// The workflow steps I may take on a hazard now: its status, level and rectifier, and
    /// the access policy the server also checks. The rules still decide (a major hazard
    /// without 五落实 is refused with what is missing).
    pub fn hazard_steps(&self, hazard_id: String) -> FfiResult<Vec<HazardStep>> {
        let s = self.inner();
        let actor = s.actor()?;
        let hazard = s.hazard(&hazard_id)?;
        Ok(steps_for_status(&hazard, &actor)
            .into_iter()
            .filter(|step| s.hazard_act_permitted(&actor, &hazard, step.act()))
            .collect())
    }

    /// The app's own preference (large text, originals on Wi-Fi only ...), kept in the store.
    pub fn app_setting(&self, key: String) -> FfiResult<Option<String>> {
        Ok(self
            .inner()
            .get_setting(&format!("{APP_SETTING_PREFIX}{key}"))?)
    }

    pub fn set_app_setting(&self, key: String, value: String) -> FfiResult<()> {
        let key = format!("{APP_SETTING_PREFIX}{key}");
        Ok(self.inner().write(|tx| {
            tx.execute(
                "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                rusqlite::params![key, value],
            )?;
            Ok(())
        })?)
    }

    /// What logging out would leave unsent, with a warning in Chinese.
    pub fn logout_check(&self) -> FfiResult<LogoutCheck> {
        let pending_changes = self.inner().outbox_len()?;
        let pending_files = self.inner().pending_files(true)?.len() as u64;
        let warning = (pending_changes > 0 || pending_files > 0).then(|| {
            format!(
                "还有 {pending_changes} 条记录、{pending_files} 个文件未同步。退出后这些内容仍保存在本机，重新登录并同步后才会上传。"
            )
        });
        Ok(LogoutCheck {
            pending_changes,
            pending_files,
            warning,
        })
    }

    /// Logs out: forgets the token so the next sync needs a login. Nothing recorded is
    /// deleted; the outbox and evidence stay for the next login on this device.
    pub fn logout(&self) -> FfiResult<()> {
        Ok(self.inner().write(|tx| {
            tx.execute(
                "DELETE FROM sync_state WHERE key IN ('token', 'token_expires')",
                [],
            )?;
            Ok(())
        })?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::{Profile, SiteInput};
    use anjian_domain::inspection::InspectionKind;
    use anjian_domain::org::Role;

    use crate::fixtures::{department, phone as store};

    fn site(s: &AnjianStore, name: &str, industry: &str, lat: f64, lon: f64) -> SiteRecord {
        s.add_site(SiteInput {
            name: name.into(),
            industry: industry.into(),
            lat,
            lon,
            radius_m: Some(80.0),
            township_id: "500233107".into(),
            department_id: None,
            address: Some(format!("忠县{name}")),
            contact_name: None,
            contact_phone: None,
            attributes: Vec::new(),
        })
        .unwrap()
    }

    #[test]
    fn sites_nearest_first_filtered_with_open_hazards() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path(), &[Role::Inspector]);
        let far = site(&s, "远处加油站", "gas", 30.50, 108.30);
        let near = site(&s, "石宝镇液化气站", "gas", 30.4215, 108.1803);
        let school = site(&s, "石宝镇敬老院", "elderly_care", 30.4220, 108.1810);
        s.raise_hazard(crate::ffi::HazardInput {
            description: "灭火器过期".into(),
            site_id: Some(near.id.clone()),
            unit_id: None,
            inspection_id: None,
            item_id: None,
            level: Some(HazardLevel::General),
            level_reason: None,
            needs_hardware: false,
        })
        .unwrap();
        let q = SiteQuery {
            industry: Some("gas".into()),
            near_lat: Some(30.4216),
            near_lon: Some(108.1804),
            ..Default::default()
        };
        let rows = s.find_sites(q).unwrap();
        assert_eq!(
            rows.iter().map(|r| r.site.id.clone()).collect::<Vec<_>>(),
            vec![near.id.clone(), far.id.clone()]
        );
        assert!(rows[0].distance_m.unwrap() < 20.0);
        assert_eq!(rows[0].open_hazards, 1);
        assert_eq!(rows[1].open_hazards, 0);
        let by_text = s
            .find_sites(SiteQuery {
                text: Some("敬老院".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(by_text.len(), 1);
        assert_eq!(by_text[0].site.id, school.id);
        assert!(by_text[0].distance_m.is_none());
    }

    #[test]
    fn kinds_half_done_inspections_location_and_actions() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path(), &[Role::Inspector, Role::PatrolMember]);
        let gas = site(&s, "石宝镇液化气站", "gas", 30.4215, 108.1803);
        let insp = s
            .start_inspection(InspectionKind::RoutineCheck, gas.id.clone(), vec![])
            .unwrap();
        assert_eq!(
            s.open_inspections()
                .unwrap()
                .iter()
                .map(|i| i.id.clone())
                .collect::<Vec<_>>(),
            vec![insp.id.clone()]
        );
        let at = s
            .check_location(gas.id.clone(), 30.4216, 108.1804, Some(12.0), false)
            .unwrap();
        assert!(at.at_site, "{}", at.label);
        assert!(at.label.contains("±12"), "{}", at.label);
        let mock = s
            .check_location(gas.id.clone(), 30.4216, 108.1804, Some(5.0), true)
            .unwrap();
        assert!(!mock.at_site);
        assert!(mock.label.contains("模拟"));
        let away = s
            .check_location(gas.id.clone(), 30.43, 108.19, Some(10.0), false)
            .unwrap();
        assert!(!away.at_site);
        assert!(away.label.starts_with("位置异常"), "{}", away.label);

        let h = s
            .raise_hazard(crate::ffi::HazardInput {
                description: "液化气钢瓶存放于地下室".into(),
                site_id: Some(gas.id.clone()),
                unit_id: None,
                inspection_id: None,
                item_id: None,
                level: Some(HazardLevel::Major),
                level_reason: Some("钢瓶存放于地下室".into()),
                needs_hardware: true,
            })
            .unwrap();
        let actions = s.hazard_steps(h.id.clone()).unwrap();
        assert!(actions.contains(&HazardStep::UpdatePlan));
        assert!(actions.contains(&HazardStep::SetHardwarePlan));
        assert!(
            !actions.contains(&HazardStep::CloseOnSpot),
            "major: never on the spot"
        );
        assert!(
            !actions.contains(&HazardStep::Assign),
            "an inspector does not assign"
        );
        assert!(!actions.contains(&HazardStep::Verify));
    }

    #[test]
    fn logout_keeps_records_and_warns() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path(), &[Role::Inspector]);
        assert!(s.logout_check().unwrap().warning.is_none());
        site(&s, "石宝镇敬老院", "elderly_care", 30.4220, 108.1810);
        s.set_app_setting("large_text".into(), "1".into()).unwrap();
        let check = s.logout_check().unwrap();
        assert_eq!(check.pending_changes, 1);
        assert!(check.warning.unwrap().contains("1 条记录"));
        s.logout().unwrap();
        assert_eq!(s.pending_changes().unwrap(), 1);
        assert!(!s.sync_status().unwrap().signed_in);
        assert_eq!(
            s.app_setting("large_text".into()).unwrap().as_deref(),
            Some("1")
        );
        assert!(s.profile().unwrap().is_some());
    }

    #[test]
    fn joint_bodies_are_the_other_enforcement_bodies_with_powers_at_the_site() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path(), &[Role::Inspector]);
        let dept = department;
        s.inner()
            .upsert_units(&[
                dept("dept-zjw", "县住房城乡建委", &["gas", "construction"]),
                dept("dept-cgj", "县城市管理局", &["gas"]),
                dept("dept-mzj", "县民政局", &["elderly_care"]),
                dept("dept-none", "县档案馆", &[]),
            ])
            .unwrap();
        // Registered by the township, inspected by 县住房城乡建委.
        let gas = site(&s, "石宝镇液化气站", "gas", 30.4220, 108.1810);
        let care = site(&s, "石宝镇敬老院", "elderly_care", 30.4221, 108.1811);
        s.set_profile(Profile {
            person_id: "p-xu".into(),
            name: "许峰".into(),
            unit_id: "dept-zjw".into(),
            roles: vec![Role::Inspector],
        })
        .unwrap();
        let bodies = s.joint_bodies(gas.id.clone()).unwrap();
        let names: Vec<&str> = bodies.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(
            names,
            ["县城市管理局"],
            "not my own unit, not one without powers there"
        );
        let bodies = s.joint_bodies(care.id).unwrap();
        assert_eq!(bodies.len(), 1);
        assert_eq!(bodies[0].id, "dept-mzj");
        assert!(s.joint_bodies("no-such-site".into()).is_err());
    }
}
