//! Load generator for the widget endpoint (issue 5's figures in BENCHMARKS.md).
//!
//! `cargo run --release -p frontdesk-http --example widget_load -- target/release/frontdesk 1000 10`
//!
//! Starts the real `frontdesk serve` (a separate process, so its RSS is its own) on loopback
//! with a temp store, makes one inbox and N widget visitors, each with its conversation and its
//! visitor WebSocket open, plus one agent on the agent stream. Then:
//! 1. RSS with the N idle widget sockets;
//! 2. sustained rate: every visitor sends, waits for the durable acknowledgement, sends again;
//! 3. fixed rate of 2,000 messages/s: send-to-acknowledgement and send-to-delivery on the
//!    agent's WebSocket, p50/p99, timed from when each message was due (no coordinated omission);
//! 4. the ceiling, in the same run: a bare axum endpoint doing one sled insert with a group-commit
//!    flush (this example re-run as `widget_load baseline`), driven the same way as 2.

use futures_util::StreamExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

const PARENT: &str = "http://bench.test";
const FIXED_RATE: u64 = 2_000;

struct Visitor {
    token: String,
    conversation: String,
    seq: AtomicU64,
    busy: AtomicBool,
}

/// When each message in flight was due, by (conversation, seq), for the agent stream to match.
type Due = Arc<Mutex<HashMap<(String, u64), Instant>>>;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("baseline") {
        return baseline::serve();
    }
    let bin = args.get(1).cloned().unwrap_or_else(|| "target/release/frontdesk".into());
    let visitors: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(1000);
    let seconds: u64 = args.get(3).and_then(|v| v.parse().ok()).unwrap_or(10);
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run(bin, visitors, seconds))
}

/// Starts a server process and reads the address from its first line.
fn spawn(program: &str, args: &[&str]) -> Result<(Child, String), Error> {
    let mut child = Command::new(program).args(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let mut out = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut line = String::new();
    out.read_line(&mut line)?;
    // Keep reading, so a later line never meets a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let url = line.split("listening on ").nth(1).ok_or_else(|| format!("unexpected first line: {line}"))?;
    let url = url.split_whitespace().next().unwrap_or("");
    Ok((child, url.trim_end_matches('/').to_string()))
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// CPU time in clock ticks (USER_HZ, 100 a second on Linux/x86) taken from `/proc`.
struct Cpu {
    /// The machine: busy and idle ticks summed over every core.
    busy: u64,
    idle: u64,
    /// This process (the load generator) and the desk, threads that ended included.
    generator: u64,
    desk: u64,
    /// The desk's threads by name, for those alive at the time.
    threads: HashMap<String, u64>,
}

/// utime + stime of a `/proc/.../stat` line (fields 14 and 15; the name may hold spaces).
fn stat_ticks(path: &str) -> u64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<u64> = after_name.split_whitespace().skip(11).take(2).filter_map(|f| f.parse().ok()).collect();
    fields.iter().sum()
}

fn cpu(desk: u32) -> Cpu {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let total: Vec<u64> =
        stat.lines().next().unwrap_or("").split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal
    let idle = total.get(3).copied().unwrap_or(0) + total.get(4).copied().unwrap_or(0);
    let busy = total.iter().take(8).sum::<u64>().saturating_sub(idle);
    let mut threads = HashMap::new();
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{desk}/task")) {
        for task in tasks.flatten() {
            let dir = task.path();
            let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default().trim().to_string();
            *threads.entry(name).or_insert(0) += stat_ticks(&dir.join("stat").to_string_lossy());
        }
    }
    Cpu {
        busy,
        idle,
        generator: stat_ticks("/proc/self/stat"),
        desk: stat_ticks(&format!("/proc/{desk}/stat")),
        threads,
    }
}

/// Where the CPU went between two readings.
struct CpuUse {
    seconds: f64,
    messages: u64,
    desk: u64,
    committer: u64,
    workers: u64,
    search: u64,
    generator: u64,
    idle_percent: f64,
}

