//! The names a ledger line is shown with (units, sites, checklists, the kind of the inspection
//! that found the hazard), loaded as sparingly as the request allows: a page of the ledger
//! loads every unit (few, and sorted by), but sites and inspections only when a filter needs
//! them for every line, and otherwise just those of the lines it returns.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use anjian_domain::checklist;
use anjian_domain::hazard::{china_date, Hazard};
use anjian_domain::inspection::InspectionKind;
use anjian_domain::org::Unit;
use anjian_domain::received::{doubt_note, Receipt};
use anjian_domain::site::Site;
use anjian_domain::sync::entity;

use super::console_reads::{code_of, LedgerRow};
use super::ledger_filter::LedgerQuery;
use super::reads::HazardItem;
use crate::error::{ApiError, ApiResult};
use crate::records::decoded;
use crate::storage::Tx;

/// Above this many missing records, reading the whole entity once is cheaper than one read
/// per record.
const BY_ID_LIMIT: usize = 200;

/// A stored hazard without its history: the ledger needs the hazard, not its events.
#[derive(Deserialize)]
pub(crate) struct HazardOnly {
    pub hazard: Hazard,
    #[serde(default)]
    pub received: Option<Receipt>,
}

/// An inspection's kind, without its answers.
#[derive(Deserialize)]
struct InspectionKindOnly {
    id: String,
    kind: InspectionKind,
}

/// Everything a ledger line is joined with: names of units, sites and checklists, and the
/// kind of the inspection a hazard came from.
pub(crate) struct Names {
    pub units: HashMap<String, Unit>,
    pub sites: HashMap<String, Site>,
    pub kinds: HashMap<String, InspectionKind>,
    industries: HashMap<String, String>,
}

fn by_id<T, K: Fn(&T) -> String>(items: Vec<T>, key: K) -> HashMap<String, T> {
    items.into_iter().map(|i| (key(&i), i)).collect()
}

impl Names {
    fn empty(tx: &mut dyn Tx) -> ApiResult<Names> {
        Ok(Names {
            units: by_id(decoded::<Unit>(tx, entity::UNIT, None)?, |u| u.id.clone()),
            sites: HashMap::new(),
            kinds: HashMap::new(),
            industries: checklist::compiled()
                .iter()
                .map(|c| (c.industry.code().to_string(), c.name.clone()))
                .collect(),
        })
    }

    /// Every unit, site and inspection kind (the overview shows them all).
    pub fn load(tx: &mut dyn Tx) -> ApiResult<Names> {
        let mut names = Names::empty(tx)?;
        names.load_all_sites(tx)?;
        names.load_all_kinds(tx)?;
        Ok(names)
    }

    /// What the ledger's filter needs for every line: units always; sites when it filters by
    /// township, industry or words (a site's name); inspection kinds when by kind.
    pub fn for_filter(tx: &mut dyn Tx, q: &LedgerQuery) -> ApiResult<Names> {
        let set = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.is_empty());
        let mut names = Names::empty(tx)?;
        if set(&q.township) || set(&q.industry) || set(&q.q) {
            names.load_all_sites(tx)?;
        }
        if set(&q.kind) {
            names.load_all_kinds(tx)?;
        }
        Ok(names)
    }

    fn load_all_sites(&mut self, tx: &mut dyn Tx) -> ApiResult<()> {
        self.sites = by_id(decoded::<Site>(tx, entity::SITE, None)?, |s| s.id.clone());
        Ok(())
    }

    fn load_all_kinds(&mut self, tx: &mut dyn Tx) -> ApiResult<()> {
        let all: Vec<InspectionKindOnly> = decoded(tx, entity::INSPECTION, None)?;
        self.kinds = all.into_iter().map(|i| (i.id, i.kind)).collect();
        Ok(())
    }

    /// Loads the sites and inspection kinds of these hazards that are not known yet.
    pub fn complete<'a>(
        &mut self,
        tx: &mut dyn Tx,
        hazards: impl Iterator<Item = &'a Hazard> + Clone,
    ) -> ApiResult<()> {
        let sites: BTreeSet<&str> = hazards
            .clone()
            .filter_map(|h| h.site_id.as_deref())
            .filter(|s| !self.sites.contains_key(*s))
            .collect();
        if sites.len() > BY_ID_LIMIT {
            self.load_all_sites(tx)?;
        } else {
            for id in sites {
                if let Some(s) = one::<Site>(tx, entity::SITE, id)? {
                    self.sites.insert(id.to_string(), s);
                }
            }
        }
        let inspections: BTreeSet<&str> = hazards
            .filter_map(|h| h.source.as_ref().map(|s| s.inspection_id.as_str()))
            .filter(|i| !self.kinds.contains_key(*i))
            .collect();
        if inspections.len() > BY_ID_LIMIT {
            self.load_all_kinds(tx)?;
        } else {
            for id in inspections {
                if let Some(i) = one::<InspectionKindOnly>(tx, entity::INSPECTION, id)? {
                    self.kinds.insert(i.id, i.kind);
                }
            }
        }
        Ok(())
    }

    pub fn unit_name(&self, id: &str) -> String {
        self.units
            .get(id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    pub fn row(&self, h: &Hazard, receipt: Option<&Receipt>, today: NaiveDate) -> LedgerRow {
        let site = h.site_id.as_ref().and_then(|s| self.sites.get(s));
        let industry = h
            .source
            .as_ref()
            .map(|s| s.industry.code().to_string())
            .or_else(|| site.map(|s| s.industry.clone()));
        let kind = h
            .source
            .as_ref()
            .and_then(|s| self.kinds.get(&s.inspection_id))
            .copied();
        let township_id = site.map(|s| s.township_id.clone());
        LedgerRow {
            hazard: HazardItem::of(h, today),
            unit_name: self.unit_name(&h.unit_id),
            rectifying_unit_name: self.unit_name(h.rectifying_unit()),
            site_name: site.map(|s| s.name.clone()),
            township_name: township_id.as_deref().map(|t| self.unit_name(t)),
            township_id,
            industry_name: industry
                .as_ref()
                .and_then(|i| self.industries.get(i).cloned()),
            industry,
            source_kind: kind.map(|k| code_of(&k)),
            source_kind_label: kind.map(|k| k.label().to_string()),
            raised_at: h.raised_at,
            raised_on: china_date(h.raised_at),
            needs_hardware: h.needs_hardware,
            referral: h.referral.as_ref().map(|r| r.label()),
            referred_to_unit_id: h.referral.as_ref().map(|r| r.to_unit_id.clone()),
            referral_pending: h.referral.as_ref().is_some_and(|r| r.is_pending()),
            received_at: receipt.map(|r| r.received_at),
            time_doubt: doubt_note(receipt),
        }
    }
}

/// One live record by id, decoded (none when absent or deleted).
fn one<T: DeserializeOwned>(tx: &mut dyn Tx, entity: &str, id: &str) -> ApiResult<Option<T>> {
    match tx.get_record(entity, id)? {
        Some(r) if !r.deleted => Ok(Some(
            serde_json::from_value(r.data).map_err(ApiError::internal)?,
        )),
        _ => Ok(None),
    }
}
