//! Inboxes, contacts, conversations and messages: the help desk's records.

use crate::conversation::{Lifecycle, Status, Style, StylePolicy};
use crate::hours::{BusinessHours, OpenNow};
use crate::routing::InboxRouting;
use crate::snooze::{parse_day_start, parse_time_zone};
use crate::{DomainError, Id, Timestamp};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One entry point (a website widget today) with its own conversation style and time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Inbox {
    pub id: Id,
    pub name: String,
    pub style: Style,
    /// Seconds a solved conversation stays reopenable (0 for live chat).
    pub close_after_secs: u64,
    /// IANA name, e.g. "Europe/Rome".
    pub time_zone: String,
    /// "09:00": when "tomorrow" and "next week" snoozes wake.
    pub business_day_starts_at: String,
    /// Auto-assignment, team, skills and priority rules (stores from before routing read the
    /// defaults).
    #[serde(default)]
    pub routing: InboxRouting,
    /// Email the transcript to the contact (if they gave an address) when a conversation is
    /// solved.
    #[serde(default)]
    pub transcript_on_solve: bool,
    /// The website widget (stores from before the widget read an unset one: no token yet).
    #[serde(default)]
    pub widget: crate::widget::WidgetSettings,
    /// When the team is at work, and the away message (stores from before read "off").
    #[serde(default)]
    pub business_hours: BusinessHours,
    pub created_at: Timestamp,
}

impl Inbox {
    pub fn policy(&self) -> StylePolicy {
        StylePolicy { style: self.style, close_after: Duration::from_secs(self.close_after_secs) }
    }

    /// Whether the inbox's team is at work at `now`, in the inbox's time zone.
    pub fn open_now(&self, now: Timestamp) -> OpenNow {
        match parse_time_zone(&self.time_zone) {
            Ok(zone) => self.business_hours.open_now(now, &zone),
            Err(_) => OpenNow { open: true, opens_at: None },
        }
    }

    /// The inbox with an admin's changes, each checked as on creation. A new style or close
    /// window applies to conversations solved from now on.
    pub fn changed(&self, changes: InboxChanges) -> Result<Inbox, DomainError> {
        let mut inbox = self.clone();
        if let Some(name) = changes.name {
            inbox.name = inbox_name(&name)?;
        }
        if changes.style.is_some() || changes.close_after_secs.is_some() {
            let style = changes.style.unwrap_or(inbox.style);
            // A new style without a window takes that style's default, not the old style's.
            let window = match (changes.close_after_secs, changes.style) {
                (Some(secs), _) => Some(secs),
                (None, Some(_)) => None,
                (None, None) => Some(inbox.close_after_secs),
            };
            let policy = StylePolicy::new(style, window.map(Duration::from_secs))?;
            inbox.style = policy.style;
            inbox.close_after_secs = policy.close_after.as_secs();
        }
        if let Some(zone) = changes.time_zone {
            parse_time_zone(&zone)?;
            inbox.time_zone = zone;
        }
        if let Some(start) = changes.business_day_starts_at {
            parse_day_start(&start)?;
            inbox.business_day_starts_at = start;
        }
        if let Some(on) = changes.transcript_on_solve {
            inbox.transcript_on_solve = on;
        }
        if let Some(hours) = changes.business_hours {
            inbox.business_hours = hours.validate()?;
        }
        Ok(inbox)
    }
}

/// What an admin changes on an inbox; omitted fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct InboxChanges {
    #[ts(optional)]
    pub name: Option<String>,
    #[ts(optional)]
    pub style: Option<Style>,
    #[ts(optional)]
    pub close_after_secs: Option<u64>,
    #[ts(optional)]
    pub time_zone: Option<String>,
    #[ts(optional)]
    pub business_day_starts_at: Option<String>,
    #[ts(optional)]
    pub transcript_on_solve: Option<bool>,
    #[ts(optional)]
    pub business_hours: Option<BusinessHours>,
}

fn inbox_name(raw: &str) -> Result<String, DomainError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(DomainError::invalid("name", "must be 1 to 120 characters"));
    }
    Ok(name.to_string())
}

