//! Group commit. Writers take a ticket after their transaction commits and wait for a flush that
//! covers it; one thread calls the blocking `Db::flush()` for all of them. (sled 0.34.7's
//! `flush_async` deadlocks when several tasks await it at once, sled issue #1308.)
//!
//! Why it is correct: a ticket is taken after the write is in sled's memory; the thread reads the
//! highest ticket *before* it flushes, so every ticket up to that number is covered.

use crate::StoreError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use tokio::sync::watch;

#[derive(Debug, Clone, Default)]
struct FlushState {
    /// Every ticket up to this one is on disk.
    flushed: u64,
    /// The last flush that failed: the tickets it should have covered, and why.
    failure: Option<(u64, String)>,
}

#[derive(Default)]
struct Wake {
    pending: bool,
    stop: bool,
}

struct Shared {
    written: AtomicU64,
    wake: Mutex<Wake>,
    cond: Condvar,
    state: watch::Sender<FlushState>,
}

pub(crate) struct Flusher {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Flusher {
    pub fn start(db: sled::Db) -> Flusher {
        let (state, _) = watch::channel(FlushState::default());
        let shared =
            Arc::new(Shared { written: AtomicU64::new(0), wake: Mutex::default(), cond: Condvar::new(), state });
        let worker = shared.clone();
        let thread = std::thread::Builder::new()
            .name("frontdesk-flusher".into())
            .spawn(move || flush_loop(&db, &worker))
            .expect("spawning the store's flush thread");
        Flusher { shared, thread: Mutex::new(Some(thread)) }
    }

    /// The ticket of a write that has just committed.
    pub fn written(&self) -> u64 {
        self.shared.written.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Returns once a flush covers `ticket`.
    pub async fn durable(&self, ticket: u64) -> Result<(), StoreError> {
        let mut rx = self.shared.state.subscribe();
        {
            let mut wake = self.shared.wake.lock().unwrap_or_else(|p| p.into_inner());
            wake.pending = true;
            self.shared.cond.notify_one();
        }
        let state = rx
            .wait_for(|s| s.flushed >= ticket || s.failure.as_ref().is_some_and(|(t, _)| *t >= ticket))
            .await
            .map_err(|_| StoreError::NotDurable("the store was closed before the write was flushed".into()))?;
        if state.flushed >= ticket {
            return Ok(());
        }
        let reason = state.failure.as_ref().map(|(_, r)| r.clone()).unwrap_or_default();
        Err(StoreError::NotDurable(reason))
    }

    pub fn stop(&self) {
        {
            let mut wake = self.shared.wake.lock().unwrap_or_else(|p| p.into_inner());
            wake.stop = true;
            self.shared.cond.notify_one();
        }
        let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(thread) = thread {
            if thread.join().is_err() {
                tracing::error!("the store's flush thread panicked");
            }
        }
    }
}

fn flush_loop(db: &sled::Db, shared: &Shared) {
    loop {
        {
            let mut wake = shared.wake.lock().unwrap_or_else(|p| p.into_inner());
            while !wake.pending && !wake.stop {
                wake = shared.cond.wait(wake).unwrap_or_else(|p| p.into_inner());
            }
            if !wake.pending {
                return;
            }
            wake.pending = false;
        }
        let target = shared.written.load(Ordering::SeqCst);
        if target <= shared.state.borrow().flushed {
            continue;
        }
        match db.flush() {
            Ok(_) => shared.state.send_modify(|s| s.flushed = s.flushed.max(target)),
            Err(e) => {
                tracing::error!("flushing the store failed: {e}");
                shared.state.send_modify(|s| s.failure = Some((target, e.to_string())));
            }
        }
    }
}
