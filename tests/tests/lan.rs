//! A desk on the network speaks HTTPS with the certificate it made, and a joining app trusts
//! that certificate on first use: `frontdesk join` shows the fingerprint the desk printed, trusts
//! it only when given the same one, and refuses the desk once its certificate changes. Plain
//! HTTP is refused from another host (a network namespace with its own address) and still works
//! on loopback; `--insecure-http` is the documented way to serve plain HTTP on the network.

use frontdesk_e2e::{binary, Desk};
use std::path::Path;
use std::process::{Command, Output};

fn join(app_dir: &Path, address: &str, trust: Option<&str>) -> Output {
    let mut c = Command::new(binary());
    c.args(["join", address, "--data-dir"]).arg(app_dir);
    if let Some(t) = trust {
        c.args(["--trust", t]);
    }
    c.output().unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts a LAN desk on `port`; returns it with the fingerprint it printed.
fn lan_desk(data: &Path, port: u16) -> (Desk, String) {
    let desk = Desk::start_listening(data, &["--lan", "--listen", &format!("0.0.0.0:{port}")]);
    let line = desk.next_line().expect("the fingerprint line");
    let fingerprint =
        line.strip_prefix("certificate fingerprint (SHA-256): ").unwrap_or_else(|| panic!("{line}")).to_string();
    (desk, fingerprint)
}

#[test]
#[ignore = "needs the frontdesk binary; scripts/test runs these"]
fn a_joining_app_trusts_the_desk_certificate_on_first_use_and_refuses_a_changed_one() {
    let (data, app) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let port = free_port();
    let (desk, fingerprint) = lan_desk(data.path(), port);
    assert_eq!(fingerprint.len(), 32 * 3 - 1, "{fingerprint}");
    let address = format!("127.0.0.1:{port}");

    // First contact: the fingerprint the app sees is the one the desk printed; nothing trusted yet.
    let first = join(app.path(), &address, None);
    assert_eq!(first.status.code(), Some(3), "{}", text(&first));
    assert!(text(&first).contains(&fingerprint), "{}", text(&first));
    // A wrong fingerprint is refused and trusts nothing; the right one, however copied, is trusted.
    let wrong = join(app.path(), &address, Some("AA:BB:CC"));
    assert_eq!(wrong.status.code(), Some(4), "{}", text(&wrong));
    assert_eq!(join(app.path(), &address, None).status.code(), Some(3));
    let copied = fingerprint.replace(':', "").to_lowercase();
    let trusted = join(app.path(), &address, Some(&copied));
    assert_eq!(trusted.status.code(), Some(0), "{}", text(&trusted));
    let again = join(app.path(), &address, None);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(text(&again).contains("trusted before"), "{}", text(&again));
    // The agent API over HTTPS is the desk, and its Network screen shows the same fingerprint.
    let setup = serde_json::json!({"business_name": "Acme", "admin_name": "Ana", "email": "ana@acme.test", "password": "correct horse"});
    let (_, created) = desk.post("/api/v1/setup", None, setup);
    let token = created["token"].as_str().unwrap().to_string();
    let (status, network) = desk.get("/api/v1/network", Some(&token));
    assert_eq!(status, 200, "{network}");
    assert_eq!(network["fingerprint"], serde_json::json!(fingerprint));
    assert!(
        network["urls"].as_array().unwrap().iter().all(|u| u.as_str().unwrap().starts_with("https://")),
        "{network}"
    );

    // A new certificate at the same address (here: the old one deleted) is refused with a warning.
    let (exit, _) = desk.terminate();
    assert!(exit.success());
    std::fs::remove_dir_all(data.path().join("tls")).unwrap();
    let (desk, renewed) = lan_desk(data.path(), port);
    assert_ne!(renewed, fingerprint);
    let refused = join(app.path(), &address, None);
    assert_eq!(refused.status.code(), Some(4), "{}", text(&refused));
    assert!(text(&refused).contains("now presents a different certificate"), "{}", text(&refused));
    assert!(text(&refused).contains(&fingerprint) && text(&refused).contains(&renewed), "{}", text(&refused));
    // Even the new fingerprint does not override the pin from the command line.
    assert_eq!(join(app.path(), &address, Some(&renewed)).status.code(), Some(4));
    drop(desk);
}

/// Runs `args` in a fresh network namespace joined to this host by a veth pair: another host.
struct OtherHost {
    name: String,
    host_ip: String,
}

impl OtherHost {
    fn new() -> Option<OtherHost> {
        let id = std::process::id() % 200 + 20;
        let name = format!("fdtest{}", std::process::id());
        let host_ip = format!("10.203.{id}.1");
        let sh = format!(
            "ip netns add {name} && ip link add {name}a type veth peer name {name}b && \
             ip link set {name}b netns {name} && ip addr add {host_ip}/24 dev {name}a && ip link set {name}a up && \
             ip netns exec {name} ip addr add 10.203.{id}.2/24 dev {name}b && \
             ip netns exec {name} ip link set {name}b up && ip netns exec {name} ip link set lo up"
        );
        let made = Command::new("sh").args(["-c", &sh]).status().ok()?.success();
        made.then_some(OtherHost { name, host_ip })
    }

    fn curl(&self, args: &[&str]) -> String {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.name, "curl", "-s", "--max-time", "5"])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for OtherHost {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["link", "del", &format!("{}a", self.name)]).status();
        let _ = Command::new("ip").args(["netns", "del", &self.name]).status();
    }
}

#[test]
#[ignore = "needs the frontdesk binary and root (network namespaces); scripts/test runs these"]
fn from_another_host_the_desk_answers_https_only_unless_told_otherwise() {
    let other = OtherHost::new().expect("making a network namespace (needs root and iproute2)");
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let (desk, _) = lan_desk(data.path(), port);
    let there = format!("{}:{port}", other.host_ip);
    let plain = other.curl(&[&format!("http://{there}/health")]);
    assert!(plain.contains("over HTTPS only"), "plain HTTP from another host is refused with the reason: {plain}");
    let secure = other.curl(&["-k", &format!("https://{there}/health")]);
    assert!(secure.contains("\"status\":\"ok\""), "HTTPS from another host works: {secure}");
    let (status, _) = desk.get("/health", None);
    assert_eq!(status, 200, "plain HTTP on loopback still works (this computer's own window)");
    drop(desk);

    let insecure =
        Desk::start_listening(data.path(), &["--lan", "--insecure-http", "--listen", &format!("0.0.0.0:{port}")]);
    let plain = other.curl(&[&format!("http://{there}/health")]);
    assert!(plain.contains("\"status\":\"ok\""), "--insecure-http serves plain HTTP on the network: {plain}");
    drop(insecure);
}
