//! The website widget's use cases: a visitor writes, proves who they are, reads their
//! conversations, rates one and asks for its transcript. A visitor is a contact holding a
//! visitor token (only its hash is stored); what they read is always filtered to their own
//! conversations in the widget's inbox and to public messages.

use crate::attachments::{mark_attached, take_uploads};
use crate::conversations::{append, clean_optional, conversation_in, note, optional_email, receive, Arrival};
use crate::routing::{assign_waiting, Routing};
use crate::secrets::{new_token, random_hex, token_hash};
use crate::{Desk, EngineError, Result};
use frontdesk_domain::activity::Activity;
use frontdesk_domain::attachment::{Attachment, Uploader};
use frontdesk_domain::conversation::Status;
use frontdesk_domain::email::{email_address, OutgoingEmail};
use frontdesk_domain::inbox::{language_tag, Contact, Conversation, Inbox, Message, MessageKind};
use frontdesk_domain::widget::{self, Csat, FieldRule, WidgetSettings, WidgetSettingsInput};
use frontdesk_domain::{Agent, DomainError, EventKind, Id};
use frontdesk_store::{Tx, TxError, VisitorRecord};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::time::Duration;

type TxResult<T> = std::result::Result<T, TxError<EngineError>>;

const NOT_A_LINK: &str = "this link is not valid for this chat: open the chat on the website to write to us";

/// A new widget's website token (public) and identity secret.
pub(crate) fn new_widget_tokens() -> Result<(String, String)> {
    Ok((random_hex::<12>()?, random_hex::<32>()?))
}

/// Whom a widget rate limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum WidgetSender {
    Address(IpAddr),
    Contact(Id),
}

/// A visitor known by their token: the contact, in one inbox's widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visitor {
    pub contact: Id,
    pub inbox: Id,
}

/// What the visitor tells about themselves: the pre-chat form, or the email asked for later.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct VisitorDetails {
    #[ts(optional)]
    pub name: Option<String>,
    #[ts(optional)]
    pub email: Option<String>,
    /// One of the inbox's pre-chat topics; becomes a label of the new conversation.
    #[ts(optional)]
    pub topic: Option<String>,
    /// The browser's language tag.
    #[ts(optional)]
    pub language: Option<String>,
}

/// A site's logged-in user: their identifier and its HMAC-SHA256 under the inbox's secret.
#[derive(Debug, Clone, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct VisitorIdentity {
    pub identifier: String,
    pub identifier_hash: String,
    #[ts(optional)]
    pub name: Option<String>,
    /// Kept on the contact only with `email_hash`; without it, ignored.
    #[ts(optional)]
    pub email: Option<String>,
    /// HMAC-SHA256 (hex) of `email`, exactly as sent, under the same secret.
    #[ts(optional)]
    pub email_hash: Option<String>,
}

/// A conversation as its customer sees it: no assignee, labels or priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct VisitorConversation {
    pub id: Id,
    pub number: u64,
    /// `solved` and `closed` read as finished; anything else as ongoing.
    pub status: frontdesk_domain::conversation::Status,
    pub created_at: frontdesk_domain::Timestamp,
    pub last_activity_at: frontdesk_domain::Timestamp,
    pub preview: String,
    pub csat: Option<Csat>,
    pub previous: Option<Id>,
    /// Messages up to this one have been seen by the business.
    pub agent_last_seen_seq: u64,
}

impl From<&Conversation> for VisitorConversation {
    fn from(c: &Conversation) -> Self {
        VisitorConversation {
            id: c.id,
            number: c.number,
            status: c.status,
            created_at: c.created_at,
            last_activity_at: c.last_activity_at,
            preview: c.preview.clone(),
            csat: c.csat.clone(),
            previous: c.previous,
            agent_last_seen_seq: c.agent_last_seen_seq,
        }
    }
}

