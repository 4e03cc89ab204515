//! Desktop notifications: which committed event tells which agent something, as Chatwoot does
//! for a conversation assigned to them, a customer's reply in theirs and an @mention in a note.
//! A muted conversation tells nobody; each agent turns each kind off in their settings.

use crate::inbox::{Conversation, Message, MessageKind};
use crate::{Event, EventKind, Id, Timestamp};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NotificationKind {
    /// A conversation was assigned to me (by someone else or by routing).
    Assigned,
    /// The customer wrote in a conversation assigned to me.
    CustomerReply,
    /// Another agent mentioned me in a private note.
    Mention,
}

/// Which kinds an agent wants; all on until they turn one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct NotificationSettings {
    pub assigned: bool,
    pub customer_reply: bool,
    pub mention: bool,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        NotificationSettings { assigned: true, customer_reply: true, mention: true }
    }
}

impl NotificationSettings {
    pub fn wants(&self, kind: NotificationKind) -> bool {
        match kind {
            NotificationKind::Assigned => self.assigned,
            NotificationKind::CustomerReply => self.customer_reply,
            NotificationKind::Mention => self.mention,
        }
    }
}

/// What an agent's app shows, in its own language: the facts, not the sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Notification {
    pub kind: NotificationKind,
    pub conversation: Id,
    /// The number people quote: #1042.
    pub number: u64,
    /// Who the conversation is with: the contact's name, else their email or identifier.
    pub contact: String,
    /// The agent who assigned or mentioned; none for routing and for the customer's replies.
    pub by: Option<String>,
    /// The message's first line, or the conversation's last message for an assignment.
    pub preview: String,
}

/// An event older than this when the agent's stream delivers it (catching up after sleep)
/// is not worth a popup any more: the inbox shows it.
pub const NOTIFY_WITHIN: Duration = Duration::from_secs(120);

/// Whether `event` may notify `me` at all, judged before reading anything from the store (every
/// agent's stream asks this of every event).
pub fn may_notify(me: Id, event: &Event, now: Timestamp) -> bool {
    if now.since(event.at) > NOTIFY_WITHIN || event.actor == Some(me) {
        return false;
    }
    match event.kind {
        EventKind::AssigneeChanged { to, .. } => to == Some(me),
        EventKind::MessageCreated { .. } => true,
        _ => false,
    }
}

/// Whether the message of a `message.created` event must be read to decide for `me`: a note may
/// mention anyone, a public message only counts in my own unmuted conversation.
pub fn message_matters(me: Id, event: &EventKind, conversation: &Conversation) -> bool {
    match event {
        EventKind::MessageCreated { private, .. } => {
            !conversation.muted && (*private || conversation.assignee == Some(me))
        }
        _ => false,
    }
}

/// The notification `event` gives `me`, if any. `message` is the message a
/// `message.created` event names; `conversation` is the conversation as it is now.
pub fn notification_for(
    me: Id,
    settings: &NotificationSettings,
    event: &Event,
    conversation: &Conversation,
    message: Option<&Message>,
    now: Timestamp,
) -> Option<NotificationKind> {
    if conversation.muted || now.since(event.at) > NOTIFY_WITHIN || event.actor == Some(me) {
        return None;
    }
    let kind = match (&event.kind, message) {
        (EventKind::AssigneeChanged { to: Some(to), .. }, _) if *to == me => NotificationKind::Assigned,
        (EventKind::MessageCreated { .. }, Some(m)) => match m.kind {
            MessageKind::Incoming if conversation.assignee == Some(me) => NotificationKind::CustomerReply,
            MessageKind::PrivateNote if m.mentions.contains(&me) && m.author != Some(me) => NotificationKind::Mention,
            _ => return None,
        },
        _ => return None,
    };
    settings.wants(kind).then_some(kind)
}

