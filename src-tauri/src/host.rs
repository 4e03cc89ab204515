//! Starting and stopping a host desk: the engine and the HTTP server in this process. Used by
//! `frontdesk serve` and by the desktop app alike.

use crate::config::DeskConfig;
use anyhow::Context;
use frontdesk_domain::Clock;
use frontdesk_engine::{Desk, ShiftedClock, StoreConfig, SystemClock};
use frontdesk_http::{router, HostPolicy};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct RunningDesk {
    /// The address actually bound (the port is known even when 0 was asked for).
    pub addr: SocketAddr,
    /// The certificate's fingerprint when the desk serves HTTPS on the network.
    pub fingerprint: Option<String>,
    pub desk: Desk,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
    scheduler: JoinHandle<()>,
    outbox: JoinHandle<()>,
    indexer: JoinHandle<()>,
    backups: JoinHandle<()>,
    control: JoinHandle<()>,
    /// The mDNS announcement, when listening on the network.
    announcing: Option<JoinHandle<()>>,
    /// What the control socket calls to bring the window forward (the desktop app sets it).
    pub focus: crate::control::FocusSlot,
}

pub async fn start(config: &DeskConfig) -> anyhow::Result<RunningDesk> {
    let store = StoreConfig { cache_bytes: config.cache_bytes };
    let mut progress = |line: &str| eprintln!("{line}");
    let test_clock = config.test_clock.then(|| Arc::new(ShiftedClock::default()));
    let clock: Arc<dyn Clock> = match &test_clock {
        Some(c) => c.clone(),
        None => Arc::new(SystemClock),
    };
    let desk = Desk::open(&config.data_dir, &store, clock, &mut progress)
        .with_context(|| format!("cannot open the data folder {}", config.data_dir.display()))?;
    desk.set_widget_rate_limits(config.widget_rate_limits);
    let listener = tokio::net::TcpListener::bind(config.listen).await.with_context(|| {
        format!(
            "cannot listen on {}: is another Frontdesk running? Use --listen to pick another address",
            config.listen
        )
    })?;
    let addr = listener.local_addr()?;
    let hosts = if config.on_lan() {
        let host = crate::discovery::hostname().to_ascii_lowercase();
        HostPolicy::Lan { names: vec![format!("frontdesk-{host}.local"), format!("{host}.local"), host] }
    } else {
        HostPolicy::LoopbackOnly
    };
    let app = router(desk.clone(), hosts, test_clock).into_make_service_with_connect_info::<SocketAddr>();
    // Timers that fell due while the desk was down fire now.
    let scheduler = tokio::spawn(desk.clone().run_scheduler());
    // Emails queued before a stop or a crash go out now.
    let outbox = tokio::spawn(desk.clone().run_outbox());
    // The search index catches up with (or is rebuilt from) the store.
    let indexer = tokio::spawn(desk.clone().run_indexer());
    // A daily backup missed while the desk was off is made now.
    let backups = tokio::spawn(desk.clone().run_backups());
    let focus = crate::control::FocusSlot::default();
    let control = match crate::control::listen(&config.data_dir, desk.clone(), focus.clone()) {
        Ok(task) => task,
        Err(e) => {
            // Only a second launch and `frontdesk backup` need it; the desk works without.
            tracing::warn!("no control socket: {e:#}");
            tokio::spawn(async {})
        }
    };
    let (shutdown, stop) = oneshot::channel::<()>();
    let stopped = async {
        let _ = stop.await;
    };
    // On the network: HTTPS with the desk's own certificate (plain HTTP only from this machine).
    let certificate =
        if config.https() { Some(crate::lan::DeskCertificate::load_or_create(&config.data_dir)?) } else { None };
    let server = match &certificate {
        Some(cert) => {
            use axum::serve::ListenerExt;
            let lan = crate::lan::LanListener::new(listener, cert, false)?.tap_io(|_| {});
            tokio::spawn(async move { axum::serve(lan, app).with_graceful_shutdown(stopped).await })
        }
        None => tokio::spawn(async move { axum::serve(listener, app).with_graceful_shutdown(stopped).await }),
    };
    let fingerprint = certificate.as_ref().map(|c| c.fingerprint());
    // Colleagues' join screens find the desk by name; only when it listens on the network.
    let scheme = if certificate.is_some() { "https" } else { "http" };
    let announcing = if config.on_lan() {
        match crate::discovery::Announcement::start(&desk, addr.port(), scheme) {
            Ok(a) => Some(tokio::spawn(a.follow(desk.clone()))),
            Err(e) => {
                tracing::warn!("the desk is not announced on the network (type its address to join): {e:#}");
                None
            }
        }
    } else {
        None
    };
    let urls = if config.on_lan() { crate::lan::urls(addr, scheme) } else { Vec::new() };
    desk.set_network(frontdesk_engine::NetworkStatus {
        on_lan: config.on_lan(),
        urls,
        fingerprint: fingerprint.clone(),
        announced: announcing.is_some(),
    });
    Ok(RunningDesk {
        addr,
        desk,
        fingerprint,
        shutdown,
        server,
        scheduler,
        outbox,
        indexer,
        backups,
        control,
        announcing,
        focus,
    })
}

impl RunningDesk {
    /// The URL this machine's own window or browser uses.
    pub fn local_url(&self) -> String {
        let port = self.addr.port();
        if self.addr.ip().is_unspecified() {
            format!("http://127.0.0.1:{port}/")
        } else {
            format!("http://{}/", self.addr)
        }
    }

    /// Stops taking requests, lets running ones finish, and flushes the store.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(());
        self.server.await.context("the HTTP server task failed")?.context("the HTTP server failed")?;
        self.scheduler.abort();
        // An email in flight is sent again on the next start, with the same Message-ID.
        self.outbox.abort();
        // What it had not applied yet it applies on the next start, from the store.
        self.indexer.abort();
        // A backup being written is left as a .part file, never mistaken for a backup.
        self.backups.abort();
        self.control.abort();
        if let Some(a) = self.announcing {
            // Dropping the announcement says goodbye on the network.
            a.abort();
            let _ = a.await;
        }
        self.desk.flush().context("the final flush of the store failed")?;
        Ok(())
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn terminated() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
