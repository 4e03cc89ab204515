//! One command, one transaction: the writes a command may make, all in one sled transaction
//! over every tree, so a record, its indexes and its event land together or not at all.

use crate::catalogue::{Tree, Trees};
use crate::codec::{decode, encode};
use crate::keys;
use crate::records::{AgentRecord, InvitationRecord, SessionRecord, TokenHash};
use crate::StoreError;
use frontdesk_domain::{Business, Event, EventKind, Id, Timestamp};
use sled::transaction::{
    ConflictableTransactionError, TransactionError, TransactionalTree, UnabortableTransactionError,
};
use sled::Transactional;

/// Why a command's transaction did not commit: the command's own refusal (`Abort`), or the store.
#[derive(Debug, thiserror::Error)]
pub enum TxError<E> {
    #[error(transparent)]
    Abort(E),
    #[error(transparent)]
    Store(StoreError),
    /// sled's signal to rerun the transaction; never escapes `Store::write`.
    #[doc(hidden)]
    #[error("transaction conflict")]
    Retry(UnabortableTransactionError),
}

impl<E> From<UnabortableTransactionError> for TxError<E> {
    fn from(e: UnabortableTransactionError) -> Self {
        TxError::Retry(e)
    }
}

impl<E> From<StoreError> for TxError<E> {
    fn from(e: StoreError) -> Self {
        TxError::Store(e)
    }
}

/// The view a command has of the store while its transaction runs.
pub struct Tx<'a> {
    meta: &'a TransactionalTree,
    agents: &'a TransactionalTree,
    emails: &'a TransactionalTree,
    sessions: &'a TransactionalTree,
    invitations: &'a TransactionalTree,
    events: &'a TransactionalTree,
    now: Timestamp,
    last_id: Id,
    recorded: Vec<Event>,
}

type TxResult<T, E> = Result<T, TxError<E>>;

impl Tx<'_> {
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// A fresh time-ordered id, greater than any given before.
    pub fn new_id(&mut self) -> Id {
        self.last_id = Id::next(self.last_id, self.now);
        self.last_id
    }

    /// Appends an event to the log; it is returned with the commit.
    pub fn record<E>(&mut self, actor: Option<Id>, kind: EventKind) -> TxResult<Event, E> {
        let event = Event { id: self.new_id(), at: self.now, actor, kind };
        self.events.insert(&keys::id(event.id), encode(&event))?;
        self.recorded.push(event.clone());
        Ok(event)
    }

    pub fn business<E>(&self) -> TxResult<Option<Business>, E> {
        read(self.meta, Tree::Meta, keys::meta::BUSINESS)
    }

    pub fn put_business<E>(&self, business: &Business) -> TxResult<(), E> {
        self.meta.insert(keys::meta::BUSINESS, encode(business))?;
        Ok(())
    }

    pub fn agent<E>(&self, id: Id) -> TxResult<Option<AgentRecord>, E> {
        read(self.agents, Tree::AgentidAgent, &keys::id(id))
    }

    pub fn agent_id_by_email<E>(&self, email: &str) -> TxResult<Option<Id>, E> {
        Ok(self.emails.get(keys::email(email))?.and_then(|v| keys::parse_id(&v)))
    }

    /// Writes the agent and keeps the email index in step, also when the email changed.
    pub fn put_agent<E>(&self, record: &AgentRecord) -> TxResult<(), E> {
        let key = keys::id(record.agent.id);
        if let Some(old) = read::<AgentRecord, E>(self.agents, Tree::AgentidAgent, &key)? {
            if old.agent.email != record.agent.email {
                self.emails.remove(keys::email(&old.agent.email))?;
            }
        }
        self.agents.insert(&key, encode(record))?;
        self.emails.insert(keys::email(&record.agent.email), &key)?;
        Ok(())
    }

    pub fn session<E>(&self, token: &TokenHash) -> TxResult<Option<SessionRecord>, E> {
        read(self.sessions, Tree::TokenhashSession, &keys::token(token))
    }

    pub fn put_session<E>(&self, token: &TokenHash, session: &SessionRecord) -> TxResult<(), E> {
        self.sessions.insert(&keys::token(token), encode(session))?;
        Ok(())
    }

    pub fn remove_session<E>(&self, token: &TokenHash) -> TxResult<(), E> {
        self.sessions.remove(&keys::token(token))?;
        Ok(())
    }

    pub fn invitation<E>(&self, token: &TokenHash) -> TxResult<Option<InvitationRecord>, E> {
        read(self.invitations, Tree::TokenhashInvitation, &keys::token(token))
    }

    pub fn put_invitation<E>(&self, token: &TokenHash, invitation: &InvitationRecord) -> TxResult<(), E> {
        self.invitations.insert(&keys::token(token), encode(invitation))?;
        Ok(())
    }

    pub fn remove_invitation<E>(&self, token: &TokenHash) -> TxResult<(), E> {
        self.invitations.remove(&keys::token(token))?;
        Ok(())
    }
}

fn read<T: serde::de::DeserializeOwned, E>(tree: &TransactionalTree, name: Tree, key: &[u8]) -> TxResult<Option<T>, E> {
    match tree.get(key)? {
        Some(v) => Ok(Some(decode(name.name(), &v)?)),
        None => Ok(None),
    }
}

/// Runs `command` in one transaction; returns its value, its events and the last id it used.
pub(crate) fn run<T, E>(
    trees: &Trees,
    now: Timestamp,
    last_id: Id,
    command: &impl Fn(&mut Tx<'_>) -> TxResult<T, E>,
) -> TxResult<(T, Vec<Event>, Id), E> {
    let outcome = (&trees.meta, &trees.agents, &trees.emails, &trees.sessions, &trees.invitations, &trees.events)
        .transaction(|(meta, agents, emails, sessions, invitations, events)| {
            let mut tx = Tx { meta, agents, emails, sessions, invitations, events, now, last_id, recorded: Vec::new() };
            match command(&mut tx) {
                Ok(value) => Ok((value, tx.recorded, tx.last_id)),
                Err(TxError::Retry(UnabortableTransactionError::Conflict)) => {
                    Err(ConflictableTransactionError::Conflict)
                }
                Err(TxError::Retry(UnabortableTransactionError::Storage(e))) => {
                    Err(ConflictableTransactionError::Storage(e))
                }
                Err(other) => Err(ConflictableTransactionError::Abort(other)),
            }
        });
    match outcome {
        Ok(done) => Ok(done),
        Err(TransactionError::Abort(e)) => Err(e),
        Err(TransactionError::Storage(e)) => Err(TxError::Store(StoreError::Sled(e))),
    }
}