/// A public message as the customer sees it, with the first name of the agent who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct VisitorMessage {
    pub conversation: Id,
    pub seq: u64,
    /// `incoming` (the visitor's own) or `outgoing` (the business's).
    pub kind: MessageKind,
    pub content: String,
    pub created_at: frontdesk_domain::Timestamp,
    /// The agent's name; none for the visitor and for the inbox's automatic messages.
    pub author_name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<Attachment>>", optional)]
    pub attachments: Vec<Attachment>,
    /// Deleted by the business: shown as such, without its text.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub deleted: bool,
}

/// What a visitor's message came to; `visitor_token` only when this message made the session.
#[derive(Debug, Clone, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct VisitorPosted {
    pub visitor_token: Option<String>,
    pub conversation: VisitorConversation,
    pub message: VisitorMessage,
    /// Sent by the inbox at once when the message started a conversation.
    pub greeting: Option<VisitorMessage>,
}

/// The token from the link in a replies email.
#[derive(Debug, Clone, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ContinueRequest {
    pub token: String,
}

/// A visitor session made from a verified identity (or an emailed link).
#[derive(Debug, Clone, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct VisitorSession {
    pub visitor_token: String,
    pub contact: VisitorContact,
}

/// What a visitor may see of their own contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct VisitorContact {
    pub name: Option<String>,
    pub email: Option<String>,
}

impl From<&Contact> for VisitorContact {
    fn from(c: &Contact) -> Self {
        VisitorContact { name: c.name.clone(), email: c.email.clone() }
    }
}

/// A rating as the visitor sends it.
#[derive(Debug, Clone, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct CsatRequest {
    pub rating: u8,
    #[ts(optional)]
    pub comment: Option<String>,
}

/// "Email me the transcript": to the contact's own address. `email` gives one when the
/// contact has none yet, or repeats theirs; any other address is refused.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct VisitorTranscriptRequest {
    #[ts(optional)]
    pub email: Option<String>,
}

struct CheckedDetails {
    name: Option<String>,
    email: Option<String>,
    labels: Vec<String>,
    language: Option<String>,
}

fn check_details(settings: &WidgetSettings, d: &VisitorDetails, first: bool) -> Result<CheckedDetails> {
    let name = clean_optional("name", d.name.as_deref(), 120)?;
    let email = optional_email(d.email.as_deref())?;
    let topic = clean_optional("topic", d.topic.as_deref(), 64)?;
    let language = d.language.as_deref().map(str::trim).filter(|l| !l.is_empty()).map(language_tag).transpose()?;
    let form = &settings.pre_chat;
    if first {
        for (rule, given, field, what) in [
            (form.name, name.is_some(), "name", "your name"),
            (form.email, email.is_some(), "email", "your email address"),
            (form.topic, topic.is_some(), "topic", "a topic"),
        ] {
            if rule == FieldRule::Required && !given {
                return Err(DomainError::invalid(field, format!("give {what} before you start the chat")).into());
            }
        }
    }
    let labels = match topic {
        Some(t) if form.topic != FieldRule::Hidden => {
            let t = frontdesk_domain::view::label(&t)?;
            if !form.topics.contains(&t) {
                return Err(DomainError::invalid("topic", format!("'{t}' is not one of this chat's topics")).into());
            }
            vec![t]
        }
        _ => Vec::new(),
    };
    Ok(CheckedDetails { name, email, labels, language })
}

impl Desk {
    /// Sets an inbox's widget: origins, look, greeting, pre-chat form, language.
    pub async fn update_widget(&self, actor: &Agent, inbox: Id, input: WidgetSettingsInput) -> Result<Inbox> {
        crate::accounts::require_admin(actor, "change the chat widget")?;
        let actor = actor.id;
        let (website_token, identity_secret) = new_widget_tokens()?;
        self.command(move |tx| {
            let Some(mut found) = tx.inbox(inbox)? else { return Err(TxError::Abort(EngineError::NotFound("inbox"))) };
            found.widget = input
                .clone()
                .apply(&found.widget, website_token.clone(), identity_secret.clone())
                .map_err(|e| TxError::Abort(e.into()))?;
            tx.put_inbox(&found)?;
            tx.record(Some(actor), EventKind::InboxUpdated { inbox })?;
            Ok(found)
        })
        .await
    }

