//! The signed-in person's legal standing on the phone (国办发〔2024〕54号): their own unit's
//! enforcement powers and their enforcement certificates, read from the pulled organisation,
//! so the phone decides as the server does before it queues a visit.

use anjian_domain::enforcement::{Certificate, CertificateStatus, Officer};
use anjian_domain::engagement::Engagement;
use anjian_domain::inspection::InspectionKind;
use anjian_domain::org::{Actor, Person, Unit};
use anjian_domain::policy::{self, Standing, Target};
use anjian_domain::site::Site;
use chrono::NaiveDate;
use rusqlite::OptionalExtension;

use crate::error::Result;
use crate::store::{from_json, today, Store};

/// The facts the policy needs about the signed-in person.
pub(crate) struct OwnFacts {
    pub unit: Option<Unit>,
    pub certificates: Vec<Certificate>,
    pub today: NaiveDate,
    /// The engagements (委托技术服务) pulled for a third party or an expert.
    pub engagements: Vec<Engagement>,
}

impl OwnFacts {
    pub fn engaged(&self) -> Option<(&[Engagement], NaiveDate)> {
        Some((&self.engagements, self.today))
    }

    pub fn officer(&self) -> Option<Officer<'_>> {
        self.unit.as_ref().map(|unit| Officer {
            unit,
            certificates: &self.certificates,
            today: self.today,
        })
    }
}

