//! Frontdesk's store: the sled trees and their catalogue, the big-endian key codec, versioned
//! values, schema migrations, and durable writes. A command's writes (record + indexes + event)
//! are all or nothing (the batch journal); it is acknowledged only after a flush covers it, and
//! concurrent writers share one flush (group commit). The store returns what changed; it never publishes.

mod attachments;
pub mod backup;
mod catalogue;
mod codec;
mod committer;
mod conversations;
mod instance;
mod journal;
pub mod keys;
mod migrate;
mod outbox;
mod records;
mod tx;
mod widget;

pub use attachments::StoredUpload;
pub use catalogue::Tree;
pub use conversations::{StatusFilter, Timer, TimerKind, ViewCursor};
pub use instance::{holder, Holder, InstanceLock};
pub use migrate::{Migration, MIGRATIONS, SCHEMA_VERSION};
pub use records::{AgentRecord, InvitationRecord, SessionRecord, TokenHash, VisitorRecord};
pub use tx::{Tx, TxError};

use catalogue::Trees;
use committer::{CommandJob, Jobs};
use frontdesk_domain::{Business, Event, Id, Timestamp};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// Every way the store can fail. Messages are meant for the person running the desk.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the data store failed: {0}")]
    Sled(#[from] sled::Error),
    #[error("stored value in {tree} is unreadable: {reason}")]
    Corrupt { tree: &'static str, reason: String },
    #[error(
        "this data folder was written by a newer Frontdesk (schema version {found}); this \
         Frontdesk understands up to version {supported}. Install the newer version, or restore \
         a backup made by this one"
    )]
    NewerSchema { found: u32, supported: u32 },
    #[error("the backup could not be written or read: {0}")]
    BackupIo(String),
    #[error("{path} cannot be restored: {reason}")]
    BadBackup { path: String, reason: String },
    #[error("the write could not be made durable: {0}")]
    NotDurable(String),
    #[error(
        "the data folder {path} is in use by another Frontdesk: {holder}. Stop that one first \
         (or close its window), or choose another folder with --data-dir"
    )]
    InUse { path: String, holder: String },
    #[error("the data folder {path} is in use by another Frontdesk, or cannot be opened: {reason}")]
    Open { path: String, reason: String },
    #[error("an attachment's file could not be written or read: {0}")]
    Blob(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Tuning the person running the desk may set.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// sled's page cache. Its resident memory runs at about 3–4× this figure.
    pub cache_bytes: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self { cache_bytes: 32 * 1024 * 1024 }
    }
}

/// What a committed write gives back: its value and the events it recorded, in order.
#[derive(Debug)]
pub struct Committed<T> {
    pub value: T,
    pub events: Vec<Event>,
}

/// A handle to the open store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    db: sled::Db,
    trees: Arc<Trees>,
    /// The committer's queue; taken on drop so the committer finishes and stops.
    jobs: Mutex<Option<Jobs>>,
    committer: Mutex<Option<std::thread::JoinHandle<()>>>,
    stats: Arc<committer::CommitStats>,
    /// Where attachments' bytes live, one file each (`attachments/` beside the sled files).
    blobs: std::path::PathBuf,
    /// Where the committer records batches while a backup runs (see `backup`).
    tail: backup::TailSlot,
    /// This process's hold on the folder; released last, after the final flush.
    instance: Mutex<InstanceLock>,
}

impl Store {
    /// Opens (or creates) the store in `dir`, migrating an older schema and refusing a newer one.
    pub fn open(dir: &Path, config: &StoreConfig) -> Result<Store> {
        Self::open_with(dir, config, MIGRATIONS, &mut |_| {})
    }

