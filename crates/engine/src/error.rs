//! The engine's one error type. Each variant is something a user can be told about, with what to
//! do; the HTTP layer maps each to a status and a stable code.

use frontdesk_domain::DomainError;
use frontdesk_store::StoreError;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{0}")]
    Invalid(#[from] DomainError),
    #[error("this desk is already set up: log in instead")]
    AlreadySetUp,
    #[error("this desk is not set up yet: create the business and its admin first")]
    NotSetUp,
    #[error("the email or the password is wrong")]
    InvalidCredentials,
    #[error("your session has expired: log in again")]
    SessionExpired,
    #[error("you are not logged in, or your session was ended: log in again")]
    NotAuthenticated,
    #[error("this account is deactivated: ask an admin to reactivate it")]
    AccountDeactivated,
    #[error("this stream ticket is unknown, already used or expired: fetch a new one with POST /api/v1/stream/ticket")]
    StreamTicketInvalid,
    #[error("too many failed logins: try again in {} s", .retry_after.as_secs().max(1))]
    TooManyAttempts { retry_after: Duration },
    #[error("only an admin can {0}")]
    AdminOnly(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("this invitation link is unknown, already used or expired: ask an admin for a new one")]
    InvitationInvalid,
    #[error("no inbox has this website token: copy the widget snippet again from the inbox's settings")]
    UnknownWebsiteToken,
    #[error("this chat session is unknown to the desk: start a new chat")]
    VisitorUnknown,
    #[error(
        "the identity hash does not match the identifier: sign it with the inbox's identity secret (HMAC-SHA256, hex)"
    )]
    IdentityRefused,
    #[error(
        "the email hash does not match the email: sign the email exactly as sent with the inbox's identity secret (HMAC-SHA256, hex), or send neither"
    )]
    EmailIdentityRefused,
    /// Words a widget visitor reads: no admin's instructions in them.
    #[error("the transcript can be emailed once the conversation is solved")]
    TranscriptNotFinished,
    #[error("the transcript can only be emailed to your own address, {0}")]
    TranscriptAddressRefused(String),
    #[error("the transcript cannot be emailed right now: sorry, ask in the chat instead")]
    EmailUnavailable,
    #[error(
        "this chat is not available from your network address: reach the business another way if this is a mistake"
    )]
    VisitorBlocked,
    /// A link sent to a customer that is forged, for another inbox, or expired.
    #[error("{0}")]
    LinkRefused(String),
    #[error("{what}: try again in {} s", .retry_after.as_secs().max(1))]
    RateLimited { what: String, retry_after: Duration },
    #[error(transparent)]
    Lifecycle(#[from] frontdesk_domain::conversation::LifecycleError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Working, but not ready for this yet (the search index opening).
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}
