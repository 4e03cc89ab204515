//! Helpers for cross-process tests: find the real `frontdesk` binary, start `frontdesk serve` on
//! `127.0.0.1:0` with a temp data folder, talk HTTP to it, stop it with a signal.
//!
//! The binary links webkit, so it is not built by a plain `cargo test`; these tests are ignored
//! there and run by `scripts/test` (or with `FRONTDESK_BIN=... cargo test -- --ignored`).

pub mod smtp;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The binary under test: `$FRONTDESK_BIN`, or the workspace's debug build.
pub fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("FRONTDESK_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let bin = target.join("debug/frontdesk");
    assert!(
        bin.exists(),
        "{} does not exist: build it with `cargo build -p frontdesk`, or set FRONTDESK_BIN",
        bin.display()
    );
    bin
}

/// A `frontdesk serve` process; killed when dropped.
pub struct Desk {
    pub child: Child,
    pub url: String,
    lines: mpsc::Receiver<String>,
}

impl Desk {
    /// Starts `frontdesk serve` on a free loopback port with `data_dir`, and waits for its address.
    pub fn start(data_dir: &Path) -> Desk {
        Self::start_with(data_dir, &[])
    }

    /// As `start`, with more arguments for `serve` (e.g. `--test-clock`).
    pub fn start_with(data_dir: &Path, extra: &[&str]) -> Desk {
        let args: Vec<&str> = ["--listen", "127.0.0.1:0"].into_iter().chain(extra.iter().copied()).collect();
        Self::start_listening(data_dir, &args)
    }

    /// `frontdesk serve` with exactly these arguments besides the data folder (say where it listens).
    pub fn start_listening(data_dir: &Path, args: &[&str]) -> Desk {
        let mut child = Command::new(binary())
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start frontdesk serve");
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let first = lines.recv_timeout(Duration::from_secs(30)).expect("frontdesk serve printed no address in 30 s");
        let addr = first
            .split("listening on ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("unexpected first line: {first}"));
        // On the network the desk speaks HTTPS, and plain HTTP on loopback: tests use the latter.
        let url = match addr.strip_prefix("https://0.0.0.0:") {
            Some(port) => format!("http://127.0.0.1:{port}"),
            None => addr.to_string(),
        };
        Desk { child, url, lines }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
        let mut req = ureq::get(&format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        reply(req.call())
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: serde_json::Value) -> (u16, serde_json::Value) {
        let mut req = ureq::post(&format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        reply(req.send_json(body))
    }

    pub fn patch(&self, path: &str, token: Option<&str>, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.send("PATCH", path, token, body)
    }

    pub fn put(&self, path: &str, token: Option<&str>, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.send("PUT", path, token, body)
    }

    fn send(&self, method: &str, path: &str, token: Option<&str>, body: serde_json::Value) -> (u16, serde_json::Value) {
        let mut req = ureq::request(method, &format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        reply(req.send_json(body))
    }

    /// The next line it prints on stdout, waiting up to 10 s.
    pub fn next_line(&self) -> Option<String> {
        self.lines.recv_timeout(Duration::from_secs(10)).ok()
    }

    /// Kills the process with SIGKILL, as a crash or a power cut would: no flush, no goodbye.
    pub fn kill(mut self) {
        self.child.kill().expect("kill frontdesk");
        self.child.wait().expect("wait for frontdesk");
    }

    /// Sends SIGTERM and waits for the process to end; returns its exit status and what it
    /// printed on stdout after the address line.
    pub fn terminate(mut self) -> (ExitStatus, Vec<String>) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("run kill");
        assert!(sent.success(), "kill -TERM {pid} failed");
        let status = self.child.wait().expect("wait for frontdesk");
        let rest = self.lines.try_iter().collect();
        (status, rest)
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn reply(result: Result<ureq::Response, ureq::Error>) -> (u16, serde_json::Value) {
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    let status = response.status();
    let text = response.into_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}