/// What an admin sends to create an inbox; omitted fields take the defaults.
#[derive(Debug, Clone, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct InboxSettings {
    pub name: String,
    pub style: Style,
    #[ts(optional)]
    pub close_after_secs: Option<u64>,
    #[ts(optional)]
    pub time_zone: Option<String>,
    #[ts(optional)]
    pub business_day_starts_at: Option<String>,
    #[ts(optional)]
    pub routing: Option<InboxRouting>,
    #[ts(optional)]
    pub transcript_on_solve: Option<bool>,
    #[ts(optional)]
    pub business_hours: Option<BusinessHours>,
}

impl InboxSettings {
    pub fn into_inbox(self, id: Id, now: Timestamp) -> Result<Inbox, DomainError> {
        // The style's defaults, then the given fields through the same checks as a later change.
        let policy = StylePolicy::new(self.style, None)?;
        let defaults = Inbox {
            id,
            name: String::new(),
            style: policy.style,
            close_after_secs: policy.close_after.as_secs(),
            time_zone: "UTC".into(),
            business_day_starts_at: "09:00".into(),
            routing: self.routing.unwrap_or_default().validate()?,
            transcript_on_solve: false,
            widget: crate::widget::WidgetSettings::new(String::new(), String::new()),
            business_hours: BusinessHours::default(),
            created_at: now,
        };
        defaults.changed(InboxChanges {
            name: Some(self.name),
            style: None,
            close_after_secs: self.close_after_secs,
            time_zone: self.time_zone,
            business_day_starts_at: self.business_day_starts_at,
            transcript_on_solve: self.transcript_on_solve,
            business_hours: self.business_hours,
        })
    }
}

/// A group of agents conversations can be given to (membership and routing come with routing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Team {
    pub id: Id,
    pub name: String,
    pub created_at: Timestamp,
}

/// A team's name, checked: 1 to 80 characters.
pub fn team_name(raw: &str) -> Result<String, DomainError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(DomainError::invalid("name", "a team's name must be 1 to 80 characters"));
    }
    Ok(name.to_string())
}

/// What an agent changes on a conversation besides its status; omitted fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ConversationChanges {
    /// The whole new set of labels.
    #[ts(optional)]
    pub labels: Option<Vec<String>>,
    #[ts(optional)]
    pub priority: Option<Priority>,
    /// A team id, or null to take the conversation out of its team.
    #[ts(optional, type = "string | null")]
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub team: Option<Option<Id>>,
    /// Mute (or unmute): no desktop notifications about it.
    #[ts(optional)]
    pub muted: Option<bool>,
}

/// Tells "field absent" (outer None) from "field null" (Some(None)).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Id>>, D::Error> {
    Option::<Id>::deserialize(d).map(Some)
}

pub const MAX_LABELS: usize = 20;

/// The labels as stored: each checked by `view::label`, sorted, without repeats.
pub fn labels(raw: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out = raw.iter().map(|l| crate::view::label(l)).collect::<Result<Vec<_>, _>>()?;
    out.sort();
    out.dedup();
    if out.len() > MAX_LABELS {
        return Err(DomainError::invalid("labels", format!("a conversation can have at most {MAX_LABELS} labels")));
    }
    Ok(out)
}

/// A language tag as browsers send it ("es", "it-IT", "en-GB"), lower-case primary language.
pub fn language_tag(raw: &str) -> Result<String, DomainError> {
    let tag = raw.trim();
    let mut parts = tag.split(['-', '_']);
    let primary = parts.next().unwrap_or("");
    let ok = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
        && tag.len() <= 35;
    if !ok {
        return Err(DomainError::invalid("language", format!("'{tag}' is not a language tag like es or it-IT")));
    }
    let mut out = primary.to_ascii_lowercase();
    out.push_str(&tag[primary.len()..].replace('_', "-"));
    Ok(out)
}

/// A customer. Found again by the site's identifier, or by an email someone vouched for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Contact {
    pub id: Id,
    pub name: Option<String>,
    pub email: Option<String>,
    /// The email came from a trusted side (the agent API, or a site that signed it), so it may
    /// find this contact again. An email a widget visitor typed is only shown: anybody can type
    /// anybody's address. Records from before this field read as unverified.
    #[serde(default)]
    pub email_verified: bool,
    pub identifier: Option<String>,
    /// A language tag ("es", "it-IT") for what is written to them; English when unknown.
    #[serde(default)]
    pub language: Option<String>,
    pub created_at: Timestamp,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    ts_rs::TS,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Priority {
    #[default]
    None,
    Low,
    Medium,
    High,
    Urgent,
}

