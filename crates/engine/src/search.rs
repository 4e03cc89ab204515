//! Search: the indexer that keeps the full-text index in step with the store's committed
//! events (catching up after a crash, rebuilding a missing index with progress), and the
//! agents' search. The store stays the source of truth; the index only says which
//! conversations match, and snippets are cut from the messages as the store holds them now.

use crate::{Desk, EngineError, Result};
use frontdesk_domain::conversation::Status;
use frontdesk_domain::inbox::{Contact, Conversation, MessageKind};
use frontdesk_domain::{EventKind, Id, Timestamp};
use frontdesk_search::{AssigneeFilter, Document, Filters, Language, Order, Request, SearchIndex, Snippets};
use frontdesk_store::Store;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// How long the indexer gathers changes before it commits them: a message is found by search
/// at most about this long (plus the commit) after it was acknowledged, unless the desk is
/// busy with more urgent work (the indexer runs at a lower priority, see `Background`).
pub const COMMIT_INTERVAL: Duration = Duration::from_millis(250);
/// Results a page holds when the client does not say.
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;
/// Events read from the store at a time while catching up.
const EVENT_PAGE: usize = 1000;
/// Conversations read at a time while rebuilding.
const REBUILD_PAGE: usize = 500;

/// The index and what the indexer is doing, shared by the desk's handles.
#[derive(Default)]
pub(crate) struct SearchState {
    /// Where the index lives; none for a desk without one (benchmarks on a bare store).
    dir: Option<PathBuf>,
    index: OnceLock<Arc<SearchIndex>>,
    rebuilding: Mutex<Option<Rebuilding>>,
    changed: tokio::sync::Notify,
}

impl SearchState {
    pub fn in_dir(dir: PathBuf) -> SearchState {
        SearchState { dir: Some(dir), ..Default::default() }
    }

    /// A command committed events: the indexer has work.
    pub fn wake(&self) {
        self.changed.notify_one();
    }
}

/// A rebuild in progress: conversations indexed so far, of how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Rebuilding {
    pub done: u64,
    pub total: u64,
}

/// What an agent searches for. Every filter given must hold.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// Words, "quoted phrases", `#1042`, part of an email.
    pub q: String,
    /// Any of these statuses (none: any).
    pub status: Vec<Status>,
    pub inbox: Option<Id>,
    /// An agent's id, or `none` for unassigned conversations.
    pub assignee: Option<String>,
    pub label: Option<String>,
    /// Active on or after this time.
    pub from: Option<Timestamp>,
    /// Started on or before this time.
    pub to: Option<Timestamp>,
    /// `newest` (the default) or `relevance`.
    pub order: Option<String>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

