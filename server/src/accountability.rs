//! 约谈问责 on the server: the rules' suggestions for 县安委办 (from the county's hazards, the
//! duty tables of the months before and last month's 月底报送), the ledger, and the 改机制 ledger.

use chrono::NaiveDate;

use anjian_domain::accountability::{self, Suggestion, SuggestionInput, SuggestionRules};
use anjian_domain::mechanism::MechanismRecord;
use anjian_domain::month::YearMonth;
use anjian_domain::records::AccountabilityRecord;
use anjian_reports::table::Table;
use anjian_reports::{mechanism, Directory};

use crate::monthly::County;

impl County {
    /// What the rules suggest as of `today`, for every unit (or one).
    pub fn accountability_suggestions(
        &self,
        unit: Option<&str>,
        today: NaiveDate,
    ) -> Vec<Suggestion> {
        let rules = SuggestionRules::standard();
        let months = rules
            .rule
            .iter()
            .filter_map(|r| r.months)
            .max()
            .unwrap_or(0) as usize;
        let activities = self.activities();
        let mut month = YearMonth::of(today);
        let mut duty = Vec::with_capacity(months);
        for _ in 0..months {
            month = month.prev();
            // A month in which the county recorded no activity at all is before it used the
            // system: nobody is judged by it (a quota "missed two months running" needs two
            // months the county kept).
            if !activities.iter().any(|a| month.contains(a.date)) {
                break;
            }
            duty.push((month, self.duty_of(&activities, None, month, today)));
        }
        let last = YearMonth::of(today).prev();
        let month_end = self.month_end(None, last, today);
        let mut out = accountability::suggest(
            rules,
            &SuggestionInput {
                hazards: &self.hazards,
                people: &self.people,
                duty: &duty,
                month_end: (last, &month_end),
                records: &self.accountability,
            },
            today,
        );
        out.retain(|s| unit.is_none_or(|u| s.unit_id == u));
        out
    }

    /// 约谈问责台账 of one unit (or all), of a month (or all), oldest first.
    pub fn accountability_ledger(
        &self,
        unit: Option<&str>,
        month: Option<YearMonth>,
        dir: &Directory,
    ) -> Table {
        let mut rows: Vec<&AccountabilityRecord> = self
            .accountability
            .iter()
            .filter(|r| unit.is_none_or(|u| r.unit_id == u))
            .filter(|r| month.is_none_or(|m| m.contains(r.decided_on)))
            .collect();
        rows.sort_by(|a, b| a.decided_on.cmp(&b.decided_on).then(a.id.cmp(&b.id)));
        let number = |id: &str| {
            self.hazards
                .iter()
                .find(|h| h.id == id)
                .map_or(id.to_string(), |h| h.number.clone())
        };
        let scope = match unit {
            Some(u) => dir.unit(u),
            None => "忠县".to_string(),
        };
        let period = month.map_or(String::new(), |m| format!("（{}）", m.label()));
        mechanism::accountability_ledger(&rows, dir, number, &scope, &period)
    }
}

impl County {
    /// 改机制台账 of one unit (or all), of a month (or all), oldest first.
    pub fn mechanism_ledger(
        &self,
        unit: Option<&str>,
        month: Option<YearMonth>,
        dir: &Directory,
    ) -> Table {
        let mut rows: Vec<&MechanismRecord> = self
            .mechanisms
            .iter()
            .filter(|r| unit.is_none_or(|u| r.unit_id == u))
            .filter(|r| month.is_none_or(|m| m.contains(r.effective_on)))
            .collect();
        rows.sort_by(|a, b| a.effective_on.cmp(&b.effective_on).then(a.id.cmp(&b.id)));
        let number = |id: &str| {
            self.hazards
                .iter()
                .find(|h| h.id == id)
                .map_or(id.to_string(), |h| h.number.clone())
        };
        let scope = unit.map_or("忠县".to_string(), |u| dir.unit(u));
        let period = month.map_or(String::new(), |m| format!("（{}）", m.label()));
        mechanism::mechanism_ledger(&rows, dir, number, &scope, &period)
    }
}