/// The ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Conversation {
    pub id: Id,
    /// Short and sequential, what people quote: #1042.
    pub number: u64,
    pub inbox: Id,
    pub contact: Id,
    pub status: Status,
    pub assignee: Option<Id>,
    pub team: Option<Id>,
    pub labels: Vec<String>,
    pub priority: Priority,
    /// When a snoozed conversation wakes (none: at the customer's next reply).
    pub wakes_at: Option<Timestamp>,
    /// When a solved conversation closes.
    pub closes_at: Option<Timestamp>,
    /// The contact's conversation before this one, when this one started after a close.
    pub previous: Option<Id>,
    pub created_at: Timestamp,
    /// The last message written by a person (customer or agent): what views sort by.
    pub last_activity_at: Timestamp,
    /// Sequence number of the last message.
    pub last_seq: u64,
    /// Since when it waits in the routing queue; none while it does not wait.
    #[serde(default)]
    pub queued_at: Option<Timestamp>,
    /// The start of the last message the customer or an agent wrote (never a private note),
    /// for the list; empty in stores from before it was kept, until the next message.
    #[serde(default)]
    pub preview: String,
    /// The customer's rating, once given.
    #[serde(default)]
    pub csat: Option<crate::widget::Csat>,
    /// The last message an agent has seen (the customer's "seen" mark).
    #[serde(default)]
    pub agent_last_seen_seq: u64,
    /// The last message the customer has seen in the widget (the agents' "seen" mark).
    #[serde(default)]
    pub contact_last_seen_seq: u64,
    /// Muted: no desktop notification about it for anyone.
    #[serde(default)]
    pub muted: bool,
}

impl Conversation {
    /// A conversation as a customer's first message starts it: `new`, unassigned, no messages.
    pub fn start(
        id: Id,
        number: u64,
        inbox: Id,
        contact: Id,
        team: Option<Id>,
        previous: Option<Id>,
        now: Timestamp,
    ) -> Conversation {
        Conversation {
            id,
            number,
            inbox,
            contact,
            status: Status::New,
            assignee: None,
            team,
            labels: Vec::new(),
            priority: Priority::None,
            wakes_at: None,
            closes_at: None,
            previous,
            created_at: now,
            last_activity_at: now,
            last_seq: 0,
            queued_at: None,
            preview: String::new(),
            csat: None,
            agent_last_seen_seq: 0,
            contact_last_seen_seq: 0,
            muted: false,
        }
    }

    /// Moves one side's "seen" mark to `seq`: forward only, never past the last message.
    /// True if it moved (and the conversation needs writing).
    pub fn mark_seen(&mut self, by_contact: bool, seq: u64) -> bool {
        let seq = seq.min(self.last_seq);
        let mark = if by_contact { &mut self.contact_last_seen_seq } else { &mut self.agent_last_seen_seq };
        let moved = seq > *mark;
        *mark = (*mark).max(seq);
        moved
    }

    pub fn lifecycle(&self) -> Lifecycle {
        Lifecycle { status: self.status, assignee: self.assignee, wakes_at: self.wakes_at, closes_at: self.closes_at }
    }