impl CpuUse {
    fn between(before: &Cpu, after: &Cpu, messages: u64, seconds: f64) -> CpuUse {
        let thread = |prefixes: &[&str]| -> u64 {
            after
                .threads
                .iter()
                .filter(|(name, _)| prefixes.iter().any(|p| name.starts_with(p)))
                .map(|(name, t)| t.saturating_sub(before.threads.get(name).copied().unwrap_or(0)))
                .sum()
        };
        let busy = after.busy.saturating_sub(before.busy);
        let idle = after.idle.saturating_sub(before.idle);
        CpuUse {
            seconds,
            messages,
            desk: after.desk.saturating_sub(before.desk),
            // Only threads alive at both readings: the committer's short-lived apply helpers
            // count in `desk` alone.
            committer: thread(&["frontdesk-commi"]),
            workers: thread(&["tokio-rt-worker"]),
            search: thread(&["search-indexer", "thrd-tantivy", "merge_thread", "segment_updater"]),
            generator: after.generator.saturating_sub(before.generator),
            idle_percent: 100.0 * idle as f64 / (busy + idle).max(1) as f64,
        }
    }

    fn cores(&self, ticks: u64) -> f64 {
        ticks as f64 / 100.0 / self.seconds
    }

    fn per_message(&self, ticks: u64) -> f64 {
        ticks as f64 * 10_000.0 / self.messages.max(1) as f64
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

async fn ok(req: reqwest::RequestBuilder) -> Result<Value, Error> {
    let res = req.send().await?;
    let status = res.status();
    let body: Value = res.json().await?;
    if !status.is_success() {
        return Err(format!("{status}: {body}").into());
    }
    Ok(body)
}

async fn run(bin: String, n: usize, seconds: u64) -> Result<(), Error> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().to_string_lossy().to_string();
    let (mut desk, url) =
        spawn(&bin, &["serve", "--listen", "127.0.0.1:0", "--data-dir", &data, "--no-widget-rate-limits"])?;
    let pid = desk.id();
    let http = reqwest::Client::builder().pool_max_idle_per_host(2 * n).tcp_nodelay(true).build()?;
    let admin = ok(http.post(format!("{url}/api/v1/setup")).json(&json!({
        "business_name": "Bench", "admin_name": "Ana", "email": "ana@bench.test", "password": "correct horse battery"})))
    .await?["token"]
        .as_str()
        .ok_or("no token")?
        .to_string();
    let inbox = ok(http
        .post(format!("{url}/api/v1/inboxes"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Website", "style": "messaging",
            "routing": {"auto_assign": false, "team": null, "required_skills": [], "skill_labels": [], "priority_rules": []}})))
    .await?;
    let id = inbox["id"].as_str().ok_or("no inbox id")?;
    let inbox = ok(http.put(format!("{url}/api/v1/inboxes/{id}/widget")).bearer_auth(&admin).json(&json!({
        "allowed_origins": [PARENT], "colour": "#1f6feb", "position": "bottom_right", "greeting": "",
        "pre_chat": {"name": "hidden", "email": "hidden", "topic": "hidden", "topics": []}})))
    .await?;
    let website = inbox["widget"]["website_token"].as_str().ok_or("no website token")?.to_string();
    let post_url = format!("{url}/api/widget/v1/messages?website_token={website}&parent={PARENT}");

    // Visitors and their first messages, 64 at a time.
    let mut all = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(64) {
        let firsts = chunk
            .iter()
            .map(|i| ok(http.post(&post_url).json(&json!({"content": format!("Hello, I am visitor {i}")}))));
        for posted in futures_util::future::join_all(firsts).await {
            let posted = posted?;
            all.push(Arc::new(Visitor {
                token: posted["visitor_token"].as_str().ok_or("no visitor token")?.to_string(),
                conversation: posted["conversation"]["id"].as_str().ok_or("no id")?.to_string(),
                seq: AtomicU64::new(posted["message"]["seq"].as_u64().ok_or("no seq")?),
                busy: AtomicBool::new(false),
            }));
        }
    }
    let visitors = Arc::new(all);

