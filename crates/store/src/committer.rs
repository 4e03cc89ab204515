//! Group commit. Every command goes to one committer thread, which takes all commands waiting
//! (up to `MAX_BATCH`), runs them one after another, applies the writes of those that succeeded
//! in one sled transaction over all trees, calls the blocking `Db::flush()` once, and only then
//! answers each of them. So concurrent writers share one transaction and one flush, a lone writer
//! waits for one flush, and as the only writer the committer makes commands serializable and
//! event ids follow commit order. (sled 0.34.7's `flush_async` deadlocks when several tasks
//! await it at once, sled issue #1308, so it is never used.)

use crate::catalogue::Trees;
use crate::tx::{Overlay, Tx, TxError};
use crate::{Committed, StoreError};
use frontdesk_domain::{Id, Timestamp};
use sled::transaction::ConflictableTransactionError;
use sled::Transactional;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use tokio::sync::oneshot;

/// Enough to amortize a flush, small enough to keep a batch's latency near one flush.
const MAX_BATCH: usize = 1024;

/// A command waiting for the committer, type-erased.
pub(crate) trait Job: Send {
    fn now(&self) -> Timestamp;
    /// Runs the command against `tx`; true if it succeeded and its writes are to be kept.
    fn run(&mut self, tx: &mut Tx<'_>) -> bool;
    /// Answers the writer once the batch is durable (or is not).
    fn finish(self: Box<Self>, durable: Result<(), String>);
}

pub(crate) struct CommandJob<F, T, E> {
    pub now: Timestamp,
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

pub(crate) fn spawn(
    db: sled::Db,
    trees: Arc<Trees>,
    last_id: Id,
    flushes: Arc<AtomicU64>,
) -> (Jobs, std::thread::JoinHandle<()>) {
    let (jobs, queue) = mpsc::channel::<Box<dyn Job>>();
    let thread = std::thread::Builder::new()
        .name("frontdesk-committer".into())
        .spawn(move || commit_loop(&db, &trees, last_id, &queue, &flushes))
        .expect("spawning the store's committer thread");
    (jobs, thread)
}

fn commit_loop(
    db: &sled::Db,
    trees: &Trees,
    mut last_id: Id,
    queue: &mpsc::Receiver<Box<dyn Job>>,
    flushes: &AtomicU64,
) {
    // Ends when every `Store` handle is gone and the queue is empty.
    while let Ok(first) = queue.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
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
        let durable = if batch.is_empty() {
            Ok(())
        } else {
            flushes.fetch_add(1, Ordering::Relaxed);
            apply(trees, &batch).and_then(|()| flush(db))
        };
        if let Err(e) = &durable {
            tracing::error!("a batch of {} commands could not be made durable: {e}", jobs.len());
        }
        for job in jobs {
            job.finish(durable.clone());
        }
    }
}

/// Applies a batch's writes atomically across trees.
fn apply(trees: &Trees, batch: &Overlay) -> Result<(), String> {
    let all: Vec<&sled::Tree> = trees.all().iter().collect();
    all[..]
        .transaction(|views| {
            for ((tree, key), value) in batch {
                let view = &views[*tree as usize];
                match value {
                    Some(v) => view.insert(key.as_slice(), v.as_slice())?,
                    None => view.remove(key.as_slice())?,
                };
            }
            Ok::<_, ConflictableTransactionError<()>>(())
        })
        .map_err(|e| format!("{e:?}"))
}

fn flush(db: &sled::Db) -> Result<(), String> {
    db.flush().map(|_| ()).map_err(|e| e.to_string())
}
