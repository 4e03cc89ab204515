//! Group commit. Every command goes to one committer thread, which takes all commands waiting
//! (up to `MAX_BATCH`), runs them one after another, writes the writes of those that succeeded
//! to the batch journal and then to their trees (all or nothing, see `journal`), calls the
//! blocking `Db::flush()` once, and only then answers each of them. So concurrent writers share one transaction and one flush, a lone writer
//! waits for one flush, and as the only writer the committer makes commands serializable and
//! event ids follow commit order. (sled 0.34.7's `flush_async` deadlocks when several tasks
//! await it at once, sled issue #1308, so it is never used.)

use crate::backup::TailSlot;
use crate::catalogue::Trees;
use crate::journal::{self, Journal};
use crate::tx::{Overlay, Tx, TxError};
use crate::{Committed, StoreError};
use frontdesk_domain::{Id, Timestamp};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use tokio::sync::oneshot;

/// Enough to amortize a flush, small enough to keep a batch's latency near one flush.
const MAX_BATCH: usize = 1024;
/// Below this many writes a second thread costs more than it saves.
const PARALLEL_FROM: usize = 512;

/// A command waiting for the committer, type-erased.
pub(crate) trait Job: Send {
    fn now(&self) -> Timestamp;
    /// Runs the command against `tx`; true if it succeeded and its writes are to be kept.
    fn run(&mut self, tx: &mut Tx<'_>) -> bool;
    /// Answers the writer once the batch is durable (or is not).
    fn finish(self: Box<Self>, durable: Result<(), String>);
    /// An import: applied without a cross-tree transaction and not flushed (see `Store::import`).
    fn bulk(&self) -> bool;
}

pub(crate) struct CommandJob<F, T, E> {
    pub now: Timestamp,
    pub bulk: bool,
    pub command: F,
    pub result: Option<Result<Committed<T>, TxError<E>>>,
    pub reply: oneshot::Sender<Result<Committed<T>, TxError<E>>>,
}

impl<F, T, E> Job for CommandJob<F, T, E>
where
    F: Fn(&mut Tx<'_>) -> Result<T, TxError<E>> + Send,
    T: Send,
    E: Send,
{
    fn now(&self) -> Timestamp {
        self.now
    }

    fn bulk(&self) -> bool {
        self.bulk
    }

    fn run(&mut self, tx: &mut Tx<'_>) -> bool {
        match (self.command)(tx) {
            Ok(value) => {
                self.result = Some(Ok(Committed { value, events: std::mem::take(&mut tx.recorded) }));
                true
            }
            Err(e) => {
                self.result = Some(Err(e));
                false
            }
        }
    }

    fn finish(self: Box<Self>, durable: Result<(), String>) {
        let outcome = match (self.result, durable) {
            (Some(Ok(committed)), Ok(())) => Ok(committed),
            (Some(Ok(_)), Err(reason)) => Err(TxError::Store(StoreError::NotDurable(reason))),
            (Some(Err(refused)), _) => Err(refused),
            (None, _) => Err(TxError::Store(StoreError::NotDurable("the command failed while it ran".into()))),
        };
        // The writer may have stopped waiting; the write stands either way.
        let _ = self.reply.send(outcome);
    }
}

pub(crate) type Jobs = mpsc::Sender<Box<dyn Job>>;

/// What the committer has done, for `Store::stats`.
#[derive(Debug, Default)]
pub(crate) struct CommitStats {
    pub flushes: AtomicU64,
    /// Running the commands of the last batch and applying their writes, without the flush.
    pub last_batch_work_nanos: AtomicU64,
    /// Every id up to this one belongs to a durable batch or to none: events up to it can be
    /// read without missing one a batch is still writing.
    pub durable_through: AtomicU64,
}

pub(crate) fn spawn(
    db: sled::Db,
    trees: Arc<Trees>,
    mut journal: Journal,
    last_id: Id,
    stats: Arc<CommitStats>,
    tail: TailSlot,
) -> (Jobs, std::thread::JoinHandle<()>) {
    let (jobs, queue) = mpsc::channel::<Box<dyn Job>>();
    stats.durable_through.store(last_id.0, Ordering::Release);
    let thread = std::thread::Builder::new()
        .name("frontdesk-committer".into())
        .spawn(move || commit_loop(&db, &trees, &mut journal, last_id, &queue, &stats, &tail))
        .expect("spawning the store's committer thread");
    (jobs, thread)
}

fn commit_loop(
    db: &sled::Db,
    trees: &Trees,
    journal: &mut Journal,
    mut last_id: Id,
    queue: &mpsc::Receiver<Box<dyn Job>>,
    stats: &CommitStats,
    tail: &TailSlot,
) {
    let mut last_applied = true;
    // Ends when every `Store` handle is gone and the queue is empty.
    while let Ok(first) = queue.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let started = std::time::Instant::now();
        let mut batch = Overlay::new();
        for job in jobs.iter_mut() {
            let mut tx = Tx::new(trees, &batch, job.now(), last_id);
            // A panicking command fails alone; the committer and the batch go on.
            let kept = catch_unwind(AssertUnwindSafe(|| job.run(&mut tx))).unwrap_or(false);
            if kept {
                last_id = tx.last_id;
                let own = std::mem::take(&mut tx.own);
                batch.extend(own);
            }
        }
        let all_bulk = jobs.iter().all(|j| j.bulk());
        let durable = if batch.is_empty() {
            Ok(())
        } else if all_bulk {
            apply_unatomic(trees, batch)
        } else {
            let applied = apply(trees, journal, &batch, tail);
            let work = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            stats.last_batch_work_nanos.store(work, Ordering::Relaxed);
            stats.flushes.fetch_add(1, Ordering::Relaxed);
            applied.and_then(|()| flush(db))
        };
        if let Err(e) = &durable {
            tracing::error!("a batch of {} commands could not be made durable: {e}", jobs.len());
        }
        last_applied = durable.is_ok();
        if last_applied {
            stats.durable_through.store(last_id.0, Ordering::Release);
        }
        for job in jobs {
            job.finish(durable.clone());
        }
    }
    // The queue closed (the store is closing). A batch that failed part-way stays in the journal,
    // to be applied in full on the next open.
    if last_applied {
        if let Err(e) = journal.clear() {
            tracing::error!("clearing the batch journal at close failed: {e}");
        }
    }
}

/// Applies a batch's writes, all or nothing across trees: journal first, then the trees; a large
/// batch on two threads, each taking half of the writes in key order (sled lets writes to
/// different pages proceed at once).
fn apply(trees: &Trees, journal: &mut Journal, batch: &Overlay, tail: &TailSlot) -> Result<(), String> {
    let writes = journal::sorted(batch);
    journal.record(&writes).map_err(|e| e.to_string())?;
    // Held until the batch is applied, so a backup's tail starts and stops between batches.
    let mut recording = tail.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(tail) = recording.as_mut() {
        tail.record(&writes);
    }
    let run = |writes: &[journal::Write<'_>]| -> Result<(), String> {
        for (tree, key, value) in writes {
            journal::apply_one(trees.get(*tree), key, *value).map_err(|e| e.to_string())?;
        }
        Ok(())
    };
    if writes.len() < PARALLEL_FROM {
        return run(&writes);
    }
    let split = writes.len() / 2;
    let (first, second) = writes.split_at(split);
    std::thread::scope(|s| {
        let other = s.spawn(|| run(second));
        let mine = run(first);
        mine.and(other.join().unwrap_or_else(|_| Err("applying writes panicked".into())))
    })
}

/// Applies an import's writes tree by tree: much faster than one transaction, not atomic.
fn apply_unatomic(trees: &Trees, batch: Overlay) -> Result<(), String> {
    let mut per_tree: std::collections::HashMap<crate::catalogue::Tree, sled::Batch> = Default::default();
    for ((tree, key), value) in batch {
        let b = per_tree.entry(tree).or_default();
        match value {
            Some(v) => b.insert(key, v),
            None => b.remove(key),
        }
    }
    for (tree, b) in per_tree {
        trees.get(tree).apply_batch(b).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn flush(db: &sled::Db) -> Result<(), String> {
    db.flush().map(|_| ()).map_err(|e| e.to_string())
}
