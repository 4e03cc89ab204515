//! Conversations: customers write, agents reply and move statuses, timers wake and close. Each
//! use case is one command; the rules come from `frontdesk_domain::conversation`.

use crate::attachments::{mark_attached, take_uploads};
use crate::routing::{assign_waiting, save, Routing};
use crate::{Desk, EngineError, Result};
use frontdesk_domain::activity::{Activity, Change};
use frontdesk_domain::attachment::{self, Attachment, Uploader};
use frontdesk_domain::conversation::{decide, refuse_if_closed, AgentAction, Decision, Happening, Lifecycle, Status};
use frontdesk_domain::inbox::{
    labels, language_tag, message_content, message_text, team_name, Contact, Conversation, ConversationChanges,
    DeletionRefused, Inbox, InboxChanges, InboxSettings, Message, MessageKind, Team,
};
use frontdesk_domain::snooze::{parse_day_start, parse_time_zone, snooze_end, SnoozeChoice};
use frontdesk_domain::view::View;
use frontdesk_domain::{account::normalize_email, Agent, DomainError, EventKind, Id};
use frontdesk_store::{StatusFilter, Timer, TimerKind, Tx, TxError, ViewCursor};
use serde::{Deserialize, Serialize};

type TxResult<T> = std::result::Result<T, TxError<EngineError>>;

fn abort<T>(e: EngineError) -> TxResult<T> {
    Err(TxError::Abort(e))
}

/// Who the customer is, as far as the widget knows.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ContactRef {
    #[ts(optional)]
    pub name: Option<String>,
    #[ts(optional)]
    pub email: Option<String>,
    /// The site's own id for a logged-in user.
    #[ts(optional)]
    pub identifier: Option<String>,
    /// The customer's language tag ("es", "it-IT"); transcripts are written in it.
    #[ts(optional)]
    pub language: Option<String>,
}

/// What a status change asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
#[ts(export)]
pub enum StatusRequest {
    Open,
    Pending,
    OnHold,
    Solved,
    Snoozed { snooze: SnoozeChoice },
}

/// A message as posted, with the conversation it landed in.
#[derive(Debug, Clone, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Posted {
    pub conversation: Conversation,
    pub message: Message,
}

impl Desk {
    pub async fn create_inbox(&self, actor: &Agent, settings: InboxSettings) -> Result<Inbox> {
        crate::accounts::require_admin(actor, "create inboxes")?;
        let actor = actor.id;
        let (website_token, identity_secret) = crate::widget::new_widget_tokens()?;
        self.command(move |tx| {
            let mut inbox = settings.clone().into_inbox(tx.new_id(), tx.now()).map_err(|e| TxError::Abort(e.into()))?;
            inbox.widget.website_token = website_token.clone();
            inbox.widget.identity_secret = identity_secret.clone();
            if let Some(team) = inbox.routing.team {
                if tx.team(team)?.is_none() {
                    return abort(EngineError::NotFound("team"));
                }
            }
            tx.put_inbox(&inbox)?;
            tx.record(Some(actor), EventKind::InboxCreated { inbox: inbox.id })?;
            Ok(inbox)
        })
        .await
    }

    /// An admin changes an inbox's name, style, close window, time zone or business hours.
    /// Conversations already solved keep the close time they were given.
    pub async fn update_inbox(&self, actor: &Agent, inbox: Id, changes: InboxChanges) -> Result<Inbox> {
        crate::accounts::require_admin(actor, "change inboxes")?;
        let actor = actor.id;
        self.command(move |tx| {
            let Some(found) = tx.inbox(inbox)? else { return abort(EngineError::NotFound("inbox")) };
            let changed = found.changed(changes.clone()).map_err(|e| TxError::Abort(e.into()))?;
            tx.put_inbox(&changed)?;
            tx.record(Some(actor), EventKind::InboxUpdated { inbox })?;
            Ok(changed)
        })
        .await
    }

    /// Every inbox; the widget's identity secret only for admins.
    pub fn inboxes(&self, actor: &Agent) -> Result<Vec<Inbox>> {
        let mut all = self.store().inboxes()?;
        if actor.role != frontdesk_domain::Role::Admin {
            for inbox in &mut all {
                inbox.widget.identity_secret.clear();
            }
        }
        Ok(all)
    }

