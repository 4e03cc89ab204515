//! Activity lines: what happened to a conversation, kept as data so each agent reads it in
//! their own language. The English sentence is made here, once, and stored as the message's
//! text too, for transcripts, old clients and anything else that only reads text.

use crate::conversation::Status;
use crate::inbox::Priority;
use serde::{Deserialize, Serialize};

/// One thing that happened. Names are the names at the time (an agent renamed later keeps
/// the old name here, as a paper record would).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(tag = "what", rename_all = "snake_case")]
#[ts(export)]
pub enum Activity {
    /// An agent moved the conversation to `status`. `until_reply`: a snooze without an end.
    Status {
        by: String,
        status: Status,
        until_reply: bool,
    },
    /// An agent's reply took a `new` conversation.
    Accepted {
        by: String,
    },
    /// The customer wrote while it waited (pending, on hold, snoozed, solved).
    CustomerReturned,
    SnoozeEnded,
    ClosedAutomatically,
    RoutedTo {
        agent: String,
    },
    /// Routing took it back from an agent who stopped working.
    BackInQueue {
        agent: String,
        why: Release,
    },
    Took {
        by: String,
    },
    AssignedTo {
        by: String,
        to: String,
    },
    Unassigned {
        by: String,
    },
    Transferred {
        by: String,
        team: String,
    },
    /// Labels, priority, team or mute, changed together.
    Changed {
        by: String,
        changes: Vec<Change>,
    },
    MessageDeleted {
        by: String,
    },
    Rated {
        rating: u8,
        comment: Option<String>,
    },
    EmailFailed {
        to: String,
        why: String,
    },
    /// `by` is none when the desk sent it on its own (on solve, or at the visitor's request).
    TranscriptSent {
        by: Option<String>,
        to: String,
    },
}

/// Why routing took conversations back from an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Release {
    WentOffline,
    Deactivated,
}

/// One part of an `Activity::Changed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(tag = "change", rename_all = "snake_case")]
#[ts(export)]
pub enum Change {
    LabelsAdded {
        labels: Vec<String>,
    },
    LabelsRemoved {
        labels: Vec<String>,
    },
    /// A label's priority rule raised it.
    PriorityByRule {
        priority: Priority,
    },
    Priority {
        priority: Priority,
    },
    Team {
        team: String,
    },
    TeamRemoved,
    Muted {
        muted: bool,
    },
}

impl Activity {
    /// The English sentence, as stored in the message's text.
    pub fn english(&self) -> String {
        match self {
            Activity::Status { by, status, until_reply } => format!("{by} {}", status_phrase(*status, *until_reply)),
            Activity::Accepted { by } => format!("{by} accepted the conversation"),
            Activity::CustomerReturned => "The customer wrote again: the conversation is open".into(),
            Activity::SnoozeEnded => "The snooze ended: the conversation is open again".into(),
            Activity::ClosedAutomatically => "The conversation was closed automatically".into(),
            Activity::RoutedTo { agent } => format!("Routing assigned the conversation to {agent}"),
            Activity::BackInQueue { agent, why } => {
                let why = match why {
                    Release::WentOffline => "went offline",
                    Release::Deactivated => "was deactivated",
                };
                format!("Back in the queue: {agent} {why}")
            }
            Activity::Took { by } => format!("{by} took the conversation"),
            Activity::AssignedTo { by, to } => format!("{by} assigned the conversation to {to}"),
            Activity::Unassigned { by } => format!("{by} unassigned the conversation"),
            Activity::Transferred { by, team } => format!("{by} transferred the conversation to the team {team}"),
            Activity::Changed { by, changes } => {
                let parts: Vec<String> = changes.iter().map(Change::english).collect();
                format!("{by} {}", parts.join("; "))
            }
            Activity::MessageDeleted { by } => format!("{by} deleted a message"),
            Activity::Rated { rating, comment: Some(comment) } => {
                format!("The customer rated the conversation {rating}/5: {comment}")
            }
            Activity::Rated { rating, comment: None } => format!("The customer rated the conversation {rating}/5"),
            Activity::EmailFailed { to, why } => format!("The email to {to} could not be sent: {why}"),
            Activity::TranscriptSent { by: Some(by), to } => format!("{by} sent the transcript to {to}"),
            Activity::TranscriptSent { by: None, to } => format!("The transcript was sent to {to}"),
        }
    }
}

impl Change {
    fn english(&self) -> String {
        match self {
            Change::LabelsAdded { labels } => format!("added the labels {}", labels.join(", ")),
            Change::LabelsRemoved { labels } => format!("removed the labels {}", labels.join(", ")),
            Change::PriorityByRule { priority } => {
                format!("(a label rule set the priority to {})", priority_name(*priority))
            }
            Change::Priority { priority } => format!("set the priority to {}", priority_name(*priority)),
            Change::Team { team } => format!("gave the conversation to the team {team}"),
            Change::TeamRemoved => "took the conversation out of its team".into(),
            Change::Muted { muted: true } => "muted the conversation".into(),
            Change::Muted { muted: false } => "unmuted the conversation".into(),
        }
    }
}

fn status_phrase(status: Status, until_reply: bool) -> &'static str {
    match status {
        Status::Open => "opened the conversation",
        Status::Pending => "set the conversation pending",
        Status::OnHold => "put the conversation on hold",
        Status::Snoozed if until_reply => "snoozed the conversation until the customer replies",
        Status::Snoozed => "snoozed the conversation",
        Status::Solved => "solved the conversation",
        Status::Closed => "solved and closed the conversation",
        Status::New => "reset the conversation",
    }
}

fn priority_name(p: Priority) -> &'static str {
    match p {
        Priority::None => "none",
        Priority::Low => "low",
        Priority::Medium => "medium",
        Priority::High => "high",
        Priority::Urgent => "urgent",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_reads_as_the_history_always_did() {
        let ana = || "Ana".to_string();
        assert_eq!(
            Activity::Status { by: ana(), status: Status::Snoozed, until_reply: true }.english(),
            "Ana snoozed the conversation until the customer replies"
        );
        let changed = Activity::Changed {
            by: ana(),
            changes: vec![
                Change::LabelsAdded { labels: vec!["billing".into(), "vip".into()] },
                Change::PriorityByRule { priority: Priority::Urgent },
                Change::Muted { muted: true },
            ],
        };
        assert_eq!(
            changed.english(),
            "Ana added the labels billing, vip; (a label rule set the priority to urgent); muted the conversation"
        );
        assert_eq!(
            Activity::BackInQueue { agent: "Ben".into(), why: Release::Deactivated }.english(),
            "Back in the queue: Ben was deactivated"
        );
    }

    #[test]
    fn the_stored_shape_names_what_happened() {
        let json = serde_json::to_value(Activity::AssignedTo { by: "Ana".into(), to: "Ben".into() }).unwrap();
        assert_eq!(json, serde_json::json!({"what": "assigned_to", "by": "Ana", "to": "Ben"}));
        let change = serde_json::to_value(Change::Priority { priority: Priority::High }).unwrap();
        assert_eq!(change, serde_json::json!({"change": "priority", "priority": "high"}));
    }
}
