//! Server-received time (接收时间) and 时间存疑.
//!
//! Every time on a record the phone reports (when an inspection started and finished, when a
//! hazard was found, when a meeting was held, when a photo was taken) is the phone's claim: its
//! clock can be wrong and its user can set it back. The server therefore stamps each record it
//! applies with the time it received it ([`Receipt`]) and compares the claims with it: a claim
//! later than the receipt (the phone's clock runs ahead) or long before it (a record entered
//! days later and dated back) is kept, but flagged 时间存疑 on the record, in the ledgers and in
//! the exports. How far is too far, and whether such a record still counts toward the duty
//! quotas, are data ([`TimeRules`], `data/received_time.toml`).

use std::sync::OnceLock;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// The county's tolerances for a claimed time, as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeRules {
    pub version: String,
    /// A claim later than the receipt by more than this is doubtful (the phone's clock runs
    /// ahead). Claims further ahead than the sync contract's skew are refused outright.
    pub ahead_minutes: i64,
    /// A claim earlier than the receipt by more than this is doubtful (recorded late).
    pub delay_hours: i64,
    /// Whether a record with a doubtful time counts toward the duty quotas (履职纪实).
    pub doubtful_counts_for_duty: bool,
}

impl TimeRules {
    pub fn from_toml(text: &str) -> Result<TimeRules, String> {
        let r: TimeRules =
            toml::from_str(text).map_err(|e| format!("接收时间规则配置格式错误：{e}"))?;
        if r.ahead_minutes < 0 || r.delay_hours <= 0 {
            return Err("接收时间规则配置错误：容差须为正数".into());
        }
        Ok(r)
    }

    /// The county's rules, compiled in.
    pub fn standard() -> &'static TimeRules {
        static RULES: OnceLock<TimeRules> = OnceLock::new();
        RULES.get_or_init(|| {
            TimeRules::from_toml(include_str!("../data/received_time.toml"))
                .expect("valid received-time rules")
        })
    }

    /// Whether `claimed` is doubtful against `received`, and why.
    pub fn judge(
        &self,
        field: &str,
        claimed: DateTime<Utc>,
        received: DateTime<Utc>,
    ) -> Option<TimeDoubt> {
        let kind = if claimed > received + Duration::minutes(self.ahead_minutes) {
            DoubtKind::AfterReceipt
        } else if claimed < received - Duration::hours(self.delay_hours) {
            DoubtKind::LongBeforeReceipt
        } else {
            return None;
        };
        Some(TimeDoubt {
            field: field.to_string(),
            claimed_at: claimed,
            kind,
        })
    }
}

/// Why a claimed time is doubtful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DoubtKind {
    /// 晚于服务器接收时间
    AfterReceipt,
    /// 早于服务器接收时间过久（补录）
    LongBeforeReceipt,
}

/// One doubtful claim of a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeDoubt {
    /// What the time is, as a user calls it (完成时间, 发现时间, …).
    pub field: String,
    pub claimed_at: DateTime<Utc>,
    pub kind: DoubtKind,
}

/// When the server received a record (the latest operation applied to it) and which of its
/// claimed times are doubtful. Set by the server only; what a phone sends is overwritten.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    /// When the server first received the record.
    pub received_at: DateTime<Utc>,
    /// When the server received its latest operation (finish, a later answer), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_received_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doubts: Vec<TimeDoubt>,
}

impl Receipt {
    /// A record received now, with its claimed times judged by `rules`.
    pub fn stamp(
        received_at: DateTime<Utc>,
        claims: &[(&str, DateTime<Utc>)],
        rules: &TimeRules,
    ) -> Receipt {
        let mut r = Receipt {
            received_at,
            last_received_at: None,
            doubts: Vec::new(),
        };
        r.add(received_at, claims, rules);
        r
    }

    /// A later operation on the same record, received at `at`, with its own claims. One
    /// doubt per field is kept (the first).
    pub fn add(&mut self, at: DateTime<Utc>, claims: &[(&str, DateTime<Utc>)], rules: &TimeRules) {
        if at > self.received_at {
            self.last_received_at = Some(at);
        }
        for (field, claimed) in claims {
            if self.doubts.iter().any(|d| d.field == *field) {
                continue;
            }
            if let Some(d) = rules.judge(field, *claimed, at) {
                self.doubts.push(d);
            }
        }
    }