    pub async fn create_team(&self, actor: &Agent, name: &str) -> Result<Team> {
        crate::accounts::require_admin(actor, "create teams")?;
        let name = team_name(name)?;
        let actor = actor.id;
        self.command(move |tx| {
            let team = Team { id: tx.new_id(), name: name.clone(), created_at: tx.now() };
            tx.put_team(&team)?;
            tx.record(Some(actor), EventKind::TeamCreated { team: team.id })?;
            Ok(team)
        })
        .await
    }

    pub fn teams(&self) -> Result<Vec<Team>> {
        Ok(self.store().teams()?)
    }

    /// Changes labels, priority, team or mute; each change leaves an activity line. Closed
    /// conversations keep what they had: they are final.
    pub async fn update_conversation(
        &self,
        actor: &Agent,
        conversation: Id,
        changes: ConversationChanges,
    ) -> Result<Conversation> {
        let new_labels = changes.labels.as_deref().map(labels).transpose()?;
        let actor = actor.clone();
        let router = self.inner.router.clone();
        self.command(move |tx| {
            let mut routing = Routing::begin(&router);
            let (inbox, mut c) = load(tx, conversation)?;
            refuse_if_closed(c.status, "changed").map_err(|e| TxError::Abort(e.into()))?;
            let mut lines = Vec::new();
            if let Some(new) = &new_labels {
                let added: Vec<String> = new.iter().filter(|l| !c.labels.contains(l)).cloned().collect();
                let removed: Vec<String> = c.labels.iter().filter(|l| !new.contains(l)).cloned().collect();
                let raised = inbox.routing.priority_after(c.priority, &added);
                if !added.is_empty() {
                    lines.push(Change::LabelsAdded { labels: added });
                }
                if !removed.is_empty() {
                    lines.push(Change::LabelsRemoved { labels: removed });
                }
                c.labels = new.clone();
                if raised != c.priority && changes.priority.is_none() {
                    lines.push(Change::PriorityByRule { priority: raised });
                    c.priority = raised;
                }
            }
            if let Some(p) = changes.priority.filter(|p| *p != c.priority) {
                lines.push(Change::Priority { priority: p });
                c.priority = p;
            }
            if let Some(team) = changes.team.filter(|t| *t != c.team) {
                match team {
                    Some(id) => {
                        let Some(t) = tx.team(id)? else { return abort(EngineError::NotFound("team")) };
                        lines.push(Change::Team { team: t.name });
                    }
                    None => lines.push(Change::TeamRemoved),
                }
                c.team = team;
            }
            if let Some(muted) = changes.muted.filter(|m| *m != c.muted) {
                lines.push(Change::Muted { muted });
                c.muted = muted;
            }
            if lines.is_empty() {
                return Ok(c);
            }
            tx.record(Some(actor.id), EventKind::ConversationUpdated { conversation: c.id })?;
            note(tx, &mut c, Some(actor.id), Activity::Changed { by: actor.name.clone(), changes: lines })?;
            save(tx, &mut routing, &inbox, &mut c)?;
            assign_waiting(tx, routing)?;
            Ok(tx.conversation(conversation)?.unwrap_or(c))
        })
        .await
    }

    /// A customer's message: finds (or creates) the contact, reopens their conversation or
    /// starts a new one (linked to the previous one when that one is closed).
    pub async fn customer_message(&self, inbox: Id, who: ContactRef, content: &str) -> Result<Posted> {
        let content = message_content(content)?;
        let email = optional_email(who.email.as_deref())?;
        let identifier = clean_optional("identifier", who.identifier.as_deref(), 256)?;
        let name = clean_optional("name", who.name.as_deref(), 120)?;
        let language =
            who.language.as_deref().map(str::trim).filter(|l| !l.is_empty()).map(language_tag).transpose()?;
        if email.is_none() && identifier.is_none() {
            return Err(DomainError::invalid("contact", "give the customer's email or identifier").into());
        }
        let router = self.inner.router.clone();
        self.command(move |tx| {
            let mut routing = Routing::begin(&router);
            let Some(inbox) = tx.inbox(inbox)? else { return abort(EngineError::NotFound("inbox")) };
            let contact =
                find_or_create_contact(tx, name.clone(), email.clone(), identifier.clone(), language.clone())?;
            let (posted, _) = receive(
                tx,
                &mut routing,
                &inbox,
                &contact,
                Arrival { content: content.clone(), ..Default::default() },
            )?;
            assign_waiting(tx, routing)?;
            let conversation = tx.conversation(posted.conversation.id)?.unwrap_or(posted.conversation);
            Ok(Posted { conversation, message: posted.message })
        })
        .await
    }

