//! What the engine's load generators share: "now", a fixed number stream, latency summaries,
//! and a fresh desk set up on a store in a given folder.

// Each bench is its own binary and uses only part of this.
#![allow(dead_code)]

use frontdesk_domain::{Agent, SetupRequest, Timestamp};
use frontdesk_engine::{Desk, ManualClock, StoreConfig};
use frontdesk_store::Store;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// 2027-01-15 10:00 UTC: "now" for every benchmark.
pub const NOW: Timestamp = Timestamp(1_800_007_200_000);

/// splitmix64: a fixed, fast stream of numbers, so fixtures are the same every time.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// How a summary prints its figures.
#[derive(Clone, Copy)]
pub enum Unit {
    Millis,
    Micros,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// "p50 …, p99 …, max … (n samples)".
pub fn summary(mut samples: Vec<Duration>, unit: Unit) -> String {
    samples.sort();
    let show = |d: Duration| match unit {
        Unit::Millis => format!("{:.3} ms", d.as_secs_f64() * 1e3),
        Unit::Micros => format!("{:.2} µs", d.as_secs_f64() * 1e6),
    };
    format!(
        "p50 {}, p99 {}, max {} ({} samples)",
        show(percentile(&samples, 0.5)),
        show(percentile(&samples, 0.99)),
        show(*samples.last().unwrap_or(&Duration::ZERO)),
        samples.len()
    )
}

/// An empty store in `dir` (whatever was there is removed) with a desk set up on it: the
/// business "Bench" and its admin Ana.
pub async fn fresh_desk(dir: &Path) -> (Desk, Store, Agent) {
    let _ = std::fs::remove_dir_all(dir);
    let store = Store::open(dir, &StoreConfig { cache_bytes: 256 << 20 }).expect("open the fixture store");
    let desk = Desk::with_store(store.clone(), Arc::new(ManualClock::new(NOW))).expect("open the desk");
    let setup = SetupRequest {
        business_name: "Bench".into(),
        admin_name: "Ana".into(),
        email: "ana@bench.test".into(),
        password: "correct horse".into(),
    };
    let admin = desk.setup(setup).await.expect("setup").agent;
    (desk, store, admin)
}
