//! The lettre SMTP transport: builds the MIME message (a plain-text and an HTML alternative) and
//! hands it to the admin's SMTP server, sorting failures into those worth retrying (the server
//! is unreachable, or answers 4xx) and those that are not (5xx, or a message that cannot be
//! built). Connections are pooled so a busy outbox does not reconnect for every email.

use frontdesk_domain::email::{SmtpSecurity, SmtpSettings};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::{AsyncSmtpTransport, PoolConfig};
use lettre::{AsyncTransport, Message, Tokio1Executor};
use std::error::Error as _;
use std::time::Duration;

/// How long one SMTP command may take before the try counts as a temporary failure.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// An email ready to go: its content is rendered, its addresses checked by the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// "<id@domain>", the same on every try.
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// Why an email did not go, in words for the person reading the outbox.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again: connection refused or dropped, a timeout, a 4xx answer.
    #[error("{0}")]
    Temporary(String),
    /// The server refused it for good (5xx), or the message cannot be built.
    #[error("{0}")]
    Permanent(String),
}

/// A transport for one set of SMTP settings; build a new one when the settings change. Its
/// connection pool needs a Tokio runtime: make and drop it inside one.
pub struct Mailer {
    settings: SmtpSettings,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Mailer {
    pub fn new(settings: &SmtpSettings) -> Result<Mailer, SendError> {
        let tls = match settings.security {
            SmtpSecurity::None => Tls::None,
            SmtpSecurity::Starttls => Tls::Required(tls_parameters(&settings.host)?),
            SmtpSecurity::ImplicitTls => Tls::Wrapper(tls_parameters(&settings.host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
            .port(settings.port)
            .tls(tls)
            .timeout(Some(COMMAND_TIMEOUT))
            .pool_config(PoolConfig::new().max_size(4).idle_timeout(Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer { settings: settings.clone(), transport: builder.build() })
    }

    pub fn settings(&self) -> &SmtpSettings {
        &self.settings
    }

    /// Sends one email; on success, the server's answer ("250 OK: queued as 1234").
    pub async fn send(&self, email: &OutgoingMessage) -> Result<String, SendError> {
        let message = self.build(email)?;
        match self.transport.send(message).await {
            Ok(response) => {
                let text = response.message().collect::<Vec<_>>().join(" ");
                Ok(format!("{} {text}", response.code()).trim_end().to_string())
            }
            Err(e) => Err(self.classify(&e)),
        }
    }

    fn build(&self, email: &OutgoingMessage) -> Result<Message, SendError> {
        let s = &self.settings;
        let mailbox = |what: &str, name: Option<&str>, address: &str| -> Result<Mailbox, SendError> {
            let address = address
                .parse()
                .map_err(|e| SendError::Permanent(format!("the {what} address '{address}' cannot be used: {e}")))?;
            Ok(Mailbox::new(name.map(str::to_string), address))
        };
        Message::builder()
            .from(mailbox("from", Some(&s.from_name), &s.from_address)?)
            .reply_to(mailbox("reply-to", Some(&s.from_name), s.reply_to())?)
            .to(mailbox("recipient", None, &email.to)?)
            .subject(email.subject.as_str())
            .message_id(Some(email.message_id.clone()))
            .date_now()
            .user_agent("Frontdesk".into())
            .multipart(MultiPart::alternative_plain_html(email.text.clone(), email.html.clone()))
            .map_err(|e| SendError::Permanent(format!("the email could not be put together: {e}")))
    }

    fn classify(&self, e: &lettre::transport::smtp::Error) -> SendError {
        let detail = e.source().map(|s| s.to_string()).unwrap_or_default();
        match e.status() {
            // The server's own words, with its code: what the admin will search for.
            Some(code) if e.is_permanent() => SendError::Permanent(format!("{code} {detail}").trim_end().into()),
            Some(code) => SendError::Temporary(format!("{code} {detail}").trim_end().into()),
            None => {
                let server = format!("{}:{}", self.settings.host, self.settings.port);
                let what = if e.is_timeout() {
                    format!("{server} did not answer in time")
                } else if e.is_tls() {
                    format!("the secure connection to {server} failed: {detail}")
                } else if e.is_client() {
                    // Frontdesk and the server could not agree (no login method in common, say).
                    format!("{server} cannot be used as set up: {detail}")
                } else {
                    format!("could not talk to {server}: {e}")
                };
                SendError::Temporary(what)
            }
        }
    }
}

fn tls_parameters(host: &str) -> Result<TlsParameters, SendError> {
    TlsParameters::new(host.to_string())
        .map_err(|e| SendError::Permanent(format!("TLS cannot be set up for {host}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: 1,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from_address: "help@acme.test".into(),
            from_name: "Acme \"Help\"".into(),
            reply_to: Some("support@acme.test".into()),
        }
    }

    fn email() -> OutgoingMessage {
        OutgoingMessage {
            message_id: "<42.x@acme.test>".into(),
            to: "bob@example.test".into(),
            subject: "Your conversation with Acme (#7)".into(),
            html: "<p>Hi</p>".into(),
            text: "Hi".into(),
        }
    }

    // The pooled transport must be made and dropped inside a Tokio runtime.
    #[tokio::test]
    async fn the_message_carries_both_parts_the_reply_to_and_the_given_message_id() {
        let mailer = Mailer::new(&settings()).unwrap();
        let raw = String::from_utf8(mailer.build(&email()).unwrap().formatted()).unwrap();
        assert!(raw.contains("Message-ID: <42.x@acme.test>"), "{raw}");
        assert!(raw.contains("Reply-To: \"Acme \\\"Help\\\"\" <support@acme.test>"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("text/plain") && raw.contains("text/html"), "{raw}");
    }

    #[tokio::test]
    async fn a_server_that_is_not_there_is_a_temporary_failure() {
        let mut s = settings();
        // A port nothing listens on: bind one, then let it go.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        s.port = port;
        let err = Mailer::new(&s).unwrap().send(&email()).await.unwrap_err();
        assert!(matches!(&err, SendError::Temporary(m) if m.contains(&format!("127.0.0.1:{port}"))), "{err:?}");
    }

    #[tokio::test]
    async fn an_address_lettre_cannot_use_is_a_permanent_failure() {
        let mailer = Mailer::new(&settings()).unwrap();
        let bad = OutgoingMessage { to: "not an address".into(), ..email() };
        assert!(matches!(mailer.build(&bad), Err(SendError::Permanent(m)) if m.contains("recipient")));
    }
}