    /// An agent's reply (or private note). A reply to a new conversation accepts it.
    pub async fn agent_message(&self, actor: &Agent, conversation: Id, content: &str, private: bool) -> Result<Posted> {
        self.agent_message_with(actor, conversation, content, private, &[], &[]).await
    }

    /// `agent_message`, where a private note may mention agents (each is notified) and any
    /// message may carry the agent's uploads.
    pub async fn agent_message_with(
        &self,
        actor: &Agent,
        conversation: Id,
        content: &str,
        private: bool,
        mentions: &[Id],
        attachments: &[Id],
    ) -> Result<Posted> {
        let attachments = attachment::attachment_ids(attachments)?;
        let content = message_text(content, !attachments.is_empty())?;
        let mentions = frontdesk_domain::notification::mentions(mentions);
        if !private && !mentions.is_empty() {
            return Err(DomainError::invalid("mentions", "only a private note can mention agents").into());
        }
        for id in &mentions {
            if !self.store().agent(*id)?.is_some_and(|r| r.agent.can_log_in()) {
                return Err(DomainError::invalid("mentions", format!("no active agent has the id {id}")).into());
            }
        }
        let actor = actor.clone();
        let router = self.inner.router.clone();
        let online = self.inner.online.clone();
        // Only a reply to the customer may need a replies email.
        let fresh = (!private).then(crate::outbox::ReplyEmailRandomness::draw).transpose()?;
        self.command(move |tx| {
            let mut routing = Routing::begin(&router);
            let (inbox, mut c) = load(tx, conversation)?;
            refuse_if_closed(c.status, "written to").map_err(|e| TxError::Abort(e.into()))?;
            if !private {
                let happening = Happening::Agent { agent: actor.id, action: AgentAction::Reply };
                if let Decision::Moved(next) = decide(&c.lifecycle(), happening, &inbox.policy(), tx.now())
                    .map_err(|e| TxError::Abort(e.into()))?
                {
                    move_to(tx, &mut c, next, Some(&actor), Activity::Accepted { by: actor.name.clone() })?;
                }
            }
            let kind = if private { MessageKind::PrivateNote } else { MessageKind::Outgoing };
            let uploads = take_uploads(tx, &attachments, Uploader::Agent(actor.id))?;
            let files = uploads.iter().map(|u| u.upload.attachment.clone()).collect();
            let message = append_with(tx, &mut c, kind, Some(actor.id), content.clone(), mentions.clone(), files)?;
            mark_attached(tx, uploads, c.id, message.seq)?;
            if let Some(fresh) = &fresh {
                let in_chat = online.is_online(c.contact);
                crate::outbox::queue_reply_email(tx, &inbox, &c, message.seq, in_chat, fresh)?;
            }
            save(tx, &mut routing, &inbox, &mut c)?;
            assign_waiting(tx, routing)?;
            Ok(Posted { conversation: c, message })
        })
        .await
    }

    /// An agent deletes a message: its text and files go, an activity line says who did it,
    /// and clients (the customer's widget too) show it as deleted. Allowed in a closed
    /// conversation as well: what must go (a card number, say) must go from there too.
    pub async fn delete_message(&self, actor: &Agent, conversation: Id, seq: u64) -> Result<Message> {
        let actor = actor.clone();
        let router = self.inner.router.clone();
        self.command(move |tx| {
            let mut routing = Routing::begin(&router);
            let (inbox, mut c) = load(tx, conversation)?;
            let Some(mut m) = tx.message(conversation, seq)? else { return abort(EngineError::NotFound("message")) };
            m.may_delete(actor.id, actor.is_admin()).map_err(|refused| {
                TxError::Abort(match refused {
                    DeletionRefused::AlreadyDeleted => EngineError::Conflict("this message is already deleted".into()),
                    DeletionRefused::Activity => {
                        EngineError::Conflict("activity lines record what happened and cannot be deleted".into())
                    }
                    DeletionRefused::NotTheirs => {
                        EngineError::AdminOnly("delete what a customer or another agent wrote")
                    }
                })
            })?;
            if m.kind.is_public() && c.preview == frontdesk_domain::inbox::preview_of(&m.content) {
                c.preview = String::new();
            }
            m.delete();
            tx.put_message(&m)?;
            tx.record(Some(actor.id), EventKind::MessageDeleted { conversation, seq })?;
            note(tx, &mut c, Some(actor.id), Activity::MessageDeleted { by: actor.name.clone() })?;
            save(tx, &mut routing, &inbox, &mut c)?;
            assign_waiting(tx, routing)?;
            Ok(m)
        })
        .await
    }

