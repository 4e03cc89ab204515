//! What the website widget needs from the store: an inbox by its public website token, and the
//! visitors' sessions (only the SHA-256 of each visitor token is kept).

use crate::catalogue::Tree;
use crate::keys;
use crate::records::{TokenHash, VisitorRecord};
use crate::tx::{Tx, TxError};
use crate::{Result, Store};
use frontdesk_domain::inbox::Inbox;

type TxResult<T, E> = std::result::Result<T, TxError<E>>;

impl Tx<'_> {
    pub fn put_visitor<E>(&mut self, token: &TokenHash, visitor: &VisitorRecord) -> TxResult<(), E> {
        self.put(Tree::TokenhashVisitor, &keys::token(token), crate::codec::encode(visitor));
        Ok(())
    }
}

impl Store {
    /// The inbox whose widget has this website token.
    pub fn inbox_by_website_token(&self, token: &str) -> Result<Option<Inbox>> {
        match self.tree(Tree::WebsitetokenInboxid).get(token.as_bytes())?.and_then(|v| keys::parse_id(&v)) {
            Some(id) => self.inbox(id),
            None => Ok(None),
        }
    }

    pub fn visitor(&self, token: &TokenHash) -> Result<Option<VisitorRecord>> {
        self.get_decoded(Tree::TokenhashVisitor, &keys::token(token))
    }
}
