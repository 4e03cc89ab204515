//! A real SMTP server for tests: Debian's python3-aiosmtpd running `support/smtp_server.py` on
//! loopback. It stores every message it accepts as parsed JSON, and can be told to answer 4xx,
//! 5xx or slowly. Killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's Python, which sees Debian's python3-aiosmtpd (the first `python3` on PATH may not).
const PYTHON: &str = "/usr/bin/python3";

pub struct SmtpServer {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
}

/// How the server answers the next messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    Accept,
    /// 451: try again later.
    Temporary,
    /// 550: no such user.
    Permanent,
    /// Store the message, then wait this long before answering 250.
    Slow(Duration),
}

impl SmtpServer {
    /// Starts on a free port.
    pub fn start() -> SmtpServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let (child, port) = spawn(0, dir.path());
        SmtpServer { child: Some(child), port, dir }
    }

    /// A port nothing listens on yet; `come_up` starts the server there later.
    pub fn down() -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        SmtpServer { child: None, port, dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn come_up(&mut self) {
        assert!(self.child.is_none(), "already up");
        let (child, port) = spawn(self.port, self.dir.path());
        assert_eq!(port, self.port);
        self.child = Some(child);
    }

    pub fn set_mode(&self, mode: Mode) {
        let text = match mode {
            Mode::Accept => "accept".to_string(),
            Mode::Temporary => "temporary".to_string(),
            Mode::Permanent => "permanent".to_string(),
            Mode::Slow(d) => format!("slow {}", d.as_secs_f64()),
        };
        std::fs::write(self.dir.path().join("mode"), text).expect("write mode");
    }

    /// Every message accepted so far, in arrival order, as the server parsed it.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("read messages")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).expect("read message")).expect("message JSON"))
            .collect()
    }

    /// Waits until at least `n` messages arrived; panics after `timeout`.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<serde_json::Value> {
        let start = Instant::now();
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            assert!(start.elapsed() < timeout, "{} of {n} messages arrived in {timeout:?}", got.len());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn spawn(port: u16, dir: &Path) -> (Child, u16) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/smtp_server.py");
    let mut child = Command::new(PYTHON)
        .arg("-u")
        .arg(&script)
        .arg(port.to_string())
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the SMTP server: is python3-aiosmtpd installed? (scripts/deps installs it)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read the SMTP server's port");
    let port = line
        .trim()
        .strip_prefix("listening on ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("the SMTP server did not start: {line:?}"));
    (child, port)
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
