//! How colleagues reach this desk: set by the shell that listens (address, HTTPS or not, the
//! certificate's fingerprint), shown on the admin's Network screen so a joining colleague can
//! compare the fingerprint their app shows. Never stored: it is read again at every start.

use crate::{Desk, Result};
use frontdesk_domain::Agent;
use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct NetworkStatus {
    /// Listening beyond this computer (`--lan`).
    pub on_lan: bool,
    /// Addresses colleagues can join, e.g. `https://192.168.1.20:7878/`.
    pub urls: Vec<String>,
    /// SHA-256 of the desk's certificate ("AB:CD:…"), when it serves HTTPS on the network.
    #[ts(optional)]
    pub fingerprint: Option<String>,
    /// Announced on the network by name (mDNS).
    pub announced: bool,
}

impl Desk {
    /// Set once the desk listens (by `frontdesk serve` or the desktop app).
    pub fn set_network(&self, status: NetworkStatus) {
        *self.inner.network.lock().unwrap_or_else(|p| p.into_inner()) = status;
    }

    /// Whether `name` is the host of an inbox's public URL (a proxy in front of the desk), which
    /// the desk answers to besides its own addresses.
    pub fn is_public_host(&self, name: &str) -> Result<bool> {
        Ok(self.store().inboxes()?.iter().any(|inbox| {
            let url = inbox.widget.public_url.trim();
            let rest = url.split_once("://").map_or(url, |(_, r)| r);
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host =
                host.rsplit_once(':')
                    .map_or(host, |(h, port)| if port.chars().all(|c| c.is_ascii_digit()) { h } else { host });
            !host.is_empty() && host.eq_ignore_ascii_case(name)
        }))
    }

    /// Any agent may see it: the fingerprint is what a colleague compares, not a secret.
    pub fn network(&self, _actor: &Agent) -> Result<NetworkStatus> {
        Ok(self.inner.network.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }
}
