//! Inboxes, contacts, conversations and messages in the store, with the indexes that serve every
//! list the UI shows: view entries ordered by last activity, counters per view and status, and
//! timers ordered by due time. All of them change in the same transaction as the conversation.

use crate::catalogue::Tree;
use crate::codec::{decode, encode};
use crate::keys;
use crate::tx::{Tx, TxError};
use crate::{Result, Store};
use frontdesk_domain::canned::CannedResponse;
use frontdesk_domain::conversation::Status;
use frontdesk_domain::inbox::{Contact, Conversation, Inbox, Message, Team};
use frontdesk_domain::label::LabelDefinition;
use frontdesk_domain::routing::AgentRouting;
use frontdesk_domain::view::View;
use frontdesk_domain::{EventKind, Id, Timestamp};

type TxResult<T, E> = std::result::Result<T, TxError<E>>;

/// What a timer does when it falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimerKind {
    /// Wake a snoozed conversation.
    Wake = 1,
    /// Close a solved conversation.
    Close = 2,
}

/// A timer as stored: its due time and what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timer {
    pub due: Timestamp,
    pub conversation: Id,
    pub kind: TimerKind,
}

/// `None` in a view key lists every status.
pub type StatusFilter = Option<Status>;

/// Where a page of a view starts: after this conversation, which had this last activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewCursor {
    pub last_activity: Timestamp,
    pub conversation: Id,
}

impl ViewCursor {
    /// The cursor for the page that follows `c`.
    pub fn after(c: &Conversation) -> ViewCursor {
        ViewCursor { last_activity: c.last_activity_at, conversation: c.id }
    }
}

fn timers_of(c: &Conversation) -> Vec<Timer> {
    let mut t = Vec::new();
    if let Some(due) = c.wakes_at {
        t.push(Timer { due, conversation: c.id, kind: TimerKind::Wake });
    }
    if let Some(due) = c.closes_at {
        t.push(Timer { due, conversation: c.id, kind: TimerKind::Close });
    }
    t
}

/// The statuses a filter covers, each of which has its own view entries.
fn statuses(filter: StatusFilter) -> impl Iterator<Item = Status> {
    Status::ALL.into_iter().filter(move |s| filter.is_none_or(|f| f == *s))
}

/// Every (view, status filter) a conversation is counted under.
fn listings(c: &Conversation) -> Vec<(View, StatusFilter)> {
    View::of(c).into_iter().flat_map(|v| [(v.clone(), Some(c.status)), (v, None)]).collect()
}

/// The view entries a conversation has: one per view, under its status. "Any status" has no
/// entries of its own (it is read by merging the per-status ranges), which halves the entries
/// every new message moves.
fn entries_of(c: &Conversation) -> Vec<Vec<u8>> {
    View::of(c).iter().map(|v| keys::view_entry(v, Some(c.status), c.last_activity_at, c.id)).collect()
}

