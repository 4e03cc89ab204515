//! One command's view of the store while the committer runs it: reads see the store, then the
//! earlier commands of the same batch, then the command's own writes; writes stay in the
//! command's overlay until it succeeds, so a refused command leaves nothing behind.

use crate::catalogue::{Tree, Trees};
use crate::codec::{decode, encode};
use crate::keys;
use crate::records::{AgentRecord, InvitationRecord, SessionRecord, TokenHash};
use crate::StoreError;
use frontdesk_domain::{Business, Event, EventKind, Id, Timestamp};
use std::collections::HashMap;

/// Why a command did not commit: its own refusal (`Abort`), or the store.
#[derive(Debug, thiserror::Error)]
pub enum TxError<E> {
    #[error(transparent)]
    Abort(E),
    #[error(transparent)]
    Store(StoreError),
}

impl<E> From<StoreError> for TxError<E> {
    fn from(e: StoreError) -> Self {
        TxError::Store(e)
    }
}

impl<E> From<sled::Error> for TxError<E> {
    fn from(e: sled::Error) -> Self {
        TxError::Store(StoreError::Sled(e))
    }
}

/// Pending writes: `None` removes the key.
pub(crate) type Overlay = HashMap<(Tree, Vec<u8>), Option<Vec<u8>>>;

/// The view a command has of the store while it runs.
pub struct Tx<'a> {
    trees: &'a Trees,
    batch: &'a Overlay,
    pub(crate) own: Overlay,
    now: Timestamp,
    pub(crate) last_id: Id,
    pub(crate) recorded: Vec<Event>,
}

type TxResult<T, E> = Result<T, TxError<E>>;

impl<'a> Tx<'a> {
    pub(crate) fn new(trees: &'a Trees, batch: &'a Overlay, now: Timestamp, last_id: Id) -> Tx<'a> {
        Tx { trees, batch, own: Overlay::new(), now, last_id, recorded: Vec::new() }
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// A fresh time-ordered id, greater than any given before.
    pub fn new_id(&mut self) -> Id {
        self.last_id = Id::next(self.last_id, self.now);
        self.last_id
    }

