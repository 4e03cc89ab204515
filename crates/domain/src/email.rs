//! Outgoing email: the SMTP settings an admin gives, email addresses, the outbox's record of each
//! email and the rule for retrying one. Sending is `frontdesk-mail`'s; keeping the record is the
//! store's.

use crate::account::normalize_email;
use crate::{DomainError, Id, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SmtpSecurity {
    /// Plain text: only for a relay on the same machine or network.
    None,
    /// Connect in plain text and upgrade (port 587); refuses to go on without TLS.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    ImplicitTls,
}

/// The SMTP settings as stored. The password never appears in `Debug` output or logs, and the
/// API shows `SmtpSettingsView` instead.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from_address: String,
    pub from_name: String,
    /// Where customers' replies go; the from address when none is given.
    pub reply_to: Option<String>,
}

impl SmtpSettings {
    pub fn reply_to(&self) -> &str {
        self.reply_to.as_deref().unwrap_or(&self.from_address)
    }
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
            .field("reply_to", &self.reply_to)
            .finish()
    }
}

/// What an admin sends to change the SMTP settings.
#[derive(Clone, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct SmtpSettingsInput {
    pub host: String,
    /// 587 for STARTTLS, 465 for implicit TLS, 25 without security when omitted.
    #[ts(optional)]
    pub port: Option<u16>,
    #[serde(default)]
    pub security: SmtpSecurity,
    #[ts(optional)]
    pub username: Option<String>,
    /// Omitted: keep the stored password. Empty: remove it.
    #[ts(optional)]
    pub password: Option<String>,
    pub from_address: String,
    pub from_name: String,
    #[ts(optional)]
    pub reply_to: Option<String>,
}

impl fmt::Debug for SmtpSettingsInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettingsInput")
            .field("host", &self.host)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl SmtpSettingsInput {
    /// The settings to store, checked; the password is kept from `current` unless a new one
    /// (or an empty one, to remove it) is given.
    pub fn apply(self, current: Option<&SmtpSettings>) -> Result<SmtpSettings, DomainError> {
        let host = self.host.trim().to_ascii_lowercase();
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        if !host_ok {
            return Err(DomainError::invalid("host", "give the SMTP server's name or address, like smtp.example.com"));
        }
        let port = self.port.unwrap_or(match self.security {
            SmtpSecurity::None => 25,
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::ImplicitTls => 465,
        });
        if port == 0 {
            return Err(DomainError::invalid("port", "must be between 1 and 65535"));
        }
        let username = self.username.map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
        if username.as_ref().is_some_and(|u| u.len() > 256) {
            return Err(DomainError::invalid("username", "must be at most 256 characters"));
        }
        let password = match self.password {
            None => current.and_then(|c| c.password.clone()),
            Some(p) if p.is_empty() => None,
            Some(p) if p.len() > 1024 => {
                return Err(DomainError::invalid("password", "must be at most 1024 characters"));
            }
            Some(p) => Some(p),
        };
        if password.is_some() && username.is_none() {
            return Err(DomainError::invalid("username", "give the username that goes with the password"));
        }
        let from_address = email_address("from_address", &self.from_address)?;
        let from_name = self.from_name.trim().to_string();
        if from_name.is_empty() || from_name.chars().count() > 120 || from_name.chars().any(char::is_control) {
            return Err(DomainError::invalid("from_name", "must be 1 to 120 characters, on one line"));
        }
        let reply_to = match self.reply_to.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(email_address("reply_to", r)?),
            None => None,
        };
        Ok(SmtpSettings { host, port, security: self.security, username, password, from_address, from_name, reply_to })
    }
}

/// The SMTP settings as the API shows them: whether a password is set, never the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct SmtpSettingsView {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password_set: bool,
    pub from_address: String,
    pub from_name: String,
    pub reply_to: Option<String>,
}

impl From<&SmtpSettings> for SmtpSettingsView {
    fn from(s: &SmtpSettings) -> Self {
        SmtpSettingsView {
            host: s.host.clone(),
            port: s.port,
            security: s.security,
            username: s.username.clone(),
            password_set: s.password.is_some(),
            from_address: s.from_address.clone(),
            from_name: s.from_name.clone(),
            reply_to: s.reply_to.clone(),
        }
    }
}

