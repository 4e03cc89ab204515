//! Canned responses: admins keep them, every agent inserts them from the reply box.

use crate::accounts::require_admin;
use crate::{Desk, EngineError, Result};
use frontdesk_domain::canned::{CannedInput, CannedResponse};
use frontdesk_domain::{Agent, EventKind, Id};
use frontdesk_store::{Tx, TxError};

type TxResult<T> = std::result::Result<T, TxError<EngineError>>;

/// Refuses a short code another canned response already has.
fn refuse_taken(tx: &Tx<'_>, code: &str, except: Option<Id>) -> TxResult<()> {
    match tx.canned_id_by_code(code)? {
        Some(other) if Some(other) != except => Err(TxError::Abort(EngineError::Conflict(format!(
            "the short code /{code} is taken: pick another, or edit the canned response that has it"
        )))),
        _ => Ok(()),
    }
}

impl Desk {
    /// Every canned response, by short code.
    pub fn canned_responses(&self) -> Result<Vec<CannedResponse>> {
        Ok(self.store().canned_responses()?)
    }

    pub async fn create_canned_response(&self, actor: &Agent, input: CannedInput) -> Result<CannedResponse> {
        require_admin(actor, "create canned responses")?;
        let (short_code, content) = input.checked()?;
        let actor = actor.id;
        self.command(move |tx| {
            refuse_taken(tx, &short_code, None)?;
            let now = tx.now();
            let canned = CannedResponse {
                id: tx.new_id(),
                short_code: short_code.clone(),
                content: content.clone(),
                created_at: now,
                updated_at: now,
            };
            tx.put_canned_response(&canned)?;
            tx.record(Some(actor), EventKind::CannedResponseChanged { canned_response: canned.id })?;
            Ok(canned)
        })
        .await
    }

    pub async fn update_canned_response(&self, actor: &Agent, id: Id, input: CannedInput) -> Result<CannedResponse> {
        require_admin(actor, "change canned responses")?;
        let (short_code, content) = input.checked()?;
        let actor = actor.id;
        self.command(move |tx| {
            let Some(mut canned) = tx.canned_response(id)? else {
                return Err(TxError::Abort(EngineError::NotFound("canned response")));
            };
            refuse_taken(tx, &short_code, Some(id))?;
            canned.short_code = short_code.clone();
            canned.content = content.clone();
            canned.updated_at = tx.now();
            tx.put_canned_response(&canned)?;
            tx.record(Some(actor), EventKind::CannedResponseChanged { canned_response: id })?;
            Ok(canned)
        })
        .await
    }

    pub async fn delete_canned_response(&self, actor: &Agent, id: Id) -> Result<()> {
        require_admin(actor, "delete canned responses")?;
        let actor = actor.id;
        self.command(move |tx| {
            let Some(canned) = tx.canned_response(id)? else {
                return Err(TxError::Abort(EngineError::NotFound("canned response")));
            };
            tx.delete_canned_response(&canned)?;
            tx.record(Some(actor), EventKind::CannedResponseChanged { canned_response: id })?;
            Ok(())
        })
        .await
    }
}