    /// An agent moves a conversation to another status.
    pub async fn change_status(&self, actor: &Agent, conversation: Id, request: StatusRequest) -> Result<Conversation> {
        let actor = actor.clone();
        let now = self.now();
        // The wake-up time depends on the inbox's zone: read it first, check it again inside.
        let action = match request {
            StatusRequest::Open => AgentAction::Open,
            StatusRequest::Pending => AgentAction::Pending,
            StatusRequest::OnHold => AgentAction::OnHold,
            StatusRequest::Solved => AgentAction::Solve,
            StatusRequest::Snoozed { snooze } => {
                let c = self.store().conversation(conversation)?.ok_or(EngineError::NotFound("conversation"))?;
                let inbox = self.store().inbox(c.inbox)?.ok_or(EngineError::NotFound("inbox"))?;
                let zone = parse_time_zone(&inbox.time_zone)?;
                let day_start = parse_day_start(&inbox.business_day_starts_at)?;
                AgentAction::Snooze(snooze_end(snooze, now, &zone, day_start)?)
            }
        };
        let router = self.inner.router.clone();
        let token = crate::secrets::random_hex::<8>()?;
        self.command(move |tx| {
            let mut routing = Routing::begin(&router);
            let (inbox, mut c) = load(tx, conversation)?;
            let happening = Happening::Agent { agent: actor.id, action };
            match decide(&c.lifecycle(), happening, &inbox.policy(), tx.now()) {
                Ok(Decision::Moved(next)) => {
                    let what = Activity::Status {
                        by: actor.name.clone(),
                        status: next.status,
                        until_reply: next.status == Status::Snoozed && next.wakes_at.is_none(),
                    };
                    move_to(tx, &mut c, next, Some(&actor), what)?;
                    if next.status == Status::Solved && inbox.transcript_on_solve {
                        crate::outbox::queue_transcript_on_solve(tx, &mut c, &token)?;
                    }
                    save(tx, &mut routing, &inbox, &mut c)?;
                    assign_waiting(tx, routing)?;
                    Ok(c)
                }
                Ok(_) => Ok(c),
                Err(e) => abort(e.into()),
            }
        })
        .await
    }

    /// Fires every timer due by now, in batches; returns how many fired. Each timer fires once:
    /// firing changes the conversation, which removes the timer, in one transaction.
    pub async fn fire_due_timers(&self) -> Result<usize> {
        let mut fired = 0;
        while let Some(n) = self.fire_due_batch(512).await? {
            fired += n;
        }
        Ok(fired)
    }

    /// Fires up to `max` due timers in one transaction; `None` when none is due.
    pub async fn fire_due_batch(&self, max: usize) -> Result<Option<usize>> {
        let due = self.store().due_timers(self.now(), max)?;
        if due.is_empty() {
            return Ok(None);
        }
        let router = self.inner.router.clone();
        Ok(Some(
            self.command(move |tx| {
                let mut routing = Routing::begin(&router);
                let fired = fire(tx, &mut routing, &due)?;
                assign_waiting(tx, routing)?;
                Ok(fired)
            })
            .await?,
        ))
    }

    /// When the next timer falls due, if any.
    pub fn next_timer(&self) -> Result<Option<Timer>> {
        Ok(self.store().next_timer()?)
    }

    pub fn conversation(&self, id: Id) -> Result<Conversation> {
        self.store().conversation(id)?.ok_or(EngineError::NotFound("conversation"))
    }

