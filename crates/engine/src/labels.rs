//! The desk's label definitions: admins keep them, every agent sees them offered and listed.

use crate::accounts::require_admin;
use crate::{Desk, Result};
use frontdesk_domain::label::{label_definitions, LabelDefinition};
use frontdesk_domain::{Agent, EventKind};

impl Desk {
    /// Every defined label, by name.
    pub fn label_definitions(&self) -> Result<Vec<LabelDefinition>> {
        Ok(self.store().label_definitions()?)
    }

    /// An admin replaces the whole set; conversations keep the labels they carry.
    pub async fn set_label_definitions(
        &self,
        actor: &Agent,
        labels: Vec<LabelDefinition>,
    ) -> Result<Vec<LabelDefinition>> {
        require_admin(actor, "define labels")?;
        let labels = label_definitions(&labels)?;
        let actor = actor.id;
        self.command(move |tx| {
            tx.put_label_definitions(&labels)?;
            tx.record(Some(actor), EventKind::LabelsChanged)?;
            Ok(labels.clone())
        })
        .await
    }
}
