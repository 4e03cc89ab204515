//! Durable acknowledged writes per second, 300-byte records, with 1, 16 and 256 concurrent
//! writers through the real command path, beside the bare ceiling measured in the same run on
//! the same amount of data: sled `apply_batch` of 100 records plus one `Db::flush()` per batch.
//! A load generator, not a criterion sampler: each case writes the same fixed number of records
//! into a fresh store, three times, and the median is reported (`cargo bench -p frontdesk-store`).

use frontdesk_domain::{EventKind, Timestamp};
use frontdesk_store::{Store, StoreConfig};
use std::time::{Duration, Instant};

const RECORD: usize = 300;
const RECORDS: u64 = 100_000;
const RUNS: usize = 3;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ceiling() -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sled::Config::new().path(dir.path()).cache_capacity(32 << 20).open().expect("sled");
    let tree = db.open_tree("ceiling").expect("tree");
    let value = vec![b'r'; RECORD];
    let start = Instant::now();
    for batch_no in 0..RECORDS / 100 {
        let mut batch = sled::Batch::default();
        for i in 0..100 {
            batch.insert(&(batch_no * 100 + i).to_be_bytes(), value.clone());
        }
        tree.apply_batch(batch).expect("batch");
        db.flush().expect("flush");
    }
    RECORDS as f64 / start.elapsed().as_secs_f64()
}

/// Returns writes per second, the mean time one writer waited for an acknowledgement, and the
/// number of flushes per write.
fn durable(rt: &tokio::runtime::Runtime, writers: u64) -> (f64, Duration, f64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), &StoreConfig::default()).expect("store");
    let per_writer = RECORDS / writers;
    let elapsed = rt.block_on(async {
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..writers {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let text = "r".repeat(RECORD);
                for _ in 0..per_writer {
                    let text = text.clone();
                    store
                        .write::<_, (), _>(Timestamp(1_800_000_000_000), move |tx| {
                            tx.record(None, EventKind::Note { text: text.clone() })
                        })
                        .await
                        .expect("durable write");
                }
            }));
        }
        for t in tasks {
            t.await.expect("writer task");
        }
        start.elapsed()
    });
    let total = per_writer * writers;
    (total as f64 / elapsed.as_secs_f64(), elapsed / per_writer as u32, store.flush_count() as f64 / total as f64)
}

fn one_flush() -> Duration {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sled::Config::new().path(dir.path()).open().expect("sled");
    let mut total = Duration::ZERO;
    for i in 0u32..200 {
        db.insert(i.to_be_bytes(), &[0u8; RECORD][..]).expect("insert");
        let t = Instant::now();
        db.flush().expect("flush");
        total += t.elapsed();
    }
    total / 200
}

fn main() {
    // `cargo test --benches` runs this with --bench absent; do the work only under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let ceiling = median((0..RUNS).map(|_| ceiling()).collect());
    let flush = one_flush();
    println!("ceiling (apply_batch of 100 + flush, {RECORDS} records of {RECORD} B): {ceiling:.0} records/s");
    println!("one flush after a small write: {flush:?}");
    for writers in [1u64, 16, 256] {
        let runs: Vec<(f64, Duration, f64)> = (0..RUNS).map(|_| durable(&rt, writers)).collect();
        let rate = median(runs.iter().map(|r| r.0).collect());
        let wait = Duration::from_secs_f64(median(runs.iter().map(|r| r.1.as_secs_f64()).collect()));
        let flushes = median(runs.iter().map(|r| r.2).collect());
        println!(
            "{writers:>3} writers: {rate:.0} durable writes/s = {:.2} of the ceiling; mean acknowledgement {wait:?}; {flushes:.3} flushes per write",
            rate / ceiling
        );
    }
}
