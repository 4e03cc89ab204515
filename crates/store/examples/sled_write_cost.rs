//! What one sled write costs on this machine, apart from Frontdesk: 200,000 inserts of empty,
//! 100-byte and 400-byte values into a fresh database (cache 256 MiB, no flush), in key order
//! into one tree and in scattered order over 19 trees (as many as the store has), applied in
//! batches of 10,000. `cargo run --release -p frontdesk-store --example sled_write_cost`
//!
//! Used to explain the timer-drain figure in BENCHMARKS.md: firing one close timer writes about
//! twenty keys, so the drain rate follows from this cost.

use std::time::Instant;

const WRITES: u64 = 200_000;
const BATCH: u64 = 10_000;

fn main() -> Result<(), sled::Error> {
    let dir = tempfile::tempdir()?;
    let db = sled::Config::new().path(dir.path()).cache_capacity(256 << 20).open()?;
    let trees = (0..19).map(|i| db.open_tree(format!("t{i}"))).collect::<Result<Vec<_>, _>>()?;
    for (n, size) in [0usize, 100, 400].into_iter().enumerate() {
        let value = vec![b'x'; size];
        let started = Instant::now();
        for chunk in 0..WRITES / BATCH {
            let mut batch = sled::Batch::default();
            for i in 0..BATCH {
                batch.insert(&(chunk * BATCH + i).to_be_bytes(), value.clone());
            }
            trees[n].apply_batch(batch)?;
        }
        let in_order = started.elapsed().as_secs_f64() * 1e6 / WRITES as f64;
        let started = Instant::now();
        for chunk in 0..WRITES / BATCH {
            for tree in &trees {
                let mut batch = sled::Batch::default();
                for i in 0..BATCH / 19 {
                    let key = (chunk * BATCH + i).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                    batch.insert(&key.to_be_bytes(), value.clone());
                }
                tree.apply_batch(batch)?;
            }
        }
        let scattered = started.elapsed().as_secs_f64() * 1e6 / WRITES as f64;
        println!(
            "{size:>3}-byte values: {in_order:.1} µs per write in key order, {scattered:.1} µs scattered over 19 trees"
        );
    }
    Ok(())
}
