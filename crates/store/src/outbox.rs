//! The outbox: every email is a record written in the same transaction as whatever asked for
//! it, indexed by when it is tried next while it waits, and by conversation for the UI. The SMTP
//! settings live here too. The store keeps the state; the engine's worker sends.

use crate::catalogue::Tree;
use crate::codec::{decode, encode};
use crate::keys;
use crate::tx::{Tx, TxError};
use crate::{Result, Store};
use frontdesk_domain::email::{OutgoingEmail, SmtpSettings};
use frontdesk_domain::{Id, Timestamp};

type TxResult<T, E> = std::result::Result<T, TxError<E>>;

impl Tx<'_> {
    pub fn smtp_settings<E>(&self) -> TxResult<Option<SmtpSettings>, E> {
        self.read(Tree::Meta, keys::meta::SMTP_SETTINGS)
    }

    pub fn put_smtp_settings<E>(&mut self, settings: &SmtpSettings) -> TxResult<(), E> {
        self.put(Tree::Meta, keys::meta::SMTP_SETTINGS, encode(settings));
        Ok(())
    }

    /// The key that signs links in emails to customers, if one was made.
    pub fn link_secret<E>(&self) -> TxResult<Option<Vec<u8>>, E> {
        Ok(self.raw_get(Tree::Meta, keys::meta::LINK_SECRET)?)
    }

    pub fn put_link_secret<E>(&mut self, secret: &[u8]) -> TxResult<(), E> {
        self.put(Tree::Meta, keys::meta::LINK_SECRET, secret.to_vec());
        Ok(())
    }

    /// The newest email of a conversation as this command sees it (pending writes included).
    pub fn last_conversation_email<E>(&self, conversation: Id) -> TxResult<Option<OutgoingEmail>, E> {
        let prefix = keys::id(conversation);
        let tree = Tree::ConversationidEmailid;
        let mut newest = None;
        for k in self.tree_keys(tree, &prefix) {
            newest = newest.max(k?.get(8..).and_then(keys::parse_id));
        }
        // Index entries are only ever added, so pending removals need no care here.
        for ((t, k), _) in self.pending() {
            if t == tree && k.starts_with(&prefix) {
                newest = newest.max(k.get(8..).and_then(keys::parse_id));
            }
        }
        match newest {
            Some(id) => self.email(id),
            None => Ok(None),
        }
    }

    pub fn email<E>(&self, id: Id) -> TxResult<Option<OutgoingEmail>, E> {
        self.read(Tree::EmailidEmail, &keys::id(id))
    }

    /// Writes the email and keeps its indexes in step: listed under its conversation, and in
    /// the due index at its next attempt only while it still waits to be sent.
    pub fn put_email<E>(&mut self, email: &OutgoingEmail) -> TxResult<(), E> {
        let key = keys::id(email.id);
        match self.read::<OutgoingEmail, E>(Tree::EmailidEmail, &key)? {
            Some(old) => {
                if let Some(at) = old.next_attempt_at {
                    self.remove(Tree::DueEmailid, &keys::email_due(at, old.id));
                }
            }
            None => {
                if let Some(conversation) = email.purpose.conversation() {
                    self.put(Tree::ConversationidEmailid, &keys::pair(conversation, email.id), Vec::new());
                }
            }
        }
        if let (true, Some(at)) = (email.is_waiting(), email.next_attempt_at) {
            self.put(Tree::DueEmailid, &keys::email_due(at, email.id), Vec::new());
        }
        self.put(Tree::EmailidEmail, &key, encode(email));
        Ok(())
    }
}

impl Store {
    pub fn smtp_settings(&self) -> Result<Option<SmtpSettings>> {
        self.get_decoded(Tree::Meta, keys::meta::SMTP_SETTINGS)
    }

    /// The key that signs links in emails to customers, if one was made.
    pub fn link_secret(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.tree(Tree::Meta).get(keys::meta::LINK_SECRET)?.map(|v| v.to_vec()))
    }

    pub fn email(&self, id: Id) -> Result<Option<OutgoingEmail>> {
        self.get_decoded(Tree::EmailidEmail, &keys::id(id))
    }

    /// Emails whose next attempt is at or before `now`, earliest first.
    pub fn due_emails(&self, now: Timestamp, limit: usize) -> Result<Vec<OutgoingEmail>> {
        let end = keys::email_due(now, Id(u64::MAX));
        let mut out = Vec::new();
        for k in self.tree(Tree::DueEmailid).range(..=end).keys().take(limit) {
            if let Some((_, id)) = keys::parse_email_due(&k?) {
                out.extend(self.email(id)?);
            }
        }
        Ok(out)
    }

    /// When the outbox has to try an email next.
    pub fn next_email_due(&self) -> Result<Option<Timestamp>> {
        Ok(self.tree(Tree::DueEmailid).first()?.and_then(|(k, _)| keys::parse_email_due(&k)).map(|(at, _)| at))
    }

    /// A conversation's emails, oldest first.
    pub fn conversation_emails(&self, conversation: Id) -> Result<Vec<OutgoingEmail>> {
        let mut out = Vec::new();
        for k in self.tree(Tree::ConversationidEmailid).scan_prefix(keys::id(conversation)).keys() {
            if let Some(email) = keys::parse_id(&k?[8..]).map(|id| self.email(id)).transpose()?.flatten() {
                out.push(email);
            }
        }
        Ok(out)
    }

    /// The most recent emails first, before `before` (a page cursor), at most `limit`.
    pub fn emails(&self, before: Option<Id>, limit: usize) -> Result<Vec<OutgoingEmail>> {
        let end = before.map_or([0xFF; 8], keys::id);
        self.tree(Tree::EmailidEmail)
            .range(..end)
            .rev()
            .take(limit)
            .map(|kv| decode(Tree::EmailidEmail.name(), &kv?.1))
            .collect()
    }

    /// Compares the outbox's indexes with its records (a full scan, for tests and repair).
    pub(crate) fn check_outbox(&self) -> Result<Vec<String>> {
        use std::collections::BTreeSet;
        let (mut want_due, mut want_by_conversation) = (BTreeSet::new(), BTreeSet::new());
        for kv in self.tree(Tree::EmailidEmail).iter() {
            let e: OutgoingEmail = decode(Tree::EmailidEmail.name(), &kv?.1)?;
            if let (true, Some(at)) = (e.is_waiting(), e.next_attempt_at) {
                want_due.insert(keys::email_due(at, e.id).to_vec());
            }
            if let Some(c) = e.purpose.conversation() {
                want_by_conversation.insert(keys::pair(c, e.id).to_vec());
            }
        }
        let mut problems = Vec::new();
        if self.key_set(Tree::DueEmailid)? != want_due {
            problems.push(format!("outbox due index differs from the {} waiting emails", want_due.len()));
        }
        if self.key_set(Tree::ConversationidEmailid)? != want_by_conversation {
            problems.push("outbox conversation index differs from the emails".to_string());
        }
        Ok(problems)
    }

    /// How many emails wait to be sent (a scan of the due index: for figures and tests).
    pub fn waiting_email_count(&self) -> usize {
        self.tree(Tree::DueEmailid).len()
    }
}
