//! Routing in the engine: the router lives in memory beside the store and changes inside the
//! same commands as the conversations and agents it describes, so it always matches what the
//! committer has run. Every command that changes a conversation or an agent saves through here,
//! then gives waiting conversations to whoever can take them. On start the router is rebuilt
//! from the store's indexes (agents' view entries and the unassigned views), never from a scan
//! of every conversation.

use crate::conversations::{load, move_to};
use crate::{Desk, EngineError, Result};
use frontdesk_domain::activity::{Activity, Release};
use frontdesk_domain::conversation::{refuse_if_closed, Status};
use frontdesk_domain::inbox::{Conversation, Inbox, Priority};
use frontdesk_domain::routing::{
    capacity, skills, AgentRouting, Availability, Facts, InboxRouting, Router, RoutingChanges, WaitReason,
};
use frontdesk_domain::view::View;
use frontdesk_domain::{Agent, EventKind, Id, Timestamp};
use frontdesk_store::{Store, Tx, TxError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

type TxResult<T> = std::result::Result<T, TxError<EngineError>>;

fn abort<T>(e: EngineError) -> TxResult<T> {
    Err(TxError::Abort(e))
}

/// The router, locked for one command: changes are undone unless the command commits them
/// (a command that fails part-way, or panics, leaves the router as it found it).
pub(crate) struct Routing<'a> {
    router: MutexGuard<'a, Router>,
    kept: bool,
}

impl<'a> Routing<'a> {
    pub(crate) fn begin(router: &'a Mutex<Router>) -> Routing<'a> {
        let mut router = router.lock().unwrap_or_else(|p| p.into_inner());
        router.begin();
        Routing { router, kept: false }
    }

    /// Keeps this command's changes; call it last, when nothing can fail any more.
    pub(crate) fn commit(mut self) {
        self.router.commit();
        self.kept = true;
    }
}

impl std::ops::Deref for Routing<'_> {
    type Target = Router;
    fn deref(&self) -> &Router {
        &self.router
    }
}

impl std::ops::DerefMut for Routing<'_> {
    fn deref_mut(&mut self) -> &mut Router {
        &mut self.router
    }
}

impl Drop for Routing<'_> {
    fn drop(&mut self) {
        if !self.kept {
            self.router.rollback();
        }
    }
}

/// Writes a conversation and tells the router: when it starts or stops waiting for an
/// assignee, its `queued_at` says so.
pub(crate) fn save(tx: &mut Tx<'_>, routing: &mut Routing<'_>, inbox: &Inbox, c: &mut Conversation) -> TxResult<()> {
    inbox.routing.settle(c, tx.now());
    tx.put_conversation(c)?;
    routing.sync(&Facts::of(c, &inbox.routing));
    Ok(())
}

/// Gives waiting conversations to agents as long as the router finds a fit; then keeps the
/// command's routing changes. The last step of every command that saves through `save`.
pub(crate) fn assign_waiting(tx: &mut Tx<'_>, mut routing: Routing<'_>) -> TxResult<()> {
    let mut inboxes: HashMap<Id, Inbox> = HashMap::new();
    while let Some(next) = routing.next_assignment() {
        let c = tx.conversation(next.conversation)?;
        let inbox = match &c {
            Some(c) => match inboxes.get(&c.inbox) {
                Some(i) => Some(i.clone()),
                None => tx.inbox(c.inbox)?.inspect(|i| {
                    inboxes.insert(i.id, i.clone());
                }),
            },
            None => None,
        };
        let agent = tx.agent(next.agent)?.filter(|r| r.agent.can_log_in()).map(|r| r.agent);
        let (Some(mut c), Some(inbox), Some(agent)) = (c, inbox, agent) else {
            // The router knew something the store does not: forget it, so the loop moves on.
            tracing::warn!("routing dropped a stale entry: {next:?}");
            if tx.agent::<EngineError>(next.agent)?.is_none_or(|r| !r.agent.can_log_in()) {
                routing.set_agent(next.agent, None);
            } else {
                routing.sync(&Facts {
                    conversation: next.conversation,
                    status: Status::Closed,
                    assignee: None,
                    waiting: None,
                });
            }
            continue;
        };
        let mut next_lifecycle = c.lifecycle();
        next_lifecycle.assignee = Some(agent.id);
        move_to(tx, &mut c, next_lifecycle, None, Activity::RoutedTo { agent: agent.name.clone() })?;
        save(tx, &mut routing, &inbox, &mut c)?;
        if let Some(mut profile) = routing.agent(agent.id).cloned() {
            profile.idle_since = tx.now();
            tx.put_agent_routing(agent.id, &profile)?;
            routing.set_agent(agent.id, Some(profile));
        }
    }
    routing.commit();
    Ok(())
}

