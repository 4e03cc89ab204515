//! When a snooze ends, in the inbox's time zone: "tomorrow" and "next week" mean the start of the
//! inbox's business day, so a customer's conversation wakes when the team is at work.

use crate::{DomainError, Timestamp};
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// What an agent picks from the snooze menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(tag = "until", rename_all = "snake_case")]
#[ts(export)]
pub enum SnoozeChoice {
    NextReply,
    Tomorrow,
    NextWeek,
    Time { at: Timestamp },
}

/// The instant a snooze ends (`None`: at the customer's next reply).
pub fn snooze_end(
    choice: SnoozeChoice,
    now: Timestamp,
    zone: &TimeZone,
    day_starts_at: Time,
) -> Result<Option<Timestamp>, DomainError> {
    let bad_time = |e: jiff::Error| DomainError::invalid("until", format!("cannot compute the wake-up time: {e}"));
    let today = jiff::Timestamp::from_millisecond(now.0).map_err(bad_time)?.to_zoned(zone.clone()).date();
    let day = match choice {
        SnoozeChoice::NextReply => return Ok(None),
        SnoozeChoice::Time { at } => return Ok(Some(at)),
        SnoozeChoice::Tomorrow => today.tomorrow().map_err(bad_time)?,
        // The next Monday after today (a week from today when today is Monday).
        SnoozeChoice::NextWeek => today.nth_weekday(1, Weekday::Monday).map_err(bad_time)?,
    };
    let wake = day.to_datetime(day_starts_at).to_zoned(zone.clone()).map_err(bad_time)?;
    Ok(Some(Timestamp(wake.timestamp().as_millisecond())))
}

/// Reads a business-day start like "09:00".
pub fn parse_day_start(text: &str) -> Result<Time, DomainError> {
    text.parse::<Time>()
        .map_err(|_| DomainError::invalid("business_day_starts_at", format!("'{text}' is not a time like 09:00")))
}

/// Finds an IANA time zone like "Europe/Rome".
pub fn parse_time_zone(name: &str) -> Result<TimeZone, DomainError> {
    TimeZone::get(name).map_err(|_| {
        DomainError::invalid("time_zone", format!("'{name}' is not a known time zone: use a name like Europe/Rome"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, zone: &str) -> Timestamp {
        let z = format!("{text}[{zone}]").parse::<jiff::Zoned>().unwrap();
        Timestamp(z.timestamp().as_millisecond())
    }

    #[test]
    fn tomorrow_is_the_start_of_the_next_business_day_in_the_inbox_zone() {
        let rome = parse_time_zone("Europe/Rome").unwrap();
        let nine = parse_day_start("09:00").unwrap();
        // 23:30 in Rome is already the next day in UTC terms for some zones: the inbox's own
        // calendar decides.
        let now = at("2026-03-10T23:30", "Europe/Rome");
        assert_eq!(
            snooze_end(SnoozeChoice::Tomorrow, now, &rome, nine).unwrap(),
            Some(at("2026-03-11T09:00", "Europe/Rome"))
        );
    }

    #[test]
    fn tomorrow_keeps_business_hours_across_a_daylight_saving_change() {
        let rome = parse_time_zone("Europe/Rome").unwrap();
        let nine = parse_day_start("09:00").unwrap();
        // Clocks go forward in Rome on 2026-03-29.
        let now = at("2026-03-28T15:00", "Europe/Rome");
        let wake = snooze_end(SnoozeChoice::Tomorrow, now, &rome, nine).unwrap().unwrap();
        assert_eq!(wake, at("2026-03-29T09:00", "Europe/Rome"));
        assert_eq!(wake.0 - now.0, 17 * 3_600_000, "one hour less than 18 because of DST");
    }

    #[test]
    fn next_week_is_monday_morning_even_from_a_monday() {
        let ny = parse_time_zone("America/New_York").unwrap();
        let eight = parse_day_start("08:30").unwrap();
        let friday = at("2026-11-20T17:00", "America/New_York");
        assert_eq!(
            snooze_end(SnoozeChoice::NextWeek, friday, &ny, eight).unwrap(),
            Some(at("2026-11-23T08:30", "America/New_York"))
        );
        let monday = at("2026-11-23T07:00", "America/New_York");
        assert_eq!(
            snooze_end(SnoozeChoice::NextWeek, monday, &ny, eight).unwrap(),
            Some(at("2026-11-30T08:30", "America/New_York"))
        );
    }

    #[test]
    fn until_next_reply_has_no_time_and_bad_settings_are_explained() {
        let utc = TimeZone::UTC;
        assert_eq!(snooze_end(SnoozeChoice::NextReply, Timestamp(0), &utc, Time::midnight()).unwrap(), None);
        assert!(parse_time_zone("Mars/Olympus").unwrap_err().to_string().contains("Europe/Rome"));
        assert!(parse_day_start("9am").unwrap_err().to_string().contains("09:00"));
    }
}
