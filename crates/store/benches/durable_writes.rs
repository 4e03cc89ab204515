//! Durable acknowledged writes per second, 300-byte records, 1 / 16 / 256 concurrent writers,
//! beside the bare ceiling measured in the same run: sled `apply_batch` of 100 records plus one
//! `Db::flush()` per batch. Prints a summary line per case for BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use frontdesk_domain::{EventKind, Timestamp};
use frontdesk_store::{Store, StoreConfig};
use std::time::{Duration, Instant};

const RECORD: usize = 300;

fn payload() -> String {
    "r".repeat(RECORD)
}

/// Writes `n` records with `writers` concurrent tasks through the real command path and returns
/// the elapsed time and the longest single acknowledgement wait.
fn durable(rt: &tokio::runtime::Runtime, store: &Store, writers: usize, n: u64) -> (Duration, Duration) {
    rt.block_on(async {
        let per_writer = (n / writers as u64).max(1);
        let start = Instant::now();
        let mut tasks = Vec::with_capacity(writers);
        for _ in 0..writers {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let text = payload();
                let mut worst = Duration::ZERO;
                for _ in 0..per_writer {
                    let t = Instant::now();
                    store
                        .write::<_, ()>(Timestamp(1_800_000_000_000), |tx| {
                            tx.record(None, EventKind::Note { text: text.clone() })
                        })
                        .await
                        .expect("durable write");
                    worst = worst.max(t.elapsed());
                }
                worst
            }));
        }
        let mut worst = Duration::ZERO;
        for t in tasks {
            worst = worst.max(t.await.expect("writer task"));
        }
        (start.elapsed(), worst)
    })
}

fn ceiling(db: &sled::Db, tree: &sled::Tree, n: u64) -> Duration {
    let value = vec![b'r'; RECORD];
    let start = Instant::now();
    let mut key = 0u64;
    for _ in 0..n.div_ceil(100) {
        let mut batch = sled::Batch::default();
        for _ in 0..100 {
            key += 1;
            batch.insert(&key.to_be_bytes(), value.clone());
        }
        tree.apply_batch(batch).expect("batch");
        db.flush().expect("flush");
    }
    start.elapsed()
}

fn one_flush(db: &sled::Db, tree: &sled::Tree) -> Duration {
    tree.insert(b"probe", &[0u8; RECORD][..]).expect("insert");
    let t = Instant::now();
    db.flush().expect("flush");
    t.elapsed()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let mut group = c.benchmark_group("durable_writes");
    group.sample_size(10).measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(1));

    let ceiling_dir = tempfile::tempdir().expect("tempdir");
    let db = sled::Config::new().path(ceiling_dir.path()).cache_capacity(32 << 20).open().expect("sled");
    let tree = db.open_tree("ceiling").expect("tree");
    let mut ceiling_rate = 0.0f64;
    group.bench_function("ceiling_batch100_flush", |b| {
        b.iter_custom(|iters| {
            let n = iters.max(100);
            let d = ceiling(&db, &tree, n);
            ceiling_rate = ceiling_rate.max(n as f64 / d.as_secs_f64());
            d.mul_f64(iters as f64 / n as f64)
        })
    });
    let mut flush_time = Duration::ZERO;
    for _ in 0..20 {
        flush_time += one_flush(&db, &tree);
    }
    flush_time /= 20;

    let mut summary = Vec::new();
    for writers in [1usize, 16, 256] {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), &StoreConfig::default()).expect("store");
        let mut best = 0.0f64;
        let mut worst_wait = Duration::ZERO;
        group.bench_function(format!("store_write_{writers}_writers"), |b| {
            b.iter_custom(|iters| {
                let n = iters.max(writers as u64);
                let (d, w) = durable(&rt, &store, writers, n);
                best = best.max(n as f64 / d.as_secs_f64());
                worst_wait = worst_wait.max(w);
                d.mul_f64(iters as f64 / n as f64)
            })
        });
        summary.push((writers, best, worst_wait));
    }
    group.finish();

    println!("\nSUMMARY ceiling (apply_batch 100 + flush): {ceiling_rate:.0} records/s; one flush of a small write: {flush_time:?}");
    for (writers, rate, wait) in summary {
        println!(
            "SUMMARY {writers:>3} writers: {rate:.0} durable writes/s = {:.2} of ceiling; mean acknowledgement {:?} per writer; longest {wait:?}",
            rate / ceiling_rate,
            Duration::from_secs_f64(writers as f64 / rate),
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
