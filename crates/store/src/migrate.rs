//! Schema versions. The version lives in the `meta` tree; an older store is migrated step by
//! step on open (the version is written after each step, so an interrupted migration resumes);
//! a newer one is refused with both versions named.

use crate::catalogue::Tree;
use crate::keys;
use crate::{Result, StoreError};

/// The schema this build writes.
pub const SCHEMA_VERSION: u32 = 2;

/// A migration step's work: the raw database, and where to report progress lines.
pub type MigrationStep = fn(&sled::Db, &mut dyn FnMut(&str)) -> Result<()>;

/// One step: brings a store from the previous version to `to`, reporting its progress in lines.
pub struct Migration {
    pub to: u32,
    pub name: &'static str,
    pub run: MigrationStep,
}

/// The steps from version 1, the first schema.
pub const MIGRATIONS: &[Migration] = &[Migration {
    to: 2,
    name: "views list every status by merging the per-status entries",
    run: drop_any_status_entries,
}];

/// Version 2 reads a view's "any status" list by merging its per-status ranges, so the entries
/// version 1 kept for it go. Removing is idempotent, so a step cut short simply runs again.
fn drop_any_status_entries(db: &sled::Db, progress: &mut dyn FnMut(&str)) -> Result<()> {
    let entries = db.open_tree(Tree::ViewStatusRecencyConversationid.name())?;
    let (mut seen, mut removed) = (0u64, 0u64);
    for k in entries.iter().keys() {
        let k = k?;
        // An entry is the view's prefix, its status byte, then 16 bytes of recency and id.
        if k.len() > 16 && k[k.len() - 17] == keys::ANY_STATUS {
            entries.remove(&k)?;
            removed += 1;
        }
        seen += 1;
        if seen % 200_000 == 0 {
            progress(&format!("  {seen} view entries looked at, {removed} removed"));
        }
    }
    progress(&format!("  {removed} view entries for \"any status\" removed"));
    Ok(())
}

/// The schema version the store records; none for a new, empty store.
pub(crate) fn stored_version(db: &sled::Db) -> Result<Option<u32>> {
    let meta = db.open_tree(Tree::Meta.name())?;
    let Some(bytes) = meta.get(keys::meta::SCHEMA_VERSION)? else { return Ok(None) };
    let bytes: [u8; 4] = bytes
        .as_ref()
        .try_into()
        .map_err(|_| StoreError::Corrupt { tree: Tree::Meta.name(), reason: "schema version is not 4 bytes".into() })?;
    Ok(Some(u32::from_be_bytes(bytes)))
}

fn target(migrations: &[Migration]) -> u32 {
    migrations.iter().map(|m| m.to).fold(SCHEMA_VERSION, u32::max)
}

/// The versions found and to reach, when an existing store needs migrating.
pub(crate) fn pending(db: &sled::Db, migrations: &[Migration]) -> Result<Option<(u32, u32)>> {
    let target = target(migrations);
    Ok(stored_version(db)?.filter(|found| *found < target).map(|found| (found, target)))
}

pub(crate) fn run(db: &sled::Db, migrations: &[Migration], progress: &mut dyn FnMut(&str)) -> Result<()> {
    let meta = db.open_tree(Tree::Meta.name())?;
    let target = target(migrations);
    let found = match stored_version(db)? {
        Some(found) => found,
        // A store without a version marker is a new, empty one.
        None => {
            meta.insert(keys::meta::SCHEMA_VERSION, &target.to_be_bytes())?;
            db.flush()?;
            return Ok(());
        }
    };
    if found > target {
        return Err(StoreError::NewerSchema { found, supported: target });
    }
    for step in migrations.iter().filter(|m| m.to > found) {
        progress(&format!("migrating the data folder to schema version {}: {}", step.to, step.name));
        (step.run)(db, progress)?;
        meta.insert(keys::meta::SCHEMA_VERSION, &step.to.to_be_bytes())?;
        db.flush()?;
    }
    if found < target {
        meta.insert(keys::meta::SCHEMA_VERSION, &target.to_be_bytes())?;
        db.flush()?;
        progress(&format!("the data folder is now at schema version {target}"));
    }
    Ok(())
}