/// An agent stops taking conversations (offline, or deactivated): their `new` conversations go
/// back to the queue; `open` ones stay theirs, and admins are told.
fn release(tx: &mut Tx<'_>, routing: &mut Routing<'_>, agent: &Agent, why: Release) -> TxResult<()> {
    let mut still_open = Vec::new();
    for id in routing.held_by(agent.id) {
        let (inbox, mut c) = load(tx, id)?;
        match c.status {
            Status::New => {
                let mut next = c.lifecycle();
                next.assignee = None;
                move_to(tx, &mut c, next, None, Activity::BackInQueue { agent: agent.name.clone(), why })?;
                save(tx, routing, &inbox, &mut c)?;
            }
            _ => still_open.push(c.id),
        }
    }
    if !still_open.is_empty() {
        tx.record(None, EventKind::OpenConversationsLeft { agent: agent.id, conversations: still_open })?;
    }
    Ok(())
}

/// Builds the router from the store: active agents with their profiles, the `new` and `open`
/// conversations each agent holds (from their view keys), and the unassigned `new` and `open`
/// conversations (read one by one: the queue and conversations of inboxes without
/// auto-assignment).
pub(crate) fn rebuild(store: &Store) -> Result<Router> {
    let mut router = Router::default();
    let profiles: HashMap<Id, AgentRouting> = store.agent_routings()?.into_iter().collect();
    let mut after = None;
    loop {
        let page = store.agents(after, 500)?;
        let Some(last) = page.last() else { break };
        after = Some(last.agent.id);
        for record in &page {
            let a = &record.agent;
            if a.can_log_in() {
                let profile = profiles.get(&a.id).cloned().unwrap_or_else(|| AgentRouting::new(a.created_at));
                router.set_agent(a.id, Some(profile));
            }
            for status in [Status::New, Status::Open] {
                for conversation in store.view_members(&View::Assignee(a.id), Some(status))? {
                    router.sync(&Facts { conversation, status, assignee: Some(a.id), waiting: None });
                }
            }
        }
    }
    let mut inboxes: HashMap<Id, Option<Inbox>> = HashMap::new();
    for status in [Status::New, Status::Open] {
        for id in store.view_members(&View::Unassigned, Some(status))? {
            let Some(c) = store.conversation(id)? else { continue };
            let inbox = match inboxes.entry(c.inbox) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(store.inbox(c.inbox)?),
            };
            if let Some(inbox) = inbox {
                router.sync(&Facts::of(&c, &inbox.routing));
            }
        }
    }
    Ok(router)
}

/// One agent's part in routing, as the queue screen shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct AgentLoad {
    pub agent: Id,
    pub name: String,
    pub availability: Availability,
    /// `new` and `open` conversations the agent holds.
    pub load: u32,
    pub capacity: u32,
    pub skills: Vec<String>,
    pub teams: Vec<Id>,
    pub idle_since: Timestamp,
}

/// A conversation waiting for an agent.
#[derive(Debug, Clone, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Waiting {
    pub conversation: Id,
    pub number: u64,
    pub inbox: Id,
    pub priority: Priority,
    pub team: Option<Id>,
    pub queued_at: Timestamp,
    /// Seconds it has waited so far.
    pub waited_secs: u64,
    pub reason: WaitReason,
}

