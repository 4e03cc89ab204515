//! Routes the desk's events and agents' typing signals to the open visitor streams by contact.
//! One task reads the desk's broadcasts and hands each item only to the streams of the
//! conversation's customer: with every visitor socket subscribed to the broadcasts itself, each
//! event woke all of them (a thousand open chats turned 2,000 messages a second into millions
//! of wake-ups).

use frontdesk_domain::event::Typing;
use frontdesk_domain::{Event, EventKind, Id};
use frontdesk_engine::Desk;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

/// Events a visitor stream may fall behind by before it is told to resync.
const QUEUE: usize = 256;
/// Conversations whose customer is remembered; beyond this the memory starts again.
const KNOWN_CONVERSATIONS: usize = 100_000;

/// What a visitor stream receives.
#[derive(Debug, Clone)]
pub enum ForVisitor {
    /// Shared: each stream's queue holds a pointer, not a copy (a queue's first block has room
    /// for 32 items, made when the stream opens, so the item's size is paid per open chat).
    Event(Arc<Event>),
    /// An agent typing a reply (never a private note) in one of the customer's conversations.
    Typing(Typing),
    /// Events were dropped (the stream, or the hub, fell behind): read the state again.
    Resync,
}

struct Stream {
    id: u64,
    tx: mpsc::Sender<ForVisitor>,
    /// Set when an event could not be queued: the stream resyncs at its next read.
    lagged: Arc<AtomicBool>,
}

impl Stream {
    fn give(&self, item: ForVisitor) {
        if self.tx.try_send(item).is_err() {
            self.lagged.store(true, Ordering::Release);
        }
    }
}

#[derive(Default)]
struct Routes {
    streams: HashMap<Id, Vec<Stream>>,
    /// Conversation → its contact (it never changes), read once from the store.
    customers: HashMap<Id, Id>,
    next: u64,
    started: bool,
}

#[derive(Clone, Default)]
pub struct VisitorHub {
    routes: Arc<Mutex<Routes>>,
}

/// An open visitor stream's place in the hub; dropping it leaves.
pub struct Listening {
    hub: VisitorHub,
    contact: Id,
    id: u64,
    events: mpsc::Receiver<ForVisitor>,
    lagged: Arc<AtomicBool>,
}

impl Listening {
    /// The next thing to send: an event of the customer's, or a resync after a loss.
    pub async fn next(&mut self) -> Option<ForVisitor> {
        let item = self.events.recv().await?;
        if self.lagged.swap(false, Ordering::AcqRel) {
            return Some(ForVisitor::Resync);
        }
        Some(item)
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        let mut routes = self.hub.lock();
        if let Some(list) = routes.streams.get_mut(&self.contact) {
            list.retain(|s| s.id != self.id);
            if list.is_empty() {
                routes.streams.remove(&self.contact);
            }
        }
    }
}

impl VisitorHub {
    fn lock(&self) -> MutexGuard<'_, Routes> {
        self.routes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts receiving the events of `contact`'s conversations from now on. Call it before
    /// reading what the visitor already has, so nothing in between is missed.
    pub fn listen(&self, desk: &Desk, contact: Id) -> Listening {
        let (tx, rx) = mpsc::channel(QUEUE);
        let lagged = Arc::new(AtomicBool::new(false));
        let mut routes = self.lock();
        if !routes.started {
            routes.started = true;
            tokio::spawn(dispatch(self.clone(), desk.clone(), desk.subscribe(), desk.subscribe_typing()));
        }
        routes.next += 1;
        let id = routes.next;
        routes.streams.entry(contact).or_default().push(Stream { id, tx, lagged: lagged.clone() });
        Listening { hub: self.clone(), contact, id, events: rx, lagged }
    }

    fn deliver(&self, desk: &Desk, event: &Event) {
        let Some(conversation) = conversation_of(&event.kind) else { return };
        let created_for = match event.kind {
            EventKind::ConversationCreated { contact, .. } => Some(contact),
            _ => None,
        };
        self.give(desk, conversation, created_for, ForVisitor::Event(Arc::new(event.clone())));
    }

    fn deliver_typing(&self, desk: &Desk, typing: Typing) {
        // The customer's own typing is for agents; a private note's never reaches the customer.
        if typing.agent.is_some() && !typing.private {
            self.give(desk, typing.conversation, None, ForVisitor::Typing(typing));
        }
    }

    /// Gives `item` to the streams of `conversation`'s customer (`known`, if the item says).
    fn give(&self, desk: &Desk, conversation: Id, known: Option<Id>, item: ForVisitor) {
        let mut routes = self.lock();
        if routes.streams.is_empty() {
            return;
        }
        let contact = match (known, routes.customers.get(&conversation)) {
            (Some(contact), _) | (None, Some(&contact)) => Some(contact),
            // Read under the lock, once per conversation: a store read is microseconds.
            (None, None) => desk.conversation(conversation).ok().map(|c| c.contact),
        };
        let Some(contact) = contact else { return };
        if routes.customers.len() >= KNOWN_CONVERSATIONS {
            routes.customers.clear();
        }
        routes.customers.insert(conversation, contact);
        for stream in routes.streams.get(&contact).into_iter().flatten() {
            stream.give(item.clone());
        }
    }

    fn resync_all(&self) {
        for stream in self.lock().streams.values().flatten() {
            stream.give(ForVisitor::Resync);
        }
    }
}

async fn dispatch(
    hub: VisitorHub,
    desk: Desk,
    mut live: tokio::sync::broadcast::Receiver<Event>,
    mut typing: tokio::sync::broadcast::Receiver<Typing>,
) {
    loop {
        tokio::select! {
            event = live.recv() => match event {
                Ok(event) => hub.deliver(&desk, &event),
                Err(RecvError::Lagged(_)) => hub.resync_all(),
                Err(RecvError::Closed) => return,
            },
            signal = typing.recv() => match signal {
                Ok(signal) => hub.deliver_typing(&desk, signal),
                // A lost typing signal only hides an indicator for a few seconds.
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
        }
    }
}

/// The conversation an event is about, for the events a customer may be shown.
fn conversation_of(kind: &EventKind) -> Option<Id> {
    match kind {
        EventKind::ConversationCreated { conversation, .. }
        | EventKind::MessageCreated { conversation, private: false, .. }
        | EventKind::MessageDeleted { conversation, .. }
        | EventKind::StatusChanged { conversation, .. }
        | EventKind::ConversationUpdated { conversation }
        | EventKind::ConversationSeen { conversation, by_contact: false, .. } => Some(*conversation),
        _ => None,
    }
}
