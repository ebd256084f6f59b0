//! Third parties and experts on the server: engagements (委托技术服务) and the expert pool
//! (专家库) as stored records, with who sees them, and the principals an engagement grants.

use chrono::Utc;

use anjian_domain::engagement::Engagement;
use anjian_domain::experts::Expert;
use anjian_domain::hazard::china_date;
use anjian_domain::org::{Person, Role};
use anjian_domain::sync::entity;

use crate::error::ApiResult;
use crate::records;
use crate::scope;
use crate::storage::Tx;

/// Whether a person may be engaged at all (the roles an engagement reaches).
pub fn is_engageable(p: &Person) -> bool {
    p.roles
        .iter()
        .any(|r| matches!(r, Role::ThirdPartyAssessor | Role::Expert))
}

/// Who sees an engagement: the county, the engaging department, the institution, the experts.
pub fn engagement_audience(e: &Engagement) -> Vec<String> {
    let mut v = vec![scope::COUNTY.to_string(), scope::unit(&e.department_id)];
    if let Some(u) = &e.institution_unit_id {
        v.push(scope::unit(u));
    }
    v.extend(e.expert_person_ids.iter().map(|p| scope::person(p)));
    v.sort();
    v.dedup();
    v
}

pub fn save_engagement(tx: &mut dyn Tx, e: &Engagement) -> ApiResult<()> {
    e.validate()?;
    records::put(
        tx,
        entity::ENGAGEMENT,
        &e.id,
        e,
        engagement_audience(e),
        None,
    )?;
    Ok(())
}

/// Who sees a pool entry as a record (and gets it on the phone): the county, and the expert.
/// Townships and departments read the pool through `GET /v1/experts`.
pub fn save_expert(tx: &mut dyn Tx, x: &Expert) -> ApiResult<()> {
    x.validate()?;
    let mut audience = vec![scope::COUNTY.to_string()];
    if let Some(p) = &x.person_id {
        audience.push(scope::person(p));
    }
    records::put(tx, entity::EXPERT, &x.id, x, audience, None)?;
    Ok(())
}

fn all<T: serde::de::DeserializeOwned>(tx: &mut dyn Tx, entity: &str) -> ApiResult<Vec<T>> {
    crate::records::decoded(tx, entity, None)
}

pub fn engagements(tx: &mut dyn Tx) -> ApiResult<Vec<Engagement>> {
    all(tx, entity::ENGAGEMENT)
}

pub fn experts(tx: &mut dyn Tx) -> ApiResult<Vec<Expert>> {
    all(tx, entity::EXPERT)
}

/// The engagements `p` is part of (as a member of the institution, or as an expert).
pub fn engagements_of(tx: &mut dyn Tx, p: &Person) -> ApiResult<Vec<Engagement>> {
    if !is_engageable(p) {
        return Ok(Vec::new());
    }
    let actor = p.actor();
    Ok(engagements(tx)?
        .into_iter()
        .filter(|e| e.engages(&actor))
        .collect())
}

/// The sites `p` may read today because an engagement is active: `site:<id>` principals.
pub fn engaged_principals(tx: &mut dyn Tx, p: &Person) -> ApiResult<Vec<String>> {
    let today = china_date(Utc::now());
    let mut out: Vec<String> = engagements_of(tx, p)?
        .iter()
        .filter(|e| e.is_active(today))
        .flat_map(|e| e.site_ids.iter().map(|s| scope::site(s)))
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Re-saves the engaged sites so that phones pulling incrementally receive them now.
pub fn announce_sites(tx: &mut dyn Tx, e: &Engagement) -> ApiResult<()> {
    for id in &e.site_ids {
        if let Some((_, site)) = records::load::<anjian_domain::site::Site>(tx, entity::SITE, id)? {
            records::save_site(tx, &site)?;
        }
    }
    Ok(())
}
