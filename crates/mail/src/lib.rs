//! Frontdesk's outgoing mail: the transcript templates and the lettre SMTP transport. It knows
//! the domain (settings, messages), never the store: the outbox that calls it lives in the
//! engine and the store.

pub mod transcript;
pub mod transport;

pub use transport::{Mailer, OutgoingMessage, SendError};
