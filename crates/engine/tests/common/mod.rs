//! What the engine's test files share.

use frontdesk_domain::SetupRequest;

/// The business and admin every test desk is set up with (Ana, ana@acme.test).
pub fn acme_setup() -> SetupRequest {
    SetupRequest {
        business_name: "Acme".into(),
        admin_name: "Ana".into(),
        email: "ana@acme.test".into(),
        password: "correct horse".into(),
    }
}
