//! The scheduler: fires durable timers when they fall due. It sleeps until the next timer in the
//! store (read from its due-time index, never by polling the whole set) and wakes early when a
//! command may have set an earlier one. Timers due while the desk was down fire at start-up.

use crate::{Desk, MAX_SLEEP};
use std::time::Duration;

impl Desk {
    /// Runs until the desk's last handle is dropped. Spawn it once per desk.
    pub async fn run_scheduler(self) {
        loop {
            if let Err(e) = self.fire_due_timers().await {
                tracing::error!("firing due timers failed, retrying shortly: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            let wait = match self.next_timer() {
                Ok(Some(t)) => self.time_until(t.due),
                Ok(None) => MAX_SLEEP,
                Err(e) => {
                    tracing::error!("reading the next timer failed: {e}");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.inner.timers_changed.notified() => {}
            }
        }
    }
}
