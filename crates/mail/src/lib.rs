//! Frontdesk's outgoing mail: the transcript templates (messages drawn in the markdown subset,
//! as the agent app and the widget draw them) and the lettre SMTP transport. It knows
//! the domain (settings, messages), never the store: the outbox that calls it lives in the
//! engine and the store.

pub mod markdown;
pub mod transcript;
pub mod transport;

pub use transport::{Mailer, OutgoingMessage, SendError};