    /// The inbox whose widget has this website token.
    pub fn widget_inbox(&self, website_token: &str) -> Result<Inbox> {
        self.store().inbox_by_website_token(website_token.trim())?.ok_or(EngineError::UnknownWebsiteToken)
    }

    /// The visitor holding `token` in `inbox`'s widget.
    pub fn visitor(&self, inbox: &Inbox, token: &str) -> Result<Visitor> {
        match self.store().visitor(&token_hash(token.trim()))? {
            Some(v) if v.inbox == inbox.id => Ok(Visitor { contact: v.contact, inbox: v.inbox }),
            _ => Err(EngineError::VisitorUnknown),
        }
    }

    /// Turns the per-IP and per-customer limits on widget writes off (for load tests) or on.
    pub fn set_widget_rate_limits(&self, on: bool) {
        self.inner.widget_limits.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Refuses visitors from an address the inbox blocks.
    pub fn check_visitor_address(&self, inbox: &Inbox, ip: Option<IpAddr>) -> Result<()> {
        match ip {
            Some(ip) if inbox.widget.blocks(ip) => Err(EngineError::VisitorBlocked),
            _ => Ok(()),
        }
    }

    /// Counts one widget write (a message, a file, a new session) from `ip` and `contact`,
    /// refusing it beyond `WRITES_PER_IP_PER_MINUTE` or `WRITES_PER_CONTACT_PER_MINUTE`.
    pub fn count_widget_write(&self, ip: Option<IpAddr>, contact: Option<Id>) -> Result<()> {
        if !self.inner.widget_limits.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(());
        }
        let now = self.now();
        let mut hits = self.inner.widget_hits.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if hits.len() > 50_000 {
            hits.retain(|_, h| !h.is_idle(now));
        }
        let checks = [
            ip.map(|ip| (WidgetSender::Address(ip), widget::WRITES_PER_IP_PER_MINUTE, "this network address")),
            contact.map(|c| (WidgetSender::Contact(c), widget::WRITES_PER_CONTACT_PER_MINUTE, "one customer")),
        ];
        for (key, limit, who) in checks.into_iter().flatten() {
            if let Err(retry_after) = hits.entry(key).or_default().hit(now, limit) {
                return Err(EngineError::RateLimited {
                    what: format!("{who} can send at most {limit} messages or files a minute"),
                    retry_after,
                });
            }
        }
        Ok(())
    }

    /// A site's logged-in user opens the widget: their identifier is checked against its HMAC,
    /// and they get a session on the contact with that identifier (made if new). The contact is
    /// found by the identifier alone, never by an email; an email is kept only when the site
    /// signed it too.
    pub async fn identify_visitor(&self, inbox: &Inbox, identity: VisitorIdentity) -> Result<VisitorSession> {
        let identifier = clean_optional("identifier", Some(&identity.identifier), 256)?
            .ok_or_else(|| DomainError::invalid("identifier", "give the user's identifier"))?;
        if !inbox.widget.verifies(&identifier, &identity.identifier_hash) {
            return Err(EngineError::IdentityRefused);
        }
        let name = clean_optional("name", identity.name.as_deref(), 120)?;
        let given = identity.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
        let signed = match (given, identity.email_hash.as_deref().map(str::trim).filter(|h| !h.is_empty())) {
            (Some(email), Some(hash)) if inbox.widget.verifies(email, hash) => optional_email(Some(email))?,
            (_, Some(_)) => return Err(EngineError::EmailIdentityRefused),
            // An unsigned email could be anybody's: it is not kept.
            (_, None) => None,
        };
        let (token, hash) = new_token()?;
        let inbox = inbox.id;
        self.command(move |tx| {
            let contact = identified_contact(tx, &identifier, name.clone(), signed.clone())?;
            tx.put_visitor(&hash, &VisitorRecord { contact: contact.id, inbox, created_at: tx.now() })?;
            Ok(VisitorSession { visitor_token: token.clone(), contact: VisitorContact::from(&contact) })
        })
        .await
    }

