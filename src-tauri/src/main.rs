//! The `frontdesk` binary: the desktop app (window, tray) and `frontdesk serve`, the headless host
//! desk. It wires the crates together and holds no business rule.

mod backup_cli;
mod config;
mod control;
mod desktop;
mod discovery;
mod host;
mod join;
mod lan;
mod notify;

use clap::Parser;
use config::{Cli, Command, DeskConfig};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    fewer_malloc_arenas();
    let filter = tracing_subscriber::EnvFilter::try_from_env("FRONTDESK_LOG").unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let cli = Cli::parse();
    // The command line is handled before anything of Tauri starts, so `serve` needs no display.
    let outcome = match &cli.command {
        Some(Command::Serve(args)) => DeskConfig::from_args(&args.desk)
            .map(|config| DeskConfig {
                test_clock: args.test_clock,
                widget_rate_limits: !args.no_widget_rate_limits,
                ..config
            })
            .and_then(serve),
        Some(Command::Backup(args)) => backup_cli::backup(args),
        Some(Command::Restore(args)) => backup_cli::restore(args),
        Some(Command::Discover(args)) => discover(args),
        Some(Command::Join(args)) => match join::join_cli(args) {
            Ok(code) => return code,
            Err(e) => Err(e),
        },
        None => {
            if !desktop::has_display() {
                eprintln!(
                    "frontdesk: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot open.\n\
                     To run the host desk without a window, use `frontdesk serve` (see `frontdesk serve --help`)."
                );
                return ExitCode::from(2);
            }
            DeskConfig::from_args(&cli.desk).and_then(desktop::run)
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("frontdesk: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// glibc gives threads that allocate at once heap arenas of their own, up to 8 per core, and
/// memory freed in one is not reused by another: with a thousand visitors' sockets served by
/// every worker thread, two arenas left ~11 MiB less resident at idle than the default. Set
/// before any thread starts; `MALLOC_ARENA_MAX` in the environment still decides if given.
fn fewer_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; nothing else runs yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

fn discover(args: &config::DiscoverArgs) -> anyhow::Result<()> {
    if !(1..=60).contains(&args.seconds) {
        anyhow::bail!("--seconds must be between 1 and 60, not {}", args.seconds);
    }
    let found = discovery::discover(std::time::Duration::from_secs(args.seconds))?;
    if found.is_empty() {
        println!("no desk answered within {} s (a host desk announces itself when it runs with --lan)", args.seconds);
    }
    for desk in found {
        println!("{}  {}  (Frontdesk {})", desk.name, desk.url, desk.version);
    }
    Ok(())
}

fn serve(config: DeskConfig) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let running = host::start(&config).await?;
        if config.test_clock {
            eprintln!("warning: --test-clock is on: anyone logged in can move this desk's clock; for tests only");
        }
        if config.on_lan() && !config.https() {
            eprintln!("warning: --insecure-http: plain HTTP on the network; anyone on it can read the traffic and pose as this desk");
        }
        // Tests and scripts read this line for the address.
        let scheme = if running.fingerprint.is_some() { "https" } else { "http" };
        println!("Frontdesk host desk listening on {scheme}://{} (data in {})", running.addr, config.data_dir.display());
        if let Some(fingerprint) = &running.fingerprint {
            println!("certificate fingerprint (SHA-256): {fingerprint}");
            println!("colleagues joining compare it with what their app shows; this computer's own window and browser may use http://127.0.0.1:{}/", running.addr.port());
        }
        std::io::stdout().flush()?;
        host::terminated().await;
        eprintln!("shutting down: finishing requests and flushing data…");
        running.stop().await?;
        println!("Frontdesk stopped; all data flushed");
        Ok(())
    })
}
