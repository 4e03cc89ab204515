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
use tokio::sync::broadcast;

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