    pub fn conversations(
        &self,
        view: &View,
        status: StatusFilter,
        cursor: Option<ViewCursor>,
        limit: usize,
    ) -> Result<Vec<Conversation>> {
        Ok(self.store().conversations(view, status, cursor, limit.clamp(1, 200))?)
    }

    pub fn count(&self, view: &View, status: StatusFilter) -> Result<u64> {
        Ok(self.store().count(view, status)?)
    }

    /// Messages after `after_seq`; `public_only` leaves out notes and activity (for customers).
    pub fn messages(&self, conversation: Id, after_seq: u64, limit: usize, public_only: bool) -> Result<Vec<Message>> {
        let mut messages = self.store().messages(conversation, after_seq, limit.clamp(1, 500))?;
        if public_only {
            messages.retain(|m| m.kind.is_public());
        }
        Ok(messages)
    }

    /// Compares every index with the records; a full scan, for tests and repair.
    pub fn check_indexes(&self) -> Result<Vec<String>> {
        Ok(self.store().check_indexes()?)
    }

    /// The contacts of a page of conversations, each once, so a list needs no read per row.
    pub fn contacts_of(&self, conversations: &[Conversation]) -> Result<Vec<Contact>> {
        let mut ids: Vec<Id> = conversations.iter().map(|c| c.contact).collect();
        ids.sort();
        ids.dedup();
        let store = self.store();
        Ok(ids.into_iter().filter_map(|id| store.contact(id).transpose()).collect::<std::result::Result<_, _>>()?)
    }

    pub fn contact(&self, id: Id) -> Result<Contact> {
        self.store().contact(id)?.ok_or(EngineError::NotFound("contact"))
    }

    /// A contact's conversations, newest first: what agent and customer see as "previous".
    pub fn contact_conversations(&self, contact: Id) -> Result<Vec<Conversation>> {
        let mut all = self.store().contact_conversations(contact)?;
        all.reverse();
        Ok(all)
    }
}

/// What a customer sends, as `receive` takes it.
#[derive(Default)]
pub(crate) struct Arrival {
    pub content: String,
    /// Put on a conversation it starts (the pre-chat topic).
    pub labels: Vec<String>,
    pub attachments: Vec<Attachment>,
    /// What the inbox said first, opening a conversation it starts (a campaign's message).
    pub opening: Option<String>,
}

/// A customer's message reaches the inbox: it reopens their conversation or starts a new one
/// (linked to the previous one when that one is closed; with `labels`, e.g. the pre-chat topic).
/// Returns whether it started a conversation. The caller assigns waiting conversations.
pub(crate) fn receive(
    tx: &mut Tx<'_>,
    routing: &mut Routing<'_>,
    inbox: &Inbox,
    contact: &Contact,
    arrival: Arrival,
) -> TxResult<(Posted, bool)> {
    let Arrival { content, labels, attachments, opening } = arrival;
    let labels = labels.as_slice();
    let latest = tx.latest_conversation(contact.id, inbox.id)?;
    let now = tx.now();
    let start = |tx: &mut Tx<'_>, previous| {
        let mut c = start_conversation(tx, inbox, contact, previous)?;
        c.labels = labels.to_vec();
        c.priority = inbox.routing.priority_after(c.priority, labels);
        Ok::<_, TxError<EngineError>>(c)
    };
    let (mut conversation, started) = match &latest {
        Some(c) => match decide(&c.lifecycle(), Happening::CustomerMessage, &inbox.policy(), now) {
            Ok(Decision::StartNewConversation) => (start(tx, Some(c.id))?, true),
            Ok(Decision::Moved(next)) => {
                let mut c = c.clone();
                move_to(tx, &mut c, next, None, Activity::CustomerReturned)?;
                (c, false)
            }
            Ok(Decision::Unchanged) => (c.clone(), false),
            Err(e) => return abort(e.into()),
        },
        None => (start(tx, None)?, true),
    };
    // What the inbox said first (a campaign the visitor answers) opens a new conversation.
    if let (true, Some(text)) = (started, opening) {
        append(tx, &mut conversation, MessageKind::Outgoing, None, text)?;
    }
    let message = append_with(tx, &mut conversation, MessageKind::Incoming, None, content, Vec::new(), attachments)?;
    save(tx, routing, inbox, &mut conversation)?;
    Ok((Posted { conversation, message }, started))
}