    /// A customer follows the link in a replies email: a new session on the conversation's
    /// contact, in this inbox's widget, so the chat shows it in their browser.
    pub async fn continue_conversation(&self, inbox: &Inbox, request: ContinueRequest) -> Result<VisitorSession> {
        let refused = || EngineError::LinkRefused(NOT_A_LINK.into());
        let secret = self.store().link_secret()?.ok_or_else(refused)?;
        let (conversation, contact) = frontdesk_domain::link::open_continue_token(&secret, &request.token, self.now())
            .map_err(|e| match e {
                DomainError::Invalid { message, .. } => EngineError::LinkRefused(message),
            })?;
        let c = self.store().conversation(conversation)?.ok_or_else(refused)?;
        if c.inbox != inbox.id || c.contact != contact {
            return Err(refused());
        }
        let (token, hash) = new_token()?;
        let inbox = inbox.id;
        self.command(move |tx| {
            let Some(contact) = tx.contact(contact)? else { return Err(TxError::Abort(refused())) };
            tx.put_visitor(&hash, &VisitorRecord { contact: contact.id, inbox, created_at: tx.now() })?;
            Ok(VisitorSession { visitor_token: token.clone(), contact: VisitorContact::from(&contact) })
        })
        .await
    }

    /// A visitor's message. Without a session it makes one: a contact of its own (never one
    /// found by the email typed in, which anybody could type), and a visitor token to keep.
    /// A message that starts a conversation gets the inbox's greeting at once (its away
    /// message outside business hours).
    pub async fn visitor_message(
        &self,
        inbox: &Inbox,
        visitor: Option<Visitor>,
        details: VisitorDetails,
        content: &str,
        attachments: &[Id],
        campaign: Option<&str>,
    ) -> Result<VisitorPosted> {
        let attachments = frontdesk_domain::attachment::attachment_ids(attachments)?;
        if visitor.is_none() && !attachments.is_empty() {
            return Err(DomainError::invalid("attachments", "write a first message before sending files").into());
        }
        let content = frontdesk_domain::inbox::message_text(content, !attachments.is_empty())?;
        let details = check_details(&inbox.widget, &details, visitor.is_none())?;
        // A visitor answering a campaign: its message opens the conversation, above theirs.
        let opening = match campaign {
            None => None,
            Some(id) => match inbox.widget.campaign(id) {
                Some(c) => Some(c.message.clone()),
                None => return Err(DomainError::invalid("campaign", "that campaign is no longer on this inbox").into()),
            },
        };
        let session = match visitor {
            Some(_) => None,
            None => Some(new_token()?),
        };
        let session_hash = session.as_ref().map(|(_, hash)| *hash);
        let router = self.inner.router.clone();
        let inbox_id = inbox.id;
        let posted = self
            .command(move |tx| {
                let mut routing = Routing::begin(&router);
                let Some(inbox) = tx.inbox(inbox_id)? else {
                    return Err(TxError::Abort(EngineError::NotFound("inbox")));
                };
                let contact = match visitor {
                    Some(v) => update_contact(tx, v.contact, &details)?,
                    None => new_visitor_contact(tx, &details)?,
                };
                if let Some(hash) = &session_hash {
                    tx.put_visitor(
                        hash,
                        &VisitorRecord { contact: contact.id, inbox: inbox.id, created_at: tx.now() },
                    )?;
                }
                let uploads = take_uploads(tx, &attachments, Uploader::Contact(contact.id))?;
                let files = uploads.iter().map(|u| u.upload.attachment.clone()).collect();
                let arrival = Arrival {
                    content: content.clone(),
                    labels: details.labels.clone(),
                    attachments: files,
                    opening: opening.clone(),
                };
                let (mut posted, started) = receive(tx, &mut routing, &inbox, &contact, arrival)?;
                mark_attached(tx, uploads, posted.conversation.id, posted.message.seq)?;
                // A conversation started outside business hours gets the away message instead
                // of the greeting, which would promise someone is there.
                let away = &inbox.business_hours.away_message;
                let automatic = match started {
                    false => None,
                    // The campaign's message already greeted them.
                    true if opening.is_some() => None,
                    true if !inbox.open_now(tx.now()).open && !away.is_empty() => Some(away.clone()),
                    true if !inbox.widget.greeting.is_empty() => Some(inbox.widget.greeting.clone()),
                    true => None,
                };
                let greeting = match automatic {
                    Some(text) => {
                        let c = &mut posted.conversation;
                        let preview = c.preview.clone();
                        let m = append(tx, c, MessageKind::Outgoing, None, text)?;
                        // The list shows what the customer wrote, not the automatic reply.
                        c.preview = preview;
                        tx.put_conversation(c)?;
                        Some(m)
                    }
                    None => None,
                };
                assign_waiting(tx, routing)?;
                let conversation = tx.conversation(posted.conversation.id)?.unwrap_or(posted.conversation);
                Ok((conversation, posted.message, greeting))
            })
            .await?;
        let (conversation, message, greeting) = posted;
        Ok(VisitorPosted {
            visitor_token: session.map(|(token, _)| token),
            conversation: VisitorConversation::from(&conversation),
            message: self.visitor_message_view(message)?,
            greeting: greeting.map(|m| self.visitor_message_view(m)).transpose()?,
        })
    }

