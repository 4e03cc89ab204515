//! Routing: which agents may take a conversation, which one takes it, and the queue of those
//! nobody can take yet. Pure and deterministic: the engine feeds the router facts (agents'
//! profiles, each conversation's status, assignee and requirement) and applies its answers.

use crate::conversation::Status;
use crate::inbox::{Conversation, Priority};
use crate::{DomainError, Id, Timestamp};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Availability {
    Online,
    Away,
    #[default]
    Offline,
}

/// Live chat's usual figure: three conversations at once.
pub const DEFAULT_CAPACITY: u32 = 3;
pub const MAX_CAPACITY: u32 = 100;
pub const MAX_SKILLS: usize = 50;

/// How an agent takes part in routing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct AgentRouting {
    pub availability: Availability,
    /// How many `new` and `open` conversations routing gives the agent at most.
    pub capacity: u32,
    /// Sorted, each a label-like word.
    pub skills: Vec<String>,
    /// Sorted team ids.
    pub teams: Vec<Id>,
    /// Since the agent's last assignment or coming online: the longest idle is picked first.
    pub idle_since: Timestamp,
}

impl AgentRouting {
    /// A new agent's profile: offline until they say otherwise.
    pub fn new(now: Timestamp) -> AgentRouting {
        AgentRouting {
            availability: Availability::Offline,
            capacity: DEFAULT_CAPACITY,
            skills: Vec::new(),
            teams: Vec::new(),
            idle_since: now,
        }
    }

    fn fits(&self, need: &Requirement) -> bool {
        need.team.is_none_or(|t| self.teams.binary_search(&t).is_ok())
            && need.skills.iter().all(|s| self.skills.binary_search(s).is_ok())
    }
}

/// What an admin changes in an agent's routing profile; omitted fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct RoutingChanges {
    #[ts(optional)]
    pub capacity: Option<u32>,
    #[ts(optional)]
    pub skills: Option<Vec<String>>,
    #[ts(optional)]
    pub teams: Option<Vec<Id>>,
}

/// A capacity as allowed: 0 (never auto-assigned) to 100.
pub fn capacity(n: u32) -> Result<u32, DomainError> {
    if n > MAX_CAPACITY {
        return Err(DomainError::invalid("capacity", format!("must be between 0 and {MAX_CAPACITY}, not {n}")));
    }
    Ok(n)
}

/// Skills as stored: label-like words, sorted, without repeats.
pub fn skills(raw: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out =
        raw.iter().map(|s| crate::view::label(s).map_err(|_| skill_error(s))).collect::<Result<Vec<_>, _>>()?;
    out.sort();
    out.dedup();
    if out.len() > MAX_SKILLS {
        return Err(DomainError::invalid("skills", format!("at most {MAX_SKILLS} skills")));
    }
    Ok(out)
}

fn skill_error(raw: &str) -> DomainError {
    DomainError::invalid("skills", format!("'{raw}' is not a skill: use letters, digits, - and _, up to 64 bytes"))
}

/// A label that sets a conversation's priority when it is added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct PriorityRule {
    pub label: String,
    pub priority: Priority,
}

/// An inbox's routing settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(default)]
#[ts(export)]
pub struct InboxRouting {
    /// Give new conversations to agents automatically.
    pub auto_assign: bool,
    /// New conversations belong to this team; routing picks among its members.
    pub team: Option<Id>,
    /// Skills every conversation of the inbox needs.
    pub required_skills: Vec<String>,
    /// Labels that are also skills: a conversation with one needs an agent holding it (the
    /// pre-chat form's topic arrives as a label).
    pub skill_labels: Vec<String>,
    /// Labels that raise a conversation's priority when added.
    pub priority_rules: Vec<PriorityRule>,
}

impl Default for InboxRouting {
    fn default() -> Self {
        InboxRouting {
            auto_assign: true,
            team: None,
            required_skills: Vec::new(),
            skill_labels: Vec::new(),
            priority_rules: Vec::new(),
        }
    }
}

