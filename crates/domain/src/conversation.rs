//! The ticket lifecycle: statuses, the conversation styles, snoozing, and every legal move
//! between statuses, decided here and nowhere else. Time is passed in; nothing here does I/O.

use crate::{Id, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Status {
    New,
    Open,
    Pending,
    OnHold,
    Snoozed,
    Solved,
    Closed,
}

impl Status {
    pub const ALL: [Status; 7] =
        [Status::New, Status::Open, Status::Pending, Status::OnHold, Status::Snoozed, Status::Solved, Status::Closed];

    /// `new` and `open` conversations take up their assignee's capacity; the others release it.
    pub fn consumes_capacity(self) -> bool {
        matches!(self, Status::New | Status::Open)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Pending => "pending",
            Status::OnHold => "on_hold",
            Status::Snoozed => "snoozed",
            Status::Solved => "solved",
            Status::Closed => "closed",
        }
    }

    /// A stable one-byte code, for keys.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an inbox treats solved conversations (Zendesk messaging's conversation styles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Style {
    /// Solved closes at once; a customer who writes again starts a new conversation.
    LiveChat,
    /// Solved closes after a window (default 1 hour); writing within it reopens.
    LiveChatReturning,
    /// Solved closes after 4 days by default (1 hour to 28 days); writing within it reopens.
    Messaging,
}

pub const HOUR: Duration = Duration::from_secs(3600);
pub const DAY: Duration = Duration::from_secs(24 * 3600);

/// A style with its close window, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StylePolicy {
    pub style: Style,
    /// How long a solved conversation stays reopenable; zero for live chat.
    pub close_after: Duration,
}

impl StylePolicy {
    pub fn new(style: Style, close_after: Option<Duration>) -> Result<StylePolicy, crate::DomainError> {
        let close_after = match (style, close_after) {
            (Style::LiveChat, None | Some(Duration::ZERO)) => Duration::ZERO,
            (Style::LiveChat, Some(_)) => {
                return Err(crate::DomainError::invalid(
                    "close_after_secs",
                    "live chat closes solved conversations at once; choose another style for a close window",
                ))
            }
            (Style::LiveChatReturning, None) => HOUR,
            (Style::Messaging, None) => 4 * DAY,
            (_, Some(d)) if d < HOUR || d > 28 * DAY => {
                return Err(crate::DomainError::invalid(
                    "close_after_secs",
                    format!("must be between 1 hour (3600) and 28 days (2419200), not {}", d.as_secs()),
                ))
            }
            (_, Some(d)) => d,
        };
        Ok(StylePolicy { style, close_after })
    }
}

/// The part of a conversation the lifecycle decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    pub status: Status,
    pub assignee: Option<Id>,
    /// When a snoozed conversation wakes; `None` while snoozed means "until the next reply".
    pub wakes_at: Option<Timestamp>,
    /// When a solved conversation closes.
    pub closes_at: Option<Timestamp>,
}

impl Lifecycle {
    pub fn new() -> Lifecycle {
        Lifecycle { status: Status::New, assignee: None, wakes_at: None, closes_at: None }
    }
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self::new()
    }
}

/// What an agent asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentAction {
    Open,
    Pending,
    OnHold,
    /// Snooze until a time, or (`None`) until the customer's next reply.
    Snooze(Option<Timestamp>),
    Solve,
    /// The agent sent a reply (not a private note).
    Reply,
}

/// Something that happens to a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Happening {
    Agent {
        agent: Id,
        action: AgentAction,
    },
    CustomerMessage,
    /// A wake-up timer set for this instant fell due.
    WakeDue(Timestamp),
    /// A close timer set for this instant fell due.
    CloseDue(Timestamp),
}

/// The decision: the lifecycle after the happening. Timers follow from `wakes_at` and
/// `closes_at`: the caller cancels the old ones and sets the new ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Moved(Lifecycle),
    /// Nothing to change (already in that status, or a timer that no longer applies).
    Unchanged,
    /// The conversation is closed: a customer message starts a new, linked conversation.
    StartNewConversation,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("this conversation is {from} and cannot be {wanted}: {hint}")]
    Illegal { from: Status, wanted: &'static str, hint: &'static str },
    #[error("a snooze must end in the future")]
    SnoozeInPast,
}

/// Refuses anything done to a closed conversation: closed is final.
pub fn refuse_if_closed(status: Status, wanted: &'static str) -> Result<(), LifecycleError> {
    if status == Status::Closed {
        return Err(LifecycleError::Illegal {
            from: Status::Closed,
            wanted,
            hint: "closed conversations are final; the customer's next message starts a new one",
        });
    }
    Ok(())
}