    /// Stamps an optional receipt: the first operation creates it, later ones add to it.
    pub fn update(
        slot: &mut Option<Receipt>,
        at: DateTime<Utc>,
        claims: &[(&str, DateTime<Utc>)],
        rules: &TimeRules,
    ) {
        match slot {
            Some(r) => r.add(at, claims, rules),
            None => *slot = Some(Receipt::stamp(at, claims, rules)),
        }
    }

    pub fn doubtful(&self) -> bool {
        !self.doubts.is_empty()
    }

    /// The 时间存疑 note shown in ledgers and exports, or `None` when every claim is plausible.
    pub fn note(&self) -> Option<String> {
        if self.doubts.is_empty() {
            return None;
        }
        let china = FixedOffset::east_opt(8 * 3600).expect("valid offset");
        let fmt = |t: DateTime<Utc>| t.with_timezone(&china).format("%m-%d %H:%M").to_string();
        let received = fmt(self.last_received_at.unwrap_or(self.received_at));
        let parts: Vec<String> = self
            .doubts
            .iter()
            .map(|d| {
                let how = match d.kind {
                    DoubtKind::AfterReceipt => "晚于服务器接收时间",
                    DoubtKind::LongBeforeReceipt => "早于服务器接收时间过久",
                };
                format!("{}{}{how}", d.field, fmt(d.claimed_at))
            })
            .collect();
        Some(format!(
            "时间存疑：{}（接收于{received}）",
            parts.join("；")
        ))
    }
}

/// The note of an optional receipt (records from before receipts were kept have none).
pub fn doubt_note(r: Option<&Receipt>) -> Option<String> {
    r.and_then(Receipt::note)
}

/// Why a record with a doubtful time is left out of the duty quotas, when the county's rules
/// leave such records out.
pub fn duty_exclusion(r: Option<&Receipt>) -> Option<String> {
    if TimeRules::standard().doubtful_counts_for_duty {
        return None;
    }
    doubt_note(r).map(|n| format!("{n}，不计入履职"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_county_rules_load_from_data() {
        let r = TimeRules::standard();
        assert_eq!(r.delay_hours, 72);
        assert!(!r.doubtful_counts_for_duty);
        assert!(TimeRules::from_toml(
            "version='x'\nahead_minutes=1\ndelay_hours=0\ndoubtful_counts_for_duty=true"
        )
        .is_err());
    }

    #[test]
    fn claims_after_receipt_or_long_before_it_are_doubtful() {
        let rules = TimeRules::standard();
        let now = t("2026-11-20T08:00:00Z");
        // Sent from the field a day later: plausible.
        let r = Receipt::stamp(now, &[("完成时间", t("2026-11-19T08:00:00Z"))], rules);
        assert!(!r.doubtful() && r.note().is_none());
        // Dated four days back.
        let r = Receipt::stamp(now, &[("完成时间", t("2026-11-16T07:00:00Z"))], rules);
        assert_eq!(r.doubts[0].kind, DoubtKind::LongBeforeReceipt);
        let note = r.note().unwrap();
        assert!(
            note.contains("时间存疑：完成时间11-16 15:00早于服务器接收时间过久"),
            "{note}"
        );
        // The phone's clock runs ahead of the server's.
        let r = Receipt::stamp(now, &[("发现时间", t("2026-11-20T08:06:00Z"))], rules);
        assert_eq!(r.doubts[0].kind, DoubtKind::AfterReceipt);
    }

    #[test]
    fn later_operations_add_their_claims_once_per_field() {
        let rules = TimeRules::standard();
        let mut slot = None;
        Receipt::update(
            &mut slot,
            t("2026-11-20T08:00:00Z"),
            &[("开始时间", t("2026-11-20T07:00:00Z"))],
            rules,
        );
        Receipt::update(
            &mut slot,
            t("2026-11-25T08:00:00Z"),
            &[("完成时间", t("2026-11-20T09:00:00Z"))],
            rules,
        );
        let r = slot.unwrap();
        assert_eq!(r.received_at, t("2026-11-20T08:00:00Z"));
        assert_eq!(r.last_received_at, Some(t("2026-11-25T08:00:00Z")));
        assert_eq!(r.doubts.len(), 1);
        assert_eq!(r.doubts[0].field, "完成时间");
    }
}
