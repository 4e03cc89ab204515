//! The desktop app: a window on the in-process host desk's UI, and a tray icon to reopen the
//! window or quit. Closing the window keeps the desk serving colleagues on the network.

use crate::config::DeskConfig;
use crate::host::{self, RunningDesk};
use anyhow::Context;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, RunEvent, WebviewUrl, WebviewWindowBuilder};

pub const MAIN_WINDOW: &str = "main";

/// Whether a window can be shown at all (GTK panics without a display).
pub fn has_display() -> bool {
    if cfg!(target_os = "linux") {
        ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
    } else {
        true
    }
}

pub fn run(config: DeskConfig) -> anyhow::Result<()> {
    // One app per data folder: a second launch brings the first one's window forward and ends.
    if let Some(holder) = frontdesk_engine::data_folder_holder(&config.data_dir) {
        let asked =
            holder.control_socket.as_deref().map(|s| crate::control::ask(s, &crate::control::Request::Focus, |_| {}));
        match asked {
            Some(Ok(_)) => {
                println!(
                    "Frontdesk is already running on {} ({holder}); brought its window to the front",
                    config.data_dir.display()
                );
                return Ok(());
            }
            Some(Err(e)) => anyhow::bail!(
                "the data folder {} is in use by {holder} ({e:#}): use that desk, or stop it and start again",
                config.data_dir.display()
            ),
            None => {} // opening the store below says who holds it
        }
    }
    let runtime = tokio::runtime::Runtime::new()?;
    let running = runtime.block_on(host::start(&config))?;
    let url: tauri::Url = running.local_url().parse().context("the desk's own URL")?;
    println!("Frontdesk host desk listening on http://{} (data in {})", running.addr, config.data_dir.display());
    let focus = running.focus.clone();
    let mut running: Option<RunningDesk> = Some(running);

    let app = tauri::Builder::default()
        .manage(crate::join::JoinState { data_dir: config.data_dir.clone() })
        .manage(crate::discovery::Listening::default())
        .invoke_handler(tauri::generate_handler![
            crate::notify::notify,
            crate::discovery::discover_desks,
            crate::join::probe_desk,
            crate::join::join_desk
        ])
        .setup({
            let url = url.clone();
            let signals = runtime.handle().clone();
            move |app| {
                open_window(app.handle(), &url)?;
                // A second launch on this folder asks through the control socket.
                let (handle, window_url) = (app.handle().clone(), url.clone());
                *focus.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(move || {
                    let (h, u) = (handle.clone(), window_url.clone());
                    tracing::info!("a second launch asked for the window");
                    handle
                        .run_on_main_thread(move || {
                            if let Err(e) = open_window(&h, &u) {
                                eprintln!("frontdesk: cannot show the window: {e}");
                            }
                        })
                        .map_err(|e| e.to_string())
                }));
                tray(app.handle(), url.clone())?;
                // SIGTERM or Ctrl-C quit like the tray's Quit: cleanly, with the store flushed.
                let handle = app.handle().clone();
                signals.spawn(async move {
                    host::terminated().await;
                    handle.exit(0);
                });
                Ok(())
            }
        })
        .build(tauri::generate_context!())
        .context("cannot start the desktop app")?;

    app.run(move |_, event| match event {
        // The last window closed: keep serving from the tray. Quit passes an exit code.
        RunEvent::ExitRequested { api, code: None, .. } => api.prevent_exit(),
        RunEvent::Exit => {
            if let Some(desk) = running.take() {
                if let Err(e) = runtime.block_on(desk.stop()) {
                    eprintln!("frontdesk: {e:#}");
                }
            }
        }
        _ => {}
    });
    Ok(())
}

fn open_window(app: &AppHandle, url: &tauri::Url) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        window.show()?;
        return window.set_focus();
    }
    let handle = app.clone();
    WebviewWindowBuilder::new(app, MAIN_WINDOW, WebviewUrl::External(url.clone()))
        .title("Frontdesk")
        .inner_size(1200.0, 800.0)
        .min_inner_size(720.0, 480.0)
        // The UI names the screen it shows in its title; the window follows.
        .on_document_title_changed(move |_, title| {
            if let Some(w) = handle.get_webview_window(MAIN_WINDOW) {
                let _ = w.set_title(&title);
            }
        })
        .build()?;
    Ok(())
}

fn tray(app: &AppHandle, url: tauri::Url) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Frontdesk", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Frontdesk", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    let mut tray = TrayIconBuilder::with_id("frontdesk").tooltip("Frontdesk").menu(&menu);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.on_menu_event(move |app, event| match event.id().as_ref() {
        "open" => {
            if let Err(e) = open_window(app, &url) {
                eprintln!("frontdesk: cannot open the window: {e}");
            }
        }
        "quit" => app.exit(0),
        _ => {}
    })
    .build(app)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_s_own_pages_have_the_agent_app_s_policy() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).expect("tauri.conf.json");
        assert_eq!(
            conf["app"]["security"]["csp"].as_str(),
            Some(frontdesk_http::agent_policy().as_str()),
            "tauri.conf.json's csp must say what the desk's pages send"
        );
    }
}
