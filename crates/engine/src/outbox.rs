//! Outgoing email: the SMTP settings, transcripts asked for by agents or sent on solve, and the
//! outbox worker. An email is written to the store (with the activity line and the event) before
//! anyone is told it is queued; the worker sends what is due and records each try. A try that
//! was under way when the desk stopped is made again on start with the same Message-ID: SMTP
//! cannot tell us whether the server kept a message whose answer we never read.

use crate::accounts::require_admin;
use crate::conversations::note;
use crate::secrets::random_hex;
use crate::{Desk, EngineError, Result, MAX_SLEEP};
use frontdesk_domain::activity::Activity;
use frontdesk_domain::email::{
    email_address, Attempt, EmailPurpose, EmailState, OutgoingEmail, SmtpSettings, SmtpSettingsInput, SmtpSettingsView,
};
use frontdesk_domain::inbox::{Conversation, Inbox, MessageKind};
use frontdesk_domain::link;
use frontdesk_domain::snooze::parse_time_zone;
use frontdesk_domain::{Agent, EventKind, Id};
use frontdesk_mail::transcript::{render, render_replies, Language, TranscriptInput};
use frontdesk_mail::{Mailer, OutgoingMessage, SendError};
use frontdesk_store::{Tx, TxError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

type TxResult<T> = std::result::Result<T, TxError<EngineError>>;

/// How many emails the worker has in flight at once (the SMTP connection pool's size).
const LANES: usize = 4;
/// How many due emails the worker reads at a time.
const CHUNK: usize = 64;

/// An agent's "send transcript": to the contact's email unless another address is given.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct TranscriptRequest {
    #[ts(optional)]
    pub to: Option<String>,
}

/// "Send test email": to the admin unless another address is given, with the stored settings
/// or with the ones being edited (not saved).
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct TestEmailRequest {
    #[ts(optional)]
    pub to: Option<String>,
    #[ts(optional)]
    pub settings: Option<SmtpSettingsInput>,
}

/// What the SMTP server said to the test email, word for word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct TestEmailOutcome {
    pub to: String,
    pub sent: bool,
    /// "250 OK queued as 1234", or the refusal or connection error.
    pub answer: String,
}

impl Desk {
    /// The SMTP settings without the password; none until an admin sets them.
    pub fn smtp_settings(&self, actor: &Agent) -> Result<Option<SmtpSettingsView>> {
        require_admin(actor, "see the email settings")?;
        Ok(self.store().smtp_settings()?.as_ref().map(SmtpSettingsView::from))
    }

    pub async fn update_smtp_settings(&self, actor: &Agent, input: SmtpSettingsInput) -> Result<SmtpSettingsView> {
        require_admin(actor, "change the email settings")?;
        let actor = actor.id;
        let saved = self
            .command(move |tx| {
                let settings =
                    input.clone().apply(tx.smtp_settings()?.as_ref()).map_err(|e| TxError::Abort(e.into()))?;
                tx.put_smtp_settings(&settings)?;
                tx.record(Some(actor), EventKind::SmtpSettingsUpdated)?;
                Ok(settings)
            })
            .await?;
        // Emails waiting for a server that was wrong may go now.
        self.wake_outbox();
        Ok(SmtpSettingsView::from(&saved))
    }