/// Decides what a happening does to a conversation in an inbox of `policy`, at `now`.
pub fn decide(
    current: &Lifecycle,
    happening: Happening,
    policy: &StylePolicy,
    now: Timestamp,
) -> Result<Decision, LifecycleError> {
    use Status::*;
    let to = |status, assignee| Lifecycle { status, assignee, wakes_at: None, closes_at: None };
    let next = match happening {
        Happening::CustomerMessage => match current.status {
            Closed => return Ok(Decision::StartNewConversation),
            New | Open => return Ok(Decision::Unchanged),
            Pending | OnHold | Snoozed | Solved => to(Open, current.assignee),
        },
        Happening::WakeDue(at) => {
            if current.status != Snoozed || current.wakes_at != Some(at) {
                return Ok(Decision::Unchanged);
            }
            to(Open, current.assignee)
        }
        Happening::CloseDue(at) => {
            if current.status != Solved || current.closes_at != Some(at) {
                return Ok(Decision::Unchanged);
            }
            to(Closed, current.assignee)
        }
        Happening::Agent { agent, action } => {
            refuse_if_closed(current.status, action_word(action))?;
            // Whoever opens or answers an unassigned conversation takes it.
            let taking = current.assignee.or(Some(agent));
            match action {
                AgentAction::Open => to(Open, taking),
                AgentAction::Reply if current.status == New => to(Open, taking),
                AgentAction::Reply => return Ok(Decision::Unchanged),
                AgentAction::Pending => to(Pending, current.assignee),
                AgentAction::OnHold => to(OnHold, current.assignee),
                AgentAction::Snooze(until) => {
                    if until.is_some_and(|t| t <= now) {
                        return Err(LifecycleError::SnoozeInPast);
                    }
                    Lifecycle { wakes_at: until, ..to(Snoozed, current.assignee) }
                }
                // Solving again must not push the close time back.
                AgentAction::Solve if current.status == Solved => return Ok(Decision::Unchanged),
                AgentAction::Solve => match policy.style {
                    Style::LiveChat => to(Closed, current.assignee),
                    Style::LiveChatReturning | Style::Messaging => {
                        Lifecycle { closes_at: Some(now.plus(policy.close_after)), ..to(Solved, current.assignee) }
                    }
                },
            }
        }
    };
    Ok(if next == *current { Decision::Unchanged } else { Decision::Moved(next) })
}

fn action_word(action: AgentAction) -> &'static str {
    match action {
        AgentAction::Open => "opened",
        AgentAction::Pending => "set pending",
        AgentAction::OnHold => "put on hold",
        AgentAction::Snooze(_) => "snoozed",
        AgentAction::Solve => "solved",
        AgentAction::Reply => "replied to",
    }
}

/// The statuses an agent can move a conversation to from `status`: what the UI offers, read
/// off `decide` itself so the buttons never disagree with the rules. Snoozing is offered again
/// while snoozed (to change when it wakes); nothing is offered once closed.
pub fn offered_statuses(status: Status) -> Vec<Status> {
    let now = Timestamp(0);
    let policy = StylePolicy { style: Style::Messaging, close_after: HOUR };
    let current = Lifecycle {
        status,
        assignee: Some(Id(1)),
        wakes_at: (status == Status::Snoozed).then_some(Timestamp(1)),
        closes_at: (status == Status::Solved).then(|| now.plus(HOUR)),
    };
    let asks = [
        (Status::Open, AgentAction::Open),
        (Status::Pending, AgentAction::Pending),
        (Status::OnHold, AgentAction::OnHold),
        (Status::Snoozed, AgentAction::Snooze(Some(Timestamp(2)))),
        (Status::Solved, AgentAction::Solve),
    ];
    asks.into_iter()
        .filter(|(_, action)| {
            let happening = Happening::Agent { agent: Id(1), action: *action };
            matches!(decide(&current, happening, &policy, now), Ok(Decision::Moved(_)))
        })
        .map(|(to, _)| to)
        .collect()
}