/// A page of search results.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct SearchResults {
    pub items: Vec<SearchHit>,
    /// How many conversations match in all.
    pub total: usize,
    pub next_cursor: Option<String>,
    /// Set while the index is being rebuilt: results are incomplete until it is done.
    pub rebuilding: Option<Rebuilding>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct SearchHit {
    pub conversation: Conversation,
    pub contact: Option<Contact>,
    /// The best matching message, with the matching words marked; none when the conversation
    /// matched by its contact or number.
    pub snippet: Option<SearchSnippet>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct SearchSnippet {
    pub seq: u64,
    pub kind: MessageKind,
    pub parts: Vec<SnippetPart>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct SnippetPart {
    pub text: String,
    /// One of the words searched for: shown highlighted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub hit: bool,
}

impl Desk {
    /// Keeps the search index in step with the store, for as long as the desk runs: opens it
    /// (rebuilding it if it is missing or unusable), catches up with what was committed while
    /// it was not running, then applies each new batch of events.
    pub async fn run_indexer(self) {
        let Some(dir) = self.inner.search.dir.clone() else { return };
        let background = match Background::start() {
            Ok(background) => background,
            Err(e) => return tracing::error!("search is off: starting its thread failed: {e}"),
        };
        let opened = background.run(move || SearchIndex::open(&dir)).await;
        let (index, fresh) = match opened {
            Ok(Ok(opened)) => opened,
            Ok(Err(e)) => return tracing::error!("search is off: {e}"),
            Err(e) => return tracing::error!("search is off: opening the index failed: {e}"),
        };
        let index = Arc::new(index);
        let _ = self.inner.search.index.set(index.clone());
        if fresh {
            let desk = self.clone();
            let index = index.clone();
            match background.run(move || desk.rebuild_index(&index)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::error!("rebuilding the search index failed: {e}"),
                Err(e) => tracing::error!("rebuilding the search index failed: {e}"),
            }
        }
        loop {
            let desk = self.clone();
            let index = index.clone();
            match background.run(move || catch_up(desk.store(), &index)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!("updating the search index failed (will retry): {e}"),
                Err(e) => tracing::error!("updating the search index failed (will retry): {e}"),
            }
            // Wait for a commit, then gather what follows it for a moment.
            let _ = tokio::time::timeout(crate::MAX_SLEEP, self.inner.search.changed.notified()).await;
            tokio::time::sleep(COMMIT_INTERVAL).await;
        }
    }

    /// Fills an empty index from every conversation in the store, reporting progress.
    fn rebuild_index(&self, index: &SearchIndex) -> Result<()> {
        let store = self.store();
        // Events after this one are applied afterwards; applying one twice does no harm.
        let through = store.durable_through();
        let total = store.conversation_total()?;
        let started = std::time::Instant::now();
        tracing::info!("building the search index from {total} conversations");
        self.set_rebuilding(Some(Rebuilding { done: 0, total }));
        index.clear().map_err(search_error)?;
        let mut after = None;
        let mut done = 0u64;
        loop {
            let page = store.conversations_after(after, REBUILD_PAGE)?;
            for c in &page {
                index.put(&document_of(store, c)?).map_err(search_error)?;
            }
            done += page.len() as u64;
            self.set_rebuilding(Some(Rebuilding { done, total: total.max(done) }));
            if done % 50_000 < REBUILD_PAGE as u64 && done >= 50_000 {
                tracing::info!("search index: {done} of {total} conversations");
            }
            match page.last() {
                Some(last) if page.len() == REBUILD_PAGE => after = Some(last.id),
                _ => break,
            }
        }
        index.commit(Some(through)).map_err(search_error)?;
        self.set_rebuilding(None);
        tracing::info!("search index built: {done} conversations in {:.1} s", started.elapsed().as_secs_f64());
        Ok(())
    }

    fn set_rebuilding(&self, progress: Option<Rebuilding>) {
        *self.inner.search.rebuilding.lock().unwrap_or_else(|p| p.into_inner()) = progress;
    }

    /// Conversations matching what an agent typed and the filters they chose, newest first
    /// (or best first), each with the best matching message's snippet.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let index = self
            .inner
            .search
            .index
            .get()
            .ok_or_else(|| EngineError::Unavailable("search is starting: try again in a moment".into()))?;
        let parsed = frontdesk_search::parse(&request.q);
        let offset = match request.cursor.as_deref() {
            None | Some("") => 0,
            Some(c) => c.parse().map_err(|_| invalid("cursor", "pass the next_cursor of the previous page"))?,
        };
        let limit = request.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let order = match request.order.as_deref() {
            None | Some("newest") => Order::Newest,
            Some("relevance") => Order::Relevance,
            Some(other) => return Err(invalid("order", format!("'{other}' is not one of newest, relevance"))),
        };
        let assignee = match request.assignee.as_deref() {
            None | Some("") => None,
            Some("none") => Some(AssigneeFilter::Unassigned),
            Some(id) => Some(AssigneeFilter::Agent(
                id.parse().map_err(|_| invalid("assignee", "give an agent's id, or none for unassigned"))?,
            )),
        };
        if let (Some(from), Some(to)) = (request.from, request.to) {
            if from > to {
                return Err(invalid("from", "the start of the date range is after its end"));
            }
        }
        let filters = Filters {
            statuses: request.status.clone(),
            inbox: request.inbox,
            assignee,
            label: request.label.clone().filter(|l| !l.is_empty()),
            from: request.from,
            to: request.to,
        };
        let hits =
            index.search(&Request { parsed: parsed.clone(), filters, order, offset, limit }).map_err(search_error)?;
        let mut items = Vec::with_capacity(hits.conversations.len());
        // One snippet maker per language met, reused for every hit in it.
        let mut snippets: Vec<(Language, Snippets)> = Vec::new();
        for id in &hits.conversations {
            // The index may trail the store by a moment: what is gone from the store is left out.
            let Some(conversation) = self.store().conversation(*id)? else { continue };
            let contact = self.store().contact(conversation.contact)?;
            let snippet = if parsed.is_empty() {
                None
            } else {
                let language = self.language_of(&conversation, contact.as_ref())?;
                let at = match snippets.iter().position(|(l, _)| *l == language) {
                    Some(at) => at,
                    None => {
                        snippets.push((language, Snippets::new(&parsed, language)));
                        snippets.len() - 1
                    }
                };
                self.best_snippet(&mut snippets[at].1, parsed.parts.len(), &conversation)?
            };
            items.push(SearchHit { conversation, contact, snippet });
        }
        let next = offset + hits.conversations.len();
        Ok(SearchResults {
            items,
            total: hits.total,
            next_cursor: (next < hits.total && !hits.conversations.is_empty()).then(|| next.to_string()),
            rebuilding: *self.inner.search.rebuilding.lock().unwrap_or_else(|p| p.into_inner()),
        })
    }

    /// The message that holds most of what was searched for (the latest of equals): read
    /// newest first, and no further than the first that holds all `parts`.
    fn best_snippet(&self, snippets: &mut Snippets, parts: usize, c: &Conversation) -> Result<Option<SearchSnippet>> {
        const PAGE: usize = 100;
        let mut best: Option<(usize, SearchSnippet)> = None;
        let mut before = c.last_seq.saturating_add(1);
        loop {
            let page = self.store().messages_before(c.id, before, PAGE)?;
            for m in page.iter().filter(|m| indexed(m.kind, m.deleted)) {
                let Some(s) = snippets.of(&m.content) else { continue };
                if best.as_ref().is_none_or(|(matched, _)| s.matched > *matched) {
                    let parts = s.parts.into_iter().map(|p| SnippetPart { text: p.text, hit: p.hit }).collect();
                    best = Some((s.matched, SearchSnippet { seq: m.seq, kind: m.kind, parts }));
                }
                if best.as_ref().is_some_and(|(matched, _)| *matched >= parts) {
                    return Ok(best.map(|(_, s)| s));
                }
            }
            match page.last() {
                Some(last) if page.len() == PAGE => before = last.seq,
                _ => break,
            }
        }
        Ok(best.map(|(_, s)| s))
    }

    fn language_of(&self, c: &Conversation, contact: Option<&Contact>) -> Result<Language> {
        let inbox = self.store().inbox(c.inbox)?;
        Ok(language(inbox.as_ref().and_then(|i| i.widget.language.as_deref()), contact))
    }

    /// Waits until everything committed so far is searchable (tests and benchmarks).
    pub async fn search_caught_up(&self) -> Result<()> {
        loop {
            if let Some(index) = self.inner.search.index.get() {
                let through = self.store().durable_through();
                let last = self.store().events_after(index.applied(), 1)?.first().map(|e| e.id);
                if self.inner.search.rebuilding.lock().unwrap_or_else(|p| p.into_inner()).is_none()
                    && last.is_none_or(|id| id > through)
                {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The search index's size on disk and the conversations it holds (benchmarks).
    pub fn search_index_stats(&self) -> Option<(u64, u64)> {
        self.inner.search.index.get().map(|i| (i.size_on_disk(), i.len()))
    }
}

/// The indexer's own thread, at a lower CPU priority than the desk's other threads (tantivy's
/// threads, started from it, inherit that). Indexing is background work that can trail by a
/// moment; under load, acknowledging customers' messages and delivering them to agents come
/// first. The thread ends once its handle is dropped and its current job is done.
struct Background {
    jobs: std::sync::mpsc::Sender<Box<dyn FnOnce() + Send>>,
}

/// Linux's nice value of the indexer's thread (0 is the default, 19 the lowest priority): it
/// gets about a tenth of a busy core and all of an idle one.
const INDEXER_NICE: i32 = 10;

impl Background {
    fn start() -> std::io::Result<Background> {
        let (jobs, queue) = std::sync::mpsc::channel::<Box<dyn FnOnce() + Send>>();
        std::thread::Builder::new().name("search-indexer".into()).spawn(move || {
            lower_priority(INDEXER_NICE);
            while let Ok(job) = queue.recv() {
                job();
            }
        })?;
        Ok(Background { jobs })
    }

    /// Runs `work` on the thread; an error if it panicked.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> std::result::Result<T, String> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job = move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            let _ = answer.send(outcome.map_err(|_| "the search thread panicked".to_string()));
        };
        self.jobs.send(Box::new(job)).map_err(|_| "the search thread has stopped".to_string())?;
        answered.await.unwrap_or_else(|_| Err("the search thread has stopped".into()))
    }
}

#[cfg(target_os = "linux")]
fn lower_priority(nice: i32) {
    // On Linux the nice value is per thread: this lowers the calling thread's only.
    // SAFETY: gettid and setpriority take plain integers and touch no memory of ours.
    let done = unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, nice) };
    if done != 0 {
        tracing::warn!("search indexing runs at normal priority: {}", std::io::Error::last_os_error());
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority(_nice: i32) {}

/// Applies committed events the index has not seen: each conversation they touch is indexed
/// again from the store as it is now. Returns how many conversations were indexed.
fn catch_up(store: &Store, index: &SearchIndex) -> Result<usize> {
    let through = store.durable_through();
    let mut after = index.applied();
    let mut conversations = BTreeSet::new();
    let mut contacts = BTreeSet::new();
    loop {
        let events = store.events_after(after, EVENT_PAGE)?;
        let full = events.len() == EVENT_PAGE;
        let mut reached_end = !full;
        for event in events {
            if event.id > through {
                reached_end = true;
                break;
            }
            match event.kind {
                EventKind::ConversationCreated { conversation, .. }
                | EventKind::MessageCreated { conversation, .. }
                | EventKind::MessageDeleted { conversation, .. }
                | EventKind::StatusChanged { conversation, .. }
                | EventKind::AssigneeChanged { conversation, .. }
                | EventKind::ConversationUpdated { conversation } => {
                    conversations.insert(conversation);
                }
                EventKind::ContactUpdated { contact } => {
                    contacts.insert(contact);
                }
                _ => {}
            }
            after = Some(event.id);
        }
        if reached_end {
            break;
        }
    }
    if after == index.applied() {
        return Ok(0);
    }
    for contact in contacts {
        conversations.extend(store.contact_conversations(contact)?.into_iter().map(|c| c.id));
    }
    for id in &conversations {
        match store.conversation(*id)? {
            Some(c) => index.put(&document_of(store, &c)?).map_err(search_error)?,
            None => index.remove(*id).map_err(search_error)?,
        }
    }
    index.commit(after).map_err(search_error)?;
    Ok(conversations.len())
}

/// What the index holds of a conversation: its people's messages (never deleted ones, never
/// activity lines) and files' names, its contact, and what agents filter by.
fn document_of(store: &Store, c: &Conversation) -> Result<Document> {
    let contact = store.contact(c.contact)?;
    let inbox = store.inbox(c.inbox)?;
    let mut messages = Vec::new();
    let mut after = 0;
    loop {
        let page = store.messages(c.id, after, 500)?;
        for m in page.iter().filter(|m| indexed(m.kind, m.deleted)) {
            messages.push(m.content.clone());
            messages.extend(m.attachments.iter().map(|a| a.name.clone()));
        }
        match page.last() {
            Some(last) if page.len() == 500 => after = last.seq,
            _ => break,
        }
    }
    let who = contact.iter().flat_map(|k| [k.name.clone(), k.email.clone(), k.identifier.clone()]).flatten().collect();
    Ok(Document {
        conversation: c.id,
        number: c.number,
        inbox: c.inbox,
        status: c.status,
        assignee: c.assignee,
        labels: c.labels.clone(),
        language: language(inbox.as_ref().and_then(|i| i.widget.language.as_deref()), contact.as_ref()),
        contact: who,
        created_at: c.created_at,
        last_activity_at: c.last_activity_at,
        messages,
    })
}

fn indexed(kind: MessageKind, deleted: bool) -> bool {
    kind != MessageKind::Activity && !deleted
}

/// The inbox's widget language, else the customer's, else English.
fn language(inbox: Option<&str>, contact: Option<&Contact>) -> Language {
    Language::from_tag(inbox.or(contact.and_then(|c| c.language.as_deref())))
}

fn invalid(field: &'static str, message: impl Into<String>) -> EngineError {
    frontdesk_domain::DomainError::invalid(field, message).into()
}

fn search_error(e: frontdesk_search::SearchError) -> EngineError {
    EngineError::Internal(e.to_string())
}
