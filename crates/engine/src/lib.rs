//! Frontdesk's engine: every use case (one call, one store transaction), the event bus that
//! publishes after commit, and the clock. The HTTP server and the desktop shell both call this
//! API and nothing below it.

mod accounts;
mod attachments;
mod backups;
mod canned;
mod clock;
mod conversations;
mod error;
mod labels;
mod network;
mod notifications;
mod outbox;
mod presence;
mod routing;
mod scheduler;
mod search;
mod secrets;
mod stream_tickets;
mod widget;

pub use accounts::{Invitation, InvitationInfo, LoginOutcome, SetupStatus};
pub use backups::{BackupFile, BackupOutcome, BackupStatus, RunningBackup};
pub use clock::{ManualClock, ShiftedClock, SystemClock};
pub use conversations::{ContactRef, Posted, StatusRequest};
pub use error::EngineError;
pub use frontdesk_store::backup::{
    restore as restore_backup, verify as verify_backup, BackupSummary, Progress as BackupProgress,
};
pub use frontdesk_store::{holder as data_folder_holder, Holder, StoreConfig, StoreError};
pub use frontdesk_store::{StatusFilter, Timer, TimerKind, ViewCursor};
pub use network::NetworkStatus;
pub use outbox::{TestEmailOutcome, TestEmailRequest, TranscriptRequest};
pub use presence::OnlineVisitor;
pub use routing::{AgentLoad, AssignRequest, AvailabilityRequest, RoutingOverview, Waiting};
pub use search::{Rebuilding, SearchHit, SearchRequest, SearchResults, SearchSnippet, SnippetPart, COMMIT_INTERVAL};
pub use stream_tickets::{StreamSession, StreamTicket, STREAM_TICKET_TTL};
pub use widget::{
    ContinueRequest, CsatRequest, Visitor, VisitorContact, VisitorConversation, VisitorDetails, VisitorIdentity,
    VisitorMessage, VisitorPosted, VisitorSession, VisitorTranscriptRequest,
};

use frontdesk_domain::{Clock, Event, Id, LoginThrottle, Timestamp};
use frontdesk_store::{Committed, Store, Tx, TxError};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// The longest a background task (scheduler, outbox) sleeps before looking at the clock again.
const MAX_SLEEP: std::time::Duration = std::time::Duration::from_secs(30);

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// The running host desk: its store, clock and event bus. Cheap to clone.
#[derive(Clone)]
pub struct Desk {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<Event>,
    /// Who is typing where; never stored.
    typing: broadcast::Sender<frontdesk_domain::event::Typing>,
    /// Which agent has which conversation open; never stored.
    viewing: broadcast::Sender<frontdesk_domain::event::Viewing>,
    /// Failed logins per email address and per client address; lost on restart on purpose.
    throttles: Mutex<HashMap<String, LoginThrottle>>,
    /// Tickets issued for opening the event stream and not yet used; lost on restart on purpose.
    stream_tickets: stream_tickets::StreamTickets,
    /// Wakes the scheduler after a command that may have set a timer.
    timers_changed: tokio::sync::Notify,
    /// Wakes the outbox worker after a command queued an email.
    outbox_changed: tokio::sync::Notify,
    /// Changed only inside commands, on the committer thread (see `routing`).
    router: Arc<Mutex<frontdesk_domain::routing::Router>>,
    /// Open widget streams per contact: a customer with none has left the chat. Never stored.
    online: presence::OnlineContacts,
    /// Recent widget writes per IP address and per contact; lost on restart on purpose.
    widget_hits: Mutex<HashMap<widget::WidgetSender, frontdesk_domain::widget::RecentHits>>,
    /// Whether those limits apply (off only for load tests).
    widget_limits: std::sync::atomic::AtomicBool,
    /// The full-text index and its indexer's state.
    search: search::SearchState,
    /// The backup being written, the last one's outcome, the schedule's wake-up.
    backups: backups::Backups,
    /// How colleagues reach the desk (see `network`).
    network: Mutex<network::NetworkStatus>,
}

