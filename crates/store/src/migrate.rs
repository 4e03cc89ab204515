//! Schema versions. The version lives in the `meta` tree; an older store is migrated step by
//! step on open (the version is written after each step, so an interrupted migration resumes);
//! a newer one is refused with both versions named.

use crate::catalogue::Tree;
use crate::keys;
use crate::{Result, StoreError};

/// The schema this build writes.
pub const SCHEMA_VERSION: u32 = 1;

/// One step: brings a store from the previous version to `to`.
pub struct Migration {
    pub to: u32,
    pub name: &'static str,
    pub run: fn(&sled::Db) -> Result<()>,
}

/// Version 1 is the first schema, so there is nothing to migrate yet; later schemas add steps here.
pub const MIGRATIONS: &[Migration] = &[];

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
        (step.run)(db)?;
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