/// An address someone typed, checked and normalized; the error names the field.
pub fn email_address(field: &'static str, raw: &str) -> Result<String, DomainError> {
    normalize_email(raw).map_err(|e| match e {
        DomainError::Invalid { message, .. } => DomainError::Invalid { field, message },
    })
}

/// What an email in the outbox carries. Its content is rendered when it is sent, from what is
/// stored here, so every attempt sends the same email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum EmailPurpose {
    /// The conversation's public messages up to `up_to_seq` (the last one when it was asked for).
    Transcript { conversation: Id, up_to_seq: u64 },
    /// Agents' replies from `from_seq` to `up_to_seq` for a customer who had left the chat,
    /// with a link back to it. Replies that come while it waits join it.
    Replies { conversation: Id, from_seq: u64, up_to_seq: u64 },
}

impl EmailPurpose {
    pub fn conversation(&self) -> Option<Id> {
        match self {
            EmailPurpose::Transcript { conversation, .. } | EmailPurpose::Replies { conversation, .. } => {
                Some(*conversation)
            }
        }
    }
}

/// How long a replies email waits before it goes, so that several quick replies make one email
/// and a customer who comes back to the chat and reads them gets none.
pub const REPLY_BATCH: Duration = Duration::from_secs(120);

/// Where an email is on its way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EmailState {
    /// Written to the store, not tried yet.
    Queued,
    /// A try failed for a reason that may pass (server down, a 4xx answer); tried again later.
    Retrying,
    Sent,
    /// The server refused it for good (5xx), or it kept failing for a day.
    Failed,
    /// Not sent because it was no longer needed (the customer read the replies in the chat).
    Skipped,
}

/// How long temporary failures are retried before the email is given up.
pub const RETRY_FOR: Duration = Duration::from_secs(24 * 3600);
const FIRST_RETRY: Duration = Duration::from_secs(15);
const LONGEST_WAIT: Duration = Duration::from_secs(30 * 60);

/// One email in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct OutgoingEmail {
    pub id: Id,
    /// Set when queued and kept for every attempt, so a resend after a crash is recognisably
    /// the same email.
    pub message_id: String,
    pub to: String,
    pub purpose: EmailPurpose,
    /// The agent who asked for it; none when sent automatically.
    pub requested_by: Option<Id>,
    pub state: EmailState,
    pub attempts: u32,
    pub queued_at: Timestamp,
    /// When the outbox tries it next (queued or retrying only).
    pub next_attempt_at: Option<Timestamp>,
    /// The server's answer or the connection error of the last failed try.
    pub last_error: Option<String>,
    pub sent_at: Option<Timestamp>,
}

/// What one try to send an email came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    /// Connection refused, timed out, or a 4xx answer: worth trying again.
    Temporary(String),
    /// A 5xx answer, or an email that cannot be made: trying again would not help.
    Permanent(String),
    /// Nothing left to tell (the customer saw it all meanwhile): not sent, and no error.
    Unneeded(String),
}

impl OutgoingEmail {
    pub fn queue(
        id: Id,
        message_id: String,
        to: String,
        purpose: EmailPurpose,
        requested_by: Option<Id>,
        now: Timestamp,
    ) -> OutgoingEmail {
        OutgoingEmail {
            id,
            message_id,
            to,
            purpose,
            requested_by,
            state: EmailState::Queued,
            attempts: 0,
            queued_at: now,
            next_attempt_at: Some(now),
            last_error: None,
            sent_at: None,
        }
    }

    /// A replies email for a customer who left the chat: it waits `REPLY_BATCH` first.
    pub fn queue_replies(
        id: Id,
        message_id: String,
        to: String,
        conversation: Id,
        seq: u64,
        now: Timestamp,
    ) -> OutgoingEmail {
        let purpose = EmailPurpose::Replies { conversation, from_seq: seq, up_to_seq: seq };
        let mut email = OutgoingEmail::queue(id, message_id, to, purpose, None, now);
        email.next_attempt_at = Some(now.plus(REPLY_BATCH));
        email
    }