impl Store {
    /// Keeps the signed-in person's own record (with their certificates) as received at login,
    /// so the phone knows them before the first pull; any pulled version replaces it.
    pub(crate) fn remember_own_person(&self, p: &Person) -> Result<()> {
        let data = serde_json::to_string(p)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO pulled_records (entity, id, version, data) VALUES ('person', ?1, 0, ?2)
                 ON CONFLICT(entity, id) DO NOTHING",
                rusqlite::params![p.id, data],
            )?;
            Ok(())
        })
    }

    pub(crate) fn own_facts(&self, who: &Actor) -> Result<OwnFacts> {
        self.read(|c| {
            let unit: Option<String> = c
                .query_row(
                    "SELECT data FROM units WHERE id = ?1",
                    [&who.unit_id],
                    |r| r.get(0),
                )
                .optional()?;
            let person: Option<String> = c
                .query_row(
                    "SELECT data FROM pulled_records WHERE entity = 'person' AND id = ?1",
                    [&who.person_id],
                    |r| r.get(0),
                )
                .optional()?;
            let certificates = match person {
                Some(p) => from_json::<Person>(&p)?.certificates,
                None => vec![],
            };
            let mut stmt = c.prepare(
                "SELECT data FROM pulled_records WHERE entity = 'engagement' ORDER BY id",
            )?;
            let engagements = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .map(|r| Ok(from_json::<Engagement>(&r?)?))
                .collect::<Result<Vec<_>>>()?;
            Ok(OwnFacts {
                unit: unit.map(|u| from_json(&u)).transpose()?,
                certificates,
                today: today(),
                engagements,
            })
        })
    }

    /// How the signed-in person may visit `site` for an inspection of `kind` (its legal
    /// nature, in whose name, with which certificate), or the refusal the server would give.
    pub(crate) fn standing_for(
        &self,
        who: &Actor,
        kind: InspectionKind,
        site: &Site,
    ) -> Result<Standing> {
        let facts = self.own_facts(who)?;
        let on_plan =
            kind == InspectionKind::UnannouncedPatrol && self.on_patrol_plan(who, &site.id)?;
        let target = Target {
            site: Some(site),
            on_patrol_plan: on_plan,
            officer: facts.officer(),
            engagements: facts.engaged(),
            ..Target::default()
        };
        Ok(policy::inspection_standing(who, kind, None, &target)?)
    }

    /// The inspection kinds the signed-in person may start at a site (the app offers these).
    pub fn inspection_kinds_for(&self, site_id: &str) -> Result<Vec<InspectionKind>> {
        let who = self.actor()?;
        let site = self.site(site_id)?;
        let facts = self.own_facts(&who)?;
        let on_plan = self.on_patrol_plan(&who, site_id)?;
        let target = Target {
            site: Some(&site),
            on_patrol_plan: on_plan,
            officer: facts.officer(),
            engagements: facts.engaged(),
            ..Target::default()
        };
        Ok(policy::inspection_kinds(&who, &target))
    }

    /// Warnings before the signed-in person's unit visits a site: the annual cap for the
    /// site's industry reached, or another body's recent visit (联合检查 suggested), from the
    /// inspections of the site this phone holds.
    pub fn visit_warnings(&self, site_id: &str) -> Result<Vec<String>> {
        let who = self.actor()?;
        let site = self.site(site_id)?;
        let past = self.inspections(Some(site_id))?;
        let units = self.units()?;
        let name_of = |id: &str| {
            units
                .iter()
                .find(|u| u.id == id)
                .map_or_else(|| id.to_string(), |u| u.name.clone())
        };
        Ok(
            anjian_domain::visits::warnings(&who.unit_id, &site, &past, today())
                .iter()
                .map(|w| w.message(name_of))
                .collect(),
        )
    }

    /// The signed-in person's enforcement certificates with where each stands today (an
    /// expired or soon-expiring one is flagged on the phone ahead of time).
    pub fn my_certificates(&self) -> Result<Vec<(Certificate, CertificateStatus)>> {
        let who = self.actor()?;
        let facts = self.own_facts(&who)?;
        Ok(facts
            .certificates
            .into_iter()
            .map(|c| {
                let s = c.status(facts.today);
                (c, s)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use anjian_domain::enforcement::Certificate;
    use anjian_domain::org::{Actor, Person, Role, Unit};
    use anjian_domain::site::{Site, SiteLocation};
    use chrono::Duration;

    use super::*;

    use crate::fixtures::department as body;

    /// A phone signed in as 吕洁 (县民政局 inspector) whose certificate ends `days` from today,
    /// with a care home of 石宝镇 and these units.
    fn care_home_phone(
        dir: &tempfile::TempDir,
        units: &[Unit],
        days: i64,
    ) -> (Store, Person, Site) {
        let store = Store::open(&dir.path().join("anjian.db")).unwrap();
        store.upsert_units(units).unwrap();
        let today = today();
        let me = Person {
            id: "p-lv".into(),
            name: "吕洁".into(),
            unit_id: "dept-mzj".into(),
            roles: vec![Role::Inspector],
            industries: vec![],
            portfolio: None,
            phone: None,
            certificates: vec![Certificate {
                number: "渝50023300042".into(),
                issued_by: "重庆市人民政府".into(),
                valid_from: today - Duration::days(900),
                valid_until: today + Duration::days(days),
                fields: vec!["elderly_care".into()],
            }],
        };
        store.set_profile(&me.actor()).unwrap();
        store.remember_own_person(&me).unwrap();
        // A certified colleague, pulled like every person: a 行政检查 needs two officers.
        let colleague = Person {
            id: "p-cai".into(),
            name: "蔡伟".into(),
            certificates: vec![Certificate {
                number: "渝50023300043".into(),
                valid_until: today + Duration::days(900),
                ..me.certificates[0].clone()
            }],
            ..me.clone()
        };
        store.remember_own_person(&colleague).unwrap();
        let home = store
            .add_site(Site {
                department_id: Some("dept-mzj".into()),
                ..Site::new(
                    "",
                    "石宝镇敬老院",
                    "elderly_care",
                    SiteLocation::circle(30.42, 108.18, Some(80.0)),
                    "500233107",
                )
            })
            .unwrap();
        (store, me, home)
    }

    /// The phone refuses a 行政检查 on an expired certificate before anything is queued, and
    /// flags a certificate about to expire.
    #[test]
    fn the_phone_refuses_an_administrative_inspection_on_an_expired_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let (store, mut me, home) =
            care_home_phone(&dir, &[body("dept-mzj", "县民政局", &["elderly_care"])], -1);
        let today = today();
        let queued = store.outbox_len().unwrap();
        let e = store
            .start_inspection(InspectionKind::RoutineCheck, &home.id, vec![])
            .unwrap_err();
        assert!(
            e.to_string().contains("已于") && e.to_string().contains("过期，不能开展行政检查"),
            "{e}"
        );
        assert_eq!(store.outbox_len().unwrap(), queued, "nothing queued");
        assert!(store.inspection_kinds_for(&home.id).unwrap().is_empty());
        let certs = store.my_certificates().unwrap();
        assert_eq!(certs[0].1, CertificateStatus::Expired);

        // Renewed, expiring in 30 days: allowed, flagged, recorded in the body's name.
        me.certificates[0].valid_until = today + Duration::days(30);
        store
            .write(|tx| {
                tx.execute(
                    "UPDATE pulled_records SET data = ?1 WHERE entity = 'person' AND id = 'p-lv'",
                    [serde_json::to_string(&me)?],
                )?;
                Ok(())
            })
            .unwrap();
        assert_eq!(
            store.my_certificates().unwrap()[0].1,
            CertificateStatus::ExpiringSoon { days_left: 30 }
        );
        // Alone, or with a name that is no certified officer of the body: refused, nothing
        // queued.
        let e = store
            .start_inspection(InspectionKind::RoutineCheck, &home.id, vec![])
            .unwrap_err();
        assert!(e.to_string().contains("须由 2 名以上"), "{e}");
        let e = store
            .start_inspection(InspectionKind::RoutineCheck, &home.id, vec!["王五".into()])
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("同行检查人员王五不是县民政局的执法人员"),
            "{e}"
        );
        assert_eq!(store.outbox_len().unwrap(), queued, "nothing queued");
        let insp = store
            .start_inspection(InspectionKind::RoutineCheck, &home.id, vec!["蔡伟".into()])
            .unwrap();
        let insp = store.inspection(&insp.id).unwrap();
        assert_eq!(insp.officers.len(), 1);
        assert_eq!(insp.officers[0].certificate_number, "渝50023300043");
        assert_eq!(
            insp.activity,
            Some(anjian_domain::enforcement::FieldActivity::AdministrativeInspection)
        );
        assert_eq!(insp.in_name_of.as_deref(), Some("忠县民政局"));
        assert_eq!(insp.certificate_number.as_deref(), Some("渝50023300042"));
    }

    /// Before a visit the phone warns of another body's recent visit and of the annual cap; a
    /// joint inspection counts once for each body and names only bodies with powers there.
    #[test]
    fn the_phone_warns_of_caps_and_repeats_and_counts_a_joint_inspection_once() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _, home) = care_home_phone(
            &dir,
            &[
                body("dept-mzj", "县民政局", &["elderly_care"]),
                body("dept-xfjy", "县消防救援支队", &["elderly_care", "fire"]),
                body("county-safety-office", "县安委办", &[]),
            ],
            900,
        );
        assert!(store.visit_warnings(&home.id).unwrap().is_empty());

        // The fire brigade inspected it today, jointly with 民政局: a repeat for nobody else,
        // and one visit (not two) for 民政局.
        let fire_officer = Actor {
            person_id: "p-xf".into(),
            name: "马骏".into(),
            unit_id: "dept-xfjy".into(),
            roles: vec![Role::Inspector],
        };
        let mut theirs = anjian_domain::inspection::Inspection::start(
            "i-xf".into(),
            InspectionKind::RoutineCheck,
            &home.id,
            anjian_domain::checklist::compiled_for(anjian_domain::checklist::Industry::ElderlyCare),
            fire_officer,
            vec![],
            chrono::Utc::now(),
        )
        .unwrap();
        theirs.activity = Some(anjian_domain::enforcement::FieldActivity::AdministrativeInspection);
        theirs.joint_unit_ids = vec!["dept-mzj".into()];
        store
            .write(|tx| crate::rows::upsert_inspection(tx, &theirs))
            .unwrap();
        assert!(
            store.visit_warnings(&home.id).unwrap().is_empty(),
            "we took part"
        );
        // Two more of our own this year reach the cap of 3 for care homes.
        for _ in 0..2 {
            store
                .start_inspection(InspectionKind::RoutineCheck, &home.id, vec!["蔡伟".into()])
                .unwrap();
        }
        let w = store.visit_warnings(&home.id).unwrap();
        assert_eq!(
            w,
            vec![
                "本单位今年已对该企业行政检查 3 次，年度上限 3 次：再次检查将超过公布的频次上限"
                    .to_string()
            ]
        );
        // The fire brigade's next look sees our visits as recent and is told to combine.
        theirs.joint_unit_ids.clear();
        theirs.id = "i-xf-2".into();
        store
            .write(|tx| crate::rows::upsert_inspection(tx, &theirs))
            .unwrap();
        let w = store.visit_warnings(&home.id).unwrap();
        assert!(
            w.iter().any(|m| m.starts_with("县消防救援支队已于")),
            "{w:?}"
        );

        // A joint inspection names only bodies with powers over the site, each once.
        let joint = store
            .start_joint_inspection(
                InspectionKind::RoutineCheck,
                &home.id,
                vec!["蔡伟".into()],
                vec!["dept-xfjy".into(), "dept-xfjy".into(), "dept-mzj".into()],
            )
            .unwrap();
        assert_eq!(
            store.inspection(&joint.id).unwrap().joint_unit_ids,
            vec!["dept-xfjy".to_string()]
        );
        let e = store
            .start_joint_inspection(
                InspectionKind::RoutineCheck,
                &home.id,
                vec!["蔡伟".into()],
                vec!["county-safety-office".into()],
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "联合检查单位无效：县安委办对该企业没有执法权"
        );
    }
}
