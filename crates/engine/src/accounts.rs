//! Accounts: first-start setup, login and sessions, invitations, deactivation.

use crate::secrets::{hash_password, new_token, token_hash, verify_password};
use crate::{Desk, EngineError, Result};
use frontdesk_domain::account::{validate_password, AccountStatus};
use frontdesk_domain::{
    login::FREE_FAILURES, Agent, Business, EventKind, Id, NewAgent, Role, SetupRequest, Timestamp, SESSION_TTL,
};
use frontdesk_store::{AgentRecord, InvitationRecord, SessionRecord, TokenHash, TxError};
use serde::Serialize;
use std::time::Duration;

/// How long an invitation link stays valid.
pub const INVITATION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// A session is pushed forward at most this often, so a busy agent does not write on every call.
const SESSION_RENEW_AFTER: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct SetupStatus {
    pub needs_setup: bool,
    pub business_name: Option<String>,
}

/// A new session: the secret token is shown once, here.
#[derive(Debug, Clone, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct LoginOutcome {
    pub token: String,
    pub expires_at: Timestamp,
    pub agent: Agent,
}

/// An invitation just made: the link's secret is shown to the admin once.
#[derive(Debug, Clone, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Invitation {
    pub agent: Agent,
    pub token: String,
    pub expires_at: Timestamp,
}

/// What the invitation screen shows before the invitee picks a password.
#[derive(Debug, Clone, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct InvitationInfo {
    pub business_name: String,
    pub name: String,
    pub email: String,
}

fn abort<T>(e: EngineError) -> Result<T, TxError<EngineError>> {
    Err(TxError::Abort(e))
}

impl Desk {
    pub fn setup_status(&self) -> Result<SetupStatus> {
        let business = self.store().business()?;
        Ok(SetupStatus { needs_setup: business.is_none(), business_name: business.map(|b| b.name) })
    }

    /// Creates the business and its first admin, and logs the admin in. Only once.
    pub async fn setup(&self, request: SetupRequest) -> Result<LoginOutcome> {
        let (business_name, admin) = request.validate()?;
        if self.store().business()?.is_some() {
            return Err(EngineError::AlreadySetUp);
        }
        let password_hash = hash_password(request.password).await?;
        let (token, hash) = new_token()?;
        let router = self.inner.router.clone();
        self.command(move |tx| {
            // Checked again inside the transaction: two setups racing, only one wins.
            if tx.business()?.is_some() {
                return abort(EngineError::AlreadySetUp);
            }
            let now = tx.now();
            let agent = new_agent(tx.new_id(), &admin, AccountStatus::Active, now);
            tx.put_agent(&AgentRecord { agent: agent.clone(), password_hash: Some(password_hash.clone()) })?;
            tx.put_business(&Business { name: business_name.clone(), created_at: now })?;
            tx.record(
                Some(agent.id),
                EventKind::SetupCompleted { business_name: business_name.clone(), admin: agent.id },
            )?;
            let expires_at = now.plus(SESSION_TTL);
            tx.put_session(&hash, &SessionRecord { agent: agent.id, created_at: now, expires_at })?;
            crate::routing::join(tx, &router, &agent)?;
            Ok(LoginOutcome { token: token.clone(), expires_at, agent })
        })
        .await
    }

    /// Logs in with email and password. `client` names where the attempt came from, so repeated
    /// failures from one place are slowed down as well as those against one account.
    pub async fn login(&self, email: &str, password: String, client: &str) -> Result<LoginOutcome> {
        if self.store().business()?.is_none() {
            return Err(EngineError::NotSetUp);
        }
        let email = email.trim().to_lowercase();
        let keys = [format!("email:{email}"), format!("client:{client}")];
        let now = self.now();
        if let Some(wait) = self.throttle_wait(&keys, now) {
            return Err(EngineError::TooManyAttempts { retry_after: wait });
        }
        let record = self.store().agent_by_email(&email)?;
        let ok = verify_password(password, record.as_ref().and_then(|r| r.password_hash.clone())).await;
        let record = match record {
            Some(r) if ok => r,
            _ => {
                self.record_login_failure(&keys, self.now());
                return Err(EngineError::InvalidCredentials);
            }
        };
        // Only the account's count: one good password must not clear a client that guesses others.
        self.clear_throttle(&keys[..1]);
        if !record.agent.can_log_in() {
            return Err(EngineError::AccountDeactivated);
        }
        self.start_session(record.agent).await
    }