    /// Adds the reply `seq` to a replies email that has not been tried yet; false when this
    /// email cannot take it (another purpose, already tried, or for another address).
    pub fn take_reply(&mut self, seq: u64, to: &str) -> bool {
        let untried = self.state == EmailState::Queued && self.attempts == 0 && self.to == to;
        match &mut self.purpose {
            EmailPurpose::Replies { up_to_seq, .. } if untried => {
                *up_to_seq = (*up_to_seq).max(seq);
                true
            }
            _ => false,
        }
    }

    /// Whether the outbox still has to send it.
    pub fn is_waiting(&self) -> bool {
        matches!(self.state, EmailState::Queued | EmailState::Retrying)
    }

    /// Records a try made at `now`: sent, retried later (waits doubling from 15 s up to 30 min),
    /// or failed for good: at once on a permanent error, or when the next try would fall more
    /// than a day after the email was queued.
    pub fn record(&mut self, attempt: Attempt, now: Timestamp) {
        self.attempts = self.attempts.saturating_add(1);
        match attempt {
            Attempt::Sent => {
                self.state = EmailState::Sent;
                self.sent_at = Some(now);
                self.next_attempt_at = None;
            }
            Attempt::Permanent(reason) => {
                self.state = EmailState::Failed;
                self.last_error = Some(reason);
                self.next_attempt_at = None;
            }
            Attempt::Unneeded(reason) => {
                self.state = EmailState::Skipped;
                self.last_error = Some(reason);
                self.next_attempt_at = None;
            }
            Attempt::Temporary(reason) => {
                let doublings = self.attempts.saturating_sub(1).min(16);
                let wait = FIRST_RETRY.saturating_mul(1 << doublings).min(LONGEST_WAIT);
                let next = now.plus(wait);
                if next.0 > self.queued_at.plus(RETRY_FOR).0 {
                    self.state = EmailState::Failed;
                    self.last_error = Some(format!("gave up after trying for 24 hours; the last answer was: {reason}"));
                    self.next_attempt_at = None;
                } else {
                    self.state = EmailState::Retrying;
                    self.last_error = Some(reason);
                    self.next_attempt_at = Some(next);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SmtpSettingsInput {
        SmtpSettingsInput {
            host: " SMTP.Acme.test ".into(),
            port: None,
            security: SmtpSecurity::Starttls,
            username: Some("desk".into()),
            password: Some("hunter2-secret".into()),
            from_address: "Help@Acme.test".into(),
            from_name: "Acme Help".into(),
            reply_to: None,
        }
    }

    #[test]
    fn settings_take_the_usual_port_for_their_security_and_keep_the_password_when_none_is_given() {
        let first = input().apply(None).unwrap();
        assert_eq!((first.host.as_str(), first.port), ("smtp.acme.test", 587));
        assert_eq!(first.from_address, "help@acme.test");
        assert_eq!(first.reply_to(), "help@acme.test");
        let kept = SmtpSettingsInput { password: None, ..input() }.apply(Some(&first)).unwrap();
        assert_eq!(kept.password.as_deref(), Some("hunter2-secret"));
        let cleared = SmtpSettingsInput { password: Some(String::new()), ..input() }.apply(Some(&first)).unwrap();
        assert_eq!(cleared.password, None);
        let tls = SmtpSettingsInput { security: SmtpSecurity::ImplicitTls, ..input() }.apply(None).unwrap();
        assert_eq!(tls.port, 465);
    }

    #[test]
    fn bad_settings_name_the_field() {
        let err = |i: SmtpSettingsInput| match i.apply(None).unwrap_err() {
            DomainError::Invalid { field, .. } => field,
        };
        assert_eq!(err(SmtpSettingsInput { host: "smtp acme".into(), ..input() }), "host");
        assert_eq!(err(SmtpSettingsInput { from_address: "help".into(), ..input() }), "from_address");
        assert_eq!(err(SmtpSettingsInput { reply_to: Some("a@b".into()), ..input() }), "reply_to");
        assert_eq!(err(SmtpSettingsInput { username: None, ..input() }), "username");
        assert_eq!(err(SmtpSettingsInput { from_name: "A\nBcc: x@y.z".into(), ..input() }), "from_name");
        assert_eq!(err(SmtpSettingsInput { port: Some(0), ..input() }), "port");
    }

    #[test]
    fn the_password_prints_as_stars() {
        let s = input().apply(None).unwrap();
        let shown = format!("{s:?} {:?}", input());
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(shown.contains("***"));
        let view = serde_json::to_string(&SmtpSettingsView::from(&s)).unwrap();
        assert!(!view.contains("hunter2"), "{view}");
        assert!(view.contains("\"password_set\":true"));
    }

    fn queued() -> OutgoingEmail {
        let purpose = EmailPurpose::Transcript { conversation: Id(1), up_to_seq: 3 };
        OutgoingEmail::queue(Id(9), "<9@acme.test>".into(), "bob@x.test".into(), purpose, None, Timestamp(0))
    }

    #[test]
    fn temporary_failures_wait_longer_each_time_and_give_up_after_a_day() {
        let mut e = queued();
        let mut now = Timestamp(0);
        let mut waits = Vec::new();
        while e.is_waiting() {
            e.record(Attempt::Temporary("421 busy".into()), now);
            if let Some(next) = e.next_attempt_at {
                waits.push((next.0 - now.0) / 1000);
                now = next;
            }
        }
        assert_eq!(&waits[..5], &[15, 30, 60, 120, 240]);
        assert!(waits.iter().all(|w| *w <= 1800), "never more than 30 minutes between tries: {waits:?}");
        assert_eq!(e.state, EmailState::Failed);
        assert!(now.0 <= 24 * 3600 * 1000, "the last try is within the day");
        assert!(now.0 > 23 * 3600 * 1000, "tries go on for most of the day, last at {}", now.0);
        assert!(e.last_error.as_deref().unwrap_or("").contains("421 busy"));
    }

    #[test]
    fn a_permanent_failure_stops_at_once_and_a_success_records_when() {
        let mut e = queued();
        e.record(Attempt::Permanent("550 no such user".into()), Timestamp(5));
        assert_eq!((e.state, e.next_attempt_at, e.attempts), (EmailState::Failed, None, 1));
        let mut e = queued();
        e.record(Attempt::Temporary("connection refused".into()), Timestamp(5));
        e.record(Attempt::Sent, Timestamp(20_000));
        assert_eq!((e.state, e.sent_at, e.attempts), (EmailState::Sent, Some(Timestamp(20_000)), 2));
        assert!(!e.is_waiting());
    }

    #[test]
    fn quick_replies_join_the_waiting_email_until_it_is_tried() {
        let now = Timestamp(1_000);
        let mut e = OutgoingEmail::queue_replies(Id(9), "<9@a>".into(), "bob@x.test".into(), Id(1), 4, now);
        assert_eq!(e.next_attempt_at, Some(now.plus(REPLY_BATCH)), "waits for more replies first");
        assert!(e.take_reply(6, "bob@x.test"));
        assert!(!e.take_reply(7, "eve@x.test"), "an address changed meanwhile gets its own email");
        assert_eq!(e.purpose, EmailPurpose::Replies { conversation: Id(1), from_seq: 4, up_to_seq: 6 });
        e.record(Attempt::Temporary("421 busy".into()), now.plus(REPLY_BATCH));
        assert!(!e.take_reply(8, "bob@x.test"), "an email tried once keeps its content for every retry");
        let mut transcript = queued();
        assert!(!transcript.take_reply(8, "bob@x.test"));
        let mut read = OutgoingEmail::queue_replies(Id(10), "<10@a>".into(), "bob@x.test".into(), Id(1), 4, now);
        read.record(Attempt::Unneeded("read in the chat".into()), now);
        assert_eq!((read.state, read.is_waiting()), (EmailState::Skipped, false));
    }
}
