//! Frontdesk's outgoing mail: the SMTP settings the admin gives, the transcript templates, and
//! (with the outbox) the lettre transport. It knows the domain, never the store.

pub mod transcript;

use serde::{Deserialize, Serialize};
use std::fmt;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    None,
    #[default]
    Starttls,
    ImplicitTls,
}

/// The SMTP settings. The password never appears in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from_address: String,
    pub from_name: String,
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from_address", &self.from_address)
            .field("from_name", &self.from_name)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smtp_password_prints_as_stars() {
        let s = SmtpSettings {
            host: "smtp.acme.test".into(),
            port: 587,
            security: SmtpSecurity::Starttls,
            username: Some("desk".into()),
            password: Some("hunter2-secret".into()),
            from_address: "help@acme.test".into(),
            from_name: "Acme".into(),
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(shown.contains("***"));
    }
}
