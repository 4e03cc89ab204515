//! The desk's configuration: one documented struct with defaults, validated on load, passed
//! explicitly. Set from the command line.

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The port a host desk listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 7878;

#[derive(Debug, Parser)]
#[command(name = "frontdesk", version, about = "Frontdesk: a self-hosted help desk in one app")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub desk: DeskArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the host desk without a window (no display needed).
    Serve(ServeArgs),
    /// Write a backup of the desk's data to FILE; asks the running desk when one has the folder.
    Backup(BackupArgs),
    /// Replace the desk's data with the backup in FILE (checked first; the old data is kept aside).
    Restore(BackupArgs),
    /// List the desks announcing themselves on the local network (mDNS).
    Discover(DiscoverArgs),
    /// Check a desk on the network before joining it: show its certificate's fingerprint, trust
    /// it with --trust, refuse it if it changed since.
    Join(JoinArgs),
}

#[derive(Debug, Args, Clone)]
pub struct JoinArgs {
    /// The desk's address, e.g. 192.168.1.20 or https://192.168.1.20:7878
    #[arg(value_name = "ADDRESS")]
    pub address: String,
    /// The fingerprint shown on the host desk, to trust it
    #[arg(long, value_name = "FINGERPRINT")]
    pub trust: Option<String>,
    /// This app's data folder, where trusted desks are remembered [default: the platform's]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct DiscoverArgs {
    /// How long to listen for answers
    #[arg(long, value_name = "SECONDS", default_value_t = 3)]
    pub seconds: u64,
}

#[derive(Debug, Args, Clone)]
pub struct BackupArgs {
    /// The backup file (Frontdesk backups end in .fdbackup)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The desk's data folder [default: the platform's data folder, e.g. ~/.local/share/frontdesk]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

impl BackupArgs {
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        match &self.data_dir {
            Some(dir) => Ok(dir.clone()),
            None => default_data_dir(),
        }
    }
}

#[derive(Debug, Args, Clone, Default)]
pub struct ServeArgs {
    #[command(flatten)]
    pub desk: DeskArgs,
    /// For end-to-end tests only: adds POST /api/v1/test/clock, which moves this desk's clock
    /// forward so timers (snoozes, auto-close) fall due at once. Never use it for real work.
    #[arg(long)]
    pub test_clock: bool,
    /// For load tests only: no per-IP or per-customer limit on widget messages and files.
    #[arg(long)]
    pub no_widget_rate_limits: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct DeskArgs {
    /// Where the desk keeps its data [default: the platform's data folder, e.g. ~/.local/share/frontdesk]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:7878, or 0.0.0.0:7878 with --lan]
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Listen on the local network so colleagues can join this desk (over HTTPS).
    #[arg(long)]
    pub lan: bool,
    /// On the network, serve plain HTTP instead of HTTPS: anyone on the network can then read
    /// the traffic and pose as the desk. Only behind a TLS proxy or on a network you control.
    #[arg(long)]
    pub insecure_http: bool,
    /// Memory for the store's page cache, in MiB (its resident size runs at about 3-4x this).
    #[arg(long, value_name = "MIB", default_value_t = 32)]
    pub cache_mib: u64,
}

/// The validated configuration a desk runs with.
#[derive(Debug, Clone)]
pub struct DeskConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub cache_bytes: u64,
    /// Whether tests may move the clock (`serve --test-clock`; never the desktop app).
    pub test_clock: bool,
    /// Whether the widget's rate limits apply (off only with `serve --no-widget-rate-limits`).
    pub widget_rate_limits: bool,
    /// Plain HTTP beyond loopback (`--insecure-http`); HTTPS otherwise.
    pub insecure_http: bool,
}

impl DeskConfig {
    pub fn from_args(args: &DeskArgs) -> anyhow::Result<DeskConfig> {
        let data_dir = match &args.data_dir {
            Some(dir) => dir.clone(),
            None => default_data_dir()?,
        };
        let listen = match (args.listen, args.lan) {
            (Some(addr), _) => addr,
            (None, true) => SocketAddr::from(([0, 0, 0, 0], DEFAULT_PORT)),
            (None, false) => SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
        };
        if args.lan && listen.ip().is_loopback() {
            bail!("--lan asks to listen on the network, but --listen {listen} is a loopback address: drop one of them");
        }
        if !(4..=16_384).contains(&args.cache_mib) {
            bail!("--cache-mib must be between 4 and 16384, not {}", args.cache_mib);
        }
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;
        Ok(DeskConfig {
            data_dir,
            listen,
            cache_bytes: args.cache_mib * 1024 * 1024,
            test_clock: false,
            widget_rate_limits: true,
            insecure_http: args.insecure_http,
        })
    }

    pub fn on_lan(&self) -> bool {
        !self.listen.ip().is_loopback()
    }

    /// HTTPS for everyone but this machine's own loopback.
    pub fn https(&self) -> bool {
        self.on_lan() && !self.insecure_http
    }
}

pub fn default_data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("app", "Frontdesk", "frontdesk")
        .map(|d| d.data_dir().to_path_buf())
        .context("cannot find this user's data folder: pass --data-dir")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_desk_listens_on_loopback_unless_told_to_join_the_lan() {
        let dir = tempfile::tempdir().unwrap();
        let base = DeskArgs { data_dir: Some(dir.path().into()), cache_mib: 32, ..Default::default() };
        let local = DeskConfig::from_args(&base).unwrap();
        assert_eq!(local.listen.to_string(), "127.0.0.1:7878");
        assert!(!local.on_lan());
        let lan = DeskConfig::from_args(&DeskArgs { lan: true, ..base.clone() }).unwrap();
        assert_eq!(lan.listen.to_string(), "0.0.0.0:7878");
        assert!(lan.on_lan());
        let contradiction = DeskArgs { lan: true, listen: Some("127.0.0.1:9000".parse().unwrap()), ..base };
        assert!(DeskConfig::from_args(&contradiction).unwrap_err().to_string().contains("drop one of them"));
    }
}
