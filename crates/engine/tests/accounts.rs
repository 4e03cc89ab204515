//! Accounts through the engine, on a real sled store in a temp dir and a manual clock.

use frontdesk_domain::account::AccountStatus;
use frontdesk_domain::{EventKind, Role, SetupRequest, Timestamp, SESSION_TTL};
use frontdesk_engine::{Desk, EngineError, ManualClock, StoreConfig};
use std::sync::Arc;
use std::time::Duration;

struct Fixture {
    desk: Desk,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Timestamp(1_800_000_000_000)));
    let desk = Desk::open(dir.path(), &StoreConfig::default(), clock.clone(), &mut |_| {}).unwrap();
    Fixture { desk, clock, _dir: dir }
}

fn acme() -> SetupRequest {
    SetupRequest {
        business_name: "Acme".into(),
        admin_name: "Ana Admin".into(),
        email: "Ana@Acme.test".into(),
        password: "correct horse battery".into(),
    }
}

#[tokio::test]
async fn first_start_offers_setup_once_and_logs_the_admin_in() {
    let f = fixture();
    assert!(f.desk.setup_status().unwrap().needs_setup);
    let out = f.desk.setup(acme()).await.unwrap();
    assert_eq!(out.agent.role, Role::Admin);
    assert_eq!(out.agent.email, "ana@acme.test", "emails are stored normalized");
    assert_eq!(f.desk.authenticate(&out.token).await.unwrap().id, out.agent.id, "the setup token is a live session");
    let status = f.desk.setup_status().unwrap();
    assert!(!status.needs_setup);
    assert_eq!(status.business_name.as_deref(), Some("Acme"));
    assert!(matches!(f.desk.setup(acme()).await, Err(EngineError::AlreadySetUp)), "setup runs once");
}

#[tokio::test]
async fn two_racing_setups_make_exactly_one_business() {
    let f = fixture();
    let (a, b) =
        tokio::join!(f.desk.setup(acme()), f.desk.setup(SetupRequest { business_name: "Other".into(), ..acme() }));
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "exactly one setup may win: {a:?} {b:?}");
    assert_eq!(f.desk.agents(None, 10).unwrap().len(), 1, "and only one admin exists");
}

#[tokio::test]
async fn wrong_password_and_unknown_account_get_the_same_clear_refusal() {
    let f = fixture();
    f.desk.setup(acme()).await.unwrap();
    let wrong = f.desk.login("ana@acme.test", "not the password".into(), "10.0.0.1").await.unwrap_err();
    let unknown = f.desk.login("bob@acme.test", "whatever123".into(), "10.0.0.1").await.unwrap_err();
    assert!(matches!(wrong, EngineError::InvalidCredentials));
    assert!(matches!(unknown, EngineError::InvalidCredentials));
    assert_eq!(wrong.to_string(), "the email or the password is wrong");
    let ok = f.desk.login("  ANA@acme.test ", "correct horse battery".into(), "10.0.0.1").await.unwrap();
    assert_eq!(ok.agent.name, "Ana Admin", "email case and spaces do not matter");
}

#[tokio::test]
async fn repeated_failures_are_slowed_down_then_allowed_again() {
    let f = fixture();
    f.desk.setup(acme()).await.unwrap();
    for _ in 0..frontdesk_domain::login::FREE_FAILURES {
        let e = f.desk.login("ana@acme.test", "guess guess".into(), "10.0.0.9").await.unwrap_err();
        assert!(matches!(e, EngineError::InvalidCredentials), "{e}");
    }
    let e = f.desk.login("ana@acme.test", "correct horse battery".into(), "10.0.0.9").await.unwrap_err();
    let EngineError::TooManyAttempts { retry_after } = e else { panic!("expected a lock-out, got {e}") };
    assert!(retry_after > Duration::ZERO);
    // Even the right password from elsewhere waits: the account itself is being guessed.
    assert!(matches!(
        f.desk.login("ana@acme.test", "correct horse battery".into(), "10.0.0.10").await,
        Err(EngineError::TooManyAttempts { .. })
    ));
    f.clock.advance(retry_after);
    f.desk.login("ana@acme.test", "correct horse battery".into(), "10.0.0.9").await.expect("the lock-out ends");
}

