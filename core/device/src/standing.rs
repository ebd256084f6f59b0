//! The signed-in person's legal standing on the phone (国办发〔2024〕54号): their own unit's
//! enforcement powers and their enforcement certificates, read from the pulled organisation,
//! so the phone decides as the server does before it queues a visit.

use anjian_domain::enforcement::{Certificate, CertificateStatus, Officer};
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
}

impl OwnFacts {
    pub fn officer(&self) -> Option<Officer<'_>> {
        self.unit.as_ref().map(|unit| Officer {
            unit,
            certificates: &self.certificates,
            today: self.today,
        })
    }
}

impl Store {
    pub(crate) fn own_facts(&self, who: &Actor) -> Result<OwnFacts> {
        self.read(|c| {
            let unit: Option<String> = c
                .query_row("SELECT data FROM units WHERE id = ?1", [&who.unit_id], |r| {
                    r.get(0)
                })
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
            Ok(OwnFacts {
                unit: unit.map(|u| from_json(&u)).transpose()?,
                certificates,
                today: today(),
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
            ..Target::default()
        };
        Ok(policy::inspection_kinds(&who, &target))
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