/// Whether `from → to` is an edge of the lifecycle at all (what the property tests hold
/// `decide` to).
pub fn is_legal_edge(from: Status, to: Status) -> bool {
    use Status::*;
    match (from, to) {
        (Closed, _) => false,
        (_, New) => false,
        // Anything not closed may stay, or be opened, set pending, on hold, snoozed, solved or
        // closed (closing directly is live chat's solve, or a due close timer from solved).
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const START: Timestamp = Timestamp(1_800_000_000_000);

    fn policy(style: Style) -> StylePolicy {
        StylePolicy::new(style, None).unwrap()
    }

    fn agent(id: u64, action: AgentAction) -> Happening {
        Happening::Agent { agent: Id(id), action }
    }

    fn moved(d: Decision) -> Lifecycle {
        match d {
            Decision::Moved(l) => l,
            other => panic!("expected a move, got {other:?}"),
        }
    }

    #[test]
    fn the_offered_statuses_follow_the_rules() {
        use Status::*;
        assert_eq!(offered_statuses(New), vec![Open, Pending, OnHold, Snoozed, Solved]);
        assert_eq!(offered_statuses(Open), vec![Pending, OnHold, Snoozed, Solved], "already open");
        assert_eq!(offered_statuses(Pending), vec![Open, OnHold, Snoozed, Solved]);
        assert_eq!(
            offered_statuses(Snoozed),
            vec![Open, Pending, OnHold, Snoozed, Solved],
            "snooze again to move the wake-up"
        );
        assert_eq!(
            offered_statuses(Solved),
            vec![Open, Pending, OnHold, Snoozed],
            "solving again would not move the close time"
        );
        assert!(offered_statuses(Closed).is_empty(), "closed is final");
    }

    #[test]
    fn opening_an_unassigned_conversation_assigns_it_to_the_opener() {
        let l =
            moved(decide(&Lifecycle::new(), agent(7, AgentAction::Open), &policy(Style::Messaging), START).unwrap());
        assert_eq!((l.status, l.assignee), (Status::Open, Some(Id(7))));
        let again = decide(&l, agent(8, AgentAction::Open), &policy(Style::Messaging), START).unwrap();
        assert_eq!(again, Decision::Unchanged, "already open: nothing moves, and 8 does not take it from 7");
    }

    #[test]
    fn each_style_closes_a_solved_conversation_when_it_says() {
        let open = Lifecycle { status: Status::Open, assignee: Some(Id(1)), wakes_at: None, closes_at: None };
        let live = moved(decide(&open, agent(1, AgentAction::Solve), &policy(Style::LiveChat), START).unwrap());
        assert_eq!(live.status, Status::Closed, "live chat closes at once");
        let returning =
            moved(decide(&open, agent(1, AgentAction::Solve), &policy(Style::LiveChatReturning), START).unwrap());
        assert_eq!((returning.status, returning.closes_at), (Status::Solved, Some(START.plus(HOUR))));
        let messaging = moved(decide(&open, agent(1, AgentAction::Solve), &policy(Style::Messaging), START).unwrap());
        assert_eq!(messaging.closes_at, Some(START.plus(4 * DAY)));
    }

    #[test]
    fn close_windows_outside_one_hour_to_28_days_are_refused() {
        assert!(StylePolicy::new(Style::Messaging, Some(Duration::from_secs(59 * 60))).is_err());
        assert!(StylePolicy::new(Style::Messaging, Some(29 * DAY)).is_err());
        assert!(StylePolicy::new(Style::LiveChat, Some(HOUR)).is_err());
        assert_eq!(StylePolicy::new(Style::Messaging, Some(28 * DAY)).unwrap().close_after, 28 * DAY);
    }

    #[test]
    fn a_closed_conversation_refuses_agents_naming_its_status_and_sends_customers_to_a_new_one() {
        let closed = Lifecycle { status: Status::Closed, assignee: Some(Id(1)), wakes_at: None, closes_at: None };
        let err = decide(&closed, agent(1, AgentAction::Open), &policy(Style::Messaging), START).unwrap_err();
        assert!(err.to_string().starts_with("this conversation is closed and cannot be opened"), "{err}");
        assert_eq!(
            decide(&closed, Happening::CustomerMessage, &policy(Style::Messaging), START).unwrap(),
            Decision::StartNewConversation
        );
    }

    #[test]
    fn a_snooze_must_end_in_the_future() {
        let err =
            decide(&Lifecycle::new(), agent(1, AgentAction::Snooze(Some(START))), &policy(Style::Messaging), START);
        assert_eq!(err, Err(LifecycleError::SnoozeInPast));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Agent(u64, AgentAction),
        Customer,
        Advance(u64),
    }

    fn op() -> impl Strategy<Value = Op> {
        let action = prop_oneof![
            Just(AgentAction::Open),
            Just(AgentAction::Pending),
            Just(AgentAction::OnHold),
            Just(AgentAction::Solve),
            Just(AgentAction::Reply),
            Just(AgentAction::Snooze(None)),
            (1u64..10 * 24 * 3600).prop_map(|s| AgentAction::Snooze(Some(Timestamp(s as i64 * 1000)))),
        ];
        prop_oneof![
            3 => (1u64..4, action).prop_map(|(a, act)| Op::Agent(a, act)),
            2 => Just(Op::Customer),
            2 => (0u64..6 * 24 * 3600).prop_map(Op::Advance),
        ]
    }

    fn style() -> impl Strategy<Value = Style> {
        prop_oneof![Just(Style::LiveChat), Just(Style::LiveChatReturning), Just(Style::Messaging)]
    }

    proptest! {
        /// One conversation under random agent actions, customer messages and clock advances,
        /// with its timers firing as the scheduler fires them.
        #[test]
        fn the_lifecycle_keeps_its_promises(style in style(), ops in proptest::collection::vec(op(), 1..60)) {
            let policy = policy(style);
            let mut now = START;
            let mut cur = Lifecycle::new();
            let mut solved_at = None;
            for op in ops {
                let before = cur;
                let happening = match op {
                    Op::Agent(a, AgentAction::Snooze(Some(offset))) => agent(a, AgentAction::Snooze(Some(Timestamp(now.0 + offset.0)))),
                    Op::Agent(a, action) => agent(a, action),
                    Op::Customer => Happening::CustomerMessage,
                    Op::Advance(secs) => {
                        let until = now.plus(Duration::from_secs(secs));
                        // Fire what falls due, in time order, each at its own instant.
                        loop {
                            let due = [cur.wakes_at.map(Happening::WakeDue), cur.closes_at.map(Happening::CloseDue)]
                                .into_iter().flatten()
                                .filter(|h| matches!(h, Happening::WakeDue(t) | Happening::CloseDue(t) if *t <= until))
                                .min_by_key(|h| match h { Happening::WakeDue(t) | Happening::CloseDue(t) => *t, _ => until });
                            let Some(timer) = due else { break };
                            let (Happening::WakeDue(at) | Happening::CloseDue(at)) = timer else { unreachable!() };
                            now = at;
                            let fired = moved(decide(&cur, timer, &policy, now).unwrap());
                            if let Happening::CloseDue(at) = timer {
                                prop_assert_eq!(fired.status, Status::Closed);
                                prop_assert_eq!(Some(at), solved_at.map(|s: Timestamp| s.plus(policy.close_after)),
                                    "a solved conversation closes exactly its style's window after solve");
                            } else {
                                prop_assert_eq!(fired.status, Status::Open, "a snooze wakes to open");
                            }
                            // The same timer firing again changes nothing.
                            prop_assert_eq!(decide(&fired, timer, &policy, now).unwrap(), Decision::Unchanged);
                            cur = fired;
                        }
                        now = until;
                        continue;
                    }
                };
                match decide(&cur, happening, &policy, now) {
                    Ok(Decision::Moved(next)) => {
                        prop_assert!(before.status != Status::Closed, "a closed conversation never changes");
                        prop_assert!(next.status != Status::New, "nothing returns to new");
                        prop_assert!(is_legal_edge(before.status, next.status));
                        prop_assert_eq!(next.wakes_at.is_some(), next.status == Status::Snoozed && next.wakes_at.is_some());
                        prop_assert_eq!(next.closes_at.is_some(), next.status == Status::Solved);
                        if next.assignee != before.assignee {
                            prop_assert!(before.assignee.is_none(), "only an unassigned conversation is taken");
                            let taken_by_actor = matches!(happening, Happening::Agent { agent, .. } if Some(agent) == next.assignee);
                            prop_assert!(taken_by_actor, "the one who opens or replies takes it");
                        }
                        if happening == Happening::CustomerMessage {
                            prop_assert_eq!(next.status, Status::Open, "a customer reply reopens");
                            prop_assert_eq!(next.assignee, before.assignee, "with the same assignee");
                        }
                        if next.status == Status::Closed {
                            prop_assert_eq!(style, Style::LiveChat, "only live chat closes without a timer");
                        }
                        if next.status == Status::Solved && before.status != Status::Solved {
                            solved_at = Some(now);
                        }
                        cur = next;
                    }
                    Ok(Decision::StartNewConversation) => prop_assert_eq!(cur.status, Status::Closed),
                    Ok(Decision::Unchanged) => {}
                    Err(e) => prop_assert!(cur.status == Status::Closed || e == LifecycleError::SnoozeInPast, "{e}"),
                }
            }
        }
    }
}