impl InboxRouting {
    /// The settings, cleaned, or the first thing wrong with them.
    pub fn validate(mut self) -> Result<InboxRouting, DomainError> {
        self.required_skills = skills(&self.required_skills)?;
        self.skill_labels = crate::inbox::labels(&self.skill_labels)?;
        for rule in &mut self.priority_rules {
            rule.label = crate::view::label(&rule.label)?;
        }
        if self.priority_rules.len() > crate::inbox::MAX_LABELS {
            return Err(DomainError::invalid("priority_rules", "at most 20 rules"));
        }
        Ok(self)
    }

    /// The priority a conversation gets when `added` labels are put on it: the highest of its
    /// own and the rules' (rules only ever raise it).
    pub fn priority_after(&self, current: Priority, added: &[String]) -> Priority {
        self.priority_rules.iter().filter(|r| added.contains(&r.label)).map(|r| r.priority).fold(current, Priority::max)
    }

    /// What an agent needs to take `c`: its team, the inbox's skills and its skill labels.
    pub fn requirement(&self, c: &Conversation) -> Requirement {
        let mut skills: Vec<String> = self.required_skills.clone();
        skills.extend(c.labels.iter().filter(|l| self.skill_labels.contains(l)).cloned());
        skills.sort();
        skills.dedup();
        Requirement { team: c.team, skills }
    }

    /// Marks when `c` started waiting for routing (kept while it waits, cleared when it stops).
    pub fn settle(&self, c: &mut Conversation, now: Timestamp) {
        c.queued_at = if self.wants(c) { c.queued_at.or(Some(now)) } else { None };
    }

    /// Whether `c` waits for routing: auto-assigned inbox, nobody assigned, and a status that
    /// needs someone (`new` or `open`).
    pub fn wants(&self, c: &Conversation) -> bool {
        self.auto_assign && c.assignee.is_none() && c.status.consumes_capacity()
    }
}

/// What an agent must have to take a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Requirement {
    pub team: Option<Id>,
    /// Sorted.
    pub skills: Vec<String>,
}

/// A queued conversation's place: higher priority first, then the earlier arrival, then the
/// older id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place {
    pub priority: Reverse<Priority>,
    pub queued_at: Timestamp,
    pub conversation: Id,
}

/// What routing needs to know about one conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub conversation: Id,
    pub status: Status,
    pub assignee: Option<Id>,
    /// `Some` when the conversation waits for routing, with what it needs and where it stands.
    pub waiting: Option<(Requirement, Place)>,
}

impl Facts {
    /// The facts of `c` in an inbox routed by `routing`. A waiting conversation has a
    /// `queued_at` (the engine sets it when it starts waiting).
    pub fn of(c: &Conversation, routing: &InboxRouting) -> Facts {
        let waiting = routing.wants(c).then(|| {
            let place = Place {
                priority: Reverse(c.priority),
                queued_at: c.queued_at.unwrap_or(c.created_at),
                conversation: c.id,
            };
            (routing.requirement(c), place)
        });
        Facts { conversation: c.id, status: c.status, assignee: c.assignee, waiting }
    }
}

/// One routing decision: give this conversation to this agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    pub conversation: Id,
    pub agent: Id,
}

/// Why a conversation is still waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WaitReason {
    /// Its team has no members.
    NoAgentInTeam,
    /// Nobody (in its team) holds the skills it needs.
    MissingSkill,
    /// Those who could take it are away or offline.
    NoOneOnline,
    /// Those online who could take it are at capacity.
    AllAtCapacity,
    /// Someone can take it: it is assigned with the next routing step.
    NextInLine,
}

/// What a rollback restores.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Undo {
    Agent(Id, Option<AgentRouting>),
    Conversation(Id, Option<Id>, Option<(Requirement, Place)>),
}

/// The routing state: agents, who holds which live conversation, and the queue grouped by
/// requirement (so a decision looks at each group's head, not at every waiting conversation).
#[derive(Debug, Clone, Default)]
pub struct Router {
    agents: BTreeMap<Id, AgentRouting>,
    load: HashMap<Id, u32>,
    /// Conversation → the agent whose capacity it takes (`new` and `open` ones).
    holding: HashMap<Id, Id>,
    queue: BTreeMap<Requirement, BTreeSet<Place>>,
    waiting: HashMap<Id, (Requirement, Place)>,
    journal: Option<Vec<Undo>>,
}

