fn main() {
    // The app's own commands get permissions (`allow-notify`, `allow-discover-desks`), so a capability can grant them to
    // the window's pages, which Tauri counts as remote (they come from the desk over HTTP).
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&[
        "notify",
        "discover_desks",
        "probe_desk",
        "join_desk",
    ])))
    .expect("failed to run tauri-build");
}
