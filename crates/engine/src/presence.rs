//! What agents and the customer see of each other while a conversation is open: who is typing
//! and which agents are viewing it (published at once, never stored), and how far each side has
//! read (stored on the conversation, so the marks are there after a reload).

use crate::conversations::conversation_in;
use crate::widget::{Visitor, VisitorConversation};
use crate::{Desk, EngineError, Result};
use frontdesk_domain::event::{Typing, Viewing};
use frontdesk_domain::inbox::Conversation;
use frontdesk_domain::{Agent, EventKind, Id};
use frontdesk_store::TxError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::broadcast;

/// How many widget streams each contact has open.
#[derive(Debug, Clone, Default)]
pub(crate) struct OnlineContacts(Arc<Mutex<HashMap<Id, usize>>>);

impl OnlineContacts {
    pub(crate) fn is_online(&self, contact: Id) -> bool {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).get(&contact).is_some_and(|n| *n > 0)
    }

    fn change(&self, contact: Id, up: bool) {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let n = open.entry(contact).or_insert(0);
        *n = if up { n.saturating_add(1) } else { n.saturating_sub(1) };
        if *n == 0 {
            open.remove(&contact);
        }
    }
}

/// A visitor's open widget stream; the customer counts as in the chat until it is dropped.
#[derive(Debug)]
pub struct OnlineVisitor {
    contacts: OnlineContacts,
    contact: Id,
}

impl Drop for OnlineVisitor {
    fn drop(&mut self) {
        self.contacts.change(self.contact, false);
    }
}

impl Desk {
    /// Typing signals as they happen. A subscriber that falls behind just misses some: the next
    /// one comes within seconds.
    pub fn subscribe_typing(&self) -> broadcast::Receiver<Typing> {
        self.inner.typing.subscribe()
    }

    /// An agent started or stopped typing a reply (or, `private`, a note) in a conversation.
    pub fn agent_typing(&self, agent: &Agent, conversation: Id, typing: bool, private: bool) -> Result<()> {
        self.conversation(conversation)?;
        // Nobody listening is fine.
        let _ = self.inner.typing.send(Typing { conversation, agent: Some(agent.id), private, typing });
        Ok(())
    }

    /// Viewing signals as they happen; like typing, a subscriber that falls behind misses some.
    pub fn subscribe_viewing(&self) -> broadcast::Receiver<Viewing> {
        self.inner.viewing.subscribe()
    }

    /// An agent opened (or still has open, or closed) a conversation: the other agents see it.
    pub fn agent_viewing(&self, agent: &Agent, conversation: Id, viewing: bool) -> Result<()> {
        self.conversation(conversation)?;
        let _ = self.inner.viewing.send(Viewing { conversation, agent: agent.id, viewing });
        Ok(())
    }

    /// The visitor has the chat open (their widget stream) until the returned guard is dropped;
    /// agents' replies are emailed only to customers with no chat open.
    pub fn visitor_online(&self, visitor: Visitor) -> OnlineVisitor {
        self.inner.online.change(visitor.contact, true);
        OnlineVisitor { contacts: self.inner.online.clone(), contact: visitor.contact }
    }

    /// Whether the contact has the chat open anywhere.
    pub fn contact_online(&self, contact: Id) -> bool {
        self.inner.online.is_online(contact)
    }

    /// The visitor started or stopped typing in one of their conversations.
    pub fn visitor_typing(&self, visitor: Visitor, conversation: Id, typing: bool) -> Result<()> {
        self.visitor_conversation(visitor, conversation)?;
        let _ = self.inner.typing.send(Typing { conversation, agent: None, private: false, typing });
        Ok(())
    }

    /// An agent has seen the conversation up to message `seq`: the customer's "seen" mark.
    pub async fn mark_seen(&self, agent: &Agent, conversation: Id, seq: u64) -> Result<Conversation> {
        let actor = agent.id;
        self.seen(conversation, None, seq, Some(actor)).await
    }

    /// The visitor has seen their conversation up to message `seq`: the agents' "seen" mark.
    pub async fn visitor_seen(&self, visitor: Visitor, conversation: Id, seq: u64) -> Result<VisitorConversation> {
        Ok(VisitorConversation::from(&self.seen(conversation, Some(visitor), seq, None).await?))
    }

    async fn seen(
        &self,
        conversation: Id,
        visitor: Option<Visitor>,
        seq: u64,
        actor: Option<Id>,
    ) -> Result<Conversation> {
        let current = match visitor {
            Some(v) => self.visitor_conversation(v, conversation)?,
            None => self.conversation(conversation)?,
        };
        // Opening a conversation again and again writes nothing once the mark is there.
        let by_contact = visitor.is_some();
        if !current.clone().mark_seen(by_contact, seq) {
            return Ok(current);
        }
        self.command(move |tx| {
            let mut c = conversation_in(tx, conversation)?;
            if c.mark_seen(by_contact, seq) {
                tx.put_conversation(&c)?;
                let seq = if by_contact { c.contact_last_seen_seq } else { c.agent_last_seen_seq };
                tx.record(actor, EventKind::ConversationSeen { conversation, by_contact, seq })?;
            }
            Ok::<_, TxError<EngineError>>(c)
        })
        .await
    }
}
