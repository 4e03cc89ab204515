//! Frontdesk's domain: the types and the rules of the help desk (accounts, ids, time, events),
//! with no I/O, no async and no clock of its own: time is always passed in.

pub mod account;
pub mod activity;
pub mod attachment;
pub mod backup;
pub mod canned;
pub mod conversation;
pub mod email;
pub mod event;
pub mod hours;
pub mod id;
pub mod inbox;
pub mod label;
pub mod language;
pub mod link;
pub mod login;
pub mod notification;
pub mod routing;
pub mod snooze;
pub mod time;
pub mod view;
pub mod widget;

pub use account::{Agent, Business, NewAgent, Role, SetupRequest};
pub use event::{Event, EventKind};
pub use id::Id;
pub use login::{LoginThrottle, SESSION_TTL};
pub use time::{Clock, Timestamp};

/// A rule of the domain that a request broke; the message says what was wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
}

impl DomainError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { field, message: message.into() }
    }
}