    pub(crate) fn raw_get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let k = (tree, key.to_vec());
        if let Some(v) = self.own.get(&k).or_else(|| self.batch.get(&k)) {
            return Ok(v.clone());
        }
        Ok(self.trees.get(tree).get(key)?.map(|v| v.to_vec()))
    }

    /// Keys of `tree` under `prefix` as stored (without pending writes).
    pub(crate) fn tree_keys(
        &self,
        tree: Tree,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<Vec<u8>, StoreError>> + use<'a> {
        self.trees.get(tree).scan_prefix(prefix).keys().map(|k| k.map(|k| k.to_vec()).map_err(StoreError::from))
    }

    /// Pending writes, the batch's first and then the command's own (later ones win).
    pub(crate) fn pending(&self) -> impl Iterator<Item = ((Tree, &Vec<u8>), &Option<Vec<u8>>)> {
        self.batch.iter().chain(self.own.iter()).map(|((t, k), v)| ((*t, k), v))
    }

    pub(crate) fn read<T: serde::de::DeserializeOwned, E>(&self, tree: Tree, key: &[u8]) -> TxResult<Option<T>, E> {
        match self.raw_get(tree, key)? {
            Some(v) => Ok(Some(decode(tree.name(), &v)?)),
            None => Ok(None),
        }
    }

    pub(crate) fn put(&mut self, tree: Tree, key: &[u8], value: Vec<u8>) {
        self.own.insert((tree, key.to_vec()), Some(value));
    }

    pub(crate) fn remove(&mut self, tree: Tree, key: &[u8]) {
        self.own.insert((tree, key.to_vec()), None);
    }

    /// Appends an event to the log; it is returned with the commit.
    pub fn record<E>(&mut self, actor: Option<Id>, kind: EventKind) -> TxResult<Event, E> {
        let event = Event { id: self.new_id(), at: self.now, actor, kind };
        self.put(Tree::EventidEvent, &keys::id(event.id), encode(&event));
        self.recorded.push(event.clone());
        Ok(event)
    }

    pub fn business<E>(&self) -> TxResult<Option<Business>, E> {
        self.read(Tree::Meta, keys::meta::BUSINESS)
    }

    pub fn put_business<E>(&mut self, business: &Business) -> TxResult<(), E> {
        self.put(Tree::Meta, keys::meta::BUSINESS, encode(business));
        Ok(())
    }

    pub fn agent<E>(&self, id: Id) -> TxResult<Option<AgentRecord>, E> {
        self.read(Tree::AgentidAgent, &keys::id(id))
    }

    pub fn agent_id_by_email<E>(&self, email: &str) -> TxResult<Option<Id>, E> {
        Ok(self.raw_get(Tree::EmailAgentid, keys::email(email))?.and_then(|v| keys::parse_id(&v)))
    }

    /// Writes the agent and keeps the email index in step, also when the email changed.
    pub fn put_agent<E>(&mut self, record: &AgentRecord) -> TxResult<(), E> {
        let key = keys::id(record.agent.id);
        if let Some(old) = self.read::<AgentRecord, E>(Tree::AgentidAgent, &key)? {
            if old.agent.email != record.agent.email {
                self.remove(Tree::EmailAgentid, keys::email(&old.agent.email));
            }
        }
        self.put(Tree::AgentidAgent, &key, encode(record));
        self.put(Tree::EmailAgentid, keys::email(&record.agent.email), key.to_vec());
        Ok(())
    }

    pub fn session<E>(&self, token: &TokenHash) -> TxResult<Option<SessionRecord>, E> {
        self.read(Tree::TokenhashSession, &keys::token(token))
    }

    pub fn put_session<E>(&mut self, token: &TokenHash, session: &SessionRecord) -> TxResult<(), E> {
        self.put(Tree::TokenhashSession, &keys::token(token), encode(session));
        Ok(())
    }

    pub fn remove_session<E>(&mut self, token: &TokenHash) -> TxResult<(), E> {
        self.remove(Tree::TokenhashSession, &keys::token(token));
        Ok(())
    }

    /// Ends every session of `agent`, those written earlier in the batch included; returns how
    /// many. It reads the whole session tree rather than an agent → sessions index: the tree
    /// holds one small entry per login (a few per agent, on a desk of 2–30 agents) and only an
    /// admin changing an account's status asks for this, so an index (and the schema version
    /// and backfill it would need) would cost every login a write to save a rare short scan.
    pub fn remove_sessions_of<E>(&mut self, agent: Id) -> TxResult<usize, E> {
        let tree = Tree::TokenhashSession;
        let belongs =
            |v: &[u8]| -> Result<bool, StoreError> { Ok(decode::<SessionRecord>(tree.name(), v)?.agent == agent) };
        let mut theirs = std::collections::BTreeSet::new();
        for entry in self.trees.get(tree).iter() {
            let (k, v) = entry?;
            if belongs(&v)? {
                theirs.insert(k.to_vec());
            }
        }
        // Later writes win: a pending removal, or a session rewritten for someone else, is not theirs.
        for ((t, k), v) in self.pending() {
            if t != tree {
                continue;
            }
            if v.as_deref().map(belongs).transpose()?.unwrap_or(false) {
                theirs.insert(k.clone());
            } else {
                theirs.remove(k);
            }
        }
        for k in &theirs {
            self.remove(tree, k);
        }
        Ok(theirs.len())
    }

    pub fn invitation<E>(&self, token: &TokenHash) -> TxResult<Option<InvitationRecord>, E> {
        self.read(Tree::TokenhashInvitation, &keys::token(token))
    }

    pub fn put_invitation<E>(&mut self, token: &TokenHash, invitation: &InvitationRecord) -> TxResult<(), E> {
        self.put(Tree::TokenhashInvitation, &keys::token(token), encode(invitation));
        Ok(())
    }

    pub fn remove_invitation<E>(&mut self, token: &TokenHash) -> TxResult<(), E> {
        self.remove(Tree::TokenhashInvitation, &keys::token(token));
        Ok(())
    }
}