/// Equal when they would route alike (the journal is bookkeeping).
impl PartialEq for Router {
    fn eq(&self, other: &Self) -> bool {
        let loads =
            |r: &Router| r.load.iter().filter(|(_, n)| **n > 0).map(|(a, n)| (*a, *n)).collect::<BTreeMap<_, _>>();
        self.agents == other.agents
            && loads(self) == loads(other)
            && self.holding == other.holding
            && self.queue == other.queue
            && self.waiting == other.waiting
    }
}

impl Router {
    /// Starts recording changes so that `rollback` can undo them.
    pub fn begin(&mut self) {
        self.journal = Some(Vec::new());
    }

    /// Keeps the changes made since `begin`.
    pub fn commit(&mut self) {
        self.journal = None;
    }

    /// Undoes the changes made since `begin`.
    pub fn rollback(&mut self) {
        let Some(journal) = self.journal.take() else { return };
        for undo in journal.into_iter().rev() {
            match undo {
                Undo::Agent(id, profile) => self.put_agent(id, profile),
                Undo::Conversation(id, holder, waiting) => self.put_conversation(id, holder, waiting),
            }
        }
    }

    pub fn agent(&self, id: Id) -> Option<&AgentRouting> {
        self.agents.get(&id)
    }

    /// Sets (or, with `None`, removes: a deactivated account) an agent's profile.
    pub fn set_agent(&mut self, id: Id, profile: Option<AgentRouting>) {
        if self.agents.get(&id) == profile.as_ref() {
            return;
        }
        if let Some(j) = &mut self.journal {
            j.push(Undo::Agent(id, self.agents.get(&id).cloned()));
        }
        self.put_agent(id, profile);
    }

    fn put_agent(&mut self, id: Id, profile: Option<AgentRouting>) {
        match profile {
            Some(p) => self.agents.insert(id, p),
            None => self.agents.remove(&id),
        };
    }

    /// Brings what the router knows of one conversation up to date.
    pub fn sync(&mut self, facts: &Facts) {
        let holder = facts.assignee.filter(|_| facts.status.consumes_capacity());
        let old_holder = self.holding.get(&facts.conversation).copied();
        let old_waiting = self.waiting.get(&facts.conversation);
        if old_holder == holder && old_waiting == facts.waiting.as_ref() {
            return;
        }
        if let Some(j) = &mut self.journal {
            j.push(Undo::Conversation(facts.conversation, old_holder, old_waiting.cloned()));
        }
        self.put_conversation(facts.conversation, holder, facts.waiting.clone());
    }

    fn put_conversation(&mut self, id: Id, holder: Option<Id>, waiting: Option<(Requirement, Place)>) {
        if let Some(agent) = self.holding.remove(&id) {
            if let Some(n) = self.load.get_mut(&agent) {
                *n = n.saturating_sub(1);
            }
        }
        if let Some((need, place)) = self.waiting.remove(&id) {
            if let Some(group) = self.queue.get_mut(&need) {
                group.remove(&place);
                if group.is_empty() {
                    self.queue.remove(&need);
                }
            }
        }
        if let Some(agent) = holder {
            self.holding.insert(id, agent);
            *self.load.entry(agent).or_default() += 1;
        }
        if let Some((need, place)) = waiting {
            self.queue.entry(need.clone()).or_default().insert(place);
            self.waiting.insert(id, (need, place));
        }
    }

    /// How many `new` and `open` conversations the agent holds.
    pub fn load(&self, agent: Id) -> u32 {
        self.load.get(&agent).copied().unwrap_or(0)
    }

    /// The conversations taking the agent's capacity.
    pub fn held_by(&self, agent: Id) -> Vec<Id> {
        let mut held: Vec<Id> = self.holding.iter().filter(|(_, a)| **a == agent).map(|(c, _)| *c).collect();
        held.sort();
        held
    }

    pub fn is_waiting(&self, conversation: Id) -> bool {
        self.waiting.contains_key(&conversation)
    }