    /// As `open`, reporting migration progress (a line per step) to `progress`.
    pub fn open_with(
        dir: &Path,
        config: &StoreConfig,
        migrations: &[Migration],
        progress: &mut dyn FnMut(&str),
    ) -> Result<Store> {
        let instance = InstanceLock::acquire(dir)?;
        let db = open_db(dir, config)?;
        let trees = Arc::new(Trees::open(&db)?);
        // A batch a crash cut short is finished first: it was written by this schema's code.
        let journal = journal::Journal::open(&db, &trees)?;
        let blobs = dir.join("attachments");
        if let Some((found, target)) = migrate::pending(&db, migrations)? {
            // An upgrade never risks the only copy: the old schema's data is kept in a backup first.
            let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            let folder = dir.join("backups");
            std::fs::create_dir_all(&folder).map_err(|e| StoreError::Blob(format!("{}: {e}", folder.display())))?;
            let file = folder.join(format!("before-schema-{target}-from-{found}-{}.fdbackup", stamp.as_secs()));
            progress(&format!(
                "backing up the data folder (schema version {found}) to {} before migrating",
                file.display()
            ));
            let now = Timestamp(i64::try_from(stamp.as_millis()).unwrap_or(i64::MAX));
            backup::backup_quiet(&db, &blobs, &file, now)?;
        }
        migrate::run(&db, migrations, progress)?;
        let last_id = trees.last_id()?;
        let stats = Arc::new(committer::CommitStats::default());
        let tail = backup::TailSlot::default();
        let (jobs, committer) =
            committer::spawn(db.clone(), trees.clone(), journal, last_id, stats.clone(), tail.clone());
        std::fs::create_dir_all(&blobs).map_err(|e| StoreError::Blob(format!("creating {}: {e}", blobs.display())))?;
        let inner = Inner {
            db,
            trees,
            jobs: Mutex::new(Some(jobs)),
            committer: Mutex::new(Some(committer)),
            stats,
            blobs,
            tail,
            instance: Mutex::new(instance),
        };
        Ok(Store { inner: Arc::new(inner) })
    }

    /// Runs `command` atomically (all its writes or none), and returns once they are on disk.
    /// `now` stamps the ids and events it creates. Commands run one at a time on the store's
    /// committer thread, in batches that share one flush; a command that returns an error
    /// leaves nothing behind.
    pub async fn write<T, E, F>(&self, now: Timestamp, command: F) -> Result<Committed<T>, TxError<E>>
    where
        F: Fn(&mut Tx<'_>) -> Result<T, TxError<E>> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        self.submit(now, command, false).await
    }

    /// Runs `command` like `write`, but applies its writes tree by tree and does not flush:
    /// for importing data and building benchmark fixtures into a store nobody else is writing
    /// to. Call `flush` when done; a crash before that may keep part of an import.
    pub async fn import<T, E, F>(&self, now: Timestamp, command: F) -> Result<Committed<T>, TxError<E>>
    where
        F: Fn(&mut Tx<'_>) -> Result<T, TxError<E>> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        self.submit(now, command, true).await
    }

    async fn submit<T, E, F>(&self, now: Timestamp, command: F, bulk: bool) -> Result<Committed<T>, TxError<E>>
    where
        F: Fn(&mut Tx<'_>) -> Result<T, TxError<E>> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        let closed = || TxError::Store(StoreError::NotDurable("the store is closed".into()));
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Box::new(CommandJob { now, bulk, command, result: None, reply });
        {
            let jobs = self.inner.jobs.lock().unwrap_or_else(|p| p.into_inner());
            jobs.as_ref().ok_or_else(closed)?.send(job).map_err(|_| closed())?;
        }
        answer.await.map_err(|_| closed())?
    }

    /// Flushes everything written so far; for shutdown.
    pub fn flush(&self) -> Result<()> {
        self.inner.db.flush()?;
        Ok(())
    }

    pub fn business(&self) -> Result<Option<Business>> {
        self.inner.trees.business()
    }

    pub fn agent(&self, id: Id) -> Result<Option<AgentRecord>> {
        self.inner.trees.agent(id)
    }

    pub fn agent_by_email(&self, email: &str) -> Result<Option<AgentRecord>> {
        self.inner.trees.agent_by_email(email)
    }

