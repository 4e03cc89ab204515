//! Login rules: how long a session lasts and how repeated failures are slowed down.

use crate::Timestamp;
use std::time::Duration;

/// A session ends this long after it was last used.
pub const SESSION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Failures allowed before attempts are refused for a while.
pub const FREE_FAILURES: u32 = 5;
/// The first lock-out; each further failure doubles it, up to `MAX_LOCKOUT`.
pub const FIRST_LOCKOUT: Duration = Duration::from_secs(2);
pub const MAX_LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// Failures older than this are forgotten.
pub const FAILURE_MEMORY: Duration = Duration::from_secs(15 * 60);

/// The failed-login record of one key (an email address or a client address).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginThrottle {
    pub failures: u32,
    pub last_failure: Option<Timestamp>,
}

impl LoginThrottle {
    /// How long the key must still wait before another attempt is heard, if at all.
    pub fn wait(&self, now: Timestamp) -> Option<Duration> {
        let last = self.last_failure?;
        let lockout = self.lockout()?;
        let elapsed = now.since(last);
        (elapsed < lockout).then(|| lockout - elapsed)
    }

    pub fn record_failure(&mut self, now: Timestamp) {
        if self.is_stale(now) {
            self.failures = 0;
        }
        self.failures = self.failures.saturating_add(1);
        self.last_failure = Some(now);
    }

    /// Whether this record can be forgotten.
    pub fn is_stale(&self, now: Timestamp) -> bool {
        self.last_failure.is_none_or(|last| now.since(last) >= FAILURE_MEMORY.max(self.lockout().unwrap_or_default()))
    }

    fn lockout(&self) -> Option<Duration> {
        let over = self.failures.checked_sub(FREE_FAILURES)?;
        let factor = 1u32.checked_shl(over.min(20)).unwrap_or(u32::MAX);
        Some(FIRST_LOCKOUT.saturating_mul(factor).min(MAX_LOCKOUT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(t: Timestamp, secs: u64) -> Timestamp {
        t.plus(Duration::from_secs(secs))
    }

    #[test]
    fn a_few_typos_cost_nothing() {
        let mut t = LoginThrottle::default();
        let now = Timestamp(1_000_000);
        for _ in 0..FREE_FAILURES - 1 {
            t.record_failure(now);
        }
        assert_eq!(t.wait(now), None, "four failures must not lock anyone out");
    }

    #[test]
    fn repeated_failures_wait_longer_and_longer() {
        let mut t = LoginThrottle::default();
        let now = Timestamp(1_000_000);
        for _ in 0..=FREE_FAILURES {
            t.record_failure(now);
        }
        assert_eq!(t.wait(now), Some(Duration::from_secs(4)), "the sixth failure locks for 4 s");
        assert_eq!(t.wait(after(now, 4)), None, "and the lock ends on time");
        t.record_failure(after(now, 4));
        assert_eq!(t.wait(after(now, 4)), Some(Duration::from_secs(8)), "the next one doubles it");
        for _ in 0..40 {
            t.record_failure(now);
        }
        assert_eq!(t.wait(now), Some(MAX_LOCKOUT), "but never beyond the cap");
    }

    #[test]
    fn failures_are_forgotten_after_a_quiet_while() {
        let mut t = LoginThrottle::default();
        let now = Timestamp(0);
        for _ in 0..FREE_FAILURES {
            t.record_failure(now);
        }
        let later = now.plus(FAILURE_MEMORY);
        assert!(t.is_stale(later));
        t.record_failure(later);
        assert_eq!(t.failures, 1, "a failure after the memory window starts a new count");
    }
}