    /// The visitor's own contact details, and the email they give later (the widget asks for
    /// one when there was no pre-chat form).
    pub async fn update_visitor(&self, visitor: Visitor, details: VisitorDetails) -> Result<VisitorContact> {
        let details = check_details(&WidgetSettings::default(), &details, false)?;
        self.command(move |tx| Ok(VisitorContact::from(&update_contact(tx, visitor.contact, &details)?))).await
    }

    pub fn visitor_contact(&self, visitor: Visitor) -> Result<VisitorContact> {
        Ok(VisitorContact::from(&self.contact(visitor.contact)?))
    }

    /// The visitor's conversations in this widget's inbox, newest first.
    pub fn visitor_conversations(&self, visitor: Visitor) -> Result<Vec<VisitorConversation>> {
        Ok(self
            .contact_conversations(visitor.contact)?
            .iter()
            .filter(|c| c.inbox == visitor.inbox)
            .map(VisitorConversation::from)
            .collect())
    }

    /// One of the visitor's conversations; another's is "not found", never "forbidden", so
    /// ids cannot be probed.
    pub fn visitor_conversation(&self, visitor: Visitor, conversation: Id) -> Result<Conversation> {
        match self.store().conversation(conversation)? {
            Some(c) if c.contact == visitor.contact && c.inbox == visitor.inbox => Ok(c),
            _ => Err(EngineError::NotFound("conversation")),
        }
    }