    // Every visitor's socket, drained; and the agent's stream, which times deliveries.
    let ws_base = url.replacen("http://", "ws://", 1);
    let frames = Arc::new(AtomicU64::new(0));
    for v in visitors.iter() {
        let u =
            format!("{ws_base}/api/widget/v1/stream?website_token={website}&parent={PARENT}&visitor_token={}", v.token);
        let (ws, _) = tokio_tungstenite::connect_async(u).await?;
        let frames = frames.clone();
        tokio::spawn(async move {
            let (_, mut read) = ws.split();
            while let Some(Ok(_)) = read.next().await {
                frames.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    let due: Due = Arc::default();
    let deliveries = Arc::new(Mutex::new(Vec::<u64>::new()));
    {
        let ticket = ok(http.post(format!("{url}/api/v1/stream/ticket")).bearer_auth(&admin)).await?;
        let ticket = ticket["ticket"].as_str().ok_or("the desk gave no stream ticket")?;
        let (ws, _) = tokio_tungstenite::connect_async(format!("{ws_base}/api/v1/stream?ticket={ticket}")).await?;
        let (due, deliveries) = (due.clone(), deliveries.clone());
        tokio::spawn(async move {
            let (_, mut read) = ws.split();
            while let Some(Ok(frame)) = read.next().await {
                let Ok(text) = frame.into_text() else { continue };
                let Ok(event) = serde_json::from_str::<Value>(&text) else { continue };
                if event["type"] != "message.created" {
                    continue;
                }
                let key = (
                    event["data"]["conversation"].as_str().unwrap_or("").to_string(),
                    event["data"]["seq"].as_u64().unwrap_or(0),
                );
                let sent = due.lock().map(|mut d| d.remove(&key)).ok().flatten();
                if let (Some(at), Ok(mut d)) = (sent, deliveries.lock()) {
                    d.push(at.elapsed().as_micros() as u64);
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_rss = rss_mib(pid);
    // WIDGET_LOAD_HOLD=SECS: wait at the idle point, to look at the desk's memory from outside.
    if let Some(secs) = std::env::var("WIDGET_LOAD_HOLD").ok().and_then(|s| s.parse().ok()) {
        eprintln!("holding {secs} s at {idle_rss:.1} MiB idle: pid {pid}");
        tokio::time::sleep(Duration::from_secs(secs)).await;
    }

    // 1. Sustained: every visitor in a closed loop.
    let peak = Arc::new(Mutex::new(idle_rss));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                if let Ok(mut p) = peak.lock() {
                    *p = p.max(rss_mib(pid));
                }
            }
        })
    };
    let stop = Instant::now() + Duration::from_secs(seconds);
    let acked = Arc::new(AtomicU64::new(0));
    let loops = visitors.iter().map(|v| {
        let (http, post_url, acked, due) = (http.clone(), post_url.clone(), acked.clone(), due.clone());
        let v = v.clone();
        tokio::spawn(async move {
            while Instant::now() < stop {
                if send(&http, &post_url, &v, &due, Instant::now()).await.is_ok() {
                    acked.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    });
    let started = Instant::now();
    let cpu_before = cpu(pid);
    futures_util::future::join_all(loops).await;
    let (messages, elapsed) = (acked.load(Ordering::Relaxed), started.elapsed().as_secs_f64());
    let sustained_cpu = CpuUse::between(&cpu_before, &cpu(pid), messages, elapsed);
    let sustained = messages as f64 / elapsed;
    if let Ok(mut d) = deliveries.lock() {
        d.clear();
    }
    if let Ok(mut d) = due.lock() {
        d.clear();
    }

    // 2. A fixed rate, open loop: each message is timed from when it was due.
    let acks = Arc::new(Mutex::new(Vec::<u64>::new()));
    let skipped = Arc::new(AtomicU64::new(0));
    let total = FIXED_RATE * seconds;
    let t0 = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for k in 0..total {
        let at = t0 + Duration::from_micros(k * 1_000_000 / FIXED_RATE);
        tokio::time::sleep_until(at.into()).await;
        let v = visitors[(k as usize) % visitors.len()].clone();
        if v.busy.swap(true, Ordering::AcqRel) {
            skipped.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let (http, post_url, acks, due) = (http.clone(), post_url.clone(), acks.clone(), due.clone());
        tasks.push(tokio::spawn(async move {
            if send(&http, &post_url, &v, &due, at).await.is_ok() {
                if let Ok(mut a) = acks.lock() {
                    a.push(at.elapsed().as_micros() as u64);
                }
            }
            v.busy.store(false, Ordering::Release);
        }));
    }
    futures_util::future::join_all(tasks).await;
    let achieved = acks.lock().map(|a| a.len()).unwrap_or(0) as f64 / t0.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500)).await;
    sampler.abort();
    let peak_rss = peak.lock().map(|p| *p).unwrap_or(0.0);
    let mut ack = acks.lock().map(|a| a.clone()).unwrap_or_default();
    let mut delivered = deliveries.lock().map(|d| d.clone()).unwrap_or_default();
    ack.sort_unstable();
    delivered.sort_unstable();
    let _ = desk.kill();
    let _ = desk.wait();

    // 3. The ceiling, driven the same way as the sustained run.
    let me = std::env::current_exe()?;
    let (mut bare, bare_url) = spawn(&me.to_string_lossy(), &["baseline"])?;
    let bare_acked = Arc::new(AtomicU64::new(0));
    let stop = Instant::now() + Duration::from_secs(seconds);
    let loops = (0..n).map(|i| {
        let (http, bare_url, bare_acked) = (http.clone(), bare_url.clone(), bare_acked.clone());
        tokio::spawn(async move {
            let mut k = 0u64;
            while Instant::now() < stop {
                k += 1;
                let body = json!({"content": format!("Hello, where is my order #{i}-{k}? It should have arrived.")});
                if ok(http.post(format!("{bare_url}/write")).json(&body)).await.is_ok() {
                    bare_acked.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    });
    let started = Instant::now();
    let bare_before = cpu(bare.id());
    futures_util::future::join_all(loops).await;
    let (messages, elapsed) = (bare_acked.load(Ordering::Relaxed), started.elapsed().as_secs_f64());
    let bare_cpu = CpuUse::between(&bare_before, &cpu(bare.id()), messages, elapsed);
    let ceiling = messages as f64 / elapsed;
    let _ = bare.kill();
    let _ = bare.wait();

    println!("## Widget endpoint under load ({n} widget sockets, {seconds} s per phase)");
    println!("| measure | figure |\n|---|---:|");
    println!("| RSS of `frontdesk serve` with {n} idle widget sockets | {idle_rss:.1} MiB |");
    println!(
        "| sustained customer messages/s, durable acknowledgement ({n} visitors in closed loop) | {sustained:.0} |"
    );
    let c = &sustained_cpu;
    println!(
        "| during it, cores used: desk (committer thread, HTTP and WebSocket workers, search indexing) / load generator / machine idle | {:.2} ({:.2}, {:.2}, {:.2}) / {:.2} / {:.0} % |",
        c.cores(c.desk),
        c.cores(c.committer),
        c.cores(c.workers),
        c.cores(c.search),
        c.cores(c.generator),
        c.idle_percent
    );
    println!(
        "| desk CPU per acknowledged message (committer thread, HTTP and WebSocket workers) | {:.0} µs ({:.0}, {:.0}) |",
        c.per_message(c.desk),
        c.per_message(c.committer),
        c.per_message(c.workers)
    );
    println!("| bare axum + one sled insert + group-commit flush, same driver | {ceiling:.0} |");
    let b = &bare_cpu;
    println!(
        "| during it, cores used: bare endpoint / load generator / machine idle; its CPU per message | {:.2} / {:.2} / {:.0} %; {:.0} µs |",
        b.cores(b.desk),
        b.cores(b.generator),
        b.idle_percent,
        b.per_message(b.desk)
    );
    println!("| ratio to the bare endpoint | {:.2} |", sustained / ceiling);
    println!(
        "| fixed rate: asked {FIXED_RATE}/s, achieved | {achieved:.0}/s ({} skipped: visitor still waiting) |",
        skipped.load(Ordering::Relaxed)
    );
    println!(
        "| send → acknowledgement p50 / p99 at {FIXED_RATE}/s | {:.2} / {:.2} ms |",
        percentile(&ack, 0.5),
        percentile(&ack, 0.99)
    );
    println!(
        "| send → agent's WebSocket p50 / p99 at {FIXED_RATE}/s | {:.2} / {:.2} ms ({} timed) |",
        percentile(&delivered, 0.5),
        percentile(&delivered, 0.99),
        delivered.len()
    );
    println!("| peak RSS of `frontdesk serve` during the runs | {peak_rss:.1} MiB |");
    println!("| frames delivered to visitor sockets | {} |", frames.load(Ordering::Relaxed));
    Ok(())
}

/// One customer message, timed from `due`; the agent stream removes the entry when it sees it.
async fn send(http: &reqwest::Client, url: &str, v: &Visitor, due: &Due, at: Instant) -> Result<(), Error> {
    let next = v.seq.load(Ordering::Acquire) + 1;
    if let Ok(mut d) = due.lock() {
        d.insert((v.conversation.clone(), next), at);
    }
    let body = json!({"content": "Hello, where is my order #12345? It should have arrived."});
    let posted = ok(http.post(url).bearer_auth(&v.token).json(&body)).await?;
    v.seq.store(posted["message"]["seq"].as_u64().unwrap_or(next), Ordering::Release);
    Ok(())
}

/// The ceiling: an axum endpoint that inserts one record into sled and answers once a shared
/// flush covers it (one flusher thread calling `Db::flush()`, waking every writer it covered).
mod baseline {
    use super::Error;
    use axum::extract::State;
    use axum::routing::post;
    use axum::Router;
    use std::sync::{Arc, Condvar, Mutex};
    use tokio::sync::oneshot;

    #[derive(Clone)]
    struct Bare {
        db: sled::Db,
        waiting: Arc<(Mutex<Vec<oneshot::Sender<()>>>, Condvar)>,
        ids: Arc<std::sync::atomic::AtomicU64>,
    }

    async fn write(State(b): State<Bare>, body: axum::body::Bytes) -> &'static str {
        let id = b.ids.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if b.db.insert(id.to_be_bytes(), body.to_vec()).is_err() {
            return "error";
        }
        let (tx, rx) = oneshot::channel();
        if let Ok(mut w) = b.waiting.0.lock() {
            w.push(tx);
        }
        b.waiting.1.notify_one();
        let _ = rx.await;
        "{}"
    }

    pub fn serve() -> Result<(), Error> {
        let dir = tempfile::tempdir()?;
        let db = sled::Config::new().path(dir.path()).cache_capacity(32 << 20).open()?;
        let bare = Bare { db: db.clone(), waiting: Arc::default(), ids: Arc::default() };
        let waiting = bare.waiting.clone();
        std::thread::spawn(move || loop {
            let batch = {
                let Ok(mut w) = waiting.0.lock() else { return };
                while w.is_empty() {
                    w = match waiting.1.wait(w) {
                        Ok(w) => w,
                        Err(_) => return,
                    };
                }
                std::mem::take(&mut *w)
            };
            // Everything inserted before the batch was taken is covered by this flush.
            let _ = db.flush();
            for tx in batch {
                let _ = tx.send(());
            }
        });
        tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            println!("listening on http://{}", listener.local_addr()?);
            let app = Router::new().route("/write", post(write)).with_state(bare);
            axum::serve(listener, app).await?;
            Ok(())
        })
    }
}
