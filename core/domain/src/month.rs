//! A calendar month ("2026-11"): the period of duty records, reports and assessments.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    /// 1..=12
    pub month: u32,
}

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Result<YearMonth, DomainError> {
        if !(1..=12).contains(&month) || !(2000..=2100).contains(&year) {
            return Err(DomainError::InvalidValue {
                field: "月份",
                reason: format!("{year}-{month} 不是有效月份"),
            });
        }
        Ok(YearMonth { year, month })
    }

    pub fn of(day: NaiveDate) -> YearMonth {
        YearMonth {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("valid date")
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        YearMonth::of(day) == self
    }

    pub fn prev(self) -> YearMonth {
        if self.month == 1 {
            YearMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The months of a year, January first.
    pub fn year_months(year: i32) -> impl Iterator<Item = YearMonth> {
        (1..=12).map(move |month| YearMonth { year, month })
    }

    /// "2026年11月"
    pub fn label(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<YearMonth, DomainError> {
        let bad = || DomainError::InvalidValue {
            field: "月份",
            reason: format!("“{s}”不是有效月份，应写作 2026-11"),
        };
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        YearMonth::new(year, month).map_err(|_| bad())
    }
}

/// In the OpenAPI document a month is the string it travels as ("2026-11").
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for YearMonth {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^(20\d{2}|2100)-(0[1-9]|1[0-2])$"))
            .examples(["2026-11"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for YearMonth {}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<YearMonth, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prints_and_bounds_months() {
        let m: YearMonth = "2026-02".parse().unwrap();
        assert_eq!(m.to_string(), "2026-02");
        assert_eq!(m.last_day(), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        assert_eq!("2024-02".parse::<YearMonth>().unwrap().last_day().day(), 29);
        assert_eq!(
            "2026-12".parse::<YearMonth>().unwrap().next().to_string(),
            "2027-01"
        );
        assert!("2026-13".parse::<YearMonth>().is_err());
        assert!("11月".parse::<YearMonth>().is_err());
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"2026-02\"");
        assert_eq!(m.label(), "2026年2月");
    }
}