pub(crate) fn clean_optional(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > max => {
            Err(DomainError::invalid(field, format!("must be at most {max} characters")))
        }
        other => Ok(other.map(str::to_string)),
    }
}

/// The conversation as the command sees it, or "conversation not found".
pub(crate) fn conversation_in(tx: &Tx<'_>, conversation: Id) -> TxResult<Conversation> {
    tx.conversation(conversation)?.ok_or(TxError::Abort(EngineError::NotFound("conversation")))
}

/// An optional email address as typed: blank is none, anything else must be an address.
pub(crate) fn optional_email(raw: Option<&str>) -> Result<Option<String>, DomainError> {
    raw.map(str::trim).filter(|e| !e.is_empty()).map(normalize_email).transpose()
}

pub(crate) fn load(tx: &Tx<'_>, conversation: Id) -> TxResult<(Inbox, Conversation)> {
    let c = conversation_in(tx, conversation)?;
    let Some(inbox) = tx.inbox(c.inbox)? else { return abort(EngineError::NotFound("inbox")) };
    Ok((inbox, c))
}

/// The agent API's customer: found by identifier, else by email, else new. The caller is a
/// trusted integration, so the email it gives is verified (a widget visitor's never comes here).
pub(crate) fn find_or_create_contact(
    tx: &mut Tx<'_>,
    name: Option<String>,
    email: Option<String>,
    identifier: Option<String>,
    language: Option<String>,
) -> TxResult<Contact> {
    let found = match &identifier {
        Some(i) => tx.contact_by_identifier(i)?,
        None => None,
    };
    let found = match (found, &email) {
        (Some(c), _) => Some(c),
        // An entry from before emails were verified may have been typed into the widget by
        // anybody: it finds nobody, and the new contact's verified email takes it over.
        (None, Some(e)) => tx.contact_by_email(e)?.filter(|c| c.email_verified),
        (None, None) => None,
    };
    match found {
        Some(mut c) => {
            // Fill in what the contact did not have yet; never overwrite what it has, except an
            // email only typed into the widget, which the integration's own knows better than.
            let before = c.clone();
            c.name = c.name.or(name);
            c.identifier = c.identifier.or(identifier);
            // The language the customer writes in now is the one to answer in.
            c.language = language.or(c.language);
            if let Some(e) = email {
                if c.email.as_ref() == Some(&e) {
                    c.email_verified = true;
                } else if (c.email.is_none() || !c.email_verified) && email_is_free(tx, &e)? {
                    c.email = Some(e);
                    c.email_verified = true;
                }
            }
            if c != before {
                tx.put_contact(&c)?;
            }
            Ok(c)
        }
        None => {
            let email_verified = email.is_some();
            let c =
                Contact { id: tx.new_id(), name, email, email_verified, identifier, language, created_at: tx.now() };
            tx.put_contact(&c)?;
            Ok(c)
        }
    }
}

/// Whether no contact finds `email` as its verified address yet.
pub(crate) fn email_is_free(tx: &Tx<'_>, email: &str) -> TxResult<bool> {
    Ok(!tx.contact_by_email::<EngineError>(email)?.is_some_and(|c| c.email_verified))
}

fn start_conversation(
    tx: &mut Tx<'_>,
    inbox: &Inbox,
    contact: &Contact,
    previous: Option<Id>,
) -> TxResult<Conversation> {
    let now = tx.now();
    let (id, number) = (tx.new_id(), tx.next_conversation_number()?);
    let c = Conversation::start(id, number, inbox.id, contact.id, inbox.routing.team, previous, now);
    tx.record(
        None,
        EventKind::ConversationCreated { conversation: c.id, inbox: inbox.id, contact: contact.id, previous },
    )?;
    Ok(c)
}

/// Appends a message. Messages written by people make it the conversation's latest activity;
/// activity lines do not, so an automatic close or a relabel does not lift an old conversation
/// to the top of every list (and does not rewrite its place in every view).
pub(crate) fn append(
    tx: &mut Tx<'_>,
    c: &mut Conversation,
    kind: MessageKind,
    author: Option<Id>,
    content: String,
) -> TxResult<Message> {
    append_with(tx, c, kind, author, content, Vec::new(), Vec::new())
}