    async fn start_session(&self, agent: Agent) -> Result<LoginOutcome> {
        let (token, hash) = new_token()?;
        self.command(move |tx| {
            let now = tx.now();
            let expires_at = now.plus(SESSION_TTL);
            tx.put_session(&hash, &SessionRecord { agent: agent.id, created_at: now, expires_at })?;
            Ok(LoginOutcome { token: token.clone(), expires_at, agent: agent.clone() })
        })
        .await
    }

    /// The agent a session token belongs to, if the session is alive and the account active.
    pub async fn authenticate(&self, token: &str) -> Result<Agent> {
        self.session_agent(token_hash(token)).await
    }

    /// The agent of the session stored under `hash`, as `authenticate`.
    pub(crate) async fn session_agent(&self, hash: TokenHash) -> Result<Agent> {
        let session = self.store().session(&hash)?.ok_or(EngineError::NotAuthenticated)?;
        let now = self.now();
        if now >= session.expires_at {
            return Err(EngineError::SessionExpired);
        }
        let record = self.store().agent(session.agent)?.ok_or(EngineError::NotAuthenticated)?;
        if !record.agent.can_log_in() {
            return Err(EngineError::AccountDeactivated);
        }
        if session.expires_at.since(now) + SESSION_RENEW_AFTER < SESSION_TTL {
            self.renew_session(hash).await?;
        }
        Ok(record.agent)
    }

    async fn renew_session(&self, hash: TokenHash) -> Result<()> {
        self.command(move |tx| {
            if let Some(mut session) = tx.session(&hash)? {
                session.expires_at = tx.now().plus(SESSION_TTL);
                tx.put_session(&hash, &session)?;
            }
            Ok(())
        })
        .await
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        let hash = token_hash(token);
        self.command(move |tx| tx.remove_session(&hash)).await
    }

    /// Agents in creation order, a page at a time.
    pub fn agents(&self, after: Option<Id>, limit: usize) -> Result<Vec<Agent>> {
        Ok(self.store().agents(after, limit.clamp(1, 500))?.into_iter().map(|r| r.agent).collect())
    }

    /// An admin invites a colleague; the returned token goes into the link they open.
    pub async fn invite_agent(&self, actor: &Agent, name: &str, email: &str, role: Role) -> Result<Invitation> {
        require_admin(actor, "invite agents")?;
        let new = NewAgent::new(name, email, role)?;
        let (token, hash) = new_token()?;
        let actor = actor.id;
        self.command(move |tx| {
            if tx.agent_id_by_email(&new.email)?.is_some() {
                return abort(EngineError::Conflict(format!("{} already has an account", new.email)));
            }
            let now = tx.now();
            let agent = new_agent(tx.new_id(), &new, AccountStatus::Invited, now);
            tx.put_agent(&AgentRecord { agent: agent.clone(), password_hash: None })?;
            let expires_at = now.plus(INVITATION_TTL);
            tx.put_invitation(&hash, &InvitationRecord { agent: agent.id, expires_at })?;
            tx.record(Some(actor), EventKind::AgentInvited { agent: agent.id })?;
            Ok(Invitation { agent, token: token.clone(), expires_at })
        })
        .await
    }

    pub fn invitation(&self, token: &str) -> Result<InvitationInfo> {
        let invitation = self.store().invitation(&token_hash(token))?.ok_or(EngineError::InvitationInvalid)?;
        if self.now() >= invitation.expires_at {
            return Err(EngineError::InvitationInvalid);
        }
        let agent = self.store().agent(invitation.agent)?.ok_or(EngineError::InvitationInvalid)?.agent;
        let business_name = self.store().business()?.map(|b| b.name).unwrap_or_default();
        Ok(InvitationInfo { business_name, name: agent.name, email: agent.email })
    }

    /// The invitee picks a password; the account becomes active and is logged in.
    pub async fn accept_invitation(&self, token: &str, password: String) -> Result<LoginOutcome> {
        validate_password(&password)?;
        let hash = token_hash(token);
        self.invitation(token)?;
        let password_hash = hash_password(password).await?;
        let router = self.inner.router.clone();
        let agent = self
            .command(move |tx| {
                let Some(invitation) = tx.invitation(&hash)? else { return abort(EngineError::InvitationInvalid) };
                if tx.now() >= invitation.expires_at {
                    return abort(EngineError::InvitationInvalid);
                }
                let Some(mut record) = tx.agent(invitation.agent)? else {
                    return abort(EngineError::InvitationInvalid);
                };
                if record.agent.status != AccountStatus::Invited {
                    return abort(EngineError::InvitationInvalid);
                }
                record.agent.status = AccountStatus::Active;
                record.password_hash = Some(password_hash.clone());
                tx.put_agent(&record)?;
                tx.remove_invitation(&hash)?;
                tx.record(Some(record.agent.id), EventKind::AgentActivated { agent: record.agent.id })?;
                crate::routing::join(tx, &router, &record.agent)?;
                Ok(record.agent)
            })
            .await?;
        self.start_session(agent).await
    }

