//! Fills a data folder with N events of 300 bytes through the real, durable write path, for the
//! start-up and memory benchmarks (`bench/host_desk.py`). Usage: fill DIR N
use frontdesk_domain::{EventKind, Timestamp};
use frontdesk_store::{Store, StoreConfig};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(n)) = (args.next(), args.next()) else {
        return Err("usage: fill DIR N".into());
    };
    let n: u64 = n.parse()?;
    let writers = 64u64;
    let rt = tokio::runtime::Runtime::new()?;
    let store = Store::open(std::path::Path::new(&dir), &StoreConfig::default())?;
    let start = Instant::now();
    rt.block_on(async {
        let mut tasks = Vec::new();
        for w in 0..writers {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
                let text = "f".repeat(300);
                for i in (w..n).step_by(writers as usize) {
                    store
                        .write::<_, (), _>(Timestamp(now), {
                            let text = text.clone();
                            move |tx| tx.record(None, EventKind::Note { text: text.clone() })
                        })
                        .await
                        .map_err(|e| format!("write {i}: {e:?}"))?;
                    if w == 0 && i % 100_000 < writers {
                        eprintln!("filled about {i} of {n} records");
                    }
                }
                Ok::<_, String>(())
            }));
        }
        for t in tasks {
            t.await.map_err(|e| e.to_string())??;
        }
        Ok::<_, String>(())
    })?;
    store.flush()?;
    let secs = start.elapsed().as_secs_f64();
    println!("filled {n} records in {secs:.1} s ({:.0}/s); {} bytes on disk", n as f64 / secs, store.size_on_disk()?);
    Ok(())
}