/// The queue and the agents' loads.
#[derive(Debug, Clone, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct RoutingOverview {
    pub agents: Vec<AgentLoad>,
    /// The first waiting conversations, in the order they will be assigned.
    pub queue: Vec<Waiting>,
    /// How many wait in all.
    pub waiting: u64,
}

/// Who a conversation goes to by hand: an agent, or nobody.
#[derive(Debug, Clone, Copy, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct AssignRequest {
    /// An agent id, or null to unassign (an auto-assigned inbox then queues it again).
    #[ts(type = "string | null")]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<Id>,
}

#[derive(Debug, Clone, Copy, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct AvailabilityRequest {
    pub availability: Availability,
}

impl Desk {
    /// Rebuilds the router from the store (after a write the store could not make durable,
    /// the in-memory router may be ahead of it).
    pub(crate) fn rebuild_routing(&self) {
        match rebuild(self.store()) {
            Ok(fresh) => *self.inner.router.lock().unwrap_or_else(|p| p.into_inner()) = fresh,
            Err(e) => tracing::error!("could not rebuild routing from the store: {e}"),
        }
    }

    /// The router as it stands; for tests comparing it with a rebuilt one.
    pub fn router_snapshot(&self) -> Router {
        let mut r = self.inner.router.lock().unwrap_or_else(|p| p.into_inner()).clone();
        r.commit();
        r
    }

    /// The router rebuilt from the store, as a restart would build it.
    pub fn router_from_store(&self) -> Result<Router> {
        rebuild(self.store())
    }

    /// The queue (its first `limit`) with wait times and reasons, and every agent's load.
    pub fn routing_overview(&self, limit: usize) -> Result<RoutingOverview> {
        let now = self.now();
        let (agents, places, reasons, total) = {
            let r = self.inner.router.lock().unwrap_or_else(|p| p.into_inner());
            let agents: Vec<(Id, AgentRouting, u32)> = r.agents().map(|(id, p)| (id, p.clone(), r.load(id))).collect();
            let places = r.queue();
            let total = places.len() as u64;
            let places: Vec<_> = places.into_iter().take(limit.clamp(1, 1000)).collect();
            let reasons: Vec<_> = places.iter().map(|p| r.wait_reason(p.conversation)).collect();
            (agents, places, reasons, total)
        };
        let mut out_agents = Vec::with_capacity(agents.len());
        for (id, p, load) in agents {
            let name = self.store().agent(id)?.map(|r| r.agent.name).unwrap_or_default();
            out_agents.push(AgentLoad {
                agent: id,
                name,
                availability: p.availability,
                load,
                capacity: p.capacity,
                skills: p.skills,
                teams: p.teams,
                idle_since: p.idle_since,
            });
        }
        let mut queue = Vec::with_capacity(places.len());
        for (place, reason) in places.into_iter().zip(reasons) {
            let Some(c) = self.store().conversation(place.conversation)? else { continue };
            queue.push(Waiting {
                conversation: c.id,
                number: c.number,
                inbox: c.inbox,
                priority: c.priority,
                team: c.team,
                queued_at: place.queued_at,
                waited_secs: u64::try_from((now.0 - place.queued_at.0) / 1000).unwrap_or(0),
                reason: reason.unwrap_or(WaitReason::NextInLine),
            });
        }
        Ok(RoutingOverview { agents: out_agents, queue, waiting: total })
    }

    /// An agent sets their availability (an admin may set anyone's). Going online makes the
    /// agent the longest idle; going offline returns their `new` conversations to the queue.
    pub async fn set_availability(&self, actor: &Agent, agent: Id, availability: Availability) -> Result<AgentRouting> {
        if actor.id != agent {
            crate::accounts::require_admin(actor, "change another agent's availability")?;
        }
        self.change_profile(actor.id, agent, move |tx, profile| {
            if profile.availability == availability {
                return Ok(false);
            }
            if availability == Availability::Online {
                profile.idle_since = tx.now();
            }
            profile.availability = availability;
            Ok(true)
        })
        .await
    }

