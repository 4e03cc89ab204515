//! What the engine's test files share. (Each test file compiles this on its own, so a helper
//! one file does not use is dead code there: hence the `allow`s.)

use frontdesk_domain::conversation::Style;
use frontdesk_domain::inbox::InboxSettings;
use frontdesk_domain::{Agent, Id, SetupRequest};
use frontdesk_engine::{Desk, ManualClock, StoreConfig};
use std::path::Path;
use std::sync::Arc;

/// The business and admin every test desk is set up with (Ana, ana@acme.test).
pub fn acme_setup() -> SetupRequest {
    SetupRequest {
        business_name: "Acme".into(),
        admin_name: "Ana".into(),
        email: "ana@acme.test".into(),
        password: "correct horse".into(),
    }
}

/// The desk on the store in `dir`, on a clock the test moves.
#[allow(dead_code)]
pub fn open(dir: &Path, clock: &Arc<ManualClock>) -> Desk {
    Desk::open(dir, &StoreConfig::default(), clock.clone(), &mut |_| {}).unwrap()
}

/// Acme set up with its admin Ana and one messaging inbox, "Web".
#[allow(dead_code)]
pub async fn set_up_with_inbox(desk: &Desk) -> (Agent, Id) {
    let admin = desk.setup(acme_setup()).await.unwrap().agent;
    let settings = InboxSettings {
        business_hours: None,
        transcript_on_solve: None,
        name: "Web".into(),
        style: Style::Messaging,
        close_after_secs: None,
        time_zone: None,
        business_day_starts_at: None,
        routing: None,
    };
    let inbox = desk.create_inbox(&admin, settings).await.unwrap().id;
    (admin, inbox)
}