    pub fn apply(&mut self, l: Lifecycle) {
        self.status = l.status;
        self.assignee = l.assignee;
        self.wakes_at = l.wakes_at;
        self.closes_at = l.closes_at;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MessageKind {
    /// From the customer.
    Incoming,
    /// From an agent (or a bot) to the customer.
    Outgoing,
    /// From the system: "Ana solved the conversation".
    Activity,
    /// Between agents only; never reaches the customer.
    PrivateNote,
}

impl MessageKind {
    /// Whether the customer may see it.
    pub fn is_public(self) -> bool {
        matches!(self, MessageKind::Incoming | MessageKind::Outgoing)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Message {
    pub conversation: Id,
    /// 1, 2, 3… within the conversation: what a client resumes from.
    pub seq: u64,
    pub kind: MessageKind,
    /// The agent who wrote it, or whose action an activity line records; none for the
    /// customer and for timers.
    pub author: Option<Id>,
    pub content: String,
    pub created_at: Timestamp,
    /// The agents a private note mentions (each is notified).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<Id>>", optional)]
    pub mentions: Vec<Id>,
    /// Files on the message (images are shown, other files offered for download).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<crate::attachment::Attachment>>", optional)]
    pub attachments: Vec<crate::attachment::Attachment>,
    /// Deleted by an agent: its text and files are gone, the place in the history stays.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub deleted: bool,
    /// For an activity line: what happened, as data, so each agent reads it in their own
    /// language (`content` holds the English). Lines from before 2026-12 have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub activity: Option<crate::activity::Activity>,
}

/// Why an agent may not delete a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionRefused {
    AlreadyDeleted,
    /// Activity lines are the record of what happened.
    Activity,
    /// Only an admin may delete what a customer or another agent wrote (to remove a card
    /// number or an insult, say).
    NotTheirs,
}

impl Message {
    /// Whether `agent` (an admin or not) may delete this message.
    pub fn may_delete(&self, agent: Id, admin: bool) -> Result<(), DeletionRefused> {
        match self.kind {
            _ if self.deleted => Err(DeletionRefused::AlreadyDeleted),
            MessageKind::Activity => Err(DeletionRefused::Activity),
            _ if admin => Ok(()),
            MessageKind::Outgoing | MessageKind::PrivateNote if self.author == Some(agent) => Ok(()),
            _ => Err(DeletionRefused::NotTheirs),
        }
    }

    /// Empties the message: its text, files and mentions are not kept anywhere.
    pub fn delete(&mut self) {
        self.content.clear();
        self.attachments.clear();
        self.mentions.clear();
        self.deleted = true;
    }
}

pub const MAX_MESSAGE_CHARS: usize = 20_000;
pub const PREVIEW_CHARS: usize = 120;

/// What the list shows of a message: one line, at most `PREVIEW_CHARS` characters.
pub fn preview_of(content: &str) -> String {
    let line = content.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}…", line[..cut].trim_end()),
        None => line,
    }
}

/// A message's text, checked: not empty, not huge.
pub fn message_content(raw: &str) -> Result<String, DomainError> {
    message_text(raw, false)
}

/// A message's text; empty only when it carries files.
pub fn message_text(raw: &str, with_files: bool) -> Result<String, DomainError> {
    let text = raw.trim();
    if text.is_empty() && !with_files {
        return Err(DomainError::invalid("content", "a message cannot be empty"));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(DomainError::invalid(
            "content",
            format!("a message can have at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(style: Style) -> InboxSettings {
        InboxSettings {
            transcript_on_solve: None,
            name: "Website".into(),
            style,
            close_after_secs: None,
            time_zone: None,
            business_day_starts_at: None,
            routing: None,
            business_hours: None,
        }
    }

    #[test]
    fn an_admin_changes_an_inbox_field_by_field_each_checked_as_on_creation() {
        let inbox = settings(Style::Messaging).into_inbox(Id(1), Timestamp(0)).unwrap();
        let renamed = inbox.changed(InboxChanges { name: Some(" Shop ".into()), ..Default::default() }).unwrap();
        assert_eq!((renamed.name.as_str(), renamed.close_after_secs), ("Shop", inbox.close_after_secs));
        // A new style without a window takes that style's default window.
        let chat = inbox.changed(InboxChanges { style: Some(Style::LiveChatReturning), ..Default::default() }).unwrap();
        assert_eq!(chat.close_after_secs, 3_600);
        let week = inbox.changed(InboxChanges { close_after_secs: Some(7 * 86_400), ..Default::default() }).unwrap();
        assert_eq!((week.style, week.close_after_secs), (Style::Messaging, 7 * 86_400));
        let too_long = InboxChanges { close_after_secs: Some(40 * 86_400), ..Default::default() };
        assert!(inbox.changed(too_long).is_err());
        let zone = InboxChanges { time_zone: Some("Mars/Base".into()), ..Default::default() };
        assert!(inbox.changed(zone).unwrap_err().to_string().starts_with("time_zone:"));
        let hours = BusinessHours { enabled: true, week: vec![None; 3], ..BusinessHours::default() };
        let bad = InboxChanges { business_hours: Some(hours), ..Default::default() };
        assert!(inbox.changed(bad).unwrap_err().to_string().starts_with("business_hours:"));
    }

    #[test]
    fn agents_delete_their_own_messages_and_admins_anyones_but_never_activity_lines() {
        let message = |kind, author| Message {
            conversation: Id(1),
            seq: 1,
            kind,
            author,
            content: "my card is 4111 1111 1111 1111".into(),
            created_at: Timestamp(0),
            mentions: vec![Id(3)],
            attachments: vec![],
            deleted: false,
            activity: None,
        };
        let (ana, bo) = (Id(2), Id(3));
        assert_eq!(message(MessageKind::Outgoing, Some(ana)).may_delete(ana, false), Ok(()));
        assert_eq!(message(MessageKind::PrivateNote, Some(ana)).may_delete(ana, false), Ok(()));
        assert_eq!(message(MessageKind::Outgoing, Some(ana)).may_delete(bo, false), Err(DeletionRefused::NotTheirs));
        assert_eq!(message(MessageKind::Incoming, None).may_delete(bo, false), Err(DeletionRefused::NotTheirs));
        assert_eq!(message(MessageKind::Incoming, None).may_delete(bo, true), Ok(()));
        assert_eq!(message(MessageKind::Activity, Some(ana)).may_delete(ana, true), Err(DeletionRefused::Activity));
        let mut gone = message(MessageKind::Incoming, None);
        gone.delete();
        assert!(gone.deleted && gone.content.is_empty() && gone.mentions.is_empty());
        assert_eq!(gone.may_delete(bo, true), Err(DeletionRefused::AlreadyDeleted));
    }

    #[test]
    fn an_inbox_takes_its_styles_default_window_and_checks_its_time_zone() {
        let inbox = settings(Style::Messaging).into_inbox(Id(1), Timestamp(0)).unwrap();
        assert_eq!(inbox.close_after_secs, 4 * 24 * 3600);
        assert_eq!((inbox.time_zone.as_str(), inbox.business_day_starts_at.as_str()), ("UTC", "09:00"));
        let bad = InboxSettings { time_zone: Some("Nowhere/Town".into()), ..settings(Style::LiveChat) };
        assert!(bad.into_inbox(Id(1), Timestamp(0)).unwrap_err().to_string().starts_with("time_zone:"));
    }

    #[test]
    fn seen_marks_move_forward_only_and_not_past_the_last_message() {
        let mut c = Conversation {
            status: Status::Open,
            last_seq: 5,
            ..Conversation::start(Id(1), 1, Id(2), Id(3), None, None, Timestamp(0))
        };
        assert!(c.mark_seen(false, 3));
        assert!(!c.mark_seen(false, 2), "an older mark does not move it back");
        assert!(c.mark_seen(true, 99));
        assert_eq!((c.agent_last_seen_seq, c.contact_last_seen_seq), (3, 5));
        assert!(!c.mark_seen(true, 5), "the same mark again writes nothing");
    }

    #[test]
    fn labels_are_normalized_sorted_and_deduplicated() {
        let got = labels(&["Billing".into(), " refund ".into(), "billing".into()]).unwrap();
        assert_eq!(got, vec!["billing".to_string(), "refund".to_string()]);
        assert!(labels(&["two words".into()]).is_err());
        let many: Vec<String> = (0..=MAX_LABELS).map(|i| format!("l{i}")).collect();
        assert!(labels(&many).is_err());
    }

    #[test]
    fn a_change_tells_an_absent_team_from_a_null_one() {
        let absent: ConversationChanges = serde_json::from_str(r#"{"priority":"high"}"#).unwrap();
        assert_eq!((absent.team, absent.priority), (None, Some(Priority::High)));
        let null: ConversationChanges = serde_json::from_str(r#"{"team":null}"#).unwrap();
        assert_eq!(null.team, Some(None));
        let set: ConversationChanges = serde_json::from_str(r#"{"team":"12"}"#).unwrap();
        assert_eq!(set.team, Some(Some(Id(12))));
    }

    #[test]
    fn messages_must_say_something_and_not_everything() {
        assert_eq!(message_content("  hi  ").unwrap(), "hi");
        assert_eq!(preview_of("Hello,\n\n  my   order?"), "Hello, my order?");
        let long = preview_of(&"é".repeat(500));
        assert_eq!(long.chars().count(), PREVIEW_CHARS + 1, "cut on a character boundary, with an ellipsis");
        assert!(message_content(" \n ").is_err());
        assert_eq!(message_text(" \n ", true).unwrap(), "", "a message of files alone");
        assert!(message_content(&"x".repeat(MAX_MESSAGE_CHARS + 1)).is_err());
    }

    #[test]
    fn only_incoming_and_outgoing_messages_reach_the_customer() {
        assert!(MessageKind::Incoming.is_public() && MessageKind::Outgoing.is_public());
        assert!(!MessageKind::PrivateNote.is_public() && !MessageKind::Activity.is_public());
    }
}
