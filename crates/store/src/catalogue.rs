//! The catalogue: every sled tree, named `<key>_<value>`, with its key formula. Nothing else
//! opens a tree.

use crate::codec::decode;
use crate::keys;
use crate::records::{AgentRecord, InvitationRecord, SessionRecord, TokenHash};
use crate::Result;
use frontdesk_domain::{Business, Event, Id};

/// Every tree of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tree {
    /// key: fixed names (`keys::meta`) → schema version (u32 BE), business (value)
    Meta,
    /// key: agent id (u64 BE) → `AgentRecord`
    AgentidAgent,
    /// key: normalized email (UTF-8) → agent id (u64 BE)
    EmailAgentid,
    /// key: SHA-256 of the session token (32 bytes) → `SessionRecord`
    TokenhashSession,
    /// key: SHA-256 of the invitation token (32 bytes) → `InvitationRecord`
    TokenhashInvitation,
    /// key: event id (u64 BE, time-ordered, commit order) → `Event`
    EventidEvent,
    /// key: inbox id (u64 BE) → `Inbox`
    InboxidInbox,
    /// key: contact id (u64 BE) → `Contact`
    ContactidContact,
    /// key: contact email (UTF-8) → contact id (u64 BE)
    EmailContactid,
    /// key: the site's identifier for the contact (UTF-8) → contact id (u64 BE)
    IdentifierContactid,
    /// key: conversation id (u64 BE) → `Conversation`
    ConversationidConversation,
    /// key: conversation number (u64 BE) → conversation id (u64 BE)
    NumberConversationid,
    /// key: contact id ++ inbox id (u64 BE each) → the contact's latest conversation id there
    ContactinboxConversationid,
    /// key: contact id ++ conversation id (u64 BE each) → empty: a contact's conversations
    ContactidConversationid,
    /// key: conversation id ++ seq (u64 BE each) → `Message`
    ConversationidSeqMessage,
    /// key: `keys::view_entry` (view, status, inverted last activity, conversation id) → empty;
    /// one entry per view a conversation is in, under its status
    ViewStatusRecencyConversationid,
    /// key: `keys::view` (view, status) → conversation count (u64 BE)
    ViewStatusCount,
    /// key: `keys::timer` (due ms u64 BE, conversation id, kind byte) → empty
    DueConversationKind,
    /// key: team id (u64 BE) → `Team`
    TeamidTeam,
    /// key: canned response id (u64 BE) → `CannedResponse`
    CannedidCanned,
    /// key: a canned response's short code (UTF-8, lower case) → its id (u64 BE): one per code
    ShortcodeCannedid,
    /// key: agent id (u64 BE) → `AgentRouting` (none: the defaults)
    AgentidRouting,
    /// key: email id (u64 BE) → `OutgoingEmail`
    EmailidEmail,
    /// key: `keys::email_due` (next attempt ms u64 BE, email id) → empty: emails still to send
    DueEmailid,
    /// key: conversation id ++ email id (u64 BE each) → empty: a conversation's emails
    ConversationidEmailid,
    /// key: an inbox's public website token (UTF-8) → inbox id (u64 BE)
    WebsitetokenInboxid,
    /// key: SHA-256 of a widget visitor's token (32 bytes) → `VisitorRecord`
    TokenhashVisitor,
    /// key: part number (u32 BE), or `header` → the last batch's writes (`journal`)
    PartBatchwrites,
    /// key: attachment id (u64 BE) → `Upload` (its file is `attachments/<blob>`)
    AttachmentidUpload,
}