    /// The next assignment to make, if any: the first waiting conversation (by priority, then
    /// arrival) that some online agent below capacity can take, given to the least loaded of
    /// them, then the one idle longest.
    pub fn next_assignment(&self) -> Option<Assignment> {
        let free: Vec<(Id, &AgentRouting, u32)> = self
            .agents
            .iter()
            .filter(|(_, p)| p.availability == Availability::Online)
            .map(|(id, p)| (*id, p, self.load(*id)))
            .filter(|(_, p, load)| *load < p.capacity)
            .collect();
        if free.is_empty() {
            return None;
        }
        let mut best: Option<(Place, Id)> = None;
        for (need, group) in &self.queue {
            let Some(head) = group.first() else { continue };
            if best.is_some_and(|(b, _)| b <= *head) {
                continue;
            }
            let pick =
                free.iter().filter(|(_, p, _)| p.fits(need)).min_by_key(|(id, p, load)| (*load, p.idle_since, *id));
            if let Some((agent, _, _)) = pick {
                best = Some((*head, *agent));
            }
        }
        best.map(|(place, agent)| Assignment { conversation: place.conversation, agent })
    }

    /// Why a waiting conversation waits (`None` if it does not).
    pub fn wait_reason(&self, conversation: Id) -> Option<WaitReason> {
        let (need, _) = self.waiting.get(&conversation)?;
        let in_team: Vec<(Id, &AgentRouting)> = self
            .agents
            .iter()
            .filter(|(_, p)| need.team.is_none_or(|t| p.teams.binary_search(&t).is_ok()))
            .map(|(id, p)| (*id, p))
            .collect();
        if need.team.is_some() && in_team.is_empty() {
            return Some(WaitReason::NoAgentInTeam);
        }
        let skilled: Vec<_> = in_team.into_iter().filter(|(_, p)| p.fits(need)).collect();
        if skilled.is_empty() && !need.skills.is_empty() {
            return Some(WaitReason::MissingSkill);
        }
        let online: Vec<_> = skilled.into_iter().filter(|(_, p)| p.availability == Availability::Online).collect();
        if online.is_empty() {
            return Some(WaitReason::NoOneOnline);
        }
        if online.iter().all(|(id, p)| self.load(*id) >= p.capacity) {
            return Some(WaitReason::AllAtCapacity);
        }
        Some(WaitReason::NextInLine)
    }

    /// Every waiting conversation in queue order, with its place.
    pub fn queue(&self) -> Vec<Place> {
        let mut all: Vec<Place> = self.waiting.values().map(|(_, p)| *p).collect();
        all.sort();
        all
    }