    /// Public messages of one of the visitor's conversations after `after_seq`, oldest first.
    pub fn visitor_messages(
        &self,
        visitor: Visitor,
        conversation: Id,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<VisitorMessage>> {
        self.visitor_conversation(visitor, conversation)?;
        self.messages(conversation, after_seq, limit, true)?.into_iter().map(|m| self.visitor_message_view(m)).collect()
    }

    /// The name a customer sees for an agent.
    pub fn agent_name(&self, agent: Id) -> Result<String> {
        Ok(self.store().agent(agent)?.map(|r| r.agent.name).unwrap_or_default())
    }

    /// A message as the visitor sees it; `None` for notes and activity lines.
    pub fn visitor_message_view(&self, m: Message) -> Result<VisitorMessage> {
        let author_name = m.author.map(|a| self.agent_name(a)).transpose()?.filter(|n| !n.is_empty());
        Ok(VisitorMessage {
            conversation: m.conversation,
            seq: m.seq,
            kind: m.kind,
            content: m.content,
            created_at: m.created_at,
            author_name,
            attachments: m.attachments,
            deleted: m.deleted,
        })
    }

    /// The visitor rates a solved conversation; it leaves an activity line for the agents.
    pub async fn rate_conversation(
        &self,
        visitor: Visitor,
        conversation: Id,
        request: CsatRequest,
    ) -> Result<VisitorConversation> {
        self.visitor_conversation(visitor, conversation)?;
        self.command(move |tx| {
            let mut c = conversation_in(tx, conversation)?;
            let given = widget::csat(c.status, c.csat.as_ref(), request.rating, request.comment.as_deref(), tx.now())
                .map_err(|e| TxError::Abort(e.into()))?;
            let line = Activity::Rated { rating: given.rating, comment: given.comment.clone() };
            c.csat = Some(given);
            note(tx, &mut c, None, line)?;
            tx.put_conversation(&c)?;
            tx.record(None, EventKind::ConversationUpdated { conversation })?;
            Ok(VisitorConversation::from(&c))
        })
        .await
    }

    /// A visitor's transcript could not go out because email is not set up: the agents read why
    /// on the conversation (once, however often the visitor asks again), the visitor only that
    /// it cannot be sent now.
    async fn note_email_off(&self, conversation: Id, to: String) -> Result<()> {
        self.command(move |tx| {
            let mut c = conversation_in(tx, conversation)?;
            let line = Activity::EmailFailed { to: to.clone(), why: crate::outbox::NOT_SET_UP.into() };
            if tx.message(c.id, c.last_seq)?.and_then(|m| m.activity).as_ref() == Some(&line) {
                return Ok(());
            }
            note(tx, &mut c, None, line)?;
            tx.put_conversation(&c)?;
            Ok(())
        })
        .await
    }

    /// "Email me the transcript" of one of the visitor's solved or closed conversations, at
    /// most `TRANSCRIPTS_PER_CONTACT_PER_DAY` a day per contact, and only to the contact's own
    /// address: the business's email must not carry what a visitor wrote to anybody else. An
    /// address given when the contact has none becomes theirs (shown, not verified).
    pub async fn visitor_transcript(
        &self,
        visitor: Visitor,
        conversation: Id,
        request: VisitorTranscriptRequest,
    ) -> Result<OutgoingEmail> {
        let found = self.visitor_conversation(visitor, conversation)?;
        let given = request.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
        let given = given.map(|e| email_address("email", e)).transpose()?;
        let to = transcript_to(&found, &self.contact(visitor.contact)?, given.as_ref())?;
        if self.store().smtp_settings()?.is_none() {
            self.note_email_off(conversation, to).await?;
            return Err(email_unavailable(&found));
        }
        let day_ago = frontdesk_domain::Timestamp(self.now().0 - 24 * 3600 * 1000);
        let mut recent = Vec::new();
        for c in self.contact_conversations(visitor.contact)? {
            recent.extend(
                self.store()
                    .conversation_emails(c.id)?
                    .into_iter()
                    .filter(|e| e.requested_by.is_none() && e.queued_at > day_ago)
                    .map(|e| e.queued_at),
            );
        }
        if recent.len() >= widget::TRANSCRIPTS_PER_CONTACT_PER_DAY {
            let oldest = recent.iter().min().copied().unwrap_or(day_ago);
            let retry_after = Duration::from_millis(u64::try_from(oldest.0 - day_ago.0).unwrap_or(0));
            return Err(EngineError::RateLimited {
                what: format!(
                    "at most {} transcripts a day can be emailed to one customer",
                    widget::TRANSCRIPTS_PER_CONTACT_PER_DAY
                ),
                retry_after,
            });
        }
        let token = random_hex::<8>()?;
        self.command(move |tx| {
            let mut c = conversation_in(tx, conversation)?;
            let Some(mut contact) = tx.contact(visitor.contact)? else {
                return Err(TxError::Abort(EngineError::NotFound("contact")));
            };
            // Checked again here: the conversation or the contact may have changed since.
            let to = transcript_to(&c, &contact, given.as_ref()).map_err(TxError::Abort)?;
            if tx.smtp_settings()?.is_none() {
                return Err(TxError::Abort(email_unavailable(&c)));
            }
            if contact.email.is_none() {
                contact.email = Some(to.clone());
                contact.email_verified = false;
                tx.put_contact(&contact)?;
            }
            let email = crate::outbox::queue_transcript(tx, &mut c, to, None, &token)?;
            tx.put_conversation(&c)?;
            Ok(email)
        })
        .await
    }
}

/// Where a visitor's transcript of `c` goes: the contact's own address, or the one given when
/// the contact has none; only once the conversation is solved or closed.
fn transcript_to(c: &Conversation, contact: &Contact, given: Option<&String>) -> Result<String> {
    if !matches!(c.status, Status::Solved | Status::Closed) {
        return Err(EngineError::TranscriptNotFinished);
    }
    match (&contact.email, given) {
        (Some(own), Some(to)) if own != to => Err(EngineError::TranscriptAddressRefused(own.clone())),
        (Some(own), _) => Ok(own.clone()),
        (None, Some(to)) => Ok(to.clone()),
        (None, None) => Err(DomainError::invalid("email", "give the address to email the transcript to").into()),
    }
}

/// A visitor asked for a transcript while outgoing email is not set up: they hear that it
/// cannot be sent now; what an admin has to do goes to the log.
fn email_unavailable(c: &Conversation) -> EngineError {
    tracing::warn!(
        "a customer asked for the transcript of conversation #{}, but {}",
        c.number,
        crate::outbox::NOT_SET_UP
    );
    EngineError::EmailUnavailable
}

/// The contact of a verified identity: the one with this identifier, or a new one. A signed
/// email is the site's word on its own user, so it replaces the contact's; it is indexed
/// unless another verified contact has it already. A missing name is filled in.
fn identified_contact(
    tx: &mut Tx<'_>,
    identifier: &str,
    name: Option<String>,
    signed_email: Option<String>,
) -> TxResult<Contact> {
    let Some(mut c) = tx.contact_by_identifier(identifier)? else {
        let c = Contact {
            id: tx.new_id(),
            name,
            email_verified: signed_email.is_some(),
            email: signed_email,
            identifier: Some(identifier.to_string()),
            language: None,
            created_at: tx.now(),
        };
        tx.put_contact(&c)?;
        return Ok(c);
    };
    let before = c.clone();
    c.name = c.name.or(name);
    if let Some(e) = signed_email {
        c.email = Some(e);
        c.email_verified = true;
    }
    if c != before {
        tx.put_contact(&c)?;
    }
    Ok(c)
}

/// A widget visitor's own new contact: the email typed in is kept to show and write to, but
/// never indexed, so nothing finds this contact by it (see `Tx::put_contact`).
fn new_visitor_contact(tx: &mut Tx<'_>, d: &CheckedDetails) -> TxResult<Contact> {
    let c = Contact {
        id: tx.new_id(),
        name: d.name.clone(),
        email: d.email.clone(),
        email_verified: false,
        identifier: None,
        language: d.language.clone(),
        created_at: tx.now(),
    };
    tx.put_contact(&c)?;
    Ok(c)
}

/// Fills in what the visitor's contact did not have; a new language replaces the old one.
fn update_contact(tx: &mut Tx<'_>, contact: Id, d: &CheckedDetails) -> TxResult<Contact> {
    let Some(mut c) = tx.contact(contact)? else { return Err(TxError::Abort(EngineError::VisitorUnknown)) };
    let before = c.clone();
    c.name = c.name.or_else(|| d.name.clone());
    if c.email.is_none() {
        // Typed by the visitor: shown, never used to find them.
        c.email = d.email.clone();
        c.email_verified = false;
    }
    c.language = d.language.clone().or(c.language);
    if c != before {
        tx.put_contact(&c)?;
    }
    Ok(c)
}
