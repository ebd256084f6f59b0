//! The checklist versions one phone store or one server knows: the compiled-in ones and the
//! versions 县安委办 published since. Each store and server owns its registry, so two stores in
//! one process never see each other's publications.

use std::sync::{Arc, PoisonError, RwLock};

use super::{compiled, released, Checklist, ChecklistItem, Industry};
use crate::inspection::Inspection;
use crate::DomainError;

/// A cheap handle (clones share the same versions).
#[derive(Debug, Clone, Default)]
pub struct ChecklistRegistry {
    /// Published versions in publication order. Each stays for the registry's life:
    /// inspections keep pointing at the version they were made with.
    published: Arc<RwLock<Vec<Arc<Checklist>>>>,
}

impl ChecklistRegistry {
    /// A registry with the compiled-in versions only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes a version known; it becomes the industry's current version. The same version
    /// again is a no-op; the same version number with other content is refused.
    pub fn publish(&self, list: Checklist) -> Result<Arc<Checklist>, DomainError> {
        // Checked and pushed under one write lock, so two publications of one version
        // cannot both pass the check.
        let mut published = self
            .published
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let existing = released()
            .iter()
            .chain(compiled())
            .chain(published.iter())
            .find(|c| c.industry == list.industry && c.version == list.version);
        if let Some(existing) = existing {
            if **existing == list {
                return Ok(existing.clone());
            }
            return Err(DomainError::InvalidValue {
                field: "检查表",
                reason: format!(
                    "{} 的版本 {} 已存在且内容不同，请使用新的版本号",
                    existing.name, list.version
                ),
            });
        }
        let list = Arc::new(list);
        published.push(list.clone());
        Ok(list)
    }

    /// Every version of an industry, oldest first (the earlier released ones, the compiled
    /// file, then the published ones).
    pub fn versions(&self, industry: Industry) -> Vec<Arc<Checklist>> {
        let published = self
            .published
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        released()
            .iter()
            .chain(compiled())
            .chain(published.iter())
            .filter(|c| c.industry == industry)
            .cloned()
            .collect()
    }

    /// One version of an industry's checklist, if known here.
    pub fn version(&self, industry: Industry, version: &str) -> Option<Arc<Checklist>> {
        self.versions(industry)
            .into_iter()
            .find(|c| c.version == version)
    }

    /// The current version of an industry: the latest published, else the compiled one.
    pub fn current(&self, industry: Industry) -> Arc<Checklist> {
        self.versions(industry)
            .pop()
            .expect("every industry has a checklist")
    }

    /// The current version of every industry, in the manual's order.
    pub fn all(&self) -> Vec<Arc<Checklist>> {
        Industry::ALL.into_iter().map(|i| self.current(i)).collect()
    }

    /// The current version of the industry with this code.
    pub fn by_code(&self, code: &str) -> Result<Arc<Checklist>, DomainError> {
        Industry::from_code(code).map(|i| self.current(i))
    }

    /// The version an inspection was made with (the current one when this store or server
    /// has not got that version).
    pub fn for_inspection(&self, inspection: &Inspection) -> Arc<Checklist> {
        self.version(inspection.industry, &inspection.checklist_version)
            .unwrap_or_else(|| self.current(inspection.industry))
    }

    /// An item of an industry: from the current version, else from any earlier one (a hazard
    /// raised from an inspection made with an older version).
    pub fn find_item(
        &self,
        industry: Industry,
        item_id: &str,
    ) -> Result<ChecklistItem, DomainError> {
        let versions = self.versions(industry);
        let current = versions.last().expect("every industry has a checklist");
        current.item(item_id).cloned().or_else(|e| {
            versions
                .iter()
                .rev()
                .find_map(|c| c.item(item_id).ok().cloned())
                .ok_or(e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next_version_of(industry: Industry, version: &str) -> Checklist {
        let mut list = (*ChecklistRegistry::new().current(industry)).clone();
        list.version = version.into();
        list.items[0].text = format!("{}（{version} 修订）", list.items[0].text);
        list
    }

    #[test]
    fn each_registry_keeps_its_own_publications() {
        let county = ChecklistRegistry::new();
        let other = ChecklistRegistry::new();
        let compiled_version = county.current(Industry::Fire).version.clone();
        county
            .publish(next_version_of(Industry::Fire, "2099.1"))
            .unwrap();
        assert_eq!(county.current(Industry::Fire).version, "2099.1");
        let shipped = other.versions(Industry::Fire).len();
        assert_eq!(county.versions(Industry::Fire).len(), shipped + 1);
        // Another store or server in the same process is not affected; a clone shares.
        assert_eq!(other.current(Industry::Fire).version, compiled_version);
        assert_eq!(county.clone().current(Industry::Fire).version, "2099.1");
    }

    #[test]
    fn a_version_number_is_published_once_with_one_content() {
        let reg = ChecklistRegistry::new();
        let shipped = reg.versions(Industry::Gas).len();
        let v = next_version_of(Industry::Gas, "2099.1");
        reg.publish(v.clone()).unwrap();
        reg.publish(v.clone()).unwrap();
        assert_eq!(reg.versions(Industry::Gas).len(), shipped + 1);
        let mut clash = v;
        clash.items[1].text.push_str("（另改）");
        let err = reg.publish(clash).unwrap_err();
        assert!(err.to_string().contains("已存在且内容不同"), "{err}");
        // A compiled version number cannot be reused either.
        let compiled_version = compiled()[0].version.clone();
        let mut reuse = next_version_of(compiled()[0].industry, &compiled_version);
        reuse.version = compiled_version;
        assert!(reg.publish(reuse).is_err());
    }

    #[test]
    fn an_item_of_an_older_version_is_still_found() {
        let reg = ChecklistRegistry::new();
        let mut v = next_version_of(Industry::Gas, "2099.1");
        let dropped = v.items.remove(1);
        reg.publish(v).unwrap();
        assert!(reg.current(Industry::Gas).item(&dropped.id).is_err());
        // Found in the compiled version (item 1 is unchanged there).
        assert_eq!(reg.find_item(Industry::Gas, &dropped.id).unwrap(), dropped);
        assert!(reg.find_item(Industry::Gas, "GAS-999").is_err());
    }
}