    /// Sends a test email at once (not through the outbox) and reports the server's answer.
    pub async fn send_test_email(&self, actor: &Agent, request: TestEmailRequest) -> Result<TestEmailOutcome> {
        require_admin(actor, "send a test email")?;
        let stored = self.store().smtp_settings()?;
        let settings = match request.settings {
            Some(input) => input.apply(stored.as_ref())?,
            None => stored.ok_or_else(not_set_up)?,
        };
        let to = match request.to.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(to) => email_address("to", to)?,
            None => actor.email.clone(),
        };
        let business = self.store().business()?.map_or_else(|| "Frontdesk".to_string(), |b| b.name);
        let text = format!(
            "This is a test email from {business}'s Frontdesk, sent by {}.\n\nIf you can read it, \
             transcripts will reach your customers.\n",
            actor.name
        );
        let html = format!("<p>{}</p>", frontdesk_mail::transcript::escape_html(&text).replace("\n\n", "</p><p>"));
        let message = OutgoingMessage {
            message_id: message_id(&settings, "test", &random_hex::<8>()?),
            to: to.clone(),
            subject: format!("Test email from {business}"),
            html,
            text,
        };
        let sent = match Mailer::new(&settings) {
            Ok(mailer) => mailer.send(&message).await,
            Err(e) => Err(e),
        };
        Ok(match sent {
            Ok(answer) => TestEmailOutcome { to, sent: true, answer },
            Err(e) => TestEmailOutcome { to, sent: false, answer: e.to_string() },
        })
    }

    /// Queues the conversation's transcript for `to` (the contact's email when omitted).
    pub async fn send_transcript(
        &self,
        actor: &Agent,
        conversation: Id,
        request: TranscriptRequest,
    ) -> Result<OutgoingEmail> {
        let to = request.to.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(|t| email_address("to", t));
        let to = to.transpose()?;
        let actor = actor.clone();
        let token = random_hex::<8>()?;
        self.command(move |tx| {
            let mut c = crate::conversations::conversation_in(tx, conversation)?;
            let to = match &to {
                Some(to) => to.clone(),
                None => tx.contact(c.contact)?.and_then(|contact| contact.email).ok_or_else(|| {
                    TxError::Abort(EngineError::Invalid(frontdesk_domain::DomainError::invalid(
                        "to",
                        "the contact has no email address: give the address to send the transcript to",
                    )))
                })?,
            };
            let email = queue_transcript(tx, &mut c, to, Some(&actor), &token)?;
            tx.put_conversation(&c)?;
            Ok(email)
        })
        .await
    }

    /// A conversation's emails, oldest first, with their state.
    pub fn conversation_emails(&self, conversation: Id) -> Result<Vec<OutgoingEmail>> {
        self.conversation(conversation)?;
        Ok(self.store().conversation_emails(conversation)?)
    }

    /// The outbox, newest first, before the email `before`.
    pub fn emails(&self, before: Option<Id>, limit: usize) -> Result<Vec<OutgoingEmail>> {
        Ok(self.store().emails(before, limit.clamp(1, 200))?)
    }

    /// Tells the outbox worker to look for due emails now (after the clock moved, say).
    pub fn wake_outbox(&self) {
        self.inner.outbox_changed.notify_one();
    }

    /// Runs the outbox worker until the desk's last handle is dropped. Spawn it once per desk,
    /// on a Tokio runtime (the SMTP pool lives and dies with this task).
    pub async fn run_outbox(self) {
        let mut mailer: Option<Arc<Mailer>> = None;
        loop {
            let wait = match self.send_due_emails(&mut mailer).await {
                Ok(tried) => match self.store().next_email_due() {
                    // Still due right after a pass that tried nothing (no settings, or an index
                    // entry without its email): look again later rather than spin.
                    Ok(Some(at)) if tried == 0 && at.0 <= self.now().0 => Duration::from_secs(1),
                    Ok(Some(at)) => self.time_until(at),
                    Ok(None) => MAX_SLEEP,
                    Err(e) => {
                        tracing::error!("reading the outbox failed: {e}");
                        Duration::from_secs(1)
                    }
                },
                Err(e) => {
                    tracing::error!("the outbox could not record a try, retrying shortly: {e}");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.inner.outbox_changed.notified() => {}
            }
        }
    }

    /// Tries every email due by now, `LANES` at a time; returns how many were tried.
    async fn send_due_emails(&self, mailer: &mut Option<Arc<Mailer>>) -> Result<usize> {
        let Some(settings) = self.store().smtp_settings()? else { return Ok(0) };
        if mailer.as_ref().is_none_or(|m| m.settings() != &settings) {
            *mailer = match Mailer::new(&settings) {
                Ok(m) => Some(Arc::new(m)),
                Err(e) => {
                    tracing::error!("the SMTP settings cannot be used: {e}");
                    None
                }
            };
        }
        let mut tried = 0;
        loop {
            let due = self.store().due_emails(self.now(), CHUNK)?;
            if due.is_empty() {
                return Ok(tried);
            }
            tried += due.len();
            let lane = |n: usize| {
                let due = &due;
                let mailer = mailer.clone();
                async move {
                    for email in due.iter().skip(n).step_by(LANES) {
                        let attempt = match &mailer {
                            Some(mailer) => self.try_email(mailer, email).await,
                            None => Attempt::Temporary("the SMTP settings cannot be used: check them".into()),
                        };
                        self.record_attempt(email.id, email.attempts, attempt).await?;
                    }
                    Ok::<_, EngineError>(())
                }
            };
            let (a, b, c, d) = tokio::join!(lane(0), lane(1), lane(2), lane(3));
            a.and(b).and(c).and(d)?;
        }
    }

    async fn try_email(&self, mailer: &Mailer, email: &OutgoingEmail) -> Attempt {
        let message = match self.compose(email, mailer.settings()) {
            Ok(m) => m,
            Err(attempt) => return attempt,
        };
        match mailer.send(&message).await {
            Ok(answer) => {
                tracing::info!(email = %email.id, to = %email.to, "sent: {answer}");
                Attempt::Sent
            }
            Err(SendError::Temporary(why)) => Attempt::Temporary(why),
            Err(SendError::Permanent(why)) => Attempt::Permanent(why),
        }
    }

    /// Renders an email from the store as it is now. A transcript stops at the message that was
    /// last when it was asked for, so every try sends the same content; a replies email leaves
    /// out what the customer has read in the chat meanwhile, and is not sent when that is all.
    fn compose(&self, email: &OutgoingEmail, settings: &SmtpSettings) -> std::result::Result<OutgoingMessage, Attempt> {
        let temporary = |e: frontdesk_store::StoreError| Attempt::Temporary(format!("reading the conversation: {e}"));
        let gone = |what: &str| Attempt::Permanent(format!("the {what} no longer exists"));
        let store = self.store();
        let Some(conversation) = email.purpose.conversation() else { return Err(gone("conversation")) };
        let c = store.conversation(conversation).map_err(temporary)?.ok_or_else(|| gone("conversation"))?;
        let inbox = store.inbox(c.inbox).map_err(temporary)?.ok_or_else(|| gone("inbox"))?;
        let contact = store.contact(c.contact).map_err(temporary)?.ok_or_else(|| gone("contact"))?;
        let business = store.business().map_err(temporary)?.map_or_else(|| settings.from_name.clone(), |b| b.name);
        let messages = match &email.purpose {
            EmailPurpose::Transcript { up_to_seq, .. } => {
                let limit = usize::try_from(*up_to_seq).unwrap_or(usize::MAX);
                store.messages(c.id, 0, limit).map_err(temporary)?
            }
            EmailPurpose::Replies { from_seq, up_to_seq, .. } => {
                let after = from_seq.saturating_sub(1).max(c.contact_last_seen_seq);
                let limit = usize::try_from(up_to_seq.saturating_sub(after)).unwrap_or(usize::MAX);
                let mut replies = store.messages(c.id, after, limit).map_err(temporary)?;
                replies.retain(|m| m.kind == MessageKind::Outgoing && m.seq <= *up_to_seq);
                if replies.is_empty() {
                    return Err(Attempt::Unneeded("the customer read the replies in the chat".into()));
                }
                replies
            }
        };
        let mut names = HashMap::new();
        for author in messages.iter().filter(|m| m.kind == MessageKind::Outgoing).filter_map(|m| m.author) {
            if let std::collections::hash_map::Entry::Vacant(v) = names.entry(author) {
                v.insert(store.agent(author).map_err(temporary)?.map(|r| r.agent.name));
            }
        }
        let agent_name = |id: Id| names.get(&id).cloned().flatten().unwrap_or_else(|| business.clone());
        let zone = parse_time_zone(&inbox.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let input = TranscriptInput {
            business_name: &business,
            number: c.number,
            language: Language::from_tag(contact.language.as_deref()),
            time_zone: &zone,
            messages: &messages,
            agent_name: &agent_name,
            desk_url: &inbox.widget.public_url,
        };
        let t = match &email.purpose {
            EmailPurpose::Transcript { .. } => render(&input),
            EmailPurpose::Replies { .. } => {
                let secret = store.link_secret().map_err(temporary)?.ok_or_else(|| gone("link key"))?;
                // From when it was queued, so every try links the same way.
                let expires = email.queued_at.plus(link::CONTINUE_LINK_VALID_FOR);
                let token = link::continue_token(&secret, c.id, c.contact, expires);
                let link = format!(
                    "{}/widget?website_token={}&continue={token}",
                    inbox.widget.public_url, inbox.widget.website_token
                );
                render_replies(&input, &link)
            }
        };
        Ok(OutgoingMessage {
            message_id: email.message_id.clone(),
            to: email.to.clone(),
            subject: t.subject,
            html: t.html,
            text: t.text,
        })
    }

    /// Records one try, unless someone recorded it already (the try is named by its count).
    async fn record_attempt(&self, email: Id, tried_before: u32, attempt: Attempt) -> Result<()> {
        self.command(move |tx| {
            let Some(mut e) = tx.email(email)? else { return Ok(()) };
            if !e.is_waiting() || e.attempts != tried_before {
                return Ok(());
            }
            e.record(attempt.clone(), tx.now());
            tx.put_email(&e)?;
            let conversation = e.purpose.conversation();
            tx.record(None, EventKind::EmailUpdated { email: e.id, conversation, state: e.state })?;
            if let (EmailState::Failed, Some(id)) = (e.state, conversation) {
                if let Some(mut c) = tx.conversation(id)? {
                    let why = e.last_error.clone().unwrap_or_default();
                    note(tx, &mut c, None, Activity::EmailFailed { to: e.to.clone(), why })?;
                    tx.put_conversation(&c)?;
                }
            }
            Ok(())
        })
        .await
    }
}

/// Why nothing can be emailed yet, and what an admin does about it.
pub(crate) const NOT_SET_UP: &str =
    "outgoing email is not set up: an admin enters the SMTP server under Settings → Email first";

fn not_set_up() -> EngineError {
    EngineError::Conflict(NOT_SET_UP.into())
}

fn message_id(settings: &SmtpSettings, id: &str, token: &str) -> String {
    let domain = settings.from_address.rsplit_once('@').map_or("frontdesk.invalid", |(_, d)| d);
    format!("<{id}.{token}@{domain}>")
}

/// Queues `c`'s transcript for `to` in the command's transaction, with its activity line and
/// event. The caller saves `c`.
pub(crate) fn queue_transcript(
    tx: &mut Tx<'_>,
    c: &mut Conversation,
    to: String,
    by: Option<&Agent>,
    token: &str,
) -> TxResult<OutgoingEmail> {
    let settings = tx.smtp_settings()?.ok_or_else(|| TxError::Abort(not_set_up()))?;
    let id = tx.new_id();
    let purpose = EmailPurpose::Transcript { conversation: c.id, up_to_seq: c.last_seq };
    let message_id = message_id(&settings, &id.to_string(), token);
    let email = OutgoingEmail::queue(id, message_id, to.clone(), purpose, by.map(|a| a.id), tx.now());
    tx.put_email(&email)?;
    tx.record(by.map(|a| a.id), EventKind::EmailUpdated { email: id, conversation: Some(c.id), state: email.state })?;
    let line = Activity::TranscriptSent { by: by.map(|a| a.name.clone()), to };
    note(tx, c, by.map(|a| a.id), line)?;
    Ok(email)
}

/// On solve, when the inbox says so and the contact has an address and email is set up.
pub(crate) fn queue_transcript_on_solve(tx: &mut Tx<'_>, c: &mut Conversation, token: &str) -> TxResult<()> {
    if tx.smtp_settings()?.is_none() {
        return Ok(());
    }
    if let Some(to) = tx.contact(c.contact)?.and_then(|contact| contact.email) {
        queue_transcript(tx, c, to, None, token)?;
    }
    Ok(())
}

/// After an agent's reply `seq` in `c`: when the inbox emails replies and the customer has no
/// chat open, the reply joins the conversation's waiting replies email, or starts one that goes
/// in `REPLY_BATCH`. `fresh.key` becomes the link key if the desk has none yet.
pub(crate) fn queue_reply_email(
    tx: &mut Tx<'_>,
    inbox: &Inbox,
    c: &Conversation,
    seq: u64,
    customer_online: bool,
    fresh: &ReplyEmailRandomness,
) -> TxResult<()> {
    if !inbox.widget.email_replies || inbox.widget.public_url.is_empty() || customer_online {
        return Ok(());
    }
    let Some(settings) = tx.smtp_settings()? else { return Ok(()) };
    let Some(to) = tx.contact(c.contact)?.and_then(|contact| contact.email) else { return Ok(()) };
    if let Some(mut waiting) = tx.last_conversation_email(c.id)? {
        if waiting.take_reply(seq, &to) {
            tx.put_email(&waiting)?;
            return Ok(());
        }
    }
    crate::secrets::link_key(tx, &fresh.key)?;
    let id = tx.new_id();
    let message_id = message_id(&settings, &id.to_string(), &fresh.token);
    let email = OutgoingEmail::queue_replies(id, message_id, to, c.id, seq, tx.now());
    tx.put_email(&email)?;
    tx.record(None, EventKind::EmailUpdated { email: id, conversation: Some(c.id), state: email.state })?;
    Ok(())
}

/// What a replies email may need, drawn before the command (a command must not fail on it).
pub(crate) struct ReplyEmailRandomness {
    key: [u8; 32],
    token: String,
}

impl ReplyEmailRandomness {
    pub(crate) fn draw() -> Result<ReplyEmailRandomness> {
        Ok(ReplyEmailRandomness { key: crate::secrets::fresh_link_key()?, token: random_hex::<8>()? })
    }
}