impl Tree {
    pub const ALL: [Tree; 29] = [
        Tree::Meta,
        Tree::AgentidAgent,
        Tree::EmailAgentid,
        Tree::TokenhashSession,
        Tree::TokenhashInvitation,
        Tree::EventidEvent,
        Tree::InboxidInbox,
        Tree::ContactidContact,
        Tree::EmailContactid,
        Tree::IdentifierContactid,
        Tree::ConversationidConversation,
        Tree::NumberConversationid,
        Tree::ContactinboxConversationid,
        Tree::ContactidConversationid,
        Tree::ConversationidSeqMessage,
        Tree::ViewStatusRecencyConversationid,
        Tree::ViewStatusCount,
        Tree::DueConversationKind,
        Tree::TeamidTeam,
        Tree::CannedidCanned,
        Tree::ShortcodeCannedid,
        Tree::AgentidRouting,
        Tree::EmailidEmail,
        Tree::DueEmailid,
        Tree::ConversationidEmailid,
        Tree::WebsitetokenInboxid,
        Tree::TokenhashVisitor,
        Tree::PartBatchwrites,
        Tree::AttachmentidUpload,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tree::Meta => "meta",
            Tree::AgentidAgent => "agentid_agent",
            Tree::EmailAgentid => "email_agentid",
            Tree::TokenhashSession => "tokenhash_session",
            Tree::TokenhashInvitation => "tokenhash_invitation",
            Tree::EventidEvent => "eventid_event",
            Tree::InboxidInbox => "inboxid_inbox",
            Tree::ContactidContact => "contactid_contact",
            Tree::EmailContactid => "email_contactid",
            Tree::IdentifierContactid => "identifier_contactid",
            Tree::ConversationidConversation => "conversationid_conversation",
            Tree::NumberConversationid => "number_conversationid",
            Tree::ContactinboxConversationid => "contactinbox_conversationid",
            Tree::ContactidConversationid => "contactid_conversationid",
            Tree::ConversationidSeqMessage => "conversationid_seq_message",
            Tree::ViewStatusRecencyConversationid => "view_status_recency_conversationid",
            Tree::ViewStatusCount => "view_status_count",
            Tree::DueConversationKind => "due_conversation_kind",
            Tree::TeamidTeam => "teamid_team",
            Tree::CannedidCanned => "cannedid_canned",
            Tree::ShortcodeCannedid => "shortcode_cannedid",
            Tree::AgentidRouting => "agentid_routing",
            Tree::EmailidEmail => "emailid_email",
            Tree::DueEmailid => "due_emailid",
            Tree::ConversationidEmailid => "conversationid_emailid",
            Tree::WebsitetokenInboxid => "websitetoken_inboxid",
            Tree::TokenhashVisitor => "tokenhash_visitor",
            Tree::PartBatchwrites => "part_batchwrites",
            Tree::AttachmentidUpload => "attachmentid_upload",
        }
    }
}

/// The open trees, indexed by `Tree`.
pub(crate) struct Trees {
    all: Vec<sled::Tree>,
}

impl Trees {
    pub fn open(db: &sled::Db) -> Result<Trees> {
        let all = Tree::ALL.iter().map(|t| db.open_tree(t.name())).collect::<Result<Vec<_>, _>>()?;
        Ok(Trees { all })
    }

    pub fn get(&self, tree: Tree) -> &sled::Tree {
        &self.all[tree as usize]
    }

    /// The greatest id in use, read from the last key of each id-keyed tree (no scan).
    pub fn last_id(&self) -> Result<Id> {
        let mut last = Id(0);
        for tree in [
            self.get(Tree::AgentidAgent),
            self.get(Tree::EventidEvent),
            self.get(Tree::InboxidInbox),
            self.get(Tree::ContactidContact),
            self.get(Tree::ConversationidConversation),
            self.get(Tree::TeamidTeam),
            self.get(Tree::CannedidCanned),
        ] {
            if let Some((key, _)) = tree.last()? {
                last = last.max(keys::parse_id(&key).unwrap_or(Id(0)));
            }
        }
        Ok(last)
    }

    /// Reads and decodes one value.
    pub fn get_decoded<T: serde::de::DeserializeOwned>(&self, tree: Tree, key: &[u8]) -> Result<Option<T>> {
        self.get(tree).get(key)?.map(|v| decode(tree.name(), &v)).transpose()
    }

    pub fn business(&self) -> Result<Option<Business>> {
        self.get_decoded(Tree::Meta, keys::meta::BUSINESS)
    }

    pub fn agent(&self, id: Id) -> Result<Option<AgentRecord>> {
        self.get_decoded(Tree::AgentidAgent, &keys::id(id))
    }

    pub fn agent_by_email(&self, email: &str) -> Result<Option<AgentRecord>> {
        match self.get(Tree::EmailAgentid).get(keys::email(email))?.and_then(|v| keys::parse_id(&v)) {
            Some(id) => self.agent(id),
            None => Ok(None),
        }
    }

    pub fn agents(&self, after: Option<Id>, limit: usize) -> Result<Vec<AgentRecord>> {
        page_after(self.get(Tree::AgentidAgent), Tree::AgentidAgent, after, limit)
    }

    pub fn session(&self, token: &TokenHash) -> Result<Option<SessionRecord>> {
        self.get_decoded(Tree::TokenhashSession, &keys::token(token))
    }

    pub fn invitation(&self, token: &TokenHash) -> Result<Option<InvitationRecord>> {
        self.get_decoded(Tree::TokenhashInvitation, &keys::token(token))
    }

    pub fn events_after(&self, after: Option<Id>, limit: usize) -> Result<Vec<Event>> {
        page_after(self.get(Tree::EventidEvent), Tree::EventidEvent, after, limit)
    }
}

/// One page of an id-keyed tree, after `after` (exclusive): a range read, never a scan.
fn page_after<T: serde::de::DeserializeOwned>(
    tree: &sled::Tree,
    name: Tree,
    after: Option<Id>,
    limit: usize,
) -> Result<Vec<T>> {
    let start = match after {
        Some(id) => std::ops::Bound::Excluded(keys::id(id)),
        None => std::ops::Bound::Unbounded,
    };
    tree.range((start, std::ops::Bound::Unbounded))
        .take(limit)
        .map(|kv| {
            let (_, v) = kv?;
            decode(name.name(), &v)
        })
        .collect()
}
