//! Events: what happened, in Chatwoot's words, recorded with each command and published after
//! its commit. The UI catches up on missed events by their sequence id.

use crate::conversation::Status;
use crate::{Id, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Event {
    /// Time-ordered and unique: the sequence a client resumes from.
    pub id: Id,
    pub at: Timestamp,
    /// The agent who caused it, if any.
    pub actor: Option<Id>,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(tag = "type", content = "data")]
#[ts(export)]
pub enum EventKind {
    #[serde(rename = "account.setup_completed")]
    SetupCompleted { business_name: String, admin: Id },
    #[serde(rename = "agent.invited")]
    AgentInvited { agent: Id },
    #[serde(rename = "agent.activated")]
    AgentActivated { agent: Id },
    #[serde(rename = "agent.deactivated")]
    AgentDeactivated { agent: Id },
    #[serde(rename = "agent.reactivated")]
    AgentReactivated { agent: Id },
    #[serde(rename = "agent.role_changed")]
    AgentRoleChanged { agent: Id, role: crate::Role },
    #[serde(rename = "inbox.created")]
    InboxCreated { inbox: Id },
    /// Its settings (routing among them) changed.
    #[serde(rename = "inbox.updated")]
    InboxUpdated { inbox: Id },
    /// Availability, capacity, skills or teams changed.
    #[serde(rename = "agent.routing_changed")]
    AgentRoutingChanged { agent: Id },
    /// An agent went offline (or was deactivated) while holding open conversations: they stay
    /// assigned, and admins are told so someone can take them over.
    #[serde(rename = "routing.open_conversations_left")]
    OpenConversationsLeft { agent: Id, conversations: Vec<Id> },
    #[serde(rename = "team.created")]
    TeamCreated { team: Id },
    /// An admin changed the desk's label definitions.
    #[serde(rename = "labels.changed")]
    LabelsChanged,
    /// A canned response was created, changed or deleted: reply boxes reload the list.
    #[serde(rename = "canned_response.changed")]
    CannedResponseChanged { canned_response: Id },
    #[serde(rename = "conversation.created")]
    ConversationCreated { conversation: Id, inbox: Id, contact: Id, previous: Option<Id> },
    #[serde(rename = "message.created")]
    MessageCreated { conversation: Id, seq: u64, private: bool },
    /// An agent deleted a message: clients show it as deleted.
    #[serde(rename = "message.deleted")]
    MessageDeleted { conversation: Id, seq: u64 },
    /// A contact's name, email or identifier changed.
    #[serde(rename = "contact.updated")]
    ContactUpdated { contact: Id },
    #[serde(rename = "conversation.status_changed")]
    StatusChanged { conversation: Id, from: Status, to: Status },
    #[serde(rename = "assignee.changed")]
    AssigneeChanged { conversation: Id, from: Option<Id>, to: Option<Id> },
    /// Labels, priority or team changed.
    #[serde(rename = "conversation.updated")]
    ConversationUpdated { conversation: Id },
    /// An email was queued, sent, retried or failed.
    #[serde(rename = "email.updated")]
    EmailUpdated { email: Id, conversation: Option<Id>, state: crate::email::EmailState },
    #[serde(rename = "settings.smtp_updated")]
    SmtpSettingsUpdated,
    #[serde(rename = "settings.backup_updated")]
    BackupSettingsUpdated,
    /// A backup file was written (`file` is its full path on the host desk).
    #[serde(rename = "backup.made")]
    BackupMade { file: String, bytes: u64 },
    /// Somebody read the conversation up to `seq`: an agent (`by_contact` false) or the customer.
    #[serde(rename = "conversation.seen")]
    ConversationSeen { conversation: Id, by_contact: bool, seq: u64 },
    /// Written by the store's write benchmark and crash test: an opaque payload of a given size.
    #[serde(rename = "system.note")]
    Note { text: String },
}

/// Shown at once and never stored: somebody is typing in a conversation. Clients show it for
/// `TYPING_SHOWN_FOR_MS` after the last signal, so a lost "stopped" never sticks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Typing {
    pub conversation: Id,
    /// The agent typing; none for the customer.
    pub agent: Option<Id>,
    /// A private note is being written: never shown to the customer.
    pub private: bool,
    pub typing: bool,
}

/// How long a typing signal is shown without a new one; clients repeat it more often than this.
pub const TYPING_SHOWN_FOR_MS: u64 = 6_000;

/// Shown at once and never stored: an agent has a conversation open, so two agents do not take
/// the same customer on at once ("Ana is viewing").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Viewing {
    pub conversation: Id,
    pub agent: Id,
    pub viewing: bool,
}

/// How long a viewing signal is shown without a new one; clients repeat it more often than this.
pub const VIEWING_SHOWN_FOR_MS: u64 = 30_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_carry_chatwoot_style_names() {
        let e = Event { id: Id(7), at: Timestamp(1), actor: None, kind: EventKind::AgentInvited { agent: Id(9) } };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["type"], "agent.invited");
        assert_eq!(json["data"]["agent"], "9");
    }
}
