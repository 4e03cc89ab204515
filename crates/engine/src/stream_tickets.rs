//! One-time tickets that open the agents' event stream. A browser cannot set headers on a
//! WebSocket, and a session token in its URL ends up in proxy logs, so a client trades its
//! session, over an authenticated request, for a ticket that opens one stream within 30 s.
//! Tickets live in memory only: a restart voids them, and the client fetches a new one.

use crate::secrets::{new_token, token_hash};
use crate::{Desk, EngineError, Result};
use frontdesk_domain::{Agent, Id, Timestamp};
use frontdesk_store::TokenHash;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// How long a ticket can wait before it opens a stream.
pub const STREAM_TICKET_TTL: Duration = Duration::from_secs(30);
/// Tickets waiting at once, at most: past this the ones closest to expiring go first, so a
/// client that asks for tickets without using them cannot make the desk hold more.
const MAX_WAITING: usize = 10_000;

/// A ticket just issued: its secret is shown once, here.
#[derive(Debug, Clone, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct StreamTicket {
    /// Goes in `GET /api/v1/stream?ticket=…`; it opens one stream.
    pub ticket: String,
    pub expires_at: Timestamp,
}

/// The session a stream was opened with, so the open stream can check it is still alive.
#[derive(Debug, Clone)]
pub struct StreamSession {
    pub agent: Agent,
    session: TokenHash,
}

struct Waiting {
    agent: Id,
    session: TokenHash,
    expires_at: Timestamp,
}

/// The tickets issued and not yet used, by the SHA-256 of each.
#[derive(Default)]
pub(crate) struct StreamTickets(Mutex<HashMap<TokenHash, Waiting>>);

impl StreamTickets {
    fn issue(&self, ticket: TokenHash, waiting: Waiting, now: Timestamp) {
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if all.len() >= MAX_WAITING {
            all.retain(|_, w| now < w.expires_at);
        }
        while all.len() >= MAX_WAITING {
            let Some(soonest) = all.iter().min_by_key(|(_, w)| w.expires_at).map(|(k, _)| *k) else { break };
            all.remove(&soonest);
        }
        all.insert(ticket, waiting);
    }

    /// Takes the ticket out, whatever happens next: a ticket is good for one try.
    fn take(&self, ticket: &TokenHash) -> Option<Waiting> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(ticket)
    }
}

impl Desk {
    /// A ticket for opening one event stream as the session of `token` (already authenticated).
    pub fn stream_ticket(&self, agent: &Agent, token: &str) -> Result<StreamTicket> {
        let (ticket, hash) = new_token()?;
        let now = self.now();
        let expires_at = now.plus(STREAM_TICKET_TTL);
        let waiting = Waiting { agent: agent.id, session: token_hash(token), expires_at };
        self.inner.stream_tickets.issue(hash, waiting, now);
        Ok(StreamTicket { ticket, expires_at })
    }

    /// Uses a ticket up: the session it was issued for, if the ticket is fresh and that
    /// session and its account are still good.
    pub async fn open_stream(&self, ticket: &str) -> Result<StreamSession> {
        let waiting = self.inner.stream_tickets.take(&token_hash(ticket)).ok_or(EngineError::StreamTicketInvalid)?;
        if self.now() >= waiting.expires_at {
            return Err(EngineError::StreamTicketInvalid);
        }
        let agent = self.session_agent(waiting.session).await?;
        if agent.id != waiting.agent {
            return Err(EngineError::StreamTicketInvalid);
        }
        Ok(StreamSession { agent, session: waiting.session })
    }

    /// Whether an open stream's session still stands (not logged out, expired or deactivated).
    pub async fn check_stream_session(&self, stream: &StreamSession) -> Result<Agent> {
        self.session_agent(stream.session).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(expires_at: i64) -> Waiting {
        Waiting { agent: Id(1), session: TokenHash([0; 32]), expires_at: Timestamp(expires_at) }
    }

    fn key(n: usize) -> TokenHash {
        let mut k = [0; 32];
        k[..8].copy_from_slice(&(n as u64).to_be_bytes());
        TokenHash(k)
    }

    #[test]
    fn a_full_set_forgets_expired_tickets_first_then_the_one_closest_to_expiring() {
        let tickets = StreamTickets::default();
        // At t = 6,000 the first 5,001 have expired (one expiring at 6,000 is expired then).
        for n in 0..MAX_WAITING {
            tickets.issue(key(n), waiting(1_000 + n as i64), Timestamp(0));
        }
        tickets.issue(key(MAX_WAITING), waiting(40_000), Timestamp(6_000));
        let held = tickets.0.lock().unwrap().len();
        assert_eq!(held, MAX_WAITING - 5_001 + 1, "the expired ones went, the rest stayed");
        assert!(tickets.take(&key(5_000)).is_none() && tickets.take(&key(5_001)).is_some());

        let tickets = StreamTickets::default();
        for n in 0..MAX_WAITING {
            tickets.issue(key(n), waiting(100_000 + n as i64), Timestamp(0));
        }
        tickets.issue(key(MAX_WAITING), waiting(200_000), Timestamp(0));
        assert_eq!(tickets.0.lock().unwrap().len(), MAX_WAITING);
        assert!(tickets.take(&key(0)).is_none(), "the one closest to expiring made room");
        assert!(tickets.take(&key(1)).is_some() && tickets.take(&key(MAX_WAITING)).is_some());
    }
}
