//! Time checks: the photo's own time against the moment the app captured it and the device
//! clock, and the order of before/after photos of a hazard.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde::Serialize;

/// How far a photo's EXIF time may be from the moment the app recorded it.
pub const MAX_CAPTURE_GAP: Duration = Duration::minutes(10);
/// How far ahead of the server a device clock may run before it counts as wrong.
pub const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum TimeFlag {
    /// No offset in the photo: China time (+08:00) was assumed.
    OffsetAssumed,
    /// The photo was taken long before (or after) the app recorded it: likely from the gallery.
    CaptureGap { minutes: i64 },
    /// The device clock is ahead of the reference clock.
    ClockAhead { minutes: i64 },
    /// An "after" photo taken before the hazard's "before" photo.
    AfterBeforeBefore,
}

impl TimeFlag {
    pub fn message(&self) -> String {
        match self {
            TimeFlag::OffsetAssumed => "照片未记录时区，按北京时间处理".into(),
            TimeFlag::CaptureGap { minutes } => {
                format!("时间异常：照片拍摄时间与记录时间相差 {minutes} 分钟")
            }
            TimeFlag::ClockAhead { minutes } => format!("时间异常：手机时钟快了 {minutes} 分钟"),
            TimeFlag::AfterBeforeBefore => "时间异常：整改后照片早于整改前照片".into(),
        }
    }
}

/// The photo's instant: its own offset, else China time.
pub fn photo_instant(local: NaiveDateTime, offset: Option<FixedOffset>) -> (DateTime<Utc>, bool) {
    let china = FixedOffset::east_opt(8 * 3600).expect("valid");
    let assumed = offset.is_none();
    let tz = offset.unwrap_or(china);
    let t = tz
        .from_local_datetime(&local)
        .single()
        .unwrap_or_else(|| tz.from_utc_datetime(&local));
    (t.with_timezone(&Utc), assumed)
}

/// Checks the photo time against the capture time (when the app recorded the photo, device
/// clock) and a reference clock (the server's, when known).
pub fn check(
    photo: Option<(NaiveDateTime, Option<FixedOffset>)>,
    captured_at: DateTime<Utc>,
    reference_now: Option<DateTime<Utc>>,
) -> Vec<TimeFlag> {
    let mut flags = Vec::new();
    if let Some((local, offset)) = photo {
        let (t, assumed) = photo_instant(local, offset);
        if assumed {
            flags.push(TimeFlag::OffsetAssumed);
        }
        let gap = (captured_at - t).num_minutes().abs();
        if Duration::minutes(gap) > MAX_CAPTURE_GAP {
            flags.push(TimeFlag::CaptureGap { minutes: gap });
        }
    }
    if let Some(now) = reference_now {
        let ahead = captured_at - now;
        if ahead > MAX_CLOCK_SKEW {
            flags.push(TimeFlag::ClockAhead {
                minutes: ahead.num_minutes(),
            });
        }
    }
    flags
}

/// An after photo must not predate the earliest before photo.
pub fn check_stage_order(
    earliest_before: Option<DateTime<Utc>>,
    after: DateTime<Utc>,
) -> Option<TimeFlag> {
    earliest_before
        .filter(|b| after < *b)
        .map(|_| TimeFlag::AfterBeforeBefore)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 6, 14)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn fresh_photo_passes_gallery_photo_is_flagged() {
        let captured = Utc.with_ymd_and_hms(2026, 6, 14, 2, 25, 0).unwrap(); // 10:25 China
        let plus8 = FixedOffset::east_opt(8 * 3600);
        assert!(check(Some((local(10, 23), plus8)), captured, Some(captured)).is_empty());
        let flags = check(Some((local(8, 0), plus8)), captured, None);
        assert_eq!(flags, vec![TimeFlag::CaptureGap { minutes: 145 }]);
        let flags = check(Some((local(10, 23), None)), captured, None);
        assert_eq!(flags, vec![TimeFlag::OffsetAssumed]);
        // A device clock an hour ahead of the server.
        let flags = check(None, captured, Some(captured - Duration::hours(1)));
        assert_eq!(flags, vec![TimeFlag::ClockAhead { minutes: 60 }]);
        assert!(flags[0].message().contains("时钟"));
    }

    #[test]
    fn after_photo_cannot_predate_before_photo() {
        let before = Utc.with_ymd_and_hms(2026, 6, 14, 2, 0, 0).unwrap();
        assert_eq!(
            check_stage_order(Some(before), before - Duration::minutes(1)),
            Some(TimeFlag::AfterBeforeBefore)
        );
        assert_eq!(
            check_stage_order(Some(before), before + Duration::days(3)),
            None
        );
        assert_eq!(check_stage_order(None, before), None);
    }
}