impl Tx<'_> {
    pub fn inbox<E>(&self, id: Id) -> TxResult<Option<Inbox>, E> {
        self.read(Tree::InboxidInbox, &keys::id(id))
    }

    /// Writes the inbox and keeps its website token findable.
    pub fn put_inbox<E>(&mut self, inbox: &Inbox) -> TxResult<(), E> {
        let token = &inbox.widget.website_token;
        if let Some(old) = self.inbox::<E>(inbox.id)? {
            if !old.widget.website_token.is_empty() && old.widget.website_token != *token {
                self.remove(Tree::WebsitetokenInboxid, old.widget.website_token.as_bytes());
            }
        }
        if !token.is_empty() {
            self.put(Tree::WebsitetokenInboxid, token.as_bytes(), keys::id(inbox.id).to_vec());
        }
        self.put(Tree::InboxidInbox, &keys::id(inbox.id), encode(inbox));
        Ok(())
    }

    pub fn team<E>(&self, id: Id) -> TxResult<Option<Team>, E> {
        self.read(Tree::TeamidTeam, &keys::id(id))
    }

    /// Drops a timer its conversation no longer explains (a record written by an older rule);
    /// the scheduler calls it so such a timer cannot fall due forever.
    pub fn drop_timer(&mut self, timer: &Timer) {
        self.remove(Tree::DueConversationKind, &keys::timer(timer));
    }

    /// The ids listed in a view as this command sees it (the store, then the batch's and the
    /// command's own writes), status by status. Scans the view's keys and the pending writes:
    /// for admin actions, not for every message.
    pub fn view_members<E>(&self, view: &View, status: StatusFilter) -> TxResult<Vec<Id>, E> {
        let tree = Tree::ViewStatusRecencyConversationid;
        let mut out = Vec::new();
        for prefix in statuses(status).map(|s| keys::view(view, Some(s))) {
            let mut present = std::collections::BTreeSet::new();
            for k in self.tree_keys(tree, &prefix) {
                present.insert(k?);
            }
            for ((t, k), v) in self.pending() {
                if t == tree && k.starts_with(&prefix) {
                    match v {
                        Some(_) => present.insert(k.clone()),
                        None => present.remove(k),
                    };
                }
            }
            out.extend(present.iter().filter_map(|k| keys::view_entry_conversation(k)));
        }
        Ok(out)
    }

    /// An agent's routing profile, if one was ever written.
    pub fn agent_routing<E>(&self, agent: Id) -> TxResult<Option<AgentRouting>, E> {
        self.read(Tree::AgentidRouting, &keys::id(agent))
    }

    pub fn put_agent_routing<E>(&mut self, agent: Id, profile: &AgentRouting) -> TxResult<(), E> {
        self.put(Tree::AgentidRouting, &keys::id(agent), encode(profile));
        Ok(())
    }

    pub fn put_team<E>(&mut self, team: &Team) -> TxResult<(), E> {
        self.put(Tree::TeamidTeam, &keys::id(team.id), encode(team));
        Ok(())
    }

    pub fn canned_response<E>(&self, id: Id) -> TxResult<Option<CannedResponse>, E> {
        self.read(Tree::CannedidCanned, &keys::id(id))
    }

    /// The canned response holding `short_code`, if any.
    pub fn canned_id_by_code<E>(&self, short_code: &str) -> TxResult<Option<Id>, E> {
        Ok(self.raw_get(Tree::ShortcodeCannedid, short_code.as_bytes())?.and_then(|v| keys::parse_id(&v)))
    }

    pub fn put_label_definitions<E>(&mut self, labels: &[LabelDefinition]) -> TxResult<(), E> {
        self.put(Tree::Meta, keys::meta::LABELS, encode(&labels));
        Ok(())
    }

    /// Writes a canned response and keeps its short code's entry (the old code's is dropped).
    pub fn put_canned_response<E>(&mut self, canned: &CannedResponse) -> TxResult<(), E> {
        if let Some(old) = self.canned_response::<E>(canned.id)? {
            if old.short_code != canned.short_code {
                self.remove(Tree::ShortcodeCannedid, old.short_code.as_bytes());
            }
        }
        self.put(Tree::ShortcodeCannedid, canned.short_code.as_bytes(), keys::id(canned.id).to_vec());
        self.put(Tree::CannedidCanned, &keys::id(canned.id), encode(canned));
        Ok(())
    }

    pub fn delete_canned_response<E>(&mut self, canned: &CannedResponse) -> TxResult<(), E> {
        self.remove(Tree::ShortcodeCannedid, canned.short_code.as_bytes());
        self.remove(Tree::CannedidCanned, &keys::id(canned.id));
        Ok(())
    }

    pub fn contact<E>(&self, id: Id) -> TxResult<Option<Contact>, E> {
        self.read(Tree::ContactidContact, &keys::id(id))
    }

    pub fn contact_by_email<E>(&self, email: &str) -> TxResult<Option<Contact>, E> {
        self.contact_via(Tree::EmailContactid, email)
    }

    pub fn contact_by_identifier<E>(&self, identifier: &str) -> TxResult<Option<Contact>, E> {
        self.contact_via(Tree::IdentifierContactid, identifier)
    }

    fn contact_via<E>(&self, index: Tree, key: &str) -> TxResult<Option<Contact>, E> {
        match self.raw_get(index, key.as_bytes())?.and_then(|v| keys::parse_id(&v)) {
            Some(id) => self.contact(id),
            None => Ok(None),
        }
    }

    /// Writes the contact and its email and identifier indexes. Only a verified email is
    /// indexed: one a widget visitor typed is kept on their contact for display, and nothing
    /// can find (and join) that contact by it. An entry written before emails were verified
    /// goes when its contact is next written unverified, and a verified email takes the entry
    /// over from a contact whose email is not verified; otherwise an entry belongs to the first
    /// contact that gave the value.
    pub fn put_contact<E>(&mut self, contact: &Contact) -> TxResult<(), E> {
        let key = keys::id(contact.id);
        let old = self.contact::<E>(contact.id)?;
        let email = contact.email.as_ref().filter(|_| contact.email_verified);
        for (index, was, is) in [
            (Tree::EmailContactid, old.as_ref().and_then(|o| o.email.clone()), email),
            (Tree::IdentifierContactid, old.as_ref().and_then(|o| o.identifier.clone()), contact.identifier.as_ref()),
        ] {
            if let Some(was) = was.filter(|w| Some(w) != is) {
                if self.raw_get(index, was.as_bytes())?.as_deref() == Some(&key[..]) {
                    self.remove(index, was.as_bytes());
                }
            }
            let Some(is) = is else { continue };
            let holder = self.raw_get(index, is.as_bytes())?.and_then(|v| keys::parse_id(&v));
            let take = match holder {
                None => true,
                Some(id) if id == contact.id => false,
                Some(id) => index == Tree::EmailContactid && !self.contact::<E>(id)?.is_some_and(|h| h.email_verified),
            };
            if take {
                self.put(index, is.as_bytes(), key.to_vec());
            }
        }
        self.put(Tree::ContactidContact, &key, encode(contact));
        if old.is_some_and(|o| o != *contact) {
            // Search finds conversations by their contact: it must hear of the change.
            self.record(None, EventKind::ContactUpdated { contact: contact.id })?;
        }
        Ok(())
    }

    pub fn conversation<E>(&self, id: Id) -> TxResult<Option<Conversation>, E> {
        self.read(Tree::ConversationidConversation, &keys::id(id))
    }

    pub fn conversation_by_number<E>(&self, number: u64) -> TxResult<Option<Conversation>, E> {
        match self.raw_get(Tree::NumberConversationid, &number.to_be_bytes())?.and_then(|v| keys::parse_id(&v)) {
            Some(id) => self.conversation(id),
            None => Ok(None),
        }
    }

    /// The contact's latest conversation in the inbox, if any.
    pub fn latest_conversation<E>(&self, contact: Id, inbox: Id) -> TxResult<Option<Conversation>, E> {
        match self
            .raw_get(Tree::ContactinboxConversationid, &keys::pair(contact, inbox))?
            .and_then(|v| keys::parse_id(&v))
        {
            Some(id) => self.conversation(id),
            None => Ok(None),
        }
    }

    /// The next short number ("#1042"), counting from 1.
    pub fn next_conversation_number<E>(&mut self) -> TxResult<u64, E> {
        let next = self.counter::<E>(Tree::Meta, keys::meta::CONVERSATION_NUMBER)? + 1;
        self.put(Tree::Meta, keys::meta::CONVERSATION_NUMBER, next.to_be_bytes().to_vec());
        Ok(next)
    }

    /// Writes the conversation and moves its view entries, counters and timers to match. Only
    /// what changed is written: an automatic close leaves the status-free entries, the counters
    /// of unchanged listings and untouched timers alone (each sled write costs a leaf visit).
    pub fn put_conversation<E>(&mut self, c: &Conversation) -> TxResult<(), E> {
        let old = self.conversation::<E>(c.id)?;
        let (was_listed, old_entries, was_timed) = match &old {
            Some(old) => (listings(old), entries_of(old), timers_of(old)),
            None => {
                self.put(Tree::NumberConversationid, &c.number.to_be_bytes(), keys::id(c.id).to_vec());
                self.put(Tree::ContactidConversationid, &keys::pair(c.contact, c.id), Vec::new());
                self.put(Tree::ContactinboxConversationid, &keys::pair(c.contact, c.inbox), keys::id(c.id).to_vec());
                (Vec::new(), Vec::new(), Vec::new())
            }
        };
        let (is_listed, new_entries, is_timed) = (listings(c), entries_of(c), timers_of(c));
        for entry in old_entries.iter().filter(|e| !new_entries.contains(e)) {
            self.remove(Tree::ViewStatusRecencyConversationid, entry);
        }
        for entry in new_entries.iter().filter(|e| !old_entries.contains(e)) {
            self.put(Tree::ViewStatusRecencyConversationid, entry, Vec::new());
        }
        for listing in was_listed.iter().filter(|l| !is_listed.contains(l)) {
            self.add_to_count::<E>(&listing.0, listing.1, -1)?;
        }
        for listing in is_listed.iter().filter(|l| !was_listed.contains(l)) {
            self.add_to_count::<E>(&listing.0, listing.1, 1)?;
        }
        for t in was_timed.iter().filter(|t| !is_timed.contains(t)) {
            self.remove(Tree::DueConversationKind, &keys::timer(t));
        }
        for t in is_timed.iter().filter(|t| !was_timed.contains(t)) {
            self.put(Tree::DueConversationKind, &keys::timer(t), Vec::new());
        }
        self.put(Tree::ConversationidConversation, &keys::id(c.id), encode(c));
        Ok(())
    }

    pub fn message<E>(&self, conversation: Id, seq: u64) -> TxResult<Option<Message>, E> {
        self.read(Tree::ConversationidSeqMessage, &keys::message(conversation, seq))
    }

    pub fn put_message<E>(&mut self, m: &Message) -> TxResult<(), E> {
        self.put(Tree::ConversationidSeqMessage, &keys::message(m.conversation, m.seq), encode(m));
        Ok(())
    }

    fn counter<E>(&self, tree: Tree, key: &[u8]) -> TxResult<u64, E> {
        Ok(self.raw_get(tree, key)?.map_or(0, |v| keys::count_value(&v)))
    }

    fn add_to_count<E>(&mut self, view: &View, status: StatusFilter, delta: i64) -> TxResult<(), E> {
        let key = keys::view(view, status);
        let n = self.counter::<E>(Tree::ViewStatusCount, &key)?.saturating_add_signed(delta);
        if n == 0 {
            self.remove(Tree::ViewStatusCount, &key);
        } else {
            self.put(Tree::ViewStatusCount, &key, n.to_be_bytes().to_vec());
        }
        Ok(())
    }
}