/// Appends an activity line: the English sentence as its text, and what happened as data.
pub(crate) fn note(tx: &mut Tx<'_>, c: &mut Conversation, author: Option<Id>, what: Activity) -> TxResult<Message> {
    let m = unnumbered(tx, c, MessageKind::Activity, author, what.english());
    append_message(tx, c, Message { activity: Some(what), ..m })
}

/// `append`, for a message that mentions agents (a private note) or carries files.
pub(crate) fn append_with(
    tx: &mut Tx<'_>,
    c: &mut Conversation,
    kind: MessageKind,
    author: Option<Id>,
    content: String,
    mentions: Vec<Id>,
    attachments: Vec<Attachment>,
) -> TxResult<Message> {
    let m = unnumbered(tx, c, kind, author, content);
    append_message(tx, c, Message { mentions, attachments, ..m })
}

/// A message of `c` written now, before `append_message` gives it its number.
fn unnumbered(tx: &Tx<'_>, c: &Conversation, kind: MessageKind, author: Option<Id>, content: String) -> Message {
    Message {
        conversation: c.id,
        seq: 0,
        kind,
        author,
        content,
        created_at: tx.now(),
        mentions: Vec::new(),
        attachments: Vec::new(),
        deleted: false,
        activity: None,
    }
}

fn append_message(tx: &mut Tx<'_>, c: &mut Conversation, mut m: Message) -> TxResult<Message> {
    c.last_seq += 1;
    m.seq = c.last_seq;
    if m.kind != MessageKind::Activity {
        c.last_activity_at = m.created_at;
    }
    if m.kind.is_public() {
        c.preview = match (m.content.is_empty(), m.attachments.first()) {
            (true, Some(file)) => frontdesk_domain::inbox::preview_of(&format!("📎 {}", file.name)),
            _ => frontdesk_domain::inbox::preview_of(&m.content),
        };
    }
    tx.put_message(&m)?;
    let private = !m.kind.is_public();
    tx.record(m.author, EventKind::MessageCreated { conversation: c.id, seq: m.seq, private })?;
    Ok(m)
}

/// Applies a lifecycle move: the events, and an activity line saying what happened.
pub(crate) fn move_to(
    tx: &mut Tx<'_>,
    c: &mut Conversation,
    next: Lifecycle,
    actor: Option<&Agent>,
    activity: Activity,
) -> TxResult<()> {
    let before = c.lifecycle();
    c.apply(next);
    let actor_id = actor.map(|a| a.id);
    if before.status != next.status {
        tx.record(actor_id, EventKind::StatusChanged { conversation: c.id, from: before.status, to: next.status })?;
    }
    if before.assignee != next.assignee {
        tx.record(
            actor_id,
            EventKind::AssigneeChanged { conversation: c.id, from: before.assignee, to: next.assignee },
        )?;
    }
    note(tx, c, actor_id, activity)?;
    Ok(())
}

fn fire(tx: &mut Tx<'_>, routing: &mut Routing<'_>, due: &[Timer]) -> TxResult<usize> {
    let mut fired = 0;
    for timer in due {
        let Some(mut c) = tx.conversation(timer.conversation)? else {
            tx.drop_timer(timer);
            continue;
        };
        let Some(inbox) = tx.inbox(c.inbox)? else {
            tx.drop_timer(timer);
            continue;
        };
        let (happening, activity) = match timer.kind {
            TimerKind::Wake => (Happening::WakeDue(timer.due), Activity::SnoozeEnded),
            TimerKind::Close => (Happening::CloseDue(timer.due), Activity::ClosedAutomatically),
        };
        if let Ok(Decision::Moved(next)) = decide(&c.lifecycle(), happening, &inbox.policy(), timer.due) {
            move_to(tx, &mut c, next, None, activity)?;
            save(tx, routing, &inbox, &mut c)?;
            fired += 1;
        } else {
            // Timers are kept in step with their conversation, so this is a leftover; dropping
            // it keeps the scheduler from finding it due again and again.
            tracing::warn!("dropping a timer conversation {} does not explain: {timer:?}", c.number);
            tx.drop_timer(timer);
        }
    }
    Ok(fired)
}
