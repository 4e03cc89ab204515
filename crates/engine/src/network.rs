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

    /// Any agent may see it: the fingerprint is what a colleague compares, not a secret.
    pub fn network(&self, _actor: &Agent) -> Result<NetworkStatus> {
        Ok(self.inner.network.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }
}