impl Store {
    pub fn inbox(&self, id: Id) -> Result<Option<Inbox>> {
        self.get_decoded(Tree::InboxidInbox, &keys::id(id))
    }

    pub fn inboxes(&self) -> Result<Vec<Inbox>> {
        self.tree(Tree::InboxidInbox).iter().map(|kv| decode(Tree::InboxidInbox.name(), &kv?.1)).collect()
    }

    /// The desk's label definitions, by name (none until an admin defines some).
    pub fn label_definitions(&self) -> Result<Vec<LabelDefinition>> {
        Ok(self.get_decoded(Tree::Meta, keys::meta::LABELS)?.unwrap_or_default())
    }

    /// Every canned response, by short code (the short-code index is in that order).
    pub fn canned_responses(&self) -> Result<Vec<CannedResponse>> {
        let mut out = Vec::new();
        for kv in self.tree(Tree::ShortcodeCannedid).iter() {
            let (_, id) = kv?;
            let Some(id) = keys::parse_id(&id) else { continue };
            if let Some(v) = self.tree(Tree::CannedidCanned).get(keys::id(id))? {
                out.push(decode(Tree::CannedidCanned.name(), &v)?);
            }
        }
        Ok(out)
    }

    pub fn teams(&self) -> Result<Vec<Team>> {
        self.tree(Tree::TeamidTeam).iter().map(|kv| decode(Tree::TeamidTeam.name(), &kv?.1)).collect()
    }

