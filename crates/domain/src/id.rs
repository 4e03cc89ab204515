//! Time-ordered identifiers: the high 48 bits are milliseconds since the epoch, the low 16 a
//! counter, so ids sort by creation time as big-endian keys and never repeat within a process.

use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ts_rs::TS, utoipa::ToSchema)]
#[ts(export, type = "string")]
#[schema(value_type = String)]
pub struct Id(pub u64);

const COUNTER_BITS: u32 = 16;

impl Id {
    /// The next id after `last`, at time `now`: time-ordered, and strictly greater than `last`
    /// even when the clock stands still or steps back.
    pub fn next(last: Id, now: Timestamp) -> Id {
        let from_clock = (u64::try_from(now.0).unwrap_or(0)) << COUNTER_BITS;
        Id(from_clock.max(last.0.saturating_add(1)))
    }

    pub fn created_at(self) -> Timestamp {
        Timestamp(i64::try_from(self.0 >> COUNTER_BITS).unwrap_or(i64::MAX))
    }

    pub fn to_be_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Id {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Id)
    }
}

/// Ids travel as strings in JSON: JavaScript numbers lose precision above 2^53.
impl Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        s.parse().map_err(|_| serde::de::Error::custom(format!("'{s}' is not an id")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_id_remembers_when_it_was_made() {
        let id = Id::next(Id(0), Timestamp(1_700_000_000_123));
        assert_eq!(id.created_at(), Timestamp(1_700_000_000_123));
    }

    #[test]
    fn ids_travel_as_strings_so_javascript_keeps_every_digit() {
        let id = Id(u64::MAX - 1);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"18446744073709551614\"");
        assert_eq!(serde_json::from_str::<Id>(&json).unwrap(), id);
    }

    proptest! {
        #[test]
        fn ids_strictly_increase_even_when_the_clock_steps_back(steps in proptest::collection::vec(0i64..2_000_000_000_000, 1..200)) {
            let mut last = Id(0);
            for now in steps {
                let next = Id::next(last, Timestamp(now));
                prop_assert!(next > last, "id must grow: {next} after {last}");
                prop_assert!(next.to_be_bytes() > last.to_be_bytes(), "big-endian bytes must sort like the ids");
                last = next;
            }
        }
    }
}
