//! Business hours: when an inbox's team is at work, in the inbox's time zone, and what a
//! visitor is told outside them (the away message and when to expect a reply).

use crate::{DomainError, Timestamp};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

pub const MAX_AWAY_MESSAGE_CHARS: usize = 1_000;

/// One day's opening hours, "09:00" to "17:30" (closing after opening, on the same day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct OpenHours {
    pub opens: String,
    pub closes: String,
}

/// What the widget promises about the reply time while the team is at work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReplyTime {
    #[default]
    Minutes,
    Hours,
    Day,
}

/// An inbox's week. Off: always "at work" (no away message), as a new inbox starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct BusinessHours {
    pub enabled: bool,
    /// Monday first, seven days; null: closed all day.
    pub week: Vec<Option<OpenHours>>,
    /// Sent as the inbox's automatic reply to a conversation started outside the hours, and
    /// shown in the widget meanwhile. Empty: the widget's own words ("We are away…").
    pub away_message: String,
    pub reply_time: ReplyTime,
}

impl Default for BusinessHours {
    fn default() -> Self {
        let day = || Some(OpenHours { opens: "09:00".into(), closes: "17:00".into() });
        BusinessHours {
            enabled: false,
            week: vec![day(), day(), day(), day(), day(), None, None],
            away_message: String::new(),
            reply_time: ReplyTime::Minutes,
        }
    }
}

/// Whether the team is at work now and, if not, when it is next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct OpenNow {
    pub open: bool,
    /// When the team is next at work (only when away and some day has hours).
    pub opens_at: Option<Timestamp>,
}

const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

impl BusinessHours {
    /// The hours as stored: seven days, each closing after it opens, the message within limits.
    pub fn validate(mut self) -> Result<Self, DomainError> {
        if self.week.len() != 7 {
            return Err(DomainError::invalid(
                "business_hours",
                "give seven days, Monday first (null for a closed day)",
            ));
        }
        for (day, hours) in DAYS.iter().zip(&self.week) {
            if let Some(h) = hours {
                let (opens, closes) = (time(day, &h.opens)?, time(day, &h.closes)?);
                if closes <= opens {
                    return Err(DomainError::invalid(
                        "business_hours",
                        format!("{day} closes at {} before it opens at {}: closing must come later", h.closes, h.opens),
                    ));
                }
            }
        }
        self.away_message = self.away_message.trim().to_string();
        if self.away_message.chars().count() > MAX_AWAY_MESSAGE_CHARS {
            return Err(DomainError::invalid(
                "away_message",
                format!("the away message can be at most {MAX_AWAY_MESSAGE_CHARS} characters"),
            ));
        }
        Ok(self)
    }

    /// Whether the team is at work at `now` in `zone`, and when it next opens if not.
    pub fn open_now(&self, now: Timestamp, zone: &TimeZone) -> OpenNow {
        if !self.enabled {
            return OpenNow { open: true, opens_at: None };
        }
        let Ok(here) = jiff::Timestamp::from_millisecond(now.0).map(|t| t.to_zoned(zone.clone())) else {
            return OpenNow { open: true, opens_at: None };
        };
        let (today, clock) = (here.date(), here.time());
        if let Some((opens, closes)) = self.hours_on(today) {
            if opens <= clock && clock < closes {
                return OpenNow { open: true, opens_at: None };
            }
        }
        // The next opening: later today, or on one of the next seven days.
        let mut opens_at = None;
        let mut day = today;
        for _ in 0..8 {
            if let Some((opens, _)) = self.hours_on(day) {
                if day > today || clock < opens {
                    opens_at = day
                        .to_datetime(opens)
                        .to_zoned(zone.clone())
                        .ok()
                        .map(|z| Timestamp(z.timestamp().as_millisecond()));
                    break;
                }
            }
            let Ok(next) = day.tomorrow() else { break };
            day = next;
        }
        OpenNow { open: false, opens_at }
    }

    fn hours_on(&self, day: Date) -> Option<(Time, Time)> {
        let index = day.weekday().to_monday_zero_offset() as usize;
        let h = self.week.get(index)?.as_ref()?;
        Some((h.opens.parse().ok()?, h.closes.parse().ok()?))
    }
}

fn time(day: &str, text: &str) -> Result<Time, DomainError> {
    text.parse::<Time>()
        .map_err(|_| DomainError::invalid("business_hours", format!("{day}: '{text}' is not a time like 09:00")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        let z = format!("{text}[Europe/Rome]").parse::<jiff::Zoned>().unwrap();
        Timestamp(z.timestamp().as_millisecond())
    }

    fn rome() -> TimeZone {
        TimeZone::get("Europe/Rome").unwrap()
    }

    fn weekdays_nine_to_five() -> BusinessHours {
        BusinessHours { enabled: true, ..BusinessHours::default() }
    }

    #[test]
    fn an_inbox_without_hours_is_always_at_work() {
        let hours = BusinessHours::default();
        // 2026-03-08 is a Sunday.
        assert_eq!(hours.open_now(at("2026-03-08T03:00"), &rome()), OpenNow { open: true, opens_at: None });
    }

    #[test]
    fn inside_the_hours_of_the_inbox_zone_the_team_is_at_work() {
        let hours = weekdays_nine_to_five();
        assert!(hours.open_now(at("2026-03-10T09:00"), &rome()).open);
        assert!(hours.open_now(at("2026-03-10T16:59"), &rome()).open);
        // 17:00 in Rome is closing time, though it is 16:00 in UTC.
        assert!(!hours.open_now(at("2026-03-10T17:00"), &rome()).open);
    }

    #[test]
    fn away_says_when_the_team_is_next_at_work() {
        let hours = weekdays_nine_to_five();
        // Tuesday early morning: today at nine.
        assert_eq!(hours.open_now(at("2026-03-10T07:30"), &rome()).opens_at, Some(at("2026-03-10T09:00")));
        // Tuesday evening: Wednesday at nine.
        assert_eq!(hours.open_now(at("2026-03-10T18:00"), &rome()).opens_at, Some(at("2026-03-11T09:00")));
        // Friday evening: Monday at nine, across the weekend.
        assert_eq!(hours.open_now(at("2026-03-13T18:00"), &rome()).opens_at, Some(at("2026-03-16T09:00")));
    }

    #[test]
    fn a_week_with_no_open_day_is_always_away_with_no_opening() {
        let hours = BusinessHours { enabled: true, week: vec![None; 7], ..BusinessHours::default() };
        assert_eq!(hours.open_now(at("2026-03-10T10:00"), &rome()), OpenNow { open: false, opens_at: None });
    }

    #[test]
    fn bad_hours_are_refused_with_the_day_named() {
        let mut hours = weekdays_nine_to_five();
        hours.week[2] = Some(OpenHours { opens: "18:00".into(), closes: "09:00".into() });
        let e = hours.validate().unwrap_err().to_string();
        assert!(e.contains("Wednesday closes at 09:00 before it opens at 18:00"), "{e}");
        let mut hours = weekdays_nine_to_five();
        hours.week[0] = Some(OpenHours { opens: "nine".into(), closes: "17:00".into() });
        assert!(hours.validate().unwrap_err().to_string().contains("Monday: 'nine' is not a time"));
        let short = BusinessHours { week: vec![None; 5], ..weekdays_nine_to_five() };
        assert!(short.validate().unwrap_err().to_string().contains("seven days"));
        let long = BusinessHours { away_message: "x".repeat(1_001), ..weekdays_nine_to_five() };
        assert!(long.validate().unwrap_err().to_string().starts_with("away_message:"));
    }
}