    /// Every agent's routing profile that was ever written.
    pub fn agent_routings(&self) -> Result<Vec<(Id, AgentRouting)>> {
        let mut out = Vec::new();
        for kv in self.tree(Tree::AgentidRouting).iter() {
            let (k, v) = kv?;
            if let Some(id) = keys::parse_id(&k) {
                out.push((id, decode(Tree::AgentidRouting.name(), &v)?));
            }
        }
        Ok(out)
    }

    /// The ids listed in a view, read from its index keys alone (no record is read), status by
    /// status.
    pub fn view_members(&self, view: &View, status: StatusFilter) -> Result<Vec<Id>> {
        let mut out = Vec::new();
        for prefix in statuses(status).map(|s| keys::view(view, Some(s))) {
            for k in self.tree(Tree::ViewStatusRecencyConversationid).scan_prefix(&prefix).keys() {
                if let Some(id) = keys::view_entry_conversation(&k?) {
                    out.push(id);
                }
            }
        }
        Ok(out)
    }

    pub fn contact(&self, id: Id) -> Result<Option<Contact>> {
        self.get_decoded(Tree::ContactidContact, &keys::id(id))
    }

    pub fn conversation(&self, id: Id) -> Result<Option<Conversation>> {
        self.get_decoded(Tree::ConversationidConversation, &keys::id(id))
    }

