//! What the store keeps beside the domain's own types: secrets and session bookkeeping.

use frontdesk_domain::{Agent, Id, Timestamp};
use serde::{Deserialize, Serialize};

/// SHA-256 of a secret token; the token itself is never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRecord {
    pub agent: Agent,
    /// PHC string (argon2id); `None` until an invited agent picks a password.
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub agent: Id,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRecord {
    pub agent: Id,
    pub expires_at: Timestamp,
}

/// A widget visitor's session: the contact it speaks for, in one inbox's widget. Kept until the
/// visitor's browser forgets the token (there is no logout in a widget).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorRecord {
    pub contact: Id,
    pub inbox: Id,
    pub created_at: Timestamp,
}