#[tokio::test]
async fn a_session_expires_after_a_week_unused_but_lives_on_while_used() {
    let f = fixture();
    let token = f.desk.setup(acme()).await.unwrap().token;
    for _ in 0..10 {
        f.clock.advance(Duration::from_secs(24 * 3600));
        f.desk.authenticate(&token).await.expect("a daily user stays logged in");
    }
    f.clock.advance(SESSION_TTL);
    assert!(matches!(f.desk.authenticate(&token).await, Err(EngineError::SessionExpired)));
    assert!(matches!(f.desk.authenticate("nonsense").await, Err(EngineError::NotAuthenticated)));
}

#[tokio::test]
async fn logout_ends_the_session() {
    let f = fixture();
    let token = f.desk.setup(acme()).await.unwrap().token;
    f.desk.logout(&token).await.unwrap();
    assert!(matches!(f.desk.authenticate(&token).await, Err(EngineError::NotAuthenticated)));
}

#[tokio::test]
async fn an_invited_agent_sets_a_password_and_logs_in_and_a_deactivated_one_is_shut_out() {
    let f = fixture();
    let admin = f.desk.setup(acme()).await.unwrap().agent;
    let mut events = f.desk.subscribe();
    let inv = f.desk.invite_agent(&admin, "Bob", "bob@acme.test", Role::Agent).await.unwrap();
    assert_eq!(inv.agent.status, AccountStatus::Invited);
    assert!(matches!(events.recv().await.unwrap().kind, EventKind::AgentInvited { .. }), "published after commit");
    assert!(
        matches!(f.desk.login("bob@acme.test", "anything1".into(), "c").await, Err(EngineError::InvalidCredentials)),
        "an invitee has no password yet"
    );
    let info = f.desk.invitation(&inv.token).unwrap();
    assert_eq!((info.business_name.as_str(), info.email.as_str()), ("Acme", "bob@acme.test"));
    assert!(matches!(f.desk.accept_invitation(&inv.token, "short".into()).await, Err(EngineError::Invalid(_))));
    let bob = f.desk.accept_invitation(&inv.token, "bobs password".into()).await.unwrap();
    assert!(
        matches!(
            f.desk.accept_invitation(&inv.token, "bobs password".into()).await,
            Err(EngineError::InvitationInvalid)
        ),
        "a link works once"
    );

    // An agent cannot invite or deactivate; an admin can, and the session dies at once.
    assert!(matches!(
        f.desk.invite_agent(&bob.agent, "Cy", "cy@acme.test", Role::Agent).await,
        Err(EngineError::AdminOnly(_))
    ));
    assert!(matches!(f.desk.deactivate_agent(&bob.agent, admin.id).await, Err(EngineError::AdminOnly(_))));
    f.desk.deactivate_agent(&admin, bob.agent.id).await.unwrap();
    assert!(matches!(f.desk.authenticate(&bob.token).await, Err(EngineError::NotAuthenticated)), "the session is gone");
    assert!(matches!(
        f.desk.login("bob@acme.test", "bobs password".into(), "c").await,
        Err(EngineError::AccountDeactivated)
    ));
    f.desk.reactivate_agent(&admin, bob.agent.id).await.unwrap();
    f.desk.login("bob@acme.test", "bobs password".into(), "c").await.expect("reactivated");
    assert!(matches!(f.desk.authenticate(&bob.token).await, Err(EngineError::NotAuthenticated)), "and stays gone");
}

#[tokio::test]
async fn an_admin_cannot_lock_themself_out_nor_invite_a_taken_email() {
    let f = fixture();
    let admin = f.desk.setup(acme()).await.unwrap().agent;
    assert!(matches!(f.desk.deactivate_agent(&admin, admin.id).await, Err(EngineError::Conflict(_))));
    let e = f.desk.invite_agent(&admin, "Ana again", "ANA@acme.test", Role::Agent).await.unwrap_err();
    assert_eq!(e.to_string(), "ana@acme.test already has an account");
}

#[tokio::test]
async fn an_invitation_expires_after_a_week() {
    let f = fixture();
    let admin = f.desk.setup(acme()).await.unwrap().agent;
    let inv = f.desk.invite_agent(&admin, "Bob", "bob@acme.test", Role::Agent).await.unwrap();
    f.clock.advance(Duration::from_secs(7 * 24 * 3600));
    assert!(matches!(
        f.desk.accept_invitation(&inv.token, "bobs password".into()).await,
        Err(EngineError::InvitationInvalid)
    ));
}