    /// Agents in creation order, starting after `after`, at most `limit`.
    pub fn agents(&self, after: Option<Id>, limit: usize) -> Result<Vec<AgentRecord>> {
        self.inner.trees.agents(after, limit)
    }

    pub fn session(&self, token: &TokenHash) -> Result<Option<SessionRecord>> {
        self.inner.trees.session(token)
    }

    pub fn invitation(&self, token: &TokenHash) -> Result<Option<InvitationRecord>> {
        self.inner.trees.invitation(token)
    }

    /// Events after `after` (exclusive), oldest first, at most `limit`.
    pub fn events_after(&self, after: Option<Id>, limit: usize) -> Result<Vec<Event>> {
        self.inner.trees.events_after(after, limit)
    }

    /// The newest event's id, if any: where a live stream without a cursor starts.
    pub fn last_event_id(&self) -> Result<Option<Id>> {
        Ok(self.tree(Tree::EventidEvent).last()?.and_then(|(k, _)| keys::parse_id(&k)))
    }

    /// Events up to this id are all readable: none is still being written.
    pub fn durable_through(&self) -> Id {
        Id(self.inner.stats.durable_through.load(Ordering::Acquire))
    }

    /// How many group-commit flushes the store has made since it was opened.
    pub fn flush_count(&self) -> u64 {
        self.inner.stats.flushes.load(Ordering::Relaxed)
    }

    /// How long the last flushed batch took to run its commands and apply their writes,
    /// everything but the flush: what benchmarks report as a command's own cost.
    pub fn last_batch_work(&self) -> std::time::Duration {
        std::time::Duration::from_nanos(self.inner.stats.last_batch_work_nanos.load(Ordering::Relaxed))
    }

    /// Every key of a tree (a full scan: for index checks in tests and repair).
    fn key_set(&self, tree: Tree) -> Result<std::collections::BTreeSet<Vec<u8>>> {
        Ok(self.tree(tree).iter().keys().map(|k| k.map(|k| k.to_vec())).collect::<Result<_, _>>()?)
    }

    fn tree(&self, tree: Tree) -> &sled::Tree {
        self.inner.trees.get(tree)
    }

    fn get_decoded<T: serde::de::DeserializeOwned>(&self, tree: Tree, key: &[u8]) -> Result<Option<T>> {
        self.inner.trees.get_decoded(tree, key)
    }

    /// Updates what the folder's lock file says about this process (see `Holder`).
    pub fn describe_holder(&self, holder: &Holder) -> Result<()> {
        self.inner.instance.lock().unwrap_or_else(|p| p.into_inner()).write(holder)
    }

    /// Bytes the store occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.inner.db.size_on_disk()?)
    }
}

/// How long `open` waits for a store that was just closed to let go of its lock: sled 0.34's
/// background threads release it a moment after the last handle drops, so a restart in the
/// same process (or right after the previous process) can find it still held.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

fn open_db(dir: &Path, config: &StoreConfig) -> Result<sled::Db> {
    let started = std::time::Instant::now();
    loop {
        let opened = sled::Config::new().path(dir).cache_capacity(config.cache_bytes).flush_every_ms(Some(1000)).open();
        match opened {
            Ok(db) => return Ok(db),
            // sled 0.34 reports a held lock as an `Other` error whose text says so.
            Err(sled::Error::Io(io))
                if io.to_string().starts_with("could not acquire lock") && started.elapsed() < LOCK_WAIT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(sled::Error::Io(io)) => {
                return Err(StoreError::Open { path: dir.display().to_string(), reason: io.to_string() })
            }
            Err(other) => return Err(StoreError::Sled(other)),
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Closing the queue lets the committer finish what is queued, then stop.
        drop(self.jobs.lock().unwrap_or_else(|p| p.into_inner()).take());
        if let Some(thread) = self.committer.lock().unwrap_or_else(|p| p.into_inner()).take() {
            if thread.join().is_err() {
                tracing::error!("the store's committer thread panicked");
            }
        }
        if let Err(e) = self.db.flush() {
            tracing::error!("final flush of the store failed: {e}");
        }
    }
}