/// The agents a private note mentions: each once, in the order written.
pub fn mentions(ids: &[Id]) -> Vec<Id> {
    let mut out: Vec<Id> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::Status;

    const ANA: Id = Id(1);
    const BEN: Id = Id(2);
    const NOW: Timestamp = Timestamp(1_000_000);

    fn conversation(assignee: Option<Id>) -> Conversation {
        Conversation {
            status: Status::Open,
            assignee,
            last_seq: 1,
            ..Conversation::start(Id(50), 7, Id(3), Id(4), None, None, NOW)
        }
    }

    fn message(kind: MessageKind, author: Option<Id>, mentions: Vec<Id>) -> Message {
        Message {
            conversation: Id(50),
            seq: 1,
            kind,
            author,
            content: "hi".into(),
            created_at: NOW,
            mentions,
            attachments: vec![],
            deleted: false,
            activity: None,
        }
    }

    fn event(actor: Option<Id>, kind: EventKind) -> Event {
        Event { id: Id(9), at: NOW, actor, kind }
    }

    fn assigned(to: Id, by: Option<Id>) -> Event {
        event(by, EventKind::AssigneeChanged { conversation: Id(50), from: None, to: Some(to) })
    }

    fn created(actor: Option<Id>) -> Event {
        event(actor, EventKind::MessageCreated { conversation: Id(50), seq: 1, private: false })
    }

    fn all_on() -> NotificationSettings {
        NotificationSettings::default()
    }

    #[test]
    fn the_new_assignee_is_told_unless_they_took_it_themselves() {
        let c = conversation(Some(ANA));
        assert_eq!(
            notification_for(ANA, &all_on(), &assigned(ANA, Some(BEN)), &c, None, NOW),
            Some(NotificationKind::Assigned)
        );
        assert_eq!(
            notification_for(ANA, &all_on(), &assigned(ANA, None), &c, None, NOW),
            Some(NotificationKind::Assigned)
        );
        assert_eq!(notification_for(ANA, &all_on(), &assigned(ANA, Some(ANA)), &c, None, NOW), None);
        assert_eq!(notification_for(BEN, &all_on(), &assigned(ANA, Some(BEN)), &c, None, NOW), None);
    }

    #[test]
    fn a_customer_reply_tells_only_the_assignee() {
        let m = message(MessageKind::Incoming, None, vec![]);
        let mine = conversation(Some(ANA));
        assert_eq!(
            notification_for(ANA, &all_on(), &created(None), &mine, Some(&m), NOW),
            Some(NotificationKind::CustomerReply)
        );
        assert_eq!(notification_for(BEN, &all_on(), &created(None), &mine, Some(&m), NOW), None);
        assert_eq!(notification_for(ANA, &all_on(), &created(None), &conversation(None), Some(&m), NOW), None);
        let reply = message(MessageKind::Outgoing, Some(BEN), vec![]);
        assert_eq!(notification_for(ANA, &all_on(), &created(Some(BEN)), &mine, Some(&reply), NOW), None);
    }

    #[test]
    fn a_note_tells_the_agents_it_mentions_but_not_its_author() {
        let c = conversation(None);
        let note = message(MessageKind::PrivateNote, Some(BEN), vec![ANA, BEN]);
        assert_eq!(
            notification_for(ANA, &all_on(), &created(Some(BEN)), &c, Some(&note), NOW),
            Some(NotificationKind::Mention)
        );
        assert_eq!(notification_for(BEN, &all_on(), &created(Some(BEN)), &c, Some(&note), NOW), None);
        let unmentioned = message(MessageKind::PrivateNote, Some(BEN), vec![]);
        assert_eq!(notification_for(ANA, &all_on(), &created(Some(BEN)), &c, Some(&unmentioned), NOW), None);
    }

    #[test]
    fn a_muted_conversation_tells_nobody() {
        let mut c = conversation(Some(ANA));
        c.muted = true;
        let m = message(MessageKind::Incoming, None, vec![]);
        assert_eq!(notification_for(ANA, &all_on(), &assigned(ANA, Some(BEN)), &c, None, NOW), None);
        assert_eq!(notification_for(ANA, &all_on(), &created(None), &c, Some(&m), NOW), None);
    }

    #[test]
    fn each_kind_can_be_turned_off() {
        let c = conversation(Some(ANA));
        let off = NotificationSettings { assigned: false, ..all_on() };
        assert_eq!(notification_for(ANA, &off, &assigned(ANA, Some(BEN)), &c, None, NOW), None);
        let m = message(MessageKind::Incoming, None, vec![]);
        let off = NotificationSettings { customer_reply: false, ..all_on() };
        assert_eq!(notification_for(ANA, &off, &created(None), &c, Some(&m), NOW), None);
        let note = message(MessageKind::PrivateNote, Some(BEN), vec![ANA]);
        let off = NotificationSettings { mention: false, ..all_on() };
        assert_eq!(notification_for(ANA, &off, &created(Some(BEN)), &c, Some(&note), NOW), None);
    }

    #[test]
    fn an_old_event_met_while_catching_up_stays_quiet() {
        let c = conversation(Some(ANA));
        let later = NOW.plus(NOTIFY_WITHIN + Duration::from_secs(1));
        assert_eq!(notification_for(ANA, &all_on(), &assigned(ANA, Some(BEN)), &c, None, later), None);
        let soon = NOW.plus(NOTIFY_WITHIN);
        assert!(notification_for(ANA, &all_on(), &assigned(ANA, Some(BEN)), &c, None, soon).is_some());
    }

    #[test]
    fn mentions_are_kept_once_in_order() {
        assert_eq!(mentions(&[BEN, ANA, BEN]), vec![BEN, ANA]);
    }

    #[test]
    fn only_fresh_assignments_to_me_and_others_messages_are_looked_at() {
        assert!(may_notify(ANA, &assigned(ANA, Some(BEN)), NOW));
        assert!(!may_notify(ANA, &assigned(BEN, Some(ANA)), NOW));
        assert!(!may_notify(ANA, &assigned(ANA, Some(BEN)), NOW.plus(NOTIFY_WITHIN + Duration::from_secs(1))));
        let note = event(Some(BEN), EventKind::MessageCreated { conversation: Id(50), seq: 1, private: true });
        assert!(may_notify(ANA, &note, NOW));
        assert!(!may_notify(BEN, &note, NOW), "my own message");
        assert!(!may_notify(ANA, &event(Some(BEN), EventKind::ConversationUpdated { conversation: Id(50) }), NOW));
    }

    #[test]
    fn a_message_is_read_only_when_it_can_matter() {
        let public = created(None).kind;
        let note = EventKind::MessageCreated { conversation: Id(50), seq: 1, private: true };
        assert!(message_matters(ANA, &public, &conversation(Some(ANA))));
        assert!(!message_matters(ANA, &public, &conversation(Some(BEN))), "someone else's conversation");
        assert!(message_matters(ANA, &note, &conversation(Some(BEN))), "a note may mention me");
        let mut muted = conversation(Some(ANA));
        muted.muted = true;
        assert!(!message_matters(ANA, &public, &muted) && !message_matters(ANA, &note, &muted));
    }
}