    /// An admin changes an agent's capacity, skills or teams.
    pub async fn update_agent_routing(
        &self,
        actor: &Agent,
        agent: Id,
        changes: RoutingChanges,
    ) -> Result<AgentRouting> {
        crate::accounts::require_admin(actor, "change agents' capacity, skills or teams")?;
        let new_capacity = changes.capacity.map(capacity).transpose()?;
        let new_skills = changes.skills.as_deref().map(skills).transpose()?;
        let mut new_teams = changes.teams.clone();
        if let Some(t) = &mut new_teams {
            t.sort();
            t.dedup();
        }
        self.change_profile(actor.id, agent, move |tx, profile| {
            if let Some(teams) = &new_teams {
                for team in teams {
                    if tx.team(*team)?.is_none() {
                        return abort(EngineError::NotFound("team"));
                    }
                }
                profile.teams = teams.clone();
            }
            if let Some(c) = new_capacity {
                profile.capacity = c;
            }
            if let Some(s) = &new_skills {
                profile.skills = s.clone();
            }
            Ok(true)
        })
        .await
    }

    /// Edits an active agent's routing profile in one command: `edit` says whether it changed
    /// anything; a change is stored with an event, an agent turning offline releases their
    /// `new` conversations, and waiting conversations are routed under the new profile.
    async fn change_profile(
        &self,
        actor: Id,
        agent: Id,
        edit: impl Fn(&Tx<'_>, &mut AgentRouting) -> TxResult<bool> + Send + 'static,
    ) -> Result<AgentRouting> {
        let router = self.inner.router.clone();
        self.command(move |tx| {
            let mut routing = Routing::begin(&router);
            let found = active_agent(tx, agent)?;
            let mut profile = profile_of(tx, &routing, &found)?;
            let was = profile.availability;
            if !edit(tx, &mut profile)? {
                return Ok(profile);
            }
            tx.put_agent_routing(agent, &profile)?;
            tx.record(Some(actor), EventKind::AgentRoutingChanged { agent })?;
            routing.set_agent(agent, Some(profile.clone()));
            if was != Availability::Offline && profile.availability == Availability::Offline {
                release(tx, &mut routing, &found, Release::WentOffline)?;
            }
            assign_waiting(tx, routing)?;
            Ok(profile)
        })
        .await
    }

    /// An admin changes an inbox's routing: its waiting (or no longer waiting) conversations
    /// are re-queued under the new rules at once.
    pub async fn update_inbox_routing(&self, actor: &Agent, inbox: Id, settings: InboxRouting) -> Result<Inbox> {
        crate::accounts::require_admin(actor, "change inbox routing")?;
        let settings = settings.validate()?;
        let router = self.inner.router.clone();
        let actor = actor.id;
        self.command(move |tx| {
            let mut routing = Routing::begin(&router);
            let Some(mut found) = tx.inbox(inbox)? else { return abort(EngineError::NotFound("inbox")) };
            if let Some(team) = settings.team {
                if tx.team(team)?.is_none() {
                    return abort(EngineError::NotFound("team"));
                }
            }
            found.routing = settings.clone();
            tx.put_inbox(&found)?;
            tx.record(Some(actor), EventKind::InboxUpdated { inbox })?;
            for status in [Status::New, Status::Open] {
                for id in tx.view_members(&View::Inbox(inbox), Some(status))? {
                    let Some(mut c) = tx.conversation(id)? else { continue };
                    if c.assignee.is_none() {
                        save(tx, &mut routing, &found, &mut c)?;
                    }
                }
            }
            assign_waiting(tx, routing)?;
            Ok(found)
        })
        .await
    }

    /// Assigns a conversation by hand (to anyone, whatever their capacity), or unassigns it.
    /// Leaves an activity line; the new assignee hears of it through `assignee.changed`.
    pub async fn assign(&self, actor: &Agent, conversation: Id, assignee: Option<Id>) -> Result<Conversation> {
        let router = self.inner.router.clone();
        let actor = actor.clone();
        self.command(move |tx| {
            let mut routing = Routing::begin(&router);
            let (inbox, mut c) = load(tx, conversation)?;
            refuse_if_closed(c.status, "assigned").map_err(|e| TxError::Abort(e.into()))?;
            if c.assignee == assignee {
                return Ok(c);
            }
            let by = actor.name.clone();
            let line = match assignee {
                Some(id) => {
                    let to = active_agent(tx, id)?;
                    if id == actor.id {
                        Activity::Took { by }
                    } else {
                        Activity::AssignedTo { by, to: to.name }
                    }
                }
                None => Activity::Unassigned { by },
            };
            let mut next = c.lifecycle();
            next.assignee = assignee;
            move_to(tx, &mut c, next, Some(&actor), line)?;
            save(tx, &mut routing, &inbox, &mut c)?;
            assign_waiting(tx, routing)?;
            // Routing may have given it to someone already.
            Ok(tx.conversation(conversation)?.unwrap_or(c))
        })
        .await
    }

    /// Transfers a conversation to a team: it leaves its assignee and routing picks within
    /// the team (in an auto-assigned inbox).
    pub async fn transfer(&self, actor: &Agent, conversation: Id, team: Id) -> Result<Conversation> {
        let router = self.inner.router.clone();
        let actor = actor.clone();
        self.command(move |tx| {
            let mut routing = Routing::begin(&router);
            let (inbox, mut c) = load(tx, conversation)?;
            refuse_if_closed(c.status, "transferred").map_err(|e| TxError::Abort(e.into()))?;
            let Some(t) = tx.team(team)? else { return abort(EngineError::NotFound("team")) };
            tx.record(Some(actor.id), EventKind::ConversationUpdated { conversation })?;
            c.team = Some(team);
            let mut next = c.lifecycle();
            next.assignee = None;
            move_to(tx, &mut c, next, Some(&actor), Activity::Transferred { by: actor.name.clone(), team: t.name })?;
            save(tx, &mut routing, &inbox, &mut c)?;
            assign_waiting(tx, routing)?;
            Ok(tx.conversation(conversation)?.unwrap_or(c))
        })
        .await
    }
}

/// An agent who can work (active), or not found.
fn active_agent(tx: &Tx<'_>, id: Id) -> TxResult<Agent> {
    match tx.agent(id)? {
        Some(r) if r.agent.can_log_in() => Ok(r.agent),
        _ => abort(EngineError::NotFound("agent")),
    }
}

/// The agent's profile as routing knows it, or the defaults.
fn profile_of(tx: &Tx<'_>, routing: &Routing<'_>, agent: &Agent) -> TxResult<AgentRouting> {
    if let Some(p) = routing.agent(agent.id) {
        return Ok(p.clone());
    }
    Ok(tx.agent_routing(agent.id)?.unwrap_or_else(|| AgentRouting::new(agent.created_at)))
}

/// An account starts working (set up, accepted an invitation, reactivated): routing knows it,
/// offline until the agent says otherwise.
pub(crate) fn join(tx: &mut Tx<'_>, router: &Mutex<Router>, agent: &Agent) -> TxResult<()> {
    let mut routing = Routing::begin(router);
    let profile = profile_of(tx, &routing, agent)?;
    routing.set_agent(agent.id, Some(profile));
    routing.commit();
    Ok(())
}

/// An account is deactivated: it is treated as going offline, then forgotten by routing.
pub(crate) fn leave(tx: &mut Tx<'_>, router: &Mutex<Router>, agent: &Agent) -> TxResult<()> {
    let mut routing = Routing::begin(router);
    if let Some(mut profile) = routing.agent(agent.id).cloned() {
        profile.availability = Availability::Offline;
        tx.put_agent_routing(agent.id, &profile)?;
    }
    // Forgotten first, so what it releases cannot come straight back to it.
    routing.set_agent(agent.id, None);
    release(tx, &mut routing, agent, Release::Deactivated)?;
    assign_waiting(tx, routing)
}