impl Desk {
    /// Opens the desk on the store in `data_dir`, migrating it if it is older.
    pub fn open(
        data_dir: &Path,
        store_config: &StoreConfig,
        clock: Arc<dyn Clock>,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Desk> {
        let store = Store::open_with(data_dir, store_config, frontdesk_store::MIGRATIONS, progress)
            .map_err(EngineError::Store)?;
        Self::build(store, clock, search::SearchState::in_dir(data_dir.join("search")))
    }

    /// The desk on an open store, without a search index; routing is rebuilt from it.
    pub fn with_store(store: Store, clock: Arc<dyn Clock>) -> Result<Desk> {
        Self::build(store, clock, search::SearchState::default())
    }

    /// The desk on an open store with its search index in `search_dir` (kept apart from the
    /// store's folder by benchmarks).
    pub fn with_store_and_search(store: Store, clock: Arc<dyn Clock>, search_dir: &Path) -> Result<Desk> {
        Self::build(store, clock, search::SearchState::in_dir(search_dir.to_path_buf()))
    }

    fn build(store: Store, clock: Arc<dyn Clock>, search: search::SearchState) -> Result<Desk> {
        let (events, _) = broadcast::channel(1024);
        let (typing, _) = broadcast::channel(256);
        let (viewing, _) = broadcast::channel(256);
        let timers_changed = tokio::sync::Notify::new();
        let router = Arc::new(Mutex::new(routing::rebuild(&store)?));
        Ok(Desk {
            inner: Arc::new(Inner {
                store,
                clock,
                events,
                typing,
                viewing,
                throttles: Mutex::default(),
                stream_tickets: Default::default(),
                timers_changed,
                outbox_changed: tokio::sync::Notify::new(),
                router,
                online: presence::OnlineContacts::default(),
                widget_hits: Mutex::default(),
                widget_limits: std::sync::atomic::AtomicBool::new(true),
                search,
                backups: backups::Backups::default(),
                network: Mutex::default(),
            }),
        })
    }

    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Live events, each published once its write is durable. A subscriber that falls behind
    /// catches up with `events_after`.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    /// Events after `after` (exclusive), oldest first; how a client catches up after a gap.
    pub fn events_after(&self, after: Option<Id>, limit: usize) -> Result<Vec<Event>> {
        Ok(self.inner.store.events_after(after, limit.clamp(1, 1000))?)
    }

    /// The newest committed event's id: a client that subscribed just before reading it misses
    /// nothing after it.
    pub fn last_event_id(&self) -> Result<Option<Id>> {
        Ok(self.inner.store.last_event_id()?)
    }

    /// Writes into the data folder's lock file where this process's control socket is, so a
    /// second start on the folder can reach it.
    pub fn announce_control_socket(&self, socket: &Path) -> Result<()> {
        let holder = Holder { control_socket: Some(socket.to_path_buf()), ..Holder::this_process() };
        Ok(self.inner.store.describe_holder(&holder)?)
    }

    /// Flushes the store; for a clean shutdown.
    pub fn flush(&self) -> Result<()> {
        Ok(self.inner.store.flush()?)
    }

    /// Runs one command as one durable transaction, then publishes its events.
    async fn command<T: Send + 'static>(
        &self,
        command: impl Fn(&mut Tx<'_>) -> Result<T, TxError<EngineError>> + Send + 'static,
    ) -> Result<T> {
        let Committed { value, events } = match self.inner.store.write(self.now(), command).await {
            Ok(committed) => committed,
            Err(TxError::Abort(e)) => return Err(e),
            Err(TxError::Store(e)) => {
                // The batch ran (and changed the router) but is not on disk: go back to the store.
                self.rebuild_routing();
                return Err(EngineError::Store(e));
            }
        };
        if !events.is_empty() {
            self.inner.search.wake();
        }
        let mut timers_may_have_changed = false;
        let mut email_queued = false;
        for event in events {
            timers_may_have_changed |= matches!(event.kind, frontdesk_domain::EventKind::StatusChanged { .. });
            email_queued |= matches!(
                event.kind,
                frontdesk_domain::EventKind::EmailUpdated { state: frontdesk_domain::email::EmailState::Queued, .. }
            );
            // No subscriber is fine: nobody is listening yet.
            let _ = self.inner.events.send(event);
        }
        if timers_may_have_changed {
            self.inner.timers_changed.notify_one();
        }
        if email_queued {
            self.inner.outbox_changed.notify_one();
        }
        Ok(value)
    }

    /// How long until `at` by the desk's clock, at most `MAX_SLEEP` so a clock that
    /// jumps (suspend, NTP, the test clock) is noticed. The scheduler and the outbox use it.
    fn time_until(&self, at: Timestamp) -> std::time::Duration {
        std::time::Duration::from_millis(u64::try_from(at.0 - self.now().0).unwrap_or(0)).min(MAX_SLEEP)
    }

    fn store(&self) -> &Store {
        &self.inner.store
    }
}