    /// Agents with their profiles, by id.
    pub fn agents(&self) -> impl Iterator<Item = (Id, &AgentRouting)> {
        self.agents.iter().map(|(id, p)| (*id, p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn online(capacity: u32, idle_since: i64) -> AgentRouting {
        AgentRouting {
            availability: Availability::Online,
            capacity,
            idle_since: Timestamp(idle_since),
            ..AgentRouting::new(Timestamp(0))
        }
    }

    fn waiting(id: u64, priority: Priority, at: i64, need: Requirement) -> Facts {
        let place = Place { priority: Reverse(priority), queued_at: Timestamp(at), conversation: Id(id) };
        Facts { conversation: Id(id), status: Status::New, assignee: None, waiting: Some((need, place)) }
    }

    fn assigned(id: u64, agent: u64) -> Facts {
        Facts { conversation: Id(id), status: Status::New, assignee: Some(Id(agent)), waiting: None }
    }

    #[test]
    fn the_least_loaded_then_the_longest_idle_agent_takes_the_oldest_of_the_highest_priority() {
        let mut r = Router::default();
        r.set_agent(Id(1), Some(online(3, 100)));
        r.set_agent(Id(2), Some(online(3, 50)));
        r.set_agent(Id(3), Some(online(3, 10)));
        r.sync(&assigned(90, 3));
        r.sync(&waiting(10, Priority::None, 1, Requirement::default()));
        r.sync(&waiting(11, Priority::High, 5, Requirement::default()));
        r.sync(&waiting(12, Priority::High, 2, Requirement::default()));
        // 3 holds one; 1 and 2 hold none and 2 has been idle longer.
        assert_eq!(r.next_assignment(), Some(Assignment { conversation: Id(12), agent: Id(2) }));
    }

    #[test]
    fn nobody_away_offline_at_capacity_or_without_the_skill_is_picked() {
        let mut r = Router::default();
        let mut away = online(3, 0);
        away.availability = Availability::Away;
        r.set_agent(Id(1), Some(away));
        r.set_agent(Id(2), Some(online(1, 0)));
        r.sync(&assigned(90, 2));
        let need = Requirement { team: None, skills: vec!["spanish".into()] };
        r.sync(&waiting(10, Priority::None, 1, need.clone()));
        assert_eq!(r.next_assignment(), None);
        assert_eq!(r.wait_reason(Id(10)), Some(WaitReason::MissingSkill));
        let mut speaker = online(3, 0);
        speaker.skills = vec!["spanish".into()];
        speaker.availability = Availability::Offline;
        r.set_agent(Id(3), Some(speaker.clone()));
        assert_eq!(r.wait_reason(Id(10)), Some(WaitReason::NoOneOnline));
        speaker.availability = Availability::Online;
        r.set_agent(Id(3), Some(speaker));
        assert_eq!(r.wait_reason(Id(10)), Some(WaitReason::NextInLine));
        assert_eq!(r.next_assignment(), Some(Assignment { conversation: Id(10), agent: Id(3) }));
    }

    #[test]
    fn a_blocked_head_does_not_hold_up_a_conversation_someone_can_take() {
        let mut r = Router::default();
        r.set_agent(Id(1), Some(online(3, 0)));
        r.sync(&waiting(10, Priority::Urgent, 1, Requirement { team: Some(Id(77)), skills: vec![] }));
        r.sync(&waiting(11, Priority::None, 2, Requirement::default()));
        assert_eq!(r.wait_reason(Id(10)), Some(WaitReason::NoAgentInTeam));
        assert_eq!(r.next_assignment(), Some(Assignment { conversation: Id(11), agent: Id(1) }));
    }

    #[test]
    fn capacity_is_held_by_new_and_open_conversations_only() {
        let mut r = Router::default();
        r.sync(&assigned(10, 1));
        assert_eq!(r.load(Id(1)), 1);
        r.sync(&Facts { status: Status::Pending, ..assigned(10, 1) });
        assert_eq!(r.load(Id(1)), 0, "pending releases it");
        r.sync(&Facts { status: Status::Open, ..assigned(10, 1) });
        assert_eq!(r.load(Id(1)), 1, "a customer reply takes it again");
    }

    #[test]
    fn a_rollback_restores_everything_since_begin() {
        let mut r = Router::default();
        r.set_agent(Id(1), Some(online(3, 0)));
        r.sync(&waiting(10, Priority::None, 1, Requirement::default()));
        let before = r.clone();
        r.begin();
        r.sync(&assigned(10, 1));
        r.set_agent(Id(1), Some(online(5, 9)));
        r.set_agent(Id(2), Some(online(1, 0)));
        assert_ne!(r, before);
        r.rollback();
        assert_eq!(r, before);
        assert!(r.is_waiting(Id(10)));
    }

    #[test]
    fn priority_rules_only_raise_and_skill_labels_become_requirements() {
        let routing = InboxRouting {
            skill_labels: vec!["spanish".into()],
            required_skills: vec!["chat".into()],
            priority_rules: vec![PriorityRule { label: "vip".into(), priority: Priority::High }],
            ..InboxRouting::default()
        };
        assert_eq!(routing.priority_after(Priority::Low, &["vip".into()]), Priority::High);
        assert_eq!(routing.priority_after(Priority::Urgent, &["vip".into()]), Priority::Urgent);
        assert_eq!(routing.priority_after(Priority::Low, &["other".into()]), Priority::Low);
        let bad = InboxRouting { required_skills: vec!["two words".into()], ..InboxRouting::default() };
        assert!(bad.validate().unwrap_err().to_string().starts_with("skills:"));
    }

    #[test]
    fn capacities_above_a_hundred_are_refused() {
        assert_eq!(capacity(0), Ok(0));
        assert!(capacity(101).unwrap_err().to_string().contains("between 0 and 100"));
    }
}
