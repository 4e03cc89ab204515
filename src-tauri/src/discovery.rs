//! Finding desks on the office network with mDNS (`_frontdesk._tcp.local.`): a host desk that
//! listens beyond loopback announces itself under its business name; `frontdesk discover` and the
//! desktop app's join screen list the desks that answer. Nothing is announced on loopback only.

use anyhow::Context;
use frontdesk_domain::EventKind;
use frontdesk_engine::Desk;
use mdns_sd::{ServiceDaemon, ServiceEvent, ServiceInfo};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

pub const SERVICE: &str = "_frontdesk._tcp.local.";

/// A desk that answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundDesk {
    /// Its business name (or "Frontdesk on HOST" before setup).
    pub name: String,
    /// How to reach it, e.g. `http://192.168.1.20:7878/`.
    pub url: String,
    pub version: String,
}

/// The announcement; dropping it says goodbye on the network.
pub struct Announcement {
    daemon: ServiceDaemon,
    fullname: Option<String>,
    port: u16,
    scheme: &'static str,
}

impl Announcement {
    /// Announces the desk on `port`, named after its business, and renames it when the desk is
    /// set up later.
    pub fn start(desk: &Desk, port: u16, scheme: &'static str) -> anyhow::Result<Announcement> {
        let daemon = ServiceDaemon::new().context("cannot start mDNS")?;
        let mut announcement = Announcement { daemon, fullname: None, port, scheme };
        let name = desk.setup_status().ok().and_then(|s| s.business_name);
        announcement.register(name.as_deref())?;
        Ok(announcement)
    }

    fn register(&mut self, business: Option<&str>) -> anyhow::Result<()> {
        if let Some(old) = self.fullname.take() {
            let _ = self.daemon.unregister(&old);
        }
        let host = hostname();
        let name = match business {
            Some(b) => b.to_string(),
            None => format!("Frontdesk on {host}"),
        };
        // An mDNS label holds at most 63 bytes; cut on a character boundary.
        let mut label = name.clone();
        while label.len() > 63 {
            label.pop();
        }
        let properties = [("business", name.as_str()), ("version", env!("CARGO_PKG_VERSION")), ("scheme", self.scheme)];
        let info =
            ServiceInfo::new(SERVICE, &label, &format!("frontdesk-{host}.local."), "", self.port, &properties[..])
                .context("the desk's mDNS record")?
                .enable_addr_auto();
        let fullname = info.get_fullname().to_string();
        self.daemon.register(info).context("cannot announce the desk with mDNS")?;
        tracing::info!("announcing '{name}' on the network (mDNS {SERVICE}, port {})", self.port);
        self.fullname = Some(fullname);
        Ok(())
    }

    /// Follows the desk's events so the announcement carries the business name once it has one.
    pub async fn follow(mut self, desk: Desk) {
        let mut events = desk.subscribe();
        loop {
            match events.recv().await {
                Ok(e) => {
                    if let EventKind::SetupCompleted { business_name, .. } = &e.kind {
                        if let Err(e) = self.register(Some(business_name)) {
                            tracing::warn!("{e:#}");
                        }
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    }
}

impl Drop for Announcement {
    fn drop(&mut self) {
        if let Some(name) = self.fullname.take() {
            if let Ok(done) = self.daemon.unregister(&name) {
                let _ = done.recv_timeout(Duration::from_millis(500));
            }
        }
        let _ = self.daemon.shutdown();
    }
}

/// Asks the network for desks and collects the answers for `wait` (`frontdesk discover`).
pub fn discover(wait: Duration) -> anyhow::Result<Vec<FoundDesk>> {
    let listening = Listening::default();
    listening.start().map_err(|e| anyhow::anyhow!(e))?;
    std::thread::sleep(wait);
    let found = listening.found();
    if let Some(Ok(daemon)) = listening.started.get() {
        let _ = daemon.stop_browse(SERVICE);
        let _ = daemon.shutdown();
    }
    Ok(found)
}

/// A resolved answer as the join screen lists it: by business name, at its first IPv4 address.
fn found_desk(service: &mdns_sd::ResolvedService) -> Option<FoundDesk> {
    let mut v4: Vec<_> = service.get_addresses_v4().into_iter().filter(|a| !a.is_loopback()).collect();
    v4.sort();
    let address = v4.first()?;
    let scheme = service.get_property_val_str("scheme").unwrap_or("http");
    Some(FoundDesk {
        name: service.get_property_val_str("business").unwrap_or(&service.fullname).to_string(),
        url: format!("{scheme}://{address}:{}/", service.port),
        version: service.get_property_val_str("version").unwrap_or("?").to_string(),
    })
}

pub fn hostname() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_else(|| "desk".into());
    let clean: String = raw.trim().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    if clean.is_empty() {
        "desk".into()
    } else {
        clean
    }
}

/// The desktop app's ear on the network: one browse that keeps running once the join screen
/// first asks, so later asks answer at once with every desk heard so far.
#[derive(Default)]
pub struct Listening {
    found: std::sync::Arc<std::sync::Mutex<BTreeMap<String, FoundDesk>>>,
    started: std::sync::OnceLock<Result<ServiceDaemon, String>>,
}

impl Listening {
    fn start(&self) -> Result<bool, String> {
        let mut first = false;
        let started = self.started.get_or_init(|| {
            first = true;
            let daemon = ServiceDaemon::new().map_err(|e| format!("cannot start mDNS: {e}"))?;
            let answers = daemon.browse(SERVICE).map_err(|e| format!("cannot ask the network for desks: {e}"))?;
            let found = self.found.clone();
            std::thread::spawn(move || {
                while let Ok(event) = answers.recv() {
                    let mut found = found.lock().unwrap_or_else(|p| p.into_inner());
                    match event {
                        ServiceEvent::ServiceResolved(service) => {
                            if let Some(desk) = found_desk(&service) {
                                found.insert(service.fullname.clone(), desk);
                            }
                        }
                        ServiceEvent::ServiceRemoved(_, fullname) => {
                            found.remove(&fullname);
                        }
                        _ => {}
                    }
                }
            });
            Ok(daemon)
        });
        started.as_ref().map(|_| first).map_err(Clone::clone)
    }

    /// Every desk heard so far, by name.
    fn found(&self) -> Vec<FoundDesk> {
        self.found.lock().unwrap_or_else(|p| p.into_inner()).values().cloned().collect()
    }
}

/// The join screen's list: what the network answered (the first ask waits 2 s for answers).
#[tauri::command]
pub async fn discover_desks(listening: tauri::State<'_, Listening>) -> Result<Vec<FoundDesk>, String> {
    if listening.start()? {
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    Ok(listening.found())
}
