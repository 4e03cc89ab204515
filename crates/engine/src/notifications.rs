//! Desktop notifications: what a committed event tells one agent (the rules are in
//! `frontdesk_domain::notification`), and each agent's choice of the kinds they want.

use crate::{Desk, EngineError, Result};
use frontdesk_domain::inbox::preview_of;
use frontdesk_domain::notification::{
    may_notify, message_matters, notification_for, Notification, NotificationKind, NotificationSettings,
};
use frontdesk_domain::{Agent, Event, EventKind, Id};
use frontdesk_store::TxError;

impl Desk {
    /// The notification `event` gives agent `me`, with what their app shows; none for most events.
    pub fn notification_for(&self, me: Id, event: &Event) -> Result<Option<Notification>> {
        // Cheapest first: every agent's stream asks this of every event.
        let now = self.now();
        if !may_notify(me, event, now) {
            return Ok(None);
        }
        let (conversation, seq) = match event.kind {
            EventKind::AssigneeChanged { conversation, .. } => (conversation, None),
            EventKind::MessageCreated { conversation, seq, .. } => (conversation, Some(seq)),
            _ => return Ok(None),
        };
        let store = self.store();
        let Some(c) = store.conversation(conversation)? else { return Ok(None) };
        let message = match seq {
            Some(_) if !message_matters(me, &event.kind, &c) => return Ok(None),
            Some(seq) => match store.messages(conversation, seq - 1, 1)?.pop() {
                Some(m) => Some(m),
                None => return Ok(None),
            },
            None => None,
        };
        let Some(me_now) = store.agent(me)? else { return Ok(None) };
        let Some(kind) = notification_for(me, &me_now.agent.notifications, event, &c, message.as_ref(), now) else {
            return Ok(None);
        };
        let contact = store
            .contact(c.contact)?
            .and_then(|p| p.name.or(p.email).or(p.identifier))
            .unwrap_or_else(|| format!("#{}", c.number));
        let by = match (kind, event.actor) {
            (NotificationKind::CustomerReply, _) | (_, None) => None,
            (_, Some(actor)) => Some(self.agent_name(actor)?).filter(|n| !n.is_empty()),
        };
        let preview = message.map(|m| preview_of(&m.content)).unwrap_or(c.preview);
        Ok(Some(Notification { kind, conversation: c.id, number: c.number, contact, by, preview }))
    }

    /// An agent's own choice of notifications.
    /// The agent's choice of language for the app (none: the browser's).
    pub async fn set_agent_language(&self, actor: &Agent, language: Option<String>) -> Result<Agent> {
        let language = language.as_deref().map(frontdesk_domain::language::app_language).transpose()?;
        let id = actor.id;
        self.command(move |tx| {
            let Some(mut record) = tx.agent(id)? else { return Err(TxError::Abort(EngineError::NotFound("agent"))) };
            if record.agent.language != language {
                record.agent.language = language.clone();
                tx.put_agent(&record)?;
            }
            Ok(record.agent)
        })
        .await
    }

    pub async fn set_notification_settings(&self, actor: &Agent, settings: NotificationSettings) -> Result<Agent> {
        let id = actor.id;
        self.command(move |tx| {
            let Some(mut record) = tx.agent(id)? else { return Err(TxError::Abort(EngineError::NotFound("agent"))) };
            if record.agent.notifications != settings {
                record.agent.notifications = settings;
                tx.put_agent(&record)?;
            }
            Ok(record.agent)
        })
        .await
    }
}