    /// An admin deactivates an agent: their sessions are deleted at once, so reactivating the
    /// account later does not bring any of them back.
    pub async fn deactivate_agent(&self, actor: &Agent, id: Id) -> Result<Agent> {
        require_admin(actor, "deactivate agents")?;
        if actor.id == id {
            return Err(EngineError::Conflict("you cannot deactivate your own account".into()));
        }
        self.set_status(actor, id, AccountStatus::Deactivated, EventKind::AgentDeactivated { agent: id }).await
    }

    /// An admin makes a colleague an admin or an agent. Nobody changes their own role, so the
    /// desk always keeps the admin who made the change.
    pub async fn set_agent_role(&self, actor: &Agent, id: Id, role: Role) -> Result<Agent> {
        require_admin(actor, "change roles")?;
        if actor.id == id {
            return Err(EngineError::Conflict("you cannot change your own role: ask another admin".into()));
        }
        let actor = actor.id;
        self.command(move |tx| {
            let Some(mut record) = tx.agent(id)? else { return abort(EngineError::NotFound("agent")) };
            if record.agent.role == role {
                return Ok(record.agent);
            }
            record.agent.role = role;
            tx.put_agent(&record)?;
            tx.record(Some(actor), EventKind::AgentRoleChanged { agent: id, role })?;
            Ok(record.agent)
        })
        .await
    }

    pub async fn reactivate_agent(&self, actor: &Agent, id: Id) -> Result<Agent> {
        require_admin(actor, "reactivate agents")?;
        self.set_status(actor, id, AccountStatus::Active, EventKind::AgentReactivated { agent: id }).await
    }

    async fn set_status(&self, actor: &Agent, id: Id, status: AccountStatus, event: EventKind) -> Result<Agent> {
        let actor = actor.id;
        let router = self.inner.router.clone();
        self.command(move |tx| {
            let Some(mut record) = tx.agent(id)? else { return abort(EngineError::NotFound("agent")) };
            if status == AccountStatus::Active && record.password_hash.is_none() {
                return abort(EngineError::Conflict(format!(
                    "{} has not accepted the invitation yet: there is no password to reactivate",
                    record.agent.email
                )));
            }
            if record.agent.status == status {
                return Ok(record.agent);
            }
            record.agent.status = status;
            tx.put_agent(&record)?;
            // On reactivation too: a build before this one kept a deactivated agent's sessions.
            tx.remove_sessions_of(id)?;
            tx.record(Some(actor), event.clone())?;
            if record.agent.can_log_in() {
                crate::routing::join(tx, &router, &record.agent)?;
            } else {
                crate::routing::leave(tx, &router, &record.agent)?;
            }
            Ok(record.agent)
        })
        .await
    }

    fn throttle_wait(&self, keys: &[String], now: Timestamp) -> Option<Duration> {
        let throttles = self.inner.throttles.lock().unwrap_or_else(|p| p.into_inner());
        keys.iter().filter_map(|k| throttles.get(k)?.wait(now)).max()
    }

    fn record_login_failure(&self, keys: &[String], now: Timestamp) {
        let mut throttles = self.inner.throttles.lock().unwrap_or_else(|p| p.into_inner());
        // Bound the memory an attacker can make us spend: forget records that no longer matter.
        if throttles.len() > 10_000 {
            throttles.retain(|_, t| !t.is_stale(now));
        }
        for key in keys {
            let t = throttles.entry(key.clone()).or_default();
            t.record_failure(now);
            if t.failures > FREE_FAILURES {
                tracing::warn!("repeated failed logins for {key}: {} in a row", t.failures);
            }
        }
    }

    fn clear_throttle(&self, keys: &[String]) {
        let mut throttles = self.inner.throttles.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            throttles.remove(key);
        }
    }
}

fn new_agent(id: Id, new: &NewAgent, status: AccountStatus, now: Timestamp) -> Agent {
    Agent {
        id,
        name: new.name.clone(),
        email: new.email.clone(),
        role: new.role,
        status,
        created_at: now,
        notifications: Default::default(),
        language: None,
    }
}

pub(crate) fn require_admin(actor: &Agent, what: &'static str) -> Result<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(EngineError::AdminOnly(what))
    }
}