    pub fn conversation_by_number(&self, number: u64) -> Result<Option<Conversation>> {
        match self.tree(Tree::NumberConversationid).get(number.to_be_bytes())?.and_then(|v| keys::parse_id(&v)) {
            Some(id) => self.conversation(id),
            None => Ok(None),
        }
    }

    /// One page of all conversations in id order, after `after`: how a rebuild walks them.
    pub fn conversations_after(&self, after: Option<Id>, limit: usize) -> Result<Vec<Conversation>> {
        let start = match after {
            Some(id) => std::ops::Bound::Excluded(keys::id(id)),
            None => std::ops::Bound::Unbounded,
        };
        let tree = Tree::ConversationidConversation;
        self.tree(tree)
            .range((start, std::ops::Bound::Unbounded))
            .take(limit)
            .map(|kv| decode(tree.name(), &kv?.1))
            .collect()
    }

    /// How many conversations there are (numbers are handed out one by one from 1).
    pub fn conversation_total(&self) -> Result<u64> {
        Ok(self
            .tree(Tree::NumberConversationid)
            .last()?
            .and_then(|(k, _)| k.as_ref().try_into().ok())
            .map_or(0, u64::from_be_bytes))
    }

    /// A contact's conversations, oldest first.
    pub fn contact_conversations(&self, contact: Id) -> Result<Vec<Conversation>> {
        let mut out = Vec::new();
        for kv in self.tree(Tree::ContactidConversationid).scan_prefix(keys::id(contact)) {
            let (k, _) = kv?;
            if let Some(c) = keys::parse_id(&k[8..]).map(|id| self.conversation(id)).transpose()?.flatten() {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// A page of a view, most recent activity first, after `cursor`. "Any status" merges the
    /// view's per-status ranges, reading at most one entry per status more than it returns.
    pub fn conversations(
        &self,
        view: &View,
        status: StatusFilter,
        cursor: Option<ViewCursor>,
        limit: usize,
    ) -> Result<Vec<Conversation>> {
        let mut ranges: Vec<_> = statuses(status).map(|s| self.view_range(view, s, cursor).peekable()).collect();
        let mut out = Vec::with_capacity(limit);
        while out.len() < limit {
            // The next entry is the smallest order (inverted recency, inverted id): the most
            // recent. A read error (`None`) sorts first, so it is returned rather than skipped.
            let next = ranges
                .iter_mut()
                .enumerate()
                .filter_map(|(i, range)| Some((range.peek()?.as_ref().ok().map(|(order, _)| *order), i)))
                .min();
            let Some((_, i)) = next else { break };
            let Some(entry) = ranges[i].next() else { break };
            let (_, id) = entry?;
            if let Some(c) = self.conversation(id)? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// One status's entries of a view after `cursor`, as (order within the view, conversation).
    fn view_range(
        &self,
        view: &View,
        status: Status,
        cursor: Option<ViewCursor>,
    ) -> impl Iterator<Item = Result<([u8; 16], Id)>> {
        let prefix = keys::view(view, Some(status));
        let start = match cursor {
            Some(c) => {
                let mut k = keys::view_entry(view, Some(status), c.last_activity, c.conversation);
                k.push(0); // just after the cursor's own entry
                k
            }
            None => prefix.clone(),
        };
        self.tree(Tree::ViewStatusRecencyConversationid)
            .range(start..)
            .keys()
            .take_while(move |k| k.as_ref().map_or(true, |k| k.starts_with(&prefix)))
            .filter_map(move |k| match k {
                Err(e) => Some(Err(e.into())),
                Ok(k) => {
                    let order: [u8; 16] = k.get(k.len().checked_sub(16)?..)?.try_into().ok()?;
                    Some(Ok((order, keys::view_entry_conversation(&k)?)))
                }
            })
    }

    /// How many conversations a view holds, read from its counter.
    pub fn count(&self, view: &View, status: StatusFilter) -> Result<u64> {
        let v = self.tree(Tree::ViewStatusCount).get(keys::view(view, status))?;
        Ok(v.map_or(0, |v| keys::count_value(&v)))
    }

    /// Messages of a conversation after `after_seq`, oldest first.
    pub fn messages(&self, conversation: Id, after_seq: u64, limit: usize) -> Result<Vec<Message>> {
        let start = keys::message(conversation, after_seq.saturating_add(1));
        let end = keys::message(conversation, u64::MAX);
        self.tree(Tree::ConversationidSeqMessage)
            .range(start..=end)
            .take(limit)
            .map(|kv| decode(Tree::ConversationidSeqMessage.name(), &kv?.1))
            .collect()
    }

    /// Messages of a conversation before `before_seq`, newest first.
    pub fn messages_before(&self, conversation: Id, before_seq: u64, limit: usize) -> Result<Vec<Message>> {
        if before_seq <= 1 {
            return Ok(Vec::new());
        }
        let start = keys::message(conversation, 1);
        let end = keys::message(conversation, before_seq - 1);
        self.tree(Tree::ConversationidSeqMessage)
            .range(start..=end)
            .rev()
            .take(limit)
            .map(|kv| decode(Tree::ConversationidSeqMessage.name(), &kv?.1))
            .collect()
    }

    /// Timers due at or before `now`, earliest first.
    pub fn due_timers(&self, now: Timestamp, limit: usize) -> Result<Vec<Timer>> {
        let end = keys::timer(&Timer { due: now, conversation: Id(u64::MAX), kind: TimerKind::Close });
        self.tree(Tree::DueConversationKind)
            .range(..=end)
            .take(limit)
            .filter_map(|kv| kv.map(|(k, _)| keys::parse_timer(&k)).map_err(Into::into).transpose())
            .collect()
    }

    /// When the next timer falls due.
    pub fn next_timer(&self) -> Result<Option<Timer>> {
        Ok(self.tree(Tree::DueConversationKind).first()?.and_then(|(k, _)| keys::parse_timer(&k)))
    }

    /// Compares every index with the records (a full scan: for tests and repair, never for serving).
    pub fn check_indexes(&self) -> Result<Vec<String>> {
        use std::collections::{BTreeMap, BTreeSet};
        let mut want_entries = BTreeSet::new();
        let mut want_counts: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        let mut want_timers = BTreeSet::new();
        for kv in self.tree(Tree::ConversationidConversation).iter() {
            let c: Conversation = decode(Tree::ConversationidConversation.name(), &kv?.1)?;
            want_entries.extend(entries_of(&c));
            for (view, status) in listings(&c) {
                *want_counts.entry(keys::view(&view, status)).or_default() += 1;
            }
            want_timers.extend(timers_of(&c).iter().map(|t| keys::timer(t).to_vec()));
        }
        let mut problems = Vec::new();
        let have_entries = self.key_set(Tree::ViewStatusRecencyConversationid)?;
        if have_entries != want_entries {
            problems.push(format!("view entries: {} stored, {} expected", have_entries.len(), want_entries.len()));
        }
        let mut have_counts = BTreeMap::new();
        for kv in self.tree(Tree::ViewStatusCount).iter() {
            let (k, v) = kv?;
            have_counts.insert(k.to_vec(), keys::count_value(&v));
        }
        if have_counts != want_counts {
            problems.push(format!(
                "view counters differ: {} stored, {} expected",
                have_counts.len(),
                want_counts.len()
            ));
        }
        let have_timers = self.key_set(Tree::DueConversationKind)?;
        if have_timers != want_timers {
            problems.push(format!("timers: {} stored, {} expected", have_timers.len(), want_timers.len()));
        }
        problems.extend(self.check_outbox()?);
        Ok(problems)
    }
}
